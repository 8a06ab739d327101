"""Is the plan determined? No hidden knob: doubling what was simulated must not move the answer.

For every shipped sample, with the dashboard's default money ($1 a label, $250 setup, $500 a point, a 50,000-item
production pool, 95% of the full-data score): ``simulate_for_plan`` runs its stages until the plan is determined;
then one more simulation at twice the labels the last stage reached (a forced single stage). The check, per sample:
the headline labels saved and ROI of the two runs differ by less than the width of their own 95% intervals. Also
timed: seconds to the first finished task (what the dashboard shows as partial results) and to the whole plan.

    .venv/bin/python benchmarks/plan_determined.py [--samples sms_spam,penguins] [--n-jobs 2]
    .venv/bin/python benchmarks/plan_determined.py --smoke [--out DIR]   # penguins, 3 seeds, seconds
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from typing import Any

from _common import bench_args, md_table, verdict, write_results

from simulations import Dataset
from simulations.config import DEFAULT_SCENARIO
from simulations.datasets import SAMPLES
from simulations.plan import PlanInputs, build_plan, simulate_for_plan
from simulations.runner import run_simulation

MONEY = {"cost_per_label": 1.0, "setup_cost": 250.0, "value_per_point": 500.0, "production_pool": 50_000}


def _width(e: Any) -> float:
    return float(e.high) - float(e.low)


def one(name: str, *, n_jobs: int, seeds: int) -> dict[str, Any]:
    ds = Dataset.from_sample(name)
    config = dataclasses.replace(DEFAULT_SCENARIO.config, seeds=seeds)
    inputs = PlanInputs(**MONEY, time_cap_seconds=3600)
    first: list[float] = []
    t0 = time.perf_counter()

    def progress(_: Any) -> None:
        if not first:
            first.append(time.perf_counter() - t0)

    run = simulate_for_plan(ds, config, inputs, n_jobs=n_jobs, progress=progress)
    total = time.perf_counter() - t0
    plan = run.plan
    doubled_budget = 2 * int(plan.simulated_labels)
    t1 = time.perf_counter()
    res2 = run_simulation(ds, dataclasses.replace(config, budget=doubled_budget), n_jobs=n_jobs)
    plan2 = build_plan(res2, dataclasses.replace(inputs, max_labels=doubled_budget))
    doubled_seconds = time.perf_counter() - t1
    rows = {}
    for what, a, b in (("labels_saved", plan.labels_saved, plan2.labels_saved),
                       ("roi", plan.money["roi"], plan2.money["roi"])):
        diff = abs(float(b.median) - float(a.median))
        width = min(_width(a), _width(b))
        rows[what] = {"determined": float(a.median), "doubled": float(b.median), "difference": diff,
                      "narrower_interval_width": width, "holds": bool(diff < width or diff <= 1e-9)}
    return {
        "sample": name, "stop_reason": run.stop_reason, "stages": [s.budget for s in run.stages],
        "seconds_to_first_result": first[0] if first else None, "seconds_to_plan": total,
        "doubled_budget": doubled_budget, "doubled_seconds": doubled_seconds,
        "strategy": plan.strategy, "strategy_doubled": plan2.strategy, "checks": rows,
        "labels_to_target_random": dataclasses.asdict(plan.labels_to_target_random),
        "labels_to_target_al": dataclasses.asdict(plan.labels_to_target_al),
        "stop": dataclasses.asdict(plan.stop.labels), "pays_off": plan.pays_off,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", default=",".join(SAMPLES))
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--seeds", type=int, default=DEFAULT_SCENARIO.config.seeds)
    args = bench_args(ap, argv)
    samples = ["penguins"] if args.smoke else [s.strip() for s in args.samples.split(",") if s.strip()]
    seeds = 3 if args.smoke else args.seeds
    results = []
    for name in samples:
        r = one(name, n_jobs=1 if args.smoke else args.n_jobs, seeds=seeds)
        print(f"{name}: {r['stop_reason']} after stages {r['stages']} in {r['seconds_to_plan']:.1f} s "
              f"(first result {r['seconds_to_first_result']:.1f} s); "
              + "; ".join(f"{k} {v['determined']:.3g} vs {v['doubled']:.3g} (|diff| {v['difference']:.3g} < "
                          f"width {v['narrower_interval_width']:.3g}: {v['holds']})" for k, v in r["checks"].items()),
              flush=True)
        results.append(r)
    holds = all(c["holds"] for r in results for c in r["checks"].values())
    rows = [{"sample": r["sample"], "stop": r["stop_reason"], "stages": " -> ".join(map(str, r["stages"])),
             "first result (s)": round(r["seconds_to_first_result"] or 0, 1),
             "plan (s)": round(r["seconds_to_plan"], 1),
             "labels saved: plan / doubled": f"{r['checks']['labels_saved']['determined']:,.0f} / "
                                             f"{r['checks']['labels_saved']['doubled']:,.0f}",
             "ROI: plan / doubled": f"{r['checks']['roi']['determined']:.0%} / {r['checks']['roi']['doubled']:.0%}",
             "within own interval": all(c["holds"] for c in r["checks"].values())} for r in results]
    md = ("# Plan determined: doubling the simulated labels does not move the answer\n\n"
          "Default money ($1 a label, $250 setup, $500 a point, 50,000-item pool, 95% of the full-data score). "
          "'doubled': one more simulation at twice the labels the plan's last stage reached. A check holds when the "
          "headline moved by less than the narrower of the two 95% intervals.\n\n"
          + md_table(rows) + f"\n\nAll checks: {verdict(holds)}\n")
    write_results("plan_determined", {"samples": results, "all_hold": holds, "money": MONEY, "seeds": seeds}, md)


if __name__ == "__main__":
    main()
