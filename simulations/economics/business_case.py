"""The business case for active learning: labels, dollars, ROI, break-even and payback.

Cost model (see ``docs/business-case.md``; the formulas follow the "Calculating ROI" example of the
source article summarised in the project's reference notes, *stopping-and-curves.md*):

- random label cost      = labels_random * cost_per_label
- AL label cost          = labels_al * cost_per_label
- AL total cost          = AL label cost + setup_cost + round_overhead * rounds
- cost savings           = random label cost - AL total cost           (net of setup and overhead)
- value increase         = (accuracy_al - accuracy_random) * 100 * value_per_point
- total benefit          = cost savings + value increase
- ROI                    = total benefit / AL total cost                (a fraction: 1.667 = 166.7 %)

``value_per_point`` is dollars per accuracy *percentage point* over the model's life. It can be given
directly or as ``predictions * cost_per_error / 100``: one point of accuracy is one wrong prediction
fewer per hundred, so over ``predictions`` predictions it avoids ``predictions / 100`` errors (the
error-cost form of the cost-based stopping objective, C(t) = cost_per_label * t + error(t) *
predictions * cost_per_error, in the same notes).

Worked example (reproduced exactly by ``tests/test_business_case.py``): a $50,000 budget at $2.50 a
label buys 20,000 random labels; AL needs 40 % of them, 8,000 labels = $20,000, plus $10,000 setup =
$30,000; accuracy 88 % -> 91 % at $10,000 a point = $30,000 more value; cost savings $20,000; total
benefit $50,000; ROI = 50,000 / 30,000 = 166.7 %.

Each comparison is plan against plan: a plan buys some labels and ends with the accuracy those labels
give. The random plan and the AL plan are each taken at their own stopping point (the target, or the
budget cap when it comes first), so the label saving and the accuracy gain are never counted twice.
The second baseline is labeling the whole production pool. The "equal budget" view (both spend the
same labels, AL only buys accuracy) is reported beside the main case, not added to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from simulations.errors import ConfigError, ResultsFileError
from simulations.money import money
from simulations.summary import MIN_SEEDS_FOR_VERDICT

__all__ = [
    "CASE_FIELDS",
    "NO_SIGNAL_VERDICT",
    "BusinessCase",
    "BusinessCaseRange",
    "EconomicInputs",
    "Projection",
    "Range",
    "business_case",
    "business_case_from_per_seed",
    "business_case_from_results",
    "business_case_over_seeds",
    "check_pool_covers_simulation",
    "choose_strategy",
    "curve_projection",
]

#: A learning-curve projection (e.g. a fit from ``simulations.curves``): called with the strategy name,
#: the seed and one seed's observed curve (label counts, metric values), it returns a vectorized
#: function mapping label counts to the projected metric value. Used only beyond the simulated budget.
Projection = Callable[[str, int, np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]

# --------------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------------


def _number(name: str, value: Any, hint: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(f"{name} must be a number (got {value!r}).", hint)
    value = float(value)
    if math.isnan(value):
        raise ConfigError(f"{name} is NaN (not a number).", hint)
    if math.isinf(value):
        raise ConfigError(f"{name} must be finite (got {value}).", hint)
    return value


def _check(cond: bool, message: str, hint: str) -> None:
    if not cond:
        raise ConfigError(message, hint)


@dataclass(frozen=True, kw_only=True)
class EconomicInputs:
    """What labels cost and what accuracy is worth, in the project's own numbers.

    Give the value of accuracy either as ``value_per_point`` or as ``predictions`` and
    ``cost_per_error`` (converted to ``predictions * cost_per_error / 100`` dollars per point).

    Parameters
    ----------
    cost_per_label : float
        Dollars paid for one human label.
    production_pool : int
        Number of unlabeled items in the real project (items that could be labeled). Also the cost
        basis of the second baseline, labeling everything.
    setup_cost : float
        One-time dollars to set AL up (engineering, tooling, infrastructure). Default 0.
    value_per_point : float, optional
        Dollars one accuracy percentage point is worth over the model's life.
    predictions : float, optional
        Predictions the model makes over its life (count); with ``cost_per_error``.
    cost_per_error : float, optional
        Dollars one wrong prediction costs; with ``predictions``.
    budget_cap : float, optional
        Most labels the team can buy (labels, not dollars). A plan stops here even if it has not reached
        the target.
    labels_per_hour : float, optional
        Labels one annotator produces per hour; enables the calendar-time outputs.
    annotators : int
        Annotators working in parallel. Default 1.
    round_overhead : float
        Dollars per AL round (retraining, hand-off to and from the annotators). Default 0.
    rounds : int, optional
        Number of AL rounds; or give ``batch_size``.
    batch_size : int, optional
        Labels per AL round; rounds = ceil(labels_al / batch_size).
    """

    cost_per_label: float
    production_pool: int
    setup_cost: float = 0.0
    value_per_point: float | None = None
    predictions: float | None = None
    cost_per_error: float | None = None
    budget_cap: float | None = None
    labels_per_hour: float | None = None
    annotators: int = 1
    round_overhead: float = 0.0
    rounds: int | None = None
    batch_size: int | None = None

    def __post_init__(self) -> None:
        money = "Dollars, zero or more, e.g. 2.50."
        c = _number("cost_per_label", self.cost_per_label,
                    "What one human label costs you in dollars, e.g. 0.08 (crowd) or 2.50 (expert).")
        _check(c >= 0, f"cost_per_label must be zero or more dollars (got {c:g}).",
               "What one human label costs you in dollars, e.g. 0.08 (crowd) or 2.50 (expert).")
        s = _number("setup_cost", self.setup_cost, money)
        _check(s >= 0, f"setup_cost must be zero or more dollars (got {s:g}).",
               "The one-time cost of setting AL up (engineering, tooling); 0 if none.")
        pool_hint = "The number of unlabeled items your real project has, e.g. 100000."
        p = _number("production_pool", self.production_pool, pool_hint)
        _check(p >= 1, f"production_pool must be at least 1 item (got {p:g}).", pool_hint)
        _check(p == int(p), f"production_pool must be a whole number of items (got {p:g}).", pool_hint)

        value_given = self.value_per_point is not None
        pred_given = self.predictions is not None
        cpe_given = self.cost_per_error is not None
        both_hint = ("Give value_per_point (dollars per accuracy point), or predictions and cost_per_error "
                     "(converted to predictions x cost_per_error / 100), not both.")
        _check(not (value_given and (pred_given or cpe_given)),
               "Both value_per_point and predictions/cost_per_error were given; the value of accuracy "
               "must be specified one way.", both_hint)
        _check(value_given or pred_given or cpe_given,
               "The value of accuracy is missing: neither value_per_point nor predictions and "
               "cost_per_error were given.",
               "Give value_per_point (dollars per accuracy percentage point), or predictions over the "
               "model's life and cost_per_error; use value_per_point=0 to count label costs only.")
        if value_given:
            v = _number("value_per_point", self.value_per_point, money)
            _check(v >= 0, f"value_per_point must be zero or more dollars (got {v:g}).",
                   "Dollars one accuracy percentage point is worth over the model's life; 0 to ignore.")
        else:
            _check(pred_given, "cost_per_error was given without predictions.",
                   "Also give predictions: how many predictions the model makes over its life.")
            _check(cpe_given, "predictions was given without cost_per_error.",
                   "Also give cost_per_error: the dollars one wrong prediction costs.")
            n = _number("predictions", self.predictions, "A count of predictions, e.g. 1000000.")
            _check(n >= 0, f"predictions must be zero or more (got {n:g}).",
                   "How many predictions the model makes over its life, e.g. 1000000.")
            e = _number("cost_per_error", self.cost_per_error, money)
            _check(e >= 0, f"cost_per_error must be zero or more dollars (got {e:g}).",
                   "Dollars one wrong prediction costs (rework, refunds, review).")

        if self.budget_cap is not None:
            b = _number("budget_cap", self.budget_cap, "The most labels you can buy, e.g. 20000.")
            _check(b > 0, f"budget_cap must be more than 0 labels (got {b:g}).",
                   "The most labels you can buy (labels, not dollars), or leave it out for no cap.")
        if self.labels_per_hour is not None:
            r = _number("labels_per_hour", self.labels_per_hour, "Labels per annotator per hour, e.g. 60.")
            _check(r > 0, f"labels_per_hour must be more than 0 (got {r:g}).",
                   "Labels one annotator produces per hour, e.g. 60; leave it out to skip calendar time.")
        a = _number("annotators", self.annotators, "Annotators working in parallel, e.g. 3.")
        _check(a >= 1 and a == int(a), f"annotators must be a whole number, at least 1 (got {a:g}).",
               "Annotators working in parallel, e.g. 3.")
        o = _number("round_overhead", self.round_overhead, money)
        _check(o >= 0, f"round_overhead must be zero or more dollars per round (got {o:g}).",
               "Dollars per AL round for retraining and hand-offs; 0 if negligible.")
        _check(self.rounds is None or self.batch_size is None,
               "Both rounds and batch_size were given; the number of AL rounds must be specified one way.",
               "Give rounds (how many AL rounds) or batch_size (labels per round), not both.")
        if self.rounds is not None:
            k = _number("rounds", self.rounds, "A whole number of AL rounds, e.g. 20.")
            _check(k >= 0 and k == int(k), f"rounds must be a whole number, 0 or more (got {k:g}).",
                   "A whole number of AL rounds, e.g. 20.")
        if self.batch_size is not None:
            bs = _number("batch_size", self.batch_size, "Labels per AL round, e.g. 100.")
            _check(bs >= 1 and bs == int(bs), f"batch_size must be a whole number, at least 1 (got {bs:g}).",
                   "Labels per AL round, e.g. 100.")

    @property
    def point_value(self) -> float:
        """Dollars per accuracy percentage point used: given, or predictions * cost_per_error / 100."""
        if self.value_per_point is not None:
            return float(self.value_per_point)
        return float(self.predictions) * float(self.cost_per_error) / 100.0  # type: ignore[arg-type]

    @property
    def value_source(self) -> str:
        """How the value of a point was specified, in words."""
        if self.value_per_point is not None:
            return "value_per_point"
        return "predictions x cost_per_error / 100"

    @property
    def throughput(self) -> float | None:
        """Labels per hour of the whole labeling team, or None without ``labels_per_hour``."""
        if self.labels_per_hour is None:
            return None
        return float(self.labels_per_hour) * int(self.annotators)

    @property
    def effective_cap(self) -> float:
        """Most labels a plan can buy: the budget cap, and never more than the production pool."""
        cap = float(self.production_pool)
        if self.budget_cap is not None:
            cap = min(cap, float(self.budget_cap))
        return cap

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["value_per_point_used"] = self.point_value
        d["value_source"] = self.value_source
        return d

    def assumptions(self) -> list[str]:
        """The inputs as sentences, for reports."""
        out = [
            f"cost per label: {_money(self.cost_per_label, cents=True)}",
            f"AL setup cost (one-time): {_money(self.setup_cost)}",
        ]
        if self.value_per_point is not None:
            out.append(f"value of one accuracy point: {_money(self.point_value)}")
        else:
            out.append(
                f"value of one accuracy point: {_money(self.point_value)} "
                f"(= {self.predictions:,.0f} predictions x {_money(self.cost_per_error, cents=True)} "
                "per error / 100)"
            )
        out.append(f"production pool: {int(self.production_pool):,} unlabeled items")
        if self.budget_cap is not None:
            out.append(f"budget cap: {self.budget_cap:,.0f} labels")
        if self.round_overhead:
            how = (
                f"{self.rounds} rounds"
                if self.rounds is not None
                else f"batches of {self.batch_size} labels"
                if self.batch_size is not None
                else "rounds from the simulated schedule"
            )
            out.append(f"overhead per AL round: {_money(self.round_overhead)} ({how})")
        if self.throughput is not None:
            out.append(
                f"labeling speed: {self.labels_per_hour:g} labels/hour x {int(self.annotators)} annotator(s)"
            )
        return out


def _money(x: float | None, cents: bool = False) -> str:
    return money(x, cents=cents)


# --------------------------------------------------------------------------------------------------
# the computation (vectorized; the point and range versions share it)
# --------------------------------------------------------------------------------------------------

#: Numeric outputs shared by :class:`BusinessCase` and :class:`BusinessCaseRange`, in report order.
CASE_FIELDS: tuple[str, ...] = (
    "labels_random",
    "labels_al",
    "labels_saved",
    "labels_saved_share",
    "accuracy_random",
    "accuracy_al",
    "accuracy_gain_points",
    "random_label_cost",
    "al_label_cost",
    "al_rounds",
    "al_overhead_cost",
    "al_total_cost",
    "cost_savings",
    "value_increase",
    "total_benefit",
    "roi",
    "break_even_labels",
    "break_even_share",
    "payback_labels",
    "hours_random",
    "hours_al",
    "hours_saved",
    "payback_hours",
    "whole_pool_labels",
    "whole_pool_label_cost",
    "whole_pool_accuracy",
    "whole_pool_cost_savings",
    "whole_pool_value_increase",
    "whole_pool_total_benefit",
    "whole_pool_roi",
    "whole_pool_break_even_pool",
    "whole_pool_hours_saved",
)
_HOUR_FIELDS = frozenset(
    {"hours_random", "hours_al", "hours_saved", "payback_hours", "whole_pool_hours_saved"}
)


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with x/0 = +-inf (x != 0) and 0/0 = nan, without warnings."""
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num.shape, np.nan)
    nz = den != 0
    out[nz] = num[nz] / den[nz]
    out[~nz & (num > 0)] = np.inf
    out[~nz & (num < 0)] = -np.inf
    return out


