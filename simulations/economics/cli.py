"""``labelwise roi``: the business case for active learning in dollars, on the command line.

Two sources of numbers:

- simulation results: ``labelwise roi --results run.json --cost-per-label 2.5 --value-per-point 10000
  --production-pool 100000`` (every number then a median with a 95 % interval over seeds);
- direct numbers: ``labelwise roi --labels-random 20000 --labels-al 8000 --accuracy-random 0.88
  --accuracy-al 0.91 --cost-per-label 2.5 --setup-cost 10000 --value-per-point 10000
  --production-pool 100000`` (the worked example of the project's reference notes).

User errors are raised as :class:`simulations.errors.LabelwiseError`; ``simulations.cli.main`` prints
them as ``error: ... / hint: ...`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from simulations.economics.case import NO_SIGNAL_VERDICT, BusinessCase, BusinessCaseRange, Range, business_case
from simulations.economics.from_results import business_case_from_results, curve_projection
from simulations.economics.inputs import EconomicInputs
from simulations.economics.sensitivity import tornado
from simulations.errors import ConfigError, LabelwiseError
from simulations.money import money

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


# --------------------------------------------------------------------------------------------------
# the readable table
# --------------------------------------------------------------------------------------------------


def _fmt(x: float | None, kind: str) -> str:
    """One number as report text (money, pct, acc, points, hours or a count); never a "-0"."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "never" if x > 0 else "-inf"
    if kind == "money":
        return money(x, cents=False)
    if kind in ("pct", "acc"):
        text = f"{100 * x:.1f}%"
    elif kind == "points":
        text = f"{x:+.2f} pts"
    elif kind == "hours":
        text = f"{x:,.1f} h"
    else:
        text = f"{x:,.0f}"
    if text[0] == "-" and not any(ch in "123456789" for ch in text):  # a tiny negative rounded to zero
        text = ("+" if kind == "points" else "") + text[1:]
    return text


_PREFIX = {"lower": ">= ", "upper": "<= ", "unknown": "~ "}


def _val(case: BusinessCase | BusinessCaseRange, name: str, kind: str, floor: float | None = None) -> str:
    """A field as text: median and interval for ranges, a bound prefix; values below ``floor`` shown as it."""
    v = getattr(case, name)
    if v is None:
        return "n/a"

    def at_least(x: float) -> float:
        return x if floor is None or math.isnan(x) else max(x, floor)

    if isinstance(v, Range):
        mid = _PREFIX.get(v.bound, "") + _fmt(at_least(v.median), kind)
        low, high = at_least(v.low), at_least(v.high)
        if low == high:
            return mid
        return f"{mid}  ({_fmt(low, kind)} to {_fmt(high, kind)})"
    bound = case.bounds.get(name, "") if isinstance(case, BusinessCase) else ""
    return _PREFIX.get(bound, "") + _fmt(at_least(v), kind)


def format_business_case(case: BusinessCase | BusinessCaseRange) -> str:
    """A readable report: both baselines, currency formatting, the assumptions listed."""
    is_range = isinstance(case, BusinessCaseRange)
    lines: list[str] = []
    if is_range:
        lines.append(
            f"Business case: {case.strategy} vs random sampling; target {case.target} ({case.metric})."
        )
        lines.append(
            f"Medians over {case.n_seeds} seeds with {case.confidence:.0%} intervals. "
            ">= / <= mark bounds (a plan did not reach the target within the simulated budget)."
        )
    else:
        lines.append("Business case: active learning vs random sampling.")
        if case.bounds:
            lines.append(">= / <= mark bounds (a plan's label count is censored).")
    if getattr(case, "no_signal", False):  # before any number: none of them describes a plan that pays
        lines += ["", "WARNING: " + verdict(case), "  " + case.no_signal_sentence,  # type: ignore[union-attr]
                  "  The figures below are arithmetic on a model that learns nothing; do not budget on them."]
    w = 38

    def row(label: str, name: str, kind: str) -> None:
        lines.append(f"  {label:<{w}}{_val(case, name, kind)}")

    lines += ["", "Against random sampling to the same target"]
    row("labels, random", "labels_random", "count")
    row("labels, AL", "labels_al", "count")
    row("labels saved", "labels_saved", "count")
    row("share of labels saved", "labels_saved_share", "pct")
    row("accuracy, random", "accuracy_random", "acc")
    row("accuracy, AL", "accuracy_al", "acc")
    row("accuracy gain", "accuracy_gain_points", "points")
    row("label cost, random", "random_label_cost", "money")
    row("label cost, AL", "al_label_cost", "money")
    if case.al_overhead_cost is not None and _median(case.al_overhead_cost) != 0:
        row("AL round overhead", "al_overhead_cost", "money")
    lines.append(f"  {'AL setup':<{w}}{_fmt(case.setup_cost, 'money')}")
    row("AL total cost", "al_total_cost", "money")
    row("cost savings (net of setup)", "cost_savings", "money")
    row("value of the accuracy gain", "value_increase", "money")
    row("total benefit", "total_benefit", "money")
    row("ROI (benefit / AL total cost)", "roi", "pct")
    if is_range:
        bound = _PREFIX.get(case.p_roi_positive_bound, "")
        lines.append(f"  {'P(ROI > 0) over seeds':<{w}}{bound}{case.p_roi_positive:.0%}")
    be = _median(case.break_even_labels)
    if be is not None and math.isfinite(be) and be < 0:
        more = f"pays off even if AL needed {_fmt(-be, 'count')} more labels than random"
        r = case.break_even_labels
        if isinstance(r, Range) and r.low != r.high:  # the interval in "more labels", never below 0 more
            more += f"  ({_fmt(max(-r.high, 0.0), 'count')} to {_fmt(max(-r.low, 0.0), 'count')} more)"
        lines.append(f"  {'break-even':<{w}}{more}")
    else:
        # a negative end of the interval means "no saving needed" (AL could even use more labels): shown as 0,
        # like the share, so no interval reads as a negative saving
        lines.append(f"  {'break-even label saving':<{w}}{_val(case, 'break_even_labels', 'count', floor=0.0)}")
        row("break-even share of random's labels", "break_even_share", "pct")
        share = _median(case.break_even_share)
        if share is not None and share > 1:
            lines.append(f"  {'':<{w}}(more than random's whole plan: label savings alone cannot pay off)")
    if _known(case.hours_random):
        row("labeling time, random", "hours_random", "hours")
        row("labeling time, AL", "hours_al", "hours")
        row("labeling time saved", "hours_saved", "hours")

    lines += ["", "Against labeling the whole production pool"]
    row("labels, whole pool", "whole_pool_labels", "count")
    row("label cost, whole pool", "whole_pool_label_cost", "money")
    row("accuracy, whole pool", "whole_pool_accuracy", "acc")
    row("cost savings", "whole_pool_cost_savings", "money")
    row("value of the accuracy difference", "whole_pool_value_increase", "money")
    row("total benefit", "whole_pool_total_benefit", "money")
    row("ROI", "whole_pool_roi", "pct")
    row("break-even pool size (items)", "whole_pool_break_even_pool", "count")
    if _known(case.whole_pool_hours_saved):
        row("labeling time saved", "whole_pool_hours_saved", "hours")

    if is_range and case.equal_budget_labels is not None:
        lines += ["", "Equal budget (both buy the same labels; AL buys accuracy; not added above)"]
        row("labels each", "equal_budget_labels", "count")
        row("accuracy, random", "equal_budget_accuracy_random", "acc")
        row("accuracy, AL", "equal_budget_accuracy_al", "acc")
        row("value of the accuracy gain", "equal_budget_value_increase", "money")
        row("ROI", "equal_budget_roi", "pct")

    lines += ["", "Verdict: " + verdict(case)]
    lines += ["", "Assumptions:"] + [f"  - {a}" for a in case.assumptions]
    return "\n".join(lines)


