"""Split-conformal widening of a pilot's projected intervals, so that they cover what they say.

A pilot (a simulation on fewer rows than the production pool) reads its label counts at the production pool off
fitted learning curves. The calibration suite (``benchmarks/calibration``) projects pilots of real datasets to
their full data and compares: the plan's own intervals (the seeds' interval and the fitted curve's band,
``simulations.plan.build.label_interval``) held the full data's answer far less often than their level said
(95% intervals about 80% of the time, the full data's answer mostly *above*: a pilot's curve is too optimistic).

The fix is conformalized quantile regression (Romano, Patterson and Candes, 2019) applied to the plan's interval:
for a calibration pilot with interval ``[low, high]`` and the full data's answer ``t``, the **score** is how far
``t`` lies outside the interval,

* on the log scale for label counts (their errors are multiplicative: a pilot off by 2x is off by 2x at 50 labels
  or at 2,000), ``max(log low - log t, log t - log high)``;
* on the figure's own scale for the ROI (a ratio that can be negative), ``max(low - t, t - high)``;
* as a share of the production pool for labels saved (a difference of label counts, often near zero or negative),
  ``max(low - t, t - high) / pool``.

The widening at level ``L`` is the ``ceil((n + 1) L)``-th smallest of the ``n`` calibration scores
(:func:`conformal_quantile`), and the shipped interval is ``[low / e^q, high * e^q]`` (labels, the cost-optimal
stop), ``[low - q, high + q]`` (ROI) or ``[low - q * pool, high + q * pool]`` (labels saved), clipped to
``[initial labels, production pool]`` for counts and to ``+-pool`` for the saving. A factor of 0 is the plan's own
interval; the widening never narrows (a negative quantile is taken as 0).

The widenings in :data:`PILOT_WIDENING` are the suite's quantiles over all its datasets (``benchmarks/results/
calibration.md``). Their honest coverage is measured on datasets not used to choose them (cross-fitted by dataset:
two halves of the suite's list and leave one dataset out), and is what ``simulations.trust.MEASURED`` quotes.
Labels saved is widened from the plan's own saving interval (which already carries the label intervals' doubt
beyond their seeds, ``simulations.plan.pilot.widen_difference``), not from the widened label intervals: carried
through them, it covered 89% at 80% (too wide; the suite keeps that figure for reference). Only the 80% and 95%
levels were measured; the plan's level can be
higher (Bonferroni when the strategy was picked from several), and :func:`widening_at` interpolates (and beyond
95%, extends) linearly in the normal quantile of the level: that part is an assumption, not a measurement.

This applies only to a plan projected to a production pool larger than the simulated one (the suite's setting);
a plan for the simulated pool itself keeps the seeds' intervals.

**How the widening grows with the projection** (``PilotWidening.scale``). A pilot projected 16 times its simulated
pool is further from its answer than one projected 2 times. With a scale ``s`` every score is divided by
``s(projection)`` (the projection = production pool / simulated pool) before its quantile is taken, and the widening
shipped for a plan is that quantile times the plan's own ``s(projection)`` (normalized conformal scores: the
coverage guarantee holds for any fixed scale, and a scale that follows the errors gives narrower intervals where the
projection is short and wider ones where it is long). The scales are the powers 0, 1 and 2 of ``log(projection)``
(:data:`SCALES`; power 0 is the plain quantile). The suite measures each, held out, per range of projections, and
ships the one its rule picks (``benchmarks/calibration/crossfit.py``); the pick is made on the same datasets, so
its held-out coverage is slightly optimistic (one choice among three). Because the widening then shrinks as the
pilot grows, it also says how many more pilot labels would settle an undecided ROI
(``simulations.plan.pilot.more_pilot_rows``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scipy.stats import norm

__all__ = ["PILOT_WIDENING", "SCALES", "PilotWidening", "conformal_quantile", "linear_score", "log_score",
           "projection_scale", "share_score", "widen_linear", "widen_log", "widen_share", "widening_at"]

#: The levels the calibration suite measures.
LEVELS = (0.80, 0.95)
#: How a widening grows with the projection (production pool / simulated pool): :func:`projection_scale`; the
#: powers 0, 1 and 2 of log(projection).
SCALES = ("constant", "log_projection", "log_projection_squared")


def projection_scale(projection: float, scale: str) -> float:
    """The factor a widening is multiplied by at ``projection`` (production pool / simulated pool).

    ``"constant"``: 1 (the same widening at any projection). ``"log_projection"``: ``log(projection)``;
    ``"log_projection_squared"``: its square. Both are 0 for a projection of 1 or less (a plan for its own pool has
    nothing to project).
    """
    if scale == "constant":
        return 1.0
    if scale in ("log_projection", "log_projection_squared"):
        p = float(projection)
        if not p > 0:
            raise ValueError(f"projection must be positive (got {projection})")
        k = max(0.0, math.log(p))
        return k * k if scale == "log_projection_squared" else k
    raise ValueError(f"scale must be one of {', '.join(SCALES)} (got {scale!r})")


@dataclass(frozen=True, kw_only=True)
class PilotWidening:
    """Conformal widenings of a pilot's intervals, per figure and level, with where they came from.

    Every widening below is per unit of :func:`projection_scale` (``scale``): the widening a plan gets is the figure
    times ``projection_scale(projection, scale)`` (the figure itself when ``scale`` is ``"constant"``).

    Attributes
    ----------
    labels80, labels95 : float
        Log-scale widening of labels to target (margin and random pooled): the interval is ``[low / e^q,
        high * e^q]``.
    cost_optimum95 : float
        The same for the cost-optimal stop (the plan has it at its own level only, so 95% alone was measured).
    roi80, roi95 : float
        Additive widening of the ROI (a fraction: 0.5 = 50 percentage points).
    saved80, saved95 : float
        Widening of labels saved as a share of the production pool.
    comparisons : int
        Label intervals (pilots x 2 strategies) the label widenings are quantiles of.
    datasets : int
    source : str
        The benchmark report the figures come from, relative to the repository root.
    measured : str
        When (UTC date) and on which commit of the plan's rule the scores were measured.
    smallest_projection, largest_projection : float
        The production pool over the simulated pool, smallest and largest among the suite's pilots. Below the
        smallest (a run on the full data, whose pool is the production pool less the test split) nothing was
        measured, so nothing is widened; above the largest the widening is applied and the plan says it was
        measured on shorter projections.
    scale : str
        How the widening grows with the projection (:data:`SCALES`), chosen by the suite's held-out comparison.
    """

    labels80: float
    labels95: float
    cost_optimum95: float
    roi80: float
    roi95: float
    saved80: float
    saved95: float
    comparisons: int
    datasets: int
    source: str
    measured: str
    smallest_projection: float = 1.0
    largest_projection: float = math.inf
    scale: str = "constant"

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)} (got {self.scale!r})")

    def applies(self, projection: float) -> bool:
        """Whether a projection of ``projection`` times the simulated pool is one the suite measured (or longer)."""
        return float(projection) >= self.smallest_projection

    def range_sentence(self, projection: float) -> str:
        """Where this projection stands against the suite's."""
        measured = (f"the calibration suite's pilots were projected {self.smallest_projection:.1f} to "
                    f"{self.largest_projection:.1f} times their simulated pool; this plan "
                    f"{float(projection):.1f} times")
        if not self.applies(projection):
            return (f"The intervals are the plan's own, not widened: {measured}, shorter than any the suite measured, "
                    "so how often they hold the production pool's answer is not measured.")
        if float(projection) > self.largest_projection:
            return f"The widening was measured on shorter projections: {measured}."
        return f"Within the range measured: {measured}."

    def _at(self, q: float, projection: float) -> float:
        k = projection_scale(projection, self.scale)
        return 0.0 if k == 0 else float(q) * k  # nothing to project: no widening, even an unfillable (inf) one

    def labels(self, level: float, *, projection: float) -> float:
        """Log-scale widening of labels to target at ``level`` for a plan projected ``projection`` times its
        simulated pool (:func:`widening_at`, :func:`projection_scale`)."""
        return self._at(widening_at(level, self.labels80, self.labels95), projection)

    def roi(self, level: float, *, projection: float) -> float:
        """Additive widening of the ROI at ``level`` and ``projection``."""
        return self._at(widening_at(level, self.roi80, self.roi95), projection)

    def saved(self, level: float, *, projection: float) -> float:
        """Widening of labels saved at ``level`` and ``projection``, as a share of the production pool."""
        return self._at(widening_at(level, self.saved80, self.saved95), projection)

    def cost_optimum(self, level: float, *, projection: float) -> float:
        """Log-scale widening of the cost-optimal stop at ``level`` and ``projection`` (only 95% measured: scaled
        from it by the normal quantile, 0 at level 0)."""
        return self._at(widening_at(level, 0.0, self.cost_optimum95, low_level=None), projection)

    def sentence(self, projection: float, level: float = 0.95) -> str:
        """What the plan says about its calibrated intervals, for a plan projected ``projection`` times at ``level``."""
        grows = {"log_projection": " The widening grows with the log of the projection (production pool / simulated "
                                   "pool), as the errors did.",
                 "log_projection_squared": " The widening grows with the square of the log of the projection "
                                           "(production pool / simulated pool), as the errors did."}.get(self.scale, "")
        return (f"The intervals of labels to target, labels saved, the ROI and the cost-optimal stop are widened so "
                f"that they hold the full data's answer as often as they say: on {self.datasets} real datasets, a "
                f"pilot's own intervals held it far less often, so each was widened by the amount that made it "
                f"hold there (split-conformal calibration, {self.source}); here a {level:.0%} label interval's ends "
                f"move {math.exp(self.labels(level, projection=projection)):.1f}x outwards.{grows}")


