"""Chart builders are pure functions: inspect their Vega-Lite specs."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import charts


def _layers(spec):
    return spec.get("layer", [spec])


def _enc(spec, channel):
    return [lyr["encoding"][channel] for lyr in _layers(spec) if channel in lyr.get("encoding", {})]


@pytest.fixture
def curves():
    rows = []
    for s, off in (("random", 0.0), ("margin", 0.05)):
        for x, y in ((20, 0.6), (40, 0.7), (80, 0.8)):
            rows.append({"strategy": s, "labels": x, "mean": y + off, "low": y + off - 0.03,
                         "high": y + off + 0.03, "n_seeds": 3})
    return pd.DataFrame(rows)


def test_learning_curve_chart_titles_axes_colors(curves):
    spec = charts.learning_curve_chart(curves, metric_label="balanced accuracy", target=0.8).to_dict()
    assert spec["title"]["text"].startswith("Learning curves")
    assert spec["title"]["subtitle"]  # how to read it
    xs = _enc(spec, "x")
    assert xs[0]["title"] == "Labels (human-labeled rows)" and xs[0]["field"] == "labels"
    ys = [y for y in _enc(spec, "y") if "title" in y]
    assert any(y["title"] == "Test-set balanced accuracy (%)" for y in ys)
    color = _enc(spec, "color")[0]
    assert color["scale"]["domain"] == ["random (baseline)", "margin"]
    assert color["scale"]["range"][0] == charts.RANDOM_COLOR
    assert color["scale"]["range"][1] == charts.STRATEGY_COLORS["margin"]
    # the target is a dashed rule
    rules = [lyr for lyr in spec["layer"] if lyr["mark"].get("type") == "rule"]
    assert rules and rules[0]["mark"]["strokeDash"]
    assert "width" not in spec  # fills its container: never overflows


def test_learning_curve_log_toggle_and_clipped_band(curves):
    wild = curves.assign(low=-0.5, high=1.5)
    spec = charts.learning_curve_chart(wild, log_x=True).to_dict()
    assert _enc(spec, "x")[0]["scale"]["type"] == "log"
    data = pd.DataFrame(spec["datasets"][next(iter(spec["datasets"]))])
    assert data["low"].min() >= 0 and data["high"].max() <= 1


def test_labels_to_target_marks_censored():
    rows = pd.DataFrame({"strategy": ["random", "margin"], "median": [400.0, 70.0], "low": [400.0, 60.0],
                         "high": [400.0, 80.0], "censored": [True, False]})
    spec = charts.labels_to_target_chart(rows).to_dict()
    assert spec["title"]["text"] == "Labels needed to reach the target"
    assert _enc(spec, "x")[0]["title"].startswith("Labels to reach the target")
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert data.loc[data["strategy"] == "random (baseline)", "shown"].item() == ">400"


def test_cost_breakdown_currency_axis():
    costs = pd.DataFrame({"option": ["All", "Random", "AL", "AL"], "component": ["Labels", "Labels", "Labels", "Setup"],
                          "cost": [5000.0, 400.0, 70.0, 250.0]})
    spec = charts.cost_breakdown_chart(costs, currency="USD").to_dict()
    assert spec["encoding"]["x"]["title"] == "Cost (USD)"
    assert spec["encoding"]["x"]["axis"]["format"] == ",.0f"
    assert spec["encoding"]["y"]["sort"] == ["All", "Random", "AL"]
    assert spec["title"]["text"] == "What each option costs"


def test_tornado_keeps_order_and_base_line():
    t = pd.DataFrame({"parameter": ["Cost per label", "Setup cost"], "low_label": ["$0.75", "$188"],
                      "high_label": ["$1.25", "$313"], "low": [0.1, 0.4], "high": [0.5, 0.2], "base": [0.3, 0.3]})
    spec = charts.tornado_chart(t, outcome_label="ROI", unit="%").to_dict()
    bars = spec["layer"][0]
    assert bars["encoding"]["y"]["sort"] == ["Cost per label", "Setup cost"]
    assert bars["encoding"]["x"]["title"] == "ROI (%)" and bars["encoding"]["x"]["axis"]["format"] == ".0%"
    assert spec["layer"][1]["mark"]["type"] == "rule"


def test_roi_heatmap_diverges_at_zero():
    g = pd.DataFrame([{"cost_per_label": c, "production_pool": p, "roi": (c - 1) * p / 1000}
                      for c in (0.5, 1.0, 2.0) for p in (1000, 10000)])
    spec = charts.roi_heatmap(g).to_dict()
    color = spec["layer"][0]["encoding"]["color"]
    assert color["scale"]["domainMid"] == 0 and color["scale"]["scheme"] == "blueorange"
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Production pool size (rows)"
    assert spec["layer"][1]["mark"]["type"] == "text"


def test_projection_stopping_marginal_charts():
    obs = pd.DataFrame({"strategy": ["margin"] * 3, "labels": [20, 40, 80], "mean": [0.6, 0.7, 0.8]})
    proj = pd.DataFrame({"strategy": ["margin"] * 2, "labels": [80, 1000], "predicted": [0.8, 0.9],
                         "low": [0.78, 0.8], "high": [0.82, 0.95]})
    spec = charts.projection_chart(obs, proj).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    stop = charts.stopping_chart(obs[["labels", "mean"]], stop_at=40, recommended=(30, 60)).to_dict()
    marks = [lyr["mark"]["type"] if isinstance(lyr["mark"], dict) else lyr["mark"] for lyr in stop["layer"]]
    assert "rect" in marks and "rule" in marks and stop["title"]["text"] == "When to stop labeling"
    mv = charts.marginal_value_chart(pd.DataFrame({"labels": [20, 40], "value": [3.0, 0.5]}), cost_per_label=1.0)
    md = mv.to_dict()
    assert md["layer"][0]["encoding"]["y"]["title"] == "Value of the next label (USD)"


def test_strategy_label_and_colors():
    assert charts.strategy_label("least_confidence") == "least confidence"
    domain, rng = charts.strategy_colors(["random", "a", "b", "random"])
    assert domain == ["random (baseline)", "a", "b"] and rng[0] == charts.RANDOM_COLOR and len(set(rng)) == 3


def _colour_of(spec, label):
    """The colour a chart's strategy colour scale gives ``label`` (its legend entry)."""
    scales = [c["scale"] for c in _enc(spec, "color") if "scale" in c]
    found = {dict(zip(sc["domain"], sc["range"], strict=True)).get(label) for sc in scales} - {None}
    assert len(found) == 1, found  # every layer of the chart agrees
    return found.pop()


