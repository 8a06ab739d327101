"""How well does a learning curve fitted up to N labels predict the score at 2N and 4N? (issue 3)

For every shipped dataset this simulates random and margin sampling (logistic regression, class weighting
"auto", the run's default metric ``meta["metric"]``) with a fixed batch schedule up to 4N labels, so that the
observed scores at 2N and 4N are known: ``--repeats`` (4) independent simulations of ``--seeds`` (5) seeds each,
as four users with the same settings would run them, for more curves than one run gives. Then, on labels <= N
only, ``simulations.curves.fit_curve`` chooses a model by its backtest and projects to 2N and 4N with 80% and 95%
prediction intervals:

* ``seed``: every single run's curve fitted on its own (what a live project with one curve has);
* ``mean``: the mean curve over seeds, compared with the observed mean at 2N / 4N;
* ``mean->run``: the mean-curve fit's ``per_seed=True`` interval, compared with every single run (coverage only).

Reported per dataset and overall: the mean absolute error (MAE) of the chosen model, the MAE of ``last1`` (the
score at N held flat), skill = 1 - MAE / MAE_last1, the mean signed error (bias), coverage of the 80% and 95%
intervals, and how often each model was chosen. Target: skill > 0 and 80% coverage in [70%, 90%], for both the
single-run and the mean-curve fits.

N per dataset: 100 labels (fixed batch 10 from 20 initial labels: 9 points up to N, 39 rounds up to 4N = 400),
except penguins, whose pool (258 rows) holds only 4 x 60: N = 60 with batch 5 (also 9 points up to N).

    .venv/bin/python benchmarks/extrapolation.py [--seeds 5] [--repeats 4] [--datasets a,b] [--n-jobs 2]
        [--seed-offset 100] [--curves FILE]   # tune on other seeds; reuse simulated curves
    .venv/bin/python benchmarks/extrapolation.py --smoke [--out DIR]  # penguins, N = 40, 2 seeds, one repeat, n_jobs=1

Writes benchmarks/results/extrapolation.{json,md}. About 2 minutes on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import bench_args, md_table, verdict, write_results

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.curves import fit_curve
from simulations.datasets import SAMPLES
from simulations.errors import ConfigError

STRATEGIES = ("random", "margin")
HORIZONS = (2, 4)  # predict at 2N and 4N
LEVELS = (0.8, 0.95)
COVERAGE_TARGET = (0.70, 0.90)  # for the 80% interval
KINDS = ("seed", "mean", "mean->run")


@dataclass(frozen=True)
class Plan:
    """What one dataset is simulated with.

    Attributes
    ----------
    dataset : str
        A shipped sample (``simulations.datasets.SAMPLES``).
    n : int
        Curves are fitted on the label counts up to ``n``; the projections are checked at 2n and 4n.
    batch_size : int
        Fixed labels per round, from 20 initial labels: it must land exactly on n, 2n and 4n.
    """

    dataset: str
    n: int
    batch_size: int

    @property
    def budget(self) -> int:
        return max(HORIZONS) * self.n


#: 100 labels where the pool allows 4 x 100; penguins' 258-row pool allows 4 x 60 (batch 5 keeps 9 points up to N).
PLANS: dict[str, Plan] = {name: Plan(name, 100, 10) for name in SAMPLES} | {"penguins": Plan("penguins", 60, 5)}


# ----------------------------------------------------------------------------------------------- scoring
def evaluate_curve(labels: np.ndarray, values: np.ndarray, n: int) -> tuple[list[dict[str, Any]], Any]:
    """Fit the curve on label counts <= ``n`` and score its projections at each horizon x ``n``.

    Parameters
    ----------
    labels : ndarray, shape (n_points,)
        Label counts of the whole simulated curve (must include n and every horizon x n).
    values : ndarray, shape (n_points,) or (n_seeds, n_points)
        The metric; several seeds are fitted as their mean curve (and with ``per_seed=True``).
    n : int
        Last label count the fit may see.

    Returns
    -------
    rows : list of dict
        One row per horizon: prediction, truth (the observed value, the mean over seeds for 2-D values), the
        ``last1`` baseline (the observed value at ``n``), absolute errors and interval coverage per level.
    fit : CurveFit
    """
    labels = np.asarray(labels, dtype=float)
    v2 = np.atleast_2d(np.asarray(values, dtype=float))
    seen = labels <= n
    fit = fit_curve(labels[seen], v2[:, seen] if v2.shape[0] > 1 else v2[0, seen], per_seed=v2.shape[0] > 1)
    observed = v2.mean(axis=0)
    at_n = float(observed[_index(labels, n)])
    rows = []
    for h in HORIZONS:
        x = h * n
        truth = float(observed[_index(labels, x)])
        pred = float(fit.predict(x)[0])
        row: dict[str, Any] = {"horizon": h, "labels": x, "model": fit.model, "pred": pred, "truth": truth,
                               "last1": at_n, "err": pred - truth, "abs_err": abs(pred - truth),
                               "abs_err_last1": abs(at_n - truth)}
        for level in LEVELS:
            lo, hi = (float(a[0]) for a in fit.interval(x, level))
            row[f"lo{_pct(level)}"], row[f"hi{_pct(level)}"] = lo, hi
            row[f"in{_pct(level)}"] = bool(lo <= truth <= hi)
        rows.append(row)
    return rows, fit


def per_run_coverage(fit: Any, labels: np.ndarray, values: np.ndarray, n: int) -> list[dict[str, Any]]:
    """Does the mean-curve fit's ``per_seed=True`` interval cover each single run at every horizon?

    ``fit`` is the mean-curve fit of ``values`` (n_seeds x n_points) on labels <= ``n``. The prediction is
    the mean curve's, so errors here are against single runs and are not compared with ``last1``.
    """
    labels = np.asarray(labels, dtype=float)
    rows = []
    for h in HORIZONS:
        x = h * n
        pred = float(fit.predict(x)[0])
        for seed_row in np.atleast_2d(values):
            truth = float(seed_row[_index(labels, x)])
            row: dict[str, Any] = {"horizon": h, "labels": x, "model": fit.model, "pred": pred, "truth": truth,
                                   "err": pred - truth, "abs_err": abs(pred - truth)}
            for level in LEVELS:
                lo, hi = (float(a[0]) for a in fit.interval(x, level, per_seed=True))
                row[f"lo{_pct(level)}"], row[f"hi{_pct(level)}"] = lo, hi
                row[f"in{_pct(level)}"] = bool(lo <= truth <= hi)
            rows.append(row)
    return rows


def aggregate(rows: pd.DataFrame) -> dict[str, Any]:
    """Pooled figures over prediction rows: MAE, last1 MAE, skill, bias, coverage, model counts.

    Skill is ``1 - MAE / MAE_last1`` over the same predictions (NaN when there is no last1 error, e.g. for
    ``mean->run`` rows or when last1 is exact everywhere). Models are counted once per fitted curve (the
    rows of its first horizon); ``rows`` needs the columns ``kind``, ``dataset``, ``strategy``, ``repeat`` and
    ``seed`` (-1 for a mean curve).
    """
    out: dict[str, Any] = {"n": len(rows), "mae": float(rows["abs_err"].mean()), "bias": float(rows["err"].mean())}
    if "abs_err_last1" in rows and rows["abs_err_last1"].notna().all():
        base = float(rows["abs_err_last1"].mean())
        out["mae_last1"] = base
        out["skill"] = 1.0 - out["mae"] / base if base > 0 else float("nan")
    else:
        out["mae_last1"] = out["skill"] = float("nan")
    for level in LEVELS:
        out[f"coverage{_pct(level)}"] = float(rows[f"in{_pct(level)}"].mean())
    # mean->run rows repeat one mean fit per seed (their seed is -1): count each fitted curve once.
    first = rows[rows["horizon"] == HORIZONS[0]].drop_duplicates(["kind", "dataset", "strategy", "repeat", "seed"])
    out["models"] = dict(Counter(first["model"]).most_common())
    return out


def _index(labels: np.ndarray, x: float) -> int:
    hit = np.flatnonzero(np.isclose(labels, x))
    if hit.size == 0:
        raise ConfigError(f"The simulated schedule has no round at {x:g} labels.",
                          hint="Choose N and the batch size so that N, 2N and 4N are rounds of the schedule.")
    return int(hit[0])


def _join(values: list[float], fmt: str) -> str:
    return ", ".join(format(v, fmt) for v in values)


def _pct(level: float) -> str:
    return f"{round(100 * level)}"


# ------------------------------------------------------------------------------------------------ running
def simulate_curves(plan: Plan, seeds: int, repeat: int, n_jobs: int,
                    seed_offset: int = 0) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Simulate one dataset to 4N labels; returns ({strategy: {"labels", "seeds", "values"}}, dataset info).

    Repeat ``r`` runs the seeds ``seed_offset + r * seeds ... seed_offset + (r + 1) * seeds - 1``: an independent
    simulation with its own mean curve, as another user with the same settings would get. A non-zero
    ``seed_offset`` gives simulations disjoint from the reported ones (seeds 0-19), to tune on.
    """
    ds = Dataset.from_sample(plan.dataset)
    cfg = SimulationConfig(strategies=STRATEGIES, seeds=seeds, random_state=seed_offset + repeat * seeds,
                           initial_labels=20, batch_size=plan.batch_size, budget=plan.budget)
    t0 = time.perf_counter()
    res = run_simulation(ds, cfg, n_jobs=n_jobs)
    t_sim = time.perf_counter() - t0
    metric = res.meta["metric"]
    schedule = np.asarray(res.meta["labels_schedule"], dtype=float)
    if schedule[-1] != plan.budget:
        raise ConfigError(f"{plan.dataset}: the pool ({res.meta['n_pool']} rows) cannot hold {plan.budget} labels.",
                          hint="Pick a smaller N for this dataset.")
    curves: dict[str, dict[str, Any]] = {}
    for strategy in STRATEGIES:
        sub = res.rounds[res.rounds["strategy"] == strategy]
        table = sub.pivot_table(index="seed", columns="labels", values=metric, aggfunc="mean")
        curves[strategy] = {"labels": table.columns.to_numpy(dtype=float).tolist(),
                            "seeds": [int(s) for s in table.index],
                            "values": table.to_numpy(dtype=float).tolist()}
    info = {**asdict(plan), "budget": plan.budget, "metric": metric, "n_pool": int(res.meta["n_pool"]),
            "points_fitted": int((schedule <= plan.n).sum()), "rounds": len(schedule),
            "class_weight": res.meta["class_weight"], "simulate_seconds": round(t_sim, 1)}
    return curves, info


