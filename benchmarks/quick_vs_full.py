"""How far is a quick estimate (a 20% sample) from the full answer?

Users simulate on what they have: a sample, or a modest labeled set, while the real pool is larger.
For each shipped dataset this runs margin vs random twice with the same settings and seeds: once on a
stratified 20% sample of the rows ("quick"), once on all rows ("full"); then reports, per quantity,
whether the quick median falls inside the full run's 95% interval and in which direction it errs.

Run:  .venv/bin/python benchmarks/quick_vs_full.py [--seeds 10] [--datasets a,b]
Writes benchmarks/results/quick_vs_full.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from simulations import Dataset, LabelwiseError, SimulationConfig, Target, run_simulation, summarize

OUT = Path(__file__).parent / "results"
DATASETS = ("penguins", "seattle_weather", "sms_spam", "adult", "digits", "breast_cancer")
QUANTITIES = ("ceiling", "labels_random", "labels_margin", "savings_margin")


def _numbers(ds: Dataset, cfg: SimulationConfig, target: Target) -> dict:
    s = summarize(run_simulation(ds, cfg, n_jobs=2), target)
    m, r = s.strategies["margin"], s.strategies["random"]
    sv = m.savings_vs_random
    return {
        "ceiling": s.ceiling.to_dict(),
        "labels_random": r.labels_to_target.to_dict(),
        "labels_margin": m.labels_to_target.to_dict(),
        "savings_margin": sv.to_dict() if sv else None,
        "too_easy": s.too_easy,
        "verdict": m.verdict,
        "n_rows": len(ds.frame),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--share", type=float, default=0.2)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    target = Target("share_of_ceiling", 0.95)
    rows, raw = [], {}
    for name in args.datasets.split(","):
        full = Dataset.from_sample(name)
        sample_frame, _ = train_test_split(full.frame, train_size=args.share, stratify=full.frame[full.label],
                                           random_state=0)
        t0 = time.perf_counter()
        try:
            quick = Dataset.from_frame(sample_frame.reset_index(drop=True), full.label, name=f"{name} 20%")
            n_quick_pool = round(len(quick.frame) * 0.75)
            budget = min(400, n_quick_pool)
            cfg = SimulationConfig(strategies=("margin",), seeds=args.seeds, initial_labels=20, growth=0.2,
                                   budget=budget)
            q = _numbers(quick, cfg, target)
            f = _numbers(full, cfg, target)
        except LabelwiseError as exc:
            rows.append({"dataset": name, "quantity": "(all)", "note": f"quick run impossible: {exc.message}"})
            continue
        raw[name] = {"quick": q, "full": f, "budget": budget, "seconds": time.perf_counter() - t0}
        for qty in QUANTITIES:
            qv, fv = q[qty], f[qty]
            if qv is None or fv is None or qv["median"] is None or fv["median"] is None:
                rows.append({"dataset": name, "quantity": qty, "note": "not reported (target too easy or unreached)"})
                continue
            inside = fv["low"] <= qv["median"] <= fv["high"]
            rows.append({
                "dataset": name, "quantity": qty, "quick": qv["median"], "full": fv["median"],
                "full_low": fv["low"], "full_high": fv["high"], "inside_full_interval": inside,
                "direction": "equal" if qv["median"] == fv["median"] else
                ("quick lower" if qv["median"] < fv["median"] else "quick higher"),
                "censored": bool(qv.get("censored") or fv.get("censored")),
            })
        print(name, "done", round(time.perf_counter() - t0, 1), "s", flush=True)
    table = pd.DataFrame(rows)
    (OUT / "quick_vs_full.json").write_text(json.dumps({"rows": rows, "raw": raw}, indent=2, default=str))
    measured = table.dropna(subset=["inside_full_interval"]) if "inside_full_interval" in table else table
    lines = [
        "# Quick estimate (20% sample) vs full run",
        "",
        f"margin vs random, logistic regression, {args.seeds} seeds, target 95% of the ceiling, same budget "
        "(min(400, quick pool)) and schedule in both runs.",
        "",
        table.to_markdown(index=False, floatfmt=".3f"),
        "",
        f"Quick median inside the full run's 95% interval: {int(measured['inside_full_interval'].sum())} of "
        f"{len(measured)} comparisons.",
    ]
    for qty, g in measured.groupby("quantity"):
        lines.append(f"- {qty}: inside {int(g['inside_full_interval'].sum())}/{len(g)}; directions: "
                     + ", ".join(f"{k} {v}" for k, v in g["direction"].value_counts().items()))
    (OUT / "quick_vs_full.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
