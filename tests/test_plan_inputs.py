"""The plan's input rules (check_plan_inputs, PlanInputs) and the one "does AL pay" rule (BusinessCaseRange.pays_off).

No simulation here: every test is instant.
"""

from __future__ import annotations

import math

import pytest

from simulations import SimulationConfig
from simulations.economics import EconomicInputs, business_case_over_seeds
from simulations.plan import InputProblem, PlanInputError, PlanInputs, check_plan_inputs, pays_off_rule
from simulations.summary import Target

ECON = {"cost_per_label": 1.0, "setup_cost": 0.0, "value_mode": "per_point", "value_per_point": 100.0,
        "production_pool": 1000}
PER_ERROR = {**ECON, "value_mode": "per_error", "value_per_point": None, "predictions": 10_000, "cost_per_error": 2.0}
TARGET = {"kind": "share_of_ceiling", "value": 0.95}
CONFIG = SimulationConfig(seeds=3, initial_labels=20).to_dict()


def problems(econ=None, target=None, config=None, **changes):
    """check_plan_inputs on the valid base with ``changes`` applied to whichever mapping holds the key."""
    econ, target, config = dict(econ or ECON), dict(target or TARGET), dict(config or CONFIG)
    for key, value in changes.items():
        if key == "target_value":
            target["value"] = value
        elif key in ("seeds", "initial_labels", "growth", "batch_size", "test_share"):
            config[key] = value
        else:
            econ[key] = value
    return check_plan_inputs(econ, target, config)


def test_the_base_inputs_are_valid():
    assert problems() == []
    assert check_plan_inputs(PER_ERROR, TARGET, CONFIG) == []
    assert check_plan_inputs(ECON, TARGET) == []  # without simulation settings


@pytest.mark.parametrize(("name", "value", "refused"), [
    ("cost_per_label", 0, True),
    ("cost_per_label", 0.01, False),
    ("cost_per_label", -1, True),
    ("setup_cost", -0.01, True),
    ("setup_cost", 0, False),
    ("production_pool", 0, True),
    ("production_pool", 1, False),
    ("production_pool", 1.5, True),
    ("value_per_point", -1, True),
    ("value_per_point", 0, False),
    ("target_value", 0, True),
    ("target_value", 1.0, False),
    ("target_value", 1.01, True),
    ("max_labels", 0, False),          # 0: no cap
    ("max_labels", None, False),       # none given: no cap
    ("max_labels", 20, True),          # equal to the initial labels
    ("max_labels", 21, False),         # one above
    ("max_labels", 20.5, True),
    ("seeds", 0, True),
    ("seeds", 1, False),
    ("seeds", 50, False),
    ("seeds", 51, True),
    ("seeds", 2.5, True),
    ("growth", 0, True),
    ("growth", 5, False),
    ("growth", 5.01, True),
    ("initial_labels", 1, True),
    ("initial_labels", 2, False),
    ("annotators", 0, True),
    ("annotators", None, False),       # none given: one
    ("annotators", 1, False),
    ("annotators", 1.5, True),
    ("test_share", 0.9, True),
    ("test_share", 0.89, False),
])
def test_each_rule_at_its_threshold(name, value, refused):
    out = problems(**{name: value})
    if refused:
        assert [p.field for p in out] == [name], out
        assert out[0].message and out[0].hint
    else:
        assert out == []


@pytest.mark.parametrize(("name", "value", "refused"), [
    ("predictions", 0, True),
    ("predictions", 1, False),
    ("cost_per_error", 0, True),
    ("cost_per_error", 0.01, False),
])
def test_per_error_rules(name, value, refused):
    out = problems(econ=PER_ERROR, **{name: value})
    assert [p.field for p in out] == ([name] if refused else [])


def test_a_negative_cap_on_labels_is_refused_with_or_without_simulation_settings():
    # without the config (PlanInputs, the CLI) nothing to compare with but 0: a negative cap is still no cap
    assert [p.field for p in problems(max_labels=-5)] == ["max_labels"]
    assert [p.field for p in check_plan_inputs({**ECON, "max_labels": -5}, TARGET)] == ["max_labels"]
    with pytest.raises(PlanInputError) as err:
        PlanInputs(cost_per_label=1.0, production_pool=100, value_per_point=1.0, max_labels=-5)
    assert err.value.field == "max_labels"


@pytest.mark.parametrize("bad", ["abc", math.nan, math.inf, None, True])
@pytest.mark.parametrize("name", ["cost_per_label", "production_pool", "value_per_point", "target_value", "seeds",
                                  "growth"])
