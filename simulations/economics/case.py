"""The business case itself: one pair of plans (:class:`BusinessCase`) or every seed (:class:`BusinessCaseRange`).

* :func:`business_case` -> :class:`BusinessCase`: a point estimate for one random plan and one AL plan.
* :func:`business_case_over_seeds` -> :class:`BusinessCaseRange`: the case per seed, each number summarised
  as a :class:`Range` (median and order-statistic interval), with censoring bounds and the equal-budget view.
* :data:`NO_SIGNAL_VERDICT`: the verdict shown instead of "pays off" when the model learns nothing.

Each comparison is plan against plan: a plan buys some labels and ends with the accuracy those labels
give. The random plan and the AL plan are each taken at their own stopping point (the target, or the
budget cap when it comes first), so the label saving and the accuracy gain are never counted twice.
The second baseline is labeling the whole production pool. The "equal budget" view (both spend the
same labels, AL only buys accuracy) is reported beside the main case, not added to it.

Built from simulation results by :mod:`simulations.economics.from_results`; the formulas are in
:mod:`simulations.economics.formulas`. This module holds the point case (:class:`BusinessCase`,
:func:`business_case`); the case over seeds (:class:`BusinessCaseRange`, :class:`Range`,
:func:`business_case_over_seeds`, :data:`NO_SIGNAL_VERDICT`) is in :mod:`simulations.economics.case_range`, and
every one of its names is re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulations.economics.case_range import (
    NO_SIGNAL_VERDICT,
    BusinessCaseRange,
    Range,
    _beyond_plan,
    _json_number,
    business_case_over_seeds,
)
from simulations.economics.formulas import CASE_FIELDS
from simulations.economics.inputs import EconomicInputs

__all__ = [
    "NO_SIGNAL_VERDICT",
    "BusinessCase",
    "BusinessCaseRange",
    "Range",
    "business_case",
    "business_case_over_seeds",
]


@dataclass(frozen=True)
class BusinessCase:
    """One business case: AL against random sampling and against labeling the whole production pool.

    Dollars are dollars; ``roi`` and ``*_share`` are fractions (1.667 = 166.7 %); accuracies are
    fractions; ``accuracy_gain_points`` is percentage points; hours are labeling hours of the whole team
    (NaN without ``labels_per_hour``). Infinite values mean "never" (e.g. no payback when AL saves no
    labels). ``bounds`` names the outputs that are only bounds because a plan's label count was censored
    (the strategy did not reach the target within the simulated budget): ``"lower"`` = the true value is
    at least this, ``"upper"`` = at most this, ``"unknown"`` = it may move either way.

    Fields
    ------
    labels_random, labels_al : labels each plan buys.  labels_saved, labels_saved_share : the difference.
    accuracy_random, accuracy_al : accuracy each plan ends with.  accuracy_gain_points : AL minus random.
    random_label_cost, al_label_cost : labels x cost per label.  al_rounds, al_overhead_cost : AL rounds
    and their cost.  al_total_cost : AL labels + setup + round overhead.
    cost_savings : random label cost - AL total cost.  value_increase : gain points x value per point.
    total_benefit : cost savings + value increase.  roi : total benefit / AL total cost.
    break_even_labels : label saving at which total benefit is zero (negative: AL pays off even when it
    needs that many labels *more*).  break_even_share : the share of the random plan's labels AL must save
    to break even, never negative (0 when AL pays off without saving any; above 1 when savings alone cannot).
    payback_labels : AL labels after which the label saving has repaid setup and overhead (saving taken
    to accrue evenly over the AL plan).  hours_* and payback_hours : the same in labeling hours.
    whole_pool_* : the second baseline, labeling all ``production_pool`` items;
    whole_pool_break_even_pool is the smallest production pool at which AL beats labeling everything (at
    least the AL plan's own labels: a pool must hold the plan).
    """

    labels_random: float
    labels_al: float
    labels_saved: float
    labels_saved_share: float
    accuracy_random: float
    accuracy_al: float
    accuracy_gain_points: float
    random_label_cost: float
    al_label_cost: float
    al_rounds: float
    al_overhead_cost: float
    al_total_cost: float
    cost_savings: float
    value_increase: float
    total_benefit: float
    roi: float
    break_even_labels: float
    break_even_share: float
    payback_labels: float
    hours_random: float
    hours_al: float
    hours_saved: float
    payback_hours: float
    whole_pool_labels: float
    whole_pool_label_cost: float
    whole_pool_accuracy: float
    whole_pool_cost_savings: float
    whole_pool_value_increase: float
    whole_pool_total_benefit: float
    whole_pool_roi: float
    whole_pool_break_even_pool: float
    whole_pool_hours_saved: float
    value_per_point: float
    value_source: str
    predictions: float | None = None
    cost_per_error: float | None = None
    setup_cost: float = 0.0
    cost_per_label: float = 0.0
    random_within_budget: bool = True
    al_within_budget: bool = True
    bounds: Mapping[str, str] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()

    @property
    def pays_off(self) -> bool:
        """True when the total benefit against random sampling is positive."""
        return self.total_benefit > 0

    @property
    def payback_beyond_plan(self) -> bool:
        """True when the payback comes after the AL plan's last label: label savings do not repay the setup."""
        return _beyond_plan(self.payback_labels, self.labels_al)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (infinite or NaN numbers become None; see ``bounds``)."""
        d: dict[str, Any] = {k: _json_number(getattr(self, k)) for k in CASE_FIELDS}
        d.update(
            value_per_point=self.value_per_point,
            value_source=self.value_source,
            predictions=self.predictions,
            cost_per_error=self.cost_per_error,
            setup_cost=self.setup_cost,
            cost_per_label=self.cost_per_label,
            random_within_budget=self.random_within_budget,
            al_within_budget=self.al_within_budget,
            pays_off=self.pays_off,
            payback_beyond_plan=self.payback_beyond_plan,
            bounds=dict(self.bounds),
            assumptions=list(self.assumptions),
        )
        return d


def business_case(
    labels_random: float,
    labels_al: float,
    accuracy_random: float,
    accuracy_al: float,
    inputs: EconomicInputs,
    *,
    accuracy_whole_pool: float | None = None,
    random_censored: bool = False,
    al_censored: bool = False,
    al_rounds: float | None = None,
) -> BusinessCase:
    """The business case of one pair of plans (a point estimate; see :func:`business_case_over_seeds`).

    Parameters
    ----------
    labels_random, labels_al : float
        Labels the random plan and the AL plan buy (e.g. labels to reach the target).
    accuracy_random, accuracy_al : float
        Accuracy (fraction, 0-1) each plan ends with.
    inputs : EconomicInputs
    accuracy_whole_pool : float, optional
        Accuracy of the model trained on the whole pool (the second baseline). Default: the better of
        the two plans' accuracies, i.e. labeling everything is assumed at least as good (conservative
        for AL).
    random_censored, al_censored : bool
        The plan did not reach the target within the simulated budget: its label count is a lower
        bound. Outputs that depend on it are marked in ``bounds``.
    al_rounds : float, optional
        AL rounds, when neither ``inputs.rounds`` nor ``inputs.batch_size`` is set.
    """
    rng = business_case_over_seeds(
        [labels_random],
        [labels_al],
        [accuracy_random],
        [accuracy_al],
        inputs,
        accuracy_whole_pool=None if accuracy_whole_pool is None else [accuracy_whole_pool],
        random_censored=[bool(random_censored)],
        al_censored=[bool(al_censored)],
        al_rounds=None if al_rounds is None else [al_rounds],
        n_boot=0,
    )
    vals = {k: getattr(rng, k).median if getattr(rng, k) is not None else math.nan for k in CASE_FIELDS}
    bounds = {
        k: getattr(rng, k).bound for k in CASE_FIELDS if getattr(rng, k) is not None and getattr(rng, k).bound
    }
    return BusinessCase(
        **vals,
        value_per_point=inputs.point_value,
        value_source=inputs.value_source,
        predictions=inputs.predictions,
        cost_per_error=inputs.cost_per_error,
        setup_cost=float(inputs.setup_cost),
        cost_per_label=float(inputs.cost_per_label),
        random_within_budget=inputs.budget_cap is None or labels_random <= inputs.budget_cap,
        al_within_budget=inputs.budget_cap is None or labels_al <= inputs.budget_cap,
        bounds=bounds,
        assumptions=rng.assumptions,
    )
