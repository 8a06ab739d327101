"""Cross-fitted conformal calibration of the pilot's intervals: the widenings, and their coverage on held-out data.

``simulations.plan.conformal`` widens a pilot's intervals by split-conformal quantiles of how far the full data's
answer fell outside the plan's own interval (log scale for label counts and the cost-optimal stop, additive for the
ROI). The widenings the product ships are fitted on every dataset of the suite, so the suite's coverage of the
shipped intervals is in-sample. The honest figure comes from widenings fitted on *other* datasets:

* **split half**: fitted on the datasets at the even positions of the suite's list, measured on the odd ones, and
  the other way round (pooled: every pilot measured once, by a widening that never saw its dataset);
* **leave one dataset out**: every dataset's pilots measured with the widening fitted on the other datasets.

All pilots of one dataset stay on one side (they share the full data's answer and much of their data). Labels saved
is fitted on its own (as a share of the pool); carried through the widened label intervals instead
(``widen_difference``, "labels_saved_carried") it is reported for reference. Besides coverage: how often a label
interval runs to the whole pool ("open": it covers by saying nothing) and the median width, so coverage bought by
useless intervals shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from simulations.plan.conformal import (
    PILOT_WIDENING,
    conformal_quantile,
    linear_score,
    log_score,
    share_score,
    widen_linear,
    widen_log,
    widen_share,
)
from simulations.plan.pilot import widen_difference

LABEL_FIGURES = ("labels_al", "labels_random")
#: The fitted groups, the figures each covers, its score, and the levels it has (the cost-optimal stop has only the
#: plan's own level).
GROUPS: dict[str, tuple[tuple[str, ...], Callable[..., float], tuple[str, ...]]] = {
    "labels": (LABEL_FIGURES, lambda lo, hi, t, pool: log_score(lo, hi, t), ("80", "95")),
    "labels_saved": (("labels_saved",), lambda lo, hi, t, pool: share_score(lo, hi, t, pool=pool), ("80", "95")),
    "roi": (("roi",), lambda lo, hi, t, pool: linear_score(lo, hi, t), ("80", "95")),
    "cost_optimum": (("cost_optimum",), lambda lo, hi, t, pool: log_score(lo, hi, t), ("95",)),
}
#: Figures reported; "labels_saved_carried" is the saving carried through the widened label intervals
#: (``widen_difference``), the rule the saving is not widened by (it covered too much at 80%), kept for reference.
REPORTED = ("labels_al", "labels_random", "labels", "labels_saved", "labels_saved_carried", "roi", "cost_optimum")
SCHEMES = ("before", "in_sample", "split_half", "leave_one_out")


def pilot_items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per compared pilot: its dataset and position in the list, pool, initial labels, figures, truths."""
    items = []
    for i, r in enumerate(rows):
        for p in r.get("pilots", []):
            if "figures" not in p or "coverage" not in p:
                continue
            items.append({"dataset": r["dataset"], "position": i, "pool": float(r["pool"]),
                          "first": float(p.get("first") or 20), "pilot": p["pilot"], "figures": p["figures"],
                          "truth": {f: (r["truth"].get(f) or {}).get("median") for f in p["figures"]}})
    return items


def _ok(*vals: Any) -> bool:
    return all(v is not None and isinstance(v, int | float) and math.isfinite(v) for v in vals)


def scores(items: list[dict[str, Any]], group: str, lvl: str) -> list[float]:
    """The conformal scores of a group at a level (``"80"``/``"95"``) over ``items``, from the intervals before
    the widening (``low{lvl}b``)."""
    figs, score, _ = GROUPS[group]
    out = []
    for it in items:
        for f in figs:
            d, t = it["figures"].get(f) or {}, it["truth"].get(f)
            lo, hi = d.get(f"low{lvl}b"), d.get(f"high{lvl}b")
            if _ok(lo, hi, t):
                out.append(score(lo, hi, t, it["pool"]))
    return out


