"""What every format shares about a table's columns and cells.

The header row (names tidied, :data:`MAX_COLUMNS` and duplicate checks, a first row that looks like data), the
markers read as missing (:data:`NA_MARKERS`), the number patterns numbers-as-text are recognized by, and column
look-up with "did you mean" suggestions. Used by every per-format reader, the tidying step and the table checks.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from typing import Any

import pandas as pd

from simulations.intake.errors import ColumnNotFoundError, DuplicateColumnError, TooWideError
from simulations.intake.report import ReadReport

__all__ = ["MAX_COLUMNS", "NA_MARKERS"]

#: More columns than this is refused as "too wide" (raise it with ``max_columns=``).
MAX_COLUMNS = 10_000

#: Read as missing in every format: pandas' defaults plus "?" (as in the UCI Adult data).
NA_MARKERS = (
    "", "?", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "NULL", "null", "None", "<NA>", "#N/A", "#N/A N/A",
    "#NA", "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN",
)

_NUMBER_PATTERNS = {
    "plain": re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"),
    "comma_thousands": re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"),
    "dot_thousands": re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"),
    "decimal_comma": re.compile(r"[+-]?\d*,\d+"),
    "space_thousands": re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?"),
}


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


def _names(cols: list[str], limit: int = 8) -> str:
    shown = ", ".join(f"'{c}'" for c in cols[:limit])
    return shown + (f" and {len(cols) - limit} more" if len(cols) > limit else "")


def _missing(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False
