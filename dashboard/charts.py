"""Pure Altair chart builders: DataFrames in, ``alt.Chart`` out. No Streamlit, no simulation.

Every chart has a title (with a one-line subtitle on how to read it), axis titles with units, and the
Okabe-Ito colour-blind-safe palette. Widths are left to the container (``width="stretch"``) so nothing
overflows; :func:`fixed_width` sets one for static exports.
"""

from __future__ import annotations

import math
import textwrap
import zlib
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from dashboard import fmt
from simulations.strategies import available_strategies

#: Okabe & Ito (2008), without yellow (too light on white). Random sampling is always dark grey.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
RANDOM_COLOR = "#6b6b6b"
AL_COLOR = "#0072B2"
ACCENT = "#D55E00"
HEIGHT = 340

#: One fixed colour per strategy the engine registers (``available_strategies()`` without random, in its order),
#: so a strategy has the same colour on every chart and page whichever others are drawn beside it. Okabe-Ito and
#: Paul Tol colours; no grey (random), no vermillion (target and stop lines), no light green (recommended range).
STRATEGY_PALETTE = ("#CC79A7", "#0072B2", "#E69F00", "#56B4E9", "#332288", "#882255", "#117733", "#AA4499",
                    "#000000", "#999933", "#88CCEE", "#DDCC77")
#: Strategies the engine does not register (``eps_margin``, a newer engine's): a colour picked from the name alone.
OTHER_STRATEGY_PALETTE = ("#44AA99", "#661100", "#6699CC", "#DDAA33", "#AA4466")
STRATEGY_COLORS: dict[str, str] = {
    "random": RANDOM_COLOR,
    **dict(zip([s for s in available_strategies() if s != "random"], STRATEGY_PALETTE, strict=False)),
}


class NoChartData(ValueError):
    """Nothing defined to draw (e.g. every ROI is undefined). ``str(exc)`` is one line for the user.

    The pages show that line instead of the chart (``dashboard.views.chart_or_note``); the report leaves the
    chart out with the same line. Never a traceback.
    """


