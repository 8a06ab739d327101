"""What a plan is: the figures every surface reads (:class:`Plan` and its parts), built by
:func:`simulations.plan.build.build_plan`.

Kept apart from the computation so the shape of the answer can be read (and imported by the sentences, the CLI and
the dashboard) without the code that computes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulations.economics import BusinessCaseRange
from simulations.plan.inputs import PlanInputs
from simulations.plan.pilot import PilotAnswer
from simulations.summary import Summary
from simulations.trust import MEASURED

__all__ = ["Estimate", "Plan", "PlanStop", "TargetAtPool"]


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """A figure over seeds: median and 95% interval, whether any seed's value was read off a fitted curve beyond
    what was simulated (``extrapolated``), and ``bound`` ("" exact, "lower"/"upper" when censoring makes it one)."""

    median: float
    low: float
    high: float
    extrapolated: bool = False
    bound: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"median": _finite(self.median), "low": _finite(self.low), "high": _finite(self.high),
                "extrapolated": bool(self.extrapolated), "bound": self.bound or None}


def _finite(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _estimate(r: Any, *, extrapolated: bool = False) -> Estimate:
    return Estimate(median=float(r.median), low=float(r.low), high=float(r.high), extrapolated=extrapolated,
                    bound=getattr(r, "bound", "") or "")


@dataclass(frozen=True, kw_only=True)
class TargetAtPool:
    """The target's score at the production pool.

    Attributes
    ----------
    kind, value : str, float
        As the user gave it.
    score : float
        The score to reach (median over seeds), in the run's metric.
    shift : float
        Added to every seed's simulated target: the projected rise of the full-data score from the simulated pool to
        the production pool (0 for an absolute target, or when the production pool is not larger).
    projected : bool
        True when the score was re-expressed against a projected full-data score.
    ceiling, ceiling_low, ceiling_high : float
        The full-data score at the production pool (projected when ``projected``) and its 95% range.
    description : str
    """

    kind: str
    value: float
    score: float
    shift: float
    projected: bool
    ceiling: float
    ceiling_low: float
    ceiling_high: float
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "score": _finite(self.score), "shift": _finite(self.shift),
                "projected": self.projected, "ceiling": _finite(self.ceiling),
                "ceiling_low": _finite(self.ceiling_low), "ceiling_high": _finite(self.ceiling_high),
                "description": self.description}


@dataclass(frozen=True, kw_only=True)
class PlanStop:
    """When to stop labeling.

    Attributes
    ----------
    labels : Estimate
        Labels to plan for (median and the 2.5-97.5th percentiles over seeds).
    cost_optimum : Estimate or None
        Where one more label stops paying for itself on the fitted curve (the marginal rule), or the seeds'
        hindsight optimum when no curve was fitted; None without a value of accuracy.
    extrapolated : bool
        True when the stop or the optimum lies beyond the labels simulated (read off the fitted curve).
    rule : str
        What to monitor while labeling (the recommended label-free criterion), or how the stop was set.
    sentence : str
        The stopping advice in the engine's words.
    """

    labels: Estimate
    cost_optimum: Estimate | None
    extrapolated: bool
    rule: str
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {"labels": self.labels.to_dict(),
                "cost_optimum": None if self.cost_optimum is None else self.cost_optimum.to_dict(),
                "extrapolated": self.extrapolated, "rule": self.rule, "sentence": self.sentence}


#: Money figures of the plan (``Plan.money``), by JSON key, with the business-case field each one is.
MONEY_FIELDS: dict[str, str] = {
    "net_savings": "total_benefit",
    "roi": "roi",
    "al_total_cost": "al_total_cost",
    "random_total_cost": "random_label_cost",
    "al_label_cost": "al_label_cost",
    "label_cost_savings": "cost_savings",
    "value_of_accuracy": "value_increase",
}


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The one answer for a scenario. Every page, the report, ``labelwise plan``/``roi``/``stop`` read it.

    Attributes
    ----------
    strategy : str
        The strategy costed (the engine's ranking, or the user's choice), the one every surface names.
    strategy_chosen_by : str
    verdict : str
        That strategy's verdict against random ("beats random", "no evidence", "worse than random").
    verdict_sentence : str
    other_verdicts : str
        Why another strategy's verdict differs from the costed one's ("" when none does).
    target : TargetAtPool
    metric, metric_label : str
    simulated_labels : int
        The most labels simulated.
    simulated_pool, production_pool : int
    labels_to_target_al, labels_to_target_random, labels_saved : Estimate
    stop : PlanStop
    money : dict of str to Estimate
        ``net_savings``, ``roi``, ``al_total_cost``, ``random_total_cost``, ``al_label_cost``,
        ``label_cost_savings``, ``value_of_accuracy``: medians over seeds of the per-seed figures.
    p_roi_positive : float
    pays_off : bool or None
        :func:`pays_off_rule`.
    pays_off_sentence : str
    how_many_sentence : str
        Labels to target, the stop and the cost optimum in one sentence that says how they relate.
    value_unit : str
        What one point of value is a point of ("balanced accuracy", or "accuracy" for the error-count form).
    no_signal : bool
    notes : tuple of str
    summary, business, advice : the engine objects the figures come from (for pages that draw details).
    """

    strategy: str
    strategy_chosen_by: str
    verdict: str
    verdict_sentence: str
    other_verdicts: str
    target: TargetAtPool
    metric: str
    metric_label: str
    simulated_labels: int
    simulated_pool: int
    production_pool: int
    labels_to_target_al: Estimate
    labels_to_target_random: Estimate
    labels_saved: Estimate
    stop: PlanStop
    money: dict[str, Estimate]
    p_roi_positive: float
    pays_off: bool | None
    pays_off_sentence: str
    how_many_sentence: str
    value_unit: str
    no_signal: bool
    notes: tuple[str, ...] = ()
    inputs: PlanInputs | None = field(default=None, compare=False, repr=False)
    summary: Summary | None = field(default=None, compare=False, repr=False)
    business: BusinessCaseRange | None = field(default=None, compare=False, repr=False)
    advice: Any = field(default=None, compare=False, repr=False)
    determination: dict[str, Any] = field(default_factory=dict, compare=False)
    tornado: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    roi_grid: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    #: The curve fits (``simulations.curves.PoolFits``) the plan's projections rest on, for charts to reuse.
    fits: Any = field(default=None, compare=False, repr=False)
    #: The results as the plan read them: label counts in paid labels with re-labeling, the error-cost score when
    #: errors are priced (``simulations.annotators.paid_labels_view``, ``simulations.plan.value.in_error_cost``).
    #: Pages draw their curves from it, so they show what the plan computed instead of redoing its transforms.
    scored: Any = field(default=None, compare=False, repr=False)
    #: Working days of both plans and the active-learning rounds (``simulations.plan.calendar``); None without a
    #: labeling speed.
    calendar: dict[str, Any] | None = None
    #: Unequal item costs (``SimulationConfig.costs``): where they come from, the price per label over the items,
    #: money to the target for both plans and the money saved (medians over seeds with intervals); None without.
    costs: dict[str, Any] | None = None
    #: How accuracy is valued (``simulations.plan.value``): the mode, the point value, the error costs and volumes.
    value_model: dict[str, Any] = field(default_factory=dict)
    #: With error costs: the expected error cost per 1,000 predictions of both plans at the recommended stop, the
    #: value of the reduction and the curves (``simulations.plan.value.error_cost_block``); else None.
    error_cost: dict[str, Any] | None = None
    #: The value of shipping sooner (with a calendar and the model's life), on top of the label savings; else None.
    time_value: dict[str, Any] | None = None
    #: Noisy annotators (``simulations.plan.noise.noise_effect``): the settings, the saving and the stop under the
    #: noise, the same saving with perfect labels on the same seeds and the paired change; None without noise.
    noise: dict[str, Any] | None = None
    #: What a pilot (a simulation on fewer items than the production pool) can say about that pool
    #: (``simulations.plan.pilot``); None when the production pool is the simulated one.
    pilot: PilotAnswer | None = None
    #: Which intervals are widened by the calibration suite's conformal quantiles (``simulations.plan.conformal``):
    #: the level, the figures, the widenings and their source; None when the plan is not a projection to a larger
    #: pool (its intervals are then the seeds' own).
    calibration: dict[str, Any] | None = None

    @property
    def interval_level(self) -> float:
        """The level of the money and label intervals: 95%, Bonferroni-corrected when the strategy was picked from
        several (``BusinessCaseRange.confidence``)."""
        return float(self.business.confidence) if self.business is not None else 0.95

    @property
    def roi(self) -> Estimate:
        return self.money["roi"]

    @property
    def net_savings(self) -> Estimate:
        return self.money["net_savings"]

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON (the keys ``labelwise plan --json`` prints)."""
        return {
            "strategy": self.strategy, "strategy_chosen_by": self.strategy_chosen_by, "verdict": self.verdict,
            "verdict_sentence": self.verdict_sentence, "other_verdicts": self.other_verdicts or None,
            "target": self.target.to_dict(), "metric": self.metric, "metric_label": self.metric_label,
            "simulated_labels": self.simulated_labels, "simulated_pool": self.simulated_pool,
            "production_pool": self.production_pool,
            "labels_to_target": {"al": self.labels_to_target_al.to_dict(),
                                 "random": self.labels_to_target_random.to_dict()},
            "labels_saved": self.labels_saved.to_dict(),
            "stop": self.stop.to_dict(),
            "money": {k: v.to_dict() for k, v in self.money.items()},
            "p_roi_positive": _finite(self.p_roi_positive), "pays_off": self.pays_off,
            "pays_off_sentence": self.pays_off_sentence, "how_many_sentence": self.how_many_sentence,
            "value_unit": self.value_unit, "no_signal": self.no_signal, "notes": list(self.notes),
            "interval_level": self.interval_level,
            "trust": {"verdict": MEASURED.verdict_sentence(), "projection": MEASURED.projection_sentence(),
                      "pilot": MEASURED.pilot_sentence() if self.pilot is not None else None},
            "calendar": self.calendar,
            "costs": self.costs,
            "value_model": self.value_model,
            "error_cost": None if self.error_cost is None else {k: v for k, v in self.error_cost.items()
                                                                 if k != "curves_frame"},
            "time_value": self.time_value,
            "noise": self.noise,
            "pilot": None if self.pilot is None else self.pilot.to_dict(),
            "calibration": self.calibration,
            "determination": self.determination,
            "sensitivity": {
                "base_roi": _finite(self.money["roi"].median),
                "tornado": _records(self.tornado), "roi_grid": _records(self.roi_grid),
            },
        }


def _records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    if df is None:
        return []
    return [{k: (_finite(v) if isinstance(v, float | np.floating) else v.item() if hasattr(v, "item") else v)
             for k, v in row.items()} for row in df.to_dict("records")]
