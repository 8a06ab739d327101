"""The Stopping page's body: the curve with the cost-optimal stop, marginal value, the criteria table.

Drawn from ``analysis["stopping"]``, which ``dashboard.state.stopping_analysis`` fills from
``simulations.stopping`` once that engine module is installed.
"""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import charts, fmt, stopping_glue, tables, views

#: The live chart's y axis: the user's own validation score, not the simulation's test set.
LIVE_Y_TITLE = "Your validation score (%)"


def render(a: dict[str, Any], *, key: str = "stop") -> None:
    if a.get("stopping_error"):
        views.show_error(stopping_glue.dashboard_error(a["stopping_error"]))
        return
    stop = a.get("stopping")
    if not stop:
        st.info("The stopping analysis is not available in this version of the engine "
                "(simulations.stopping is not installed yet).", icon=":material/info:")
        return
    if stop.get("no_signal_warning"):  # before the plan: no stopping point buys anything when nothing is learned
        st.error(f"**{stop['no_signal_warning']}** No stopping point pays on these data: more labels from them buy "
                 "nothing until the data is fixed.", icon=":material/block:")
    plan = a.get("plan") or {}
    if plan:  # the plan's stop, the figure every page and the report give
        values = tables.plan_tile_values(plan)
        cols = st.columns(3)
        for col, title in zip(cols, ("Labels to target", "Stop at", "Labels saved"), strict=True):
            head, rng = values[title]
            col.metric(title, head, border=True)
            if rng:
                col.caption(rng)
        if plan.get("how_many_sentence"):
            st.markdown(f"**How many labels.** {plan['how_many_sentence']}")
        if plan.get("error_cost"):  # the stop in the money of errors: where a label stops removing its cost
            from dashboard import error_cost_view

            error_cost_view.render(a, key=key, chart=False)
    if stop.get("sentence"):
        st.success(f"**{stop['sentence']}**", icon=":material/front_hand:")
    if stop.get("comparison"):
        st.markdown(stop["comparison"])
    if stop.get("note"):
        st.caption(stop["note"])
    fs = stop.get("fitted_stop") or {}
    # one strategy per scenario: the plan's, the same the business case costs and `labelwise stop` advises on
    st.caption(f"Strategy: {charts.strategy_label(stop.get('strategy', ''))} ({stop.get('strategy_chosen_by', '')}). "
               f"Cost-optimal stop: the label count where the labeling cost minus the value of accuracy is lowest "
               f"on each simulated run ({stop.get('range_method', '')}). "
               + _fitted_stop_text(stop, fs))
    curve = pd.DataFrame(stop.get("curve") or [])
    if not curve.empty:
        rec = stop.get("recommended_range")
        views.chart(charts.stopping_chart(curve, stop_at=stop.get("stop_at"),
                                          recommended=tuple(rec) if rec else None,
                                          metric_label=a.get("metric_label", "accuracy"),
                                          strategy=stop.get("strategy")),
                    "The curve of the strategy you would use (mean over the simulated runs, shaded: its 95% range). "
                    "Orange line: the median cost-optimal stop of those runs; green band: the range of those stops, "
                    "the labels to plan for.", key=f"{key}_curve")
    marginal = pd.DataFrame(stop.get("marginal") or [])
    if not marginal.empty:
        views.chart(charts.marginal_value_chart(
            marginal, cost_per_label=float(stop.get("cost_per_label")
                                           or (a.get("economics") or {}).get("cost_per_label") or 0.0),
            strategy=stop.get("strategy")),
            "Value of one more label, from the slope of the fitted curve and the value of an accuracy point.",
            key=f"{key}_marginal")
    crit = stop.get("criteria") or []
    if crit:
        st.subheader("Stopping rules")
        st.dataframe(rules_table(crit), hide_index=True, width="stretch", column_config=RULES_COLUMNS)
        st.caption("Where each label-free stopping rule fires, in how many repetitions, and the regret: the money "
                   "lost against the cost-optimal stop.")
        with st.expander("How each rule decides"):
            st.markdown("\n".join(f"- {line}" for line in rules_definitions(crit)))


#: The Stopping rules table: short columns only, so it fits a narrow page; each rule's definition and note (long
#: text that cut the table's last column off) are listed under it by :func:`rules_definitions`.
RULES_COLUMNS = {
    "Rule": st.column_config.TextColumn("Rule", pinned=True, help="A label-free stopping rule; how it decides is "
                                        "listed under the table."),
    "Stops at (labels)": st.column_config.TextColumn(
        "Stops at (labels)", help="Labels at which the rule fires: median over the runs (95% range)."),
    "Fires in": st.column_config.TextColumn("Fires in", help="Share of the simulated runs in which the rule fires."),
    "Regret ($)": st.column_config.TextColumn(
        "Regret ($)", help="Money lost stopping where the rule fires instead of at the cost-optimal stop."),
    "Needs labels": st.column_config.TextColumn(
        "Needs labels", help="Whether the rule needs a labeled validation set (the others use no labels)."),
}
_LONG_COLUMNS = ("Stops when", "Note")


def rules_table(criteria: list[dict[str, Any]]) -> pd.DataFrame:
    """The stopping rules (``stopping_glue.criteria_table`` rows) without their long text, in :data:`RULES_COLUMNS`."""
    df = pd.DataFrame(criteria)
    return df[[c for c in RULES_COLUMNS if c in df.columns]]


