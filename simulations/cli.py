"""The ``labelwise`` command line.

Every user-caused error exits with status 2 and prints ``error: <message>`` and ``hint: <hint>`` on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from simulations.annotators import (
    RELABEL_POLICIES,
    NoiseConfig,
    NoiseInputError,
    noise_config,
    paid_labels_view,
    pays_extra,
)
from simulations.config import CLASS_WEIGHTS, DEFAULT_SEEDS, DEFAULT_STRATEGIES, SimulationConfig, check_n_jobs
from simulations.costs import COST_FLAGS, ItemCostError, ItemCosts, parse_class_costs
from simulations.curves.pool import PoolCaveat, pool_caveat
from simulations.datasets import SAMPLES, Dataset
from simulations.economics.cli import add_roi_parser
from simulations.errors import ConfigError, LabelwiseError
from simulations.intake.checks import LABEL_TYPES, LEAKAGE_MODES, RARE_CLASS_MODES, UNLABELED_MODES
from simulations.intake.errors import ColumnNotFoundError, Fix, IntakeError
from simulations.intake.load import LoadReport
from simulations.intake.source import IntakeOptions, load_data, parse_delimiter, production_pool_rows
from simulations.intake.upload import max_upload_mb_from_config
from simulations.models import MODELS
from simulations.money import money
from simulations.plan.cli import add_plan_parser
from simulations.progress import ProgressReporter
from simulations.project.cli import add_project_parser
from simulations.results import check_results_path, save_results
from simulations.runner import run_simulation
from simulations.stopping.cli import add_stop_parser
from simulations.strategies import available_strategies
from simulations.summary import METRIC_NAMES, Summary, Target, format_interval, summarize
from simulations.sweep_cli import add_sweep_parser

#: The flag of each intake option an error's structured fix (``IntakeError.fix``) names.
CLI_FLAGS = {"rare_classes": "--rare-classes", "leakage": "--leakage", "label_type": "--label-type",
             "sheet": "--sheet", "delimiter": "--delimiter", "max_mb": "--max-mb", "label": "--label"}


def cli_fix(exc: IntakeError) -> str:
    """How to apply an intake error's fix on the command line, from its structured fix ("" when none).

    A fix's ``alternative`` follows it, with its ``only_if`` case: "On the command line: --label COLUMN; only if
    these numbers are codes of classes: --label-type categorical."
    """
    steps = exc.fix.steps(lambda f: _cli_flags(f) if f.option in CLI_FLAGS else None) if exc.fix else []
    fixes = [f"only if {case}: {flags}" if case else flags for case, flags in steps]
    return f"On the command line: {'; '.join(fixes)}." if fixes else ""


def _cli_flags(fix: Fix) -> str:
    """One fix as flags, e.g. ``--rare-classes merge or --rare-classes drop``."""
    flag = CLI_FLAGS[fix.option]
    if fix.option == "delimiter":
        return f"{flag} ';' (or comma, tab, pipe, space)"
    if fix.option == "max_mb":
        return f"{flag} N (0: no limit)"
    if fix.option in ("sheet", "label"):
        named = f" (e.g. {flag} '{fix.values[0]}')" if fix.values else ""
        return f"{flag} {'NAME' if fix.option == 'sheet' else 'COLUMN'}{named}"
    if not fix.values:
        return f"{flag} VALUE"
    return " or ".join(f"{flag} {v}" for v in fix.values)


def intake_options_from_args(args: argparse.Namespace) -> IntakeOptions:
    """The intake choices of ``labelwise simulate``'s flags (``--max-mb 0``: no size limit)."""
    if args.max_mb < 0:
        raise ConfigError(f"--max-mb must be 0 (no limit) or positive (got {args.max_mb:g}).",
                          hint="E.g. --max-mb 500.")
    return IntakeOptions(
        unlabeled=args.unlabeled, rare_classes=args.rare_classes, leakage=args.leakage, label_type=args.label_type,
        encoding=args.encoding, delimiter=parse_delimiter(args.delimiter), sheet=args.sheet, max_rows=args.max_rows,
        max_mb=args.max_mb or None, random_state=args.random_state,
    )


