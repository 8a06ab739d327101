"""The business case from simulation results: which strategy, where each plan stops, and the pool checks.

* :func:`business_case_from_results` (a ``SimulationResult``) and :func:`business_case_from_per_seed` (its
  per-seed and rounds tables) build each seed's random and AL plans and hand them to
  :func:`~simulations.economics.case.business_case_over_seeds`.
* :func:`choose_strategy`: the AL strategy the case is built on (the summary's ranking rule).
* ``_plan``, ``_first_crossing``, ``_rounds_needed``: where one plan stops (target, budget cap or censored),
  optionally through a learning-curve :data:`Projection` (:func:`curve_projection`).
* :func:`check_pool_covers_simulation`: refuses a production pool smaller than the simulated one; ``_pool_caveat``
  adds the quick-estimate caveat when the production pool is larger.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from simulations.economics.case import BusinessCaseRange, business_case_over_seeds
from simulations.economics.inputs import EconomicInputs
from simulations.errors import ConfigError, ResultsFileError

__all__ = [
    "Projection",
    "business_case_from_per_seed",
    "business_case_from_results",
    "check_pool_covers_simulation",
    "choose_strategy",
    "curve_projection",
]

#: A learning-curve projection (e.g. a fit from ``simulations.curves``): called with the strategy name,
#: the seed and one seed's observed curve (label counts, metric values), it returns a vectorized
#: function mapping label counts to the projected metric value. Used only beyond the simulated budget.
Projection = Callable[[str, int, np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]

_PER_SEED_COLUMNS = ("strategy", "seed", "target_value", "labels_to_target", "censored", "too_easy")


def choose_strategy(per_seed: pd.DataFrame, strategy: str | None = None) -> str:
    """The AL strategy to build the case on: ``strategy`` if given (checked), else the best one.

    Best = :func:`simulations.summary.rank_strategies` on :func:`simulations.summary.per_seed_scores`, the
    rule ``Summary.best`` uses too: the largest median paired share of labels saved against random
    (1 - labels_to_target of the strategy / that of random, same seed), then the larger AUC gain (when the
    table has ``auc``), then fewer censored seeds, then the name that sorts first.
    """
    names = sorted(set(per_seed["strategy"].astype(str)))
    if "random" not in names:
        raise ConfigError(
            "The results have no 'random' strategy to compare against.",
            "Re-run the simulation with random included (it is added by default).",
        )
    candidates = [s for s in names if s != "random"]
    if strategy is not None:
        if strategy == "random":
            raise ConfigError(
                "strategy 'random' is the baseline; the business case needs an AL strategy.",
                f"Choose one of: {', '.join(candidates) or '(none simulated)'}.",
            )
        if strategy not in candidates:
            raise ConfigError(
                f"Strategy '{strategy}' is not in the results.",
                f"Choose one of: {', '.join(candidates) or '(none simulated)'}.",
            )
        return strategy
    if not candidates:
        raise ConfigError(
            "The results contain only random sampling; there is no AL strategy to cost.",
            "Re-run the simulation with at least one AL strategy, e.g. margin.",
        )
    from simulations.summary import per_seed_scores, rank_strategies  # the one ranking rule, shared

    scores = per_seed_scores(per_seed)
    if not scores:
        raise ResultsFileError(
            "No seed has results for both random and an AL strategy.",
            "The results file looks incomplete: re-run the simulation.",
        )
    return rank_strategies(scores)[0]


def _curve(rounds: pd.DataFrame, strategy: str, seed: Any, metric: str) -> tuple[np.ndarray, np.ndarray]:
    sub = rounds[(rounds["strategy"] == strategy) & (rounds["seed"] == seed)]
    sub = sub.groupby("labels", as_index=False)[metric].mean().sort_values("labels")
    return sub["labels"].to_numpy(float), sub[metric].to_numpy(float)


def money_at(rounds: pd.DataFrame, strategy: str, seed: Any, labels: float) -> float:
    """Money one seed's plan spends to buy ``labels`` labels, from the simulation's cumulative ``spend``.

    Within the simulated labels: the spend interpolated between rounds. Beyond them: the last round's average price
    per label for every further label (an assumption the plan states).
    """
    x, s = _curve(rounds, strategy, seed, "spend")
    if not x.size:
        return math.nan
    if labels <= x[-1]:
        return float(np.interp(labels, x, s))
    return float(s[-1] / x[-1] * labels) if x[-1] > 0 else 0.0


def _price_factors(rounds: pd.DataFrame, names: tuple[str, str], seed: Any, labels: tuple[float, float],
                   cost_per_label: float) -> tuple[float, float]:
    """Each plan's price per label over ``cost_per_label`` (1 when every label is free: the spend is then 0 too)."""
    out = []
    for name, n in zip(names, labels, strict=True):
        m = money_at(rounds, name, seed, n)
        out.append(m / (n * cost_per_label) if n > 0 and cost_per_label > 0 and math.isfinite(m) else 1.0)
    return out[0], out[1]


