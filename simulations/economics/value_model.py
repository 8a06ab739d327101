"""What an error costs: the value model behind the plan's money.

Three ways to value accuracy, the first two as before:

* **value per point** (``value_per_point``): dollars per point of the run's score, the simple default;
* **predictions x cost per error**: every wrong prediction costs the same;
* **error costs** (:class:`ErrorCosts`): a cost matrix ``C[i, j]``, the dollars of predicting class j when the
  truth is i (from a CSV, or the binary case as a missed positive and a false alarm), with the predictions a month
  and the model's life in months.

The engine records each round's test-set confusion counts (``cm_<i>_<j>``), so any curve can be read as the
**expected error cost per prediction** ``sum_ij P(true i, predicted j) x C[i, j]``. Assumption: production sees
the test set's class mix. To reuse the whole plan (labels to target, business case, cost-optimal stop) unchanged,
the cost is put on a 0-1 score, the **error-cost score** ``1 - cost / max(C)``, higher is better, and one point of
it is worth ``predictions a month x model life x max(C) / 100`` dollars. With ``C`` = 1 off the diagonal the score
is plain accuracy and the point value is ``predictions x 1 / 100``: the "predictions x cost per error" money exactly.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulations.errors import ConfigError
from simulations.money import money

__all__ = [
    "COST_SCORE",
    "WORKING_DAYS_PER_MONTH",
    "ErrorCostInputError",
    "ErrorCosts",
    "binary_error_costs",
    "cost_per_prediction",
    "cost_score_target",
    "error_cost_at",
    "error_cost_curves",
    "has_confusion",
    "read_cost_matrix",
    "time_value",
    "with_cost_score",
]

#: The rounds' and ceilings' column holding the error-cost score (1 - expected error cost / the largest cost).
COST_SCORE = "error_cost_score"
#: Working days in a month (5 days x 52.18 weeks / 12), to turn the calendar's working days into months.
WORKING_DAYS_PER_MONTH = 21.75


class ErrorCostInputError(ConfigError):
    """An error-cost input the plan cannot use; ``field`` names it (``cost_matrix``, ``positive_class``...)."""

    def __init__(self, message: str, hint: str, *, field: str) -> None:
        super().__init__(message, hint)
        self.field = field


@dataclass(frozen=True, kw_only=True)
class ErrorCosts:
    """Dollars per prediction of class j when the truth is class i.

    Attributes
    ----------
    classes : tuple of str
        The class names, in the order of ``matrix``'s rows and columns.
    matrix : tuple of tuple of float, shape (n_classes, n_classes)
        ``matrix[i][j]``: the cost of predicting ``classes[j]`` for an item of ``classes[i]``; all >= 0, some > 0.
    source : str
        Where the costs came from, in words.
    """

    classes: tuple[str, ...]
    matrix: tuple[tuple[float, ...], ...]
    source: str = ""

    def __post_init__(self) -> None:
        k = len(self.classes)
        if k < 2 or len(self.matrix) != k or any(len(row) != k for row in self.matrix):
            raise ErrorCostInputError(
                f"The cost matrix must be square, one row and one column per class ({k} classes), got "
                f"{len(self.matrix)} rows.", "First column: the true class; header row: the predicted classes.",
                field="cost_matrix")
        if len(set(self.classes)) != k:
            raise ErrorCostInputError("The cost matrix names a class twice.", "Name each class once.",
                                      field="cost_matrix")
        a = np.asarray(self.matrix, dtype=float)
        if not np.isfinite(a).all() or (a < 0).any():
            raise ErrorCostInputError("Costs in the cost matrix must be dollars, zero or more.",
                                      "Write 0 where a prediction costs nothing (usually the diagonal).",
                                      field="cost_matrix")
        if not a.max() > 0:
            raise ErrorCostInputError("Every cost in the cost matrix is 0: no error would cost anything.",
                                      "Put the dollars of each kind of wrong prediction off the diagonal.",
                                      field="cost_matrix")

    @property
    def max_cost(self) -> float:
        """The largest cost: the error-cost score's unit (a score of 0 is that cost on every prediction)."""
        return float(np.max(self.matrix))

    def aligned(self, classes: Any) -> np.ndarray:
        """The matrix in the order of a run's classes, shape (k, k).

        Raises
        ------
        ErrorCostInputError
            The matrix names a class the data lacks, or lacks one the data has.
        """
        names = [str(c) for c in classes]
        unknown = [c for c in self.classes if c not in names]
        missing = [c for c in names if c not in self.classes]
        if unknown or missing:
            parts = ([f"classes the data does not have: {', '.join(map(repr, unknown))}"] if unknown else []) + \
                ([f"no row and column for {', '.join(map(repr, missing))}"] if missing else [])
            raise ErrorCostInputError(
                f"The cost matrix does not match the data's classes ({'; '.join(parts)}).",
                f"Use exactly the data's classes as the first column and the header: {', '.join(names)}.",
                field="cost_matrix")
        order = [self.classes.index(c) for c in names]
        return np.asarray(self.matrix, dtype=float)[np.ix_(order, order)]

    def to_dict(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "matrix": [list(r) for r in self.matrix], "source": self.source}

    def describe(self) -> str:
        """The costs in one line for the assumptions."""
        if self.source:
            return self.source
        cells = [f"true {t} predicted {p}: {money(self.matrix[i][j], cents=True)}"
                 for i, t in enumerate(self.classes) for j, p in enumerate(self.classes) if self.matrix[i][j]]
        return "error costs: " + "; ".join(cells)


