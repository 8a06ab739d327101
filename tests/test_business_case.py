"""The business case: the worked example exactly, consistency, censoring, validation, the results path."""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulations.economics import (
    CASE_FIELDS,
    BusinessCase,
    BusinessCaseRange,
    EconomicInputs,
    business_case,
    business_case_from_per_seed,
    business_case_from_results,
    business_case_over_seeds,
    choose_strategy,
)
from simulations.errors import ConfigError, ResultsFileError

# ------------------------------------------------------------------ the worked example (reference notes)


def example_inputs(**kw) -> EconomicInputs:
    base = {
        "cost_per_label": 2.50,
        "setup_cost": 10_000,
        "value_per_point": 10_000,
        "production_pool": 100_000,
    }
    base.update(kw)
    return EconomicInputs(**base)


def test_worked_example_exact():
    # $50,000 budget at $2.50 = 20,000 random labels; AL needs 40% = 8,000; accuracy 88% -> 91%
    budget, cost = 50_000, 2.50
    labels_random = budget / cost
    labels_al = 0.4 * labels_random
    case = business_case(labels_random, labels_al, 0.88, 0.91, example_inputs())
    assert labels_random == 20_000 and labels_al == 8_000
    assert case.random_label_cost == 50_000
    assert case.al_label_cost == 20_000
    assert case.al_total_cost == 30_000
    assert case.value_increase == 30_000
    assert case.cost_savings == 20_000
    assert case.total_benefit == 50_000
    assert case.roi == 50_000 / 30_000
    assert round(case.roi * 100, 1) == 166.7
    assert case.accuracy_gain_points == 3.0
    assert case.bounds == {}
    assert case.pays_off


def test_value_from_predictions_times_cost_per_error_matches_value_per_point():
    # 1,000,000 predictions x $1 per error / 100 = $10,000 per accuracy point
    via_errors = example_inputs(value_per_point=None, predictions=1_000_000, cost_per_error=1.0)
    assert via_errors.point_value == 1_000_000 * 1.0 / 100
    a = business_case(20_000, 8_000, 0.88, 0.91, via_errors)
    b = business_case(20_000, 8_000, 0.88, 0.91, example_inputs())
    for name in CASE_FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y), name
    # both specifications are shown in the outputs
    assert a.value_per_point == 10_000 and a.predictions == 1_000_000 and a.cost_per_error == 1.0
    assert a.value_source != b.value_source
    assert any("predictions" in s for s in a.assumptions)


def test_value_conversion_scales_with_both_factors():
    a = example_inputs(value_per_point=None, predictions=2_000, cost_per_error=3.0)
    b = example_inputs(value_per_point=None, predictions=4_000, cost_per_error=3.0)
    assert a.point_value == pytest.approx(60.0)
    assert b.point_value == pytest.approx(2 * a.point_value)


# ------------------------------------------------------------------ consistency properties


@pytest.mark.parametrize(("lr", "la"), [(20_000, 8_000), (5_000, 4_900), (1_000, 100)])
def test_higher_cost_per_label_means_higher_savings_when_al_needs_fewer_labels(lr, la):
    savings = [
        business_case(lr, la, 0.9, 0.9, example_inputs(cost_per_label=c)).cost_savings
        for c in (0.1, 0.5, 1.0, 2.5, 10.0)
    ]
    assert all(b > a for a, b in itertools.pairwise(savings))


def test_higher_cost_per_label_means_lower_savings_when_al_needs_more_labels():
    savings = [
        business_case(8_000, 9_000, 0.9, 0.9, example_inputs(cost_per_label=c)).cost_savings
        for c in (0.1, 1.0, 10.0)
    ]
    assert savings[0] > savings[1] > savings[2]


@pytest.mark.parametrize("value_per_point", [0.0, 100.0, 2_000.0])
@pytest.mark.parametrize("gain", [0.0, 0.004, -0.01])
def test_break_even_labels_is_where_total_benefit_is_zero(value_per_point, gain):
    inputs = example_inputs(value_per_point=value_per_point, round_overhead=50.0, rounds=12)
    case = business_case(3_000, 1_000, 0.85, 0.85 + gain, inputs)
    labels_al = 1_000
    at = business_case(labels_al + case.break_even_labels, labels_al, 0.85, 0.85 + gain, inputs)
    assert at.total_benefit == pytest.approx(0.0, abs=1e-6)
    # one label more saved than break-even pays; one fewer does not
    more = business_case(labels_al + case.break_even_labels + 1, labels_al, 0.85, 0.85 + gain, inputs)
    less = business_case(labels_al + case.break_even_labels - 1, labels_al, 0.85, 0.85 + gain, inputs)
    assert more.total_benefit > 0 > less.total_benefit


