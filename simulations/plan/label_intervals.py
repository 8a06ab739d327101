"""Labels-to-target intervals at the production pool, and the figures that move with them.

Split from ``simulations.plan.build`` (which imports and re-exports them): the label counts of seeds that never
reached the target, read off each strategy's fitted curve (:func:`_extrapolate_censored`); a strategy's
labels-to-target interval with the projection's doubt (:func:`label_interval`); and the labels saved and the money
widened as those label intervals were (:func:`_saved_with_doubt`, :func:`_widen_money`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from simulations.plan.inputs import PlanInputs
from simulations.plan.model import Estimate, TargetAtPool
from simulations.plan.pilot import widen_difference, widen_for_fit
from simulations.summary import per_seed

__all__ = ["label_interval"]


def _extrapolate_censored(result: Any, table: pd.DataFrame, names: list[str], fits: Any,
                          production_pool: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Labels for the seeds whose simulated curve never reached the target, from each strategy's fitted curve.

    Returns the projection table ``business_case_from_per_seed`` takes (strategy, seed, labels_to_target, accuracy,
    censored) and the count of extrapolated seeds per strategy. A fitted curve that never reaches the target within
    the production pool gives the whole pool (the plan labels everything and gets the whole-pool score).
    """
    rows, counts = [], dict.fromkeys(names, 0)
    for name in names:
        fit = fits.fits.get(name) if fits is not None else None
        if fit is None:
            continue
        for r in table[(table["strategy"] == name) & table["censored"]].itertuples(index=False):
            tv = float(r.target_value)
            est = fit.labels_for(min(1.0, tv), level=0.95) if tv <= 1 else None
            labels = est.labels if est is not None and est.reachable and est.labels is not None else None
            # a censored seed's labels_to_target is the most it was simulated with, short of the target: it needs
            # at least that many, whatever the strategy's curve (fitted over every seed) says
            simulated = float(r.labels_to_target)
            labels = float(production_pool) if labels is None else min(max(float(labels), simulated),
                                                                       float(production_pool))
            rows.append({"strategy": name, "seed": r.seed, "labels_to_target": labels, "accuracy": min(tv, 1.0),
                         "censored": False})
            counts[name] += 1
    cols = ["strategy", "seed", "labels_to_target", "accuracy", "censored"]
    return pd.DataFrame(rows, columns=cols), counts


def _saved_with_doubt(saved: Estimate, lr0: Estimate, la0: Estimate, lr: Estimate, la: Estimate,
                      pool: int) -> Estimate:
    """Labels saved with the doubt the label intervals carry beyond their seeds' (``widen_difference``)."""
    if (lr.low, lr.high, la.low, la.high) == (lr0.low, lr0.high, la0.low, la0.high):
        return saved
    lo, hi = widen_difference(saved.low, saved.high, random_seeds=(lr0.low, lr0.high), random=(lr.low, lr.high),
                              al_seeds=(la0.low, la0.high), al=(la.low, la.high), pool=pool)
    return replace(saved, low=lo, high=hi)


def _widen_money(money_est: dict[str, Estimate], before: dict[str, Estimate], after: dict[str, Estimate], *,
                 price: float) -> tuple[dict[str, Estimate], dict[str, Estimate]]:
    """The money figures that are a label count times the price widened as that count was, at the price per label.

    Net savings and label-cost savings follow the labels saved, random's label cost the labels random needs, AL's
    label and total cost the labels AL needs (fixed costs do not move); otherwise the table would show widened
    labels beside the seeds' narrower money. Returns the money figures and, for ``Plan.calibration``'s "before",
    the widened ones as they were.
    """
    follows = {"net_savings": "labels_saved", "label_cost_savings": "labels_saved",
               "random_total_cost": "labels_random", "al_label_cost": "labels_al", "al_total_cost": "labels_al"}
    out, was = dict(money_est), {}
    for key, labels in follows.items():
        e, old, new = out.get(key), before[labels], after[labels]
        if e is None:
            continue
        extra_low = max(0.0, float(old.low) - float(new.low)) * price
        extra_high = max(0.0, float(new.high) - float(old.high)) * price
        was[key] = e
        out[key] = replace(e, low=e.low - extra_low, high=e.high + extra_high)
    return out, was


def _widened(e: Estimate, interval: tuple[float, float]) -> Estimate:
    return replace(e, low=min(e.low, interval[0]), high=max(e.high, interval[1]))


def label_interval(result: Any, inputs: PlanInputs, tap: TargetAtPool, fits: Any, strategy: str, *,
                   level: float, score_doubt: bool = False) -> tuple[float, float]:
    """A strategy's labels-to-target interval at the production pool, with the projection's doubt.

    Two sources of doubt, each with its own interval at ``level``; the interval shown holds both (their hull: one
    source at a time, not the product of their extremes):

    * the seeds: the order-statistic interval over seeds (``simulations.stats.median_interval``) of the per-seed
      label counts for the target at the production pool (seeds short of it read off the fitted curve, as the plan
      does). When every seed is read off the same curve, this interval says nothing about the curve;
    * the fitted curve: where its band crosses the target (``simulations.plan.pilot.widen_for_fit``).

    The projected full-data score's own range is *not* added by default (``score_doubt``): it is random's fitted
    curve's band at the production pool, the same fit whose band is already counted, and the two move together (a
    curve that runs higher raises the target with the score, and reaches it about as soon), so reading the target
    at the score's upper edge off the median curve counts one doubt twice, in opposite directions. The calibration
    suite (``benchmarks/calibration``) measures both rules. Never past the production pool.

    Returns
    -------
    (low, high) : tuple of float
    """
    from simulations.stats import median_interval

    metric = result.metric
    pool = int(inputs.production_pool)
    first = float((getattr(result, "meta", {}) or {}).get("n_initial") or result.config.initial_labels)
    c = result.ceilings
    c_sim, base = float(np.median(c[metric])), float(np.median(c[f"baseline_{metric}"]))
    target = inputs.target

    def labels_at(shift: float) -> np.ndarray:
        table = per_seed(result, target, metric, target_shift=shift)
        table = table[table["strategy"].astype(str) == strategy]
        proj, _ = _extrapolate_censored(result, table, [strategy], fits, pool)
        labels = table.set_index("seed")["labels_to_target"].astype(float)
        if not proj.empty:
            labels.update(proj.set_index("seed")["labels_to_target"].astype(float))
        return labels.to_numpy()

    iv = median_interval(labels_at(tap.shift), confidence=level)
    lo, hi = float(iv.low), float(iv.high)
    if tap.projected and score_doubt:
        for ceiling in (tap.ceiling_low, tap.ceiling_high):
            shift = max(0.0, target.value_for(ceiling, base) - target.value_for(c_sim, base))
            m = float(np.median(labels_at(shift)))
            lo, hi = min(lo, m), max(hi, m)
    fit = fits.fits.get(strategy) if fits is not None else None
    if fit is not None:
        lo, hi = widen_for_fit(lo, hi, fit, tap.score, level=level, first=first, pool=pool)
    return min(lo, pool), min(hi, pool)
