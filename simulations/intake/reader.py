"""Reading a user's file into a DataFrame: formats, compression, encodings, delimiters and a tidy header.

Only data readers ever touch the bytes: no pickle, no ``eval``, Parquet through pyarrow only. A ``str``
source is always a path, never file content or a URL.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import decimal
import difflib
import gzip
import io
import json
import os
import re
import tomllib
import unicodedata
import warnings
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from simulations.intake.errors import (
    ArchiveError,
    BlankColumnNameError,
    ColumnNotFoundError,
    CorruptFileError,
    DuplicateColumnError,
    EmptyFileError,
    EncodingError,
    FileTooLargeError,
    Fix,
    LabelColumnError,
    MissingDependencyError,
    NoHeaderError,
    NoRowsError,
    ParseError,
    TooWideError,
    UnsupportedFormatError,
)
from simulations.intake.report import WARNING, IntakeResult, ReadReport

#: Default upload limit in MB; the same number as ``server.maxUploadSize`` in .streamlit/config.toml.
MAX_UPLOAD_MB = 200.0
#: Limit on a table's size once decompressed from gzip or zip, in MB (guards against zip bombs).
MAX_DECOMPRESSED_MB = 2000.0
#: More columns than this is refused as "too wide" (raise it with ``max_columns=``).
MAX_COLUMNS = 10_000
#: Delimited files at least this large are parsed with the multi-threaded pyarrow CSV engine.
PYARROW_MIN_BYTES = 8 * 2**20
#: Rows of a workbook sheet scanned for its header row (blank rows above a table are skipped) when looking for
#: the sheet that holds the label column.
SHEET_HEADER_SCAN_ROWS = 50

MB = 2**20
SAMPLE_CHARS = 256 * 1024
SNIFF_RECORDS = 200
DELIMITERS = (",", ";", "\t", "|")
#: Read as missing in every format: pandas' defaults plus "?" (as in the UCI Adult data).
NA_MARKERS = (
    "", "?", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "NULL", "null", "None", "<NA>", "#N/A", "#N/A N/A",
    "#NA", "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN",
)
#: Error values a spreadsheet writes into cells; read as missing, with a warning.
SPREADSHEET_ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA")
TEXT_FORMATS = ("csv", "tsv", "jsonl", "json")

_PICKLE_EXT = {".pkl", ".pickle", ".p", ".joblib", ".npy", ".npz", ".sav", ".dill", ".pt", ".pth", ".h5", ".hdf5",
               ".feather", ".arrow", ".ipc", ".orc", ".avro", ".sqlite", ".db"}
_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook (or a password-protected workbook)",
     "Open it in Excel and save it as .xlsx or as CSV UTF-8."),
    (b"%PDF", "a PDF document", "Export the table as CSV from the program that made the PDF."),
    (b"\x89PNG", "a PNG image", "Upload the table itself as CSV, Parquet, JSON Lines or .xlsx."),
    (b"\xff\xd8\xff", "a JPEG image", "Upload the table itself as CSV, Parquet, JSON Lines or .xlsx."),
    (b"SQLite format 3\x00", "an SQLite database", "Export the table you want as CSV (e.g. sqlite3 -csv)."),
    (b"BZh", "a bzip2 archive", "Compress with gzip or zip instead, or upload the uncompressed file."),
    (b"\xfd7zXZ\x00", "an xz archive", "Compress with gzip or zip instead, or upload the uncompressed file."),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "Compress with gzip or zip instead, or upload the uncompressed file."),
    (b"Rar!", "a RAR archive", "Compress with gzip or zip instead, or upload the uncompressed file."),
    (b"ARROW1", "an Arrow/Feather file", "Save it as Parquet or CSV."),
    (b"\x93NUMPY", "a NumPy array file", "Save the table as CSV or Parquet."),
)
#: UTF-8 bytes of accented letters read as Windows-1252/Latin-1 ("Ã©" for "é"): a file mixing encodings.
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                       "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
_NUMBER_PATTERNS = {
    "plain": re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"),
    "comma_thousands": re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"),
    "dot_thousands": re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"),
    "decimal_comma": re.compile(r"[+-]?\d*,\d+"),
    "space_thousands": re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?"),
}


# --- size ------------------------------------------------------------------------------------------------------------

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


# --- getting the bytes -----------------------------------------------------------------------------------------------

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


# --- format ----------------------------------------------------------------------------------------------------------

def _detect_format(data: bytes, name: str) -> str:
    ext = Path(name.lower()).suffix
    head = data[:16]
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:4] == b"PK\x03\x04":
        return "xlsx"
    for magic, what, hint in _MAGIC:
        if head.startswith(magic):
            raise UnsupportedFormatError(f"'{name}' is {what}, not a table Labelwise can read.", hint=hint,
                                         details={"detected": what})
    if (len(head) >= 2 and head[0] == 0x80 and head[1] in (2, 3, 4, 5)) or ext in _PICKLE_EXT:
        raise UnsupportedFormatError(
            f"'{name}' looks like a Python pickle or another binary file ({ext or 'no extension'}); Labelwise never "
            "loads those, because loading them can run code.",
            hint="Save the table as CSV or Parquet.",
        )
    if ext in (".parquet", ".pq", ".parq"):
        raise CorruptFileError(f"'{name}' is not a valid Parquet file (it does not start with PAR1).",
                               hint="Write it again with pandas or pyarrow, or upload it as CSV.")
    if ext in (".xlsx", ".xlsm"):
        raise CorruptFileError(f"'{name}' is not a valid .xlsx workbook.",
                               hint="Open it in Excel and save it again, or save it as CSV UTF-8.")
    if ext in (".xls", ".ods", ".numbers"):
        raise UnsupportedFormatError(f"Labelwise does not read {ext} files.",
                                     hint="Save the sheet as .xlsx or as CSV UTF-8.")
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".json":
        return "json"
    if ext == ".tsv" or ext == ".tab":
        return "tsv"
    return "text"


# --- encodings -------------------------------------------------------------------------------------------------------

def _guess_utf16(data: bytes) -> str | None:
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.3 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.3 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode text bytes: BOM, UTF-16 without BOM, UTF-8, then Windows-1252, then Latin-1.

    Returns
    -------
    text : str
        Without a byte-order mark.
    codec : str
        The Python codec used (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``, ``latin-1``, ...).
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise EncodingError(f"Unknown encoding '{encoding}'.",
                                hint="Use e.g. utf-8, utf-16, cp1252 or latin-1.") from exc
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"The file is not valid {encoding}: byte {exc.start:,} ({data[exc.start:exc.start + 1]!r}) "
                "cannot be decoded.",
                hint="Leave the encoding empty to detect it, or save the file as CSV UTF-8.",
                details={"position": exc.start},
            ) from exc
        return text.lstrip("\ufeff"), encoding
    candidates: list[str]
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        candidates = ["utf-32"]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        candidates = ["utf-16"]
    elif (guess := _guess_utf16(data)) is not None:
        candidates = [guess]
    else:
        candidates = ["utf-8", "cp1252", "latin-1"]
    last: UnicodeDecodeError | None = None
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        return text, codec
    assert last is not None  # latin-1 decodes any byte string: only a BOM/UTF-16 candidate gets here
    raise EncodingError(
        f"The file starts like {candidates[0].upper()} text but byte {last.start:,} cannot be decoded: "
        "it may be truncated or mix encodings.",
        hint="Save the file again as CSV UTF-8.", details={"position": last.start},
    )


def _looks_binary(text: str) -> bool:
    sample = text[:100_000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f\v") or ch in "\ufffd\x7f")
    return bad / len(sample) > 0.01


# --- delimited text --------------------------------------------------------------------------------------------------

def _records(sample: str, delimiter: str, quotechar: str, limit: int = SNIFF_RECORDS) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter, quotechar=quotechar, doublequote=True,
                        skipinitialspace=False, strict=False)
    try:
        for row in reader:
            if not row or all(c.strip() == "" for c in row):
                continue
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def sniff_dialect(sample: str, *, prefer: str | None = None) -> tuple[str, str, float]:
    """Pick the delimiter and quote character that split the sample's rows most consistently.

    Returns
    -------
    delimiter, quotechar : str
    consistency : float
        Share of sampled rows with as many fields as the header (0 when only one column was found).
    """
    order = list(DELIMITERS)
    if prefer in order:
        order.remove(prefer)
        order.insert(0, prefer)
    best: tuple[float, int, int] | None = None
    chosen = (order[0], '"', 0.0)
    for quote in ('"', "'"):
        if quote == "'" and "'" not in sample:
            continue
        for rank, delim in enumerate(order):
            if delim not in sample:
                continue
            rows = _records(sample, delim, quote, 50)
            if not rows or len(rows[0]) < 2:
                continue
            width = len(rows[0])
            consistent = sum(1 for r in rows[1:] if len(r) == width or (len(r) == width + 1 and r[-1] == ""))
            share = consistent / max(1, len(rows) - 1) if len(rows) > 1 else 0.5
            # Higher consistency wins; then double quotes; then the preferred/earlier delimiter.
            key = (round(share, 3), 1 if quote == '"' else 0, -rank)
            if best is None or key > best:
                best, chosen = key, (delim, quote, share)
    return chosen


def _is_number(s: str) -> bool:
    s = s.strip()
    return bool(s) and any(p.fullmatch(s) for p in _NUMBER_PATTERNS.values())


def _header_looks_like_data(header: list[str], data: list[list[str]]) -> bool:
    """True when every named header cell looks like a value of its column (numbers over numbers, or a value
    that also appears below it): then the file most likely has no header row."""
    if not data:
        return False
    verdicts = []
    for j, cell in enumerate(header):
        h = cell.strip()
        col = [r[j].strip() for r in data[:100] if j < len(r) and r[j].strip() not in ("", *NA_MARKERS)]
        if not h or not col:
            continue
        col_numeric = sum(_is_number(v) for v in col) >= 0.9 * len(col)
        if _is_number(h):
            verdicts.append(col_numeric)
        elif col_numeric:
            return False  # a word over a column of numbers: a real header
        else:
            verdicts.append(h in set(col))
    return bool(verdicts) and all(verdicts)


def _check_header_cells(header: list[str], report: ReadReport, max_columns: int | None) -> list[str]:
    names = [unicodedata.normalize("NFC", h).strip() for h in header]
    if any(n != h for n, h in zip(names, header, strict=True) if h.strip()):
        report.notes.add("header_whitespace", "Removed spaces around column names.")
    _check_width(len(names), max_columns)
    _check_duplicates(names)
    return names


def _check_width(n_columns: int, max_columns: int | None) -> None:
    if max_columns is not None and n_columns > max_columns:
        raise TooWideError(
            f"The table has {n_columns:,} columns; Labelwise handles at most {max_columns:,}.",
            hint="Keep only the columns you need, or reduce them first (e.g. PCA or feature selection).",
            details={"n_columns": n_columns, "max_columns": max_columns},
        )


def _check_duplicates(names: list[str]) -> None:
    counts = Counter(n for n in names if n)
    dups = [n for n, c in counts.items() if c > 1]
    if dups:
        where = "; ".join(
            f"'{d}' (columns {', '.join(str(i + 1) for i, n in enumerate(names) if n == d)})" for d in dups[:10])
        raise DuplicateColumnError(
            f"Column names must be unique; repeated: {where}.",
            hint="Rename the repeated columns in the header row (e.g. price_2023, price_2024), or delete the copies.",
            details={"columns": dups},
        )


def _split_lines_preamble(text: str, report: ReadReport) -> tuple[str, str | None]:
    """Drop leading blank lines and Excel's ``sep=;`` line; return the text and the declared delimiter."""
    stripped = text.lstrip("\r\n")
    declared = None
    m = re.match(r"sep=(.)\r?\n", stripped[:10])
    if m:
        declared = m.group(1)
        stripped = stripped[m.end():]
        report.notes.add("sep_line", f"Used the separator declared on the first line (sep={declared}).")
    return stripped, declared


