"""The labeling calendar: how many working days each plan takes, and the schedule of active-learning rounds.

Random sampling labels its items in one go: its days are its labels over the team's throughput. Active learning
labels in rounds (the simulated schedule's batches, continued by the same rule past what was simulated) and retrains
between them while the annotators wait, so each round costs its batch's labeling time plus the retraining minutes.
A day is ``hours_per_day`` working hours of the whole team.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from simulations.config import label_schedule
from simulations.errors import ConfigError

__all__ = ["CalendarInputs", "labeling_calendar", "rounds_frame"]


@dataclass(frozen=True, kw_only=True)
class CalendarInputs:
    """How fast the team labels.

    Attributes
    ----------
    labels_per_hour : float
        Labels one annotator makes per hour (more than 0).
    annotators : int
        Annotators labeling in parallel.
    retrain_minutes : float
        Minutes between two active-learning rounds (retrain, score the pool, hand out the batch); 0 if negligible.
    hours_per_day : float
        Working hours in a day.
    """

    labels_per_hour: float
    annotators: int = 1
    retrain_minutes: float = 0.0
    hours_per_day: float = 8.0

    def __post_init__(self) -> None:
        for name, value, ok, hint in (
                ("labels_per_hour", self.labels_per_hour, lambda v: v > 0, "Labels per annotator-hour, e.g. 60."),
                ("annotators", self.annotators, lambda v: v >= 1 and v == int(v), "A whole number, at least 1."),
                ("retrain_minutes", self.retrain_minutes, lambda v: v >= 0, "Minutes per round, 0 if negligible."),
                ("hours_per_day", self.hours_per_day, lambda v: 0 < v <= 24, "Working hours a day, e.g. 8.")):
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"{name} must be a number (got {value!r}).", hint=hint) from None
            if not (math.isfinite(v) and ok(v)):
                raise ConfigError(f"{name} is out of range (got {value!r}).", hint=hint)

    @property
    def team_labels_per_hour(self) -> float:
        return float(self.labels_per_hour) * int(self.annotators)


def labeling_calendar(*, labels_al: float, labels_random: float, initial_labels: int, growth: float,
                      batch_size: int | None, cost_per_label: float, setup_cost: float,
                      inputs: CalendarInputs) -> dict[str, Any]:
    """Working days of both plans and the active-learning rounds.

    Parameters
    ----------
    labels_al, labels_random : float
        The plans' labels (the plan's medians over seeds).
    initial_labels : int
        Labels the first model starts from (labeled in round 0, before any retraining).
    growth, batch_size
        The simulation's schedule rule (``SimulationConfig``), continued past what was simulated.
    cost_per_label, setup_cost : float
        For the cumulative spend (setup paid before round 1).
    inputs : CalendarInputs

    Returns
    -------
    dict
        ``al_days``, ``random_days``, ``days_saved`` and ``rounds``: records of round, batch, labels (cumulative),
        spend (cumulative dollars), day (working days since the start, at the round's end).
    """
    rate = inputs.team_labels_per_hour
    day_hours = float(inputs.hours_per_day)
    end = max(math.ceil(labels_al), int(initial_labels))
    counts = label_schedule(int(initial_labels), end, batch_size=batch_size, growth=growth)
    rows, hours, previous = [], 0.0, 0
    for i, labels in enumerate(int(c) for c in counts):
        batch = labels - previous
        hours += batch / rate + (inputs.retrain_minutes / 60.0 if i > 0 else 0.0)
        rows.append({"round": i, "batch": batch, "labels": labels,
                     "spend": labels * float(cost_per_label) + float(setup_cost), "day": hours / day_hours})
        previous = labels
    al_days = hours / day_hours
    random_days = float(labels_random) / rate / day_hours
    return {"al_days": al_days, "random_days": random_days, "days_saved": random_days - al_days,
            "rounds": rows, "assumptions": (
                f"{inputs.labels_per_hour:g} labels an hour x {int(inputs.annotators)} annotator(s), "
                f"{inputs.hours_per_day:g} working hours a day, {inputs.retrain_minutes:g} minutes between "
                "active-learning rounds; random sampling labels in one go")}


def rounds_frame(calendar: dict[str, Any]) -> pd.DataFrame:
    """The rounds as a table (for CSV export)."""
    return pd.DataFrame(calendar["rounds"], columns=["round", "batch", "labels", "spend", "day"])
