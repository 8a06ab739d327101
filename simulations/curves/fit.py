"""Robust learning-curve fitting, backtest model selection, projection with prediction intervals.

How a curve is fitted (:func:`fit_curve`):

1. Every family of :mod:`simulations.curves.models` is fitted with bounded, robust least squares
   (``scipy.optimize.least_squares``, ``soft_l1`` loss, a few deterministic starting points); a fit that fails
   or does not converge to finite values is dropped, never raised. The flat ``last1`` baseline always exists.
2. **Backtest**: each candidate is fitted on the early part of the curve (the first ``backtest_share`` of the
   points by labels, 65% by default) and scored by its mean absolute error (MAE) on the rest. The lowest MAE
   wins; a simpler model within ``1e-4 + 2%`` of the best MAE is preferred (parsimony on near-ties). LCDB
   (Mohr et al. 2022) shows that no family wins everywhere and that ``last1`` is hard to beat.
   A second forecast origin guards against a winner that only followed noise: fitted on the first
   ``EARLY_SHARE`` (50%) of the points, it must also project the rest better than ``last1``, else ``last1`` is
   used (checked only where the model can be fitted on that many points). With ``fallback="next"`` the next
   model in the backtest ranking that beat ``last1`` and passes the check is tried first.
3. The chosen model is refitted on the whole curve.

Prediction intervals (:meth:`CurveFit.interval`) combine the residual spread of the full fit with an
extrapolation error that grows linearly with the distance in log-labels beyond the observed range. Its rate is
measured on the backtest: the chosen model's errors on the held-out later points, per log-label of
extrapolation distance. See ``docs/stopping-and-projection.md`` for the calibration.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from simulations.curves.models import FAMILIES, LAST1, MODEL_NAMES, CurveFamily
from simulations.errors import DataError

#: Share of the points (by labels) the backtest fits on; the rest are projected and scored.
BACKTEST_SHARE = 0.65
#: Curves with fewer points are not backtested: the flat ``last1`` model is used.
MIN_POINTS_BACKTEST = 4
#: The backtest fits on at least this many points when the curve leaves one to score (5 points: 4 + 1), so the
#: three-parameter saturating models can take part; with 3 training points only ``log2`` could, and a smooth
#: saturating 5-point log was judged "too irregular" because a straight line in log-labels overshot it.
MIN_TRAIN_POINTS = 4
#: On such a short curve (one point left to score, no earlier origin) a model must also describe the whole curve:
#: fitted to every point, it explains at least this share of the variance (R^2); noise and zig-zags do not.
SHORT_CURVE_MIN_R2 = 0.9
#: The backtest winner must also beat ``last1`` when fitted on this earlier share of the points (else ``last1``).
EARLY_SHARE = 0.5
#: On a backtest near-tie (within this absolute + relative MAE margin) the simpler model wins.
TIE_ABS, TIE_REL = 1e-4, 0.02
#: Multiplies the backtest's extrapolation error rate (calibrated on synthetic curves, see the docs).
EXTRAPOLATION_INFLATION = 2.5
#: Degrees of freedom of the Student-t giving the interval's shape (see :func:`interval_quantile`).
INTERVAL_DF = 3
#: Floor of the extrapolation error rate, as a share of the curve's current slope per log-label.
SLOPE_FLOOR_SHARE = 0.25
#: Searching for a label count stops this many times beyond the last observed one.
SEARCH_FACTOR = 1000.0
#: Starting points run per family (the best by initial cost of each family's deterministic starts).
N_STARTS = 2
#: The second start is skipped when the first fit's RMS residual is within this multiple of the noise estimate
#: (or below the floor, in metric units).
GOOD_ENOUGH_NOISE, GOOD_ENOUGH_FLOOR = 1.5, 0.002
_RESID_CAP = 1e3


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


# ---- fitting ------------------------------------------------------------------------------------------------
def _noise_scale(y: np.ndarray) -> float:
    """Robust observation-noise estimate from each point's distance to the mean of its neighbours."""
    if len(y) < 3:
        return 0.0
    d = y[1:-1] - 0.5 * (y[:-2] + y[2:])
    return float(1.4826 * np.median(np.abs(d)) / math.sqrt(1.5))