def _cost(text: str, where: str) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise ErrorCostInputError(f"The cost at {where} is not a number ({text!r}).",
                                  "Write dollars, e.g. 120 or 0.5 (no currency sign).", field="cost_matrix") from None
    if not math.isfinite(v) or v < 0:
        raise ErrorCostInputError(f"The cost at {where} is {text!r}: costs must be zero or more dollars.",
                                  "Write 0 where a prediction costs nothing.", field="cost_matrix")
    return v


def read_cost_matrix(path: str | Path) -> ErrorCosts:
    """A cost matrix from a CSV: first column the true class, header row the predicted classes.

    Raises
    ------
    ErrorCostInputError
        Unreadable file, wrong shape, non-numeric or negative costs, a predicted class without a true-class row.
    """
    path = Path(path)
    hint = "A CSV whose first column holds the true class and whose header row names the predicted classes."
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ErrorCostInputError(f"Cannot read the cost matrix {path} ({exc}).", hint, field="cost_matrix") from None
    return parse_cost_matrix(text, source=f"cost matrix {path.name}")


def parse_cost_matrix(text: str, *, source: str = "cost matrix") -> ErrorCosts:
    """:func:`read_cost_matrix` of a CSV's text (the dashboard's upload)."""
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    hint = "First column: the true class; header row: the predicted classes, in any order, every class once."
    if len(rows) < 3:
        raise ErrorCostInputError("The cost matrix needs a header row and a row per class (two classes at least).",
                                  hint, field="cost_matrix")
    predicted = [c.strip() for c in rows[0][1:]]
    true = [r[0].strip() for r in rows[1:]]
    if any(len(r) != len(rows[0]) for r in rows[1:]):
        raise ErrorCostInputError("The cost matrix's rows have different numbers of cells.", hint, field="cost_matrix")
    if len(true) != len(predicted) or sorted(true) != sorted(predicted):
        raise ErrorCostInputError(
            f"The cost matrix is {len(true)} x {len(predicted)} with true classes {true} and predicted classes "
            f"{predicted}: it must be square with the same classes both ways.", hint, field="cost_matrix")
    order = [predicted.index(c) for c in true]
    matrix = tuple(tuple(_cost(r[1 + j], f"true {t!r}, predicted {true[n]!r}") for n, j in enumerate(order))
                   for t, r in zip(true, rows[1:], strict=True))
    return ErrorCosts(classes=tuple(true), matrix=matrix, source=source)


