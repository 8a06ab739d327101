"""How right is the savings ledger? Its estimate against the truth from hidden labels, at control shares 0.05-0.2.

The worked example of docs/live-project.md, repeated: a shipped dataset with all but 20 random labels hidden
(``simulations.project.demo``) and a held-out test part; a project (margin sampling, logistic regression) labels
``--rounds`` batches of ``--batch`` rows with the labelers played by the hidden labels, and after every round the
ledger (``simulations.project``; without a validation file, everything from the control arm; and with one of
``--validation-rows`` rows) is compared with the truth:

* **truth**: the project model's score on the test part; random sampling's true curve on the same test part (the
  mean over ``--truth-seeds`` random orders of the pool, starting from the same 20 labels, at a geometric grid of
  label counts up to the whole pool); the labels random needs to reach that score (interpolated in log labels,
  the whole pool when never reached) minus the labels used;
* **estimate**: the ledger's median and 95% interval; whether the interval covers the truth; its width.

    .venv/bin/python benchmarks/ledger.py [--dataset sms_spam] [--reps 3] [--rounds 5] [--batch 60]
    .venv/bin/python benchmarks/ledger.py --smoke [--out DIR]     # breast_cancer, 1 share, 2 rounds

Writes benchmarks/results/ledger.{json,md}.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import bench_args, md_table, write_results

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.config import DEFAULT_SEEDS
from simulations.project import Project, add_labels, estimate_ledger, next_batch
from simulations.project.demo import demo_files, play_labelers
from simulations.project.ledger import random_prior
from simulations.project.scoring import arm_predictions, fit_predict, score
from simulations.project.status import expected_curve_from_results

NAME = "ledger"


def _test_matrix(project: Project, test: pd.DataFrame) -> Any:
    """The test part's features, through the project's fitted preprocessing."""
    from simulations.models import prepare_matrix

    _ = project.X
    Xt = project._pre.transform(test[project.feature_columns])
    Xt = Xt.tocsr() if hasattr(Xt, "tocsr") else np.ascontiguousarray(Xt, dtype=float)
    return prepare_matrix(project.config.model, Xt)


def random_truth(project: Project, truth: pd.Series, Xt: Any, yt: np.ndarray, classes: np.ndarray,
                 seeds: int, grid_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Random sampling's true curve on the test part: mean over ``seeds`` random orders, from the initial labels."""
    init = project.labeled_positions(project.state, ("initial",))
    rest = np.setdiff1d(np.arange(len(project.ids)), init)
    n_init, n_pool = len(init), len(project.ids)
    grid = np.unique(np.round(np.geomspace(n_init, n_pool, grid_points)).astype(int))
    ys = truth.to_numpy().astype(str)
    curve = np.zeros(len(grid))
    for s in range(seeds):
        order = np.random.default_rng([s, 31337]).permutation(rest)
        for g, n in enumerate(grid):
            tr = np.concatenate([init, order[: n - n_init]])
            curve[g] += score(yt, fit_predict(project, tr, ys[tr], Xt), classes, project.config.metric)
    return grid.astype(float), curve / seeds


def labels_to_reach(grid: np.ndarray, curve: np.ndarray, target: float) -> float:
    """First label count where the (running-max) curve reaches ``target``, interpolated in log labels."""
    env = np.maximum.accumulate(curve)
    if target <= env[0]:
        return float(grid[0])
    above = np.flatnonzero(env >= target)
    if not len(above):
        return float(grid[-1])
    j = int(above[0])
    x0, x1, y0, y1 = math.log(grid[j - 1]), math.log(grid[j]), env[j - 1], env[j]
    t = 0.0 if y1 == y0 else (target - y0) / (y1 - y0)
    return float(math.exp(x0 + t * (x1 - x0)))


