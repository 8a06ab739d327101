"""The calibration suite's tallies: coverage per figure and level, by pilot size, by half of the list, where the
intervals miss, and the ROI interval's width against pilot size (``run.py`` builds the records; no simulation here).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from crossfit import crossfit

from simulations.plan.conformal import PILOT_WIDENING
from simulations.plan.pilot import more_pilot_rows, roi_side_at

PILOTS = ("500", "1000", "20%", "50%")
#: Figures compared, with the per-seed column of the plan's business case (None: no per-seed figures, 95% only).
#: Net savings is not fitted: it moves with its label counts' widening (``simulations.plan.build._widen_money``), so
#: its coverage measures that rule, in-sample (the label widening it follows is fitted on all datasets).
FIGURES: dict[str, str | None] = {"labels_al": "labels_al", "labels_random": "labels_random",
                                  "labels_saved": "labels_saved", "roi": "roi", "cost_optimum": None,
                                  "net_savings": None}
LABEL_FIGURES = ("labels_al", "labels_random")
#: Interval rules compared: the plan's as shipped (""), the same before the conformal widening ("b":
#: ``simulations.plan.conformal``), the seeds' alone ("s": the plan before it carried the projection's doubt), and
#: the plan's with the projected score's range added ("f"); each at 95% and 80%.
LEVELS = ("95", "80", "95b", "80b", "95s", "80s", "95f", "80f")



def summarise(rows: list[dict[str, Any]], pilots: tuple[str, ...] = PILOTS) -> dict[str, Any]:
    """Coverage per figure (95%, 80%), per pilot size, errors of the projected labels and ROI width vs pilot size."""
    recs = [(r, p) for r in rows if "pilots" in r for p in r["pilots"] if "coverage" in p]
    cov: dict[str, Any] = {}
    for f in FIGURES:
        for subset, keep in (("all", lambda t: True), ("truth_simulated", lambda t: not t["truth_extrapolated"])):
            for lvl in LEVELS:
                vals = [(p["coverage"].get(f) or {}).get(f"in{lvl}") for _, p in recs
                        if (p["coverage"].get(f) or {}).get(f"in{lvl}") is not None
                        and keep(p["coverage"][f])]
                cov.setdefault(f, {}).setdefault(subset, {})[f"coverage{lvl}"] = (
                    float(np.mean(vals)) if vals else None)
                cov[f][subset][f"n{lvl}"] = len(vals)
    labels = {f"coverage{lvl}": _rate(recs, LABEL_FIGURES, lvl) for lvl in LEVELS}
    by_pilot = {}
    for pilot in pilots:
        sub = [(r, p) for r, p in recs if p["pilot"] == pilot]
        errs = [p["coverage"][f]["rel_error"] for _, p in sub for f in LABEL_FIGURES
                if p["coverage"][f]["rel_error"] is not None]
        by_pilot[pilot] = {"n": len(sub), "labels_coverage95": _rate(sub, LABEL_FIGURES, "95")[0],
                           "labels_coverage80": _rate(sub, LABEL_FIGURES, "80")[0],
                           "median_rel_error_labels": float(np.median(errs)) if errs else None}
    abs_err = [p["coverage"][f]["abs_error"] for _, p in recs for f in LABEL_FIGURES
               if p["coverage"][f]["abs_error"] is not None]
    rel_err = [p["coverage"][f]["rel_error"] for _, p in recs for f in LABEL_FIGURES
               if p["coverage"][f]["rel_error"] is not None]
    low_side = [p["coverage"][f].get("pilot_low_side") for _, p in recs for f in LABEL_FIGURES
                if p["coverage"][f].get("pilot_low_side") is not None]
    ceil = [p["ceiling_covered"] for _, p in recs]
    return {
        "coverage": cov,
        "labels_to_target": {"coverage95": labels["coverage95"][0], "n95": labels["coverage95"][1],
                             "coverage80": labels["coverage80"][0], "n80": labels["coverage80"][1],
                             "before_coverage95": labels["coverage95b"][0],
                             "before_coverage80": labels["coverage80b"][0],
                             "seeds_only_coverage95": labels["coverage95s"][0],
                             "seeds_only_coverage80": labels["coverage80s"][0],
                             "with_score_range_coverage95": labels["coverage95f"][0],
                             "with_score_range_coverage80": labels["coverage80f"][0],
                             "with_score_range_open_share": _open_share(recs),
                             "median_abs_error": float(np.median(abs_err)) if abs_err else None,
                             "median_rel_error": float(np.median(rel_err)) if rel_err else None,
                             "share_pilot_low": float(np.mean(low_side)) if low_side else None},
        "ceiling_coverage95": float(np.mean(ceil)) if ceil else None,
        "by_pilot": by_pilot,
        "roi_width": roi_width_fit(rows),
        "roi_width_before": (rwb := roi_width_fit(rows, level="95b")),
        "more_pilot_check": more_pilot_check(rows, exponent=rwb["exponent"]),
        "no_signal_check": no_signal_check(rows),
        "can_project": _can_project(recs),
        "n_datasets": sum(1 for r in rows if "pilots" in r), "n_pilots": len(recs),
        "split_half": split_half(rows),
        "misses": misses(recs),
        "conformal": crossfit(rows),
    }


def misses(recs: list[tuple[dict, dict]]) -> dict[str, Any]:
    """Where the 95% and 80% intervals miss: on which side of the truth, whether the truth itself was read off a
    fitted curve, whether the pilot's projected full-data score missed the truth's, and by pilot size."""
    out: dict[str, Any] = {}
    for f in FIGURES:
        for lvl in ("95", "80"):
            miss = [(r, p) for r, p in recs if (p["coverage"].get(f) or {}).get(f"in{lvl}") is False]
            if not [1 for _, p in recs if (p["coverage"].get(f) or {}).get(f"in{lvl}") is not None]:
                continue
            above = [p["coverage"][f]["truth"] > p["figures"][f][f"high{lvl}"] for _, p in miss]
            out[f"{f}_{lvl}"] = {
                "n_missed": len(miss), "truth_above": int(sum(above)), "truth_below": len(miss) - int(sum(above)),
                "truth_extrapolated": sum(bool(p["coverage"][f]["truth_extrapolated"]) for _, p in miss),
                "pilot_score_missed": sum(not p.get("ceiling_covered", True) for _, p in miss),
                "by_pilot": {k: sum(p["pilot"] == k for _, p in miss) for k in PILOTS}}
    return out


def split_half(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Coverage on the two halves of the suite's list: the method was chosen on the even positions (0, 2, ...), so
    the odd positions are the held-out figure. Also how often a label interval runs to the whole pool (it then
    covers by saying nothing) and the labels-saved interval's median width as a share of the pool."""
    out: dict[str, Any] = {}
    for name, part in (("chosen_on_even", 0), ("held_out_odd", 1), ("all", None)):
        keep = [r for i, r in enumerate(rows) if part is None or i % 2 == part]
        recs = [(r, p) for r in keep if "pilots" in r for p in r["pilots"] if "coverage" in p]
        d: dict[str, Any] = {"datasets": [r["dataset"] for r in keep], "n_pilots": len(recs)}
        for f in FIGURES:
            for lvl in LEVELS:
                d[f"{f}_coverage{lvl}"] = _rate(recs, (f,), lvl)[0]
        for lvl in LEVELS:
            d[f"labels_coverage{lvl}"] = _rate(recs, LABEL_FIGURES, lvl)[0]
            d[f"labels_open_share{lvl}"] = _open_share(recs, f"high{lvl}")
            w = [(p["figures"]["labels_saved"][f"high{lvl}"] - p["figures"]["labels_saved"][f"low{lvl}"]) / r["pool"]
                 for r, p in recs if p["figures"].get("labels_saved", {}).get(f"low{lvl}") is not None]
            d[f"saved_width_share{lvl}"] = float(np.median(w)) if w else None
        out[name] = d
    return out


