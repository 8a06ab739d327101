"""One loader for every command: a shipped sample by name, or a user's file through intake.

``labelwise simulate`` and the sweep tasks both call :func:`load_data`, so a file is read, checked and
sampled exactly as the dashboard's upload is (:func:`~simulations.intake.load_user_dataset`), and a bad
file gets the same typed error, message and hint everywhere.
"""

from __future__ import annotations

import inspect
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from simulations.datasets import SAMPLES, Dataset
from simulations.errors import ConfigError, DataError
from simulations.intake.checks import LABEL_TYPES, LEAKAGE_MODES, RARE_CLASS_MODES, UNLABELED_MODES, check_mode
from simulations.intake.errors import EmptyFileError, LabelColumnError
from simulations.intake.load import MAX_SIMULATION_ROWS, LoadReport, load_user_dataset
from simulations.intake.upload import MAX_UPLOAD_MB

#: Separators a user may name instead of typing the character (a tab is awkward on a command line).
DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|", "space": " "}


@dataclass(frozen=True)
class IntakeOptions:
    """The choices intake offers for a user's file; the defaults are :func:`load_user_dataset`'s (the dashboard's).

    Attributes
    ----------
    unlabeled : {"exclude", "pool"}
        Rows without a label are left out and counted, or kept as extra unlabeled pool.
    rare_classes : {"error", "merge", "drop"}
        What to do with classes too small to split.
    leakage : {"error", "drop"}
        What to do with feature columns that copy or recode the label.
    label_type : {"auto", "categorical"}
        ``"categorical"`` accepts a numeric label with many values as class codes.
    encoding, delimiter : str or None
        Force the text encoding or the separator (None: detect).
    sheet : str or None
        Workbook sheet (None: the first).
    max_rows : int
        Labeled rows above this are sampled (stratified, seeded) for the simulation.
    max_mb : float or None
        Size limit of the file in MB (None: no limit).
    random_state : int
        Seed of the sampling.
    """

    unlabeled: str = "exclude"
    rare_classes: str = "error"
    leakage: str = "error"
    label_type: str = "auto"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    max_rows: int = MAX_SIMULATION_ROWS
    max_mb: float | None = MAX_UPLOAD_MB
    random_state: int = 0

    def __post_init__(self) -> None:
        # Checked here (not only by intake) so a bad option fails before a large file is read.
        for name, allowed in (("unlabeled", UNLABELED_MODES), ("rare_classes", RARE_CLASS_MODES),
                              ("leakage", LEAKAGE_MODES), ("label_type", LABEL_TYPES)):
            check_mode(name, getattr(self, name), allowed)
        if self.max_rows < 1:
            raise ConfigError(f"max_rows must be positive (got {self.max_rows}).", hint="Use e.g. 200000.")
        if self.max_mb is not None and not self.max_mb > 0:
            raise ConfigError(f"max_mb must be positive (got {self.max_mb}).",
                              hint="Use e.g. 200, or None for no limit.")

    def load_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`load_user_dataset`."""
        return asdict(self)


def intake_defaults() -> dict[str, Any]:
    """The defaults of :func:`load_user_dataset` for the options :class:`IntakeOptions` covers."""
    params = inspect.signature(load_user_dataset).parameters
    return {name: params[name].default for name in IntakeOptions.__dataclass_fields__}


def parse_delimiter(value: str | None) -> str | None:
    """A separator given as one character, or by name: comma, semicolon, tab (or ``\\t``), pipe, space."""
    if value is None:
        return None
    if value.lower() in DELIMITER_NAMES:
        return DELIMITER_NAMES[value.lower()]
    if len(value) != 1:
        raise ConfigError(f"The separator must be one character (got {value!r}).",
                          hint="E.g. ';', or a name: comma, semicolon, tab, pipe, space.")
    return value


def load_data(data: str, label: str | None = None, *, roles: dict[str, str] | None = None,
              name: str | None = None, options: IntakeOptions | None = None) -> tuple[Dataset, LoadReport | None]:
    """A shipped sample by name, or a file by path read, checked and sampled by intake.

    Parameters
    ----------
    data : str
        A sample name (see :data:`simulations.datasets.SAMPLES`) or a path. An existing file of the same
        name as a sample wins.
    label : str, optional
        The label column; required for files. For a sample it must be the sample's own label (or None).
    roles : dict, optional
        Column role overrides, as for :meth:`Dataset.from_frame`.
    name : str, optional
        The dataset's name (default: the sample name, or the file name).
    options : IntakeOptions, optional
        Intake's choices for files (ignored for samples, which are clean).

    Returns
    -------
    dataset : Dataset
    report : LoadReport or None
        What intake did (None for a sample).

    Raises
    ------
    DataError
        An :class:`~simulations.intake.IntakeError` subclass with a stable ``code`` for every problem of a file.
    """
    path = Path(data)
    if data in SAMPLES and not path.exists():
        ds = Dataset.from_sample(data, roles=roles)
        if label and label != ds.label:
            raise DataError(f"The sample '{data}' has the label column '{ds.label}', not '{label}'.",
                            hint=f"Drop --label or pass --label {ds.label}.")
        if name:
            ds.name = name
        return ds, None
    if not path.exists():
        raise EmptyFileError(f"'{data}' is neither a sample dataset nor an existing file.",
                             hint=f"Samples: {', '.join(SAMPLES)}; or pass a path to a CSV, TSV, Parquet, JSON "
                                  "Lines or .xlsx file.", code="file_not_found", details={"path": str(data)})
    if not label:
        raise LabelColumnError("A file needs --label COLUMN: the column holding each row's class.",
                               hint="E.g. --label category.", details={"label": None})
    opts = options or IntakeOptions()
    return load_user_dataset(path, label, name=name or path.name, roles=roles, **opts.load_kwargs())


def production_pool_rows(dataset: Dataset, report: LoadReport | None) -> int:
    """Rows of the real project: every data row of the file (labeled or not, before sampling), or a sample's rows."""
    if report is not None:
        return int(report.production_pool_rows)
    return len(dataset.frame) + int(dataset.n_missing_labels)
