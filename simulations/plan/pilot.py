"""A labeled pilot projected to the production pool: can it tell, and how many more pilot labels would settle it?

A plan simulated on a pilot (500 or 1,000 labeled rows, or a 20% sample) and asked about a larger production pool
reads every label count beyond the pilot off fitted learning curves. Two things follow:

* **The interval must carry the curve's uncertainty.** When a seed's curve did not reach the target within the
  pilot, its label count comes from the strategy's fitted curve (``simulations.plan.build``); the seeds then differ
  only by their targets, so the interval over seeds says nothing about how far the fitted curve can be off.
  :func:`widen_for_fit` widens a label interval to hold the fitted curve's own interval for the same target and
  level (``CurveFit.labels_for``), never past the production pool. ``benchmarks/calibration`` measures how often
  the result holds the full data's answer.
* **Say when the pilot cannot tell** (:func:`assess_pilot`): the target lies above what the whole pool is expected
  to score, the label interval runs to the whole pool (open: the curve never reaches the target in its band), or the
  model learns nothing. And when the ROI interval spans zero, estimate how many more pilot labels would narrow it
  enough to exclude zero (:func:`more_pilot_rows`): the plan's own ROI interval narrows as ``rows ** -b`` (measured
  on the calibration suite's pilots of 500 to 4,000 rows, ``simulations.trust.MEASURED.roi_width_exponent``), and
  the calibration's widening shrinks with the shorter projection of a larger pilot (``simulations.plan.conformal``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["PilotAnswer", "assess_pilot", "largest_pilot", "more_pilot_rows", "roi_side_at", "widen_difference",
           "widen_for_fit"]

#: Below this exponent the ROI interval barely narrows with more pilot rows: no estimate is given.
MIN_EXPONENT = 0.1


@dataclass(frozen=True, kw_only=True)
class PilotAnswer:
    """What a pilot can say about the production pool.

    Attributes
    ----------
    can_project : bool
        False when the pilot cannot tell the label counts at the production pool (see ``reason``).
    decision_grade : bool
        True when the ROI interval lies wholly on one side of zero (the plan says "pays off" or "does not").
    reason : str
        One sentence: why the pilot cannot tell, or why the ROI is not decision-grade ("" when both are fine).
    more_pilot_labels : int or None
        About how many more labeled pilot rows would make the ROI interval exclude zero (None when it already does,
        or when no estimate can be made: ``reason`` says why).
    pilot_rows : int
        Labeled rows the pilot had (the simulated data: pool and test split).
    production_pool : int
    width_exponent : float
        ``b`` in ROI interval width ~ pilot rows ** -b, as measured by the calibration suite.
    prediction_ratio : float or None
        How the estimate fared in the calibration suite: the predicted width of a larger pilot's own ROI interval
        (before the widening, whose part is a formula) over the width it had (median; None: not measured).
    """

    can_project: bool
    decision_grade: bool
    reason: str
    more_pilot_labels: int | None
    pilot_rows: int
    production_pool: int
    width_exponent: float
    prediction_ratio: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"can_project": self.can_project, "decision_grade": self.decision_grade, "reason": self.reason,
                "more_pilot_labels": self.more_pilot_labels, "pilot_rows": self.pilot_rows,
                "production_pool": self.production_pool, "width_exponent": self.width_exponent,
                "prediction_ratio": self.prediction_ratio, "sentence": self.sentence()}

    def sentence(self) -> str:
        """The pilot's answer in one sentence for the CLI and the pages ("" when there is nothing to say)."""
        if self.can_project and self.decision_grade:
            return ""
        more = ""
        if self.more_pilot_labels is not None:
            more = (f" About {self.more_pilot_labels:,} more labeled pilot rows ({self.pilot_rows:,} now) would "
                    "likely narrow the ROI interval enough to decide, if the median held")
            if self.prediction_ratio is not None and math.isfinite(self.prediction_ratio):
                more += (f" (a rough estimate: on the calibration suite's real datasets, the part of a larger "
                         f"pilot's ROI width it cannot compute, the seeds' own, was predicted a median "
                         f"{self.prediction_ratio:.1f}x the width found)")
            more += "."
        return self.reason + more


