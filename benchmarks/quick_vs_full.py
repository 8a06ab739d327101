"""How far is a quick estimate (a 20% sample) from the full answer, and does the pool-size correction help?

Users simulate on what they have: a sample, or a modest labeled set, while the real pool is larger.
For each shipped dataset this runs margin vs random twice with the same settings and seeds: once on a
stratified 20% sample of the rows ("quick"), once on all rows ("full"); then reports, per quantity,
whether the quick median falls inside the full run's 95% interval and in which direction it errs.

The quick run is then corrected for the pool size (``simulations.curves.pool.project_to_pool`` with the full
run's pool as the production pool): the ceiling is projected with the fitted random curve, the 95%-of-ceiling
target re-expressed against it, and labels-to-target read from the fitted curves. Rows ``*_corrected`` compare
those corrected figures with the same full-run intervals.

A full run censored at the budget (the target not reached in most seeds) is "at least" its median: a quick figure
counts as inside when it is at least the interval's low end.

Run:  .venv/bin/python benchmarks/quick_vs_full.py [--seeds 10] [--datasets a,b]
      .venv/bin/python benchmarks/quick_vs_full.py --smoke [--out DIR]   # breast_cancer, 2 seeds, budget 40
Writes benchmarks/results/quick_vs_full.{json,md}; the figures feed ``simulations.curves.quick_vs_full.QUICK_VS_FULL``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import pandas as pd
from _common import bench_args, is_smoke, output_path
from sklearn.model_selection import train_test_split

from simulations import Dataset, LabelwiseError, SimulationConfig, Target, run_simulation, summarize
from simulations.curves.pool import project_to_pool

DATASETS = ("penguins", "seattle_weather", "sms_spam", "adult", "digits", "breast_cancer")
QUANTITIES = ("ceiling", "labels_random", "labels_margin", "savings_margin")
CORRECTED = {"ceiling_corrected": "ceiling", "labels_random_corrected": "labels_random",
             "labels_margin_corrected": "labels_margin"}
MAX_BUDGET = 400
N_JOBS = 2


def _numbers(ds: Dataset, cfg: SimulationConfig, target: Target, production_pool: int | None = None) -> dict:
    res = run_simulation(ds, cfg, n_jobs=N_JOBS)
    s = summarize(res, target)
    m, r = s.strategies["margin"], s.strategies["random"]
    sv = m.savings_vs_random
    out: dict[str, Any] = {
        "ceiling": s.ceiling.to_dict(),
        "labels_random": r.labels_to_target.to_dict(),
        "labels_margin": m.labels_to_target.to_dict(),
        "savings_margin": sv.to_dict() if sv else None,
        "too_easy": s.too_easy,
        "verdict": m.verdict,
        "n_rows": len(ds.frame),
        "n_pool": int(res.meta["n_pool"]),
    }
    if production_pool is not None:
        p = project_to_pool(res, production_pool, target, strategies=["random", "margin"], summary=s)
        out["projection"] = p.to_dict()
        out["ceiling_corrected"] = {"median": p.ceiling_projected, "low": p.ceiling_projected_low,
                                    "high": p.ceiling_projected_high}
        for name in ("random", "margin"):
            est = p.strategies[name].corrected
            # Not reachable on the fitted curve: the corrected estimate is "more than any count" (infinite).
            out[f"labels_{name}_corrected"] = {
                "median": est.labels if est.reachable and est.labels is not None else float("inf"),
                "low": est.low, "high": est.high, "extrapolated": bool(est.extrapolated),
                "reachable": bool(est.reachable)}
    return out


def _compare(dataset: str, qty: str, qv: dict | None, fv: dict | None) -> dict[str, Any]:
    if qv is None or fv is None or qv.get("median") is None or fv.get("median") is None:
        return {"dataset": dataset, "quantity": qty, "note": "not reported (target too easy or unreached)"}
    q, f = qv["median"], fv["median"]
    if fv.get("censored"):
        inside = q >= fv["low"]  # the full run needs at least its median
    else:
        inside = fv["low"] <= q <= fv["high"]
    return {
        "dataset": dataset, "quantity": qty, "quick": q, "full": f, "full_low": fv["low"], "full_high": fv["high"],
        "inside_full_interval": bool(inside),
        "direction": "equal" if abs(q - f) <= 1e-9 * max(1.0, abs(f)) else ("quick lower" if q < f else "quick higher"),
        "censored": bool(qv.get("censored") or fv.get("censored")),
        "extrapolated": bool(qv.get("extrapolated", False)),
        # the other way round: does the quick run's own interval (when it has one) cover the full median?
        "full_in_quick_interval": (bool(qv["low"] <= f <= qv["high"]) if qv.get("low") is not None
                                   and qv.get("high") is not None else None),
    }


def counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The figures quoted by ``simulations.curves.quick_vs_full.QUICK_VS_FULL``, recomputed from the comparison rows."""
    t = pd.DataFrame(rows)
    t = t[t["inside_full_interval"].notna()] if "inside_full_interval" in t else t.iloc[0:0]

    def sel(qtys: tuple[str, ...]) -> pd.DataFrame:
        return t[t["quantity"].isin(qtys)]

    lab, cor = sel(("labels_random", "labels_margin")), sel(("labels_random_corrected", "labels_margin_corrected"))
    sav, ceil, pce = sel(("savings_margin",)), sel(("ceiling",)), sel(("ceiling_corrected",))
    return {
        "labels_compared": len(lab), "labels_inside": int(lab["inside_full_interval"].sum()),
        "labels_quick_lower": int((lab["direction"] == "quick lower").sum()),
        "labels_quick_higher": int((lab["direction"] == "quick higher").sum()),
        "corrected_compared": len(cor), "corrected_inside": int(cor["inside_full_interval"].sum()),
        "corrected_quick_lower": int((cor["direction"] == "quick lower").sum()),
        "corrected_quick_higher": int((cor["direction"] == "quick higher").sum()),
        "savings_compared": len(sav), "savings_inside": int(sav["inside_full_interval"].sum()),
        "ceiling_compared": len(ceil), "ceiling_quick_lower": int((ceil["direction"] == "quick lower").sum()),
        "ceiling_inside": int(ceil["inside_full_interval"].sum()),
        "projected_ceiling_inside": int(pce["inside_full_interval"].sum()),
        "full_ceiling_in_projected_interval": int(pce["full_in_quick_interval"].sum()) if len(pce) else 0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--share", type=float, default=0.2)
    args = bench_args(ap, argv)
    if args.smoke:
        # Same code path, tiny: one dataset whose 20% sample still runs, 2 seeds, budget 40, in this process.
        global MAX_BUDGET, N_JOBS
        MAX_BUDGET, N_JOBS = 40, 1
        args.datasets, args.seeds = "breast_cancer", 2
    target = Target("share_of_ceiling", 0.95)
    rows, raw = [], {}
    started = time.perf_counter()
    for name in args.datasets.split(","):
        full = Dataset.from_sample(name)
        sample_frame, _ = train_test_split(full.frame, train_size=args.share, stratify=full.frame[full.label],
                                           random_state=0)
        t0 = time.perf_counter()
        try:
            quick = Dataset.from_frame(sample_frame.reset_index(drop=True), full.label, name=f"{name} 20%")
            n_quick_pool = round(len(quick.frame) * 0.75)
            budget = min(MAX_BUDGET, n_quick_pool)
            cfg = SimulationConfig(strategies=("margin",), seeds=args.seeds, initial_labels=20, growth=0.2,
                                   budget=budget)
            f = _numbers(full, cfg, target)
            q = _numbers(quick, cfg, target, production_pool=f["n_pool"])
        except LabelwiseError as exc:
            rows.append({"dataset": name, "quantity": "(all)", "note": f"quick run impossible: {exc.message}"})
            continue
        raw[name] = {"quick": q, "full": f, "budget": budget, "seconds": time.perf_counter() - t0}
        for qty in QUANTITIES:
            rows.append(_compare(name, qty, q[qty], f[qty]))
        for qty, full_qty in CORRECTED.items():
            rows.append(_compare(name, qty, q[qty], f[full_qty]))
        print(name, "done", round(time.perf_counter() - t0, 1), "s", flush=True)
    table = pd.DataFrame(rows)
    c = counts(rows)
    meta = {"seeds": args.seeds, "share": args.share, "datasets": args.datasets.split(","),
            "date": time.strftime("%Y-%m-%d"), "seconds": round(time.perf_counter() - started, 1)}
    output_path("quick_vs_full.json").write_text(json.dumps(
        {"benchmark": "quick_vs_full", "smoke": is_smoke(), "meta": meta, "counts": c, "rows": rows, "raw": raw},
        indent=2, default=str))
    measured = table.dropna(subset=["inside_full_interval"]) if "inside_full_interval" in table else table
    plain = measured[~measured["quantity"].str.endswith("_corrected")]
    lines = [
        "# Quick estimate (20% sample) vs full run, with and without the pool-size correction",
        "",
        f"margin vs random, logistic regression, {args.seeds} seeds, target 95% of the ceiling, same budget "
        f"(min({MAX_BUDGET}, quick pool)) and schedule in both runs. `*_corrected`: the quick run projected to the "
        "full run's pool size (`simulations.curves.pool.project_to_pool`: ceiling from the fitted random curve, target "
        "re-expressed against it, labels from the fitted curves). A censored full run counts a quick figure as "
        f"inside when it is at least the interval's low end. Run {meta['date']}, {meta['seconds']:.0f} s.",
        "",
        table.to_markdown(index=False, floatfmt=".3f"),
        "",
        f"Quick median inside the full run's 95% interval (uncorrected): {int(plain['inside_full_interval'].sum())} "
        f"of {len(plain)} comparisons.",
    ]
    for qty, g in measured.groupby("quantity", sort=False):
        lines.append(f"- {qty}: inside {int(g['inside_full_interval'].sum())}/{len(g)}; directions: "
                     + ", ".join(f"{k} {v}" for k, v in g["direction"].value_counts().items()))
    lines += [
        "",
        f"Labels-to-target (random and margin): inside {c['labels_inside']}/{c['labels_compared']} uncorrected, "
        f"{c['corrected_inside']}/{c['corrected_compared']} corrected. Quick lower than full: "
        f"{c['labels_quick_lower']} uncorrected, {c['corrected_quick_lower']} corrected; higher: "
        f"{c['labels_quick_higher']} uncorrected, {c['corrected_quick_higher']} corrected.",
        f"Ceiling: inside {c['ceiling_inside']}/{c['ceiling_compared']} as simulated, "
        f"{c['projected_ceiling_inside']}/{c['ceiling_compared']} projected; the full ceiling lies inside the "
        f"projected 95% prediction interval in {c['full_ceiling_in_projected_interval']}/{c['ceiling_compared']}.",
    ]
    if is_smoke():
        lines = ["_Smoke run (tiny settings): the numbers below mean nothing._", "", *lines]
    output_path("quick_vs_full.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {output_path('quick_vs_full.json')} and {output_path('quick_vs_full.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