def _md(text: str) -> str:
    """Engine text shown as Markdown literally: "|slope|", "$5" (LaTeX in Streamlit) or "a_b" stay as written."""
    return re.sub(r"([\\`*_$|~\[\]<>#])", r"\\\1", text)


def rules_definitions(criteria: list[dict[str, Any]]) -> list[str]:
    """One line per rule: its name, when it stops and its note (why it does not apply): what the table leaves out."""
    out = []
    for row in criteria:
        when = _md(str(row.get("Stops when") or "").strip())
        note = _md(str(row.get("Note") or "").strip())
        text = f"**{_md(str(row.get('Rule', '')))}**: " + (f"stops when {when}" if when else "no definition given")
        out.append(text + (f". *{note[:1].upper() + note[1:]}.*" if note else "."))
    return out


def _fitted_stop_text(stop: dict[str, Any], fs: dict[str, Any]) -> str:
    """The engine's sentence on the fitted stop; analyses saved before it existed get the old wording."""
    if "fitted_stop_sentence" in stop:
        return stop["fitted_stop_sentence"] or ""
    if not fs.get("labels"):
        return ""
    return (f"On the fitted curve, a label stops paying at about {fs['labels']:,.0f} labels"
            f"{' (extrapolated)' if fs.get('extrapolated') else ''}.")


def live_chart(live: Any) -> tuple[alt.LayerChart, str]:
    """The live project's chart and a caption describing exactly what it draws.

    Always the logged scores; the stop line only when the verdict gives a label count to stop at, the band only
    when the curve models that backtested nearly as well disagree on it.
    """
    d = live.to_dict()
    rec = d.get("recommended_labels") or {}
    stop_at = rec.get("median")
    band = (rec["low"], rec["high"]) if rec and rec.get("low") is not None and rec["high"] > rec["low"] else None
    curve = pd.DataFrame({"labels": live.observed_labels, "mean": live.observed_metric})
    c = charts.stopping_chart(curve, stop_at=stop_at, recommended=band, title="Your project's curve")
    for layer in c.layer:  # the axis is the user's own validation score, not a simulated test set
        if layer.encoding.y is not alt.Undefined:
            layer.encoding.y["title"] = LIVE_Y_TITLE
    drawn = ["dots: your logged validation scores"]
    if stop_at is not None:
        where = "now" if live.verdict == "stop_now" else "projected by the fitted curve"
        drawn.append(f"orange line: where the next label stops paying ({where})")
    if band is not None:
        drawn.append("green band: the same point under the other curve models that backtested nearly as well")
    caption = "; ".join(drawn).capitalize() + "."
    c = c.properties(title=charts._title("Your project's curve", caption))  # wrapped: one line ran off the page
    return c, caption


def live_criteria_table(live: Any) -> pd.DataFrame:
    """Each rule on the user's curve: fired (with the label count), not yet, or projected (the fitted curve)."""
    rows = []
    for c in live.to_dict().get("criteria", []):
        lab = (c.get("labels") or {}).get("median")
        if c.get("projected"):
            status = f"projected at about {fmt.count(lab)}" if lab is not None else "does not level off"
        else:
            status = f"fired at {fmt.count(lab)}" if lab is not None else "not yet"
        # the status before the long definition: a narrow page cuts the last column, never the answer
        rows.append({"Rule": c["title"], "Labels": status, "Stops when": c["rule"]})
    return pd.DataFrame(rows)


def live_check_panel(econ: dict[str, Any], *, key: str = "live") -> None:
    """Upload a live project's curve log (labels, metric[, kappa]) and get stop / continue / too early."""
    from dashboard import state
    from simulations.errors import LabelwiseError
    from simulations.stopping import CostInputError, check_live

    st.header("Check my live project", divider="gray")
    st.markdown("Upload your own project's log: one row per labeling round with the columns **labels** (labeled "
                "items so far) and **metric** (validation score, 0-1 or %), optionally **kappa**. Labelwise fits "
                "the curve and says whether the next labels are worth their cost, using the costs on the Plan page.")
    if econ.get("value_mode") == "error_costs":
        # a live log is a score curve, not confusion matrices: its errors cannot be priced class by class
        st.info("Your costs are error costs, priced from confusion matrices; a curve log holds a score only. To "
                "check a live curve, value it per point of its score on the Plan page.", icon=":material/info:")
        return
    up = st.file_uploader("Curve log (CSV)", type=["csv", "txt"], key=f"{key}_file",
                          help="Example header: labels,metric,kappa")
    if up is None:
        return
    try:
        frame = pd.read_csv(up, sep=None, engine="python")
        inp = state.economic_inputs(econ)
        live = check_live(frame, float(inp.cost_per_label), float(inp.point_value))
    except CostInputError as exc:
        views.show_error(stopping_glue.costs_error(exc))
        return
    except LabelwiseError as exc:
        views.show_error(exc)
        return
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        views.show_error({"message": f"Cannot read the curve log ({exc}).",
                          "hint": "Save it as CSV with a header row labels,metric."})
        return
    box = {"stop_now": st.success, "continue": st.info}.get(live.verdict, st.warning)
    box(f"**{live.headline}** {live.reason}")
    for note in live.notes:
        st.caption(note)
    chart, caption = live_chart(live)
    views.chart(chart, caption, key=f"{key}_chart")
    crit = live_criteria_table(live)
    if not crit.empty:
        st.dataframe(crit, hide_index=True, width="stretch")
