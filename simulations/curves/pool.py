"""A quick estimate on a small pool, projected to the production pool, and the caveat that goes with it.

Users simulate on what they have (a sample, or a modest labeled set) while the real pool is larger. The
ceiling (the model trained on the whole simulated pool) is then lower than the production ceiling, so a target
expressed as a share of the ceiling is easier to reach on the sample and labels-to-target is underestimated
(measured in ``benchmarks/results/quick_vs_full.md``; see :data:`QUICK_VS_FULL`).

The correction (:func:`project_to_pool`):

1. The ceiling is the random-sampling curve at ``n_pool`` labels (the whole simulated pool, same test split),
   so the random curve is fitted with that point appended (``simulations.curves.fit_curve``, mean over seeds).
2. The projected ceiling is the simulated ceiling plus the fitted curve's rise from ``n_pool`` to the production
   pool size (never negative), with the fit's 95% prediction interval.
3. A share-of-ceiling (or share-of-gap) target is re-expressed against the projected ceiling, and the labels each
   strategy needs for it come from its fitted curve (``CurveFit.labels_for``), flagged as extrapolated beyond
   the simulated range. An absolute target does not depend on the ceiling and is left as it is.

Every strategy's curve is fitted with the whole-pool score appended at ``n_pool`` labels (labeling every pool
item trains the same model whatever the order), and its asymptote is bounded by the upper edge of the projected
ceiling's interval: a curve projected above what the whole production pool is expected to reach is not credible
(:func:`pool_fits`). :func:`projection_curves` draws the same fits, so the chart, its table and the caveat give
one number for one thing.

The uncorrected figures are kept beside the corrected ones. See ``docs/stopping-and-projection.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

# project_to_pool and projection_curves call pool_fits by this module's name, so patching
# simulations.curves.pool.pool_fits (as the tests do) reaches them.
from simulations.curves.ceiling import (
    LEVEL,
    PoolFits,
    _check_pool,
    fit_ceiling_curve,
    pool_fits,
    project_ceiling,
    simulated_pool_size,
    with_strategy_fits,
)
from simulations.curves.fit import CurveFit, LabelsEstimate
from simulations.curves.quick_vs_full import QUICK_VS_FULL, QuickVsFull
from simulations.errors import ConfigError
from simulations.summary import METRIC_NAMES, Interval, Summary, Target, format_interval, summarize

if TYPE_CHECKING:
    from simulations.results import SimulationResult

__all__ = [
    "LEVEL", "QUICK_VS_FULL", "PoolCaveat", "PoolFits", "PoolProjection", "QuickVsFull", "StrategyAtPool",
    "fit_ceiling_curve", "pool_caveat", "pool_fits", "project_ceiling", "project_to_pool", "projection_curves",
    "simulated_pool_size", "with_strategy_fits",
]


@dataclass(frozen=True)
class StrategyAtPool:
    """One strategy's labels-to-target as simulated and as corrected for the production pool.

    Attributes
    ----------
    name : str
    simulated : Interval
        Labels to the simulated target (median over seeds and its 95% interval; ``censored`` when most seeds
        did not reach it within the budget).
    corrected : LabelsEstimate or None
        Labels for the corrected target on the strategy's fitted curve (with its 95% interval and the
        ``extrapolated`` flag); None when the target was not corrected.
    savings_simulated : Interval or None
        Share of labels saved against random, as simulated (None for random, or when not reported).
    savings_corrected : float or None
        ``1 - corrected labels / corrected random labels`` when both are reachable (None otherwise).
    """

    name: str
    simulated: Interval
    corrected: LabelsEstimate | None
    savings_simulated: Interval | None = None
    savings_corrected: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "simulated": self.simulated.to_dict(),
            "corrected": None if self.corrected is None else self.corrected.to_dict(),
            "savings_simulated": None if self.savings_simulated is None else self.savings_simulated.to_dict(),
            "savings_corrected": _finite(self.savings_corrected),
        }


@dataclass(frozen=True)
class PoolProjection:
    """The ceiling and the target projected from the simulated pool to the production pool.

    Attributes
    ----------
    metric : str
    simulated_pool, production_pool : int
        Items in the simulated pool (``result.meta['n_pool']``) and in the user's production pool.
    target : Target
    ceiling_simulated : Interval
        Whole-pool model's score on the simulated pool (median over seeds, 95% interval).
    ceiling_projected, ceiling_projected_low, ceiling_projected_high : float
        Projected score with the whole production pool, and its 95% prediction interval.
    ceiling_model : str
        Curve model fitted to the random curve (plus the ceiling point); "" when the production pool is not
        larger (nothing is projected, so no curve is fitted).
    ceiling_backtest_mae : float
        That model's backtest error on this curve (metric units; NaN without a backtest or a fit).
    target_simulated, target_corrected : float
        Target value against the simulated and the projected ceiling (equal when ``target_corrected_flag`` is
        False).
    target_corrected_flag : bool
        True when the target was re-expressed (share of ceiling or of gap, and a larger production pool).
    strategies : dict of str to StrategyAtPool
    """

    metric: str
    simulated_pool: int
    production_pool: int
    target: Target
    ceiling_simulated: Interval
    ceiling_projected: float
    ceiling_projected_low: float
    ceiling_projected_high: float
    ceiling_model: str
    ceiling_backtest_mae: float
    target_simulated: float
    target_corrected: float
    target_corrected_flag: bool
    strategies: dict[str, StrategyAtPool] = field(default_factory=dict)
    #: The fits behind the correction (None when nothing was projected), so :func:`projection_curves` can reuse
    #: them instead of fitting the same curves again.
    fits: PoolFits | None = field(default=None, compare=False, repr=False)

    @property
    def pool_ratio(self) -> float:
        """Production pool / simulated pool."""
        return self.production_pool / self.simulated_pool

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "simulated_pool": self.simulated_pool,
            "production_pool": self.production_pool,
            "pool_ratio": self.pool_ratio,
            "target": {"kind": self.target.kind, "value": self.target.value},
            "ceiling_simulated": self.ceiling_simulated.to_dict(),
            "ceiling_projected": {"median": _finite(self.ceiling_projected),
                                  "low": _finite(self.ceiling_projected_low),
                                  "high": _finite(self.ceiling_projected_high)},
            "ceiling_model": self.ceiling_model,
            "ceiling_backtest_mae": _finite(self.ceiling_backtest_mae),
            "target_simulated": _finite(self.target_simulated),
            "target_corrected": _finite(self.target_corrected),
            "target_corrected_flag": self.target_corrected_flag,
            "strategies": {n: s.to_dict() for n, s in self.strategies.items()},
        }


def _finite(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _labels_for(fit: CurveFit, value: float, first: float, level: float = LEVEL) -> LabelsEstimate:
    """Labels for ``value`` on ``fit`` (a score above 1 read as 1), never fewer than the initial labeled set:
    no plan has fewer labels, so a fitted crossing below ``first`` is read as ``first``."""
    est = fit.labels_for(min(1.0, value), level=level)

    def up(v: float | None) -> float | None:
        return None if v is None else max(float(v), first)

    return replace(est, labels=up(est.labels), low=up(est.low), high=up(est.high))


def _target_at_pool(target: Target, summary: Summary, ceiling: float, projected: bool) -> tuple[float, bool]:
    """The target's value against the production pool's ceiling, and whether it was re-expressed.

    A share of the ceiling (or of the gap) moves with a projected ceiling; an absolute target does not depend on
    the ceiling, and without a projection (the production pool is not larger) the simulated target stands.
    """
    if projected and target.kind != "absolute":
        return target.value_for(ceiling, float(summary.baseline.median)), True
    return float(summary.target_value.median), False


def project_to_pool(
    result: SimulationResult,
    production_pool: int,
    target: Target | None = None,
    *,
    metric: str | None = None,
    strategies: list[str] | None = None,
    summary: Summary | None = None,
    fits: PoolFits | None = None,
) -> PoolProjection:
    """Project the ceiling to the production pool and re-express the target against it.

    Parameters
    ----------
    result : SimulationResult
    production_pool : int
        Items in the real project's pool.
    target : Target, optional
        Default: 95% of the ceiling.
    metric : str, optional
        Default: the result's metric.
    strategies : list of str, optional
        Strategies to give labels for (default: every simulated one, random first).
    summary : Summary, optional
        ``summarize(result, target, metric)`` when already computed (the uncorrected figures).
    fits : PoolFits, optional
        :func:`pool_fits` for this production pool when already computed (strategies it lacks are fitted here).

    Returns
    -------
    PoolProjection
        When the production pool is not larger than the simulated one nothing is re-expressed
        (``target_corrected_flag`` False, ``corrected`` labels None) and the projected ceiling is the simulated one.
    """
    target = target or Target()
    given = fits  # the name is reused below for the strategies' curves
    pool = _check_pool(production_pool)
    summary = summary or summarize(result, target, metric)
    metric = summary.metric
    n_sim = simulated_pool_size(result)
    names = strategies or ["random"] + [s for s in summary.strategies if s != "random"]
    unknown = [s for s in names if s not in summary.strategies]
    if unknown:
        raise ConfigError(f"No results for strategy {', '.join(unknown)}.",
                          hint=f"Strategies in these results: {', '.join(summary.strategies)}.")
    t_sim = float(summary.target_value.median)
    fits: dict[str, CurveFit] = {}
    pf: PoolFits | None = None
    if pool > n_sim:
        # Only a target that moves with the ceiling needs every strategy's curve.
        moves = target.kind != "absolute"
        wanted = names if moves else ["random"]
        pf = (with_strategy_fits(given, result, metric, wanted) if given is not None and given.production_pool == pool
              else pool_fits(result, pool, wanted, summary=summary, metric=metric))
        ceiling_model, ceiling_mae = pf.ceiling_fit.model, pf.ceiling_fit.chosen_backtest_mae
        projected, p_low, p_high = pf.ceiling, pf.ceiling_low, pf.ceiling_high
        fits = pf.fits if moves else {}
    else:  # nothing to project: no curve is fitted
        ceiling_model, ceiling_mae = "", float("nan")
        cs = summary.ceiling
        projected, p_low, p_high = float(cs.median), float(cs.low), float(cs.high)
    t_new, flagged = _target_at_pool(target, summary, projected, pool > n_sim)
    per: dict[str, StrategyAtPool] = {}
    n_first = float(result.rounds["labels"].min())
    corrected = {n: _labels_for(fits[n], t_new, n_first) for n in names if n in fits}
    rnd = corrected.get("random")
    for n in names:
        s = summary.strategies[n]
        est = corrected.get(n)
        sav = None
        if n != "random" and est is not None and rnd is not None and est.reachable and rnd.reachable \
                and est.labels and rnd.labels:
            sav = 1.0 - est.labels / rnd.labels
        per[n] = StrategyAtPool(n, s.labels_to_target, est, s.savings_vs_random, sav)
    return PoolProjection(
        metric=metric, simulated_pool=n_sim, production_pool=pool, target=target,
        ceiling_simulated=summary.ceiling, ceiling_projected=projected, ceiling_projected_low=p_low,
        ceiling_projected_high=p_high, ceiling_model=ceiling_model,
        ceiling_backtest_mae=ceiling_mae, target_simulated=t_sim, target_corrected=t_new,
        target_corrected_flag=flagged, strategies=per, fits=pf,
    )


@dataclass(frozen=True)
class PoolCaveat:
    """What a quick estimate on a smaller pool means for the production pool, shown beside the estimates.

    Attributes
    ----------
    simulated_pool, production_pool : int
    strategy : str
        The AL strategy the estimate is about (the business case's strategy).
    projection : PoolProjection
        Simulated and projected ceiling, uncorrected and corrected labels-to-target.
    measured : QuickVsFull
        The measured bias of quick estimates on the shipped datasets.
    corrected : tuple of str
        What was corrected, in words (empty when nothing could be).
    applied : bool
        True when the corrected figures are the recommended reading (the benchmark showed the correction helps);
        otherwise they are shown for information only.
    sentence : str
        The caveat in one plain sentence, with the figures.
    details : str
        The longer explanation: ceilings, target, labels pair and the benchmark figures with their source.
    """

    simulated_pool: int
    production_pool: int
    strategy: str
    projection: PoolProjection
    measured: QuickVsFull
    corrected: tuple[str, ...]
    applied: bool
    sentence: str
    details: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "simulated_pool": self.simulated_pool,
            "production_pool": self.production_pool,
            "strategy": self.strategy,
            "projection": self.projection.to_dict(),
            "measured": self.measured.to_dict(),
            "corrected": list(self.corrected),
            "applied": self.applied,
            "sentence": self.sentence,
            "details": self.details,
        }


def _est_text(est: LabelsEstimate | None) -> str:
    """A corrected labels-to-target with its 95% interval, e.g. "about 103 (80 to 140, extrapolated)"."""
    if est is None or not est.reachable or est.labels is None:
        return "not reached on the fitted curve"
    low = "n/a" if est.low is None else f"{est.low:,.0f}"
    high = "beyond the fitted range" if est.high is None else f"{est.high:,.0f}"
    return f"about {est.labels:,.0f} ({low} to {high}{', extrapolated' if est.extrapolated else ''})"


def pool_caveat(
    result: SimulationResult,
    production_pool: int,
    target: Target | None = None,
    *,
    strategy: str | None = None,
    metric: str | None = None,
    summary: Summary | None = None,
    measured: QuickVsFull = QUICK_VS_FULL,
    fits: PoolFits | None = None,
) -> PoolCaveat | None:
    """The caveat for a simulation on a pool smaller than the production pool; None when it is not smaller.

    Parameters
    ----------
    result : SimulationResult
    production_pool : int
    target : Target, optional
    strategy : str, optional
        The AL strategy to describe (default: ``summary.best()``).
    metric : str, optional
    summary : Summary, optional
        Reused when given.
    measured : QuickVsFull
        The benchmark figures quoted (default :data:`QUICK_VS_FULL`).
    fits : PoolFits, optional
        :func:`pool_fits` for this pool when already computed (the plan's), so the curves are fitted once.
    """
    pool = _check_pool(production_pool)
    n_sim = simulated_pool_size(result)
    if pool <= n_sim:
        return None
    target = target or Target()
    summary = summary or summarize(result, target, metric)
    best = summary.best()
    name = strategy or (best.name if best else "random")
    names = ["random"] + ([name] if name != "random" else [])
    proj = project_to_pool(result, pool, target, metric=summary.metric, strategies=names, summary=summary, fits=fits)
    m = METRIC_NAMES.get(proj.metric, proj.metric)
    cs = proj.ceiling_simulated
    details = [
        f"Simulated on {n_sim:,} items; your production pool has {pool:,} ({proj.pool_ratio:.1f}x). A smaller pool "
        f"lowers the ceiling: the whole-pool {m} is {format_interval(cs, digits=3)} here, projected to "
        f"{proj.ceiling_projected:.3f} "
        f"({proj.ceiling_projected_low:.3f} to {proj.ceiling_projected_high:.3f}) with {pool:,} items.",
    ]
    corrected: tuple[str, ...] = ()
    applied = bool(proj.target_corrected_flag and measured.correction_helps)
    head = (f"Simulated on {n_sim:,} items but your pool has {pool:,} ({proj.pool_ratio:.1f}x): on a smaller pool "
            f"labels-to-target tends to be underestimated (a {measured.sample_share:.0%} sample erred low in "
            f"{measured.labels_quick_lower} of {measured.labels_compared} benchmark cases) while the savings "
            "fraction is more stable")
    if proj.target_corrected_flag:
        corrected = (f"the ceiling, projected to the production pool with the fitted random curve "
                     f"({proj.ceiling_model})",
                     f"the target, re-expressed against the projected ceiling "
                     f"({proj.target_simulated:.3f} -> {proj.target_corrected:.3f})",
                     "labels-to-target for that target, from the fitted curves")
        pairs = "; ".join(
            f"{s.replace('_', ' ')} {_est_text(proj.strategies[s].corrected)}, "
            f"simulated {format_interval(proj.strategies[s].simulated)}" for s in names)
        details.append(f"Against it the target is {proj.target_corrected:.3f} instead of "
                       f"{proj.target_simulated:.3f}, and labels to reach it are: {pairs}.")
        est = ", ".join(f"{_est_text(proj.strategies[s].corrected)}{' labels' if i == 0 else ''} for "
                        f"{s.replace('_', ' ')}" for i, s in enumerate(names))
        sim = " and ".join(format_interval(proj.strategies[s].simulated) for s in names)
        verb = "expect" if applied else "the pool-size correction (not applied: it did not help in the benchmark) gives"
        head += f"; {verb} {est} rather than the simulated {sim}."
    else:
        details.append("The target is an absolute score, so it was not re-expressed; labels-to-target may still be "
                       "lower than on the production pool.")
        head += "."
    details.append(measured.sentence())
    if proj.target_corrected_flag and not measured.correction_helps:
        details.append("The correction did not bring quick estimates closer to the full runs there, so it is shown "
                       "for information and the simulated figures stay the headline.")
    return PoolCaveat(n_sim, pool, name, proj, measured, corrected, applied, head, " ".join(details))


def projection_curves(
    result: SimulationResult,
    strategies: list[str],
    production_pool: int,
    target_value: float | Target | None = None,
    *,
    metric: str | None = None,
    level: float = 0.95,
    points: int = 60,
    summary: Summary | None = None,
    fits: PoolFits | None = None,
) -> dict[str, Any]:
    """Each strategy's fitted learning curve carried forward to the production pool, as JSON-ready data.

    The fits are :func:`pool_fits`' (whole-pool point appended, asymptote bounded by the projected ceiling's
    95% upper edge), the same the pool caveat (:func:`pool_caveat`) reads its labels from, so the chart, its
    table and the caveat agree.

    Parameters
    ----------
    result : SimulationResult
    strategies : list of str
        Strategies to fit (e.g. random and the recommended one).
    production_pool : int
        Items in the real project; 0 draws the curves 1.5x past the simulated labels only.
    target_value : float or Target, optional
        The target: a :class:`Target` is re-expressed against the projected ceiling as :func:`project_to_pool`
        does (so labels match the caveat's corrected figures); a float is a score in metric units, used as is.
        Each strategy's labels for it come from its fitted curve.
    metric : str, optional
        Default: the run's metric.
    level : float
        Interval level of the bands and the score at the pool.
    points : int
        Grid points, log-spaced from the first simulated label count.
    summary : Summary, optional
        ``summarize(result, target, metric)`` when already computed.
    fits : PoolFits, optional
        The fits of the pool caveat (``PoolCaveat.projection.fits``) for the same pool: reused, and only
        strategies they lack are fitted, so the caveat and the chart share one set of curves.

    Returns
    -------
    dict
        ``pool``, ``simulated_pool``, ``simulated_up_to``, ``ceiling`` (median, low, high: the whole-pool score
        at the production pool, and ``projected``), ``target_value`` and ``target_corrected``, ``curves`` (rows:
        strategy, labels, predicted, low, high) and ``strategies`` (name -> model, backtest_mae, at_pool with its
        low/high, labels_for_target, asymptote). With the production pool at least the simulated one, every
        strategy's ``at_pool`` is the whole-pool score: labeling every item trains the same model whatever the
        order (``at_pool_is_whole_pool`` True).
    """
    target = target_value if isinstance(target_value, Target) else None
    summary = summary or summarize(result, target or Target(), metric)
    metric = summary.metric
    pool = int(production_pool or 0)
    if pool:
        _check_pool(pool)
    n_sim = simulated_pool_size(result)
    reuse = fits is not None and fits.production_pool == (pool or n_sim) and fits.simulated_pool == n_sim
    pf = (with_strategy_fits(fits, result, metric, list(strategies)) if reuse  # type: ignore[arg-type]
          else pool_fits(result, pool or n_sim, list(strategies), summary=summary, metric=metric))
    t_value: float | None
    if target is not None:  # as project_to_pool re-expresses it, so the labels match the caveat's
        t_value, corrected = _target_at_pool(target, summary, pf.ceiling, pf.projected)
    else:
        corrected = False
        t_value = None if target_value is None else float(target_value)
    last = float(result.rounds["labels"].max())
    n_first = float(result.rounds["labels"].min())
    end = max(pool, last) if pool else last * 1.5
    grid = np.unique(np.round(np.geomspace(n_first, end, points)))
    rows, per = [], {}
    whole_pool = bool(pool) and pool >= n_sim  # every item labeled: the whole-pool score, the same for all
    for name, fit in pf.fits.items():
        lo, hi = fit.interval(grid, level)
        rows += [{"strategy": name, "labels": float(x), "predicted": float(p), "low": float(a), "high": float(b)}
                 for x, p, a, b in zip(grid, fit.predict(grid), lo, hi, strict=True)]
        if whole_pool:
            at_pool, pl, ph = pf.ceiling, pf.ceiling_low, pf.ceiling_high
        elif pool:
            (pl,), (ph,) = fit.interval([pool], level)
            at_pool = float(fit.predict([pool])[0])
        else:
            at_pool = pl = ph = math.nan
        est = None if t_value is None else _labels_for(fit, t_value, n_first, level)
        per[name] = {"model": fit.model, "backtest_mae": fit.chosen_backtest_mae,
                     "at_pool": float(at_pool), "at_pool_low": float(pl), "at_pool_high": float(ph),
                     "labels_for_target": est.to_dict() if est is not None else None, "asymptote": fit.asymptote}
    return {"pool": pool, "simulated_pool": n_sim, "simulated_up_to": last,
            "ceiling": {"median": pf.ceiling, "low": pf.ceiling_low, "high": pf.ceiling_high,
                        "projected": pf.projected},
            "target_value": t_value, "target_corrected": corrected, "curves": rows, "strategies": per,
            "at_pool_is_whole_pool": whole_pool}
