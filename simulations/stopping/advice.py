"""Stopping advice: evaluate criteria on simulated runs, recommend a plan, check a live project.

* :func:`evaluate_criteria` replays every stopping criterion on every seed of one strategy and reports where it
  stops, how often it fires, and its regret against the cost-optimal point (:mod:`simulations.stopping.optimum`).
* :func:`recommend` picks the label count to plan for and the label-free criterion (with threshold) a team
  should monitor, and compares it with stabilizing predictions alone.
* :func:`advise` does both for a ``SimulationResult``; :func:`check_live` looks at a team's own curve log and
  says "stop now", "continue for about N more labels" or "too early to tell".

Ranges over seeds are medians with the 2.5th-97.5th percentiles of the seeds (:data:`RANGE_METHOD`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from simulations.curves.fit import CurveFit, fit_curve, fit_family
from simulations.curves.models import LAST1
from simulations.errors import ConfigError, DataError
from simulations.money import money
from simulations.stopping.base import RANGE_METHOD, History, SeedRange, StoppingCriterion, range_dict
from simulations.stopping.criteria import (
    Budget,
    StabilizingPredictions,
    ValidationPlateau,
    default_criteria,
)
from simulations.stopping.optimum import MarginalStop, check_costs, hindsight_optimum, marginal_stop, regret
from simulations.summary import no_signal_warning

if TYPE_CHECKING:
    from simulations.results import SimulationResult

SIGNAL_COLUMNS = ("kappa", "changed_share", "delta_f", "mean_entropy", "self_accuracy", "query_max_entropy",
                  "query_min_confidence")
#: A run's cheapest point at or above this share of its last label count counts as "at the budget".
AT_BUDGET_SHARE = 0.95
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


def _clean_float(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, np.integer):
        return int(v)
    return v


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf become None, numpy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return _clean_float(obj)


# ---- per-seed histories ---------------------------------------------------------------------------------
def _seed_histories(rounds: pd.DataFrame, strategy: str, metric: str) -> dict[int, dict[str, np.ndarray]]:
    need = ["strategy", "seed", "labels", metric]
    missing = [c for c in need if c not in rounds.columns]
    if missing:
        raise DataError(f"The results table lacks column(s) {', '.join(missing)}.",
                        hint="Pass SimulationResult.rounds (see docs/engine-contract.md) and one of its metrics.")
    names = rounds["strategy"].astype(str)
    if strategy not in set(names):
        raise ConfigError(f"No rounds for strategy '{strategy}' in these results.",
                          hint=f"Strategies in the results: {', '.join(dict.fromkeys(names))}.")
    sub = rounds[names == strategy]
    order = ["seed", "round"] if "round" in sub.columns else ["seed", "labels"]
    sub = sub.sort_values(order, kind="stable")
    out: dict[int, dict[str, np.ndarray]] = {}
    for seed, g in sub.groupby("seed", sort=True):
        g = g[np.isfinite(g["labels"].to_numpy(dtype=float))]
        if g.empty:
            continue
        h = {"labels": g["labels"].to_numpy(dtype=float), "metric": g[metric].to_numpy(dtype=float)}
        for c in SIGNAL_COLUMNS:
            if c in g.columns:
                h[c] = g[c].to_numpy(dtype=float)
        out[int(seed)] = h  # type: ignore[arg-type]
    return out


# ---- reports ----------------------------------------------------------------------------------------------
@dataclass
class CriterionReport:
    """Where one criterion stops across the seeds of a simulation, and what that costs.

    ``labels`` and ``regret_*`` cover only the seeds where the rule fired; ``never_fired_seeds`` lists the
    others (they are not replaced by the budget). ``fired_share`` is None when the rule is not applicable.
    """

    name: str
    title: str
    rule: str
    plain: str
    threshold: float
    is_default: bool
    needs_labels: bool
    applicable: bool
    reason: str
    n_seeds: int
    fired_share: float | None
    never_fired_seeds: list[int]
    labels: SeedRange | None
    regret_dollars: SeedRange | None
    regret_percent: SeedRange | None
    per_seed_labels: dict[int, float | None] = field(default_factory=dict)
    citation: str = ""

    @property
    def fires_always(self) -> bool:
        return self.fired_share is not None and self.fired_share >= 1.0

    def summary(self) -> str:
        if not self.applicable:
            return f"{self.title}: not applicable ({self.reason})."
        if not self.labels:
            return f"{self.title}: never fired in {self.n_seeds} runs."
        fired = f"fired in {round(self.fired_share * self.n_seeds)} of {self.n_seeds} runs"  # type: ignore[operator]
        return (f"{self.title}: stops at ~{self.labels.median:,.0f} labels ({self.labels.low:,.0f}-"
                f"{self.labels.high:,.0f}), {fired}, median regret {_usd(self.regret_dollars.median)} "  # type: ignore[union-attr]
                f"({_pct(self.regret_percent)}).")

    def regret_dict(self) -> dict[str, Any]:
        """Regret in dollars and percent (median and range), as the JSON reports give it."""
        return {"dollars": range_dict(self.regret_dollars), "percent": range_dict(self.regret_percent)}

    def to_dict(self) -> dict[str, Any]:
        return _clean({
            "name": self.name,
            "title": self.title,
            "rule": self.rule,
            "threshold": self.threshold,
            "is_default_threshold": self.is_default,
            "needs_labels": self.needs_labels,
            "applicable": self.applicable,
            "reason": self.reason or None,
            "citation": self.citation,
            "n_seeds": self.n_seeds,
            "fired_share": self.fired_share,
            "never_fired_seeds": self.never_fired_seeds,
            "labels": range_dict(self.labels),
            "regret": self.regret_dict(),
        })


def _usd(x: float) -> str:
    """Whole dollars, sign before the symbol (-$75)."""
    return money(x, cents=False)


def _cents(x: float) -> str:
    """Dollars and cents, sign before the symbol (-$7.56)."""
    return money(x, cents=True)


def _saves(diff: float) -> str:
    """'saves $X' or, when the recommended rule regrets more (it was ranked on firing more often), 'costs $X more'."""
    if diff < 0:
        return f"costs {_usd(-diff)} more (it was preferred for firing more often)"
    return f"saves {_usd(diff)}"


def _pct(r: SeedRange | None) -> str:
    return "n/a" if r is None or not math.isfinite(r.median) else f"{r.median:.1f}%"


@dataclass
class _Runs:
    """Per-seed histories with their cost curves and hindsight optima."""

    histories: dict[int, dict[str, np.ndarray]]
    costs: dict[int, np.ndarray]
    opt_index: dict[int, int]
    n_classes: int | None


def _prepare(histories: dict[int, dict[str, np.ndarray]], cost_per_label: float, value_per_point: float,
             n_classes: int | None) -> _Runs:
    costs, opt = {}, {}
    for seed, h in histories.items():
        costs[seed] = cost_per_label * h["labels"] - value_per_point * 100.0 * h["metric"]
        opt[seed] = hindsight_optimum(h["labels"], h["metric"], cost_per_label, value_per_point).index
    return _Runs(histories, costs, opt, n_classes)


def _evaluate(crit: StoppingCriterion, runs: _Runs) -> CriterionReport:
    seeds = list(runs.histories)
    reasons = [crit.applicable(runs.histories[s], runs.n_classes) for s in seeds]
    ok = any(r[0] for r in reasons)
    base = dict(name=crit.name, title=crit.title, rule=crit.rule(), plain=crit.plain(), threshold=crit.threshold,
                is_default=crit.is_default, needs_labels=crit.needs_labels, n_seeds=len(seeds),
                citation=crit.citation)
    if not ok:
        return CriterionReport(**base, applicable=False, reason=reasons[0][1] if reasons else "no runs",
                               fired_share=None, never_fired_seeds=[], labels=None, regret_dollars=None,
                               regret_percent=None)
    labels, dollars, percent, never, per_seed = [], [], [], [], {}
    for s in seeds:
        h = runs.histories[s]
        i = crit.bind(h).first_stop(h)
        if i is None:
            never.append(s)
            per_seed[s] = None
            continue
        per_seed[s] = float(h["labels"][i])
        labels.append(h["labels"][i])
        d, p = regret(runs.costs[s][i], runs.costs[s][runs.opt_index[s]])
        dollars.append(d)
        percent.append(p)
    return CriterionReport(**base, applicable=True, reason="", fired_share=len(labels) / len(seeds),
                           never_fired_seeds=never, labels=SeedRange.of(labels),
                           regret_dollars=SeedRange.of(dollars), regret_percent=SeedRange.of(percent),
                           per_seed_labels=per_seed)


@dataclass
class StopEvaluation:
    """Every criterion replayed on every seed of one strategy, against the cost-optimal stop.

    Attributes
    ----------
    optimum_labels, optimum_metric, optimum_cost : SeedRange
        The hindsight optimum per seed (argmin of C on the test curve).
    at_budget_share : float
        Share of seeds whose optimum is the last round: the true optimum may lie beyond the budget.
    fitted, fitted_stop : CurveFit and MarginalStop, optional
        The mean test curve fitted by :func:`simulations.curves.fit.fit_curve` (by :func:`advise` with the
        whole-pool score appended) and the marginal rule on it (it can point beyond the budget, flagged
        ``extrapolated``, and is capped at ``pool``, flagged ``capped``).
    pool : float or None
        The labelable pool: no stopping point lies beyond it.
    """

    strategy: str
    metric: str
    cost_per_label: float
    value_per_point: float
    seeds: list[int]
    budget: float
    n_classes: int | None
    optimum_labels: SeedRange
    optimum_metric: SeedRange
    optimum_cost: SeedRange
    at_budget_share: float
    criteria: list[CriterionReport]
    fitted: CurveFit | None = None
    fitted_stop: MarginalStop | None = None
    pool: float | None = None
    _runs: _Runs | None = field(default=None, repr=False)

    def report(self, name: str) -> CriterionReport | None:
        return next((c for c in self.criteria if c.name == name), None)

    def fitted_stop_sentence(self) -> str:
        """Where a label stops paying on the fitted curve, in words consistent with the budget and the pool.

        Three cases: it stops paying within the budget; it still pays at the budget and stops beyond it (an
        extrapolation); or it still pays at the labelable pool (capped: labeling the whole pool still pays).
        """
        fs = self.fitted_stop
        if self.fitted is None or fs is None:
            return ""
        budget = f"the {self.budget:,.0f}-label budget"
        if fs.capped and fs.pool is not None:
            return (f"On the fitted curve a label is still worth more than it costs at {fs.pool:,.0f} labels, the "
                    f"whole labelable pool: labeling the whole pool still pays"
                    f"{' (extrapolated beyond ' + budget + ')' if fs.extrapolated else ''}.")
        if fs.labels is None:
            return f"On the fitted curve labeling keeps paying beyond {budget}: the projection does not level off."
        if fs.labels > self.budget * (1 + 1e-9):
            return (f"On the fitted curve labels still pay at {budget} and stop paying at about "
                    f"{fs.labels:,.0f} labels (extrapolated).")
        return f"On the fitted curve, a label stops paying at about {fs.labels:,.0f} labels."

    def to_dict(self) -> dict[str, Any]:
        fitted = None
        if self.fitted is not None:
            fitted = {"curve": self.fitted.to_dict(),
                      "marginal_stop": None if self.fitted_stop is None else self.fitted_stop.to_dict()}
        return _clean({
            "strategy": self.strategy,
            "metric": self.metric,
            "cost_per_label": self.cost_per_label,
            "value_per_point": self.value_per_point,
            "n_seeds": len(self.seeds),
            "budget": self.budget,
            "range_method": RANGE_METHOD,
            "pool": self.pool,
            "fitted_stop_sentence": self.fitted_stop_sentence(),
            "optimum": {
                "labels": range_dict(self.optimum_labels),
                "metric": range_dict(self.optimum_metric),
                "cost": range_dict(self.optimum_cost),
                "at_budget_share": self.at_budget_share,
                "fitted": fitted,
            },
            "criteria": [c.to_dict() for c in self.criteria],
        })


def evaluate_criteria(
    rounds: pd.DataFrame,
    *,
    strategy: str,
    cost_per_label: float,
    value_per_point: float,
    metric: str = "accuracy",
    criteria: list[StoppingCriterion] | None = None,
    n_classes: int | None = None,
    project: bool = True,
    fitted: CurveFit | None = None,
    pool: float | None = None,
) -> StopEvaluation:
    """Replay stopping criteria on every seed of ``strategy`` and compare them with the cost-optimal stop.

    Parameters
    ----------
    rounds : DataFrame
        ``SimulationResult.rounds`` (see ``docs/engine-contract.md``).
    strategy : str
    cost_per_label, value_per_point : float
        Dollars per label, and dollars per percentage point of ``metric``.
    metric : str
        The test-metric column defining the value (and the validation plateau rule).
    criteria : list of StoppingCriterion, optional
        Default: :func:`~simulations.stopping.criteria.default_criteria` (literature defaults).
    n_classes : int, optional
        Number of classes; two-class-only rules are reported as not applicable otherwise.
    project : bool
        Also fit the mean test curve and apply the marginal rule on it.
    fitted : CurveFit, optional
        The fitted curve to apply the marginal rule to (default: the mean test curve of ``strategy``, fitted here).
    pool : float, optional
        The labelable pool: the marginal rule's stop is capped there (``MarginalStop.capped``).
    """
    c, v = check_costs(cost_per_label, value_per_point)
    histories = _seed_histories(rounds, strategy, metric)
    if not histories:
        raise DataError(f"Strategy '{strategy}' has no rounds with a label count.",
                        hint="Check the results file; it may be from an interrupted run.")
    runs = _prepare(histories, c, v, n_classes)
    crits = default_criteria() if criteria is None else list(criteria)
    reports = [_evaluate(k, runs) for k in crits]
    opt_labels = [h["labels"][runs.opt_index[s]] for s, h in histories.items()]
    opt_metric = [h["metric"][runs.opt_index[s]] for s, h in histories.items()]
    opt_cost = [runs.costs[s][runs.opt_index[s]] for s in histories]
    # "At the budget": the cheapest point is the last round, or so close to it (a short last batch) that
    # labeling was still paying when the simulation ended.
    at_budget = np.mean([h["labels"][runs.opt_index[s]] >= AT_BUDGET_SHARE * np.nanmax(h["labels"])
                         for s, h in histories.items()])
    budget = float(max(np.nanmax(h["labels"]) for h in histories.values()))
    fitted_stop = None
    if project:
        try:
            if fitted is None:
                sub = rounds[rounds["strategy"].astype(str) == strategy]
                table = sub.pivot_table(index="seed", columns="labels", values=metric, aggfunc="mean")
                fitted = fit_curve(table.columns.to_numpy(dtype=float), table.to_numpy(dtype=float))
            fitted_stop = marginal_stop(fitted, c, v, pool=pool)
            # Beyond the budget is a projection even when the fit also holds the whole-pool point further out.
            beyond = fitted_stop.labels is None or fitted_stop.labels > budget * (1 + 1e-9)
            fitted_stop = replace(fitted_stop, extrapolated=bool(beyond))
        except DataError:
            fitted = fitted_stop = None
    else:
        fitted = None
    return StopEvaluation(
        strategy=strategy, metric=metric, cost_per_label=c, value_per_point=v, seeds=list(histories),
        budget=budget, n_classes=n_classes, optimum_labels=SeedRange.of(opt_labels),  # type: ignore[arg-type]
        optimum_metric=SeedRange.of(opt_metric), optimum_cost=SeedRange.of(opt_cost),  # type: ignore[arg-type]
        at_budget_share=float(at_budget), criteria=reports, fitted=fitted, fitted_stop=fitted_stop,
        pool=None if pool is None else float(pool), _runs=runs,
    )


# ---- recommendation ----------------------------------------------------------------------------------------
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


def recommend(evaluation: StopEvaluation) -> Recommendation:
    """The label count to plan for and the label-free criterion (and threshold) to monitor.

    Every label-free criterion is replayed with each threshold of its ``threshold_grid``. Candidates that fire
    on every seed are ranked by median regret in dollars (then the 97.5th percentile, then the literature
    default first); if none fires on every seed, the ones firing most often are ranked the same way. Rules
    that need labels (validation plateau) and the budget are not candidates: a team monitors a label-free
    signal at no extra labeling cost. The thresholds are tuned on the simulated seeds, so with few seeds
    expect the live regret to be somewhat higher than the simulated one.
    """
    runs = evaluation._runs
    if runs is None:
        raise ConfigError("This evaluation has no per-seed data to tune on.",
                          hint="Create it with evaluate_criteria().")
    candidates: list[CriterionReport] = []
    for crit in default_criteria():
        if crit.needs_labels or isinstance(crit, Budget):
            continue
        for variant in _variants(crit):
            rep = _evaluate(variant, runs)
            if rep.applicable and rep.fired_share:
                candidates.append(rep)
    baseline = evaluation.report(StabilizingPredictions.name)
    if baseline is None or not baseline.is_default:
        baseline = _evaluate(StabilizingPredictions(), runs)
    best = min(candidates, key=_rank_key) if candidates else None
    plan = evaluation.optimum_labels
    n = len(evaluation.seeds)
    span = f"{plan.low:,.0f}-{plan.high:,.0f} across {n} simulated run{'s' if n != 1 else ''}"
    notes = []
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
    how_often = "in every run" if best.fires_always else f"in {best.fired_share:.0%} of the runs"
    # A label-free rule is only worth monitoring if it beats simply stopping at the planned count.
    fixed = _evaluate(Budget(plan.median), runs)
    # Medians over the runs where each fired: the fixed count must also stop at least as often (a run whose
    # history ends before the count never reaches it, and leaving it out would flatter the fixed plan).
    stop_at_plan = bool(fixed.regret_dollars is not None and best.regret_dollars is not None
                        and (fixed.fired_share or 0.0) >= (best.fired_share or 0.0)
                        and fixed.regret_dollars.median < best.regret_dollars.median)
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
        comparison = (f"Stabilizing predictions alone (kappa >= {baseline.threshold:g}) never fired in {n} runs; "
                      f"the recommended rule has a median regret of {_usd(best.regret_dollars.median)}.")  # type: ignore[union-attr]
    else:
        diff = baseline.regret_dollars.median - best.regret_dollars.median  # type: ignore[union-attr]
        comparison = (f"Stabilizing predictions alone (kappa >= {baseline.threshold:g} over 3 rounds) fired in "
                      f"{baseline.fired_share:.0%} of the runs with a median regret of "
                      f"{_usd(baseline.regret_dollars.median)} ({_pct(baseline.regret_percent)}); "  # type: ignore[union-attr]
                      f"the recommendation {_saves(diff)} per project at the median.")
    if n < 5:
        notes.append(f"The threshold was tuned on only {n} runs; more seeds make it more trustworthy.")
    return Recommendation(plan, best, baseline, sentence, comparison, " ".join(notes), len(candidates),
                          fixed_plan=fixed, stop_at_plan=stop_at_plan)


# ---- from a SimulationResult ---------------------------------------------------------------------------------
def _n_classes(meta: dict[str, Any]) -> int | None:
    classes = meta.get("classes")
    return len(classes) if isinstance(classes, (list, tuple)) and classes else None


def choose_strategy(rounds: pd.DataFrame, metric: str, cost_per_label: float, value_per_point: float) -> str:
    """The strategy with the lowest median cost at its hindsight optimum (ties: not ``random``, then by name)."""
    if "strategy" not in rounds.columns:
        raise DataError("The results table lacks the 'strategy' column.", hint="Pass SimulationResult.rounds.")
    best: tuple[float, int, str] | None = None
    for name in sorted(set(rounds["strategy"].astype(str))):
        hist = _seed_histories(rounds, name, metric)
        if not hist:
            continue
        costs = [hindsight_optimum(h["labels"], h["metric"], cost_per_label, value_per_point).cost
                 for h in hist.values()]
        key = (float(np.median(costs)), 1 if name == "random" else 0, name)
        if best is None or key < best:
            best = key
    if best is None:
        raise DataError("The results contain no rounds.", hint="Run the simulation again.")
    return best[2]


@dataclass
class StopAdvice:
    """Evaluation plus recommendation for one strategy of a simulation.

    ``no_signal_warning`` is ``simulations.summary.no_signal_warning`` of the run: "" when the model learns
    something from the features; otherwise the sentence that leads :meth:`text` (no stopping point buys anything).
    """

    evaluation: StopEvaluation
    recommendation: Recommendation
    strategy_chosen_by: str
    no_signal_warning: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = self.evaluation.to_dict()
        d["strategy_chosen_by"] = self.strategy_chosen_by
        d["recommended_labels"] = range_dict(self.recommendation.labels)
        d["recommendation"] = self.recommendation.to_dict()
        d["no_signal"] = bool(self.no_signal_warning)
        d["no_signal_warning"] = self.no_signal_warning or None
        return _clean(d)

    def text(self) -> str:
        ev, rec = self.evaluation, self.recommendation
        lines = [f"WARNING: {self.no_signal_warning} No stopping point pays: more labels buy nothing until the data "
                 "is fixed (check the label column and the features, or try another model).", ""
                 ] if self.no_signal_warning else []
        lines += [f"Stopping advice for '{ev.strategy}' ({self.strategy_chosen_by}), {ev.metric}, "
                 f"{money(ev.cost_per_label)} per label, {_usd(ev.value_per_point)} per point, {len(ev.seeds)} runs.",
                 "", rec.sentence, rec.comparison]
        if rec.note:
            lines.append(rec.note)
        if ev.fitted_stop_sentence():
            lines.append(ev.fitted_stop_sentence())
        lines += ["", "Criteria (where each stops; regret vs the cost-optimal point; ranges: 2.5-97.5th "
                      "percentile over seeds):"]
        lines += [f"  - {c.summary()}" for c in ev.criteria]
        return "\n".join(lines)


def advise(
    result: SimulationResult,
    cost_per_label: float,
    value_per_point: float,
    *,
    strategy: str | None = None,
    metric: str | None = None,
    pool: int | None = None,
) -> StopAdvice:
    """Stopping advice for one strategy of a simulation (default: the one with the lowest optimal cost).

    The mean curve is fitted with the whole-pool score appended at the simulated pool size (a measured point of
    every strategy's curve; :func:`simulations.curves.pool.fit_ceiling_curve`) when the results record it, so the
    marginal rule beyond the budget rests on evidence rather than on the early trend alone. ``pool`` is the
    labelable pool (default: the simulated pool); no stopping point lies beyond it.
    """
    c, v = check_costs(cost_per_label, value_per_point)
    meta = dict(getattr(result, "meta", {}) or {})
    rounds = result.rounds
    metric = metric or meta.get("metric") or "accuracy"
    if metric not in rounds.columns:
        raise ConfigError(f"The results have no '{metric}' column.",
                          hint="Use accuracy, balanced_accuracy or macro_f1.")
    if strategy is None:
        strategy = choose_strategy(rounds, metric, c, v)
        how = "the strategy with the lowest cost at its optimal stopping point"
    else:
        how = "chosen by you"
    from simulations.curves.pool import fit_ceiling_curve, simulated_pool_size

    try:
        n_sim: int | None = simulated_pool_size(result)
        # The far end is measured, so a model vetoed from the earlier origin gives way to the next-ranked one
        # that passes (scored against the whole-pool point) rather than to a flat line held from the budget.
        fitted: CurveFit | None = fit_ceiling_curve(result, metric, strategy, fallback="next")
    except (DataError, KeyError, AttributeError):  # results without the pool size or the whole-pool scores
        n_sim, fitted = None, None
    if pool is not None and (isinstance(pool, bool) or not float(pool) > 0):
        raise ConfigError(f"The labelable pool must be a positive number of items (got {pool}).",
                          hint="Pass the number of items your project can label, e.g. 100000.")
    if pool is not None and n_sim is not None and float(pool) < n_sim:
        # As the business case refuses it: curves of a larger pool do not carry over to a smaller one.
        raise ConfigError(
            f"The labelable pool ({float(pool):,.0f} items) is smaller than the pool the simulation drew from "
            f"({n_sim:,} items): the simulated runs chose among more items than the project has, so their stopping "
            "points do not apply to it.",
            hint=f"Give the number of items your project can label (at least {n_sim:,}), or simulate on a sample "
                 "of about that many rows.")
    cap = float(pool) if pool is not None else (float(n_sim) if n_sim is not None else None)
    ev = evaluate_criteria(rounds, strategy=strategy, cost_per_label=c, value_per_point=v, metric=metric,
                           n_classes=_n_classes(meta), fitted=fitted, pool=cap)
    try:
        warning = no_signal_warning(result, metric)
    except ConfigError:  # a metric the summary does not know has no whole-pool baseline to judge by
        warning = ""
    return StopAdvice(ev, recommend(ev), how, warning)


# ---- live-project check ----------------------------------------------------------------------------------------
#: Header names accepted for each column of a curve log, compared after lower-casing and turning spaces, dots
#: and hyphens into underscores. The first of each tuple is the canonical name.
CURVE_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "labels": ("labels", "n_labels", "num_labels", "number_of_labels", "label_count", "labeled", "n_labeled",
               "num_labeled", "labelled", "n_labelled", "num_labelled", "n_train", "train_size", "training_size",
               "size", "n_samples", "samples"),
    "metric": ("metric", "accuracy", "acc", "balanced_accuracy", "macro_f1", "f1_macro", "f1", "f1_score",
               "score", "val_accuracy", "val_acc", "validation_accuracy", "val_score", "validation_score",
               "val_f1"),
    "kappa": ("kappa", "cohen_kappa", "cohens_kappa"),
}
#: Kept for callers of the first version: the metric names accepted besides "metric".
METRIC_ALIASES = CURVE_COLUMN_NAMES["metric"][1:]
_EXPECTED_HEADER = ("The header must name the label count (labels, n_labels, num_labels, n_labeled or size) and "
                    "the validation score (metric, accuracy, score, f1, ...), optionally kappa, e.g. "
                    "'labels,metric,kappa'.")


_COLUMN_MEANING = {"labels": "labeled items so far", "metric": "the validation score"}


def _normalize_name(name: Any) -> str:
    return "_".join(str(name).strip().lower().replace("-", " ").replace(".", " ").split())


def _resolve_curve_columns(df: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
    """Map the log's own headers onto labels, metric[, kappa]; errors quote the file's real column names.

    A canonical name wins over a synonym; two synonyms for the same column (say accuracy and f1) are an error
    naming both, since picking one silently would answer a question the user did not ask.
    """
    real = [str(c) for c in df.columns]
    norm = [_normalize_name(c) for c in df.columns]
    found = ", ".join(repr(c) for c in real) or "none"
    rename: dict[Any, str] = {}
    notes: list[str] = []
    missing: list[str] = []
    for canon, names in CURVE_COLUMN_NAMES.items():
        hits = [i for i, n in enumerate(norm) if n in names]
        exact = [i for i in hits if norm[i] == canon]
        if len(exact) > 1 or (not exact and len(hits) > 1):
            dup = ", ".join(repr(real[i]) for i in (exact if len(exact) > 1 else hits))
            raise DataError(f"{source} has several columns that could be the {canon}: {dup}.",
                            hint=f"Keep one of them, or rename the one to use to '{canon}'.")
        if exact or hits:
            i = (exact or hits)[0]
            rename[df.columns[i]] = canon
            if norm[i] != canon:  # the matched name, lower-cased as it was compared
                role = {"labels": "the label count", "metric": "the metric"}.get(canon, canon)
                notes.append(f"Used the '{norm[i]}' column as {role}.")
        elif canon != "kappa":
            missing.append(canon)
    if missing:
        what = " and ".join(f"'{m}' ({_COLUMN_MEANING[m]})" for m in missing)
        raise DataError(f"{source} lacks column(s) {what}; its columns are {found}.", hint=_EXPECTED_HEADER)
    keep = list(rename)
    return df[keep].rename(columns=rename), notes


def validate_curve(df: pd.DataFrame, source: str = "the curve") -> tuple[pd.DataFrame, list[str]]:
    """A team's curve log as a clean ``labels, metric[, kappa]`` table, and notes on what was adjusted.

    Column headers are matched case-insensitively against :data:`CURVE_COLUMN_NAMES` (``n_labels``,
    ``accuracy``, ...). Raises DataError for missing or ambiguous columns (quoting the file's own headers),
    non-numeric or missing values, labels that are not positive and strictly increasing, and metrics outside
    [0, 1]. Percentages are accepted when every value is in (1, 100].
    """
    if df.empty:
        raise DataError(f"{source} has no rows.", hint="Log one row per labeling round: labels,metric.")
    df, notes = _resolve_curve_columns(df, source)
    cols = ["labels", "metric"] + (["kappa"] if "kappa" in df.columns else [])
    out = pd.DataFrame(index=df.index)
    for c in cols:
        raw = df[c]
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"Column '{c}' of {source} has a non-numeric value {raw.iloc[i]!r} in data row {i + 1}.",
                            hint="Use plain numbers with a dot as decimal separator, without units or % signs.")
        if c != "kappa" and num.isna().any():
            i = int(np.flatnonzero(num.isna().to_numpy())[0])
            raise DataError(f"Column '{c}' of {source} is empty in data row {i + 1}.",
                            hint="Fill in every round's labels and metric, or delete the row.")
        out[c] = num.astype(float)
    x = out["labels"].to_numpy()
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise DataError(f"Label counts in {source} must be positive numbers.",
                        hint="'labels' is the total number of labeled items after each round, e.g. 100, 200.")
    dup = pd.Series(x)[pd.Series(x).duplicated()]
    if len(dup):
        raise DataError(f"{source} lists the label count {dup.iloc[0]:g} more than once.",
                        hint="Keep one row per labeling round (average repeated measurements first).")
    steps = np.diff(x)
    if np.any(steps < 0):
        i = int(np.flatnonzero(steps < 0)[0])
        raise DataError(f"Label counts in {source} are not increasing: {x[i + 1]:g} comes after {x[i]:g} "
                        f"(data row {i + 2}).", hint="Sort the rows by labels: one row per round, oldest first.")
    y = out["metric"].to_numpy()
    if not np.all(np.isfinite(y)):
        raise DataError(f"The metric in {source} must be finite.", hint="Remove rows with inf values.")
    if np.any(y < 0):
        raise DataError(f"The metric in {source} has negative values (min {y.min():g}).",
                        hint="Log a score between 0 and 1, such as accuracy or F1 on a validation set.")
    if np.any(y > 1):
        if np.all((y > 1) & (y <= 100)):
            out["metric"] = y / 100.0
            notes.append("The metric looked like percentages (all values between 1 and 100); divided by 100.")
        else:
            raise DataError(f"The metric in {source} must be a fraction in [0, 1] (found values from {y.min():g} "
                            f"to {y.max():g}).",
                            hint="Use fractions (0.91) for every row, or percentages (91) for every row.")
    if "kappa" in out.columns:
        k = out["kappa"].to_numpy()
        if np.any(np.isfinite(k) & ((k < -1) | (k > 1))):
            raise DataError(f"Kappa values in {source} must be between -1 and 1.",
                            hint="Log Cohen's kappa between successive models' predictions, or drop the column.")
        if not np.any(np.isfinite(k)):
            out = out.drop(columns="kappa")
    return out.reset_index(drop=True), notes


def load_curve_csv(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """Read and validate a team's curve log (CSV with columns labels, metric, optionally kappa)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"No curve file at {path}.", hint="Pass a CSV with columns labels,metric[,kappa].")
    try:
        try:
            df = pd.read_csv(path, sep=None, engine="python")  # sniffs comma, semicolon, tab
        except csv.Error:  # nothing to sniff (one column, or no text): plain comma-separated
            df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError, csv.Error) as exc:
        raise DataError(f"Cannot read {path} as CSV ({exc}).",
                        hint="Save the log as a comma-separated file with a header row labels,metric.") from exc
    return validate_curve(df, source=path.name)


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