def test_break_even_pool_is_where_labeling_everything_costs_the_same():
    inputs = example_inputs(setup_cost=5_000, production_pool=50_000)
    case = business_case(10_000, 4_000, 0.88, 0.90, inputs, accuracy_whole_pool=0.92)
    pool = case.whole_pool_break_even_pool
    at = business_case(
        10_000,
        4_000,
        0.88,
        0.90,
        example_inputs(setup_cost=5_000, production_pool=round(pool)),
        accuracy_whole_pool=0.92,
    )
    assert at.whole_pool_total_benefit == pytest.approx(0.0, abs=2.5)  # pool rounded to whole items
    # AL is 2 points less accurate than labeling everything: that costs value, raising the break-even pool
    assert case.whole_pool_value_increase == pytest.approx(-20_000)
    assert pool == pytest.approx(4_000 + (5_000 + 20_000) / 2.5)


def test_payback_within_project_iff_label_savings_cover_fixed_costs():
    rng = np.random.default_rng(3)
    for _ in range(200):
        lr = float(rng.integers(100, 50_000))
        la = float(rng.integers(50, 50_000))
        inputs = example_inputs(
            cost_per_label=float(rng.uniform(0.05, 5)), setup_cost=float(rng.uniform(0, 20_000))
        )
        case = business_case(lr, la, 0.9, 0.9, inputs)
        assert (case.payback_labels <= la) == (case.cost_savings >= -1e-6)
        # the flag the CLI and the dashboard word: after the plan's last label, but a payback that does come
        assert case.payback_beyond_plan == (math.isfinite(case.payback_labels) and case.payback_labels > la)
        assert case.to_dict()["payback_beyond_plan"] == case.payback_beyond_plan


def test_calendar_time_uses_team_throughput():
    one = business_case(20_000, 8_000, 0.88, 0.91, example_inputs(labels_per_hour=50))
    three = business_case(20_000, 8_000, 0.88, 0.91, example_inputs(labels_per_hour=50, annotators=3))
    assert one.hours_random == pytest.approx(400.0)
    assert one.hours_al == pytest.approx(160.0)
    assert three.hours_saved == pytest.approx(one.hours_saved / 3)
    assert three.payback_hours == pytest.approx(three.payback_labels / 150)
    no_speed = business_case(20_000, 8_000, 0.88, 0.91, example_inputs())
    assert math.isnan(no_speed.hours_random)
    assert no_speed.to_dict()["hours_random"] is None


def test_round_overhead_from_rounds_and_from_batch_size():
    by_rounds = business_case(20_000, 8_000, 0.88, 0.91, example_inputs(round_overhead=100, rounds=40))
    by_batch = business_case(20_000, 8_000, 0.88, 0.91, example_inputs(round_overhead=100, batch_size=300))
    assert by_rounds.al_overhead_cost == 4_000
    assert by_batch.al_rounds == math.ceil(8_000 / 300)
    assert by_batch.al_total_cost == 20_000 + 10_000 + 100 * 27
    assert by_rounds.roi < business_case(20_000, 8_000, 0.88, 0.91, example_inputs()).roi


def test_no_saving_means_no_payback_and_json_stays_valid():
    case = business_case(8_000, 8_000, 0.9, 0.9, example_inputs())
    assert math.isinf(case.payback_labels)
    assert not case.pays_off
    text = json.dumps(case.to_dict(), allow_nan=False)
    assert json.loads(text)["payback_labels"] is None


def test_zero_fixed_costs_pay_back_immediately():
    case = business_case(8_000, 5_000, 0.9, 0.9, example_inputs(setup_cost=0))
    assert case.payback_labels == 0
    assert case.break_even_labels == 0


def test_budget_cap_flags_plans_beyond_it():
    case = business_case(20_000, 8_000, 0.88, 0.91, example_inputs(budget_cap=10_000))
    assert not case.random_within_budget
    assert case.al_within_budget


# ------------------------------------------------------------------ censoring


def test_random_censored_makes_savings_and_roi_lower_bounds():
    case = business_case(20_000, 8_000, 0.88, 0.91, example_inputs(), random_censored=True)
    assert case.bounds["labels_random"] == "lower"
    assert case.bounds["cost_savings"] == "lower"
    assert case.bounds["total_benefit"] == "lower"
    assert case.bounds["roi"] == "lower"
    assert case.bounds["payback_labels"] == "upper"
    for exact in ("labels_al", "al_total_cost", "value_increase", "whole_pool_roi", "break_even_labels"):
        assert exact not in case.bounds
    # the direction is right: a random plan needing more labels only raises the ROI
    assert business_case(30_000, 8_000, 0.88, 0.91, example_inputs()).roi > case.roi


def test_al_censored_makes_savings_upper_and_costs_lower_bounds():
    case = business_case(20_000, 8_000, 0.88, 0.91, example_inputs(), al_censored=True)
    assert case.bounds["labels_al"] == "lower"
    assert case.bounds["al_total_cost"] == "lower"
    assert case.bounds["roi"] == "upper"
    assert case.bounds["whole_pool_roi"] == "upper"
    assert "labels_random" not in case.bounds
    assert business_case(20_000, 12_000, 0.88, 0.91, example_inputs()).roi < case.roi


def test_both_censored_roi_is_unknown():
    case = business_case(20_000, 8_000, 0.88, 0.91, example_inputs(), random_censored=True, al_censored=True)
    assert case.bounds["roi"] == "unknown"
    assert case.bounds["labels_random"] == "lower" and case.bounds["labels_al"] == "lower"