def widen_for_fit(low: float, high: float, fit: Any, target: float, *, level: float, first: float,
                  pool: float) -> tuple[float, float]:
    """``[low, high]`` widened to hold the fitted curve's own label interval for ``target`` at ``level``.

    Parameters
    ----------
    low, high : float
        The interval over seeds.
    fit : CurveFit
        The strategy's fitted curve (with the whole-pool point; ``simulations.curves.pool.pool_fits``).
    target : float
        The score to reach (metric units).
    level : float
        The interval's level (the plan's).
    first : float
        The fewest labels any plan has (the initial labeled set).
    pool : float
        The production pool: no end passes it, and an end the curve's band never reaches is the whole pool.

    Returns
    -------
    (float, float)
    """
    if target > 1:
        return low, min(max(high, pool), pool)
    est = fit.labels_for(min(1.0, float(target)), level=level)
    # the optimistic edge: where the band's upper side crosses the target (None: not even it does)
    lo = low if est.low is None else min(low, max(float(est.low), first))
    # the pessimistic edge: where the band's lower side crosses; never within the search range = the whole pool
    hi = pool if est.high is None else max(float(est.high), first)
    return float(min(lo, pool)), float(min(max(high, hi), pool))


def widen_difference(low: float, high: float, *, random_seeds: tuple[float, float], random: tuple[float, float],
                     al_seeds: tuple[float, float], al: tuple[float, float], pool: float) -> tuple[float, float]:
    """The labels-saved interval (random minus AL) widened by the doubt the two label intervals carry beyond the seeds.

    Each label interval was widened past its seeds' interval by its fitted curve's band (:func:`widen_for_fit`):
    that extra width is the projection's doubt, which the seeds' interval of the per-seed differences does not see.
    The saving's low end moves down by the doubts that lower it (random's low side, AL's high side) and its high end
    up by those that raise it; the two strategies' curves are fitted separately, so their doubts add in quadrature
    (independent errors) rather than end to end. Never beyond +-``pool``.

    Parameters
    ----------
    low, high : float
        The interval over seeds of the per-seed label saving.
    random_seeds, random : (float, float)
        Random's labels-to-target interval over seeds, and as widened (the plan's).
    al_seeds, al : (float, float)
        The same for the active-learning strategy.
    pool : float
        The production pool.

    Returns
    -------
    (float, float)
    """
    r_lo, r_hi = max(0.0, random_seeds[0] - random[0]), max(0.0, random[1] - random_seeds[1])
    a_lo, a_hi = max(0.0, al_seeds[0] - al[0]), max(0.0, al[1] - al_seeds[1])
    return (float(max(low - math.hypot(r_lo, a_hi), -pool)), float(min(high + math.hypot(r_hi, a_lo), pool)))


def roi_side_at(k: float, *, side: float, exponent: float, simulated_pool: float, production_pool: float,
                widening: Callable[[float], float] | None) -> float:
    """The distance from the ROI's median to its interval's end, for a pilot ``k`` times as large.

    The plan's own part (``side``, before the calibration's widening) narrows as ``k ** -exponent`` (measured by the
    calibration suite; an exponent below :data:`MIN_EXPONENT` is taken as 0: it does not narrow), and the
    calibration's widening is the one at the larger pilot's projection (``widening(projection)``, additive; None: no
    widening).
    """
    b = float(exponent) if float(exponent) >= MIN_EXPONENT else 0.0
    proj = float(production_pool) / (float(simulated_pool) * float(k))
    return float(side) * float(k) ** -b + (float(widening(proj)) if widening is not None else 0.0)


