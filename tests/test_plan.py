"""build_plan on small real simulations: the headline, the sensitivity and the per-seed table are one set of numbers.

Each simulation runs once per module (3 seeds, small budgets, one process).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.economics import choose_strategy
from simulations.plan import Estimate, Plan, PlanInputs, build_plan, target_at_pool
from simulations.plan.build import _extrapolate_censored
from simulations.summary import Target, per_seed, summarize

ROOT = Path(__file__).resolve().parents[1]
SHARE = Target("share_of_ceiling", 0.95)


@pytest.fixture(scope="module")
def bc_result():
    """breast_cancer: 3 strategies so the ranking has a choice, 3 seeds, 60 labels."""
    cfg = SimulationConfig(strategies=("random", "margin", "entropy"), seeds=3, budget=60, initial_labels=10)
    return run_simulation(Dataset.from_sample("breast_cancer"), cfg, n_jobs=1)


@pytest.fixture(scope="module")
def bc_inputs(bc_result):
    # a cost with more than 4 decimals: the ROI grid must still hold the user's own cost (its cell is the headline)
    return PlanInputs(cost_per_label=0.123456, production_pool=3 * int(bc_result.meta["n_pool"]), setup_cost=2.0,
                      value_per_point=20.0, target=SHARE)


@pytest.fixture(scope="module")
def bc_plan(bc_result, bc_inputs) -> Plan:
    return build_plan(bc_result, bc_inputs)


def penguins(budget):
    cfg = SimulationConfig(strategies=("random", "margin"), seeds=3, budget=budget, initial_labels=10)
    return run_simulation(Dataset.from_sample("penguins"), cfg, n_jobs=1)


#: 100% of the full-data score: random sampling needs about 33 labels on penguins, margin about 12.
FULL = Target("share_of_ceiling", 1.0)


@pytest.fixture(scope="module")
def penguins_30():
    return penguins(30)


@pytest.fixture(scope="module")
def penguins_120():
    return penguins(120)


@pytest.fixture(scope="module")
def plan_30(penguins_30):
    return build_plan(penguins_30, penguin_inputs(penguins_30))


def penguin_inputs(result, **kw):
    kw.setdefault("production_pool", int(result.meta["n_pool"]))
    return PlanInputs(cost_per_label=1.0, value_per_point=100.0, target=FULL, **kw)


# --- the headline reconciles with the per-seed table and the sensitivity --------------------------------------------

def test_headline_roi_is_the_tornado_base_and_the_grid_cell(bc_plan, bc_inputs):
    roi = bc_plan.money["roi"].median
    assert bc_plan.roi is bc_plan.money["roi"]
    assert len(bc_plan.tornado) > 0
    assert (bc_plan.tornado["base_roi"] == roi).all()
    grid = bc_plan.roi_grid
    cell = grid[(grid["cost_per_label"] == bc_inputs.cost_per_label)
                & (grid["production_pool"] == bc_inputs.production_pool)]
    assert len(cell) == 1
    assert cell["roi"].iloc[0] == roi
    assert cell["total_benefit"].iloc[0] == bc_plan.money["net_savings"].median
    assert bc_plan.to_dict()["sensitivity"]["base_roi"] == roi


def test_the_grid_never_shows_a_pool_below_the_simulated_one(bc_plan):
    assert bc_plan.roi_grid["production_pool"].min() >= bc_plan.simulated_pool
    assert bc_plan.production_pool in set(bc_plan.roi_grid["production_pool"])


def test_money_is_the_median_over_seeds_of_per_seed_figures(bc_plan, bc_inputs):
    ps = bc_plan.business.per_seed
    assert len(ps) == 3
    assert bc_plan.money["net_savings"].median == float(np.median(ps["total_benefit"]))
    assert bc_plan.net_savings is bc_plan.money["net_savings"]
    assert bc_plan.money["roi"].median == float(np.median(ps["roi"]))
    assert bc_plan.money["al_total_cost"].median == float(np.median(ps["al_total_cost"]))
    assert bc_plan.money["random_total_cost"].median == float(np.median(ps["random_label_cost"]))
    assert bc_plan.money["value_of_accuracy"].median == float(np.median(ps["value_increase"]))
    # each seed's benefit is its own label saving plus its own value of accuracy, less the setup cost
    c = bc_inputs.cost_per_label
    benefit = (ps["labels_random"] - ps["labels_al"]) * c + ps["accuracy_gain_points"] * 20.0 - 2.0
    np.testing.assert_allclose(ps["total_benefit"], benefit, rtol=1e-12, atol=1e-9)
    assert bc_plan.p_roi_positive == float(np.mean(ps["roi"] > 0))
    for est in bc_plan.money.values():
        assert est.low <= est.median <= est.high


def test_labels_saved_are_per_seed_savings(bc_plan):
    ps = bc_plan.business.per_seed
    np.testing.assert_allclose(ps["labels_saved"], ps["labels_random"] - ps["labels_al"])
    assert bc_plan.labels_saved.median == float(np.median(ps["labels_random"] - ps["labels_al"]))
    assert bc_plan.labels_to_target_al.median == float(np.median(ps["labels_al"]))
    assert bc_plan.labels_to_target_random.median == float(np.median(ps["labels_random"]))
    assert bc_plan.labels_saved.extrapolated == (bc_plan.labels_to_target_al.extrapolated
                                                 or bc_plan.labels_to_target_random.extrapolated)


def test_the_strategy_is_the_engines_ranking(bc_plan, bc_result):
    table = per_seed(bc_result, SHARE, bc_result.metric, target_shift=bc_plan.target.shift)
    assert bc_plan.strategy == choose_strategy(table)
    assert bc_plan.strategy in ("margin", "entropy")
    assert bc_plan.strategy_chosen_by.startswith("the largest median label saving")
    assert bc_plan.business.strategy == bc_plan.strategy


def test_pays_off_is_the_business_case_rule(bc_plan):
    assert bc_plan.pays_off is bc_plan.business.pays_off
    net = bc_plan.money["net_savings"]
    assert net.bound == "" and bc_plan.business.seeds_compared == 3 and not bc_plan.no_signal
    # 3 seeds: fewer than a verdict needs (6, docs/statistics.md), so undecided whatever the interval says
    assert bc_plan.business.seeds_compared < bc_plan.business.seeds_needed
    expected = None
    assert bc_plan.pays_off is expected
    assert bc_plan.pays_off_sentence.startswith("Too few seeds to judge")
    assert bc_plan.to_dict()["pays_off"] is expected


def test_the_plan_uses_the_pool_and_labels_simulated(bc_plan, bc_result, bc_inputs):
    assert bc_plan.simulated_labels == 60
    assert bc_plan.simulated_pool == int(bc_result.meta["n_pool"])
    assert bc_plan.production_pool == bc_inputs.production_pool
    assert bc_plan.metric == bc_result.metric


JSON_KEYS = {
    "strategy", "verdict", "target", "simulated_labels", "production_pool", "labels_to_target", "labels_saved",
    "stop", "money", "p_roi_positive", "pays_off", "sensitivity",
}


def test_json_has_the_keys_the_issue_asks_for(bc_plan):
    d = bc_plan.to_dict()
    assert JSON_KEYS <= set(d)
    assert {"kind", "value", "score"} <= set(d["target"])
    for side in ("al", "random"):
        assert {"median", "low", "high", "extrapolated"} <= set(d["labels_to_target"][side])
    assert {"median", "low", "high"} <= set(d["labels_saved"])
    assert {"labels", "extrapolated", "rule"} <= set(d["stop"])
    assert {"median", "low", "high"} <= set(d["stop"]["labels"])
    for k in ("net_savings", "roi", "al_total_cost", "random_total_cost", "value_of_accuracy"):
        assert {"median", "low", "high"} <= set(d["money"][k]), k
    assert {"base_roi", "tornado", "roi_grid"} <= set(d["sensitivity"])
    # the JSON carries the same numbers as the plan
    assert d["strategy"] == bc_plan.strategy
    assert d["money"]["roi"]["median"] == bc_plan.money["roi"].median
    assert d["labels_to_target"]["random"]["median"] == bc_plan.labels_to_target_random.median
    assert d["target"]["score"] == bc_plan.target.score
    assert d["pays_off"] == bc_plan.pays_off
    assert len(d["sensitivity"]["tornado"]) == len(bc_plan.tornado)
    assert len(d["sensitivity"]["roi_grid"]) == len(bc_plan.roi_grid)
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text)["simulated_labels"] == 60


def test_estimate_json_turns_non_finite_numbers_into_null():
    d = Estimate(median=float("inf"), low=float("nan"), high=1.0, extrapolated=True, bound="lower").to_dict()
    assert d == {"median": None, "low": None, "high": 1.0, "extrapolated": True, "bound": "lower"}
    json.dumps(d, allow_nan=False)


def test_only_random_in_the_results_is_refused(bc_result, bc_inputs):
    from dataclasses import replace

    from simulations.errors import ConfigError

    only_random = replace(bc_result, config=replace(bc_result.config, strategies=("random",)))
    with pytest.raises(ConfigError, match="only random"):
        build_plan(only_random, bc_inputs)


def test_a_pool_smaller_than_the_simulated_one_is_refused(bc_result, bc_inputs):
    from dataclasses import replace

    from simulations.errors import ConfigError

    with pytest.raises(ConfigError, match="smaller than"):
        build_plan(bc_result, replace(bc_inputs, production_pool=int(bc_result.meta["n_pool"]) - 1))


# --- the target at the production pool -----------------------------------------------------------------------------

def test_an_absolute_target_never_shifts(bc_result):
    target = Target("absolute", 0.9)
    s = summarize(bc_result, target, bc_result.metric)
    n = int(bc_result.meta["n_pool"])
    for pool in (n, 10 * n):
        tap = target_at_pool(bc_result, target, pool, s)
        assert tap.shift == 0.0 and tap.projected is False
        assert tap.score == pytest.approx(0.9)


def test_a_share_target_at_the_simulated_pool_does_not_shift(bc_result):
    s = summarize(bc_result, SHARE, bc_result.metric)
    tap = target_at_pool(bc_result, SHARE, int(bc_result.meta["n_pool"]), s)
    assert tap.shift == 0.0 and tap.projected is False
    assert tap.score == s.target_value.median
    assert tap.ceiling == s.ceiling.median


def test_a_share_target_at_a_larger_pool_moves_up_with_the_projected_score(bc_result, bc_plan):
    s = summarize(bc_result, SHARE, bc_result.metric)
    tap = target_at_pool(bc_result, SHARE, 10 * int(bc_result.meta["n_pool"]), s)
    assert tap.projected is True
    assert tap.shift >= 0.0
    assert tap.score == pytest.approx(s.target_value.median + tap.shift)
    assert tap.ceiling_low <= tap.ceiling <= tap.ceiling_high
    assert "production pool" in tap.description
    # the plan's target is the one at its own production pool
    assert bc_plan.target.projected is True and bc_plan.target.shift >= 0.0


def test_the_score_is_the_target_the_seeds_are_held_to_when_the_projection_is_lower(bc_result):
    # a projected full-data score below the simulated one does not lower the seeds' targets (shift is 0), so the
    # score the plan shows must be the simulated target, not a lower number no seed was measured against
    s = summarize(bc_result, SHARE, bc_result.metric)
    low = s.ceiling.median - 0.05
    fits = SimpleNamespace(ceiling=low, ceiling_low=low - 0.01, ceiling_high=low + 0.01)
    tap = target_at_pool(bc_result, SHARE, 10 * int(bc_result.meta["n_pool"]), s, fits=fits)
    assert tap.shift == 0.0
    assert tap.score == pytest.approx(s.target_value.median + tap.shift)


# --- labels read off fitted curves are marked, never past the pool ---------------------------------------------------

def test_random_short_of_the_target_is_extrapolated_within_the_pool(penguins_30, plan_30):
    inputs, plan = plan_30.inputs, plan_30
    table = per_seed(penguins_30, FULL, penguins_30.metric)
    assert table[table["strategy"] == "random"]["censored"].any()  # the premise: 30 labels are too few
    lr = plan.labels_to_target_random
    assert lr.extrapolated is True
    assert lr.median <= inputs.production_pool and lr.high <= inputs.production_pool
    assert (plan.business.per_seed["labels_random"] <= inputs.production_pool).all()
    assert plan.labels_saved.extrapolated is True
    assert any("random" in n and "extrapolated" in n for n in plan.notes)
    assert plan.to_dict()["labels_to_target"]["random"]["extrapolated"] is True


def test_an_extrapolated_seed_needs_at_least_the_labels_it_was_simulated_with(penguins_30, plan_30):
    plan = plan_30
    table = per_seed(penguins_30, FULL, penguins_30.metric).set_index(["strategy", "seed"])
    ps = plan.business.per_seed
    for i, seed in enumerate(sorted(table.loc["random"].index)):
        row = table.loc[("random", seed)]
        if row["censored"]:
            assert ps["labels_random"].iloc[i] >= row["labels_to_target"]


class _Fit:
    """A fitted curve that says the target is reached at ``at`` labels."""

    def __init__(self, at):
        self.at = at

    def labels_for(self, target, level=0.8):
        return SimpleNamespace(labels=self.at, reachable=True)


def test_a_fitted_curve_below_the_labels_simulated_does_not_shorten_a_censored_seed(penguins_30):
    # the strategy's fitted curve (over all seeds) may cross the target before the labels one unlucky seed was
    # simulated with; that seed still did not reach it by then, so it needs at least those labels
    table = per_seed(penguins_30, FULL, penguins_30.metric)
    censored = table[(table["strategy"] == "random") & table["censored"]]
    assert len(censored) >= 1
    fits = SimpleNamespace(fits={"random": _Fit(12.0)})
    proj, counts = _extrapolate_censored(penguins_30, table, ["random"], fits, 1000)
    assert counts == {"random": len(censored)}
    assert (proj["labels_to_target"] >= 30).all()
    # and a curve that never reaches the target within the pool gives the whole pool
    fits = SimpleNamespace(fits={"random": _Fit(5000.0)})
    proj, _ = _extrapolate_censored(penguins_30, table, ["random"], fits, 1000)
    assert (proj["labels_to_target"] == 1000).all()


def test_a_generous_budget_is_not_extrapolated(penguins_120):
    plan = build_plan(penguins_120, penguin_inputs(penguins_120))
    table = per_seed(penguins_120, FULL, penguins_120.metric)
    assert not table["censored"].any()
    assert plan.labels_to_target_random.extrapolated is False
    assert plan.labels_to_target_al.extrapolated is False
    assert plan.labels_saved.extrapolated is False
    assert not any("extrapolated" in n for n in plan.notes)
    # with every seed simulated, the labels are the simulated ones
    ps = plan.business.per_seed
    rnd = table[table["strategy"] == "random"].sort_values("seed")["labels_to_target"].to_numpy()
    np.testing.assert_allclose(ps["labels_random"], rnd)


def test_without_a_value_of_accuracy_the_stop_is_the_target(penguins_120):
    inputs = PlanInputs(cost_per_label=1.0, value_per_point=0.0, target=FULL,
                        production_pool=int(penguins_120.meta["n_pool"]))
    plan = build_plan(penguins_120, inputs)
    assert plan.stop.cost_optimum is None
    assert plan.stop.labels == plan.labels_to_target_al
    assert plan.to_dict()["stop"]["cost_optimum"] is None
    assert isinstance(plan.business.per_seed, pd.DataFrame)


@pytest.mark.parametrize("lift", [0.0, 0.02])
def test_a_share_of_gap_target_moves_by_the_share_of_the_projected_rise_only(bc_result, lift):
    # seeds whose full-data scores and baselines differ: the median of the seeds' targets is not the target of the
    # median ceiling and baseline, and that difference is no rise of the score at a larger pool
    from dataclasses import replace

    metric = bc_result.metric
    ceilings = bc_result.ceilings.sort_values("seed").copy()
    ceilings[metric] = [0.90, 0.95, 1.00]
    ceilings[f"baseline_{metric}"] = [0.60, 0.70, 0.50]
    result = replace(bc_result, ceilings=ceilings)
    target = Target("share_of_gap", 0.5)
    s = summarize(result, target, metric)
    assert s.target_value.median == pytest.approx(0.75)  # seeds: 0.75, 0.825, 0.75
    fits = SimpleNamespace(ceiling=s.ceiling.median + lift, ceiling_low=0.9, ceiling_high=1.0)
    tap = target_at_pool(result, target, 10 * int(result.meta["n_pool"]), s, fits=fits)
    assert tap.projected is True
    assert tap.shift == pytest.approx(0.5 * lift)
    assert tap.score == pytest.approx(0.75 + 0.5 * lift)


def test_a_named_strategy_with_the_error_count_value(bc_result, bc_inputs, bc_plan):
    # one plan for two things (each build takes seconds): the strategy the user names is the one costed, and the
    # value of accuracy given as predictions x cost per error costs like the same value per point
    from dataclasses import replace

    other = "entropy" if bc_plan.strategy == "margin" else "margin"
    inputs = replace(bc_inputs, strategy=other, value_per_point=None, predictions=2000.0, cost_per_error=1.0)
    plan = build_plan(bc_result, inputs)
    assert plan.strategy == other and plan.strategy_chosen_by == "chosen by you"
    assert plan.business.strategy == other
    assert inputs.value_mode == "per_error"
    assert plan.business.value_per_point == pytest.approx(20.0)  # 2000 predictions x $1 / 100 per point
    tornado = set(plan.tornado["input"])
    assert {"predictions", "cost_per_error", "cost_per_label", "setup_cost"} <= tornado
    assert "value_per_point" not in tornado
    assert (plan.tornado["base_roi"] == plan.money["roi"].median).all()
    ps = plan.business.per_seed
    np.testing.assert_allclose(ps["value_increase"], ps["accuracy_gain_points"] * 20.0)


def test_a_differing_leaderboard_verdict_is_explained_and_shown_on_the_results_page():
    """One strategy per scenario: when another strategy's verdict differs from the costed one's, the plan says which
    and why, and the Results page shows that sentence under the headline verdict."""
    from types import SimpleNamespace

    from streamlit.testing.v1 import AppTest

    from dashboard import session
    from dashboard.testing import small_run
    from simulations.plan.build import _other_verdicts

    def s(v):
        return SimpleNamespace(verdict=v)

    summary = SimpleNamespace(strategies={"random": s("reference"), "margin": s("no evidence"),
                                          "least_confidence": s("beats random"), "entropy": s("no evidence")})
    text = _other_verdicts(summary, "margin")
    assert "least confidence: beats random" in text and "entropy" not in text and "optimistic" in text
    assert _other_verdicts(summary, "entropy").startswith("Other strategies' verdicts differ")
    same = SimpleNamespace(strategies={"random": s("reference"), "margin": s("beats random"),
                                       "entropy": s("beats random")})
    assert _other_verdicts(same, "margin") == ""

    result, analysis, _ = small_run()
    analysis["plan"]["other_verdicts"] = text
    at = AppTest.from_file(str(ROOT / "dashboard" / "app_pages" / "results.py"), default_timeout=60)
    at.session_state[session.RESULT] = result
    at.session_state[session.ANALYSIS] = analysis
    at.run()
    assert not at.exception, at.exception
    assert any(text == c.value for c in at.caption)
    from simulations.trust import MEASURED

    assert any(MEASURED.verdict_sentence() == c.value for c in at.caption)  # the measured error rate beside it


def test_the_tiles_name_the_plans_interval_level():
    """A strategy picked from several gets wider (Bonferroni) intervals: the tiles say their real level, not 95%."""
    from dashboard import tables

    est = {"median": 100.0, "low": 50.0, "high": 150.0, "extrapolated": False, "bound": None}
    plan = {"labels_to_target": {"al": est}, "labels_saved": est, "stop": {"labels": est},
            "money": {"net_savings": est, "roi": {**est, "median": 0.5, "low": 0.1, "high": 0.9}},
            "interval_level": 1 - 0.05 / 3}
    values = tables.plan_tile_values(plan)
    assert values["Labels saved"] == ("100", "98.3% range 50 to 150")
    assert values["ROI vs random"][1].startswith("98.3% range")
    one = tables.plan_tile_values({**plan, "interval_level": 0.95})
    assert one["Labels saved"] == ("100", "95% range 50 to 150")


def test_a_target_above_the_whole_pools_score_is_said_to_be_unreachable():
    """An absolute target above what the whole pool reaches: the plan says no plan reaches it (the label counts are
    the whole pool), instead of 'reaches the target at about <pool> labels'."""
    from simulations.plan.build import Estimate, PlanStop, TargetAtPool, _how_many

    la = Estimate(median=178.0, low=24.0, high=178.0, extrapolated=True)
    stop = PlanStop(labels=la, cost_optimum=None, extrapolated=True, rule="", sentence="")

    def tap(score):
        return TargetAtPool(kind="absolute", value=score, score=score, shift=0.0, projected=False, ceiling=0.981,
                            ceiling_low=0.96, ceiling_high=0.99, description="")

    above = _how_many("entropy", la, stop, tap(0.999), "accuracy")
    assert above.startswith("No plan reaches the target (99.9% accuracy)") and "at most 99.0%" in above
    assert _how_many("entropy", la, stop, tap(0.985), "accuracy").startswith("entropy reaches the target")