def _fit_scaled(fam: CurveFamily, x: np.ndarray, y: np.ndarray, s: float, f_scale: float,
                extra_start: np.ndarray | None = None, upper: float = 1.0) -> np.ndarray | None:
    """Best (lowest robust cost) bounded fit of ``fam`` on ``u = x / s``, or None when every start fails.

    The deterministic starting points are ranked by their initial cost and the best ``N_STARTS`` are run
    (plus ``extra_start``, e.g. the backtest's solution, when given). Parameters spanning orders of
    magnitude are optimized on a log scale; the Jacobian is analytic. ``upper`` bounds the asymptote.
    """
    u = x / s
    lo, hi = fam.internal_bounds()
    if fam.asymptote_index is not None and upper < hi[fam.asymptote_index]:
        i = fam.asymptote_index  # never a log parameter: its internal bound is the value itself
        hi = hi.copy()
        hi[i] = max(float(upper), float(lo[i]) + 1e-6)
    eps = 1e-9 * (hi - lo)
    good_enough = max(GOOD_ENOUGH_NOISE * _noise_scale(y), GOOD_ENOUGH_FLOOR)

    def resid(q: np.ndarray) -> np.ndarray:
        r = fam.func(u, fam.from_internal(q)) - y
        return np.where(np.isfinite(r), np.clip(r, -_RESID_CAP, _RESID_CAP), _RESID_CAP)

    def jac(q: np.ndarray) -> np.ndarray:
        j = fam.internal_jac(u, q)
        return np.where(np.isfinite(j), np.clip(j, -1e12, 1e12), 0.0)

    best, best_cost = None, np.inf
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        starts = [np.clip(fam.to_internal(p), lo + eps, hi - eps) for p in fam.starts(u, y)]
        starts = sorted(starts, key=lambda q: float(np.sum(resid(q) ** 2)))[:N_STARTS]
        if extra_start is not None and np.all(np.isfinite(extra_start)):
            starts = [np.clip(fam.to_internal(extra_start), lo + eps, hi - eps), *starts[:1]]
        for q0 in starts:
            try:
                res = optimize.least_squares(resid, q0, jac=jac, bounds=(lo, hi), loss="soft_l1",
                                             f_scale=f_scale, x_scale="jac", ftol=1e-7, xtol=1e-7,
                                             max_nfev=60 * fam.n_params)
            except (ValueError, FloatingPointError, np.linalg.LinAlgError):
                continue
            p = fam.from_internal(res.x)
            if not (np.all(np.isfinite(p)) and np.isfinite(res.cost)):
                continue
            if not np.all(np.isfinite(fam.func(u, p))):
                continue
            if res.cost < best_cost:
                best, best_cost = p, float(res.cost)
            # A converged fit that already explains the curve down to its noise needs no second start.
            if res.status > 0 and float(np.sqrt(np.mean(res.fun**2))) <= good_enough:
                break
    return best


def _predict_raw(name: str, params: np.ndarray | None, s: float, x_train: np.ndarray, y_train: np.ndarray,
                 x: np.ndarray) -> np.ndarray:
    """Unclipped prediction of a backtest fit (``last1`` holds the last training value)."""
    if name == LAST1:
        return np.full(len(x), float(y_train[-1]))
    with np.errstate(all="ignore"):
        return FAMILIES[name].func(x / s, params)


def _fit_model(name: str, x: np.ndarray, y: np.ndarray, f_scale: float,
               extra_start: np.ndarray | None = None, upper: float = 1.0) -> np.ndarray | None:
    """Scaled parameters of model ``name`` fitted to (x, y); an empty array for ``last1``; None on failure."""
    if name == LAST1:
        return np.zeros(0)
    fam = FAMILIES[name]
    if len(x) < fam.n_params + 1:
        return None
    return _fit_scaled(fam, x, y, float(x[0]), f_scale, extra_start, upper)


