"""The ``labelwise`` command line.

Every user-caused error exits with status 2 and prints ``error: <message>`` and ``hint: <hint>`` on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from simulations.config import DEFAULT_STRATEGIES, SimulationConfig
from simulations.datasets import SAMPLES, Dataset
from simulations.economics.cli import add_roi_parser
from simulations.errors import DataError, LabelwiseError
from simulations.models import MODELS
from simulations.results import save_results
from simulations.runner import Progress, run_simulation
from simulations.stopping.cli import add_stop_parser
from simulations.summary import METRIC_NAMES, Interval, Summary, Target, summarize
from simulations.sweep_cli import add_sweep_parser


def load_dataset(data: str, label: str | None) -> Dataset:
    """A shipped sample by name, or a CSV/TSV/Parquet file by path."""
    if data in SAMPLES and not Path(data).exists():
        ds = Dataset.from_sample(data)
        if label and label != ds.label:
            raise DataError(f"The sample '{data}' has the label column '{ds.label}', not '{label}'.",
                            hint=f"Drop --label or pass --label {ds.label}.")
        return ds
    path = Path(data)
    if not path.exists():
        raise DataError(f"'{data}' is neither a sample dataset nor an existing file.",
                        hint=f"Samples: {', '.join(SAMPLES)}; or pass a path to a CSV, TSV or Parquet file.")
    if not label:
        raise DataError("A file needs --label COLUMN: the column holding each row's class.",
                        hint="E.g. --label category.")
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, sep=None, engine="python")
    except Exception as exc:  # the reader's own message is the most specific one we have
        raise DataError(f"Cannot read {path.name}: {exc}", hint="Save it as UTF-8 CSV with a header row.") from exc
    return Dataset.from_frame(frame, label, name=path.name)


def _fmt_interval(iv: Interval | None, pct: bool = False, digits: int = 0) -> str:
    if iv is None or iv.median is None:
        return "n/a"

    def f(x: float) -> str:
        return f"{100 * x:.{digits}f}%" if pct else f"{x:,.{digits}f}"

    prefix = {"lower": ">= ", "upper": "<= "}.get(iv.bound or "", "")
    return f"{prefix}{f(iv.median)} ({f(iv.low)} to {f(iv.high)})"


def format_summary(summary: Summary, meta: dict) -> str:
    """A readable table of the run."""
    lines = [
        f"Data: {meta.get('dataset_name')} ({meta.get('n_rows'):,} labeled rows, "
        f"{len(meta.get('classes', []))} classes,"
        f" {meta.get('n_missing_labels', 0)} rows without a label left out); model {meta.get('model')}",
        f"Metric: {summary.metric_reason}",
        f"Full-data {METRIC_NAMES[summary.metric]} (ceiling): {_fmt_interval(summary.ceiling, pct=True, digits=1)}"
        f"; target: {summary.target_description} = {_fmt_interval(summary.target_value, pct=True, digits=1)}",
        f"Budget {summary.budget:,} labels; medians with 95% intervals over "
        f"{next(iter(summary.strategies.values())).n_seeds} seeds.",
        "",
    ]
    header = f"{'strategy':<24}{'labels to target':<28}{'savings vs random':<30}{'AUC':<8}{'final':<8}verdict"
    lines += [header, "-" * len(header)]
    for name, s in summary.strategies.items():
        ltt = _fmt_interval(s.labels_to_target)
        if s.labels_to_target.censored:
            ltt = f"> budget ({summary.budget:,})"
        lines.append(
            f"{name:<24}{ltt:<28}{_fmt_interval(s.savings_vs_random, pct=True):<30}"
            f"{s.auc.median:<8.3f}{s.final.median:<8.3f}{s.verdict}"
            + (f" (P worse {s.p_worse_than_random:.2f})" if s.p_worse_than_random is not None else "")
        )
    lines += ["", summary.verdict_sentence()]
    lines += [f"Note: {n}" for n in summary.notes]
    return "\n".join(lines)


def _target_from_args(args: argparse.Namespace) -> Target:
    if args.target_accuracy is not None:
        return Target("absolute", args.target_accuracy)
    if args.target_gap is not None:
        return Target("share_of_gap", args.target_gap)
    return Target("share_of_ceiling", args.target_share)


def add_target_args(p: argparse.ArgumentParser) -> None:
    t = p.add_mutually_exclusive_group()
    t.add_argument("--target-share", type=float, default=0.95,
                   help="Target as a share of the full-data score (default 0.95).")
    t.add_argument("--target-accuracy", type=float, help="Target as an absolute score, e.g. 0.9.")
    t.add_argument("--target-gap", type=float,
                   help="Target as a share of the gap between the majority-class baseline and the full-data score.")
    p.add_argument("--metric", choices=list(METRIC_NAMES),
                   help="Score to compare (default: accuracy, or balanced accuracy on imbalanced data).")


def _run_simulate(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.data, args.label)
    strategies = tuple(s.strip() for s in args.strategies.split(",") if s.strip())
    config = SimulationConfig(
        strategies=strategies, model=args.model, seeds=args.seeds, random_state=args.random_state,
        initial_labels=args.initial, batch_size=args.batch_size, growth=args.growth if args.growth else 0.2,
        budget=args.budget, test_share=args.test_share, max_candidates=args.max_candidates,
    )
    target = _target_from_args(args)

    def report(p: Progress) -> None:
        if not args.json and not args.quiet:
            print(f"\r[{p.done}/{p.total}] {p.strategy} seed {p.seed}        ", end="", file=sys.stderr, flush=True)

    result = run_simulation(dataset, config, n_jobs=args.n_jobs, progress=report)
    if not args.json and not args.quiet:
        print(file=sys.stderr)
    summary = summarize(result, target, args.metric)
    if args.out:
        save_results(result, args.out)
    if args.json:
        out = summary.to_dict()
        out["dataset"] = {k: result.meta[k] for k in ("dataset_name", "fingerprint", "n_rows", "n_missing_labels",
                                                       "classes", "class_counts", "n_pool", "n_test", "model")}
        out["config"] = result.config.to_dict()
        if args.out:
            out["results_file"] = str(args.out)
        print(json.dumps(out, indent=2, allow_nan=False, default=_json_default))
    else:
        print(format_summary(summary, result.meta))
        if args.out:
            print(f"Results saved to {args.out}")
    return 0


def _json_default(o: object) -> object:
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(type(o).__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="labelwise",
        description="Plan a labeling budget: simulate active learning against random sampling.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("simulate", help="Simulate query strategies vs random sampling on a dataset.")
    p.add_argument("--data", required=True, help=f"A sample ({', '.join(SAMPLES)}) or a CSV/TSV/Parquet path.")
    p.add_argument("--label", help="The label column (needed for files).")
    p.add_argument("--strategies", default=",".join(DEFAULT_STRATEGIES),
                   help="Comma-separated strategy names; random is always included.")
    p.add_argument("--model", default="logreg", choices=list(MODELS))
    p.add_argument("--seeds", type=int, default=5, help="Repetitions (default 5).")
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--initial", type=int, default=20, help="Initial labeled rows (default 20).")
    sched = p.add_mutually_exclusive_group()
    sched.add_argument("--batch-size", type=int, help="Fixed labels per round.")
    sched.add_argument("--growth", type=float, help="Geometric schedule: batch = growth x labeled (default 0.2).")
    p.add_argument("--budget", type=int, help="Last label count simulated (default min(pool, 500)).")
    p.add_argument("--test-share", type=float, default=0.25)
    p.add_argument("--max-candidates", type=int, help="Score only this many random unlabeled rows per round.")
    add_target_args(p)
    p.add_argument("--n-jobs", type=int, default=1, help="Parallel processes; results do not depend on it.")
    p.add_argument("--out", help="Save the full results (JSON; .gz to compress).")
    p.add_argument("--json", action="store_true", help="Print one JSON object instead of a table.")
    p.add_argument("--quiet", action="store_true", help="No progress line.")
    p.set_defaults(func=_run_simulate)

    add_roi_parser(sub)
    add_stop_parser(sub)
    add_sweep_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LabelwiseError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
