""".xlsx workbooks (openpyxl): the sheet to read, its header row, and finding the sheet with the label column.

``_read_xlsx`` reads ``sheet`` (default: the first), skipping blank rows above the table; with a label column the
first sheet lacks, ``_sheet_with_label`` picks the only other sheet that has it (scanning
:data:`SHEET_HEADER_SCAN_ROWS` rows of each) or names the candidates.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from simulations.intake.columns import (
    _check_header_cells,
    _check_width,
    _header_looks_like_data,
    _missing,
    _require_columns,
    _suggest,
)
from simulations.intake.errors import (
    ColumnNotFoundError,
    CorruptFileError,
    EmptyFileError,
    Fix,
    LabelColumnError,
    MissingDependencyError,
    NoHeaderError,
)
from simulations.intake.report import ReadReport

__all__ = ["SHEET_HEADER_SCAN_ROWS"]

#: Rows of a workbook sheet scanned for its header row (blank rows above a table are skipped) when looking for
#: the sheet that holds the label column.
SHEET_HEADER_SCAN_ROWS = 50


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
