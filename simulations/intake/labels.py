"""The label column: class names, rare classes (merge, drop, what each leaves), binning, numeric labels.

Helpers of :func:`~simulations.intake.checks.check_table` that also stand alone: :func:`class_names` (label values
as class-name strings), :func:`rare_classes` / :func:`merge_rare_classes` / :func:`drop_rare_classes` /
:func:`rare_class_outcomes`, :func:`bin_label` (a measured number cut into ranges), :func:`numbers_in_text` and
:func:`continuous_label_error` (a label that is a measurement, not a class). Re-exported by
:mod:`simulations.intake.checks`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simulations.errors import ConfigError
from simulations.intake.columns import NA_MARKERS, _suggest
from simulations.intake.errors import ContinuousLabelError, Fix, LabelColumnError
from simulations.intake.report import WARNING, Notes

#: Fewer labeled rows than this is refused: the test split, the initial labels and a pool to choose from
#: all come out of them.
MIN_LABELED_ROWS = 100
#: A class with fewer rows cannot appear in the test split, the initial labels and the pool at once.
MIN_CLASS_ROWS = 5
#: A numeric label with more distinct values than this is treated as a measurement (unless label_type="categorical").
MAX_NUMERIC_CLASSES = 20


def class_names(y: pd.Series) -> pd.Series:
    """Label values as class-name strings, missing kept as NaN: stripped text, whole numbers without '.0'."""
    if pd.api.types.is_string_dtype(y) and not pd.api.types.is_object_dtype(y):
        out = y.str.strip()
        return out.where(~out.isin(NA_MARKERS), np.nan)
    # Everything else is converted once per distinct value (fast on millions of rows with few classes).
    codes, uniques = pd.factorize(y, use_na_sentinel=True)
    names = np.array([_class_name(v) for v in uniques] + [np.nan], dtype=object)
    return pd.Series(names[codes], index=y.index, name=y.name, dtype="str")


def _class_name(v: Any) -> Any:
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        v = float(v)
        if not np.isfinite(v):
            return np.nan
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if not isinstance(v, str) and _is_na(v):
        return np.nan
    text = str(v).strip()
    return np.nan if text in NA_MARKERS else text


def _is_na(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def rare_classes(frame: pd.DataFrame, label: str, min_rows: int = MIN_CLASS_ROWS) -> dict[str, int]:
    """Classes with fewer than ``min_rows`` labeled rows -> their row counts (smallest first)."""
    counts = class_names(_label_series(frame, label)).value_counts()
    small = counts[counts < min_rows].sort_values(kind="stable")
    return {str(k): int(v) for k, v in small.items()}


def merge_rare_classes(frame: pd.DataFrame, label: str, min_rows: int = MIN_CLASS_ROWS, *,
                       into: str = "other") -> pd.DataFrame:
    """A copy of ``frame`` where classes with fewer than ``min_rows`` rows are renamed ``into``.

    The label column becomes class-name strings. Rows without a label stay unlabeled. When ``into`` is
    already a class, the rare ones join it. The merged class may itself still be small: check it again
    (``load_user_dataset(rare_classes="merge")`` drops it then).
    """
    out = frame.copy()
    y = class_names(_label_series(out, label))
    rare = set(rare_classes(out, label, min_rows)) - {into}
    out[label] = y.where(~y.isin(rare), into)
    return out


def drop_rare_classes(frame: pd.DataFrame, label: str, min_rows: int = MIN_CLASS_ROWS) -> pd.DataFrame:
    """A copy of ``frame`` without the rows of classes that have fewer than ``min_rows`` rows (unlabeled rows kept)."""
    y = class_names(_label_series(frame, label))
    rare = set(rare_classes(frame, label, min_rows))
    out = frame.loc[~y.isin(rare)].copy()
    out[label] = y.loc[out.index]
    return out.reset_index(drop=True)


def bin_label(frame: pd.DataFrame, label: str, n_bins: int = 4, *, method: str = "quantile") -> pd.DataFrame:
    """A copy of ``frame`` whose numeric label is cut into ``n_bins`` classes named by their range.

    Parameters
    ----------
    method : str
        ``"quantile"`` (about equal rows per class) or ``"width"`` (equal-width ranges).
    """
    if n_bins < 2:
        raise ConfigError(f"n_bins must be at least 2 (got {n_bins}).", hint="Use e.g. 3 to 5 bins.")
    if method not in ("quantile", "width"):
        raise ConfigError(f"Unknown binning method '{method}'.", hint="Use 'quantile' or 'width'.")
    y = pd.to_numeric(_label_series(frame, label), errors="coerce").replace([np.inf, -np.inf], np.nan)
    if y.notna().sum() < n_bins:
        raise LabelColumnError(f"The label column '{label}' has too few numbers to cut into {n_bins} bins.",
                               hint="Use fewer bins, or pick another label column.", code="continuous_label")
    cut = pd.qcut(y, q=n_bins, duplicates="drop") if method == "quantile" else pd.cut(y, bins=n_bins)
    names = cut.map(lambda iv: f"{iv.left:.4g} to {iv.right:.4g}", na_action="ignore")
    out = frame.copy()
    out[label] = names.astype(object).where(names.notna(), np.nan)
    return out


def _label_series(frame: pd.DataFrame, label: str) -> pd.Series:
    if label not in frame.columns:
        raise LabelColumnError(f"The label column '{label}' is not in the data.",
                               hint=_suggest(label, [str(c) for c in frame.columns]), details={"label": label})
    return frame[label]


def rare_class_outcomes(counts: pd.Series | dict[str, int], min_class_rows: int = MIN_CLASS_ROWS,
                        min_labeled_rows: int = MIN_LABELED_ROWS) -> dict[str, str | None]:
    """Whether each rare-class choice leaves a table a simulation can use: mode -> None, or what it would leave.

    Mirrors :func:`check_table`'s fixes: ``merge`` puts every class under ``min_class_rows`` (and an existing
    'other') into 'other', which is dropped too when still under ``min_class_rows``; ``drop`` removes them. A
    usable table has at least 2 classes and ``min_labeled_rows`` labeled rows.

    Parameters
    ----------
    counts : Series or dict
        Class -> labeled rows.
    min_class_rows, min_labeled_rows : int

    Returns
    -------
    dict
        ``{"merge": None | reason, "drop": None | reason}``, e.g. ``"only the class 'other'"``.
    """
    counts = {str(k): int(v) for k, v in dict(counts).items()}
    kept = {k: v for k, v in counts.items() if v >= min_class_rows}
    merged = {k: v for k, v in kept.items() if k != "other"}
    other = sum(v for k, v in counts.items() if v < min_class_rows or k == "other")
    if other >= min_class_rows:
        merged["other"] = other

    def why(left: dict[str, int]) -> str | None:
        if not left:
            return "no labeled rows"
        if len(left) < 2:
            return f"only the class '{next(iter(left))}'"
        n = sum(left.values())
        return f"only {n:,} labeled rows (at least {min_labeled_rows:,} needed)" if n < min_labeled_rows else None

    return {"merge": why(merged), "drop": why(kept)}


def continuous_label_error(frame: pd.DataFrame, label: str, what: str, n_distinct: int) -> ContinuousLabelError:
    """The error for a label that holds a measured number (``what``, e.g. "1,419 different numbers such as ...").

    Its hint and :class:`Fix` lead with the usual cause, the wrong column picked as the label (a price, often the
    last column), naming the column that looks like the class when one does; reading the numbers as class codes
    comes second, only for when they are codes: the data cannot tell codes from measurements.
    """
    from simulations.intake.label_guess import guess_label_column  # it judges columns with this module's rules

    guess = guess_label_column(frame)
    named = f" ('{guess}' looks like one)" if guess else ""
    codes = "these numbers are codes of classes"
    return ContinuousLabelError(
        f"The label column '{label}' has {what}: it looks like a measured number (e.g. a price), not a class.",
        hint=f"Pick the column that holds the class{named}. Only if {codes}, read the label as categorical. "
             "(To plan on the measurement itself, cut it into a few ranges, e.g. 4 of equal size, and use that "
             "column as the label; a regression target cannot be planned yet.)",
        details={"label": label, "n_distinct": n_distinct, "suggested_label": guess},
        fix=Fix("label", (guess,) if guess else (), alternative=Fix("label_type", ("categorical",), only_if=codes)),
    )


def _numeric_label(y_raw: pd.Series, names: pd.Series) -> np.ndarray | None:
    """The label as floats when every present value is a number (also an amount: :func:`numbers_in_text`), else None."""
    if pd.api.types.is_bool_dtype(y_raw):
        return None
    if pd.api.types.is_numeric_dtype(y_raw):
        return y_raw.to_numpy(dtype=float)
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    if len(uniques) == 0:
        return None
    as_num = numbers_in_text(pd.Series(uniques, dtype=object))
    if as_num is None:
        return None
    return np.where(codes >= 0, as_num[codes], np.nan)


def numbers_in_text(values: pd.Series) -> np.ndarray | None:
    """Text values as floats when every one is a number, also written as an amount; else None.

    Besides plain numbers ("12.5", "-3"), amounts as spreadsheets export them count: a currency sign ("$12.50",
    "-€3"), thousands separators ("1,419.00") and a percent sign ("12%", read as 12). So a price column exported
    as text is judged as the numbers it holds, not as 1,419 different class names.

    Parameters
    ----------
    values : Series of str, shape (n,)
        Present values only (no missing), e.g. a column's distinct class names.

    Returns
    -------
    ndarray of float, shape (n,), or None
    """
    as_num = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if not np.isnan(as_num).any():
        return as_num
    text = values.astype(str).str.strip()
    text = text.str.replace(_CURRENCY, r"\1", regex=True).str.replace(r"\s*%$", "", regex=True)
    text = text.where(~text.str.fullmatch(_THOUSANDS), text.str.replace(",", "", regex=False))
    as_num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    return None if np.isnan(as_num).any() else as_num


#: A leading currency sign, after an optional sign ("-$3" -> "-3").
_CURRENCY = r"^([-+]?)\s*[$€£¥]\s*"
#: A number with comma thousands separators ("1,419.50"); a lone comma ("12,5") is left alone (not a number).
_THOUSANDS = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"


def _case_variants(y: pd.Series, label: str, notes: Notes) -> None:
    classes = pd.Series(y.unique())
    lowered = classes.str.lower()
    groups = classes.groupby(lowered.to_numpy()).apply(list)
    clashes = [g for g in groups if len(g) > 1]
    if clashes:
        shown = "; ".join(" / ".join(f"'{c}'" for c in g) for g in clashes[:5])
        notes.add("label_case", f"Label values that differ only in capitals are separate classes: {shown}. "
                                "If they are the same class, write them the same way.", WARNING)

