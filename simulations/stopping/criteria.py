"""Stopping criteria for pool-based active learning, with the defaults of the literature.

Label-free criteria read signals the model produces on unlabeled data (a fixed random "stop set" drawn from
the pool, or the queried batch) and cost nothing extra in a live project. Two rules need labels or a budget:
:class:`ValidationPlateau` reads a labeled validation curve, :class:`Budget` fires at the last round.

Pullar-Strecker et al. (2022, "Hitting the target: stopping active learning at the cost-based optimum")
compared 13 criteria on 9 datasets x 30 splits: none won everywhere, stabilizing predictions and
classification change were the most reliable, and several criteria often never stopped at all. A rule that
never fires is therefore reported as never firing, never replaced by the budget.
"""

from __future__ import annotations

import operator

import numpy as np

from simulations.errors import ConfigError
from simulations.stopping.base import History, StoppingCriterion, column


def _check_window(window: int) -> int:
    if int(window) != window or window < 1:
        raise ConfigError(f"A stopping window must be a positive whole number of rounds (got {window}).",
                          hint="Use e.g. 3 rounds.")
    return int(window)


def _check_threshold(value: float, lo: float, hi: float, what: str) -> float:
    value = float(value)
    if not (np.isfinite(value) and lo <= value <= hi):
        raise ConfigError(f"The {what} threshold must be between {lo} and {hi} (got {value}).",
                          hint="Leave it out to use the default from the literature.")
    return value


class _RecentSignalRule(StoppingCriterion):
    """A rule on the last ``window`` values of one per-round signal, compared with ``threshold``.

    Five criteria differ only in the signal, how its recent values are summarised, the comparison and the
    words, so those are class attributes here and the rule is evaluated once, in :meth:`stop`. The rule
    fires only once ``window`` values are recorded and all of them are finite.

    Attributes
    ----------
    window : int
        Rounds the rule looks back over (1: the latest round only).
    summary : {"each", "mean"}
        ``"each"``: every one of the recent values must pass; ``"mean"``: their mean must.
    compare : {"<", "<=", ">="}
        How a value (or the mean) is compared with ``threshold``.
    rule_template, plain_template : str
        :meth:`rule` and :meth:`plain`, formatted with ``threshold`` and ``window``.
    """

    window: int = 1
    summary: str = "each"
    compare: str = "<"
    rule_template: str = ""
    plain_template: str = ""

    def stop(self, history: History) -> bool:
        v = column(history, self.signal)[-self.window:]
        if len(v) < self.window or not np.all(np.isfinite(v)):
            return False
        passes = _COMPARISONS[self.compare]
        if self.summary == "mean":
            return bool(passes(float(np.mean(v)), self.threshold))
        return bool(np.all(passes(v, self.threshold)))

    def rule(self) -> str:
        return self.rule_template.format(threshold=self.threshold, window=self.window)

    def plain(self) -> str:
        return self.plain_template.format(threshold=self.threshold, window=self.window)


_COMPARISONS = {"<": operator.lt, "<=": operator.le, ">=": operator.ge}


class StabilizingPredictions(_RecentSignalRule):
    """Stabilizing predictions (Bloodgood & Vijay-Shanker 2009).

    Stop when the mean Cohen's kappa between the predictions of successive models on the stop set, over the
    last ``window`` rounds, is at least ``threshold`` (defaults k = 3, T = 0.99). Kappa above T bounds the
    F-measure difference of two successive models by 4(1 - T) / T (Bloodgood & Grothendieck 2015).
    """

    name = "stabilizing_predictions"
    title = "Stabilizing predictions"
    signal = "kappa"
    citation = "Bloodgood & Vijay-Shanker 2009"
    default_threshold = 0.99
    threshold_grid = (0.95, 0.97, 0.98, 0.99, 0.995, 0.999)
    summary = "mean"
    compare = ">="
    rule_template = "mean kappa between successive models over the last {window} rounds >= {threshold:g}"
    plain_template = ("the model's predictions stop changing between rounds (agreement kappa of at least "
                      "{threshold:g} over {window} rounds)")

    def __init__(self, threshold: float = 0.99, window: int = 3) -> None:
        self.threshold = _check_threshold(threshold, -1.0, 1.0, "kappa")
        self.window = _check_window(window)