def _read_delimited(text: str, data_is_utf8: bytes | None, fmt: str, report: ReadReport, *, delimiter: str | None,
                    header: bool | None, columns: list[str] | None, nrows: int | None,
                    max_columns: int | None) -> pd.DataFrame:
    original_length = len(text)
    text, declared = _split_lines_preamble(text, report)
    if not text.strip():
        raise EmptyFileError("The file has no content (only blank lines).",
                             hint="Check that you picked the right file and that it was saved completely.")
    sample = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    if delimiter is None and declared is not None:
        delimiter = declared
    if delimiter is None:
        delimiter, quotechar, _ = sniff_dialect(sample, prefer="\t" if fmt == "tsv" else None)
    else:
        quotechar = '"'
    rows = _records(sample, delimiter, quotechar)
    if not rows:
        raise EmptyFileError("The file has no content (only blank lines or separators).",
                             hint="Check that you picked the right file and that it was saved completely.")
    report.format = "tsv" if delimiter == "\t" else "csv"
    report.delimiter, report.quotechar = delimiter, quotechar
    width = len(rows[0])
    if width == 1:
        report.notes.add(
            "single_column",
            f"Found a single column ('{rows[0][0][:60]}'): if the file uses a separator other than comma, semicolon, "
            "tab or pipe, say which one it uses.", WARNING)
    first_data = rows[1:]
    if header is None and _header_looks_like_data(rows[0], first_data):
        preview = delimiter.join(rows[0])[:80]
        raise NoHeaderError(
            f"The first row ('{preview}') looks like data, not column names.",
            hint="Add a header row that names every column (e.g. feature_1,...,label). If the first row really is "
                 "the header, give the columns names that do not look like values.",
            details={"first_row": rows[0]},
        )
    if header is False:
        names = [f"column_{i + 1}" for i in range(max(len(r) for r in rows))]
        _check_width(len(names), max_columns)
        skip_header = False
    else:
        names = _check_header_cells(rows[0], report, max_columns)
        skip_header = True
    # Data rows wider than the header: a trailing separator on every row (Excel) is fine; real values are not.
    extra = [(i, r) for i, r in enumerate(first_data, start=2) if len(r) > len(names)]
    if extra and skip_header:
        if all(all(c.strip() == "" for c in r[len(names):]) for _, r in extra):
            n_extra = max(len(r) for _, r in extra) - len(names)
            names = names + [""] * n_extra
        else:
            line, row = extra[0]
            raise ParseError(
                f"Row {line} has {len(row)} values but the header names {len(names)} columns.",
                hint=f"Quote values that contain the separator ({_char_name(delimiter)}), or name every column in the "
                     "header row (a first column without a name is often a row index).",
                code="ragged_rows", details={"row": line, "n_values": len(row), "n_columns": len(names)},
            )
    markers = sorted({c.strip() for r in first_data for c in r if c.strip() in NA_MARKERS and c.strip()})
    placeholders = [n if n else f"\x00blank{i}" for i, n in enumerate(names)]
    usecols = None
    if columns is not None:
        _require_columns(columns, [n for n in names if n])
        usecols = list(columns)
    kw: dict[str, Any] = dict(sep=delimiter, quotechar=quotechar, names=placeholders, header=0 if skip_header else None,
                              na_values=list(NA_MARKERS), keep_default_na=True, usecols=usecols, nrows=nrows)
    # The raw bytes can go to the parser as they are when they are UTF-8 and nothing was stripped in front.
    if data_is_utf8 is not None and len(text) == original_length:
        payload = data_is_utf8
    else:
        payload = text.encode("utf-8")
    frame = None
    if len(payload) >= PYARROW_MIN_BYTES and nrows is None:
        try:
            frame = pd.read_csv(io.BytesIO(payload), engine="pyarrow", **kw)
            report.notes.add("engine", "Parsed with the pyarrow CSV reader (large file).")
        except Exception:  # pyarrow is stricter (ragged rows, odd quoting): the C parser below explains the problem
            frame = None
    if frame is None:
        frame = _read_csv_c(payload, kw, delimiter, quotechar)
    if markers:
        shown = ", ".join(f"'{m}'" for m in markers)
        report.notes.add("missing_markers", f"Read {shown} as missing values.")
    return frame


