"""The Plan page's "What an error costs" inputs: widgets only; the rules and the money are the engine's
(``simulations.plan.inputs`` checks them, ``simulations.economics.value_model`` prices the errors).

Binary data gets the two common fields (a missed positive, a false alarm) and the positive class; any data can give
a cost matrix as CSV text (first column the true class, header row the predicted classes), which multi-class data
needs. The volumes (predictions a month, the model's life), the discount rate for the value of shipping sooner and an
optional target in money complete it.

With the simple value modes (a value per point, or predictions x a cost per wrong prediction) only the model's life and
the discount rate are asked (:func:`time_value_inputs`): they give the value of shipping sooner, nothing else.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

__all__ = ["FIELDS", "matrix_template", "render", "time_value_inputs", "use_matrix_toggle"]

#: The engine inputs this section sets; each is also the widget's key, so a refused one is shown beside it.
FIELDS = ("cost_matrix", "cost_missed_positive", "cost_false_alarm", "positive_class", "predictions_per_month",
          "model_life_months", "discount_rate", "target_error_cost")


def matrix_template(classes: list[str]) -> str:
    """A cost matrix CSV with $1 off the diagonal (plain accuracy's money), to edit."""
    head = ",".join(["true \\ predicted", *classes])
    rows = [",".join([c, *("0" if c == d else "1" for d in classes)]) for c in classes]
    return "\n".join([head, *rows])


def use_matrix_toggle(econ: dict[str, Any], classes: list[str]) -> bool:
    """Outside the form (so the choice shows at once): a full cost matrix, or binary data's two costs."""
    if len(classes) != 2:
        return True
    return bool(st.toggle(
        "Price errors with a full cost matrix", value=isinstance(econ.get("cost_matrix"), str), key="use_cost_matrix",
        help="Binary data needs only a missed positive's and a false alarm's cost; a matrix prices every (true, "
             "predicted) pair."))


def render(econ: dict[str, Any], slots: dict[str, Any], classes: list[str], *, use_matrix: bool) -> dict[str, Any]:
    """Draw the section inside the Plan form; returns the economics keys it sets (the rest of the form's keys are
    the page's).

    Parameters
    ----------
    econ : dict
        The last economics inputs (their values prefill the widgets).
    slots : dict
        The page's places for a message under each input; this section adds its own.
    classes : list of str
        The data's classes (empty when no data is loaded yet).
    use_matrix : bool
        :func:`use_matrix_toggle`'s answer.
    """
    st.subheader("What an error costs", divider="gray")
    st.caption("Each kind of wrong prediction has its own price: the plan reads every simulated model's test-set "
               "confusion matrix as an expected error cost per prediction (assuming production sees the test set's "
               "class mix), and the business case and the stop work in that money.")
    out: dict[str, Any] = {k: None for k in FIELDS}
    a, b, c = st.columns(3)
    if use_matrix:
        text = econ.get("cost_matrix") if isinstance(econ.get("cost_matrix"), str) else matrix_template(classes)
        out["cost_matrix"] = st.text_area(
            "Cost matrix (CSV, dollars)", value=text, key="cost_matrix", height=120,
            help="First column: the true class; header row: the predicted classes; each cell the dollars that "
                 "prediction costs (0 or more; usually 0 on the diagonal).")
        slots["cost_matrix"] = st.empty()
    else:
        out["cost_missed_positive"] = a.number_input(
            "Cost of a missed positive ($)", value=float(econ.get("cost_missed_positive") or 100.0), step=10.0,
            key="cost_missed_positive", help="What it costs when a positive item is predicted negative (a missed "
                                             "fraud, an unflagged harmful post).")
        slots["cost_missed_positive"] = a.empty()
        out["cost_false_alarm"] = b.number_input(
            "Cost of a false alarm ($)", value=float(econ.get("cost_false_alarm") or 5.0), step=1.0,
            key="cost_false_alarm", help="What it costs when a negative item is predicted positive (an analyst's "
                                         "review, an appeal).")
        slots["cost_false_alarm"] = b.empty()
        pos = econ.get("positive_class")
        out["positive_class"] = c.selectbox(
            "Positive class", classes, index=classes.index(pos) if pos in classes else len(classes) - 1,
            key="positive_class", help="The class whose misses cost the 'missed positive' amount.")
        slots["positive_class"] = c.empty()
    a, b, c = st.columns(3)
    out["predictions_per_month"] = a.number_input(
        "Predictions per month", value=float(econ.get("predictions_per_month") or 10_000.0), step=1000.0,
        format="%.0f", key="predictions_per_month", help="How many predictions the model makes a month.")
    slots["predictions_per_month"] = a.empty()
    out["model_life_months"] = b.number_input(
        "Model life (months)", value=float(econ.get("model_life_months") or 12.0), step=1.0, format="%.0f",
        key="model_life_months", help="How long the model will be used; with the predictions a month it gives "
                                      "the volume every error cost is multiplied by.")
    slots["model_life_months"] = b.empty()
    rate = econ.get("discount_rate")
    out["discount_rate"] = c.number_input(
        "Discount rate (% a year)", value=float(rate or 0.0) * 100, step=1.0, format="%.1f", key="discount_rate",
        help="Discounts the value of shipping sooner (a separate line, on top of the label savings); 0 for none.")
    slots["discount_rate"] = c.empty()
    out["discount_rate"] = (out["discount_rate"] or 0.0) / 100.0
    out["target_error_cost"] = a.number_input(
        "Target: error cost per 1,000 predictions ($, 0 = use the score target)",
        value=float(econ.get("target_error_cost") or 0.0), step=10.0, key="target_error_cost",
        help="Plan to reach an expected error cost at or below this many dollars per 1,000 predictions (and stay "
             "there) instead of the score target.")
    slots["target_error_cost"] = a.empty()
    out["target_error_cost"] = out["target_error_cost"] or None
    return out


def time_value_inputs(econ: dict[str, Any], slots: dict[str, Any]) -> dict[str, Any]:
    """The model's life and the discount rate for the simple value modes (inside the Plan form).

    They sit with the value of accuracy, not with the calendar: the value given is the model's value over its life,
    and the life turns it into a value a month, which the engine multiplies by the months active learning ships
    earlier (the calendar's working days, so a throughput is needed too). A life of 0 asks for no time value.

    Returns
    -------
    dict
        ``model_life_months`` (None when 0) and ``discount_rate`` (a fraction), economics keys for the engine's
        checks and :class:`~simulations.plan.PlanInputs`.
    """
    st.markdown("**Value of shipping sooner** (optional, on top of the label savings): the value above is over the "
                "model's life; give the life to get it a month, and with a throughput the plan prices the months "
                "active learning reaches the target earlier.")
    # Own widget keys: the error-cost section's life (default 12, 0 refused) keeps its own value across a switch
    # of the value mode; a refusal is still shown beside this field (slots are keyed by the engine's field).
    # A life saved with error costs is not carried over: the time value here is asked for, never on by default.
    simple = econ.get("value_mode") in ("per_point", "per_error")
    a, b, _ = st.columns(3)
    life = a.number_input(
        "Model life (months, 0 = no time value)",
        value=float(econ.get("model_life_months") or 0.0) if simple else 0.0, step=1.0,
        format="%.0f", key="time_model_life_months",
        help="How long the model will be used. The monthly value of the model is the value of the points it gains "
             "over no model at the target, spread over its life; 0 leaves the time value out.")
    slots["model_life_months"] = a.empty()
    rate = b.number_input(
        "Discount rate (% a year)", value=float(econ.get("discount_rate") or 0.0) * 100 if simple else 0.0,
        step=1.0, format="%.1f", key="time_discount_rate",
        help="Discounts the value of shipping sooner (a separate line, on top of the label savings); 0 for none.")
    slots["discount_rate"] = b.empty()
    return {"model_life_months": life or None, "discount_rate": (rate or 0.0) / 100.0}