def finite_rows(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The rows whose ``columns`` are all finite numbers (None, NaN, +-inf and text dropped), as floats."""
    out = df.copy()
    keep = pd.Series(True, index=out.index)
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
        keep &= np.isfinite(out[c])
    return out[keep].reset_index(drop=True)


_finite = fmt.finite_number


def _fill_band(df: pd.DataFrame, centre: str) -> pd.DataFrame:
    """Band ends that are undefined (one seed, a failed fit) collapse onto the centre line instead of vanishing."""
    for c in ("low", "high"):
        if c in df.columns:
            v = pd.to_numeric(df[c], errors="coerce").astype(float)
            df[c] = v.where(np.isfinite(v), df[centre])
    return df


def score_domain(means: pd.Series, lows: pd.Series, highs: pd.Series, target: float | None = None,
                 ) -> tuple[float, float]:
    """The y range of a score chart: the means, the target and the bands, within [0, 1].

    The bands are included so they are not cut at the plot's edge, but they may widen the range by at most
    the means' own spread on each side: a 2-seed band spanning 0-100% must not squash the curves flat.
    """
    vals = [float(v) for v in means if math.isfinite(v)] + ([float(target)] if _finite(target) is not None else [])
    lo, hi = min(vals), max(vals)
    spread = max(hi - lo, 0.02)
    band_lo = float(np.nanmin(lows)) if len(lows) and np.isfinite(lows).any() else lo
    band_hi = float(np.nanmax(highs)) if len(highs) and np.isfinite(highs).any() else hi
    lo, hi = max(min(band_lo, lo), lo - spread), min(max(band_hi, hi), hi + spread)
    pad = 0.06 * (hi - lo)  # a little air, so a band touching the edge still reads as a band
    return max(0.0, lo - pad), min(1.0, hi + pad)


def strategy_label(name: str) -> str:
    """``least_confidence`` -> ``least confidence``; random gets a reminder that it is the baseline."""
    return "random (baseline)" if name == "random" else str(name).replace("_", " ")


def strategy_color(name: str) -> str:
    """The strategy's colour on every chart: random grey, a registered strategy its :data:`STRATEGY_COLORS`
    entry, any other name a colour from its name alone (crc32, the same in every process)."""
    if name in STRATEGY_COLORS:
        return STRATEGY_COLORS[name]
    return OTHER_STRATEGY_PALETTE[zlib.crc32(str(name).encode()) % len(OTHER_STRATEGY_PALETTE)]


def strategy_colors(strategies: Sequence[str]) -> tuple[list[str], list[str]]:
    """Domain (display labels) and range (colours) for a colour scale over these strategies (each once)."""
    names = list(dict.fromkeys(strategies))
    return [strategy_label(s) for s in names], [strategy_color(s) for s in names]


def strategy_color_scale(strategies: Sequence[str]) -> alt.Scale:
    """The colour scale of a chart coloured by strategy label: only the strategies drawn, each in its own colour."""
    domain, rng = strategy_colors(strategies)
    return alt.Scale(domain=domain, range=rng)


#: Subtitle lines are wrapped at this many characters (about 300 px): Vega never wraps a title itself, so a longer
#: line was cut off on a phone or in a half-width column.
SUBTITLE_WIDTH = 52


def _title(text: str | list[str], subtitle: str = "", width: int = SUBTITLE_WIDTH) -> alt.TitleParams:
    """A title with its how-to-read subtitle wrapped into lines (nothing is cut off on narrow columns)."""
    lines = textwrap.wrap(subtitle, width) if subtitle else []
    return alt.TitleParams(text=text, subtitle=lines or alt.Undefined, anchor="start",
                           subtitleColor="#555555", fontSize=15)


def bottom_legend(title: str | None = alt.Undefined, *, columns: int = 2, lines: bool = False) -> alt.Legend:
    """A legend under the plot that wraps into ``columns`` (one long row was cut off on narrow screens), its labels
    never shortened; ``lines``: strokes as symbols (a line chart whose first layer is a faint band)."""
    style = {"symbolType": "stroke", "symbolStrokeWidth": 3, "symbolOpacity": 1} if lines else {}
    return alt.Legend(title=title, orient="bottom", columns=columns, labelLimit=0, **style)


def fixed_width(chart: alt.TopLevelMixin, width: int = 640) -> alt.TopLevelMixin:
    """A copy with a fixed pixel width (for reports rendered outside the browser)."""
    return chart.properties(width=width)


#: Label counts at or above this print short ("20k", not "20,000") on a linear axis; a log axis always does.
SHORT_COUNTS_FROM = 10_000


def labels_axis(values: Sequence[float] | pd.Series | None = None, *, log: bool = False) -> alt.Axis:
    """The axis of a label count: labels that never run into each other ("1,9002,000").

    Few ticks (``tickCount``), whole numbers only (``tickMinStep``), at least 8 px between two labels
    (``labelSeparation``) with the overlapping ones dropped (``labelOverlap``), and short numbers ("~s": 2k, 50k,
    1M) on a log axis or when ``values`` reach :data:`SHORT_COUNTS_FROM`; ``,d`` (1,900) below.
    """
    top = np.nanmax(pd.to_numeric(pd.Series(values), errors="coerce")) if values is not None and len(values) else 0
    short = log or (np.isfinite(top) and top >= SHORT_COUNTS_FROM)
    return alt.Axis(format="~s" if short else ",d", labelOverlap="greedy" if log else True, labelSeparation=8,
                    labelFlush=True, tickMinStep=1, **({} if log else {"tickCount": 5}))


def _pct_format(values: pd.Series) -> str:
    return ".0%" if values.max() - values.min() > 0.05 else ".1%"


# ---- results -------------------------------------------------------------------------------------------
def learning_curve_chart(
    curves: pd.DataFrame,
    *,
    metric_label: str = "accuracy",
    target: float | None = None,
    target_label: str = "target",
    log_x: bool = False,
    title: str = "Learning curves: each strategy against random sampling",
    narrow: bool = False,
) -> alt.LayerChart:
    """Mean score per strategy over labels, with its 95% band over seeds, and the target line.

    Parameters
    ----------
    curves : DataFrame with columns strategy, labels, mean, low, high (``simulations.learning_curves``)
    metric_label : str
        The metric in words (``balanced accuracy``), used in the y axis title.
    target : float, optional
        Score to reach; drawn as a dashed horizontal line.
    log_x : bool
        Log-scale label axis (early rounds spread out).
    narrow : bool
        For a half-width column (two charts side by side): the title and subtitle wrap shorter and the legend
        has two columns, so nothing is cut off.

    Raises
    ------
    NoChartData
        When no round has a finite score.
    """
    df = _fill_band(finite_rows(curves, ["labels", "mean"]), "mean")
    if log_x:
        df = df[df["labels"] > 0]
    if df.empty:
        raise NoChartData("No learning curve to draw: no round has a defined score.")
    target = _finite(target)
    strategies = list(dict.fromkeys(df["strategy"]))
    df["strategy"] = df["strategy"].map(strategy_label)
    color = alt.Color("strategy:N", scale=strategy_color_scale(strategies),
                      legend=bottom_legend("Strategy", columns=2 if narrow else 4, lines=True))
    x = alt.X("labels:Q", title="Labels (human-labeled rows)",
              scale=alt.Scale(type="log" if log_x else "linear", nice=False, zero=False),
              axis=labels_axis(df["labels"], log=log_x))
    # The axis holds the means, the target and the bands (so no band is cut at the edge), but a band may not
    # widen it beyond the means' own spread: only a wild band (a 2-seed 0-100%) is clipped.
    y0, y1 = score_domain(df["mean"], df["low"], df["high"], target)
    df["low"] = df["low"].clip(y0, y1)
    df["high"] = df["high"].clip(y0, y1)
    yscale = alt.Scale(domain=[y0, y1], nice=False, zero=False)
    y_title = f"Test-set {metric_label} (%)"
    fmt = _pct_format(df["mean"])
    base = alt.Chart(df)
    band = base.mark_area(opacity=0.15, clip=True).encode(
        x=x, y=alt.Y("low:Q", scale=yscale, title=y_title, axis=alt.Axis(format=fmt)), y2="high:Q",
        color=color,
    )
    line = base.mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=2, clip=True).encode(
        x=x, y=alt.Y("mean:Q", scale=yscale, title=y_title), color=color,
        tooltip=[alt.Tooltip("strategy:N", title="Strategy"), alt.Tooltip("labels:Q", title="Labels", format=",d"),
                 alt.Tooltip("mean:Q", title=f"Mean {metric_label}", format=".1%"),
                 alt.Tooltip("low:Q", title="95% band low", format=".1%"),
                 alt.Tooltip("high:Q", title="95% band high", format=".1%")],
    )
    layers: list[alt.Chart] = [band, line]
    if target is not None:
        tdf = pd.DataFrame({"target": [float(target)], "label": [f"{target_label}: {target:.1%}"]})
        rule = alt.Chart(tdf).mark_rule(strokeDash=[6, 4], color=ACCENT, strokeWidth=1.5).encode(
            y=alt.Y("target:Q", scale=yscale, title=y_title))
        text = alt.Chart(tdf).mark_text(align="left", dx=4, dy=-6, color=ACCENT).encode(
            y=alt.Y("target:Q", scale=yscale), x=alt.value(2), text="label:N")
        layers += [rule, text]
    wrap = 44 if narrow else SUBTITLE_WIDTH
    head = textwrap.wrap(title, wrap) if narrow else title
    return alt.layer(*layers).properties(
        height=HEIGHT,
        title=_title(head, "Lines: mean over seeds; shaded: 95% band. Higher and further left is better.", wrap),
    )


def labels_to_target_chart(
    rows: pd.DataFrame, *, target_description: str = "the target", title: str = "Labels needed to reach the target",
) -> alt.LayerChart:
    """Median labels to reach the target per strategy with its 95% interval.

    Parameters
    ----------
    rows : DataFrame with columns strategy, median, low, high, censored (bool)
        A censored strategy did not reach the target within the budget: its value is a lower bound (">").

    Raises
    ------
    NoChartData
        When no strategy has a finite median.
    """
    df = _fill_band(finite_rows(rows, ["median"]), "median")
    if df.empty:
        raise NoChartData("No labels-to-target chart: no strategy has a defined number of labels.")
    strategies = list(dict.fromkeys(df["strategy"]))
    df["strategy"] = df["strategy"].map(strategy_label)
    df["note"] = df["censored"].map(lambda c: "more than the budget" if c else "")
    df["shown"] = [(">" if c else "") + f"{m:,.0f}" for m, c in zip(df["median"], df["censored"], strict=True)]
    scale = strategy_color_scale(strategies)
    y = alt.Y("strategy:N", title=None, sort=scale.domain)
    color = alt.Color("strategy:N", scale=scale, legend=None)
    x_title = "Labels to reach the target (human-labeled rows)"
    x_axis = labels_axis(pd.concat([df["median"], df["high"]]))
    base = alt.Chart(df)
    rule = base.mark_rule(strokeWidth=3, opacity=0.6).encode(
        x=alt.X("low:Q", title=x_title, axis=x_axis), x2="high:Q", y=y, color=color)
    point = base.mark_point(filled=True, size=110).encode(
        x=alt.X("median:Q", title=x_title, axis=x_axis), y=y, color=color,
        shape=alt.Shape("censored:N", scale=alt.Scale(domain=[False, True], range=["circle", "triangle-right"]),
                        legend=None),
        tooltip=[alt.Tooltip("strategy:N", title="Strategy"),
                 alt.Tooltip("median:Q", title="Median labels", format=",.0f"),
                 alt.Tooltip("low:Q", title="95% low", format=",.0f"),
                 alt.Tooltip("high:Q", title="95% high", format=",.0f"),
                 alt.Tooltip("note:N", title="Note")],
    )
    text = base.mark_text(align="left", dx=10, dy=-9, fontSize=11).encode(
        x="median:Q", y=y, text="shown:N")
    return alt.layer(rule, point, text).properties(
        height=max(120, 44 * len(df)),
        title=_title(title, f"Dot: median over seeds to reach {target_description}; bar: its interval over seeds; "
                            "triangle: not reached within the budget (a lower bound). Fewer is better."),
    )


# ---- business case -------------------------------------------------------------------------------------
def cost_breakdown_chart(
    costs: pd.DataFrame, *, currency: str = "USD", title: str = "What each option costs",
) -> alt.Chart:
    """Stacked horizontal bars: total cost of each option split into its components.

    Parameters
    ----------
    costs : DataFrame with columns option, component, cost (in ``currency``)

    Raises
    ------
    NoChartData
        When every cost is zero or undefined (nothing to compare).
    """
    df = finite_rows(costs, ["cost"])
    if df.empty or not (df["cost"] != 0).any():
        raise NoChartData(f"No cost chart: every option costs {currency} 0 with these inputs (no label, setup or "
                          "overhead cost), so there is nothing to compare.")
    options = list(dict.fromkeys(df["option"]))
    comps = list(dict.fromkeys(df["component"]))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("option:N", title=None, sort=options, axis=alt.Axis(labelLimit=260)),
        x=alt.X("sum(cost):Q", title=f"Cost ({currency})", axis=alt.Axis(format=",.0f")),
        color=alt.Color("component:N", title="Cost item", sort=comps,
                        scale=alt.Scale(domain=comps, range=list(PALETTE[: len(comps)])),
                        legend=bottom_legend("Cost item", columns=3)),
        order=alt.Order("component_order:Q"),
        tooltip=[alt.Tooltip("option:N", title="Option"), alt.Tooltip("component:N", title="Item"),
                 alt.Tooltip("cost:Q", title=f"Cost ({currency})", format=",.0f")],
    ).transform_calculate(
        component_order=f"indexof({comps!r}, datum.component)"
    ).properties(
        height=max(140, 56 * len(options)),
        title=_title(title, "Each bar is one way to reach the target; shorter is cheaper."),
    )


def tornado_chart(
    tornado: pd.DataFrame, *, outcome_label: str = "Net savings", unit: str = "USD",
    title: str = "What moves the result most",
) -> alt.LayerChart:
    """Sensitivity tornado: for each input, the outcome at its low and high value, around the base case.

    Parameters
    ----------
    tornado : DataFrame with columns parameter, low_label, high_label, low, high, base
        ``low``/``high``: the outcome with the parameter at its low/high value; ``base``: the base case.
        Rows are drawn in the given order (put the widest first). Rows with an undefined outcome are left out.

    Raises
    ------
    NoChartData
        When no row has a defined outcome (e.g. the ROI is undefined because active learning costs nothing).
    """
    df = finite_rows(tornado, ["low", "high", "base"])
    if df.empty:
        raise NoChartData(f"No sensitivity chart: the {outcome_label} is undefined with these inputs, for every "
                          "input moved up or down.")
    order = list(df["parameter"])
    base_value = float(df["base"].iloc[0])
    long = pd.concat([
        pd.DataFrame({"parameter": df["parameter"], "setting": "input at its low value",
                      "value": df["low"], "input": df["low_label"]}),
        pd.DataFrame({"parameter": df["parameter"], "setting": "input at its high value",
                      "value": df["high"], "input": df["high_label"]}),
    ], ignore_index=True)
    long["base"] = base_value
    fmt = ",.0f" if unit != "%" else ".0%"
    x_title = f"{outcome_label} ({unit})"
    bars = alt.Chart(long).mark_bar(opacity=0.9).encode(
        y=alt.Y("parameter:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("value:Q", title=x_title, axis=alt.Axis(format=fmt, tickCount=5)), x2="base:Q",
        color=alt.Color("setting:N", title=None, scale=alt.Scale(
            domain=["input at its low value", "input at its high value"], range=[PALETTE[1], PALETTE[0]]),
            legend=bottom_legend(columns=1)),  # stacked: side by side they were wider than a half-page column
        tooltip=[alt.Tooltip("parameter:N", title="Input"), alt.Tooltip("input:N", title="Set to"),
                 alt.Tooltip("value:Q", title=outcome_label, format=fmt)],
    )
    rule = alt.Chart(pd.DataFrame({"base": [base_value]})).mark_rule(color="black").encode(x="base:Q")
    return alt.layer(bars, rule).properties(
        height=max(140, 34 * len(df)),
        title=_title(title, "Each bar: the result when one input moves to its low or high value, others fixed. "
                            "Black line: your inputs."),
    )


def roi_heatmap(
    grid: pd.DataFrame, *, x: str = "cost_per_label", y: str = "production_pool", value: str = "roi",
    x_title: str = "Cost per label", y_title: str = "Production pool size (rows)",
    x_format: str = ",.2f", title: str = "ROI over cost per label and pool size",
) -> alt.LayerChart:
    """ROI heat map over two inputs (diverging colours, zero = break-even), values printed in cells.

    A cell whose ROI is undefined (None, NaN or inf: active learning costs nothing there) is left uncoloured and
    reads "n/a".

    Raises
    ------
    NoChartData
        When no cell has a defined ROI.
    """
    df = grid.copy()
    df[value] = pd.to_numeric(df[value], errors="coerce").astype(float)
    df[value] = df[value].where(np.isfinite(df[value]))  # inf -> NaN: undefined, not "the largest ROI"
    df = df.dropna(subset=[x, y])
    defined = df.dropna(subset=[value])
    if defined.empty:
        raise NoChartData("No ROI heat map: the ROI is undefined (n/a) for every label price and pool size shown.")
    df["roi_text"] = [fmt.pct(v) for v in df[value]]  # "-12%", never "-0%"; "n/a" when undefined
    vmax = float(defined[value].abs().max()) or 1.0
    xo = sorted(df[x].unique())
    yo = sorted(df[y].unique(), reverse=True)
    enc_x = alt.X(f"{x}:O", title=x_title, sort=xo, axis=alt.Axis(format=x_format, labelAngle=0))
    enc_y = alt.Y(f"{y}:O", title=y_title, sort=yo, axis=alt.Axis(format=",d"))
    rect = alt.Chart(defined).mark_rect().encode(
        x=enc_x, y=enc_y,
        color=alt.Color(f"{value}:Q", title="ROI", scale=alt.Scale(scheme="blueorange", domainMid=0,
                                                                    domain=[-vmax, vmax], reverse=True),
                        legend=alt.Legend(format=".0%")),
        tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip(f"{y}:O", title=y_title, format=",d"),
                 alt.Tooltip(f"{value}:Q", title="ROI", format=".0%")],
    )
    text = alt.Chart(df).mark_text(fontSize=11).encode(
        x=enc_x, y=enc_y, text="roi_text:N",
        color=alt.condition(f"isValid(datum.{value}) && abs(datum.{value}) > {0.55 * vmax}", alt.value("white"),
                            alt.value("black")))
    return alt.layer(rect, text).properties(
        height=max(160, 36 * len(yo)),
        title=_title(title, "Blue: active learning pays off; orange: it loses money. Your case is the cell "
                            "nearest your inputs."),
    )


def projection_chart(
    observed: pd.DataFrame, projected: pd.DataFrame, *, metric_label: str = "accuracy",
    title: str = "Fitted learning curves, carried forward",
) -> alt.LayerChart:
    """Observed mean curve per strategy plus the fitted curve extrapolated to more labels, with its interval.

    Parameters
    ----------
    observed : DataFrame with columns strategy, labels, mean
    projected : DataFrame with columns strategy, labels, predicted, low, high

    Raises
    ------
    NoChartData
        When no projected point is defined.
    """
    # a log axis holds positive label counts only; undefined fits are left out
    observed = finite_rows(observed, ["labels", "mean"]).query("labels > 0")
    projected = _fill_band(finite_rows(projected, ["labels", "predicted"]), "predicted").query("labels > 0")
    if projected.empty:
        raise NoChartData("No projection chart: the fitted curves give no defined score.")
    strategies = list(dict.fromkeys([*observed["strategy"], *projected["strategy"]]))
    obs = observed.assign(strategy=observed["strategy"].map(strategy_label))
    proj = projected.assign(strategy=projected["strategy"].map(strategy_label))
    color = alt.Color("strategy:N", scale=strategy_color_scale(strategies),
                      legend=bottom_legend("Strategy", columns=2, lines=True))
    x = alt.X("labels:Q", title="Labels (human-labeled rows, log scale)", scale=alt.Scale(type="log"),
              axis=labels_axis(log=True))
    y_title = f"Test-set {metric_label} (%)"
    band = alt.Chart(proj).mark_area(opacity=0.15).encode(
        x=x, y=alt.Y("low:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format=".0%")),
        y2="high:Q", color=color)
    fit = alt.Chart(proj).mark_line(strokeDash=[5, 3]).encode(
        x=x, y=alt.Y("predicted:Q", title=y_title), color=color,
        tooltip=[alt.Tooltip("strategy:N"), alt.Tooltip("labels:Q", format=",.0f"),
                 alt.Tooltip("predicted:Q", title="projected", format=".1%")])
    pts = alt.Chart(obs).mark_point(filled=True, size=30).encode(
        x=x, y=alt.Y("mean:Q", title=y_title), color=color)
    return alt.layer(band, fit, pts).properties(
        height=HEIGHT,
        title=_title(title, "Dots: simulated; dashed: fitted curve carried forward; shaded: its 95% interval."),
    )


# ---- stopping ------------------------------------------------------------------------------------------
def stopping_chart(
    curve: pd.DataFrame, *, stop_at: float | None = None, recommended: tuple[float, float] | None = None,
    metric_label: str = "accuracy", title: str = "When to stop labeling", strategy: str | None = None,
) -> alt.LayerChart:
    """The learning curve with the cost-optimal stop (vertical line) and the recommended range (shaded).

    Parameters
    ----------
    curve : DataFrame with columns labels, mean and optional low, high
        Rows with an undefined score are left out; an undefined ``stop_at`` or range is not drawn.
    strategy : str, optional
        The strategy whose curve this is: drawn in its colour (:func:`strategy_color`), as on every other chart.
        Without one (a user's own project), the default blue.

    Raises
    ------
    NoChartData
        When no round has a defined score.
    """
    df = finite_rows(curve, ["labels", "mean"])
    if df.empty:
        raise NoChartData("No stopping chart: the learning curve has no defined score.")
    df = _fill_band(df, "mean")
    for c in ("low", "high"):
        if c in df.columns:
            df[c] = df[c].clip(0.0, 1.0)
    stop_at = _finite(stop_at)
    if recommended is not None and (_finite(recommended[0]) is None or _finite(recommended[1]) is None):
        recommended = None
    x = alt.X("labels:Q", title="Labels (human-labeled rows)",
              axis=labels_axis([*df["labels"], *(v for v in (stop_at, *(recommended or ())) if v is not None)]))
    y_title = f"Test-set {metric_label} (%)"
    yscale = alt.Scale(zero=False, domainMax=1.0, clamp=True)
    line_color = strategy_color(strategy) if strategy else AL_COLOR
    layers: list[alt.Chart] = []
    if recommended is not None:
        rdf = pd.DataFrame({"start": [float(recommended[0])], "end": [float(recommended[1])]})
        layers.append(alt.Chart(rdf).mark_rect(opacity=0.15, color=PALETTE[2]).encode(x="start:Q", x2="end:Q"))
    if {"low", "high"} <= set(df.columns):
        layers.append(alt.Chart(df).mark_area(opacity=0.15, color=line_color).encode(
            x=x, y=alt.Y("low:Q", title=y_title, scale=yscale, axis=alt.Axis(format=".0%")), y2="high:Q"))
    layers.append(alt.Chart(df).mark_line(point=True, color=line_color).encode(
        x=x, y=alt.Y("mean:Q", title=y_title, scale=yscale, axis=alt.Axis(format=".0%")),
        tooltip=[alt.Tooltip("labels:Q", format=",d"), alt.Tooltip("mean:Q", format=".1%")]))
    if stop_at is not None:
        sdf = pd.DataFrame({"labels": [float(stop_at)], "text": [f"stop at {stop_at:,.0f}"]})
        layers.append(alt.Chart(sdf).mark_rule(color=ACCENT, strokeWidth=2).encode(x="labels:Q"))
        layers.append(alt.Chart(sdf).mark_text(color=ACCENT, align="left", dx=4, y=8).encode(
            x="labels:Q", text="text:N"))
    return alt.layer(*layers).properties(
        height=HEIGHT,
        title=_title(title, "Orange line: the cost-optimal stop; green band: the recommended range."),
    )


def marginal_value_chart(
    marginal: pd.DataFrame, *, cost_per_label: float, currency: str = "USD",
    title: str = "Is the next label worth its cost?", strategy: str | None = None,
) -> alt.LayerChart:
    """Value of one more label (from the curve's slope) against the cost of a label.

    Parameters
    ----------
    marginal : DataFrame with columns labels, value (value of the next label, in ``currency``)
        Rows with an undefined value are left out; an undefined ``cost_per_label`` draws no cost line.
    strategy : str, optional
        The strategy whose curve gives the value: its line is drawn in that strategy's colour.

    Raises
    ------
    NoChartData
        When no label count has a defined value.
    """
    marginal = finite_rows(marginal, ["labels", "value"])
    if marginal.empty:
        raise NoChartData("No marginal-value chart: the value of the next label is undefined with these inputs.")
    x = alt.X("labels:Q", title="Labels (human-labeled rows)", axis=labels_axis(marginal["labels"]))
    y = alt.Y("value:Q", title=f"Value of the next label ({currency})", axis=alt.Axis(format=",.2~f"),
              scale=alt.Scale(type="symlog"))
    line = alt.Chart(marginal).mark_line(color=strategy_color(strategy) if strategy else AL_COLOR,
                                         strokeWidth=2).encode(
        x=x, y=y, tooltip=[alt.Tooltip("labels:Q", format=",d"),
                           alt.Tooltip("value:Q", title=f"Value ({currency})", format=",.2f")])
    layers: list[alt.Chart] = [line]
    cost = _finite(cost_per_label)
    if cost is not None:
        cdf = pd.DataFrame({"cost": [cost], "text": [f"cost per label {cost:,.2f}"]})
        layers.append(alt.Chart(cdf).mark_rule(color=ACCENT, strokeDash=[6, 4]).encode(y=alt.Y("cost:Q")))
        layers.append(alt.Chart(cdf).mark_text(color=ACCENT, align="right", dy=-6, x="width").encode(
            y="cost:Q", text="text:N"))
    return alt.layer(*layers).properties(
        height=280,
        title=_title(title, "Solid line: what one more label adds in value; dashed: what it costs. "
                            "Labeling pays while the solid line is above the dashed one."),
    )
