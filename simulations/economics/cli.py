"""``labelwise roi``: the business case for active learning in dollars, on the command line.

Two sources of numbers:

- simulation results: ``labelwise roi --results run.json --cost-per-label 2.5 --value-per-point 10000
  --production-pool 100000`` (every number then a median with a 95 % interval over seeds);
- direct numbers: ``labelwise roi --labels-random 20000 --labels-al 8000 --accuracy-random 0.88
  --accuracy-al 0.91 --cost-per-label 2.5 --setup-cost 10000 --value-per-point 10000
  --production-pool 100000`` (the worked example of the project's reference notes).

User errors are raised as :class:`simulations.errors.LabelwiseError`; ``simulations.cli.main`` prints
them as ``error: ... / hint: ...`` and exits with status 2.

The readable table, the verdict and the tornado table are in :mod:`simulations.economics.report` (re-exported here).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from simulations.economics.case import BusinessCase, BusinessCaseRange, Range, business_case
from simulations.economics.from_results import business_case_from_results, curve_projection
from simulations.economics.inputs import EconomicInputs
from simulations.economics.report import _fmt as _fmt  # re-exported: tests import it from here
from simulations.economics.report import _format_tornado, format_business_case, verdict
from simulations.economics.sensitivity import tornado
from simulations.errors import ConfigError, LabelwiseError

__all__ = ["add_roi_parser", "format_business_case", "inputs_from_args", "run_roi", "verdict"]

_DIRECT = ("labels_random", "labels_al", "accuracy_random", "accuracy_al")
_DIRECT_OPTIONAL = ("accuracy_whole_pool",)
_TARGETS = ("target_share", "target_accuracy", "target_gap")


def add_roi_parser(subparsers: Any) -> None:
    """Register the ``roi`` subcommand on an argparse subparsers object (``set_defaults(func=run_roi)``)."""
    p = subparsers.add_parser(
        "roi",
        help="The business case for AL: dollars, ROI and break-even.",
        description="Turn label savings into money: cost savings, value of the accuracy gain, ROI, "
        "and break-even of active learning, against random sampling and against labeling the whole "
        "production pool. Numbers come from a results file (--results, with ranges over seeds) or "
        "are given directly (--labels-random ... --accuracy-al).",
    )
    src = p.add_argument_group("from simulation results")
    src.add_argument("--results", metavar="FILE", help="A results file saved by `labelwise simulate --out`.")
    src.add_argument(
        "--target-share",
        type=float,
        help="Target as a share of the full-data score (default 0.95 with --results).",
    )
    src.add_argument("--target-accuracy", type=float, help="Target as an absolute score, e.g. 0.9.")
    src.add_argument(
        "--target-gap",
        type=float,
        help="Target as a share of the gap between the majority-class baseline and the full-data score.",
    )
    src.add_argument("--metric", help="Score to compare (default: the one the simulation chose).")
    src.add_argument("--strategy", help="AL strategy to cost (default: the one saving the most labels).")
    src.add_argument(
        "--project-curves",
        action="store_true",
        help="Extend learning curves that did not reach the target with a fitted curve "
        "(simulations.curves) instead of reporting bounds.",
    )
    src.add_argument(
        "--bootstrap-seed", type=int, default=0, help="Seed of the bootstrap intervals (default 0)."
    )

    num = p.add_argument_group("from direct numbers")
    num.add_argument("--labels-random", type=float, help="Labels random sampling needs (to the target).")
    num.add_argument("--labels-al", type=float, help="Labels AL needs (to the target).")
    num.add_argument("--accuracy-random", type=float, help="Accuracy of the random plan, a fraction (0.88).")
    num.add_argument("--accuracy-al", type=float, help="Accuracy of the AL plan, a fraction (0.91).")
    num.add_argument(
        "--accuracy-whole-pool",
        type=float,
        help="Accuracy when labeling the whole pool (default: the better of the two).",
    )
    num.add_argument(
        "--random-censored",
        action="store_true",
        help="Random did not reach the target: --labels-random is a lower bound.",
    )
    num.add_argument(
        "--al-censored",
        action="store_true",
        help="AL did not reach the target: --labels-al is a lower bound.",
    )

    money = p.add_argument_group("money and team")
    money.add_argument("--cost-per-label", type=float, help="Dollars per human label (required).")
    money.add_argument("--setup-cost", type=float, default=0.0, help="One-time AL setup dollars (default 0).")
    money.add_argument(
        "--value-per-point",
        type=float,
        help="Dollars one accuracy percentage point is worth over the model's life.",
    )
    money.add_argument(
        "--predictions",
        type=float,
        help="Predictions over the model's life (with --cost-per-error, instead of --value-per-point).",
    )
    money.add_argument("--cost-per-error", type=float, help="Dollars one wrong prediction costs.")
    money.add_argument(
        "--production-pool", type=float, help="Unlabeled items in the real project (required)."
    )
    money.add_argument("--budget-cap", type=float, help="Most labels you can buy.")
    money.add_argument(
        "--labels-per-hour", type=float, help="Labels per annotator per hour (for calendar time)."
    )
    money.add_argument("--annotators", type=float, default=1, help="Annotators in parallel (default 1).")
    money.add_argument(
        "--round-overhead",
        type=float,
        default=0.0,
        help="Dollars per AL round (retraining, hand-offs; default 0).",
    )
    money.add_argument("--rounds", type=float, help="Number of AL rounds (for --round-overhead).")
    money.add_argument("--batch-size", type=float, help="Labels per AL round (for --round-overhead).")

    from simulations.plan.value_cli import add_error_cost_args

    add_error_cost_args(p)
    p.add_argument(
        "--tornado",
        action="store_true",
        help="Also show how the ROI moves when each input moves 25%% down and up.",
    )
    p.add_argument("--json", action="store_true", help="Print one JSON object instead of a table.")
    p.set_defaults(func=run_roi)


def _whole(name: str, x: float | None) -> int | None:
    if x is None:
        return None
    if not math.isfinite(x) or x != int(x):
        raise ConfigError(
            f"--{name} must be a whole number (got {x:g}).", f"E.g. --{name} {max(1, round(x))}."
        )
    return int(x)


def _pool_hint(results: str | None) -> str:
    """The missing-pool hint, naming the row count of the file the results came from when they record it.

    Never a silent default: the file is often a sample of a far larger project.
    """
    hint = "Give the number of unlabeled items in your real project, e.g. --production-pool 100000."
    if results:
        from simulations.results import load_results

        try:
            rows = load_results(results).meta.get("production_pool_rows")
        except LabelwiseError:
            rows = None  # the results error itself is reported when the file is loaded for the case
        if rows:
            hint += (f" Your results came from a file of {int(rows):,} rows: if that is the whole project, pass "
                     f"--production-pool {int(rows)}.")
    return hint


def inputs_from_args(args: argparse.Namespace) -> EconomicInputs:
    """The :class:`EconomicInputs` of parsed ``roi`` arguments (validated)."""
    if args.cost_per_label is None:
        raise ConfigError(
            "--cost-per-label is missing.",
            "Give the dollars one human label costs, e.g. --cost-per-label 2.50.",
        )
    if args.production_pool is None:
        raise ConfigError("--production-pool is missing.", _pool_hint(getattr(args, "results", None)))
    pool = args.production_pool
    vpp = args.value_per_point
    if _error_costs(args):
        vpp = _error_cost_point_value(args, pool)
    return EconomicInputs(
        cost_per_label=args.cost_per_label,
        setup_cost=args.setup_cost,
        value_per_point=vpp,
        predictions=args.predictions,
        cost_per_error=args.cost_per_error,
        production_pool=int(pool) if math.isfinite(pool) and pool == int(pool) else pool,
        budget_cap=args.budget_cap,
        labels_per_hour=args.labels_per_hour,
        annotators=_whole("annotators", args.annotators),
        round_overhead=args.round_overhead,
        rounds=_whole("rounds", args.rounds),
        batch_size=_whole("batch-size", args.batch_size),
    )


def _error_costs(args: argparse.Namespace) -> bool:
    from simulations.plan.value_cli import error_costs_given

    return error_costs_given(args)


def _error_cost_point_value(args: argparse.Namespace, pool: float) -> float:
    """Dollars per point of the error-cost score (predictions a month x life x largest cost / 100), the flags
    checked first (each refusal names its flag)."""
    from simulations.plan import PlanInputs
    from simulations.plan.inputs import PlanInputError
    from simulations.plan.value_cli import error_cost_kwargs, with_flag

    if args.value_per_point is not None or args.predictions is not None or args.cost_per_error is not None:
        raise ConfigError("Give the value of accuracy one way: --value-per-point, or --predictions with "
                          "--cost-per-error, or the error costs.", "Drop all but one.")
    if args.results is None:
        raise ConfigError("Error costs are read off the simulated confusion matrices: they need --results.",
                          "Pass --results FILE (from labelwise simulate --out), or value accuracy with "
                          "--value-per-point.")
    try:
        plan_in = PlanInputs(cost_per_label=args.cost_per_label or 1.0,
                             production_pool=max(1, int(pool)) if math.isfinite(pool) else 1,
                             **error_cost_kwargs(args))
    except PlanInputError as exc:
        raise with_flag(exc) from None
    return plan_in.point_value


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _target(args: argparse.Namespace) -> Any:
    from simulations.summary import Target

    given = [t for t in _TARGETS if getattr(args, t) is not None]
    if len(given) > 1:
        raise ConfigError(
            f"Several targets were given ({', '.join(_flag(t) for t in given)}).",
            "Give one of --target-share, --target-accuracy or --target-gap.",
        )
    if args.target_accuracy is not None:
        if args.target_accuracy > 1:
            raise ConfigError(
                f"--target-accuracy must be a fraction (got {args.target_accuracy:g}).", "Write 0.9 for 90%."
            )
        return Target("absolute", args.target_accuracy)
    if args.target_gap is not None:
        return Target("share_of_gap", args.target_gap)
    return Target("share_of_ceiling", 0.95 if args.target_share is None else args.target_share)


def _check_sources(args: argparse.Namespace) -> str:
    direct = [d for d in (*_DIRECT, *_DIRECT_OPTIONAL) if getattr(args, d) is not None]
    direct += [f for f in ("random_censored", "al_censored") if getattr(args, f)]
    if args.results is not None:
        if direct:
            raise ConfigError(
                f"--results cannot be combined with direct numbers ({', '.join(_flag(d) for d in direct)}).",
                "Use either a results file or --labels-random/--labels-al/--accuracy-random/--accuracy-al.",
            )
        return "results"
    if not direct:
        raise ConfigError(
            "No numbers to build the business case from.",
            "Give --results FILE (from `labelwise simulate --out`), or --labels-random, "
            "--labels-al, --accuracy-random and --accuracy-al.",
        )
    missing = [d for d in _DIRECT if getattr(args, d) is None]
    if missing:
        raise ConfigError(
            f"Missing {', '.join(_flag(m) for m in missing)} for a business case from direct numbers.",
            "Give all four: --labels-random, --labels-al, --accuracy-random, --accuracy-al.",
        )
    stray = [t for t in (*_TARGETS, "metric", "strategy") if getattr(args, t) is not None]
    if args.project_curves:
        stray.append("project_curves")
    if stray:
        raise ConfigError(
            f"{', '.join(_flag(s) for s in stray)} only appl{'ies' if len(stray) == 1 else 'y'} "
            "with --results.",
            "Drop them, or build the case from a results file.",
        )
    for name in ("accuracy_random", "accuracy_al", "accuracy_whole_pool"):
        v = getattr(args, name)
        if v is not None and not 0 <= v <= 1:
            raise ConfigError(
                f"{_flag(name)} must be a fraction between 0 and 1 (got {v:g}).",
                f"Write {v / 100:g} for {v:g}%." if 1 < v <= 100 else "E.g. 0.91 for 91%.",
            )
    return "numbers"


def run_roi(args: argparse.Namespace) -> int:
    """Run ``labelwise roi``; returns the exit code (0). Raises LabelwiseError on bad input."""
    source = _check_sources(args)
    inputs = inputs_from_args(args)
    case: BusinessCase | BusinessCaseRange
    if source == "results":
        from simulations.results import load_results

        result = load_results(args.results)
        plan = _plan_for(args, result, inputs)
        if plan is None and _error_costs(args):
            raise ConfigError("Error costs are priced through the plan, which --metric (another than the run's), "
                              "--round-overhead, --rounds and --batch-size leave.", "Drop those options.")
        if plan is not None:
            # the engine's one plan: the same figures as `labelwise plan` and the dashboard for these inputs
            case, point = plan.business, plan.business.point_inputs()
        else:
            case = business_case_from_results(
                result,
                inputs,
                _target(args),
                metric=args.metric,
                strategy=args.strategy,
                projection=curve_projection() if args.project_curves else None,
                random_state=args.bootstrap_seed,
            )
            point = case.point_inputs()
    else:
        case = business_case(
            args.labels_random,
            args.labels_al,
            args.accuracy_random,
            args.accuracy_al,
            inputs,
            accuracy_whole_pool=args.accuracy_whole_pool,
            random_censored=args.random_censored,
            al_censored=args.al_censored,
        )
        point = {
            "labels_random": args.labels_random,
            "labels_al": args.labels_al,
            "accuracy_random": args.accuracy_random,
            "accuracy_al": args.accuracy_al,
            "accuracy_whole_pool": case.whole_pool_accuracy,
        }
    torn = None
    if args.tornado:
        plan_torn = getattr(locals().get("plan"), "tornado", None)
        torn = plan_torn if plan_torn is not None else tornado(inputs, **point, al_rounds=_median_rounds(case))
    if args.json:
        out = case.to_dict()
        out["source"] = source
        out["verdict"] = verdict(case)
        if source == "results":
            out["results_file"] = str(args.results)
        out["inputs"] = inputs.to_dict()
        if torn is not None:
            out["tornado"] = [{k: _finite(v) for k, v in row.items()} for row in torn.to_dict("records")]
        plan = locals().get("plan")
        if plan is not None:
            d = plan.to_dict()
            out.update(value_model=d["value_model"], error_cost=d["error_cost"], time_value=d["time_value"])
        print(json.dumps(out, indent=2, allow_nan=False, default=_json_default))
    else:
        print(format_business_case(case))
        plan = locals().get("plan")
        if plan is not None:
            print(_value_lines(plan))
        if torn is not None:
            print()
            print(_format_tornado(torn))
    return 0


def _value_lines(plan: Any) -> str:
    """The plan's value model, error cost and time value (the last kept apart from the label savings)."""
    lines = [f"Value of accuracy: {plan.value_model.get('sentence', '')}"]
    if plan.error_cost is not None:
        lines.append(f"Error cost: {plan.error_cost['sentence']}")
    if plan.time_value is not None:
        lines.append(f"Time value (separate from the figures above): {plan.time_value['sentence']}")
    return "\n".join(lines)


