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
    SCALES,
    conformal_quantile,
    linear_score,
    log_score,
    projection_scale,
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
#: Ranges of the projection (production pool / simulated pool) the held-out coverage is also given for.
PROJECTION_BINS = ((0.0, 4.0), (4.0, 8.0), (8.0, math.inf))
#: Two scales whose worst held-out shortfall differs by less than this are equally even: the narrower ROI wins.
EVEN_WITHIN = 0.02


def pilot_items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per compared pilot: its dataset and position in the list, pool, initial labels, figures, truths."""
    items = []
    for i, r in enumerate(rows):
        for p in r.get("pilots", []):
            if "figures" not in p or "coverage" not in p:
                continue
            sim = float(p.get("simulated_pool") or 0)
            items.append({"dataset": r["dataset"], "position": i, "pool": float(r["pool"]),
                          "projection": float(r["pool"]) / sim if sim > 0 else math.nan,
                          "first": float(p.get("first") or 20), "pilot": p["pilot"], "figures": p["figures"],
                          "truth": {f: (r["truth"].get(f) or {}).get("median") for f in p["figures"]}})
    return items


def _ok(*vals: Any) -> bool:
    return all(v is not None and isinstance(v, int | float) and math.isfinite(v) for v in vals)


def _factor(it: dict[str, Any], scale: str) -> float:
    p = it.get("projection", math.nan)
    return projection_scale(p, scale) if _ok(p) and p > 0 else (1.0 if scale == "constant" else math.nan)


def scores(items: list[dict[str, Any]], group: str, lvl: str, scale: str = "constant") -> list[float]:
    """The conformal scores of a group at a level (``"80"``/``"95"``) over ``items``, from the intervals before
    the widening (``low{lvl}b``), each divided by its pilot's :func:`projection_scale` (pilots where it is not
    positive are left out)."""
    figs, score, _ = GROUPS[group]
    out = []
    for it in items:
        k = _factor(it, scale)
        if not (_ok(k) and k > 0):
            continue
        for f in figs:
            d, t = it["figures"].get(f) or {}, it["truth"].get(f)
            lo, hi = d.get(f"low{lvl}b"), d.get(f"high{lvl}b")
            if _ok(lo, hi, t):
                out.append(score(lo, hi, t, it["pool"]) / k)
    return out


def fit(items: list[dict[str, Any]], scale: str = "constant") -> dict[str, dict[str, float]]:
    """The widening per group and level (per unit of ``scale``): the conformal quantile of the items' scores
    (floored at 0, as shipped)."""
    return {lvl: {g: max(0.0, conformal_quantile(scores(items, g, lvl, scale), int(lvl) / 100))
                  for g, (_, _, levels) in GROUPS.items() if lvl in levels} for lvl in ("80", "95")}


def widened(it: dict[str, Any], q: dict[str, float], lvl: str, scale: str = "constant"
            ) -> dict[str, tuple[float, float] | None]:
    """Every figure's interval of one pilot at ``lvl`` with the widenings ``q`` (``{group: widening}`` per unit of
    ``scale``, multiplied by the pilot's :func:`projection_scale`)."""
    k = _factor(it, scale)
    q = {g: v * k if _ok(k) else math.inf for g, v in q.items()}
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