def _load_for_cli(args: argparse.Namespace) -> tuple[Dataset, LoadReport | None]:
    cost_column = getattr(args, "cost_column", None)
    # the cost column is read as a non-feature (role id) from the start: intake never judges it as a feature (a
    # price set by class would look like a label leak) and the engine drops it before building features
    # (a shipped sample is not judged for leaks: its cost column, if any, is checked and dropped by the engine)
    is_sample = args.data in SAMPLES and not Path(args.data).exists()
    roles = {cost_column: "id"} if cost_column and not is_sample else None
    try:
        return load_data(args.data, args.label, roles=roles, options=intake_options_from_args(args))
    except ColumnNotFoundError as exc:
        if cost_column and (exc.details or {}).get("columns") == [cost_column]:
            raise with_cost_flag(ItemCostError(f"The cost column '{cost_column}' is not in the data.",
                                               hint=exc.hint, field="column")) from None
        raise
    except IntakeError as exc:
        # The message stays intake's (the dashboard shows the same); the hint gains the matching flag.
        fix = cli_fix(exc)
        if fix:
            exc.hint = f"{exc.hint} {fix}".strip()
        raise


def _unlabeled_text(meta: dict) -> str:
    """What happened to the rows without a label: left out, or kept as extra unlabeled pool."""
    extra = int(meta.get("n_extra_pool") or 0)
    if extra:
        return f"{extra:,} rows without a label kept as extra unlabeled pool"
    return f"{meta.get('n_missing_labels', 0):,} rows without a label left out"


