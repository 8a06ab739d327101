"""Parametric learning-curve families: metric y (in [0, 1]) as a function of labels x.

The families and their names follow the Learning Curve Database (LCDB 1.0, Mohr et al. 2022), which ranks
``mmf4`` as the best extrapolator and ``wbl4`` as the best interpolator and finds the flat ``last1`` baseline
hard to beat when extrapolating. ``pow3`` is the classic inverse power law (Mukherjee et al. 2003; Figueroa
et al. 2012). About 14-15% of real curves are non-monotone or non-convex (LCDB 1.1, 2025), so every family
here has bounded parameters and the fitter (``simulations.curves.fit``) falls back to ``last1``.

Fitting happens on a scaled axis ``u = x / s`` (``s`` = the first label count of the curve) so that the
parameters are of order one; :meth:`CurveFamily.unscale` converts them back to the units of the formula
in labels, which is what :class:`~simulations.curves.fit.CurveFit` reports.

Every saturating family is increasing in x with its asymptote bounded to [0, 1]; ``log2`` has no
asymptote (it grows without bound and predictions are clipped to [0, 1]).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_TINY = 1e-12


def _pos(v: np.ndarray) -> np.ndarray:
    return np.maximum(v, _TINY)


# ---- formulas f(u, p) ---------------------------------------------------------------------------------
def _pow3(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    a, b, c = p
    return a - b * _pos(u) ** (-c)


def _pow4(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    a, b, c, d = p
    return a - b * _pos(u + d) ** (-c)


def _mmf4(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    a, b, c, d = p
    ud = _pos(u) ** d
    return (a * b + c * ud) / (b + ud)


def _wbl4(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    a, b, c, d = p
    return c - b * np.exp(-a * _pos(u) ** d)


def _exp3(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    a, b, c = p
    return a * np.exp(-b * u) + c


def _log2(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    a, b = p
    return -a * np.log(_pos(u)) + b


# ---- Jacobians d f / d p (columns in parameter order) ----------------------------------------------------
def _pow3_jac(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    _a, b, c = p
    w = _pos(u) ** (-c)
    return np.column_stack([np.ones_like(u), -w, b * w * np.log(_pos(u))])


def _pow4_jac(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    _a, b, c, d = p
    v = _pos(u + d)
    w = v ** (-c)
    return np.column_stack([np.ones_like(u), -w, b * w * np.log(v), b * c * w / v])


def _mmf4_jac(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    a, b, c, d = p
    w = _pos(u) ** d
    den = b + w
    return np.column_stack([b / den, w * (a - c) / den**2, w / den, w * np.log(_pos(u)) * b * (c - a) / den**2])


def _wbl4_jac(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    a, b, _c, d = p
    w = _pos(u) ** d
    e = np.exp(-a * w)
    return np.column_stack([b * w * e, -e, np.ones_like(u), b * e * a * w * np.log(_pos(u))])


def _exp3_jac(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    a, b, _c = p
    e = np.exp(-b * u)
    return np.column_stack([e, -a * u * e, np.ones_like(u)])


def _log2_jac(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    return np.column_stack([-np.log(_pos(u)), np.ones_like(u)])


# ---- converting scaled parameters (fit on u = x / s) to parameters in labels ----------------------------
def _pow3_unscale(p: np.ndarray, s: float) -> np.ndarray:
    a, b, c = p
    return np.array([a, b * s**c, c])


def _pow4_unscale(p: np.ndarray, s: float) -> np.ndarray:
    a, b, c, d = p
    return np.array([a, b * s**c, c, d * s])


def _mmf4_unscale(p: np.ndarray, s: float) -> np.ndarray:
    a, b, c, d = p
    return np.array([a, b * s**d, c, d])


def _wbl4_unscale(p: np.ndarray, s: float) -> np.ndarray:
    a, b, c, d = p
    return np.array([a * s ** (-d), b, c, d])


def _exp3_unscale(p: np.ndarray, s: float) -> np.ndarray:
    a, b, c = p
    return np.array([a, b / s, c])


def _log2_unscale(p: np.ndarray, s: float) -> np.ndarray:
    a, b = p
    return np.array([a, b + a * np.log(s)])


# ---- deterministic starting points ----------------------------------------------------------------------
def _top(y: np.ndarray, extra: float) -> float:
    return float(np.clip(np.max(y) + extra, 0.0, 1.0))


def _pow3_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    out = []
    for extra, c in ((0.02, 0.5), (0.02, 1.0), (0.1, 0.3), (0.005, 2.0)):
        a = _top(y, extra)
        b = max(a - y[0], 1e-3) * u[0] ** c
        out.append(np.array([a, b, c]))
    return out


def _pow4_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    out = []
    for extra, c, d in ((0.02, 0.5, 0.0), (0.02, 1.0, 1.0), (0.1, 0.3, 0.0), (0.02, 2.0, 3.0)):
        a = _top(y, extra)
        b = max(a - y[0], 1e-3) * (u[0] + d) ** c
        out.append(np.array([a, b, c, d]))
    return out


def _mmf4_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    u_mid = float(np.sqrt(u[0] * u[-1]))
    low = float(np.clip(y[0] - 0.1, 0.0, 1.0))
    out = [np.array([low, u_mid**d, _top(y, 0.02), d]) for d in (0.5, 1.0, 2.0)]
    out.append(np.array([0.0, 1.0, _top(y, 0.1), 0.5]))
    return out


def _wbl4_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    u_mid = float(np.sqrt(u[0] * u[-1]))
    out = []
    for extra, d in ((0.02, 0.3), (0.02, 0.7), (0.02, 1.5), (0.1, 0.5)):
        c = _top(y, extra)
        b = float(np.clip(2 * (c - y[0]) + 0.05, 0.0, 2.0))
        out.append(np.array([np.log(2) / u_mid**d, b, c, d]))
    return out


def _exp3_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    out = []
    for extra, u_half in ((0.02, np.sqrt(u[0] * u[-1])), (0.02, u[-1]), (0.05, u[0] + 0.5 * (u[-1] - u[0]))):
        c = _top(y, extra)
        b = float(np.clip(np.log(2) / u_half, 1e-6, 50.0))
        a = float(np.clip(-(c - y[0]) * np.exp(b * u[0]), -2.0, 0.0))
        out.append(np.array([a, b, c]))
    return out


def _log2_starts(u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    lu = np.log(u)
    slope = float(np.polyfit(lu, y, 1)[0]) if np.ptp(lu) > 0 else 0.0
    a = float(np.clip(-slope, -1.0, 1.0))
    b = float(np.clip(np.mean(y) + a * np.mean(lu), -1.0, 2.0))
    return [np.array([a, b]), np.array([0.0, float(np.clip(np.mean(y), -1.0, 2.0))])]


@dataclass(frozen=True)
class CurveFamily:
    """One parametric learning-curve family.

    Attributes
    ----------
    name : str
        LCDB name (``pow3``, ``pow4``, ``mmf4``, ``wbl4``, ``exp3``, ``log2``).
    formula : str
        The formula in labels ``x``.
    param_names : tuple of str
    lower, upper : tuple of float
        Bounds of the parameters on the scaled axis ``u = x / s``.
    log_params : tuple of int
        Parameters spanning orders of magnitude; the optimizer works on their logarithm.
    """

    name: str
    formula: str
    param_names: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    func: Callable[[np.ndarray, np.ndarray], np.ndarray]
    jac_func: Callable[[np.ndarray, np.ndarray], np.ndarray]
    unscale_func: Callable[[np.ndarray, float], np.ndarray]
    starts_func: Callable[[np.ndarray, np.ndarray], list[np.ndarray]]
    asymptote_index: int | None
    log_params: tuple[int, ...] = ()

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    def value(self, x: np.ndarray | float, params: np.ndarray | list[float]) -> np.ndarray:
        """The formula at label counts ``x`` with parameters in labels (not clipped to [0, 1])."""
        with np.errstate(all="ignore"):
            return self.func(np.asarray(x, dtype=float), np.asarray(params, dtype=float))

    def unscale(self, params: np.ndarray, s: float) -> np.ndarray:
        """Parameters fitted on ``u = x / s`` expressed for the formula in labels ``x``."""
        with np.errstate(all="ignore"):
            return self.unscale_func(np.asarray(params, dtype=float), float(s))

    def starts(self, u: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        """Deterministic starting points (clipped into the bounds) for data ``y`` at scaled labels ``u``."""
        lo, hi = np.array(self.lower), np.array(self.upper)
        eps = 1e-9 * (hi - lo)
        return [np.clip(p, lo + eps, hi - eps) for p in self.starts_func(u, y)]

    def asymptote(self, params: np.ndarray) -> float | None:
        """The value the curve tends to with unlimited labels (None when it has none, like ``log2``)."""
        if self.asymptote_index is None:
            return None
        return float(params[self.asymptote_index])

    # ---- the optimizer's parametrization (logs of the wide-ranging parameters) ----------------------------
    def to_internal(self, params: np.ndarray) -> np.ndarray:
        q = np.array(params, dtype=float)
        idx = list(self.log_params)
        q[idx] = np.log(np.maximum(q[idx], 1e-300))
        return q

    def from_internal(self, q: np.ndarray) -> np.ndarray:
        p = np.array(q, dtype=float)
        idx = list(self.log_params)
        p[idx] = np.exp(p[idx])
        return p

    def internal_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return self.to_internal(np.array(self.lower)), self.to_internal(np.array(self.upper))

    def internal_jac(self, u: np.ndarray, q: np.ndarray) -> np.ndarray:
        """d f / d q: the Jacobian in the optimizer's parametrization (chain rule on the log parameters)."""
        p = self.from_internal(q)
        j = self.jac_func(u, p)
        idx = list(self.log_params)
        j[:, idx] = j[:, idx] * p[idx]
        return j