def more_pilot_rows(*, roi_median: float, roi_low: float, roi_high: float, rows: int, exponent: float,
                    simulated_pool: float, production_pool: float, widening: Callable[[float], float] | None = None,
                    shortest_projection: float = 1.0) -> int | None:
    """About how many more pilot rows would make the ROI interval exclude zero, if its median held.

    Parameters
    ----------
    roi_median : float
    roi_low, roi_high : float
        The plan's ROI interval before the calibration's widening (the seeds' interval).
    rows : int
        The pilot's labeled rows.
    exponent : float
        The plan's own ROI interval narrows as pilot rows ** -exponent (``simulations.trust.MEASURED``).
    simulated_pool, production_pool : float
        The pilot's simulated pool and the production pool (their ratio is the projection).
    widening : callable, optional
        The calibration's additive ROI widening at a projection (``PILOT_WIDENING.roi(level, projection=...)``);
        None when the plan is not widened.
    shortest_projection : float
        The shortest projection the widening was measured at: larger pilots (shorter projections) are not
        considered, since the plan would not widen them (without a widening, a pilot up to the whole production
        pool).

    Returns
    -------
    int or None
        More rows (to two significant figures), or None when the widened interval already excludes zero,
        the median is zero or not finite, or no pilot within reach (:func:`roi_side_at` at every size up to the
        largest considered) would exclude it.
    """
    vals = (roi_median, roi_low, roi_high, exponent)
    if not all(math.isfinite(float(v)) for v in vals) or rows < 1 or not 0 < simulated_pool < production_pool:
        return None
    m = abs(float(roi_median))
    if m == 0:
        return None
    side = max(0.0, (roi_median - roi_low) if roi_median > 0 else (roi_high - roi_median))
    at = dict(side=side, exponent=exponent, simulated_pool=simulated_pool, production_pool=production_pool,
              widening=widening)
    if roi_side_at(1.0, **at) < m:
        return None  # already decided
    k_max = largest_pilot(rows=rows, simulated_pool=simulated_pool, production_pool=production_pool,
                          shortest_projection=shortest_projection if widening else None) / rows
    lo, k = 1.0, 1.0
    while k < k_max:
        lo, k = k, min(k * 1.05, k_max)
        if roi_side_at(k, **at) < m:
            for _ in range(60):  # the crossing lies in (lo, k]: bisect it, so the grid's step does not inflate it
                mid = (lo + k) / 2
                lo, k = (lo, mid) if roi_side_at(mid, **at) < m else (mid, k)
            return _two_figures(rows * (k - 1.0))
    return None


def largest_pilot(*, rows: int, simulated_pool: float, production_pool: float,
                  shortest_projection: float | None) -> float:
    """The largest pilot (rows) :func:`more_pilot_rows` considers: one whose projection is the shortest the
    calibration suite measured (``shortest_projection``; None: the plan is not widened, no such limit), and never
    more rows than the production pool."""
    k = float(production_pool) / float(simulated_pool) / (float(shortest_projection) if shortest_projection else 1.0)
    return min(float(rows) * k, float(production_pool))


def _two_figures(x: float) -> int:
    """``x`` to two significant figures (an estimate, not a count)."""
    step = 10 ** max(0, int(math.log10(max(x, 1.0))) - 1)
    return int(round(x / step) * step)


