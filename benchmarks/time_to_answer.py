"""Time to an answer: "how many labels does margin save vs random to reach 95% of the full-data accuracy?"

Set-up (a): make_classification 10,000 x 20 (15 informative, 5 redundant), 3 classes; random forest (100 trees);
100 initial labels (1%); target 95% of the ceiling (the same model on the whole pool).

* **Engine, best settings**: ``run_simulation`` with the geometric schedule (growth 0.2), 10 seeds in parallel
  (``n_jobs=2``), budget 3,000, then ``summarize``; wall time from building the data set to the summary,
  median of 3 runs (one before the modAL side, two after it).
* **modAL side**: modAL-python's ``ActiveLearner`` (single queries, one refit per label: ``query`` -> ``teach``)
  in its own venv ``benchmarks/.venv-modal`` (created by this script; modAL is not a Labelwise dependency),
  on the same seeds' test splits and initial labels. modAL 0.4.2.1 calls scikit-learn's ``check_X_y`` with
  ``force_all_finite``, removed in scikit-learn 1.8, so that venv pins scikit-learn 1.7.2 (the newest it runs
  on) with the same numpy; both venvs' random-forest fit speed is measured and reported. If the venv cannot
  be built, a modAL-style plain loop (same protocol, written here) runs instead, and the result says so.
  It is slow (about 1,700 refits per seed for random to reach the target), so it runs 5 seeds, on 2
  processes (the same 2 cores the engine uses), stops each run at the first label count where it reaches the
  target (the most a modAL user could save), and stops at a deadline (runs still going count as censored).

Both answers are summarized by the same code (``simulations.summary``): median saving over seeds with a 95%
percentile-bootstrap interval. Target: the engine at least 10x faster, with its median saving inside the
modAL side's interval.

    .venv/bin/python benchmarks/time_to_answer.py [--modal-seeds 5] [--deadline-min 75] [--plain]
    .venv/bin/python benchmarks/time_to_answer.py --smoke [--out DIR]   # seconds: 1,500 rows, 2 seeds, budget
        # 120, the plain modAL-style loop (no venv built), results in a temporary folder; numbers meaningless
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import (
    ROOT,
    bench_args,
    md_table,
    median,
    plain_split,
    process_tree_cpu_seconds,
    tutorial_dataset,
    tutorial_frame,
    verdict,
    write_results,
)
from sklearn.ensemble import RandomForestClassifier

from simulations import SimulationConfig, Target, per_seed, run_simulation, summarize
from simulations.loop import make_split
from simulations.results import SimulationResult

MODAL_VENV = Path(__file__).resolve().parent / ".venv-modal"
MODAL_REQUIREMENTS = ["modAL-python==0.4.2.1", "scikit-learn==1.7.2"]
TARGET = Target("share_of_ceiling", 0.95)
INITIAL = 100
ENGINE_SEEDS = 10
ENGINE_BUDGET = 3000
N_SAMPLES = 10_000  # rows of set-up (a); smaller only in a smoke run
CALIBRATE_REPS = 5
TREES = 100  # the random forest's trees (the engine's "random_forest" preset); fewer only in a smoke run
TARGET_SPEEDUP = 10.0


def ensure_modal_venv(log=print) -> Path | None:
    """Create benchmarks/.venv-modal with modAL-python (and matching numpy) unless it already works."""
    py = MODAL_VENV / "bin" / "python"
    check = [str(py), "-c", "import modAL.models, sklearn"]
    if py.exists() and subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return py
    log(f"creating {MODAL_VENV} with {' '.join(MODAL_REQUIREMENTS)} ...")
    try:
        subprocess.run([sys._base_executable, "-m", "venv", str(MODAL_VENV)], check=True)  # type: ignore[attr-defined]
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", *MODAL_REQUIREMENTS, f"numpy=={np.__version__}"],
                       check=True)
        subprocess.run(check, check=True)
    except (subprocess.CalledProcessError, OSError) as e:
        log(f"could not build the modAL venv ({e}); falling back to the modAL-style plain loop")
        return None
    return py


def engine_answer() -> tuple[float, float, SimulationResult]:
    """Wall and CPU seconds (this process + workers) of one answer, and the result."""
    c0 = process_tree_cpu_seconds()
    t0 = time.perf_counter()
    ds = tutorial_dataset(N_SAMPLES)
    cfg = SimulationConfig(strategies=("margin",), seeds=ENGINE_SEEDS, model="random_forest", initial_labels=INITIAL,
                           growth=0.2, budget=ENGINE_BUDGET)
    model = None if TREES == 100 else RandomForestClassifier(n_estimators=TREES, n_jobs=1)
    res = run_simulation(ds, cfg, n_jobs=2, model=model)
    summarize(res, TARGET)
    wall = time.perf_counter() - t0
    return wall, process_tree_cpu_seconds() - c0, res


def modal_answer(seeds: list[int], deadline_min: float, plain: bool, log=print) -> dict[str, Any]:
    python = None if plain else ensure_modal_venv(log)
    plain = python is None
    python = python or Path(sys.executable)
    frame = tutorial_frame(n_samples=N_SAMPLES)
    X = frame.drop(columns="label").to_numpy()
    _, y = np.unique(frame["label"].to_numpy(), return_inverse=True)
    ds = tutorial_dataset(N_SAMPLES)
    from simulations.features import fit_features

    Xf, _ = fit_features(ds)
    seed_specs = []
    for s in seeds:
        # The engine's own split for this seed: the modAL runs start from the same test rows and initial labels.
        split = make_split(Xf, y, seed=s, test_share=0.25, max_test_rows=5000, initial_labels=INITIAL,
                           stop_set_rows=1000)
        pool, test, _ = plain_split(y, s, initial=INITIAL)
        assert np.array_equal(y[pool], split.y_pool) and np.array_equal(y[test], split.y_test)
        seed_specs.append({"seed": s, "pool": pool.tolist(), "test": test.tolist(), "initial": split.initial.tolist()})
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(Path(tmp) / "data.npz", X=X, y=y)
        spec = {"data": str(Path(tmp) / "data.npz"), "seeds": seed_specs, "strategies": ["margin", "random"],
                "budget": ENGINE_BUDGET, "target_share": TARGET.value, "deadline_seconds": 60 * deadline_min,
                "processes": 2, "plain": plain, "out": str(Path(tmp) / "out.json"),
                "calibrate_reps": CALIBRATE_REPS, "n_estimators": TREES}
        (Path(tmp) / "spec.json").write_text(json.dumps(spec))
        log(f"modAL side: {len(seeds)} seeds x (margin, random), {'plain loop' if plain else python}, "
            f"deadline {deadline_min:g} min ...")
        t0 = time.perf_counter()
        subprocess.run([str(python), str(Path(__file__).resolve().parent / "_modal_loop.py"),
                        str(Path(tmp) / "spec.json")], check=True, cwd=ROOT)
        outer = time.perf_counter() - t0
        out = json.loads((Path(tmp) / "out.json").read_text())
    out["outer_seconds"] = outer
    return out


def modal_result(out: dict[str, Any]) -> SimulationResult:
    """The modAL curves as a SimulationResult, so that the engine's own summary code computes the answer."""
    rows, ceilings = [], {}
    for r in out["runs"]:
        for i, (n, acc) in enumerate(zip(r["labels"], r["accuracy"], strict=True)):
            rows.append({"strategy": r["strategy"], "seed": r["seed"], "round": i, "labels": n, "accuracy": acc})
        ceilings[r["seed"]] = {"seed": r["seed"], "accuracy": r["ceiling"], "baseline_accuracy": 1 / 3}
    seeds = sorted(ceilings)
    cfg = SimulationConfig(strategies=("margin",), seeds=len(seeds), model="random_forest", initial_labels=INITIAL,
                           batch_size=1, budget=ENGINE_BUDGET)
    return SimulationResult(rounds=pd.DataFrame(rows), ceilings=pd.DataFrame([ceilings[s] for s in seeds]),
                            config=cfg, meta={"metric": "accuracy", "budget": ENGINE_BUDGET, "n_initial": INITIAL})


