"""What a business case is built from: :class:`EconomicInputs` and the checks on the numbers given to it.

* :class:`EconomicInputs`: what labels cost and what accuracy is worth, validated on creation (``_number``,
  ``_check``), with the derived point value, team throughput and label cap, and the inputs as sentences.
* The checks on the per-plan numbers a case is computed from (label counts, accuracies, AL rounds), shared by
  :func:`~simulations.economics.case.business_case_over_seeds` and the plans built from simulation results.

The formulas are in :mod:`simulations.economics.formulas`, the case objects in :mod:`simulations.economics.case`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from simulations.errors import ConfigError
from simulations.money import money

__all__ = ["EconomicInputs"]


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
