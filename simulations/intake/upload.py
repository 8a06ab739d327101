"""Getting a user's file as bytes: the upload size limit, then a path, bytes or an upload object.

:func:`check_upload_size` refuses a file over the limit (:data:`MAX_UPLOAD_MB`, or the Streamlit server's, read
by :func:`max_upload_mb_from_config`); ``_acquire`` reads a path, bytes or a (Streamlit) file object under it.
A ``str`` source is always a path, never file content or a URL. Unpacking gzip and zip is in
:mod:`~simulations.intake.archives`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from simulations.intake.errors import EmptyFileError, FileTooLargeError, Fix, UnsupportedFormatError

__all__ = ["MAX_UPLOAD_MB", "check_upload_size", "max_upload_mb_from_config"]

#: Default upload limit in MB; the same number as ``server.maxUploadSize`` in .streamlit/config.toml.
MAX_UPLOAD_MB = 200.0

MB = 2**20


def check_upload_size(n_bytes: int, max_mb: float | None = MAX_UPLOAD_MB, *, name: str = "The file") -> None:
    """Raise :class:`FileTooLargeError` when ``n_bytes`` exceeds ``max_mb`` megabytes (None: no limit)."""
    if max_mb is None or n_bytes <= max_mb * MB:
        return
    raise FileTooLargeError(
        f"{name} is {n_bytes / MB:,.1f} MB; the upload limit is {max_mb:,.0f} MB.",
        hint="Compress it with gzip or zip (CSV usually shrinks 5-10x), save it as Parquet, upload a sample of "
             "the rows, or raise the limit.",
        details={"n_bytes": int(n_bytes), "max_mb": max_mb}, fix=Fix("max_mb"),
    )


def max_upload_mb_from_config(path: str | Path | None = None) -> float:
    """``server.maxUploadSize`` from a Streamlit config.toml, or :data:`MAX_UPLOAD_MB` when absent.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to ``.streamlit/config.toml`` at the repository root.
    """
    path = Path(path) if path is not None else Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
    try:
        with open(path, "rb") as fh:
            value = tomllib.load(fh).get("server", {}).get("maxUploadSize")
    except (OSError, tomllib.TOMLDecodeError):
        return MAX_UPLOAD_MB
    return float(value) if isinstance(value, int | float) and value > 0 else MAX_UPLOAD_MB


def _acquire(source: Any, filename: str | None, max_mb: float | None) -> tuple[bytes, str]:
    limit = None if max_mb is None else int(max_mb * MB)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename or "<bytes>"
        check_upload_size(len(data), max_mb, name=_display(name))
        return data, name
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise EmptyFileError(
                f"No file at {path}." if not path.exists() else f"{path} is a folder, not a file.",
                hint="Check the path; relative paths start from the current folder.",
                code="file_not_found", details={"path": str(path)},
            )
        check_upload_size(path.stat().st_size, max_mb, name=_display(name))
        return path.read_bytes(), name
    if hasattr(source, "read"):
        name = filename or Path(str(getattr(source, "name", "") or "<upload>")).name
        size = getattr(source, "size", None)
        if isinstance(size, int):
            check_upload_size(size, max_mb, name=_display(name))
        if hasattr(source, "getvalue"):
            data = source.getvalue()
        else:
            data = source.read() if limit is None else source.read(limit + 1)
        if isinstance(data, str):
            raise UnsupportedFormatError("The upload was opened in text mode.",
                                         hint="Open the file in binary mode ('rb').")
        check_upload_size(len(data), max_mb, name=_display(name))
        return bytes(data), name
    raise UnsupportedFormatError(f"Cannot read a {type(source).__name__}.",
                                 hint="Pass a path, the file's bytes, or a binary file object.")


def _display(name: str) -> str:
    return "The file" if name.startswith("<") else f"'{name}'"
