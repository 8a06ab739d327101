"""Engine overhead: the engine's wall time over a plain scikit-learn loop doing the same protocol.

Two comparisons, interleaved in one process (the order rotates each repetition), median over repetitions:

* **core (the target, like for like)**: one strategy on one seed plus the whole-pool "ceiling" fit. The
  engine side is exactly what ``run_simulation`` runs for those two tasks (``runner._run_task``):
  ``make_split`` + ``model_factory`` + ``ceiling_metrics`` + ``run_strategy`` under one BLAS thread. The plain
  side is a hand-written loop (split, initial set, fit, predict_proba on the unlabeled pool, pick, test
  accuracy, repeat; then the ceiling fit), also under one BLAS thread. Both get the same feature matrix.
* **public API (informational)**: ``run_simulation`` with a one-seed config, ``n_jobs=1``. The engine always
  adds ``random``, so the plain side here runs the strategy *and* random plus the ceiling. The engine side
  also fits the feature pipeline and builds the result tables; nothing is subtracted.

Target: core ratio (engine / plain) at most 1.10 on both set-ups. Above it, the engine side is profiled
with cProfile and the top functions are written to the result file.

    .venv/bin/python benchmarks/engine_overhead.py [--reps-a 3] [--reps-b 7] [--profile]
    .venv/bin/python benchmarks/engine_overhead.py --smoke [--out DIR]  # (a) on 1,000 rows, 10 trees; 3 rounds each,
        # one repetition, profiled
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
from _common import (
    bench_args,
    engine_inputs,
    interleaved,
    md_table,
    median,
    paired_ratios,
    plain_loop,
    profile_call,
    rewrite_markdown,
    tutorial_dataset,
    verdict,
    write_results,
)
from sklearn.ensemble import RandomForestClassifier
from threadpoolctl import threadpool_limits

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.config import label_schedule
from simulations.loop import make_split
from simulations.models import model_factory
from simulations.runner import CEILING, _run_task

TARGET_RATIO = 1.10
SEED = 0

CASES = {
    "a": {
        "title": "(a) tutorial: make_classification 10k x 20, 3 classes; random forest (100 trees), "
                 "least confidence, 100 initial (1%), 100 single queries",
        "dataset": tutorial_dataset,
        "model": "random_forest",
        "strategy": "least_confidence",
        "initial": 100,
        "batch": 1,
        "rounds": 100,
    },
    "b": {
        "title": "(b) digits (1,797 x 64, 10 classes); logistic regression, margin, 20 initial, batch 10, 30 rounds",
        "dataset": lambda: Dataset.from_sample("digits"),
        "model": "logreg",
        "strategy": "margin",
        "initial": 20,
        "batch": 10,
        "rounds": 30,
    },
}


def engine_core(X: Any, y: np.ndarray, case: dict[str, Any]) -> dict[str, Any]:
    """What run_simulation runs for one seed's ceiling task and one strategy task: make_split, then
    ``runner._run_task`` twice (model_factory + one BLAS thread + ceiling_metrics / run_strategy)."""
    split = make_split(X, y, seed=SEED, test_share=0.25, max_test_rows=5000, initial_labels=case["initial"],
                       stop_set_rows=1000)
    n0 = len(split.initial)
    schedule = label_schedule(n0, n0 + case["batch"] * case["rounds"], batch_size=case["batch"])
    _, _, ceiling = _run_task(split, CEILING, case["model"], schedule, None)
    _, _, records = _run_task(split, case["strategy"], case["model"], schedule, None)
    return {"accuracies": [r["accuracy"] for r in records], "labels": records[-1]["labels"], "fits": len(records),
            "ceiling": ceiling["accuracy"]}


def plain_core(X: Any, y: np.ndarray, case: dict[str, Any], make_model, initial_idx: np.ndarray) -> dict[str, Any]:
    with threadpool_limits(limits=1):
        return plain_loop(X, y, SEED, make_model, case["strategy"], initial=case["initial"], batch=case["batch"],
                          rounds=case["rounds"], initial_idx=initial_idx)


def plain_pair(X: Any, y: np.ndarray, case: dict[str, Any], make_model, initial_idx: np.ndarray) -> dict[str, Any]:
    """What the public API computes for a one-strategy config: the strategy, random and the ceiling."""
    with threadpool_limits(limits=1):
        a = plain_loop(X, y, SEED, make_model, case["strategy"], initial=case["initial"], batch=case["batch"],
                       rounds=case["rounds"], initial_idx=initial_idx)
        b = plain_loop(X, y, SEED, make_model, "random", initial=case["initial"], batch=case["batch"],
                       rounds=case["rounds"], ceiling=False, initial_idx=initial_idx)
    return {"strategy": a, "random": b}


def engine_api(ds: Dataset, case: dict[str, Any]) -> Any:
    # A case's model is a preset name; a smoke run passes an estimator instead (``run_simulation(model=)``).
    preset = isinstance(case["model"], str)
    cfg = SimulationConfig(strategies=(case["strategy"],), seeds=1, random_state=SEED,
                           model=case["model"] if preset else "logreg",
                           initial_labels=case["initial"], batch_size=case["batch"],
                           budget=case["initial"] + case["batch"] * case["rounds"])
    return run_simulation(ds, cfg, n_jobs=1, model=None if preset else case["model"])


def run_case(key: str, reps: int, force_profile: bool) -> dict[str, Any]:
    case = CASES[key]
    print(f"\n{case['title']}", flush=True)
    ds = case["dataset"]()
    X, y = engine_inputs(ds, case["model"])
    make_model = model_factory(case["model"], X)
    # Both sides start from the same test split (same call) and the same initial labels (the engine's,
    # drawn here outside the timing), so they do the same work; the engine side still draws its own split
    # inside its timing.
    initial_idx = make_split(X, y, seed=SEED, test_share=0.25, max_test_rows=5000, initial_labels=case["initial"],
                             stop_set_rows=1000).initial

    # Warm-up (imports, allocator, caches) on a short run of each side; not timed.
    short = {**case, "rounds": 2}
    engine_core(X, y, short)
    plain_core(X, y, short, make_model, initial_idx)
    engine_api(ds, short)

    contenders = {
        "plain_core": lambda: plain_core(X, y, case, make_model, initial_idx),
        "engine_core": lambda: engine_core(X, y, case),
        "plain_pair": lambda: plain_pair(X, y, case, make_model, initial_idx),
        "engine_api": lambda: engine_api(ds, case),
    }
    times, cpu, last = interleaved(contenders, reps)
    cpu_ratio = median(cpu["engine_core"]) / median(cpu["plain_core"])
    cpu_api_ratio = median(cpu["engine_api"]) / median(cpu["plain_pair"])
    core_ratios = paired_ratios(times["engine_core"], times["plain_core"])
    api_ratios = paired_ratios(times["engine_api"], times["plain_pair"])
    ratio = median(times["engine_core"]) / median(times["plain_core"])
    api_ratio = median(times["engine_api"]) / median(times["plain_pair"])
    res = last["engine_api"]
    out: dict[str, Any] = {
        "title": case["title"],
        "settings": {k: v for k, v in case.items() if k not in ("title", "dataset")},
        "n_rows": len(y), "n_features": int(X.shape[1]), "reps": reps,
        "seconds": times,
        "median_seconds": {k: median(v) for k, v in times.items()},
        "core_ratio_of_medians": ratio,
        "core_ratio_median_of_paired": median(core_ratios),
        "core_ratios": core_ratios,
        "cpu_seconds": cpu,
        "median_cpu_seconds": {k: median(v) for k, v in cpu.items()},
        "core_cpu_ratio": cpu_ratio,
        "api_cpu_ratio": cpu_api_ratio,
        "api_ratio_of_medians": api_ratio,
        "api_ratio_median_of_paired": median(api_ratios),
        "api_ratios": api_ratios,
        "target": TARGET_RATIO,
        "pass": bool(ratio <= TARGET_RATIO),
        "sanity": {
            "plain_fits": last["plain_core"]["fits"], "engine_fits": last["engine_core"]["fits"],
            "plain_final_labels": last["plain_core"]["labels"], "engine_final_labels": last["engine_core"]["labels"],
            "plain_final_accuracy": last["plain_core"]["accuracies"][-1],
            "engine_final_accuracy": last["engine_core"]["accuracies"][-1],
            "plain_ceiling": last["plain_core"]["ceiling"], "engine_ceiling": last["engine_core"]["ceiling"],
            "engine_api_rounds_rows": len(res.rounds),
        },
    }
    print(f"  core ratio {ratio:.3f} (paired median {median(core_ratios):.3f}, CPU {cpu_ratio:.3f}); public-API "
          f"ratio {api_ratio:.3f} (CPU {cpu_api_ratio:.3f})", flush=True)
    if force_profile or ratio > TARGET_RATIO:
        print("  profiling the engine side (cProfile)...", flush=True)
        out["profile_engine_core"] = profile_call(lambda: engine_core(X, y, case))
        out["profile_plain_core"] = profile_call(lambda: plain_core(X, y, case, make_model, initial_idx))
    return out


def markdown(results: dict[str, Any]) -> str:
    lines = ["# Engine overhead vs a plain scikit-learn loop", "",
             "Same protocol on both sides, interleaved in one process, median wall time over repetitions. "
             "**Core** (the target) = one strategy + the ceiling fit for one seed: the engine's "
             "`make_split` + `ceiling_metrics` + `run_strategy` (what `run_simulation` runs for those two tasks) vs a "
             "hand-written loop, same feature matrix, both under one BLAS thread. **Public API** (informational) = "
             "`run_simulation(n_jobs=1)`, which always adds `random` and fits the feature pipeline, vs the plain loop "
             "run for the strategy and random plus the ceiling; nothing subtracted.", "",
             "Command: `.venv/bin/python benchmarks/engine_overhead.py`", ""]
    rows = []
    for r in results["cases"].values():
        m = r["median_seconds"]
        rows.append({
            "set-up": r["title"][:3], "reps": r["reps"], "plain core s": m["plain_core"],
            "engine core s": m["engine_core"], "core ratio": round(r["core_ratio_of_medians"], 3),
            "target": f"<= {TARGET_RATIO}", "result": verdict(r["pass"]),
            "plain pair s": m["plain_pair"], "run_simulation s": m["engine_api"],
            "API ratio": round(r["api_ratio_of_medians"], 3),
            "core CPU ratio": round(r["core_cpu_ratio"], 3), "API CPU ratio": round(r["api_cpu_ratio"], 3),
        })
    lines.append(md_table(rows))
    lines += ["", "Ratios are engine / plain of the median wall times (the target), and of the median CPU times of "
              "the process (`time.process_time`). Every side runs in this one process with one BLAS thread "
              "(`n_jobs=1`), so on an idle machine CPU time equals wall time; on this shared 2-core machine wall "
              "times swing with other people's jobs while CPU times do not, so the CPU ratio is the steadier "
              "figure.", ""]
    for r in results["cases"].values():
        s = r["sanity"]
        lines += [f"## {r['title']}", "",
                  f"- per-repetition core ratios: {', '.join(f'{x:.3f}' for x in r['core_ratios'])}",
                  f"- per-repetition public-API ratios: {', '.join(f'{x:.3f}' for x in r['api_ratios'])}",
                  f"- same work: fits {s['plain_fits']} vs {s['engine_fits']}, final labels "
                  f"{s['plain_final_labels']} vs {s['engine_final_labels']}; final accuracy "
                  f"{s['plain_final_accuracy']:.3f} vs {s['engine_final_accuracy']:.3f}; ceiling "
                  f"{s['plain_ceiling']:.3f} vs {s['engine_ceiling']:.3f} (plain vs engine: same split and initial "
                  "labels; picks can differ only by tie-breaking and the random forest's bootstrap order)", ""]
        if "profile_engine_core" in r:
            p = r["profile_engine_core"]
            lines += [f"Engine core profile (cProfile, {p['wall_seconds']:.1f} s under the profiler), "
                      "top by cumulative time:", "",
                      md_table([{"function": x["function"], "calls": x["ncalls"], "cum s": x["cumtime"],
                                 "share": f"{100 * x['share']:.1f}%"} for x in p["by_cumulative"][:20]]), ""]
            pp = r["profile_plain_core"]
            lines += ["Plain loop profile, top by cumulative time:", "",
                      md_table([{"function": x["function"], "calls": x["ncalls"], "cum s": x["cumtime"],
                                 "share": f"{100 * x['share']:.1f}%"} for x in pp["by_cumulative"][:12]]), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps-a", type=int, default=5)
    ap.add_argument("--reps-b", type=int, default=15)
    ap.add_argument("--cases", default="a,b")
    ap.add_argument("--profile", action="store_true", help="profile even when the target is met")
    ap.add_argument("--rewrite-md", action="store_true", help="only rewrite the .md from the saved .json")
    args = bench_args(ap, argv)
    if args.smoke:
        # Same code path, tiny: set-up (a) on 1,000 rows with a 10-tree forest, 3 rounds per case, one
        # repetition, and the profiles.
        CASES["a"] = {**CASES["a"], "dataset": lambda: tutorial_dataset(1000), "rounds": 3,
                      "model": RandomForestClassifier(n_estimators=10, n_jobs=1)}
        CASES["b"] = {**CASES["b"], "rounds": 3}
        args.reps_a, args.reps_b, args.profile = 1, 1, True
    if args.rewrite_md:
        rewrite_markdown("engine_overhead", markdown)
        return 0
    reps = {"a": args.reps_a, "b": args.reps_b}
    cases = {k: run_case(k, reps[k], args.profile) for k in args.cases.split(",")}
    results = {"target": f"core ratio <= {TARGET_RATIO}", "cases": cases,
               "pass": all(c["pass"] for c in cases.values())}
    paths = write_results("engine_overhead", results, markdown(results))
    print(f"\nwrote {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
