"""Reading a live project's curve log: one row per labeling round, ``labels, metric[, kappa]``.

:func:`load_curve_csv` reads the CSV (separator sniffed) and :func:`validate_curve` matches its headers against
:data:`CURVE_COLUMN_NAMES` (``n_labels``, ``accuracy``, ...) and checks the values, raising ``DataError`` with the
file's own column names. :func:`~simulations.stopping.live.check_live` judges the validated curve.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulations.errors import DataError

__all__ = ["CURVE_COLUMN_NAMES", "METRIC_ALIASES", "load_curve_csv", "validate_curve"]

#: Header names accepted for each column of a curve log, compared after lower-casing and turning spaces, dots
#: and hyphens into underscores. The first of each tuple is the canonical name.
CURVE_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "labels": ("labels", "n_labels", "num_labels", "number_of_labels", "label_count", "labeled", "n_labeled",
               "num_labeled", "labelled", "n_labelled", "num_labelled", "n_train", "train_size", "training_size",
               "size", "n_samples", "samples"),
    "metric": ("metric", "accuracy", "acc", "balanced_accuracy", "macro_f1", "f1_macro", "f1", "f1_score",
               "score", "val_accuracy", "val_acc", "validation_accuracy", "val_score", "validation_score",
               "val_f1"),
    "kappa": ("kappa", "cohen_kappa", "cohens_kappa"),
}

#: Kept for callers of the first version: the metric names accepted besides "metric".
METRIC_ALIASES = CURVE_COLUMN_NAMES["metric"][1:]

_EXPECTED_HEADER = ("The header must name the label count (labels, n_labels, num_labels, n_labeled or size) and "
                    "the validation score (metric, accuracy, score, f1, ...), optionally kappa, e.g. "
                    "'labels,metric,kappa'.")

_COLUMN_MEANING = {"labels": "labeled items so far", "metric": "the validation score"}


def _normalize_name(name: Any) -> str:
    return "_".join(str(name).strip().lower().replace("-", " ").replace(".", " ").split())


def _resolve_curve_columns(df: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
    """Map the log's own headers onto labels, metric[, kappa]; errors quote the file's real column names.

    A canonical name wins over a synonym; two synonyms for the same column (say accuracy and f1) are an error
    naming both, since picking one silently would answer a question the user did not ask.
    """
    real = [str(c) for c in df.columns]
    norm = [_normalize_name(c) for c in df.columns]
    found = ", ".join(repr(c) for c in real) or "none"
    rename: dict[Any, str] = {}
    notes: list[str] = []
    missing: list[str] = []
    for canon, names in CURVE_COLUMN_NAMES.items():
        hits = [i for i, n in enumerate(norm) if n in names]
        exact = [i for i in hits if norm[i] == canon]
        if len(exact) > 1 or (not exact and len(hits) > 1):
            dup = ", ".join(repr(real[i]) for i in (exact if len(exact) > 1 else hits))
            raise DataError(f"{source} has several columns that could be the {canon}: {dup}.",
                            hint=f"Keep one of them, or rename the one to use to '{canon}'.")
        if exact or hits:
            i = (exact or hits)[0]
            rename[df.columns[i]] = canon
            if norm[i] != canon:  # the matched name, lower-cased as it was compared
                role = {"labels": "the label count", "metric": "the metric"}.get(canon, canon)
                notes.append(f"Used the '{norm[i]}' column as {role}.")
        elif canon != "kappa":
            missing.append(canon)
    if missing:
        what = " and ".join(f"'{m}' ({_COLUMN_MEANING[m]})" for m in missing)
        raise DataError(f"{source} lacks column(s) {what}; its columns are {found}.", hint=_EXPECTED_HEADER)
    keep = list(rename)
    return df[keep].rename(columns=rename), notes


def validate_curve(df: pd.DataFrame, source: str = "the curve") -> tuple[pd.DataFrame, list[str]]:
    """A team's curve log as a clean ``labels, metric[, kappa]`` table, and notes on what was adjusted.

    Column headers are matched case-insensitively against :data:`CURVE_COLUMN_NAMES` (``n_labels``,
    ``accuracy``, ...). Raises DataError for missing or ambiguous columns (quoting the file's own headers),
    non-numeric or missing values, labels that are not positive and strictly increasing, and metrics outside
    [0, 1]. Percentages are accepted when every value is in (1, 100].
    """
    if df.empty:
        raise DataError(f"{source} has no rows.", hint="Log one row per labeling round: labels,metric.")
    df, notes = _resolve_curve_columns(df, source)
    cols = ["labels", "metric"] + (["kappa"] if "kappa" in df.columns else [])
    out = pd.DataFrame(index=df.index)
    for c in cols:
        raw = df[c]
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"Column '{c}' of {source} has a non-numeric value {raw.iloc[i]!r} in data row {i + 1}.",
                            hint="Use plain numbers with a dot as decimal separator, without units or % signs.")
        if c != "kappa" and num.isna().any():
            i = int(np.flatnonzero(num.isna().to_numpy())[0])
            raise DataError(f"Column '{c}' of {source} is empty in data row {i + 1}.",
                            hint="Fill in every round's labels and metric, or delete the row.")
        out[c] = num.astype(float)
    x = out["labels"].to_numpy()
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise DataError(f"Label counts in {source} must be positive numbers.",
                        hint="'labels' is the total number of labeled items after each round, e.g. 100, 200.")
    dup = pd.Series(x)[pd.Series(x).duplicated()]
    if len(dup):
        raise DataError(f"{source} lists the label count {dup.iloc[0]:g} more than once.",
                        hint="Keep one row per labeling round (average repeated measurements first).")
    steps = np.diff(x)
    if np.any(steps < 0):
        i = int(np.flatnonzero(steps < 0)[0])
        raise DataError(f"Label counts in {source} are not increasing: {x[i + 1]:g} comes after {x[i]:g} "
                        f"(data row {i + 2}).", hint="Sort the rows by labels: one row per round, oldest first.")
    y = out["metric"].to_numpy()
    if not np.all(np.isfinite(y)):
        raise DataError(f"The metric in {source} must be finite.", hint="Remove rows with inf values.")
    if np.any(y < 0):
        raise DataError(f"The metric in {source} has negative values (min {y.min():g}).",
                        hint="Log a score between 0 and 1, such as accuracy or F1 on a validation set.")
    if np.any(y > 1):
        if np.all((y > 1) & (y <= 100)):
            out["metric"] = y / 100.0
            notes.append("The metric looked like percentages (all values between 1 and 100); divided by 100.")
        else:
            raise DataError(f"The metric in {source} must be a fraction in [0, 1] (found values from {y.min():g} "
                            f"to {y.max():g}).",
                            hint="Use fractions (0.91) for every row, or percentages (91) for every row.")
    if "kappa" in out.columns:
        k = out["kappa"].to_numpy()
        if np.any(np.isfinite(k) & ((k < -1) | (k > 1))):
            raise DataError(f"Kappa values in {source} must be between -1 and 1.",
                            hint="Log Cohen's kappa between successive models' predictions, or drop the column.")
        if not np.any(np.isfinite(k)):
            out = out.drop(columns="kappa")
    return out.reset_index(drop=True), notes


def load_curve_csv(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """Read and validate a team's curve log (CSV with columns labels, metric, optionally kappa)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"No curve file at {path}.", hint="Pass a CSV with columns labels,metric[,kappa].")
    try:
        try:
            df = pd.read_csv(path, sep=None, engine="python")  # sniffs comma, semicolon, tab
        except csv.Error:  # nothing to sniff (one column, or no text): plain comma-separated
            df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, csv.Error) as exc:
        raise DataError(f"Cannot read {path} as CSV ({exc}).",
                        hint="Save the log as a comma-separated file with a header row labels,metric.") from exc
    return validate_curve(df, source=path.name)
