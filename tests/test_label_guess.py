"""The default label column (simulations.intake.label_guess) and the error for a measured number picked as label."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulations.cli import cli_fix
from simulations.datasets import SAMPLES, load_sample_frame
from simulations.intake import ContinuousLabelError, Fix, check_table, label_guess, load_user_dataset
from simulations.intake.checks import MAX_NUMERIC_CLASSES
from simulations.intake.label_guess import guess_label_column, label_problem
from simulations.sweep.tasks import _sweep_fix

N = 600


def _frame(n: int = N, seed: int = 0) -> pd.DataFrame:
    """A table as exported: features, a text class column, and a price (1 decimal place of cents) last."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "amount": rng.normal(50, 10, n).round(3),
        "category": rng.choice(["books", "toys", "garden"], n),
        "clicks": rng.integers(0, 9, n),
        "price": rng.gamma(2.0, 30.0, n).round(2),
    })


def test_a_price_last_is_never_the_default_an_earlier_category_is():
    frame = _frame()
    assert frame["price"].nunique() > 300 and guess_label_column(frame) == "category"
    assert label_problem(frame["price"]).startswith("a measured number (")
    # Without a label-like name, the text classes still win over the price (and over the small integer codes).
    assert guess_label_column(frame.rename(columns={"category": "segment"})) == "segment"


def test_numeric_columns_only_the_small_integer_code_column_is_the_label():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"code": rng.integers(1, 5, N), "width": rng.normal(size=N), "height": rng.normal(size=N),
                          "weight": rng.gamma(2.0, 3.0, N)})
    assert guess_label_column(frame) == "code"
    assert guess_label_column(frame.assign(code=frame["code"].astype(float))) == "code"  # 1.0, 2.0: still codes
    # A few fractions are not class codes.
    assert label_problem(pd.Series(rng.choice([0.5, 1.5, 2.5], N))) == "numbers with fractions, not class codes"


@pytest.mark.parametrize("written", ["{:.2f}", "${:,.2f}", "{:,.2f} ", "€{:.2f}", "{:.1f}%"])
def test_prices_written_as_text_are_measured_numbers(written):
    frame = _frame()
    frame["price"] = [written.format(v * 100) for v in frame["price"]]  # "1234.50", "$1,234.50", ...
    assert not pd.api.types.is_numeric_dtype(frame["price"]) and guess_label_column(frame) == "category"
    assert label_problem(frame["price"]).startswith("a measured number (")
    # Intake reads them as numbers too, so it gives the same verdict as the guess.
    with pytest.raises(ContinuousLabelError):
        check_table(frame, "price")


def test_id_columns_are_never_the_label_whatever_their_name():
    frame = _frame().assign(label=[f"order-{i:05d}" for i in range(N)], row=np.arange(N))
    assert guess_label_column(frame) == "category"
    assert label_problem(frame["label"]).endswith("an id or free text")
    small = pd.DataFrame({"id": list("abcdefghij"), "kind": list("xxyyxxyyxy")})  # 10 rows: under intake's limit
    assert label_problem(small["id"]) == "a different value on every row" and guess_label_column(small) == "kind"


def test_no_usable_column_gives_none():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({
        "id": [f"c{i}" for i in range(N)],
        "price": rng.gamma(2.0, 30.0, N).round(2),
        "country": "NL",  # constant
        "note": [None] * (N - 20) + ["a", "b"] * 10,  # mostly empty: 20 of 600 rows
        "empty": np.nan,
    })
    assert guess_label_column(frame) is None
    problems = [label_problem(frame[c]) for c in ("country", "note", "empty")]
    assert problems == ["one value only", "mostly empty", "empty"]
    assert guess_label_column(frame.iloc[:, :0]) is None


def test_label_like_names_match_any_case_but_not_when_continuous():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"label": rng.normal(size=N), "Target": rng.gamma(2.0, 1.0, N), "CLASS": rng.random(N),
                          "segment": rng.choice(["a", "b"], N), "z": rng.normal(size=N)})
    assert guess_label_column(frame) == "segment"  # each named column is a measured number
    # A named column that does look like classes wins over a later class-like column, whatever the case.
    assert guess_label_column(frame.assign(Target=rng.choice(["yes", "no"], N))) == "Target"
    assert guess_label_column(frame.assign(CLASS=rng.integers(0, 3, N))) == "CLASS"
    assert guess_label_column(frame.assign(y=rng.choice(["p", "q"], N))) == "y"


def test_a_label_with_unlabeled_rows_is_still_the_label_but_not_a_sparse_column():
    rng = np.random.default_rng(4)
    n = 2000
    frame = pd.DataFrame({"x": rng.normal(size=n), "label": rng.choice(["a", "b"], n).astype(object)})
    frame.loc[200:, "label"] = None  # 200 labeled rows, 1,800 to label (an unlabeled pool)
    assert guess_label_column(frame) == "label"
    frame.loc[50:, "label"] = None  # 50 labeled rows of 2,000: fewer than a simulation needs
    assert label_problem(frame["label"]) == "mostly empty" and guess_label_column(frame) is None