def test_text_and_nan_ask_for_a_number(name, bad):
    out = problems(**{name: bad})
    assert [p.field for p in out] == [name]
    assert out[0].message.startswith(f"Enter a number for the {name.replace('_', ' ')}")
    assert repr(bad) in out[0].message


@pytest.mark.parametrize("name", ["setup_cost", "budget_cap", "labels_per_hour"])
def test_optional_inputs_refuse_text_and_nan(name):
    for bad in ("abc", math.nan):
        out = problems(**{name: bad})
        assert [p.field for p in out] == [name]
        assert out[0].message.startswith("Enter a number")


def test_unknown_value_mode_and_target_kind_are_tagged():
    assert [p.field for p in problems(value_mode="per_hug")] == ["value_mode"]
    assert [p.field for p in problems(target={"kind": "vibes", "value": 0.9})] == ["target_kind"]


def test_every_problem_is_returned_at_once_each_tagged_with_its_field():
    out = problems(cost_per_label=0, setup_cost=-1, production_pool=0, value_per_point="x", target_value=2,
                   seeds=0, growth=6)
    assert all(isinstance(p, InputProblem) for p in out)
    assert [p.field for p in out] == ["cost_per_label", "setup_cost", "production_pool", "value_per_point",
                                      "target_value", "seeds", "growth"]
    assert all(p.message for p in out)


def test_batch_size_replaces_growth_when_given():
    assert problems(batch_size=10, growth=99) == []
    assert [p.field for p in problems(batch_size=0)] == ["batch_size"]


def test_plan_inputs_raise_with_every_problem_and_the_first_field():
    with pytest.raises(PlanInputError) as err:
        PlanInputs(cost_per_label=0, setup_cost=-1, production_pool=0, value_per_point=-1)
    exc = err.value
    assert [p.field for p in exc.problems] == ["cost_per_label", "setup_cost", "production_pool", "value_per_point"]
    assert exc.field == "cost_per_label"
    assert exc.message == exc.problems[0].message + " (3 more input(s) refused too.)"
    assert exc.hint == exc.problems[0].hint


def test_plan_inputs_one_problem_has_no_more_note():
    with pytest.raises(PlanInputError) as err:
        PlanInputs(cost_per_label=1.0, production_pool=1000, value_per_point=1.0, time_cap_seconds=0)
    assert err.value.field == "time_cap_seconds" and len(err.value.problems) == 1
    assert "more input(s)" not in err.value.message


def test_plan_inputs_without_a_value_of_accuracy_say_it_is_missing():
    with pytest.raises(PlanInputError) as err:
        PlanInputs(cost_per_label=1.0, production_pool=1000)
    assert "value_per_point" in [p.field for p in err.value.problems]
    assert any(p.message == "The value of accuracy is missing." for p in err.value.problems)


def test_plan_input_error_needs_a_problem():
    with pytest.raises(ValueError):
        PlanInputError([])


def test_plan_inputs_from_the_dashboard_form():
    econ = {**ECON, "budget_cap": 0, "max_labels": 0, "labels_per_hour": 0, "annotators": 2, "setup_cost": 50}
    p = PlanInputs.from_mappings(econ, {"kind": "absolute", "value": 0.9}, strategy="margin")
    assert (p.cost_per_label, p.production_pool, p.setup_cost, p.value_per_point) == (1.0, 1000, 50.0, 100.0)
    assert p.budget_cap is None and p.max_labels is None and p.labels_per_hour is None
    assert p.annotators == 2 and p.strategy == "margin" and p.value_mode == "per_point"
    assert p.target == Target("absolute", 0.9)
    q = PlanInputs.from_mappings(PER_ERROR, TARGET)
    assert q.value_mode == "per_error" and q.value_per_point is None
    assert q.point_value == pytest.approx(10_000 * 2.0 / 100)
    with pytest.raises(PlanInputError) as err:
        PlanInputs.from_mappings({**ECON, "cost_per_label": 0, "production_pool": -3}, TARGET)
    assert [p.field for p in err.value.problems] == ["cost_per_label", "production_pool"]


def test_zero_annotators_are_refused_by_the_plan_inputs_not_later_by_the_business_case():
    with pytest.raises(PlanInputError) as err:
        PlanInputs(cost_per_label=1.0, production_pool=100, value_per_point=1.0, annotators=0, labels_per_hour=10)
    assert err.value.field == "annotators"