def _read_csv_c(payload: bytes, kw: dict[str, Any], delimiter: str, quotechar: str) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            return pd.read_csv(io.BytesIO(payload), engine="c", index_col=False, skip_blank_lines=False,
                               low_memory=False, encoding="utf-8", **kw)
    except pd.errors.ParserWarning as exc:
        line = _first_wide_row(payload, delimiter, quotechar, len(kw["names"]))
        where = f"Row {line}" if line else "A row"
        raise ParseError(
            f"{where} has more values than the header has columns.",
            hint=f"Quote values that contain the separator ({_char_name(delimiter)}), or name every column in the "
                 "header row.", code="ragged_rows", details={"row": line},
        ) from exc
    except pd.errors.ParserError as exc:
        msg = str(exc)
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if m:
            n_cols, line, seen = (int(g) for g in m.groups())
            raise ParseError(
                f"Row {line} has {seen} values but the header names {n_cols} columns.",
                hint=f"Quote values that contain the separator ({_char_name(delimiter)}), or remove the extra "
                     "separators on that row.",
                code="ragged_rows", details={"row": line, "n_values": seen, "n_columns": n_cols},
            ) from exc
        m = re.search(r"EOF inside string starting at row (\d+)", msg)
        if m:
            row = int(m.group(1))
            raise ParseError(
                f"A quote ({quotechar}) opened on row {row} is never closed, so the rest of the file reads as one "
                "value.",
                hint="Close the quote; a quote character inside a quoted value must be doubled (\"\").",
                code="unclosed_quote", details={"row": row},
            ) from exc
        raise ParseError(f"The file cannot be parsed as {_char_name(delimiter)}-separated text: {msg.strip()}",
                         hint="Save it again as CSV UTF-8 from the program that made it.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"The file cannot be parsed: {exc}",
                         hint="Save it again as CSV UTF-8 from the program that made it.") from exc