def format_summary(summary: Summary, meta: dict) -> str:
    """A readable table of the run."""
    lines = [
        f"Data: {meta.get('dataset_name')} ({meta.get('n_rows'):,} labeled rows, "
        f"{len(meta.get('classes', []))} classes,"
        f" {_unlabeled_text(meta)}); model {meta.get('model')}",
        f"Metric: {summary.metric_reason}",
        *([f"Model: {meta['class_weight_reason']}"] if meta.get("class_weight_reason") else []),
        f"Full-data {METRIC_NAMES[summary.metric]} (ceiling): {format_interval(summary.ceiling, pct=True, digits=1)}"
        f"; target: {summary.target_description} = {format_interval(summary.target_value, pct=True, digits=1)}",
        f"Budget {summary.budget:,} labels; medians with order-statistic intervals (95%; savings at the verdict's "
        f"level) over {next(iter(summary.strategies.values())).n_seeds} seeds. p: exact sign test, corrected for "
        "the strategies compared.",
        "",
    ]
    header = f"{'strategy':<24}{'labels to target':<28}{'savings vs random':<30}{'AUC':<8}{'final':<8}verdict"
    lines += [header, "-" * len(header)]
    for name, s in summary.strategies.items():
        ltt = format_interval(s.labels_to_target)
        if s.labels_to_target.censored:
            ltt = f"> budget ({summary.budget:,})"
        lines.append(
            f"{name:<24}{ltt:<28}{format_interval(s.savings_vs_random, pct=True):<30}"
            f"{s.auc.median:<8.3f}{s.final.median:<8.3f}{s.verdict}"
            + (f" (p {s.p_value:.3f}, worse in {s.p_worse_than_random:.0%} of seeds)"
               if s.p_value is not None and s.p_worse_than_random is not None else "")
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


def intake_lines(report: LoadReport | None) -> list[str]:
    """What intake did (how the file was read, then every note), for stderr in text mode."""
    return [] if report is None else [f"intake: {line}" for line in report.lines()]


def pool_line(dataset: Dataset, report: LoadReport | None, production_pool: int | None = None) -> str:
    """The production pool the business case should use: the user's ``--production-pool`` when they gave one, else
    the whole file, even when the simulation ran on a sample."""
    rows = production_pool_rows(dataset, report)
    data = f"{rows:,} rows"
    if report is not None:
        kept = "" if report.extra_pool is None else f", {len(report.extra_pool):,} kept as extra pool"
        data += f" ({report.n_labeled_full:,} labeled, {report.check.n_unlabeled:,} unlabeled{kept})"
        if report.sampled:
            data += f"; the simulation ran on a stratified sample of {report.n_simulation_rows:,} labeled rows"
    if production_pool is None:
        pool, line = rows, f"Production pool: {data}"
    else:
        pool = production_pool
        line = f"Production pool: {pool:,} items, yours (--production-pool); the data has {data}"
    return line + f". For the business case: labelwise roi ... --production-pool {pool}"


def item_costs_from_args(args: argparse.Namespace) -> ItemCosts | None:
    """The item costs of the ``--cost-*`` flags; None when none is given (one price per label).

    ``--cost-by-class`` is a CSV file of ``class,cost`` rows, or inline ``class=cost,class=cost``.
    """
    by_class_arg = getattr(args, "cost_by_class", None)
    given = [getattr(args, k, None) for k in ("cost_column", "cost_per_word", "cost_per_character",
                                              "cost_text_column")] + [by_class_arg]
    if all(v is None for v in given) and not getattr(args, "cost_base", None):
        return None
    try:
        by_class = ()
        if by_class_arg is not None:
            path = Path(by_class_arg)
            if path.is_file():
                by_class = parse_class_costs(path.read_text(encoding="utf-8-sig"))
            elif "=" in by_class_arg:
                by_class = parse_class_costs(by_class_arg)
            else:
                raise ItemCostError(f"--cost-by-class: no file {by_class_arg!r}, and not class=cost pairs.",
                                    hint="Pass a CSV of class,cost rows, or e.g. spam=0.5,ham=0.2.", field="by_class")
        return ItemCosts(column=args.cost_column, per_word=args.cost_per_word, per_character=args.cost_per_character,
                         base=args.cost_base or 0.0, by_class=by_class, text_column=args.cost_text_column)
    except ItemCostError as exc:
        raise with_cost_flag(exc) from None


def with_cost_flag(exc: ItemCostError) -> ItemCostError:
    """``exc`` with the flag of its setting named in the hint (once)."""
    flag = COST_FLAGS.get(exc.field)
    if flag and flag not in exc.hint:
        exc.hint = f"{exc.hint} ({flag})".strip()
    return exc


def check_item_costs(config: SimulationConfig, dataset: Dataset) -> None:
    """Every item cost checked against the data before anything runs (a missing column, text, negatives...)."""
    if config.costs is not None:
        try:
            config.costs.row_costs(dataset)
        except ItemCostError as exc:
            raise with_cost_flag(exc) from None
#: The flag that sets each noise setting (``NoiseInputError.field``), for the hint of a refused one.
NOISE_FLAGS = {"annotator_error": "--annotator-error", "annotator_confusion": "--annotator-confusion",
               "annotators": "--annotators", "relabel": "--relabel"}


def noise_from_args(args: argparse.Namespace) -> NoiseConfig | None:
    """The noisy-annotator settings of the flags (None without any); a refused one names its flag in the hint."""
    try:
        return noise_config(error=args.annotator_error, confusion_path=args.annotator_confusion,
                            annotators=args.annotators, relabel=args.relabel, ambiguity=args.noise_ambiguity)
    except NoiseInputError as exc:
        flag = NOISE_FLAGS.get(exc.field)
        exc.hint = f"{exc.hint} ({flag})" if flag else exc.hint
        raise


def config_from_args(args: argparse.Namespace) -> SimulationConfig:
    """The simulation settings of ``simulate``'s (and ``plan``'s) flags."""
    strategies = tuple(s.strip() for s in args.strategies.split(",") if s.strip())
    return SimulationConfig(
        strategies=strategies, model=args.model, seeds=args.seeds, random_state=args.random_state,
        initial_labels=args.initial, batch_size=args.batch_size, growth=args.growth,
        budget=args.budget, test_share=args.test_share, max_candidates=args.max_candidates,
        class_weight=args.class_weight, metric=args.metric, costs=item_costs_from_args(args),
        noise=noise_from_args(args),
    )


def check_noise_classes(config: SimulationConfig, dataset: Dataset) -> None:
    """Refuse a confusion matrix whose classes are not the data's, before anything is simulated."""
    if config.noise is not None:
        try:
            config.noise.check_classes(dataset.class_counts.index)
        except NoiseInputError as exc:
            exc.hint = f"{exc.hint} ({NOISE_FLAGS[exc.field]})"
            raise


def _run_simulate(args: argparse.Namespace) -> int:
    if args.production_pool is not None and args.production_pool < 1:  # before minutes of simulation, not after
        raise ConfigError(f"--production-pool must be a positive number of items (got {args.production_pool}).",
                          hint="E.g. --production-pool 100000.")
    check_n_jobs(args.n_jobs)  # before reading the data
    if args.out:
        check_results_path(args.out)  # a typo in the folder should not cost the whole run
    config = config_from_args(args)  # every setting (item costs, a confusion matrix file) before the data is read
    dataset, intake = _load_for_cli(args)
    check_item_costs(config, dataset)
    check_noise_classes(config, dataset)
    if not args.json:
        for line in intake_lines(intake):
            print(line, file=sys.stderr)
    target = _target_from_args(args)

    report = None if args.json or args.quiet else ProgressReporter(sys.stderr)
    result = run_simulation(dataset, config, n_jobs=args.n_jobs, progress=report)
    if report is not None:
        report.close()
    # Saved with the results, so a business case built from them uses the whole pool, not the sample.
    result.meta["production_pool_rows"] = production_pool_rows(dataset, intake)
    # with re-labeling the summary counts paid labels (re-labels included), as the plan does
    summary = summarize(paid_labels_view(result), target, args.metric)
    caveat = _pool_caveat(args, result, summary, target, intake)
    if args.out:
        save_results(result, args.out)
    if args.json:
        out = summary.to_dict()
        out["dataset"] = {k: result.meta[k] for k in ("dataset_name", "fingerprint", "n_rows", "n_missing_labels",
                                                       "classes", "class_counts", "n_pool", "n_test", "model",
                                                       "production_pool_rows")}
        out["dataset"]["extra_pool_rows"] = (None if intake is None or intake.extra_pool is None
                                             else len(intake.extra_pool))
        out["config"] = result.config.to_dict()
        out["intake"] = None if intake is None else intake.to_dict()
        out["pool_caveat"] = None if caveat is None else caveat.to_dict()
        out["noise"] = _noise_json(result)
        if args.out:
            out["results_file"] = str(args.out)
        print(json.dumps(out, indent=2, allow_nan=False, default=_json_default))
    else:
        print(format_summary(summary, result.meta))
        costs = result.meta.get("item_costs")
        if costs:
            print(f"Item costs: {costs['source']}; {money(costs['mean'], cents=True)} a label on average "
                  f"({money(costs['min'], cents=True)} to {money(costs['max'], cents=True)}). Money to the target: "
                  "labelwise plan with the same cost flags.")
        print(pool_line(dataset, intake, args.production_pool))
        if config.noise is not None:
            print(f"Annotators: {config.noise.describe()}; the test set keeps its true labels."
                  + (" Label counts are paid labels (re-labels included)." if pays_extra(result) else ""))
        if caveat is not None:
            print(f"note: {caveat.sentence}")
        if args.out:
            print(f"Results saved to {args.out}")
    return 0


def _noise_json(result) -> dict | None:
    """The noise settings and, per strategy, the median over seeds of the last round's paid labels and wrong
    training labels (None without noise)."""
    noise = result.meta.get("noise")
    if not noise:
        return None
    last = result.rounds.sort_values("round").groupby(["strategy", "seed"]).tail(1)
    per = last.groupby("strategy")[["labels", "labels_paid", "wrong_labels"]].median()
    return {"settings": noise, "labels_unit": "paid" if pays_extra(result) else "items",
            "last_round_medians": {str(k): {c: float(v) for c, v in row.items()} for k, row in per.iterrows()}}


def _pool_caveat(args: argparse.Namespace, result, summary: Summary, target: Target,
                 intake: LoadReport | None) -> PoolCaveat | None:
    """The quick-estimate caveat for the production pool the user gave, or the whole file when intake sampled it.

    Without either, the simulated pool is all the user told us about, so there is nothing to caveat.
    """
    pool = args.production_pool
    if pool is None and intake is not None and intake.sampled:
        pool = intake.production_pool_rows
    if pool is None:
        return None
    from simulations.plan import PlanInputs, build_plan

    try:
        # The plan's caveat: its labels for the target at the pool are the figures `labelwise plan` gives for the
        # same data (labels do not depend on costs, so any cost serves; no value of accuracy: no stopping advice).
        plan = build_plan(result, PlanInputs(cost_per_label=1.0, value_per_point=0.0, production_pool=int(pool),
                                             target=target))
        return plan.business.pool_caveat
    except LabelwiseError:  # e.g. only random was simulated: the caveat without a plan
        best = summary.best()
        return pool_caveat(result, int(pool), target, strategy=best.name if best else None, summary=summary)


def _json_default(o: object) -> object:
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "to_dict"):  # e.g. a plan's error costs
        return o.to_dict()
    raise TypeError(type(o).__name__)