def _open_share(recs: list[tuple[dict, dict]], key: str = "high95f") -> float | None:
    """Share of label intervals (under a rule) whose high end is the whole production pool (open)."""
    vals = [p["figures"][f][key] >= r["pool"] - 1e-9 for r, p in recs for f in LABEL_FIGURES
            if p["figures"][f].get(key) is not None]
    return float(np.mean(vals)) if vals else None


def _rate(recs: list[tuple[dict, dict]], figs: tuple[str, ...], lvl: str) -> tuple[float | None, int]:
    # a figure a record lacks (added to the suite later) is not compared there
    vals = [v for _, p in recs for f in figs if (v := (p["coverage"].get(f) or {}).get(f"in{lvl}")) is not None]
    return (float(np.mean(vals)) if vals else None), len(vals)


def _can_project(recs: list[tuple[dict, dict]]) -> dict[str, Any]:
    """Coverage split by the plan's own ``pilot.can_project`` (when the plan has it)."""
    out: dict[str, Any] = {}
    for flag in (True, False):
        sub = [(r, p) for r, p in recs if p.get("pilot_answer", {}).get("can_project") is flag]
        out[str(flag).lower()] = {"n": len(sub), "labels_coverage95": _rate(sub, LABEL_FIGURES, "95")[0],
                                  "labels_coverage80": _rate(sub, LABEL_FIGURES, "80")[0],
                                  "seeds_only_coverage95": _rate(sub, LABEL_FIGURES, "95s")[0]}
    n = out["true"]["n"] + out["false"]["n"]
    out["share_true"] = out["true"]["n"] / n if n else None
    return out