def fit(items: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """The widening per group and level: the conformal quantile of the items' scores (floored at 0, as shipped)."""
    return {lvl: {g: max(0.0, conformal_quantile(scores(items, g, lvl), int(lvl) / 100))
                  for g, (_, _, levels) in GROUPS.items() if lvl in levels} for lvl in ("80", "95")}


def widened(it: dict[str, Any], q: dict[str, float], lvl: str) -> dict[str, tuple[float, float] | None]:
    """Every figure's interval of one pilot at ``lvl`` with the widenings ``q`` (``{group: widening}``)."""
    F, out = it["figures"], {}
    for f in (*LABEL_FIGURES, "roi", "cost_optimum"):
        d = F.get(f) or {}
        lo, hi = d.get(f"low{lvl}b"), d.get(f"high{lvl}b")
        if not _ok(lo, hi):
            out[f] = None
        elif f == "roi":
            out[f] = widen_linear(lo, hi, q.get("roi", 0.0))
        else:
            g = "labels" if f in LABEL_FIGURES else f
            out[f] = widen_log(lo, hi, q.get(g, 0.0), first=it["first"], pool=it["pool"])
    s, a, r = F.get("labels_saved") or {}, F.get("labels_al") or {}, F.get("labels_random") or {}
    lo, hi = s.get(f"low{lvl}b"), s.get(f"high{lvl}b")
    out["labels_saved"] = (widen_share(lo, hi, q.get("labels_saved", 0.0), pool=it["pool"]) if _ok(lo, hi)
                           else None)
    keys = [(x, f"{e}{lvl}s") for x in (s, a, r) for e in ("low", "high")]
    if all(_ok(x.get(k)) for x, k in keys) and out["labels_al"] and out["labels_random"]:
        out["labels_saved_carried"] = widen_difference(
            s[f"low{lvl}s"], s[f"high{lvl}s"], random_seeds=(r[f"low{lvl}s"], r[f"high{lvl}s"]),
            random=out["labels_random"], al_seeds=(a[f"low{lvl}s"], a[f"high{lvl}s"]), al=out["labels_al"],
            pool=it["pool"])
    else:
        out["labels_saved_carried"] = None
    return out


def evaluate(items: list[dict[str, Any]], q_for: Callable[[dict[str, Any]], dict[str, dict[str, float]]]
             ) -> dict[str, dict[str, dict[str, Any]]]:
    """Coverage, open share and width per level and figure, each item widened by ``q_for(item)``."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for lvl in ("80", "95"):
        hits: dict[str, list[tuple[bool, float, bool]]] = {f: [] for f in REPORTED}
        for it in items:
            ivs = widened(it, q_for(it).get(lvl, {}), lvl)
            for f, iv in ivs.items():
                t = it["truth"].get("labels_saved" if f == "labels_saved_carried" else f)
                if iv is None or not _ok(t) or (f == "cost_optimum" and lvl != "95"):
                    continue
                lo, hi = iv
                inside = bool(lo - 1e-9 <= t <= hi + 1e-9)
                if f in LABEL_FIGURES or f == "cost_optimum":
                    width = math.log(max(hi, 1.0) / max(lo, 1.0))  # the ends' ratio, on the log scale
                elif f.startswith("labels_saved"):
                    width = (hi - lo) / it["pool"]
                else:
                    width = hi - lo
                # labels: open (runs to the whole pool); ROI: decided (wholly on one side of zero, the plan's
                # pays-off rule) and then wrong (the full data's ROI on the other side)
                flag = (bool(hi >= it["pool"] - 1e-9) if f in LABEL_FIGURES
                        else bool(lo > 0 or hi <= 0) if f == "roi" else False)
                wrong = f == "roi" and flag and ((lo > 0) != (t > 0))
                row = (inside, width, flag, wrong)
                hits[f].append(row)
                if f in LABEL_FIGURES:
                    hits["labels"].append(row)
        out[lvl] = {}
        for f, h in hits.items():
            if not h:
                continue
            w = float(np.median([x[1] for x in h]))
            out[lvl][f] = {"coverage": float(np.mean([x[0] for x in h])), "n": len(h),
                           "open_share": float(np.mean([x[2] for x in h])) if f in (*LABEL_FIGURES, "labels")
                           else None,
                           "decided_share": float(np.mean([x[2] for x in h])) if f == "roi" else None,
                           "wrong_decisions": int(sum(x[3] for x in h)) if f == "roi" else None,
                           # labels and the stop: the median ratio of the ends; saved: share of the pool; ROI: points
                           "median_width": math.exp(w) if f in (*LABEL_FIGURES, "labels", "cost_optimum") else w}
    return out


def crossfit(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The widenings fitted on all datasets (what to ship), and coverage before, in-sample and held out."""
    items = pilot_items(rows)
    names = sorted({it["dataset"] for it in items})
    everything = fit(items)
    halves = {part: fit([it for it in items if it["position"] % 2 == part]) for part in (0, 1)}
    lodo = {n: fit([it for it in items if it["dataset"] != n]) for n in names}
    zero = {lvl: {g: 0.0 for g in GROUPS} for lvl in ("80", "95")}
    w = PILOT_WIDENING
    shipped = {"80": {"labels": w.labels80, "labels_saved": w.saved80, "roi": w.roi80},
               "95": {"labels": w.labels95, "labels_saved": w.saved95, "roi": w.roi95,
                      "cost_optimum": w.cost_optimum95}}
    results = {
        "before": evaluate(items, lambda it: zero),
        "shipped": evaluate(items, lambda it: shipped),
        "in_sample": evaluate(items, lambda it: everything),
        # each half measured with the widening fitted on the other half
        "split_half": evaluate(items, lambda it: halves[1 - it["position"] % 2]),
        "held_out_odd": evaluate([it for it in items if it["position"] % 2 == 1], lambda it: halves[0]),
        "held_out_even": evaluate([it for it in items if it["position"] % 2 == 0], lambda it: halves[1]),
        "leave_one_out": evaluate(items, lambda it: lodo[it["dataset"]]),
    }
    spread = {lvl: {g: [min(v[lvl][g] for v in lodo.values()), max(v[lvl][g] for v in lodo.values())]
                    for g in everything[lvl]} for lvl in everything}
    matches = all(abs(shipped[lvl].get(g, math.nan) - q) < 5e-4 for lvl in everything
                  for g, q in everything[lvl].items())
    return {"fit_all": everything, "fit_even": halves[0], "fit_odd": halves[1], "leave_one_out_range": spread,
            "shipped": shipped, "shipped_matches_fit": matches, "n_items": len(items), "n_datasets": len(names),
            "n_label_scores": {lvl: len(scores(items, "labels", lvl)) for lvl in ("80", "95")}, "results": results}


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def markdown(cf: dict[str, Any]) -> list[str]:
    """The report's section on the conformal widening: the widenings, and coverage before / in-sample / held out."""
    fa = cf["fit_all"]
    lines = [
        "## Conformal widening: fitted on all datasets, measured on held-out ones", "",
        "The plan widens a pilot's intervals by split-conformal quantiles (`simulations.plan.conformal`): labels to "
        "target and the cost-optimal stop on the log scale (`[low / e^q, high * e^q]`, within the initial labels and "
        "the pool), the ROI additively (`[low - q, high + q]`), labels saved as a share of the pool (`[low - q * "
        "pool, high + q * pool]`). Fitted on all "
        f"{cf['n_datasets']} datasets ({cf['n_label_scores']['95']} label intervals): labels e^q = "
        f"{math.exp(fa['80']['labels']):.2f}x at 80%, {math.exp(fa['95']['labels']):.2f}x at 95%; ROI q = "
        f"{fa['80']['roi']:.2f} at 80%, {fa['95']['roi']:.2f} at 95%; labels saved q = "
        f"{fa['80']['labels_saved']:.1%} of the pool at 80%, {fa['95']['labels_saved']:.1%} at 95%; "
        "cost-optimal stop e^q = "
        f"{math.exp(fa['95']['cost_optimum']):.2f}x at 95%. The product ships "
        + ("these" if cf["shipped_matches_fit"] else "different widenings (re-run after updating "
           "`PILOT_WIDENING`)") + ".", "",
        "**Held out** is the honest figure: *split half* measures each half of the suite's list with the widening "
        "fitted on the other half; *leave one out* measures each dataset's pilots with the widening fitted on the "
        "other datasets (the pilots of one dataset never straddle). *In-sample* uses the widening fitted on every "
        "dataset (what ships). 'Open' = the label interval's upper end is the whole pool (covering by saying nothing); "
        "width = the median ratio of the label interval's ends, the labels-saved width as a share of the pool, the "
        "ROI's in points (1 = 100%). ROI decided = the interval lies wholly on one side of zero (the plan can say "
        "'pays off' or 'does not'), wrong = of those, how many the full data's ROI contradicts.", "",
        "| scheme | level | labels | open | label width | labels saved | saved width | saved, carried (width) | ROI "
        "| ROI width | ROI decided (wrong) | cost optimum |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    names = {"before": "before (the plan's own rule)", "in_sample": "in-sample (fitted on all)",
             "split_half": "held out: split half", "leave_one_out": "held out: leave one dataset out",
             "held_out_odd": "held out: odd half (fit on even)", "held_out_even": "held out: even half (fit on odd)"}
    for scheme, label in names.items():
        for lvl in ("80", "95"):
            d = cf["results"][scheme][lvl]
            lab, sv, sc, roi, co = (d.get(k) or {} for k in ("labels", "labels_saved", "labels_saved_carried", "roi",
                                                               "cost_optimum"))
            lines.append(
                f"| {label} | {lvl}% | {_pct(lab.get('coverage'))} of {lab.get('n', 0)} | "
                f"{_pct(lab.get('open_share'))} | {lab.get('median_width', math.nan):.1f}x | "
                f"{_pct(sv.get('coverage'))} | {_pct(sv.get('median_width'))} | {_pct(sc.get('coverage'))} "
                f"({_pct(sc.get('median_width'))}) | {_pct(roi.get('coverage'))} | "
                f"{roi.get('median_width', math.nan):.2f} | {_pct(roi.get('decided_share'))} "
                f"({roi.get('wrong_decisions')}) | {_pct(co.get('coverage')) if co else 'n/a'} |")
    rng = cf["leave_one_out_range"]
    lines += ["", "Targets: the 80% interval covers 75-85%, the 95% interval at least 92%. The widening fitted without "
              "one dataset ranged over labels e^q "
              f"{math.exp(rng['80']['labels'][0]):.2f}-{math.exp(rng['80']['labels'][1]):.2f}x (80%) and "
              f"{math.exp(rng['95']['labels'][0]):.2f}-{math.exp(rng['95']['labels'][1]):.2f}x (95%); fitted on the "
              f"even half {math.exp(cf['fit_even']['95']['labels']):.2f}x, on the odd half "
              f"{math.exp(cf['fit_odd']['95']['labels']):.2f}x (95%).", ""]
    return lines