def _rounds_for(labels_al: np.ndarray, inputs: EconomicInputs, al_rounds: np.ndarray | None) -> np.ndarray:
    if inputs.rounds is not None:
        return np.full(labels_al.shape, float(inputs.rounds))
    if inputs.batch_size is not None:
        return np.ceil(labels_al / float(inputs.batch_size))
    if al_rounds is not None:
        return np.broadcast_to(np.asarray(al_rounds, float), labels_al.shape).copy()
    return np.zeros(labels_al.shape)


def _compute(
    lr: np.ndarray,
    la: np.ndarray,
    ar: np.ndarray,
    aa: np.ndarray,
    awp: np.ndarray,
    inputs: EconomicInputs,
    al_rounds: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Every output of :data:`CASE_FIELDS` for arrays of plans (no validation)."""
    lr, la, ar, aa, awp = (np.asarray(x, float) for x in np.broadcast_arrays(lr, la, ar, aa, awp))
    c = float(inputs.cost_per_label)
    v = inputs.point_value
    pool = float(inputs.production_pool)
    rounds = _rounds_for(la, inputs, al_rounds)
    overhead = rounds * float(inputs.round_overhead)
    fixed = float(inputs.setup_cost) + overhead

    out: dict[str, np.ndarray] = {}
    out["labels_random"] = lr
    out["labels_al"] = la
    out["labels_saved"] = lr - la
    out["labels_saved_share"] = _div(lr - la, lr)
    out["accuracy_random"] = ar
    out["accuracy_al"] = aa
    # rounded to 1e-9 points so that 0.91 - 0.88 is exactly 3 points (float noise is not a dollar figure)
    gain = np.round((aa - ar) * 100.0, 9)
    out["accuracy_gain_points"] = gain
    out["random_label_cost"] = lr * c
    out["al_label_cost"] = la * c
    out["al_rounds"] = rounds
    out["al_overhead_cost"] = overhead
    al_total = la * c + fixed
    out["al_total_cost"] = al_total
    savings = lr * c - al_total
    out["cost_savings"] = savings
    value = gain * v
    out["value_increase"] = value
    benefit = savings + value
    out["total_benefit"] = benefit
    out["roi"] = _div(benefit, al_total)
    # label saving at which total benefit is exactly zero: saved * c + value - fixed = 0
    out["break_even_labels"] = _div(fixed - value, np.full(lr.shape, c))
    # the share AL must save: 0 when it pays off without saving any (a negative share is not a share)
    out["break_even_share"] = _div(np.maximum(out["break_even_labels"], 0.0), lr)
    # fixed costs repaid by the label saving, which accrues at c * saved / labels_al per AL label
    saved = lr - la
    payback = np.where(fixed <= 0, 0.0, np.inf)
    ok = (fixed > 0) & (saved > 0) & (c > 0)
    payback = np.where(ok, _div(fixed * la, np.where(ok, c * saved, 1.0)), payback)
    out["payback_labels"] = payback

    tp = inputs.throughput
    nan = np.full(lr.shape, np.nan)
    out["hours_random"] = lr / tp if tp else nan
    out["hours_al"] = la / tp if tp else nan
    out["hours_saved"] = (lr - la) / tp if tp else nan
    out["payback_hours"] = payback / tp if tp else nan

    out["whole_pool_labels"] = np.full(lr.shape, pool)
    out["whole_pool_label_cost"] = np.full(lr.shape, pool * c)
    out["whole_pool_accuracy"] = awp
    wp_savings = pool * c - al_total
    out["whole_pool_cost_savings"] = wp_savings
    wp_value = np.round((aa - awp) * 100.0, 9) * v
    out["whole_pool_value_increase"] = wp_value
    out["whole_pool_total_benefit"] = wp_savings + wp_value
    out["whole_pool_roi"] = _div(wp_savings + wp_value, al_total)
    # smallest pool at which AL beats labeling everything: pool * c = al_total - wp_value; a pool must hold
    # the AL plan's own labels, so never below them (a negative pool size is not a size)
    out["whole_pool_break_even_pool"] = np.maximum(_div(al_total - wp_value, np.full(lr.shape, c)), la)
    out["whole_pool_hours_saved"] = (pool - la) / tp if tp else nan
    return out


def _probe_bounds(
    lr: np.ndarray,
    la: np.ndarray,
    ar: np.ndarray,
    aa: np.ndarray,
    awp: np.ndarray,
    inputs: EconomicInputs,
    al_rounds: np.ndarray | None,
    random_censored: np.ndarray,
    al_censored: np.ndarray,
    base: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Per seed and field: '' (exact), 'lower', 'upper' or 'unknown'.

    A censored label count is a lower bound: the true count lies in [given, production_pool]. Every
    output is monotone in each label count on that interval (linear or a ratio of linear terms), so
    evaluating it at the ends and the middle tells whether it became a lower bound, an upper bound,
    or is unknown (moves both ways when both counts are censored).
    """
    pool = float(inputs.production_pool)
    n = lr.shape[0]
    probes_r = [lr] if not random_censored.any() else [lr, (lr + pool) / 2, np.full(n, pool)]
    probes_a = [la] if not al_censored.any() else [la, (la + pool) / 2, np.full(n, pool)]
    up = {k: np.zeros(n, bool) for k in base}
    down = {k: np.zeros(n, bool) for k in base}
    for pr in probes_r:
        pr = np.where(random_censored, np.maximum(pr, lr), lr)
        for pa in probes_a:
            pa = np.where(al_censored, np.maximum(pa, la), la)
            probe = _compute(pr, pa, ar, aa, awp, inputs, al_rounds)
            for k, b in base.items():
                p = probe[k]
                with np.errstate(invalid="ignore"):
                    tol = 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(b), b, 0.0)))
                    up[k] |= (p > b + tol) | (np.isnan(p) & ~np.isnan(b))
                    down[k] |= (p < b - tol) | (np.isnan(p) & ~np.isnan(b))
    out = {}
    for k in base:
        kind = np.full(n, "", dtype=object)
        kind[up[k] & ~down[k]] = "lower"
        kind[down[k] & ~up[k]] = "upper"
        kind[up[k] & down[k]] = "unknown"
        out[k] = kind
    return out


