"""What kind of file the bytes are: Parquet, .xlsx, JSON, JSON Lines, TSV or other text.

``_detect_format`` looks at the magic bytes, then the extension, and refuses what Labelwise never reads (pickles
and other binaries that could run code when loaded, .xls, PDFs, images, other archives) with a hint on what to
save instead. Only data readers ever touch the bytes: no pickle, no ``eval``.
"""

from __future__ import annotations

from pathlib import Path

from simulations.intake.errors import CorruptFileError, UnsupportedFormatError

__all__ = ["TEXT_FORMATS"]

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
