"""What an error costs, in a sweep: the keys that price errors for every cell, checked as the plan's flags are.

The keys are ``labelwise plan``'s flags with ``_`` (``docs/sweeps.md``)::

    cost_matrix = "costs.csv"               # relative to the sweep file: first column the true class, header the
                                            # predicted classes; or a table: { spam = { ham = 5 }, ham = { spam = 50 } }
    cost_missed_positive = 500              # or the binary case: a missed positive and a false alarm,
    cost_false_alarm = 20                   # with the positive class
    positive_class = "malignant"
    target_error_cost = 40                  # target: expected error cost per 1,000 predictions at or below $40

They change no task (task keys stay, ``--resume`` reuses every result): they change how the summary judges the cells.
Each cell is read in the error-cost score (``1 - expected error cost / the largest cost``, higher is better;
:func:`simulations.economics.value_model.with_cost_score`) so savings, verdicts and the best strategy are judged
in money, and each strategy's expected error cost per 1,000 predictions at the end of the budget is reported.
Costs are checked when the file is read (shape, negatives, a target in money); the classes against each dataset
once it is loaded, before anything runs. Every refusal is the plan's typed error with the sweep key in its hint.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from simulations.economics.value_model import (
    ErrorCostInputError,
    ErrorCosts,
    cost_score_target,
    error_cost_at,
    parse_cost_matrix,
    read_cost_matrix,
    with_cost_score,
)
from simulations.errors import ResultsFileError
from simulations.money import money
from simulations.plan.inputs import InputProblem, PlanInputError, check_error_cost_settings, error_costs_for
from simulations.plan.value_cli import with_flag
from simulations.summary import Target

__all__ = ["ERROR_COST_KEYS", "SweepErrorCosts", "cell_in_error_cost", "end_error_cost", "parse_error_costs"]

#: The sweep keys that price errors (the plan's flags with ``_``).
ERROR_COST_KEYS = ("cost_matrix", "cost_missed_positive", "cost_false_alarm", "positive_class", "target_error_cost")
#: How a refusal names its input: the sweep key instead of the plan's flag.
_SWEEP_KEYS = {k: f"sweep key {k}" for k in ERROR_COST_KEYS}


def _refused(problems: list[InputProblem]) -> PlanInputError:
    return with_flag(PlanInputError(problems), _SWEEP_KEYS)


def _from(exc: ErrorCostInputError) -> PlanInputError:
    return _refused([InputProblem(field=exc.field, message=exc.message, hint=exc.hint)])


@dataclass(frozen=True, kw_only=True)
class SweepErrorCosts:
    """The error costs of every cell of a sweep: a cost matrix, or a missed positive and a false alarm.

    Attributes
    ----------
    cost_matrix : ErrorCosts or None
        Dollars of predicting class j when the truth is i; aligned with each dataset's classes.
    cost_missed_positive, cost_false_alarm : float or None
        The binary case (with ``positive_class``), for datasets of two classes.
    positive_class : str or None
    target_error_cost : float or None
        A target in money: expected error cost per 1,000 predictions at or below this many dollars.

    Raises
    ------
    PlanInputError
        What the plan refuses without data (both ways or neither, negative costs, all costs 0, a target in money
        of $0 or above every model's cost); the hint names the sweep key.
    """

    cost_matrix: ErrorCosts | None = None
    cost_missed_positive: float | None = None
    cost_false_alarm: float | None = None
    positive_class: str | None = None
    target_error_cost: float | None = None

    def __post_init__(self) -> None:
        problems = check_error_cost_settings(self.economics())
        if problems:
            raise _refused(problems)
        for name in ("cost_missed_positive", "cost_false_alarm", "target_error_cost"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(value))
        if self.positive_class is not None:
            object.__setattr__(self, "positive_class", str(self.positive_class))

    def economics(self) -> dict[str, Any]:
        """These costs as the plan's inputs read them (``simulations.plan.inputs``)."""
        return {"value_mode": "error_costs", "cost_matrix": self.cost_matrix,
                "cost_missed_positive": self.cost_missed_positive, "cost_false_alarm": self.cost_false_alarm,
                "positive_class": self.positive_class, "target_error_cost": self.target_error_cost}

    @property
    def max_cost(self) -> float:
        """The largest cost: the error-cost score's unit."""
        if self.cost_matrix is not None:
            return self.cost_matrix.max_cost
        return max(self.cost_missed_positive or 0.0, self.cost_false_alarm or 0.0)

    def for_classes(self, classes: Any) -> ErrorCosts:
        """The costs for a dataset's classes (``ErrorCosts.aligned`` orders them as a run's confusion counts).

        Raises
        ------
        PlanInputError
            The matrix names other classes than the data's; binary costs on data of other than two classes, or
            without a positive class or with one the data lacks (the hint names the sweep key).
        """
        try:
            return error_costs_for(self.economics(), [str(c) for c in classes])
        except ErrorCostInputError as exc:
            raise _from(exc) from None

    def score_target(self) -> Target | None:
        """The target in money as the error-cost score it means (None without ``target_error_cost``)."""
        if self.target_error_cost is None:
            return None
        return Target("absolute", cost_score_target(self.target_error_cost, self.max_cost))

    def describe(self) -> str:
        """The costs in one line (the CLI's and the Sweeps page's note)."""
        if self.cost_matrix is not None:
            m = self.cost_matrix
            cells = replace(m, source="").describe().removeprefix("error costs: ")
            text = f"{m.source or 'cost matrix'} ({cells})"
        else:
            text = (f"a missed {self.positive_class or 'positive'} costs {money(self.cost_missed_positive, cents=True)}"
                    f", a false alarm {money(self.cost_false_alarm, cents=True)}")
        if self.target_error_cost is not None:
            text += f"; target: at most {money(self.target_error_cost, cents=True)} of errors per 1,000 predictions"
        return text

    def score_sentence(self) -> str:
        """Which score the summary uses, in words."""
        return (f"the error-cost score, 1 - expected error cost per prediction / {money(self.max_cost, cents=True)} "
                "(the largest cost): higher is better, 100% is no costly error")

    def to_dict(self) -> dict[str, Any]:
        return {"cost_matrix": None if self.cost_matrix is None else self.cost_matrix.to_dict(),
                "cost_missed_positive": self.cost_missed_positive, "cost_false_alarm": self.cost_false_alarm,
                "positive_class": self.positive_class, "target_error_cost": self.target_error_cost,
                "description": self.describe()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SweepErrorCosts:
        """Read :meth:`to_dict`'s form (``sweep.json``).

        Raises
        ------
        ConfigError
            Costs the plan refuses (``PlanInputError``, ``ErrorCostInputError``); ``KeyError``, ``TypeError`` or
            ``ValueError`` for another shape (callers turn these into their own typed errors).
        """
        m = d.get("cost_matrix")
        matrix = None if m is None else ErrorCosts(
            classes=tuple(str(c) for c in m["classes"]), matrix=tuple(tuple(float(v) for v in r) for r in m["matrix"]),
            source=str(m.get("source", "")))
        return cls(cost_matrix=matrix, **{k: d.get(k) for k in ERROR_COST_KEYS[1:]})


def _matrix(value: Any, base: Path) -> ErrorCosts:
    """``cost_matrix``: a CSV path (relative to the sweep file) or a table ``{true = {predicted = cost}}``."""
    if isinstance(value, str):
        path = Path(value).expanduser()
        return read_cost_matrix(path if path.is_absolute() else base / path)
    if isinstance(value, dict) and value and all(isinstance(r, dict) for r in value.values()):
        # the table written as the CSV the engine reads, so one parser checks both forms
        predicted = list(dict.fromkeys(str(p) for r in value.values() for p in r))
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["true", *predicted])
        for true, row in value.items():
            cells = {str(p): c for p, c in row.items()}
            w.writerow([str(true), *(cells.get(p, "") for p in predicted)])
        return parse_cost_matrix(buf.getvalue(), source="the sweep file's cost_matrix")
    raise ErrorCostInputError(
        f"cost_matrix must be a CSV file or a table of tables (got {value!r}).",
        'E.g. cost_matrix = "costs.csv", or cost_matrix = { spam = { spam = 0, ham = 5 }, ham = { spam = 50, ham = 0 '
        "} } (true class = { predicted class = dollars }).", field="cost_matrix")


def parse_error_costs(d: dict[str, Any], base: Path) -> SweepErrorCosts | None:
    """The error costs of a sweep file's keys (None without any).

    Raises
    ------
    PlanInputError
        An unreadable or malformed cost matrix, or what :class:`SweepErrorCosts` refuses; the hint names the key.
    """
    if not any(k in d for k in ERROR_COST_KEYS):
        return None
    try:
        matrix = None if d.get("cost_matrix") is None else _matrix(d["cost_matrix"], base)
    except ErrorCostInputError as exc:
        raise _from(exc) from None
    return SweepErrorCosts(cost_matrix=matrix, **{k: d.get(k) for k in ERROR_COST_KEYS[1:]})


def cell_in_error_cost(result: Any, costs: SweepErrorCosts) -> Any:
    """One cell's results in the error-cost score (``with_cost_score`` with the costs in its classes' order).

    Raises
    ------
    ResultsFileError
        The table holds no class names or no confusion counts (saved by an older Labelwise).
    PlanInputError
        The costs do not fit the cell's classes.
    """
    classes = (result.meta or {}).get("classes")
    where = f"{result.meta.get('dataset_name', '?')} / {result.meta.get('model', '?')}"
    if not classes:
        raise ResultsFileError(
            f"The sweep's table has no class names for {where} (it was saved before sweeps recorded them), so the "
            "error costs cannot be matched to its confusion counts.",
            hint="Run the same 'labelwise sweep' command with --resume: it rewrites results.csv from the finished "
                 "tasks, with the class names.")
    matched = costs.for_classes(classes)
    try:
        return with_cost_score(result, matched)
    except ErrorCostInputError as exc:
        raise ResultsFileError(f"{where}: {exc.message}",
                               hint="Run the sweep again into a new --out folder to price errors.") from None


def end_error_cost(result: Any, costs: SweepErrorCosts, strategy: str, labels: float) -> dict[str, float]:
    """Expected error cost per 1,000 predictions of ``strategy`` at ``labels`` (the end of the budget): the
    median over seeds and its 95% order-statistic interval (``median``, ``low``, ``high``)."""
    from simulations.stats import median_interval

    values, _ = error_cost_at(result, costs.for_classes(result.meta["classes"]), strategy, labels)
    mi = median_interval(np.asarray(values, dtype=float))
    return {"median": mi.median, "low": mi.low, "high": mi.high}