def plan_curve(files: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The plan's expected curves, simulated on the labeled sample set aside for it (margin and random)."""
    ds = Dataset.from_frame(files.plan, files.label, name="plan sample")
    cfg = SimulationConfig(strategies=("margin",), seeds=args.plan_seeds, initial_labels=20)
    curve = expected_curve_from_results(run_simulation(ds, cfg, n_jobs=1), "margin", source="plan sample")
    if args.median_curve_only:  # the ledger as it was: the plan's median random curve taken as known
        curve.pop("random_seeds", None)
    return curve


def run_one(sample: str, share: float, rep: int, args: argparse.Namespace, cache: dict,
            validation_rows: int) -> list[dict[str, Any]]:
    tmp = Path(tempfile.mkdtemp(prefix="labelwise-ledger-"))
    files = demo_files(sample, tmp, n_initial=20, test_rows=args.test_rows + args.validation_rows,
                       plan_rows=args.plan_rows, max_rows=args.max_rows, seed=rep)
    # the first rows of the held-out part are the validation file (when used), the rest the truth's test part
    validation, files.test = files.test.iloc[:args.validation_rows], files.test.iloc[args.validation_rows:]
    val_path = None
    if validation_rows:
        val_path = tmp / "validation.csv"
        validation.iloc[:validation_rows].to_csv(val_path, index=False)
    curve = None
    if args.plan_rows:
        if ("plan", sample, rep) not in cache:
            cache[("plan", sample, rep)] = plan_curve(files, args)
        curve = cache[("plan", sample, rep)]
    project = Project.create(tmp / "project", files.data, files.label, strategy="margin", seed=rep,
                             cost_per_label=1.0, expected_curve=curve, validation=val_path)
    Xt = _test_matrix(project, files.test)
    yt = files.test[files.label].astype(str).to_numpy()
    classes = np.unique(np.concatenate([files.truth.to_numpy().astype(str), yt]))
    key = (sample, rep)
    if key not in cache:
        cache[key] = random_truth(project, files.truth, Xt, yt, classes, args.truth_seeds, args.grid_points)
    grid, curve = cache[key]
    rows = []
    for r in range(1, args.rounds + 1):
        batch = next_batch(project, args.batch, share)
        labeled = play_labelers(batch, files.truth, files.label)
        path = tmp / f"round{r}.csv"
        labeled.to_csv(path, index=False)
        add_labels(project, path)
        preds = arm_predictions(project)
        led = estimate_ledger(preds, project.config.metric, pool_rows=len(project.ids), seed=rep,
                              random_prior=random_prior(project.config.expected_curve))
        pos = project.labeled_positions()
        s_true = score(yt, fit_predict(project, pos, project.labels_at(pos), Xt), classes, project.config.metric)
        need_true = labels_to_reach(grid, curve, s_true)
        saved_true = need_true - preds.labels_used
        row = {"validation_rows": validation_rows, "share": share, "rep": rep, "round": r,
               "labels_used": preds.labels_used,
               "n_control": preds.n_control, "score_true": s_true, "score_est": led.current_score,
               "saved_true": saved_true, "random_needed_true": need_true, "available": led.available,
               "reason": led.reason or None}
        if led.available:
            s = led.labels_saved
            row.update(saved_median=s["median"], saved_low=s["low"], saved_high=s["high"],
                       width=s["high"] - s["low"], covered=bool(s["low"] <= saved_true <= s["high"]),
                       error=s["median"] - saved_true, capped_share=led.capped_share)
        prior = random_prior(project.config.expected_curve)
        if prior is not None and prior.seeds:
            # the earlier method on the same predictions: the plan's median curve taken as known
            old = estimate_ledger(preds, project.config.metric, pool_rows=len(project.ids), seed=rep,
                                  random_prior=replace(prior, seeds=()))
            if old.available:
                s = old.labels_saved
                row.update(median_curve_low=s["low"], median_curve_high=s["high"],
                           median_curve_width=s["high"] - s["low"],
                           median_curve_covered=bool(s["low"] <= saved_true <= s["high"]))
        rows.append(row)
    return rows


def summarize(rows: list[dict[str, Any]], last_round: int) -> list[dict[str, Any]]:
    df = pd.DataFrame(rows)
    out = []
    for (val, share), g in df.groupby(["validation_rows", "share"]):
        last = g.loc[(g["round"] == last_round) & g["available"].astype(bool)]
        allr = g.loc[g["available"].astype(bool)]
        out.append({
            "scored_on": f"validation file ({val} rows)" if val else "control rows",
            "control_share": share, "runs": int(g["rep"].nunique()),
            "control_rows_at_end": float(g.loc[g["round"] == last_round, "n_control"].median()),
            "available_last_round": f"{len(last)} of {int((g['round'] == last_round).sum())}",
            "available_rounds": f"{len(allr)} of {len(g)}",
            "truth_saved_median": float(last["saved_true"].median()) if len(last) else None,
            "estimate_median": float(last["saved_median"].median()) if len(last) else None,
            "median_abs_error": float(last["error"].abs().median()) if len(last) else None,
            "median_width_95": float(last["width"].median()) if len(last) else None,
            "coverage_last_round": float(last["covered"].mean()) if len(last) else None,
            "coverage_all_rounds": float(allr["covered"].mean()) if len(allr) else None,
            "median_width_all_rounds": float(allr["width"].median()) if len(allr) else None,
            **_median_curve(g),
        })
    return out


def _median_curve(g: pd.DataFrame) -> dict[str, Any]:
    """The earlier method (the plan's median curve taken as known) on the same rounds: coverage and width."""
    if "median_curve_covered" not in g:
        return {}
    m = g.loc[g["median_curve_covered"].notna()]
    return {"median_curve_coverage_all_rounds": float(m["median_curve_covered"].astype(bool).mean()) if len(m)
            else None,
            "median_curve_width_all_rounds": float(m["median_curve_width"].median()) if len(m) else None}


def figure(rows: list[dict[str, Any]], path: Path) -> None:
    """The first run per setting: the ledger's estimate (median, 95% interval) and the truth, round by round."""
    import altair as alt

    df = pd.DataFrame(rows)
    df = df.loc[df["rep"] == df["rep"].min()].copy()
    df["setting"] = [f"{'validation file' if v else 'control rows only'}, control share {s:g}"
                     for v, s in zip(df["validation_rows"], df["share"], strict=True)]
    base = alt.Chart(df).encode(x=alt.X("labels_used:Q", title="labels used"))
    band = base.mark_errorbar(thickness=2).encode(y=alt.Y("saved_low:Q", title="labels saved vs random"),
                                                  y2="saved_high:Q")
    est = base.mark_point(filled=True, size=50).encode(y="saved_median:Q")
    truth = base.mark_line(color="black", strokeDash=[5, 3]).encode(y="saved_true:Q")
    chart = alt.layer(band, est, truth).properties(width=230, height=170).facet(
        facet=alt.Facet("setting:N", title=None), columns=3).properties(
        title="Ledger estimate (points, 95% interval) against the truth from hidden labels (dashed)")
    chart.save(str(path), scale_factor=1.5)


def markdown(data: dict[str, Any]) -> str:
    a = data["settings"]
    lines = [
        "# The savings ledger against the truth from hidden labels",
        "",
        f"{a['dataset']}: 20 random starting labels, margin sampling, logistic regression, {a['rounds']} rounds of "
        f"{a['batch']} labels, {a['reps']} runs per control share (different starting labels and seeds), each "
        f"without a validation file (the score and the ledger come from the control rows) and with one of "
        f"{a['validation_rows']} rows; random's curve shape from a plan simulated on {a['plan_rows']} other labeled "
        f"rows. Truth: the model's score on "
        f"{a['test_rows']} held-out rows and random sampling's mean curve over {a['truth_seeds']} random orders on "
        "the same rows. Labels saved = labels random needs to reach the model's score - labels used.",
        "",
        "Interval: each bootstrap resample draws one simulated seed's random curve of the plan for the shape and "
        "another seed's deviation at the control points for the control arm's sampling noise (`median_curve_*`: "
        "the earlier method on the same rounds, the plan's median curve taken as known).",
        "",
        "## After the last round (coverage and width also over all rounds with a number)",
        "",
        md_table(data["summary"]),
        "",
        "## Every round",
        "",
        md_table([{k: r.get(k) for k in ("validation_rows", "share", "rep", "round", "labels_used", "n_control",
                                         "score_true", "score_est", "saved_true", "saved_median", "saved_low",
                                         "saved_high", "covered")} for r in data["rows"]]),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="sms_spam")
    ap.add_argument("--shares", default="0.05,0.1,0.2")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--batch", type=int, default=60)
    ap.add_argument("--test-rows", type=int, default=1000)
    ap.add_argument("--max-rows", type=int, default=None)
    ap.add_argument("--plan-rows", type=int, default=1000,
                    help="rows set aside as the plan's labeled sample (0: no plan, the control-only curve)")
    ap.add_argument("--plan-seeds", type=int, default=DEFAULT_SEEDS,
                    help="seeds of the plan simulation (the product default: every seed's random curve is kept)")
    ap.add_argument("--median-curve-only", action="store_true",
                    help="drop the plan's per-seed random curves (the earlier method: the median curve taken as known)")
    ap.add_argument("--validation-rows", type=int, default=500,
                    help="also run every setting with a validation file of this many rows (0: control rows only)")
    ap.add_argument("--truth-seeds", type=int, default=8)
    ap.add_argument("--grid-points", type=int, default=14)
    args = bench_args(ap, argv)
    if args.smoke:
        args.dataset, args.shares, args.reps, args.rounds, args.batch = "breast_cancer", "0.2", 1, 2, 20
        args.test_rows, args.truth_seeds, args.grid_points, args.plan_rows, args.plan_seeds = 150, 2, 6, 150, 2
        args.validation_rows = 0
    t0 = time.perf_counter()
    shares = [float(s) for s in args.shares.split(",")]
    cache: dict = {}
    rows: list[dict[str, Any]] = []
    for rep in range(args.reps):
        for val in sorted({0, args.validation_rows}):
            for share in shares:
                rows += run_one(args.dataset, share, rep, args, cache, val)
                print(f"rep {rep} validation {val} share {share}: {time.perf_counter() - t0:.0f} s", flush=True)
    settings = {"dataset": args.dataset, "reps": args.reps, "rounds": args.rounds, "batch": args.batch,
                "test_rows": args.test_rows, "truth_seeds": args.truth_seeds, "shares": shares,
                "plan_rows": args.plan_rows, "plan_seeds": args.plan_seeds, "validation_rows": args.validation_rows,
                "median_curve_only": bool(args.median_curve_only)}
    data = {"settings": settings, "summary": summarize(rows, args.rounds), "rows": rows,
            "seconds": time.perf_counter() - t0}
    write_results(NAME, data, markdown(data))
    figure(rows, args.out / f"{NAME}.png")
    print(md_table(data["summary"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