def roi_width_fit(rows: list[dict[str, Any]], *, level: str = "95") -> dict[str, Any]:
    """The ROI interval's width against the pilot's rows: ``width = a * rows ** -b``, fitted on log-log.

    ``b`` is the median over datasets of the within-dataset slope (datasets with at least two pilots and finite,
    positive widths), so datasets of different difficulty do not bias it; ``a`` is then the median of
    ``width * rows ** b``. ``b = 0.5`` is the 1/sqrt(n) of averaging independent rows. ``level`` names the interval:
    ``"95"`` the plan's (as shipped), ``"95b"`` before the conformal widening.
    """
    slopes, points = [], []
    lo_k, hi_k = f"low{level}", f"high{level}"
    for r in rows:
        pts = [(p["rows"], p["figures"]["roi"][hi_k] - p["figures"]["roi"][lo_k]) for p in r.get("pilots", [])
               if "figures" in p and p["figures"].get("roi") and all(
                   v is not None and math.isfinite(v) for v in (p["figures"]["roi"].get(hi_k),
                                                                 p["figures"]["roi"].get(lo_k)))]
        pts = [(n, w) for n, w in pts if w > 0]
        points += [{"dataset": r["dataset"], "rows": n, "width": w} for n, w in pts]
        if len({n for n, _ in pts}) >= 2:
            x, y = np.log([n for n, _ in pts]), np.log([w for _, w in pts])
            slopes.append(-float(np.polyfit(x, y, 1)[0]))
    b = float(np.median(slopes)) if slopes else None
    a = float(np.median([p["width"] * p["rows"] ** b for p in points])) if b is not None and points else None
    return {"exponent": b, "scale": a, "n_datasets": len(slopes), "slopes": slopes, "points": points}