def _first_crossing(
    f: Callable[[np.ndarray], np.ndarray], start: float, stop: float, target: float
) -> float | None:
    """Smallest whole label count in (start, stop] where the projected curve f reaches target, or None."""
    if stop <= start:
        return None
    grid = np.unique(np.round(np.geomspace(max(start, 1.0), stop, 200)))
    grid = grid[grid > start]
    if grid.size == 0:
        return None
    vals = np.asarray(f(grid), float)
    hit = np.flatnonzero(vals >= target)
    if hit.size == 0:
        return None
    hi = int(grid[hit[0]])
    lo = int(grid[hit[0] - 1]) if hit[0] > 0 else math.floor(start)
    while hi - lo > 1:  # bisection between the last miss and the first hit
        mid = (lo + hi) // 2
        if float(np.asarray(f(np.array([mid], float)), float)[0]) >= target:
            hi = mid
        else:
            lo = mid
    return float(hi)


@dataclass
class _Plan:
    labels: float
    accuracy: float
    censored: bool
    capped: bool = False
    projected: bool = False


def _plan(
    strategy: str, seed: Any, row: pd.Series, x: np.ndarray, y: np.ndarray, cap: float, projection: Any
) -> _Plan:
    """Where one strategy's plan stops on one seed: the target, the cap, or (censored) unknown."""
    target = float(row["target_value"])
    labels = float(row["labels_to_target"])
    censored = bool(row["censored"])
    sim_end = float(x[-1]) if x.size else labels

    if isinstance(projection, pd.DataFrame):
        hit = projection[(projection["strategy"] == strategy) & (projection["seed"] == seed)]
        if censored and not hit.empty:
            p = hit.iloc[0]
            pl = float(p["labels_to_target"])
            pc = bool(p["censored"]) if "censored" in p.index else False
            acc = float(p["accuracy"]) if "accuracy" in p.index and pd.notna(p["accuracy"]) else target
            if pl > cap:
                # the table says where the target is reached, not the accuracy at the cap: interpolate
                # between the last simulated point and the projected (labels, accuracy)
                if x.size and pl > sim_end:
                    at_cap = float(np.interp(cap, [sim_end, pl], [float(y[-1]), acc]))
                else:
                    at_cap = acc
                return _Plan(cap, at_cap, False, capped=True, projected=True)
            return _Plan(pl, acc, pc, projected=True)
    elif projection is not None and censored and cap > sim_end:
        f = projection(strategy, seed, x, y)
        crossing = _first_crossing(f, sim_end, cap, target)
        if crossing is not None:
            return _Plan(crossing, target, False, projected=True)
        return _Plan(cap, float(np.asarray(f(np.array([cap])), float)[0]), False, capped=True, projected=True)

    if not censored:
        if labels > cap:
            return _Plan(cap, float(np.interp(cap, x, y)), False, capped=True)
        return _Plan(labels, float(np.interp(labels, x, y)) if x.size else target, False)
    if cap <= sim_end:
        return _Plan(cap, float(np.interp(cap, x, y)), False, capped=True)
    # never reached within the simulated budget: at least this many labels; if it goes on it reaches
    # the target, so its accuracy at the (unknown) stopping point is the target
    return _Plan(labels, target, True)


