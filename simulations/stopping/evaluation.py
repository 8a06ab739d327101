"""Replaying stopping criteria on simulated runs: where each stops and what it costs against the optimum.

* :func:`evaluate_criteria` replays every stopping criterion on every seed of one strategy and reports where it
  stops, how often it fires, and its regret against the cost-optimal point (:mod:`simulations.stopping.optimum`),
  as a :class:`StopEvaluation` holding one :class:`CriterionReport` per criterion.
* ``_seed_histories`` turns ``SimulationResult.rounds`` into one history per seed; ``_prepare`` and ``_evaluate``
  replay one criterion on them (:mod:`~simulations.stopping.recommendation` reuses both to tune thresholds).

Ranges over seeds are medians with the 2.5th-97.5th percentiles of the seeds (:data:`RANGE_METHOD`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from simulations.curves.fit import CurveFit, fit_curve
from simulations.errors import ConfigError, DataError
from simulations.stopping.base import RANGE_METHOD, SeedRange, StoppingCriterion, range_dict
from simulations.stopping.criteria import default_criteria
from simulations.stopping.formatting import _clean, _pct, _usd
from simulations.stopping.optimum import MarginalStop, check_costs, hindsight_optimum, marginal_stop, regret

__all__ = ["AT_BUDGET_SHARE", "SIGNAL_COLUMNS", "CriterionReport", "StopEvaluation", "evaluate_criteria"]

SIGNAL_COLUMNS = ("kappa", "changed_share", "delta_f", "mean_entropy", "self_accuracy", "query_max_entropy",
                  "query_min_confidence")

#: A run's cheapest point at or above this share of its last label count counts as "at the budget".
AT_BUDGET_SHARE = 0.95


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
