"""A 1,000,000-row pool on this 2-core machine: wall time and peak memory, and how they grow from 10k rows.

Data: ``make_classification(n_rows, 20 features, 8 informative, 4 redundant, 2 classes, flip_y=0.05)`` as a
table through the public API (``Dataset.from_frame``). Config: logistic regression, margin (+ random, always
added), 3 seeds, 20 initial labels, fixed batch 50, budget 970: 20 rounds per strategy and seed; the test
split is capped at 5,000 rows, so the pool is n_rows - 5,000 and, without ``max_candidates``, every round
scores all of it. Targets at 1M rows: under 2 minutes and under 4 GB.

Variants (each run in a fresh process, so peaks do not mix):

- ``engine``: ``run_simulation`` (O(n) top-k, fast median imputer, one split per task where it runs, features
  shared by one memory-mapped file when ``n_jobs > 1``).
- ``engine+mc20000``: the same with ``max_candidates=20000``; ``engine+f32``: with ``float32=True``
  (both approximations).

Memory: the kernel's peak resident set of the main process (``ru_maxrss``) and of the largest worker
(``VmHWM``, read while it runs), and
a sampled peak (every 0.2 s) of the proportional set size (PSS: shared pages split between the processes
that map them) summed over the process tree plus joblib's temporary files in /dev/shm (an upper bound).

    .venv/bin/python benchmarks/million_rows.py                      # scaling table, 10k -> 1M rows
    .venv/bin/python benchmarks/million_rows.py --scaling-rows 1000000 --engines engine,engine+mc20000,engine+f32 \
        --reps 2                                                     # the 1M-row runs, repeated
    .venv/bin/python benchmarks/million_rows.py --profile            # where the time goes at 1M rows
    .venv/bin/python benchmarks/million_rows.py --subsampling        # max_candidates vs savings (adult, 1M)
    .venv/bin/python benchmarks/million_rows.py --smoke [--out DIR]  # 2,000 rows, 2 seeds: two variants + --profile

The scaling table is printed and its records written to ``million_rows.json`` (in ``results/`` or ``--out``);
``results/million_rows.md`` is the hand-written account of the 1M-row work and is never overwritten.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import threading
import time
from typing import Any

import numpy as np
import pandas as pd

SCALING_ROWS = (10_000, 30_000, 100_000, 300_000, 1_000_000)
N_FEATURES = 20
SCHEDULE = {"initial_labels": 20, "batch_size": 50, "budget": 970}  # 20 rounds


def make_frame(n_rows: int) -> pd.DataFrame:
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=n_rows, n_features=N_FEATURES, n_informative=8, n_redundant=4,
                               n_classes=2, flip_y=0.05, random_state=0)
    df = pd.DataFrame(X, columns=[f"f{i:02d}" for i in range(N_FEATURES)])
    df["label"] = np.where(y == 1, "yes", "no")
    return df


def _vm_hwm(pid: int) -> int:
    """The kernel's peak resident set of a process (VmHWM), in bytes."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def text_frame(n_rows: int) -> pd.DataFrame:
    """The shipped SMS sample (text) resampled with replacement to ``n_rows`` rows: sparse TF-IDF features."""
    from simulations.datasets import load_sample_frame

    return load_sample_frame("sms_spam").sample(n_rows, replace=True, random_state=0).reset_index(drop=True)


class PeakMemory:
    """Samples PSS of this process and its children (+ joblib files in /dev/shm) every ``interval`` seconds."""

    def __init__(self, interval: float = 0.2) -> None:
        import psutil

        self.psutil, self.interval, self.peak, self._stop = psutil, interval, 0, False
        self.worker_hwm: dict[int, int] = {}  # child pid -> its kernel-tracked peak RSS (VmHWM), bytes
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> int:
        me = self.psutil.Process()
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_full_info().pss
                if p.pid != me.pid:
                    self.worker_hwm[p.pid] = max(self.worker_hwm.get(p.pid, 0), _vm_hwm(p.pid))
            except (self.psutil.NoSuchProcess, self.psutil.AccessDenied, OSError):
                pass
        for f in glob.glob(f"/dev/shm/joblib_memmapping_folder_{os.getpid()}_*/**", recursive=True):
            if os.path.isfile(f):
                total += os.path.getsize(f)
        return total

    def _run(self) -> None:
        while not self._stop:
            self.peak = max(self.peak, self.sample())
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop = True
        self._thread.join()
        return self.peak