def binary_error_costs(*, missed_positive: float, false_alarm: float, positive_class: Any,
                       classes: Any) -> ErrorCosts:
    """The binary case: a missed positive (truth positive, predicted negative) and a false alarm (the reverse).

    Raises
    ------
    ErrorCostInputError
        No positive class, one the data lacks, data with other than two classes, negative costs.
    """
    names = [str(c) for c in classes]
    if positive_class is None or str(positive_class).strip() == "":
        raise ErrorCostInputError("The costs of a missed positive and a false alarm need the positive class.",
                                  f"Name the positive class, one of: {', '.join(names)}.", field="positive_class")
    if len(names) != 2:
        raise ErrorCostInputError(
            f"A missed positive and a false alarm describe two classes; the data has {len(names)}.",
            "Give a cost matrix instead (a CSV: first column the true class, header row the predicted classes).",
            field="cost_matrix")
    pos = str(positive_class)
    if pos not in names:
        raise ErrorCostInputError(f"The positive class {pos!r} is not one of the data's classes.",
                                  f"Choose one of: {', '.join(names)}.", field="positive_class")
    miss = _cost(missed_positive, "a missed positive")
    alarm = _cost(false_alarm, "a false alarm")
    neg = next(c for c in names if c != pos)
    return ErrorCosts(classes=(pos, neg), matrix=((0.0, miss), (alarm, 0.0)),
                      source=f"a missed {pos} costs {money(miss, cents=True)}, a false alarm (predicted {pos}, "
                             f"truly {neg}) {money(alarm, cents=True)}")


def _cm_columns(k: int, prefix: str = "") -> list[str]:
    return [f"{prefix}cm_{i}_{j}" for i in range(k) for j in range(k)]


def has_confusion(frame: pd.DataFrame, k: int, prefix: str = "") -> bool:
    """Whether a rounds or ceilings table holds the confusion counts (results saved before them do not)."""
    return all(c in frame.columns for c in _cm_columns(k, prefix))


def _need_confusion(frame: pd.DataFrame, k: int, prefix: str = "") -> np.ndarray:
    if not has_confusion(frame, k, prefix):
        raise ErrorCostInputError(
            "These results were saved before Labelwise recorded confusion matrices, so error costs cannot be read "
            "off them.", "Run the simulation again (labelwise simulate --out FILE) to price errors.",
            field="cost_matrix")
    return frame[_cm_columns(k, prefix)].to_numpy(float).reshape(len(frame), k, k)


def cost_per_prediction(frame: pd.DataFrame, matrix: np.ndarray, prefix: str = "") -> np.ndarray:
    """Expected error cost per prediction of each row: sum_ij P(true i, predicted j) C[i, j], shape (n_rows,)."""
    k = matrix.shape[0]
    cm = _need_confusion(frame, k, prefix)
    return (cm * matrix).sum(axis=(1, 2)) / cm.sum(axis=(1, 2))


def _score(frame: pd.DataFrame, matrix: np.ndarray, prefix: str = "") -> np.ndarray:
    """1 - cost / max(C), computed as sum cm (max - C) / (n max) so that C = 1 off the diagonal gives accuracy
    bit for bit (the trace over n, as ``score_predictions`` computes it)."""
    k = matrix.shape[0]
    cm = _need_confusion(frame, k, prefix)
    top = float(matrix.max())
    return (cm * (top - matrix)).sum(axis=(1, 2)) / (cm.sum(axis=(1, 2)) * top)


def cost_score_target(per_1000: float, max_cost: float) -> float:
    """The error-cost score a target in money means: "expected error cost per 1,000 predictions at or below
    ``per_1000`` dollars" is "score at or above ``1 - per_1000 / 1000 / max_cost``" (the score falls as cost rises;
    ``max_cost`` is :attr:`ErrorCosts.max_cost`)."""
    return 1.0 - float(per_1000) / 1000.0 / float(max_cost)