#: Measured by benchmarks/calibration (see the module docstring); the numbers are its ``conformal.shipped``.
PILOT_WIDENING = PilotWidening(
    labels80=0.27948955163961187, labels95=0.36588445419469956, cost_optimum95=0.26084968964743654,
    roi80=0.08691482808868271, roi95=2.151960078041821, saved80=0.006003790551084673, saved95=0.11801219242166579,
    comparisons=190, datasets=28, source="benchmarks/results/calibration.md", measured="2026-12-07",
    smallest_projection=1.9063926940639269, largest_projection=16.293150684931508, scale="log_projection_squared",
)


def log_score(low: float, high: float, truth: float) -> float:
    """How far ``truth`` lies outside ``[low, high]`` on the log scale (negative: inside, by that much).

    Counts below 1 are taken as 1 (a label count is at least one label)."""
    lo, hi, t = (math.log(max(float(v), 1.0)) for v in (low, high, truth))
    return max(lo - t, t - hi)


def linear_score(low: float, high: float, truth: float) -> float:
    """How far ``truth`` lies outside ``[low, high]`` (negative: inside, by that much)."""
    return max(float(low) - float(truth), float(truth) - float(high))


def share_score(low: float, high: float, truth: float, *, pool: float) -> float:
    """How far ``truth`` lies outside ``[low, high]``, as a share of ``pool`` (negative: inside)."""
    return linear_score(low, high, truth) / float(pool)


