"""The savings ledger: labels (and money) saved so far against random sampling, with an interval.

Method
------
Each batch holds a **control arm**: rows drawn uniformly at random from the rows still unlabeled. The initial
labels plus the first *k* control rows are therefore what random sampling would have bought with ``n_initial + k``
labels, so models trained on them trace **random sampling's learning curve** at a few sizes up to the control arm's
(:mod:`simulations.project.scoring`, scored on the validation file or on held-out control folds). The project's own
model (every label bought: initial, the strategy's picks and the control rows) is scored on the same rows.

1. Random sampling's curve, from the control points, in one of two ways:

   * **anchored on the plan** (the project was started with ``--results``): the plan's simulated random curve
     (the median over seeds, interpolated in log labels; beyond the labels simulated, extended by a straight line
     in log labels fitted to its last points) shifted up or down to fit the control points (the mean
     difference). The control arm only has to tell *where* random's curve lies, the plan tells its *shape*;
   * **control only** (no plan): ``score = a + b ln(labels)`` fitted to the control points (least squares). The
     points span only the initial labels to the control arm's size, so the slope is poorly known at small control
     shares, and the answer is often "random's curve does not reach the score within the file" (capped).

2. Random sampling would need ``R`` labels to reach the project model's current score: the first label count where
   that curve reaches it, at most every row of the file (and at least the initial labels).
3. **Labels saved** = ``R - labels used``; **money saved** = labels saved x cost per label.
4. The interval: a paired bootstrap over the evaluation rows (the held-out control rows, or the validation rows):
   each of ``n_boot`` resamples rescores the stored predictions of both the project's model and every curve point,
   with random's curve from one of the ``CURVE_ORDERS`` orders of the control rows (drawn per resample), then steps
   1-3; the 2.5th/97.5th percentiles are the interval, and the estimate (``median`` in the JSON) is steps 1-3 on
   all the evaluation rows with the plan's median curve (the interval widened to hold it). With a plan that kept
   its simulated seeds' random curves (``random_seeds``), each resample also draws

   * **the shape** from one simulated seed's random curve (seed *j*) instead of the median curve: the plan's
     shape is an estimate too (from another sample, a few seeds), and its seed-to-seed spread, above all in the
     flat part of the curve where a small difference in score is a large difference in labels, is what that
     estimate can be off by;
   * **the control arm's sampling noise**: the control points are one draw of random sampling (which rows it
     happened to buy; the orders above reshuffle the same rows, so they cannot carry this), so the level they
     give is moved by another seed's (*k*) deviation from the median curve at the control points' label counts,
     ``mean(seed_k(x) - median(x))``, the spread a fresh random sample of that size would show.

   Both come from the plan's seed spread, which also holds its test-split noise: if anything, wider than needed.

What it does and does not cover: evaluation noise (which rows are scored on), which control rows random trained on
and the uncertainty of the plan's curve shape (the last two only with a plan's per-seed curves; a plan saved before
they were kept, or no plan, leaves them out and the interval is too narrow). ``benchmarks/ledger.py`` measures the
interval's coverage of the truth from hidden labels and its width at control shares 0.05, 0.1 and 0.2
(docs/live-project.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulations.project.scoring import ArmPredictions, score

__all__ = ["LEDGER_METHOD", "MIN_CONTROL_ROWS", "N_BOOT", "Ledger", "RandomPrior", "estimate_ledger",
           "labels_random_needs", "random_prior"]

#: Bootstrap resamples of the evaluation rows.
N_BOOT = 300
#: Fewer control rows (without a validation file) and the ledger says it cannot tell yet.
MIN_CONTROL_ROWS = 4
#: The evaluation rows must hold at least this many rows of each of two classes.
MIN_CLASS_EVAL_ROWS = 2

LEDGER_METHOD = (
    "control arm: each batch's control rows are a uniform random sample of the unlabeled rows, so the initial labels "
    "plus the first k control rows trace random sampling's learning curve; {curve}; it is read at the project model's "
    "current score to get the labels random sampling would need; labels saved = that minus the labels used (capped "
    "at every row of the file); money saved = labels saved x cost per label; 95% interval from a paired bootstrap "
    "over the evaluation rows ({basis}), each resample with random's curve traced in one of several random orders "
    "of the control rows{seeds}."
)
SEED_WORDS = ("; with the plan's per-seed random curves, each resample also takes its shape from one simulated seed "
              "and moves its level by another seed's deviation at the control points (the control arm's sampling "
              "noise)")
CURVE_WORDS = {
    "plan": "the plan's simulated random curve, shifted to fit the control points, gives the shape",
    "log_linear": "score = a + b ln(labels) is fitted to the control points (no plan: its slope is poorly known at "
                  "small control shares)",
}


@dataclass(frozen=True)
class RandomPrior:
    """The plan's simulated random curve (median over seeds), extended beyond the labels simulated.

    Attributes
    ----------
    labels, scores : ndarray
        The simulated points, labels increasing.
    tail_slope : float
        Score per unit of ln(labels) beyond the last simulated point: a line fitted to the last third (in log
        labels) of the curve, never negative.
    seeds : tuple of RandomPrior
        The simulated seeds' own random curves (same construction), drawn per bootstrap resample by the ledger.
    """

    labels: np.ndarray
    scores: np.ndarray
    tail_slope: float
    #: Every simulated seed's random curve, each a RandomPrior of its own (empty for a plan saved without them).
    seeds: tuple[RandomPrior, ...] = ()

    def __call__(self, n: Any) -> np.ndarray:
        n = np.maximum(np.asarray(n, dtype=float), 1.0)
        lx = np.log(self.labels)
        y = np.interp(np.log(n), lx, self.scores)
        beyond = np.log(n) > lx[-1]
        return np.where(beyond, self.scores[-1] + self.tail_slope * (np.log(n) - lx[-1]), y)


def random_prior(curve: dict[str, Any] | None) -> RandomPrior | None:
    """The plan's random curve from a project's stored expected curve (None without one)."""
    if not curve or not curve.get("random_labels"):
        return None
    x = np.asarray(curve["random_labels"], dtype=float)
    if len(x) < 2:
        return None
    seeds = tuple(_curve(x, np.asarray(row, dtype=float)) for row in curve.get("random_seeds") or ()
                  if len(row) == len(x) and np.all(np.isfinite(row)))
    median = _curve(x, np.asarray(curve["random_median"], dtype=float))
    return RandomPrior(median.labels, median.scores, median.tail_slope, seeds if len(seeds) >= 2 else ())


def _curve(x: np.ndarray, scores: np.ndarray) -> RandomPrior:
    y = np.maximum.accumulate(scores)  # a curve that never falls
    lx = np.log(x)
    tail = lx >= lx[-1] - (lx[-1] - lx[0]) / 3
    slope = float(np.polyfit(lx[tail], y[tail], 1)[0]) if tail.sum() >= 2 else 0.0
    return RandomPrior(x, y, max(slope, 0.0))


def labels_random_needs(curve_labels: np.ndarray, curve_scores: np.ndarray, target: float, *, low: float,
                        cap: float) -> tuple[float, bool]:
    """Labels random sampling needs to reach ``target`` on the log-linear fit of its curve, and whether capped.

    Parameters
    ----------
    curve_labels, curve_scores : ndarray, shape (n_points,)
    target : float
    low, cap : float
        The answer is clipped to ``[low, cap]``; ``capped`` is True when the fit does not reach ``target`` by
        ``cap`` (or does not rise).
    """
    x = np.log(np.asarray(curve_labels, dtype=float))
    y = np.asarray(curve_scores, dtype=float)
    if len(np.unique(x)) < 2:
        return cap, True
    b, a = np.polyfit(x, y, 1)
    if not b > 1e-9:
        return (low, False) if target <= a + b * math.log(max(low, 1.0)) else (cap, True)
    r = math.exp(min((target - a) / b, 700.0))
    if r >= cap:
        return cap, True
    return max(r, low), False


@dataclass
class Ledger:
    """Labels and money saved so far against random sampling (see the module docstring).

    Attributes
    ----------
    available : bool
        False until there are enough control rows (or a validation file and at least two curve points).
    reason : str
        Why not, when not available, in words.
    why : str
        The same as a code (empty when available): ``few_control_rows``, ``one_class``, ``perfect_on_control``,
        ``single_curve_point``, ``curve_never_reaches`` (no plan: random's curve fitted to the control points does
        not reach the model's score within the file in most resamples, so the number would be the cap).
    what_would_help : str
        What would give a number (more control rows, about how many; a validation file; a plan).
    labels_used : int
    labels_saved, random_labels_needed : dict
        ``median``, ``low``, ``high`` (95%).
    money_saved : dict or None
        The same in dollars (None without a cost per label).
    current_score, random_score_at_used : float or None
        The project's model, and random sampling's fitted curve at the labels used.
    capped_share : float
        Share of bootstrap resamples where random's fitted curve does not reach the score by every row of the file.
    method : str
    n_control, n_eval : int
    basis : str
    """

    available: bool
    reason: str = ""
    why: str = ""
    what_would_help: str = ""
    labels_used: int = 0
    labels_saved: dict[str, float | None] = field(default_factory=dict)
    random_labels_needed: dict[str, float | None] = field(default_factory=dict)
    money_saved: dict[str, float | None] | None = None
    current_score: float | None = None
    random_score_at_used: float | None = None
    capped_share: float = 0.0
    method: str = ""
    n_control: int = 0
    n_eval: int = 0
    basis: str = ""
    curve_labels: list[float] = field(default_factory=list)
    curve_scores: list[float] = field(default_factory=list)
    curve_source: str = ""

    def to_dict(self) -> dict[str, Any]:
        none = {"median": None, "low": None, "high": None}
        return {
            "available": self.available, "reason": self.reason or None, "why": self.why or None,
            "what_would_help": self.what_would_help or None, "labels_used": self.labels_used,
            "labels_saved": self.labels_saved or none, "money_saved": self.money_saved or none,
            "random_labels_needed": self.random_labels_needed or none, "current_score": self.current_score,
            "random_score_at_used": self.random_score_at_used, "capped_share": self.capped_share,
            "method": self.method, "n_control": self.n_control, "n_eval": self.n_eval, "basis": self.basis,
            "random_curve": {"labels": self.curve_labels, "scores": self.curve_scores, "shape": self.curve_source},
        }

    def sentence(self, cost_per_label: float | None = None) -> str:
        """One line for the CLI and the page."""
        if not self.available:
            text = f"Savings ledger: not yet ({self.reason})."
            return text + (f" What would give one: {self.what_would_help}." if self.what_would_help else "")
        s = self.labels_saved
        text = (f"Savings ledger: about {s['median']:,.0f} labels saved against random sampling so far "
                f"(95% interval {s['low']:,.0f} to {s['high']:,.0f}; {self.labels_used:,} labels used, random would "
                f"need about {self.random_labels_needed['median']:,.0f})")
        if self.money_saved is not None:
            m = self.money_saved
            text += f", ${m['median']:,.0f} (${m['low']:,.0f} to ${m['high']:,.0f})"
        text += f"; from {self.n_control} control rows, scored on {self.n_eval} {_basis_words(self.basis)}."
        if self.capped_share > 0.2:
            text += (f" In {self.capped_share:.0%} of resamples random's fitted curve does not reach the current score "
                     "within the whole file: the high end is capped there.")
        return text


def _basis_words(basis: str) -> str:
    return {"validation": "validation rows", "control_cv": "held-out control rows"}.get(basis, "rows")


def _summary(estimate: float, values: np.ndarray) -> dict[str, float]:
    """The estimate on the full sample (key ``median``, the JSON's name) and the resamples' 95% percentile interval.

    The plug-in estimate, not the resamples' median: with a plan's per-seed curves the resamples read single
    seeds' curves (running maxima of noisy curves, skewed), so their median depends on the seed draws; the figure
    should not. The interval keeps their spread and always holds the estimate.
    """
    low, high = float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))
    return {"median": float(estimate), "low": min(low, float(estimate)), "high": max(high, float(estimate))}


def estimate_ledger(preds: ArmPredictions, metric: str, *, pool_rows: int, cost_per_label: float | None = None,
                    n_boot: int = N_BOOT, seed: int = 0, random_prior: RandomPrior | None = None) -> Ledger:
    """The savings ledger from the held-out predictions of :func:`~simulations.project.scoring.arm_predictions`.

    Parameters
    ----------
    preds : ArmPredictions
    metric : str
    pool_rows : int
        Every row of the file: random sampling cannot need more labels than that.
    cost_per_label : float, optional
    n_boot : int
    seed : int
    random_prior : RandomPrior, optional
        The plan's random curve (:func:`random_prior`): its shape, shifted to the control points, is random's
        curve; without it, a log-linear fit to the control points.
    """
    prior = random_prior
    seeds = prior.seeds if prior is not None else ()
    method = LEDGER_METHOD.format(basis=_basis_words(preds.basis), curve=CURVE_WORDS["log_linear" if prior is None
                                                                                      else "plan"],
                                  seeds=SEED_WORDS if seeds else "")
    base = {"labels_used": preds.labels_used, "method": method, "n_control": preds.n_control,
            "n_eval": len(preds.y_true), "basis": preds.basis}
    missing = _not_yet(preds, has_plan=prior is not None)
    if missing is not None:
        return Ledger(False, missing[1], why=missing[0], what_would_help=missing[2], **base)
    x = np.asarray(preds.curve_labels, dtype=float)
    classes = preds.classes
    n = len(preds.y_true)
    rng = np.random.default_rng([int(seed), 104729])
    curves = np.asarray(preds.curve_pred)
    if curves.ndim == 2:  # one order of the control rows
        curves = curves[None]
    draws = [np.arange(n)] + [rng.integers(0, n, n) for _ in range(n_boot)]
    orders = [None] + [int(o) for o in rng.integers(0, len(curves), n_boot)]
    # per resample: the seed whose curve gives the shape (j), and the seed whose deviation at the control points
    # stands for the control arm's sampling noise (k); None on the full sample (the median curve, as drawn)
    picks: list[tuple[int, int] | None] = [None] * (n_boot + 1)
    if seeds:
        picks[1:] = [(int(j), int(k)) for j, k in rng.integers(0, len(seeds), (n_boot, 2))]
    low = float(preds.n_initial) if preds.n_initial else 1.0
    needed, al_scores, capped = [], [], []
    curve_point = None
    for idx, o, pick in zip(draws, orders, picks, strict=True):
        yt = preds.y_true[idx]
        s_al = score(yt, preds.pred_al[idx], classes, metric)
        if o is None:  # the full sample: random's curve averaged over the orders of the control rows
            ys = np.mean([[score(yt, p[idx], classes, metric) for p in c] for c in curves], axis=0)
        else:  # a resample: the rows and one order (which control rows random trained on)
            ys = np.array([score(yt, p[idx], classes, metric) for p in curves[o]])
        if prior is None:
            r, c = labels_random_needs(x, ys, s_al, low=low, cap=float(pool_rows))
        elif pick is None:
            r, c = _labels_on_prior(prior, x, ys, s_al, low=low, cap=float(pool_rows))
        else:
            j, k = pick
            noise = float(np.mean(seeds[k](x) - prior(x)))
            r, c = _labels_on_prior(seeds[j], x, ys - noise, s_al, low=low, cap=float(pool_rows))
        if curve_point is None:  # the full sample: the curve as drawn
            curve_point = ys
        needed.append(r)
        al_scores.append(s_al)
        capped.append(c)
    needed_b = np.array(needed[1:])
    saved_b = needed_b - preds.labels_used
    capped_share = float(np.mean(capped[1:]))
    if prior is None and capped_share >= 0.5:
        # the median would be the cap itself: a number that only says "the fit is too flat to tell"
        return Ledger(False, f"random sampling's curve fitted to the control points ({x.min():,.0f} to {x.max():,.0f} "
                             f"labels) does not reach the model's score within the file's {pool_rows:,} rows in "
                             f"{capped_share:.0%} of resamples: so few labels cannot tell its slope",
                      why="curve_never_reaches",
                      what_would_help=f"a plan (--results FILE at project init, the results of 'labelwise simulate' "
                                      f"on a labeled sample: its simulated random curve gives the shape beyond "
                                      f"{x.max():,.0f} labels), or a validation file (--validation at init) and more "
                                      "control rows, which steady both ends of the fit",
                      capped_share=capped_share, **base)
    if prior is None:
        bx, ax = np.polyfit(np.log(x), curve_point, 1)
        at_used = float(ax + bx * math.log(max(preds.labels_used, 1)))
    else:
        at_used = float(prior(preds.labels_used) + np.mean(curve_point - prior(x)))
    ledger = Ledger(True, "", labels_saved=_summary(needed[0] - preds.labels_used, saved_b),
                    random_labels_needed=_summary(needed[0], needed_b),
                    current_score=float(al_scores[0]),
                    random_score_at_used=at_used, curve_source="control only" if prior is None else "plan",
                    capped_share=capped_share, curve_labels=[float(v) for v in x],
                    curve_scores=[float(v) for v in curve_point], **base)
    if cost_per_label:
        ledger.money_saved = {k: v * float(cost_per_label) for k, v in ledger.labels_saved.items()}
    return ledger


def _not_yet(preds: ArmPredictions, *, has_plan: bool) -> tuple[str, str, str] | None:
    """Why the ledger cannot give a number yet, and what would give one: ``(why, reason, what_would_help)``."""
    validation = "a validation file (--validation at init: labeled rows the labelers never see)"
    n_eval = len(preds.y_true)
    if preds.basis == "none" or (preds.basis == "control_cv" and preds.n_control < MIN_CONTROL_ROWS):
        more = MIN_CONTROL_ROWS - preds.n_control
        return ("few_control_rows",
                f"{preds.n_control} control row(s) so far; the ledger needs at least {MIN_CONTROL_ROWS} without a "
                "validation file",
                f"{more} more control row(s) (a batch with --control-share of at least {more} / batch size), or "
                f"{validation}")
    counts = pd.Series(preds.y_true).value_counts()
    if len(counts) < 2 or counts.min() < MIN_CLASS_EVAL_ROWS:
        rare = int(counts.iloc[1]) if len(counts) >= 2 else 0
        # rows needed for MIN_CLASS_EVAL_ROWS of the rarer class at the rate seen so far (half a row if unseen)
        need = math.ceil(MIN_CLASS_EVAL_ROWS * n_eval / max(rare, 0.5))
        where = ("validation rows" if preds.basis == "validation" else "held-out control rows")
        help_ = (f"a validation file with at least {MIN_CLASS_EVAL_ROWS} rows of each of two classes"
                 if preds.basis == "validation" else
                 f"about {max(need - n_eval, 1):,} more control rows (at the rarer class's rate so far), or "
                 f"{validation}")
        return ("one_class",
                f"the {n_eval} {where} hold {', '.join(f'{v} {k}' for k, v in counts.items())}: at least "
                f"{MIN_CLASS_EVAL_ROWS} of each of two classes are needed to compare scores", help_)
    if preds.basis == "control_cv" and np.all(preds.pred_al == preds.y_true):
        # A perfect score on a few rows is a ceiling, not a measurement: how far above random's curve the model
        # is cannot be read off it (every resample would say "exactly here"), so no number rather than a false one.
        return ("perfect_on_control",
                f"the model is right on all {n_eval} held-out control rows (0 errors in {n_eval} rows only says the "
                f"error rate is below about {3 / n_eval:.0%}), so these rows cannot tell how far ahead of random "
                "sampling it is",
                f"{validation}, a few hundred rows for an error rate of a few percent; or about {n_eval:,} more "
                "control rows (a larger --control-share), enough to see the model's first errors if its error rate "
                f"is near {1.5 / n_eval:.0%}")
    if len(np.unique(np.asarray(preds.curve_labels, dtype=float))) < 2:
        return ("single_curve_point", "random sampling's curve has a single point so far (no control rows yet)",
                "control rows from a later round (--control-share above 0)")
    return None


def _labels_on_prior(prior: RandomPrior, x: np.ndarray, ys: np.ndarray, target: float, *, low: float,
                     cap: float) -> tuple[float, bool]:
    """Labels where the plan's random curve, shifted to the control points ``(x, ys)``, first reaches ``target``."""
    shift = float(np.mean(ys - prior(x)))
    grid = np.geomspace(max(low, 1.0), max(cap, low + 1), 600)
    reached = np.flatnonzero(prior(grid) + shift >= target)
    if not len(reached):
        return cap, True
    return float(grid[reached[0]]), False
