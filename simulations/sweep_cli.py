"""``labelwise sweep``: run a grid of simulations from a TOML file, locally or on a Dask cluster.

Registered by ``simulations.cli.build_parser`` through :func:`add_sweep_parser`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

import pandas as pd

from simulations.summary import METRIC_NAMES, Target

DEFAULT_OUT = "sweep_results"


def add_sweep_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the ``sweep`` subcommand."""
    p = subparsers.add_parser(
        "sweep",
        help="Run datasets x models x schedules x seeds x strategies from a TOML file (locally or on Dask).",
        description="Run a grid of simulations and write one tidy results table plus a summary of which "
                    "strategy wins where. Each finished task is saved at once; --resume continues a sweep.",
    )
    p.add_argument("--config", required=True, help="The sweep file (TOML); see examples/sweep.toml.")
    p.add_argument("--out", help=f"Output folder (default: 'out' in the file, else ./{DEFAULT_OUT}).")
    p.add_argument("--resume", action="store_true",
                   help="Continue the sweep in --out: tasks already finished there are skipped.")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--n-jobs", type=int, default=1, help="Local worker processes (joblib; default 1).")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="Run the tasks on this Dask cluster.")
    where.add_argument("--dask-local", type=int, metavar="N",
                       help="Start a Dask LocalCluster with N worker processes on this machine.")
    t = p.add_mutually_exclusive_group()
    t.add_argument("--target-share", type=float, help="Target as a share of the full-data score (default 0.95).")
    t.add_argument("--target-accuracy", type=float, help="Target as an absolute score, e.g. 0.9.")
    t.add_argument("--target-gap", type=float,
                   help="Target as a share of the gap between the majority-class baseline and the full-data score.")
    p.add_argument("--metric", choices=list(METRIC_NAMES),
                   help="Score to compare (default: each dataset's own: balanced accuracy when imbalanced).")
    p.add_argument("--json", action="store_true", help="Print one JSON object instead of the table.")
    p.add_argument("--quiet", action="store_true", help="No progress line.")
    p.set_defaults(func=run_sweep_command)


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def _cost_text(r: object) -> str:
    """The best strategy's error cost per 1,000 predictions at the end of the budget, with its interval."""
    from simulations.money import money

    med, low, high = r.error_cost_per_1000, r.error_cost_per_1000_low, r.error_cost_per_1000_high
    return "n/a" if pd.isna(med) else f"{money(med)} ({money(low)} to {money(high)})"


def format_overview(overview: pd.DataFrame) -> str:
    """The cross-dataset overview as a readable table (with error costs: the best strategy's cost per 1,000
    predictions at the end of the budget)."""
    costs = "error_cost_per_1000" in overview.columns
    header = (f"{'dataset':<20}{'model':<24}{'schedule':<12}{'best':<20}{'savings vs random':<26}"
              f"{'beat random':<13}" + (f"{'errors per 1,000 at budget':<30}" if costs else "") + "verdict")
    lines = [header, "-" * len(header)]
    for r in overview.itertuples(index=False):
        sv = "n/a"
        if not (isinstance(r.savings, float) and math.isnan(r.savings)):
            prefix = {"lower": ">= ", "upper": "<= "}.get(r.savings_bound, "")
            sv = f"{prefix}{_pct(r.savings)} ({_pct(r.savings_low)} to {_pct(r.savings_high)})"
        elif not (isinstance(r.auc_gain, float) and math.isnan(r.auc_gain)):
            sv = f"n/a; AUC {r.auc_gain:+.3f}"  # target too easy or never reached: compared by area under the curve
        cost = f"{_cost_text(r):<30}" if costs else ""
        lines.append(f"{r.dataset:<20}{r.model:<24}{r.schedule:<12}{r.best_strategy or '-':<20}{sv:<26}"
                     f"{f'{r.n_beating_random} of {r.n_strategies}':<13}{cost}{r.verdict}")
    return "\n".join(lines)


def run_sweep_command(args: argparse.Namespace) -> int:
    from simulations.economics.value_model import COST_SCORE
    from simulations.sweep import load_sweep_config, run_sweep, sweep_overview
    from simulations.sweep.store import RESULTS_NAME, SUMMARY_NAME, TASKS_DIR

    config = load_sweep_config(args.config)
    target = None
    if args.target_accuracy is not None:
        target = Target("absolute", args.target_accuracy)
    elif args.target_gap is not None:
        target = Target("share_of_gap", args.target_gap)
    elif args.target_share is not None:
        target = Target("share_of_ceiling", args.target_share)
    if target is not None or args.metric:
        config = dataclasses.replace(config, target=target or config.target, metric=args.metric or config.metric)
    costs = config.error_costs
    if target is not None and costs is not None and costs.target_error_cost is not None:
        # a target flag replaces the file's target in money, as it replaces its score target
        costs = dataclasses.replace(costs, target_error_cost=None)
        config = dataclasses.replace(config, error_costs=costs)
    out = Path(args.out or config.out or DEFAULT_OUT)
    show = not (args.json or args.quiet)

    def report(p) -> None:
        if show:
            status = "" if p.ok else " FAILED"
            print(f"\r[{p.done}/{p.total}] {p.task.describe()}{status}" + " " * 10, end="", file=sys.stderr, flush=True)

    result = run_sweep(config, out, resume=args.resume, n_jobs=args.n_jobs, scheduler=args.scheduler,
                       dask_local=args.dask_local, progress=report)
    if show:
        print(file=sys.stderr)
    overview = sweep_overview(result.summary)
    files = {"results": str(out / RESULTS_NAME), "summary": str(out / SUMMARY_NAME), "tasks": str(out / TASKS_DIR)}
    if args.json:
        doc = {"tasks": result.n_tasks, "run": result.n_run, "skipped": result.n_skipped, "files": files,
               "score": COST_SCORE if costs else config.metric,
               "error_costs": None if costs is None else costs.to_dict(),
               "overview": json.loads(overview.to_json(orient="records")),
               "summary": json.loads(result.summary.to_json(orient="records"))}
        print(json.dumps(doc, indent=2))
        return 0
    score = COST_SCORE if costs else (config.metric or "score")
    print(f"Sweep: {result.n_tasks} tasks ({result.n_skipped} finished earlier, {result.n_run} run now); "
          f"target: {config.target.describe(score)}.")
    if costs is not None:
        print(f"Errors priced: {costs.describe()}. Strategies are judged in {costs.score_sentence()}.")
    print(format_overview(overview))
    print(f"\nTable: {files['results']}  Summary: {files['summary']}")
    return 0
