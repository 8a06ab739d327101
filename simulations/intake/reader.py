"""Reading a user's file into a DataFrame: :func:`read_table`, the one entry point.

Only data readers ever touch the bytes: no pickle, no ``eval``, Parquet through pyarrow only. A ``str``
source is always a path, never file content or a URL.

:func:`read_table` runs the steps, each in its own module:

* :mod:`~simulations.intake.upload`: the upload size limit and getting the bytes (path, bytes, file object);
* :mod:`~simulations.intake.archives`: gzip and zip, with the decompressed-size guard;
* :mod:`~simulations.intake.detect`: which format the bytes are (and refusing pickles and other binaries);
* :mod:`~simulations.intake.encoding`: decoding text;
* one reader per format: :mod:`~simulations.intake.delimited` (CSV/TSV), :mod:`~simulations.intake.json_lines`,
  :mod:`~simulations.intake.parquet`, :mod:`~simulations.intake.workbook` (.xlsx);
* :mod:`~simulations.intake.columns`: the header and cell rules every format shares;
* :mod:`~simulations.intake.tidy`: one kind of value per column, blank rows and unnamed columns dropped.

The limits and helpers once defined here (:data:`MAX_UPLOAD_MB`, :data:`MAX_COLUMNS`, :func:`decode_text`,
:func:`sniff_dialect`, ...) are re-exported, so ``from simulations.intake.reader import ...`` keeps working. Patch
a setting in the module that defines it (e.g. ``simulations.intake.delimited.PYARROW_MIN_BYTES``).
"""

from __future__ import annotations

import os
from typing import IO

from simulations.intake.archives import MAX_DECOMPRESSED_MB, _decompress
from simulations.intake.columns import MAX_COLUMNS, NA_MARKERS, _check_width
from simulations.intake.delimited import (
    DELIMITERS,
    PYARROW_MIN_BYTES,
    SAMPLE_CHARS,
    SNIFF_RECORDS,
    _read_delimited,
    sniff_dialect,
)
from simulations.intake.detect import TEXT_FORMATS, _detect_format
from simulations.intake.encoding import _MOJIBAKE, _looks_binary, decode_text
from simulations.intake.errors import EmptyFileError, EncodingError, NoRowsError
from simulations.intake.json_lines import _read_json
from simulations.intake.parquet import _read_parquet
from simulations.intake.report import WARNING, IntakeResult, ReadReport
from simulations.intake.tidy import SPREADSHEET_ERRORS, _tidy
from simulations.intake.upload import (
    MAX_UPLOAD_MB,
    MB,
    _acquire,
    _display,
    check_upload_size,
    max_upload_mb_from_config,
)
from simulations.intake.workbook import SHEET_HEADER_SCAN_ROWS, _read_xlsx

__all__ = [
    "DELIMITERS",
    "MAX_COLUMNS",
    "MAX_DECOMPRESSED_MB",
    "MAX_UPLOAD_MB",
    "MB",
    "NA_MARKERS",
    "PYARROW_MIN_BYTES",
    "SAMPLE_CHARS",
    "SHEET_HEADER_SCAN_ROWS",
    "SNIFF_RECORDS",
    "SPREADSHEET_ERRORS",
    "TEXT_FORMATS",
    "check_upload_size",
    "decode_text",
    "max_upload_mb_from_config",
    "read_table",
    "sniff_dialect",
]


