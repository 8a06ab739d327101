"""``Dataset.validate`` raises intake's typed errors, with intake's text, for the label problems both detect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulations.datasets import Dataset
from simulations.errors import DataError
from simulations.intake import (
    MIN_CLASS_ROWS,
    EmptyLabelError,
    IntakeError,
    RareClassError,
    TooFewClassesError,
    check_table,
)


def frame(labels: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x": rng.normal(size=len(labels)), "colour": rng.choice(["r", "g"], len(labels)),
                         "label": labels})


def both(df: pd.DataFrame, min_rows: int, cls: type[IntakeError]) -> tuple[IntakeError, IntakeError]:
    """The error of intake's check and of Dataset.validate on the same rows, with the same class threshold."""
    with pytest.raises(cls) as from_intake:
        check_table(df, "label", min_class_rows=min_rows, min_labeled_rows=1)
    with pytest.raises(cls) as from_api:
        ds = Dataset.from_frame(df, "label")  # validates with the default threshold, 3 rows per class
        ds.validate(min_per_class=min_rows)
    return from_intake.value, from_api.value


def assert_same(a: IntakeError, b: IntakeError) -> None:
    assert (a.code, a.message, a.hint, a.details) == (b.code, b.message, b.hint, b.details)
    assert isinstance(b, DataError)  # existing callers catching DataError still catch it


def test_one_class_is_intakes_too_few_classes_error():
    a, b = both(frame(["spam"] * 30), 3, TooFewClassesError)
    assert_same(a, b)
    assert b.message == "The label column 'label' has only the class 'spam' among 30 labeled rows; a classifier " \
                        "needs at least 2 classes."


def test_class_too_small_at_build_time_is_intakes_rare_class_error():
    a, b = both(frame(["a"] * 20 + ["b"] * 20 + ["c"] * 2 + ["d"]), 3, RareClassError)
    assert_same(a, b)
    assert "'c' (2 rows), 'd' (1 row); each class needs at least 3 labeled rows" in b.message
    assert b.details["classes"] == {"c": 2, "d": 1}


def test_validate_with_intakes_threshold_gives_intakes_message():
    df = frame(["a"] * 20 + ["b"] * 20 + ["c"] * 4)  # fine for from_frame (3 per class), rare for intake (5)
    a, b = both(df, MIN_CLASS_ROWS, RareClassError)
    assert_same(a, b)


def test_no_labeled_row_is_intakes_empty_label_error():
    df = frame(["a"] * 10)
    df["label"] = None
    with pytest.raises(EmptyLabelError) as from_intake:
        check_table(df, "label")
    with pytest.raises(EmptyLabelError) as from_api:
        Dataset.from_frame(df, "label")
    assert_same(from_intake.value, from_api.value)
