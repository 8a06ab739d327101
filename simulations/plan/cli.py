"""``labelwise plan``: the whole answer in one call (labels, money, the stop), from the engine's one plan object."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from simulations.costs import ItemCostError
from simulations.errors import ConfigError
from simulations.money import money
from simulations.plan.adaptive import simulate_for_plan
from simulations.plan.build import Estimate, Plan
from simulations.plan.inputs import DEFAULT_TIME_CAP_SECONDS, PlanInputError, PlanInputs, check_plan_inputs
from simulations.plan.value_cli import (
    ERROR_COST_FLAGS,
    add_error_cost_args,
    check_classes,
    error_cost_kwargs,
    error_costs_given,
    with_flag,
)
from simulations.progress import ProgressReporter
from simulations.trust import MEASURED

__all__ = ["FLAGS", "add_plan_parser", "format_plan", "run_plan"]

#: The flag that sets each plan input (``InputProblem.field``), for the hint of a refused input.
FLAGS = {
    "cost_per_label": "--cost-per-label", "setup_cost": "--setup-cost", "value_per_point": "--value-per-point",
    "predictions": "--predictions", "cost_per_error": "--cost-per-error", "production_pool": "--production-pool",
    "budget_cap": "--budget-cap", "max_labels": "--max-labels", "target_value": "--target-share",
    "time_cap_seconds": "--time-cap", "labels_per_hour": "--throughput", "annotators": "--annotators",
    "retrain_minutes": "--retrain-minutes", "hours_per_day": "--hours-per-day",
    "annotator_error": "--annotator-error", "annotator_confusion": "--annotator-confusion", "relabel": "--relabel",
    "seeds": "--seeds", "initial_labels": "--initial", "test_share": "--test-share", "growth": "--growth",
    "batch_size": "--batch-size", **ERROR_COST_FLAGS,
}


def add_plan_parser(subparsers: Any, *, add_simulation_args: Any) -> None:
    """Register ``labelwise plan``: ``add_simulation_args(p)`` adds the ``simulate`` data and run options."""
    p = subparsers.add_parser(
        "plan", help="The whole answer: labels to target, labels saved, money, ROI and when to stop.",
        description="Simulate active learning against random sampling until the answer is determined, then give "
                    "the plan for your production pool, target and costs: the strategy, labels to target for it and "
                    "for random (95%% intervals over seeds), labels saved, when to stop, net savings and ROI. "
                    "Anything read off a fitted curve beyond what was simulated is marked extrapolated.")
    add_simulation_args(p)
    m = p.add_argument_group("money")
    m.add_argument("--cost-per-label", type=float,
                   help="Dollars per human label (required unless item costs are given: --cost-column, "
                        "--cost-per-word, --cost-by-class...).")
    m.add_argument("--setup-cost", type=float, default=0.0, help="One-time dollars to set AL up (default 0).")
    m.add_argument("--value-per-point", type=float,
                   help="Dollars one point of the run's score is worth over the model's life (the score is balanced "
                        "accuracy on imbalanced data; 0 counts label costs only).")
    m.add_argument("--predictions", type=float, help="Predictions over the model's life (with --cost-per-error).")
    m.add_argument("--cost-per-error", type=float, help="Dollars one wrong prediction costs.")
    m.add_argument("--production-pool", type=int,
                   help="Unlabeled items in the real project (default: every row of the file, or the sample's).")
    m.add_argument("--budget-cap", type=float, help="Most labels the team can buy.")
    add_error_cost_args(p)
    cal = p.add_argument_group("calendar")
    cal.add_argument("--throughput", type=float, dest="labels_per_hour",
                     help="Labels one annotator makes per hour: gives working days and a schedule of rounds.")
    # --annotators (the team: labeling in parallel, and one error rate each) is among the annotator options
    cal.add_argument("--retrain-minutes", type=float, default=0.0,
                     help="Minutes between two active-learning rounds (retrain, hand out the batch; default 0).")
    cal.add_argument("--hours-per-day", type=float, default=8.0, help="Working hours a day (default 8).")
    cal.add_argument("--schedule-out", help="Write the active-learning rounds (batch, labels, spend, day) as CSV.")
    p.add_argument("--strategy", help="The strategy to cost (default: the one saving the most labels).")
    p.add_argument("--max-labels", type=int, help="An optional cap on the labels simulated (default: none; the "
                                                  "simulation runs until the answer is determined).")
    p.add_argument("--time-cap", type=float, default=DEFAULT_TIME_CAP_SECONDS,
                   help=f"Seconds the simulation may take before it answers with what it has (default "
                        f"{DEFAULT_TIME_CAP_SECONDS:.0f}).")
    p.set_defaults(func=run_plan)


def _team(args: argparse.Namespace) -> int:
    """Annotators labeling in parallel: --annotators, else one per --annotator-error rate, else 1 (one meaning)."""
    if args.annotators is not None:
        return args.annotators
    if args.annotator_error:
        return len(str(args.annotator_error).split(","))
    return 1


def _inputs(args: argparse.Namespace, target: Any, production_pool: int,
            item_costs: Any = None, cost_per_label: float | None = None) -> PlanInputs:
    """The plan's inputs; with item costs, ``cost_per_label`` is the items' average price (None before the data is
    read: 0 stands in for the early checks)."""
    if item_costs is not None and args.cost_per_label is not None:
        raise ConfigError("Give the cost of a label one way: --cost-per-label, or item costs "
                          f"({item_costs.source}).", hint="Drop --cost-per-label: with item costs each item has its "
                                                          "own price.")
    if item_costs is None and args.cost_per_label is None:
        raise ConfigError("The cost of a label is missing.",
                          hint="Pass --cost-per-label DOLLARS, or item costs (--cost-column COL, --cost-per-word X, "
                               "--cost-by-class FILE).")
    # (1.0 stands in for the items' average before the data is read: only the other inputs are checked then)
    cost = args.cost_per_label if item_costs is None else (1.0 if cost_per_label is None else cost_per_label)
    value_given = args.value_per_point is not None
    costs = error_costs_given(args)
    if ((value_given or costs) and (args.predictions is not None or args.cost_per_error is not None)) or (
            value_given and costs):
        raise ConfigError("Give the value of accuracy one way: --value-per-point, or --predictions with "
                          "--cost-per-error, or the error costs (--cost-matrix, or --cost-missed-positive and "
                          "--cost-false-alarm).", hint="Drop all but one.")
    if not value_given and not costs and (args.predictions is None or args.cost_per_error is None):
        raise ConfigError("The value of accuracy is missing.",
                          hint="Pass --value-per-point (0 counts label costs only), or --predictions and "
                               "--cost-per-error, or the error costs (--cost-matrix FILE, or --cost-missed-positive "
                               "and --cost-false-alarm with --positive-class) with --predictions-per-month and "
                               "--model-life-months.")
    if getattr(args, "target_error_cost", None) is not None and (args.target_accuracy is not None
                                                                 or args.target_gap is not None):
        raise ConfigError("Give one target: --target-error-cost replaces --target-accuracy and --target-gap.",
                          hint="Drop one of them.")
    try:
        return PlanInputs(cost_per_label=cost, setup_cost=args.setup_cost,
                          value_per_point=args.value_per_point, predictions=args.predictions,
                          cost_per_error=args.cost_per_error, production_pool=production_pool, target=target,
                          budget_cap=args.budget_cap, strategy=args.strategy, max_labels=args.max_labels,
                          time_cap_seconds=args.time_cap, labels_per_hour=args.labels_per_hour,
                          annotators=_team(args), retrain_minutes=args.retrain_minutes,
                          hours_per_day=args.hours_per_day, **error_cost_kwargs(args))
    except PlanInputError as exc:
        raise _with_flag(exc) from None


def _with_flag(exc: PlanInputError) -> PlanInputError:
    """``exc`` with the flag that sets its first input added to its hint."""
    return with_flag(exc, FLAGS)


def run_plan(args: argparse.Namespace) -> int:
    """Run ``labelwise plan``; returns 0. Raises LabelwiseError on bad input (the CLI prints it, exit 2)."""
    from simulations import cli as base
    from simulations.intake.source import production_pool_rows
    from simulations.results import check_results_path, save_results

    if args.production_pool is not None and args.production_pool < 1:
        raise ConfigError(f"--production-pool must be a positive number of items (got {args.production_pool}).",
                          hint="E.g. --production-pool 100000.")
    target = base._target_from_args(args)
    # every input checked before any data is read or simulated: the money, then the simulation settings and the
    # cap on labels against them (the rules every front end applies: --max-labels at or below --initial, say)
    config = base.config_from_args(args)
    early = _inputs(args, target, args.production_pool or 10**9, config.costs)
    problems = check_plan_inputs(early.economics(), {"kind": target.kind, "value": target.value},
                                 config.to_dict())
    if problems:
        raise _with_flag(PlanInputError(problems))
    if args.strategy is not None and (args.strategy == "random" or args.strategy not in config.strategies):
        names = ", ".join(s for s in config.strategies if s != "random") or "(none)"
        raise ConfigError(f"--strategy {args.strategy!r} is not one of the active-learning strategies to simulate.",
                          hint=f"Choose one of: {names}, or add it to --strategies.")
    base.check_n_jobs(args.n_jobs)
    if args.out:
        check_results_path(args.out)
    if args.labels_per_hour is not None and not args.labels_per_hour > 0:
        raise ConfigError(f"--throughput must be more than 0 labels an hour (got {args.labels_per_hour:g}).",
                          hint="Labels one annotator makes per hour, e.g. --throughput 60; leave it out to skip the "
                               "calendar.")
    if args.schedule_out:
        if not args.labels_per_hour:
            raise ConfigError("--schedule-out needs a labeling speed.", hint="Pass --throughput LABELS_PER_HOUR.")
        check_results_path(args.schedule_out)
    dataset, intake = base._load_for_cli(args)
    base.check_item_costs(config, dataset)
    # with item costs, a label's price is the items' average (the plan prices each plan by its own spend)
    mean_cost = None if config.costs is None else float(config.costs.row_costs(dataset).mean())
    if mean_cost == 0:
        raise base.with_cost_flag(ItemCostError(
            f"Every item costs nothing ({config.costs.source}): with free labels there is no money to save.",
            hint="Give the items their real price per label (some may be 0, not all).",
            field="column" if config.costs.column else "per_word" if config.costs.per_word is not None else
            "per_character" if config.costs.per_character is not None else "by_class"))
    import numpy as np

    check_classes(early, np.unique(dataset.y))  # a cost matrix for other classes: refused before simulating
    base.check_noise_classes(config, dataset)
    if not args.json:
        for line in base.intake_lines(intake):
            print(line, file=sys.stderr)
    pool = int(args.production_pool or production_pool_rows(dataset, intake))
    inputs = _inputs(args, target, pool, config.costs, mean_cost)
    report = None if args.json or args.quiet else ProgressReporter(sys.stderr)
    run = simulate_for_plan(dataset, config, inputs, n_jobs=args.n_jobs, progress=report)
    if report is not None:
        report.close()
    run.result.meta["production_pool_rows"] = production_pool_rows(dataset, intake)
    plan = run.plan
    if args.out:
        save_results(run.result, args.out)
    if args.schedule_out and plan.calendar is not None:
        from simulations.plan.calendar import rounds_frame

        rounds_frame(plan.calendar).to_csv(args.schedule_out, index=False)
    if args.json:
        out = plan.to_dict()
        out["dataset"] = {k: run.result.meta.get(k) for k in ("dataset_name", "fingerprint", "n_rows", "classes",
                                                              "n_pool", "n_test", "model")}
        out["inputs"] = {**inputs.economics(), "target": {"kind": target.kind, "value": target.value}}
        out["intake"] = None if intake is None else intake.to_dict()
        out["results_path"] = str(args.out) if args.out else None
        print(json.dumps(out, indent=2, allow_nan=False, default=base._json_default))
    else:
        print(format_plan(plan))
        if args.out:
            print(f"Results saved to {args.out}: labelwise roi/stop --results {args.out} read them back to the same "
                  "numbers.")
    return 0


def _est(e: Estimate, kind: str = "count") -> str:
    f = {"count": lambda x: f"{x:,.0f}", "money": money, "pct": lambda x: f"{100 * x:.1f}%"}[kind]
    txt = f(e.median) if f(e.low) == f(e.high) else f"{f(e.median)} ({f(e.low)} to {f(e.high)})"
    return txt + (" extrapolated" if e.extrapolated else "")


def format_plan(plan: Plan) -> str:
    """The plan as text: the same figures as its JSON."""
    d = plan.determination or {}
    stages = d.get("stages") or []
    budgets = " -> ".join(f"{s['budget']:,}" for s in stages)
    lines = []
    if plan.no_signal:
        lines += [f"WARNING: {plan.verdict_sentence}", ""]
    lines += [
        f"Plan: {plan.strategy.replace('_', ' ')} against random sampling ({plan.strategy_chosen_by}).",
        f"Target: {plan.target.description} = {plan.target.score:.1%} {plan.value_unit}.",
        f"Simulated up to {plan.simulated_labels:,} labels on a pool of {plan.simulated_pool:,} items"
        + (f" in {len(stages)} stage(s) ({budgets})" if stages else "")
        + (f": {d['sentence']}." if d.get("sentence") else "."),
        f"Production pool: {plan.production_pool:,} items. Medians over seeds with {plan.interval_level:.1%} "
        "intervals" + (" (95%, corrected for picking the best of several strategies)."
                       if plan.interval_level > 0.9501 else "."),
        "",
        f"  labels to target, {plan.strategy.replace('_', ' ') + ' ':<16}{_est(plan.labels_to_target_al)}",
        f"  labels to target, random          {_est(plan.labels_to_target_random)}",
        f"  labels saved                      {_est(plan.labels_saved)}",
        f"  recommended stop                  {_est(plan.stop.labels)}",
        *([f"  cost optimum                      {_est(plan.stop.cost_optimum)}"] if plan.stop.cost_optimum else []),
        f"  net savings                       {_est(plan.money['net_savings'], 'money')}",
        f"  ROI (net savings / AL total cost) {_est(plan.money['roi'], 'pct')}",
        f"  AL total cost                     {_est(plan.money['al_total_cost'], 'money')}",
        f"  random sampling's label cost      {_est(plan.money['random_total_cost'], 'money')}",
        f"  value of the score difference     {_est(plan.money['value_of_accuracy'], 'money')}",
        f"  P(ROI > 0) over seeds             {plan.p_roi_positive:.0%}",
        "",
        f"Verdict: {plan.verdict_sentence}",
        f"Money: {plan.pays_off_sentence}",
        f"How many labels: {plan.how_many_sentence}",
        f"When to stop: {plan.stop.sentence}",
    ]
    if plan.costs is not None:
        lines.append(f"Item costs: {plan.costs['sentence']}")
    if plan.value_model.get("sentence"):
        lines.append(f"Value of accuracy: {plan.value_model['sentence']}")
    if plan.error_cost is not None:
        lines.append(f"Error cost: {plan.error_cost['sentence']}")
    if plan.calendar is not None:
        c = plan.calendar
        lines.append(f"Calendar: active learning about {c['al_days']:,.1f} working days in {len(c['rounds']):,} "
                     f"rounds, random sampling about {c['random_days']:,.1f} ({c['assumptions']}).")
    if plan.time_value is not None:
        lines.append(f"Time value (separate from the figures above): {plan.time_value['sentence']}")
    if plan.noise is not None:
        lines.append(f"Annotators: {plan.noise['sentence']}")
    if plan.pilot is not None and plan.pilot.sentence():
        lines.append(f"Pilot: {plan.pilot.sentence()}")
    if plan.other_verdicts:
        lines.append(f"Note: {plan.other_verdicts}")
    lines.append(f"How far to trust it: {MEASURED.verdict_sentence()} {MEASURED.projection_sentence()}"
                 + (f" {MEASURED.pilot_sentence()}" if plan.pilot is not None else ""))
    lines += [f"Note: {n}" for n in plan.notes]
    return "\n".join(lines)
