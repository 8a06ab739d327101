"""What the simulation results say: curves with bands, labels to a target, savings and a verdict.

Intervals are over seeds. Point values are medians across seeds: a median stays exact while fewer
than half of the seeds are censored (did not reach the target within the budget), where a mean would not.
Every interval is the order-statistic interval of the median and every verdict the exact sign test
(:mod:`simulations.stats`, docs/statistics.md).

The metric and the target are in :mod:`simulations.metric_and_target`; the comparison with random (intervals,
labels saved, the ranking rule, the "no signal" rule, the verdict's sentences) in :mod:`simulations.verdicts`.
Their names are re-exported here, so ``from simulations.summary import ...`` keeps working.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from simulations import stats as _stats
from simulations.metric_and_target import (
    IMBALANCE_SHARE_OF_EQUAL,
    METRIC_NAMES,
    SCORE_NAMES,
    Target,
    _resolve_metric,
    choose_metric,
    run_metric,
)
from simulations.stats import MedianInterval
from simulations.verdicts import (
    NO_SIGNAL_MARGIN,
    Interval,
    Score,
    _censored_median,
    _few_seeds_sentence,
    _iv,
    _mostly_too_easy,
    _paired_savings,
    _pct1,
    _savings,
    _sentence,
    _share_worse,
    format_interval,
    is_no_signal,
    no_signal_sentence,
    no_signal_warning,
    per_seed_scores,
    rank_strategies,
)

if TYPE_CHECKING:
    from simulations.results import SimulationResult

# This module's names and those it re-exports from metric_and_target and verdicts (callers import them from here).
__all__ = [
    "CONFIDENCE",
    "IMBALANCE_SHARE_OF_EQUAL",
    "METRIC_NAMES",
    "MIN_SEEDS_FOR_VERDICT",
    "NO_SIGNAL_MARGIN",
    "SCORE_NAMES",
    "Interval",
    "Score",
    "StrategySummary",
    "Summary",
    "Target",
    "area_under_curve",
    "choose_metric",
    "curves_from_rounds",
    "format_interval",
    "is_no_signal",
    "learning_curves",
    "median_interval",
    "no_signal_sentence",
    "no_signal_warning",
    "per_seed",
    "per_seed_scores",
    "rank_strategies",
    "run_metric",
    "summarize",
]

CONFIDENCE = _stats.CONFIDENCE
#: Fewer seeds than this (paired with random) give no verdict: with 5 seeds or fewer no interval of the median
#: reaches 95% ([min, max] covers 1 - 2 / 2**n: 93.75% at 5), so the false-verdict rate could not be held at 5%.
#: Comparing several strategies needs more (:func:`simulations.stats.min_seeds_for_verdict`: 7 for 2-3).
MIN_SEEDS_FOR_VERDICT = _stats.min_seeds_for_verdict(1)


def learning_curves(result: SimulationResult, metric: str | None = None) -> pd.DataFrame:
    """Mean curve per strategy with a 95% t-interval over seeds.

    Returns
    -------
    DataFrame with columns strategy, labels, mean, low, high, n_seeds
    """
    return curves_from_rounds(result.rounds, _resolve_metric(result, metric))


def curves_from_rounds(rounds: pd.DataFrame, metric: str) -> pd.DataFrame:
    """:func:`learning_curves` of a per-round table (e.g. the rows of the tasks finished so far in a run)."""
    g = rounds.groupby(["strategy", "labels"], sort=False)[metric]
    out = g.agg(mean="mean", sd="std", n_seeds="count").reset_index()
    tcrit = stats.t.ppf(0.5 + CONFIDENCE / 2, df=np.maximum(out["n_seeds"] - 1, 1))
    half = np.where(out["n_seeds"] > 1, tcrit * out["sd"].fillna(0) / np.sqrt(out["n_seeds"]), 0.0)
    out["low"] = out["mean"] - half
    out["high"] = out["mean"] + half
    return out[["strategy", "labels", "mean", "low", "high", "n_seeds"]]


def area_under_curve(labels: np.ndarray, values: np.ndarray) -> float:
    """Normalized area under a learning curve: the mean score over the label range (trapezoids)."""
    labels = np.asarray(labels, dtype=float)
    if len(labels) < 2 or labels[-1] == labels[0]:
        return float(values[-1])
    return float(np.trapezoid(values, labels) / (labels[-1] - labels[0]))


def _labels_to_reach(labels: np.ndarray, values: np.ndarray, target: float) -> float:
    """Label count from which the curve reaches ``target`` and stays there; NaN when it does not.

    "Reaches the target" means: at or above ``target`` at this label count and at every later simulated round. The
    count is interpolated between the last round below the target and the next one. A first crossing followed by a
    fall back below (one lucky round) does not count: labeling that many rows and stopping would, in the rounds
    after, have left a model below the target. A curve that ends below the target has not reached it (censored).
    """
    values = np.asarray(values, dtype=float)
    below = np.flatnonzero(~(values >= target))
    if len(below) == 0:
        return float(labels[0])
    i = below[-1]
    if i == len(values) - 1:
        return np.nan
    x0, x1, y0, y1 = labels[i], labels[i + 1], values[i], values[i + 1]
    return float(x0 + (target - y0) * (x1 - x0) / (y1 - y0))


def per_seed(result: SimulationResult, target: Target, metric: str | None = None, *,
             target_shift: float = 0.0) -> pd.DataFrame:
    """Labels to target, final score and AUC for every strategy x seed.

    ``target_shift`` is added to every seed's target value: a plan for a production pool larger than the simulated
    one re-expresses a share-of-score target against the projected score there (``simulations.plan``).

    Returns
    -------
    DataFrame with columns strategy, seed, target_value, labels_to_target, censored, too_easy, final, auc.
    ``labels_to_target`` equals the budget when ``censored`` (never reached: the truth is more).
    """
    metric = _resolve_metric(result, metric)
    ceil = result.ceilings.set_index("seed")
    rows = []
    for (strategy, seed), g in result.rounds.groupby(["strategy", "seed"], sort=False):
        g = g.sort_values("round")
        labels, values = g["labels"].to_numpy(), g[metric].to_numpy()
        tv = target.value_for(ceil.loc[seed, metric], ceil.loc[seed, f"baseline_{metric}"]) + target_shift
        reached = _labels_to_reach(labels, values, tv)
        rows.append({
            "strategy": strategy, "seed": int(seed), "target_value": tv,
            "labels_to_target": float(labels[-1]) if np.isnan(reached) else reached,
            "censored": bool(np.isnan(reached)), "too_easy": bool(values[0] >= tv),
            "final": float(values[-1]), "auc": area_under_curve(labels, values),
        })
    return pd.DataFrame(rows)


def median_interval(values: np.ndarray, rng: np.random.Generator | None = None, *,
                    confidence: float = CONFIDENCE) -> tuple[float, float, float, MedianInterval]:
    """Median and order-statistic interval over seeds (:func:`simulations.stats.median_interval`).

    Kept for callers of the old bootstrap helper: ``rng`` is ignored (nothing is random any more) and the fourth
    value is the :class:`~simulations.stats.MedianInterval` (with the coverage it attains) instead of bootstrap draws.
    """
    iv = _stats.median_interval(values, confidence=confidence)
    return iv.median, iv.low, iv.high, iv


@dataclass
class StrategySummary:
    """What one strategy achieved, with intervals over seeds."""

    name: str
    labels_to_target: Interval
    savings_vs_random: Interval | None
    auc: Interval
    auc_gain_vs_random: Interval | None
    final: Interval
    verdict: str
    verdict_basis: str
    p_worse_than_random: float | None
    n_seeds: int
    sentence: str = ""
    n_censored: int = 0
    #: Exact two-sided sign-test p-value of the comparison with random, times ``k_compared`` (Bonferroni), capped
    #: at 1: the verdict is "beats"/"worse than random" exactly when it is at most 0.05.
    p_value: float | None = None
    #: Strategies compared with random in this summary (the verdict corrects for picking the best of them).
    k_compared: int = 1

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("labels_to_target", "savings_vs_random", "auc", "auc_gain_vs_random", "final"):
            d[k] = getattr(self, k).to_dict() if getattr(self, k) is not None else None
        # Flat names the CLI's readers expect.
        d["final_accuracy"] = d["final"]
        d["censored"] = bool(self.labels_to_target.censored or (self.savings_vs_random or Interval(0, 0, 0)).censored)
        return d


@dataclass
class Summary:
    """The answer of a simulation run for one target and metric."""

    metric: str
    metric_reason: str
    target: Target
    target_description: str
    ceiling: Interval
    baseline: Interval
    target_value: Interval
    too_easy: bool
    budget: int
    strategies: dict[str, StrategySummary] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The whole-pool model scores no better than always predicting the majority class (nothing to learn).
    no_signal: bool = False

    def best(self) -> StrategySummary | None:
        """The best non-random strategy by :func:`rank_strategies` (the rule the business case uses too)."""
        scores = {
            n: (s.savings_vs_random.median if s.savings_vs_random is not None else None,
                s.auc_gain_vs_random.median if s.auc_gain_vs_random is not None else None, s.n_censored)
            for n, s in self.strategies.items() if n != "random"
        }
        ranked = rank_strategies(scores)
        return self.strategies[ranked[0]] if ranked else None

    def verdict_sentence(self) -> str:
        if self.no_signal:
            return no_signal_sentence(self.ceiling.median, self.baseline.median, self.metric)
        best = self.best()
        if best is None:
            return "Only random sampling was simulated."
        return best.sentence

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "metric_reason": self.metric_reason,
            "target": {"kind": self.target.kind, "value": self.target.value,
                       "description": self.target_description, "value_per_seed": self.target_value.to_dict()},
            "ceiling_accuracy": self.ceiling.median,
            "ceiling": self.ceiling.to_dict(),
            "baseline": self.baseline.to_dict(),
            "too_easy": self.too_easy,
            "no_signal": self.no_signal,
            "budget": self.budget,
            "verdict": self.verdict_sentence(),
            "notes": list(self.notes),
            "strategies": {n: s.to_dict() for n, s in self.strategies.items()},
        }


def summarize(
    result: SimulationResult,
    target: Target | None = None,
    metric: str | None = None,
    *,
    random_state: int = 0,
    target_shift: float = 0.0,
) -> Summary:
    """Summarize a run: labels to target, savings vs random with intervals, and verdicts.

    The verdict uses the bootstrap interval of the median per-seed saving: "beats random" when it is
    entirely above zero, "worse than random" when entirely below, otherwise "no evidence". When the
    target is too easy (the initial labeled set already meets it) or no seed reached it, labels cannot
    separate strategies and the verdict uses the paired gain in area under the learning curve instead.
    """
    target = target or Target()
    metric = _resolve_metric(result, metric)
    del random_state  # kept for callers: the order-statistic intervals draw nothing at random
    ps = per_seed(result, target, metric, target_shift=target_shift)
    ceil = result.ceilings[metric].to_numpy()
    base = result.ceilings[f"baseline_{metric}"].to_numpy()
    tv = ps.groupby("seed")["target_value"].first().to_numpy()
    ceiling_iv, baseline_iv, target_iv = _iv(ceil), _iv(base), _iv(tv)
    c_med, b_med, t_med = ceiling_iv.median, baseline_iv.median, target_iv.median
    budget = int(result.meta.get("budget", result.rounds["labels"].max()))
    # Nothing learned: the initial labels "meeting" 95% of a useless ceiling would read as a too-easy target.
    no_signal = is_no_signal(c_med, b_med)
    easy_seeds = ps.groupby("seed")["too_easy"].first()
    too_easy = _mostly_too_easy(ps) and not no_signal
    summary = Summary(
        metric=metric, metric_reason=result.meta.get("metric_reason", "") if metric == result.metric else
        f"{SCORE_NAMES[metric]}, as requested.",
        target=target, target_description=target.describe(metric),
        ceiling=ceiling_iv, baseline=baseline_iv,
        target_value=target_iv, too_easy=too_easy, budget=budget, no_signal=no_signal,
    )
    m_name = SCORE_NAMES[metric]
    if no_signal:
        summary.notes.append(
            f"The model trained on the whole pool scores {_pct1(c_med)} {m_name} against {_pct1(b_med)} for always "
            "predicting the majority class: the features do not predict the label (or the label is noise), so no "
            "strategy and no number of labels will help. Check the label column and the features (or try "
            "another model) before planning a labeling budget."
        )
    n_initial_asked = getattr(result.config, "initial_labels", None)
    n_initial = result.meta.get("n_initial")
    if n_initial_asked is not None and n_initial is not None and int(n_initial) > int(n_initial_asked):
        summary.notes.append(
            f"The run started from {int(n_initial)} initial labels, not the {int(n_initial_asked)} asked for: "
            "every class needs at least one labeled row to train on."
        )
    if result.meta.get("duplicates_apart") is False:
        summary.notes.append(
            f"{int(result.meta.get('duplicate_rows', 0)):,} rows share their features with another row, too many "
            "to keep identical rows out of the test set without emptying it (few distinct rows): some test rows "
            "were also in the pool, so test scores partly measure rows the model has seen."
        )
    n_seeds_run = int(ps["seed"].nunique())
    if n_seeds_run < MIN_SEEDS_FOR_VERDICT:
        summary.notes.append(
            f"Only {n_seeds_run} seed{'s' if n_seeds_run != 1 else ''} simulated: intervals over so few seeds "
            f"mean little and no strategy gets a verdict. Run at least {MIN_SEEDS_FOR_VERDICT} (one strategy "
            f"against random; {_stats.min_seeds_for_verdict(3)} for three)."
        )
    if t_med > c_med:
        summary.notes.append(
            f"The target ({t_med:.3f}) is above what the model reaches on the whole pool ({c_med:.3f}): "
            "no amount of labels from this pool is expected to reach it."
        )
    if too_easy:
        summary.notes.append(
            f"Target too easy to tell strategies apart: the {result.meta.get('n_initial', '')} initial labels "
            f"already meet it in {int(easy_seeds.sum())} of {len(easy_seeds)} seeds. Savings are not reported; "
            "the verdict compares areas under the curves instead."
        )
    rnd = ps[ps["strategy"] == "random"]
    # The verdict corrects for picking the best of the strategies compared with random (Bonferroni over k).
    k = max(1, sum(1 for n in result.config.strategies if n != "random" and (ps["strategy"] == n).any()))
    if k > 1 and MIN_SEEDS_FOR_VERDICT <= n_seeds_run < _stats.min_seeds_for_verdict(k):
        summary.notes.append(
            f"{n_seeds_run} seeds cannot give a verdict when {k} strategies are compared with random: picking the "
            f"best of {k} needs at least {_stats.min_seeds_for_verdict(k)} seeds to keep a wrong verdict at 5% or "
            "less. Run more seeds, or compare fewer strategies."
        )
    for name in result.config.strategies:
        g = ps[ps["strategy"] == name]
        if g.empty:
            continue
        ltt = _censored_median(g["labels_to_target"].to_numpy(), g["censored"].to_numpy())
        auc = _iv(g["auc"].to_numpy())
        final = _iv(g["final"].to_numpy())
        savings = gain = None
        verdict, basis, p_worse, sentence, p_value = "reference", "", None, "", None
        if name != "random":
            gm = g.merge(rnd, on="seed", suffixes=("", "_r"))
            gains = (gm["auc"] - gm["auc_r"]).to_numpy()
            gain_v = _stats.sign_verdict(gains, k=k)
            gain = Interval(gain_v.interval.median, gain_v.interval.low, gain_v.interval.high,
                            confidence=gain_v.interval.confidence)
            sv = None
            if not too_easy and not no_signal:
                savings, sv = _savings(g, rnd, k)
            if savings is not None and sv is not None:
                verdict, p_value = sv.verdict, sv.p_value
                p_worse = _share_worse(_paired_savings(g, rnd)[1])
                basis = f"labels to reach {target.describe(metric)}, paired by seed"
                n_paired = len(_paired_savings(g, rnd)[0])
            else:
                verdict, p_value = gain_v.verdict, gain_v.p_value
                p_worse = _share_worse(gains)
                basis = f"area under the {SCORE_NAMES[metric]} curve up to {budget} labels, paired by seed"
                n_paired = len(gm)
                if not too_easy and not no_signal:
                    summary.notes.append(f"{name}: neither it nor random reached the target within the budget "
                                         "in any seed; compared by area under the curve.")
            if k > 1:
                basis += f", corrected for picking the best of {k} strategies"
            sentence = _sentence(name, verdict, savings, gain, target, metric, budget, k)
            if no_signal:
                verdict = "no evidence"
                sentence = (f"No evidence that {name.replace('_', ' ')} beats random: the model learns nothing "
                            "from these features, whichever rows are labeled.")
            elif n_paired < MIN_SEEDS_FOR_VERDICT:
                verdict, p_worse = "no evidence", None  # a share of a few seeds is no probability
                sentence = _few_seeds_sentence(name, n_paired, len(gm), savings is not None)
            elif n_paired < _stats.min_seeds_for_verdict(k):
                verdict = "no evidence"
                sentence = _few_seeds_sentence(name, n_paired, len(gm), savings is not None, k)
        summary.strategies[name] = StrategySummary(
            name=name, labels_to_target=ltt, savings_vs_random=savings, auc=auc, auc_gain_vs_random=gain,
            final=final, verdict=verdict, verdict_basis=basis, p_worse_than_random=p_worse, n_seeds=len(g),
            sentence=sentence, n_censored=int(g["censored"].sum()), p_value=p_value,
            k_compared=k if name != "random" else 1,
        )
    return summary


