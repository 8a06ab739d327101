"""When items cost different amounts: the strategy that saves the most money, and the plan's money to the target.

Split from ``simulations.plan.build`` (which imports and re-exports them): :func:`cheapest_strategy` ranks the
strategies by their median money saving against random sampling, paired by seed, and :func:`_costs` gives both
plans' money to the target and the money saved (``Plan.costs``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from simulations.economics import BusinessCaseRange
from simulations.money import money
from simulations.plan.model import Estimate, _estimate, _finite

__all__ = ["cheapest_strategy"]


def cheapest_strategy(result: Any, table: pd.DataFrame) -> str | None:
    """The active-learning strategy with the largest median money saving against random, paired by seed.

    Each seed's money to the target is the simulation's spend at its labels to target (``money_at``); a seed that
    never reached the target spent at least what it spent in all (+inf here, so it ranks last), and seeds where
    both the strategy and random never reached it are left out, as the summary's savings do. Ties go to the name
    that sorts first; None when no strategy has a comparable seed.
    """
    from simulations.economics.from_results import money_at

    def money(row: Any) -> float:
        return math.inf if row.censored else money_at(result.rounds, row.strategy, row.seed,
                                                      float(row.labels_to_target))

    spent = {(r.strategy, r.seed): (money(r), bool(r.censored)) for r in table.itertuples(index=False)}
    best: tuple[float, str] | None = None
    for name in sorted({str(s) for s in table["strategy"]} - {"random"}):
        diffs = [spent[("random", seed)][0] - m for (s, seed), (m, cens) in spent.items()
                 if s == name and ("random", seed) in spent and not (cens and spent[("random", seed)][1])]
        if not diffs:
            continue
        med = _median_with_infinities(diffs)
        if best is None or med > best[0]:
            best = (med, name)
    return None if best is None else best[1]


def _median_with_infinities(values: list[float]) -> float:
    """The median of savings that may be +-inf (a censored side) or nan (inf - inf: counted as -inf, last).

    ``np.median`` averages the two middle values, and ``nan_to_num`` would turn infinities into the largest floats,
    whose average overflows (a RuntimeWarning on the user's terminal); two infinite middles of opposite sign are a
    tie at 0.
    """
    v = np.sort(np.where(np.isnan(values), -np.inf, np.asarray(values, dtype=float)))
    n = len(v)
    if n % 2:
        return float(v[n // 2])
    lo, hi = v[n // 2 - 1], v[n // 2]
    if np.isinf(lo) and np.isinf(hi) and lo != hi:
        return 0.0
    return float(lo if np.isinf(lo) else hi if np.isinf(hi) else (lo + hi) / 2)


def _costs(item_costs: dict[str, Any], case: BusinessCaseRange, strategy: str) -> dict[str, Any]:
    """Money to the target for both plans and the money saved, per seed then summarized like every figure."""
    from simulations.stats import median_interval

    ps = case.per_seed
    saved = ps["random_label_cost"].to_numpy(float) - ps["al_label_cost"].to_numpy(float)
    iv = median_interval(saved, confidence=case.confidence) if len(saved) >= 2 else None
    saved_est = (Estimate(median=iv.median, low=iv.low, high=iv.high) if iv is not None
                 else Estimate(median=float(np.median(saved)), low=float(np.min(saved)), high=float(np.max(saved))))
    al, rnd = _estimate(case.al_label_cost), _estimate(case.random_label_cost)
    per_label = {k: item_costs.get(k) for k in ("mean", "median", "min", "max", "p10", "p90")}
    sentence = (f"Items cost {money(per_label['min'], cents=True)} to {money(per_label['max'], cents=True)} a label "
                f"({item_costs['source']}; average {money(per_label['mean'], cents=True)}): "
                f"{strategy.replace('_', ' ')} spends about {money(al.median)} ({money(al.low)} to {money(al.high)}) "
                f"on labels to reach the target, random sampling about {money(rnd.median)} ({money(rnd.low)} to "
                f"{money(rnd.high)}); money saved {money(saved_est.median)} ({money(saved_est.low)} to "
                f"{money(saved_est.high)}).")
    return {"source": item_costs["source"], "varies": bool(item_costs.get("varies", True)),
            "per_label": per_label,
            "money_to_target": {"al": _money_dict(al), "random": _money_dict(rnd)},
            "money_saved": _money_dict(saved_est), "sentence": sentence}


def _money_dict(e: Estimate) -> dict[str, Any]:
    return {"median": _finite(e.median), "low": _finite(e.low), "high": _finite(e.high), "bound": e.bound or None}
