"""What a run is judged by: the metric (the default for the class balance, or the one requested) and the target.

:mod:`simulations.summary` re-exports every name, so ``from simulations.summary import ...`` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd

from simulations.errors import ConfigError

if TYPE_CHECKING:
    from simulations.results import SimulationResult

METRIC_NAMES = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "macro_f1": "macro-F1"}
#: Scores a plan may be computed in besides the run's metrics: the error-cost score
#: (``simulations.economics.value_model``, 1 - expected error cost / the largest cost) when errors are priced.
SCORE_NAMES = {**METRIC_NAMES, "error_cost_score": "error-cost score"}
#: The data is imbalanced when its smallest class holds less than this share of an equal split (1 / number of
#: classes): 20% of the rows with 2 classes, 13.3% with 3, 4% with 10. A fixed 20% would call ten equal classes
#: (10% each) imbalanced.
IMBALANCE_SHARE_OF_EQUAL = 0.40


def choose_metric(class_counts: pd.Series | dict) -> tuple[str, str]:
    """The default metric for a class distribution, and the reason in plain words."""
    counts = pd.Series(class_counts, dtype=float)
    share = counts.min() / counts.sum()
    limit = IMBALANCE_SHARE_OF_EQUAL / max(len(counts), 1)
    if share < limit:
        return "balanced_accuracy", (
            f"Balanced accuracy (mean recall per class), because the smallest class is {share:.1%} of the rows "
            f"(under {limit:.1%}, {IMBALANCE_SHARE_OF_EQUAL:.0%} of an equal share among {len(counts)} classes): "
            f"always predicting the majority class would already score {counts.max() / counts.sum():.1%} plain "
            "accuracy."
        )
    return "accuracy", (f"Accuracy, because classes are reasonably balanced (smallest class {share:.1%} of the rows, "
                        f"{len(counts)} classes).")



def run_metric(class_counts: pd.Series | dict, requested: str | None = None) -> tuple[str, str]:
    """The metric a run is judged by and why: the ``requested`` one, else :func:`choose_metric`'s default.

    One rule for ``run_simulation`` and sweep tasks: the metric also decides ``class_weight="auto"``.
    """
    if requested is not None:
        return requested, f"{METRIC_NAMES[requested].capitalize()}, as requested."
    return choose_metric(class_counts)



@dataclass(frozen=True)
class Target:
    """A performance target.

    kind : ``"share_of_ceiling"`` (value x whole-pool model's score), ``"absolute"`` (the value itself),
        or ``"share_of_gap"`` (majority-class baseline + value x (ceiling - baseline)).
    value : float
    """

    kind: Literal["share_of_ceiling", "absolute", "share_of_gap"] = "share_of_ceiling"
    value: float = 0.95

    def __post_init__(self) -> None:
        if self.kind not in ("share_of_ceiling", "absolute", "share_of_gap"):
            raise ConfigError(f"Unknown target kind '{self.kind}'.",
                              hint="Use share_of_ceiling, absolute or share_of_gap.")
        if not (0 < self.value <= 1):
            raise ConfigError(f"The target must be a fraction in (0, 1] (got {self.value}).",
                              hint="E.g. 0.95 for 95% of the full-data score, or 0.9 for 90% accuracy.")

    def describe(self, metric: str) -> str:
        m = SCORE_NAMES.get(metric, metric)
        if self.kind == "absolute":
            return f"{m} of {self.value:.1%}"
        if self.kind == "share_of_ceiling":
            return f"{self.value:.0%} of the full-data {m}"
        return f"{self.value:.0%} of the way from the majority-class baseline to the full-data {m}"

    def value_for(self, ceiling: float, baseline: float) -> float:
        if self.kind == "absolute":
            return self.value
        if self.kind == "share_of_ceiling":
            return self.value * ceiling
        return baseline + self.value * (ceiling - baseline)



def _resolve_metric(result: SimulationResult, metric: str | None) -> str:
    metric = metric or result.metric
    if metric not in SCORE_NAMES:
        raise ConfigError(f"Unknown metric '{metric}'.", hint=f"Use one of: {', '.join(METRIC_NAMES)}.")
    return metric
