"""What a plan is asked for: costs, the value of accuracy, the production pool, the target and the caps.

One set of input rules for every front end. :func:`check_plan_inputs` returns *every* problem, each tagged with
the input it concerns (:class:`InputProblem`), in words free of any front end's controls: the dashboard shows each
message beside its field, the command line prints the first with the flag that sets it. :class:`PlanInputs` is the
validated form the engine computes with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulations.errors import ConfigError
from simulations.money import money
from simulations.summary import Target

__all__ = [
    "DEFAULT_TIME_CAP_SECONDS",
    "VALUE_MODES",
    "InputProblem",
    "PlanInputError",
    "PlanInputs",
    "check_error_cost_settings",
    "check_error_costs",
    "check_plan_inputs",
    "error_cost_point_value",
    "error_costs_for",
]

#: How the value of accuracy is given: dollars per point of the run's score, predictions x cost per error, or what
#: each kind of error costs (a cost matrix or a missed positive and a false alarm, with volumes).
VALUE_MODES = ("per_point", "per_error", "error_costs")
#: Wall-clock seconds the adaptive simulation may spend before it answers with what it has (marked extrapolated).
DEFAULT_TIME_CAP_SECONDS = 120.0


@dataclass(frozen=True, kw_only=True)
class InputProblem:
    """One refused input.

    Attributes
    ----------
    field : str
        The input's name (``cost_per_label``, ``production_pool``, ``target_value``, ``seeds``...).
    message : str
        What is wrong, with the value given.
    hint : str
        How to fix it, in words that name no control of a particular front end.
    """

    field: str
    message: str
    hint: str = ""


class PlanInputError(ConfigError):
    """The plan's inputs were refused; ``problems`` lists every one, each tagged by its input.

    ``field`` is the first problem's input (the one a command line names); ``message`` and ``hint`` are its words.
    """

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        if not problems:
            raise ValueError("PlanInputError needs at least one problem")
        first = problems[0]
        more = f" ({len(problems) - 1} more input(s) refused too.)" if len(problems) > 1 else ""
        super().__init__(first.message + more, first.hint)
        self.problems = tuple(problems)
        self.field = first.field


def _number(value: Any) -> float | None:
    """A finite float, or None for anything else (text, NaN, infinity, booleans)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _needer(out: list[InputProblem]) -> Any:
    """``need(name, value, ok, message, hint)``: the number ``value``, or None with a problem added to ``out``."""

    def need(name: str, value: Any, ok: Any, message: str, hint: str = "") -> float | None:
        f = _number(value)
        if f is None:
            out.append(InputProblem(field=name, message=f"Enter a number for the {name.replace('_', ' ')} "
                                    f"(got {value!r}).", hint=hint or message))
        elif not ok(f):
            out.append(InputProblem(field=name, message=message, hint=hint))
            return None
        return f

    return need


