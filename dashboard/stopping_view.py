"""The Stopping page's body: the curve with the cost-optimal stop, marginal value, the criteria table.

Drawn from ``analysis["stopping"]``, which ``dashboard.state.stopping_analysis`` fills from
``simulations.stopping`` once that engine module is installed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, views


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
            marginal, cost_per_label=float((a.get("economics") or {}).get("cost_per_label") or 0.0)),
            "Value of one more label, from the slope of the fitted curve and the value of an accuracy point.",
            key=f"{key}_marginal")
    crit = pd.DataFrame(stop.get("criteria") or [])
    if not crit.empty:
        st.subheader("Stopping rules")
        st.dataframe(crit, hide_index=True, width="stretch")
        st.caption("Where each label-free stopping rule fires, in how many repetitions, and the regret: the money "
                   "lost against the cost-optimal stop.")