def evaluate(items: list[dict[str, Any]], q_for: Callable[[dict[str, Any]], dict[str, dict[str, float]]],
             scale: str = "constant") -> dict[str, dict[str, dict[str, Any]]]:
    """Coverage, open share and width per level and figure, each item widened by ``q_for(item)`` (per unit of
    ``scale``)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for lvl in ("80", "95"):
        hits: dict[str, list[tuple[bool, float, bool]]] = {f: [] for f in REPORTED}
        for it in items:
            ivs = widened(it, q_for(it).get(lvl, {}), lvl, scale)
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


def _bin_name(lo: float, hi: float) -> str:
    return f"under {hi:g}x" if lo <= 0 else (f"{lo:g}x and longer" if math.isinf(hi) else f"{lo:g}x to {hi:g}x")


def by_projection(items: list[dict[str, Any]], q_for: Callable[[dict[str, Any]], dict[str, dict[str, float]]],
                  scale: str) -> dict[str, dict[str, Any]]:
    """:func:`evaluate` on the pilots of each range of :data:`PROJECTION_BINS` (empty ranges left out)."""
    out = {}
    for lo, hi in PROJECTION_BINS:
        sub = [it for it in items if lo <= it["projection"] < hi]
        if sub:
            out[_bin_name(lo, hi)] = {"n_pilots": len(sub), **evaluate(sub, q_for, scale)}
    return out


def shortfall(bins: dict[str, dict[str, Any]]) -> float:
    """The worst held-out coverage below its level over the projection ranges, at 80% and 95%, for labels to target
    and the ROI (0: every range covers at least its level)."""
    worst = 0.0
    for b in bins.values():
        for lvl in ("80", "95"):
            for f in ("labels", "roi"):
                c = (b.get(lvl, {}).get(f) or {}).get("coverage")
                if c is not None:
                    worst = max(worst, int(lvl) / 100 - c)
    return worst


def choose_scale(compared: dict[str, dict[str, Any]]) -> str:
    """The scale whose held-out coverage is the most even over projection ranges (the smallest worst shortfall,
    :func:`shortfall`); within :data:`EVEN_WITHIN` of each other, the one with the narrower held-out 95% ROI
    interval (an interval that is as honest and narrower says more)."""
    best = min(c["worst_shortfall"] for c in compared.values())
    even = [s for s in SCALES if s in compared and compared[s]["worst_shortfall"] <= best + EVEN_WITHIN]
    return min(even, key=lambda s: (compared[s]["leave_one_out"]["95"].get("roi") or {}).get("median_width",
                                                                                              math.inf))


def crossfit(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The widenings fitted on all datasets (what to ship), and coverage before, in-sample and held out.

    Every scale of :data:`SCALES` is fitted and measured held out (leave one dataset out), overall and per range of
    projections; :func:`choose_scale` picks the one the rest of the report (and the product) uses."""
    items = pilot_items(rows)
    names = sorted({it["dataset"] for it in items})
    compared = {}
    for sc in SCALES:
        lodo_s = {n: fit([it for it in items if it["dataset"] != n], sc) for n in names}
        loo = evaluate(items, lambda it, lodo_s=lodo_s: lodo_s[it["dataset"]], sc)
        bins = by_projection(items, lambda it, lodo_s=lodo_s: lodo_s[it["dataset"]], sc)
        compared[sc] = {"fit_all": fit(items, sc), "leave_one_out": loo, "by_projection": bins,
                        "worst_shortfall": shortfall(bins)}
    scale = choose_scale(compared)
    everything = compared[scale]["fit_all"]
    halves = {part: fit([it for it in items if it["position"] % 2 == part], scale) for part in (0, 1)}
    lodo = {n: fit([it for it in items if it["dataset"] != n], scale) for n in names}
    zero = {lvl: {g: 0.0 for g in GROUPS} for lvl in ("80", "95")}
    w = PILOT_WIDENING
    shipped = {"80": {"labels": w.labels80, "labels_saved": w.saved80, "roi": w.roi80},
               "95": {"labels": w.labels95, "labels_saved": w.saved95, "roi": w.roi95,
                      "cost_optimum": w.cost_optimum95}}
    results = {
        "before": evaluate(items, lambda it: zero),
        "shipped": evaluate(items, lambda it: shipped, w.scale),
        "in_sample": evaluate(items, lambda it: everything, scale),
        # each half measured with the widening fitted on the other half
        "split_half": evaluate(items, lambda it: halves[1 - it["position"] % 2], scale),
        "held_out_odd": evaluate([it for it in items if it["position"] % 2 == 1], lambda it: halves[0], scale),
        "held_out_even": evaluate([it for it in items if it["position"] % 2 == 0], lambda it: halves[1], scale),
        "leave_one_out": evaluate(items, lambda it: lodo[it["dataset"]], scale),
    }
    spread = {lvl: {g: [min(v[lvl][g] for v in lodo.values()), max(v[lvl][g] for v in lodo.values())]
                    for g in everything[lvl]} for lvl in everything}
    matches = w.scale == scale and all(abs(shipped[lvl].get(g, math.nan) - q) < 5e-4 for lvl in everything
                                       for g, q in everything[lvl].items())
    projections = [it["projection"] for it in items if _ok(it["projection"])]
    return {"fit_all": everything, "fit_even": halves[0], "fit_odd": halves[1], "leave_one_out_range": spread,
            "scale": scale, "scales": compared, "projection_range": [min(projections), max(projections)]
            if projections else None,
            "shipped": shipped, "shipped_matches_fit": matches, "n_items": len(items), "n_datasets": len(names),
            "n_label_scores": {lvl: len(scores(items, "labels", lvl, scale)) for lvl in ("80", "95")},
            "results": results}


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
        f"{cf['n_datasets']} datasets ({cf['n_label_scores']['95']} label intervals), per unit of the projection scale "
        f"`{cf.get('scale', 'constant')}` (the next section): labels e^q = "
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
    lines += scale_markdown(cf)
    rng = cf["leave_one_out_range"]
    lines += ["", "Targets: the 80% interval covers 75-85%, the 95% interval at least 92%. The widening fitted without "
              "one dataset ranged over labels e^q "
              f"{math.exp(rng['80']['labels'][0]):.2f}-{math.exp(rng['80']['labels'][1]):.2f}x (80%) and "
              f"{math.exp(rng['95']['labels'][0]):.2f}-{math.exp(rng['95']['labels'][1]):.2f}x (95%); fitted on the "
              f"even half {math.exp(cf['fit_even']['95']['labels']):.2f}x, on the odd half "
              f"{math.exp(cf['fit_odd']['95']['labels']):.2f}x (95%).", ""]
    return lines