# --------------------------------------------------------------------------------------------------
# point version
# --------------------------------------------------------------------------------------------------


def _beyond_plan(payback: float | None, labels_al: float | None) -> bool:
    if payback is None or labels_al is None:
        return False
    pb, la = float(payback), float(labels_al)
    return bool(math.isfinite(pb) and math.isfinite(la) and pb > la)


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


def _json_number(x: Any) -> Any:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _check_labels(name: str, x: np.ndarray, inputs: EconomicInputs) -> None:
    hint = "A label count from the simulation (labels needed to reach the target), e.g. 8000."
    if not np.all(np.isfinite(x)):
        raise ConfigError(f"{name} contains NaN or infinite values.", hint)
    if np.any(x <= 0):
        raise ConfigError(f"{name} must be more than 0 labels (got {float(x.min()):g}).", hint)
    if np.any(x > inputs.production_pool):
        raise ConfigError(
            f"{name} ({float(x.max()):,.0f}) exceeds the production pool "
            f"({int(inputs.production_pool):,} items).",
            "A plan cannot label more items than the project has: check production_pool, or that the label "
            "counts are for the same project.",
        )


def _check_accuracy(name: str, x: np.ndarray) -> None:
    hint = "Accuracies are fractions between 0 and 1: write 0.91 for 91%."
    if not np.all(np.isfinite(x)):
        raise ConfigError(f"{name} contains NaN or infinite values.", hint)
    if np.any((x < 0) | (x > 1)):
        bad = float(x[(x < 0) | (x > 1)][0])
        raise ConfigError(f"{name} must be between 0 and 1 (got {bad:g}).", hint)


