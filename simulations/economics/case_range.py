"""The business case over simulation seeds: :class:`BusinessCaseRange`, its :class:`Range` numbers and
:func:`business_case_over_seeds`.

* :func:`business_case_over_seeds` -> :class:`BusinessCaseRange`: the case per seed, each number summarised
  as a :class:`Range` (median and order-statistic interval), with censoring bounds and the equal-budget view.
* :data:`NO_SIGNAL_VERDICT`: the verdict shown instead of "pays off" when the model learns nothing.

The point estimate for one pair of plans (:func:`~simulations.economics.case.business_case`) is this with one seed;
:mod:`simulations.economics.case` re-exports every name here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulations.economics.formulas import _HOUR_FIELDS, CASE_FIELDS, _probe_bounds, case_fields
from simulations.economics.inputs import EconomicInputs, _as_array, _check_accuracy, _check_labels, _check_overhead
from simulations.errors import ConfigError
from simulations.stats import median_interval, min_seeds_for_verdict
from simulations.summary import MIN_SEEDS_FOR_VERDICT

__all__ = [
    "NO_SIGNAL_VERDICT",
    "BusinessCaseRange",
    "Range",
    "business_case_over_seeds",
]


def _beyond_plan(payback: float | None, labels_al: float | None) -> bool:
    if payback is None or labels_al is None:
        return False
    pb, la = float(payback), float(labels_al)
    return bool(math.isfinite(pb) and math.isfinite(la) and pb > la)


def _json_number(x: Any) -> Any:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Range:
    """A number over seeds: the median and a confidence interval for it.

    ``low``/``high`` is the order-statistic interval of the median over seeds (default 95 %;
    :func:`simulations.stats.median_interval`).
    ``bound`` is ``""`` when exact, else ``"lower"`` (the true value is at least this: censored seeds),
    ``"upper"`` (at most this) or ``"unknown"``.
    """

    median: float
    low: float
    high: float
    bound: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "median": _json_number(self.median),
            "low": _json_number(self.low),
            "high": _json_number(self.high),
            "bound": self.bound or None,
        }


#: The verdict of a business case whose model learns nothing (``BusinessCaseRange.no_signal``): shown instead of any
#: "pays off" judgment by ``labelwise roi`` and the dashboard alike.
NO_SIGNAL_VERDICT = (
    "The model learns nothing from these features (trained on the whole pool it is no better than always predicting "
    "the majority class): no labeling plan pays, neither active learning, random sampling nor labeling the whole "
    "pool, and no ROI here is meaningful; fix the data first (check the label column and the features, or try "
    "another model)."
)


@dataclass(frozen=True)
class BusinessCaseRange:
    """The business case over simulation seeds: every number a :class:`Range` (median, low, high).

    Same fields as :class:`BusinessCase` (``None`` for the hour fields without ``labels_per_hour``),
    plus ``p_roi_positive`` (share of seeds whose ROI against random is above zero; ``p_roi_positive_bound``
    says whether censoring makes it a bound), ``p_whole_pool_roi_positive``, the equal-budget view
    (``equal_budget_*``: both plans buy the same labels, AL only buys accuracy; not part of the total
    benefit), and what the case was built from.
    """

    labels_random: Range
    labels_al: Range
    labels_saved: Range
    labels_saved_share: Range
    accuracy_random: Range
    accuracy_al: Range
    accuracy_gain_points: Range
    random_label_cost: Range
    al_label_cost: Range
    al_rounds: Range
    al_overhead_cost: Range
    al_total_cost: Range
    cost_savings: Range
    value_increase: Range
    total_benefit: Range
    roi: Range
    break_even_labels: Range
    break_even_share: Range
    payback_labels: Range
    hours_random: Range | None
    hours_al: Range | None
    hours_saved: Range | None
    payback_hours: Range | None
    whole_pool_labels: Range
    whole_pool_label_cost: Range
    whole_pool_accuracy: Range
    whole_pool_cost_savings: Range
    whole_pool_value_increase: Range
    whole_pool_total_benefit: Range
    whole_pool_roi: Range
    whole_pool_break_even_pool: Range
    whole_pool_hours_saved: Range | None
    p_roi_positive: float
    p_roi_positive_bound: str
    p_whole_pool_roi_positive: float
    n_seeds: int
    n_random_censored: int
    n_al_censored: int
    value_per_point: float
    value_source: str
    predictions: float | None
    cost_per_error: float | None
    setup_cost: float
    cost_per_label: float
    confidence: float
    equal_budget_labels: Range | None = None
    equal_budget_accuracy_random: Range | None = None
    equal_budget_accuracy_al: Range | None = None
    equal_budget_value_increase: Range | None = None
    equal_budget_roi: Range | None = None
    strategy: str | None = None
    metric: str | None = None
    target: str | None = None
    assumptions: tuple[str, ...] = ()
    per_seed: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    pool_caveat: Any = field(default=None, compare=False, repr=False)
    #: Seeds that compare AL with random (not both censored), as the simulation summary counts them for its verdict.
    n_seeds_compared: int | None = None
    #: The simulation summary's "no signal" rule (``simulations.summary.is_no_signal``): the whole-pool model is no
    #: better than always predicting the majority class, so no labeling plan buys anything and no ROI is meaningful.
    no_signal: bool = False
    #: The summary's sentence for it ("No strategy can save labels here: ..."); "" when there is signal.
    no_signal_sentence: str = ""
    #: AL strategies the case's strategy was picked from: the ranges are at ``1 - (1 - 0.95) / k_compared`` and
    #: ``pays_off`` needs the seeds a verdict over that many strategies needs (``simulations.stats``).
    k_compared: int = 1
    #: ``roi`` is a pilot's, widened by ``simulations.plan.conformal``: ``pays_off`` then needs it on its side of 0.
    roi_widened: bool = False

    @property
    def no_signal_verdict(self) -> str:
        """The one no-signal sentence every surface shows ("" when there is signal): :data:`NO_SIGNAL_VERDICT` for a
        plan on its own pool; for a pilot's projection (``roi_widened``), undecided, since a larger pool may well
        have signal (the calibration suite's count, ``simulations.trust.MEASURED``)."""
        if not self.no_signal:
            return ""
        if not self.roi_widened:
            return NO_SIGNAL_VERDICT
        from simulations.trust import MEASURED as m  # the measured count; trust imports the curves, not economics

        return (f"Undecided whether active learning pays off: the pilot's model learns nothing from its rows, but that "
                f"says little about the production pool (in the calibration suite the full data's model learned "
                f"from {m.pilot_no_signal_full_data_signal} of the {m.pilot_no_signal_pilots} pilots that had "
                "none); label a larger pilot, or check the label column and the features.")

    @property
    def seeds_compared(self) -> int:
        """Seeds the verdict rests on: ``n_seeds_compared``, else every seed (a case built without that count)."""
        return self.n_seeds if self.n_seeds_compared is None else self.n_seeds_compared

    @property
    def seeds_needed(self) -> int:
        """Seeds that must compare the plans before ``pays_off`` says True or False: ``MIN_SEEDS_FOR_VERDICT``
        (6), more when the strategy was picked from ``k_compared`` > 1 (7 for 2-3, 8 for 4-6)."""
        return max(MIN_SEEDS_FOR_VERDICT, min_seeds_for_verdict(self.k_compared))

    @property
    def pays_off(self) -> bool | None:
        """The one "does active learning pay" rule, the text verdict's (``labelwise roi``, ``plan``, the dashboard).

        True when the whole 95% interval of the total benefit against random sampling is above zero (a censored
        lower bound still counts), False when it lies wholly at or below zero (an upper bound still counts) or the
        model learns nothing from the features (``no_signal``; for a pilot's projection, ``roi_widened``, that is
        undecided instead: a larger pool may well have signal), None when undecided: the interval spans zero, a
        bound points the other way, or fewer seeds compare the plans than a verdict needs (the simulation
        summary's rule: ``MIN_SEEDS_FOR_VERDICT``, more when the strategy was picked from ``k_compared`` > 1), or
        (``roi_widened``, a pilot's projection) the calibrated ROI interval does not lie on the decision's side.
        """
        if self.no_signal:
            # a pilot's model that learns nothing from its few rows says little about the production pool's: in the
            # calibration suite the full data's model learned from 4 of 10 such pilots (simulations.trust.MEASURED)
            return None if self.roi_widened else False
        if self.seeds_compared < self.seeds_needed:
            return None
        tb = self.total_benefit
        if tb.low > 0 and tb.bound in ("", "lower"):
            return True if not self.roi_widened or self.roi.low > 0 else None
        if tb.high <= 0 and tb.bound in ("", "upper"):
            return False if not self.roi_widened or self.roi.high <= 0 else None
        return None

    @property
    def payback_beyond_plan(self) -> bool:
        """True when the median payback comes after the AL plan's median labels: not repaid by label savings."""
        return _beyond_plan(self.payback_labels.median, self.labels_al.median)

    def point_inputs(self) -> dict[str, float]:
        """Median labels and accuracies, to pass to :func:`business_case` or the sensitivity functions."""
        return {
            "labels_random": self.labels_random.median,
            "labels_al": self.labels_al.median,
            "accuracy_random": self.accuracy_random.median,
            "accuracy_al": self.accuracy_al.median,
            "accuracy_whole_pool": self.whole_pool_accuracy.median,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: numbers as {median, low, high, bound}; infinite/NaN become None."""
        d: dict[str, Any] = {}
        for k in (
            *CASE_FIELDS,
            "equal_budget_labels",
            "equal_budget_accuracy_random",
            "equal_budget_accuracy_al",
            "equal_budget_value_increase",
            "equal_budget_roi",
        ):
            r = getattr(self, k)
            d[k] = None if r is None else r.to_dict()
        d.update(
            p_roi_positive=self.p_roi_positive,
            p_roi_positive_bound=self.p_roi_positive_bound or None,
            p_whole_pool_roi_positive=self.p_whole_pool_roi_positive,
            pays_off=self.pays_off,
            roi_widened=self.roi_widened,
            payback_beyond_plan=self.payback_beyond_plan,
            n_seeds=self.n_seeds,
            n_seeds_compared=self.seeds_compared,
            k_compared=self.k_compared,
            seeds_needed=self.seeds_needed,
            n_random_censored=self.n_random_censored,
            n_al_censored=self.n_al_censored,
            value_per_point=self.value_per_point,
            value_source=self.value_source,
            predictions=self.predictions,
            cost_per_error=self.cost_per_error,
            setup_cost=self.setup_cost,
            cost_per_label=self.cost_per_label,
            confidence=self.confidence,
            strategy=self.strategy,
            metric=self.metric,
            target=self.target,
            assumptions=list(self.assumptions),
            pool_caveat=None if self.pool_caveat is None else self.pool_caveat.to_dict(),
            no_signal=self.no_signal,
            no_signal_sentence=self.no_signal_sentence or None,
            no_signal_verdict=self.no_signal_verdict or None,
        )
        return d


def _combine_bounds(kinds: np.ndarray) -> str:
    present = {k for k in kinds if k}
    if not present:
        return ""
    if len(present) == 1:
        return present.pop()
    return "unknown"


def business_case_over_seeds(
    labels_random: Any,
    labels_al: Any,
    accuracy_random: Any,
    accuracy_al: Any,
    inputs: EconomicInputs,
    *,
    accuracy_whole_pool: Any = None,
    random_censored: Any = None,
    al_censored: Any = None,
    al_rounds: Any = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int = 0,
    equal_budget: Mapping[str, Any] | None = None,
    strategy: str | None = None,
    metric: str | None = None,
    target: str | None = None,
    extra_assumptions: tuple[str, ...] = (),
    k_compared: int = 1,
    price_factors: tuple[Any, Any] | None = None,
) -> BusinessCaseRange:
    """The business case for each seed, summarised as ranges.

    Every argument from ``labels_random`` to ``al_rounds`` is one value per seed (paired: the same seed
    for random and AL). Each output's ``median`` is the median over seeds; ``low``/``high`` is the
    ``confidence`` order-statistic interval of that median (:func:`simulations.stats.median_interval`, the
    simulation summary's interval: [min, max] with 5 seeds or fewer, which covers less than 95%).
    ``k_compared`` > 1 (the strategy was picked as the best of that many) widens every interval to
    ``1 - (1 - confidence) / k_compared`` (Bonferroni, as the summary's verdict) and raises the seeds ``pays_off``
    needs. ``price_factors`` (random's and AL's price per label per seed as multiples of ``cost_per_label``,
    from unequal item costs) make each plan's label cost its real spend (:func:`case_fields`); they are kept in
    ``per_seed``. ``n_boot=0`` skips the intervals (low = high = median); ``random_state`` is kept for callers and
    unused (nothing is drawn at random any more). ``equal_budget`` optionally holds per-seed
    ``labels``, ``accuracy_random``, ``accuracy_al`` for the equal-budget view.
    """
    lr = _as_array("labels_random", labels_random)
    n = lr.shape[0]
    if n == 0:
        raise ConfigError("No seeds: labels_random is empty.", "Pass at least one seed's numbers.")
    la = _as_array("labels_al", labels_al, n)
    ar = _as_array("accuracy_random", accuracy_random, n)
    aa = _as_array("accuracy_al", accuracy_al, n)
    _check_labels("labels_random", lr, inputs)
    _check_labels("labels_al", la, inputs)
    _check_accuracy("accuracy_random", ar)
    _check_accuracy("accuracy_al", aa)
    if accuracy_whole_pool is None:
        awp = np.maximum(ar, aa)
        wp_note = (
            "whole-pool accuracy not given: assumed equal to the better plan's accuracy "
            "(labeling everything is at least as good; conservative for AL)"
        )
    else:
        awp = _as_array("accuracy_whole_pool", accuracy_whole_pool, n)
        _check_accuracy("accuracy_whole_pool", awp)
        wp_note = ""
    rc = (
        np.zeros(n, bool) if random_censored is None else _as_array("random_censored", random_censored, n) > 0
    )
    ac = np.zeros(n, bool) if al_censored is None else _as_array("al_censored", al_censored, n) > 0
    rounds = None
    if al_rounds is not None:
        rounds = _as_array("al_rounds", al_rounds, n)
        if not np.all(np.isfinite(rounds)) or np.any(rounds < 0):
            raise ConfigError(
                "al_rounds must be zero or more rounds for every seed.",
                "Count the AL rounds each seed needed, or set rounds/batch_size in the inputs.",
            )
    _check_overhead(inputs, rounds)
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence must be between 0 and 1 (got {confidence:g}).", "Use e.g. 0.95.")
    k_compared = max(1, int(k_compared))
    confidence = 1 - (1 - confidence) / k_compared

    if price_factors is not None:
        price_factors = (_as_array("random price factor", price_factors[0], n),
                         _as_array("AL price factor", price_factors[1], n))
    base = case_fields(lr, la, ar, aa, awp, inputs, rounds, price_factors)
    kinds = _probe_bounds(lr, la, ar, aa, awp, inputs, rounds, rc, ac, base, price_factors)

    ranges_wanted = bool(n_boot) and n >= 2

    def summarise(values: np.ndarray, kind: np.ndarray) -> Range:
        # the simulation summary's interval (simulations.stats.median_interval): one saving, one range everywhere
        if not ranges_wanted:
            with np.errstate(invalid="ignore"):
                med = float(np.median(values))
            return Range(med, med, med, _combine_bounds(kind))
        iv = median_interval(values, confidence=confidence)
        return Range(iv.median, iv.low, iv.high, _combine_bounds(kind))

    ranges: dict[str, Range | None] = {}
    for k in CASE_FIELDS:
        if k in _HOUR_FIELDS and inputs.throughput is None:
            ranges[k] = None
        else:
            ranges[k] = summarise(base[k], kinds[k])

    roi = base["roi"]
    p_pos = float(np.mean(roi > 0))
    # a seed whose ROI is a lower bound above 0 is surely positive; one that is an upper bound above 0,
    # or unknown, may not be: the share is then itself a bound
    roi_kind = kinds["roi"]
    uncertain_up = np.any((roi_kind == "lower") & (roi <= 0)) or np.any((roi_kind == "unknown") & (roi <= 0))
    uncertain_down = np.any((roi_kind == "upper") & (roi > 0)) or np.any((roi_kind == "unknown") & (roi > 0))
    p_bound = (
        "unknown"
        if uncertain_up and uncertain_down
        else "lower"
        if uncertain_up
        else ("upper" if uncertain_down else "")
    )
    p_wp = float(np.mean(base["whole_pool_roi"] > 0))

    eb: dict[str, Range | None] = dict.fromkeys(
        (
            "equal_budget_labels",
            "equal_budget_accuracy_random",
            "equal_budget_accuracy_al",
            "equal_budget_value_increase",
            "equal_budget_roi",
        )
    )
    if equal_budget is not None:
        el = _as_array("equal_budget labels", equal_budget["labels"], n)
        ear = _as_array("equal_budget accuracy_random", equal_budget["accuracy_random"], n)
        eaa = _as_array("equal_budget accuracy_al", equal_budget["accuracy_al"], n)
        e = case_fields(el, el, ear, eaa, awp, inputs, rounds)
        exact = np.full(n, "", dtype=object)
        eb = {
            "equal_budget_labels": summarise(el, exact),
            "equal_budget_accuracy_random": summarise(ear, exact),
            "equal_budget_accuracy_al": summarise(eaa, exact),
            "equal_budget_value_increase": summarise(e["value_increase"], exact),
            "equal_budget_roi": summarise(e["roi"], exact),
        }

    assumptions = list(inputs.assumptions())
    if wp_note:
        assumptions.append(wp_note)
    if rc.any() or ac.any():
        assumptions.append(
            f"censored: random did not reach the target in {int(rc.sum())} of {n} seeds, "
            f"AL in {int(ac.sum())}; "
            "their label counts are lower bounds and outputs marked 'lower'/'upper' are bounds"
        )
    assumptions.extend(extra_assumptions)
    per_seed = pd.DataFrame({k: base[k] for k in CASE_FIELDS})
    per_seed.insert(0, "random_censored", rc)
    per_seed.insert(1, "al_censored", ac)
    if price_factors is not None:
        per_seed["random_price_factor"], per_seed["al_price_factor"] = price_factors
    return BusinessCaseRange(
        **ranges,
        **eb,  # type: ignore[arg-type]
        p_roi_positive=p_pos,
        p_roi_positive_bound=p_bound,
        p_whole_pool_roi_positive=p_wp,
        n_seeds=n,
        n_seeds_compared=int((~(rc & ac)).sum()),
        k_compared=k_compared,
        n_random_censored=int(rc.sum()),
        n_al_censored=int(ac.sum()),
        value_per_point=inputs.point_value,
        value_source=inputs.value_source,
        predictions=None if inputs.predictions is None else float(inputs.predictions),
        cost_per_error=None if inputs.cost_per_error is None else float(inputs.cost_per_error),
        setup_cost=float(inputs.setup_cost),
        cost_per_label=float(inputs.cost_per_label),
        confidence=float(confidence),
        strategy=strategy,
        metric=metric,
        target=target,
        assumptions=tuple(assumptions),
        per_seed=per_seed,
    )