def test_a_strategy_has_one_colour_whatever_is_drawn_beside_it(curves):
    """'margin' was blue beside random only and orange beside entropy: colours followed the drawing order."""
    two = charts.learning_curve_chart(curves).to_dict()  # random, margin
    more = pd.concat([curves.assign(strategy=curves["strategy"].replace({"random": "entropy"})), curves])
    three = charts.learning_curve_chart(more).to_dict()  # entropy first, then random and margin
    assert _colour_of(three, "entropy") != _colour_of(three, "margin")
    ltt = charts.labels_to_target_chart(pd.DataFrame({
        "strategy": ["least_confidence", "margin"], "median": [90.0, 70.0], "low": [80.0, 60.0],
        "high": [100.0, 80.0], "censored": [False, False]})).to_dict()
    obs = pd.DataFrame({"strategy": ["qbc_kl", "margin"], "labels": [20, 20], "mean": [0.6, 0.7]})
    proj = pd.DataFrame({"strategy": ["qbc_kl", "margin"], "labels": [1000, 1000], "predicted": [0.8, 0.9],
                         "low": [0.7, 0.8], "high": [0.9, 0.95]})
    projection = charts.projection_chart(obs, proj).to_dict()
    margin = charts.STRATEGY_COLORS["margin"]
    assert {_colour_of(c, "margin") for c in (two, three, ltt, projection)} == {margin}
    assert _colour_of(two, "random (baseline)") == _colour_of(three, "random (baseline)") == charts.RANDOM_COLOR
    # the Stopping page's charts draw one strategy: in that strategy's colour
    stop = charts.stopping_chart(obs[obs["strategy"] == "margin"][["labels", "mean"]], strategy="margin").to_dict()
    assert [lyr["mark"]["color"] for lyr in stop["layer"]] == [margin]
    mv = charts.marginal_value_chart(pd.DataFrame({"labels": [20, 40], "value": [3.0, 0.5]}), cost_per_label=1.0,
                                     strategy="entropy").to_dict()
    assert mv["layer"][0]["mark"]["color"] == charts.STRATEGY_COLORS["entropy"]


