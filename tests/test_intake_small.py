"""Files too small for any rare-class choice: intake says so plainly instead of offering merge or drop.

Merging the rare classes into 'other' or dropping them is offered (in the hint and as ``exc.fix``) only when it
leaves at least 2 classes and enough labeled rows; otherwise the error says what the file needs. The same
message reaches ``labelwise simulate`` and the dashboard.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulations.cli import main
from simulations.intake import (
    MIN_CLASS_ROWS,
    MIN_LABELED_ROWS,
    Fix,
    IntakeError,
    RareClassError,
    load_user_dataset,
    rare_class_outcomes,
)


def frame(sizes: dict[str, int], seed: int = 0) -> pd.DataFrame:
    """A table with ``sizes[c]`` rows of class c and two informative numeric features."""
    rng = np.random.default_rng(seed)
    y = np.repeat(list(sizes), list(sizes.values()))
    codes = pd.factorize(y)[0]
    return pd.DataFrame({"x1": rng.normal(size=len(y)) + codes, "x2": rng.normal(size=len(y)), "label": y})


def error(df: pd.DataFrame, **kw) -> IntakeError:
    with pytest.raises(IntakeError) as info:
        load_user_dataset(df.to_csv(index=False).encode(), "label", filename="f.csv", **kw)
    return info.value


@pytest.mark.parametrize("mode", ["error", "merge", "drop"])
def test_a_tiny_file_is_too_small_whatever_the_choice(mode):
    exc = error(frame({"a": 4, "b": 4, "c": 4}), rare_classes=mode)  # the trial's tiny.csv: 12 rows, 3 x 4
    assert exc.code == "too_few_labeled" and exc.fix is None  # nothing to choose: no choice is offered
    assert exc.message.startswith("The file is too small to simulate: 12 labeled rows in 3 classes")
    assert f"at least {MIN_LABELED_ROWS} labeled rows in 2 or more classes" in exc.message
    assert f"at least {MIN_CLASS_ROWS} rows in each class" in exc.message
    assert f"Label at least {MIN_LABELED_ROWS - 12} more rows" in exc.hint and "cannot help" in exc.hint
    assert "merge them" not in exc.hint and "'other'" not in exc.message


def test_many_rows_but_every_class_rare_is_too_few_classes():
    exc = error(frame({f"c{i}": 4 for i in range(40)}), rare_classes="merge")  # merged: one class 'other'
    assert exc.code == "too_few_classes" and exc.fix is None
    assert "too few classes big enough" in exc.message and "160 labeled rows in 40 classes" in exc.message
    assert "cannot help" in exc.hint


def test_only_merge_is_offered_when_dropping_leaves_one_class():
    df = frame({"big": 150, "x": 3, "y": 3})  # merged 'other' has 6 rows: kept; dropping leaves 'big' alone
    exc = error(df)
    assert isinstance(exc, RareClassError) and exc.fix == Fix("rare_classes", ("merge",))
    assert "merge them into one 'other' class" in exc.hint and "drop their rows" not in exc.hint
    assert "dropping them would leave only the class 'big'" in exc.hint
    assert error(df, rare_classes="drop").fix == Fix("rare_classes", ("merge",))  # the choice that fails says so
    ds, _ = load_user_dataset(df.to_csv(index=False).encode(), "label", filename="f.csv", rare_classes="merge")
    assert ds.class_counts.to_dict() == {"big": 150, "other": 6}


def test_both_choices_are_offered_when_both_work():
    exc = error(frame({"a": 80, "b": 70, "tiny": 2}))
    assert exc.fix == Fix("rare_classes", ("merge", "drop"))
    assert exc.hint == "Label more rows of these classes, merge them into one 'other' class, or drop their rows."


@pytest.mark.parametrize(("counts", "expected"), [
    ({"a": 4, "b": 4, "c": 4}, {"merge": "only the class 'other'", "drop": "no labeled rows"}),
    ({"big": 150, "x": 3}, {"merge": "only the class 'big'", "drop": "only the class 'big'"}),
    ({"big": 150, "x": 3, "y": 3}, {"merge": None, "drop": "only the class 'big'"}),
    ({"a": 60, "b": 34, "x": 3, "y": 3}, {"merge": None, "drop": "only 94 labeled rows (at least 100 needed)"}),
    ({"a": 60, "other": 50, "x": 1}, {"merge": None, "drop": None}),  # rare rows join an existing 'other'
])
def test_rare_class_outcomes_match_what_intake_does(counts, expected):
    assert rare_class_outcomes(counts) == expected
    df = frame(counts)
    for mode, why in expected.items():
        if why is None:  # what the outcome calls usable really loads
            ds, _ = load_user_dataset(df.to_csv(index=False).encode(), "label", filename="f.csv", rare_classes=mode)
            assert len(ds.class_counts) >= 2
        else:
            assert error(df, rare_classes=mode).code in ("rare_class", "too_few_labeled", "too_few_classes")


def test_the_command_line_says_too_small_without_offering_flags(tmp_path, capsys):
    path = tmp_path / "tiny.csv"
    frame({"a": 4, "b": 4, "c": 4}).to_csv(path, index=False)
    code = main(["simulate", "--data", str(path), "--label", "label", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "too small to simulate" in err and "--rare-classes" not in err
