"""Error costs, volumes and time: the value model behind the plan's money (issue 15).

One small breast_cancer simulation (binary, 3 seeds, 80 labels) serves every plan here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.economics.value_model import (
    COST_SCORE,
    ErrorCostInputError,
    ErrorCosts,
    binary_error_costs,
    cost_per_prediction,
    parse_cost_matrix,
    time_value,
    with_cost_score,
)
from simulations.plan import PlanInputs, build_plan
from simulations.plan.inputs import PlanInputError, check_error_costs, check_plan_inputs
from simulations.results import load_results, save_results
from simulations.summary import Target

SHARE = Target("share_of_ceiling", 0.95)


@pytest.fixture(scope="module")
def bc():
    cfg = SimulationConfig(strategies=("random", "margin"), seeds=3, budget=80, initial_labels=10)
    return run_simulation(Dataset.from_sample("breast_cancer"), cfg, n_jobs=1)


def ones_off_diagonal(classes):
    k = len(classes)
    return ErrorCosts(classes=tuple(classes), matrix=tuple(tuple(0.0 if i == j else 1.0 for j in range(k))
                                                            for i in range(k)))


def test_saved_results_keep_the_confusion_and_old_files_say_to_rerun(bc, tmp_path):
    path = save_results(bc, tmp_path / "r.json")
    back = load_results(path)
    cm = [c for c in bc.rounds.columns if c.startswith("cm_")]
    assert cm and (back.rounds[cm].to_numpy() == bc.rounds[cm].to_numpy()).all()
    assert str(back.rounds[cm[0]].dtype).startswith("int")
    old = back.rounds.drop(columns=cm)
    from dataclasses import replace

    with pytest.raises(ErrorCostInputError, match="saved before"):
        with_cost_score(replace(back, rounds=old), ones_off_diagonal(bc.meta["classes"]))
    costs = PlanInputs(cost_per_label=1.0, production_pool=int(bc.meta["n_pool"]), cost_missed_positive=5.0,
                       cost_false_alarm=1.0, positive_class=bc.meta["classes"][0], predictions_per_month=100,
                       model_life_months=12)
    with pytest.raises(PlanInputError) as exc:
        build_plan(replace(back, rounds=old), costs)
    assert exc.value.field == "cost_matrix" and "again" in exc.value.hint


def test_cost_matrix_of_ones_is_plain_accuracy_money_exactly(bc):
    """C = 1 off the diagonal: the error-cost score is accuracy bit for bit, and the plan's money equals the
    'predictions x cost per error' plan's on accuracy with the same volume."""
    scored = with_cost_score(bc, ones_off_diagonal(bc.meta["classes"]))
    assert np.array_equal(scored.rounds[COST_SCORE].to_numpy(), bc.rounds["accuracy"].to_numpy())
    assert np.array_equal(scored.ceilings[f"baseline_{COST_SCORE}"].to_numpy(),
                          bc.ceilings["baseline_accuracy"].to_numpy())
    pool = 2 * int(bc.meta["n_pool"])
    from dataclasses import replace

    acc = replace(bc, meta={**bc.meta, "metric": "accuracy"})
    by_error = build_plan(acc, PlanInputs(cost_per_label=0.5, production_pool=pool, predictions=12_000,
                                          cost_per_error=1.0, target=SHARE))
    by_matrix = build_plan(bc, PlanInputs(cost_per_label=0.5, production_pool=pool,
                                          cost_matrix=ones_off_diagonal(bc.meta["classes"]),
                                          predictions_per_month=1_000, model_life_months=12, target=SHARE))
    assert by_matrix.value_model["value_per_point"] == by_error.inputs.point_value == 120.0
    for k in by_error.money:
        assert by_matrix.money[k] == by_error.money[k], k
    assert by_matrix.stop == by_error.stop
    assert by_matrix.labels_to_target_al == by_error.labels_to_target_al
    # error cost reduction x volume == the accuracy-point value of the accuracy gain, seed by seed
    at = by_matrix.error_cost["at_labels"]

    def acc(strategy):
        r = bc.rounds[bc.rounds.strategy == strategy]
        return np.array([np.interp(at, g["labels"], g["accuracy"]) for _, g in r.groupby("seed")])

    gain_value = np.median(by_error.inputs.point_value * 100 * (acc(by_matrix.strategy) - acc("random")))
    assert by_matrix.error_cost["value_of_reduction"]["median"] == pytest.approx(gain_value, rel=1e-9, abs=1e-9)


