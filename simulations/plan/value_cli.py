"""The error-cost flags shared by ``labelwise plan``, ``roi`` and ``stop``, and their checks before anything runs.

``--cost-matrix FILE`` (first column the true class, header row the predicted classes), or the binary case's
``--cost-missed-positive``, ``--cost-false-alarm`` and ``--positive-class``, with ``--predictions-per-month`` and
``--model-life-months``; ``--discount-rate`` for the value of shipping sooner; ``--target-error-cost`` for a target in
money. Every refusal is a ``PlanInputError`` whose hint names the flag (the CLI prints it and exits 2).
"""

from __future__ import annotations

import argparse
from typing import Any

from simulations.plan.inputs import PlanInputError, check_error_costs

__all__ = ["ERROR_COST_FLAGS", "add_error_cost_args", "check_classes", "error_cost_kwargs", "error_costs_given",
           "with_flag"]

#: The flag of each error-cost input (``InputProblem.field``).
ERROR_COST_FLAGS = {
    "cost_matrix": "--cost-matrix", "cost_missed_positive": "--cost-missed-positive",
    "cost_false_alarm": "--cost-false-alarm", "positive_class": "--positive-class",
    "predictions_per_month": "--predictions-per-month", "model_life_months": "--model-life-months",
    "discount_rate": "--discount-rate", "target_error_cost": "--target-error-cost",
}


def add_error_cost_args(p: argparse.ArgumentParser, *, target: bool = True) -> None:
    """Add the "what an error costs" flags to a subcommand."""
    g = p.add_argument_group("what an error costs")
    g.add_argument("--cost-matrix", metavar="FILE",
                   help="CSV of error costs: first column the true class, header row the predicted classes, dollars "
                        ">= 0 (0 on the diagonal when a right answer costs nothing).")
    g.add_argument("--cost-missed-positive", type=float,
                   help="Binary data: dollars a missed positive costs (truly positive, predicted negative).")
    g.add_argument("--cost-false-alarm", type=float,
                   help="Binary data: dollars a false alarm costs (predicted positive, truly negative).")
    g.add_argument("--positive-class", help="Binary data: the positive class, as written in the label column.")
    g.add_argument("--predictions-per-month", type=float, help="Predictions the model makes a month.")
    g.add_argument("--model-life-months", type=float,
                   help="Months the model will be used (also gives the value of shipping sooner).")
    g.add_argument("--discount-rate", type=float, default=0.0,
                   help="Annual rate to discount the value of shipping sooner, 0 <= rate < 1 (default 0).")
    if target:
        g.add_argument("--target-error-cost", type=float,
                       help="Target in money: expected error cost per 1,000 predictions at or below this many "
                            "dollars (replaces the score target).")


def error_costs_given(args: argparse.Namespace) -> bool:
    """Whether the error costs value accuracy (a matrix or either binary cost was given)."""
    return any(getattr(args, k, None) is not None for k in ("cost_matrix", "cost_missed_positive", "cost_false_alarm"))


def error_cost_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """``PlanInputs`` keyword arguments of the flags; the cost matrix file is read here (before any data).

    Raises
    ------
    PlanInputError
        An unreadable or malformed cost matrix (the hint names ``--cost-matrix``).
    """
    from simulations.economics.value_model import ErrorCostInputError, read_cost_matrix
    from simulations.plan.inputs import InputProblem

    matrix = None
    if getattr(args, "cost_matrix", None) is not None:
        try:
            matrix = read_cost_matrix(args.cost_matrix)
        except ErrorCostInputError as exc:
            raise with_flag(PlanInputError([InputProblem(field=exc.field, message=exc.message,
                                                         hint=exc.hint)])) from None
    out: dict[str, Any] = {"model_life_months": getattr(args, "model_life_months", None),
                           "discount_rate": getattr(args, "discount_rate", 0.0) or 0.0}
    if error_costs_given(args):
        out.update(cost_matrix=matrix, cost_missed_positive=args.cost_missed_positive,
                   cost_false_alarm=args.cost_false_alarm, positive_class=args.positive_class,
                   predictions_per_month=args.predictions_per_month,
                   target_error_cost=getattr(args, "target_error_cost", None))
    elif getattr(args, "target_error_cost", None) is not None:
        out["target_error_cost"] = args.target_error_cost
    return out


def check_classes(inputs: Any, classes: Any) -> None:
    """Refuse error costs that do not fit the data's classes (before anything is simulated)."""
    problems = check_error_costs(inputs.economics(), [str(c) for c in classes])
    if problems:
        raise with_flag(PlanInputError(problems))


def with_flag(exc: PlanInputError, flags: dict[str, str] | None = None) -> PlanInputError:
    """``exc`` with the flag that sets its first input added to its hint."""
    flag = {**ERROR_COST_FLAGS, "cost_per_label": "--cost-per-label", **(flags or {})}.get(exc.field)
    if flag and flag not in exc.hint:
        exc.hint = f"{exc.hint} ({flag})".strip()
    return exc
