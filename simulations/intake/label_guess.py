"""Which column of a table most likely holds each row's class: the label a front end offers by default.

One rule for the dashboard's upload and any other caller (:func:`guess_label_column`). It judges a column the way
:func:`~simulations.intake.check_table` judges a label (the same reading of numbers, the same limit on how many
numbers can still be classes), so the column it offers is never one intake would refuse as a measurement or an
id. When no column qualifies it says so (None): a wrong default is worse than asking.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulations.intake.labels import MAX_NUMERIC_CLASSES, MIN_CLASS_ROWS, MIN_LABELED_ROWS, _numeric_label, class_names

#: Column names that usually hold the class, best first; compared with the whole name, ignoring case and spaces.
LABEL_NAMES = ("label", "labels", "class", "target", "category", "y", "outcome", "species")
#: Columns are judged on at most this many rows (a seeded random sample of larger tables), so a wide,
#: million-row upload gets its default quickly. A measurement shows far more than 20 values in that many rows; only
#: a column just over the limit whose extra values are very rare can look like classes here (intake then says so).
GUESS_ROWS = 50_000


def label_problem(values: pd.Series) -> str | None:
    """Why a column cannot be the label, in a few words, or None when it looks like a class label.

    A column qualifies when it holds at least 2 classes, some values repeated, as text (or true/false) or as
    whole-number codes, and intake would accept it as a label with its default ``label_type="auto"``.

    Parameters
    ----------
    values : Series, shape (n_rows,)
        One column of the table.

    Returns
    -------
    str or None
        E.g. "a measured number (1,419 different values)", "a different value on every row", "empty".
    """
    return _judge(values)[0]


def _judge(values: pd.Series) -> tuple[str | None, tuple[bool, bool]]:
    """(:func:`label_problem`, (few classes of enough rows each, text classes)): the latter ranks columns."""
    if pd.api.types.is_datetime64_any_dtype(values) or isinstance(values.dtype, pd.PeriodDtype):
        return "dates", (False, False)
    names = class_names(values)  # intake's reading: stripped text, NA markers missing, 3.0 -> "3"
    n_values = int(names.notna().sum())
    if n_values == 0:
        return "empty", (False, False)
    # A label may be missing on the rows still to label (an unlabeled pool), but a column filled in on fewer
    # rows than a simulation needs, and on under half of them, is a sparse feature.
    if n_values < min(MIN_LABELED_ROWS, len(values) / 2):
        return "mostly empty", (False, False)
    distinct = int(names.nunique())
    if distinct < 2:
        return "one value only", (False, False)
    numbers = _numeric_label(values, names)  # also numbers written as text, "$12.50", "1,419"
    if numbers is not None:
        # Intake's own limit: more distinct numbers than this are a measurement, not classes.
        if distinct > MAX_NUMERIC_CLASSES:
            return f"a measured number ({distinct:,} different values)", (False, False)
        present = numbers[~np.isnan(numbers)]
        with np.errstate(invalid="ignore"):
            if not np.all(np.mod(present, 1) == 0):
                return "numbers with fractions, not class codes", (False, False)
    elif distinct > max(MAX_NUMERIC_CLASSES, n_values // 2):  # intake's limit for text: an id or free text
        return f"{distinct:,} different values: an id or free text", (False, False)
    if distinct == n_values:
        return "a different value on every row", (False, False)
    few = distinct <= MAX_NUMERIC_CLASSES and n_values >= MIN_CLASS_ROWS * distinct
    return None, (few, numbers is None)


def guess_label_column(frame: pd.DataFrame) -> str | None:
    """The column most likely to hold each row's class, or None when no column looks like one.

    Rule, in order:

    1. A column named like a label (:data:`LABEL_NAMES`: label, class, target, category, y, outcome, species;
       whole name, any case), the first name of the list that qualifies.
    2. Else the column that looks most like a class label: 2 to 20 classes (intake's limit for numeric
       classes) with at least 5 rows each on average, then text before number codes, then the later column (a
       label is often the last column).
    3. Else None: the caller should ask for the column rather than offer one.

    A column never qualifies (:func:`label_problem`) when it is a number with more distinct values than intake
    accepts as classes (a price, numeric text such as "12.50" or "$12.50" included), has a different value on
    every row (an id), fractions, one value, or is empty or mostly empty, whatever its name.

    Parameters
    ----------
    frame : DataFrame
        The table as read (e.g. by :func:`~simulations.intake.read_table`).

    Returns
    -------
    str or None
        A column name (as text).
    """
    if frame.shape[1] == 0:
        return None
    if len(frame) > GUESS_ROWS:
        frame = frame.sample(n=GUESS_ROWS, random_state=0)
    columns = [str(c) for c in frame.columns]
    by_name = {c.strip().lower(): i for i, c in reversed(list(enumerate(columns)))}  # the first of equal names
    for name in LABEL_NAMES:
        i = by_name.get(name)
        if i is not None and label_problem(frame.iloc[:, i]) is None:
            return columns[i]
    best: tuple[bool, bool, int] | None = None
    for i in range(len(columns)):
        problem, (few, text) = _judge(frame.iloc[:, i])
        if problem is None and (best is None or (few, text, i) > best):
            best = (few, text, i)
    return None if best is None else columns[best[2]]
