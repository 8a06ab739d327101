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
  enough to exclude zero, from the measured shrinkage of the ROI interval with pilot size (``width ~ rows ** -b``,
  ``simulations.trust.MEASURED.roi_width_exponent``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["PilotAnswer", "assess_pilot", "more_pilot_rows", "widen_difference", "widen_for_fit"]

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
    """

    can_project: bool
    decision_grade: bool
    reason: str
    more_pilot_labels: int | None
    pilot_rows: int
    production_pool: int
    width_exponent: float

    def to_dict(self) -> dict[str, Any]:
        return {"can_project": self.can_project, "decision_grade": self.decision_grade, "reason": self.reason,
                "more_pilot_labels": self.more_pilot_labels, "pilot_rows": self.pilot_rows,
                "production_pool": self.production_pool, "width_exponent": self.width_exponent,
                "sentence": self.sentence()}

    def sentence(self) -> str:
        """The pilot's answer in one sentence for the CLI and the pages ("" when there is nothing to say)."""
        if self.can_project and self.decision_grade:
            return ""
        more = ""
        if self.more_pilot_labels is not None:
            more = (f" About {self.more_pilot_labels:,} more labeled pilot rows ({self.pilot_rows:,} now) would "
                    "likely narrow the ROI interval enough to decide, if the median held.")
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


def more_pilot_rows(roi_median: float, roi_low: float, roi_high: float, rows: int, *,
                    exponent: float) -> int | None:
    """More pilot rows for the ROI interval to exclude zero, if it narrows as ``rows ** -exponent`` about its median.

    The side of the interval that crosses zero must shrink by ``|median| / (distance from the median to that
    end)``; with width ~ rows ** -b that takes ``rows * (distance / |median|) ** (1 / b)`` rows. None when the
    interval already excludes zero, the median is zero (no pilot size would settle it), or ``exponent`` is below
    :data:`MIN_EXPONENT`.
    """
    vals = (roi_median, roi_low, roi_high)
    if not all(math.isfinite(v) for v in vals) or exponent < MIN_EXPONENT or rows < 1:
        return None
    if roi_low > 0 or roi_high < 0 or roi_median == 0:
        return None
    side = (roi_median - roi_low) if roi_median > 0 else (roi_high - roi_median)
    needed = rows * (side / abs(roi_median)) ** (1.0 / exponent)
    more = needed - rows
    if not math.isfinite(more) or more <= 0:
        return None
    step = 10 ** max(0, int(math.log10(more)) - 1)  # two significant figures: an estimate, not a count
    return int(math.ceil(more / step) * step)


def assess_pilot(*, pilot_rows: int, production_pool: int, no_signal: bool, target_score: float,
                 ceiling_high: float, labels: dict[str, Any], roi: Any, pays_off: bool | None,
                 exponent: float) -> PilotAnswer:
    """Whether a pilot can project to the production pool, and what more pilot labels would buy.

    Parameters
    ----------
    pilot_rows, production_pool : int
    no_signal : bool
        The model learns nothing from these features.
    target_score, ceiling_high : float
        The target at the production pool and the upper end of the projected full-data score's interval.
    labels : dict of str to Estimate
        Labels to target per plan (e.g. ``{"random": ..., "margin": ...}``), their intervals already widened.
    roi : Estimate
    pays_off : bool or None
        The plan's decision (None: the ROI interval spans zero).
    exponent : float
        ROI interval width ~ pilot rows ** -exponent (measured).
    """
    reasons = []
    if no_signal:
        reasons.append("The pilot cannot project: the model learns nothing from these features, so no label count "
                       "reaches the target.")
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
    if not decision:
        more = more_pilot_rows(roi.median, roi.low, roi.high, pilot_rows, exponent=exponent)
        if can:
            reasons.append("The ROI interval spans zero: the pilot cannot yet tell whether active learning pays.")
        if more is None:
            if not exponent >= MIN_EXPONENT:
                reasons.append("No estimate of the pilot size that would settle it: the ROI interval did not narrow "
                               "with pilot size in the calibration suite.")
            elif math.isfinite(roi.median) and roi.median == 0:
                reasons.append("The median ROI is zero, so a larger pilot is unlikely to settle it either way.")
            elif 0.0 in (roi.low, roi.high):
                reasons.append("No estimate of the pilot size that would settle it: the interval ends exactly at zero "
                               "(a seed where active learning saved nothing), which a narrower interval need not "
                               "leave.")
            else:
                reasons.append("No estimate of the pilot size that would settle it: the ROI interval is not finite.")
    return PilotAnswer(can_project=can, decision_grade=decision, reason=" ".join(reasons), more_pilot_labels=more,
                       pilot_rows=int(pilot_rows), production_pool=int(production_pool),
                       width_exponent=float(exponent))