def add_intake_args(p: argparse.ArgumentParser) -> None:
    """Intake's choices for a data file; the defaults are the dashboard's (see docs/intake.md)."""
    d = IntakeOptions()
    g = p.add_argument_group("data file (intake)", "How a file is read and checked; ignored for samples.")
    g.add_argument("--unlabeled", choices=UNLABELED_MODES, default=d.unlabeled,
                   help="Rows without a label: left out and counted, or kept as extra pool (default exclude).")
    g.add_argument("--rare-classes", choices=RARE_CLASS_MODES, default=d.rare_classes,
                   help="Classes too small to split: stop, merge into 'other', or drop them (default error).")
    g.add_argument("--leakage", choices=LEAKAGE_MODES, default=d.leakage,
                   help="Columns that copy or recode the label: stop with an error, or drop them (default error).")
    g.add_argument("--label-type", choices=LABEL_TYPES, default=d.label_type,
                   help="'categorical' accepts a numeric label with many values as class codes (default auto).")
    g.add_argument("--encoding", help="Force the text encoding, e.g. cp1252 (default: detected).")
    g.add_argument("--delimiter", help="Force the separator: one character or comma, semicolon, tab, pipe, space.")
    g.add_argument("--sheet", help="Workbook sheet name (default: the first sheet).")
    g.add_argument("--max-rows", type=int, default=d.max_rows,
                   help=f"Labeled rows above this are sampled, stratified and seeded (default {d.max_rows:,}).")
    g.add_argument("--max-mb", type=float, default=max_upload_mb_from_config(),
                   help="File size limit in MB, the dashboard's upload limit by default; 0 for no limit.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="labelwise",
        description="Plan a labeling budget: simulate active learning against random sampling.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add_plan_parser(sub, add_simulation_args=add_simulation_args)
    p = sub.add_parser("simulate", help="Simulate query strategies vs random sampling on a dataset.")
    add_simulation_args(p)
    p.add_argument("--production-pool", type=int,
                   help="Unlabeled items in the real project; when larger than the simulated pool, the output adds the "
                        "quick-estimate caveat with the ceiling projected to it (default: the whole file when the "
                        "simulation ran on a sample).")
    p.set_defaults(func=_run_simulate)

    add_roi_parser(sub)
    add_stop_parser(sub)
    add_sweep_parser(sub)
    add_project_parser(sub)
    return parser


def add_simulation_args(p: argparse.ArgumentParser) -> None:
    """The data and run options ``simulate`` and ``plan`` share."""
    p.add_argument("--data", required=True, help=f"A sample ({', '.join(SAMPLES)}) or a CSV/TSV/Parquet path.")
    p.add_argument("--label", help="The label column (needed for files).")
    add_intake_args(p)
    p.add_argument("--strategies", default=",".join(DEFAULT_STRATEGIES),
                   help="Comma-separated strategy names; random is always included. Available: "
                        f"{', '.join(available_strategies())}.")
    p.add_argument("--model", default="logreg", choices=list(MODELS))
    p.add_argument("--seeds", type=int, default=DEFAULT_SEEDS,
                   help=f"Repetitions (default {DEFAULT_SEEDS}: the fewest that let a verdict on the best of three "
                        "strategies keep its false-verdict rate at 5%%).")
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--initial", type=int, default=20, help="Initial labeled rows (default 20).")
    sched = p.add_mutually_exclusive_group()
    sched.add_argument("--batch-size", type=int, help="Fixed labels per round.")
    sched.add_argument("--growth", type=float, default=0.2,
                       help="Geometric schedule: batch = growth x labeled (default 0.2).")
    p.add_argument("--budget", type=int, help="Last label count simulated (default min(pool, 500)).")
    p.add_argument("--test-share", type=float, default=0.25)
    p.add_argument("--max-candidates", type=int, help="Score only this many random unlabeled rows per round.")
    p.add_argument("--class-weight", choices=CLASS_WEIGHTS, default="auto",
                   help="Weight classes inversely to their frequency: auto (default: when the run is scored by "
                        "balanced accuracy, i.e. imbalanced data or --metric balanced_accuracy), balanced, or none.")
    add_target_args(p)
    c = p.add_argument_group("item costs", "What one label of each item costs, when items differ (default: one "
                             "price per label). The loop records the money spent; the plan gives money to the target.")
    c.add_argument("--cost-column", help="A column holding money per label of each row (never used as a feature).")
    c.add_argument("--cost-per-word", type=float, help="Money per word of the item's text.")
    c.add_argument("--cost-per-character", type=float, help="Money per character of the item's text.")
    c.add_argument("--cost-base", type=float,
                   help="Money per label on top of the length cost; with --cost-by-class alone: the classes "
                        "not listed.")
    c.add_argument("--cost-by-class", metavar="FILE|CLASS=COST,...",
                   help="Money per label by class: a CSV of class,cost rows, or inline, e.g. spam=0.5,ham=0.2.")
    c.add_argument("--cost-text-column", help="The text column whose length is costed (default: every text column).")
    add_noise_args(p)
    p.add_argument("--n-jobs", type=int, default=1, help="Parallel processes; results do not depend on it.")
    p.add_argument("--out", help="Save the full results (JSON; .gz to compress).")
    p.add_argument("--json", action="store_true", help="Print one JSON object instead of a table.")
    p.add_argument("--quiet", action="store_true", help="No progress line.")


def add_noise_args(p: argparse.ArgumentParser) -> None:
    """Noisy annotators and re-labeling (``simulations/annotators.py``); none of them: a perfect oracle."""
    g = p.add_argument_group("annotators", "Noisy annotators and re-labeling; without them every label is right.")
    g.add_argument("--annotator-error", metavar="RATE[,RATE...]",
                   help="Share of wrong labels, in [0, 0.5): one rate, or one per annotator (0.05,0.1,0.2).")
    g.add_argument("--annotator-confusion", metavar="FILE",
                   help="CSV confusion matrix: first column the true class, header the classes given, rows sum to 1.")
    g.add_argument("--annotators", type=int,
                   help="Number of annotators: one rate each with several --annotator-error rates, and the team "
                        "labeling in parallel for plan's calendar (default: one per rate, else 1).")
    g.add_argument("--relabel", choices=RELABEL_POLICIES, default="none",
                   help="Re-labeling: none; majority3 (3 labels an item, majority vote: 3 paid labels); disputed "
                        "(items the model disputes get 2 more labels, majority of 3). Default none.")
    g.add_argument("--noise-ambiguity", action="store_true",
                   help="Errors rise with the item's uncertainty under the full-data model (same mean rate).")


def _stdout_is_a_pipe() -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is an OSError and a ValueError
        return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe fails here, inside the handler below, not at interpreter exit
        return status
    except LabelwiseError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError as exc:
        if not _stdout_is_a_pipe():
            # not the reader of our output going away (a worker's pipe, a FIFO given as --out): say so
            print(f"error: a pipe closed while running ({exc})", file=sys.stderr)
            return 1
        # The reader went away (`labelwise ... | head`): not an error of ours. Point stdout at devnull so the
        # interpreter's final flush does not raise again, as the Python docs advise.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141


if __name__ == "__main__":
    sys.exit(main())