def read_table(
    source: str | os.PathLike | bytes | IO[bytes],
    *,
    filename: str | None = None,
    max_mb: float | None = MAX_UPLOAD_MB,
    max_decompressed_mb: float | None = MAX_DECOMPRESSED_MB,
    max_columns: int | None = MAX_COLUMNS,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    sheet: str | int | None = None,
    columns: list[str] | None = None,
    nrows: int | None = None,
    label: str | None = None,
) -> IntakeResult:
    """Read a user's table: CSV/TSV (any delimiter, gzip or zip), Parquet, JSON Lines, JSON or .xlsx.

    Parameters
    ----------
    source : path, bytes or binary file object
        A ``str`` is always a path. File objects may be Streamlit uploads (``.name``, ``.size``, ``.getvalue()``).
    filename : str, optional
        The name to show and to take the extension from (for bytes and file objects).
    max_mb : float or None
        Upload limit in MB (None: no limit). See :func:`check_upload_size`.
    max_decompressed_mb : float or None
        Limit once decompressed from gzip or zip.
    max_columns : int or None
        More columns raise :class:`TooWideError`.
    encoding : str, optional
        Force a text encoding; by default it is detected (BOM, UTF-16, UTF-8, then Windows-1252/Latin-1).
    delimiter : str, optional
        Force the separator; by default it is sniffed among comma, semicolon, tab and pipe.
    header : bool, optional
        None detects a missing header (raises :class:`NoHeaderError`); True trusts the first row;
        False reads every row as data and names the columns ``column_1, column_2, ...``.
    sheet : str or int, optional
        Workbook sheet (default: the first).
    columns : list of str, optional
        Read only these columns.
    nrows : int, optional
        Read only the first rows (previews).
    label : str, optional
        The label column, when known. With ``sheet=None``, a workbook whose first sheet has no such column is
        read from the only other sheet that has it (note ``sheet_chosen``); when none or several do,
        :class:`LabelColumnError` (``label_missing``) names the sheets.

    Returns
    -------
    IntakeResult
        ``frame`` (one kind of value per column, names stripped, blank rows and empty unnamed columns dropped)
        and ``report`` (:class:`ReadReport`).

    Raises
    ------
    IntakeError
        A subclass with a stable ``code``; see docs/intake.md.
    """
    data, name = _acquire(source, filename, max_mb)
    report = ReadReport(source=name, n_bytes=len(data))
    if not data.strip():
        raise EmptyFileError(f"{_display(name)} is empty (0 bytes)." if not data else f"{_display(name)} holds only "
                             "blank space.", hint="Check that you picked the right file and that it was saved "
                             "completely.")
    data, inner = _decompress(data, name, report, max_decompressed_mb)
    if not data.strip():
        raise EmptyFileError(f"The table inside {_display(name)} is empty.",
                             hint="Check that the archive holds the right file.")
    fmt = _detect_format(data, inner)
    if fmt == "parquet":
        report.format = "parquet"
        frame = _read_parquet(data, inner, columns, nrows, max_columns)
    elif fmt == "xlsx":
        report.format = "xlsx"
        frame = _read_xlsx(data, inner, sheet, report, header, columns, max_columns, label)
        if nrows is not None:
            frame = frame.head(nrows)
    else:
        text, codec = decode_text(data, encoding)
        report.encoding = codec
        if codec in ("cp1252", "latin-1"):
            mixed = _MOJIBAKE.search(text) is not None
            report.notes.add("encoding_fallback",
                             f"The file is not valid UTF-8; decoded it as {report.encoding_name}. "
                             + ("Parts of it look like UTF-8 (e.g. 'Ã©' for 'é'): it probably mixes encodings; "
                                "save it again as CSV UTF-8." if mixed else
                                "Check that accented characters look right; if not, save the file as CSV UTF-8."),
                             WARNING)
        elif codec != "utf-8":
            report.notes.add("encoding", f"Decoded the file as {report.encoding_name}.")
        if _looks_binary(text):
            raise EncodingError(
                f"{_display(name)} does not look like text in a known encoding (UTF-8, UTF-16, Windows-1252): "
                "it holds control characters.",
                hint="Upload a CSV, TSV, Parquet, JSON Lines or .xlsx file; if it is text, save it as CSV UTF-8.",
            )
        text = text.lstrip("\ufeff")
        if not text.strip():
            raise EmptyFileError(f"{_display(name)} holds only blank space.",
                                 hint="Check that you picked the right file and that it was saved completely.")
        head = text.lstrip()[:1]
        if fmt in ("jsonl", "json") or (fmt == "text" and head and head in "{["):
            frame, report.format = _read_json(text, fmt, columns, nrows)
            if frame.shape[1] == 0:
                raise EmptyFileError("The JSON holds no records.", hint="Add one {\"column\": value} object per row.")
            _check_width(frame.shape[1], max_columns)
        else:
            utf8 = data if codec == "utf-8" else None
            frame = _read_delimited(text, utf8, fmt, report, delimiter=delimiter, header=header, columns=columns,
                                    nrows=nrows, max_columns=max_columns)
    frame = _tidy(frame, report, report.format)
    if frame.shape[1] == 0:
        raise EmptyFileError(f"{_display(name)} has no columns with data.",
                             hint="Check that you picked the right file.")
    if len(frame) == 0:
        raise NoRowsError(f"{_display(name)} has a header but no data rows.",
                          hint="Export the table again with its rows.", details={"columns": list(frame.columns)})
    report.n_rows, report.n_columns = frame.shape
    return IntakeResult(frame=frame, report=report)
