"""The default scenario end to end: what the dashboard runs when it opens.

``DEFAULT_SCENARIO`` (simulations/config.py): the shipped sample data set and config (3 strategies + random,
5 seeds). One run = ``Dataset.from_sample`` + ``run_simulation(n_jobs=2)`` + ``summarize``. The first run of
the process starts the worker processes (cold); then 5 more runs with ``n_jobs=2`` interleaved with 5 runs with
``n_jobs=1`` for reference. Target: median of the 5 warm ``n_jobs=2`` wall times under 5 s.

    .venv/bin/python benchmarks/default_scenario.py [--reps 5]
    .venv/bin/python benchmarks/default_scenario.py --smoke [--out DIR]  # 2 seeds, budget 40, 1 rep, profiled
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import time
from typing import Any

from _common import ROOT, bench_args, join_num, md_table, median, profile_call, verdict, write_results

from simulations import Dataset, Target, run_simulation, summarize
from simulations.config import DEFAULT_SCENARIO

TARGET_SECONDS = 5.0
CONFIG = DEFAULT_SCENARIO.config  # a smoke run shrinks it
IMPORT_REPS = 3


def once(n_jobs: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    ds = Dataset.from_sample(DEFAULT_SCENARIO.dataset)
    t1 = time.perf_counter()
    res = run_simulation(ds, CONFIG, n_jobs=n_jobs)
    t2 = time.perf_counter()
    s = summarize(res, Target())
    t3 = time.perf_counter()
    return {"total": t3 - t0, "load": t1 - t0, "simulate": t2 - t1, "summarize": t3 - t2,
            "rounds": len(res.rounds), "schedule": res.meta["labels_schedule"], "verdict": s.verdict_sentence()}


def import_seconds() -> float:
    """Importing the engine in a fresh interpreter (part of what a first command-line run pays)."""
    code = "import time; t = time.perf_counter(); import simulations; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="profile an n_jobs=1 run even when the target is met")
    args = bench_args(ap, argv)
    if args.smoke:
        global CONFIG, IMPORT_REPS
        CONFIG = dataclasses.replace(CONFIG, seeds=2, budget=40)
        args.reps, args.profile, IMPORT_REPS = 1, True, 1
    cfg = CONFIG
    print(f"default scenario: {DEFAULT_SCENARIO.dataset}, strategies {cfg.strategies}, {cfg.seeds} seeds", flush=True)
    cold = once(2)
    print(f"  cold (first run, worker start): {cold['total']:.2f} s", flush=True)
    warm: list[dict[str, Any]] = []
    serial: list[dict[str, Any]] = []
    for rep in range(args.reps):
        order = (2, 1) if rep % 2 == 0 else (1, 2)
        for n_jobs in order:
            r = once(n_jobs)
            (warm if n_jobs == 2 else serial).append(r)
            print(f"  rep {rep + 1}/{args.reps} n_jobs={n_jobs}: {r['total']:.2f} s", flush=True)
    imp = median([import_seconds() for _ in range(IMPORT_REPS)])
    t_warm = median([r['total'] for r in warm])
    t_serial = median([r['total'] for r in serial])
    ok = t_warm < TARGET_SECONDS
    data = {
        "dataset": DEFAULT_SCENARIO.dataset, "config": cfg.to_dict(), "schedule": cold["schedule"],
        "rounds_rows": cold["rounds"], "verdict_sentence": cold["verdict"],
        "cold_first_run_seconds": cold["total"], "cold_first_run": cold,
        "warm_n_jobs_2_seconds": [r['total'] for r in warm], "median_warm_n_jobs_2_seconds": t_warm,
        "n_jobs_1_seconds": [r['total'] for r in serial], "median_n_jobs_1_seconds": t_serial,
        "median_phases_n_jobs_2": {k: median([r[k] for r in warm]) for k in ("load", "simulate", "summarize")},
        "import_simulations_seconds": imp,
        "target_seconds": TARGET_SECONDS, "pass": ok,
    }
    if args.profile or not ok:
        # Workers cannot be profiled from here: profile the same work in this process (n_jobs=1).
        print("  profiling an n_jobs=1 run (cProfile) ...", flush=True)
        data["profile_n_jobs_1"] = profile_call(lambda: once(1), top=30)
    ph = data["median_phases_n_jobs_2"]
    md = [
        "# Default scenario end to end", "",
        f"`DEFAULT_SCENARIO`: `{DEFAULT_SCENARIO.dataset}`, strategies {', '.join(cfg.strategies)}, {cfg.seeds} "
        f"seeds, {cfg.initial_labels} initial labels, growth {cfg.growth}, budget {cfg.budget} "
        f"(schedule {cold['schedule']}). One run = `Dataset.from_sample` + `run_simulation(n_jobs=2)` + "
        "`summarize`.", "",
        "Command: `.venv/bin/python benchmarks/default_scenario.py`", "",
        md_table([
            {"measure": f"median of {args.reps} warm runs, n_jobs=2", "seconds": t_warm,
             "target": f"< {TARGET_SECONDS:g}", "result": verdict(ok)},
            {"measure": "first run in the process (starts the workers)", "seconds": cold["total"], "target": "",
             "result": ""},
            {"measure": f"median of {args.reps} runs, n_jobs=1 (interleaved with the above)", "seconds": t_serial,
             "target": "", "result": ""},
            {"measure": f"import simulations in a fresh interpreter (median of {IMPORT_REPS})", "seconds": imp,
             "target": "", "result": ""},
        ]), "",
        f"- warm n_jobs=2 runs: {join_num([r['total'] for r in warm])} s; n_jobs=1 runs: "
        f"{join_num([r['total'] for r in serial])} s",
        f"- median phases (n_jobs=2): load {ph['load']:.2f} s, simulate {ph['simulate']:.2f} s, summarize "
        f"{ph['summarize']:.2f} s; first run: load {cold['load']:.2f}, simulate {cold['simulate']:.2f}, summarize "
        f"{cold['summarize']:.2f} s",
        f"- answer: {cold['verdict']}",
    ]
    if "profile_n_jobs_1" in data:
        p = data["profile_n_jobs_1"]
        md += ["", f"Profile of one n_jobs=1 run (cProfile, {p['wall_seconds']:.1f} s under the profiler), top by "
               "cumulative time:", "",
               md_table([{"function": x["function"], "calls": x["ncalls"], "cum s": x["cumtime"],
                          "share": f"{100 * x['share']:.1f}%"} for x in p["by_cumulative"][:30]]), "",
               "Top by own time:", "",
               md_table([{"function": x["function"], "calls": x["ncalls"], "own s": x["tottime"]}
                         for x in p["by_self"][:15]])]
    paths = write_results("default_scenario", data, "\n".join(md))
    print(f"median warm {t_warm:.2f} s (target < {TARGET_SECONDS:g}) -> {verdict(ok)}; cold {cold['total']:.2f} s")
    print(f"wrote {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
