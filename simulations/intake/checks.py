"""Checks on a table and its label column before a simulation, and the fixes a user can choose.

:func:`check_table` raises a typed error for every blocking problem and returns a :class:`CheckReport`
with the cleaned rows and notes for everything it changed (mixed-type columns coerced, inf replaced by
missing, unlabeled rows excluded or kept as pool, rare classes merged, leaking columns dropped on request).

The label helpers are in :mod:`simulations.intake.labels` and the leakage rule in :mod:`simulations.intake.leakage`;
their names are re-exported here, so ``from simulations.intake.checks import ...`` keeps working.
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
from simulations.intake.columns import MAX_COLUMNS, _check_width, _names, _suggest
from simulations.intake.errors import (
    ColumnNotFoundError,
    DuplicateColumnError,
    Fix,
    LabelColumnError,
    LeakageError,
    NoFeaturesError,
    RoleError,
    TooFewLabeledRowsError,
    TooManyClassesError,
)
from simulations.intake.labels import (
    MAX_NUMERIC_CLASSES,
    MIN_CLASS_ROWS,
    MIN_LABELED_ROWS,
    _case_variants,
    _numeric_label,
    bin_label,
    class_names,
    continuous_label_error,
    drop_rare_classes,
    merge_rare_classes,
    numbers_in_text,
    rare_class_outcomes,
    rare_classes,
)
from simulations.intake.leakage import (
    LEAK_MIN_AGREEMENT,
    LEAK_MIN_CLASS_ROWS,
    LEAK_MIN_COVERAGE,
    LEAK_MIN_ROWS,
    LEAK_MIN_SHARE,
    Leak,
    find_leaking_columns,
    leaking_columns,
)
from simulations.intake.messages import empty_label_error, rare_class_error, too_few_classes_error, too_small_error
from simulations.intake.report import WARNING, Notes

# This module's names and those it re-exports from labels and leakage (callers import them from here).
__all__ = [
    "EXTREME_VALUE",
    "LABEL_TYPES",
    "LEAKAGE_MODES",
    "LEAK_MIN_AGREEMENT",
    "LEAK_MIN_CLASS_ROWS",
    "LEAK_MIN_COVERAGE",
    "LEAK_MIN_ROWS",
    "LEAK_MIN_SHARE",
    "MAX_NUMERIC_CLASSES",
    "MIN_CLASS_ROWS",
    "MIN_LABELED_ROWS",
    "MIXED_NUMERIC_SHARE",
    "RARE_CLASS_MODES",
    "UNLABELED_MODES",
    "CheckReport",
    "Leak",
    "bin_label",
    "check_mode",
    "check_table",
    "class_names",
    "continuous_label_error",
    "drop_rare_classes",
    "find_leaking_columns",
    "leaking_columns",
    "merge_rare_classes",
    "numbers_in_text",
    "rare_class_outcomes",
    "rare_classes",
    "text_without_words",
]

#: A text column whose non-missing values are at least this share numbers is a numeric column with stray text.
MIXED_NUMERIC_SHARE = 0.95
#: Numbers this large (in absolute value) overflow the feature scaling (squares exceed the float range): they
#: are treated as missing, like infinities. The engine's own threshold, so the warning matches what it does.
EXTREME_VALUE = MAX_ABS_NUMBER

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

def check_mode(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """Raise :class:`ConfigError` unless ``value`` is one of ``allowed`` (an intake option such as ``leakage``)."""
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)} (got {value!r}).",
                          hint=f"Use {name}={allowed[0]!r} (the default).")

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
