"""The business-case formulas: every output of a case from the plans' labels and accuracies, vectorized.

:func:`case_fields` computes each number of :data:`CASE_FIELDS` for arrays of plans (one entry per seed);
the point case, the range over seeds and the sensitivity tables all call it. ``_probe_bounds`` says which
outputs a censored label count turns into bounds.

Cost model (see ``docs/business-case.md``; the formulas follow the "Calculating ROI" example of the
source article summarised in the project's reference notes, *stopping-and-curves.md*):

- random label cost      = labels_random * cost_per_label
- AL label cost          = labels_al * cost_per_label
- AL total cost          = AL label cost + setup_cost + round_overhead * rounds
- cost savings           = random label cost - AL total cost           (net of setup and overhead)
- value increase         = (accuracy_al - accuracy_random) * 100 * value_per_point
- total benefit          = cost savings + value increase
- ROI                    = total benefit / AL total cost                (a fraction: 1.667 = 166.7 %)

``value_per_point`` is dollars per accuracy *percentage point* over the model's life. It can be given
directly or as ``predictions * cost_per_error / 100``: one point of accuracy is one wrong prediction
fewer per hundred, so over ``predictions`` predictions it avoids ``predictions / 100`` errors (the
error-cost form of the cost-based stopping objective, C(t) = cost_per_label * t + error(t) *
predictions * cost_per_error, in the same notes).

Worked example (reproduced exactly by ``tests/test_business_case.py``): a $50,000 budget at $2.50 a
label buys 20,000 random labels; AL needs 40 % of them, 8,000 labels = $20,000, plus $10,000 setup =
$30,000; accuracy 88 % -> 91 % at $10,000 a point = $30,000 more value; cost savings $20,000; total
benefit $50,000; ROI = 50,000 / 30,000 = 166.7 %.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulations.economics.inputs import EconomicInputs

__all__ = ["CASE_FIELDS", "case_fields"]

#: Numeric outputs shared by :class:`BusinessCase` and :class:`BusinessCaseRange`, in report order.
CASE_FIELDS: tuple[str, ...] = (
    "labels_random",
    "labels_al",
    "labels_saved",
    "labels_saved_share",
    "accuracy_random",
    "accuracy_al",
    "accuracy_gain_points",
    "random_label_cost",
    "al_label_cost",
    "al_rounds",
    "al_overhead_cost",
    "al_total_cost",
    "cost_savings",
    "value_increase",
    "total_benefit",
    "roi",
    "break_even_labels",
    "break_even_share",
    "payback_labels",
    "hours_random",
    "hours_al",
    "hours_saved",
    "payback_hours",
    "whole_pool_labels",
    "whole_pool_label_cost",
    "whole_pool_accuracy",
    "whole_pool_cost_savings",
    "whole_pool_value_increase",
    "whole_pool_total_benefit",
    "whole_pool_roi",
    "whole_pool_break_even_pool",
    "whole_pool_hours_saved",
)

_HOUR_FIELDS = frozenset(
    {"hours_random", "hours_al", "hours_saved", "payback_hours", "whole_pool_hours_saved"}
)


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with x/0 = +-inf (x != 0) and 0/0 = nan, without warnings."""
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num.shape, np.nan)
    nz = den != 0
    out[nz] = num[nz] / den[nz]
    out[~nz & (num > 0)] = np.inf
    out[~nz & (num < 0)] = -np.inf
    return out


def _rounds_for(labels_al: np.ndarray, inputs: EconomicInputs, al_rounds: np.ndarray | None) -> np.ndarray:
    if inputs.rounds is not None:
        return np.full(labels_al.shape, float(inputs.rounds))
    if inputs.batch_size is not None:
        return np.ceil(labels_al / float(inputs.batch_size))
    if al_rounds is not None:
        return np.broadcast_to(np.asarray(al_rounds, float), labels_al.shape).copy()
    return np.zeros(labels_al.shape)