def check_plan_inputs(economics: Mapping[str, Any], target: Mapping[str, Any],
                      config: Mapping[str, Any] | None = None) -> list[InputProblem]:
    """Every problem with a plan's inputs, each tagged by its input; empty when all are usable.

    Parameters
    ----------
    economics : mapping
        ``cost_per_label``, ``setup_cost``, ``value_mode`` (``per_point`` or ``per_error``), ``value_per_point``
        or ``predictions`` and ``cost_per_error``, ``production_pool``, optional ``budget_cap`` (labels the team
        can buy; 0 or None: none), ``labels_per_hour`` (0 or None: no calendar), ``annotators``, ``max_labels``
        (a cap on the labels simulated; 0 or None: none).
    target : mapping
        ``kind`` (``share_of_ceiling``, ``absolute``, ``share_of_gap``) and ``value`` (a fraction).
    config : mapping, optional
        Simulation settings as ``SimulationConfig.to_dict`` gives them (seeds, initial_labels, test_share,
        growth or batch_size).

    Returns
    -------
    list of InputProblem
    """
    out: list[InputProblem] = []
    need = _needer(out)

    def whole(v: float) -> bool:
        return v == int(v)

    c = _number(economics.get("cost_per_label"))
    need("cost_per_label", economics.get("cost_per_label"), lambda v: v > 0,
         f"The cost per label must be more than $0 (got {money(c or 0.0, cents=True)}): active learning saves money "
         "by buying fewer labels, so with free labels there is nothing to save and no point at which to stop.",
         "What one human label costs, e.g. 0.08 (crowd) or 2.50 (expert).")
    need("setup_cost", economics.get("setup_cost") or 0, lambda v: v >= 0,
         "The setup cost cannot be negative; 0 if none.", "The one-time cost of setting active learning up.")
    need("production_pool", economics.get("production_pool"), lambda v: v >= 1 and whole(v),
         "The production pool must be a whole number of items, at least 1.",
         "The number of unlabeled items your real project could label, e.g. 100000.")
    mode = economics.get("value_mode", "per_point")
    if mode not in VALUE_MODES:
        out.append(InputProblem(field="value_mode", message=f"Unknown way to value accuracy: {mode!r}.",
                                hint="Value per point of the score, or predictions x cost per wrong prediction."))
    elif mode == "per_point":
        # 0 is a real answer ("only label costs count"): the case then weighs label savings alone, and the stop is
        # the target (a cost-optimal stop needs a value of accuracy).
        need("value_per_point", economics.get("value_per_point"), lambda v: v >= 0,
             "The value per point cannot be negative; 0 counts label costs only.",
             "Dollars one point of the score is worth over the model's life.")
    elif mode == "error_costs":
        _check_error_costs(economics, need, out)
    else:
        need("predictions", economics.get("predictions"), lambda v: v > 0,
             "The number of predictions must be more than 0: it gives the value of accuracy.",
             "How many predictions the model makes over its life, e.g. 1000000.")
        need("cost_per_error", economics.get("cost_per_error"), lambda v: v > 0,
             "The cost per wrong prediction must be more than $0: it gives the value of accuracy.",
             "Dollars one wrong prediction costs (rework, refunds, review).")
    if mode != "error_costs":
        if economics.get("model_life_months") not in (None, ""):
            need("model_life_months", economics.get("model_life_months"), lambda v: v > 0,
                 "The model's life must be more than 0 months.", "How long the model will be used, e.g. 24.")
        if economics.get("target_error_cost") not in (None, ""):
            out.append(InputProblem(field="target_error_cost",
                                    message="A target in error cost needs the error costs.",
                                    hint="Give a cost matrix, or a missed positive's and a false alarm's cost, with "
                                         "predictions a month and the model's life."))
    need("discount_rate", economics.get("discount_rate") or 0, lambda v: 0 <= v < 1,
         f"The discount rate must be from 0% up to, not including, 100% a year (got {economics.get('discount_rate')!r}"
         ").", "An annual rate as a fraction, e.g. 0.08 for 8%; 0 for none.")
    need("budget_cap", economics.get("budget_cap") or 0, lambda v: v >= 0 and whole(v),
         "The budget cap is a whole number of labels, or 0 for no cap.", "The most labels the team can buy.")
    need("labels_per_hour", economics.get("labels_per_hour") or 0, lambda v: v >= 0,
         "The throughput cannot be negative; 0 to skip the time estimates.", "Labels one annotator makes per hour.")
    # none given means one; 0 is refused here, not later by the business case with no field to show it beside
    annotators = economics.get("annotators")
    need("retrain_minutes", economics.get("retrain_minutes") or 0, lambda v: v >= 0,
         "The minutes between rounds cannot be negative; 0 if retraining is instant.",
         "Minutes to retrain and hand out the next batch.")
    need("hours_per_day", economics.get("hours_per_day") or 8, lambda v: 0 < v <= 24,
         "Working hours a day must be above 0 and at most 24.", "E.g. 8.")
    need("annotators", 1 if annotators is None or annotators == "" else annotators, lambda v: v >= 1 and whole(v),
         "Annotators must be a whole number, at least 1.", "Annotators working in parallel.")
    initial = _number((config or {}).get("initial_labels"))
    need("max_labels", economics.get("max_labels") or 0,
         lambda v: whole(v) and (v == 0 or (v > 0 and (initial is None or v > initial))),
         f"The cap on labels to simulate must be a whole number above the initial labels ({initial or 0:,.0f}), "
         "or 0 for no cap.", "Leave it at 0: the simulation runs until the answer is determined.")
    kind = target.get("kind", "share_of_ceiling")
    if kind not in ("share_of_ceiling", "absolute", "share_of_gap"):
        out.append(InputProblem(field="target_kind", message=f"Unknown kind of target: {kind!r}.",
                                hint="A share of the full-data score, a fixed score, or a share of the gap."))
    need("target_value", target.get("value"), lambda v: 0 < v <= 1,
         "The target must be more than 0% and at most 100%.", "E.g. 95% of the full-data score, or a score of 90%.")
    if config is not None:
        need("seeds", config.get("seeds"), lambda v: 1 <= v <= 50 and whole(v),
             "Repetitions must be a whole number from 1 to 50.", "5 to 10 give a business case something to stand on.")
        need("initial_labels", config.get("initial_labels"), lambda v: v >= 2 and whole(v),
             "Initial labels must be a whole number, at least 2 (one per class at least).", "E.g. 20.")
        need("test_share", config.get("test_share"), lambda v: 0 < v < 0.9,
             "The test share must be above 0% and under 90%.", "25% holds out a quarter of the rows.")
        if config.get("batch_size") is None:
            need("growth", config.get("growth"), lambda v: 0 < v <= 5,
                 "Growth per round must be above 0% and at most 500%.", "20% adds a fifth of the labeled set a round.")
        else:
            need("batch_size", config.get("batch_size"), lambda v: v >= 1 and whole(v),
                 "The batch size must be a whole number of labels, at least 1.", "E.g. 50.")
    return out


