"""Pure Altair builders for the Sweeps page: the engine's sweep summary in, ``alt`` chart out. No Streamlit.

Same conventions as :mod:`dashboard.charts`: a title with a one-line how-to-read subtitle, axis titles with
units, the Okabe-Ito palette (random grey). The charts only draw what ``simulations.sweep.sweep_summary``
and ``simulations.per_seed`` computed; nothing is summarized here.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard import sweep_data
from dashboard.charts import (
    ACCENT,
    NoChartData,
    _fill_band,
    _title,
    bottom_legend,
    finite_rows,
    labels_axis,
    strategy_color_scale,
    strategy_label,
)

#: Cell colours by verdict. "No evidence" is a neutral grey: a median saving whose interval includes zero is not
#: painted as a win (or a loss).
VERDICT_COLORS = {"beats random": "#0072B2", "no evidence": "#d9d9d9", "worse than random": "#D55E00"}
WINNER_MARK = "winner: "

HEATMAP_READ = ("Colour: the verdict (blue only when the whole 95% interval of the saving is above zero). Text: "
                "median share of random's labels saved, with its 95% interval. Black frame and 'winner': the "
                "dataset's best strategy, and it beats random. 'n/a; AUC' cells: labels cannot tell (target too "
                "easy or never reached); the verdict uses the gain in area under the curve.")
FOREST_READ = ("Dot: median saving over seeds; bar: 95% interval; right of the dashed zero line means fewer labels "
               "than random. Triangles: the saving is only a bound (random did not reach the target).")
PER_SEED_READ = ("Each dot is one seed; the bar is the median with its 95% interval. A triangle: that seed did not "
                 "reach the target within the budget (the truth is more). Fewer is better.")


def _strategies(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["strategy"] != "random"].copy()


def heatmap_frame(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per dataset x strategy (random left out) with what the heat map shows.

    Parameters
    ----------
    summary : DataFrame
        ``sweep_summary`` rows of one model and schedule.
    """
    df = _strategies(summary)
    df["strategy_label"] = df["strategy"].map(strategy_label)
    df["savings_shown"] = [sweep_data.savings_text(r) for _, r in df.iterrows()]
    df["shown"] = [(WINNER_MARK if w else "") + s.replace(" (", "\n(", 1)
                   for w, s in zip(df["wins"], df["savings_shown"], strict=True)]
    df["basis"] = ["labels to target" if pd.notna(s) else "area under the curve (labels cannot tell)"
                   for s in df["savings"]]
    return df


def savings_heatmap(summary: pd.DataFrame, *, title: str = "Where active learning wins: savings vs random",
                    ) -> alt.LayerChart:
    """Dataset x strategy grid coloured by verdict, with the saving and its 95% interval in each cell.

    Parameters
    ----------
    summary : DataFrame
        ``sweep_summary`` rows of one model and schedule (columns dataset, strategy, savings[_low, _high],
        savings_bound, auc_gain, verdict, wins, p_worse_than_random).
    """
    df = heatmap_frame(summary)
    strategies = list(dict.fromkeys(df["strategy_label"]))
    datasets = list(dict.fromkeys(df["dataset"]))
    verdicts = list(VERDICT_COLORS)
    x = alt.X("strategy_label:N", title="Query strategy", sort=strategies, axis=alt.Axis(labelAngle=0, orient="top"))
    y = alt.Y("dataset:N", title="Dataset", sort=datasets)
    base = alt.Chart(df)
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        x=x, y=y,
        color=alt.Color("verdict:N", title="Verdict", scale=alt.Scale(domain=verdicts,
                                                                       range=list(VERDICT_COLORS.values())),
                        legend=bottom_legend("Verdict", columns=3)),
        tooltip=[alt.Tooltip("dataset:N", title="Dataset"), alt.Tooltip("strategy_label:N", title="Strategy"),
                 alt.Tooltip("savings_shown:N", title="Labels saved vs random (95% interval)"),
                 alt.Tooltip("verdict:N", title="Verdict"), alt.Tooltip("basis:N", title="Verdict based on"),
                 alt.Tooltip("p_worse_than_random:Q", title="Seeds worse than random", format=".0%")],
    )
    frame = base.transform_filter("datum.wins").mark_rect(fill=None, stroke="black", strokeWidth=3).encode(x=x, y=y)
    text = base.mark_text(fontSize=12, lineBreak="\n").encode(
        x=x, y=y, text="shown:N",
        color=alt.condition("datum.verdict === 'no evidence'", alt.value("black"), alt.value("white")),
    )
    return alt.layer(cells, frame, text).properties(
        height=max(120, 56 * len(datasets)), title=_title(title, HEATMAP_READ))