def conformal_quantile(scores: Iterable[float], level: float) -> float:
    """The split-conformal widening at ``level``: the ``ceil((n + 1) * level)``-th smallest score.

    With ``n`` calibration scores exchangeable with a new one, the interval widened by it covers the new answer
    with probability at least ``level``. Too few scores for that rank (``n < level / (1 - level)``) give ``inf``
    (no finite widening can promise the level). NaN scores are ignored.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1) (got {level})")
    s = sorted(float(v) for v in scores if not math.isnan(float(v)))
    n = len(s)
    k = math.ceil((n + 1) * level - 1e-12)
    if n == 0 or k > n:
        return math.inf
    return s[k - 1]


def widening_at(level: float, q80: float, q95: float, *, low_level: float | None = 0.80) -> float:
    """The widening at ``level`` from those measured at 80% (``q80``) and 95% (``q95``).

    Linear in the normal quantile ``z = Phi^-1((1 + level) / 2)`` through the two measured points (through
    ``(0, q80)`` and 95% when ``low_level`` is None), never below 0. Exact at 80% and 95%; elsewhere an assumption.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1) (got {level})")
    z = norm.ppf((1 + level) / 2)
    z95 = norm.ppf(0.975)
    z0 = 0.0 if low_level is None else norm.ppf((1 + low_level) / 2)
    if abs(level - 0.95) < 1e-9:
        return max(0.0, float(q95))
    if low_level is not None and abs(level - low_level) < 1e-9:
        return max(0.0, float(q80))
    return max(0.0, float(q80 + (q95 - q80) * (z - z0) / (z95 - z0)))


def widen_log(low: float, high: float, q: float, *, first: float, pool: float) -> tuple[float, float]:
    """``[low / e^q, high * e^q]`` within ``[first, pool]`` (``q <= 0``: the interval itself, clipped).

    Parameters
    ----------
    low, high : float
        The plan's interval of a label count.
    q : float
        The log-scale widening (:data:`PILOT_WIDENING`).
    first : float
        The fewest labels any plan has (the initial labeled set): no end goes below it, unless the interval
        already did.
    pool : float
        The production pool: no end goes above it.
    """
    f = math.exp(max(0.0, float(q))) if math.isfinite(q) else math.inf
    lo = min(float(low), max(float(low) / f, float(first)))
    hi = max(float(high), float(high) * f) if math.isfinite(f) else float(pool)
    return float(min(lo, pool)), float(min(hi, pool))


def widen_linear(low: float, high: float, q: float) -> tuple[float, float]:
    """``[low - q, high + q]`` (``q <= 0``: the interval itself)."""
    q = max(0.0, float(q))
    return float(low) - q, float(high) + q


def widen_share(low: float, high: float, q: float, *, pool: float) -> tuple[float, float]:
    """``[low - q * pool, high + q * pool]`` within ``+-pool`` (``q <= 0``: the interval itself, clipped)."""
    lo, hi = widen_linear(low, high, float(q) * float(pool) if math.isfinite(q) else math.inf)
    return float(max(min(lo, float(low)), -float(pool))), float(min(max(hi, float(high)), float(pool)))