@pytest.mark.parametrize("n_codes", [MAX_NUMERIC_CLASSES, MAX_NUMERIC_CLASSES + 1])
def test_the_distinct_values_limit_is_intakes(n_codes):
    rng = np.random.default_rng(5)
    n = 20 * n_codes
    frame = pd.DataFrame({"x": rng.normal(size=n), "w": rng.normal(size=n),
                          "group": np.arange(n) % n_codes + 100})  # whole-number codes, 20 rows each
    accepted = n_codes <= MAX_NUMERIC_CLASSES
    assert (guess_label_column(frame) == "group") is accepted
    assert (label_problem(frame["group"]) is None) is accepted
    assert (label_problem(frame["group"].astype(str)) is None) is accepted  # the same numbers as text
    if accepted:
        assert len(check_table(frame, "group").class_counts) == n_codes  # intake takes it as classes
    else:
        with pytest.raises(ContinuousLabelError):
            check_table(frame, "group")


def test_text_classes_up_to_intakes_limit():
    n = 100
    many = pd.Series([f"c{i % 50}" for i in range(n)])  # 50 values of 2 rows: n // 2, intake's limit
    assert label_problem(many) is None
    assert label_problem(pd.Series([f"c{i % 51}" for i in range(n)])).endswith("an id or free text")
    # Among accepted columns, few classes of at least 5 rows each look more like a label than many small ones.
    frame = pd.DataFrame({"kind": [f"k{i % 4}" for i in range(n)], "tag": many})
    assert guess_label_column(frame) == "kind"


def test_later_column_breaks_ties():
    frame = pd.DataFrame({"first": list("ab") * 60, "second": list("xyz") * 40})
    assert guess_label_column(frame) == "second"
    assert guess_label_column(frame[["second", "first"]]) == "first"


def test_every_shipped_sample_gets_its_own_label():
    for name, info in SAMPLES.items():
        assert guess_label_column(load_sample_frame(name)) == info.label, name


def test_large_tables_are_judged_on_a_sample(monkeypatch):
    frame = _frame(3000)
    monkeypatch.setattr(label_guess, "GUESS_ROWS", 500)
    assert guess_label_column(frame) == "category"


# ---- the error when a measured number is picked anyway ---------------------------------------------------------

def test_a_price_picked_as_label_says_pick_the_class_column_first_and_class_codes_second():
    frame = _frame()
    with pytest.raises(ContinuousLabelError) as err:
        check_table(frame, "price")
    e = err.value
    assert e.code == "continuous_label"
    assert "it looks like a measured number (e.g. a price), not a class" in e.message
    assert e.hint.startswith("Pick the column that holds the class ('category' looks like one). Only if these "
                             "numbers are codes of classes, read the label as categorical.")
    assert e.fix == Fix("label", ("category",), alternative=Fix("label_type", ("categorical",),
                                                                 only_if="these numbers are codes of classes"))
    assert e.details["suggested_label"] == "category"
    assert e.to_dict()["fix"] == {"option": "label", "values": ["category"], "only_if": "", "alternative": {
        "option": "label_type", "values": ["categorical"], "only_if": "these numbers are codes of classes",
        "alternative": None}}
    # Each front end words the same order: the label column, then the label type, only for codes.
    assert cli_fix(e) == ("On the command line: --label COLUMN (e.g. --label 'category'); only if these numbers "
                          "are codes of classes: --label-type categorical.")
    assert _sweep_fix(e) == ('In the sweep file: label = "category"; only if these numbers are codes of classes: '
                             'label_type = "categorical" in this dataset\'s entry.')


def test_with_no_class_column_the_fix_leaves_the_column_to_the_user():
    frame = _frame().drop(columns=["category", "clicks"])
    with pytest.raises(ContinuousLabelError) as err:
        load_user_dataset(frame.to_csv(index=False).encode(), "price")
    e = err.value
    assert e.hint.startswith("Pick the column that holds the class. Only if")
    assert e.fix.option == "label" and e.fix.values == () and e.fix.alternative.option == "label_type"
    assert cli_fix(e).startswith("On the command line: --label COLUMN; only if these numbers are codes of classes: ")


def test_a_fix_and_its_alternatives_are_worded_in_order_until_a_front_end_has_no_words():
    from simulations.intake.errors import Fix

    third = Fix("delimiter")
    second = Fix("label_type", ("categorical",), only_if="these numbers are codes of classes", alternative=third)
    fix = Fix("label", ("category",), alternative=second)
    words = {"label": "pick category", "label_type": "read as categorical"}
    def word(f):
        return words.get(f.option)

    assert fix.steps(word) == [("", "pick category"),
                                    ("these numbers are codes of classes", "read as categorical")]
    assert Fix("delimiter", alternative=fix).steps(word) == []  # no words for the first: nothing after it