def case_fields(
    labels_random: Any,
    labels_al: Any,
    accuracy_random: Any,
    accuracy_al: Any,
    accuracy_whole_pool: Any,
    inputs: EconomicInputs,
    al_rounds: Any = None,
    price_factors: tuple[Any, Any] | None = None,
) -> dict[str, np.ndarray]:
    """Every output of :data:`CASE_FIELDS` for arrays of plans (no validation).

    The formulas of the cost model in this module's docstring, applied elementwise: one entry per plan pair
    (usually one per seed). Inputs are not checked; :func:`~simulations.economics.case.business_case_over_seeds`
    checks them first.

    Parameters
    ----------
    labels_random, labels_al : array_like of float, shape (n,) or broadcastable to it
        Labels the random plan and the AL plan buy.
    accuracy_random, accuracy_al : array_like of float, shape (n,) or broadcastable to it
        Accuracy (fraction, 0-1) each plan ends with.
    accuracy_whole_pool : array_like of float, shape (n,) or broadcastable to it
        Accuracy of the model trained on the whole pool (the second baseline).
    inputs : EconomicInputs
        Costs and the value of accuracy.
    al_rounds : array_like of float, shape (n,) or broadcastable to it, optional
        AL rounds per plan; used only when ``inputs`` sets neither ``rounds`` nor ``batch_size``
        (None: no rounds, so no round overhead).
    price_factors : (array_like, array_like) of float, each shape (n,), optional
        With unequal item costs: what one label of the random plan and of the AL plan cost, as multiples of
        ``inputs.cost_per_label`` (the spend the simulation recorded to the target, over labels x cost per label),
        so each plan's label cost is its real spend. None (default): every label costs ``cost_per_label``.

    Returns
    -------
    dict of str to ndarray, each of shape (n,)
        One array per name of :data:`CASE_FIELDS`, in that order. Hour fields are NaN without
        ``inputs.labels_per_hour``; divisions by zero give +-inf (x/0) or NaN (0/0).

    Examples
    --------
    >>> import numpy as np
    >>> inputs = EconomicInputs(cost_per_label=2.5, production_pool=100_000, setup_cost=10_000,
    ...                         value_per_point=10_000)
    >>> out = case_fields(labels_random=np.array([20_000.0]), labels_al=np.array([8_000.0]),
    ...                   accuracy_random=np.array([0.88]), accuracy_al=np.array([0.91]),
    ...                   accuracy_whole_pool=np.array([0.91]), inputs=inputs)
    >>> round(float(out["roi"][0]), 3)
    1.667
    """
    lr, la, ar, aa, awp = (
        np.asarray(x, float)
        for x in np.broadcast_arrays(labels_random, labels_al, accuracy_random, accuracy_al, accuracy_whole_pool)
    )
    c = float(inputs.cost_per_label)
    v = inputs.point_value
    pool = float(inputs.production_pool)
    rounds = _rounds_for(la, inputs, al_rounds)
    overhead = rounds * float(inputs.round_overhead)
    fixed = float(inputs.setup_cost) + overhead

    out: dict[str, np.ndarray] = {}
    out["labels_random"] = lr
    out["labels_al"] = la
    out["labels_saved"] = lr - la
    out["labels_saved_share"] = _div(lr - la, lr)
    out["accuracy_random"] = ar
    out["accuracy_al"] = aa
    # rounded to 1e-9 points so that 0.91 - 0.88 is exactly 3 points (float noise is not a dollar figure)
    gain = np.round((aa - ar) * 100.0, 9)
    out["accuracy_gain_points"] = gain
    # each plan's price per label: one price, or (unequal item costs) the plan's own spend per label
    cr, ca = (c, c) if price_factors is None else (c * np.asarray(price_factors[0], float),
                                                   c * np.asarray(price_factors[1], float))
    out["random_label_cost"] = lr * cr
    out["al_label_cost"] = la * ca
    out["al_rounds"] = rounds
    out["al_overhead_cost"] = overhead
    al_total = la * ca + fixed
    out["al_total_cost"] = al_total
    savings = lr * cr - al_total
    out["cost_savings"] = savings
    value = gain * v
    out["value_increase"] = value
    benefit = savings + value
    out["total_benefit"] = benefit
    out["roi"] = _div(benefit, al_total)
    # label saving at which total benefit is exactly zero: saved * c + value - fixed = 0
    # (a label saved is one of random's labels not bought: at random's price)
    out["break_even_labels"] = _div(fixed - value, np.broadcast_to(cr, lr.shape).astype(float))
    # the share AL must save: 0 when it pays off without saving any (a negative share is not a share)
    out["break_even_share"] = _div(np.maximum(out["break_even_labels"], 0.0), lr)
    # fixed costs repaid by the label saving, which accrues at c * saved / labels_al per AL label
    saved = lr - la
    payback = np.where(fixed <= 0, 0.0, np.inf)
    if price_factors is None:
        ok = (fixed > 0) & (saved > 0) & (c > 0)
        payback = np.where(ok, _div(fixed * la, np.where(ok, c * saved, 1.0)), payback)
    else:  # the money saved, not the labels saved, repays the fixed costs
        money_saved = lr * cr - la * ca
        ok = (fixed > 0) & (money_saved > 0)
        payback = np.where(ok, _div(fixed * la, np.where(ok, money_saved, 1.0)), payback)
    out["payback_labels"] = payback

    tp = inputs.throughput
    nan = np.full(lr.shape, np.nan)
    out["hours_random"] = lr / tp if tp else nan
    out["hours_al"] = la / tp if tp else nan
    out["hours_saved"] = (lr - la) / tp if tp else nan
    out["payback_hours"] = payback / tp if tp else nan

    out["whole_pool_labels"] = np.full(lr.shape, pool)
    out["whole_pool_label_cost"] = np.full(lr.shape, pool * c)
    out["whole_pool_accuracy"] = awp
    wp_savings = pool * c - al_total
    out["whole_pool_cost_savings"] = wp_savings
    wp_value = np.round((aa - awp) * 100.0, 9) * v
    out["whole_pool_value_increase"] = wp_value
    out["whole_pool_total_benefit"] = wp_savings + wp_value
    out["whole_pool_roi"] = _div(wp_savings + wp_value, al_total)
    # smallest pool at which AL beats labeling everything: pool * c = al_total - wp_value; a pool must hold
    # the AL plan's own labels, so never below them (a negative pool size is not a size)
    out["whole_pool_break_even_pool"] = np.maximum(_div(al_total - wp_value, np.full(lr.shape, c)), la)
    out["whole_pool_hours_saved"] = (pool - la) / tp if tp else nan
    return out


