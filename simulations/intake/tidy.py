"""Tidying a table read from any format: clean names, one kind of value per column, no blank rows.

``_tidy`` strips and normalizes column names, drops pandas index columns, empty unnamed columns, a row-number
first column and blank rows, and normalizes each column's values (``_normalize_values``): numbers stored as text
are converted when every value parses under one convention (``_parse_numbers``), spreadsheet error values
(:data:`SPREADSHEET_ERRORS`) and missing markers become missing, binary columns are dropped.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from simulations.intake.columns import _NUMBER_PATTERNS, NA_MARKERS, _check_duplicates, _is_number, _missing, _names
from simulations.intake.errors import BlankColumnNameError
from simulations.intake.report import WARNING, ReadReport

__all__ = ["SPREADSHEET_ERRORS"]

#: Error values a spreadsheet writes into cells; read as missing, with a warning.
SPREADSHEET_ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA")


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