def test_value_per_point_gives_the_same_plan_as_before(bc):
    """The simple default takes no new path: a per-point plan has no error-cost block and its figures equal a
    plan built with explicit defaults for the new inputs."""
    pool = int(bc.meta["n_pool"])
    plain = build_plan(bc, PlanInputs(cost_per_label=0.5, production_pool=pool, value_per_point=30.0, target=SHARE))
    again = build_plan(bc, PlanInputs(cost_per_label=0.5, production_pool=pool, value_per_point=30.0, target=SHARE,
                                      discount_rate=0.0))
    assert plain.error_cost is None and plain.time_value is None and plain.value_model["mode"] == "per_point"
    assert plain.metric == bc.metric and plain.money == again.money and plain.stop == again.stop
    assert plain.value_model["value_per_point"] == 30.0
    # the simple forms never reach the error-cost path: the results and inputs go through untouched
    from simulations.plan.value import in_error_cost

    for inputs in (plain.inputs, PlanInputs(cost_per_label=0.5, production_pool=pool, predictions=1e5,
                                            cost_per_error=0.3)):
        r, i = in_error_cost(bc, inputs)
        assert r is bc and i is inputs


def test_expected_cost_per_prediction_is_the_weighted_confusion():
    import pandas as pd

    frame = pd.DataFrame({"cm_0_0": [8], "cm_0_1": [2], "cm_1_0": [1], "cm_1_1": [9]})
    c = np.array([[0.0, 10.0], [100.0, 0.0]])
    assert cost_per_prediction(frame, c)[0] == pytest.approx((2 * 10 + 1 * 100) / 20)


def synthetic_result():
    """One run whose missed positives fall slowly with labels and whose false alarms fall fast (1,000 test rows,
    200 positive)."""
    import pandas as pd

    from simulations.results import SimulationResult

    labels = [10, 20, 40, 80, 160]
    fn, fp = [100, 60, 40, 30, 25], [100, 20, 10, 8, 7]
    rounds = pd.DataFrame({"strategy": "margin", "seed": 0, "round": range(5), "labels": labels,
                           "cm_0_0": [200 - f for f in fn], "cm_0_1": fn, "cm_1_0": fp,
                           "cm_1_1": [800 - f for f in fp]})
    ceilings = pd.DataFrame({"seed": [0], "cm_0_0": [190], "cm_0_1": [10], "cm_1_0": [5], "cm_1_1": [795],
                             "baseline_cm_0_0": [0], "baseline_cm_0_1": [200], "baseline_cm_1_0": [0],
                             "baseline_cm_1_1": [800]})
    return SimulationResult(rounds=rounds, ceilings=ceilings, config=SimulationConfig(),
                            meta={"classes": ["fraud", "ok"], "metric": "accuracy"})


def test_swapping_the_binary_costs_moves_the_optimum_the_right_way():
    """Missed frauds fall slowly with labels, false alarms fast: when a missed fraud is the expensive error labels
    keep paying longer, so the cost-optimal stop is later; swap the two costs and it comes earlier. Computed through
    the plan's path: the error-cost score and its point value into the stopping optimum."""
    from simulations.stopping.optimum import hindsight_optimum

    res = synthetic_result()

    def optimum(miss, alarm):
        inputs = PlanInputs(cost_per_label=5.0, production_pool=10_000, cost_missed_positive=miss,
                            cost_false_alarm=alarm, positive_class="fraud", predictions_per_month=10_000,
                            model_life_months=1)
        scored = with_cost_score(res, inputs.error_costs(["fraud", "ok"]))
        r = scored.rounds
        return hindsight_optimum(r["labels"], r[COST_SCORE], 5.0, inputs.point_value).labels

    assert optimum(10.0, 1.0) == 160 and optimum(1.0, 10.0) == 80
    # just around the swap: equal costs sit between the two
    assert 80 <= optimum(5.0, 5.0) <= 160