class ClassificationChange(_RecentSignalRule):
    """Classification change (Zhu, Wang & Hovy 2008).

    Stop when the share of stop-set predictions that changed since the previous round is at most
    ``threshold`` (default 0.0: no prediction changed).
    """

    name = "classification_change"
    title = "Classification change"
    signal = "changed_share"
    citation = "Zhu et al. 2008"
    default_threshold = 0.0
    threshold_grid = (0.0, 0.001, 0.0025, 0.005, 0.01, 0.02)
    compare = "<="
    rule_template = "share of stop-set predictions that changed since the last round <= {threshold:g}"
    plain_template = "at most {threshold:.1%} of predictions on a fixed unlabeled sample change between rounds"

    def __init__(self, threshold: float = 0.0) -> None:
        self.threshold = _check_threshold(threshold, 0.0, 1.0, "changed-share")

    def plain(self) -> str:
        if self.threshold == 0:
            return "no prediction on a fixed sample of unlabeled items changes between rounds"
        return super().plain()


class OverallUncertainty(_RecentSignalRule):
    """Overall uncertainty (Zhu, Wang & Hovy 2008).

    Stop when the mean normalized entropy (entropy / ln K) of the model on the stop set falls below
    ``threshold`` (default 0.05 as in small-text; Zhu et al. used 0.01).
    """

    name = "overall_uncertainty"
    title = "Overall uncertainty"
    signal = "mean_entropy"
    citation = "Zhu et al. 2008"
    default_threshold = 0.05
    threshold_grid = (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)
    rule_template = "mean normalized entropy on the stop set < {threshold:g}"
    plain_template = "the model's average uncertainty on unlabeled items drops below {threshold:g} (0 to 1 scale)"

    def __init__(self, threshold: float = 0.05) -> None:
        self.threshold = _check_threshold(threshold, 0.0, 1.0, "mean-entropy")


class MaxConfidence(_RecentSignalRule):
    """Max confidence (Zhu, Wang & Hovy 2008).

    Stop when the normalized entropy of the most uncertain example of the batch selected next is below
    ``threshold`` (default 0.001): even the hardest remaining example looks certain to the model. The signal
    is recorded when a batch is selected, so this rule cannot fire after the last round.
    """

    name = "max_confidence"
    title = "Max confidence"
    signal = "query_max_entropy"
    citation = "Zhu et al. 2008"
    default_threshold = 0.001
    threshold_grid = (0.001, 0.01, 0.05, 0.1, 0.2, 0.3)
    rule_template = "entropy of the most uncertain queried example < {threshold:g}"
    plain_template = ("even the most uncertain item picked for labeling looks certain (uncertainty below "
                      "{threshold:g})")

    def __init__(self, threshold: float = 0.001) -> None:
        self.threshold = _check_threshold(threshold, 0.0, 1.0, "max-entropy")


class PerformanceConvergence(StoppingCriterion):
    """Performance convergence (Laws & Schütze 2008).

    The model's own accuracy estimate on unlabeled data (``self_accuracy``: mean max class probability on the
    stop set) is tracked; stop when its gradient over the last ``window`` rounds (default 10) falls below
    ``threshold`` (default 5e-5) in absolute value. The gradient is the least-squares slope of the estimate
    against labels, so it is per label. A steeply falling estimate (common early on, when a tiny model is
    overconfident) is not convergence, hence the absolute value.
    """

    name = "performance_convergence"
    title = "Performance convergence"
    signal = "self_accuracy"
    citation = "Laws & Schütze 2008"
    default_threshold = 5e-5
    threshold_grid = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4)

    def __init__(self, threshold: float = 5e-5, window: int = 10) -> None:
        self.threshold = _check_threshold(threshold, 0.0, 1.0, "gradient")
        self.window = _check_window(window)
        if self.window < 2:
            raise ConfigError("The performance-convergence window needs at least 2 rounds.",
                              hint="Use the default of 10 rounds.")

    def stop(self, history: History) -> bool:
        y = column(history, self.signal)[-self.window:]
        x = column(history, "labels")[-self.window:]
        if len(y) < self.window or not (np.all(np.isfinite(y)) and np.all(np.isfinite(x))) or np.ptp(x) == 0:
            return False
        return abs(slope_per_label(x, y)) < self.threshold

    def rule(self) -> str:
        return (f"|slope| of the model's own accuracy estimate over the last {self.window} rounds "
                f"< {self.threshold:g} per label")

    def plain(self) -> str:
        return (f"the model's own accuracy estimate changes by less than {self.threshold * 1e5:.3g} points per "
                f"1,000 labels over the last {self.window} rounds")


