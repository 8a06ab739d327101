"""The Sweeps page's chart builders, without a browser: titles, axes with units, encodings and the data drawn."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import charts, sweep_charts

NAN = float("nan")


def _row(dataset, strategy, savings=NAN, low=NAN, high=NAN, bound="", verdict="no evidence", best=False,
         wins=False, auc=0.0):
    return {"dataset": dataset, "model": "logreg", "schedule": "s", "strategy": strategy, "metric": "accuracy",
            "n_seeds": 3, "savings": savings, "savings_low": low, "savings_high": high, "savings_bound": bound,
            "auc_gain": auc, "verdict": verdict, "p_worse_than_random": 0.1, "best": best, "wins": wins}


@pytest.fixture
def summary() -> pd.DataFrame:
    """sweep_summary-shaped rows: a clear win, a no-evidence cell, a bound, a loss, and a cell without savings."""
    return pd.DataFrame([
        _row("adult", "random", verdict="reference"),
        _row("adult", "margin", 0.42, 0.30, 0.55, verdict="beats random", best=True, wins=True),
        _row("adult", "entropy", 0.10, -0.05, 0.25, verdict="no evidence"),
        _row("digits", "random", verdict="reference"),
        _row("digits", "margin", 0.40, 0.35, 0.60, bound="lower", verdict="beats random", best=True, wins=True),
        _row("digits", "entropy", -0.20, -0.30, -0.10, verdict="worse than random"),
        _row("iris", "random", verdict="reference"),
        _row("iris", "margin", verdict="no evidence", auc=0.012, best=True),
        _row("iris", "entropy", verdict="worse than random", auc=-0.02),
    ])


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer") or [spec]


def _data(spec: dict, layer: dict) -> list[dict]:
    """The rows a layer draws (inline data or the top-level datasets)."""
    data = layer.get("data") or spec.get("data") or {}
    if "values" in data:
        return data["values"]
    return spec["datasets"][data["name"]]


def _axis_titles(spec: dict) -> set[str]:
    return {enc["title"] for layer in _layers(spec) for ch, enc in layer.get("encoding", {}).items()
            if ch in ("x", "y") and isinstance(enc, dict) and enc.get("title")}


def test_heatmap_cells_verdict_colours_and_winners(summary):
    spec = sweep_charts.savings_heatmap(summary).to_dict()
    assert spec["title"]["text"].startswith("Where active learning wins")
    assert "95% interval" in " ".join(spec["title"]["subtitle"])
    assert _axis_titles(spec) == {"Query strategy", "Dataset"}
    cells, frame, text = _layers(spec)
    rows = _data(spec, cells)
    # random is the reference, not a cell; every other strategy x dataset is one
    assert {(r["dataset"], r["strategy"]) for r in rows} == {
        (d, s) for d in ("adult", "digits", "iris") for s in ("margin", "entropy")}
    scale = cells["encoding"]["color"]["scale"]
    assert scale["domain"] == ["beats random", "no evidence", "worse than random"]
    assert dict(zip(scale["domain"], scale["range"], strict=True))["no evidence"] == "#d9d9d9"  # neutral, honest
    shown = {(r["dataset"], r["strategy"]): r["shown"] for r in rows}
    assert shown[("adult", "margin")] == "winner: 42%\n(30% to 55%)"
    assert shown[("adult", "entropy")] == "10%\n(-5% to 25%)"  # no evidence: the interval spans zero, shown so
    assert shown[("digits", "margin")].startswith("winner: at least 40%")  # a bound says so
    assert shown[("iris", "margin")] == "n/a; AUC +1.2 pts"  # best but not a winner: no mark
    assert sum("winner" in s for s in shown.values()) == int(summary["wins"].sum())
    # the black frame is drawn for winners only
    assert frame["transform"] == [{"filter": "datum.wins"}] and frame["mark"]["stroke"] == "black"
    assert text["encoding"]["text"]["field"] == "shown"


def test_interval_chart_draws_measured_savings_with_bounds(summary):
    spec = sweep_charts.savings_interval_chart(summary).to_dict()
    assert spec["title"]["text"] == "Savings vs random with 95% intervals"
    assert "Labels saved vs random (% of random's labels)" in _axis_titles(spec)
    zero, bars, dots = _layers(spec)
    assert _data(spec, zero) == [{"zero": 0.0}]
    rows = _data(spec, dots)
    # iris has no defined savings: left out rather than drawn as zero
    assert {(r["dataset"], r["strategy"]) for r in rows} == {
        ("adult", "margin"), ("adult", "entropy"), ("digits", "margin"), ("digits", "entropy")}
    assert bars["encoding"]["x"]["field"] == "savings_low" and bars["encoding"]["x2"]["field"] == "savings_high"
    assert {r["strategy"]: r["bound"] for r in rows if r["dataset"] == "digits"} == {"margin": "lower",
                                                                                      "entropy": "measured"}
    shape = dots["encoding"]["shape"]["scale"]
    assert dict(zip(shape["domain"], shape["range"], strict=True))["lower"] == "triangle-right"
    colors = dots["encoding"]["color"]["scale"]
    assert colors["domain"] == ["margin", "entropy"] and "#6b6b6b" not in colors["range"]  # grey is random's
    # the same colours as on the Results page's charts, whichever strategies the sweep ran
    assert colors["range"] == [charts.STRATEGY_COLORS["margin"], charts.STRATEGY_COLORS["entropy"]]


def test_per_seed_chart_shows_every_seed_over_the_engines_median():
    seeds = pd.DataFrame({"strategy": ["random"] * 3 + ["margin"] * 3, "seed": [0, 1, 2] * 2,
                          "labels_to_target": [200.0, 240.0, 300.0, 120.0, 150.0, 300.0],
                          "censored": [False, False, True, False, False, True]})
    medians = pd.DataFrame({"strategy": ["random", "margin"], "median": [240.0, 150.0], "low": [200.0, 120.0],
                            "high": [300.0, 300.0]})
    spec = sweep_charts.per_seed_chart(seeds, medians, target_description="95% of the full-data accuracy").to_dict()
    assert spec["title"]["text"] == "Labels to reach the target, seed by seed"
    assert spec["title"]["subtitle"][0].startswith("Target: 95% of the full-data accuracy.")
    assert _axis_titles(spec) == {"Labels to reach the target (human-labeled rows)", "Strategy"}
    interval, median, dots = _layers(spec)
    pts = _data(spec, dots)
    assert len(pts) == 6 and sorted(p["labels_to_target"] for p in pts) == sorted(seeds["labels_to_target"])
    assert {p["strategy"] for p in pts} == {"random (baseline)", "margin"}
    assert [p["median"] for p in _data(spec, median)] == [240.0, 150.0]
    assert interval["encoding"]["x"]["field"] == "low" and interval["encoding"]["x2"]["field"] == "high"
    assert dots["encoding"]["shape"]["field"] == "censored"
    assert dots["encoding"]["yOffset"]["field"] == "seed"  # seeds with equal counts do not hide each other
    scale = dots["encoding"]["color"]["scale"]
    assert scale["range"] == [charts.RANDOM_COLOR, charts.STRATEGY_COLORS["margin"]]


def test_heatmap_frame_without_any_winner_marks_none(summary):
    none = summary.assign(wins=False)
    df = sweep_charts.heatmap_frame(none)
    assert not df["shown"].str.contains("winner").any()
    assert "random" not in set(df["strategy"])
    assert (df["basis"] == "area under the curve (labels cannot tell)").sum() == int(
        summary.loc[summary["strategy"] != "random", "savings"].isna().sum())


def test_interval_chart_leaves_out_undefined_savings(summary):
    """An infinite saving or a missing interval end never reaches the chart; nothing defined says why."""
    from dashboard.charts import NoChartData

    odd = summary.copy()
    odd.loc[(odd["dataset"] == "adult") & (odd["strategy"] == "entropy"), "savings"] = float("inf")
    odd.loc[(odd["dataset"] == "digits") & (odd["strategy"] == "margin"), "savings_high"] = None
    spec = sweep_charts.savings_interval_chart(odd).to_dict()
    rows = _data(spec, _layers(spec)[2])
    assert ("adult", "entropy") not in {(r["dataset"], r["strategy"]) for r in rows}
    digits = next(r for r in rows if (r["dataset"], r["strategy"]) == ("digits", "margin"))
    assert digits["savings_high"] == digits["savings"]  # the missing end collapses onto the median
    with pytest.raises(NoChartData, match="no saving is defined"):
        sweep_charts.savings_interval_chart(summary.assign(savings=float("nan")))