def verdict(case: BusinessCase | BusinessCaseRange) -> str:
    """One sentence: does AL pay off against random sampling, given the interval and the bounds.

    With ``no_signal`` (the simulation summary's rule: the whole-pool model is no better than always predicting the
    majority class) no plan or ROI is meaningful, and the sentence says so before anything else is judged.
    """
    if getattr(case, "no_signal", False):
        return NO_SIGNAL_VERDICT
    tb = case.total_benefit
    if isinstance(tb, Range):
        bound, mid = tb.bound, tb.median
        extra = f" P(ROI > 0) over seeds: {case.p_roi_positive:.0%}."  # type: ignore[union-attr]
        n_seeds, compared = case.n_seeds, case.seeds_compared  # type: ignore[union-attr]
        needed = case.seeds_needed  # type: ignore[union-attr]
        if compared < needed:  # the simulation summary withholds its verdict too (pays_off is null)
            both = (f" ({n_seeds - compared} of the {n_seeds} seeds reached the target in neither plan)"
                    if compared < n_seeds else "")
            return (f"Too few seeds to judge whether AL pays off: the ranges rest on {compared} simulated "
                    f"seed{'s' if compared != 1 else ''} comparing AL with random{both}; a verdict on this "
                    f"strategy needs at least {needed}, or raise the budget.")
        decided = case.pays_off  # type: ignore[union-attr]  # the one rule, the JSON's pays_off
    else:
        mid = tb
        bound = case.bounds.get("total_benefit", "")  # type: ignore[union-attr]
        extra = ""
        # one set of numbers, no interval: the sign decides unless a bound points the other way
        decided = (True if mid > 0 and bound in ("", "lower") else False if mid <= 0 and bound in ("", "upper")
                   else None)
    txt = _PREFIX.get(bound, "") + _fmt(mid, "money")
    if decided is True:
        return f"AL pays off against random sampling (total benefit {txt}).{extra}"
    if decided is False:
        return f"AL does not pay off against random sampling (total benefit {txt}).{extra}"
    why = " (censored: a bound)" if bound else " (the interval spans zero)"
    return f"Uncertain whether AL pays off against random sampling: total benefit {txt}{why}.{extra}"


def _median(v: Any) -> float | None:
    return v.median if isinstance(v, Range) else v


def _known(v: Any) -> bool:
    m = _median(v)
    return m is not None and not (isinstance(m, float) and math.isnan(m))


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.4g}"


def _format_tornado(df: Any) -> str:
    lines = ["Sensitivity: ROI when one input moves 25% down / up (largest swing first)"]
    for r in df.itertuples(index=False):
        lines.append(
            f"  {r.input:<18}{_num(r.low_value):>12} -> ROI {_fmt(r.roi_low, 'pct'):>9}   "
            f"{_num(r.high_value):>12} -> ROI {_fmt(r.roi_high, 'pct'):>9}   swing {_fmt(r.swing, 'pct')}"
        )
    return "\n".join(lines)