def test_seeds_where_both_plans_missed_the_target_do_not_count_toward_a_verdict():
    from simulations.economics.cli import verdict

    # six seeds: the fewest whose [min, max] covers 95% of the median (96.9%), so a verdict is possible
    lr, la = [20_000, 21_000, 19_000, 20_500, 19_500, 20_200], [8_000, 8_200, 7_900, 8_400, 8_100, 8_300]
    acc = [0.9] * 6
    six = business_case_over_seeds(lr, la, acc, acc, example_inputs())
    assert six.seeds_compared == 6 and six.pays_off and verdict(six).startswith("AL pays off")
    # two seeds where neither reached the target: four left to compare, as the simulation summary counts them
    both = [False, False, False, False, True, True]
    four = business_case_over_seeds(lr, la, acc, acc, example_inputs(), random_censored=both, al_censored=both)
    assert four.n_seeds == 6 and four.seeds_compared == 4 and four.to_dict()["n_seeds_compared"] == 4
    assert not four.pays_off
    assert "rest on 4 simulated seeds comparing AL with random (2 of the 6 seeds" in verdict(four)


def test_censoring_over_seeds_marks_ranges_and_probability():
    lr, la = [20_000, 21_000, 19_000, 8_500], [8_000, 8_200, 7_900, 8_400]
    acc = [0.9] * 4
    clean = business_case_over_seeds(lr, la, acc, acc, example_inputs())
    assert clean.roi.bound == "" and clean.n_random_censored == 0
    cens = business_case_over_seeds(
        lr, la, acc, acc, example_inputs(), random_censored=[False, False, False, True]
    )
    assert cens.roi.bound == "lower" and cens.total_benefit.bound == "lower"
    assert cens.labels_al.bound == ""
    assert cens.n_random_censored == 1
    # the censored seed's ROI is negative but only a lower bound: the share positive is a lower bound
    assert cens.per_seed["roi"].iloc[3] < 0
    assert cens.p_roi_positive == 0.75 and cens.p_roi_positive_bound == "lower"
    assert any("censored" in a for a in cens.assumptions)


# ------------------------------------------------------------------ ranges over seeds


def test_range_summarises_the_per_seed_point_cases():
    lr = [20_000, 18_000, 25_000, 15_000, 21_000, 19_500]
    la = [8_000, 9_000, 7_000, 14_000, 12_000, 9_900]
    ar = [0.88, 0.87, 0.89, 0.88, 0.88, 0.86]
    aa = [0.90, 0.91, 0.89, 0.88, 0.90, 0.87]
    inputs = example_inputs(labels_per_hour=40)
    rng = business_case_over_seeds(lr, la, ar, aa, inputs)
    points = [business_case(*args, inputs) for args in zip(lr, la, ar, aa, strict=True)]
    for name in ("roi", "total_benefit", "cost_savings", "payback_labels", "hours_saved", "whole_pool_roi"):
        r = getattr(rng, name)
        assert r.median == pytest.approx(np.median([getattr(p, name) for p in points])), name
        assert r.low <= r.median <= r.high, name
        assert min(getattr(p, name) for p in points) <= r.low, name
    assert rng.roi.low < rng.roi.high
    assert rng.n_seeds == 6
    assert 0 <= rng.p_roi_positive <= 1
    assert rng.p_roi_positive == pytest.approx(np.mean([p.roi > 0 for p in points]))


def test_range_is_the_summary_order_statistic_interval_whatever_the_random_state():
    # one saving, one range everywhere: the business case uses simulations.stats.median_interval, which draws
    # nothing at random (the bootstrap it replaced moved with random_state)
    from simulations.stats import median_interval

    g = np.random.default_rng(0)
    lr20, la20 = g.integers(1_500, 3_000, 20), g.integers(500, 1_800, 20)
    many = {
        business_case_over_seeds(
            lr20, la20, [0.9] * 20, [0.9] * 20, example_inputs(), random_state=s, n_boot=200
        ).labels_saved
        for s in range(10)
    }
    assert len(many) == 1
    iv = median_interval(lr20 - la20)
    assert (many.pop().low, iv.low) == (pytest.approx(iv.low), iv.low)


def test_p_roi_positive_is_zero_or_one_in_clear_cases():
    acc = [0.9] * 6
    win = business_case_over_seeds(
        [20_000] * 6, [5_000, 6_000, 4_000, 5_500, 5_100, 5_200], acc, acc, example_inputs(setup_cost=1_000)
    )
    lose = business_case_over_seeds(
        [5_000] * 6, [5_000, 6_000, 4_900, 5_500, 5_100, 5_200], acc, acc, example_inputs(setup_cost=50_000)
    )
    assert win.p_roi_positive == 1.0 and win.pays_off
    assert lose.p_roi_positive == 0.0 and not lose.pays_off


def test_single_seed_and_no_bootstrap_give_degenerate_ranges():
    one = business_case_over_seeds([20_000], [8_000], [0.88], [0.91], example_inputs())
    assert one.roi.low == one.roi.median == one.roi.high == 50_000 / 30_000
    nb = business_case_over_seeds([1, 2, 3], [1, 1, 1], [0.5] * 3, [0.5] * 3, example_inputs(), n_boot=0)
    assert nb.total_benefit.low == nb.total_benefit.high == nb.total_benefit.median


