"""How the plan's ROI moves with its inputs, computed per seed like the headline, so they reconcile.

The tornado moves one input at a time by a share and recomputes every seed's business case; the ROI shown is the
median over seeds, the same reducer as the headline, so the tornado's base *is* the headline ROI. The heat map
does the same over a grid of cost per label x production pool; for each pool the labels come from the plan's own
rule (the target re-expressed at that pool), so its cell for the user's inputs is the headline too.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from simulations.economics import EconomicInputs, case_fields

__all__ = ["GRID_COST_FACTORS", "GRID_POOL_FACTORS", "TORNADO_CHANGE", "seed_roi_grid", "seed_tornado"]

#: Multipliers of the user's cost per label and production pool on the heat map's axes.
GRID_COST_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)
GRID_POOL_FACTORS = (0.1, 0.3, 1.0, 3.0, 10.0)
#: The share each tornado input moves down and up.
TORNADO_CHANGE = 0.25

_PER_SEED = ("labels_random", "labels_al", "accuracy_random", "accuracy_al", "whole_pool_accuracy", "al_rounds")


def _arrays(per_seed: pd.DataFrame) -> dict[str, np.ndarray]:
    missing = [c for c in _PER_SEED if c not in per_seed.columns]
    if missing:
        raise KeyError(f"per-seed table lacks {missing}")
    out = {c: per_seed[c].to_numpy(float) for c in _PER_SEED}
    if "random_price_factor" in per_seed.columns:  # unequal item costs: each plan's price per label, as a multiple
        out["price_factors"] = (per_seed["random_price_factor"].to_numpy(float),
                                per_seed["al_price_factor"].to_numpy(float))
    return out


def _fields(a: dict[str, np.ndarray], inputs: EconomicInputs) -> dict[str, np.ndarray]:
    """Every seed's business case for ``a``'s plans at ``inputs`` (the per-plan prices scale with the cost)."""
    return case_fields(a["labels_random"], a["labels_al"], a["accuracy_random"], a["accuracy_al"],
                       a["whole_pool_accuracy"], inputs, None, a.get("price_factors"))


def _median_roi(a: dict[str, np.ndarray], inputs: EconomicInputs, key: str = "roi") -> float:
    out = _fields(a, inputs)
    with np.errstate(invalid="ignore"):
        return float(np.median(out[key]))


def seed_tornado(per_seed: pd.DataFrame, inputs: EconomicInputs, *, change: float = TORNADO_CHANGE) -> pd.DataFrame:
    """ROI (median over seeds) when each input alone moves down and up by ``change``, largest swing first.

    Parameters
    ----------
    per_seed : DataFrame, shape (n_seeds, ...)
        ``BusinessCaseRange.per_seed``: each seed's labels and accuracies.
    inputs : EconomicInputs

    Returns
    -------
    DataFrame with columns input, base_value, low_value, high_value, roi_low, roi_high, swing, base_roi
    (``base_roi`` is the headline ROI: the median over seeds at the inputs as given).
    """
    a = _arrays(per_seed)
    base_roi = _median_roi(a, inputs)
    names = [f for f in ("cost_per_label", "setup_cost", "value_per_point", "predictions", "cost_per_error")
             if getattr(inputs, f) not in (None, 0, 0.0)]
    names += ["labels_random", "labels_al", "accuracy_gain"]
    rows = []
    for name in names:
        if name in ("labels_random", "labels_al"):
            value = float(np.median(a[name]))
        elif name == "accuracy_gain":
            value = float(np.median((a["accuracy_al"] - a["accuracy_random"]) * 100.0))
        else:
            value = float(getattr(inputs, name))
        if value == 0:  # moving zero by a share moves nothing
            continue
        moved = []
        for factor in (1 - change, 1 + change):
            b, inp = dict(a), inputs
            if name in ("labels_random", "labels_al"):
                b[name] = a[name] * factor
            elif name == "accuracy_gain":
                b["accuracy_al"] = a["accuracy_random"] + (a["accuracy_al"] - a["accuracy_random"]) * factor
            else:
                inp = dataclasses.replace(inputs, **{name: value * factor})
            moved.append((value * factor, _median_roi(b, inp)))
        (lo_v, roi_lo), (hi_v, roi_hi) = moved
        swing = abs(roi_hi - roi_lo) if math.isfinite(roi_hi - roi_lo) else math.inf
        rows.append({"input": name, "base_value": value, "low_value": lo_v, "high_value": hi_v, "roi_low": roi_lo,
                     "roi_high": roi_hi, "swing": swing, "base_roi": base_roi})
    cols = ["input", "base_value", "low_value", "high_value", "roi_low", "roi_high", "swing", "base_roi"]
    return pd.DataFrame(rows, columns=cols).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def seed_roi_grid(per_seed_at_pool: Callable[[int], pd.DataFrame], inputs: EconomicInputs, *,
                  cost_values: Iterable[float], pool_values: Iterable[int]) -> pd.DataFrame:
    """ROI and net savings (medians over seeds) over cost per label x production pool.

    ``per_seed_at_pool(pool)`` gives each seed's plans for that pool by the plan's own rule (the target at that
    pool), so a pool's row moves with the labels that pool needs, and the user's cell equals the headline.

    Returns
    -------
    DataFrame with columns cost_per_label, production_pool, labels_random, labels_al, roi, total_benefit,
    whole_pool_roi, whole_pool_total_benefit, pays_off, whole_pool_pays_off (``pays_off``: the median net savings
    is above zero; the heat map's colour, not the plan's verdict).
    """
    rows: list[dict[str, Any]] = []
    for pool in pool_values:
        a = _arrays(per_seed_at_pool(int(pool)))
        for c in cost_values:
            inp = dataclasses.replace(inputs, cost_per_label=float(c), production_pool=int(pool))
            out = _fields(a, inp)
            with np.errstate(invalid="ignore"):
                med = {k: float(np.median(out[k])) for k in ("roi", "total_benefit", "whole_pool_roi",
                                                             "whole_pool_total_benefit")}
            rows.append({"cost_per_label": float(c), "production_pool": int(pool),
                         "labels_random": float(np.median(a["labels_random"])),
                         "labels_al": float(np.median(a["labels_al"])), **med,
                         "pays_off": bool(med["total_benefit"] > 0),
                         "whole_pool_pays_off": bool(med["whole_pool_total_benefit"] > 0)})
    return pd.DataFrame(rows)