def score_curves(plan: Plan, repeat: int, curves: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every projection row (seed, mean, mean->run) of one simulation's curves (see :func:`simulate_curves`)."""
    rows: list[dict[str, Any]] = []
    for strategy, c in curves.items():
        labels, values = np.asarray(c["labels"], dtype=float), np.asarray(c["values"], dtype=float)
        tag = {"dataset": plan.dataset, "strategy": strategy, "repeat": repeat}
        for seed, curve in zip(c["seeds"], values, strict=True):
            seed_rows, _ = evaluate_curve(labels, curve, plan.n)
            rows += [{**tag, "kind": "seed", "seed": int(seed), **r} for r in seed_rows]
        mean_rows, fit = evaluate_curve(labels, values, plan.n)
        rows += [{**tag, "kind": "mean", "seed": -1, **r} for r in mean_rows]
        rows += [{**tag, "kind": "mean->run", "seed": -1, **r} for r in per_run_coverage(fit, labels, values, plan.n)]
    return rows


def run_dataset(plan: Plan, seeds: int, repeat: int, n_jobs: int, seed_offset: int = 0,
                cache: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Simulate one dataset to 4N labels (or take its curves from ``cache``) and score every projection.

    ``cache`` maps ``"<dataset>/<repeat>"`` to ``{"curves", "info"}``; a missing entry is simulated and added, so
    the fits can be re-scored (e.g. after a change to the curve selection) without simulating again.
    Returns (rows, dataset info).
    """
    key = f"{plan.dataset}/{repeat}"
    if cache is not None and key in cache:
        curves, info = cache[key]["curves"], dict(cache[key]["info"])
    else:
        curves, info = simulate_curves(plan, seeds, repeat, n_jobs, seed_offset)
        if cache is not None:
            cache[key] = {"curves": curves, "info": dict(info)}
    t1 = time.perf_counter()
    rows = score_curves(plan, repeat, curves)
    info["fit_seconds"] = round(time.perf_counter() - t1, 1)
    return rows, info


def figures(table: pd.DataFrame) -> dict[str, Any]:
    """Every aggregate the report quotes, for each kind: overall, per horizon, dataset, dataset x strategy,
    chosen model and repeat."""
    out: dict[str, Any] = {"overall": {}, "by_horizon": {}, "by_dataset": {}, "by_dataset_strategy": {},
                           "by_model": {}, "by_repeat": {}}
    for kind in KINDS:
        t = table[table["kind"] == kind]
        out["overall"][kind] = aggregate(t)
        out["by_horizon"][kind] = {f"{h}N": aggregate(t[t["horizon"] == h]) for h in HORIZONS}
        out["by_model"][kind] = {m: aggregate(g) for m, g in t.groupby("model", sort=True)}
        out["by_repeat"][kind] = {int(r): aggregate(g) for r, g in t.groupby("repeat", sort=True)}
        out["by_dataset"][kind] = {d: aggregate(g) for d, g in t.groupby("dataset", sort=False)}
        out["by_dataset_strategy"][kind] = {f"{d}/{s}": aggregate(g)
                                            for (d, s), g in t.groupby(["dataset", "strategy"], sort=False)}
    return out


def passes(fig: dict[str, Any]) -> dict[str, bool]:
    """The target, per kind that has a baseline: skill > 0 and 80% coverage within COVERAGE_TARGET."""
    lo, hi = COVERAGE_TARGET
    out = {}
    for kind in ("seed", "mean"):
        o = fig["overall"][kind]
        out[kind] = bool(o["skill"] > 0 and lo <= o["coverage80"] <= hi)
    return out


# ----------------------------------------------------------------------------------------------- report
def markdown(data: dict[str, Any]) -> str:
    fig, plans = data["figures"], data["datasets"]
    ok = data["pass"]

    def line(label: str, a: dict[str, Any]) -> dict[str, Any]:
        return {"": label, "predictions": a["n"], "MAE": a["mae"], "MAE last1": a["mae_last1"],
                "skill": a["skill"], "bias": a["bias"], "80% covers": f"{100 * a['coverage80']:.0f}%",
                "95% covers": f"{100 * a['coverage95']:.0f}%"}

    overall = []
    for kind in KINDS:
        overall.append(line(f"**{kind}**, 2N and 4N", fig["overall"][kind]))
        overall += [line(f"{kind}, {h}", a) for h, a in fig["by_horizon"][kind].items()]
    per_ds = []
    for d in plans:
        for kind in ("seed", "mean"):
            per_ds.append({"dataset": d, **line(kind, fig["by_dataset"][kind][d])})
        per_ds[-1]["mean->run 80% / 95%"] = (f"{100 * fig['by_dataset']['mean->run'][d]['coverage80']:.0f}% / "
                                              f"{100 * fig['by_dataset']['mean->run'][d]['coverage95']:.0f}%")
    per_ds_cols = ["dataset", "", "predictions", "MAE", "MAE last1", "skill", "bias", "80% covers", "95% covers",
                   "mean->run 80% / 95%"]
    by_strategy = [{"dataset/strategy": k, "skill (seed)": a["skill"],
                    "skill (mean)": fig["by_dataset_strategy"]["mean"][k]["skill"],
                    "80% covers (seed)": f"{100 * a['coverage80']:.0f}%",
                    "models chosen (seed curves)": ", ".join(f"{m} {c}" for m, c in a["models"].items())}
                   for k, a in fig["by_dataset_strategy"]["seed"].items()]
    by_model = []
    for kind in ("seed", "mean"):
        for m, a in sorted(fig["by_model"][kind].items(), key=lambda kv: -kv[1]["n"]):
            by_model.append({"kind": kind, "model": m, "curves": sum(a["models"].values()),
                             **{k: v for k, v in line("", a).items() if k != ""}})
    spread = {kind: [a["skill"] for a in fig["by_repeat"][kind].values()] for kind in ("seed", "mean")}
    cover_spread = {kind: [a["coverage80"] for a in fig["by_repeat"][kind].values()] for kind in ("seed", "mean")}
    plan_rows = [{"dataset": d, "metric": p["metric"], "pool": p["n_pool"], "N": p["n"], "batch": p["batch_size"],
                  "points up to N": p["points_fitted"], "rounds to 4N": p["rounds"],
                  "simulate s": p["simulate_seconds"], "fit s": p["fit_seconds"]} for d, p in plans.items()]
    not_positive = [f"{d} ({kind}: {fig['by_dataset'][kind][d]['skill']:.2f})" for kind in ("seed", "mean")
                    for d in plans if not fig["by_dataset"][kind][d]["skill"] > 0]
    lo, hi = COVERAGE_TARGET
    o_seed, o_mean = fig["overall"]["seed"], fig["overall"]["mean"]
    first = int(data.get("seed_offset", 0))
    md = [
        "# Learning-curve extrapolation: fit up to N labels, predict 2N and 4N",
        "",
        f"Random and margin sampling, logistic regression, {data['repeats']} independent simulations of "
        f"{data['seeds']} seeds each per dataset (seeds {first}-{first + data['repeats'] * data['seeds'] - 1}), "
        "class weighting auto, the run's default metric; fixed batches up to 4N. `fit_curve` (backtest "
        "selection) sees the labels <= N only. `seed`: each run's curve fitted alone, vs that run at 2N/4N; "
        "`mean`: the mean curve over seeds, vs the observed mean; `mean->run`: the mean fit's `per_seed=True` "
        "interval vs each single run. last1 = the score at N held flat; skill = 1 - MAE / MAE_last1 (positive: "
        "better than last1); bias = mean(predicted - observed).",
        "",
        f"Command: `.venv/bin/python benchmarks/extrapolation.py{' ' + data['args'] if data['args'] else ''}` "
        f"({data['seconds']:.0f} s wall).",
        "",
        f"**Result: {verdict(all(ok.values()))}** (target: skill > 0 and 80% coverage in {100 * lo:.0f}-"
        f"{100 * hi:.0f}%, for both single-run and mean-curve fits). Single runs: skill "
        f"**{o_seed['skill']:.2f}**, 80% interval covers **{100 * o_seed['coverage80']:.0f}%** "
        f"({verdict(ok['seed'])}); mean curves: skill **{o_mean['skill']:.2f}**, "
        f"**{100 * o_mean['coverage80']:.0f}%** ({verdict(ok['mean'])}).",
        "",
        "Spread over the independent simulations (repeats): skill "
        + "; ".join(f"{kind} {_join(spread[kind], '.2f')}" for kind in spread) + "; 80% coverage "
        + "; ".join(f"{kind} {_join(cover_spread[kind], '.0%')}" for kind in cover_spread) + ".",
        "",
        "## Overall",
        "",
        md_table(overall),
        "",
        "## Per dataset",
        "",
        md_table(per_ds, per_ds_cols),
        "",
        "Skill not positive: " + (", ".join(not_positive) if not_positive else "none") + ".",
        "",
        md_table(by_strategy),
        "",
        "## By the model chosen (curves: how often it was chosen)",
        "",
        md_table(by_model),
        "",
        "## Set-up per dataset",
        "",
        md_table(plan_rows),
    ]
    return "\n".join(md)


def load_cache(path: Path | None, seeds: int, seed_offset: int) -> dict[str, Any] | None:
    """The simulated curves saved by an earlier run with ``--curves PATH`` (empty when the file does not exist).

    Raises ConfigError when the file was written with other seeds or another seed offset.
    """
    if path is None:
        return None
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if (data.get("seeds"), data.get("seed_offset")) != (seeds, seed_offset):
        raise ConfigError(f"{path} holds curves for --seeds {data.get('seeds')} --seed-offset "
                          f"{data.get('seed_offset')}, not {seeds} / {seed_offset}.",
                          hint="Pass the same --seeds and --seed-offset, or another --curves file.")
    return data["curves"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--datasets", default=",".join(PLANS))
    ap.add_argument("--repeats", type=int, default=4, help="independent simulations of --seeds seeds each")
    ap.add_argument("--seed-offset", type=int, default=0,
                    help="first seed (default 0, the reported seeds); e.g. 100 for disjoint simulations to tune on; "
                         "results then go to results/extrapolation_tuning.{json,md}")
    ap.add_argument("--curves", type=Path, default=None,
                    help="JSON file of simulated curves: read when it exists (no simulation), else written")
    ap.add_argument("--n-jobs", type=int, default=2)
    args = bench_args(ap, argv)
    if args.smoke:
        # Same code path, tiny: one small dataset, N = 40 (batch 4 from 20 labels: 6 points up to N), 2 seeds, n_jobs=1.
        PLANS["penguins"] = Plan("penguins", 40, 4)
        args.datasets, args.seeds, args.repeats, args.n_jobs = "penguins", 2, 1, 1
    names = [d for d in args.datasets.split(",") if d]
    unknown = [d for d in names if d not in PLANS]
    if unknown:
        print(f"error: unknown dataset(s) {', '.join(unknown)}; use any of {', '.join(PLANS)}", file=sys.stderr)
        return 2
    try:
        cache = load_cache(args.curves, args.seeds, args.seed_offset)
    except ConfigError as exc:
        print(f"error: {exc.message} {exc.hint}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    plans: dict[str, Any] = {}
    for name in names:
        for repeat in range(args.repeats):
            r, info = run_dataset(PLANS[name], args.seeds, repeat, args.n_jobs, args.seed_offset, cache)
            rows += r
            if name in plans:  # same set-up every repeat; add up the times
                for key in ("simulate_seconds", "fit_seconds"):
                    plans[name][key] = round(plans[name][key] + info[key], 1)
            else:
                plans[name] = info
            print(f"{name} repeat {repeat}: N={info['n']}, {info['metric']}, simulate {info['simulate_seconds']} s, "
                  f"fit {info['fit_seconds']} s", flush=True)
    if args.curves is not None and cache is not None:
        args.curves.write_text(json.dumps({"seeds": args.seeds, "seed_offset": args.seed_offset, "curves": cache}))
    table = pd.DataFrame(rows)
    fig = figures(table)
    ok = passes(fig)
    extra = " ".join(a for a in (argv if argv is not None else sys.argv[1:]))
    data = {"seeds": args.seeds, "repeats": args.repeats, "seed_offset": args.seed_offset,
            "strategies": list(STRATEGIES), "horizons": list(HORIZONS), "levels": list(LEVELS),
            "coverage_target": list(COVERAGE_TARGET), "args": extra,
            "seconds": round(time.perf_counter() - started, 1), "datasets": plans, "figures": fig,
            "pass": ok, "rows": table.replace({np.nan: None}).to_dict("records")}
    md = markdown(data)
    paths = write_results("extrapolation" if args.seed_offset == 0 else "extrapolation_tuning", data, md)
    print(md)
    print(f"wrote {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
