"""Every benchmark script still runs: each one in its ``--smoke`` mode, end to end, in a subprocess.

Benchmarks are scripts whose numbers are quoted (benchmarks/README.md), not tests, so nothing else runs them
between full runs; a refactor once broke ``time_to_answer.py`` at import without anyone noticing. Here every
``benchmarks/*.py`` that is not a private ``_`` module (found by glob, so a new script is included without
editing this file) runs as ``python benchmarks/<name>.py --smoke --out <tmp>``: tiny settings, seconds each,
results in a temporary folder. A script must exit 0 and write ``<name>.json`` with ``benchmark``, ``machine``
and ``smoke`` and the keys ``run_all.py``'s summary and the README read. A script without ``--smoke`` fails
(argparse exits 2). ``run_all.py --smoke`` runs last and must build its summary from everything the others
wrote; and the committed ``benchmarks/results/`` must be untouched.

The scripts run two at a time (this machine has 2 cores; each is mostly interpreter start and imports): the
whole file took 23 s (about 30 s of CPU) at load average 1, and 160 s when other jobs kept the load near 7.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
SCRIPTS = sorted(p.stem for p in BENCH.glob("*.py") if not p.name.startswith("_"))
#: Benchmarks that are folders (run as ``benchmarks/<name>/run.py``): the calibration suite.
PACKAGES = sorted(p.parent.name for p in BENCH.glob("*/run.py"))
RUN_ALL = "run_all"
# run_all.py --smoke would run every script again: it runs one cheap script and then summarizes all the files.
RUN_ALL_ARGS = ["--only", "quick_vs_full"]
TIMEOUT = 240  # seconds per script: a smoke run takes a few seconds of CPU, but other jobs share the 2 cores
PARALLEL = 2

#: Beyond ``benchmark``, ``machine`` and ``smoke``: what run_all.py's summary and the README quote from each file.
EXPECTED_KEYS: dict[str, set[str]] = {
    "annotator_noise": {"rows", "datasets", "rates", "relabel", "seeds"},
    "default_scenario": {"median_warm_n_jobs_2_seconds", "cold_first_run_seconds", "import_simulations_seconds",
                         "pass"},
    "engine_overhead": {"cases", "pass"},
    "extrapolation": {"figures", "datasets", "pass"},
    "item_costs": {"datasets", "costs", "seeds", "reading"},
    "large_pool": {"seconds", "median_seconds", "peak_rss_main_process_mb", "peak_rss_worker_processes_mb",
                   "memory_per_round", "pass"},
    "million_rows": {"scaling"},
    "quick_vs_full": {"meta", "counts", "rows"},
    "stopping": {"summary", "datasets"},
    "time_to_answer": {"engine", "modal", "speedup", "cpu_ratio", "pass"},
    "calibration": {"settings", "rows", "summary", "datasets", "simulation_time"},
}


#: The benchmarks run_all.py's summary has a row for (how each row starts).
SUMMARY_ROWS = ("engine_overhead", "time_to_answer", "default_scenario", "large_pool", "stopping", "quick",
                "extrapolation", "annotator_noise")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The scripts import this checkout's engine (not another one the venv may point at) and use one BLAS
    # thread, as the engine's tasks do: two scripts at once on 2 cores.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


def _run(name: str, out: Path, extra: list[str] | None = None) -> dict[str, Any]:
    script = BENCH / name / "run.py" if name in PACKAGES else BENCH / f"{name}.py"
    cmd = [sys.executable, str(script), "--smoke", "--out", str(out), *(extra or [])]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        return {"cmd": cmd, "returncode": None, "seconds": time.perf_counter() - t0,
                "output": f"timed out after {TIMEOUT} s\n{exc.stdout or ''}\n{exc.stderr or ''}"}
    return {"cmd": cmd, "returncode": proc.returncode, "seconds": time.perf_counter() - t0,
            "output": f"{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"}


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def smoke_runs(tmp_path_factory):
    """Start every script's smoke run (two at a time) into one folder; each test waits for its own."""
    out = tmp_path_factory.mktemp("bench-smoke")
    before = _digest(RESULTS)
    pool = ThreadPoolExecutor(max_workers=PARALLEL)
    runs: dict[str, Future] = {name: pool.submit(_run, name, out) for name in [*SCRIPTS, *PACKAGES]
                               if name != RUN_ALL}
    yield {"out": out, "runs": runs, "results_before": before}
    pool.shutdown(wait=True, cancel_futures=True)


def _check(run: dict[str, Any]) -> None:
    assert run["returncode"] == 0, f"{' '.join(run['cmd'])} exited {run['returncode']}:\n{run['output']}"


def test_scripts_found():
    assert len(SCRIPTS) >= 9 and RUN_ALL in SCRIPTS and "time_to_answer" in SCRIPTS
    assert "calibration" in PACKAGES


@pytest.mark.parametrize("name", [s for s in [*SCRIPTS, *PACKAGES] if s != RUN_ALL])
def test_smoke(name, smoke_runs):
    run = smoke_runs["runs"][name].result()
    _check(run)
    path = smoke_runs["out"] / f"{name}.json"
    assert path.is_file(), f"{name}.py --smoke wrote no {path.name}:\n{run['output']}"
    data = json.loads(path.read_text())
    assert data["benchmark"] == name and data["smoke"] is True
    missing = ({"machine"} if name != "quick_vs_full" else set()) | EXPECTED_KEYS.get(name, set())
    assert not missing - set(data), f"{path.name} lacks {sorted(missing - set(data))}"


def test_run_all_smoke(smoke_runs):
    """run_all.py passes --smoke and --out on, and its summary reads every smoke result the others wrote."""
    for future in smoke_runs["runs"].values():
        future.result()
    out = smoke_runs["out"]
    run = _run(RUN_ALL, out, RUN_ALL_ARGS)
    _check(run)
    summary = (out / "summary.md").read_text()
    assert "Smoke run" in summary
    for row in SUMMARY_ROWS:
        assert f"| {row}" in summary, f"summary.md has no row for {row}:\n{summary}"


def test_smoke_refuses_results_folder():
    run = _run("stopping", RESULTS)
    assert run["returncode"] not in (0, None) and "must not write" in run["output"]


def test_smoke_never_writes_committed_results(smoke_runs):
    for future in smoke_runs["runs"].values():
        future.result()
    assert _digest(RESULTS) == smoke_runs["results_before"]