def test_range_to_dict_is_json_with_median_low_high():
    rng = business_case_over_seeds([20_000, 8_000], [8_000, 8_000], [0.88] * 2, [0.91] * 2, example_inputs())
    d = json.loads(json.dumps(rng.to_dict(), allow_nan=False))
    for key in (
        "roi",
        "total_benefit",
        "cost_savings",
        "value_increase",
        "al_total_cost",
        "break_even_labels",
    ):
        assert set(d[key]) >= {"median", "low", "high"}
    assert d["payback_labels"]["high"] is None  # one seed saves nothing: payback never
    assert d["hours_random"] is None


def test_every_case_field_is_on_both_result_types():
    point_fields = set(BusinessCase.__dataclass_fields__)
    range_fields = set(BusinessCaseRange.__dataclass_fields__)
    assert set(CASE_FIELDS) <= point_fields and set(CASE_FIELDS) <= range_fields


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"cost_per_label": -1}, "cost_per_label must be zero or more"),
        ({"cost_per_label": float("nan")}, "cost_per_label is NaN"),
        ({"cost_per_label": "2.5"}, "cost_per_label must be a number"),
        ({"setup_cost": -10}, "setup_cost must be zero or more"),
        ({"setup_cost": float("inf")}, "setup_cost must be finite"),
        ({"production_pool": 0}, "production_pool must be at least 1"),
        ({"production_pool": -5}, "production_pool must be at least 1"),
        ({"production_pool": 10.5}, "production_pool must be a whole number"),
        ({"production_pool": float("nan")}, "production_pool is NaN"),
        ({"value_per_point": None}, "value of accuracy is missing"),
        ({"predictions": 1000, "cost_per_error": 1}, "Both value_per_point and predictions"),
        ({"value_per_point": None, "predictions": 1000}, "predictions was given without cost_per_error"),
        ({"value_per_point": None, "cost_per_error": 2}, "cost_per_error was given without predictions"),
        (
            {"value_per_point": None, "predictions": -1, "cost_per_error": 2},
            "predictions must be zero or more",
        ),
        (
            {"value_per_point": None, "predictions": 10, "cost_per_error": -2},
            "cost_per_error must be zero or more",
        ),
        ({"value_per_point": -100}, "value_per_point must be zero or more"),
        ({"budget_cap": 0}, "budget_cap must be more than 0"),
        ({"labels_per_hour": 0}, "labels_per_hour must be more than 0"),
        ({"annotators": 0}, "annotators must be a whole number"),
        ({"annotators": 1.5}, "annotators must be a whole number"),
        ({"round_overhead": -1}, "round_overhead must be zero or more"),
        ({"rounds": 3, "batch_size": 100}, "Both rounds and batch_size"),
        ({"rounds": -1}, "rounds must be a whole number"),
        ({"batch_size": 0}, "batch_size must be a whole number"),
        ({"cost_per_label": True}, "cost_per_label must be a number"),
    ],
)
def test_bad_inputs_raise_config_error_with_message_and_hint(kw, message):
    with pytest.raises(ConfigError) as err:
        example_inputs(**kw)
    assert message in err.value.message
    assert err.value.hint


@pytest.mark.parametrize(
    ("args", "kw", "message"),
    [
        ((-5, 8_000, 0.88, 0.91), {}, "labels_random must be more than 0"),
        ((20_000, float("nan"), 0.88, 0.91), {}, "labels_al contains NaN"),
        ((200_000, 8_000, 0.88, 0.91), {}, "exceeds the production pool"),
        ((20_000, 8_000, 88, 0.91), {}, "accuracy_random must be between 0 and 1"),
        ((20_000, 8_000, 0.88, -0.1), {}, "accuracy_al must be between 0 and 1"),
        (
            (20_000, 8_000, 0.88, 0.91),
            {"accuracy_whole_pool": 1.5},
            "accuracy_whole_pool must be between 0 and 1",
        ),
    ],
)
def test_bad_case_numbers_raise_config_error(args, kw, message):
    with pytest.raises(ConfigError) as err:
        business_case(*args, example_inputs(), **kw)
    assert message in err.value.message
    assert err.value.hint


def test_round_overhead_without_rounds_is_an_error():
    with pytest.raises(ConfigError, match="number of AL rounds is unknown"):
        business_case(20_000, 8_000, 0.88, 0.91, example_inputs(round_overhead=50))


def test_over_seeds_rejects_mismatched_lengths_and_empty_input():
    with pytest.raises(ConfigError, match="has 2 values but labels_random has 3"):
        business_case_over_seeds([1, 2, 3], [1, 2], [0.5] * 3, [0.5] * 3, example_inputs())
    with pytest.raises(ConfigError, match="No seeds"):
        business_case_over_seeds([], [], [], [], example_inputs())


# ------------------------------------------------------------------ from results (synthetic tables)