FAMILIES: dict[str, CurveFamily] = {
    f.name: f
    for f in (
        CurveFamily("pow3", "a - b * x^(-c)", ("a", "b", "c"), (0.0, 0.0, 1e-3), (1.0, 2.0, 4.0),
                    _pow3, _pow3_jac, _pow3_unscale, _pow3_starts, 0),
        CurveFamily("pow4", "a - b * (x + d)^(-c)", ("a", "b", "c", "d"), (0.0, 1e-10, 1e-3, -0.99),
                    (1.0, 1e4, 4.0, 50.0), _pow4, _pow4_jac, _pow4_unscale, _pow4_starts, 0, (1,)),
        CurveFamily("mmf4", "(a*b + c * x^d) / (b + x^d)", ("a", "b", "c", "d"), (0.0, 1e-8, 0.0, 0.05),
                    (1.0, 1e8, 1.0, 5.0), _mmf4, _mmf4_jac, _mmf4_unscale, _mmf4_starts, 2, (1,)),
        CurveFamily("wbl4", "c - b * exp(-a * x^d)", ("a", "b", "c", "d"), (1e-8, 0.0, 0.0, 0.05),
                    (1e3, 2.0, 1.0, 5.0), _wbl4, _wbl4_jac, _wbl4_unscale, _wbl4_starts, 2, (0,)),
        CurveFamily("exp3", "a * exp(-b * x) + c", ("a", "b", "c"), (-2.0, 1e-6, 0.0), (0.0, 50.0, 1.0),
                    _exp3, _exp3_jac, _exp3_unscale, _exp3_starts, 2, (1,)),
        CurveFamily("log2", "-a * ln(x) + b", ("a", "b"), (-1.0, -1.0), (1.0, 2.0),
                    _log2, _log2_jac, _log2_unscale, _log2_starts, None),
    )
}

#: The flat baseline: the last observed value held constant (LCDB's ``last1``).
LAST1 = "last1"
#: All model names, simplest first: on a backtest tie the simpler model wins.
MODEL_NAMES: tuple[str, ...] = (LAST1, "log2", "pow3", "exp3", "pow4", "mmf4", "wbl4")