def _first_wide_row(payload: bytes, delimiter: str, quotechar: str, width: int) -> int | None:
    reader = csv.reader(io.StringIO(payload.decode("utf-8", errors="replace")), delimiter=delimiter,
                        quotechar=quotechar)
    try:
        for i, row in enumerate(reader, start=1):
            if len(row) > width:
                return i
    except csv.Error:
        return None
    return None


def _char_name(c: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(c, repr(c))


def _require_columns(wanted: list[str], available: list[str]) -> None:
    missing = [c for c in wanted if c not in available]
    if missing:
        raise ColumnNotFoundError(
            f"Column(s) not in the data: {', '.join(repr(c) for c in missing)}.",
            hint=_suggest(missing[0], available), details={"columns": missing},
        )


def _suggest(name: str, available: list[str]) -> str:
    lowered = {c.lower().strip(): c for c in available}
    if name.lower().strip() in lowered:
        return f"Did you mean '{lowered[name.lower().strip()]}'? Column names are case-sensitive."
    close = difflib.get_close_matches(name, available, n=3, cutoff=0.6)
    if close:
        return f"Did you mean {' or '.join(repr(c) for c in close)}?"
    shown = ", ".join(repr(c) for c in available[:20]) + (" ..." if len(available) > 20 else "")
    return f"The columns are: {shown}."


# --- JSON ------------------------------------------------------------------------------------------------------------

def _read_json(text: str, fmt: str, columns: list[str] | None, nrows: int | None) -> tuple[pd.DataFrame, str]:
    """A JSON array of records, a JSON object of columns, or JSON Lines; returns the frame and the format."""
    stripped = text.strip()
    frame = None
    if fmt != "jsonl":
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            lines = [ln for ln in stripped.splitlines()[:3] if ln.strip()]
            if not (len(lines) > 1 and lines[0].lstrip().startswith("{")):
                raise ParseError(
                    f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                    hint="Save it as JSON Lines (one object per line) or CSV.",
                    code="invalid_json", details={"line": exc.lineno},
                ) from exc
            fmt = "jsonl"  # several objects, one per line
        else:
            fmt = "json"
            frame = _json_frame(obj, nrows)
    if frame is None:
        frame = _read_jsonl(stripped, nrows)
    if columns is not None:
        _require_columns(columns, [str(c) for c in frame.columns])
        frame = frame[list(columns)]
    return frame, fmt


def _json_frame(obj: Any, nrows: int | None) -> pd.DataFrame:
    if isinstance(obj, list):
        bad = next((i for i, r in enumerate(obj) if not isinstance(r, dict)), None)
        if bad is not None:
            raise ParseError(f"Item {bad + 1} of the JSON array is not an object ({{...}}).",
                             hint="Use a list of records: [{\"col\": value, ...}, ...].", code="invalid_json",
                             details={"item": bad + 1})
        return pd.DataFrame.from_records(obj[:nrows] if nrows else obj)
    if isinstance(obj, dict) and obj and all(isinstance(v, list) for v in obj.values()):
        if len({len(v) for v in obj.values()}) > 1:
            raise ParseError("The JSON object's column lists have different lengths.",
                             hint="Give every column the same number of values, or use JSON Lines.",
                             code="invalid_json")
        frame = pd.DataFrame(obj)
        return frame.head(nrows) if nrows else frame
    if isinstance(obj, dict):
        return pd.DataFrame.from_records([obj])
    raise ParseError(f"The JSON holds a {type(obj).__name__}, not a table.",
                     hint="Use JSON Lines (one {\"col\": value} object per line) or a list of records.",
                     code="invalid_json")


def _read_jsonl(text: str, nrows: int | None) -> pd.DataFrame:
    records = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(
                f"Line {i} is not valid JSON: {exc.msg} (column {exc.colno}).",
                hint="Each line of a JSON Lines file must be one complete {...} object.",
                code="invalid_json", details={"line": i},
            ) from exc
        if not isinstance(obj, dict):
            raise ParseError(f"Line {i} is a JSON {type(obj).__name__}, not an object ({{...}}).",
                             hint="Each line of a JSON Lines file must be one {\"column\": value, ...} object.",
                             code="invalid_json", details={"line": i})
        records.append(obj)
        if nrows is not None and len(records) >= nrows:
            break
    return pd.DataFrame.from_records(records)


# --- Parquet and xlsx ------------------------------------------------------------------------------------------------

def _read_parquet(data: bytes, name: str, columns: list[str] | None, nrows: int | None,
                  max_columns: int | None) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        names = list(pf.schema_arrow.names)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError variants for broken files
        raise CorruptFileError(f"'{name}' is not a readable Parquet file ({exc}).",
                               hint="Write it again with pandas or pyarrow, or upload it as CSV.") from exc
    _check_width(len(names), max_columns)
    _check_duplicates([str(n).strip() for n in names])
    if columns is not None:
        _require_columns(columns, names)
    try:
        if nrows is not None:
            batches = pf.iter_batches(batch_size=max(1, nrows), columns=columns)
            table = pa.Table.from_batches([next(batches)]) if pf.metadata.num_rows else pf.read(columns=columns)
        else:
            table = pf.read(columns=columns)
        # ignore_metadata: never rebuild pandas objects from metadata stored in the file.
        return table.to_pandas(ignore_metadata=True, date_as_object=False)
    except Exception as exc:
        raise CorruptFileError(f"'{name}' cannot be read as Parquet ({exc}).",
                               hint="Write it again with pandas or pyarrow, or upload it as CSV.") from exc


def _read_xlsx(data: bytes, name: str, sheet: str | int | None, report: ReadReport, header: bool | None,
               columns: list[str] | None, max_columns: int | None, label: str | None = None) -> pd.DataFrame:
    """The table of one sheet: ``sheet``, else the first, else (when the first sheet has no column ``label``)
    the only other sheet that has it."""
    try:
        import openpyxl  # noqa: F401  (optional: only .xlsx needs it)
    except ImportError as exc:
        raise MissingDependencyError(
            "Reading .xlsx workbooks needs the optional package openpyxl, which is not installed.",
            hint="Install it (pip install openpyxl), or save the sheet as CSV UTF-8 in Excel (File > Save As).",
            details={"package": "openpyxl"},
        ) from exc
    try:
        with pd.ExcelFile(io.BytesIO(data), engine="openpyxl") as book:
            sheets = list(book.sheet_names)
            if sheet is None:
                chosen = sheets[0] if sheets else None
            elif isinstance(sheet, int):
                chosen = sheets[sheet] if -len(sheets) <= sheet < len(sheets) else None
            else:
                chosen = sheet if sheet in sheets else None
            if chosen is None:
                raise ColumnNotFoundError(f"The workbook has no sheet {sheet!r}.",
                                          hint=f"Pick one of its sheets: {', '.join(repr(s) for s in sheets)}.",
                                          code="sheet_missing", details={"sheets": sheets},
                                          fix=Fix("sheet", tuple(str(s) for s in sheets)))
            raw = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
            first = chosen
            if sheet is None and label is not None and header is not False and len(sheets) > 1 \
                    and label not in _sheet_header(raw):
                chosen = _sheet_with_label(book, sheets, label, _sheet_header(raw))
                raw = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    except (ColumnNotFoundError, MissingDependencyError, LabelColumnError):
        raise
    except Exception as exc:  # openpyxl raises many kinds for broken or protected workbooks
        raise CorruptFileError(f"'{name}' cannot be read as an .xlsx workbook ({type(exc).__name__}: {exc}).",
                               hint="Open it in Excel and save it again, or save the sheet as CSV UTF-8.") from exc
    report.sheet = str(chosen)
    report.sheets = [str(s) for s in sheets]
    if chosen != first:
        report.notes.add("sheet_chosen", f"Read sheet '{chosen}' of {len(sheets)} ({', '.join(sheets)}): the first "
                                         f"sheet, '{first}', has no column '{label}' and '{chosen}' is the only sheet "
                                         "that has it; another sheet can be picked.")
    elif len(sheets) > 1:
        report.notes.add("sheet", f"Read sheet '{chosen}' of {len(sheets)} ({', '.join(sheets)}); "
                                  "another sheet can be picked.")
    filled = raw.notna().any(axis=1).to_numpy()
    raw = raw.iloc[int(np.argmax(filled)):] if filled.any() else raw.iloc[0:0]  # skip blank rows above the table
    if raw.empty:
        raise EmptyFileError(f"Sheet '{chosen}' of '{name}' is empty.", hint="Pick the sheet that holds the table.")
    cells = ["" if _missing(v) else _cell_text(v) for v in raw.iloc[0].tolist()]
    body = [["" if _missing(v) else _cell_text(v) for v in row] for row in raw.iloc[1:51].itertuples(index=False)]
    if header is None and _header_looks_like_data(cells, body):
        raise NoHeaderError(
            f"The first row of sheet '{chosen}' ({', '.join(cells[:6])}) looks like data, not column names.",
            hint="Add a header row that names every column. If the first row really is the header, give the "
                 "columns names that do not look like values.",
            details={"first_row": cells},
        )
    if header is False:
        names = [f"column_{i + 1}" for i in range(raw.shape[1])]
        _check_width(len(names), max_columns)
        frame = raw.copy()
    else:
        names = _check_header_cells(cells, report, max_columns)
        frame = raw.iloc[1:].copy()
    frame.columns = [n if n else f"\x00blank{i}" for i, n in enumerate(names)]
    frame = frame.reset_index(drop=True).infer_objects()
    if columns is not None:
        _require_columns(columns, [n for n in names if n])
        frame = frame[list(columns)]
    return frame


def _sheet_header(raw: pd.DataFrame) -> list[str]:
    """The column names a sheet read with ``header=None`` would get: its first non-blank row, tidied."""
    filled = raw.notna().any(axis=1).to_numpy()
    if not filled.any():
        return []
    row = raw.iloc[int(np.argmax(filled))].tolist()
    return [unicodedata.normalize("NFC", "" if _missing(v) else _cell_text(v)).strip() for v in row]


def _sheet_with_label(book: pd.ExcelFile, sheets: list[str], label: str, first_header: list[str]) -> str:
    """The one sheet after the first whose header has ``label``; else :class:`LabelColumnError` naming the sheets.

    Why: a workbook often opens with a cover or notes sheet; when the label says which sheet holds the table and
    only one does, reading it is what the user meant (and a note says so). Two or more candidates are ambiguous.
    """
    headers = {sheets[0]: [c for c in first_header if c]}
    for other in sheets[1:]:
        top = pd.read_excel(book, sheet_name=other, header=None, dtype=object, nrows=SHEET_HEADER_SCAN_ROWS)
        headers[other] = [c for c in _sheet_header(top) if c]
    holding = [s for s in sheets[1:] if label in headers[s]]
    if len(holding) == 1:
        return holding[0]
    listed = ", ".join(f"'{s}'" for s in sheets)
    details = {"label": label, "sheet": sheets[0], "sheets": list(sheets), "sheets_with_label": holding,
               "columns": headers[sheets[0]][:50]}
    if holding:
        shown = " and ".join(f"'{s}'" for s in holding)
        raise LabelColumnError(
            f"The label column '{label}' is not in the first sheet, '{sheets[0]}', of the workbook's {len(sheets)} "
            f"sheets ({listed}); sheets {shown} have it.",
            hint=f"Say which sheet holds the table: {' or '.join(repr(s) for s in holding)}.", details=details,
            fix=Fix("sheet", tuple(holding)))
    every = [c for cols in headers.values() for c in cols]
    close = _suggest(label, every)
    if not close.startswith("Did you mean"):
        close = "Columns by sheet: " + "; ".join(
            f"'{s}': " + (", ".join(f"'{c}'" for c in cols[:10]) + (" ..." if len(cols) > 10 else "") or "(empty)")
            for s, cols in headers.items()) + "."
    raise LabelColumnError(f"The label column '{label}' is in none of the workbook's {len(sheets)} sheets ({listed}).",
                           hint=close, details=details)


def _cell_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _missing(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# --- tidying (every format) ------------------------------------------------------------------------------------------

def _tidy(frame: pd.DataFrame, report: ReadReport, fmt: str) -> pd.DataFrame:
    """Clean names, normalize each column's values to one kind, drop empty unnamed columns and blank rows."""
    frame = frame.copy()
    raw_names = [str(c) for c in frame.columns]
    names = [n if n.startswith("\x00blank") else unicodedata.normalize("NFC", n).strip() for n in raw_names]
    frame.columns = names
    index_cols = [n for n in names if re.fullmatch(r"__index_level_\d+__", n)]
    if index_cols:
        frame = frame.drop(columns=index_cols)
        for n in index_cols:
            report.dropped_columns[n] = "pandas index saved in the file"
    blank_named = [n for n in frame.columns if n == "" or n.startswith("\x00blank")]
    _check_duplicates([n for n in frame.columns if n not in blank_named])
    converted: dict[str, str] = {}
    dropped_binary = []
    spreadsheet_errors = 0
    for col in list(frame.columns):
        values, how, n_err = _normalize_values(frame[col], report.delimiter)
        spreadsheet_errors += n_err
        if how == "binary":
            dropped_binary.append(col)
            continue
        if how:
            converted[col] = how
        frame[col] = values
    if dropped_binary:
        frame = frame.drop(columns=dropped_binary)
        for col in dropped_binary:
            report.dropped_columns[col] = "binary values"
        report.notes.add("binary_columns", f"Dropped column(s) holding binary data: {_names(dropped_binary)}.",
                         WARNING)
    if spreadsheet_errors:
        report.notes.add("spreadsheet_errors", f"Read {spreadsheet_errors:,} spreadsheet error value(s) "
                                               "(#DIV/0!, #VALUE!, #N/A, ...) as missing.", WARNING)
    for how in sorted(set(converted.values())):
        cols = [c for c, h in converted.items() if h == how]
        report.notes.add("number_format", f"Read {_names(cols)} as numbers {how}.")
    # Columns without a name: empty ones (trailing separators) are dropped; an index column is dropped;
    # anything else is an error, because we cannot guess what it means.
    empty_unnamed = [c for c in blank_named if c in frame.columns and frame[c].isna().all()]
    if empty_unnamed:
        frame = frame.drop(columns=empty_unnamed)
        report.notes.add("empty_unnamed_columns", f"Ignored {len(empty_unnamed)} empty column(s) without a name "
                                                  "(trailing separators).")
    for col in [c for c in blank_named if c in frame.columns]:
        position = list(frame.columns).index(col)
        if position == 0 and _is_row_index(frame[col]):
            frame = frame.drop(columns=[col])
            report.dropped_columns["(unnamed first column)"] = "row index"
            report.notes.add("index_column", "Dropped the unnamed first column: it is a row number (0, 1, 2, ...).",
                             WARNING)
            continue
        cols = list(frame.columns)
        after = next((c for c in reversed(cols[:position]) if c not in blank_named), None)
        where = f"Column {raw_names.index(col) + 1}" + (f" (after '{after}')" if after else "")
        raise BlankColumnNameError(
            f"{where} has values but no name.",
            hint="Give every column a name in the header row, or delete the column if you do not need it.",
            details={"position": raw_names.index(col) + 1, "after": after},
        )
    blank_rows = frame.isna().all(axis=1)
    n_blank = int(blank_rows.sum())
    if n_blank:
        frame = frame.loc[~blank_rows].reset_index(drop=True)
        report.n_blank_rows = n_blank
        report.notes.add("blank_rows", f"Dropped {n_blank:,} blank row(s).")
    return frame


def _names(cols: list[str], limit: int = 8) -> str:
    shown = ", ".join(f"'{c}'" for c in cols[:limit])
    return shown + (f" and {len(cols) - limit} more" if len(cols) > limit else "")


def _is_row_index(s: pd.Series) -> bool:
    if not pd.api.types.is_integer_dtype(s) or s.isna().any() or len(s) == 0:
        return False
    v = s.to_numpy()
    return bool(v[0] in (0, 1) and np.all(np.diff(v) == 1))


def _normalize_values(s: pd.Series, delimiter: str | None) -> tuple[pd.Series, str | None, int]:
    """One kind of value per column. Returns the values, a note on a number-format conversion (or
    ``"binary"`` to drop the column) and the count of spreadsheet error values set to missing."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        s = s.astype(object).where(s.notna(), None)
        dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, np.dtype):  # nullable boolean
        s = s.astype(object).where(s.notna(), None)
        dtype = s.dtype
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_numeric_dtype(dtype):
        return pd.Series(s.to_numpy(dtype=float, na_value=np.nan), index=s.index, name=s.name), None, 0
    if pd.api.types.is_timedelta64_dtype(dtype):
        return s.dt.total_seconds(), None, 0
    if pd.api.types.is_complex_dtype(dtype):
        return s.astype(str), None, 0
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype) \
            or pd.api.types.is_datetime64_any_dtype(dtype):
        return s, None, 0
    nonnull = s.dropna()
    if pd.api.types.is_object_dtype(dtype) and len(nonnull):
        kinds = {type(v) for v in nonnull}
        if kinds <= {bytes, bytearray, memoryview}:
            return s, "binary", 0
        if all(issubclass(k, bool | np.bool_) for k in kinds):
            return s.map(lambda v: None if _missing(v) else str(bool(v))).astype("str"), None, 0
        if all(issubclass(k, int | float | np.integer | np.floating | decimal.Decimal) and not issubclass(k, bool)
               for k in kinds):
            return pd.to_numeric(s.map(lambda v: np.nan if _missing(v) else float(v))), None, 0
        if all(issubclass(k, dt.date | dt.datetime | pd.Timestamp | np.datetime64) for k in kinds):
            converted = pd.to_datetime(s, errors="coerce", utc=any(getattr(v, "tzinfo", None) for v in nonnull))
            return converted, None, 0
        if kinds - {str}:
            s = s.map(_as_text)
    text = s.astype("str") if len(s) else s.astype(object)
    stripped = text.str.strip()
    errors_mask = stripped.isin(SPREADSHEET_ERRORS)
    n_err = int(errors_mask.sum())
    missing = stripped.isin(NA_MARKERS) | errors_mask
    stripped = stripped.where(~missing, np.nan)
    converted, how = _parse_numbers(stripped, delimiter)
    if converted is not None:
        return converted, how, n_err
    return stripped, None, n_err


def _as_text(v: Any) -> Any:
    if not isinstance(v, list | dict | tuple | np.ndarray) and _missing(v):
        return np.nan
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, dict | list | tuple):
        return json.dumps(v, default=str, ensure_ascii=False)
    if isinstance(v, bytes | bytearray):
        return v.decode("utf-8", errors="replace")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _parse_numbers(s: pd.Series, delimiter: str | None) -> tuple[pd.Series | None, str | None]:
    """Numbers stored as text (plain, with thousands separators, or with a decimal comma), converted only
    when every value of the column parses under one convention. Returns (numbers, how) or (None, None)."""
    nonnull = s.dropna()
    if nonnull.empty:
        return None, None
    sample = nonnull.iloc[:2000].tolist()  # a quick screen: text columns stop here
    if not all(_is_number(v) for v in sample):
        return None, None
    plain = nonnull.str.fullmatch(_NUMBER_PATTERNS["plain"].pattern)
    if plain.all():
        how, out = "(they were stored as text)", pd.to_numeric(nonnull, errors="coerce")
    else:
        others = nonnull[~plain]
        formatted = "|".join(f"(?:{p.pattern})" for k, p in _NUMBER_PATTERNS.items() if k != "plain")
        if not others.str.fullmatch(formatted).all():
            return None, None
        comma_dec = bool(others.str.fullmatch(r"[+-]?\d*,(?:\d{1,2}|\d{4,})").any()
                         or others.str.contains(r"\.\d{3},").any() or others.str.count(r"\.").gt(1).any())
        comma_thou = bool(others.str.count(",").gt(1).any() or others.str.contains(r",\d{3}\.").any())
        if comma_dec and comma_thou:
            return None, None
        european = comma_dec or (not comma_thou and delimiter == ";")
        cleaned = nonnull.str.replace(r"[ \u00a0\u202f']", "", regex=True)
        if european:
            # A plain "12.5" cannot be read with a decimal comma: only "1.234"-style thousands may hold dots.
            dotted = nonnull[plain]
            if (dotted.str.contains(".", regex=False) & ~dotted.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+")).any():
                return None, None
            cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            how = "(decimal comma, '.' or space as thousands separator)"
        else:
            cleaned = cleaned.str.replace(",", "", regex=False)
            how = "(',' or space as thousands separator)"
        out = pd.to_numeric(cleaned, errors="coerce")
    if out.isna().any():
        return None, None
    result = pd.Series(np.nan, index=s.index, name=s.name, dtype=float)
    result.loc[out.index] = out.to_numpy(dtype=float)
    return result, how


# --- entry point -----------------------------------------------------------------------------------------------------

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