SCHEDULE = np.array([20, 40, 80, 160, 320, 500])
SCALES = {"random": [200, 220, 180, 210], "margin": [100, 90, 120, 95], "entropy": [150, 170, 140, 160]}
#: Seeds 4-6, for the tests that need more seeds (6 for a verdict on one strategy, 7 for the best of 2-3).
MORE_SCALES = {"random": [190, 230, 205], "margin": [110, 105, 98], "entropy": [155, 165, 145]}


def curve(labels, scale):
    return 0.5 + 0.45 * (1 - np.exp(-np.asarray(labels, float) / scale))


def synthetic_tables(share=0.9, strategies=("random", "margin", "entropy"), seeds=4):
    """rounds, ceilings and per_seed frames of the documented shapes (engine contract)."""
    rounds, per_seed = [], []
    ceiling = 0.95
    target = share * ceiling
    for s in strategies:
        for seed in range(seeds):
            scale = (SCALES[s] + MORE_SCALES[s])[seed]
            acc = curve(SCHEDULE, scale)
            for i, (x, y) in enumerate(zip(SCHEDULE, acc, strict=True)):
                rounds.append({"strategy": s, "seed": seed, "round": i, "labels": int(x), "accuracy": y})
            hit = np.flatnonzero(acc >= target)
            if hit.size:
                i = hit[0]
                x0, x1, y0, y1 = SCHEDULE[i - 1], SCHEDULE[i], acc[i - 1], acc[i]
                ltt, cens = x0 + (target - y0) * (x1 - x0) / (y1 - y0), False
            else:
                ltt, cens = float(SCHEDULE[-1]), True
            per_seed.append(
                {
                    "strategy": s,
                    "seed": seed,
                    "target_value": target,
                    "labels_to_target": ltt,
                    "censored": cens,
                    "too_easy": False,
                    "final": acc[-1],
                    "auc": float(acc.mean()),
                }
            )
    ceilings = pd.DataFrame(
        {"seed": range(seeds), "accuracy": [ceiling] * seeds, "baseline_accuracy": [0.5] * seeds}
    )
    return pd.DataFrame(rounds), ceilings, pd.DataFrame(per_seed)


def small_inputs(**kw):
    base = {"cost_per_label": 3.0, "setup_cost": 100.0, "value_per_point": 50.0, "production_pool": 10_000}
    base.update(kw)
    return EconomicInputs(**base)


def test_choose_strategy_picks_the_largest_median_saving_and_checks_names():
    _rounds, _, ps = synthetic_tables()
    assert choose_strategy(ps) == "margin"
    assert choose_strategy(ps, "entropy") == "entropy"
    with pytest.raises(ConfigError, match="'qbc' is not in the results") as err:
        choose_strategy(ps, "qbc")
    assert "margin" in err.value.hint
    with pytest.raises(ConfigError, match="baseline"):
        choose_strategy(ps, "random")
    with pytest.raises(ConfigError, match="only random"):
        choose_strategy(ps[ps["strategy"] == "random"])
    with pytest.raises(ConfigError, match="no 'random'"):
        choose_strategy(ps[ps["strategy"] != "random"])


def test_from_per_seed_uses_labels_to_target_of_random_and_the_best_strategy():
    rounds, ceilings, ps = synthetic_tables()
    case = business_case_from_per_seed(ps, rounds, small_inputs(), metric="accuracy", ceilings=ceilings)
    assert case.strategy == "margin" and case.n_seeds == 4
    lr = ps[ps.strategy == "random"]["labels_to_target"].to_numpy()
    la = ps[ps.strategy == "margin"]["labels_to_target"].to_numpy()
    assert case.labels_random.median == pytest.approx(np.median(lr))
    assert case.labels_al.median == pytest.approx(np.median(la))
    # both plans stop at the target: same accuracy, no value counted twice
    assert case.value_increase.median == pytest.approx(0.0, abs=1e-6)
    assert case.cost_savings.median == pytest.approx(np.median(3.0 * (lr - la) - 100.0))
    # whole-pool accuracy comes from the ceilings; the AL plan (at the target) is below it
    assert case.whole_pool_accuracy.median == pytest.approx(0.95)
    assert case.whole_pool_value_increase.median == pytest.approx((0.9 * 0.95 - 0.95) * 100 * 50.0)
    # equal budget (no cap): random gets AL's labels and is less accurate
    assert case.equal_budget_labels.median == pytest.approx(np.median(la))
    assert case.equal_budget_value_increase.low > 0
    assert case.roi.bound == ""


def test_budget_cap_stops_the_random_plan_with_its_accuracy_at_the_cap():
    rounds, ceilings, ps = synthetic_tables()
    cap = 250
    case = business_case_from_per_seed(
        ps, rounds, small_inputs(budget_cap=cap), metric="accuracy", strategy="margin", ceilings=ceilings
    )
    seeds = case.per_seed
    assert np.all(seeds["labels_random"] == cap)  # random needs > 250 on every seed
    expected_acc = [np.interp(cap, SCHEDULE, curve(SCHEDULE, s)) for s in SCALES["random"]]
    assert np.allclose(seeds["accuracy_random"], expected_acc)
    assert np.all(seeds["value_increase"] > 0)  # AL reached the target, random stopped short of it
    assert case.n_random_censored == 0  # stopped by the cap, not unknown
    assert case.equal_budget_labels.median == cap


