"""The contract of a stopping criterion, and the seed range every stopping number is reported with.

A criterion looks at the history of one labeling run (one row per round, oldest first) and says whether to
stop after the latest round: ``criterion.stop(history) -> bool``. The history is a mapping of column name to
a 1-D array: the per-round signals of ``docs/engine-contract.md`` (``labels``, ``kappa``, ``changed_share``,
``delta_f``, ``mean_entropy``, ``self_accuracy``, ``query_max_entropy``, ...) plus ``metric``, the test or
validation metric being tracked. The same object serves a simulation (replaying the history round by round,
:meth:`StoppingCriterion.first_stop`) and a live project (asking after each new round).
"""

from __future__ import annotations

import copy
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

#: How a range over seeds is computed; said next to every range in reports and JSON.
RANGE_METHOD = "median over seeds, with the 2.5th and 97.5th percentiles of the seeds (one run's spread)"

History = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class SeedRange:
    """A median over seeds with the 2.5th-97.5th percentile range of the seeds.

    The percentiles describe where one run lands (what a team with one live project faces), not the
    uncertainty of the median. With few seeds they are close to the minimum and maximum.
    """

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Any) -> SeedRange | None:
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        if v.size == 0:
            return None
        lo, med, hi = np.percentile(v, [2.5, 50, 97.5])
        return cls(float(med), float(lo), float(hi), int(v.size))

    def to_dict(self) -> dict[str, float | int]:
        return {"median": self.median, "low": self.low, "high": self.high, "n": self.n}


def range_dict(r: SeedRange | None) -> dict[str, Any] | None:
    return None if r is None else r.to_dict()


def column(history: History, name: str) -> np.ndarray:
    """A history column as a float array; all-NaN when the column is missing."""
    n = len(history["labels"]) if "labels" in history else 0
    if name not in history:
        return np.full(n, np.nan)
    return np.asarray(history[name], dtype=float)


class StoppingCriterion(ABC):
    """A rule that says when to stop labeling, from the history of one run.

    Subclasses set the class attributes and implement :meth:`stop`.

    Attributes
    ----------
    name : str
        Identifier used in reports and JSON, e.g. ``stabilizing_predictions``.
    title : str
        Human name.
    signal : str
        The history column the rule reads.
    needs_labels : bool
        True when the signal needs labeled evaluation data (a validation set). Label-free rules can be
        monitored in a live project at no extra labeling cost.
    binary_only : bool
        Only defined for two-class tasks.
    threshold : float
        The rule's threshold.
    threshold_grid : tuple of float
        Alternative thresholds worth comparing when tuning the rule on a simulation.
    citation : str
    """

    name: str = ""
    title: str = ""
    signal: str = ""
    needs_labels: bool = False
    binary_only: bool = False
    citation: str = ""
    threshold: float = math.nan
    default_threshold: float = math.nan
    threshold_grid: tuple[float, ...] = ()

    @abstractmethod
    def stop(self, history: History) -> bool:
        """True when the run should stop after the latest round of ``history``."""

    @abstractmethod
    def rule(self) -> str:
        """The rule in words with its threshold, e.g. 'mean kappa of the last 3 rounds >= 0.99'."""

    def plain(self) -> str:
        """The rule in words a manager understands."""
        return self.rule()

    def first_stop(self, history: History) -> int | None:
        """Index of the first round after which the rule says stop, or None when it never fires."""
        n = len(history["labels"])
        for i in range(1, n + 1):
            prefix = {k: np.asarray(v)[:i] for k, v in history.items()}
            if self.stop(prefix):
                return i - 1
        return None

    def bind(self, history: History) -> StoppingCriterion:
        """The criterion configured for one complete run (the budget rule reads the run's last label count)."""
        return self

    def applicable(self, history: History, n_classes: int | None = None) -> tuple[bool, str]:
        """Whether the rule can be evaluated on this run, and why not."""
        if self.binary_only and n_classes is not None and n_classes != 2:
            return False, f"defined for two-class tasks only; this task has {n_classes} classes"
        values = column(history, self.signal)
        if not np.any(np.isfinite(values)):
            if self.binary_only:
                return False, f"no '{self.signal}' values were recorded (it exists for two-class tasks only)"
            return False, f"no '{self.signal}' values were recorded"
        return True, ""

    def with_threshold(self, threshold: float) -> StoppingCriterion:
        """A copy with another threshold."""
        other = copy.copy(self)
        other.threshold = float(threshold)
        return other

    @property
    def is_default(self) -> bool:
        return bool(np.isclose(self.threshold, self.default_threshold))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.rule()})"