def one_run(args: argparse.Namespace) -> dict[str, Any]:
    """One configuration in this process; returns timings and peaks."""
    from simulations import Dataset, SimulationConfig, Target, run_simulation, summarize

    mem = PeakMemory()
    t0 = time.perf_counter()
    text = args.data == "sms_spam"
    frame = text_frame(args.rows) if text else make_frame(args.rows)
    t1 = time.perf_counter()
    # Resampled messages repeat, so inference would call the column categorical: say it is text.
    ds = Dataset.from_frame(frame, "label", name=f"{args.data}_{args.rows}", roles={"text": "text"} if text else None)
    del frame
    t2 = time.perf_counter()
    cfg = SimulationConfig(strategies=("margin",), seeds=args.seeds, model="logreg", max_candidates=args.max_candidates,
                           **SCHEDULE)
    res = run_simulation(ds, cfg, n_jobs=args.n_jobs, float32=args.float32)
    t3 = time.perf_counter()
    summary = summarize(res, Target())
    peak_pss = mem.stop()
    sv = summary.strategies["margin"].savings_vs_random
    return {
        "rows": args.rows, "data": args.data, "n_features": res.meta["n_features"],
        "sparse": res.meta["sparse_features"], "engine": args.engine, "n_jobs": args.n_jobs, "float32": args.float32,
        "max_candidates": args.max_candidates, "seeds": args.seeds,
        "rounds": int(res.rounds["round"].max() + 1), "n_pool": res.meta["n_pool"],
        "gen_s": t1 - t0, "dataset_s": t2 - t1, "simulate_s": t3 - t2, "total_s": t3 - t0,
        "fit_s": float(res.rounds["fit_seconds"].sum()), "query_s": float(res.rounds["query_seconds"].sum()),
        "peak_pss_mb": peak_pss / 2**20,
        "maxrss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "maxrss_worker_mb": max(mem.worker_hwm.values(), default=0) / 2**20,
        "savings": None if sv is None else sv.median, "load": os.getloadavg()[0],
    }


def spawn(rows: int, engine: str = "engine", n_jobs: int = 1, *, float32: bool = False,
          max_candidates: int | None = None, seeds: int = 3, data: str = "synthetic") -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--one", "--rows", str(rows), "--engine", engine, "--n-jobs", str(n_jobs),
           "--seeds", str(seeds), "--data", data]
    if float32:
        cmd.append("--float32")
    if max_candidates:
        cmd += ["--max-candidates", str(max_candidates)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rec = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(rec), file=sys.stderr, flush=True)
    return rec


def _variant(name: str) -> dict[str, Any]:
    """``engine``, ``engine+mc20000`` (max_candidates), ``engine+f32`` (float32 features)."""
    engine, *opts = name.split("+")
    out: dict[str, Any] = {"engine": engine}
    for o in opts:
        if o == "f32":
            out["float32"] = True
        elif o.startswith("mc"):
            out["max_candidates"] = int(o[2:])
    return out