def _clean(labels: Any, values: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Sorted unique labels, the (mean) curve, and the per-seed matrix when several seeds were given."""
    try:
        x = np.asarray(labels, dtype=float).ravel()
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"Curve labels and values must be numeric ({exc}).",
                        hint="Pass label counts and metric values as numbers.") from exc
    if v.ndim == 1:
        v = v[None, :]
    if v.ndim != 2 or v.shape[1] != len(x):
        raise DataError(f"The curve has {len(x)} label counts but values of shape {np.shape(values)}.",
                        hint="Pass one value per label count, or a (seeds x label counts) array.")
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise DataError("Curve label counts must be positive finite numbers.",
                        hint="Remove rows with zero, negative or missing label counts.")
    finite = v[np.isfinite(v)]
    if finite.size and (finite.min() < -1e-9 or finite.max() > 1 + 1e-9):
        raise DataError(f"Curve values must be in [0, 1] (found {finite.min():.4g} to {finite.max():.4g}).",
                        hint="Pass metrics as fractions (0.91), not percentages (91).")
    order = np.argsort(x, kind="stable")
    x, v = x[order], v[:, order]
    ux = np.unique(x)
    if len(ux) < len(x):  # average duplicate label counts within each seed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            v = np.column_stack([np.nanmean(v[:, x == u], axis=1) for u in ux])
        x = ux
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(v, axis=0)
    keep = np.isfinite(mean)
    x, mean, v = x[keep], mean[keep], v[:, keep]
    if len(x) < 2:
        raise DataError(f"A curve needs at least 2 points with distinct label counts (got {len(x)}).",
                        hint="Record the metric after at least two labeling rounds.")
    return x, mean, (v if v.shape[0] > 1 else None)


def _seed_sd(v: np.ndarray | None) -> float:
    if v is None:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(v, axis=0, ddof=1)
    sd = sd[np.isfinite(sd)]
    if sd.size == 0:
        return 0.0
    return float(np.median(sd[len(sd) // 2:]))


def _sigma(name: str, scaled: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    if name == LAST1:
        return _noise_scale(y)
    fam = FAMILIES[name]
    r = fam.func(x / x[0], scaled) - y
    dof = len(y) - fam.n_params
    if dof <= 0:
        return _noise_scale(y)
    return float(np.sqrt(np.sum(r**2) / dof))


def _build(name: str, scaled: np.ndarray, x: np.ndarray, y: np.ndarray, backtest_mae: dict[str, float],
           rate: float, seed_sd: float = 0.0, upper: float = 1.0) -> CurveFit:
    params: dict[str, float] = {}
    if name != LAST1:
        fam = FAMILIES[name]
        params = dict(zip(fam.param_names, (float(p) for p in fam.unscale(scaled, float(x[0]))), strict=True))
    fit = CurveFit(model=name, params=params, backtest_mae=backtest_mae, labels=x, values=y,
                   sigma=_sigma(name, scaled, x, y), extrapolation_rate=rate, seed_sd=seed_sd, upper=upper,
                   _scaled=np.asarray(scaled, dtype=float), _scale=float(x[0]))
    # Never claim less extrapolation error than a share of the curve's own current slope per log-label.
    slope_log = abs(float(fit.slope(x[-1])[0])) * float(x[-1]) if name != LAST1 else _observed_log_slope(x, y)
    fit.extrapolation_rate = max(rate, SLOPE_FLOOR_SHARE * slope_log)
    return fit


def _observed_log_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Slope per log-label over the later half of the observed curve (least squares)."""
    h = len(x) // 2
    lx, yy = np.log(x[h:]), y[h:]
    if len(lx) < 2 or np.ptp(lx) == 0:
        lx, yy = np.log(x), y
    if np.ptp(lx) == 0:
        return 0.0
    return abs(float(np.polyfit(lx, yy, 1)[0]))


def _rate_from_backtest(errors: np.ndarray, dist: np.ndarray) -> float:
    """RMS error per log-label of extrapolation distance: sqrt(sum e^2 d^2 / sum d^4)."""
    dist = np.maximum(dist, 1e-6)
    return float(np.sqrt(np.sum(errors**2 * dist**2) / np.sum(dist**4)))


def _beats_last1_from_earlier_origin(name: str, x: np.ndarray, y: np.ndarray, f_scale: float, n_tr: int,
                                     upper: float = 1.0) -> bool:
    """Does ``name``, fitted on the first ``EARLY_SHARE`` of the points, project the rest better than ``last1``?

    A second forecast origin for the backtest winner. On a curve that is nearly flat by its end, one split's
    3-4 held-out points often favour a model that follows the noise; such a model rarely also beats holding the
    last value flat from an earlier origin, whereas a model that tracks a real rise does. True when the check
    cannot be made (no earlier origin, or too few points there for the model): the main backtest then decides.
    """
    n_early = int(np.clip(round(EARLY_SHARE * len(x)), 2, len(x) - 1))
    if n_early >= n_tr:
        return True
    xt, yt, xv, yv = x[:n_early], y[:n_early], x[n_early:], y[n_early:]
    p = _fit_model(name, xt, yt, f_scale, upper=upper)
    if p is None:
        return True
    pred = np.clip(_predict_raw(name, p, float(xt[0]), xt, yt, xv), 0.0, upper)
    if not np.all(np.isfinite(pred)):
        return False
    return float(np.mean(np.abs(pred - yv))) < float(np.mean(np.abs(yt[-1] - yv)))


def _upper(asymptote_max: float | None, y: np.ndarray) -> float:
    """The bound on the fitted curve: ``asymptote_max`` (default 1), never below an observed value.

    A measured point is evidence, so a bound below it (a curve that beats the projected ceiling within the
    budget) is raised to it rather than forcing the fit under the data.
    """
    if asymptote_max is None:
        return 1.0
    cap = float(asymptote_max)
    if not (math.isfinite(cap) and 0 < cap <= 1):
        raise DataError(f"asymptote_max must be a metric value in (0, 1] (got {asymptote_max}).",
                        hint="Pass e.g. the upper edge of the projected whole-pool score.")
    return float(min(1.0, max(cap, float(np.nanmax(y)))))


def _describes_curve(name: str, x: np.ndarray, y: np.ndarray, f_scale: float, upper: float) -> bool:
    """Does ``name``, fitted to every point, explain at least ``SHORT_CURVE_MIN_R2`` of the curve's variance?"""
    p = _fit_model(name, x, y, f_scale, upper=upper)
    if p is None:
        return False
    pred = np.clip(_predict_raw(name, p, float(x[0]), x, y, x), 0.0, upper)
    total = float(np.sum((y - y.mean()) ** 2))
    return total > 0 and 1.0 - float(np.sum((pred - y) ** 2)) / total >= SHORT_CURVE_MIN_R2


def fit_family(name: str, labels: Any, values: Any, *, f_scale: float | None = None,
               asymptote_max: float | None = None) -> CurveFit | None:
    """Fit one model (no backtest) to a curve; None when the fit fails or the curve is too short for it.

    The extrapolation rate falls back to a share of the observed slope, since there is no backtest.
    ``asymptote_max`` bounds the curve as in :func:`fit_curve`.
    """
    if name not in MODEL_NAMES:
        raise DataError(f"Unknown curve model '{name}'.", hint=f"Use one of {', '.join(MODEL_NAMES)}.")
    x, y, v = _clean(labels, values)
    upper = _upper(asymptote_max, y)
    fs = f_scale if f_scale is not None else max(0.002, 1.5 * _noise_scale(y))
    scaled = _fit_model(name, x, y, fs, upper=upper)
    if scaled is None:
        return None
    return _build(name, scaled, x, y, {}, 0.0, _seed_sd(v), upper)


def fit_curve(
    labels: Any,
    values: Any,
    *,
    models: tuple[str, ...] | None = None,
    backtest_share: float = BACKTEST_SHARE,
    per_seed: bool = False,
    f_scale: float | None = None,
    asymptote_max: float | None = None,
    fallback: str = "last1",
) -> CurveFit:
    """Fit a learning curve and choose its model by a backtest.

    Parameters
    ----------
    labels : array-like, shape (n_points,)
        Label counts (positive). Duplicates are averaged; order does not matter.
    values : array-like, shape (n_points,) or (n_seeds, n_points)
        The metric in [0, 1]. Several seeds are averaged into one mean curve (NaN entries ignored).
    models : tuple of str, optional
        Candidates (default: all of ``MODEL_NAMES``); ``last1`` is always added as the fallback.
    backtest_share : float
        Share of the points (the earliest by labels) the backtest fits on.
    per_seed : bool
        Also fit the chosen model to every seed separately (``CurveFit.seed_fits``), for ranges over seeds.
    f_scale : float, optional
        Residual size where the soft-L1 loss turns linear; default 1.5 x a robust noise estimate (>= 0.002).
    asymptote_max : float, optional
        The highest score the evidence supports (e.g. the upper edge of the projected whole-pool score): every
        model's asymptote is bounded by it and predictions are clipped to it (``CurveFit.upper``); raised to the
        highest observed value if below it. Default: 1.
    fallback : {"last1", "next"}
        When the backtest winner fails the earlier-origin check: ``last1`` (default) holds the last value flat;
        ``next`` first tries the next models in the backtest ranking that beat ``last1`` and pass the check. The
        default is what ``benchmarks/extrapolation.py`` measured best for projecting one curve (with ``next``,
        single-run skill fell from 0.13 to 0.09); ``next`` suits a curve whose far end is measured (the
        whole-pool score appended), where the check itself scores the model against that point.

    Returns
    -------
    CurveFit
        Never raises on flat, noisy, non-monotone or 2-point curves: failed fits are dropped and ``last1``
        is the fallback. Raises DataError only for unusable input (fewer than 2 points, values outside [0, 1]).
    """
    if not 0.3 <= backtest_share <= 0.9:
        raise DataError(f"backtest_share must be between 0.3 and 0.9 (got {backtest_share}).",
                        hint="0.65 fits on the first 65% of the points and scores the rest.")
    names = [m for m in MODEL_NAMES if models is None or m in models or m == LAST1]
    unknown = set(models or ()) - set(MODEL_NAMES)
    if unknown:
        raise DataError(f"Unknown curve model(s): {', '.join(sorted(unknown))}.",
                        hint=f"Use any of {', '.join(MODEL_NAMES)}.")
    if fallback not in ("last1", "next"):
        raise DataError(f"Unknown fallback '{fallback}'.", hint="Use 'last1' or 'next'.")
    x, y, v = _clean(labels, values)
    upper = _upper(asymptote_max, y)
    fs = f_scale if f_scale is not None else max(0.002, 1.5 * _noise_scale(y))
    n = len(x)
    mae = {m: float("nan") for m in names}
    errors: dict[str, np.ndarray] = {}
    train_params: dict[str, np.ndarray] = {}
    dist = np.zeros(0)
    n_tr = n
    if n >= MIN_POINTS_BACKTEST:
        n_tr = int(np.clip(max(round(backtest_share * n), MIN_TRAIN_POINTS), 2, n - 1))
        xt, yt, xv, yv = x[:n_tr], y[:n_tr], x[n_tr:], y[n_tr:]
        dist = np.log(xv / xt[-1])
        for m in names:
            p = _fit_model(m, xt, yt, fs, upper=upper)
            if p is None:
                continue
            pred = np.clip(_predict_raw(m, p, float(xt[0]), xt, yt, xv), 0.0, upper)
            if np.all(np.isfinite(pred)):
                train_params[m] = p
                errors[m] = pred - yv
                mae[m] = float(np.mean(np.abs(pred - yv)))
    ranked = sorted((m for m in names if np.isfinite(mae[m])), key=lambda m: mae[m])
    if ranked:
        best = mae[ranked[0]]
        near = [m for m in names if np.isfinite(mae[m]) and mae[m] <= best + TIE_ABS + TIE_REL * best]
        order = [near[0]] + [m for m in ranked if m != near[0]]
        # The earlier-origin guard: the winner (with fallback="next": the first model in backtest order) must also
        # beat last1 from the earlier origin. Only models ranked above last1 qualify; when none passes, last1.
        # A backtest raised to MIN_TRAIN_POINTS scores a single point: the winner must also describe the curve.
        short = n_tr > round(backtest_share * n)
        tried = order if fallback == "next" else [*order[:1], LAST1]
        for m in tried:
            if m == LAST1 or (_beats_last1_from_earlier_origin(m, x, y, fs, n_tr, upper)
                              and (not short or _describes_curve(m, x, y, fs, upper))):
                order = [m] + [k for k in order if k != m]
                break
        else:
            order.insert(0, LAST1)
    else:
        order = [LAST1]
    if LAST1 not in order:
        order.append(LAST1)
    seed_sd = _seed_sd(v)
    fit: CurveFit | None = None
    for m in order:
        # Train and full curve share their first label count, hence the scale: warm-start from the backtest.
        scaled = _fit_model(m, x, y, fs, train_params.get(m), upper)
        if scaled is None:
            continue
        if m in errors:
            rate = EXTRAPOLATION_INFLATION * _rate_from_backtest(errors[m], dist)
        else:
            rate = 0.0
        fit = _build(m, scaled, x, y, mae, rate, seed_sd, upper)
        break
    assert fit is not None  # last1 never fails
    if per_seed and v is not None:
        seed_fits = []
        for row in v:
            ok = np.isfinite(row)
            if ok.sum() < 2:
                continue
            sx, sy = x[ok], row[ok]
            sp = _fit_model(fit.model, sx, sy, fs, upper=upper)
            if sp is None:
                sp, name = np.zeros(0), LAST1
            else:
                name = fit.model
            seed_fits.append(_build(name, sp, sx, sy, {}, fit.extrapolation_rate, 0.0, max(upper, float(np.max(sy)))))
        fit.seed_fits = seed_fits
    return fit


def fit_curves(
    rounds: pd.DataFrame,
    metric: str = "accuracy",
    *,
    strategies: list[str] | None = None,
    per_seed: bool = False,
    **kwargs: Any,
) -> dict[str, CurveFit]:
    """Fit the mean learning curve of every strategy in a per-round results table.

    Parameters
    ----------
    rounds : DataFrame
        ``SimulationResult.rounds`` (columns ``strategy``, ``seed``, ``labels`` and the metric; see
        ``docs/engine-contract.md``).
    metric : str
        Column to fit, e.g. ``accuracy``, ``balanced_accuracy`` or ``macro_f1``.
    strategies : list of str, optional
        Only these strategies (default: all in the table).
    per_seed : bool
        Also fit every seed separately (see :func:`fit_curve`).

    Returns
    -------
    dict of strategy name to CurveFit
    """
    missing = [c for c in ("strategy", "seed", "labels", metric) if c not in rounds.columns]
    if missing:
        raise DataError(f"The results table lacks column(s) {', '.join(missing)}.",
                        hint="Pass SimulationResult.rounds; the metric must be one of its metric columns.")
    present = list(dict.fromkeys(rounds["strategy"].astype(str)))
    wanted = present if strategies is None else list(strategies)
    unknown = [s for s in wanted if s not in present]
    if unknown:
        raise DataError(f"No rounds for strategy {', '.join(unknown)} in the results.",
                        hint=f"Strategies in these results: {', '.join(present)}.")
    out: dict[str, CurveFit] = {}
    for name in wanted:
        sub = rounds[rounds["strategy"].astype(str) == name]
        table = sub.pivot_table(index="seed", columns="labels", values=metric, aggfunc="mean")
        out[name] = fit_curve(table.columns.to_numpy(dtype=float), table.to_numpy(dtype=float),
                              per_seed=per_seed, **kwargs)
    return out
