"""The live-project check: a team's own curve log -> stop now, continue for about N labels, or too early to tell.

When the score is falling the verdict is "stop and investigate" instead.

* :func:`check_live` -> :class:`LiveCheck`: validates the log (:mod:`~simulations.stopping.curve_log`), looks for a
  falling score, a plateau and stable predictions, fits and backtests the curve and applies the marginal rule.
* :func:`detect_decline` -> :class:`Decline`: whether the latest score has fallen clearly below the best one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simulations.curves.fit import CurveFit, fit_curve, fit_family
from simulations.curves.models import LAST1
from simulations.errors import ConfigError
from simulations.stopping.base import History, SeedRange, StoppingCriterion, range_dict
from simulations.stopping.criteria import StabilizingPredictions, ValidationPlateau
from simulations.stopping.curve_log import load_curve_csv, validate_curve
from simulations.stopping.formatting import _cents, _clean, _usd
from simulations.stopping.optimum import MarginalStop, check_costs, hindsight_optimum, marginal_stop, regret

__all__ = [
    "FALL_MIN_DROP",
    "FALL_NOISE_Z",
    "LIVE_ALT_ABS",
    "LIVE_ALT_FACTOR",
    "MIN_LIVE_POINTS",
    "STOP_NOW_MARGIN",
    "Decline",
    "LiveCheck",
    "check_live",
    "detect_decline",
]

#: Fewer logged points than this and the live check says "too early to tell".
MIN_LIVE_POINTS = 4

#: The live check treats a stop within this share of the current labels as "stop now".
STOP_NOW_MARGIN = 0.02

#: Curve families whose backtest MAE is within this factor (+ LIVE_ALT_ABS) of the best give the live range.
LIVE_ALT_FACTOR, LIVE_ALT_ABS = 2.0, 0.005

#: A live curve is "falling" when its latest score is at least this far below its best logged score (2 points)
#: and at least FALL_NOISE_Z times the curve's round-to-round noise; a drop seen in one round only must be
#: twice that (one bad round is more often noise than a trend).
FALL_MIN_DROP, FALL_NOISE_Z = 0.02, 2.0


@dataclass(frozen=True)
class Decline:
    """Evidence that a live curve is falling: its best logged score, and how far below it the latest round is.

    Attributes
    ----------
    peak_labels, peak_metric : float
        The best logged score and the label count where it was logged (the last one, if repeated).
    current_labels, current_metric : float
        The latest round.
    drop : float
        ``peak_metric - current_metric`` (a fraction: 0.05 = 5 points).
    rounds_since_peak : int
        Rounds logged after the peak; every one of them is below it.
    noise : float
        Round-to-round noise of the curve (robust standard deviation from second differences).
    threshold : float
        The drop that counts as falling: ``max(FALL_MIN_DROP, FALL_NOISE_Z * noise)`` (doubled when the drop
        is one round old).
    """

    peak_labels: float
    peak_metric: float
    current_labels: float
    current_metric: float
    drop: float
    rounds_since_peak: int
    noise: float
    threshold: float

    def evidence(self) -> str:
        """The numbers, in one sentence."""
        rounds = f"{self.rounds_since_peak} round{'s' if self.rounds_since_peak != 1 else ''}"
        return (f"the score peaked at {self.peak_metric:.1%} at {self.peak_labels:,.0f} labels and is now "
                f"{self.current_metric:.1%} at {self.current_labels:,.0f} labels ({-self.drop * 100:+.1f} points "
                f"over the {rounds} since, beyond the {self.threshold * 100:.1f}-point allowance for noise on "
                f"this curve)")

    def to_dict(self) -> dict[str, Any]:
        return _clean({"peak_labels": self.peak_labels, "peak_metric": self.peak_metric,
                       "current_labels": self.current_labels, "current_metric": self.current_metric,
                       "drop": self.drop, "rounds_since_peak": self.rounds_since_peak, "noise": self.noise,
                       "threshold": self.threshold})


def _curve_noise(y: np.ndarray) -> float:
    """Robust round-to-round noise of a curve: MAD of its second differences, as a standard deviation.

    Second differences cancel a smooth trend, so what is left is mostly noise (for i.i.d. noise of sd s they
    have sd s * sqrt(6)). 0 with fewer than 3 rounds. A curving schedule inflates it a little: conservative.
    """
    if len(y) < 3:
        return 0.0
    d2 = np.diff(y, n=2)
    mad = float(np.median(np.abs(d2 - np.median(d2))))
    return round(1.4826 * mad / math.sqrt(6.0), 9)  # rounded: float dust on a straight line is no noise


def detect_decline(labels: Any, metric: Any) -> Decline | None:
    """A :class:`Decline` when the latest score has fallen clearly below the best logged one, else None.

    More labels should not lower a validation score; a clear fall points at label noise in recent batches,
    drift in the incoming data, or a changed validation set, none of which more labels fix. "Clearly": the
    drop is at least ``max(FALL_MIN_DROP, FALL_NOISE_Z x noise)`` and has lasted two rounds or more, or is
    twice that in one round.
    """
    x = np.asarray(labels, dtype=float)
    y = np.asarray(metric, dtype=float)
    if len(y) < 2:
        return None
    peak = int(len(y) - 1 - np.argmax(y[::-1]))  # the last occurrence of the best score
    since = len(y) - 1 - peak
    drop = float(y[peak] - y[-1])
    if since == 0:
        return None
    noise = _curve_noise(y)
    threshold = max(FALL_MIN_DROP, FALL_NOISE_Z * noise)
    if since == 1:
        threshold *= 2
    if drop < threshold:
        return None
    return Decline(float(x[peak]), float(y[peak]), float(x[-1]), float(y[-1]), drop, since, noise, threshold)


def _plateau_text(gain: float, window: int) -> str:
    """What the plateau rule saw, in words (a negative gain is not called a gain)."""
    if not math.isfinite(gain):
        return ""
    if gain < 0:
        return f"its last {window} rounds stayed {-gain * 100:.2f} points below its earlier best"
    return f"it gained {gain * 100:.2f} points over the last {window} rounds"


@dataclass
class LiveCheck:
    """The verdict on a live project's curve.

    Attributes
    ----------
    verdict : str
        ``stop_now``, ``continue``, ``too_early`` or ``falling`` (the score is clearly dropping: stop and find
        out why before buying more labels; see :func:`detect_decline`).
    headline : str
        "Stop now.", "Continue for about N more labels.", "Too early to tell." or "Stop and investigate: ..."
    reason : str
        Why, in one or two sentences.
    current_labels, current_metric : float
    more_labels : float or None
        Labels to add before stopping (0 for stop now; None when unknown).
    stop_at : SeedRange or None
        The label count to stop at (median = the chosen model's answer; low/high over the curve families that
        did nearly as well in the backtest).
    projected_metric : float or None
        The fitted metric at ``stop_at.median``.
    plateau : bool or None
        Whether the validation-plateau rule fires on the latest round (None when too short).
    kappa_stable : bool or None
        Whether stabilizing predictions fires on the logged kappa (None without a kappa column).
    fit : CurveFit or None
    criteria : list of dict
        Each rule on the team's own curve: where it first fired and its regret against the cheapest logged point.
    notes : list of str
    decline : Decline or None
        The evidence when the verdict is ``falling``.
    observed_labels, observed_metric : list of float
        The validated log (metric as fractions), for drawing it.
    """

    verdict: str
    headline: str
    reason: str
    current_labels: float
    current_metric: float
    more_labels: float | None
    stop_at: SeedRange | None
    projected_metric: float | None
    plateau: bool | None
    kappa_stable: bool | None
    fit: CurveFit | None
    criteria: list[dict[str, Any]]
    notes: list[str]
    decline: Decline | None = None
    observed_labels: list[float] = field(default_factory=list)
    observed_metric: list[float] = field(default_factory=list)

    @property
    def fit_trusted(self) -> bool:
        """True when a curve model beat holding the last value flat: only then is anything projected."""
        return self.fit is not None and self.fit.model != LAST1

    def to_dict(self) -> dict[str, Any]:
        return _clean({
            "verdict": self.verdict,
            "fit_trusted": self.fit_trusted,
            "decline": None if self.decline is None else self.decline.to_dict(),
            "headline": self.headline,
            "reason": self.reason,
            "current_labels": self.current_labels,
            "current_metric": self.current_metric,
            "more_labels": self.more_labels,
            "recommended_labels": range_dict(self.stop_at),
            "projected_metric": self.projected_metric,
            "plateau": self.plateau,
            "kappa_stable": self.kappa_stable,
            "curve": None if self.fit is None else self.fit.to_dict(),
            "criteria": self.criteria,
            "notes": self.notes,
            "range_method": "low/high: the stopping point under each curve family whose backtest error was "
                            f"within {LIVE_ALT_FACTOR:g}x the best",
        })

    def text(self) -> str:
        lines = [f"{self.headline} {self.reason}"]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)


def _live_criteria(h: History, c: float, v: float, plateau_rule: ValidationPlateau,
                   ms: MarginalStop | None) -> list[dict[str, Any]]:
    x, y = h["labels"], h["metric"]
    costs = c * x - v * 100.0 * y
    opt = int(hindsight_optimum(x, y, c, v).index)
    rules: list[StoppingCriterion] = [plateau_rule]
    if "kappa" in h:
        rules.append(StabilizingPredictions())
    out = []
    for rule in rules:
        i = rule.first_stop(h)
        fired = i is not None
        d, p = regret(costs[i], costs[opt]) if fired else (None, None)
        lab = None if not fired else {"median": float(x[i]), "low": float(x[i]), "high": float(x[i]), "n": 1}
        out.append({"name": rule.name, "title": rule.title, "rule": rule.rule(), "threshold": rule.threshold,
                    "needs_labels": rule.needs_labels, "fired_share": 1.0 if fired else 0.0, "labels": lab,
                    "regret": {"dollars": d, "percent": p},
                    "regret_basis": "against the cheapest logged point of this curve"})
    if ms is not None:  # only with a trusted fit: a flat last1 "fit" projects nothing
        lab = None if ms.labels is None else {"median": ms.labels, "low": ms.labels, "high": ms.labels, "n": 1}
        out.append({"name": "marginal_rule", "title": "Marginal rule on the fitted curve",
                    "rule": "stop when value_per_point x 100 x d metric / d labels < cost_per_label",
                    "threshold": c, "needs_labels": True, "fired_share": None, "projected": True,
                    "labels": lab, "regret": {"dollars": None, "percent": None},
                    "regret_basis": "a projection: no regret until the labels are spent"})
    return out


def check_live(
    curve: pd.DataFrame | str | Path,
    cost_per_label: float,
    value_per_point: float,
    *,
    plateau: ValidationPlateau | None = None,
) -> LiveCheck:
    """Look at a live project's curve log and say stop now / continue for about N labels / too early to tell.

    Steps: validate the log; if the score is clearly falling (:func:`detect_decline`) the verdict is **falling**:
    stop and investigate, with the evidence (a fall is not a plateau, and more labels do not fix its usual causes).
    With fewer than ``MIN_LIVE_POINTS`` rounds it is too early. Otherwise detect a
    plateau (:class:`ValidationPlateau`; stabilizing predictions too when kappa is logged), fit and backtest the
    curve (:func:`simulations.curves.fit.fit_curve`) and apply the marginal rule from the current label count:

    * the next label is worth less than it costs -> **stop now**;
    * the projected gain up to the marginal stop clears the projection's 80% uncertainty (z = 1.28 times the
      extrapolation error at that distance) -> **continue** for about N more labels;
    * the projected gain is within that uncertainty, or no curve model beat the flat baseline in the
      backtest and the curve has not plateaued -> **too early to tell**.
    """
    try:
        c, v = check_costs(cost_per_label, value_per_point)
        cost_error: ConfigError | None = None
    except ConfigError as exc:  # a falling score needs no costs to be reported; everything else does
        c = v = math.nan
        cost_error = exc
    if isinstance(curve, (str, Path)):
        df, notes = load_curve_csv(curve)
    else:
        df, notes = validate_curve(curve)
    h: dict[str, np.ndarray] = {"labels": df["labels"].to_numpy(float), "metric": df["metric"].to_numpy(float)}
    if "kappa" in df.columns:
        h["kappa"] = df["kappa"].to_numpy(float)
    now, y_now = float(h["labels"][-1]), float(h["metric"][-1])
    observed = ([float(x) for x in h["labels"]], [float(y) for y in h["metric"]])
    rule = plateau or ValidationPlateau()
    n = len(h["labels"])
    kappa_stable = StabilizingPredictions().stop(h) if "kappa" in h else None
    decline = detect_decline(h["labels"], h["metric"])
    if decline is not None:
        # A falling score is not a plateau and no learning curve describes it: no fit, no projection.
        return LiveCheck("falling", "Stop and investigate: the score is falling.",
                         f"More labels should not lower a validation score, but {decline.evidence()}. Common causes: "
                         f"noisy or inconsistent labels in the recent batches, drift in the incoming data, or a "
                         f"changed validation set. Pause labeling, check those, and re-check once the score is "
                         f"back on its curve.", now, y_now, 0.0, None, None, False, kappa_stable, None,
                         [] if cost_error else _live_criteria(h, c, v, rule, None), notes, decline, *observed)
    if cost_error is not None:
        raise cost_error
    if n < MIN_LIVE_POINTS:
        return LiveCheck("too_early", "Too early to tell.",
                         f"Only {n} round{'s' if n != 1 else ''} logged; at least {MIN_LIVE_POINTS} are needed to see "
                         f"a trend. Log the validation score after each labeling round and check again.",
                         now, y_now, None, None, None, None, None, None,
                         _live_criteria(h, c, v, rule, None), notes, None, *observed)
    plateau_now = rule.stop(h)
    gain_recent = rule.gain(h)
    fit = fit_curve(h["labels"], h["metric"])
    ms = marginal_stop(fit, c, v, start=now)
    # No curve model beat holding the last value flat: nothing is projected, so no fitted-curve rule is reported.
    crit = _live_criteria(h, c, v, rule, ms if fit.model != LAST1 else None)
    per_label = ms.value_per_label_at_start
    plateau_txt = _plateau_text(gain_recent, rule.window)
    kappa_txt = "" if kappa_stable is None else (
        " Predictions have stabilized (kappa)." if kappa_stable else " Predictions are still changing (kappa).")

    def result(verdict: str, headline: str, reason: str, more: float | None, stop_at: SeedRange | None,
               projected: float | None) -> LiveCheck:
        return LiveCheck(verdict, headline, reason + kappa_txt, now, y_now, more, stop_at, projected,
                         plateau_now, kappa_stable, fit, crit, notes, None, *observed)

    if fit.model == LAST1:
        if plateau_now:
            return result("stop_now", "Stop now.",
                          f"Your curve has stopped improving ({plateau_txt}) and no curve model projects further "
                          "gains.",
                          0.0, SeedRange(now, now, now, 1), y_now)
        return result("too_early", "Too early to tell.",
                      "The curve is too irregular to project (no curve model beat holding the last value flat "
                      f"in the backtest) and it has not plateaued ({plateau_txt}). Log a few more rounds.",
                      None, None, None)
    if ms.labels is None:
        return result("continue", "Continue labeling.",
                      f"The fitted curve ({fit.model}) keeps rising: each label is still worth about "
                      f"{_cents(per_label)} against a cost of {_cents(c)}, and the projection does not level off "
                      f"within {1000 * now:,.0f} labels. Re-check after the next rounds.", None, None, None)
    stop_at = ms.labels
    if stop_at <= now * (1 + STOP_NOW_MARGIN) or stop_at - now < 1:
        if per_label > 0:
            why = (f"The next label is projected to add about {_cents(per_label)} of value, less than "
                   f"its cost of {_cents(c)}")
        else:  # a fitted curve that no longer rises: the next label adds nothing
            why = (f"The fitted curve ({fit.model}) no longer rises at {now:,.0f} labels, so the next label adds no "
                   f"value against its cost of {_cents(c)}")
        why += f"; the curve has stopped improving ({plateau_txt})." if plateau_now else "."
        return result("stop_now", "Stop now.", why, 0.0, SeedRange(now, now, now, 1), y_now)
    more = stop_at - now
    low, high = _live_range(fit, h, c, v, now, stop_at)
    projected = float(fit.predict(stop_at)[0])
    gain = projected - float(fit.predict(now)[0])
    z = float(stats.norm.ppf(0.9))
    uncertainty = z * fit.extrapolation_rate * math.log(stop_at / now)
    net = v * 100 * gain - c * more
    more_r = _round_labels(more)
    base = (f"The fitted curve ({fit.model}) projects {gain * 100:+.1f} points (±{uncertainty * 100:.1f}) by "
            f"{stop_at:,.0f} labels, worth {_usd(v * 100 * gain)} against {_usd(c * more)} of labeling "
            f"(net {_usd(net)}); beyond that a label costs more than it adds.")
    if gain <= uncertainty:
        flat = f" Your curve has also stopped improving ({plateau_txt})." if plateau_now else ""
        return result("too_early", "Too early to tell.",
                      f"{base}{flat} That gain is within the projection's uncertainty: label one more batch and "
                      f"check again.", None, None, None)
    return result("continue", f"Continue for about {more_r:,.0f} more labels.", base, more,
                  SeedRange(stop_at, min(low, stop_at), max(high, stop_at), 1), projected)


def _round_labels(n: float) -> float:
    """Round a label count to 2 significant digits (at least to whole labels)."""
    if n < 10:
        return float(max(1, round(n)))
    digits = math.floor(math.log10(n)) - 1
    return float(round(n, -digits))


def _live_range(fit: CurveFit, h: History, c: float, v: float, now: float, stop_at: float) -> tuple[float, float]:
    """Min and max marginal stop over the curve families that backtested nearly as well as the chosen one."""
    maes = {m: e for m, e in fit.backtest_mae.items() if m != LAST1 and math.isfinite(e)}
    if not maes:
        return stop_at, stop_at
    best = min(maes.values())
    found = [stop_at]
    for m, e in maes.items():
        if m == fit.model or e > LIVE_ALT_FACTOR * best + LIVE_ALT_ABS:
            continue
        alt = fit_family(m, h["labels"], h["metric"])
        if alt is None:
            continue
        ms = marginal_stop(alt, c, v, start=now)
        if ms.labels is not None:
            found.append(ms.labels)
    return float(min(found)), float(max(found))
