"""Datasets: shipped samples or a user's DataFrame, with inferred (and overridable) column roles.

A :class:`Dataset` holds the rows that have a label, the label column and a role for every other
column. Roles decide the preprocessing (see :mod:`simulations.features`):

- ``numeric``: impute median, scale. Numeric embedding columns (``emb_0 ... emb_767``) are plain numeric.
- ``categorical``: one-hot, rare categories grouped.
- ``text``: TF-IDF (sparse end to end).
- ``datetime``: expanded to year, month, day of week and day of year.
- ``id``: dropped (a unique key per row carries no signal and lets a model memorize rows).
- ``constant``: dropped (one value, or empty).

A dataset may also carry an *extra pool*: rows whose label is unknown (``Dataset.extra_pool``). The engine
never queries them or counts them as labels, but fits the (unsupervised) preprocessing on them and lets
strategies that exploit unlabeled data use them; see docs/engine-contract.md.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simulations.errors import DataError

ROLES = ("numeric", "categorical", "text", "datetime", "id", "constant")
FEATURE_ROLES = ("numeric", "categorical", "text", "datetime")
#: What ``Dataset.from_frame`` does with rows whose label is empty.
UNLABELED_MODES = ("exclude", "pool")

_ID_NAME = re.compile(r"(^|[_\s-])(id|key|uuid|guid|index|row)$", re.IGNORECASE)


@dataclass(frozen=True)
class SampleInfo:
    """A dataset that ships with Labelwise (or with scikit-learn)."""

    name: str
    label: str
    description: str
    file: str | None = None
    na_values: tuple[str, ...] = ()


SAMPLES: dict[str, SampleInfo] = {
    "penguins": SampleInfo(
        "penguins", "species", "344 penguins, 3 species from body measurements and island (tiny, some gaps).",
        file="penguins.csv",
    ),
    "seattle_weather": SampleInfo(
        "seattle_weather", "weather",
        "1,461 days of Seattle weather, 5 classes, very imbalanced (snow is 1.6%).",
        file="seattle_weather.csv",
    ),
    "sms_spam": SampleInfo(
        "sms_spam", "label", "5,574 SMS messages, spam or ham (13% spam): short text.", file="sms_spam.csv",
    ),
    "adult": SampleInfo(
        "adult", "income", "48,842 census records, income above 50K or not (24%): larger tabular data.",
        file="adult.csv.gz", na_values=("?",),
    ),
    "digits": SampleInfo(
        "digits", "digit", "1,797 handwritten digits as 8x8 pixel features, 10 classes (from scikit-learn).",
    ),
    "breast_cancer": SampleInfo(
        "breast_cancer", "diagnosis", "569 tumours, malignant or benign, 30 numeric features (from scikit-learn).",
    ),
}


def data_dir() -> Path:
    """Folder of the shipped sample files (``LABELWISE_DATA_DIR`` overrides it)."""
    env = os.environ.get("LABELWISE_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "data"


def load_sample_frame(name: str) -> pd.DataFrame:
    """The raw DataFrame of a shipped sample, label column included."""
    if name not in SAMPLES:
        raise DataError(
            f"Unknown sample dataset '{name}'.",
            hint=f"Use one of: {', '.join(SAMPLES)}, or pass a path to your own file.",
        )
    info = SAMPLES[name]
    if info.file is None:
        from sklearn import datasets as skd

        bunch = {"digits": skd.load_digits, "breast_cancer": skd.load_breast_cancer}[name](as_frame=True)
        frame = bunch.frame.rename(columns={"target": info.label})
        if name == "breast_cancer":
            frame[info.label] = np.asarray(bunch.target_names)[bunch.target]
        return frame
    path = data_dir() / info.file
    if not path.exists():
        raise DataError(f"The sample file {path} is missing.", hint="Reinstall Labelwise or set LABELWISE_DATA_DIR.")
    return pd.read_csv(path, na_values=list(info.na_values) or None, skipinitialspace=True)


def _looks_like_datetime(values: pd.Series) -> bool:
    sample = values.dropna().astype(str).head(200)
    if len(sample) < 5 or sample.str.len().median() < 6:
        return False
    # Digits with date separators only; avoids reading free text or codes as dates.
    if not sample.str.fullmatch(r"[\d\s:/.\-TZ+]+").mean() > 0.9:
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return parsed.notna().mean() > 0.9


def infer_role(values: pd.Series) -> str:
    """Infer one column's role from its values (the label column is never passed here).

    Parameters
    ----------
    values : pandas Series, shape (n_rows,)

    Returns
    -------
    str, one of :data:`ROLES`
    """
    nonnull = values.dropna()
    n = len(nonnull)
    if n == 0 or nonnull.nunique() <= 1:
        return "constant"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_bool_dtype(values):
        return "categorical"
    if pd.api.types.is_numeric_dtype(values):
        as_float = nonnull.to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):  # inf has no remainder: NaN, so not "whole", as intended
            whole = np.all(np.mod(as_float, 1) == 0)
        if whole and n >= 20 and nonnull.nunique() == n:
            # Unique whole numbers are a key when consecutive (a row number) or named like one.
            ints = np.sort(as_float)
            if ints[-1] - ints[0] == n - 1 or _ID_NAME.search(str(values.name)):
                return "id"
        return "numeric"
    as_text = nonnull.astype(str)
    if _looks_like_datetime(as_text):
        return "datetime"
    n_unique = as_text.nunique()
    words = as_text.head(2000).str.split().str.len()
    if words.mean() >= 4 and n_unique > 0.3 * n:
        return "text"
    if n_unique == n and n >= 20:
        return "id"
    return "categorical"


def infer_roles(frame: pd.DataFrame, label: str) -> dict[str, str]:
    """Roles of every column except ``label``, in column order."""
    return {str(c): infer_role(frame[c]) for c in frame.columns if c != label}


@dataclass
class Dataset:
    """Labeled rows, the label column and a role per feature column.

    Build it with :meth:`from_sample` or :meth:`from_frame`, not directly.

    Attributes
    ----------
    name : str
    frame : DataFrame, shape (n_rows, n_columns)
        Only rows whose label is present; the label column holds strings.
    label : str
    roles : dict
        Column name -> role (see :data:`ROLES`).
    n_missing_labels : int
        Rows left out because their label was empty.
    inferred_roles : dict
        What inference said before any override (shown to the user).
    extra_pool : DataFrame or None, shape (n_extra_pool, n_columns - 1)
        Unlabeled rows with the same feature columns (no label column): never queried, never counted as
        labels; used by the preprocessing and by strategies that exploit unlabeled data. Roles are
        inferred from the labeled rows only.
    """

    name: str
    frame: pd.DataFrame
    label: str
    roles: dict[str, str]
    n_missing_labels: int = 0
    inferred_roles: dict[str, str] = field(default_factory=dict)
    description: str = ""
    extra_pool: pd.DataFrame | None = None

    @classmethod
    def from_sample(cls, name: str, *, roles: dict[str, str] | None = None) -> Dataset:
        """A shipped sample by name (see :data:`SAMPLES`)."""
        frame = load_sample_frame(name)
        info = SAMPLES[name]
        ds = cls.from_frame(frame, info.label, name=name, roles=roles)
        ds.description = info.description
        return ds

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        label: str,
        *,
        name: str = "uploaded data",
        roles: dict[str, str] | None = None,
        unlabeled: str = "exclude",
        extra_pool: pd.DataFrame | None = None,
    ) -> Dataset:
        """A dataset from a DataFrame and its label column.

        Parameters
        ----------
        frame : DataFrame, shape (n_rows, n_columns)
        label : str
            The column holding the class of each row; rows where it is empty are left out and counted.
        roles : dict, optional
            Overrides for inferred roles, e.g. ``{"zip": "categorical", "notes": "text"}``.
        unlabeled : {"exclude", "pool"}, default "exclude"
            Rows with an empty label are counted and left out, or (``"pool"``) also kept as extra pool.
        extra_pool : DataFrame, optional
            More unlabeled rows with (at least) the feature columns of ``frame``; its label column, if any,
            is ignored. Appended after the unlabeled rows of ``frame`` when ``unlabeled="pool"``.
        """
        if not isinstance(frame, pd.DataFrame):
            raise DataError("Expected a table (pandas DataFrame).", hint="Load your file with pandas first.")
        frame = frame.copy()
        frame.columns = [str(c) for c in frame.columns]
        if label not in frame.columns:
            raise DataError(
                f"The label column '{label}' is not in the data.",
                hint=f"Pick one of the columns: {', '.join(frame.columns[:20])}.",
            )
        if unlabeled not in UNLABELED_MODES:
            raise DataError(f"Unknown unlabeled='{unlabeled}'.", hint=f"Use one of: {', '.join(UNLABELED_MODES)}.")
        y = frame[label]
        missing = y.isna() | (y.astype(str).str.strip() == "")
        extra = _extra_pool_frame(frame.loc[missing] if unlabeled == "pool" else None, extra_pool, frame, label)
        frame = frame.loc[~missing].reset_index(drop=True)
        frame[label] = _label_strings(frame[label])
        inferred = infer_roles(frame, label)
        chosen = dict(inferred)
        for col, role in (roles or {}).items():
            if col not in chosen:
                raise DataError(f"Cannot set the role of '{col}': no such feature column.",
                                hint=f"Feature columns: {', '.join(chosen)}.")
            if role not in ROLES:
                raise DataError(f"Unknown column role '{role}' for '{col}'.", hint=f"Use one of: {', '.join(ROLES)}.")
            chosen[col] = role
        ds = cls(name=name, frame=frame, label=label, roles=chosen, n_missing_labels=int(missing.sum()),
                 inferred_roles=inferred, extra_pool=extra)
        ds.validate()
        return ds

    @property
    def y(self) -> np.ndarray:
        """Labels as strings, shape (n_rows,)."""
        return self.frame[self.label].to_numpy(dtype=object).astype(str)

    @property
    def feature_columns(self) -> list[str]:
        """Columns that become features (roles in :data:`FEATURE_ROLES`)."""
        return [c for c, r in self.roles.items() if r in FEATURE_ROLES]

    @property
    def class_counts(self) -> pd.Series:
        """Rows per class, largest first."""
        return self.frame[self.label].value_counts()

    @property
    def has_text(self) -> bool:
        return any(r == "text" for r in self.roles.values())

    @property
    def n_extra_pool(self) -> int:
        """Rows in :attr:`extra_pool` (0 without one)."""
        return 0 if self.extra_pool is None else len(self.extra_pool)

    def fingerprint(self) -> str:
        """A content hash of the rows, label and roles (and extra pool): equal data gives an equal fingerprint."""
        h = hashlib.sha256()
        h.update(repr(sorted(self.roles.items())).encode())
        h.update(self.label.encode())
        hashed = pd.util.hash_pandas_object(self.frame, index=False).to_numpy()
        h.update(hashed.tobytes())
        if self.n_extra_pool:  # only then, so datasets without one keep their fingerprints
            h.update(b"extra_pool")
            h.update(pd.util.hash_pandas_object(self.extra_pool, index=False).to_numpy().tobytes())
        return h.hexdigest()[:16]

    def roles_table(self) -> pd.DataFrame:
        """Column, inferred role, role used, and whether the role makes it a feature."""
        return pd.DataFrame(
            {
                "column": list(self.roles),
                "inferred_role": [self.inferred_roles.get(c, "") for c in self.roles],
                "role": list(self.roles.values()),
                "used": [r in FEATURE_ROLES for r in self.roles.values()],
            }
        )

    def validate(self, *, min_per_class: int = 3) -> None:
        """Raise :class:`DataError` when the data cannot support a simulation.

        The label problems intake also finds raise intake's typed errors with the same code, message and hint
        (:class:`~simulations.intake.EmptyLabelError`, :class:`~simulations.intake.TooFewClassesError`,
        :class:`~simulations.intake.RareClassError`), so the Python API, the CLI and the dashboard agree.
        """
        # Imported here: simulations.intake imports this module, so a module-level import would be a cycle.
        from simulations.intake.messages import empty_label_error, rare_class_error, too_few_classes_error

        counts = self.class_counts
        if len(counts) == 0:
            raise empty_label_error(self.label)
        if len(counts) < 2:
            raise too_few_classes_error(self.label, counts, len(self.frame))
        small = counts[counts < min_per_class]
        if len(small):
            raise rare_class_error(small, min_per_class)
        if not self.feature_columns:
            raise DataError(
                "No usable feature columns: every column is the label, an id, or constant.",
                hint="Override a column's role (e.g. roles={'col': 'numeric'}) if inference was wrong.",
            )


def _extra_pool_frame(unlabeled_rows: pd.DataFrame | None, extra: pd.DataFrame | None, frame: pd.DataFrame,
                      label: str) -> pd.DataFrame | None:
    """The extra pool: ``frame``'s unlabeled rows, then ``extra``'s rows; ``frame``'s columns minus the label.

    Returns None when there is no such row (so a dataset without extra pool looks as it always did).
    """
    columns = [c for c in frame.columns if c != label]
    parts = []
    if unlabeled_rows is not None and len(unlabeled_rows):
        parts.append(unlabeled_rows[columns])
    if extra is not None:
        if not isinstance(extra, pd.DataFrame):
            raise DataError("The extra pool must be a table (pandas DataFrame).",
                            hint="Pass the unlabeled rows as a DataFrame with the same columns as the data.")
        extra = extra.copy()
        extra.columns = [str(c) for c in extra.columns]
        absent = [c for c in columns if c not in extra.columns]
        if absent:
            raise DataError(
                f"The extra pool lacks column(s) of the labeled data: {', '.join(absent[:10])}.",
                hint="Give the unlabeled rows the same columns as the labeled ones (the label column may be empty).",
            )
        if len(extra):
            parts.append(extra[columns])
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)


def _label_strings(y: pd.Series) -> pd.Series:
    """Labels as strings; whole-number floats lose their '.0' (1.0 -> '1')."""
    if pd.api.types.is_float_dtype(y) and np.all(np.mod(y.to_numpy(dtype=float), 1) == 0):
        y = y.astype("int64")
    return y.astype(str).str.strip()
