"""``labelwise project init|next|add|status``: run a labeling project, with a savings ledger.

Every user-caused error exits with status 2 (``error:``/``hint:`` on stderr, by ``simulations.cli.main``) and leaves
the project folder as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from simulations.errors import ConfigError
from simulations.models import MODELS
from simulations.project.batch import DEFAULT_CONTROL_SHARE, next_batch, write_batch
from simulations.project.labels import add_labels
from simulations.project.status import expected_curve_from_results, project_status
from simulations.project.store import Project
from simulations.strategies import available_strategies, make_strategy

__all__ = ["add_project_parser"]

#: A fault-injection hook for the crash test: ``add`` exits hard (no cleanup) right after the round log is written.
CRASH_ENV = "LABELWISE_PROJECT_CRASH_AFTER_ROUND_LOG"


def add_project_parser(subparsers: Any) -> None:
    """Register ``labelwise project`` and its subcommands."""
    p = subparsers.add_parser("project", help="Run a labeling project: next batch, add labels, status and savings.",
                              description="Run the labeling project with Labelwise: each batch is the strategy's "
                                          "picks plus a random control arm, from which the savings ledger estimates "
                                          "what random sampling would have needed. State lives in a project folder "
                                          "(docs/live-project.md).")
    sub = p.add_subparsers(dest="project_command", required=True)

    i = sub.add_parser("init", help="Start a project from a file where some rows are labeled.")
    i.add_argument("--data", required=True, help="CSV/TSV/Excel/Parquet/JSON Lines; the label column is empty on the "
                                                 "rows still to label.")
    i.add_argument("--label", required=True, help="The label column.")
    i.add_argument("--dir", required=True, help="The project folder (created; must not hold a project).")
    i.add_argument("--strategy", default="margin", help=f"Query strategy (default margin): "
                                                        f"{', '.join(available_strategies())}.")
    i.add_argument("--validation", help="Labeled rows the labelers never see, to score the model on (optional).")
    i.add_argument("--id", dest="id_column", help="The file's unique id column (default: the row number in the file).")
    i.add_argument("--model", default="logreg", choices=list(MODELS))
    i.add_argument("--metric", choices=["accuracy", "balanced_accuracy", "macro_f1"],
                   help="Default: the plan's, else chosen from the class balance of the labeled rows.")
    i.add_argument("--seed", type=int, default=0)
    i.add_argument("--cost-per-label", type=float, help="Dollars per label: the ledger's money and the stop advice.")
    i.add_argument("--value-per-point", type=float, help="Dollars one point of the score is worth (the stop advice).")
    i.add_argument("--results", help="A 'labelwise simulate --out' file: the plan's expected curve to compare with.")
    i.set_defaults(func=_run_init)

    n = sub.add_parser("next", help="Write the next batch to label.")
    n.add_argument("--dir", required=True)
    n.add_argument("--batch", type=int, required=True, help="Rows in the batch.")
    n.add_argument("--control-share", type=float, default=DEFAULT_CONTROL_SHARE,
                   help=f"Share of the batch drawn at random: the control arm (default {DEFAULT_CONTROL_SHARE}).")
    n.add_argument("--out", required=True, help="The batch file (.csv, .xlsx, .parquet or .jsonl).")
    n.set_defaults(func=_run_next)

    a = sub.add_parser("add", help="Add a labeled batch: check it, refit, record the round.")
    a.add_argument("--dir", required=True)
    a.add_argument("--labels", required=True, help="The batch file with its label column filled in.")
    a.add_argument("--allow-new-class", action="store_true", help="Accept labels that are not among the classes so "
                                                                  "far (a real new class, not a typo).")
    a.set_defaults(func=_run_add)

    s = sub.add_parser("status", help="Labels so far, the score per round against the plan, the stop, the ledger.")
    s.add_argument("--dir", required=True)
    s.add_argument("--json", action="store_true", help="One JSON object.")
    s.set_defaults(func=_run_status)


def _run_init(args: argparse.Namespace) -> int:
    make_strategy(args.strategy)  # unknown names fail before anything is read
    curve = None
    if args.results:
        from simulations.results import load_results

        curve = expected_curve_from_results(load_results(args.results), args.strategy, source=args.results)
    project = Project.create(args.dir, args.data, args.label, strategy=args.strategy, seed=args.seed,
                             model=args.model, metric=args.metric, id_column=args.id_column,
                             validation=args.validation, cost_per_label=args.cost_per_label,
                             value_per_point=args.value_per_point, expected_curve=curve)
    st = project.state
    print(f"Project started in {args.dir}: {len(st.labels):,} labeled rows ({len(project.classes)} classes), "
          f"{len(project.ids) - len(st.labels):,} to label; strategy {args.strategy}, metric {project.config.metric}.")
    print(f"Next: labelwise project next --dir {args.dir} --batch 50 --out batch.csv")
    return 0


def _run_next(args: argparse.Namespace) -> int:
    project = Project.open(args.dir)
    out_dir = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(out_dir):
        raise ConfigError(f"The folder of --out ({out_dir}) does not exist.", hint="Create it or pick another path.")
    was_pending = project.state.pending is not None
    frame = next_batch(project, args.batch, args.control_share)
    write_batch(frame, args.out)
    n_ctrl = int((frame["why"] == "control").sum())
    pend = project.state.pending
    if was_pending:
        print(f"Round {pend['round']} is still waiting for its labels: wrote the same batch again ({len(frame)} rows) "
              f"to {args.out} (--batch and --control-share apply to the next new batch).")
    else:
        print(f"Round {pend['round']}: wrote {len(frame)} rows to {args.out} ({len(frame) - n_ctrl} picked by "
              f"{project.config.strategy}, {n_ctrl} drawn at random as the control arm).")
    print(f"Fill in the '{project.config.label}' column, then: labelwise project add --dir {args.dir} --labels FILE")
    return 0


def _run_add(args: argparse.Namespace) -> int:
    project = Project.open(args.dir)
    if os.environ.get(CRASH_ENV):
        import simulations.project.store as store

        orig = store.Project.write_round_log

        def crash_after(self: Project, record: dict[str, Any]) -> Any:
            orig(self, record)
            os._exit(137)  # like a kill: no cleanup, no exception handlers

        store.Project.write_round_log = crash_after  # type: ignore[method-assign]
    record = add_labels(project, args.labels, allow_new_class=args.allow_new_class)
    score = "-" if record["score"] is None else f"{record['score']:.1%}"
    print(f"Round {record['round']} added: {record['labels']:,} labels in all; {record['metric']} {score} "
          f"({record['score_basis']}).")
    print(f"See: labelwise project status --dir {args.dir}")
    return 0


def _run_status(args: argparse.Namespace) -> int:
    project = Project.open(args.dir)
    status = project_status(project)
    if args.json:
        json.dump(status.to_dict(), sys.stdout, indent=1, default=_json_default)
        print()
    else:
        print(status.text())
    return 0


def _json_default(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")
