"""Run every benchmark one after the other (never two at once: they time each other) and write a summary.

    .venv/bin/python benchmarks/run_all.py                 # everything (about an hour, mostly the modAL side)
    .venv/bin/python benchmarks/run_all.py --skip time_to_answer
    .venv/bin/python benchmarks/run_all.py --summary-only   # rebuild results/summary.md from the result files
    .venv/bin/python benchmarks/run_all.py --smoke [--out DIR]   # every script of this folder in its smoke mode

``make bench`` runs this. Each benchmark writes results/<name>.json and .md; this script then writes
results/summary.md with one line per benchmark: figure, target, pass/fail. ``--out DIR`` sends all of them
(and the summary) to DIR instead. ``--smoke`` runs every script of this folder (``million_rows`` too) with
``--smoke`` into ``--out`` or a new temporary folder, never into results/: a minute or two to check that the
benchmarks still run; their numbers mean nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import bench_args

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"  # where the summary reads and writes; --out / --smoke change it
# Shortest first; the modAL side of time_to_answer takes most of the time.
BENCHMARKS = ["default_scenario", "stopping", "quick_vs_full", "large_pool", "extrapolation", "item_costs",
              "engine_overhead", "time_to_answer", "annotator_noise"]


def all_scripts() -> list[str]:
    """Every benchmark script of this folder (not the private ``_`` modules, not this one)."""
    return sorted(p.stem for p in HERE.glob("*.py") if not p.name.startswith("_") and p.stem != "run_all")


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _pf(ok: Any) -> str:
    return "PASS" if ok else "FAIL"


def summary_rows() -> list[dict[str, str]]:
    rows = []
    d = _load("engine_overhead")
    if d:
        for key, c in d["cases"].items():
            rows.append({"benchmark": f"engine_overhead ({key})",
                         "figure": f"engine/plain {c['core_ratio_of_medians']:.3f} wall, "
                                   f"{c.get('core_cpu_ratio', float('nan')):.3f} CPU (medians of {c['reps']}; "
                                   f"run_simulation/plain pair {c['api_ratio_of_medians']:.3f})",
                         "target": "<= 1.10", "result": _pf(c["pass"]), "date": d["machine"]["date"]})
    d = _load("time_to_answer")
    if d:
        e, m = d["engine"], d["modal"]

        def iv(a: dict[str, Any]) -> str:
            s = a["answer"]["savings"]
            return "n/a" if s is None else f"{100 * s['median']:.0f}% [{100 * s['low']:.0f}, {100 * s['high']:.0f}]"

        rows.append({"benchmark": "time_to_answer",
                     "figure": f"speed-up {d['speedup']:.1f}x wall, {d.get('cpu_ratio', float('nan')):.1f}x CPU "
                               f"(engine {e['median_seconds']:.0f} s, {e['seeds']} seeds: "
                               f"{iv(e)}; modAL {m['wall_seconds']:.0f} s, {len(m['seeds'])} seeds: {iv(m)})",
                     "target": ">= 10x, engine median in modAL interval", "result": _pf(d["pass"]),
                     "date": d["machine"]["date"]})
    d = _load("default_scenario")
    if d:
        rows.append({"benchmark": "default_scenario",
                     "figure": f"{d['median_warm_n_jobs_2_seconds']:.2f} s median of {len(d['warm_n_jobs_2_seconds'])} "
                               f"(first run "
                               f"{d['cold_first_run_seconds']:.2f} s)",
                     "target": "< 5 s", "result": _pf(d["pass"]), "date": d["machine"]["date"]})
    d = _load("large_pool")
    if d:
        mem = d["memory_per_round"]
        rows.append({"benchmark": "large_pool",
                     "figure": f"{d['median_seconds']:.1f} s median of {len(d['seconds'])}; peak RSS main "
                               f"{d['peak_rss_main_process_mb']:.0f} MB + workers "
                               f"{', '.join(f'{v:.0f}' for v in d['peak_rss_worker_processes_mb'])} MB; per-round "
                               f"peak {mem['max_round_peak_mb']:.1f} MB vs pool {mem['pool_mb']:.0f} MB",
                     "target": "< 60 s, no pool copy per round", "result": _pf(d["pass"]),
                     "date": d["machine"]["date"]})
    d = _load("stopping")
    if d:
        a = d["summary"]["all"]
        c, p = a["recommended_vs_stabilizing"], a["median_regret_percent"]
        half = d["seeds"] // 2
        rows.append({"benchmark": f"stopping (tuned on {half} seeds, scored on the other {d['seeds'] - half})",
                     "figure": f"held-out regret: recommendation {p['recommended']:.2f}% vs stabilizing predictions "
                               f"{p['stabilizing']:.2f}% (lower in {c['lower']} of {a['cells']} cells; in-sample "
                               f"{p['recommended_in_sample']:.2f}%)",
                     "target": "measured", "result": "-", "date": d["machine"]["date"]})
    d = _load("quick_vs_full")
    if d:
        n = d["counts"]
        rows.append({"benchmark": "quick (20% sample) vs full run",
                     "figure": f"labels-to-target inside the full 95% interval {n['labels_inside']}/"
                               f"{n['labels_compared']} uncorrected, {n['corrected_inside']}/"
                               f"{n['corrected_compared']} corrected for the pool; savings {n['savings_inside']}/"
                               f"{n['savings_compared']}",
                     "target": "measured", "result": "-", "date": d["meta"]["date"]})
    d = _load("extrapolation")
    if d:
        o = d["figures"]["overall"]
        s, m = o["seed"], o["mean"]
        rows.append({"benchmark": "extrapolation (fit up to N labels, predict 2N and 4N)",
                     "figure": f"skill vs last1 {s['skill']:.2f} single runs, {m['skill']:.2f} mean curves; 80% "
                               f"interval covers {100 * s['coverage80']:.0f}% / {100 * m['coverage80']:.0f}% "
                               f"({s['n']} / {m['n']} predictions, {len(d['datasets'])} datasets)",
                     "target": "skill > 0, 80% coverage 70-90%", "result": _pf(all(d["pass"].values())),
                     "date": d["machine"]["date"]})
    d = _load("annotator_noise")
    if d:
        # one data set's row (the first: sms_spam, the default sample), not a median over data sets whose noise-free
        # savings differ in sign; the table in annotator_noise.md has every data set
        name = d["datasets"][0]
        rate = 0.1 if 0.1 in d["rates"] else max(d["rates"])

        def change(relabel: str) -> str:
            for r in d["rows"]:
                if r["dataset"] == name and r["error"] == rate and r["relabel"] == relabel:
                    c = r.get("change_points") or {}
                    if c.get("median") is not None:
                        return f"{relabel} {100 * c['median']:+.0f} ({100 * c['low']:+.0f} to {100 * c['high']:+.0f})"
            return f"{relabel} n/a"

        rows.append({"benchmark": f"annotator_noise (margin vs random, {len(d['datasets'])} data sets, {d['seeds']} "
                                  "seeds)",
                     "figure": f"{name} at {100 * rate:.0f}% annotator error: change in the share of random's paid "
                               "labels saved vs perfect labels (points): " + ", ".join(change(rel) for rel in
                                                                                       d["relabel"]),
                     "target": "measured", "result": "-", "date": d["machine"]["date"]})
    return rows


def write_summary(smoke: bool = False) -> Path:
    rows = summary_rows()
    cols = ["benchmark", "figure", "target", "result", "date"]
    lines = ["# Benchmark summary", "", "Written by `benchmarks/run_all.py` from the result files beside it.", "",
             *(["_Smoke run (tiny settings): the numbers below mean nothing._", ""] if smoke else []),
             "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows]
    path = RESULTS / "summary.md"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="comma-separated benchmark names")
    ap.add_argument("--skip", default="", help="comma-separated benchmark names")
    ap.add_argument("--summary-only", action="store_true")
    args = bench_args(ap, argv)
    global RESULTS
    RESULTS = args.out
    default = all_scripts() if args.smoke else BENCHMARKS
    names = [n for n in (args.only.split(",") if args.only else default) if n and n not in args.skip.split(",")]
    unknown = [n for n in names if not (HERE / f"{n}.py").is_file()]
    if unknown:
        print(f"error: no benchmark script {', '.join(unknown)}; use any of {', '.join(all_scripts())}",
              file=sys.stderr)
        return 2
    extra = ["--out", str(args.out)] + (["--smoke"] if args.smoke else [])
    failed = []
    if not args.summary_only:
        for name in names:
            print(f"\n=== {name} ===", flush=True)
            t0 = time.perf_counter()
            rc = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra], check=False).returncode
            print(f"=== {name}: exit {rc}, {time.perf_counter() - t0:.0f} s", flush=True)
            if rc != 0:
                failed.append(name)
    path = write_summary(args.smoke)
    print("\n" + path.read_text())
    if failed:
        print(f"benchmarks that crashed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
