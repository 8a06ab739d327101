"""Noisy annotators on the dashboard: the Plan page's inputs (in "Annotators and costs") and the noise panel the
Results, Business case and Stopping pages and the report show, read from the plan (``plan["noise"]``).

The settings are the engine's (``simulations.annotators``); this module only turns widgets into them and shows each
refusal beside its field. The number of annotators is the Plan page's one "Annotators" field: the team labeling in
parallel for the calendar, and, with several error rates, one rate per annotator.
"""

from __future__ import annotations

import io
from typing import Any

import streamlit as st

from simulations.annotators import RELABEL_POLICIES, NoiseInputError, noise_config, parse_error_rates

__all__ = ["RELABEL_LABELS", "annotator_inputs", "check_annotator_inputs", "noise_panel"]

#: How each re-labeling policy reads in the app.
RELABEL_LABELS = {
    "none": "None (one label per item)",
    "majority3": "Majority of 3 (every item labeled 3 times)",
    "disputed": "Re-label disputed items (2 more labels where the model disagrees)",
}
#: Widget key of each noise setting (``NoiseInputError.field``); the page keeps an error slot under each.
WIDGET_FOR = {"annotator_error": "annotator_error", "annotator_confusion": "annotator_confusion",
              "annotators": "annotator_error", "relabel": "relabel", "noise_ambiguity": "noise_ambiguity"}


def annotator_inputs(cfg: dict[str, Any], slots: dict[str, Any]) -> dict[str, Any]:
    """The annotator widgets (call inside the "Annotators and costs" expander of the Plan form).

    Parameters
    ----------
    cfg : dict
        The last simulation settings (``SimulationConfig.to_dict()``): its ``noise`` prefills the widgets.
    slots : dict
        The page's error slots by widget key; one is added under each widget here.

    Returns
    -------
    dict
        The raw values (``error``, ``confusion`` bytes or None, ``confusion_name``, ``relabel``, ``ambiguity``),
        for :func:`check_annotator_inputs`.
    """
    noise = cfg.get("noise") or {}
    rates = noise.get("error_rates") or [0.0]
    a, b = st.columns(2)
    error = a.text_input(
        "Annotator error rate", value=", ".join(f"{100 * r:g}%" for r in rates), key="annotator_error",
        help="Share of labels annotators get wrong, from 0% up to (not including) 50%: one rate (e.g. 5%), or one "
             "per annotator separated by commas (5%, 10%, 20%: set Annotators to 3). 0% is a perfect oracle.")
    slots["annotator_error"] = a.empty()
    upload = b.file_uploader(
        "Or a confusion matrix (CSV)", type=["csv"], key="annotator_confusion",
        help="First column the true class, header the classes given, each row summing to 1: how often items of "
             "each class get each label. Replaces the error rate.")
    slots["annotator_confusion"] = b.empty()
    a, b = st.columns(2)
    policies = list(RELABEL_POLICIES)
    relabel = a.selectbox(
        "Re-labeling", policies, index=policies.index(noise.get("relabel", "none")), key="relabel",
        format_func=RELABEL_LABELS.get,
        help="Majority of 3 pays three labels per item; re-labeling disputed items pays two more labels for each "
             "item whose label the model disagrees with. Every paid label is counted in labels and money.")
    slots["relabel"] = a.empty()
    ambiguity = b.checkbox(
        "Errors concentrate on ambiguous items", value=bool(noise.get("ambiguity", False)), key="noise_ambiguity",
        help="An item's error rate rises with how unsure a model trained on all the data is about it (the mean rate "
             "stays as given): where active learning picks, people err most.")
    slots["noise_ambiguity"] = b.empty()
    return {"error": error, "confusion": None if upload is None else upload.getvalue(),
            "confusion_name": None if upload is None else upload.name, "relabel": relabel,
            "ambiguity": bool(ambiguity)}


def check_annotator_inputs(raw: dict[str, Any], *, annotators: int,
                           class_names: Any = None) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The noise settings for the run (``NoiseConfig.to_dict()``, None for a perfect oracle) and the problems by
    widget key (empty when all are usable).

    Parameters
    ----------
    raw : dict
        :func:`annotator_inputs`' values.
    annotators : int
        The page's "Annotators" field.
    class_names : sequence, optional
        The data's classes, to check a confusion matrix against.
    """
    try:
        upload = raw.get("confusion")
        rates = parse_error_rates(raw["error"]) if upload is None and raw.get("error") else ()
        if len(rates) > 1 and annotators != len(rates):  # the engine refuses it too; here in the page's words
            raise NoiseInputError("annotators", f"{len(rates)} error rates were given for {annotators} annotator(s).",
                                  f"Set Annotators to {len(rates)}, or give one rate that everyone shares.")
        noise = noise_config(error=(raw.get("error") or None) if upload is None else None,
                             confusion_path=None if upload is None else io.BytesIO(upload),
                             confusion_source=raw.get("confusion_name"),
                             # the team's size is checked with the calendar's inputs; one is the engine's default
                             annotators=annotators if annotators > 1 else None,
                             relabel=raw["relabel"], ambiguity=raw["ambiguity"])
        if noise is not None and noise.confusion is not None and class_names is not None:
            noise.check_classes(class_names)
        if noise is None or (noise.is_noise_free and noise.relabel == "none"):
            return None, {}
    except NoiseInputError as exc:
        return None, {WIDGET_FOR.get(exc.field, "annotator_error"): f"{exc.message} {exc.hint}".strip()}
    return noise.to_dict(), {}


def noise_panel(a: dict[str, Any], where: Any = st) -> None:
    """The plan's noise sentence and figures (nothing for a run without noisy annotators)."""
    n = (a.get("plan") or {}).get("noise")
    if not n:
        return
    box = where.container(border=True)
    box.markdown("**Noisy annotators**")
    box.write(n["sentence"])
    sav = (n.get("saving") or {}).get("share") or {}
    ref = ((n.get("reference") or {}).get("saving") or {}).get("share") or {}
    change = (n.get("change") or {}).get("share_points") or {}

    def iv(d: dict[str, Any], signed: bool = False) -> str:
        if d.get("median") is None:
            return "n/a"
        f = "{:+.0f}" if signed else "{:.0f}"
        return (f.format(100 * d["median"]) + (" pts" if signed else "%")
                + f" ({f.format(100 * d['low'])} to {f.format(100 * d['high'])})")

    c1, c2, c3 = box.columns(3)
    unit = "paid labels" if n.get("labels_unit") == "paid" else "labels"
    c1.metric(f"Saving under noise (share of random's {unit})", iv(sav))
    c2.metric("Saving with perfect labels (same seeds)", iv(ref))
    c3.metric("Change (percentage points)", iv(change, signed=True))
    level = (change or {}).get("confidence") or (sav or {}).get("confidence")
    ranges = f"{level:.0%} ranges" if level else "ranges"  # the order-statistic interval's own level (few seeds: less)
    box.caption(f"Medians over seeds with {ranges}; the change is paired seed by seed. "
                + ("Label counts and money count every paid label, re-labels included. " if unit == "paid labels"
                   else "") + "The test set keeps its true labels: noise only touches what the model trains on.")