def slope_per_label(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y against x."""
    xc = x - x.mean()
    return float(np.sum(xc * (y - y.mean())) / np.sum(xc**2))


class PredictedChangeF(_RecentSignalRule):
    """Predicted change of F (Altschuler & Bloodgood 2019), two-class tasks only.

    DeltaF = 1 - 2a / (2a + b + c) between successive models on the stop set (a: both predict the positive
    class, b and c: the two kinds of disagreement). Stop when all of the last ``window`` values (default 3)
    are below ``threshold`` (default 0.05). Not applicable to multiclass tasks.
    """

    name = "predicted_change_f"
    title = "Predicted change of F"
    signal = "delta_f"
    binary_only = True
    citation = "Altschuler & Bloodgood 2019"
    default_threshold = 0.05
    threshold_grid = (0.005, 0.01, 0.02, 0.05, 0.1)
    rule_template = "predicted change of F below {threshold:g} in each of the last {window} rounds"
    plain_template = "the predicted change in F-score stays below {threshold:g} for {window} rounds in a row"

    def __init__(self, threshold: float = 0.05, window: int = 3) -> None:
        self.threshold = _check_threshold(threshold, 0.0, 1.0, "delta-F")
        self.window = _check_window(window)


class ValidationPlateau(StoppingCriterion):
    """Plateau of a labeled validation curve (needs labels).

    Stop when the best metric of the last ``window`` rounds beats the best before them by less than
    ``threshold`` (default: less than 0.005, half a percentage point, over 4 rounds). Unlike the rules above it
    needs a labeled validation set in a live project; in the simulation it reads the test curve, which makes it
    look better than it would be with a small validation set.
    """

    name = "validation_plateau"
    title = "Validation plateau"
    signal = "metric"
    needs_labels = True
    citation = "plateau / early-stopping rule on a held-out curve"
    default_threshold = 0.005
    threshold_grid = (0.001, 0.0025, 0.005, 0.01, 0.02)

    def __init__(self, threshold: float = 0.005, window: int = 4) -> None:
        self.threshold = _check_threshold(threshold, 0.0, 1.0, "plateau")
        self.window = _check_window(window)

    def gain(self, history: History) -> float:
        """Best of the last ``window`` rounds minus the best before them (NaN when too short)."""
        y = column(history, self.signal)
        if len(y) <= self.window:
            return float("nan")
        before, recent = y[: -self.window], y[-self.window:]
        if not (np.any(np.isfinite(before)) and np.any(np.isfinite(recent))):
            return float("nan")
        return float(np.nanmax(recent) - np.nanmax(before))

    def stop(self, history: History) -> bool:
        g = self.gain(history)
        return bool(np.isfinite(g)) and g < self.threshold

    def rule(self) -> str:
        return (f"validation metric improved by less than {self.threshold:g} over the last {self.window} "
                f"rounds (needs a labeled validation set)")

    def plain(self) -> str:
        return (f"the score on a labeled validation set improves by less than {self.threshold * 100:.2g} points "
                f"over {self.window} rounds")


class Budget(StoppingCriterion):
    """The labeling budget: stop at the last planned round (at ``budget`` labels). Always fires there."""

    name = "budget"
    title = "Budget"
    signal = "labels"
    citation = "the plan's label budget"

    def __init__(self, budget: float | None = None) -> None:
        self.budget = budget
        self.threshold = float("nan") if budget is None else float(budget)
        self.default_threshold = self.threshold

    def bind(self, history: History) -> StoppingCriterion:
        if self.budget is not None:
            return self
        labels = column(history, "labels")
        return Budget(float(np.nanmax(labels))) if len(labels) else self

    def stop(self, history: History) -> bool:
        labels = column(history, "labels")
        return self.budget is not None and len(labels) > 0 and float(labels[-1]) >= self.budget

    def rule(self) -> str:
        return "the label budget is used up" if self.budget is None else f"labels >= {self.budget:,.0f}"

    def plain(self) -> str:
        return "the label budget is used up"


def default_criteria() -> list[StoppingCriterion]:
    """Every criterion with its literature defaults, the most reliable first (Pullar-Strecker et al. 2022)."""
    return [
        StabilizingPredictions(),
        ClassificationChange(),
        OverallUncertainty(),
        MaxConfidence(),
        PerformanceConvergence(),
        PredictedChangeF(),
        ValidationPlateau(),
        Budget(),
    ]


CRITERIA: dict[str, type[StoppingCriterion]] = {
    c.name: c
    for c in (StabilizingPredictions, ClassificationChange, OverallUncertainty, MaxConfidence,
              PerformanceConvergence, PredictedChangeF, ValidationPlateau, Budget)
}
