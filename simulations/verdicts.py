"""Each strategy against random over seeds: the interval of a median, labels saved paired by seed, the ranking
rule, the "no signal" rule and the verdict in words.

Intervals are order-statistic intervals of the median and verdicts the exact sign test (:mod:`simulations.stats`).
:mod:`simulations.summary` puts them together and re-exports every name, so ``from simulations.summary import ...``
keeps working.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulations import stats as _stats
from simulations.metric_and_target import SCORE_NAMES, _resolve_metric
from simulations.stats import CONFIDENCE

if TYPE_CHECKING:
    from simulations.metric_and_target import Target
    from simulations.results import SimulationResult

#: A whole-pool model less than this far above the majority-class baseline has learned nothing to buy with labels.
NO_SIGNAL_MARGIN = 0.01


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



def _iv(values: np.ndarray, *, confidence: float = CONFIDENCE) -> Interval:
    iv = _stats.median_interval(values, confidence=confidence)
    return Interval(iv.median, iv.low, iv.high, confidence=iv.confidence)



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
    """(saving, AUC gain, censored seeds) of every non-random strategy, from a
    :func:`~simulations.summary.per_seed` table.

    Computed exactly as :func:`~simulations.summary.summarize` does: savings paired by seed, seeds where both are
    censored left out, none when most seeds are too easy; the AUC gain only when the table has an ``auc`` column.
    Strategies with no seed in common with random are left out.
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

    One rule for :func:`~simulations.summary.summarize` and :func:`per_seed_scores`, so the verdict and the ranking
    agree.
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
    :func:`~simulations.summary.summarize` does; results without those scores give "" (nothing to judge by).
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
