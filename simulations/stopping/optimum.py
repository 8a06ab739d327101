"""The cost-optimal stopping point, and the regret of stopping elsewhere.

Cost model (Pullar-Strecker et al. 2022, "Hitting the target: stopping active learning at the cost-based
optimum"): stopping after ``t`` labels costs

    C(t) = cost_per_label * t - value_per_point * 100 * metric(t)

where ``value_per_point`` is the dollar value of one percentage point of the metric (over the model's
lifetime) and ``metric`` is a fraction in [0, 1]. Constants (the value of a perfect model, setup costs) do not
move the optimum and are left out.

* **Hindsight optimum**: argmin of C over the rounds of a simulated test curve (per seed).
* **Marginal rule** on a fitted curve: keep labeling while ``value_per_point * 100 * d metric / d labels``
  exceeds ``cost_per_label``; stop at the first label count where it no longer does.
* **Regret** of a rule that stops at ``t_rule``: ``C(t_rule) - C(t_opt)`` dollars, and
  ``(C(t_rule) - C(t_opt)) / |C(t_opt)|`` as a percentage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import optimize

from simulations.errors import ConfigError

if TYPE_CHECKING:
    from simulations.curves.fit import CurveFit

#: The marginal rule searches up to this many times the last observed label count.
MARGINAL_SEARCH_FACTOR = 1000.0


class CostInputError(ConfigError):
    """A cost per label or value per point the stopping advice cannot use (not a number, zero or negative).

    The message and hint are worded for the command line; ``field`` (``cost_per_label`` or ``value_per_point``)
    and ``value`` let another front end (the dashboard) word it for its own inputs.
    """

    def __init__(self, message: str, hint: str, *, field: str, value: Any) -> None:
        super().__init__(message, hint)
        self.field = field
        self.value = value


def check_costs(cost_per_label: float, value_per_point: float) -> tuple[float, float]:
    """Validated ``(cost_per_label, value_per_point)``; :class:`CostInputError` (a ConfigError) otherwise."""
    out = []
    for field, name, flag, v, example in (
            ("cost_per_label", "cost per label", "--cost-per-label", cost_per_label, "2.50"),
            ("value_per_point", "value per point", "--value-per-point", value_per_point, "10000")):
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise CostInputError(f"The {name} must be a number (got {v!r}).",
                                 hint=f"Pass dollars, e.g. {flag} {example}.", field=field, value=v) from None
        if not (math.isfinite(f) and f > 0):
            raise CostInputError(f"The {name} must be a positive amount (got {v}).",
                                 hint=f"Pass dollars, e.g. {flag} {example}.", field=field, value=v)
        out.append(f)
    return out[0], out[1]


def cost_curve(labels: Any, metric: Any, cost_per_label: float, value_per_point: float) -> np.ndarray:
    """C(t) = cost_per_label * t - value_per_point * 100 * metric(t), elementwise."""
    c, v = check_costs(cost_per_label, value_per_point)
    return c * np.asarray(labels, dtype=float) - v * 100.0 * np.asarray(metric, dtype=float)


@dataclass(frozen=True)
class OptimumPoint:
    """The cheapest round of a curve in hindsight."""

    index: int
    labels: float
    metric: float
    cost: float


def hindsight_optimum(labels: Any, metric: Any, cost_per_label: float, value_per_point: float) -> OptimumPoint:
    """The round minimizing C(t) on an observed curve; ties go to the fewest labels. NaN rounds are skipped."""
    x = np.asarray(labels, dtype=float)
    y = np.asarray(metric, dtype=float)
    cost = cost_curve(x, y, cost_per_label, value_per_point)
    ok = np.isfinite(cost)
    if not ok.any():
        raise ConfigError("The curve has no round with both a label count and a metric value.",
                          hint="Check that the metric column is filled.")
    masked = np.where(ok, cost, np.inf)
    best = np.flatnonzero(masked == masked.min())
    i = int(best[np.argmin(x[best])])
    return OptimumPoint(i, float(x[i]), float(y[i]), float(cost[i]))


def regret(cost_rule: float, cost_opt: float) -> tuple[float, float]:
    """``(dollars, percent)``: C(t_rule) - C(t_opt) and the same relative to |C(t_opt)| (NaN when that is 0)."""
    dollars = float(cost_rule - cost_opt)
    percent = 100.0 * dollars / abs(cost_opt) if cost_opt != 0 else float("nan")
    return dollars, percent


@dataclass(frozen=True)
class MarginalStop:
    """Where the marginal rule stops on a fitted curve.

    Attributes
    ----------
    labels : float or None
        The first label count (at or after ``start``) where one more label is worth less than it costs;
        None when that lies beyond ``MARGINAL_SEARCH_FACTOR`` times the observed labels.
    metric : float or None
        The fitted metric there.
    extrapolated : bool
        True when ``labels`` lies beyond the last observed label count.
    value_per_label_at_start : float
        The dollar value of one more label at ``start`` (value_per_point * 100 * slope).
    capped : bool
        True when a label still pays at the labelable pool: ``labels`` is then the pool ("labeling the whole pool
        still pays"), not a point where labels stop paying.
    pool : float or None
        The labelable pool the stop was capped at (None: no cap).
    """

    labels: float | None
    metric: float | None
    extrapolated: bool
    value_per_label_at_start: float
    capped: bool = False
    pool: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def marginal_value_per_label(fit: CurveFit, labels: Any, value_per_point: float) -> np.ndarray:
    """Dollar value of one more label at each label count: value_per_point x 100 x d metric / d labels.

    The marginal rule compares this with the cost per label; the dashboard plots it against that cost.
    """
    return value_per_point * 100.0 * fit.slope(np.asarray(labels, dtype=float))


def marginal_value_curve(fit: CurveFit, value_per_point: float, first: float, last: float,
                         points: int = 60) -> list[dict[str, float]]:
    """The dollar value of one more label on a log-spaced grid from ``first`` to ``last`` labels, for a chart.

    Rows ``{"labels", "value"}``; a falling fitted curve is shown as worth nothing (not a negative value),
    and points where the slope is undefined are left out. A flat ``last1`` fit says nothing beyond its last
    observed point, so its curve ends there (no invented $0 stretch after it).
    """
    if fit.model == "last1":
        last = min(last, float(fit.labels[-1]))
    grid = np.unique(np.round(np.geomspace(max(first, 1.0), max(last, first + 1.0), points)))
    vals = marginal_value_per_label(fit, grid, value_per_point)
    return [{"labels": float(x), "value": float(max(y, 0.0))} for x, y in zip(grid, vals, strict=True)
            if math.isfinite(y)]


def marginal_stop(
    fit: CurveFit,
    cost_per_label: float,
    value_per_point: float,
    *,
    start: float | None = None,
    pool: float | None = None,
) -> MarginalStop:
    """The marginal rule on a fitted curve: stop once value_per_point * 100 * d metric / d labels < cost_per_label.

    The search starts at ``start`` (default: the first observed label count). For a saturating curve the
    marginal value of a label falls monotonically, so the first crossing is the argmin of C on the curve.
    A ``last1`` fit is the observed mean curve interpolated in log-labels: noisy and not saturating, so its first
    crossing is often a dip of noise followed by labels that pay again. Its stop is instead the cheapest point of
    C on that curve from ``start`` (ties: the fewest labels), which on a saturating curve is the same first
    crossing; the value of a label falls to the cost there (the marginal-value chart crosses the cost line). It
    predicts no gain beyond the data, so it stops at the last observed label count at the latest.
    With ``pool`` (the items that can be labeled at all) a stop beyond it, or none within the search, is capped
    there and flagged ``capped``: labeling the whole pool still pays.
    """
    stop = _marginal_stop(fit, cost_per_label, value_per_point, start)
    if pool is None:
        return stop
    cap = float(pool)
    if not (math.isfinite(cap) and cap > 0):
        raise ConfigError(f"The labelable pool must be a positive number of items (got {pool}).",
                          hint="Pass the number of items that can be labeled, e.g. 100000.")
    if stop.labels is not None and stop.labels <= cap:
        return replace(stop, pool=cap)
    return MarginalStop(cap, float(fit.predict(cap)[0]), cap > float(fit.labels[-1]),
                        stop.value_per_label_at_start, True, cap)


def _marginal_stop(fit: CurveFit, cost_per_label: float, value_per_point: float,
                   start: float | None) -> MarginalStop:
    c, v = check_costs(cost_per_label, value_per_point)
    x_last = float(fit.labels[-1])
    t0 = float(fit.labels[0]) if start is None else float(start)
    if not (math.isfinite(t0) and t0 > 0):
        raise ConfigError(f"The label count to start from must be positive (got {start}).",
                          hint="Pass the labels used so far.")

    def value_per_label(t: np.ndarray) -> np.ndarray:
        return marginal_value_per_label(fit, t, v)

    at_start = float(value_per_label(np.array([t0]))[0])
    if fit.model == "last1":
        t = t0 if t0 >= x_last else _cheapest_on_observed(fit, c, v, t0)  # held flat beyond the data
        return MarginalStop(t, float(fit.predict(t)[0]), False, at_start)
    if at_start < c:
        return MarginalStop(t0, float(fit.predict(t0)[0]), t0 > x_last, at_start)
    grid = np.geomspace(t0, MARGINAL_SEARCH_FACTOR * max(x_last, t0), 4000)
    g = value_per_label(grid) - c
    below = np.flatnonzero(g < 0)
    if below.size == 0:
        return MarginalStop(None, None, True, at_start)
    i = int(below[0])
    try:
        t = float(optimize.brentq(lambda s: float(value_per_label(np.array([s]))[0]) - c, grid[i - 1], grid[i],
                                  xtol=1e-9, rtol=1e-10))
    except ValueError:
        t = float(grid[i])
    return MarginalStop(t, float(fit.predict(t)[0]), t > x_last, at_start)


def _cheapest_on_observed(fit: CurveFit, c: float, v: float, t0: float) -> float:
    """The label count in ``[t0, last observed]`` with the lowest C on a ``last1`` fit (ties: the fewest labels).

    On a segment the curve is linear in log-labels, so a label is worth ``v * 100 * seg / t``: falling in ``t``,
    and C is lowest either at a segment end or where that value equals the cost. Those candidates are exact.
    """
    x = np.asarray(fit.labels, dtype=float)
    y = np.asarray(fit.values, dtype=float)
    cand = [t0, *x[x > t0]]
    for a, b, ya, yb in zip(x[:-1], x[1:], y[:-1], y[1:], strict=True):
        seg = (yb - ya) / math.log(b / a) if b > a else 0.0
        t = v * 100.0 * seg / c  # where one more label is worth exactly its cost on this segment
        if seg > 0 and max(a, t0) < t < b:
            cand.append(t)
    ts = np.array(sorted(set(cand)))
    cost = c * ts - v * 100.0 * fit.predict(ts)
    # ties (a flat stretch) go to the fewest labels; a hair of tolerance so float noise does not pick a later one
    best = np.flatnonzero(cost <= cost.min() + 1e-9 * max(1.0, abs(float(cost.min()))))
    return float(ts[best[0]])
