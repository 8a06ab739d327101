"""The live-project check: a team's own curve log -> stop now / continue for N labels / too early."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulations.errors import DataError
from simulations.stopping import check_live, load_curve_csv, validate_curve

X = np.array([50, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500], dtype=float)


def plateau_curve(noise: float = 0.002) -> pd.DataFrame:
    y = np.full(len(X), 0.9) + np.random.default_rng(1).normal(0, noise, len(X))
    y[:4] = [0.7, 0.8, 0.86, 0.89]
    return pd.DataFrame({"labels": X, "metric": y})


def steep_curve(noise: float = 0.0, n: int = 7) -> pd.DataFrame:
    x = X[:n]
    y = 0.95 - 2.0 * x**-0.5 + np.random.default_rng(2).normal(0, noise, n)
    return pd.DataFrame({"labels": x, "metric": y})


# t* where 500 * 100 * d/dt (0.95 - 2 t^-0.5) = 1  ->  t* = (500 * 100 * 2 * 0.5) ** (1 / 1.5)
STEEP_STOP = (500 * 100 * 2.0 * 0.5) ** (1 / 1.5)


def test_clear_plateau_says_stop_now():
    r = check_live(plateau_curve(), cost_per_label=1.0, value_per_point=500.0)
    assert r.verdict == "stop_now" and r.headline == "Stop now."
    assert r.plateau is True
    assert r.more_labels == 0.0 and r.stop_at.median == X[-1]


def test_steep_curve_says_continue_for_about_the_analytic_number_of_labels():
    r = check_live(steep_curve(), cost_per_label=1.0, value_per_point=500.0)
    assert r.verdict == "continue"
    assert r.more_labels == pytest.approx(STEEP_STOP - 500, rel=0.05)
    assert r.stop_at.low <= r.stop_at.median <= r.stop_at.high
    assert r.projected_metric > r.current_metric
    assert "more labels" in r.headline
    assert r.plateau is False


def test_noisy_steep_curve_still_says_continue_with_a_plausible_number():
    r = check_live(steep_curve(noise=0.003), cost_per_label=1.0, value_per_point=500.0)
    assert r.verdict == "continue"
    assert 0.5 * (STEEP_STOP - 500) <= r.more_labels <= 2.0 * (STEEP_STOP - 500)


def test_a_cheaper_value_per_point_says_stop_on_the_same_steep_curve():
    # At $20 a point the optimum is (20 * 100 * 2 * 0.5) ** (1 / 1.5) = 159 labels, long passed at 500.
    r = check_live(steep_curve(), cost_per_label=1.0, value_per_point=20.0)
    assert r.verdict == "stop_now"
    assert "less than its cost" in r.reason


def test_three_points_is_too_early():
    r = check_live(steep_curve(n=3), cost_per_label=1.0, value_per_point=500.0)
    assert r.verdict == "too_early"
    assert "3 rounds" in r.reason
    assert r.more_labels is None and r.fit is None


def test_projection_within_its_uncertainty_is_too_early():
    saw = [0.5, 0.62, 0.55, 0.66, 0.58, 0.70, 0.6, 0.74, 0.62, 0.76]
    r = check_live(pd.DataFrame({"labels": X[:10], "metric": saw}), 1.0, 500.0)
    assert r.verdict == "too_early"
    assert "uncertainty" in r.reason


def test_kappa_column_is_used_for_stabilizing_predictions():
    df = plateau_curve()
    df["kappa"] = [np.nan] + [0.9] * 8 + [0.995, 0.998, 0.999]
    r = check_live(df, 1.0, 500.0)
    assert r.kappa_stable is True
    names = [c["name"] for c in r.criteria]
    # the plateaued curve is held flat (last1): nothing is projected, so no fitted-curve rule is listed
    assert not r.fit_trusted and names == ["validation_plateau", "stabilizing_predictions"]
    sp = r.criteria[1]
    assert sp["fired_share"] == 1.0 and sp["labels"]["median"] == X[-1]


def test_percentages_are_accepted_and_reported():
    df = steep_curve()
    df["metric"] = df["metric"] * 100
    clean, notes = validate_curve(df)
    assert clean["metric"].max() <= 1
    assert any("percent" in n for n in notes)
    r = check_live(df, 1.0, 500.0)
    assert r.verdict == "continue" and r.notes


def test_csv_file_round_trip(tmp_path):
    path = tmp_path / "curve.csv"
    steep_curve().to_csv(path, index=False)
    df, notes = load_curve_csv(path)
    assert list(df.columns) == ["labels", "metric"] and len(df) == 7 and notes == []
    assert check_live(path, 1.0, 500.0).verdict == "continue"
    # A single metric column under another common name is accepted.
    steep_curve().rename(columns={"metric": "Accuracy"}).to_csv(path, index=False)
    df, notes = load_curve_csv(path)
    assert "accuracy" in notes[0]


@pytest.mark.parametrize(
    "frame, words",
    [
        (pd.DataFrame({"labels": [1, 2, 3, 4]}), "lacks column"),
        (pd.DataFrame({"labels": [10, 20, 30, 40], "metric": [0.5, "n/a", 0.7, 0.8]}), "non-numeric"),
        (pd.DataFrame({"labels": [10, 30, 20, 40], "metric": [0.5, 0.6, 0.7, 0.8]}), "not increasing"),
        (pd.DataFrame({"labels": [10, 20, 20, 40], "metric": [0.5, 0.6, 0.7, 0.8]}), "more than once"),
        (pd.DataFrame({"labels": [10, 20, 30, 40], "metric": [0.5, 60, 0.7, 0.8]}), "fraction"),
        (pd.DataFrame({"labels": [10, 20, 30, 40], "metric": [0.5, 0.6, 0.7, 120]}), "fraction"),
        (pd.DataFrame({"labels": [10, 20, 30, 40], "metric": [0.5, -0.6, 0.7, 0.8]}), "negative"),
        (pd.DataFrame({"labels": [0, 20, 30, 40], "metric": [0.5, 0.6, 0.7, 0.8]}), "positive"),
        (pd.DataFrame({"labels": [10, 20, 30, 40], "metric": [0.5, None, 0.7, 0.8]}), "empty"),
        (pd.DataFrame({"labels": [10, 20, 30, 40], "metric": [0.5, 0.6, 0.7, 0.8], "kappa": [None, 2, 1, 1]}),
         "kappa"),
        (pd.DataFrame({"labels": [], "metric": []}), "no rows"),
    ],
)
def test_bad_curve_logs_raise_data_errors_with_hints(frame, words):
    with pytest.raises(DataError) as info:
        check_live(frame, 1.0, 500.0)
    assert words in info.value.message.lower()
    assert info.value.hint


def test_missing_or_unreadable_file(tmp_path):
    with pytest.raises(DataError):
        check_live(tmp_path / "nope.csv", 1.0, 500.0)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError) as info:
        load_curve_csv(empty)
    assert info.value.hint


def test_to_dict_is_json_ready():
    import json

    d = check_live(steep_curve(), 1.0, 500.0).to_dict()
    text = json.dumps(d, allow_nan=False)
    assert {"median", "low", "high"} <= set(d["recommended_labels"])
    assert d["verdict"] == "continue" and "criteria" in json.loads(text)