def test_censored_random_without_projection_gives_lower_bounds():
    rounds, ceilings, ps = synthetic_tables(share=0.97)  # random never reaches 0.9215 within 500 labels
    rnd = ps[ps.strategy == "random"]
    assert rnd["censored"].any()
    case = business_case_from_per_seed(
        ps, rounds, small_inputs(), metric="accuracy", strategy="margin", ceilings=ceilings
    )
    assert case.n_random_censored == int(rnd["censored"].sum())
    assert case.labels_random.bound == "lower"
    assert case.roi.bound == "lower"
    assert case.value_increase.bound == ""


def test_projection_replaces_censored_seeds():
    rounds, ceilings, ps = synthetic_tables(share=0.97)
    calls = []

    def projection(strategy, seed, labels, values):
        calls.append((strategy, seed))
        scale = SCALES[strategy][seed]
        return lambda x: curve(x, scale)

    case = business_case_from_per_seed(
        ps,
        rounds,
        small_inputs(),
        metric="accuracy",
        strategy="margin",
        ceilings=ceilings,
        projection=projection,
    )
    assert calls and all(s == "random" for s, _ in calls)
    assert case.n_random_censored == 0 and case.roi.bound == ""
    target = 0.97 * 0.95
    exact = np.array([-s * math.log(1 - (target - 0.5) / 0.45) for s in SCALES["random"]])
    cens = ps[ps.strategy == "random"]["censored"].to_numpy()
    got = case.per_seed["labels_random"].to_numpy()
    assert np.array_equal(got[cens], np.ceil(exact[cens]))  # the first whole label count at the target
    assert np.array_equal(got[~cens], ps[ps.strategy == "random"]["labels_to_target"].to_numpy()[~cens])
    assert any("projected" in a for a in case.assumptions)

    table = pd.DataFrame({"strategy": "random", "seed": range(4), "labels_to_target": [900.0] * 4})
    pre = business_case_from_per_seed(
        ps, rounds, small_inputs(), metric="accuracy", strategy="margin", ceilings=ceilings, projection=table
    )
    cens = ps[(ps.strategy == "random")]["censored"].to_numpy()
    assert np.all(pre.per_seed["labels_random"][cens] == 900.0)
    assert pre.n_random_censored == 0
    # a cap below the projected count stops the plan there, between the last simulated accuracy and the target
    capped = business_case_from_per_seed(ps, rounds, small_inputs(budget_cap=700), metric="accuracy",
                                         strategy="margin", ceilings=ceilings, projection=table)
    acc = capped.per_seed["accuracy_random"].to_numpy()[cens]
    last = np.array([curve(500, s) for s in SCALES["random"]])[cens]
    assert np.all(capped.per_seed["labels_random"][cens] == 700.0)
    assert np.allclose(acc, last + (target - last) * (700 - 500) / (900 - 500))


def test_rounds_for_overhead_come_from_the_simulated_schedule():
    rounds, ceilings, ps = synthetic_tables()
    case = business_case_from_per_seed(
        ps, rounds, small_inputs(round_overhead=10.0), metric="accuracy", strategy="margin", ceilings=ceilings
    )
    la = ps[ps.strategy == "margin"]["labels_to_target"].to_numpy()
    expected = [np.sum(SCHEDULE < x) for x in la]
    assert np.array_equal(case.per_seed["al_rounds"], expected)
    assert np.allclose(case.per_seed["al_overhead_cost"], 10.0 * np.array(expected))


def test_from_per_seed_rejects_incomplete_tables():
    rounds, _ceilings, ps = synthetic_tables()
    with pytest.raises(ResultsFileError, match="lacks columns"):
        business_case_from_per_seed(ps.drop(columns=["censored"]), rounds, small_inputs(), metric="accuracy")
    with pytest.raises(ResultsFileError, match="no 'macro_f1' column"):
        business_case_from_per_seed(ps, rounds, small_inputs(), metric="macro_f1")


def test_from_results_through_the_summary_module():
    pytest.importorskip("simulations.summary")
    from simulations.config import SimulationConfig
    from simulations.results import SimulationResult
    from simulations.summary import Target

    rounds, ceilings, _ = synthetic_tables()
    for m in ("balanced_accuracy", "macro_f1"):
        rounds[m] = rounds["accuracy"]
        ceilings[m] = ceilings["accuracy"]
        ceilings[f"baseline_{m}"] = 0.5
    result = SimulationResult(
        rounds=rounds,
        ceilings=ceilings,
        config=SimulationConfig(strategies=("random", "margin", "entropy"), seeds=4),
        meta={"metric": "accuracy", "budget": 500},
    )
    case = business_case_from_results(result, small_inputs(), Target("share_of_ceiling", 0.9))
    _, _, ps = synthetic_tables()
    direct = business_case_from_per_seed(ps, rounds, small_inputs(), metric="accuracy", ceilings=ceilings)
    assert case.strategy == "margin" and case.metric == "accuracy"
    assert case.roi.median == pytest.approx(direct.roi.median)
    assert case.labels_random.median == pytest.approx(direct.labels_random.median)
    assert "90%" in case.target