def test_every_engine_strategy_has_its_own_colour_and_unknown_names_a_fixed_one():
    from simulations.strategies import available_strategies

    names = [s for s in available_strategies() if s != "random"]
    colours = [charts.strategy_color(s) for s in names]
    assert charts.strategy_color("random") == charts.RANDOM_COLOR
    assert len(set(colours)) == len(names) and charts.RANDOM_COLOR not in colours  # no two alike, none grey
    assert charts.ACCENT not in colours  # the target and stop lines keep their own colour
    # a name the engine does not register (a mix, a newer engine's strategy): a colour from its name alone
    assert charts.strategy_color("eps_margin") == charts.strategy_color("eps_margin")
    assert charts.strategy_color("eps_margin") in charts.OTHER_STRATEGY_PALETTE
    assert charts.strategy_color_scale(["eps_margin", "margin"]).to_dict() == {
        "domain": ["eps margin", "margin"], "range": [charts.strategy_color("eps_margin"),
                                                      charts.STRATEGY_COLORS["margin"]]}


# ---- undefined values: a one-line reason, never a traceback ---------------------------------------------------
NAN, INF = float("nan"), float("inf")


def _layer_data(spec, layer):
    return pd.DataFrame(spec["datasets"][layer["data"]["name"]])


def test_roi_heatmap_leaves_undefined_cells_uncoloured():
    """None/NaN/inf ROI cells (active learning costs nothing there) read n/a; the colour scale ignores them."""
    g = pd.DataFrame([{"cost_per_label": c, "production_pool": p, "roi": r}
                      for (c, p), r in zip([(0.0, 10), (0.0, 20), (1.0, 10), (1.0, 20)], [None, INF, -0.5, 2.0],
                                           strict=True)])
    spec = charts.roi_heatmap(g).to_dict()
    rect, text = spec["layer"]
    assert sorted(_layer_data(spec, rect)["roi"]) == [-0.5, 2.0]  # only defined cells are coloured
    assert rect["encoding"]["color"]["scale"]["domain"] == [-2.0, 2.0]  # inf does not blow the scale up
    shown = _layer_data(spec, text)
    assert sorted(shown["roi_text"]) == ["-50%", "200%", "n/a", "n/a"]


def test_roi_heatmap_cells_read_like_every_other_percentage():
    """Cell text is fmt.pct's: no negative zero, thousands separated."""
    g = pd.DataFrame({"cost_per_label": [1.0, 1.0], "production_pool": [10, 20], "roi": [-0.001, 12.5]})
    spec = charts.roi_heatmap(g).to_dict()
    assert sorted(_layer_data(spec, spec["layer"][1])["roi_text"]) == ["0%", "1,250%"]


@pytest.mark.parametrize("roi", [[None, None], [NAN, INF]])
def test_roi_heatmap_all_undefined_says_why(roi):
    g = pd.DataFrame({"cost_per_label": [0.0, 0.0], "production_pool": [10, 20], "roi": roi})
    with pytest.raises(charts.NoChartData, match="ROI is undefined"):
        charts.roi_heatmap(g)


def test_money_charts_without_defined_values_say_why():
    costs = pd.DataFrame({"option": ["All", "AL"], "component": ["Labels", "Labels"], "cost": [0.0, None]})
    with pytest.raises(charts.NoChartData, match="nothing to compare"):
        charts.cost_breakdown_chart(costs)
    t = pd.DataFrame({"parameter": ["Setup cost"], "low_label": ["$0"], "high_label": ["$0"], "low": [None],
                      "high": [NAN], "base": [None]})
    with pytest.raises(charts.NoChartData, match="ROI is undefined"):
        charts.tornado_chart(t, outcome_label="ROI", unit="%")
    # one undefined row of several is left out, the others drawn
    t2 = pd.concat([t, pd.DataFrame({"parameter": ["Cost per label"], "low_label": ["$1"], "high_label": ["$2"],
                                     "low": [0.1], "high": [0.4], "base": [0.2]})], ignore_index=True)
    spec = charts.tornado_chart(t2, outcome_label="ROI", unit="%").to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["Cost per label"]


