"""How much the ROI depends on each assumption: a tornado table and an ROI grid for a heat map.

Both return plain tidy DataFrames; the dashboard draws them. The ROI is the one of
:mod:`simulations.economics.formulas` (total benefit / AL total cost, as in the worked example of
the project's reference notes, *stopping-and-curves.md*).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from simulations.economics.case import business_case
from simulations.economics.formulas import case_fields
from simulations.economics.inputs import EconomicInputs
from simulations.errors import ConfigError

__all__ = ["TORNADO_INPUTS", "roi_grid", "tornado"]

#: Inputs the tornado can move, in the order used to break ties in swing.
TORNADO_INPUTS: tuple[str, ...] = (
    "cost_per_label", "setup_cost", "value_per_point", "predictions", "cost_per_error", "round_overhead",
    "rounds", "batch_size", "production_pool", "labels_random", "labels_al", "accuracy_gain",
)
_WHOLE_NUMBERS = frozenset({"rounds", "batch_size", "production_pool"})
_BASELINES = ("random", "whole_pool")


def _check_baseline(baseline: str) -> str:
    if baseline not in _BASELINES:
        raise ConfigError(
            f"Unknown baseline '{baseline}'.",
            "Use 'random' (random sampling to the same target) or 'whole_pool' (label everything).",
        )
    return "roi" if baseline == "random" else "whole_pool_roi"


def _one_plan_pair(
    inputs: EconomicInputs,
    lr: float,
    la: float,
    ar: float,
    aa: float,
    awp: float,
    al_rounds: float | None,
) -> dict[str, np.ndarray]:
    """Every business-case output for one random plan and one AL plan: length-1 arrays, read at ``[0]``.

    Parameters
    ----------
    inputs : EconomicInputs
    lr, la : float
        Labels of the random and the AL plan.
    ar, aa, awp : float
        Accuracy of the random plan, the AL plan and the whole pool.
    al_rounds : float, optional
        AL rounds (None: derived from ``inputs``).

    Returns
    -------
    dict of str to ndarray, shape (1,)
    """
    return case_fields(
        np.array([lr]),
        np.array([la]),
        np.array([ar]),
        np.array([aa]),
        np.array([awp]),
        inputs,
        None if al_rounds is None else np.array([al_rounds]),
    )


def tornado(
    inputs: EconomicInputs,
    labels_random: float,
    labels_al: float,
    accuracy_random: float,
    accuracy_al: float,
    *,
    accuracy_whole_pool: float | None = None,
    al_rounds: float | None = None,
    change: float = 0.25,
    baseline: str = "random",
    include: Iterable[str] | None = None,
) -> pd.DataFrame:
    """ROI when each input alone moves down and up by ``change`` (default 25 %), sorted by swing.

    Moved: every money input that is set and non-zero (``cost_per_label``, ``setup_cost``,
    ``value_per_point`` or ``predictions`` and ``cost_per_error``, ``round_overhead`` with ``rounds`` or
    ``batch_size``), the simulation's ``labels_random`` and ``labels_al``, and ``accuracy_gain`` (AL's
    accuracy minus the baseline's, in points, with the baseline's accuracy held). Against
    ``baseline="whole_pool"`` the ROI is the one against labeling everything, ``production_pool`` is
    moved and ``labels_random`` is not. Whole numbers (rounds, batch size, pool) are rounded.
    Inputs that do not enter that ROI (throughput, annotators, budget cap) are left out.

    Returns
    -------
    DataFrame with columns input, base_value, low_value, high_value, roi_low, roi_high, swing
    (= |roi_high - roi_low|), base_roi; one row per input, largest swing first.
    """
    key = _check_baseline(baseline)
    if isinstance(change, bool) or not isinstance(change, (int, float)) or not 0 < change < 1:
        raise ConfigError(
            f"change must be a fraction between 0 and 1 (got {change!r}).",
            "Use e.g. 0.25 to move every input 25% down and up.",
        )
    base = business_case(
        labels_random,
        labels_al,
        accuracy_random,
        accuracy_al,
        inputs,
        accuracy_whole_pool=accuracy_whole_pool,
        al_rounds=al_rounds,
    )  # validates
    lr, la, ar, aa = base.labels_random, base.labels_al, base.accuracy_random, base.accuracy_al
    awp = base.whole_pool_accuracy
    ref_acc = ar if baseline == "random" else awp
    base_roi = float(getattr(base, key))

    candidates: list[str] = [
        f
        for f in ("cost_per_label", "setup_cost", "value_per_point", "predictions", "cost_per_error")
        if getattr(inputs, f) not in (None, 0, 0.0)
    ]
    if inputs.round_overhead:
        candidates.append("round_overhead")
        candidates += [f for f in ("rounds", "batch_size") if getattr(inputs, f)]
    candidates.append("production_pool" if baseline == "whole_pool" else "labels_random")
    candidates += ["labels_al", "accuracy_gain"]
    if include is not None:
        wanted = list(include)
        unknown = [w for w in wanted if w not in TORNADO_INPUTS]
        if unknown:
            raise ConfigError(
                f"Unknown tornado input(s): {', '.join(unknown)}.",
                f"Choose from: {', '.join(TORNADO_INPUTS)}.",
            )
        candidates = [c for c in candidates if c in wanted]

    rows = []
    for name in candidates:
        if name == "labels_random":
            value = lr
        elif name == "labels_al":
            value = la
        elif name == "accuracy_gain":
            value = (aa - ref_acc) * 100.0
        else:
            value = float(getattr(inputs, name))
        if value == 0:  # moving zero by a percentage moves nothing
            continue
        moved = []
        for factor in (1 - change, 1 + change):
            x = value * factor
            if name in _WHOLE_NUMBERS:
                x = float(max(1, round(x)))
            args = {"lr": lr, "la": la, "ar": ar, "aa": aa, "awp": awp}
            inp = inputs
            if name == "labels_random":
                args["lr"] = x
            elif name == "labels_al":
                args["la"] = x
            elif name == "accuracy_gain":
                args["aa"] = ref_acc + x / 100.0
            else:
                inp = dataclasses.replace(inputs, **{name: int(x) if name in _WHOLE_NUMBERS else x})
            out = _one_plan_pair(inp, args["lr"], args["la"], args["ar"], args["aa"], args["awp"], al_rounds)
            moved.append((x, float(out[key][0])))
        (lo_v, roi_lo), (hi_v, roi_hi) = moved
        swing = abs(roi_hi - roi_lo) if math.isfinite(roi_hi - roi_lo) else math.inf
        rows.append(
            {
                "input": name,
                "base_value": value,
                "low_value": lo_v,
                "high_value": hi_v,
                "roi_low": roi_lo,
                "roi_high": roi_hi,
                "swing": swing,
                "base_roi": base_roi,
            }
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "input",
            "base_value",
            "low_value",
            "high_value",
            "roi_low",
            "roi_high",
            "swing",
            "base_roi",
        ],
    )
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _values(name: str, values: Any, minimum: float, strict: bool) -> np.ndarray:
    try:
        a = np.asarray(list(values), dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{name} must be a list of numbers (got {values!r}).", "Pass e.g. [0.5, 1, 2, 5]."
        ) from exc
    if a.size == 0:
        raise ConfigError(f"{name} is empty.", "Pass at least one value for each axis of the grid.")
    if not np.all(np.isfinite(a)):
        raise ConfigError(f"{name} contains NaN or infinite values.", "Pass finite numbers only.")
    bad = a[(a <= minimum) if strict else (a < minimum)]
    if bad.size:
        op = "more than" if strict else "at least"
        raise ConfigError(
            f"{name} must all be {op} {minimum:g} (got {bad[0]:g}).",
            "Costs are zero or more dollars; pools hold at least one item.",
        )
    return a


def roi_grid(
    inputs: EconomicInputs,
    cost_per_label_values: Iterable[float],
    production_pool_values: Iterable[float],
    labels_random: float,
    labels_al: float,
    accuracy_random: float,
    accuracy_al: float,
    *,
    accuracy_whole_pool: float | None = None,
    al_rounds: float | None = None,
    scaling: str = "absolute",
    simulated_pool: float | None = None,
) -> pd.DataFrame:
    """ROI over a grid of cost per label x production pool size (tidy, one row per cell).

    ``scaling="absolute"`` (default) keeps the label counts: a learning curve depends on how many labels
    a model gets, not on how large the pool is, so a larger pool only changes the whole-pool baseline;
    a pool smaller than a plan's labels caps that plan at the pool (it labels everything).
    ``scaling="proportional"`` instead scales both label counts by ``pool / simulated_pool`` (the
    "savings factor" view of simple calculators: AL saves the same *share* at any scale).

    Returns
    -------
    DataFrame with columns cost_per_label, production_pool, labels_random, labels_al, roi, total_benefit,
    pays_off, whole_pool_roi, whole_pool_total_benefit, whole_pool_pays_off, capped. ``capped`` marks
    cells where the pool is smaller than a plan's labels: that plan labels the whole pool and is taken
    to reach the whole-pool accuracy (``accuracy_whole_pool``, default the better plan's accuracy), a
    situation the simulation did not observe.
    """
    if scaling not in ("absolute", "proportional"):
        raise ConfigError(
            f"Unknown scaling '{scaling}'.",
            "Use 'absolute' (label counts as simulated) or 'proportional' (scale with the pool).",
        )
    costs = _values("cost_per_label_values", cost_per_label_values, 0.0, strict=False)
    pools = _values("production_pool_values", production_pool_values, 1.0, strict=False)
    if np.any(pools != np.round(pools)):
        raise ConfigError(
            "production_pool_values must be whole numbers of items.", "Pass e.g. [10000, 100000]."
        )
    if scaling == "proportional":
        if simulated_pool is None or not math.isfinite(simulated_pool) or simulated_pool <= 0:
            raise ConfigError(
                "scaling='proportional' needs simulated_pool, the pool size the label counts come from.",
                "Pass the simulation's pool size (meta['n_pool']).",
            )
    # validates the base numbers once
    business_case(
        labels_random,
        labels_al,
        accuracy_random,
        accuracy_al,
        dataclasses.replace(inputs, production_pool=int(max(pools.max(), labels_random, labels_al))),
        accuracy_whole_pool=accuracy_whole_pool,
        al_rounds=al_rounds,
    )
    awp = max(accuracy_random, accuracy_al) if accuracy_whole_pool is None else accuracy_whole_pool
    rows = []
    for pool in pools:
        scale = pool / simulated_pool if scaling == "proportional" else 1.0  # type: ignore[operator]
        lr = min(labels_random * scale, pool)
        la = min(labels_al * scale, pool)
        ar = awp if labels_random * scale > pool else accuracy_random
        aa = awp if labels_al * scale > pool else accuracy_al
        capped = labels_random * scale > pool or labels_al * scale > pool
        for c in costs:
            inp = dataclasses.replace(inputs, cost_per_label=float(c), production_pool=int(pool))
            out = _one_plan_pair(inp, lr, la, ar, aa, awp, al_rounds)
            roi, wroi = float(out["roi"][0]), float(out["whole_pool_roi"][0])
            rows.append(
                {
                    "cost_per_label": float(c),
                    "production_pool": int(pool),
                    "labels_random": lr,
                    "labels_al": la,
                    "roi": roi,
                    "total_benefit": float(out["total_benefit"][0]),
                    "pays_off": bool(out["total_benefit"][0] > 0),
                    "whole_pool_roi": wroi,
                    "whole_pool_total_benefit": float(out["whole_pool_total_benefit"][0]),
                    "whole_pool_pays_off": bool(out["whole_pool_total_benefit"][0] > 0),
                    "capped": capped,
                }
            )
    return pd.DataFrame(rows)