def assess_pilot(*, pilot_rows: int, production_pool: int, simulated_pool: int, no_signal: bool,
                 target_score: float, ceiling_high: float, labels: dict[str, Any], roi: Any, roi_before: Any = None,
                 pays_off: bool | None, exponent: float, widening: Callable[[float], float] | None = None,
                 shortest_projection: float = 1.0, prediction_ratio: float | None = None) -> PilotAnswer:
    """Whether a pilot can project to the production pool, and what more pilot labels would buy.

    Parameters
    ----------
    pilot_rows, production_pool, simulated_pool : int
        The pilot's labeled rows, the production pool and the pool the pilot simulated.
    no_signal : bool
        The model learns nothing from these features.
    target_score, ceiling_high : float
        The target at the production pool and the upper end of the projected full-data score's interval.
    labels : dict of str to Estimate
        Labels to target per plan (e.g. ``{"random": ..., "margin": ...}``), their intervals already widened.
    roi : Estimate
        The ROI as the plan shows it.
    roi_before : Estimate, optional
        The ROI before the calibration's widening (None: ``roi``, the plan is not widened).
    pays_off : bool or None
        The plan's decision (None: the ROI interval spans zero).
    exponent : float
        The plan's own ROI interval width ~ pilot rows ** -exponent (measured).
    widening, shortest_projection
        The calibration's ROI widening at a projection, and the shortest projection it was measured at
        (:func:`more_pilot_rows`).
    prediction_ratio : float, optional
        The estimate's backtest on the calibration suite (``PilotAnswer.prediction_ratio``).
    """
    reasons = []
    if no_signal:
        reasons.append("The pilot cannot project: its model learns nothing from its rows, so no label count reaches "
                       "the target there; a larger pilot, or a check of the label column and the features, may change "
                       "that.")
    elif target_score > ceiling_high:
        reasons.append(f"The pilot cannot project: the target ({target_score:.1%}) lies above what the whole "
                       f"production pool is expected to score (at most {ceiling_high:.1%}).")
    else:
        open_ = [name.replace("_", " ") for name, e in labels.items() if e.high >= production_pool]
        if open_:
            reasons.append(f"The pilot cannot tell how many labels {' and '.join(open_)} need at the production pool: "
                           "the upper end of the interval is the whole pool (the fitted curve's band does not reach "
                           "the target within it).")
    can = not reasons
    decision = pays_off is not None
    more = None
    spans = not (roi.low > 0 or roi.high < 0)
    if no_signal:
        pass  # its ROI is arithmetic on a model that learns nothing: no size read off it
    elif not decision and not spans:
        # undecided on something else (net savings spanning zero, too few seeds): an ROI-based size would not settle it
        reasons.append("The ROI interval lies on one side of zero, but the plan is undecided for another reason (see "
                       "its money sentence), which no estimate of the pilot size here covers.")
    elif not decision:
        base = roi if roi_before is None else roi_before
        if can:
            reasons.append("The ROI interval spans zero: the pilot cannot yet tell whether active learning pays.")
        if math.isfinite(roi.median) and roi.median == 0:
            reasons.append("The median ROI is zero, so a larger pilot is unlikely to settle it either way.")
        elif not all(math.isfinite(v) for v in (roi.median, base.low, base.high)):
            reasons.append("No estimate of the pilot size that would settle it: the ROI interval is not finite.")
        elif not simulated_pool > 0:
            reasons.append("No estimate of the pilot size that would settle it: the size of the simulated pool is not "
                           "known.")
        elif 0.0 in (base.low, base.high):
            reasons.append("No estimate of the pilot size that would settle it: the interval ends exactly at zero "
                           "(a seed where active learning saved nothing), which a narrower interval need not leave.")
        else:
            more = more_pilot_rows(roi_median=roi.median, roi_low=base.low, roi_high=base.high, rows=pilot_rows,
                                   exponent=exponent, simulated_pool=simulated_pool, production_pool=production_pool,
                                   widening=widening, shortest_projection=shortest_projection)
            if more is None:
                largest = largest_pilot(rows=pilot_rows, simulated_pool=simulated_pool,
                                        production_pool=production_pool,
                                        shortest_projection=shortest_projection if widening else None)
                narrows = ("" if exponent >= MIN_EXPONENT else " (the plan's own ROI interval did not narrow with "
                           "pilot size in the calibration suite)")
                reach = (f"a pilot of about {_two_figures(largest):,} rows (projected {shortest_projection:.1f}x, the "
                         "shortest projection the calibration suite measured)" if widening
                         else "a pilot as large as the production pool")
                reasons.append(f"No pilot size within reach would likely settle it: even {reach} would leave the ROI "
                               f"interval spanning zero, if its median held{narrows}.")
    return PilotAnswer(can_project=can, decision_grade=decision, reason=" ".join(reasons), more_pilot_labels=more,
                       pilot_rows=int(pilot_rows), production_pool=int(production_pool),
                       width_exponent=float(exponent), prediction_ratio=prediction_ratio)