def _plan_for(args: argparse.Namespace, result: Any, inputs: EconomicInputs) -> Any:
    """The engine's plan for these results and inputs, or None when an option only the old case takes is set
    (``--metric`` other than the run's, round overhead, calendar inputs): those keep the case they always had."""
    from simulations.plan import PlanInputs, build_plan
    from simulations.plan.inputs import PlanInputError
    from simulations.plan.value_cli import check_classes, error_cost_kwargs, with_flag

    if (args.metric not in (None, result.metric) or inputs.round_overhead or inputs.rounds is not None
            or inputs.batch_size is not None):
        return None
    costs = _error_costs(args)
    try:
        plan_in = PlanInputs(cost_per_label=inputs.cost_per_label, production_pool=int(inputs.production_pool),
                             setup_cost=inputs.setup_cost, value_per_point=None if costs else inputs.value_per_point,
                             predictions=inputs.predictions, cost_per_error=inputs.cost_per_error,
                             target=_target(args), budget_cap=inputs.budget_cap,
                             labels_per_hour=inputs.labels_per_hour, annotators=inputs.annotators,
                             strategy=args.strategy, **error_cost_kwargs(args))
        check_classes(plan_in, (result.meta or {}).get("classes") or [])
        return build_plan(result, plan_in)
    except PlanInputError as exc:
        raise with_flag(exc) from None


def _median_rounds(case: BusinessCase | BusinessCaseRange) -> float | None:
    r = case.al_rounds
    return r.median if isinstance(r, Range) else r


def _finite(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _json_default(o: object) -> object:
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(type(o).__name__)
