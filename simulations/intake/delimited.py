"""Delimited text (CSV, TSV, any of comma, semicolon, tab or pipe): the dialect, the header and the parse.

:func:`sniff_dialect` picks the delimiter and quote character; ``_read_delimited`` handles Excel's ``sep=`` line, a
missing header and ragged rows, then parses with pandas: the pyarrow engine for whole files of
:data:`PYARROW_MIN_BYTES` or more, else (or when pyarrow refuses the file) the C parser, whose errors are turned
into row-numbered messages.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from typing import Any

import pandas as pd

from simulations.intake.columns import (
    NA_MARKERS,
    _check_header_cells,
    _check_width,
    _header_looks_like_data,
    _require_columns,
)
from simulations.intake.errors import EmptyFileError, NoHeaderError, ParseError
from simulations.intake.report import WARNING, ReadReport

__all__ = ["DELIMITERS", "PYARROW_MIN_BYTES", "sniff_dialect"]

#: Delimited files at least this large are parsed with the multi-threaded pyarrow CSV engine.
PYARROW_MIN_BYTES = 8 * 2**20

SAMPLE_CHARS = 256 * 1024

SNIFF_RECORDS = 200

DELIMITERS = (",", ";", "\t", "|")


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
