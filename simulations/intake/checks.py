"""Checks on a table and its label column before a simulation, and the fixes a user can choose.

:func:`check_table` raises a typed error for every blocking problem and returns a :class:`CheckReport`
with the cleaned rows and notes for everything it changed (mixed-type columns coerced, inf replaced by
missing, unlabeled rows excluded or kept as pool, rare classes merged, leaking columns dropped on request).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulations.datasets import FEATURE_ROLES, ROLES, UNLABELED_MODES, infer_roles
from simulations.errors import ConfigError
from simulations.features import MAX_ABS_NUMBER, TEXT_MIN_DF
from simulations.intake.columns import MAX_COLUMNS, NA_MARKERS, _check_width, _names, _suggest
from simulations.intake.errors import (
    ColumnNotFoundError,
    ContinuousLabelError,
    DuplicateColumnError,
    Fix,
    LabelColumnError,
    LeakageError,
    NoFeaturesError,
    RoleError,
    TooFewLabeledRowsError,
    TooManyClassesError,
)
from simulations.intake.messages import empty_label_error, rare_class_error, too_few_classes_error, too_small_error
from simulations.intake.report import WARNING, Notes

#: Fewer labeled rows than this is refused: the test split, the initial labels and a pool to choose from
#: all come out of them.
MIN_LABELED_ROWS = 100
#: A class with fewer rows cannot appear in the test split, the initial labels and the pool at once.
MIN_CLASS_ROWS = 5
#: A numeric label with more distinct values than this is treated as a measurement (unless label_type="categorical").
MAX_NUMERIC_CLASSES = 20
#: A text column whose non-missing values are at least this share numbers is a numeric column with stray text.
MIXED_NUMERIC_SHARE = 0.95
#: Numbers this large (in absolute value) overflow the feature scaling (squares exceed the float range): they
#: are treated as missing, like infinities. The engine's own threshold, so the warning matches what it does.
EXTREME_VALUE = MAX_ABS_NUMBER
#: A feature is judged for leakage on the labeled rows where it has a value when those are at least this share
#: of the labeled rows ...
LEAK_MIN_COVERAGE = 0.9
#: ... or at least this many rows and this share (a copy of the label filled in on only part of the rows still
#: leaks: a model learns from the rows where it is there; fewer rows could match by chance).
LEAK_MIN_ROWS = 30
LEAK_MIN_SHARE = 0.2
#: A judged feature leaks when each class has its own value (no two classes share one) held by at least this
#: share of the class's judged rows: a copy or a one-to-one recoding of the label, exact or with a few
#: disagreements. Honest features rarely reach it: a categorical with many levels spreads each class over several
#: values, a numeric measurement has many values, and a strong binary feature still errs on more than 2% of a class.
LEAK_MIN_AGREEMENT = 0.98
#: The mapping must hold in both directions: of the judged rows holding a class's value, at least
#: :data:`LEAK_MIN_AGREEMENT` must be that class (precision), so a flag that marks every row of a rare class and
#: a few percent of the others is a strong feature, not a copy. And every class among the judged rows needs at
#: least this many of them, or the column is not judged: below 50 rows the 98% allows no disagreement, and a class
#: of 1 row always "agrees". From 15 rows, a value that is right on at most 80% of a class's rows (or of its own
#: rows) passes the 98% test with a probability of at most 0.8^15 = 3.5% (15 rows is the worst class size). An
#: exact copy on at least LEAK_MIN_COVERAGE of the labeled rows, every class present, is judged whatever the sizes.
LEAK_MIN_CLASS_ROWS = 15
#: Text columns with more distinct values than this are not merged through class-name spelling before judging.
_LEAK_MAX_TEXT_VALUES = 100_000

RARE_CLASS_MODES = ("error", "merge", "drop")
LEAKAGE_MODES = ("error", "drop")
LABEL_TYPES = ("auto", "categorical")

_ROLE_REASONS = {"id": "a different value on every row", "constant": "one value, or empty"}


@dataclass
class CheckReport:
    """The outcome of :func:`check_table`.

    Attributes
    ----------
    frame : DataFrame
        Labeled rows only, cleaned; the label column holds class names as strings.
    label : str
    extra_pool : DataFrame or None
        Rows without a label when ``unlabeled="pool"`` (same columns, label empty).
    n_rows : int
        Rows checked (labeled and unlabeled).
    n_labeled, n_unlabeled : int
        Rows with and without a label (after rare classes were merged or dropped).
    unlabeled : str
        ``"exclude"`` or ``"pool"``.
    class_counts : dict
        Class -> rows, largest first.
    roles : dict
        Column -> role the simulation will use (see :data:`simulations.datasets.ROLES`).
    dropped_columns : dict
        Column -> reason, for columns removed from ``frame``.
    changed_classes : dict
        Class -> what happened to it (``"merged into 'other'"``, ``"dropped"``).
    notes : list of Note
    """

    frame: pd.DataFrame
    label: str
    extra_pool: pd.DataFrame | None = None
    n_rows: int = 0
    n_labeled: int = 0
    n_unlabeled: int = 0
    unlabeled: str = "exclude"
    class_counts: dict[str, int] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    dropped_columns: dict[str, str] = field(default_factory=dict)
    changed_classes: dict[str, str] = field(default_factory=dict)
    notes: Notes = field(default_factory=Notes)

    @property
    def feature_columns(self) -> list[str]:
        return [c for c, r in self.roles.items() if r in FEATURE_ROLES]

    def to_dict(self) -> dict[str, Any]:
        """Everything but the frames, for JSON."""
        return {
            "label": self.label, "n_rows": self.n_rows, "n_labeled": self.n_labeled,
            "n_unlabeled": self.n_unlabeled, "unlabeled": self.unlabeled, "class_counts": dict(self.class_counts),
            "roles": dict(self.roles), "dropped_columns": dict(self.dropped_columns),
            "changed_classes": dict(self.changed_classes),
            "notes": [{"code": n.code, "message": n.message, "level": n.level} for n in self.notes],
        }


# --- label helpers ---------------------------------------------------------------------------------------------------

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


# --- leakage ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Leak:
    """A feature column that copies or recodes the label (see :func:`leaking_columns`).

    Attributes
    ----------
    column : str
    kind : str
        ``"identical"`` (the label's own values), ``"recoding"`` (one other value per class, no exception) or
        ``"near_copy"`` (one value per class, with a few rows that disagree).
    agreement : float
        Share of the judged rows whose value is their class's value.
    min_class_agreement : float
        The same share in the class where it is lowest (at least :data:`LEAK_MIN_AGREEMENT`).
    coverage : float
        Share of the labeled rows where the column has a value (the rows judged).
    mapping : dict
        Class -> the column's value for it, as shown to the user.
    min_value_precision : float
        Of the judged rows holding a class's value, the share that are that class, where it is lowest (at least
        :data:`LEAK_MIN_AGREEMENT`).
    """

    column: str
    kind: str
    agreement: float
    min_class_agreement: float
    coverage: float
    mapping: dict[str, str]
    min_value_precision: float = 1.0

    def describe(self) -> str:
        """``'code' is a one-to-one recoding of it ('a' -> 10, ...)``, with how much of it agrees."""
        pairs = list(self.mapping.items())
        shown = ", ".join(f"'{k}' -> {v}" for k, v in pairs[:3]) + (", ..." if len(pairs) > 3 else "")
        if self.kind == "identical":
            text = f"'{self.column}' is identical to the label"
        elif self.kind == "recoding":
            text = f"'{self.column}' is a one-to-one recoding of it ({shown})"
        else:
            # Rounded down, so 99.97% never reads as 100%.
            text = (f"'{self.column}' agrees with the label on {np.floor(self.agreement * 1000) / 10:.1f}% of rows, "
                    f"one value per class ({shown})")
        if self.coverage < 1.0:
            text += f" where it has a value ({min(round(self.coverage * 100), 99)}% of labeled rows)"
        return text


def leaking_columns(frame: pd.DataFrame, label: str, columns: list[str] | None = None) -> dict[str, Leak]:
    """Columns that copy or recode the label, exactly or with a few disagreements, with the evidence.

    The rule (docs/intake.md, "Why a leaking column is an error by default"): a column is judged on the labeled
    rows where it has a value, when those are at least :data:`LEAK_MIN_COVERAGE` (90%) of the labeled rows, or
    at least :data:`LEAK_MIN_ROWS` (30) rows and :data:`LEAK_MIN_SHARE` (20%) of them. Its values are compared
    as class names (text stripped, 1.0 and 1 alike, as the label's own values are). It leaks when the judged
    rows hold at least 2 classes, each with at least :data:`LEAK_MIN_CLASS_ROWS` (15) judged rows; each class's
    most common value differs from every other class's; in every class at least :data:`LEAK_MIN_AGREEMENT` (98%)
    of the rows have their class's value; and of the rows holding a class's value, at least 98% are that class.
    """
    y = class_names(_label_series(frame, label))
    labeled = y.notna().to_numpy()
    n_labeled = int(labeled.sum())
    y_codes, classes = pd.factorize(y[labeled])
    n_classes = len(classes)
    if n_classes < 2:
        return {}
    sub = frame.loc[labeled]
    cols = [c for c in (columns if columns is not None else frame.columns) if c != label]
    leaks: dict[str, Leak] = {}
    for col in cols:
        x = sub[col]
        present = x.notna().to_numpy()
        n_present = int(present.sum())
        if n_present < LEAK_MIN_COVERAGE * n_labeled and (n_present < LEAK_MIN_ROWS
                                                          or n_present < LEAK_MIN_SHARE * n_labeled):
            continue
        leak = _judge_leak(x if n_present == len(x) else x[present], y_codes[present], classes,
                           n_present / n_labeled)
        if leak is not None:
            leaks[col] = leak
    return leaks


def find_leaking_columns(frame: pd.DataFrame, label: str, columns: list[str] | None = None) -> dict[str, str]:
    """Leaking columns -> ``"identical"``, ``"recoding"`` or ``"near_copy"``; the rule is :func:`leaking_columns`'s."""
    return {c: leak.kind for c, leak in leaking_columns(frame, label, columns).items()}


def _judge_leak(xs: pd.Series, y_codes: np.ndarray, classes: pd.Index, coverage: float) -> Leak | None:
    """Whether the values ``xs`` (present, on labeled rows) pair one-to-one with the classes ``y_codes``."""
    n_rows = len(xs)
    class_rows = np.bincount(y_codes, minlength=len(classes))
    seen = np.flatnonzero(class_rows)
    if len(seen) < 2:
        return None
    # A class this small matches a value by chance (one row always does): too little evidence for a near copy or
    # a partial one. An exact copy on (nearly) every labeled row, every class's rows included, is still a copy.
    few_rows = bool(class_rows[seen].min() < LEAK_MIN_CLASS_ROWS)
    if few_rows and (coverage < LEAK_MIN_COVERAGE or len(seen) < len(classes)):
        return None
    x_codes, n_values = _value_codes(xs)
    # Cheap screens (most columns stop here): the rows holding their class's value lie on len(seen) distinct
    # values, so those values' rows must reach the agreement share; every other value takes at least one row.
    if n_values < len(seen) or n_values - len(seen) > (1 - LEAK_MIN_AGREEMENT) * n_rows:
        return None
    value_rows = np.bincount(x_codes, minlength=n_values)
    if np.sort(value_rows)[n_values - len(seen):].sum() < LEAK_MIN_AGREEMENT * n_rows:
        return None
    pair, pair_rows = np.unique(x_codes.astype(np.int64) * len(classes) + y_codes, return_counts=True)
    pair_value, pair_class = pair // len(classes), pair % len(classes)
    order = np.lexsort((pair_rows, pair_class))  # by class, then by rows: the last of each class is its value
    last = order[np.r_[pair_class[order][1:] != pair_class[order][:-1], True]]
    own_value, own_rows = pair_value[last], pair_rows[last]
    if len(set(own_value.tolist())) < len(last):
        return None  # two classes share their most common value: not one-to-one
    per_class = own_rows / class_rows[pair_class[last]]
    # Precision too: a value that marks every row of a class but also rows of others (a screening flag that
    # fires on 1.5% of a large class) is a strong feature, not a copy.
    per_value = own_rows / value_rows[own_value]
    if per_class.min() < LEAK_MIN_AGREEMENT or per_value.min() < LEAK_MIN_AGREEMENT:
        return None
    agreement = float(own_rows.sum() / n_rows)
    exact = bool(own_rows.sum() == n_rows)
    if few_rows and not exact:
        return None
    _, first_row = np.unique(x_codes, return_index=True)
    rep = xs.iloc[first_row[own_value]].tolist()
    mapping = {str(classes[c]): _show_value(v) for c, v in zip(pair_class[last], rep, strict=True)}
    if exact and all(class_names(pd.Series([v], dtype=object)).iloc[0] == str(classes[c])
                     for c, v in zip(pair_class[last], rep, strict=True)):
        kind = "identical"
    else:
        kind = "recoding" if exact else "near_copy"
    return Leak(column=str(xs.name), kind=kind, agreement=agreement, min_class_agreement=float(per_class.min()),
                coverage=float(coverage), mapping=mapping, min_value_precision=float(per_value.min()))


def _value_codes(xs: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a column's values compared as class names (so '1', 1 and 1.0 are one value, text is
    stripped) and the number of codes."""
    codes, uniques = pd.factorize(xs, use_na_sentinel=False)
    if (pd.api.types.is_object_dtype(xs) or pd.api.types.is_string_dtype(xs)) \
            and len(uniques) <= _LEAK_MAX_TEXT_VALUES:
        names = [_class_name(v) for v in uniques]
        merged, merged_uniques = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=False)
        codes, n_values = merged[codes], len(merged_uniques)
    else:
        n_values = len(uniques)
    return codes, n_values


def _show_value(v: Any) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


# --- the main check --------------------------------------------------------------------------------------------------

def check_table(
    frame: pd.DataFrame,
    label: str,
    *,
    unlabeled: str = "exclude",
    min_labeled_rows: int = MIN_LABELED_ROWS,
    min_class_rows: int = MIN_CLASS_ROWS,
    rare_classes: str = "error",
    leakage: str = "error",
    label_type: str = "auto",
    roles: dict[str, str] | None = None,
    max_columns: int | None = MAX_COLUMNS,
) -> CheckReport:
    """Check a table for a classification simulation; clean what can be cleaned, raise for the rest.

    Parameters
    ----------
    frame : DataFrame
        As returned by :func:`read_table` (any DataFrame works).
    label : str
        The column holding each row's class.
    unlabeled : {"exclude", "pool"}
        Rows without a label are counted and left out, or kept as extra unlabeled pool (``extra_pool``).
    min_labeled_rows : int
        Fewer labeled rows raise :class:`TooFewLabeledRowsError`.
    min_class_rows : int
        Classes with fewer rows are "rare".
    rare_classes : {"error", "merge", "drop"}
        Raise :class:`RareClassError`, merge rare classes into "other" (dropped if "other" is still too
        small), or drop their rows.
    leakage : {"error", "drop"}
        A feature that copies or recodes the label one-to-one (exactly, or on at least 98% of each class's rows;
        see :func:`leaking_columns`) raises :class:`LeakageError`, or is dropped with a warning.
    label_type : {"auto", "categorical"}
        ``"categorical"`` accepts a numeric label with many values as class codes (skips the continuous check).
    roles : dict, optional
        Role overrides, as for :meth:`Dataset.from_frame`; checked here.
    max_columns : int or None
        More columns raise :class:`TooWideError`.

    Returns
    -------
    CheckReport
    """
    check_mode("unlabeled", unlabeled, UNLABELED_MODES)
    check_mode("rare_classes", rare_classes, RARE_CLASS_MODES)
    check_mode("leakage", leakage, LEAKAGE_MODES)
    check_mode("label_type", label_type, LABEL_TYPES)
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError("Expected a table (pandas DataFrame).", hint="Read the file with read_table first.")
    notes = Notes()
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    dups = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dups:
        raise DuplicateColumnError(f"Column names must be unique; repeated: {_names(dups)}.",
                                   hint="Rename or delete the repeated columns.", details={"columns": dups})
    _check_width(frame.shape[1], max_columns)
    columns = list(frame.columns)
    if label not in columns:
        hint = _suggest(label, columns)
        one_column = len(columns) == 1 and bool(re.search(r"[,;\t|:~^]", columns[0]))
        if one_column:
            hint += " The file was read as one column: say which separator it uses."
        raise LabelColumnError(f"The label column '{label}' is not in the data.", hint=hint,
                               details={"label": label, "columns": columns[:50], "read_as_one_column": one_column},
                               fix=Fix("delimiter") if one_column else None)

    y_raw = frame[label]
    if pd.api.types.is_numeric_dtype(y_raw) and not pd.api.types.is_bool_dtype(y_raw):
        n_inf = int(np.isinf(y_raw.to_numpy(dtype=float)).sum())
        if n_inf:
            notes.add("inf_label", f"{n_inf:,} label value(s) are infinite; those rows count as unlabeled.", WARNING)
    y = class_names(y_raw)
    numeric_label = _numeric_label(y_raw, y)
    if y.notna().sum() == 0:
        raise empty_label_error(label)

    labeled_mask = y.notna()
    n_rows = len(frame)
    yl = y[labeled_mask]
    n_labeled = int(labeled_mask.sum())
    distinct = yl.nunique()
    if label_type == "auto" and numeric_label is not None and distinct > MAX_NUMERIC_CLASSES:
        values = numeric_label[labeled_mask]
        whole = bool(np.all(np.mod(values, 1) == 0))
        what = (f"{distinct:,} different whole numbers ({values.min():g} to {values.max():g})" if whole
                else f"{distinct:,} different numbers such as {', '.join(f'{v:g}' for v in values[:3])}")
        raise continuous_label_error(frame, label, what, int(distinct))
    if numeric_label is None and distinct > max(MAX_NUMERIC_CLASSES, n_labeled // 2):
        raise TooManyClassesError(
            f"The label column '{label}' has {distinct:,} different values among {n_labeled:,} labeled rows: "
            "it looks like an id or free text, not a class.",
            hint="Pick the column that holds the classes (a few values repeated across many rows).",
            details={"label": label, "n_distinct": int(distinct)},
        )
    _case_variants(yl, label, notes)

    # Rare classes: counted on labeled rows; fixed on request.
    changed: dict[str, str] = {}
    counts = yl.value_counts()
    rare = counts[counts < min_class_rows]
    if len(rare) and len(counts) >= 2:
        # Offer (and apply) only a choice that leaves a usable table: merging 12 rows of 3 classes into one
        # 'other' class, or dropping every class, would only trade this error for another one.
        outcome = rare_class_outcomes(counts, min_class_rows, min_labeled_rows)
        works = tuple(mode for mode, why in outcome.items() if why is None)
        if not works:
            raise too_small_error(counts, min_class_rows, min_labeled_rows)
        if rare_classes == "error" or rare_classes not in works:
            why_not = "; ".join(f"{_RARE_MODE_DOING[m]} would leave {why}" for m, why in outcome.items() if why)
            raise rare_class_error(rare, min_class_rows, works, why_not)
        if rare_classes == "merge":
            target = "other"
            merged = [str(k) for k in rare.index if k != target]
            y = y.where(~y.isin(merged), target)
            for k in merged:
                changed[k] = f"merged into '{target}'"
            new_count = int((y == target).sum())
            if new_count < min_class_rows:
                y = y.where(y != target, "\x00drop")
                group = merged + ([target] if target in counts.index else [])
                for k in group:
                    changed[k] = "dropped (too few rows even when merged)"
                notes.add("rare_classes_dropped",
                          f"The rare classes ({_names(group)}) have only {new_count} rows together, fewer than "
                          f"{min_class_rows}: dropped those rows.", WARNING)
            else:
                notes.add("rare_classes_merged", f"Merged {len(merged)} rare class(es) into '{target}' "
                                                 f"({new_count} rows): {_names(merged)}.", WARNING)
        else:
            dropped = [str(k) for k in rare.index]
            y = y.where(~y.isin(dropped), "\x00drop")
            for k in dropped:
                changed[k] = "dropped"
            notes.add("rare_classes_dropped", f"Dropped {int(rare.sum())} rows of {len(dropped)} rare class(es) "
                                              f"with fewer than {min_class_rows} rows: {_names(dropped)}.", WARNING)
        keep = y != "\x00drop"
        frame, y = frame.loc[keep].reset_index(drop=True), y.loc[keep].reset_index(drop=True)
        labeled_mask = y.notna()
        yl = y[labeled_mask]
        n_labeled = int(labeled_mask.sum())
        counts = yl.value_counts()

    if len(counts) < 2:
        raise too_few_classes_error(label, counts, n_labeled)
    if n_labeled < min_labeled_rows:
        raise TooFewLabeledRowsError(
            f"Only {n_labeled:,} rows have a label; a meaningful simulation needs at least {min_labeled_rows:,} "
            "(a held-out test split, the initial labels and a pool to choose from all come out of them).",
            hint=f"Label at least {min_labeled_rows - n_labeled:,} more rows.",
            details={"n_labeled": n_labeled, "min_labeled_rows": min_labeled_rows},
        )
    frame[label] = y

    # Features: stray text in numeric columns, infinities.
    features = [c for c in frame.columns if c != label]
    for col in features:
        frame[col] = _clean_feature(frame[col], col, notes)

    n_unlabeled = int((~labeled_mask).sum())
    extra_pool = None
    if n_unlabeled:
        if unlabeled == "pool":
            extra_pool = frame.loc[~labeled_mask].reset_index(drop=True)
            notes.add("unlabeled_pool",
                      f"{n_unlabeled:,} rows have no label: kept as extra unlabeled pool. The simulation can only "
                      "query rows whose label it knows, so they add no simulated labels; they count toward the "
                      "production pool size.")
        else:
            notes.add("unlabeled_excluded",
                      f"{n_unlabeled:,} of {len(frame):,} rows have no label: left out of the simulation (they still "
                      "count toward the production pool size; to let self-training, density weighting and the "
                      "stopping signals use them, keep them as extra unlabeled pool).",
                      WARNING)
    labeled = frame.loc[labeled_mask].reset_index(drop=True)

    chosen_roles = _roles(labeled, label, roles)
    dropped: dict[str, str] = {}
    leaks = leaking_columns(labeled, label, [c for c, r in chosen_roles.items() if r in FEATURE_ROLES])
    if leaks:
        described = "; ".join(leak.describe() for leak in leaks.values())
        exact = all(leak.kind != "near_copy" and leak.coverage == 1.0 for leak in leaks.values())
        if leakage == "error":
            raise LeakageError(
                f"Column(s) leak the label: {described}. A model would score {'' if exact else 'nearly '}100% from "
                "them alone, so the simulation would say nothing about labeling.",
                hint=f"Remove {_names(list(leaks))} from the file, or let Labelwise drop it; if this column is the "
                     "real class, pick it as the label instead.", fix=Fix("leakage", ("drop",)),
                details={"columns": list(leaks), "kinds": {c: k.kind for c, k in leaks.items()},
                         "agreement": {c: round(k.agreement, 4) for c, k in leaks.items()},
                         "coverage": {c: round(k.coverage, 4) for c, k in leaks.items()}},
            )
        labeled = labeled.drop(columns=list(leaks))
        if extra_pool is not None:
            extra_pool = extra_pool.drop(columns=list(leaks))
        for c in leaks:
            dropped[c] = "leaks the label"
            chosen_roles.pop(c)
        notes.add("leakage_dropped", f"Dropped column(s) that leak the label: {described}.", WARNING)

    text_without_words(labeled, chosen_roles, notes)
    unused = {c: r for c, r in chosen_roles.items() if r not in FEATURE_ROLES}
    if not any(r in FEATURE_ROLES for r in chosen_roles.values()):
        reasons = [f"'{c}' is {r} ({_ROLE_REASONS.get(r, r)})" for c, r in unused.items()] + \
                  [f"'{c}' was dropped ({why})" for c, why in dropped.items()]
        listing = "; ".join(reasons[:10]) + (f"; and {len(reasons) - 10} more" if len(reasons) > 10 else "")
        raise NoFeaturesError(
            "No usable feature columns" + (f": {listing}." if listing else ": the table holds only the label."),
            hint="Add the columns a model should learn from; if a column's role was guessed wrongly, set it to "
                 "numeric, categorical or text.",
            details={"roles": dict(chosen_roles), "dropped": dict(dropped)},
        )
    if unused:
        notes.add("unused_columns", "Not used as features: " + "; ".join(
            f"'{c}' ({r}: {_ROLE_REASONS.get(r, r)})" for c, r in list(unused.items())[:10])
            + (f"; and {len(unused) - 10} more" if len(unused) > 10 else "") + ".")

    counts = labeled[label].value_counts()
    return CheckReport(
        frame=labeled, label=label, extra_pool=extra_pool, n_rows=n_rows, n_labeled=len(labeled),
        n_unlabeled=n_unlabeled, unlabeled=unlabeled, class_counts={str(k): int(v) for k, v in counts.items()},
        roles=chosen_roles, dropped_columns=dropped, changed_classes=changed, notes=notes,
    )


_RARE_MODE_DOING = {"merge": "merging them", "drop": "dropping them"}


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


def check_mode(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """Raise :class:`ConfigError` unless ``value`` is one of ``allowed`` (an intake option such as ``leakage``)."""
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)} (got {value!r}).",
                          hint=f"Use {name}={allowed[0]!r} (the default).")


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


def _clean_feature(s: pd.Series, col: str, notes: Notes) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        values = s.to_numpy(dtype=float)
        inf = np.isinf(values)
        with np.errstate(invalid="ignore"):
            extreme = np.isfinite(values) & (np.abs(values) >= EXTREME_VALUE)
        if inf.any():
            notes.add("inf_values", f"Column '{col}' has {int(inf.sum()):,} infinite value(s); they are treated as "
                                    "missing.", WARNING)
        if extreme.any():
            notes.add("extreme_values", f"Column '{col}' has {int(extreme.sum()):,} value(s) of {EXTREME_VALUE:.0e} "
                                        "or more in size, too large to compute with; they are treated as missing.",
                      WARNING)
        if inf.any() or extreme.any():
            return pd.Series(np.where(inf | extreme, np.nan, values), index=s.index, name=s.name)
        return s
    if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
        return s
    present = s.dropna()
    if present.empty:
        return s
    # Numbers are parsed once per distinct value; a sample rules out plain text columns quickly.
    head = pd.to_numeric(present.iloc[:2000].astype(str).str.strip(), errors="coerce")
    if head.notna().mean() < 0.25:
        return s
    codes, uniques = pd.factorize(present.astype(str).str.strip())
    parsed = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").to_numpy(dtype=float)
    text = pd.Series(np.asarray(uniques, dtype=object)[codes], index=present.index)
    as_num = pd.Series(parsed[codes], index=present.index)
    share = float(as_num.notna().mean())
    if share >= MIXED_NUMERIC_SHARE and share < 1.0:
        bad = text[as_num.isna()]
        examples = ", ".join(f"'{v}'" for v in bad.drop_duplicates().head(3))
        notes.add("mixed_types", f"Column '{col}' is numbers except {len(bad):,} text value(s) ({examples}); those "
                                 "are treated as missing.", WARNING)
        out = pd.Series(np.nan, index=s.index, dtype=float)
        out.loc[as_num.index] = as_num.to_numpy(dtype=float)
        return _clean_feature(out, col, notes)
    if share == 1.0:
        out = pd.Series(np.nan, index=s.index, dtype=float)
        out.loc[as_num.index] = as_num.to_numpy(dtype=float)
        return _clean_feature(out, col, notes)
    if share >= 0.3:
        notes.add("mixed_types", f"Column '{col}' mixes numbers ({share:.0%}) and text; it is used as categories, "
                                 "not as numbers.", WARNING)
    return s


def text_without_words(frame: pd.DataFrame, roles: dict[str, str], notes: Notes | None = None) -> list[str]:
    """Text columns in which no word appears in two rows: switch them to ``categorical`` in ``roles``.

    The text features (TF-IDF, see :class:`simulations.features.TextFeatures`) keep only words seen in at least
    :data:`~simulations.features.TEXT_MIN_DF` rows; with none, no word links two rows, so as text the column
    gives a model nothing to generalize from (the engine would fall back to keeping every word). Intake uses it
    as categories instead, and says so.
    Returns the columns switched.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    switched = []
    for col in [c for c, r in roles.items() if r == "text"]:
        docs = frame[col].fillna("").astype(str).tolist()
        try:
            CountVectorizer(min_df=TEXT_MIN_DF).fit(docs)
            continue
        except ValueError:  # "empty vocabulary" or "no terms remain" after pruning
            roles[col] = "categorical"
            switched.append(col)
    if switched and notes is not None:
        notes.add("text_without_words", f"No word appears in two rows of {_names(switched)}: used as categories, "
                                         "not as text.", WARNING)
    return switched


def _roles(frame: pd.DataFrame, label: str, overrides: dict[str, str] | None) -> dict[str, str]:
    chosen = infer_roles(frame, label)
    for col, role in (overrides or {}).items():
        if col not in chosen:
            raise ColumnNotFoundError(f"Cannot set the role of '{col}': no such feature column.",
                                      hint=_suggest(col, list(chosen)), details={"columns": [col]})
        if role not in ROLES:
            raise RoleError(f"Unknown column role '{role}' for '{col}'.", hint=f"Use one of: {', '.join(ROLES)}.",
                            details={"column": col, "role": role})
        chosen[col] = role
    return chosen