def answer(res: SimulationResult, seeds: list[int] | None = None) -> dict[str, Any]:
    if seeds is not None:
        keep = res.rounds["seed"].isin(seeds)
        res = SimulationResult(rounds=res.rounds[keep].reset_index(drop=True),
                               ceilings=res.ceilings[res.ceilings["seed"].isin(seeds)].reset_index(drop=True),
                               config=SimulationConfig.from_dict({**res.config.to_dict(), "seeds": len(seeds)}),
                               meta=res.meta)
    s = summarize(res, TARGET)
    m = s.strategies["margin"]
    ps = per_seed(res, TARGET)
    ltt = ps.pivot(index="seed", columns="strategy", values="labels_to_target")
    cens = ps.pivot(index="seed", columns="strategy", values="censored")
    return {
        "savings": m.savings_vs_random.to_dict() if m.savings_vs_random else None,
        "verdict": m.verdict,
        "labels_to_target": {k: s.strategies[k].labels_to_target.to_dict() for k in ("margin", "random")},
        "ceiling": s.ceiling.to_dict(),
        "per_seed": [{"seed": int(i), "margin": float(ltt.loc[i, "margin"]), "random": float(ltt.loc[i, "random"]),
                      "margin_censored": bool(cens.loc[i, "margin"]), "random_censored": bool(cens.loc[i, "random"]),
                      "saving": float(1 - ltt.loc[i, "margin"] / ltt.loc[i, "random"])} for i in ltt.index],
    }


