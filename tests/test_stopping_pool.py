"""Stopping advice bounded by the labelable pool and consistent with itself (marginal rule, its text and chart)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from simulations import SimulationConfig, SimulationResult
from simulations.curves import fit_curve
from simulations.errors import ConfigError
from simulations.stopping import (
    CostInputError,
    advise,
    check_costs,
    check_live,
    marginal_stop,
    marginal_value_curve,
)

LABELS = np.array([20, 24, 29, 35, 42, 51, 62, 75, 90, 108, 130, 156, 188, 226, 272, 327, 393, 400])


def pow3(x, a=0.95, b=1.2, c=0.5):
    return a - b * np.asarray(x, dtype=float) ** (-c)


def result(curve=pow3, n_pool: int = 3_000, n_seeds: int = 4, noise: float = 0.002) -> SimulationResult:
    """One strategy ('margin') and random following ``curve``; the whole-pool score is ``curve(n_pool)``."""
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(n_seeds):
        for name in ("random", "margin"):
            for r, n in enumerate(LABELS):
                v = float(np.clip(curve(n) + rng.normal(0, noise), 0, 1))
                rows.append({"strategy": name, "seed": seed, "round": r, "labels": int(n), "accuracy": v,
                             "balanced_accuracy": v, "macro_f1": v})
    c = float(curve(n_pool))
    ceil = pd.DataFrame({"seed": range(n_seeds), "accuracy": c, "balanced_accuracy": c, "macro_f1": c,
                         "baseline_accuracy": 0.5, "baseline_balanced_accuracy": 0.5, "baseline_macro_f1": 0.5})
    meta = {"metric": "accuracy", "metric_reason": "test", "budget": 400, "n_initial": 20, "n_pool": n_pool}
    return SimulationResult(rounds=pd.DataFrame(rows), ceilings=ceil,
                            config=SimulationConfig(strategies=("random", "margin"), seeds=n_seeds), meta=meta)


def test_marginal_stop_is_capped_at_the_labelable_pool():
    x = np.geomspace(20, 400, 12)
    fit = fit_curve(x, pow3(x))
    free = marginal_stop(fit, 0.5, 10_000.0)
    assert free.labels is not None and free.labels > 2_000 and not free.capped
    capped = marginal_stop(fit, 0.5, 10_000.0, pool=2_000)
    assert capped.capped and capped.labels == 2_000 and capped.pool == 2_000
    assert capped.metric == pytest.approx(float(fit.predict(2_000)[0]))
    roomy = marginal_stop(fit, 0.5, 10_000.0, pool=1_000_000)
    assert not roomy.capped and roomy.labels == pytest.approx(free.labels)
    with pytest.raises(ConfigError):
        marginal_stop(fit, 0.5, 10_000.0, pool=0)


def test_advice_never_points_past_the_pool_and_says_the_whole_pool_still_pays():
    # labels worth $100 a point at $0.05 each: paying far beyond a pool of 1,000 items
    res = result(n_pool=1_000)
    adv = advise(res, 0.05, 100.0, strategy="margin")
    fs = adv.evaluation.fitted_stop
    assert adv.evaluation.pool == 1_000  # default: the simulated pool
    assert fs.capped and fs.labels == 1_000 and fs.extrapolated
    text = adv.evaluation.fitted_stop_sentence()
    assert "labeling the whole pool still pays" in text and "1,000" in text
    bigger = advise(res, 0.05, 100.0, strategy="margin", pool=5_000)
    assert bigger.evaluation.fitted_stop.labels <= 5_000
    with pytest.raises(ConfigError):
        advise(res, 0.05, 100.0, strategy="margin", pool=-3)
    # a pool smaller than the simulated one is refused, as the business case refuses it
    with pytest.raises(ConfigError, match=r"labelable pool \(100 items\) is smaller than the pool the simulation "
                                          r"drew from \(1,000 items\)") as err:
        advise(res, 0.05, 100.0, strategy="margin", pool=100)
    assert "at least 1,000" in err.value.hint


def test_still_paying_at_the_budget_is_said_as_paying_beyond_it():
    """The default-run contradiction: 'stops paying at 400' next to 'may keep paying beyond the 400 budget'."""
    res = result()
    adv = advise(res, 1.0, 500.0, strategy="margin")
    ev, note = adv.evaluation, adv.recommendation.note
    fs = ev.fitted_stop
    assert ev.at_budget_share >= 0.5 and "keep paying beyond the 400-label budget" in note
    # the fitted curve knows the whole-pool score: a rising saturating model, not a flat last1 held at 400
    assert ev.fitted.model != "last1" and ev.fitted.labels[-1] == 3_000
    assert fs.extrapolated and 400 < fs.labels < 3_000 and not fs.capped
    assert f"~{fs.labels:,.0f} labels (extrapolated)" in note
    text = ev.fitted_stop_sentence()
    assert "still pay at the 400-label budget" in text and f"{fs.labels:,.0f}" in text
    assert "stops paying at about 400 labels" not in text


def test_marginal_value_curve_has_no_flat_stretch_after_a_last1_fit():
    x = np.array([20, 40, 80, 160, 320.0])
    flat = fit_curve(x, [0.6, 0.8, 0.62, 0.81, 0.64])  # noise: held flat (last1)
    assert flat.model == "last1"
    rows = marginal_value_curve(flat, 500.0, 20, 2_000)
    assert max(r["labels"] for r in rows) == 320  # ends at the data, no invented $0 after it
    smooth = fit_curve(x, pow3(x))
    rows = marginal_value_curve(smooth, 500.0, 20, 2_000)
    values = [r["value"] for r in rows]
    assert max(r["labels"] for r in rows) == 2_000 and all(a >= b for a, b in itertools.pairwise(values))


def test_cost_errors_carry_the_field_for_other_front_ends_and_keep_the_cli_words():
    for args, field in (((0, 500), "cost_per_label"), ((1, 0), "value_per_point"), (("x", 5), "cost_per_label")):
        with pytest.raises(CostInputError) as err:
            check_costs(*args)
        assert err.value.field == field and isinstance(err.value, ConfigError)
        assert "--cost-per-label" in err.value.hint or "--value-per-point" in err.value.hint


def test_live_check_of_a_smooth_five_point_log_is_projected_and_its_table_agrees():
    log = pd.DataFrame({"labels": [20, 40, 80, 160, 320], "metric": [0.61, 0.70, 0.78, 0.83, 0.86]})
    live = check_live(log, 1.0, 500.0)
    assert live.fit_trusted and "too irregular" not in live.reason
    rule = [c for c in live.criteria if c["name"] == "marginal_rule"]
    assert len(rule) == 1 and rule[0]["projected"] and rule[0]["fired_share"] is None
    assert rule[0]["labels"]["median"] > 320  # a projected point ahead, not a rule that fired at the last round
    assert f"{rule[0]['labels']['median']:,.0f} labels" in live.reason  # the verdict quotes the same point
    assert live.observed_metric == [0.61, 0.70, 0.78, 0.83, 0.86]


def test_live_check_without_a_trusted_fit_lists_no_fitted_rule():
    zigzag = pd.DataFrame({"labels": [20, 40, 80, 160, 320], "metric": [0.6, 0.8, 0.62, 0.81, 0.78]})
    live = check_live(zigzag, 1.0, 500.0)
    assert not live.fit_trusted and live.verdict == "too_early" and "too irregular" in live.reason
    assert all(c["name"] != "marginal_rule" for c in live.criteria)
    assert live.to_dict()["fit_trusted"] is False


def test_cli_stop_caps_at_the_production_pool_it_is_given(tmp_path, capsys):
    import json

    from simulations.cli import main
    from simulations.results import save_results

    path = save_results(result(n_pool=1_000), tmp_path / "run.json")
    base = ["stop", "--results", str(path), "--cost-per-label", "0.05", "--value-per-point", "100",
            "--strategy", "margin", "--json"]
    assert main(base) == 0
    d = json.loads(capsys.readouterr().out)
    stop = d["optimum"]["fitted"]["marginal_stop"]
    assert d["pool"] == 1_000 and stop["capped"] and stop["labels"] == 1_000
    assert "whole pool still pays" in d["fitted_stop_sentence"]
    assert main([*base, "--production-pool", "4000"]) == 0
    assert json.loads(capsys.readouterr().out)["optimum"]["fitted"]["marginal_stop"]["labels"] <= 4_000
    assert main(["stop", "--curve", str(path), "--cost-per-label", "1", "--value-per-point", "5",
                 "--production-pool", "10"]) == 2
    assert "--production-pool" in capsys.readouterr().err