def _probe_bounds(
    lr: np.ndarray,
    la: np.ndarray,
    ar: np.ndarray,
    aa: np.ndarray,
    awp: np.ndarray,
    inputs: EconomicInputs,
    al_rounds: np.ndarray | None,
    random_censored: np.ndarray,
    al_censored: np.ndarray,
    base: dict[str, np.ndarray],
    price_factors: tuple[Any, Any] | None = None,
) -> dict[str, np.ndarray]:
    """Per seed and field: '' (exact), 'lower', 'upper' or 'unknown'.

    A censored label count is a lower bound: the true count lies in [given, production_pool]. Every
    output is monotone in each label count on that interval (linear or a ratio of linear terms), so
    evaluating it at the ends and the middle tells whether it became a lower bound, an upper bound,
    or is unknown (moves both ways when both counts are censored).
    """
    pool = float(inputs.production_pool)
    n = lr.shape[0]
    probes_r = [lr] if not random_censored.any() else [lr, (lr + pool) / 2, np.full(n, pool)]
    probes_a = [la] if not al_censored.any() else [la, (la + pool) / 2, np.full(n, pool)]
    up = {k: np.zeros(n, bool) for k in base}
    down = {k: np.zeros(n, bool) for k in base}
    for pr in probes_r:
        pr = np.where(random_censored, np.maximum(pr, lr), lr)
        for pa in probes_a:
            pa = np.where(al_censored, np.maximum(pa, la), la)
            probe = case_fields(pr, pa, ar, aa, awp, inputs, al_rounds, price_factors)
            for k, b in base.items():
                p = probe[k]
                with np.errstate(invalid="ignore"):
                    tol = 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(b), b, 0.0)))
                    up[k] |= (p > b + tol) | (np.isnan(p) & ~np.isnan(b))
                    down[k] |= (p < b - tol) | (np.isnan(p) & ~np.isnan(b))
    out = {}
    for k in base:
        kind = np.full(n, "", dtype=object)
        kind[up[k] & ~down[k]] = "lower"
        kind[down[k] & ~up[k]] = "upper"
        kind[up[k] & down[k]] = "unknown"
        out[k] = kind
    return out