def _rounds_needed(x: np.ndarray, labels: float) -> float:
    """AL rounds (query batches) in the simulated schedule until ``labels`` labels are used."""
    if x.size == 0:
        return 0.0
    n = float(np.sum(x < labels - 1e-9))
    if labels > x[-1] and x.size >= 2:  # beyond the simulation: continue with the last batch size
        step = max(1.0, x[-1] - x[-2])
        n += math.ceil((labels - x[-1]) / step) - 1
    return n


def check_pool_covers_simulation(
    inputs: EconomicInputs,
    *,
    simulated_pool: float | None = None,
    simulated_labels: float | None = None,
    file_rows: float | None = None,
) -> None:
    """Refuse a production pool smaller than what the simulation drew from (ConfigError with a hint).

    Learning curves carry over to a larger pool (labels, not pool size, drive them), but not to a smaller
    one: the simulated AL chose each batch among more items than the project has, and "label the whole
    pool" would be credited with the score of a model trained on more items than exist, so both baselines
    would be overstated. ``simulated_pool`` is the simulation's pool (``meta['n_pool']``), else
    ``simulated_labels`` (the most labels any simulated run bought) is the floor; ``file_rows`` (the rows of
    the file the results came from) only improves the hint.
    """
    pool = int(inputs.production_pool)
    if simulated_pool is not None and math.isfinite(float(simulated_pool)) and pool < float(simulated_pool):
        what = f"the pool the simulation drew from ({float(simulated_pool):,.0f} items)"
    elif simulated_labels is not None and math.isfinite(float(simulated_labels)) and pool < float(simulated_labels):
        what = f"the {float(simulated_labels):,.0f} labels the simulation already used"
    else:
        return
    rows = ""
    if file_rows is not None and math.isfinite(float(file_rows)) and float(file_rows) > pool:
        rows = f" (your results came from a file of {float(file_rows):,.0f} rows)"
    raise ConfigError(
        f"The production pool ({pool:,} items) is smaller than {what}: the simulation let active learning "
        "choose among more items than your project has, and would credit labeling the whole pool with a "
        "score only a larger pool reaches.",
        f"Give the number of unlabeled items in your real project{rows}. If it really has only {pool:,}, "
        "simulate on a sample of about that many rows so the business case matches it.",
    )