def with_cost_score(result: Any, costs: ErrorCosts) -> Any:
    """The results with the error-cost score as their metric (rounds, ceiling and baseline columns added).

    Raises
    ------
    ErrorCostInputError
        The classes do not match, or the results have no confusion counts (saved before they were recorded).
    """
    matrix = costs.aligned((result.meta or {}).get("classes") or [])
    rounds = result.rounds.copy()
    rounds[COST_SCORE] = _score(rounds, matrix)
    ceilings = result.ceilings.copy()
    ceilings[COST_SCORE] = _score(ceilings, matrix)
    ceilings[f"baseline_{COST_SCORE}"] = _score(ceilings, matrix, "baseline_")
    meta = {**result.meta, "metric": COST_SCORE, "metric_reason": "Expected error cost, from the cost matrix.",
            "run_metric": result.metric}
    return replace(result, rounds=rounds, ceilings=ceilings, meta=meta)


def error_cost_curves(result: Any, costs: ErrorCosts) -> pd.DataFrame:
    """Expected error cost per 1,000 predictions at every simulated label count, per strategy, over seeds.

    Returns
    -------
    DataFrame with columns strategy, labels, median, low, high, n_seeds (dollars per 1,000 predictions; the
    interval is :func:`simulations.stats.median_interval`'s order-statistic interval of the median).
    """
    from simulations.stats import median_interval

    matrix = costs.aligned((result.meta or {}).get("classes") or [])
    r = result.rounds[["strategy", "seed", "labels"]].copy()
    r["cost"] = 1000.0 * cost_per_prediction(result.rounds, matrix)
    rows = []
    for (strategy, labels), g in r.groupby(["strategy", "labels"], sort=True):
        mi = median_interval(g["cost"].to_numpy(float))
        rows.append({"strategy": strategy, "labels": int(labels), "median": mi.median, "low": mi.low,
                     "high": mi.high, "n_seeds": len(g)})
    return pd.DataFrame(rows, columns=["strategy", "labels", "median", "low", "high", "n_seeds"])


def error_cost_at(result: Any, costs: ErrorCosts, strategy: str, labels: float) -> tuple[np.ndarray, bool]:
    """Each seed's expected error cost per 1,000 predictions at ``labels`` (interpolated between rounds).

    Returns
    -------
    values : ndarray, shape (n_seeds,)
    beyond : bool
        True when ``labels`` lies beyond the last simulated round (the last round's cost is used: a bound).
    """
    matrix = costs.aligned((result.meta or {}).get("classes") or [])
    sub = result.rounds[result.rounds["strategy"] == strategy]
    cost = 1000.0 * cost_per_prediction(sub, matrix)
    out, beyond = [], False
    for seed in sorted(sub["seed"].unique()):
        m = (sub["seed"] == seed).to_numpy()
        x = sub.loc[m, "labels"].to_numpy(float)
        y = cost[m]
        o = np.argsort(x)
        beyond = beyond or labels > x[o][-1]
        out.append(float(np.interp(labels, x[o], y[o])))
    return np.asarray(out), beyond


def time_value(*, monthly_value: float, al_days: float, random_days: float,
               discount_rate: float = 0.0) -> dict[str, float]:
    """The value of shipping sooner: the model earns ``monthly_value`` a month from the day its labels are done.

    Active learning ships at month ``a = al_days / 21.75``, random sampling at ``b``; the months in between are
    earned only with active learning: ``monthly_value x (b - a)``, or discounted continuously at the annual rate,
    ``monthly_value x integral_a^b exp(-d t) dt`` with ``d = ln(1 + rate) / 12``.

    Returns
    -------
    dict
        ``months_earlier``, ``monthly_value``, ``value`` (dollars; negative when active learning ships later),
        ``discount_rate``.
    """
    a = float(al_days) / WORKING_DAYS_PER_MONTH
    b = float(random_days) / WORKING_DAYS_PER_MONTH
    d = math.log1p(float(discount_rate)) / 12.0
    factor = (b - a) if d == 0 else (math.exp(-d * a) - math.exp(-d * b)) / d
    return {"months_earlier": b - a, "monthly_value": float(monthly_value), "value": float(monthly_value) * factor,
            "discount_rate": float(discount_rate)}
