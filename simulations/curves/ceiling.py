"""The ceiling projected to the production pool, and every strategy's curve fitted with it and bounded by it.

The ceiling is the random-sampling curve at ``n_pool`` labels (the whole simulated pool, same test split). The
projected ceiling is the simulated one plus the fitted curve's rise from ``n_pool`` to the production pool (never
negative), with the fit's 95% prediction interval (:func:`project_ceiling`). Every strategy's curve is fitted with
the whole-pool score appended and its asymptote bounded by that interval's upper edge (:func:`pool_fits`).

These fits are shared by :func:`simulations.curves.pool.project_to_pool`, the pool caveat and the projection chart;
:mod:`simulations.curves.pool` re-exports every public name here, and callers look ``pool_fits`` up there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from simulations.curves.fit import CurveFit, fit_curve
from simulations.errors import ConfigError, DataError
from simulations.summary import Summary

if TYPE_CHECKING:
    from simulations.results import SimulationResult

#: Level of the projected ceiling's prediction interval and of the corrected labels' interval.
LEVEL = 0.95


def simulated_pool_size(result: SimulationResult) -> int:
    """Items in the simulated pool: ``meta['n_pool']``, else ``n_rows - n_test``, else ``n_rows``."""
    meta = result.meta or {}
    n = meta.get("n_pool")
    if n is None and meta.get("n_rows") is not None:
        n = int(meta["n_rows"]) - int(meta.get("n_test") or 0)
    if n is None or int(n) < 1:
        raise DataError("The results do not say how large the simulated pool was (meta 'n_pool').",
                        hint="Re-run the simulation with this version of Labelwise; it records the pool size.")
    return int(n)


def _check_pool(production_pool: Any) -> int:
    hint = "The number of unlabeled items your real project has, e.g. 100000."
    if isinstance(production_pool, bool) or not isinstance(production_pool, (int, float, np.integer, np.floating)):
        raise ConfigError(f"production_pool must be a number (got {production_pool!r}).", hint=hint)
    if not math.isfinite(float(production_pool)) or production_pool < 1 or production_pool != int(production_pool):
        raise ConfigError(f"production_pool must be a whole number of items, at least 1 (got {production_pool}).",
                          hint=hint)
    return int(production_pool)


def fit_ceiling_curve(result: SimulationResult, metric: str, strategy: str = "random", *,
                      asymptote_max: float | None = None, fallback: str = "next") -> CurveFit:
    """A strategy's curve (mean over seeds) with the whole-pool score appended at ``n_pool`` labels.

    Training on the whole pool is the plan that labels every pool item, whatever the order, evaluated on the same
    test split, so it is a measured point of every strategy's curve far beyond the simulated budget. For random
    it is what the ceiling is projected from.

    Parameters
    ----------
    result : SimulationResult
    metric : str
    strategy : str
        Default ``random``.
    asymptote_max : float, optional
        Bound on the fitted curve (``fit_curve``'s; e.g. the projected ceiling's upper edge).
    fallback : str
        ``fit_curve``'s: what replaces a backtest winner that fails the earlier-origin check. ``next`` by default:
        the far end of this curve is measured, so the check scores a model against that point and a model
        vetoed from the earlier origin gives way to the next-ranked one that passes, not to a flat line.
    """
    rounds = result.rounds
    sub = rounds[rounds["strategy"].astype(str) == strategy]
    if sub.empty:
        if strategy == "random":
            raise DataError("The results have no random-sampling curve to project the ceiling from.",
                            hint="Re-run the simulation with random included (it is added by default).")
        present = ", ".join(dict.fromkeys(rounds["strategy"].astype(str)))
        raise DataError(f"No rounds for strategy {strategy} in the results.",
                        hint=f"Strategies in these results: {present}.")
    table = sub.pivot_table(index="seed", columns="labels", values=metric, aggfunc="mean")
    ceil = result.ceilings.set_index("seed")[metric].reindex(table.index).to_numpy(dtype=float)
    labels = np.append(table.columns.to_numpy(dtype=float), float(simulated_pool_size(result)))
    values = np.column_stack([table.to_numpy(dtype=float), ceil])
    return fit_curve(labels, values, asymptote_max=asymptote_max, fallback=fallback)


@dataclass(frozen=True)
class PoolFits:
    """The fits behind a projection to the production pool, shared by the caveat and the projection chart.

    Attributes
    ----------
    simulated_pool, production_pool : int
    ceiling_fit : CurveFit
        Random's curve with the whole-pool score appended (what the ceiling is projected from).
    ceiling, ceiling_low, ceiling_high : float
        The whole-pool score at ``max(production_pool, simulated_pool)`` items and its 95% interval: the
        measured one when the production pool is not larger.
    fits : dict of str to CurveFit
        Each strategy's curve with the whole-pool point, its asymptote bounded by ``ceiling_high`` (random:
        ``ceiling_fit``).
    """

    simulated_pool: int
    production_pool: int
    ceiling_fit: CurveFit
    ceiling: float
    ceiling_low: float
    ceiling_high: float
    fits: dict[str, CurveFit]

    @property
    def projected(self) -> bool:
        """True when the production pool is larger than the simulated one (the ceiling is a projection)."""
        return self.production_pool > self.simulated_pool


def project_ceiling(ceil_fit: CurveFit, summary: Summary, n_sim: int, pool: int) -> tuple[float, float, float]:
    """The full-data score at ``pool`` items and its 95% range, from random's curve fitted with the whole-pool point.

    Anchored on the measured ceiling: only the fitted rise from ``n_sim`` to ``pool`` is projected (never negative),
    so a fit that misses the ceiling point by a little does not move the answer by as much. A pool no larger than
    the simulated one gives the measured ceiling and its interval.
    """
    c_sim = float(summary.ceiling.median)
    if pool <= n_sim:
        return c_sim, float(summary.ceiling.low), float(summary.ceiling.high)
    at_sim, at_pool = (float(v) for v in ceil_fit.predict([n_sim, pool]))
    lift = max(0.0, at_pool - at_sim)
    lo, hi = (float(v[0]) for v in ceil_fit.interval([pool], LEVEL))
    projected = min(1.0, c_sim + lift)
    p_low = float(np.clip(projected - (at_pool - lo), 0.0, 1.0))
    p_high = float(np.clip(projected + (hi - at_pool), 0.0, 1.0))
    return projected, p_low, p_high


def pool_fits(result: SimulationResult, production_pool: int, strategies: list[str], *, summary: Summary,
              metric: str | None = None) -> PoolFits:
    """Project the ceiling to the production pool and fit every strategy's curve bounded by it.

    The projected ceiling is the simulated one plus the fitted rise of random's curve from ``n_pool`` to the
    production pool (never negative), with that fit's 95% prediction interval. Each strategy's curve gets the
    whole-pool point and an asymptote no higher than the interval's upper edge (or than its own highest observed
    value, when a strategy beats it within the budget).
    """
    metric = metric or summary.metric
    pool = _check_pool(production_pool)
    n_sim = simulated_pool_size(result)
    ceil_fit = fit_ceiling_curve(result, metric)
    projected, p_low, p_high = project_ceiling(ceil_fit, summary, n_sim, pool)
    # Random's own band stops at the same upper edge (its interval, un-anchored, could reach past it).
    ceil_fit = replace(ceil_fit, upper=max(min(ceil_fit.upper, p_high), float(np.max(ceil_fit.values))))
    fits = {n: ceil_fit if n == "random" else _bounded_fit(result, metric, n, p_high) for n in strategies}
    return PoolFits(n_sim, pool, ceil_fit, projected, p_low, p_high, fits)


def _bounded_fit(result: SimulationResult, metric: str, strategy: str, ceiling_high: float) -> CurveFit:
    """A strategy's curve with the whole-pool point, its asymptote no higher than the projected ceiling's edge."""
    return fit_ceiling_curve(result, metric, strategy, asymptote_max=max(ceiling_high, 1e-6))


def with_strategy_fits(pf: PoolFits, result: SimulationResult, metric: str, strategies: list[str]) -> PoolFits:
    """``pf`` with a fit for every strategy in ``strategies`` (the missing ones fitted as :func:`pool_fits` does)."""
    missing = [n for n in strategies if n not in pf.fits]
    if not missing:
        return pf
    return replace(pf, fits={**pf.fits, **{n: _bounded_fit(result, metric, n, pf.ceiling_high) for n in missing}})