def business_case_from_per_seed(
    per_seed: pd.DataFrame,
    rounds: pd.DataFrame,
    inputs: EconomicInputs,
    *,
    metric: str,
    strategy: str | None = None,
    ceilings: pd.DataFrame | None = None,
    projection: Projection | pd.DataFrame | None = None,
    target: str | None = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int = 0,
) -> BusinessCaseRange:
    """The business case from a per-seed table (``simulations.summary.per_seed``) and the rounds table.

    Plans: on each seed, the random plan and the AL plan each label until they reach the target; a plan
    that would need more labels than the budget cap (or the production pool) stops there, with the
    accuracy its simulated curve has at the cap. A plan that did not reach the target within the
    simulated budget, with the cap beyond that budget, is *censored*: its labels are a lower bound
    (marked in the outputs) and its accuracy is taken as the target it would go on to reach. Label
    counts are used as simulated (a learning curve depends on the number of labels, not the pool size);
    pass ``projection`` (a :data:`Projection` callable, or a DataFrame with strategy, seed,
    labels_to_target, optional accuracy and censored) to replace censored seeds by projected numbers.

    Equal budget (reported beside the case, not added to it): both plans buy the same labels, the budget
    cap when given (the team would spend it either way) else the AL plan's labels (what random reaches
    for AL's money), evaluated on the simulated curves (at the last simulated count when beyond it,
    unless a projection callable is given).

    ``ceilings`` (per seed, the metric of the model trained on the whole pool) gives the whole-pool
    baseline's accuracy; rounds for the round overhead come from the simulated label schedule unless
    ``inputs.rounds`` or ``inputs.batch_size`` is set.
    """
    missing = [c for c in _PER_SEED_COLUMNS if c not in per_seed.columns]
    if missing:
        raise ResultsFileError(
            f"The per-seed table lacks columns: {', '.join(missing)}.",
            "Build it with simulations.summary.per_seed(result, target, metric).",
        )
    for c in ("strategy", "seed", "labels", metric):
        if c not in rounds.columns:
            raise ResultsFileError(
                f"The rounds table has no '{c}' column.",
                f"Check the metric name ('{metric}') and that the results file is complete.",
            )
    sim_labels = pd.to_numeric(rounds["labels"], errors="coerce").max() if len(rounds) else None
    check_pool_covers_simulation(inputs, simulated_labels=None if pd.isna(sim_labels) else float(sim_labels))
    chosen = choose_strategy(per_seed, strategy)
    ps = per_seed.copy()
    ps["strategy"] = ps["strategy"].astype(str)
    # The case's strategy is one of k simulated against random (the best, usually): its ranges and its "pays off"
    # correct for that choice as the summary's verdict does, even when the caller names it after seeing them.
    k_compared = max(1, int(ps.loc[ps["strategy"] != "random", "strategy"].nunique()))
    rnd = ps[ps["strategy"] == "random"].drop_duplicates("seed").set_index("seed")
    al = ps[ps["strategy"] == chosen].drop_duplicates("seed").set_index("seed")
    seeds = [s for s in rnd.index if s in al.index]
    if not seeds:
        raise ResultsFileError(
            f"No seed has results for both random and '{chosen}'.",
            "The results file looks incomplete: re-run the simulation.",
        )
    cap = inputs.effective_cap
    rows: dict[str, list[Any]] = {
        k: [] for k in ("lr", "la", "ar", "aa", "rc", "ac", "rounds", "el", "ear", "eaa", "awp", "fr", "fa")
    }
    # unequal item costs: each plan pays what the simulation spent to its label count, not labels x one price
    with_spend = "spend" in rounds.columns and bool(rounds["spend"].notna().all())
    notes: list[str] = []
    n_capped = n_projected = n_easy = n_beyond = n_whole = 0
    ceil_by_seed: dict[Any, float] = {}
    if ceilings is not None and metric in getattr(ceilings, "columns", ()) and "seed" in ceilings.columns:
        ceil_by_seed = dict(zip(ceilings["seed"], ceilings[metric].astype(float), strict=False))
    for seed in seeds:
        xr, yr = _curve(rounds, "random", seed, metric)
        xa, ya = _curve(rounds, chosen, seed, metric)
        pr = _plan("random", seed, rnd.loc[seed], xr, yr, cap, projection)
        pa = _plan(chosen, seed, al.loc[seed], xa, ya, cap, projection)
        ceiling = ceil_by_seed.get(seed)
        for plan in (pr, pa):
            # a plan stopped by the production pool labels every item: it *is* the whole-pool baseline, so it
            # gets the measured whole-pool score, not a curve's (possibly projected) value at that count
            if plan.capped and plan.labels >= inputs.production_pool and ceiling is not None \
                    and math.isfinite(ceiling):
                plan.accuracy = float(ceiling)
                n_whole += 1
        n_capped += pr.capped or pa.capped
        n_projected += pr.projected or pa.projected
        n_easy += bool(rnd.loc[seed]["too_easy"]) or bool(al.loc[seed]["too_easy"])
        rows["lr"].append(pr.labels)
        rows["la"].append(pa.labels)
        rows["ar"].append(pr.accuracy)
        rows["aa"].append(pa.accuracy)
        rows["rc"].append(pr.censored)
        rows["ac"].append(pa.censored)
        rows["rounds"].append(_rounds_needed(xa, pa.labels))
        if with_spend:
            fr, fa = _price_factors(rounds, ("random", chosen), seed, (pr.labels, pa.labels),
                                    float(inputs.cost_per_label))
            rows["fr"].append(fr)
            rows["fa"].append(fa)
        # equal budget
        e = cap if inputs.budget_cap is not None else pa.labels
        accs = []
        for name, x, y in (("random", xr, yr), (chosen, xa, ya)):
            if x.size and e > x[-1] and callable(projection) and not isinstance(projection, pd.DataFrame):
                accs.append(float(np.asarray(projection(name, seed, x, y)(np.array([e])), float)[0]))
            else:
                if x.size and e > x[-1]:
                    n_beyond += 1
                accs.append(float(np.interp(e, x, y)) if x.size else math.nan)
        rows["el"].append(e)
        rows["ear"].append(accs[0])
        rows["eaa"].append(accs[1])
        c = ceil_by_seed.get(seed)
        rows["awp"].append(c if c is not None and math.isfinite(c) else math.nan)

    if n_capped:
        notes.append(
            f"the budget cap / production pool stopped a plan before its target in {n_capped} seed(s)"
        )
    if n_whole:
        notes.append(
            f"{n_whole} plan(s) stopped by the production pool label every item: they get the whole-pool score"
        )
    if n_projected:
        notes.append(
            f"{n_projected} seed(s) use projected (extrapolated) learning curves beyond the simulation"
        )
    if n_easy:
        notes.append(f"{n_easy} seed(s) met the target with the initial labels already (too easy to compare)")
    if n_beyond:
        notes.append("equal-budget accuracies beyond the simulated budget are taken at its last point")
    notes.append(
        "label counts are taken as simulated (learning curves depend on the number of labels, "
        "not on the pool size)"
    )
    if k_compared > 1:
        notes.append(
            f"{chosen} is one of {k_compared} strategies simulated: the ranges are "
            f"{100 * (1 - (1 - confidence) / k_compared):.1f}% intervals, corrected for picking the best of "
            f"{k_compared}"
        )
    awp = np.asarray(rows["awp"], float)
    if np.all(np.isfinite(awp)):
        notes.append("whole-pool accuracy: the model trained on the whole simulated pool (ceiling)")
        awp_arg: Any = np.clip(awp, 0.0, 1.0)
    else:
        awp_arg = None
    use_rounds = inputs.rounds is None and inputs.batch_size is None
    if use_rounds and inputs.round_overhead > 0:
        notes.append("AL rounds counted from the simulated label schedule")
    if with_spend:
        notes.append("unequal item costs: each plan's label cost is the money the simulation spent on the items it "
                     "labeled to the target; labels beyond the simulation cost the last simulated round's average "
                     "price per label; the equal-budget view and the whole-pool plan count labels at the average "
                     "item cost")

    return business_case_over_seeds(
        rows["lr"],
        rows["la"],
        np.clip(rows["ar"], 0, 1),
        np.clip(rows["aa"], 0, 1),
        inputs,
        accuracy_whole_pool=awp_arg,
        random_censored=rows["rc"],
        al_censored=rows["ac"],
        al_rounds=rows["rounds"] if use_rounds else None,
        confidence=confidence,
        n_boot=n_boot,
        random_state=random_state,
        equal_budget={
            "labels": rows["el"],
            "accuracy_random": np.clip(rows["ear"], 0, 1),
            "accuracy_al": np.clip(rows["eaa"], 0, 1),
        },
        strategy=chosen,
        metric=metric,
        target=target,
        extra_assumptions=tuple(notes),
        k_compared=k_compared,
        price_factors=(rows["fr"], rows["fa"]) if with_spend else None,
    )


