"""How noisy annotators change the plan: the saving under the noise against the noise-free oracle, on the same seeds.

A noisy run (``SimulationConfig.noise``) carries, besides its own rounds, the same strategies simulated with perfect
labels on the same seeds, splits and schedule (``meta["noise_reference_rounds"]``; ceilings are the same: the
full-data model always trains on the true labels). Per seed the saving of the plan's strategy against random is
measured under the noise (in paid labels: re-labels count) and with perfect labels, and the change is the paired
per-seed difference, summarized by its median and the order-statistic 95% interval (``simulations.stats``). Seeds
where neither random nor the strategy reached the target in a run say nothing about that run's saving and are left
out of it (as in ``simulations.summary``); a seed censored on one side only gives a bound, counted in
``censored_seeds``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from simulations.stats import median_interval
from simulations.summary import Target, per_seed

__all__ = ["noise_effect"]


def _savings(result: Any, target: Target, metric: str, strategy: str, shift: float) -> pd.DataFrame:
    """Per seed: labels saved (random - strategy), share saved (1 - strategy / random), censored on either side."""
    t = per_seed(result, target, metric, target_shift=shift)
    al = t[t["strategy"] == strategy].set_index("seed")
    rnd = t[t["strategy"] == "random"].set_index("seed")
    seeds = al.index.intersection(rnd.index)
    al, rnd = al.loc[seeds], rnd.loc[seeds]
    out = pd.DataFrame({"saved": rnd["labels_to_target"] - al["labels_to_target"],
                        "share": 1 - al["labels_to_target"] / rnd["labels_to_target"],
                        "both_censored": al["censored"].astype(bool) & rnd["censored"].astype(bool),
                        "one_censored": al["censored"].astype(bool) ^ rnd["censored"].astype(bool)}, index=seeds)
    return out


def _iv(values: Any) -> dict[str, float | int | None]:
    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return {"median": None, "low": None, "high": None, "n_seeds": 0}
    m = median_interval(v)
    return {"median": float(m.median), "low": float(m.low), "high": float(m.high), "n_seeds": len(v),
            "confidence": float(m.confidence)}


def noise_effect(noisy_raw: Any, paid: Any, *, target: Target, metric: str, strategy: str, shift: float,
                 stop: Any, score_view: Callable[[Any], Any] | None = None) -> dict[str, Any] | None:
    """The plan's ``noise`` block, or None for a run without noisy annotators.

    Parameters
    ----------
    noisy_raw : SimulationResult
        The noisy run as simulated (``labels`` = items labeled, ``labels_paid`` = annotations paid).
    paid : SimulationResult
        The same in paid labels (``simulations.annotators.paid_labels_view``): what the plan's figures count.
    target, metric, strategy, shift
        The plan's target, score, costed strategy and target shift at the production pool.
    stop : simulations.plan.build.PlanStop
        The plan's stop (under the noise).
    score_view : callable, optional
        What the plan did to the noisy run's scores (``simulations.plan.value.in_error_cost`` when errors are
        priced), done to the noise-free reference too, so both are read in the same score.

    Returns
    -------
    dict or None
        ``settings``, ``description``, ``labels_unit`` ("paid" or "items"), ``saving`` (labels and share saved
        under the noise, median and interval over seeds), ``reference`` (the same with perfect labels; None when
        the run carries no noise-free reference), ``change`` (paired per-seed noisy minus noise-free), ``stop``,
        ``wrong_labels`` (median share of the training labels that were wrong at the last round, per strategy),
        ``censored_seeds`` and ``sentence``.
    """
    from simulations.annotators import pays_extra, reference_result

    meta = getattr(noisy_raw, "meta", {}) or {}
    settings = meta.get("noise")
    if not settings:
        return None
    unit = "paid" if pays_extra(noisy_raw) else "items"
    noisy = _savings(paid, target, metric, strategy, shift)
    keep = noisy[~noisy["both_censored"]]
    block: dict[str, Any] = {
        "settings": {k: v for k, v in settings.items() if k != "description"},
        "description": settings.get("description", ""),
        "labels_unit": unit,
        "saving": {"labels": _iv(keep["saved"]), "share": _iv(keep["share"])},
        "reference": None, "change": None, "stop": stop.to_dict(),
        "censored_seeds": {"noisy": int(noisy["one_censored"].sum() + noisy["both_censored"].sum())},
    }
    r = noisy_raw.rounds
    if "wrong_labels" in r.columns:
        last = r.sort_values("round").groupby(["strategy", "seed"]).tail(1)
        share = last["wrong_labels"] / last["labels"]
        block["wrong_labels"] = {s: float(np.median(share[last["strategy"] == s]))
                                 for s in ("random", strategy) if (last["strategy"] == s).any()}
    ref_result = reference_result(noisy_raw)
    if ref_result is not None and score_view is not None:
        ref_result = score_view(ref_result)
    name = strategy.replace("_", " ")
    paid_word = "paid labels" if unit == "paid" else "labels"
    s_iv = block["saving"]["share"]
    head = (f"With {block['description']}, {name} saves "
            + (f"{_pct(s_iv['median'])} ({_pct(s_iv['low'])} to {_pct(s_iv['high'])}) of random sampling's "
               f"{paid_word}" if s_iv["median"] is not None else "an unmeasured share (no seed reached the target)"))
    if ref_result is None:
        block["sentence"] = head + "; no noise-free reference was simulated, so the change is not measured."
        return block
    ref = _savings(ref_result, target, metric, strategy, shift)
    ref_keep = ref[~ref["both_censored"]]
    block["reference"] = {"saving": {"labels": _iv(ref_keep["saved"]), "share": _iv(ref_keep["share"])}}
    block["censored_seeds"]["reference"] = int(ref["one_censored"].sum() + ref["both_censored"].sum())
    common = keep.index.intersection(ref_keep.index)
    d_share = keep.loc[common, "share"] - ref_keep.loc[common, "share"]
    d_saved = keep.loc[common, "saved"] - ref_keep.loc[common, "saved"]
    block["change"] = {"share_points": _iv(d_share), "labels": _iv(d_saved)}
    c = block["change"]["share_points"]
    r_iv = block["reference"]["saving"]["share"]
    if c["median"] is None or r_iv["median"] is None:
        block["sentence"] = head + "; the change against perfect labels could not be measured (no seed reached the " \
                                   "target in both runs)."
        return block
    if c["low"] > 0:
        how = "AL's advantage grows under this noise"
    elif c["high"] < 0:
        how = "AL's advantage shrinks under this noise"
    else:
        how = "no clear change in AL's advantage (the interval spans zero)"
    cens = block["censored_seeds"]
    note = (f" In {cens['noisy']} noisy and {cens['reference']} noise-free seed(s) a curve did not reach the target "
            "within the labels simulated, so those savings are bounds." if cens["noisy"] or cens["reference"] else "")
    block["sentence"] = (
        f"{head}; with perfect labels on the same seeds it saves {_pct(r_iv['median'])}: a change of "
        f"{100 * c['median']:+.1f} points ({100 * c['low']:+.1f} to {100 * c['high']:+.1f}, paired over "
        f"{c['n_seeds']} seeds), {how}. Stop under the noise at about {stop.labels.median:,.0f} {paid_word}." + note)
    return block


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"
