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
    assert set(color["scale"]["range"][1:]) <= set(charts.PALETTE)
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
