"""The marginal rule on an observed (``last1``) curve starts paying from its first point, and the Stopping page
advises on the same strategy as ``labelwise stop``.

A trial found "a label stops paying at about 20 labels" next to a plan of 62 labels and a chart showing ~$180 per
label at 21: the ``last1`` slope was 0 at exactly the first label count, so the rule stopped at the start.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
import pytest

from simulations.config import SimulationConfig
from simulations.curves import fit_curve
from simulations.results import SimulationResult, save_results
from simulations.stopping import marginal_stop, marginal_value_curve, marginal_value_per_label
from simulations.stopping.cli import add_stop_parser, run_stop

LABELS = np.array([20, 24, 29, 35, 42, 51, 62, 75, 90, 108, 130, 156, 188, 226, 258], dtype=float)
#: A mean curve like the trial's bc.json: a steep start, then a noise dip (35 -> 42) and a later rise.
BC_LIKE = np.array([0.921, 0.937, 0.942, 0.958, 0.952, 0.963, 0.966, 0.963, 0.969, 0.966, 0.968, 0.968, 0.967,
                    0.968, 0.966])
#: Like the trial's pen3.json: a fast rise to a plateau, then noise; the results' fitted curve is ``last1``.
PEN3_LIKE = np.array([0.945, 0.974, 0.991, 0.991, 0.991, 0.991, 0.991, 0.981, 0.984, 0.985, 0.985, 0.988, 0.985,
                      0.986, 0.988])


def _last1(labels: np.ndarray = LABELS, values: np.ndarray = BC_LIKE):
    fit = fit_curve(labels, values, models=())  # only the last1 baseline: the observed curve interpolated
    assert fit.model == "last1"
    return fit


def test_last1_slope_at_the_first_label_count_is_the_first_segments():
    fit = _last1()
    first_seg = (BC_LIKE[1] - BC_LIKE[0]) / np.log(LABELS[1] / LABELS[0])  # per log-label
    for x in (LABELS[0], 21.0, LABELS[1]):  # at the first count, inside the first segment, at its end
        assert float(fit.slope(x)[0]) == pytest.approx(first_seg / x, rel=1e-9)
    assert float(fit.slope(LABELS[0] - 1)[0]) == 0.0 and float(fit.slope(LABELS[-1] + 1)[0]) == 0.0


def test_marginal_stop_on_an_observed_curve_is_its_cheapest_point_not_the_first_round():
    fit = _last1()
    c, v = 1.0, 500.0
    stop = marginal_stop(fit, c, v)
    assert stop.labels > LABELS[0] and stop.value_per_label_at_start > c
    # brute force: C on a dense grid of the interpolated curve, ties to the fewest labels
    grid = np.unique(np.concatenate([np.geomspace(LABELS[0], LABELS[-1], 20_000), LABELS]))
    cost = c * grid - v * 100 * fit.predict(grid)
    assert stop.labels == pytest.approx(grid[np.argmin(cost)], rel=2e-3)
    assert stop.labels > 42  # not the noise dip after 35: labels pay again from 42 on
    # where it stops, one more label is worth less than it costs
    assert float(marginal_value_per_label(fit, [stop.labels * 1.001], v)[0]) < c


def test_the_chart_and_the_rule_agree_at_the_first_label_count():
    fit = _last1()
    rows = marginal_value_curve(fit, 500.0, float(fit.labels[0]), float(fit.labels[-1]))
    stop = marginal_stop(fit, 1.0, 500.0)
    assert rows[0]["labels"] == LABELS[0] and rows[0]["value"] == pytest.approx(stop.value_per_label_at_start)
    # before the stop the chart shows labels worth far more than their $1 cost (the trial's chart: ~$180 at 21)
    assert max(r["value"] for r in rows if r["labels"] < stop.labels) > 100


def test_observed_curve_with_expensive_labels_still_stops_at_the_first_round():
    fit = _last1()
    stop = marginal_stop(fit, 10_000.0, 1.0)  # no label is ever worth $10,000
    assert stop.labels == LABELS[0]


def _result(values: dict[str, np.ndarray]) -> SimulationResult:
    rng = np.random.default_rng(3)
    rows = []
    for strategy, mean in values.items():
        for seed in range(3):
            for r, (x, m) in enumerate(zip(LABELS, mean, strict=True)):
                acc = float(np.clip(m + rng.normal(0, 0.002), 0, 1))
                rows.append({"strategy": strategy, "seed": seed, "round": r, "labels": x, "accuracy": acc,
                             "balanced_accuracy": acc, "macro_f1": acc,
                             "kappa": np.nan if r == 0 else 1 - 2 * x**-0.8, "changed_share": np.nan if r == 0
                             else x**-0.9, "delta_f": np.nan if r == 0 else x**-0.8,
                             "mean_entropy": 0.5 * x**-0.3, "self_accuracy": 1 - 0.5 * x**-0.3,
                             "query_max_entropy": np.nan if r == len(LABELS) - 1 else 0.9,
                             "query_min_confidence": np.nan if r == len(LABELS) - 1 else 0.55, "n_pseudo": 0,
                             "fit_seconds": 0.01, "query_seconds": 0.01})
    ceilings = pd.DataFrame({"seed": [0, 1, 2], "accuracy": [0.97] * 3, "balanced_accuracy": [0.97] * 3,
                             "macro_f1": [0.97] * 3, "baseline_accuracy": [0.5] * 3,
                             "baseline_balanced_accuracy": [0.5] * 3, "baseline_macro_f1": [0.33] * 3})
    return SimulationResult(rounds=pd.DataFrame(rows), ceilings=ceilings,
                            config=SimulationConfig(strategies=tuple(values), seeds=3, budget=258),
                            meta={"metric": "accuracy", "classes": ["a", "b"], "budget": 258})


def test_cli_does_not_say_a_label_stops_paying_at_the_first_round(tmp_path, capsys):
    path = tmp_path / "results.json"
    save_results(_result({"random": PEN3_LIKE - 0.01, "entropy": PEN3_LIKE}), path)
    p = argparse.ArgumentParser(prog="labelwise")
    add_stop_parser(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(["stop", "--results", str(path), "--cost-per-label", "1", "--value-per-point", "500",
                         "--json"])
    assert args.func is run_stop and args.func(args) == 0
    d = json.loads(capsys.readouterr().out)
    fitted = d["optimum"]["fitted"]
    assert fitted["curve"]["model"] == "last1"
    ms = fitted["marginal_stop"]
    assert ms["labels"] > LABELS[0] and ms["value_per_label_at_start"] > 1
    assert "stops paying at about 20 labels" not in d["fitted_stop_sentence"]
    assert f"about {ms['labels']:,.0f} labels" in d["fitted_stop_sentence"]
    # near the planned count, not a noise dip at the start
    assert ms["labels"] >= 0.5 * d["recommended_labels"]["median"]


def test_stopping_page_business_case_and_cli_advise_on_one_strategy(tmp_path, capsys):
    """One strategy per scenario: the Stopping page, the business case and `labelwise stop --results` with the same
    costs all name the plan's strategy (the engine's ranking), never 'chosen by you'."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from dashboard import session, state
    from dashboard.testing import small_run
    from simulations.cli import main

    result, analysis, inputs = small_run()
    plan = analysis["plan"]
    stop = analysis["stopping"]
    assert stop["strategy"] == plan["strategy"] == analysis["business"]["strategy"]
    assert stop["strategy_chosen_by"] != "chosen by you" and "business_strategy" not in stop
    assert stop["stop_at"] == plan["stop"]["labels"]["median"]
    econ = state.economic_inputs(inputs["economics"])
    path = tmp_path / "run.json"
    save_results(result, path)
    assert main(["stop", "--results", str(path), "--cost-per-label", str(econ.cost_per_label), "--value-per-point",
                 str(econ.point_value), "--production-pool", str(econ.production_pool), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["strategy"] == plan["strategy"]
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "app_pages" / "stopping.py"),
                           default_timeout=60)
    at.session_state[session.RESULT] = result
    at.session_state[session.ANALYSIS] = analysis
    at.session_state[session.INPUTS] = inputs
    at.run()
    assert not at.exception, at.exception
    shown = " ".join(c.value for c in at.caption)
    from dashboard.charts import strategy_label

    assert "chosen by you" not in shown and f"Strategy: {strategy_label(plan['strategy'])} (" in shown
