"""Unpacking gzip and zip: one table per archive, one level of compression, and zip-bomb guards.

``_decompress`` returns the table's bytes from a gzip file or a zip holding one table (macOS and Windows junk
members ignored); an .xlsx workbook, itself a zip, passes through. Archives inside archives are refused, and
what an archive (or a workbook) unpacks to must stay under :data:`MAX_DECOMPRESSED_MB`.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from pathlib import Path
from typing import IO

from simulations.intake.errors import (
    ArchiveError,
    CorruptFileError,
    EmptyFileError,
    FileTooLargeError,
    UnsupportedFormatError,
)
from simulations.intake.report import ReadReport
from simulations.intake.upload import MB

__all__ = ["MAX_DECOMPRESSED_MB"]

#: Limit on a table's size once decompressed from gzip or zip, in MB (guards against zip bombs).
MAX_DECOMPRESSED_MB = 2000.0


def _read_limited(stream: IO[bytes], limit: int | None, name: str, max_mb: float | None) -> bytes:
    out = io.BytesIO()
    while True:
        chunk = stream.read(4 * MB)
        if not chunk:
            return out.getvalue()
        out.write(chunk)
        if limit is not None and out.tell() > limit:
            raise FileTooLargeError(
                f"'{name}' is more than {max_mb:,.0f} MB once decompressed.",
                hint="Upload fewer rows or columns, or save the table as Parquet, which reads in less memory.",
                code="decompressed_too_large", details={"max_decompressed_mb": max_mb},
            )


def _decompress(data: bytes, name: str, report: ReadReport, max_decompressed_mb: float | None) -> tuple[bytes, str]:
    """Unpack gzip, or a zip holding one table (any single-table format, a workbook included); return the inner
    bytes and name. An .xlsx workbook given as is (itself a zip) passes through, after its size check."""
    limit = None if max_decompressed_mb is None else int(max_decompressed_mb * MB)
    if data[:2] == b"\x1f\x8b":
        inner = name[:-3] if name.lower().endswith(".gz") else (name[:-5] if name.lower().endswith(".gzip") else name)
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                out = _read_limited(gz, limit, name, max_decompressed_mb)
        except (OSError, EOFError, zlib.error) as exc:
            raise CorruptFileError(
                f"'{name}' is not a complete gzip file ({exc}).",
                hint="The file may be truncated: compress it again, or upload it uncompressed.",
            ) from exc
        report.compression = "gzip"
        _refuse_nested(out, name, inner, max_decompressed_mb)
        return out, inner
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            names = zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CorruptFileError(f"'{name}' is not a readable zip file ({exc}).",
                                   hint="Zip it again, or upload the table uncompressed.") from exc
        if _is_workbook(names):
            _check_workbook_size(zf, name, max_decompressed_mb)
            return data, name if name.lower().endswith((".xlsx", ".xlsm")) else name + ".xlsx"
        if any(n.startswith(("word/", "ppt/")) for n in names) or "mimetype" in names:
            raise UnsupportedFormatError(f"'{name}' is an office document, not a table Labelwise can read.",
                                         hint="Export the table as CSV or .xlsx.")
        members = [i for i in zf.infolist() if not i.is_dir() and not _junk_member(i.filename)]
        if not members:
            raise EmptyFileError(f"The zip archive '{name}' contains no files.",
                                 hint="Put the CSV (or Parquet, JSON Lines) file in the archive.")
        if len(members) > 1:
            listed = ", ".join(m.filename for m in members[:10]) + (" ..." if len(members) > 10 else "")
            raise ArchiveError(f"The zip archive '{name}' holds {len(members)} files ({listed}); "
                               "Labelwise reads one table at a time.",
                               hint="Zip only the table you want, or unzip and upload that file.",
                               details={"files": [m.filename for m in members]})
        member = members[0]
        if member.flag_bits & 0x1:
            raise UnsupportedFormatError(f"'{member.filename}' in '{name}' is password-protected.",
                                         hint="Zip it again without a password.")
        if limit is not None and member.file_size > limit:
            raise FileTooLargeError(
                f"'{member.filename}' is {member.file_size / MB:,.0f} MB once decompressed; the limit is "
                f"{max_decompressed_mb:,.0f} MB.",
                hint="Upload fewer rows or columns, or save the table as Parquet.", code="decompressed_too_large",
                details={"max_decompressed_mb": max_decompressed_mb})
        try:
            with zf.open(member) as fh:
                out = _read_limited(fh, limit, name, max_decompressed_mb)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
            raise CorruptFileError(f"Cannot extract '{member.filename}' from '{name}' ({exc}).",
                                   hint="Zip it again with standard compression, or upload it uncompressed.") from exc
        report.compression = "zip"
        inner = Path(member.filename).name
        _refuse_nested(out, name, inner, max_decompressed_mb)
        report.notes.add("archive", f"Read '{member.filename}' from the zip archive.")
        return out, inner
    return data, name


def _is_workbook(names: list[str]) -> bool:
    """A zip's member names are those of an .xlsx/.xlsm workbook (itself a zip)."""
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _refuse_nested(out: bytes, name: str, inner: str, max_decompressed_mb: float | None) -> None:
    """What came out of a gzip or zip may be any single-table format, an .xlsx workbook included (a zip by
    design), but not another archive: one level of compression, so the size guard sees the real table."""
    nested = out[:2] == b"\x1f\x8b"
    if out[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            book = zipfile.ZipFile(io.BytesIO(out))
            nested = not _is_workbook(book.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CorruptFileError(f"'{inner}' inside '{name}' is not a readable zip or .xlsx file ({exc}).",
                                   hint="Save it again, or upload the table as CSV.") from exc
        if not nested:
            _check_workbook_size(book, f"'{inner}' inside '{name}'", max_decompressed_mb)
    if nested:
        raise UnsupportedFormatError(f"'{name}' is an archive inside an archive ('{inner}').",
                                     hint="Compress the table once, with gzip or zip.",
                                     details={"inner": inner})


def _check_workbook_size(book: zipfile.ZipFile, name: str, max_decompressed_mb: float | None) -> None:
    """An .xlsx is a zip its reader unpacks in memory: the sizes its entries declare (which bound what the zip
    reader will inflate) must stay under the decompressed-size limit, as for a table in a gzip or zip."""
    if max_decompressed_mb is None:
        return
    total = sum(i.file_size for i in book.infolist())
    if total > max_decompressed_mb * MB:
        shown = name if name.startswith("'") else f"'{name}'"
        raise FileTooLargeError(
            f"{shown} is {total / MB:,.0f} MB once decompressed; the limit is {max_decompressed_mb:,.0f} MB.",
            hint="Upload fewer rows or columns, or save the table as Parquet.", code="decompressed_too_large",
            details={"max_decompressed_mb": max_decompressed_mb})


def _junk_member(path: str) -> bool:
    base = Path(path).name
    return path.startswith("__MACOSX/") or base.startswith("._") or base in (".DS_Store", "Thumbs.db", "desktop.ini")