def scaling(rows: list[int], variants: list[str], jobs: list[int], reps: int, data: str = "synthetic",
            seeds: int = 3) -> list[dict[str, Any]]:
    recs = [(v, spawn(n, n_jobs=j, data=data, seeds=seeds, **_variant(v)))
            for _ in range(reps) for n in rows for j in jobs for v in variants]
    print("| rows | pool | engine | n_jobs | total s | simulate s | peak PSS+shm MB | max RSS main / worker MB | "
          "load |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for v, r in sorted(recs, key=lambda vr: (vr[1]["rows"], vr[1]["n_jobs"], variants.index(vr[0]))):
        print(f"| {r['rows']:,} | {r['n_pool']:,} | {v} | {r['n_jobs']} | {r['total_s']:.1f} | "
              f"{r['simulate_s']:.1f} | {r['peak_pss_mb']:,.0f} | {r['maxrss_main_mb']:,.0f} / "
              f"{r['maxrss_worker_mb']:,.0f} | {r['load']:.1f} |")
    return [{"variant": v, **r} for v, r in recs]


def profile(rows: int) -> None:
    """Time each step of one seed at ``rows`` rows, in this process (one BLAS thread, as the engine's tasks)."""
    import psutil
    from threadpoolctl import threadpool_limits

    from simulations import Dataset
    from simulations.config import label_schedule
    from simulations.features import fit_features
    from simulations.loop import ceiling_metrics, make_split, run_strategy
    from simulations.models import model_factory
    from simulations.runner import strategy_seed
    from simulations.strategies import make_strategy
    from simulations.strategies.base import top_k

    def timed(label: str, fn):
        t = time.perf_counter()
        with threadpool_limits(limits=1):  # as the engine runs every task
            out = fn()
        rss = psutil.Process().memory_info().rss / 2**20
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {label} | {time.perf_counter() - t:.2f} | {rss:,.0f} | {peak:,.0f} |", flush=True)
        return out

    print(f"| step ({rows:,} rows, one seed) | seconds | RSS after, MB | peak RSS so far, MB |\n|---|---:|---:|---:|")
    frame = timed("make_classification + DataFrame", lambda: make_frame(rows))
    ds = timed("Dataset.from_frame (role inference, validation)", lambda: Dataset.from_frame(frame, "label"))
    X, _ = timed("fit_features (FastMedianImputer)", lambda: fit_features(ds))
    _, y = np.unique(ds.y, return_inverse=True)
    split = timed("make_split (one seed: pool and test copies)", lambda: make_split(
        X, y, seed=0, test_share=0.25, max_test_rows=5000, initial_labels=20, stop_set_rows=1000))
    make_model = model_factory("logreg", split.X_pool)
    sched = label_schedule(20, 970, batch_size=50)
    timed("ceiling: logreg on the whole pool", lambda: ceiling_metrics(split, make_model))
    for name in ("random", "margin"):
        timed(f"{name}, 20 rounds", lambda name=name: run_strategy(split, make_strategy(name), make_model, sched,
                                                                   strategy_seed=strategy_seed(name)))
    scores = np.random.default_rng(0).random(len(split.y_pool))
    timed("one top_k over the pool (partition)", lambda: top_k(scores, 50, np.random.default_rng(1)))


def subsampling(seeds: int, rows_synthetic: int) -> None:
    """Savings of margin vs random with max_candidates None (score all) / 2,000 / 10,000, at two targets."""
    from simulations import Dataset, SimulationConfig, Target, run_simulation, summarize

    def fmt(iv):
        if iv is None:
            return "n/a"
        b = {"lower": ">= ", "upper": "<= "}.get(iv.bound or "", "")
        return f"{b}{100 * iv.median:.0f}% ({100 * iv.low:.0f}% to {100 * iv.high:.0f}%)"

    targets = (Target("share_of_ceiling", 0.95), Target("share_of_ceiling", 0.98))
    cases = [("adult", lambda: Dataset.from_sample("adult"), {"initial_labels": 20, "growth": 0.2, "budget": 1500},
              [(None, False), (2000, False), (10000, False)])]
    if rows_synthetic:
        cases.append((f"synthetic {rows_synthetic:,}", lambda: Dataset.from_frame(make_frame(rows_synthetic), "label"),
                      SCHEDULE, [(None, False), (2000, False), (10000, False), (50000, False), (None, True)]))
    print(f"{seeds} seeds; margin vs random; logistic regression; savings = median over seeds of 1 - margin's labels "
          "/ random's labels to the target, 95% bootstrap interval.\n")
    print("| data | max_candidates | float32 | target | margin: labels | random: labels | savings (95% interval) | "
          "verdict | AUC gain | time s |")
    print("|---|---:|---|---|---:|---:|---|---|---:|---:|")
    for name, load, sched, variants in cases:
        ds = load()
        for mc, f32 in variants:
            cfg = SimulationConfig(strategies=("margin",), seeds=seeds, model="logreg", max_candidates=mc, **sched)
            t = time.perf_counter()
            res = run_simulation(ds, cfg, n_jobs=2, float32=f32)
            dt = time.perf_counter() - t
            for target in targets:
                s = summarize(res, target)
                m, r = s.strategies["margin"], s.strategies["random"]
                ltt = (f"{m.labels_to_target.median:.0f}", f"{r.labels_to_target.median:.0f}")
                ltt = tuple(f">{v}" if iv.censored else v for v, iv in zip(ltt, (m.labels_to_target,
                                                                               r.labels_to_target), strict=True))
                print(f"| {name} | {mc or 'all'} | {'yes' if f32 else 'no'} | {100 * target.value:.0f}% of ceiling | "
                      f"{ltt[0]} | {ltt[1]} | {fmt(m.savings_vs_random)} | {m.verdict} | "
                      f"{m.auc_gain_vs_random.median:+.4f} | {dt:.0f} |", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--one", action="store_true", help="internal: one configuration, JSON on stdout")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--data", choices=["synthetic", "sms_spam"], default="synthetic",
                   help="sms_spam: the shipped text sample resampled to --rows rows (sparse features)")
    p.add_argument("--engine", choices=["engine"], default="engine", help="internal: the variant's base name")
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--float32", action="store_true")
    p.add_argument("--max-candidates", type=int)
    p.add_argument("--scaling-rows", default=",".join(map(str, SCALING_ROWS)))
    p.add_argument("--engines", default="engine",
                   help="variants: engine, engine+mc20000 (max_candidates), engine+f32 (float32 features)")
    p.add_argument("--reps", type=int, default=1, help="repetitions of the scaling table (interleaved)")
    p.add_argument("--jobs", default="1,2")
    p.add_argument("--profile", action="store_true", help="time each step of one seed at --rows rows")
    p.add_argument("--subsampling", action="store_true", help="max_candidates vs the savings estimate")
    p.add_argument("--synthetic-rows", type=int, default=1_000_000, help="with --subsampling (0 skips it)")
    if "--one" in sys.argv[1:]:  # internal (one configuration in a fresh process): JSON on stdout, no files
        print(json.dumps(one_run(p.parse_args())))
        return 0
    from _common import bench_args, write_json  # not in --one processes: their memory is measured

    args = bench_args(p)
    if args.smoke:
        # Same code path, tiny: the scaling table at 2,000 rows for two variants (one with both approximations),
        # 2 seeds, each in a fresh process as usual; then the step profile at 2,000 rows. No --subsampling.
        rows = [2000]
        recs = scaling(rows, ["engine", "engine+mc500+f32"], [1], 1, args.data, seeds=2)
        profile(rows[0])
    elif args.profile:
        profile(args.rows)
        return 0
    elif args.subsampling:
        subsampling(args.seeds if args.seeds != 3 else 10, args.synthetic_rows)
        return 0
    else:
        rows = [int(r) for r in args.scaling_rows.split(",")]
        recs = scaling(rows, args.engines.split(","), [int(j) for j in args.jobs.split(",")], args.reps, args.data,
                       seeds=args.seeds)
    path, _ = write_json("million_rows", {"schedule": SCHEDULE, "rows": rows, "data": args.data, "scaling": recs})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