# ------------------------------------------------------------------ production pool smaller than the simulation


def _result(meta, seeds=4):
    from simulations.config import SimulationConfig
    from simulations.results import SimulationResult

    rounds, ceilings, _ = synthetic_tables(seeds=seeds)
    return SimulationResult(rounds=rounds, ceilings=ceilings,
                            config=SimulationConfig(strategies=("random", "margin", "entropy"), seeds=seeds),
                            meta={"metric": "accuracy", "budget": 500, **meta})


def test_a_production_pool_smaller_than_the_simulated_pool_is_refused_with_a_hint():
    pytest.importorskip("simulations.summary")
    from simulations.summary import Target

    result = _result({"n_pool": 600, "production_pool_rows": 800})
    with pytest.raises(ConfigError) as info:
        business_case_from_results(result, small_inputs(production_pool=100), Target("share_of_ceiling", 0.9),
                                   n_boot=20)
    assert "production pool (100 items)" in info.value.message and "600 items" in info.value.message
    assert "800 rows" in info.value.hint and "only 100" in info.value.hint
    # the simulated pool itself is fine, and so is anything larger
    for pool in (600, 5_000):
        case = business_case_from_results(result, small_inputs(production_pool=pool),
                                          Target("share_of_ceiling", 0.9), n_boot=20)
        assert case.whole_pool_labels.median == pool


def test_without_pool_sizes_the_simulated_label_counts_are_the_floor():
    rounds, ceilings, ps = synthetic_tables()  # simulated up to 500 labels
    with pytest.raises(ConfigError, match="the 500 labels the simulation already used"):
        business_case_from_per_seed(ps, rounds, small_inputs(production_pool=499), metric="accuracy",
                                    ceilings=ceilings)
    ok = business_case_from_per_seed(ps, rounds, small_inputs(production_pool=500), metric="accuracy",
                                     ceilings=ceilings, n_boot=20)
    # every plan fits in the pool: labels never exceed it, so no interval promises more than was simulated
    assert ok.per_seed["labels_random"].max() <= 500 and ok.per_seed["labels_al"].max() <= 500


def test_break_even_share_is_never_negative_and_matches_the_signed_saving():
    rng = np.random.default_rng(7)
    n = 40
    lr = rng.integers(200, 2_000, n).astype(float)
    la = np.maximum(1.0, lr - rng.integers(-300, 800, n))
    ar = rng.uniform(0.7, 0.9, n)
    aa = np.clip(ar + rng.normal(0.0, 0.02, n), 0, 1)
    case = business_case_over_seeds(lr, la, ar, aa, small_inputs(value_per_point=500.0), n_boot=200)
    be, share = case.per_seed["break_even_labels"], case.per_seed["break_even_share"]
    assert (be < 0).any() and (be > 0).any()  # both signs occur, so the clip is exercised
    assert np.allclose(share, np.maximum(be, 0) / lr)
    assert case.break_even_share.low >= 0
    # a pool size is never below the AL plan it must hold
    assert (case.per_seed["whole_pool_break_even_pool"] >= la).all()


def test_the_text_report_shows_no_negative_break_even():
    from simulations.economics.cli import format_business_case

    # setup 0 and an accuracy gain on some seeds: AL pays off even using more labels there
    case = business_case_over_seeds([28, 20, 50, 30], [23, 20, 37, 25], [0.917, 0.909, 0.937, 0.92],
                                    [0.937, 0.909, 0.937, 0.93], small_inputs(setup_cost=0.0, value_per_point=100.0,
                                                                              production_pool=500), n_boot=200)
    assert case.break_even_labels.low < 0  # the engine keeps the signed root
    text = format_business_case(case)
    values = [ln[2 + 38:] for ln in text.splitlines() if ln.startswith("  break-even") and "pool" not in ln]
    assert values == [f"pays off even if AL needed {-case.break_even_labels.median:,.0f} more labels than random"
                      f"  (0 to {-case.break_even_labels.low:,.0f} more)"]
    # when the median needs a saving, the interval's negative end shows as 0, and so does the share
    mixed = replace(case, break_even_labels=replace(case.break_even_labels, median=5.0, high=20.0))
    rows = [ln[2 + 38:] for ln in format_business_case(mixed).splitlines() if ln.startswith("  break-even")]
    assert rows[0] == "5  (0 to 20)" and not any(re.search(r"-[\d$]", r) for r in rows)
    assert "$-" not in text


def test_roi_command_refuses_the_small_pool_and_prints_message_and_hint(tmp_path, capsys):
    pytest.importorskip("simulations.summary")
    from simulations.cli import main
    from simulations.results import save_results

    path = tmp_path / "r.json"
    save_results(_result({"n_pool": 427, "production_pool_rows": 569}), path)
    money_args = ["--cost-per-label", "2", "--value-per-point", "100"]
    assert main(["roi", "--results", str(path), *money_args, "--production-pool", "50"]) == 2
    err = capsys.readouterr().err
    assert "error: The production pool (50 items) is smaller than the pool the simulation drew from (427" in err
    assert "hint:" in err and "569 rows" in err
    assert main(["roi", "--results", str(path), *money_args, "--production-pool", "569"]) == 0
    assert "labels, whole pool                    569" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("x", "kind", "text"),
    [(-0.3, "count", "0"), (-0.0, "count", "0"), (-0.0004, "pct", "0.0%"), (-0.001, "points", "+0.00 pts"),
     (-5.0, "count", "-5"), (-75.6, "money", "-$76"), (-0.4, "money", "$0"), (-2.74, "pct", "-274.0%")],
)
def test_report_numbers_have_no_negative_zero_and_the_sign_before_the_dollar(x, kind, text):
    from simulations.economics.cli import _fmt

    assert _fmt(x, kind) == text


