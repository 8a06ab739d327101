"""Simulate until the answer is determined: no hidden "labels to simulate" knob decides the plan.

A fixed simulated budget decides the answer when random sampling has not reached the target by then (the savings
are only "at least") or when labels still pay at the last label simulated (the stop is capped there). So the plan
simulates in stages: after each stage it builds the plan and, while random sampling or the costed strategy still
needs a fitted curve to reach the target in some seed, or the cost-optimal stop lies beyond the labels simulated, it
simulates again with a larger budget (at least twice the last, or a quarter more than what the fitted curves say is
needed), until the answer is determined, the simulated pool is used up, the user's optional cap is reached, or the
time cap would be passed. Each stage is a complete, seeded simulation: stage k+1 repeats stage k's rounds exactly
(same seeds, same schedule) and goes further, so nothing of stage k is lost or different, only superseded.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from simulations.config import DEFAULT_BUDGET, SimulationConfig
from simulations.plan.build import Plan, build_plan
from simulations.plan.inputs import PlanInputs
from simulations.runner import Progress, run_simulation

__all__ = ["AdaptiveRun", "Stage", "open_questions", "simulate_for_plan"]

#: Why the stages ended.
STOP_REASONS = {
    "determined": "the answer is determined: random sampling and the costed strategy reach the target in every "
                  "seed, and the cost-optimal stop lies within the labels simulated",
    "pool": "the simulated pool is used up: what lies beyond is read off fitted learning curves (extrapolated)",
    "max_labels": "the cap on labels to simulate was reached: what lies beyond is extrapolated",
    "time_cap": "the time cap was reached: what lies beyond is extrapolated",
    "no_signal": "the model learns nothing from these features, so more labels would change nothing",
    "too_easy": "the initial labels already meet the target in most seeds, so more labels would change nothing",
}


@dataclass(frozen=True, kw_only=True)
class Stage:
    """One simulation of the adaptive run: its budget, its wall time and what was still open after it."""

    budget: int
    seconds: float
    open: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"budget": self.budget, "seconds": round(self.seconds, 2), "open": list(self.open)}


@dataclass(frozen=True, kw_only=True)
class AdaptiveRun:
    """The last stage's results and plan, every stage, and why the stages ended (a key of ``STOP_REASONS``)."""

    result: Any
    plan: Plan
    stages: tuple[Stage, ...]
    stop_reason: str

    @property
    def determined(self) -> bool:
        """True when simulating more would not change the answer (not when a limit stopped the stages)."""
        return self.stop_reason in ("determined", "no_signal", "too_easy")

    def to_dict(self) -> dict[str, Any]:
        return {"stop_reason": self.stop_reason, "determined": self.determined,
                "sentence": STOP_REASONS[self.stop_reason], "stages": [s.to_dict() for s in self.stages]}


def open_questions(plan: Plan) -> list[str]:
    """What a larger simulation would still settle: empty when the plan rests on simulated labels only."""
    if plan.no_signal or (plan.summary is not None and plan.summary.too_easy):
        return []  # more labels change nothing: the model learns nothing, or the initial labels already suffice
    out = []
    if plan.labels_to_target_random.extrapolated:
        out.append("random sampling does not reach the target in every seed")
    if plan.labels_to_target_al.extrapolated:
        out.append(f"{plan.strategy} does not reach the target in every seed")
    if plan.stop.extrapolated or (plan.stop.cost_optimum is not None and plan.stop.cost_optimum.extrapolated):
        out.append("the cost-optimal stop lies beyond the labels simulated")
    return out


def _next_budget(plan: Plan, budget: int, limit: int) -> int:
    """At least twice the last budget, or a quarter more than the fitted curves say is needed (at most 4x).

    The budget counts items; with re-labeling the plan's label counts are paid labels (``paid_per_item`` an item), so
    they are turned back into items first.
    """
    per_item = float((plan.noise or {}).get("paid_per_item") or 1.0)
    needed = [plan.labels_to_target_random.median, plan.labels_to_target_al.median, plan.stop.labels.median]
    if plan.stop.cost_optimum is not None:
        needed.append(plan.stop.cost_optimum.median)
    needed = [n / per_item for n in needed]
    want = max([2 * budget] + [1.25 * n for n in needed if math.isfinite(n)])
    return int(min(limit, 4 * budget, math.ceil(want)))


def simulate_for_plan(dataset: Any, config: SimulationConfig, inputs: PlanInputs, *, n_jobs: int = 1,
                      progress: Callable[[Progress], None] | None = None,
                      should_cancel: Callable[[], bool] | None = None,
                      clock: Callable[[], float] = time.monotonic) -> AdaptiveRun:
    """Simulate in stages until the plan is determined (see the module docstring).

    Parameters
    ----------
    dataset : Dataset
    config : SimulationConfig
        Its ``budget`` is the first stage's (default :data:`~simulations.config.DEFAULT_BUDGET`).
    inputs : PlanInputs
        ``max_labels`` caps the labels simulated; ``time_cap_seconds`` the wall time of the stages.
    n_jobs, progress, should_cancel
        As :func:`simulations.run_simulation`; progress reports carry the stage and its budget.
    clock : callable
        Seconds (a monotonic clock); tests pass a fake one.

    Returns
    -------
    AdaptiveRun
    """
    start = clock()
    budget = int(config.budget or DEFAULT_BUDGET)
    if inputs.max_labels:
        budget = min(budget, int(inputs.max_labels))
    stages: list[Stage] = []
    while True:
        k = len(stages) + 1
        t0 = clock()

        def report(p: Progress, k: int = k, b: int = budget) -> None:
            if progress is not None:
                progress(replace(p, stage=k, budget=b))

        result = run_simulation(dataset, replace(config, budget=budget), n_jobs=n_jobs, progress=report,
                                should_cancel=should_cancel)
        seconds = clock() - t0
        n_pool = int(result.meta.get("n_pool") or budget)
        ran = int(result.meta.get("budget") or budget)  # the runner never goes past the pool
        stage_info = {"stages": [s.to_dict() for s in stages]}
        plan = build_plan(result, inputs, determination=stage_info)
        still = open_questions(plan)
        stages.append(Stage(budget=ran, seconds=seconds, open=tuple(still)))
        limit = n_pool if not inputs.max_labels else min(n_pool, int(inputs.max_labels))
        if plan.no_signal:
            reason = "no_signal"
        elif plan.summary is not None and plan.summary.too_easy:
            reason = "too_easy"
        elif not still:
            reason = "determined"
        elif ran >= n_pool:
            reason = "pool"
        elif ran >= limit:
            reason = "max_labels"
        else:
            nxt = _next_budget(plan, ran, limit)
            # a stage's time grows a little faster than its labels (bigger training sets)
            expected = seconds * (nxt / max(ran, 1)) ** 1.5
            if clock() - start + expected > inputs.time_cap_seconds:
                reason = "time_cap"
            else:
                budget = nxt
                continue
        run = AdaptiveRun(result=result, plan=plan, stages=tuple(stages), stop_reason=reason)
        return replace(run, plan=replace(plan, determination=run.to_dict()))
