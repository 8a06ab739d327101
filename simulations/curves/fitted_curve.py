"""A fitted learning curve: its prediction, prediction intervals and the labels it needs to reach a target.

:class:`CurveFit` is what :func:`simulations.curves.fit.fit_curve` returns (the chosen model, its parameters
and backtest errors); :class:`LabelsEstimate` is what :meth:`CurveFit.labels_for` returns.

Prediction intervals (:meth:`CurveFit.interval`) combine the residual spread of the full fit with an
extrapolation error that grows linearly with the distance in log-labels beyond the observed range. Its rate is
measured on the backtest: the chosen model's errors on the held-out later points, per log-label of
extrapolation distance. See ``docs/stopping-and-projection.md`` for the calibration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, stats

from simulations.curves.models import FAMILIES, LAST1, CurveFamily
from simulations.errors import DataError

#: Degrees of freedom of the Student-t giving the interval's shape (see :func:`interval_quantile`).
INTERVAL_DF = 3
#: Searching for a label count stops this many times beyond the last observed one.
SEARCH_FACTOR = 1000.0


@dataclass(frozen=True)
class LabelsEstimate:
    """How many labels a fitted curve needs to reach a target.

    Attributes
    ----------
    target : float
    labels : float or None
        The first label count where the fitted curve reaches the target; None when it does not within
        ``SEARCH_FACTOR`` times the labels observed.
    low, high : float or None
        Where the upper / lower edge of the prediction interval reaches the target (``high`` is None when the
        pessimistic edge never does).
    reachable : bool
        False when the fitted asymptote is below the target, or the target needs more than the search range.
    extrapolated : bool
        True when ``labels`` lies beyond the last observed label count: a projection, not a measurement.
    model : str
    backtest_mae : float
        The chosen model's backtest error (metric units): how far off its projections were on this curve.
    note : str
        One sentence on how to read it.
    """

    target: float
    labels: float | None
    low: float | None
    high: float | None
    reachable: bool
    extrapolated: bool
    model: str
    backtest_mae: float
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {k: _json_float(v) for k, v in self.__dict__.items()}


def _json_float(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if math.isnan(v) or math.isinf(v) else v
    return v


@dataclass
class CurveFit:
    """A learning curve fitted by one model, with backtest errors of every candidate.

    Attributes
    ----------
    model : str
        The chosen model (``pow3``, ``pow4``, ``mmf4``, ``wbl4``, ``exp3``, ``log2`` or ``last1``).
    params : dict of str to float
        Its parameters for the formula in labels (empty for ``last1``).
    backtest_mae : dict of str to float
        Backtest MAE of each candidate; NaN when the candidate could not be fitted or the curve was too short.
    labels, values : ndarray
        The curve that was fitted (the mean over seeds when several were given), sorted by labels.
    sigma : float
        Residual standard deviation of the full fit (observation noise plus lack of fit).
    extrapolation_rate : float
        Standard deviation added per log-label of distance outside the observed range.
    seed_sd : float
        Typical spread of a single seed around the mean curve (0 for one curve).
    seed_fits : list of CurveFit or None
        Per-seed fits of the same model (``fit_curve(..., per_seed=True)``).
    upper : float
        The highest value the curve may take (``asymptote_max`` of :func:`fit_curve`; 1 by default):
        predictions and interval edges are clipped to it and the asymptote was bounded by it in the fit.
    """

    model: str
    params: dict[str, float]
    backtest_mae: dict[str, float]
    labels: np.ndarray
    values: np.ndarray
    sigma: float
    extrapolation_rate: float
    seed_sd: float = 0.0
    seed_fits: list[CurveFit] | None = None
    upper: float = 1.0
    _scaled: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    _scale: float = field(default=1.0, repr=False)

    # ---- evaluation -------------------------------------------------------------------------------------
    @property
    def family(self) -> CurveFamily | None:
        return FAMILIES.get(self.model)

    @property
    def asymptote(self) -> float | None:
        """The fitted value with unlimited labels (None for ``log2``, which has none)."""
        if self.model == LAST1:
            return float(self.values[-1])
        return self.family.asymptote(self._scaled)  # type: ignore[union-attr]

    @property
    def chosen_backtest_mae(self) -> float:
        return float(self.backtest_mae.get(self.model, float("nan")))

    def _raw(self, x: np.ndarray) -> np.ndarray:
        if self.model == LAST1:
            lx = np.log(np.maximum(x, 1e-12))
            return np.interp(lx, np.log(self.labels), self.values)
        with np.errstate(all="ignore"):
            return self.family.func(x / self._scale, self._scaled)  # type: ignore[union-attr]

    def predict(self, labels: Any) -> np.ndarray:
        """The fitted metric at ``labels`` (clipped to [0, 1]).

        ``last1`` interpolates the observed curve (in log-labels) and holds the last value flat beyond it.
        """
        x = np.atleast_1d(np.asarray(labels, dtype=float))
        return np.clip(self._raw(x), 0.0, self.upper)

    def slope(self, labels: Any) -> np.ndarray:
        """d metric / d labels of the fitted curve (per label), by a central difference in log-labels.

        ``last1`` (the observed curve, interpolated in log-labels) has the slope of the segment ending at each label
        count, and at the first observed count that of the first segment (one-sided, so a kink is not averaged);
        0 outside the observed range. The first count is inside: a slope of 0 there made the marginal rule stop at
        the very first round while labels were still worth far more than they cost.
        """
        x = np.atleast_1d(np.asarray(labels, dtype=float))
        if self.model == LAST1:
            if len(self.labels) < 2:
                return np.zeros(len(x))
            lx = np.log(self.labels)
            seg = np.diff(self.values) / np.where(np.diff(lx) > 0, np.diff(lx), np.inf)
            # searchsorted gives the segment ending at or after x; at the first count (index 0) the first segment
            i = np.clip(np.searchsorted(self.labels, x, side="left"), 1, len(self.labels) - 1)
            inside = (x >= self.labels[0]) & (x <= self.labels[-1])
            return np.where(inside, seg[i - 1] / x, 0.0)
        h = 1e-4
        up, down = self._raw(x * math.exp(h)), self._raw(x * math.exp(-h))
        out = (up - down) / (x * (math.exp(h) - math.exp(-h)))
        # Where the curve is held at its upper bound (``log2`` past it) one more label adds nothing.
        return np.where(self._raw(x) >= self.upper, 0.0, out)

    def _sd(self, x: np.ndarray, per_seed: bool) -> np.ndarray:
        lx = np.log(np.maximum(x, 1e-12))
        lo, hi = math.log(self.labels[0]), math.log(self.labels[-1])
        dist = np.maximum(lx - hi, 0.0) + np.maximum(lo - lx, 0.0)
        var = self.sigma**2 + (self.extrapolation_rate * dist) ** 2
        if per_seed:
            var = var + self.seed_sd**2
        return np.sqrt(var)

    def interval(self, labels: Any, level: float = 0.8, *, per_seed: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """A prediction interval at ``labels``: ``(low, high)``, clipped to [0, 1].

        The interval is for the fitted curve (the mean curve when several seeds were fitted); with
        ``per_seed=True`` it also covers the spread of a single run around the mean. Beyond the last observed
        label count its low edge never falls below the low edge there (learning curves do not fall in
        expectation).
        """
        if not 0 < level < 1:
            raise DataError(f"The interval level must be between 0 and 1 (got {level}).", hint="Use e.g. 0.8.")
        x = np.atleast_1d(np.asarray(labels, dtype=float))
        z = interval_quantile(level)
        mid = self._raw(x)
        half = z * self._sd(x, per_seed)
        low = mid - half
        # More labels do not make a model worse in expectation, so beyond the data the pessimistic edge is
        # floored at the last observed point's (otherwise a far projection's band reaches 0%).
        last = np.array([float(self.labels[-1])])
        floor = float(self._raw(last)[0] - z * self._sd(last, per_seed)[0])
        low = np.where(x > last[0], np.maximum(low, np.minimum(floor, mid)), low)  # never above the fit itself
        return np.clip(low, 0.0, self.upper), np.clip(mid + half, 0.0, self.upper)

    # ---- inversion --------------------------------------------------------------------------------------
    def _first_crossing(self, fn: Any, target: float, cap: float) -> float | None:
        grid = np.geomspace(1.0, cap, 2000)
        vals = fn(grid)
        hit = np.flatnonzero(vals >= target)
        if hit.size == 0:
            return None
        i = int(hit[0])
        if i == 0:
            return float(grid[0])
        a, b = grid[i - 1], grid[i]
        try:
            return float(optimize.brentq(lambda t: float(fn(np.array([t]))[0]) - target, a, b, xtol=1e-6))
        except ValueError:
            return float(b)

    def labels_for(self, target: float, level: float = 0.8) -> LabelsEstimate:
        """Labels needed for the fitted curve to reach ``target`` (metric units, in [0, 1]).

        Beyond the last observed label count the answer is an extrapolation: it is flagged ``extrapolated``
        and comes with the chosen model's backtest error. ``reachable`` is False when the fitted asymptote
        lies below the target.
        """
        if not (np.isfinite(target) and 0 <= target <= 1):
            raise DataError(f"The target must be a metric value in [0, 1] (got {target}).",
                            hint="Pass e.g. 0.9 for 90% accuracy.")
        cap = SEARCH_FACTOR * float(self.labels[-1])
        mae = self.chosen_backtest_mae
        asym = self.asymptote
        if asym is not None and asym < target:
            return LabelsEstimate(target, None, None, None, False, True, self.model, mae,
                                  f"The fitted curve ({self.model}) levels off at {asym:.3f}, below the target.")
        labels = self._first_crossing(self.predict, target, cap)
        low = self._first_crossing(lambda t: self.interval(t, level)[1], target, cap)
        high = self._first_crossing(lambda t: self.interval(t, level)[0], target, cap)
        if labels is None:
            return LabelsEstimate(target, None, low, None, False, True, self.model, mae,
                                  f"The fitted curve does not reach the target within {cap:,.0f} labels.")
        extrapolated = labels > float(self.labels[-1]) * (1 + 1e-9)
        if extrapolated:
            err = "unknown" if math.isnan(mae) else f"{mae:.3f}"
            note = (f"Projected by {self.model} beyond the {self.labels[-1]:,.0f} labels observed; its backtest "
                    f"error on this curve was {err}.")
        elif labels < float(self.labels[0]):
            note = (f"Below the first observed label count ({self.labels[0]:,.0f}): the curve already meets the "
                    f"target there.")
        else:
            note = "Within the observed range of the curve."
        return LabelsEstimate(target, labels, low, high, True, bool(extrapolated), self.model, mae, note)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "params": {k: _json_float(v) for k, v in self.params.items()},
            "asymptote": _json_float(self.asymptote),
            "backtest_mae": {k: _json_float(v) for k, v in self.backtest_mae.items()},
            "sigma": _json_float(self.sigma),
            "extrapolation_rate": _json_float(self.extrapolation_rate),
            "seed_sd": _json_float(self.seed_sd),
            "labels_observed": [float(self.labels[0]), float(self.labels[-1])],
            "upper": _json_float(self.upper),
        }


def interval_quantile(level: float) -> float:
    """Half-width of a central ``level`` interval in standard deviations.

    Projection errors are heavy-tailed: on synthetic curves their quantiles match a Student-t with
    ``INTERVAL_DF`` degrees of freedom, scaled to equal the normal quantile at 80%. So the 80% interval is
    +-1.28 sd as under a normal, while the 95% interval is +-2.49 sd instead of +-1.96.
    """
    scale = stats.norm.ppf(0.9) / stats.t.ppf(0.9, INTERVAL_DF)
    return float(stats.t.ppf(0.5 + level / 2, INTERVAL_DF) * scale)
