"""Helpers shared by the benchmark scripts: data set-ups, plain reference loops, timing and result files.

Not a test module: benchmarks are scripts whose numbers are quoted (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from simulations import Dataset
from simulations.features import fit_features
from simulations.models import prepare_matrix

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"

# ------------------------------------------------------------------------------------ arguments, output

#: Where ``write_results`` writes: ``RESULTS`` (the committed files) unless ``bench_args`` chose another folder.
_out_dir: Path = RESULTS
_smoke = False


def bench_args(ap: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    """Parse a benchmark's arguments plus the two every benchmark takes, and choose where results go.

    ``--smoke``: tiny settings (each script picks its own: small data, 1-2 seeds, few labels) that run the
    same code path end to end in seconds, to check that the script still runs; its numbers mean nothing.
    ``--out DIR``: write the result files there instead of ``results/``. A smoke run never writes to
    ``results/`` (the committed, quoted numbers): without ``--out`` it writes to a new temporary folder,
    and ``--out`` pointing at ``results/`` is refused. ``args.out`` is the folder used.
    """
    ap.add_argument("--smoke", action="store_true",
                    help="tiny settings, seconds not minutes, to check that the script runs (numbers meaningless); "
                         "results go to --out or a new temporary folder, never to results/")
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for the result files (default: benchmarks/results; with --smoke a temporary folder)")
    args = ap.parse_args(argv)
    args.out = set_output(args.out, smoke=args.smoke)
    return args


def set_output(out: Path | None, *, smoke: bool = False) -> Path:
    """Send ``write_results`` (and ``output_path``) to ``out``; see :func:`bench_args`."""
    global _out_dir, _smoke
    if smoke:
        if out is None:
            out = Path(tempfile.mkdtemp(prefix="labelwise-bench-smoke-"))
        elif out.resolve() == RESULTS.resolve():
            sys.exit(f"error: --smoke must not write to {RESULTS} (the committed results); pass another --out")
    out = RESULTS if out is None else out
    out.mkdir(parents=True, exist_ok=True)
    _out_dir, _smoke = out, smoke
    return out


def output_path(filename: str) -> Path:
    """``filename`` in the chosen output folder (for scripts that write their own files)."""
    _out_dir.mkdir(parents=True, exist_ok=True)
    return _out_dir / filename


def is_smoke() -> bool:
    return _smoke

# --------------------------------------------------------------------------------------------- data


def tutorial_frame(random_state: int = 0, n_samples: int = 10_000) -> pd.DataFrame:
    """The classic tutorial set-up: make_classification 10,000 x 20 (15 informative, 5 redundant), 3 classes.

    ``n_samples`` smaller only for smoke runs.
    """
    X, y = make_classification(n_samples=n_samples, n_features=20, n_informative=15, n_redundant=5, n_classes=3,
                               random_state=random_state)
    df = pd.DataFrame(X, columns=[f"x{i:02d}" for i in range(X.shape[1])])
    df["label"] = np.array(["a", "b", "c"])[y]
    return df


def tutorial_dataset(n_samples: int = 10_000) -> Dataset:
    name = "make_classification_10k" if n_samples == 10_000 else f"make_classification_{n_samples}"
    return Dataset.from_frame(tutorial_frame(n_samples=n_samples), "label", name=name)


def engine_inputs(ds: Dataset, model_spec: Any) -> tuple[Any, np.ndarray]:
    """The feature matrix and integer class codes exactly as ``run_simulation`` prepares them."""
    X, _ = fit_features(ds)
    X = prepare_matrix(model_spec, X)
    _, y = np.unique(ds.y, return_inverse=True)
    return X, y


# ------------------------------------------------------------------------------- plain reference loop


def least_confidence_scores(proba: np.ndarray) -> np.ndarray:
    return 1.0 - proba.max(axis=1)


def margin_scores(proba: np.ndarray) -> np.ndarray:
    top2 = np.sort(proba, axis=1)[:, -2:]
    return -(top2[:, 1] - top2[:, 0])


PLAIN_SCORES: dict[str, Callable[[np.ndarray], np.ndarray] | None] = {
    "least_confidence": least_confidence_scores,
    "margin": margin_scores,
    "random": None,
}


def plain_split(y: np.ndarray, seed: int, *, initial: int, test_share: float = 0.25, max_test_rows: int = 5000):
    """Stratified test split and stratified initial labeled set, the way one writes it by hand.

    The test split uses the same call as the engine (so the same rows for a seed); the initial set is drawn
    with ``train_test_split`` unless the caller passes the engine's own (see ``plain_loop``).
    """
    n_classes = len(np.unique(y))
    n_test = min(max_test_rows, max(n_classes, round(test_share * len(y))))
    pool_idx, test_idx = train_test_split(np.arange(len(y)), test_size=n_test, stratify=y, random_state=seed)
    pool_idx, test_idx = np.sort(pool_idx), np.sort(test_idx)
    initial_idx, _ = train_test_split(np.arange(len(pool_idx)), train_size=initial, stratify=y[pool_idx],
                                      random_state=seed)
    return pool_idx, test_idx, initial_idx


def plain_loop(X: Any, y: np.ndarray, seed: int, make_model: Callable[[int], Any], strategy: str, *,
               initial: int, batch: int = 0, rounds: int = 0, ceiling: bool = True,
               initial_idx: np.ndarray | None = None, schedule: Any = None) -> dict[str, Any]:
    """A plain scikit-learn pool-based AL loop, no engine code.

    Split; initial set; then ``rounds`` times: fit on the labeled rows, record test accuracy, predict_proba
    on the unlabeled pool, pick the ``batch`` top-scored rows; then a last fit and record (``rounds + 1``
    fits in all). With ``ceiling`` also the whole-pool reference fit. ``initial_idx`` (pool positions)
    replaces the drawn initial set, so that both sides of a comparison start from the same labels.
    ``schedule`` (label counts per round, e.g. the engine's geometric ``labels_schedule``) replaces ``batch``
    and ``rounds``: round ``r`` adds ``schedule[r + 1] - schedule[r]`` labels.
    """
    pool_idx, test_idx, drawn = plain_split(y, seed, initial=initial)
    initial_idx = drawn if initial_idx is None else initial_idx
    X_pool, y_pool, X_test, y_test = X[pool_idx], y[pool_idx], X[test_idx], y[test_idx]
    rng = np.random.default_rng(seed)
    labeled = np.zeros(len(y_pool), dtype=bool)
    labeled[initial_idx] = True
    score = PLAIN_SCORES[strategy]
    if schedule is not None:
        rounds = len(schedule) - 1
    accuracies = []
    for r in range(rounds + 1):
        model = make_model(seed)
        model.fit(X_pool[labeled], y_pool[labeled])
        accuracies.append(accuracy_score(y_test, model.predict(X_test)))
        if r == rounds:
            break
        unlabeled = np.flatnonzero(~labeled)
        if schedule is not None:
            batch = int(schedule[r + 1] - schedule[r])
        if score is None:
            picked = rng.choice(unlabeled, size=batch, replace=False)
        else:
            proba = model.predict_proba(X_pool[unlabeled])
            picked = unlabeled[np.argsort(score(proba), kind="stable")[-batch:]]
        labeled[picked] = True
    out: dict[str, Any] = {"accuracies": accuracies, "labels": int(labeled.sum()), "fits": rounds + 1}
    if ceiling:
        model = make_model(seed)
        model.fit(X_pool, y_pool)
        out["ceiling"] = accuracy_score(y_test, model.predict(X_test))
    return out


# ------------------------------------------------------------------------------------------ timing


def process_tree_cpu_seconds() -> float:
    """CPU seconds (user + system) of this process, its finished children and its live children.

    For work that runs in worker processes (joblib's, which persist between runs; a multiprocessing pool): a
    run's CPU time is the difference of two readings. Live children are read from /proc (Linux); elsewhere
    only this process and its finished children count. Unlike wall time, CPU time barely moves when other
    jobs share the machine.
    """
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    proc = Path("/proc")
    if not proc.is_dir():
        return total
    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:  # ppid; utime and stime are fields 14 and 15 of stat
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def interleaved(contenders: dict[str, Callable[[], Any]], reps: int, log: Callable[[str], None] = print
                ) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, Any]]:
    """Time every contender ``reps`` times, interleaved; the order rotates each repetition.

    Returns wall seconds and CPU seconds of this process (``time.process_time``: right for work that runs in
    this process, and barely affected by other jobs on the machine) per contender, and each one's last output.
    """
    names = list(contenders)
    times: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    last: dict[str, Any] = {}
    for rep in range(reps):
        shift = rep % len(names)
        order = names[shift:] + names[:shift]
        if rep % 2 == 1:
            order = order[::-1]
        for name in order:
            c0 = time.process_time()
            seconds, last[name] = timed(contenders[name])
            cpu[name].append(time.process_time() - c0)
            times[name].append(seconds)
            log(f"  rep {rep + 1}/{reps} {name}: {seconds:.2f} s wall, {cpu[name][-1]:.2f} s CPU")
    return times, cpu, last


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def paired_ratios(num: list[float], den: list[float]) -> list[float]:
    """Per-repetition ratios (each pair ran back to back in the same repetition)."""
    return [a / b for a, b in zip(num, den, strict=True)]


def profile_call(fn: Callable[[], Any], *, top: int = 25) -> dict[str, Any]:
    """cProfile one call; the functions with the largest cumulative time and their share of the total."""
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    fn()
    prof.disable()
    wall = time.perf_counter() - t0
    st = pstats.Stats(prof)
    rows = []
    for (file, line, func), (_cc, ncalls, tottime, cumtime, _callers) in st.stats.items():  # type: ignore[attr-defined]
        short = file
        for marker in ("site-packages/", "/work/main/"):
            if marker in short:
                short = short.split(marker, 1)[1]
        rows.append({"function": f"{short}:{line}({func})", "ncalls": int(ncalls), "tottime": float(tottime),
                     "cumtime": float(cumtime)})
    total = max(r["cumtime"] for r in rows) if rows else wall
    rows.sort(key=lambda r: r["cumtime"], reverse=True)
    for r in rows:
        r["share"] = r["cumtime"] / total if total else float("nan")
    by_self = sorted(rows, key=lambda r: r["tottime"], reverse=True)[:top]
    return {"wall_seconds": wall, "profiled_total": total, "by_cumulative": rows[:top], "by_self": by_self}


# ---------------------------------------------------------------------------------------- results


def machine_info() -> dict[str, Any]:
    import joblib
    import sklearn

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=False).stdout.strip()
    except OSError:
        commit = ""
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit_learn": sklearn.__version__,
        "joblib": joblib.__version__,
        "load_average_at_end": [round(x, 2) for x in load],
    }


def write_results(name: str, data: dict[str, Any], markdown: str) -> tuple[Path, Path]:
    """Write ``<name>.json`` and ``<name>.md`` into the output folder (``results/`` unless ``--out``/``--smoke``).

    The JSON holds ``benchmark``, ``machine`` and ``smoke`` (true for a smoke run) beside the script's keys.
    """
    json_path, data = write_json(name, data)
    md_path = output_path(f"{name}.md")
    if _smoke:
        markdown = "_Smoke run (tiny settings): the numbers below mean nothing._\n\n" + markdown
    md_path.write_text(markdown.rstrip() + "\n" + _footer(data["machine"]))
    return json_path, md_path


def write_json(name: str, data: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    """Write ``<name>.json`` only (``benchmark``, ``machine``, ``smoke`` and ``data``); returns it and what it holds."""
    data = {"benchmark": name, "machine": machine_info(), "smoke": _smoke, **data}
    json_path = output_path(f"{name}.json")
    json_path.write_text(json.dumps(data, indent=2, default=_jsonable) + "\n")
    return json_path, data


def rewrite_markdown(name: str, markdown_fn: Callable[[dict[str, Any]], str]) -> Path:
    """Rebuild ``<name>.md`` from the saved ``.json`` in the output folder (after a change to the report's layout)."""
    data = json.loads(output_path(f"{name}.json").read_text())
    md_path = output_path(f"{name}.md")
    md_path.write_text(markdown_fn(data).rstrip() + "\n" + _footer(data["machine"]))
    return md_path


def _footer(m: dict[str, Any]) -> str:
    return (f"\n_Machine: {m['cpus']} cores, Python {m['python']}, scikit-learn {m['scikit_learn']}, "
            f"numpy {m['numpy']}, pandas {m['pandas']}, joblib {m['joblib']}; commit {m['commit']}; "
            f"{m['date']}; load average at end {m['load_average_at_end']}._\n")


def _jsonable(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.bool_):
        return bool(o)
    return str(o)


def md_table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    if not rows:
        return ""
    columns = columns or list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def join_num(values: list[float], digits: int = 2) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