def test_from_mappings_takes_every_number_the_check_accepts_text_included():
    form = {"cost_per_label": "1.5", "production_pool": "1000.0", "value_per_point": "2", "annotators": "2.0",
            "max_labels": "50", "budget_cap": ""}
    assert check_plan_inputs(form, {"value": "0.9"}) == []
    p = PlanInputs.from_mappings(form, {"value": "0.9"})
    assert (p.cost_per_label, p.production_pool, p.value_per_point, p.annotators, p.max_labels) == (
        1.5, 1000, 2.0, 2, 50)
    assert isinstance(p.production_pool, int) and p.budget_cap is None
    assert p.target == Target("share_of_ceiling", 0.9)


def test_economic_inputs_carry_the_plan_inputs():
    p = PlanInputs(cost_per_label=2.5, production_pool=5000, setup_cost=100, value_per_point=30, budget_cap=400)
    e = p.economic_inputs()
    assert isinstance(e, EconomicInputs)
    assert (e.cost_per_label, e.production_pool, e.setup_cost, e.value_per_point, e.budget_cap) == (
        2.5, 5000, 100, 30, 400)


# --- the pays_off rule ---------------------------------------------------------------------------------------------

INPUTS = EconomicInputs(cost_per_label=1.0, production_pool=10_000, value_per_point=0.0)


def case(labels_random, labels_al, *, acc_random=None, acc_al=None, **kw):
    """A business case from hand-made per-seed numbers; value 0, so the benefit is the label saving."""
    n = len(labels_random)
    return business_case_over_seeds(labels_random, labels_al, acc_random or [0.9] * n, acc_al or [0.9] * n,
                                    kw.pop("inputs", INPUTS), **kw)


# Six seeds: the fewest with which any verdict keeps its error rate at 5% (docs/statistics.md).
def test_pays_off_when_the_whole_interval_is_above_zero():
    c = case([100, 110, 120, 130, 140, 150], [50, 55, 60, 65, 70, 75])
    assert c.total_benefit.low > 0
    assert c.pays_off is True and pays_off_rule(c) is True


def test_undecided_when_the_interval_spans_zero():
    c = case([100, 100, 100, 100, 100], [150, 60, 140, 70, 130])
    assert c.total_benefit.low < 0 < c.total_benefit.high
    assert c.pays_off is None and pays_off_rule(c) is None


def test_does_not_pay_when_the_interval_is_wholly_below_zero():
    c = case([50, 55, 60, 65, 70, 75], [100, 110, 120, 130, 140, 150])
    assert c.total_benefit.high < 0
    assert c.pays_off is False


def test_does_not_pay_when_the_interval_is_exactly_zero():
    c = case([100] * 6, [100] * 6)
    assert c.total_benefit.low == c.total_benefit.high == 0
    assert c.pays_off is False


def test_fewer_than_six_seeds_is_undecided_however_large_the_saving():
    c = case([1000, 1100], [10, 11])
    assert c.total_benefit.low > 0
    assert c.pays_off is None
    # five seeds all saving: [min, max] covers only 93.75% of the median, short of 95%
    five = case([1000, 1100, 1200, 1300, 1400], [10, 11, 12, 13, 14])
    assert five.total_benefit.low > 0 and five.pays_off is None


def test_no_signal_never_pays():
    import dataclasses

    c = case([100, 110, 120, 130, 140], [50, 55, 60, 65, 70])
    assert dataclasses.replace(c, no_signal=True).pays_off is False


def test_a_positive_median_with_an_interval_spanning_zero_is_not_a_yes():
    # median benefit +10, but two seeds of five lose 100: the interval spans 0
    c = case([100, 100, 100, 100, 100], [90, 90, 90, 200, 200])
    assert c.total_benefit.median > 0
    assert c.total_benefit.low < 0
    assert c.pays_off is not True
    assert c.pays_off is None


def test_a_censored_lower_bound_above_zero_still_pays_but_an_upper_bound_does_not():
    # random censored (its labels are a lower bound): the saving is at least this, so "pays" stands
    c = case([100, 110, 120, 130, 140, 150], [50, 55, 60, 65, 70, 75], random_censored=[1] * 6)
    assert c.total_benefit.bound == "lower" and c.pays_off is True
    # AL censored (its labels are a lower bound): the saving is at most this, so a positive interval is no "yes"
    c = case([100, 110, 120, 130, 140, 150], [50, 55, 60, 65, 70, 75], al_censored=[1] * 6)
    assert c.total_benefit.bound == "upper" and c.pays_off is None
