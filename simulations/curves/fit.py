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

The fitted curve (:class:`CurveFit`, :class:`LabelsEstimate`, :func:`interval_quantile`) lives in
:mod:`simulations.curves.fitted_curve` and the robust fit of one family in :mod:`simulations.curves.robust_fit`;
this module re-exports their public names.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from simulations.curves.fitted_curve import INTERVAL_DF, SEARCH_FACTOR, CurveFit, LabelsEstimate, interval_quantile
from simulations.curves.models import FAMILIES, LAST1, MODEL_NAMES
from simulations.curves.robust_fit import (
    GOOD_ENOUGH_FLOOR,
    GOOD_ENOUGH_NOISE,
    N_STARTS,
    _fit_model,
    _noise_scale,
    _predict_raw,
)
from simulations.errors import DataError

__all__ = [
    "BACKTEST_SHARE",
    "EARLY_SHARE",
    "EXTRAPOLATION_INFLATION",
    "GOOD_ENOUGH_FLOOR",
    "GOOD_ENOUGH_NOISE",
    "INTERVAL_DF",
    "MIN_POINTS_BACKTEST",
    "MIN_TRAIN_POINTS",
    "N_STARTS",
    "SEARCH_FACTOR",
    "SHORT_CURVE_MIN_R2",
    "SLOPE_FLOOR_SHARE",
    "TIE_ABS",
    "TIE_REL",
    "CurveFit",
    "LabelsEstimate",
    "fit_curve",
    "fit_curves",
    "fit_family",
    "interval_quantile",
]

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
#: Floor of the extrapolation error rate, as a share of the curve's current slope per log-label.
SLOPE_FLOOR_SHARE = 0.25


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
