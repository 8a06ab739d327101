"""The recommendation: the label count to plan for and the label-free criterion (with threshold) to monitor.

:func:`recommend` tunes every label-free criterion's threshold on the runs of a
:class:`~simulations.stopping.evaluation.StopEvaluation`, picks the one to monitor, compares it with stopping at the
planned count and with stabilizing predictions alone, and says it in a :class:`Recommendation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from simulations.errors import ConfigError
from simulations.stopping.base import SeedRange, StoppingCriterion, range_dict
from simulations.stopping.criteria import Budget, StabilizingPredictions, default_criteria
from simulations.stopping.evaluation import CriterionReport, StopEvaluation, _evaluate, _Runs
from simulations.stopping.formatting import _clean, _pct, _usd

__all__ = ["Recommendation", "recommend"]


@dataclass
class Recommendation:
    """What to plan for and what to monitor.

    Attributes
    ----------
    labels : SeedRange
        Labels to plan for: the cost-optimal stop over seeds (median and 2.5-97.5 percentiles).
    criterion : CriterionReport or None
        The label-free criterion and threshold to monitor (None when no label-free rule fired at all).
    fixed_plan : CriterionReport or None
        Stopping at the planned label count itself, replayed on the same runs.
    stop_at_plan : bool
        True when stopping at the planned count had a lower median regret than every label-free rule: the
        sentence then says to stop at the count and to use the rule only as a check.
    baseline : CriterionReport or None
        Stabilizing predictions with its literature defaults, for comparison.
    sentence : str
        The recommendation in one sentence for a manager.
    comparison : str
        The recommendation's regret next to the baseline's.
    note : str
        Caveats (optimum at the budget, tuning on few seeds).
    candidates : int
        Criterion/threshold combinations compared.
    """

    labels: SeedRange
    criterion: CriterionReport | None
    baseline: CriterionReport | None
    sentence: str
    comparison: str
    note: str
    candidates: int
    fixed_plan: CriterionReport | None = None
    stop_at_plan: bool = False

    def to_dict(self) -> dict[str, Any]:
        def brief(r: CriterionReport, **head: Any) -> dict[str, Any]:
            return {**head, "fired_share": r.fired_share, "regret": r.regret_dict()}

        c, b, f = self.criterion, self.baseline, self.fixed_plan
        crit = None if c is None else brief(c, name=c.name, title=c.title, threshold=c.threshold, rule=c.rule)
        base = None if b is None else brief(b, name=b.name, threshold=b.threshold)
        fixed = None if f is None else brief(f, labels=f.threshold)
        return _clean({"labels": range_dict(self.labels), "criterion": crit, "baseline": base,
                       "fixed_plan": fixed, "stop_at_plan": self.stop_at_plan,
                       "sentence": self.sentence, "comparison": self.comparison, "note": self.note or None,
                       "candidates_compared": self.candidates})


def _variants(crit: StoppingCriterion) -> list[StoppingCriterion]:
    thresholds = sorted(set(crit.threshold_grid) | {crit.default_threshold})
    return [crit.with_threshold(t) for t in thresholds if math.isfinite(t)]


def _rank_key(r: CriterionReport) -> tuple[float, float, float, int]:
    med = r.regret_dollars.median if r.regret_dollars else math.inf
    high = r.regret_dollars.high if r.regret_dollars else math.inf
    return (-(r.fired_share or 0.0), round(med, 6), round(high, 6), 0 if r.is_default else 1)


def _saves(diff: float) -> str:
    """'saves $X' or, when the recommended rule regrets more (it was ranked on firing more often), 'costs $X more'."""
    if diff < 0:
        return f"costs {_usd(-diff)} more (it was preferred for firing more often)"
    return f"saves {_usd(diff)}"


#: Fewest seeds for choosing thresholds on some and scoring on the others (two in each half).
MIN_SEEDS_TO_SPLIT = 4


def _subset(runs: _Runs, seeds: list[int]) -> _Runs:
    return _Runs({s: runs.histories[s] for s in seeds}, {s: runs.costs[s] for s in seeds},
                 {s: runs.opt_index[s] for s in seeds}, runs.n_classes)


def split_seeds(runs: _Runs) -> tuple[_Runs, _Runs] | None:
    """(tuning seeds, scoring seeds): alternate seeds in sorted order (the first, third, ... tune); None with fewer
    than :data:`MIN_SEEDS_TO_SPLIT` seeds."""
    seeds = sorted(runs.histories)
    if len(seeds) < MIN_SEEDS_TO_SPLIT:
        return None
    return _subset(runs, seeds[0::2]), _subset(runs, seeds[1::2])


def recommend(evaluation: StopEvaluation) -> Recommendation:
    """The label count to plan for and the label-free criterion (and threshold) to monitor.

    Every label-free criterion is replayed with each threshold of its ``threshold_grid``. Candidates that fire
    on every seed are ranked by median regret in dollars (then the 97.5th percentile, then the literature
    default first); if none fires on every seed, the ones firing most often are ranked the same way. Rules
    that need labels (validation plateau) and the budget are not candidates: a team monitors a label-free
    signal at no extra labeling cost.

    Chosen on some seeds, scored on the others: with :data:`MIN_SEEDS_TO_SPLIT` seeds or more the threshold (and the
    criterion) is picked on every other seed (:func:`split_seeds`) and every regret, fired share and the comparison
    with stopping at the planned count and with stabilizing predictions are measured on the remaining seeds, which
    took no part in the choice. With fewer seeds both happen on the same seeds and the note says so (optimistic).
    """
    all_runs = evaluation._runs
    if all_runs is None:
        raise ConfigError("This evaluation has no per-seed data to tune on.",
                          hint="Create it with evaluate_criteria().")
    halves = split_seeds(all_runs)
    tune_runs, runs = halves if halves is not None else (all_runs, all_runs)
    tuned: list[tuple[CriterionReport, StoppingCriterion]] = []
    for crit in default_criteria():
        if crit.needs_labels or isinstance(crit, Budget):
            continue
        for variant in _variants(crit):
            rep = _evaluate(variant, tune_runs)
            if rep.applicable and rep.fired_share:
                tuned.append((rep, variant))
    candidates = [r for r, _ in tuned]
    baseline = evaluation.report(StabilizingPredictions.name)
    if halves is not None or baseline is None or not baseline.is_default:
        baseline = _evaluate(StabilizingPredictions(), runs)
    best = None
    if tuned:
        chosen = min(tuned, key=lambda rv: _rank_key(rv[0]))[1]
        best = _evaluate(chosen, runs) if halves is not None else min(candidates, key=_rank_key)
    plan = evaluation.optimum_labels
    n = len(evaluation.seeds)
    n_score = len(runs.histories)
    span = f"{plan.low:,.0f}-{plan.high:,.0f} across {n} simulated run{'s' if n != 1 else ''}"
    notes = []
    if halves is not None:
        notes.append(f"The signal and its threshold were chosen on {len(tune_runs.histories)} of the {n} runs and "
                     f"every regret below is measured on the other {n_score}, which took no part in the choice.")
    else:
        notes.append(f"With {n} run{'s' if n != 1 else ''} the threshold was chosen and scored on the same runs, so "
                     f"the regrets are optimistic; simulate at least {MIN_SEEDS_TO_SPLIT} seeds to score it on "
                     "runs it was not tuned on.")
    if evaluation.at_budget_share >= 0.5:
        msg = (f"In {evaluation.at_budget_share:.0%} of the runs the cheapest point was the last one simulated, "
               f"so labeling may keep paying beyond the {evaluation.budget:,.0f}-label budget")
        fs = evaluation.fitted_stop
        if fs is not None and fs.capped and fs.pool is not None:
            msg += (f"; on the fitted curve labeling the whole pool ({fs.pool:,.0f} items) still pays")
        elif fs is not None and fs.extrapolated:
            msg += (f"; the fitted curve projects the optimum at ~{fs.labels:,.0f} labels (extrapolated)"
                    if fs.labels is not None else "; the fitted curve does not level off")
        elif fs is not None and fs.labels is not None:
            # The fit (which also knows the whole-pool score) disagrees with the noisy last rounds: say both.
            msg += (f", although the fitted curve puts the point where a label stops paying at about "
                    f"{fs.labels:,.0f} labels: the gain beyond the budget is likely small")
        notes.append(msg + ".")
    if best is None:
        sentence = (f"Plan for about {plan.median:,.0f} labels ({span}) and stop there: none of the label-free "
                    f"signals fired in these simulations, so monitor the score on a labeled validation set instead.")
        comparison = baseline.summary() if baseline is not None else ""
        return Recommendation(plan, None, baseline, sentence, comparison, " ".join(notes), 0)
    how_often = ("in every run" if best.fires_always else
                 "in none of the held-out runs" if not best.fired_share else f"in {best.fired_share:.0%} of the runs")
    # A label-free rule is only worth monitoring if it beats simply stopping at the planned count.
    fixed = _evaluate(Budget(plan.median), runs)
    # Medians over the runs where each fired: the fixed count must also stop at least as often (a run whose
    # history ends before the count never reaches it, and leaving it out would flatter the fixed plan).
    stop_at_plan = bool(fixed.regret_dollars is not None and best.regret_dollars is not None
                        and (fixed.fired_share or 0.0) >= (best.fired_share or 0.0)
                        and fixed.regret_dollars.median < best.regret_dollars.median)
    if best.regret_dollars is None:  # chosen on the tuning runs, never fired on the scoring runs
        sentence = (f"Plan for about {plan.median:,.0f} labels ({span}) and stop there: the best label-free signal "
                    f"on the tuning runs (stop when {best.plain}) never fired on the runs held out to score it, so "
                    "monitor the score on a labeled validation set instead.")
        comparison = baseline.summary() if baseline is not None else ""
        return Recommendation(plan, best, baseline, sentence, comparison, " ".join(notes), len(candidates),
                              fixed_plan=fixed, stop_at_plan=True)
    if stop_at_plan:
        sentence = (f"Plan for about {plan.median:,.0f} labels ({span}) and stop there: in simulations of your data "
                    f"that cost a median of {_usd(fixed.regret_dollars.median)} ({_pct(fixed.regret_percent)}) "  # type: ignore[union-attr]
                    f"above the cheapest possible stopping point, less than the best label-free signal (stop when "
                    f"{best.plain}: {_usd(best.regret_dollars.median)}, {_pct(best.regret_percent)}), so use that "  # type: ignore[union-attr]
                    f"signal only as a check.")
    else:
        sentence = (f"Plan for about {plan.median:,.0f} labels ({span}), and stop when {best.plain}: in simulations "
                    f"of your data this stopped {how_often}, at a median of {_usd(best.regret_dollars.median)} "  # type: ignore[union-attr]
                    f"({_pct(best.regret_percent)}) above the cheapest possible stopping point (stopping at the "
                    f"planned count: {_usd(fixed.regret_dollars.median)}).")  # type: ignore[union-attr]
    if baseline is None or not baseline.applicable:
        comparison = "Stabilizing predictions could not be evaluated (no kappa recorded)."
    elif not baseline.labels:
        comparison = (f"Stabilizing predictions alone (kappa >= {baseline.threshold:g}) never fired in {n_score} runs; "
                      f"the recommended rule has a median regret of {_usd(best.regret_dollars.median)}.")  # type: ignore[union-attr]
    else:
        diff = baseline.regret_dollars.median - best.regret_dollars.median  # type: ignore[union-attr]
        comparison = (f"Stabilizing predictions alone (kappa >= {baseline.threshold:g} over 3 rounds) fired in "
                      f"{baseline.fired_share:.0%} of the runs with a median regret of "
                      f"{_usd(baseline.regret_dollars.median)} ({_pct(baseline.regret_percent)}); "  # type: ignore[union-attr]
                      f"the recommendation {_saves(diff)} per project at the median.")
    if len(tune_runs.histories) < 5:
        notes.append(f"The threshold was tuned on only {len(tune_runs.histories)} runs; more seeds make it more "
                     "trustworthy.")
    return Recommendation(plan, best, baseline, sentence, comparison, " ".join(notes), len(candidates),
                          fixed_plan=fixed, stop_at_plan=stop_at_plan)
