"""The live check on curves that fall, headers with other names, and money in the advice text."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from simulations.cli import main
from simulations.errors import DataError
from simulations.stopping import check_live, load_curve_csv, validate_curve
from simulations.stopping.advice import FALL_MIN_DROP, _saves, detect_decline

X = np.array([50, 100, 150, 200, 300, 400, 500, 600], dtype=float)


def rising(n: int = 8, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    return 0.92 - 0.25 * np.exp(-X[:n] / 150) + np.random.default_rng(seed).normal(0, noise, n)


# ---- a falling score ------------------------------------------------------------------------------------------
def test_a_falling_curve_is_not_a_plateau_and_says_stop_and_investigate_with_the_evidence():
    df = pd.DataFrame({"labels": [50, 100, 150, 200, 300], "metric": [0.90, 0.80, 0.70, 0.60, 0.50]})
    r = check_live(df, cost_per_label=2.0, value_per_point=1000.0)
    assert r.verdict == "falling" and "investigate" in r.headline.lower()
    assert "plateau" not in r.reason.lower() and r.plateau is False
    # the evidence: the peak, the latest score, the drop and the likely causes
    for words in ("90.0% at 50 labels", "50.0% at 300 labels", "-40.0 points", "4 rounds", "label", "drift"):
        assert words in r.reason
    assert r.more_labels == 0.0 and r.stop_at is None and r.projected_metric is None and r.fit is None
    assert r.decline is not None and r.decline.drop == pytest.approx(0.40)
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert d["verdict"] == "falling" and d["decline"]["peak_labels"] == 50 and d["decline"]["rounds_since_peak"] == 4


def test_a_falling_curve_is_reported_without_costs_but_a_rising_one_needs_them():
    from simulations.stopping import CostInputError

    down = pd.DataFrame({"labels": [50, 100, 150, 200, 300], "metric": [0.90, 0.80, 0.70, 0.60, 0.50]})
    r = check_live(down, cost_per_label=2.0, value_per_point=0.0)  # "label costs only" on the Plan page
    assert r.verdict == "falling" and r.criteria == []
    json.dumps(r.to_dict(), allow_nan=False)
    up = pd.DataFrame({"labels": X, "metric": rising()})
    with pytest.raises(CostInputError):
        check_live(up, cost_per_label=2.0, value_per_point=0.0)


def test_a_rise_then_a_sustained_fall_is_falling_even_with_few_rounds():
    y = [0.70, 0.80, 0.84, 0.81, 0.78]  # peak at 150 labels, then two lower rounds, 6 points down
    r = check_live(pd.DataFrame({"labels": X[:5], "metric": y}), 1.0, 500.0)
    assert r.verdict == "falling"
    assert "84.0% at 150 labels" in r.reason and "2 rounds" in r.reason
    # three rounds only (too early for a projection) but already clearly falling
    r3 = check_live(pd.DataFrame({"labels": X[:3], "metric": [0.9, 0.8, 0.7]}), 1.0, 500.0)
    assert r3.verdict == "falling"


def test_small_dips_and_noise_are_not_called_falling():
    # a plateau whose last rounds sit a point below its best: noise, not a fall
    y = rising()
    y[-3:] = y[-4] - np.array([0.004, 0.01, 0.008])
    assert detect_decline(X, y) is None
    r = check_live(pd.DataFrame({"labels": X, "metric": y}), 1.0, 500.0)
    assert r.verdict != "falling" and r.decline is None
    assert "gained -" not in r.reason  # a negative change is not called a gain
    # one low round of 3 points is noise; the same drop sustained over two rounds is a fall
    one = np.r_[rising(7), rising(7)[-1] - 0.03]
    assert detect_decline(X, one) is None
    two = np.r_[rising(6), rising(6)[-1] - 0.03, rising(6)[-1] - 0.03]
    assert detect_decline(X, two) is not None
    # but a one-round crash is a fall
    crash = np.r_[rising(7), rising(7)[-1] - 0.15]
    assert detect_decline(X, crash) is not None


def test_the_fall_threshold_grows_with_the_curves_noise():
    saw = np.array([0.5, 0.62, 0.55, 0.66, 0.58, 0.70, 0.60, 0.74, 0.62])  # zig-zag of about 10 points
    assert detect_decline(np.arange(1, 10) * 50.0, saw) is None
    smooth = np.array([0.5, 0.55, 0.60, 0.65, 0.70, 0.72, 0.74, 0.66, 0.62])  # the same last drop, no zig-zag
    d = detect_decline(np.arange(1, 10) * 50.0, smooth)
    assert d is not None and d.threshold == pytest.approx(FALL_MIN_DROP)


def test_a_rising_curve_is_unchanged():
    assert check_live(pd.DataFrame({"labels": X, "metric": rising(noise=0.002)}), 1.0, 500.0).verdict != "falling"


# ---- money in the text --------------------------------------------------------------------------------------
def test_no_amount_is_printed_with_the_sign_after_the_dollar(capsys, tmp_path):
    # drifting down by one point over 8 rounds (within the noise allowance): the fitted curve slopes down, so
    # the next label's value is negative; it was printed as "$-7.56 of value"
    path = tmp_path / "c.csv"
    pd.DataFrame({"labels": X, "metric": np.linspace(0.80, 0.79, 8)}).to_csv(path, index=False)
    assert main(["stop", "--curve", str(path), "--cost-per-label", "2", "--value-per-point", "1000"]) == 0
    out = capsys.readouterr().out
    assert "$-" not in out and "Stop now." in out and "adds no value" in out
    assert "plateaued" not in out and "stopped improving" in out
    assert "costs $5 more" in _saves(-5.0) and _saves(12.0) == "saves $12"


# ---- header names -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("labels", "metric"),
    [("n_labels", "accuracy"), ("Num Labels", "Val-Accuracy"), ("size", "f1"), ("n_labeled", "score"),
     ("labels", "Macro F1")],
)
def test_common_header_names_are_accepted(labels, metric):
    df = pd.DataFrame({labels: [50, 100, 150], metric: [0.7, 0.78, 0.82]})
    clean, notes = validate_curve(df)
    assert list(clean.columns) == ["labels", "metric"]
    assert clean["metric"].tolist() == [0.7, 0.78, 0.82]
    assert len(notes) == (labels != "labels") + 1  # one note per renamed column


def test_the_trial_file_with_n_labels_and_accuracy_reads(tmp_path):
    path = tmp_path / "curve_names.csv"
    path.write_text("n_labels,accuracy\n50,0.70\n100,0.78\n150,0.82\n200,0.84\n")
    df, notes = load_curve_csv(path)
    assert df["labels"].tolist() == [50, 100, 150, 200]
    assert any("n_labels" in n for n in notes) and any("accuracy" in n for n in notes)


def test_a_missing_column_error_quotes_the_files_own_headers():
    df = pd.DataFrame({"round": [1, 2, 3], "accuracy": [0.7, 0.8, 0.85]})
    with pytest.raises(DataError) as info:
        validate_curve(df, source="log.csv")
    msg = info.value.message
    assert "'round', 'accuracy'" in msg and "'labels'" in msg
    assert "metric" not in msg.split("columns are")[1]  # no column the file does not have
    assert "n_labels" in info.value.hint


def test_two_candidate_metric_columns_are_an_error_naming_both():
    df = pd.DataFrame({"labels": [1, 2, 3], "Accuracy": [0.7, 0.8, 0.85], "F1": [0.6, 0.7, 0.8]})
    with pytest.raises(DataError, match="'Accuracy', 'F1'") as info:
        validate_curve(df)
    assert "metric" in info.value.hint
    # the canonical name wins over a synonym
    ok, _ = validate_curve(df.rename(columns={"F1": "metric"}))
    assert ok["metric"].tolist() == [0.6, 0.7, 0.8]
