"""The error-cost flags of `labelwise plan`, `roi` and `stop`: bad input exits 2 naming the flag, nothing run; good
input gives the plan's value_model and error_cost in the JSON."""

from __future__ import annotations

import json

import pytest
from cli_checks import refused

from simulations.cli import main

RUN = ["plan", "--data", "breast_cancer", "--strategies", "random,margin", "--seeds", "3", "--initial", "10",
       "--max-labels", "60", "--quiet", "--cost-per-label", "1"]
VOL = ["--predictions-per-month", "1000", "--model-life-months", "12"]
BIN = ["--cost-missed-positive", "40", "--cost-false-alarm", "2", "--positive-class", "malignant"]


@pytest.fixture
def no_simulation(monkeypatch):
    """Fails the test if a simulation starts (the data may be read: classes are checked against it)."""
    import simulations.plan.cli as plan_cli

    def boom(*a, **k):
        raise AssertionError("simulated despite a refused input")

    monkeypatch.setattr(plan_cli, "simulate_for_plan", boom)




def write(tmp_path, text, name="costs.csv"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize(("extra", "flag", "words"), [
    (["--cost-missed-positive", "40", "--cost-false-alarm", "2", *VOL], "--positive-class", "positive class"),
    ([*BIN, "--predictions-per-month", "1000", "--model-life-months", "0"], "--model-life-months", "more than 0"),
    ([*BIN, "--predictions-per-month", "0", "--model-life-months", "12"], "--predictions-per-month", "more than 0"),
    ([*BIN, *VOL, "--discount-rate", "1"], "--discount-rate", "not including"),
    ([*BIN, *VOL, "--discount-rate", "-0.01"], "--discount-rate", "not including"),
    (["--cost-missed-positive", "-1", "--cost-false-alarm", "2", "--positive-class", "malignant", *VOL],
     "--cost-missed-positive", "negative"),
    ([*BIN, *VOL, "--target-error-cost", "40000"], "--target-error-cost", "less than"),
    (["--cost-missed-positive", "40", "--cost-false-alarm", "2", "--positive-class", "cancer", *VOL],
     "--positive-class", "not one of"),
])
def test_bad_error_costs_exit_2_naming_the_flag(capsys, no_simulation, extra, flag, words):
    error, hint = refused(capsys, [*RUN, *extra])
    assert words in error and hint.endswith(f"({flag})")


def test_a_matrix_for_other_classes_or_the_wrong_shape_is_refused(capsys, no_simulation, tmp_path):
    other = write(tmp_path, "truth,>50K,<=50K\n>50K,0,30\n<=50K,5,0\n")
    error, hint = refused(capsys, [*RUN, "--cost-matrix", other, *VOL])
    assert "does not match the data's classes" in error and "benign, malignant" in hint
    shape = write(tmp_path, "truth,benign,malignant,x\nbenign,0,1,1\nmalignant,5,0,1\n", "shape.csv")
    error, hint = refused(capsys, [*RUN, "--cost-matrix", shape, *VOL])
    assert "square" in error and hint.endswith("(--cost-matrix)")
    text = write(tmp_path, "truth,benign,malignant\nbenign,0,one\nmalignant,5,0\n", "text.csv")
    error, _ = refused(capsys, [*RUN, "--cost-matrix", text, *VOL])
    assert "not a number" in error


def test_binary_costs_on_multiclass_data_ask_for_a_matrix(capsys, monkeypatch):
    import simulations.plan.cli as plan_cli

    monkeypatch.setattr(plan_cli, "simulate_for_plan", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    argv = ["plan", "--data", "penguins", "--seeds", "3", "--quiet", "--cost-per-label", "1",
            "--cost-missed-positive", "4", "--cost-false-alarm", "1", "--positive-class", "Adelie", *VOL]
    error, hint = refused(capsys, argv)
    assert "3" in error and "cost matrix" in hint


def test_two_values_of_accuracy_are_refused(capsys, no_simulation):
    error, _ = refused(capsys, [*RUN, "--value-per-point", "10", *BIN, *VOL])
    assert "one way" in error


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("r") / "bc.json"
    assert main(["simulate", "--data", "breast_cancer", "--strategies", "random,margin", "--seeds", "3",
                 "--initial", "10", "--budget", "60", "--quiet", "--out", str(path)]) == 0
    return path


def test_plan_roi_and_stop_give_the_same_error_cost(saved, tmp_path, capsys):
    matrix = write(tmp_path, "truth,benign,malignant\nbenign,0,2\nmalignant,40,0\n")
    capsys.readouterr()
    assert main(["roi", "--results", str(saved), "--cost-per-label", "1", "--production-pool", "500",
                 "--cost-matrix", matrix, *VOL, "--json"]) == 0
    roi = json.loads(capsys.readouterr().out)
    assert main(["stop", "--results", str(saved), "--cost-per-label", "1", "--production-pool", "500",
                 *BIN, *VOL, "--json"]) == 0
    stop = json.loads(capsys.readouterr().out)
    assert roi["value_model"]["mode"] == stop["value_model"]["mode"] == "error_costs"
    assert roi["value_model"]["value_per_point"] == 1000 * 12 * 40 / 100
    # the matrix and the two binary fields are the same costs: the same money
    assert roi["error_cost"]["per_1000_predictions"] == stop["error_cost"]["per_1000_predictions"]
    e = roi["error_cost"]["per_1000_predictions"]["al"]
    assert e["low"] <= e["median"] <= e["high"]


def test_stop_without_any_value_says_how_to_give_one(saved, capsys):
    assert main(["stop", "--results", str(saved), "--cost-per-label", "1"]) == 2
    err = capsys.readouterr().err
    assert "value of accuracy is missing" in err and "--cost-matrix" in err


def test_plan_json_with_a_cost_matrix_and_a_money_target(tmp_path, capsys):
    matrix = write(tmp_path, "truth,malignant,benign\nmalignant,0,40\nbenign,2,0\n")
    assert main([*RUN, "--cost-matrix", matrix, *VOL, "--target-error-cost", "1500", "--throughput", "30",
                 "--discount-rate", "0.05", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["inputs"]["cost_matrix"]["classes"] == ["malignant", "benign"]
    assert d["value_model"]["mode"] == "error_costs" and d["value_model"]["max_cost"] == 40
    assert d["target"]["description"].startswith("an expected error cost at or below $1,500")
    assert d["error_cost"]["target_per_1000"] == pytest.approx(1500)
    assert d["time_value"]["discount_rate"] == 0.05