def _check_overhead(inputs: EconomicInputs, al_rounds: Any) -> None:
    if (
        inputs.round_overhead > 0
        and inputs.rounds is None
        and inputs.batch_size is None
        and al_rounds is None
    ):
        raise ConfigError(
            "round_overhead is set but the number of AL rounds is unknown.",
            "Give rounds (how many AL rounds) or batch_size (labels per round) with the round overhead.",
        )


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


# --------------------------------------------------------------------------------------------------
# range version
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """A number over seeds: the median and a confidence interval for it.

    ``low``/``high`` is the percentile-bootstrap interval of the median over seeds (default 95 %).
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

    @property
    def seeds_compared(self) -> int:
        """Seeds the verdict rests on: ``n_seeds_compared``, else every seed (a case built without that count)."""
        return self.n_seeds if self.n_seeds_compared is None else self.n_seeds_compared

    @property
    def pays_off(self) -> bool:
        """True when the median total benefit against random sampling is positive over enough seeds to judge
        (``MIN_SEEDS_FOR_VERDICT``, the simulation summary's rule: fewer seeds give no verdict, so False) and the
        model learns something from the features (never with ``no_signal``)."""
        return (not self.no_signal and self.seeds_compared >= MIN_SEEDS_FOR_VERDICT
                and self.total_benefit.median > 0)

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
            payback_beyond_plan=self.payback_beyond_plan,
            n_seeds=self.n_seeds,
            n_seeds_compared=self.seeds_compared,
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
        )
        return d


def _as_array(name: str, x: Any, n: int | None = None) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name} must be numbers (got {x!r}).", "Pass one number per seed.") from exc
    if n is not None and a.shape[0] != n:
        raise ConfigError(
            f"{name} has {a.shape[0]} values but labels_random has {n}.",
            "Pass one value per seed, in the same seed order, for every per-seed input.",
        )
    return a


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
) -> BusinessCaseRange:
    """The business case for each seed, summarised as ranges.

    Every argument from ``labels_random`` to ``al_rounds`` is one value per seed (paired: the same seed
    for random and AL). Each output's ``median`` is the median over seeds; ``low``/``high`` is the
    ``confidence`` percentile-bootstrap interval of that median (seeds resampled with replacement,
    ``n_boot`` times, the same resamples for every output, from ``numpy.random.default_rng(random_state)``).
    ``n_boot=0`` skips the bootstrap (low = high = median). ``equal_budget`` optionally holds per-seed
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

    base = _compute(lr, la, ar, aa, awp, inputs, rounds)
    kinds = _probe_bounds(lr, la, ar, aa, awp, inputs, rounds, rc, ac, base)

    idx = None
    if n_boot and n >= 2:
        rng = np.random.default_rng(random_state)
        draws = rng.integers(0, n, size=(int(n_boot), n))
        idx = draws
    alpha = (1 - confidence) / 2

    def summarise(values: np.ndarray, kind: np.ndarray) -> Range:
        if idx is None:
            med = float(np.median(values))
            return Range(med, med, med, _combine_bounds(kind))
        with np.errstate(invalid="ignore"):
            med = float(np.median(values))
            boot = np.median(values[idx], axis=1)
            lo, hi = np.quantile(boot, [alpha, 1 - alpha], method="inverted_cdf")
        return Range(med, float(lo), float(hi), _combine_bounds(kind))

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
        e = _compute(el, el, ear, eaa, awp, inputs, rounds)
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
    return BusinessCaseRange(
        **ranges,
        **eb,  # type: ignore[arg-type]
        p_roi_positive=p_pos,
        p_roi_positive_bound=p_bound,
        p_whole_pool_roi_positive=p_wp,
        n_seeds=n,
        n_seeds_compared=int((~(rc & ac)).sum()),
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


# --------------------------------------------------------------------------------------------------
# from simulation results
# --------------------------------------------------------------------------------------------------

_PER_SEED_COLUMNS = ("strategy", "seed", "target_value", "labels_to_target", "censored", "too_easy")


def choose_strategy(per_seed: pd.DataFrame, strategy: str | None = None) -> str:
    """The AL strategy to build the case on: ``strategy`` if given (checked), else the best one.

    Best = :func:`simulations.summary.rank_strategies` on :func:`simulations.summary.per_seed_scores`, the
    rule ``Summary.best`` uses too: the largest median paired share of labels saved against random
    (1 - labels_to_target of the strategy / that of random, same seed), then the larger AUC gain (when the
    table has ``auc``), then fewer censored seeds, then the name that sorts first.
    """
    names = sorted(set(per_seed["strategy"].astype(str)))
    if "random" not in names:
        raise ConfigError(
            "The results have no 'random' strategy to compare against.",
            "Re-run the simulation with random included (it is added by default).",
        )
    candidates = [s for s in names if s != "random"]
    if strategy is not None:
        if strategy == "random":
            raise ConfigError(
                "strategy 'random' is the baseline; the business case needs an AL strategy.",
                f"Choose one of: {', '.join(candidates) or '(none simulated)'}.",
            )
        if strategy not in candidates:
            raise ConfigError(
                f"Strategy '{strategy}' is not in the results.",
                f"Choose one of: {', '.join(candidates) or '(none simulated)'}.",
            )
        return strategy
    if not candidates:
        raise ConfigError(
            "The results contain only random sampling; there is no AL strategy to cost.",
            "Re-run the simulation with at least one AL strategy, e.g. margin.",
        )
    from simulations.summary import per_seed_scores, rank_strategies  # the one ranking rule, shared

    scores = per_seed_scores(per_seed)
    if not scores:
        raise ResultsFileError(
            "No seed has results for both random and an AL strategy.",
            "The results file looks incomplete: re-run the simulation.",
        )
    return rank_strategies(scores)[0]


def _curve(rounds: pd.DataFrame, strategy: str, seed: Any, metric: str) -> tuple[np.ndarray, np.ndarray]:
    sub = rounds[(rounds["strategy"] == strategy) & (rounds["seed"] == seed)]
    sub = sub.groupby("labels", as_index=False)[metric].mean().sort_values("labels")
    return sub["labels"].to_numpy(float), sub[metric].to_numpy(float)


def _first_crossing(
    f: Callable[[np.ndarray], np.ndarray], start: float, stop: float, target: float
) -> float | None:
    """Smallest whole label count in (start, stop] where the projected curve f reaches target, or None."""
    if stop <= start:
        return None
    grid = np.unique(np.round(np.geomspace(max(start, 1.0), stop, 200)))
    grid = grid[grid > start]
    if grid.size == 0:
        return None
    vals = np.asarray(f(grid), float)
    hit = np.flatnonzero(vals >= target)
    if hit.size == 0:
        return None
    hi = int(grid[hit[0]])
    lo = int(grid[hit[0] - 1]) if hit[0] > 0 else math.floor(start)
    while hi - lo > 1:  # bisection between the last miss and the first hit
        mid = (lo + hi) // 2
        if float(np.asarray(f(np.array([mid], float)), float)[0]) >= target:
            hi = mid
        else:
            lo = mid
    return float(hi)


@dataclass
class _Plan:
    labels: float
    accuracy: float
    censored: bool
    capped: bool = False
    projected: bool = False


def _plan(
    strategy: str, seed: Any, row: pd.Series, x: np.ndarray, y: np.ndarray, cap: float, projection: Any
) -> _Plan:
    """Where one strategy's plan stops on one seed: the target, the cap, or (censored) unknown."""
    target = float(row["target_value"])
    labels = float(row["labels_to_target"])
    censored = bool(row["censored"])
    sim_end = float(x[-1]) if x.size else labels

    if isinstance(projection, pd.DataFrame):
        hit = projection[(projection["strategy"] == strategy) & (projection["seed"] == seed)]
        if censored and not hit.empty:
            p = hit.iloc[0]
            pl = float(p["labels_to_target"])
            pc = bool(p["censored"]) if "censored" in p.index else False
            acc = float(p["accuracy"]) if "accuracy" in p.index and pd.notna(p["accuracy"]) else target
            if pl > cap:
                # the table says where the target is reached, not the accuracy at the cap: interpolate
                # between the last simulated point and the projected (labels, accuracy)
                if x.size and pl > sim_end:
                    at_cap = float(np.interp(cap, [sim_end, pl], [float(y[-1]), acc]))
                else:
                    at_cap = acc
                return _Plan(cap, at_cap, False, capped=True, projected=True)
            return _Plan(pl, acc, pc, projected=True)
    elif projection is not None and censored and cap > sim_end:
        f = projection(strategy, seed, x, y)
        crossing = _first_crossing(f, sim_end, cap, target)
        if crossing is not None:
            return _Plan(crossing, target, False, projected=True)
        return _Plan(cap, float(np.asarray(f(np.array([cap])), float)[0]), False, capped=True, projected=True)

    if not censored:
        if labels > cap:
            return _Plan(cap, float(np.interp(cap, x, y)), False, capped=True)
        return _Plan(labels, float(np.interp(labels, x, y)) if x.size else target, False)
    if cap <= sim_end:
        return _Plan(cap, float(np.interp(cap, x, y)), False, capped=True)
    # never reached within the simulated budget: at least this many labels; if it goes on it reaches
    # the target, so its accuracy at the (unknown) stopping point is the target
    return _Plan(labels, target, True)


def _rounds_needed(x: np.ndarray, labels: float) -> float:
    """AL rounds (query batches) in the simulated schedule until ``labels`` labels are used."""
    if x.size == 0:
        return 0.0
    n = float(np.sum(x < labels - 1e-9))
    if labels > x[-1] and x.size >= 2:  # beyond the simulation: continue with the last batch size
        step = max(1.0, x[-1] - x[-2])
        n += math.ceil((labels - x[-1]) / step) - 1
    return n


def check_pool_covers_simulation(
    inputs: EconomicInputs,
    *,
    simulated_pool: float | None = None,
    simulated_labels: float | None = None,
    file_rows: float | None = None,
) -> None:
    """Refuse a production pool smaller than what the simulation drew from (ConfigError with a hint).

    Learning curves carry over to a larger pool (labels, not pool size, drive them), but not to a smaller
    one: the simulated AL chose each batch among more items than the project has, and "label the whole
    pool" would be credited with the score of a model trained on more items than exist, so both baselines
    would be overstated. ``simulated_pool`` is the simulation's pool (``meta['n_pool']``), else
    ``simulated_labels`` (the most labels any simulated run bought) is the floor; ``file_rows`` (the rows of
    the file the results came from) only improves the hint.
    """
    pool = int(inputs.production_pool)
    if simulated_pool is not None and math.isfinite(float(simulated_pool)) and pool < float(simulated_pool):
        what = f"the pool the simulation drew from ({float(simulated_pool):,.0f} items)"
    elif simulated_labels is not None and math.isfinite(float(simulated_labels)) and pool < float(simulated_labels):
        what = f"the {float(simulated_labels):,.0f} labels the simulation already used"
    else:
        return
    rows = ""
    if file_rows is not None and math.isfinite(float(file_rows)) and float(file_rows) > pool:
        rows = f" (your results came from a file of {float(file_rows):,.0f} rows)"
    raise ConfigError(
        f"The production pool ({pool:,} items) is smaller than {what}: the simulation let active learning "
        "choose among more items than your project has, and would credit labeling the whole pool with a "
        "score only a larger pool reaches.",
        f"Give the number of unlabeled items in your real project{rows}. If it really has only {pool:,}, "
        "simulate on a sample of about that many rows so the business case matches it.",
    )


def business_case_from_per_seed(
    per_seed: pd.DataFrame,
    rounds: pd.DataFrame,
    inputs: EconomicInputs,
    *,
    metric: str,
    strategy: str | None = None,
    ceilings: pd.DataFrame | None = None,
    projection: Projection | pd.DataFrame | None = None,
    target: str | None = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int = 0,
) -> BusinessCaseRange:
    """The business case from a per-seed table (``simulations.summary.per_seed``) and the rounds table.

    Plans: on each seed, the random plan and the AL plan each label until they reach the target; a plan
    that would need more labels than the budget cap (or the production pool) stops there, with the
    accuracy its simulated curve has at the cap. A plan that did not reach the target within the
    simulated budget, with the cap beyond that budget, is *censored*: its labels are a lower bound
    (marked in the outputs) and its accuracy is taken as the target it would go on to reach. Label
    counts are used as simulated (a learning curve depends on the number of labels, not the pool size);
    pass ``projection`` (a :data:`Projection` callable, or a DataFrame with strategy, seed,
    labels_to_target, optional accuracy and censored) to replace censored seeds by projected numbers.

    Equal budget (reported beside the case, not added to it): both plans buy the same labels, the budget
    cap when given (the team would spend it either way) else the AL plan's labels (what random reaches
    for AL's money), evaluated on the simulated curves (at the last simulated count when beyond it,
    unless a projection callable is given).

    ``ceilings`` (per seed, the metric of the model trained on the whole pool) gives the whole-pool
    baseline's accuracy; rounds for the round overhead come from the simulated label schedule unless
    ``inputs.rounds`` or ``inputs.batch_size`` is set.
    """
    missing = [c for c in _PER_SEED_COLUMNS if c not in per_seed.columns]
    if missing:
        raise ResultsFileError(
            f"The per-seed table lacks columns: {', '.join(missing)}.",
            "Build it with simulations.summary.per_seed(result, target, metric).",
        )
    for c in ("strategy", "seed", "labels", metric):
        if c not in rounds.columns:
            raise ResultsFileError(
                f"The rounds table has no '{c}' column.",
                f"Check the metric name ('{metric}') and that the results file is complete.",
            )
    sim_labels = pd.to_numeric(rounds["labels"], errors="coerce").max() if len(rounds) else None
    check_pool_covers_simulation(inputs, simulated_labels=None if pd.isna(sim_labels) else float(sim_labels))
    chosen = choose_strategy(per_seed, strategy)
    ps = per_seed.copy()
    ps["strategy"] = ps["strategy"].astype(str)
    rnd = ps[ps["strategy"] == "random"].drop_duplicates("seed").set_index("seed")
    al = ps[ps["strategy"] == chosen].drop_duplicates("seed").set_index("seed")
    seeds = [s for s in rnd.index if s in al.index]
    if not seeds:
        raise ResultsFileError(
            f"No seed has results for both random and '{chosen}'.",
            "The results file looks incomplete: re-run the simulation.",
        )
    cap = inputs.effective_cap
    rows: dict[str, list[Any]] = {
        k: [] for k in ("lr", "la", "ar", "aa", "rc", "ac", "rounds", "el", "ear", "eaa", "awp")
    }
    notes: list[str] = []
    n_capped = n_projected = n_easy = n_beyond = n_whole = 0
    ceil_by_seed: dict[Any, float] = {}
    if ceilings is not None and metric in getattr(ceilings, "columns", ()) and "seed" in ceilings.columns:
        ceil_by_seed = dict(zip(ceilings["seed"], ceilings[metric].astype(float), strict=False))
    for seed in seeds:
        xr, yr = _curve(rounds, "random", seed, metric)
        xa, ya = _curve(rounds, chosen, seed, metric)
        pr = _plan("random", seed, rnd.loc[seed], xr, yr, cap, projection)
        pa = _plan(chosen, seed, al.loc[seed], xa, ya, cap, projection)
        ceiling = ceil_by_seed.get(seed)
        for plan in (pr, pa):
            # a plan stopped by the production pool labels every item: it *is* the whole-pool baseline, so it
            # gets the measured whole-pool score, not a curve's (possibly projected) value at that count
            if plan.capped and plan.labels >= inputs.production_pool and ceiling is not None \
                    and math.isfinite(ceiling):
                plan.accuracy = float(ceiling)
                n_whole += 1
        n_capped += pr.capped or pa.capped
        n_projected += pr.projected or pa.projected
        n_easy += bool(rnd.loc[seed]["too_easy"]) or bool(al.loc[seed]["too_easy"])
        rows["lr"].append(pr.labels)
        rows["la"].append(pa.labels)
        rows["ar"].append(pr.accuracy)
        rows["aa"].append(pa.accuracy)
        rows["rc"].append(pr.censored)
        rows["ac"].append(pa.censored)
        rows["rounds"].append(_rounds_needed(xa, pa.labels))
        # equal budget
        e = cap if inputs.budget_cap is not None else pa.labels
        accs = []
        for name, x, y in (("random", xr, yr), (chosen, xa, ya)):
            if x.size and e > x[-1] and callable(projection) and not isinstance(projection, pd.DataFrame):
                accs.append(float(np.asarray(projection(name, seed, x, y)(np.array([e])), float)[0]))
            else:
                if x.size and e > x[-1]:
                    n_beyond += 1
                accs.append(float(np.interp(e, x, y)) if x.size else math.nan)
        rows["el"].append(e)
        rows["ear"].append(accs[0])
        rows["eaa"].append(accs[1])
        c = ceil_by_seed.get(seed)
        rows["awp"].append(c if c is not None and math.isfinite(c) else math.nan)

    if n_capped:
        notes.append(
            f"the budget cap / production pool stopped a plan before its target in {n_capped} seed(s)"
        )
    if n_whole:
        notes.append(
            f"{n_whole} plan(s) stopped by the production pool label every item: they get the whole-pool score"
        )
    if n_projected:
        notes.append(
            f"{n_projected} seed(s) use projected (extrapolated) learning curves beyond the simulation"
        )
    if n_easy:
        notes.append(f"{n_easy} seed(s) met the target with the initial labels already (too easy to compare)")
    if n_beyond:
        notes.append("equal-budget accuracies beyond the simulated budget are taken at its last point")
    notes.append(
        "label counts are taken as simulated (learning curves depend on the number of labels, "
        "not on the pool size)"
    )
    awp = np.asarray(rows["awp"], float)
    if np.all(np.isfinite(awp)):
        notes.append("whole-pool accuracy: the model trained on the whole simulated pool (ceiling)")
        awp_arg: Any = np.clip(awp, 0.0, 1.0)
    else:
        awp_arg = None
    use_rounds = inputs.rounds is None and inputs.batch_size is None
    if use_rounds and inputs.round_overhead > 0:
        notes.append("AL rounds counted from the simulated label schedule")

    return business_case_over_seeds(
        rows["lr"],
        rows["la"],
        np.clip(rows["ar"], 0, 1),
        np.clip(rows["aa"], 0, 1),
        inputs,
        accuracy_whole_pool=awp_arg,
        random_censored=rows["rc"],
        al_censored=rows["ac"],
        al_rounds=rows["rounds"] if use_rounds else None,
        confidence=confidence,
        n_boot=n_boot,
        random_state=random_state,
        equal_budget={
            "labels": rows["el"],
            "accuracy_random": np.clip(rows["ear"], 0, 1),
            "accuracy_al": np.clip(rows["eaa"], 0, 1),
        },
        strategy=chosen,
        metric=metric,
        target=target,
        extra_assumptions=tuple(notes),
    )


def curve_projection(**fit_kwargs: Any) -> Projection:
    """A :data:`Projection` from the learning-curve fits of ``simulations.curves`` (``fit_curve``).

    Each censored seed's observed curve is fitted (the model chosen by backtest there) and the fit's
    ``predict`` extends it beyond the simulated budget. ``fit_kwargs`` go to ``fit_curve``.
    """

    def project(
        strategy: str, seed: int, labels: np.ndarray, values: np.ndarray
    ) -> Callable[[np.ndarray], np.ndarray]:
        from simulations.curves import fit_curve  # imported when used: curves are optional here

        return fit_curve(labels, values, **fit_kwargs).predict

    return project


def _describe_target(target: Any, metric: str) -> str:
    if hasattr(target, "describe"):
        try:
            return str(target.describe(metric))
        except Exception:  # a description is cosmetic; fall back below
            pass
    kind = getattr(target, "kind", None)
    value = getattr(target, "value", None)
    if kind is None:
        return str(target)
    if kind == "share_of_ceiling":
        return f"{float(value):.0%} of the whole-pool model's score"
    if kind == "share_of_gap":
        return f"{float(value):.0%} of the gap between the majority-class baseline and the whole-pool model"
    return f"{kind} {value}"


def business_case_from_results(
    result: Any,
    inputs: EconomicInputs,
    target: Any,
    metric: str | None = None,
    strategy: str | None = None,
    *,
    projection: Projection | pd.DataFrame | None = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int = 0,
) -> BusinessCaseRange:
    """The business case from a :class:`simulations.results.SimulationResult`.

    ``target`` is a :class:`simulations.summary.Target`; ``metric`` defaults to the result's metric;
    ``strategy`` defaults to the AL strategy with the largest median label saving (see
    :func:`choose_strategy`). See :func:`business_case_from_per_seed` for how the plans are built.

    When the simulated pool (``result.meta['n_pool']``) is smaller than ``inputs.production_pool``, the case
    carries ``pool_caveat`` (:class:`simulations.curves.PoolCaveat`): the simulated and production pool sizes,
    the ceiling projected to the production pool, labels-to-target corrected for it beside the simulated ones,
    and the measured bias of such quick estimates. Its sentence is also added to the assumptions. The money
    figures themselves stay those of the simulation.

    When the whole-pool model is no better than the majority-class baseline (the simulation summary's rule,
    :func:`simulations.summary.is_no_signal`), the case carries ``no_signal`` and the summary's sentence, first in
    the assumptions: its money figures are arithmetic on a model that learns nothing, not a plan that pays.
    """
    from simulations.summary import no_signal_warning
    from simulations.summary import per_seed as _per_seed  # the lead's module; imported when needed

    meta = getattr(result, "meta", {}) or {}
    check_pool_covers_simulation(inputs, simulated_pool=_meta_number(meta, "n_pool"),
                                 file_rows=_meta_number(meta, "production_pool_rows"))
    metric = metric or meta.get("metric") or "accuracy"
    table = _per_seed(result, target, metric)
    case = business_case_from_per_seed(
        table,
        result.rounds,
        inputs,
        metric=metric,
        strategy=strategy,
        ceilings=getattr(result, "ceilings", None),
        projection=projection,
        target=_describe_target(target, metric),
        confidence=confidence,
        n_boot=n_boot,
        random_state=random_state,
    )
    caveat = _pool_caveat(result, inputs, target, metric, case.strategy)
    if caveat is not None:
        case = replace(case, pool_caveat=caveat, assumptions=(*case.assumptions, caveat.sentence))
    warning = no_signal_warning(result, metric)
    if warning:  # first: every other assumption is moot when the model learns nothing
        case = replace(case, no_signal=True, no_signal_sentence=warning, assumptions=(warning, *case.assumptions))
    return case


def _meta_number(meta: Mapping[str, Any], key: str) -> float | None:
    """A numeric entry of a results file's meta, or None when absent or not a number."""
    v = meta.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        return None
    return float(v) if math.isfinite(float(v)) else None


def _pool_caveat(result: Any, inputs: EconomicInputs, target: Any, metric: str, strategy: str | None) -> Any:
    """The quick-estimate caveat when the simulated pool is smaller than the production pool, else None."""
    from simulations.curves.pool import pool_caveat  # imported when used: curves are optional here
    from simulations.summary import Target

    meta = getattr(result, "meta", {}) or {}
    if not isinstance(target, Target) or (meta.get("n_pool") is None and meta.get("n_rows") is None):
        return None  # hand-made results without pool sizes: nothing to compare
    return pool_caveat(result, int(inputs.production_pool), target, strategy=strategy, metric=metric)