def _as_costs(value: Any) -> Any:
    """A cost matrix given as ``ErrorCosts`` or as a CSV's text (the dashboard keeps the text); None for none.

    Raises ``ErrorCostInputError`` for text that is no cost matrix."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        from simulations.economics.value_model import parse_cost_matrix

        return parse_cost_matrix(value)
    return value


def check_error_cost_settings(economics: Mapping[str, Any], *, volumes: bool = False) -> list[InputProblem]:
    """The error costs and a target in money, checked as the plan checks them, without the data (empty when fine).

    For front ends that price errors without the plan's volumes (a sweep judges strategies by the error-cost score
    and needs no predictions a month): ``volumes=True`` checks the predictions a month and the model's life too.
    """
    out: list[InputProblem] = []
    _check_error_costs(economics, _needer(out), out, volumes=volumes)
    return out


def _check_error_costs(economics: Mapping[str, Any], need: Any, out: list[InputProblem], *,
                       volumes: bool = True) -> None:
    """The error-cost inputs that need no data: the costs, the volumes (``volumes``), a target in money."""
    from simulations.economics.value_model import ErrorCostInputError

    try:
        matrix = _as_costs(economics.get("cost_matrix"))
    except ErrorCostInputError as exc:
        out.append(InputProblem(field="cost_matrix", message=exc.message, hint=exc.hint))
        return
    miss, alarm = economics.get("cost_missed_positive"), economics.get("cost_false_alarm")
    binary = miss not in (None, "") or alarm not in (None, "")
    if matrix is not None and binary:
        out.append(InputProblem(field="cost_matrix", message="Give the error costs one way: a cost matrix, or the "
                                "costs of a missed positive and a false alarm, not both.", hint="Drop one of the two."))
    elif matrix is None and not binary:
        out.append(InputProblem(field="cost_matrix", message="The error costs are missing.",
                                hint="Give a cost matrix (first column the true class, header row the predicted "
                                     "classes), or the costs of a missed positive and of a false alarm."))
    elif binary:
        m = need("cost_missed_positive", miss, lambda v: v >= 0, "The cost of a missed positive cannot be negative.",
                 "Dollars a missed positive costs, e.g. 500; 0 if nothing.")
        a = need("cost_false_alarm", alarm, lambda v: v >= 0, "The cost of a false alarm cannot be negative.",
                 "Dollars a false alarm costs, e.g. 20; 0 if nothing.")
        if m is not None and a is not None and not max(m, a) > 0:
            out.append(InputProblem(field="cost_missed_positive",
                                    message="A missed positive and a false alarm both cost $0: no error costs "
                                            "anything.",
                                    hint="Give what at least one kind of error costs."))
    if volumes:
        need("predictions_per_month", economics.get("predictions_per_month"), lambda v: v > 0,
             "The predictions a month must be more than 0: with the model's life they give the error costs' "
             "volume.", "How many predictions the model makes a month, e.g. 50000.")
        need("model_life_months", economics.get("model_life_months"), lambda v: v > 0,
             "The model's life must be more than 0 months.", "How long the model will be used, e.g. 24.")
    if economics.get("target_error_cost") not in (None, ""):
        top = _max_cost(economics)
        need("target_error_cost", economics.get("target_error_cost"),
             lambda v: v > 0 and (top is None or v < 1000 * top),
             "The target error cost per 1,000 predictions must be more than $0 and less than the largest cost x "
             f"1,000 ({money(1000 * top) if top else 'n/a'}), which every model stays below.",
             "Dollars of errors per 1,000 predictions to get down to, e.g. 400.")


def _max_cost(economics: Mapping[str, Any]) -> float | None:
    try:
        matrix = _as_costs(economics.get("cost_matrix"))
    except ConfigError:
        return None
    if matrix is not None:
        return float(matrix.max_cost)
    vals = [_number(economics.get(k)) for k in ("cost_missed_positive", "cost_false_alarm")]
    vals = [v for v in vals if v is not None]
    return max(vals) if vals and max(vals) > 0 else None


def error_cost_point_value(economics: Mapping[str, Any]) -> float | None:
    """Dollars per point of the error-cost score (predictions a month x life x largest cost / 100), or None when
    the inputs do not give it."""
    top = _max_cost(economics)
    ppm, life = _number(economics.get("predictions_per_month")), _number(economics.get("model_life_months"))
    return None if top is None or ppm is None or life is None else ppm * life * top / 100.0


def check_error_costs(economics: Mapping[str, Any], classes: Sequence[Any]) -> list[InputProblem]:
    """The error-cost inputs against the data's classes (empty when they fit or no error costs are given).

    A cost matrix must name exactly the data's classes; the binary costs need two classes and a positive one of
    them.
    """
    if economics.get("value_mode") != "error_costs":
        return []
    from simulations.economics.value_model import ErrorCostInputError

    try:
        error_costs_for(economics, classes)
    except ErrorCostInputError as exc:
        return [InputProblem(field=exc.field, message=exc.message, hint=exc.hint)]
    return []


def error_costs_for(economics: Mapping[str, Any], classes: Sequence[Any]) -> Any:
    """The :class:`~simulations.economics.value_model.ErrorCosts` of these inputs, in the data's class order."""
    from simulations.economics.value_model import ErrorCosts, binary_error_costs

    matrix = _as_costs(economics.get("cost_matrix"))
    if matrix is not None:
        m = matrix.aligned(classes)
        names = tuple(str(c) for c in classes)
        return ErrorCosts(classes=names, matrix=tuple(tuple(float(v) for v in r) for r in m), source=matrix.source)
    return binary_error_costs(missed_positive=economics.get("cost_missed_positive"),
                              false_alarm=economics.get("cost_false_alarm"),
                              positive_class=economics.get("positive_class"), classes=classes)


