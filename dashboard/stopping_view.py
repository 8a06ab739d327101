"""The Stopping page's body: the curve with the cost-optimal stop, marginal value, the criteria table.

Drawn from ``analysis["stopping"]``, which ``dashboard.state.stopping_analysis`` fills from
``simulations.stopping`` once that engine module is installed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, views


def render(a: dict[str, Any], *, key: str = "stop") -> None:
    if a.get("stopping_error"):
        views.show_error(a["stopping_error"])
        return
    stop = a.get("stopping")
    if not stop:
        st.info("The stopping analysis is not available in this version of the engine "
                "(simulations.stopping is not installed yet).", icon=":material/info:")
        return
    if stop.get("sentence"):
        st.success(f"**{stop['sentence']}**", icon=":material/front_hand:")
    if stop.get("comparison"):
        st.markdown(stop["comparison"])
    if stop.get("note"):
        st.caption(stop["note"])
    fs = stop.get("fitted_stop") or {}
    st.caption(f"Strategy: {charts.strategy_label(stop.get('strategy', ''))} ({stop.get('strategy_chosen_by', '')}). "
               f"Cost-optimal stop: the label count where the labeling cost minus the value of accuracy is lowest "
               f"on each simulated run ({stop.get('range_method', '')})."
               + (f" On the fitted curve, a label stops paying at about {fs['labels']:,.0f} labels"
                  f"{' (extrapolated)' if fs.get('extrapolated') else ''}." if fs.get("labels") else ""))
    curve = pd.DataFrame(stop.get("curve") or [])
    if not curve.empty:
        rec = stop.get("recommended_range")
        views.chart(charts.stopping_chart(curve, stop_at=stop.get("stop_at"),
                                          recommended=tuple(rec) if rec else None,
                                          metric_label=a.get("metric_label", "accuracy")),
                    "The curve of the strategy you would use. Stop where one more label is worth less than it "
                    "costs (orange line); the green band is where the stopping rules fire.", key=f"{key}_curve")
    marginal = pd.DataFrame(stop.get("marginal") or [])
    if not marginal.empty:
        views.chart(charts.marginal_value_chart(
            marginal, cost_per_label=float(stop.get("cost_per_label")
                                           or (a.get("economics") or {}).get("cost_per_label") or 0.0)),
            "Value of one more label, from the slope of the fitted curve and the value of an accuracy point.",
            key=f"{key}_marginal")
    crit = pd.DataFrame(stop.get("criteria") or [])
    if not crit.empty:
        st.subheader("Stopping rules")
        st.dataframe(crit, hide_index=True, width="stretch")
        st.caption("Where each label-free stopping rule fires, in how many repetitions, and the regret: the money "
                   "lost against the cost-optimal stop.")


def live_check_panel(econ: dict[str, Any], *, key: str = "live") -> None:
    """Upload a live project's curve log (labels, metric[, kappa]) and get stop / continue / too early."""
    from dashboard import state
    from simulations.errors import LabelwiseError
    from simulations.stopping import check_live

    st.header("Check my live project", divider="gray")
    st.markdown("Upload your own project's log: one row per labeling round with the columns **labels** (labeled "
                "items so far) and **metric** (validation score, 0-1 or %), optionally **kappa**. Labelwise fits "
                "the curve and says whether the next labels are worth their cost, using the costs on the Plan page.")
    up = st.file_uploader("Curve log (CSV)", type=["csv", "txt"], key=f"{key}_file",
                          help="Example header: labels,metric,kappa")
    if up is None:
        return
    try:
        frame = pd.read_csv(up, sep=None, engine="python")
        inp = state.economic_inputs(econ)
        live = check_live(frame, float(inp.cost_per_label), float(inp.point_value))
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
    d = live.to_dict()
    curve = pd.DataFrame({"labels": live.fit.labels if live.fit is not None else frame.iloc[:, 0],
                          "mean": live.fit.values if live.fit is not None else frame.iloc[:, 1]})
    rec = d.get("recommended_labels") or {}
    views.chart(charts.stopping_chart(curve, stop_at=rec.get("median"),
                                      recommended=(rec["low"], rec["high"]) if rec else None,
                                      title="Your project's curve"),
                "Your logged validation scores; the orange line is where the next label stops paying.",
                key=f"{key}_chart")
    crit = pd.DataFrame([{"Rule": c["title"], "Stops when": c["rule"],
                          "Fired at (labels)": fmt.count((c.get("labels") or {}).get("median")) if c.get("labels")
                          else "not yet"} for c in d.get("criteria", [])])
    if not crit.empty:
        st.dataframe(crit, hide_index=True, width="stretch")