def _iv(a: dict[str, Any]) -> str:
    sv = a["savings"]
    if sv is None:
        return "n/a"
    bound = {"lower": " (lower bound)", "upper": " (upper bound)", "interval_partly_censored": " (interval partly "
             "censored)"}.get(sv["bound"] or "", "")
    return f"{100 * sv['median']:.1f}% [{100 * sv['low']:.1f}%, {100 * sv['high']:.1f}%]{bound}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modal-seeds", type=int, default=5)
    ap.add_argument("--deadline-min", type=float, default=75.0, help="stop the modAL side after this long")
    ap.add_argument("--engine-reps", type=int, default=3)
    ap.add_argument("--plain", action="store_true", help="use the modAL-style plain loop instead of modAL")
    args = bench_args(ap, argv)
    if args.smoke:
        # Same code path on tiny settings; the modAL side is always the plain stand-in (a smoke run, e.g. in
        # ``make test``, never builds the modAL venv). It stops at the budget long before the deadline.
        global ENGINE_SEEDS, ENGINE_BUDGET, N_SAMPLES, CALIBRATE_REPS, TREES
        ENGINE_SEEDS, ENGINE_BUDGET, N_SAMPLES, CALIBRATE_REPS, TREES = 2, 120, 1500, 1, 10
        args.modal_seeds, args.deadline_min, args.engine_reps, args.plain = 2, 2.0, 2, True

    engine_times, engine_cpu, engine_res = [], [], None
    print("engine run 1 ...", flush=True)
    t, c, engine_res = engine_answer()
    engine_times.append(t)
    engine_cpu.append(c)
    print(f"  {t:.1f} s wall, {c:.0f} s CPU", flush=True)
    modal_seeds = list(range(args.modal_seeds))
    out = modal_answer(modal_seeds, args.deadline_min, args.plain)
    print(f"  modAL side {out['wall_seconds']:.0f} s wall, {out['cpu_seconds']:.0f} s CPU", flush=True)
    for i in range(1, args.engine_reps):
        print(f"engine run {i + 1} ...", flush=True)
        t, c, engine_res = engine_answer()
        engine_times.append(t)
        engine_cpu.append(c)
        print(f"  {t:.1f} s wall, {c:.0f} s CPU", flush=True)

    eng = answer(engine_res)
    eng_same = answer(engine_res, modal_seeds)
    mod = answer(modal_result(out))
    t_engine = median(engine_times)
    t_modal = out["wall_seconds"]
    speedup = t_modal / t_engine
    cpu_engine = median(engine_cpu)
    cpu_ratio = out["cpu_seconds"] / cpu_engine
    statuses = {}
    for r in out["runs"]:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    complete = all(r["status"] == "reached" for r in out["runs"])
    ms = mod["savings"]
    es = eng["savings"]
    within = bool(ms is not None and es is not None and ms["low"] <= es["median"] <= ms["high"])
    ok = bool(speedup >= TARGET_SPEEDUP and within)
    fits = sum(len(r["labels"]) for r in out["runs"]) + len(out["runs"])  # refits + ceilings
    data = {
        "setup": "make_classification 10k x 20, 3 classes; random forest 100 trees; 100 initial labels; "
                 "target 95% of ceiling accuracy",
        "engine": {"seeds": ENGINE_SEEDS, "growth": 0.2, "budget": ENGINE_BUDGET, "n_jobs": 2,
                   "schedule": engine_res.meta["labels_schedule"], "seconds": engine_times,
                   "median_seconds": t_engine, "cpu_seconds": engine_cpu, "median_cpu_seconds": cpu_engine,
                   "answer": eng, "answer_on_modal_seeds": eng_same},
        "modal": {"implementation": out["implementation"], "modal_version": out.get("modal_version"),
                  "scikit_learn": out["scikit_learn"], "seeds": modal_seeds, "processes": out["processes"],
                  "deadline_minutes": args.deadline_min, "wall_seconds": t_modal, "cpu_seconds": out["cpu_seconds"],
                  "refits": fits,
                  "run_status": statuses, "complete": complete, "answer": mod,
                  "rf_fit_1000_rows_seconds": out["rf_fit_1000_rows_seconds"],
                  "runs": [{k: r[k] for k in ("seed", "strategy", "status", "ceiling", "target", "seconds")} |
                           {"final_labels": r["labels"][-1]} for r in out["runs"]]},
        "speedup": speedup,
        "cpu_ratio": cpu_ratio,
        "engine_median_within_modal_interval": within,
        "target": f"speedup >= {TARGET_SPEEDUP:g} and engine median saving inside the modAL interval",
        "pass": ok,
    }
    # Same-machine speed of the two scikit-learn versions (the modAL venv pins an older one).
    cal = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, 'benchmarks'); "
                          f"from _modal_loop import calibrate; print(calibrate(reps={CALIBRATE_REPS}))"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    data["rf_fit_1000_rows_seconds_main_venv"] = float(cal.stdout.strip())

    md = [
        "# Time to an answer: engine vs a modAL loop", "",
        f"Question: labels saved by margin vs random to reach {TARGET.describe('accuracy')} on set-up (a) "
        "(make_classification 10k x 20, 3 classes, random forest 100 trees, 100 initial labels).", "",
        "Command: `.venv/bin/python benchmarks/time_to_answer.py`", "",
        md_table([
            {"side": "engine: geometric schedule (growth 0.2), budget 3,000, n_jobs=2",
             "seeds": ENGINE_SEEDS, "wall s (median)": t_engine, "median saving [95% interval]": _iv(eng)},
            {"side": f"engine, same {len(modal_seeds)} seeds as modAL (same run)", "seeds": len(modal_seeds),
             "wall s (median)": "", "median saving [95% interval]": _iv(eng_same)},
            {"side": f"{out['implementation']} (modAL {out.get('modal_version') or '-'}, scikit-learn "
                     f"{out['scikit_learn']}): one refit per label, {out['processes']} processes, stop at target",
             "seeds": len(modal_seeds), "wall s (median)": t_modal, "median saving [95% interval]": _iv(mod)},
        ]), "",
        f"**Speed-up: {speedup:.1f}x** (modAL side with {len(modal_seeds)} seeds over the engine with "
        f"{ENGINE_SEEDS}; per seed it is {speedup * ENGINE_SEEDS / len(modal_seeds):.1f}x). "
        f"Engine median inside the modAL interval: {within}. Target: >= {TARGET_SPEEDUP:g}x and inside -> "
        f"**{verdict(ok)}**.", "",
        f"CPU time (user + system, all processes; barely affected by other jobs on the machine): engine "
        f"{cpu_engine:.0f} s (median), modAL side {out['cpu_seconds']:.0f} s: **{cpu_ratio:.1f}x**.", "",
        f"- modAL side: {fits:,} random-forest fits; run status {statuses} (reached = stopped at the target; "
        "deadline = censored at the labels reached).",
        f"- engine wall times: {', '.join(f'{x:.1f}' for x in engine_times)} s (run 1 before the modAL side, "
        "the others after; the first includes starting the worker processes).",
        f"- random-forest fit of 1,000 x 20 rows (median of 5): {out['rf_fit_1000_rows_seconds']:.3f} s in the "
        f"modAL venv (scikit-learn {out['scikit_learn']}) vs {data['rf_fit_1000_rows_seconds_main_venv']:.3f} s in "
        ".venv (the engine's), measured at different moments on a shared machine.", "",
        "Labels to the target per seed (margin / random; `*` = censored):", "",
        md_table([{"seed": e["seed"],
                   "engine margin": f"{e['margin']:.0f}{'*' if e['margin_censored'] else ''}",
                   "engine random": f"{e['random']:.0f}{'*' if e['random_censored'] else ''}",
                   "engine saving": f"{100 * e['saving']:.0f}%",
                   **({"modAL margin": f"{m['margin']:.0f}{'*' if m['margin_censored'] else ''}",
                       "modAL random": f"{m['random']:.0f}{'*' if m['random_censored'] else ''}",
                       "modAL saving": f"{100 * m['saving']:.0f}%"} if m else {})}
                  for e in eng["per_seed"]
                  for m in [next((x for x in mod["per_seed"] if x["seed"] == e["seed"]), None)]]),
    ]
    paths = write_results("time_to_answer", data, "\n".join(md))
    print(f"engine {t_engine:.1f} s, answer {_iv(eng)}; modAL {t_modal:.0f} s, answer {_iv(mod)}; "
          f"speed-up {speedup:.1f}x; within {within} -> {verdict(ok)}")
    print(f"wrote {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