@dataclass(frozen=True, kw_only=True)
class PlanInputs:
    """A plan's validated inputs. Build with :meth:`from_mappings` (every problem at once) or directly.

    Attributes
    ----------
    cost_per_label : float
        Dollars per human label (more than 0).
    production_pool : int
        Unlabeled items the real project could label.
    setup_cost : float
        One-time dollars to set active learning up.
    value_per_point : float, optional
        Dollars per point of the run's score (its metric: balanced accuracy on imbalanced data).
    predictions, cost_per_error : float, optional
        The error-count form of the value: money from plain-accuracy errors avoided over the model's life.
    target : Target
        The score to reach: absolute, or a share of the production pool's (projected) score.
    budget_cap : float, optional
        Most labels the team can buy.
    labels_per_hour : float, optional
    annotators : int
    strategy : str, optional
        The strategy to cost; default: the engine's ranking picks it.
    max_labels : int, optional
        A cap on the labels simulated (default none: the simulation runs until the answer is determined).
    time_cap_seconds : float
        Wall-clock seconds the adaptive simulation may spend.
    retrain_minutes, hours_per_day : float
        The calendar (with ``labels_per_hour``): minutes between two active-learning rounds, working hours a day.
    """

    cost_per_label: float
    production_pool: int
    setup_cost: float = 0.0
    value_per_point: float | None = None
    predictions: float | None = None
    cost_per_error: float | None = None
    target: Target = field(default_factory=Target)
    budget_cap: float | None = None
    labels_per_hour: float | None = None
    annotators: int = 1
    strategy: str | None = None
    max_labels: int | None = None
    time_cap_seconds: float = DEFAULT_TIME_CAP_SECONDS
    retrain_minutes: float = 0.0
    hours_per_day: float = 8.0
    #: What each kind of error costs (``simulations.economics.value_model.ErrorCosts``), or the binary case's two
    #: costs and positive class; with ``predictions_per_month`` and ``model_life_months`` they value accuracy.
    cost_matrix: Any = None
    cost_missed_positive: float | None = None
    cost_false_alarm: float | None = None
    positive_class: str | None = None
    predictions_per_month: float | None = None
    model_life_months: float | None = None
    #: Annual rate the value of shipping earlier is discounted at (0 <= rate < 1).
    discount_rate: float = 0.0
    #: A target in money: expected error cost per 1,000 predictions at or below this (replaces ``target``).
    target_error_cost: float | None = None

    def __post_init__(self) -> None:
        problems = check_plan_inputs(self.economics(), {"kind": self.target.kind, "value": self.target.value})
        if self.value_mode == "error_costs" and (self.value_per_point is not None or self.predictions is not None
                                                 or self.cost_per_error is not None):
            problems.append(InputProblem(field="value_per_point", message="Give the value of accuracy one way: "
                                         "error costs, or a value per point, or predictions and a cost per error.",
                                         hint="Drop one of them."))
        if (self.value_mode != "error_costs" and self.value_per_point is None and self.predictions is None
                and self.cost_per_error is None):
            problems.append(InputProblem(field="value_per_point", message="The value of accuracy is missing.",
                                         hint="Give a value per point (0 counts label costs only), or predictions "
                                              "and a cost per wrong prediction."))
        t = _number(self.time_cap_seconds)
        if t is None or t <= 0:
            problems.append(InputProblem(field="time_cap_seconds", message="The time cap must be more than 0 seconds.",
                                         hint="E.g. 120."))
        if problems:
            raise PlanInputError(problems)

    @property
    def value_mode(self) -> str:
        """``per_point`` (dollars per point of the run's score), ``per_error`` (errors avoided x their cost) or
        ``error_costs`` (a cost per kind of error, with volumes)."""
        if self.cost_matrix is not None or self.cost_missed_positive is not None or self.cost_false_alarm is not None:
            return "error_costs"
        return "per_point" if self.value_per_point is not None else "per_error"

    @property
    def volume(self) -> float | None:
        """Predictions over the model's life (predictions a month x months), or None without both."""
        if self.predictions_per_month is None or self.model_life_months is None:
            return None
        return float(self.predictions_per_month) * float(self.model_life_months)

    @property
    def max_error_cost(self) -> float | None:
        """The largest error cost (the error-cost score's unit), or None without error costs."""
        return _max_cost(self.economics()) if self.value_mode == "error_costs" else None

    def error_costs(self, classes: Sequence[Any]) -> Any:
        """The error costs in the data's class order (raises ``ErrorCostInputError`` when they do not fit)."""
        return error_costs_for(self.economics(), classes)

    def economics(self) -> dict[str, Any]:
        """The money inputs as a mapping (the dashboard's and :func:`check_plan_inputs`' form)."""
        return {
            "cost_per_label": self.cost_per_label, "setup_cost": self.setup_cost, "value_mode": self.value_mode,
            "value_per_point": self.value_per_point, "predictions": self.predictions,
            "cost_per_error": self.cost_per_error, "production_pool": self.production_pool,
            "budget_cap": self.budget_cap, "labels_per_hour": self.labels_per_hour, "annotators": self.annotators,
            "max_labels": self.max_labels, "retrain_minutes": self.retrain_minutes,
            "hours_per_day": self.hours_per_day, "cost_matrix": self.cost_matrix,
            "cost_missed_positive": self.cost_missed_positive, "cost_false_alarm": self.cost_false_alarm,
            "positive_class": self.positive_class, "predictions_per_month": self.predictions_per_month,
            "model_life_months": self.model_life_months, "discount_rate": self.discount_rate,
            "target_error_cost": self.target_error_cost,
        }

    @classmethod
    def from_mappings(cls, economics: Mapping[str, Any], target: Mapping[str, Any], *,
                      strategy: str | None = None,
                      time_cap_seconds: float = DEFAULT_TIME_CAP_SECONDS) -> PlanInputs:
        """Validated inputs from the dashboard's form (raises :class:`PlanInputError` with every problem).

        Any value :func:`check_plan_inputs` accepts is taken, numbers given as text included ("1000.0")."""
        problems = check_plan_inputs(economics, target)
        if problems:
            raise PlanInputError(problems)
        mode = economics.get("value_mode", "per_point")
        per_point = mode == "per_point"
        costs = mode == "error_costs"

        def opt(name: str) -> float | None:
            return None if economics.get(name) in (None, "") else float(economics[name])

        matrix = _as_costs(economics.get("cost_matrix")) if costs else None
        cap = _number(economics.get("budget_cap"))
        lph = _number(economics.get("labels_per_hour"))
        max_labels = _number(economics.get("max_labels"))
        return cls(
            cost_per_label=float(economics["cost_per_label"]), production_pool=int(float(economics["production_pool"])),
            setup_cost=float(economics.get("setup_cost") or 0.0),
            value_per_point=float(economics["value_per_point"]) if per_point else None,
            predictions=None if per_point or costs else float(economics["predictions"]),
            cost_per_error=None if per_point or costs else float(economics["cost_per_error"]),
            cost_matrix=matrix,
            cost_missed_positive=opt("cost_missed_positive") if costs and matrix is None else None,
            cost_false_alarm=opt("cost_false_alarm") if costs and matrix is None else None,
            positive_class=(str(economics["positive_class"]) if costs and economics.get("positive_class")
                            not in (None, "") else None),
            predictions_per_month=opt("predictions_per_month") if costs else None,
            model_life_months=opt("model_life_months"),
            discount_rate=float(economics.get("discount_rate") or 0.0),
            target_error_cost=opt("target_error_cost") if costs else None,
            target=Target(target.get("kind", "share_of_ceiling"), float(target["value"])),
            budget_cap=cap or None, labels_per_hour=lph or None,
            annotators=int(float(economics.get("annotators") or 1)),
            strategy=strategy, max_labels=int(max_labels) if max_labels else None, time_cap_seconds=time_cap_seconds,
            retrain_minutes=float(economics.get("retrain_minutes") or 0.0),
            hours_per_day=float(economics.get("hours_per_day") or 8.0),
        )

    def economic_inputs(self) -> Any:
        """The business case's :class:`~simulations.economics.EconomicInputs` for these inputs."""
        from simulations.economics import EconomicInputs

        # error costs: one point of the error-cost score is the largest cost on 1% of the life's predictions
        vpp = (self.volume * self.max_error_cost / 100.0 if self.value_mode == "error_costs"
               else self.value_per_point)
        return EconomicInputs(
            cost_per_label=self.cost_per_label, production_pool=int(self.production_pool),
            setup_cost=self.setup_cost, value_per_point=vpp, predictions=self.predictions,
            cost_per_error=self.cost_per_error, budget_cap=self.budget_cap, labels_per_hour=self.labels_per_hour,
            annotators=self.annotators,
        )

    @property
    def point_value(self) -> float:
        """Dollars per point: :attr:`EconomicInputs.point_value` (given, or predictions x cost per error / 100)."""
        return float(self.economic_inputs().point_value)
