"""Robust least-squares fit of one curve family to one curve (no model selection).

Bounded, robust least squares (``scipy.optimize.least_squares``, ``soft_l1`` loss, a few deterministic starting
points); a fit that fails or does not converge to finite values gives None, never an error. The backtest that
chooses among the families is :func:`simulations.curves.fit.fit_curve`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import optimize

from simulations.curves.models import FAMILIES, LAST1, CurveFamily

#: Starting points run per family (the best by initial cost of each family's deterministic starts).
N_STARTS = 2
#: The second start is skipped when the first fit's RMS residual is within this multiple of the noise estimate
#: (or below the floor, in metric units).
GOOD_ENOUGH_NOISE, GOOD_ENOUGH_FLOOR = 1.5, 0.002
_RESID_CAP = 1e3


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
