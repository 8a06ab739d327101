"""A large pool: 100,000 rows x 50 features, logistic regression, 20 query rounds x 3 seeds.

Data: make_classification(n_samples=100_000, n_features=50, n_informative=20, n_redundant=10, 2 classes), as
a table through the public API (``Dataset.from_frame`` -> ``run_simulation(n_jobs=2)`` -> ``summarize``).
Config: margin (+ random, always added), 3 seeds, 100 initial labels, fixed batch 50, budget 1,100: 21 fits
and 20 queries per strategy and seed; the test split is capped at 5,000 rows, so the pool is 95,000 rows and
every query round scores all of it.

Measured: wall time (median of 3; target under 60 s); peak resident memory of this process and of the worker
processes (``VmHWM`` from /proc, the kernel's per-process peak); and, to check that scoring the pool does not
copy it each round, the memory Python allocates during each round of one run (``tracemalloc``, 40 rounds):
the per-round peak must stay flat and far below the pool's size.

    .venv/bin/python benchmarks/large_pool.py [--reps 3]
    .venv/bin/python benchmarks/large_pool.py --smoke [--out DIR]  # 2,000 rows, 2 seeds, 3 rounds, one repetition
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import bench_args, engine_inputs, join_num, md_table, median, verdict, write_results
from sklearn.datasets import make_classification

from simulations import Dataset, SimulationConfig, Target, run_simulation, summarize
from simulations.config import label_schedule
from simulations.loop import make_split, run_strategy
from simulations.models import model_factory
from simulations.runner import strategy_seed
from simulations.strategies import Margin

N_ROWS, N_FEATURES = 100_000, 50
TARGET_SECONDS = 60.0
CONFIG = dict(strategies=("margin",), seeds=3, model="logreg", initial_labels=100, batch_size=50, budget=1100)


def make_frame() -> pd.DataFrame:
    X, y = make_classification(n_samples=N_ROWS, n_features=N_FEATURES, n_informative=20, n_redundant=10,
                               n_classes=2, flip_y=0.02, random_state=0)
    df = pd.DataFrame(X, columns=[f"f{i:02d}" for i in range(N_FEATURES)])
    df["label"] = np.where(y == 1, "yes", "no")
    return df


def once(frame: pd.DataFrame) -> dict[str, Any]:
    t0 = time.perf_counter()
    ds = Dataset.from_frame(frame, "label", name="synthetic_100k")
    res = run_simulation(ds, SimulationConfig(**CONFIG), n_jobs=2)
    s = summarize(res, Target())
    r = res.rounds
    return {"seconds": time.perf_counter() - t0, "n_pool": res.meta["n_pool"], "n_test": res.meta["n_test"],
            "schedule": res.meta["labels_schedule"], "tasks_rows": len(r),
            "fit_seconds_total": float(r["fit_seconds"].sum()), "query_seconds_total": float(r["query_seconds"].sum()),
            "verdict": s.verdict_sentence()}


def _status_kb(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def child_peaks_mb() -> dict[int, float]:
    """Peak RSS (VmHWM) of this process's live joblib worker processes, in MB."""
    me = os.getpid()
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        try:
            cmdline = (d / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if ppid == me and "popen_loky" in cmdline:  # workers, not joblib's resource tracker
            out[int(d.name)] = _status_kb(d.name, "VmHWM") / 1024
    return out


class RecordingMargin(Margin):
    """Margin that records the memory Python allocated since the previous round (tracemalloc) at each query."""

    def __init__(self) -> None:
        super().__init__()
        self.rounds: list[dict[str, float]] = []

    def select(self, view, batch_size, rng):
        current, peak = tracemalloc.get_traced_memory()
        self.rounds.append({"current_mb": current / 2**20, "peak_mb": peak / 2**20})
        tracemalloc.reset_peak()
        return super().select(view, batch_size, rng)


def per_round_memory(frame: pd.DataFrame, rounds: int) -> dict[str, Any]:
    """One margin run (seed 0) of ``rounds`` queries in this process, with tracemalloc per round."""
    ds = Dataset.from_frame(frame, "label", name="synthetic_100k")
    X, y = engine_inputs(ds, "logreg")
    split = make_split(X, y, seed=0, test_share=0.25, max_test_rows=5000, initial_labels=CONFIG["initial_labels"],
                       stop_set_rows=1000)
    schedule = label_schedule(len(split.initial), len(split.initial) + CONFIG["batch_size"] * rounds,
                              batch_size=CONFIG["batch_size"])
    strategy = RecordingMargin()
    make_model = model_factory("logreg", split.X_pool)
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    run_strategy(split, strategy, make_model, schedule, strategy_seed=strategy_seed("margin"))
    seconds = time.perf_counter() - t0
    end = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    peaks = [r["peak_mb"] for r in strategy.rounds[1:]]  # round 0's window also holds the set-up
    pool_mb = split.X_pool.nbytes / 2**20
    half = len(peaks) // 2
    return {"rounds": rounds, "seconds_under_tracemalloc": seconds, "pool_mb": pool_mb,
            "per_round_peak_mb": peaks, "max_round_peak_mb": max(peaks),
            "first_half_max_mb": max(peaks[:half]), "second_half_max_mb": max(peaks[half:]),
            "retained_growth_mb": (end - base) / 2**20,
            "no_pool_copy": bool(max(peaks) < 0.25 * pool_mb),
            "flat": bool(max(peaks[half:]) <= 1.10 * max(peaks[:half]) + 1.0)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--memory-rounds", type=int, default=40)
    args = bench_args(ap, argv)
    if args.smoke:
        # Same code path, tiny (the memory checks then say nothing: the pool is too small to see a copy).
        global N_ROWS, CONFIG
        N_ROWS = 2000
        CONFIG = {**CONFIG, "seeds": 2, "budget": CONFIG["initial_labels"] + 3 * CONFIG["batch_size"]}
        args.reps, args.memory_rounds = 1, 4
    frame = make_frame()
    print(f"large pool: {N_ROWS:,} x {N_FEATURES}, {CONFIG}", flush=True)
    runs = []
    for rep in range(args.reps):
        r = once(frame)
        runs.append(r)
        print(f"  rep {rep + 1}/{args.reps}: {r['seconds']:.1f} s", flush=True)
    workers = child_peaks_mb()
    self_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("  per-round memory (tracemalloc) ...", flush=True)
    mem = per_round_memory(frame, args.memory_rounds)
    t = median([r["seconds"] for r in runs])
    ok = t < TARGET_SECONDS and mem["no_pool_copy"] and mem["flat"]
    data = {
        "rows": N_ROWS, "features": N_FEATURES, "config": CONFIG, "n_jobs": 2,
        "n_pool": runs[0]["n_pool"], "n_test": runs[0]["n_test"], "schedule": runs[0]["schedule"],
        "seconds": [r["seconds"] for r in runs], "median_seconds": t, "runs": runs,
        "peak_rss_main_process_mb": self_peak_mb, "peak_rss_worker_processes_mb": list(workers.values()),
        "peak_rss_sum_mb": self_peak_mb + sum(workers.values()),
        "memory_per_round": mem, "target_seconds": TARGET_SECONDS, "pass": ok,
    }
    peaks = mem["per_round_peak_mb"]
    md = [
        "# Large pool: 100,000 rows", "",
        f"make_classification {N_ROWS:,} x {N_FEATURES} (20 informative, 10 redundant, 2 classes) as a table; "
        f"logistic regression; margin + random; 3 seeds; 100 initial labels, batch 50, budget 1,100 "
        f"({len(runs[0]['schedule']) - 1} query rounds, pool {runs[0]['n_pool']:,} rows scored every round, "
        f"test {runs[0]['n_test']:,}); `Dataset.from_frame` + `run_simulation(n_jobs=2)` + `summarize`.", "",
        "Command: `.venv/bin/python benchmarks/large_pool.py`", "",
        md_table([
            {"measure": f"wall time, median of {len(runs)}", "value": f"{t:.1f} s",
             "target": f"< {TARGET_SECONDS:g} s", "result": verdict(t < TARGET_SECONDS)},
            {"measure": "peak RSS, main process (ru_maxrss)", "value": f"{self_peak_mb:,.0f} MB", "target": "",
             "result": ""},
            {"measure": "peak RSS, each worker process (VmHWM)",
             "value": ", ".join(f"{v:,.0f} MB" for v in workers.values()) or "-", "target": "", "result": ""},
            {"measure": f"largest per-round allocation peak (tracemalloc, {mem['rounds']} rounds)",
             "value": f"{mem['max_round_peak_mb']:.1f} MB", "target": f"<< pool {mem['pool_mb']:.1f} MB",
             "result": verdict(mem["no_pool_copy"])},
            {"measure": "per-round peak, first vs second half of the rounds",
             "value": f"{mem['first_half_max_mb']:.1f} vs {mem['second_half_max_mb']:.1f} MB", "target": "flat",
             "result": verdict(mem["flat"])},
        ]), "",
        f"- wall times: {join_num([r['seconds'] for r in runs], 1)} s (the first starts the worker processes); "
        f"summed over tasks: fit {runs[-1]['fit_seconds_total']:.1f} s, measure + query "
        f"{runs[-1]['query_seconds_total']:.1f} s",
        f"- per-round allocation peaks (MB), rounds 1..{len(peaks)}: {join_num(peaks, 1)}",
        f"- memory still held after the {mem['rounds']}-round run: {mem['retained_growth_mb']:.1f} MB "
        "(records and the labeled index)",
        f"- answer: {runs[-1]['verdict']}",
    ]
    paths = write_results("large_pool", data, "\n".join(md))
    print(f"median {t:.1f} s (target < {TARGET_SECONDS:g}); per-round peak {mem['max_round_peak_mb']:.1f} MB vs pool "
          f"{mem['pool_mb']:.1f} MB -> {verdict(ok)}")
    print(f"wrote {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