def test_target_in_money_is_reached_when_the_cost_stays_at_or_below(bc):
    classes = bc.meta["classes"]
    pool = int(bc.meta["n_pool"])
    base = dict(cost_per_label=0.5, production_pool=pool, cost_missed_positive=10.0, cost_false_alarm=2.0,
                positive_class=classes[0], predictions_per_month=1000, model_life_months=12)
    ec = build_plan(bc, PlanInputs(**base, target=SHARE)).error_cost
    curves = ec["curves"]
    final = max(r["median"] for r in curves if r["labels"] == max(c["labels"] for c in curves))
    easy = build_plan(bc, PlanInputs(**base, target_error_cost=final * 3))
    hard = build_plan(bc, PlanInputs(**base, target_error_cost=final / 3))
    assert "at or below" in easy.target.description
    assert easy.target.score == pytest.approx(1 - final * 3 / 1000 / 10.0)
    assert easy.labels_to_target_al.median <= hard.labels_to_target_al.median
    assert easy.to_dict()["error_cost"]["target_per_1000"] == pytest.approx(final * 3)


def test_json_carries_value_model_error_cost_and_time_value(bc):
    import json

    classes = bc.meta["classes"]
    plan = build_plan(bc, PlanInputs(cost_per_label=0.5, production_pool=int(bc.meta["n_pool"]),
                                     cost_missed_positive=10.0, cost_false_alarm=2.0, positive_class=classes[0],
                                     predictions_per_month=1000, model_life_months=12, discount_rate=0.1,
                                     labels_per_hour=30, target=SHARE))
    d = json.loads(json.dumps(plan.to_dict(), allow_nan=False, default=str))
    e = d["error_cost"]["per_1000_predictions"]
    for side in ("al", "random"):
        assert e[side]["low"] <= e[side]["median"] <= e[side]["high"]
    assert d["value_model"]["mode"] == "error_costs" and d["value_model"]["predictions_over_life"] == 12000
    tv = d["time_value"]
    assert tv is not None and tv["discount_rate"] == 0.1 and "On top of the label savings" in tv["sentence"]


def test_time_value_months_and_discount():
    v = time_value(monthly_value=1000.0, al_days=21.75, random_days=2 * 21.75)
    assert v["months_earlier"] == pytest.approx(1.0) and v["value"] == pytest.approx(1000.0)
    d = time_value(monthly_value=1000.0, al_days=21.75, random_days=2 * 21.75, discount_rate=0.12)
    assert 0 < d["value"] < 1000.0
    later = time_value(monthly_value=1000.0, al_days=2 * 21.75, random_days=21.75)
    assert later["value"] == pytest.approx(-1000.0)
    assert math.isclose(time_value(monthly_value=1.0, al_days=0, random_days=0, discount_rate=0.5)["value"], 0.0)


# ---- bad input: a clear message naming the fix, tagged by field ----------------------------------------------------

def econ(**kw):
    base = {"cost_per_label": 1.0, "production_pool": 1000, "value_mode": "error_costs",
            "cost_missed_positive": 10.0, "cost_false_alarm": 1.0, "positive_class": "yes",
            "predictions_per_month": 100, "model_life_months": 12}
    return {**base, **kw}


def fields(e, classes=None):
    probs = check_plan_inputs(e, {"kind": "share_of_ceiling", "value": 0.95})
    if classes is not None:
        probs += check_error_costs(e, classes)
    return [p.field for p in probs]


def test_model_life_and_volume_thresholds():
    assert fields(econ()) == []
    assert fields(econ(model_life_months=0)) == ["model_life_months"]
    assert fields(econ(model_life_months=0.01)) == []
    assert fields(econ(model_life_months=-1)) == ["model_life_months"]
    assert fields(econ(predictions_per_month=0)) == ["predictions_per_month"]
    assert fields(econ(predictions_per_month="many")) == ["predictions_per_month"]


