"""``labelwise stop``: when to stop labeling, from simulation results or from a live project's curve.

    labelwise stop --results FILE --cost-per-label X --value-per-point V [--strategy NAME] [--metric M]
                   [--production-pool N] [--json]
    labelwise stop --curve FILE   --cost-per-label X --value-per-point V [--json]

Errors are raised as ``LabelwiseError`` subclasses; ``simulations.cli.main`` prints message and hint and exits 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from simulations.errors import ConfigError
from simulations.stopping.advice import advise
from simulations.stopping.live import check_live


def _load_results(path: str) -> Any:
    from simulations.results import load_results  # the lead's module; imported when needed

    return load_results(path)


def _plan_for(result: Any, args: argparse.Namespace, strategy: str | None, metric: str | None,
              pool: int | None) -> Any:
    """The plan for these results and costs (target: 95% of the full-data score), or None for another metric."""
    from simulations.plan import PlanInputs, build_plan
    from simulations.plan.inputs import PlanInputError
    from simulations.plan.value_cli import check_classes, error_cost_kwargs, error_costs_given, with_flag
    from simulations.stopping.optimum import check_costs

    costs = error_costs_given(args)
    if metric not in (None, result.metric):
        if costs:
            raise ConfigError("Error costs price the errors of the run's own predictions: --metric does not apply.",
                              hint="Drop --metric.")
        return None
    if not costs:
        check_costs(args.cost_per_label, args.value_per_point)  # the command line's words for a bad cost
    meta = getattr(result, "meta", {}) or {}
    labelable = pool if pool is not None else int(meta.get("n_pool") or 0)
    if strategy == "random" or not labelable > 0:
        if costs:
            raise ConfigError("Error costs are priced through the plan, which needs an active-learning strategy and "
                              "the results' pool size.", hint="Drop --strategy random, or re-run the simulation.")
        # advice on the baseline itself, results without a pool size, or a refused pool: advise() as it always did
        return None
    try:
        plan_in = PlanInputs(cost_per_label=args.cost_per_label,
                             value_per_point=None if costs else args.value_per_point,
                             production_pool=max(1, labelable), strategy=strategy, **error_cost_kwargs(args))
        check_classes(plan_in, meta.get("classes") or [])
    except PlanInputError as exc:
        raise with_flag(exc) from None
    return build_plan(result, plan_in)


def add_stop_parser(subparsers: Any) -> None:
    """Register the ``stop`` subcommand on an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "stop",
        help="When to stop labeling: evaluate stopping rules on simulation results, or check a live curve.",
        description=(
            "With --results: replay label-free stopping criteria on every simulated run, compare each with the "
            "cost-optimal stopping point (cost per label x labels - value per point x 100 x metric), and "
            "recommend a label count to plan for and a signal to monitor. With --curve: read your own curve log "
            "(CSV: labels,metric[,kappa]; n_labels, accuracy, f1, score and similar headers are accepted) and say "
            "stop now / continue for about N labels / too early to tell, or stop and investigate when the score "
            "is falling."
        ),
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--results", help="A results file written by 'labelwise simulate --out'.")
    src.add_argument("--curve", help="Your project's curve log: CSV with columns labels,metric (optional kappa); "
                                     "also n_labels, accuracy, f1, score, ...")
    p.add_argument("--cost-per-label", type=float, required=True, help="Dollars per label, e.g. 2.50.")
    p.add_argument("--value-per-point", type=float,
                   help="Dollars one percentage point of the metric is worth over the model's lifetime (or give the "
                        "error costs below).")
    p.add_argument("--strategy", help="With --results: the strategy to advise on (default: the cheapest at "
                                      "its optimum).")
    p.add_argument("--metric", help="With --results: accuracy, balanced_accuracy or macro_f1 (default: the "
                                    "simulation's metric).")
    p.add_argument("--production-pool", type=int, default=None,
                   help="With --results: the items your project can label; no stopping point lies beyond it "
                        "(default: the simulated pool).")
    p.add_argument("--json", action="store_true", help="Print one JSON object instead of text.")
    from simulations.plan.value_cli import add_error_cost_args

    add_error_cost_args(p, target=False)
    p.set_defaults(func=run_stop)


def run_stop(args: argparse.Namespace) -> int:
    """Run ``labelwise stop``; returns the exit status (0). Raises LabelwiseError on bad input."""
    results = getattr(args, "results", None)
    curve = getattr(args, "curve", None)
    strategy = getattr(args, "strategy", None)
    metric = getattr(args, "metric", None)
    if bool(results) == bool(curve):
        raise ConfigError("Pass exactly one of --results and --curve.",
                          hint="--results FILE for simulation results, --curve FILE for your own curve log.")
    pool = getattr(args, "production_pool", None)
    if curve and (strategy or metric or pool is not None):
        raise ConfigError("--strategy, --metric and --production-pool apply to --results only.",
                          hint="Your curve log has a single metric column; drop these options.")
    from simulations.plan.value_cli import error_costs_given

    costs = error_costs_given(args)
    if costs and args.value_per_point is not None:
        raise ConfigError("Give the value of accuracy one way: --value-per-point or the error costs.",
                          hint="Drop one of the two.")
    if not costs and args.value_per_point is None:
        raise ConfigError("The value of accuracy is missing.",
                          hint="Pass --value-per-point, or the error costs (--cost-matrix FILE, or "
                               "--cost-missed-positive and --cost-false-alarm with --positive-class) with "
                               "--predictions-per-month and --model-life-months.")
    if costs and curve:
        raise ConfigError("Error costs need the simulated confusion matrices: they apply to --results only.",
                          hint="Use --value-per-point with --curve.")
    if results:
        result = _load_results(results)
        plan = _plan_for(result, args, strategy, metric, pool)
        if plan is not None:
            # the engine's one plan: the same strategy and stop as `labelwise plan` and the dashboard
            advice = plan.advice
            payload, text = advice.to_dict(), advice.text()
            payload["plan_stop"] = plan.stop.to_dict()
            payload["how_many_sentence"] = plan.how_many_sentence
            d = plan.to_dict()
            payload.update(value_model=d["value_model"], error_cost=d["error_cost"])
            text = f"Plan: {plan.stop.sentence}\nHow many labels: {plan.how_many_sentence}\n\n{text}"
            if plan.error_cost is not None:
                text = f"{text}\n\nValue of accuracy: {plan.value_model['sentence']}\nError cost: " \
                       f"{plan.error_cost['sentence']}"
        else:
            advice = advise(result, args.cost_per_label, args.value_per_point, strategy=strategy, metric=metric,
                            pool=pool)
            payload, text = advice.to_dict(), advice.text()
        payload["source"] = "results"
    else:
        check = check_live(curve, args.cost_per_label, args.value_per_point)
        payload, text = check.to_dict(), check.text()
        payload["source"] = "curve"
    if getattr(args, "json", False):
        print(json.dumps(payload, indent=2, allow_nan=False))
    else:
        print(text)
    return 0
