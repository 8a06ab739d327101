"""Leakage: feature columns that copy or recode the label (:func:`leaking_columns`, :class:`Leak`).

The rule and its thresholds (:data:`LEAK_MIN_COVERAGE`, :data:`LEAK_MIN_ROWS`, :data:`LEAK_MIN_SHARE`,
:data:`LEAK_MIN_AGREEMENT`, :data:`LEAK_MIN_CLASS_ROWS`) are explained where they are defined and in docs/intake.md.
:func:`~simulations.intake.checks.check_table` refuses or drops what this finds; re-exported by
:mod:`simulations.intake.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulations.intake.labels import _class_name, _label_series, class_names

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