def test_curve_charts_skip_undefined_points(curves):
    bad = pd.concat([curves, pd.DataFrame([{"strategy": "margin", "labels": 160, "mean": NAN, "low": NAN,
                                            "high": NAN, "n_seeds": 3}])], ignore_index=True)
    bad.loc[0, ["low", "high"]] = [None, None]  # one seed: no band, the band collapses onto the line
    spec = charts.learning_curve_chart(bad, target=NAN).to_dict()
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert len(data) == len(curves) and data[["mean", "low", "high"]].notna().all().all()
    assert not [lyr for lyr in spec["layer"] if lyr["mark"].get("type") == "rule"]  # no NaN target line
    with pytest.raises(charts.NoChartData):
        charts.learning_curve_chart(curves.assign(mean=NAN))
    stop = charts.stopping_chart(pd.DataFrame({"labels": [20, 40, 60], "mean": [0.6, None, 0.8]}), stop_at=NAN,
                                 recommended=(NAN, 60)).to_dict()
    marks = [lyr["mark"]["type"] if isinstance(lyr["mark"], dict) else lyr["mark"] for lyr in stop["layer"]]
    assert marks == ["line"]  # an undefined stop and range are not drawn
    mv = charts.marginal_value_chart(pd.DataFrame({"labels": [20, 40], "value": [INF, 0.5]}), cost_per_label=None)
    assert len(mv.to_dict()["layer"]) == 1  # no cost line without a cost
    obs = pd.DataFrame({"strategy": ["m"], "labels": [20], "mean": [0.6]})
    with pytest.raises(charts.NoChartData):
        charts.projection_chart(obs, pd.DataFrame({"strategy": ["m"], "labels": [100], "predicted": [NAN],
                                                   "low": [NAN], "high": [NAN]}))
    with pytest.raises(charts.NoChartData):
        charts.labels_to_target_chart(pd.DataFrame({"strategy": ["m"], "median": [None], "low": [None],
                                                    "high": [None], "censored": [False]}))


def test_learning_curve_axis_holds_the_bands(curves):
    """Bands a little wider than the means are inside the y axis (not cut at the edge); a wild band is capped."""
    spec = charts.learning_curve_chart(curves).to_dict()
    lo, hi = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert lo < curves["low"].min() and hi > curves["high"].max()
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert (data["low"] == curves["low"]).all() and (data["high"] == curves["high"]).all()  # nothing clipped
    wild = curves.assign(low=0.0, high=1.0)  # a 2-seed band over the whole range must not squash the curves
    lo, hi = charts.learning_curve_chart(wild).to_dict()["layer"][0]["encoding"]["y"]["scale"]["domain"]
    spread = curves["mean"].max() - curves["mean"].min()
    assert hi - lo <= 3.5 * spread and lo > 0.0


def test_narrow_learning_curve_wraps_title_and_legend(curves):
    long = "A scenario name that is far too long to fit half of the page on one line"
    spec = charts.learning_curve_chart(curves, title=long, narrow=True).to_dict()
    assert isinstance(spec["title"]["text"], list) and max(map(len, spec["title"]["text"])) <= 44
    assert max(map(len, spec["title"]["subtitle"])) <= 44
    legend = _enc(spec, "color")[0]["legend"]
    assert legend["columns"] == 2 and legend["labelLimit"] == 0  # "least confidence" is never cut
    wide = charts.learning_curve_chart(curves).to_dict()
    assert wide["title"]["text"].startswith("Learning curves") and _enc(wide, "color")[0]["legend"]["columns"] == 4


# ---- label-count axes: labels never run into each other ("1,9002,000") ----------------------------------------
def _label_count_charts():
    from dashboard import sweep_charts

    wide = pd.DataFrame([{"strategy": s, "labels": x, "mean": 0.6 + x / 1e6, "low": 0.55, "high": 0.7}
                         for s in ("random", "margin") for x in (20, 1900, 2000, 60000)])
    ltt = pd.DataFrame({"strategy": ["random", "margin"], "median": [1900.0, 2000.0], "low": [1850.0, 1900.0],
                        "high": [2000.0, 2100.0], "censored": [False, False]})
    proj = pd.DataFrame({"strategy": ["margin"] * 2, "labels": [2000, 500000], "predicted": [0.8, 0.9],
                         "low": [0.7, 0.8], "high": [0.9, 0.95]})
    seeds = pd.DataFrame({"strategy": ["margin"] * 3, "seed": [0, 1, 2], "labels_to_target": [1850.0, 1900.0, 2000.0],
                          "censored": [False] * 3})
    return {
        "learning curves": charts.learning_curve_chart(wide),
        "learning curves, log": charts.learning_curve_chart(wide, log_x=True),
        "labels to target": charts.labels_to_target_chart(ltt),
        "projection": charts.projection_chart(wide[["strategy", "labels", "mean"]], proj),
        "stopping": charts.stopping_chart(wide[wide["strategy"] == "margin"], stop_at=1900, recommended=(1850, 2000)),
        "marginal value": charts.marginal_value_chart(pd.DataFrame({"labels": [1900, 2000], "value": [2.0, 1.0]}),
                                                      cost_per_label=1.0),
        "per seed": sweep_charts.per_seed_chart(seeds, ltt[ltt["strategy"] == "margin"]),
    }


