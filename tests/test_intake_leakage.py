"""The label-leak rule: copies and recodings of the label, exact or nearly, on all rows or only part of them, are
caught; strong but honest features are not (docs/intake.md, "Why a leaking column is an error by default")."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulations.intake import LeakageError, check_table, leaking_columns, load_user_dataset
from simulations.intake.checks import LEAK_MIN_AGREEMENT, LEAK_MIN_CLASS_ROWS, LEAK_MIN_ROWS, LEAK_MIN_SHARE


def base(n: int = 800, seed: int = 0, p: tuple[float, ...] = (0.5, 0.5)) -> pd.DataFrame:
    """A 2-class table with two weak honest features (and enough rows for every rule)."""
    rng = np.random.default_rng(seed)
    y = rng.choice(["p", "q"], size=n, p=list(p))
    return pd.DataFrame({"a": rng.normal(size=n) + 0.5 * (y == "p"), "b": rng.choice(["u", "v", "w"], n), "y": y})


def flip(y: pd.Series, share: float, seed: int) -> pd.Series:
    """``y`` with a random ``share`` of its rows swapped to the other class (two classes p/q)."""
    rng = np.random.default_rng(seed)
    out = y.copy()
    mask = rng.random(len(y)) < share
    out[mask] = np.where(y[mask] == "p", "q", "p")
    return out


# --- leaks the old rule missed ----------------------------------------------------------------------------------------

def test_copy_present_on_part_of_the_rows_is_a_leak():
    df = base()
    rng = np.random.default_rng(1)
    df["y_copy"] = df["y"].where(rng.random(len(df)) > 0.2)  # about 80% of rows, as in the trial's file
    leaks = leaking_columns(df, "y")
    assert list(leaks) == ["y_copy"] and leaks["y_copy"].kind == "identical"
    assert 0.75 < leaks["y_copy"].coverage < 0.85 and leaks["y_copy"].agreement == 1.0
    with pytest.raises(LeakageError) as info:
        check_table(df, "y")
    assert info.value.code == "leakage" and info.value.details["columns"] == ["y_copy"]
    assert "where it has a value" in info.value.message
    rep = check_table(df, "y", leakage="drop")
    assert "y_copy" not in rep.frame.columns and rep.dropped_columns == {"y_copy": "leaks the label"}


def test_copy_with_one_percent_disagreement_is_a_near_copy():
    df = base()
    df["status_final"] = flip(df["y"], 0.01, seed=2)
    leak = leaking_columns(df, "y")["status_final"]
    assert leak.kind == "near_copy" and LEAK_MIN_AGREEMENT <= leak.min_class_agreement < 1.0
    assert leak.mapping == {"p": "'p'", "q": "'q'"} or leak.mapping == {"q": "'q'", "p": "'p'"}
    with pytest.raises(LeakageError) as info:
        check_table(df, "y")
    assert "agrees with the label on 9" in info.value.message and "nearly 100%" in info.value.message
    assert info.value.details["kinds"] == {"status_final": "near_copy"}
    assert 0.98 <= info.value.details["agreement"]["status_final"] < 1.0


def test_noisy_numeric_codes_with_a_stray_value_leak():
    df = base()
    rng = np.random.default_rng(3)
    codes = flip(df["y"], 0.005, seed=4).map({"p": 1.0, "q": 2.0})
    codes[rng.random(len(df)) < 0.005] = 9.0  # a stray "unknown" code on a few rows
    codes[rng.random(len(df)) < 0.3] = np.nan
    df["y_code"] = codes
    leak = leaking_columns(df, "y")["y_code"]
    assert leak.kind == "near_copy" and set(leak.mapping.values()) == {"1", "2"}


def test_codes_written_as_text_or_numbers_are_one_value():
    df = base()
    # '1', 1 and 1.0 are the same class code, as they are for the label itself.
    df["mixed"] = pd.Series([v if i % 3 else str(int(v)) for i, v in enumerate(df["y"].map({"p": 1.0, "q": 0.0}))],
                            dtype=object)
    assert leaking_columns(df, "y")["mixed"].kind == "recoding"


def test_partial_leak_rows_and_share_minimums():
    n = 400
    df = base(n)
    df["few"] = df["y"].where(np.arange(n) < LEAK_MIN_ROWS - 5)  # 25 rows (6%): too few either way
    df["enough"] = df["y"].where(np.arange(n) < int(LEAK_MIN_SHARE * n) + 1)  # 81 rows, just over 20%
    df["under_share"] = df["y"].where(np.arange(n) < int(LEAK_MIN_SHARE * n) - 1)  # 79 rows, under 20%
    assert set(leaking_columns(df, "y")) == {"enough"}
    small = base(100)
    small["half"] = small["y"].where(np.arange(100) < 25)  # 25% of rows but only 25 rows: could match by chance
    small["most"] = small["y"].where(np.arange(100) < 92)  # 92%: judged whatever the count (the old rule)
    assert set(leaking_columns(small, "y")) == {"most"}


# --- strong but honest features are not leaks -------------------------------------------------------------------------

def test_numeric_feature_separating_classes_by_a_threshold_is_not_a_leak():
    rng = np.random.default_rng(5)
    df = base()
    score = np.where(df["y"] == "p", 1.0, -1.0) + rng.normal(scale=0.6, size=len(df))
    df["score"] = score.round(3)
    accuracy = float(((score > 0) == (df["y"] == "p")).mean())
    assert 0.93 < accuracy < 0.97  # a strong feature: about 95% right by a threshold
    df["score_binned"] = np.where(score > 0, 1, 0)  # the same, cut into two codes
    assert leaking_columns(df, "y") == {}
    check_table(df, "y")  # loads


def test_categorical_with_many_mostly_pure_levels_is_not_a_leak():
    rng = np.random.default_rng(6)
    df = base(1000)
    # 40 levels, each 90% one class; and 200 small levels that are each 100% one class.
    level = rng.integers(0, 40, len(df))
    major = np.where(level % 2 == 0, "p", "q")
    df["y"] = np.where(rng.random(len(df)) < 0.9, major, np.where(major == "p", "q", "p"))
    df["shop"] = [f"shop_{i}" for i in level]
    df["customer"] = [f"c{(i // 2) * 2 + (lab == 'q')}" for i, lab in zip(rng.integers(0, 400, len(df)), df["y"],
                                                                          strict=True)]
    assert leaking_columns(df, "y") == {}


def test_binary_feature_agreeing_on_96_percent_is_not_a_leak():
    df = base()
    df["strong"] = flip(df["y"], 0.04, seed=7)
    leaks = leaking_columns(df, "y")
    assert leaks == {}
    df["strong"] = flip(df["y"], 0.005, seed=7)  # the same column with 99.5% agreement is one
    assert set(leaking_columns(df, "y")) == {"strong"}


def test_imbalanced_label_needs_agreement_in_every_class():
    # 95% of rows are 'q'. A flag on 70% of the 'p' rows and almost no 'q' rows agrees with the label on over
    # 98% of all rows, but misses 30% of one class: a good feature, not a copy.
    rng = np.random.default_rng(8)
    df = base(2000, p=(0.05, 0.95))
    is_p = (df["y"] == "p").to_numpy()
    df["flag"] = np.where(is_p, rng.random(len(df)) < 0.7, rng.random(len(df)) < 0.001)
    assert float((df["flag"] == is_p).mean()) > LEAK_MIN_AGREEMENT
    assert leaking_columns(df, "y") == {}


def test_a_constant_or_shared_value_is_never_a_mapping():
    df = base()
    df["const"] = "x"  # every class's most common value is the same one
    df["almost"] = np.where(np.arange(len(df)) < 3, "z", "x")
    assert leaking_columns(df, "y") == {}


def test_trial_files_through_load_user_dataset(tmp_path):
    df = base()
    df["status_final"] = flip(df["y"], 0.01, seed=9)
    path = tmp_path / "leak_noisy.csv"
    df.to_csv(path, index=False)
    with pytest.raises(LeakageError) as info:
        load_user_dataset(path, "y")
    assert info.value.code == "leakage" and info.value.fix.keyword() == "leakage='drop'"
    assert "drop it" in info.value.hint and "=" not in info.value.hint  # plain words; each front end adds its syntax
    ds, rep = load_user_dataset(path, "y", leakage="drop")
    assert "status_final" not in ds.frame.columns and "leakage_dropped" in rep.notes.codes


# --- the mapping must hold both ways, on enough rows per class -------------------------------------------------------

def rare_class_table(n: int, n_rare: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` rows, ``n_rare`` of them class 'fraud' (shuffled), one honest numeric feature; and the fraud mask."""
    rng = np.random.default_rng(seed)
    y = np.array(["fraud"] * n_rare + ["ok"] * (n - n_rare))
    rng.shuffle(y)
    return pd.DataFrame({"y": y, "amount": rng.gamma(2, 50, n).round(2)}), y == "fraud"