def test_discount_rate_must_be_in_zero_to_one():
    assert fields(econ(discount_rate=0)) == []
    assert fields(econ(discount_rate=0.999)) == []
    assert fields(econ(discount_rate=1.0)) == ["discount_rate"]
    assert fields(econ(discount_rate=-0.001)) == ["discount_rate"]


def test_binary_costs_negative_or_non_numeric():
    assert fields(econ(cost_missed_positive=0.0)) == []
    assert fields(econ(cost_missed_positive=-0.01)) == ["cost_missed_positive"]
    assert fields(econ(cost_false_alarm="ten")) == ["cost_false_alarm"]
    assert fields(econ(cost_missed_positive=0, cost_false_alarm=0)) == ["cost_missed_positive"]


def test_binary_costs_need_a_positive_class_and_two_classes():
    assert fields(econ(), ["yes", "no"]) == []
    assert fields(econ(positive_class=None), ["yes", "no"]) == ["positive_class"]
    assert fields(econ(positive_class="maybe"), ["yes", "no"]) == ["positive_class"]
    probs = check_error_costs(econ(), ["yes", "no", "maybe"])
    assert [p.field for p in probs] == ["cost_matrix"] and "cost matrix" in probs[0].hint


def test_target_error_cost_thresholds():
    # the largest cost is $10: every model costs at most $10,000 per 1,000 predictions
    assert fields(econ(target_error_cost=9999)) == []
    assert fields(econ(target_error_cost=10000)) == ["target_error_cost"]
    assert fields(econ(target_error_cost=0)) == ["target_error_cost"]
    assert fields({"cost_per_label": 1.0, "production_pool": 1000, "value_per_point": 1.0,
                   "target_error_cost": 5}) == ["target_error_cost"]


CSV = "truth,yes,no\nyes,0,50\nno,5,0\n"


def test_cost_matrix_csv_reads_in_any_column_order():
    costs = parse_cost_matrix("truth,no,yes\nyes,50,0\nno,0,5\n")
    assert costs.aligned(["yes", "no"]).tolist() == [[0, 50], [5, 0]]
    assert parse_cost_matrix(CSV).aligned(["no", "yes"]).tolist() == [[0, 5], [50, 0]]


@pytest.mark.parametrize("text, words", [
    ("truth,yes,no\nyes,0,50\n", "header row and a row per class"),
    ("truth,yes,no,maybe\nyes,0,50,1\nno,5,0,1\n", "square"),
    ("truth,yes,no\nyes,0,-1\nno,5,0\n", "zero or more"),
    ("truth,yes,no\nyes,0,abc\nno,5,0\n", "not a number"),
    ("truth,yes,no\nyes,0,0\nno,0,0\n", "Every cost"),
    ("truth,yes,no\nyes,0\nno,5,0\n", "different numbers of cells"),
])
def test_bad_cost_matrices_are_refused(text, words):
    with pytest.raises(ErrorCostInputError, match=words) as exc:
        parse_cost_matrix(text)
    assert exc.value.field == "cost_matrix" and exc.value.hint


def test_cost_matrix_with_unknown_or_missing_classes():
    e = econ(cost_matrix=parse_cost_matrix(CSV), cost_missed_positive=None, cost_false_alarm=None)
    assert fields(e, ["yes", "no"]) == []
    probs = check_error_costs(e, ["yes", "nope"])
    assert [p.field for p in probs] == ["cost_matrix"]
    assert "'no'" in probs[0].message and "nope" in probs[0].hint
    with pytest.raises(ErrorCostInputError):
        binary_error_costs(missed_positive=1, false_alarm=1, positive_class="a", classes=["a", "b", "c"])


@pytest.mark.parametrize("days, said", [
    (0.5, "about 0.5 working days sooner"),            # under a month: days, not "0.02 months"
    (21.7, "about 21.7 working days sooner"),          # just under a month of working days
    (21.75, "about 1.0 months sooner"),                # a month of working days and more: months
    (43.5, "about 2.0 months sooner"),
])
def test_the_time_value_says_how_much_sooner_in_days_under_a_month(days, said):
    from simulations.plan.value import _sooner

    assert _sooner(days) == said