def curve_projection(**fit_kwargs: Any) -> Projection:
    """A :data:`Projection` from the learning-curve fits of ``simulations.curves`` (``fit_curve``).

    Each censored seed's observed curve is fitted (the model chosen by backtest there) and the fit's
    ``predict`` extends it beyond the simulated budget. ``fit_kwargs`` go to ``fit_curve``.
    """

    def project(
        strategy: str, seed: int, labels: np.ndarray, values: np.ndarray
    ) -> Callable[[np.ndarray], np.ndarray]:
        from simulations.curves import fit_curve  # imported when used: curves are optional here

        return fit_curve(labels, values, **fit_kwargs).predict

    return project


def _describe_target(target: Any, metric: str) -> str:
    if hasattr(target, "describe"):
        try:
            return str(target.describe(metric))
        except Exception:  # a description is cosmetic; fall back below
            pass
    kind = getattr(target, "kind", None)
    value = getattr(target, "value", None)
    if kind is None:
        return str(target)
    if kind == "share_of_ceiling":
        return f"{float(value):.0%} of the whole-pool model's score"
    if kind == "share_of_gap":
        return f"{float(value):.0%} of the gap between the majority-class baseline and the whole-pool model"
    return f"{kind} {value}"


def business_case_from_results(
    result: Any,
    inputs: EconomicInputs,
    target: Any,
    metric: str | None = None,
    strategy: str | None = None,
    *,
    projection: Projection | pd.DataFrame | None = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int = 0,
) -> BusinessCaseRange:
    """The business case from a :class:`simulations.results.SimulationResult`.

    ``target`` is a :class:`simulations.summary.Target`; ``metric`` defaults to the result's metric;
    ``strategy`` defaults to the AL strategy with the largest median label saving (see
    :func:`choose_strategy`). See :func:`business_case_from_per_seed` for how the plans are built.

    When the simulated pool (``result.meta['n_pool']``) is smaller than ``inputs.production_pool``, the case
    carries ``pool_caveat`` (:class:`simulations.curves.PoolCaveat`): the simulated and production pool sizes,
    the ceiling projected to the production pool, labels-to-target corrected for it beside the simulated ones,
    and the measured bias of such quick estimates. Its sentence is also added to the assumptions. The money
    figures themselves stay those of the simulation.

    When the whole-pool model is no better than the majority-class baseline (the simulation summary's rule,
    :func:`simulations.summary.is_no_signal`), the case carries ``no_signal`` and the summary's sentence, first in
    the assumptions: its money figures are arithmetic on a model that learns nothing, not a plan that pays.
    """
    from simulations.summary import no_signal_warning
    from simulations.summary import per_seed as _per_seed  # the lead's module; imported when needed

    meta = getattr(result, "meta", {}) or {}
    check_pool_covers_simulation(inputs, simulated_pool=_meta_number(meta, "n_pool"),
                                 file_rows=_meta_number(meta, "production_pool_rows"))
    metric = metric or meta.get("metric") or "accuracy"
    table = _per_seed(result, target, metric)
    case = business_case_from_per_seed(
        table,
        result.rounds,
        inputs,
        metric=metric,
        strategy=strategy,
        ceilings=getattr(result, "ceilings", None),
        projection=projection,
        target=_describe_target(target, metric),
        confidence=confidence,
        n_boot=n_boot,
        random_state=random_state,
    )
    caveat = _pool_caveat(result, inputs, target, metric, case.strategy)
    if caveat is not None:
        case = replace(case, pool_caveat=caveat, assumptions=(*case.assumptions, caveat.sentence))
    warning = no_signal_warning(result, metric)
    if warning:  # first: every other assumption is moot when the model learns nothing
        case = replace(case, no_signal=True, no_signal_sentence=warning, assumptions=(warning, *case.assumptions))
    return case


def _meta_number(meta: Mapping[str, Any], key: str) -> float | None:
    """A numeric entry of a results file's meta, or None when absent or not a number."""
    v = meta.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        return None
    return float(v) if math.isfinite(float(v)) else None


def _pool_caveat(result: Any, inputs: EconomicInputs, target: Any, metric: str, strategy: str | None) -> Any:
    """The quick-estimate caveat when the simulated pool is smaller than the production pool, else None."""
    from simulations.curves.pool import pool_caveat  # imported when used: curves are optional here
    from simulations.summary import Target

    meta = getattr(result, "meta", {}) or {}
    if not isinstance(target, Target) or (meta.get("n_pool") is None and meta.get("n_rows") is None):
        return None  # hand-made results without pool sizes: nothing to compare
    return pool_caveat(result, int(inputs.production_pool), target, strategy=strategy, metric=metric)
