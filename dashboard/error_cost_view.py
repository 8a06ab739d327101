"""The plan's error costs and time value on the Business case and Stopping pages (read from the plan, never
recomputed): the error cost per 1,000 predictions of both plans at the stop, the curves in money, and the value of
shipping sooner in its own table (on top of the label savings)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import charts, fmt, views

__all__ = ["error_cost_chart", "render", "time_value_frame"]


def error_cost_chart(curves: pd.DataFrame, *, target: float | None = None) -> alt.LayerChart:
    """Expected error cost per 1,000 predictions over labels, per strategy: median over seeds and its interval.

    Parameters
    ----------
    curves : DataFrame with columns strategy, labels, median, low, high (the plan's ``error_cost.curves``)
    target : float, optional
        A target in money (dollars per 1,000 predictions), drawn as a dashed line.
    """
    df = charts.finite_rows(curves, ["labels", "median"]).copy()
    if df.empty:
        raise charts.NoChartData("No error cost to draw: no round has confusion counts.")
    strategies = list(dict.fromkeys(df["strategy"]))
    df["strategy"] = df["strategy"].map(charts.strategy_label)
    color = alt.Color("strategy:N", scale=charts.strategy_color_scale(strategies),
                      legend=charts.bottom_legend("Strategy", columns=4, lines=True))
    x = alt.X("labels:Q", title="Labels (human-labeled rows)", scale=alt.Scale(nice=False, zero=False),
              axis=charts.labels_axis(df["labels"]))
    y_title = "Expected error cost per 1,000 predictions ($)"
    base = alt.Chart(df)
    band = base.mark_area(opacity=0.15).encode(x=x, y=alt.Y("low:Q", title=y_title), y2="high:Q", color=color)
    line = base.mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=2).encode(
        x=x, y=alt.Y("median:Q", title=y_title), color=color,
        tooltip=[alt.Tooltip("strategy:N", title="Strategy"), alt.Tooltip("labels:Q", title="Labels", format=",d"),
                 alt.Tooltip("median:Q", title="Median $ per 1,000", format=",.2f"),
                 alt.Tooltip("low:Q", title="Interval low", format=",.2f"),
                 alt.Tooltip("high:Q", title="Interval high", format=",.2f")])
    layers: list[Any] = [band, line]
    if target is not None:
        t = pd.DataFrame({"target": [float(target)]})
        layers.append(alt.Chart(t).mark_rule(strokeDash=[6, 4], color=charts.ACCENT).encode(y="target:Q"))
    return alt.layer(*layers).properties(
        height=charts.HEIGHT,
        title=charts._title("Error cost per 1,000 predictions as labels grow",
                            "Lines: median over seeds; shaded: its interval. Lower is better."))


def time_value_frame(tv: dict[str, Any]) -> pd.DataFrame:
    """The value of shipping sooner as its own small table."""
    rate = tv.get("discount_rate") or 0.0
    return pd.DataFrame({
        "": ["Ships sooner by", "Monthly value of the model", "Discount rate (a year)", "Value of shipping sooner"],
        # the engine's words (working days under a month, else months); a plan saved before them: months
        "value": [tv.get("sooner") or f"{tv['months_earlier']:.2f} months", fmt.money(tv["monthly_value"]),
                  f"{rate:.1%}", fmt.money(tv["value"])]})


def render(a: dict[str, Any], *, key: str, chart: bool = True) -> None:
    """The plan's value model, error costs and time value (nothing when the plan has none of them)."""
    plan = a.get("plan") or {}
    vm = plan.get("value_model") or {}
    ec = plan.get("error_cost")
    tv = plan.get("time_value")
    if ec is None and tv is None:
        return
    # with a simple value mode only the time value is there: the heading says so
    st.subheader("What errors cost" if ec is not None else "Value of shipping sooner")
    if vm.get("sentence"):
        st.caption(vm["sentence"])
    if ec is not None:
        per = ec["per_1000_predictions"]
        cols = st.columns(3)
        for col, title, e in ((cols[0], f"Errors per 1,000, {plan.get('strategy', 'AL').replace('_', ' ')}",
                               per["al"]),
                              (cols[1], "Errors per 1,000, random", per["random"]),
                              (cols[2], "Value of the reduction", ec["value_of_reduction"])):
            col.metric(title, fmt.money(e["median"]), border=True)
            col.caption(f"{fmt.money(e['low'])} to {fmt.money(e['high'])}")
        st.markdown(ec["sentence"])
        if chart:
            views.chart_or_note(
                lambda: error_cost_chart(pd.DataFrame(ec.get("curves") or []),
                                         target=ec.get("target_per_1000")),
                "Each point: the test-set confusion matrices of that round read through your error costs, median "
                "over seeds with its order-statistic interval. Assumes production sees the test set's class mix.",
                key=f"{key}_error_cost")
    if tv is not None:
        st.markdown("**Time value (separate from the savings above; leave it out if shipping sooner earns "
                    "nothing).**")
        st.dataframe(time_value_frame(tv), hide_index=True, width="content")
        st.caption(tv["sentence"])
