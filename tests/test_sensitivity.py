"""Sensitivity: the tornado table and the ROI grid."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulations.economics import EconomicInputs, business_case, roi_grid, tornado
from simulations.errors import ConfigError

CASE = {"labels_random": 20_000, "labels_al": 8_000, "accuracy_random": 0.88, "accuracy_al": 0.91}
COLUMNS = ["input", "base_value", "low_value", "high_value", "roi_low", "roi_high", "swing"]


def inputs(**kw) -> EconomicInputs:
    base = {
        "cost_per_label": 2.50,
        "setup_cost": 10_000,
        "value_per_point": 10_000,
        "production_pool": 100_000,
    }
    base.update(kw)
    return EconomicInputs(**base)


def _roi_with(inp: EconomicInputs, name: str, value: float, baseline: str = "random") -> float:
    """Recompute the ROI with one input moved, through the public point function."""
    case = dict(CASE)
    if name in ("labels_random", "labels_al"):
        case[name] = value
    elif name == "accuracy_gain":
        case["accuracy_al"] = case["accuracy_random"] + value / 100
    else:
        inp = dataclasses.replace(inp, **{name: value})
    out = business_case(**case, inputs=inp, accuracy_whole_pool=0.91)
    return out.roi if baseline == "random" else out.whole_pool_roi


def test_tornado_moves_each_input_25_percent_and_matches_the_point_function():
    inp = inputs(round_overhead=100, rounds=20)
    df = tornado(inp, **CASE)
    assert list(df.columns[:7]) == COLUMNS
    assert set(df["input"]) == {
        "cost_per_label",
        "setup_cost",
        "value_per_point",
        "round_overhead",
        "rounds",
        "labels_random",
        "labels_al",
        "accuracy_gain",
    }
    for row in df.itertuples(index=False):
        assert row.low_value == pytest.approx(0.75 * row.base_value)
        assert row.high_value == pytest.approx(1.25 * row.base_value)
        value_lo = int(row.low_value) if row.input == "rounds" else row.low_value
        value_hi = int(row.high_value) if row.input == "rounds" else row.high_value
        assert row.roi_low == pytest.approx(_roi_with(inp, row.input, value_lo)), row.input
        assert row.roi_high == pytest.approx(_roi_with(inp, row.input, value_hi)), row.input
        assert row.swing == pytest.approx(abs(row.roi_high - row.roi_low))
    assert df["base_roi"].iloc[0] == pytest.approx(business_case(**CASE, inputs=inp).roi)


def test_tornado_sorted_by_swing_and_a_dominant_input_comes_first():
    df = tornado(inputs(setup_cost=200_000), **CASE)
    assert list(df["swing"]) == sorted(df["swing"], reverse=True)
    assert df["input"].iloc[0] == "setup_cost"
    # accuracy worth nothing: the value inputs drop out and labels (the saving) lead
    df2 = tornado(inputs(value_per_point=0), **CASE)
    assert "value_per_point" not in set(df2["input"])
    assert df2["input"].iloc[0] in ("labels_random", "labels_al")
    assert df2.set_index("input").loc["accuracy_gain", "swing"] == 0


def test_tornado_direction_of_moves():
    df = tornado(inputs(), **CASE).set_index("input")
    assert df.loc["setup_cost", "roi_high"] < df.loc["setup_cost", "roi_low"]  # more setup, less ROI
    assert df.loc["labels_random", "roi_high"] > df.loc["labels_random", "roi_low"]
    assert df.loc["labels_al", "roi_high"] < df.loc["labels_al", "roi_low"]
    assert df.loc["value_per_point", "roi_high"] > df.loc["value_per_point", "roi_low"]


def test_tornado_skips_zero_inputs_and_supports_whole_pool_baseline_and_filters():
    df = tornado(inputs(setup_cost=0), **CASE)
    assert "setup_cost" not in set(df["input"]) and "production_pool" not in set(df["input"])
    wp = tornado(inputs(), **CASE, accuracy_whole_pool=0.93, baseline="whole_pool")
    assert "production_pool" in set(wp["input"]) and "labels_random" not in set(wp["input"])
    row = wp.set_index("input").loc["production_pool"]
    assert row["roi_high"] == pytest.approx(
        business_case(**CASE, inputs=inputs(production_pool=125_000), accuracy_whole_pool=0.93).whole_pool_roi
    )
    only = tornado(inputs(), **CASE, include=["setup_cost", "labels_al"])
    assert sorted(only["input"]) == ["labels_al", "setup_cost"]


def test_tornado_value_via_predictions_moves_both_factors():
    inp = inputs(value_per_point=None, predictions=1_000_000, cost_per_error=1.0)
    df = tornado(inp, **CASE).set_index("input")
    assert {"predictions", "cost_per_error"} <= set(df.index) and "value_per_point" not in df.index
    assert df.loc["predictions", "swing"] == pytest.approx(df.loc["cost_per_error", "swing"])


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"change": 0}, "change must be a fraction"),
        ({"change": 1.5}, "change must be a fraction"),
        ({"baseline": "budget"}, "Unknown baseline"),
        ({"include": ["nonsense"]}, "Unknown tornado input"),
    ],
)
def test_tornado_bad_arguments(kw, message):
    with pytest.raises(ConfigError, match=message) as err:
        tornado(inputs(), **CASE, **kw)
    assert err.value.hint


def test_tornado_validates_the_base_case():
    with pytest.raises(ConfigError, match="accuracy_al must be between 0 and 1"):
        tornado(inputs(), 20_000, 8_000, 0.88, 91)


def test_roi_grid_shape_and_columns():
    costs, pools = [0.5, 1, 2.5, 5], [30_000, 100_000, 1_000_000]
    df = roi_grid(inputs(), costs, pools, **CASE)
    assert len(df) == len(costs) * len(pools)
    assert {
        "cost_per_label",
        "production_pool",
        "roi",
        "total_benefit",
        "whole_pool_roi",
        "pays_off",
        "capped",
    } <= set(df.columns)
    assert set(df["cost_per_label"]) == set(costs) and set(df["production_pool"]) == set(pools)
    cell = df[(df.cost_per_label == 2.5) & (df.production_pool == 100_000)].iloc[0]
    assert cell["roi"] == pytest.approx(50_000 / 30_000)


def test_roi_grid_monotone_where_it_must_be():
    df = roi_grid(inputs(), [0.5, 1, 2.5, 5], [30_000, 100_000, 1_000_000], **CASE)
    for _, g in df.groupby("production_pool"):
        assert np.all(np.diff(g.sort_values("cost_per_label")["total_benefit"]) > 0)  # AL saves labels
    for _, g in df.groupby("cost_per_label"):
        g = g.sort_values("production_pool")
        assert np.all(np.diff(g["whole_pool_total_benefit"]) > 0)
        assert np.allclose(g["roi"], g["roi"].iloc[0])  # absolute scaling: pool size does not move it


def test_roi_grid_caps_plans_at_small_pools_and_scales_proportionally():
    df = roi_grid(inputs(), [2.5], [5_000, 100_000], **CASE)
    small = df[df.production_pool == 5_000].iloc[0]
    assert small["capped"] and small["labels_random"] == 5_000 and small["labels_al"] == 5_000
    assert small["roi"] < 0  # both label everything: AL only adds its setup cost
    prop = roi_grid(
        inputs(), [2.5], [50_000, 200_000], **CASE, scaling="proportional", simulated_pool=100_000
    )
    assert list(prop["labels_random"]) == [10_000, 40_000]
    assert list(prop["labels_al"]) == [4_000, 16_000]
    assert prop["total_benefit"].iloc[1] > prop["total_benefit"].iloc[0]


@pytest.mark.parametrize(
    ("args", "kw", "message"),
    [
        (([], [1000]), {}, "cost_per_label_values is empty"),
        (([-1.0], [1000]), {}, "cost_per_label_values must all be at least 0"),
        (([1.0], [0]), {}, "production_pool_values must all be at least 1"),
        (([1.0], [1000.5]), {}, "whole numbers"),
        (([float("nan")], [1000]), {}, "NaN"),
        (([1.0], [100_000]), {"scaling": "proportional"}, "needs simulated_pool"),
        (([1.0], [100_000]), {"scaling": "linear"}, "Unknown scaling"),
    ],
)
def test_roi_grid_bad_arguments(args, kw, message):
    with pytest.raises(ConfigError, match=message) as err:
        roi_grid(inputs(), *args, **CASE, **kw)
    assert err.value.hint
