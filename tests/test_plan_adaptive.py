"""simulate_for_plan: stages until the answer is determined, the simulated pool, the cap on labels or the time cap.

penguins at 100% of the full-data score: 30 labels leave random sampling short of the target in some seeds (an open
question), a larger stage settles it.
"""

from __future__ import annotations

import itertools

import pytest

from simulations import Dataset, SimulationConfig
from simulations.plan import PlanInputs, simulate_for_plan
from simulations.plan.adaptive import STOP_REASONS, open_questions
from simulations.summary import Target

FULL = Target("share_of_ceiling", 1.0)
CONFIG = SimulationConfig(strategies=("random", "margin"), seeds=3, budget=30, initial_labels=10)


@pytest.fixture(scope="module")
def data():
    return Dataset.from_sample("penguins")


def inputs(**kw):
    kw.setdefault("production_pool", 258)
    return PlanInputs(cost_per_label=1.0, value_per_point=100.0, target=FULL, **kw)


class StageClock:
    """A fake clock: every stage takes ``seconds`` (advanced a share per finished task, through progress)."""

    def __init__(self, seconds):
        self.seconds, self.now, self.reports = seconds, 0.0, []

    def __call__(self):
        return self.now

    def progress(self, p):
        self.reports.append(p)
        self.now += self.seconds / p.total


@pytest.fixture(scope="module")
def capped(data):
    """The cap on labels equal to the first stage's budget: stage 1 alone, as a plain 30-label simulation."""
    return simulate_for_plan(data, CONFIG, inputs(max_labels=30))


@pytest.fixture(scope="module")
def staged(data):
    clock = StageClock(1.0)
    run = simulate_for_plan(data, CONFIG, inputs(), progress=clock.progress, clock=clock)
    return run, clock


def test_the_time_cap_stops_after_one_stage(data):
    clock = StageClock(1000.0)
    run = simulate_for_plan(data, CONFIG, inputs(time_cap_seconds=10), progress=clock.progress, clock=clock)
    assert run.stop_reason == "time_cap"
    assert not run.determined
    assert len(run.stages) == 1
    assert run.stages[0].budget == 30
    assert run.stages[0].seconds == pytest.approx(1000.0)
    assert run.stages[0].open  # the time cap, not the answer, ended it
    assert int(run.result.rounds["labels"].max()) == 30
    d = run.plan.determination
    assert d["stop_reason"] == "time_cap" and d["sentence"] == STOP_REASONS["time_cap"]
    assert [s["budget"] for s in d["stages"]] == [30]
    assert run.plan.labels_to_target_random.extrapolated is True


def test_a_cap_equal_to_the_first_budget_stops_there(capped):
    assert capped.stop_reason == "max_labels"
    assert [s.budget for s in capped.stages] == [30]
    assert capped.stages[0].open == tuple(open_questions(capped.plan))
    assert "random sampling does not reach the target in every seed" in capped.stages[0].open
    assert int(capped.result.rounds["labels"].max()) == 30


def test_a_cap_below_the_configured_budget_is_the_first_stage(data):
    from dataclasses import replace

    run = simulate_for_plan(data, replace(CONFIG, budget=60), inputs(max_labels=15))
    assert [s.budget for s in run.stages] == [15]
    assert run.stop_reason == "max_labels"
    assert int(run.result.rounds["labels"].max()) == 15


def test_an_open_answer_runs_larger_stages_until_determined(staged):
    run, _ = staged
    budgets = [s.budget for s in run.stages]
    assert len(budgets) >= 2
    assert budgets[0] == 30
    assert all(b > a for a, b in itertools.pairwise(budgets))
    assert all(b <= 4 * a for a, b in itertools.pairwise(budgets))  # at most 4x a stage
    assert all(s.open for s in run.stages[:-1])
    assert run.stop_reason == "determined" and run.determined
    assert run.stages[-1].open == ()
    assert int(run.result.rounds["labels"].max()) == budgets[-1]
    assert run.plan.labels_to_target_random.extrapolated is False
    assert run.plan.simulated_labels == budgets[-1]
    assert [s["budget"] for s in run.plan.determination["stages"]] == budgets


def test_progress_reports_carry_the_stage_and_its_budget(staged):
    run, clock = staged
    stages = sorted({p.stage for p in clock.reports})
    assert stages == list(range(1, len(run.stages) + 1))
    for k, stage in enumerate(run.stages, start=1):
        budgets = {p.budget for p in clock.reports if p.stage == k}
        assert budgets == {stage.budget}
    assert all(s.seconds == pytest.approx(1.0) for s in run.stages)