def test_screening_flag_that_marks_every_rare_row_and_a_few_others_is_not_a_leak():
    # The reviewer's file: 20 fraud rows in 2,000; a flag on every fraud row and on 1.5% of the others. Each class
    # has its own value on >= 98% of its rows, but 60% of the flagged rows are legitimate: a feature, not a copy.
    df, is_f = rare_class_table(2000, 20, seed=1)
    rng = np.random.default_rng(1)
    df["flag"] = np.where(is_f, 1, (rng.random(len(df)) < 0.015).astype(int))
    flagged = df["flag"] == 1
    assert flagged[is_f].all() and (~flagged[~is_f]).mean() >= LEAK_MIN_AGREEMENT  # one value per class at 98%
    assert is_f[flagged].mean() < 0.5  # ... but not the other way round
    assert leaking_columns(df, "y") == {}
    check_table(df, "y")  # loads


def test_class_with_one_judged_row_is_no_evidence():
    # A sparse column: 249 'web' on 'stay' rows and 1 'phone' on a 'churn' row. A class of one row always matches.
    rng = np.random.default_rng(0)
    n = 1000
    y = np.where(rng.random(n) < 0.5, "churn", "stay")
    channel = np.full(n, None, dtype=object)
    channel[np.flatnonzero(y == "stay")[:249]] = "web"
    channel[np.flatnonzero(y == "churn")[:1]] = "phone"
    df = pd.DataFrame({"label": y, "x1": rng.normal(size=n), "channel": channel})
    assert leaking_columns(df, "label") == {}
    check_table(df, "label")  # loads


