"""Options used together: noisy annotators with re-labeling, item costs and error costs in one plan."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.annotators import NoiseConfig
from simulations.costs import ItemCosts
from simulations.plan import PlanInputs, build_plan
from simulations.plan.adaptive import _next_budget


@pytest.fixture(scope="module")
def cancer():
    return Dataset.from_sample("breast_cancer")


def test_noise_with_error_costs_reads_the_reference_in_the_same_money(cancer):
    """The noise-free reference must be priced like the noisy run (it crashed with a KeyError before)."""
    r = run_simulation(cancer, SimulationConfig(strategies=("margin",), seeds=3, budget=60,
                                                noise=NoiseConfig(error_rates=(0.1,), relabel="none")))
    assert any(c.startswith("cm_") for c in pd.DataFrame(r.meta["noise_reference_rounds"]["columns"]).columns)
    classes = r.meta["classes"]
    plan = build_plan(r, PlanInputs(cost_per_label=1.0, production_pool=int(r.meta["n_pool"]),
                                    cost_missed_positive=40.0, cost_false_alarm=2.0, positive_class=classes[0],
                                    predictions_per_month=1000, model_life_months=12))
    assert plan.error_cost is not None and plan.noise is not None
    assert plan.noise["reference"] is not None  # measured against perfect labels, in the error-cost score
    assert "change" in plan.noise


def test_relabeling_with_item_costs_reports_the_price_it_used(cancer):
    frame = cancer.frame.copy()
    frame["price"] = np.where(cancer.y == cancer.y[0], 2.0, 0.5)
    ds = Dataset.from_frame(frame, cancer.label, roles={"price": "id"})
    r = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=3, budget=60,
                                            costs=ItemCosts(column="price"),
                                            noise=NoiseConfig(error_rates=(0.1,), relabel="majority3")))
    plan = build_plan(r, PlanInputs(cost_per_label=1.0, production_pool=4 * int(r.meta["n_pool"]),
                                    value_per_point=100.0))
    assert plan.inputs.cost_per_label == pytest.approx(r.meta["item_costs"]["mean"])  # not the 1.0 passed in
    assert plan.production_pool == 4 * int(r.meta["n_pool"])  # reported in items, not paid labels
    # the heat map has a cell at the user's pool (its axis in items too), and the pilot speaks of that pool
    assert plan.production_pool in set(plan.roi_grid["production_pool"])
    assert plan.pilot is None or plan.pilot.production_pool == plan.production_pool


def _plan(labels: float, per_item: float | None):
    est = SimpleNamespace(median=labels)
    return SimpleNamespace(labels_to_target_random=est, labels_to_target_al=est,
                           stop=SimpleNamespace(labels=est, cost_optimum=None),
                           noise=None if per_item is None else {"paid_per_item": per_item})


@pytest.mark.parametrize("paid_labels, per_item, expected", [
    (1000, None, 1250),   # labels are items: a quarter more than the 1,000 needed
    (1000, 1.0, 1250),
    (1000, 2.0, 800),     # 1,000 paid labels are 500 items: twice the last budget (800) beats 625
    (2400, 2.0, 1500),    # 1,200 items: a quarter more, 1,500 (paid labels read as items would ask 3,000 -> 1,600)
])
def test_the_next_stage_counts_items_not_paid_labels(paid_labels, per_item, expected):
    assert _next_budget(_plan(paid_labels, per_item), budget=400, limit=10_000) == expected


def test_the_dashboard_reads_the_plans_curves_in_paid_labels_and_reuses_its_fits(monkeypatch):
    """With re-labeling the pages' curves, projection and stop are in the plan's paid labels, from the plan's own
    view and fits: no refit, no mix of items and paid labels."""
    import simulations.curves.pool as pool_mod
    from dashboard import state
    from dashboard.testing import small_inputs

    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    state.clear_cache()
    inputs = small_inputs()
    inputs["config"]["noise"] = NoiseConfig(error_rates=(0.1,), relabel="majority3").to_dict()
    inputs["economics"]["production_pool"] = 1000
    result, _ = state.run(Dataset.from_sample("penguins"), state.config_from(inputs["config"]), inputs=inputs)
    calls = []
    real = pool_mod.pool_fits
    monkeypatch.setattr(pool_mod, "pool_fits", lambda *a, **k: calls.append(1) or real(*a, **k))
    a = state.analyse(result, inputs)
    plan = state._PLANS[id(result)][1]
    assert calls == []  # the projection reused the plan's fits
    items = int(result.rounds["labels"].max())
    assert max(r["labels"] for r in a["curves"]) == 3 * items  # paid labels, as the plan counts them
    assert plan.scored is not None and int(plan.scored.rounds["labels"].max()) == 3 * items
