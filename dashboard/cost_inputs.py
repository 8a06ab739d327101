"""The Plan page's item-cost inputs (inside its "Annotators and costs" section): what one label of each item costs.

Widgets only: the costs are the engine's :class:`simulations.costs.ItemCosts`, checked by the engine against the
data (:func:`cost_problems`), each problem shown beside the widget it concerns.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from simulations.costs import ItemCostError, ItemCosts, parse_class_costs
from simulations.datasets import Dataset

#: How the item costs are given (the selectbox's options).
SOURCES = {"none": "One price per label (the cost per label above)", "column": "A column of the data",
           "length": "From text length", "class": "By class"}
#: The widget (its slot) beside which each ItemCosts field's problem is shown.
WIDGET_FOR = {"column": "cost_column", "per_word": "cost_per_word", "per_character": "cost_per_character",
              "base": "cost_base", "by_class": "cost_by_class", "text_column": "cost_per_word"}
_SLOTS: dict[str, Any] = {}


def _source_of(saved: dict[str, Any] | None) -> str:
    if not saved:
        return "none"
    if saved.get("column"):
        return "column"
    if saved.get("per_word") is not None or saved.get("per_character") is not None:
        return "length"
    return "class"


def chosen_column(saved: dict[str, Any] | None) -> str | None:
    """The cost column the widgets below hold (their state, else the saved costs'), or None when costs come from
    elsewhere.

    Read before the data is loaded: the page gives this column the role ``id`` (never a feature, never judged as a
    label leak), as ``labelwise simulate --cost-column`` does, so a price set by class is not refused by intake.
    """
    saved = saved or {}
    source = st.session_state.get("cost_source", _source_of(saved))
    column = st.session_state.get("cost_column", saved.get("column"))
    return str(column) if source == "column" and column else None


def cost_inputs(saved: dict[str, Any] | None, dataset: Dataset | None,
                columns: list[str] | None = None) -> dict[str, Any] | None:
    """Draw the item-cost widgets (inside a form: every field shows, the chosen source's are used).

    Parameters
    ----------
    saved : dict or None
        The last item costs (``ItemCosts.to_dict()``), or None for one price per label.
    dataset : Dataset or None
        The data chosen above (its columns and classes are offered).
    columns : list of str, optional
        The columns to offer as the cost column instead of the dataset's (an upload's: offered even when intake
        refused the file, e.g. a price that follows the class, which choosing it as the cost column fixes).

    Returns
    -------
    dict or None
        ``{"source": ..., fields}`` as typed (checked by :func:`cost_problems`, made engine settings by
        :func:`item_costs_from`), or None for one price per label.
    """
    saved = saved or {}
    st.markdown("**Item costs**: when some items cost more to label than others (long texts, expert classes).")
    sources = list(SOURCES)
    a, b, c = st.columns(3)
    source = a.selectbox("Item costs from", sources, index=sources.index(_source_of(saved)), key="cost_source",
                         format_func=lambda s: SOURCES[s],
                         help="With item costs each plan is priced by the items it labels: money to the target, "
                              "not labels x one price. The cost per label above is then replaced by the items' "
                              "average.")
    if columns is None:
        columns = [] if dataset is None else [col for col in dataset.frame.columns if col != dataset.label]
    col_options = ["", *columns]
    column = b.selectbox("Cost column (money per label)", col_options,
                         index=col_options.index(saved.get("column")) if saved.get("column") in col_options else 0,
                         key="cost_column", help="A column holding what one label of each row costs. It is never "
                                                 "used as a feature, nor judged as a column that leaks the label "
                                                 "(a price set by class is fine).")
    _SLOTS["cost_column"] = b.empty()
    by_class = c.text_input("Cost by class", value=", ".join(f"{k}={v:g}" for k, v in saved.get("by_class") or ()),
                            key="cost_by_class", placeholder="spam=0.50, ham=0.20",
                            help="Money per label for each class, as class=cost separated by commas.")
    _SLOTS["cost_by_class"] = c.empty()
    a, b, c = st.columns(3)
    per_word = a.number_input("Cost per word ($)", value=float(saved.get("per_word") or 0.0), step=0.001,
                              format="%.3f", key="cost_per_word",
                              help="With costs from text length: money per word of the item's text.")
    _SLOTS["cost_per_word"] = a.empty()
    per_character = b.number_input("Cost per character ($)", value=float(saved.get("per_character") or 0.0),
                                   step=0.0001, format="%.4f", key="cost_per_character",
                                   help="With costs from text length: money per character (0 to cost words only).")
    _SLOTS["cost_per_character"] = b.empty()
    base = c.number_input("Base cost per label ($)", value=float(saved.get("base") or 0.0), step=0.01,
                          format="%.2f", key="cost_base",
                          help="Added to the length cost of every label; by class, the cost of classes not listed.")
    _SLOTS["cost_base"] = c.empty()
    if source == "none":
        return None
    return {"source": source, "column": column or None, "by_class": by_class, "per_word": per_word,
            "per_character": per_character, "base": base}


def item_costs_from(typed: dict[str, Any] | None) -> ItemCosts | None:
    """The engine's item costs for what :func:`cost_inputs` returned (raises :class:`ItemCostError`)."""
    if not typed:
        return None
    source = typed["source"]
    if source == "column":
        if not typed.get("column"):
            raise ItemCostError("Choose the column that holds the cost of each row.",
                                hint="Pick it under 'Cost column'.", field="column")
        return ItemCosts(column=typed["column"])
    if source == "length":
        return ItemCosts(per_word=float(typed.get("per_word") or 0.0),
                         per_character=float(typed["per_character"]) if typed.get("per_character") else None,
                         base=float(typed.get("base") or 0.0))
    return ItemCosts(by_class=parse_class_costs(typed.get("by_class") or ""), base=float(typed.get("base") or 0.0))


def cost_problems(typed: dict[str, Any] | None, dataset: Dataset | None) -> dict[str, str]:
    """Widget key -> what is wrong with the item costs (the engine's checks, on the data); empty when usable."""
    try:
        costs = item_costs_from(typed)
        if costs is not None and dataset is not None:
            costs.row_costs(dataset)
    except ItemCostError as exc:
        return {WIDGET_FOR.get(exc.field, "cost_column"): f"{exc.message} {exc.hint}".strip()}
    return {}


def show_cost_problems(problems: dict[str, str]) -> None:
    """Each problem beside its widget (call after :func:`cost_inputs` drew them)."""
    for key, text in problems.items():
        slot = _SLOTS.get(key)
        if slot is not None:
            slot.error(text, icon=":material/error:")