def savings_interval_chart(summary: pd.DataFrame, *, title: str = "Savings vs random with 95% intervals",
                           ) -> alt.LayerChart:
    """Per dataset, each strategy's median saving with its 95% interval (cells with undefined savings left out).

    Parameters
    ----------
    summary : DataFrame
        ``sweep_summary`` rows of one model and schedule.

    Raises
    ------
    NoChartData
        When no strategy has a defined (finite) saving.
    """
    df = finite_rows(_strategies(summary), ["savings"])
    if df.empty:
        raise NoChartData("No intervals chart: no saving is defined here (the target was too easy, or never "
                          "reached).")
    for c in ("savings_low", "savings_high"):  # an undefined interval end collapses onto the median
        v = pd.to_numeric(df[c], errors="coerce").astype(float)
        df[c] = v.where(np.isfinite(v), df["savings"])
    order = list(dict.fromkeys(summary.loc[summary["strategy"] != "random", "strategy"]))
    df["strategy_label"] = df["strategy"].map(strategy_label)
    df["bound"] = df["savings_bound"].where(df["savings_bound"].isin(["lower", "upper"]), "measured")
    df["savings_shown"] = [sweep_data.savings_text(r) for _, r in df.iterrows()]
    scale = strategy_color_scale(order)
    x_title = "Labels saved vs random (% of random's labels)"
    y = alt.Y("dataset:N", title="Dataset", sort=list(dict.fromkeys(summary["dataset"])))
    y_off = alt.YOffset("strategy_label:N", sort=scale.domain)
    color = alt.Color("strategy_label:N", title="Strategy", scale=scale, legend=bottom_legend("Strategy"))
    base = alt.Chart(df)
    bars = base.mark_rule(strokeWidth=3, opacity=0.6).encode(
        x=alt.X("savings_low:Q", title=x_title, axis=alt.Axis(format="%", tickCount=8)), x2="savings_high:Q",
        y=y, yOffset=y_off, color=color)
    dots = base.mark_point(filled=True, size=90).encode(
        x=alt.X("savings:Q", title=x_title), y=y, yOffset=y_off, color=color,
        shape=alt.Shape("bound:N", title="Saving", scale=alt.Scale(domain=["measured", "lower", "upper"],
                                                                   range=["circle", "triangle-right",
                                                                          "triangle-left"]),
                        legend=None),
        tooltip=[alt.Tooltip("dataset:N", title="Dataset"), alt.Tooltip("strategy_label:N", title="Strategy"),
                 alt.Tooltip("savings_shown:N", title="Labels saved (95% interval)"),
                 alt.Tooltip("verdict:N", title="Verdict")])
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(strokeDash=[6, 4], color=ACCENT).encode(
        x=alt.X("zero:Q", title=x_title))
    n_rows = max(1, df["dataset"].nunique()) * max(1, len(order))
    return alt.layer(zero, bars, dots).properties(
        height=max(120, 22 * n_rows), title=_title(title, FOREST_READ))


def per_seed_chart(seeds: pd.DataFrame, medians: pd.DataFrame, *, target_description: str = "the target",
                   title: str = "Labels to reach the target, seed by seed") -> alt.LayerChart:
    """Every seed's labels to the target per strategy, over the engine's median and 95% interval.

    Parameters
    ----------
    seeds : DataFrame
        ``simulations.per_seed`` of one cell (columns strategy, seed, labels_to_target, censored).
    medians : DataFrame
        Columns strategy, median, low, high (the cell's ``Summary`` labels to target).
    """
    df = seeds[["strategy", "seed", "labels_to_target", "censored"]].copy()
    strategies = list(dict.fromkeys(df["strategy"]))
    df = finite_rows(df, ["labels_to_target"])  # a seed without a number has no dot (never a NaN position)
    df["strategy"] = df["strategy"].map(strategy_label)
    m = _fill_band(finite_rows(medians, ["median"]), "median")
    m["strategy"] = m["strategy"].map(strategy_label)
    scale = strategy_color_scale(strategies)
    x_title = "Labels to reach the target (human-labeled rows)"
    y = alt.Y("strategy:N", title="Strategy", sort=scale.domain)
    color = alt.Color("strategy:N", scale=scale, legend=None)
    x_axis = labels_axis([*df["labels_to_target"], *m["high"]])
    interval = alt.Chart(m).mark_rule(strokeWidth=8, opacity=0.25).encode(
        x=alt.X("low:Q", title=x_title, axis=x_axis, scale=alt.Scale(zero=False)),
        x2="high:Q", y=y, color=color)
    median = alt.Chart(m).mark_tick(thickness=3, size=26).encode(
        x=alt.X("median:Q", title=x_title, axis=x_axis), y=y, color=color,
        tooltip=[alt.Tooltip("strategy:N", title="Strategy"),
                 alt.Tooltip("median:Q", title="Median labels", format=",.0f"),
                 alt.Tooltip("low:Q", title="95% low", format=",.0f"),
                 alt.Tooltip("high:Q", title="95% high", format=",.0f")])
    dots = alt.Chart(df).mark_point(size=60, filled=True, opacity=0.8).encode(
        x=alt.X("labels_to_target:Q", title=x_title, axis=x_axis), y=y, color=color,
        yOffset=alt.YOffset("seed:N"),  # seeds side by side within the strategy's row, not on top of each other
        shape=alt.Shape("censored:N", scale=alt.Scale(domain=[False, True], range=["circle", "triangle-right"]),
                        legend=None),
        tooltip=[alt.Tooltip("strategy:N", title="Strategy"), alt.Tooltip("seed:Q", title="Seed"),
                 alt.Tooltip("labels_to_target:Q", title="Labels", format=",.0f"),
                 alt.Tooltip("censored:N", title="Not reached within the budget")],
    )
    return alt.layer(interval, median, dots).properties(
        height=max(120, 56 * len(strategies)),
        title=_title(title, f"Target: {target_description}. {PER_SEED_READ}"))

