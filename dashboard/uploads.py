"""The Plan page's uploads: reading a file for a preview, the intake choices, and the dataset the run uses.

Every rule is intake's (``simulations.intake``); this module only adapts its results to the page (a preview table,
the label column's guess, the roles the table editor sets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simulations import Dataset
from simulations.errors import DataError
from simulations.intake import MAX_SIMULATION_ROWS, MAX_UPLOAD_MB, LabelColumnError, LoadReport, load_user_dataset
from simulations.intake import read_table as intake_read_table
from simulations.intake.checks import LABEL_TYPES, LEAKAGE_MODES, RARE_CLASS_MODES, UNLABELED_MODES
from simulations.intake.source import IntakeOptions, intake_defaults

#: Every extension intake reads (simulations/intake/reader.py): delimited text (.txt: separator sniffed),
#: Parquet, JSON Lines and JSON, Excel workbooks, and any of them compressed with gzip or zip.
UPLOAD_TYPES = ("csv", "tsv", "tab", "txt", "parquet", "pq", "jsonl", "ndjson", "json", "xlsx", "xlsm", "gz", "gzip",
                "zip")
#: Labeled rows above this are sampled (stratified, seeded) for the quick simulation: intake's default.
UPLOAD_MAX_ROWS = MAX_SIMULATION_ROWS
#: The choices the upload offers for a file's problems, each with its allowed values (intake's modes).
INTAKE_CHOICES: dict[str, tuple[str, ...]] = {
    "unlabeled": UNLABELED_MODES, "rare_classes": RARE_CLASS_MODES, "leakage": LEAKAGE_MODES, "label_type": LABEL_TYPES,
}
#: Their defaults: load_user_dataset's, the same as the command line's.
INTAKE_DEFAULTS: dict[str, str] = {name: intake_defaults()[name] for name in INTAKE_CHOICES}


def read_table(file_name: str, data: bytes, *, max_mb: float | None = None) -> pd.DataFrame:
    """The table in an uploaded file, read by intake (every format, compression, encoding and separator it reads).

    Parameters
    ----------
    file_name : str
        The upload's name (intake takes the format from its extension when the bytes do not tell).
    data : bytes
    max_mb : float, optional
        Upload limit in MB (None: no limit).

    Raises
    ------
    DataError
        An :class:`~simulations.intake.IntakeError` (empty, too large, unreadable...) or a table too small to
        preview, each with a hint.
    """
    return read_upload(file_name, data, max_mb=max_mb).frame


@dataclass
class UploadTable:
    """An upload's table for the preview and the label picker, and for a workbook which sheet it is.

    Attributes
    ----------
    frame : DataFrame
    sheet : str or None
        The sheet read (None for other formats).
    sheets : list of str
        Every sheet of a workbook in order (empty for other formats): the Plan page offers them when there are two
        or more.
    """

    frame: pd.DataFrame
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


def _previewable(frame: pd.DataFrame, file_name: str, sheet: str | None) -> DataError | None:
    """Why a table cannot even be previewed (a label and a feature, a few rows), or None."""
    where = f"Sheet '{sheet}' of {file_name}" if sheet else file_name
    if frame.shape[1] < 2:
        return DataError(f"{where} has {frame.shape[1]} column(s); it needs a label and at least one feature.",
                         hint="Pick the sheet that holds the table." if sheet
                         else "Check the separator: CSV uses commas, TSV tabs.")
    if len(frame) < 10:
        return DataError(f"{where} has only {len(frame)} rows.", hint="A simulation needs at least a few dozen.")
    return None


def read_upload(file_name: str, data: bytes, *, max_mb: float | None = None, sheet: str | None = None,
                label: str | None = None) -> UploadTable:
    """An upload's table, and for a workbook the sheet that holds it.

    With ``sheet`` given, that sheet. Otherwise the sheet intake reads: with ``label`` (a reopened scenario), the
    sheet intake picks for it (the first, or the only other sheet with that column); without, the first sheet,
    or when it is no table (a cover or notes sheet: under 2 columns or 10 rows) the first sheet that is.

    Raises
    ------
    DataError
        Intake's typed error for a file it cannot read, or a table too small to preview.
    """
    res = None
    if sheet is None and label:
        try:
            res = intake_read_table(data, filename=file_name, max_mb=max_mb, label=label)
        except LabelColumnError:  # the label is in no sheet, or in several: read as without one
            res = None
    if res is None:
        res = intake_read_table(data, filename=file_name, max_mb=max_mb, sheet=sheet)
    sheets = list(res.report.sheets)
    problem = _previewable(res.frame, file_name, res.report.sheet if len(sheets) > 1 else None)
    if problem is not None and sheet is None and len(sheets) > 1:
        for other in sheets:
            if other == res.report.sheet:
                continue
            try:
                alt = intake_read_table(data, filename=file_name, max_mb=max_mb, sheet=other)
            except DataError:
                continue
            if _previewable(alt.frame, file_name, other) is None:
                res, problem = alt, None
                break
    if problem is not None:
        raise problem
    return UploadTable(frame=res.frame, sheet=res.report.sheet, sheets=sheets)


def intake_choices(saved: dict[str, Any] | None = None) -> dict[str, str]:
    """The upload's intake choices: the saved ones where valid, else intake's defaults (the CLI's).

    A saved scenario may be old or edited by hand, so an unknown value falls back to the default instead of
    failing the page.
    """
    saved = saved or {}
    return {name: saved[name] if saved.get(name) in allowed else INTAKE_DEFAULTS[name]
            for name, allowed in INTAKE_CHOICES.items()}


def upload_dataset(raw: bytes, label: str, *, name: str, roles: dict[str, str] | None = None,
                   choices: dict[str, Any] | None = None, max_mb: float | None = MAX_UPLOAD_MB,
                   sheet: str | None = None) -> tuple[Dataset, LoadReport]:
    """The Dataset of an uploaded file, read, checked and sampled by intake with the user's choices.

    Always the file's bytes through :func:`~simulations.intake.load_user_dataset` (never a DataFrame
    built elsewhere), so a saved scenario re-opened on the same file gets the same rows, classes and columns.

    Parameters
    ----------
    raw : bytes
        The uploaded file.
    label : str
    name : str
        The file name (format detection and the dataset's name).
    roles : dict, optional
        Column role overrides.
    choices : dict, optional
        ``unlabeled``, ``rare_classes``, ``leakage``, ``label_type`` (see :func:`intake_choices`).
    max_mb : float or None
    sheet : str, optional
        The workbook sheet to read (the one the page's sheet picker shows); None for other formats.

    Returns
    -------
    dataset : Dataset
    report : LoadReport
        What intake did: notes, counts, ``production_pool_rows``.

    Raises
    ------
    DataError
        An :class:`~simulations.intake.IntakeError` with a stable ``code``, a message and a hint.
    """
    opts = IntakeOptions(**intake_choices(choices), max_mb=max_mb, max_rows=UPLOAD_MAX_ROWS, sheet=sheet)
    return load_user_dataset(raw, label, filename=name, name=name, roles=roles or None, **opts.load_kwargs())



def guess_label(frame: pd.DataFrame) -> str | None:
    """The most likely label column, or None when no column looks like one (the page then asks).

    The engine's rule (:func:`simulations.intake.label_guess.guess_label_column`), so the default never is a
    column intake would refuse as a measurement or an id.
    """
    from simulations.intake.label_guess import guess_label_column

    return guess_label_column(frame)


def role_overrides(roles_table: pd.DataFrame) -> dict[str, str]:
    """Roles the user changed (edited ``role`` differs from ``inferred_role``)."""
    out = {}
    for _, row in roles_table.iterrows():
        if row["role"] != row["inferred_role"]:
            out[str(row["column"])] = str(row["role"])
    return out