def test_noisy_copy_of_a_small_class_is_a_leak_when_its_rows_suffice():
    # 60 fraud rows in 2,000: a copy that misses one fraud row and marks one legitimate row agrees 59/60 both ways.
    df, is_f = rare_class_table(2000, 60, seed=2)
    copy = is_f.astype(int)
    copy[np.flatnonzero(is_f)[0]] = 0
    copy[np.flatnonzero(~is_f)[0]] = 1
    df["chargeback"] = copy
    leak = leaking_columns(df, "y")["chargeback"]
    assert leak.kind == "near_copy"
    assert leak.min_class_agreement == pytest.approx(59 / 60) and leak.min_value_precision == pytest.approx(59 / 60)
    with pytest.raises(LeakageError):
        check_table(df, "y")
    # A second wrong row in each direction drops it under 98% both ways (58/60): no longer a copy.
    copy[np.flatnonzero(is_f)[1]] = 0
    copy[np.flatnonzero(~is_f)[1]] = 1
    df["chargeback"] = copy
    assert leaking_columns(df, "y") == {}


def test_an_exact_full_copy_leaks_whatever_the_class_sizes_a_partial_or_noisy_one_needs_rows():
    # a copy of the label on every row is a copy, even with a class of 6 rows (the old rule caught it too)
    for n_rare in (LEAK_MIN_CLASS_ROWS, LEAK_MIN_CLASS_ROWS - 1, 6):
        df, is_f = rare_class_table(600, n_rare, seed=3)
        df["copy"] = df["y"]
        assert leaking_columns(df, "y")["copy"].kind == "identical", n_rare
        # one disagreement in the small class: a near copy needs the minimum rows to be told from chance
        near = df["y"].copy()
        near.iloc[np.flatnonzero(is_f)[0]] = near[~is_f].iloc[0]
        df["copy"] = near
        assert ("copy" in leaking_columns(df, "y")) is (n_rare >= LEAK_MIN_CLASS_ROWS
                                                        and (n_rare - 1) / n_rare >= LEAK_MIN_AGREEMENT), n_rare
    # an exact copy on only part of the rows, with a class of under the minimum judged rows: no evidence
    df, is_f = rare_class_table(600, LEAK_MIN_CLASS_ROWS - 1, seed=3)
    df["half"] = df["y"].where(np.arange(600) % 2 == 0)
    assert "half" not in leaking_columns(df, "y")
    # Judged rows count, not labeled rows: a copy filled on only 10 of 40 fraud rows and half of the others is not
    # judged; the same copy on every other row (95% of rows) is exact on nearly all of the table: a leak.
    df, is_f = rare_class_table(600, 40, seed=4)
    few_fraud = ~is_f | (np.cumsum(is_f) <= 10)
    df["partial"] = df["y"].where(few_fraud & (np.arange(600) % 2 == 0))
    assert leaking_columns(df, "y") == {}
    df["partial"] = df["y"].where(few_fraud)
    assert leaking_columns(df, "y")["partial"].kind == "identical"


def test_minimum_class_rows_bounds_the_chance_of_an_honest_match():
    # The documented reason for LEAK_MIN_CLASS_ROWS: a value right on at most 80% of a class's rows reaches the 98%
    # on a class of any size from the minimum up with probability under 5% (exact binomial tail).
    def tail(n: int, p: float = 0.8) -> float:
        need = math.ceil(LEAK_MIN_AGREEMENT * n - 1e-9)
        return sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(need, n + 1))

    assert max(tail(n) for n in range(LEAK_MIN_CLASS_ROWS, 400)) < 0.05
    assert tail(LEAK_MIN_CLASS_ROWS - 2) > 0.05  # much fewer rows would not give that bound