@pytest.mark.parametrize("name", list(_label_count_charts()))
def test_label_count_axes_drop_overlapping_labels(name):
    spec = _label_count_charts()[name].to_dict()
    axes = [x["axis"] for x in _enc(spec, "x") if isinstance(x, dict) and "axis" in x]
    assert axes, "the label-count axis has no settings"
    for axis in axes:  # every layer that sets the axis sets the same remedy: no layer undoes it
        assert axis["labelOverlap"] in (True, "greedy", "parity") and axis["labelSeparation"] >= 8
        assert axis["format"] in (",d", "~s") and axis["tickMinStep"] == 1  # whole labels, never "1,900.5"
        assert "tickCount" not in axis or axis["tickCount"] <= 6


def test_label_count_axis_prints_short_numbers_on_wide_and_log_scales():
    assert charts.labels_axis([20, 400]).to_dict()["format"] == ",d"  # 1,900 reads fine below 10,000
    assert charts.labels_axis([20, 60000]).to_dict()["format"] == "~s"  # 20k, 40k, 60k: not 20,000 ... 60,000
    log = charts.labels_axis(log=True).to_dict()
    assert log["format"] == "~s" and log["labelOverlap"] == "greedy"  # a decade holds 9 ticks: keep the ones that fit
    big = pd.DataFrame([{"strategy": "margin", "labels": x, "mean": 0.7, "low": 0.6, "high": 0.8} for x in (20, 30000)])
    assert _enc(charts.learning_curve_chart(big).to_dict(), "x")[0]["axis"]["format"] == "~s"


# ---- narrow screens: nothing is cut off ------------------------------------------------------------------------
def _legends(spec):
    return [c["legend"] for c in _enc(spec, "color") if isinstance(c.get("legend"), dict)]


def test_projection_subtitle_wraps_and_its_legend_wraps_into_columns():
    """The subtitle was one 80-character line and the legend one row: both ran off a phone's screen."""
    names = ["margin", "entropy", "least_confidence", "expected_model_change"]
    obs = pd.DataFrame({"strategy": names, "labels": [20] * 4, "mean": [0.6] * 4})
    proj = pd.DataFrame({"strategy": names, "labels": [1000] * 4, "predicted": [0.8] * 4, "low": [0.7] * 4,
                         "high": [0.9] * 4})
    spec = charts.projection_chart(obs, proj).to_dict()
    sub = spec["title"]["subtitle"]
    assert isinstance(sub, list) and len(sub) >= 2 and max(map(len, sub)) <= charts.SUBTITLE_WIDTH
    assert " ".join(sub).startswith("Dots: simulated; dashed: fitted curve")  # wrapped, not shortened
    legend = _legends(spec)[0]
    assert legend["orient"] == "bottom" and legend["columns"] <= 2 and legend["labelLimit"] == 0
    assert legend["symbolOpacity"] == 1  # a strategy's swatch is its line, not the faint band
    assert "width" not in spec  # the container's width


def test_tornado_legend_stacks_under_the_chart():
    """Side by side, 'input at its low value' and '... high value' were wider than the half-page column."""
    t = pd.DataFrame({"parameter": ["Cost per label"], "low_label": ["$0.75"], "high_label": ["$1.25"],
                      "low": [0.1], "high": [0.5], "base": [0.3]})
    spec = charts.tornado_chart(t, outcome_label="ROI", unit="%").to_dict()
    assert _legends(spec) == [{"orient": "bottom", "columns": 1, "labelLimit": 0}]
    assert max(map(len, spec["title"]["subtitle"])) <= charts.SUBTITLE_WIDTH


def test_every_chart_wraps_its_subtitle_and_legend(curves):
    from dashboard import sweep_charts

    built = {**_label_count_charts(),
             "costs": charts.cost_breakdown_chart(pd.DataFrame({"option": ["All", "AL"], "component": ["Labels"] * 2,
                                                                "cost": [500.0, 70.0]})),
             "roi": charts.roi_heatmap(pd.DataFrame({"cost_per_label": [1.0, 2.0], "production_pool": [10, 10],
                                                     "roi": [0.5, -0.2]})),
             "intervals": sweep_charts.savings_interval_chart(pd.DataFrame([
                 {"dataset": "d", "strategy": "margin", "savings": 0.3, "savings_low": 0.1, "savings_high": 0.5,
                  "savings_bound": "", "verdict": "beats random"}]))}
    for name, chart in built.items():
        spec = chart.to_dict()
        sub = spec["title"]["subtitle"]
        assert isinstance(sub, list) and max(map(len, sub)) <= charts.SUBTITLE_WIDTH, name
        for legend in _legends(spec):
            if legend.get("orient") == "bottom":
                assert legend.get("columns") and legend.get("labelLimit") == 0, name