def test_a_later_stage_repeats_the_earlier_one_exactly(capped, staged):
    run, _ = staged
    first, last = capped.result, run.result
    metric = first.metric
    schedule = first.meta["labels_schedule"]
    assert schedule[-1] == 30
    # the last full schedule point of stage 1; its clipped final count (30) is not one of stage 2's
    shared = [n for n in schedule[:-1] if n in set(last.meta["labels_schedule"])]
    assert shared == schedule[:-1] and len(shared) >= 5
    key = ["strategy", "seed", "labels"]
    a = first.rounds[first.rounds["labels"].isin(shared)].sort_values(key).reset_index(drop=True)
    b = last.rounds[last.rounds["labels"].isin(shared)].sort_values(key).reset_index(drop=True)
    assert len(a) == len(b) == 2 * 3 * len(shared)
    assert a[key].equals(b[key])
    assert a[metric].tolist() == b[metric].tolist()
    assert first.ceilings[metric].tolist() == last.ceilings[metric].tolist()


def test_no_signal_is_settled_in_one_stage_and_never_pays(noise_frame):
    from simulations.economics import NO_SIGNAL_VERDICT

    data = Dataset.from_frame(noise_frame, "label", name="noise")
    cfg = SimulationConfig(strategies=("random", "margin"), seeds=3, budget=40, initial_labels=10)
    run = simulate_for_plan(data, cfg, inputs(production_pool=450))
    plan = run.plan
    assert plan.no_signal is True
    # more labels would change nothing, and the reason says so (not "random reaches the target in every seed")
    assert run.stop_reason == "no_signal" and run.determined and len(run.stages) == 1
    assert "learns nothing" in plan.determination["sentence"]
    assert plan.pays_off is False
    assert plan.pays_off_sentence == NO_SIGNAL_VERDICT
    assert plan.verdict_sentence.startswith("No strategy can save labels here")
    assert plan.to_dict()["no_signal"] is True



def test_the_dashboard_analyses_a_fresh_run_with_the_plan_its_last_stage_built(monkeypatch):
    """The adaptive run builds the plan on its last stage; the analysis of that very result reuses it (the same
    numbers, computed once), and builds a new one only when the inputs differ."""
    import simulations.plan as plan_pkg
    from dashboard import state
    from dashboard.testing import small_inputs

    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    state.clear_cache()
    inputs = small_inputs()
    result, _ = state.run(Dataset.from_sample("penguins"), state.config_from(inputs["config"]), inputs=inputs)
    real, calls = plan_pkg.build_plan, []
    monkeypatch.setattr(plan_pkg, "build_plan", lambda *a, **k: calls.append(1) or real(*a, **k))
    a = state.analyse(result, inputs)
    assert calls == [] and a["plan"]["determination"] == result.meta["determination"]
    other = small_inputs(cost_per_label=3.0)
    b = state.analyse(result, other)
    assert calls == [1] and b["plan"]["money"] != a["plan"]["money"]


def test_the_dashboard_reuses_the_plan_when_the_plan_rewrote_its_inputs(monkeypatch):
    """With item costs the plan's own inputs carry the items' average price, not the one asked for; the analysis of
    the same result and the same asked-for inputs must still reuse the plan (it was built twice)."""
    import simulations.plan as plan_pkg
    from dashboard import state
    from dashboard.testing import small_inputs
    from simulations.costs import ItemCosts

    monkeypatch.setenv("LABELWISE_N_JOBS", "1")
    state.clear_cache()
    inputs = small_inputs()
    inputs["config"]["costs"] = ItemCosts(by_class=(("Adelie", 2.0),), base=0.5).to_dict()
    result, _ = state.run(Dataset.from_sample("penguins"), state.config_from(inputs["config"]), inputs=inputs)
    real, calls = plan_pkg.build_plan, []
    monkeypatch.setattr(plan_pkg, "build_plan", lambda *a, **k: calls.append(1) or real(*a, **k))
    a = state.analyse(result, inputs)
    assert a["plan"]["costs"] is not None  # the item costs were planned with
    assert state._PLANS[id(result)][1].inputs.cost_per_label != inputs["economics"]["cost_per_label"]  # its own price
    assert calls == []