def test_one_money_formatter():
    from simulations.money import money

    assert money(-75.6) == "-$75.60" and money(-75.6, cents=False) == "-$76"
    assert money(1234.4) == "$1,234" and money(2.5) == "$2.50" and money(2.0) == "$2"
    assert money(-0.004, cents=True) == "$0.00"
    assert money(float("nan")) == money(None) == "n/a" and money(float("inf")) == "never"
    assert example_inputs(setup_cost=0).assumptions()[1] == "AL setup cost (one-time): $0"


def test_a_plan_stopped_by_the_production_pool_gets_the_whole_pool_score():
    rounds, ceilings, ps = synthetic_tables(share=0.99)  # random never reaches 94% within 500 labels
    table = pd.DataFrame({"strategy": "random", "seed": range(4), "labels_to_target": [900.0] * 4})
    cens = ps[ps.strategy == "random"]["censored"].to_numpy()
    assert cens.any()
    case = business_case_from_per_seed(ps, rounds, small_inputs(production_pool=700), metric="accuracy",
                                       strategy="margin", ceilings=ceilings, projection=table, n_boot=20)
    # labeling all 700 items is the whole-pool baseline itself: same labels, same score
    assert np.all(case.per_seed["labels_random"][cens] == 700.0)
    assert np.all(case.per_seed["accuracy_random"][cens] == case.per_seed["whole_pool_accuracy"][cens])
    assert np.all(case.per_seed["accuracy_random"][cens] == 0.95)
    assert any("label every item" in a for a in case.assumptions)


# ------------------------------------------------------------------ no signal: the summary's rule follows


def test_a_model_no_better_than_the_majority_class_makes_the_case_no_signal():
    pytest.importorskip("simulations.summary")
    from simulations.summary import NO_SIGNAL_MARGIN, Target, summarize

    target = Target("share_of_ceiling", 0.9)
    # 7 seeds: the fewest that allow a verdict on the best of 2 strategies (margin, entropy)
    ok = business_case_from_results(_result({}, seeds=7), small_inputs(), target, n_boot=20)
    assert not ok.no_signal and ok.no_signal_sentence == "" and ok.pays_off
    assert ok.to_dict()["no_signal"] is False and ok.to_dict()["no_signal_sentence"] is None

    # the same curves, but the majority class scores within NO_SIGNAL_MARGIN of the whole-pool model
    result = _result({})
    result.ceilings["baseline_accuracy"] = result.ceilings["accuracy"] - NO_SIGNAL_MARGIN / 2
    case = business_case_from_results(result, small_inputs(), target, n_boot=20)
    summary = summarize(result, target)
    assert summary.no_signal and case.no_signal  # one rule: the summary and the case agree
    assert case.no_signal_sentence == summary.verdict_sentence()
    assert case.assumptions[0] == summary.verdict_sentence()  # first, before the money inputs
    assert case.total_benefit.median > 0 and not case.pays_off  # arithmetic says "pays"; the case does not
    d = json.loads(json.dumps(case.to_dict()))
    assert d["no_signal"] is True and d["pays_off"] is False
    assert d["no_signal_sentence"].startswith("No strategy can save labels here")


def test_a_strategy_picked_from_several_gets_corrected_ranges_and_needs_more_seeds():
    acc = [0.9] * 7
    lr = [20_000, 21_000, 19_000, 20_500, 19_500, 20_200, 20_800]
    la = [8_000, 8_200, 7_900, 8_400, 8_100, 8_300, 8_050]
    one = business_case_over_seeds(lr[:6], la[:6], acc[:6], acc[:6], example_inputs())
    three = business_case_over_seeds(lr[:6], la[:6], acc[:6], acc[:6], example_inputs(), k_compared=3)
    assert one.pays_off and three.pays_off is None  # 6 seeds: enough for one strategy, not for the best of 3
    assert (one.seeds_needed, three.seeds_needed, three.to_dict()["seeds_needed"]) == (6, 7, 7)
    assert three.confidence == pytest.approx(1 - 0.05 / 3) and three.to_dict()["k_compared"] == 3
    seven = business_case_over_seeds(lr, la, acc, acc, example_inputs(), k_compared=3)
    assert seven.pays_off
    # results with margin and entropy: the case on either is corrected for picking from 2
    from simulations.summary import Target

    case = business_case_from_results(_result({}, seeds=7), small_inputs(), Target("share_of_ceiling", 0.9),
                                      n_boot=20)
    assert case.k_compared == 2 and any("corrected for picking the best of 2" in a for a in case.assumptions)