def scale_markdown(cf: dict[str, Any]) -> list[str]:
    """The held-out comparison of the scales (how the widening grows with the projection), per projection range."""
    comp = cf.get("scales") or {}
    if not comp:
        return []
    rng = cf.get("projection_range") or [math.nan, math.nan]
    lines = ["", "### How the widening grows with the projection", "",
             f"The suite's pilots were projected {rng[0]:.1f}x to {rng[1]:.1f}x their simulated pool. Three rules, "
             "each fitted and measured held out (leave one dataset out): `constant` widens every pilot alike; "
             "`log_projection` divides each score by log(projection) and widens a plan by its quantile times its own "
             "log(projection); `log_projection_squared` the same with log(projection) squared. The rule shipped is "
             "the one whose held-out coverage is the most even over the ranges (the smallest worst shortfall below "
             f"the level, labels and ROI at 80% and 95%; within {100 * EVEN_WITHIN:.0f} points, the narrower 95% "
             f"ROI interval): **`{cf.get('scale')}`**. The pick is made on these same datasets, so the held-out "
             "figures of the rule picked are slightly optimistic (one choice among three).", "",
             "| rule | projection | pilots | labels 95% | labels 80% | label width 95% | ROI 95% | ROI 80% "
             "| ROI width 95% | worst shortfall |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for sc, c in comp.items():
        rows = [("all", {"n_pilots": None, **c["leave_one_out"]}), *c["by_projection"].items()]
        for name, b in rows:
            g = {lvl: {f: b.get(lvl, {}).get(f) or {} for f in ("labels", "roi")} for lvl in ("80", "95")}
            lines.append(
                f"| {sc} | {name} | {b['n_pilots'] if b['n_pilots'] is not None else cf['n_items']} | "
                f"{_pct(g['95']['labels'].get('coverage'))} | {_pct(g['80']['labels'].get('coverage'))} | "
                f"{g['95']['labels'].get('median_width', math.nan):.1f}x | {_pct(g['95']['roi'].get('coverage'))} | "
                f"{_pct(g['80']['roi'].get('coverage'))} | {g['95']['roi'].get('median_width', math.nan):.2f} | "
                + (f"{100 * c['worst_shortfall']:.0f} points |" if name == "all" else " |"))
    return [*lines, ""]
