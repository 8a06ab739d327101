"""What the simulation results say: curves with bands, labels to a target, savings and a verdict.

Intervals are over seeds. Point values are medians across seeds: a median stays exact while fewer
than half of the seeds are censored (did not reach the target within the budget), where a mean would not.
Every interval is the order-statistic interval of the median and every verdict the exact sign test
(:mod:`simulations.stats`, docs/statistics.md).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from simulations import stats as _stats
from simulations.errors import ConfigError
from simulations.stats import MedianInterval

if TYPE_CHECKING:
    from simulations.results import SimulationResult

METRIC_NAMES = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "macro_f1": "macro-F1"}
#: Scores a plan may be computed in besides the run's metrics: the error-cost score
#: (``simulations.economics.value_model``, 1 - expected error cost / the largest cost) when errors are priced.
SCORE_NAMES = {**METRIC_NAMES, "error_cost_score": "error-cost score"}
#: The data is imbalanced when its smallest class holds less than this share of an equal split (1 / number of
#: classes): 20% of the rows with 2 classes, 13.3% with 3, 4% with 10. A fixed 20% would call ten equal classes
#: (10% each) imbalanced.
IMBALANCE_SHARE_OF_EQUAL = 0.40
CONFIDENCE = _stats.CONFIDENCE
#: Fewer seeds than this (paired with random) give no verdict: with 5 seeds or fewer no interval of the median
#: reaches 95% ([min, max] covers 1 - 2 / 2**n: 93.75% at 5), so the false-verdict rate could not be held at 5%.
#: Comparing several strategies needs more (:func:`simulations.stats.min_seeds_for_verdict`: 7 for 2-3).
MIN_SEEDS_FOR_VERDICT = _stats.min_seeds_for_verdict(1)
#: A whole-pool model less than this far above the majority-class baseline has learned nothing to buy with labels.
NO_SIGNAL_MARGIN = 0.01


def choose_metric(class_counts: pd.Series | dict) -> tuple[str, str]:
    """The default metric for a class distribution, and the reason in plain words."""
    counts = pd.Series(class_counts, dtype=float)
    share = counts.min() / counts.sum()
    limit = IMBALANCE_SHARE_OF_EQUAL / max(len(counts), 1)
    if share < limit:
        return "balanced_accuracy", (
            f"Balanced accuracy (mean recall per class), because the smallest class is {share:.1%} of the rows "
            f"(under {limit:.1%}, {IMBALANCE_SHARE_OF_EQUAL:.0%} of an equal share among {len(counts)} classes): "
            f"always predicting the majority class would already score {counts.max() / counts.sum():.1%} plain "
            "accuracy."
        )
    return "accuracy", (f"Accuracy, because classes are reasonably balanced (smallest class {share:.1%} of the rows, "
                        f"{len(counts)} classes).")


def run_metric(class_counts: pd.Series | dict, requested: str | None = None) -> tuple[str, str]:
    """The metric a run is judged by and why: the ``requested`` one, else :func:`choose_metric`'s default.

    One rule for ``run_simulation`` and sweep tasks: the metric also decides ``class_weight="auto"``.
    """
    if requested is not None:
        return requested, f"{METRIC_NAMES[requested].capitalize()}, as requested."
    return choose_metric(class_counts)


@dataclass(frozen=True)
class Target:
    """A performance target.

    kind : ``"share_of_ceiling"`` (value x whole-pool model's score), ``"absolute"`` (the value itself),
        or ``"share_of_gap"`` (majority-class baseline + value x (ceiling - baseline)).
    value : float
    """

    kind: Literal["share_of_ceiling", "absolute", "share_of_gap"] = "share_of_ceiling"
    value: float = 0.95

    def __post_init__(self) -> None:
        if self.kind not in ("share_of_ceiling", "absolute", "share_of_gap"):
            raise ConfigError(f"Unknown target kind '{self.kind}'.",
                              hint="Use share_of_ceiling, absolute or share_of_gap.")
        if not (0 < self.value <= 1):
            raise ConfigError(f"The target must be a fraction in (0, 1] (got {self.value}).",
                              hint="E.g. 0.95 for 95% of the full-data score, or 0.9 for 90% accuracy.")

    def describe(self, metric: str) -> str:
        m = SCORE_NAMES.get(metric, metric)
        if self.kind == "absolute":
            return f"{m} of {self.value:.1%}"
        if self.kind == "share_of_ceiling":
            return f"{self.value:.0%} of the full-data {m}"
        return f"{self.value:.0%} of the way from the majority-class baseline to the full-data {m}"

    def value_for(self, ceiling: float, baseline: float) -> float:
        if self.kind == "absolute":
            return self.value
        if self.kind == "share_of_ceiling":
            return self.value * ceiling
        return baseline + self.value * (ceiling - baseline)


@dataclass
class Interval:
    """A median over seeds with its order-statistic interval (95%, or more for a verdict over several strategies).

    ``censored`` means the median is a bound, not a measurement: ``bound`` says which side
    ("lower": the truth is at least ``median``; "upper": at most). ``confidence`` is the coverage the interval
    attains (:func:`simulations.stats.median_interval`): below 0.95 with 5 seeds or fewer, where [min, max] is all
    there is.
    """

    median: float | None
    low: float | None
    high: float | None
    censored: bool = False
    bound: str | None = None
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def format_interval(iv: Interval | None, pct: bool = False, digits: int = 0) -> str:
    """``median (low to high)`` for people, ``>= `` / ``<= `` before a censored median; "n/a" without one.

    Parameters
    ----------
    iv : Interval or None
    pct : bool
        Show shares as percentages.
    digits : int
        Decimals shown.
    """
    if iv is None or iv.median is None:
        return "n/a"

    def f(x: float | None) -> str:
        if x is None:
            return "n/a"
        return f"{100 * x:.{digits}f}%" if pct else f"{x:,.{digits}f}"

    prefix = {"lower": ">= ", "upper": "<= "}.get(iv.bound or "", "")
    if f(iv.low) == f(iv.median) == f(iv.high):  # every seed agrees: "400 (400 to 400)" says nothing more
        return f"{prefix}{f(iv.median)}"
    return f"{prefix}{f(iv.median)} ({f(iv.low)} to {f(iv.high)})"


def _resolve_metric(result: SimulationResult, metric: str | None) -> str:
    metric = metric or result.metric
    if metric not in SCORE_NAMES:
        raise ConfigError(f"Unknown metric '{metric}'.", hint=f"Use one of: {', '.join(METRIC_NAMES)}.")
    return metric


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


def _iv(values: np.ndarray, *, confidence: float = CONFIDENCE) -> Interval:
    iv = _stats.median_interval(values, confidence=confidence)
    return Interval(iv.median, iv.low, iv.high, confidence=iv.confidence)


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


Score = tuple[float | None, float | None, int]


def rank_strategies(scores: dict[str, Score]) -> list[str]:
    """Strategy names, best first, by the one rule shared by ``Summary.best`` and ``economics.choose_strategy``.

    Parameters
    ----------
    scores : dict of name to (saving, auc_gain, n_censored)
        Median share of labels saved against random (None when not reported: target too easy or never reached),
        median paired gain in area under the curve (None when unknown), and seeds that did not reach the target.

    Returns
    -------
    list of str
        Sorted by the larger saving (a reported saving beats none), then the larger AUC gain, then fewer censored
        seeds, then the name that sorts first: equally good strategies are always broken the same way.
    """

    def key(name: str) -> tuple[float, float, int, str]:
        saving, gain, n_censored = scores[name]
        sv = saving if saving is not None and math.isfinite(saving) else -math.inf
        ag = gain if gain is not None and math.isfinite(gain) else -math.inf
        return (-sv, -ag, int(n_censored), name)

    return sorted(scores, key=key)


def per_seed_scores(table: pd.DataFrame) -> dict[str, Score]:
    """(saving, AUC gain, censored seeds) of every non-random strategy, from a :func:`per_seed` table.

    Computed exactly as :func:`summarize` does: savings paired by seed, seeds where both are censored left out,
    none when most seeds are too easy; the AUC gain only when the table has an ``auc`` column. Strategies with no
    seed in common with random are left out.
    """
    ps = table.assign(strategy=table["strategy"].astype(str))
    too_easy = _mostly_too_easy(ps)
    rnd = ps[ps["strategy"] == "random"]
    out: dict[str, Score] = {}
    for name in dict.fromkeys(ps["strategy"]):
        if name == "random":
            continue
        g = ps[ps["strategy"] == name]
        m = g.merge(rnd, on="seed", suffixes=("", "_r"))
        if m.empty:
            continue
        saving = None
        if not too_easy:
            _, s = _paired_savings(g, rnd)
            saving = float(np.median(s)) if len(s) else None
        gain = float(np.median((m["auc"] - m["auc_r"]).to_numpy())) if "auc" in m.columns else None
        out[name] = (saving, gain, int(g["censored"].astype(bool).sum()))
    return out


def _mostly_too_easy(table: pd.DataFrame) -> bool:
    """True when most seeds (more than half) already meet the target with the initial labels (savings not
    reported); a seed that does counts as a saving of zero otherwise.

    One rule for :func:`summarize` and :func:`per_seed_scores`, so the verdict and the ranking agree.
    """
    return bool(table.groupby("seed")["too_easy"].first().mean() > 0.5)


def _censored_median(values: np.ndarray, censored: np.ndarray) -> Interval:
    """Labels to target over seeds, where a censored seed's true value exceeds its recorded budget."""
    iv = _iv(values)
    # The median is a measurement while fewer than half the seeds are censored; otherwise only a bound.
    if censored.sum() * 2 >= len(values):
        iv.censored, iv.bound = True, "lower"
    return iv


def _paired_savings(al: pd.DataFrame, rnd: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Seeds of ``al`` paired with random's (both censored left out: they say nothing) and their saved share.

    The share ``1 - labels_al / labels_random`` is summarised only by order statistics (median, order-statistic
    interval, signs), which do not depend on the scale: the same seeds are picked as with the log ratio
    ``log(labels_random / labels_al)``, so a seed whose ratio explodes (random reached the target with very few
    labels) moves an interval end, never the median past its neighbouring seed.
    """
    m = al.merge(rnd, on="seed", suffixes=("", "_r"))
    m = m[~(m["censored"].astype(bool) & m["censored_r"].astype(bool))]
    return m, 1 - m["labels_to_target"].to_numpy() / m["labels_to_target_r"].to_numpy()


def _savings(al: pd.DataFrame, rnd: pd.DataFrame, k: int) -> tuple[Interval | None, _stats.Verdict | None]:
    """Per-seed fraction of labels saved vs random (paired by seed), with censoring as bounds, and the verdict.

    The interval is the verdict's: at ``1 - 0.05 / k`` for ``k`` strategies compared with random.
    """
    m, s = _paired_savings(al, rnd)
    if m.empty:
        return None, None
    # Random censored: it needs more than the budget, so the true saving is larger (a lower bound);
    # the strategy censored: the true saving is smaller (an upper bound). The sign of each seed's saving is
    # right either way, so the sign-test verdict is exact under censoring.
    lower = m["censored_r"].to_numpy() & ~m["censored"].to_numpy()
    upper = m["censored"].to_numpy() & ~m["censored_r"].to_numpy()
    v = _stats.sign_verdict(s, k=k)
    iv = v.interval
    med, lo, hi = iv.median, iv.low, iv.high
    ordered = np.where(lower, np.inf, np.where(upper, -np.inf, s))
    true_median = np.median(ordered)
    if np.isposinf(true_median):
        return Interval(med, lo, hi, censored=True, bound="lower", confidence=iv.confidence), v
    if np.isneginf(true_median):
        return Interval(med, lo, hi, censored=True, bound="upper", confidence=iv.confidence), v
    if lower.any() or upper.any():
        # The median itself is exact; the interval's end on the censored side is a bound.
        return Interval(med, lo, hi, censored=False, bound="interval_partly_censored", confidence=iv.confidence), v
    return Interval(med, lo, hi, confidence=iv.confidence), v


def _share_worse(values: np.ndarray) -> float | None:
    """Share of the compared seeds in which the strategy did worse than random (a description, not an error rate)."""
    values = np.asarray(values, dtype=float)
    return float(np.mean(values < 0)) if len(values) else None


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _pct1(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


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


def is_no_signal(ceiling: float, baseline: float) -> bool:
    """The "no signal" rule: the whole-pool model scores less than ``NO_SIGNAL_MARGIN`` above the majority-class
    baseline (medians over seeds), so the features do not predict the label and no labeling plan can help.

    The one definition the summary, the business case, the sweep and the stopping advice all use.
    """
    return bool(ceiling - baseline < NO_SIGNAL_MARGIN)


def no_signal_sentence(ceiling: float, baseline: float, metric: str) -> str:
    """The verdict sentence of a no-signal run (see :func:`is_no_signal`)."""
    m = SCORE_NAMES.get(metric, metric)
    return (f"No strategy can save labels here: the model trained on the whole pool scores "
            f"{_pct1(ceiling)} {m}, no better than always predicting the majority class ({_pct1(baseline)}).")


def no_signal_warning(result: SimulationResult, metric: str | None = None) -> str:
    """:func:`no_signal_sentence` when ``result`` has no signal by :func:`is_no_signal`, else "".

    Uses the medians over seeds of ``result.ceilings`` (the whole-pool and majority-class scores), as
    :func:`summarize` does; results without those scores give "" (nothing to judge by).
    """
    metric = _resolve_metric(result, metric)
    ceilings = getattr(result, "ceilings", None)
    if ceilings is None or metric not in ceilings.columns or f"baseline_{metric}" not in ceilings.columns:
        return ""
    c = pd.to_numeric(ceilings[metric], errors="coerce").dropna()
    b = pd.to_numeric(ceilings[f"baseline_{metric}"], errors="coerce").dropna()
    if c.empty or b.empty:
        return ""
    c_med, b_med = float(np.median(c)), float(np.median(b))
    return no_signal_sentence(c_med, b_med, metric) if is_no_signal(c_med, b_med) else ""


def _few_seeds_sentence(name: str, n_paired: int, n_seeds: int, by_labels: bool, k: int = 1) -> str:
    label = name.replace("_", " ")
    verb = "compares" if n_paired == 1 else "compare"
    if by_labels and n_paired < n_seeds:
        why = (f"only {n_paired} of {n_seeds} seeds {verb} it with random (in the other {n_seeds - n_paired} "
               "neither reached the target within the budget)")
    else:
        why = f"only {n_paired} seed{'s' if n_paired != 1 else ''} {verb} it with random"
    need = _stats.min_seeds_for_verdict(k)
    among = f" when the best of {k} strategies is picked" if k > 1 else ""
    return (f"No verdict for {label}: {why}, and a verdict needs at least {need}{among} (fewer cannot keep a "
            "wrong verdict at 5% or less). Run more seeds or raise the budget.")


def _level(iv: Interval, k: int) -> str:
    conf = iv.confidence if iv.confidence is not None else CONFIDENCE
    txt = f"{100 * conf:.1f}".rstrip("0").rstrip(".") + "% interval"
    return txt + (f", corrected for picking the best of {k} strategies" if k > 1 else "")


def _sentence(name: str, verdict: str, savings: Interval | None, gain: Interval | None, target: Target,
              metric: str, budget: int, k: int = 1) -> str:
    label = name.replace("_", " ")
    what = target.describe(metric)
    if savings is not None:
        rng_txt = f"({_pct(savings.low)} to {_pct(savings.high)}; {_level(savings, k)})"
        if verdict == "beats random":
            amount = f"at least {_pct(savings.median)}" if savings.bound == "lower" else _pct(savings.median)
            return f"{label} reaches {what} with {amount} {rng_txt} fewer labels than random."
        if verdict == "worse than random":
            more = f"({_pct(-savings.high)} to {_pct(-savings.low)}; {_level(savings, k)})"
            amount = f"at least {_pct(-savings.median)}" if savings.bound == "upper" else _pct(-savings.median)
            return f"{label} needs {amount} {more} more labels than random to reach {what}."
        # a censored side makes the median itself a bound: say which, as the table's >= / <= does
        amount = {"lower": "at least ", "upper": "at most "}.get(savings.bound or "", "") + _pct(savings.median)
        return (f"No evidence that {label} beats random on this data: the saving to reach {what} is "
                f"{amount} with an interval {rng_txt} that includes zero.")
    assert gain is not None
    m = SCORE_NAMES[metric]
    rng_txt = f"({gain.low:+.3f} to {gain.high:+.3f}; {_level(gain, k)})"
    if verdict == "beats random":
        return f"{label} learns faster than random: {gain.median:+.3f} {rng_txt} mean {m} up to {budget} labels."
    if verdict == "worse than random":
        return f"{label} learns slower than random: {gain.median:+.3f} {rng_txt} mean {m} up to {budget} labels."
    return f"No evidence that {label} beats random on this data (mean {m} gain {gain.median:+.3f} {rng_txt})."