def more_pilot_check(rows: list[dict[str, Any]], *, exponent: float | None) -> dict[str, Any]:
    """A backtest of ``Plan.pilot.more_pilot_labels``: from each dataset's smallest widened pilot, predict the
    plan's own 95% ROI width (before the widening) at its larger pilots (:func:`simulations.plan.pilot.roi_side_at`:
    narrowing as ``rows ** -exponent``) and compare with the width those pilots had (``ratio``: the estimate's real
    test, since the widening's part is a formula of the projection); also the shipped width, with the widening at the
    larger pilot's projection added (``ratio_shipped``: that part matches by construction); and where the smallest
    pilot was undecided and the estimate named a size the suite has, whether the first pilot at least that large was
    decided, and rightly."""
    out: dict[str, Any] = {"exponent": exponent, "ratios": [], "estimates": []}
    if exponent is None or not math.isfinite(exponent):
        return {**out, "n": 0}
    w = PILOT_WIDENING
    for r in rows:
        pil = sorted([p for p in r.get("pilots", []) if p.get("calibration") and p.get("figures", {}).get("roi")
                      and p.get("simulated_pool")], key=lambda p: p["rows"])
        if len(pil) < 2:
            continue
        base, roi0 = pil[0], pil[0]["figures"]["roi"]
        width0 = roi0["high95b"] - roi0["low95b"]
        for p in pil[1:]:
            roi = p["figures"]["roi"]
            k = p["rows"] / base["rows"]
            # the plan's own part is the estimate's guess; the widening's part is a formula of the projection
            own = roi_side_at(k, side=width0, exponent=exponent, simulated_pool=p["simulated_pool"] / k,
                              production_pool=r["pool"], widening=None)
            pred = own + 2 * w.roi(0.95, projection=r["pool"] / p["simulated_pool"])
            actual, actual_own = roi["high95"] - roi["low95"], roi["high95b"] - roi["low95b"]
            if actual_own > 0 and actual > 0 and math.isfinite(pred):
                out["ratios"].append({"dataset": r["dataset"], "from_rows": base["rows"], "to_rows": p["rows"],
                                      "predicted_own": own, "actual_own": actual_own, "ratio": own / actual_own,
                                      "predicted": pred, "actual": actual, "ratio_shipped": pred / actual})
        if roi0["low95"] > 0 or roi0["high95"] < 0:
            continue  # decided already: no estimate to check
        more = more_pilot_rows(roi_median=roi0["median"], roi_low=roi0["low95b"], roi_high=roi0["high95b"],
                               rows=base["rows"], exponent=exponent, simulated_pool=base["simulated_pool"],
                               production_pool=r["pool"],
                               widening=lambda proj: w.roi(0.95, projection=proj),
                               shortest_projection=w.smallest_projection)
        later = [p for p in pil[1:] if more is not None and p["rows"] >= base["rows"] + more]
        truth = (r.get("truth", {}).get("roi") or {}).get("median")
        est = {"dataset": r["dataset"], "rows": base["rows"], "more": more, "checked_at": None, "decided": None,
               "right": None}
        if later:
            p = later[0]["figures"]["roi"]
            decided = p["low95"] > 0 or p["high95"] < 0
            est |= {"checked_at": later[0]["rows"], "decided": decided,
                    "right": ((p["low95"] > 0) == (truth > 0)) if decided and truth is not None else None}
        out["estimates"].append(est)
    ratios = [x["ratio"] for x in out["ratios"]]
    shipped = [x["ratio_shipped"] for x in out["ratios"]]
    checked = [e for e in out["estimates"] if e["checked_at"] is not None]
    return {**out, "n": len(ratios),
            "median_ratio": float(np.median(ratios)) if ratios else None,
            "median_ratio_shipped": float(np.median(shipped)) if shipped else None,
            "ratio_quartiles": [float(np.quantile(ratios, 0.25)), float(np.quantile(ratios, 0.75))] if ratios else None,
            "share_within_2x": float(np.mean([0.5 <= x <= 2 for x in ratios])) if ratios else None,
            "n_undecided": len(out["estimates"]),
            "n_estimated": sum(e["more"] is not None for e in out["estimates"]),
            "n_checked": len(checked), "n_checked_decided": sum(bool(e["decided"]) for e in checked),
            "n_checked_right": sum(bool(e["right"]) for e in checked)}


def no_signal_check(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pilots whose model learned nothing from their rows (the plan's ``no_signal``), against the full data: how many
    of those the full data's model did learn from, and how many had a positive full-data ROI."""
    hits = [(r, p) for r in rows for p in r.get("pilots", []) if p.get("no_signal")]
    roi = [((r.get("truth") or {}).get("roi") or {}).get("median") for r, _ in hits]
    return {"n_pilots": len(hits), "n_datasets": len({r["dataset"] for r, _ in hits}),
            "n_full_data_signal": sum(not r.get("truth_no_signal", False) for r, _ in hits),
            "n_full_data_roi_positive": sum(1 for v in roi if v is not None and v > 0),
            "pilots": [f"{r['dataset']} {p['pilot']}" for r, p in hits]}
