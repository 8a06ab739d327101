"""`labelwise roi` in-process: JSON keys, the readable table, results files and the exit-2 error path."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
import pytest

from simulations.economics.cli import add_roi_parser, run_roi
from simulations.errors import ConfigError

EXAMPLE = [
    "--labels-random",
    "20000",
    "--labels-al",
    "8000",
    "--accuracy-random",
    "0.88",
    "--accuracy-al",
    "0.91",
    "--cost-per-label",
    "2.5",
    "--setup-cost",
    "10000",
    "--value-per-point",
    "10000",
    "--production-pool",
    "100000",
]
MONEY = [
    "--cost-per-label",
    "3",
    "--setup-cost",
    "100",
    "--value-per-point",
    "50",
    "--production-pool",
    "10000",
]

#: Money outputs every business case reports (ranges over seeds when built from a results file).
MONEY_KEYS = ("roi", "total_benefit", "cost_savings", "value_increase", "al_total_cost", "break_even_labels")


def without(argv, flag):
    i = argv.index(flag)
    return argv[:i] + argv[i + 2 :]


def main(argv):
    from simulations.cli import main as labelwise_main

    return labelwise_main(argv)


def run_json(capsys, argv):
    assert main(["roi", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_roi_json_from_direct_numbers_is_the_worked_example(capsys):
    out = run_json(capsys, EXAMPLE)
    for key in (*MONEY_KEYS, "payback_labels", "whole_pool_roi", "value_per_point", "inputs", "assumptions"):
        assert key in out, key
    assert out["roi"] == pytest.approx(50_000 / 30_000)
    assert out["total_benefit"] == 50_000 and out["cost_savings"] == 20_000
    assert out["value_increase"] == 30_000 and out["al_total_cost"] == 30_000
    assert out["source"] == "numbers"


def test_roi_json_with_predictions_and_cost_per_error(capsys):
    argv = without(EXAMPLE, "--value-per-point")
    out = run_json(capsys, [*argv, "--predictions", "1000000", "--cost-per-error", "1"])
    assert out["value_per_point"] == 10_000 and out["predictions"] == 1_000_000 and out["cost_per_error"] == 1
    assert out["roi"] == pytest.approx(50_000 / 30_000)


def test_roi_table_has_currency_both_baselines_and_assumptions(capsys):
    assert main(["roi", *EXAMPLE, "--labels-per-hour", "60", "--annotators", "2", "--tornado"]) == 0
    text = capsys.readouterr().out
    for piece in (
        "$50,000",
        "$30,000",
        "166.7%",
        "Against random sampling",
        "Against labeling the whole production pool",
        "Assumptions:",
        "cost per label: $2.50",
        "labeling time saved",
        "Sensitivity",
        "AL pays off",
    ):
        assert piece in text, piece


def test_table_explains_when_label_savings_cannot_pay_off(capsys):
    costly = [*without(EXAMPLE, "--setup-cost"), "--setup-cost", "900000"]
    assert main(["roi", *costly]) == 0
    text = capsys.readouterr().out
    assert "label savings alone cannot pay off" in text
    assert "payback" not in text  # savings do not accrue evenly while AL labels: no payback figure is printed
    assert main(["roi", *EXAMPLE]) == 0
    text = capsys.readouterr().out
    assert "cannot pay off" not in text


def test_censored_flags_show_bounds(capsys):
    out = run_json(capsys, [*EXAMPLE, "--random-censored"])
    assert out["bounds"]["roi"] == "lower"
    assert main(["roi", *EXAMPLE, "--random-censored"]) == 0
    assert ">= 166.7%" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([*EXAMPLE[:5], "88", *EXAMPLE[6:]], "--accuracy-random must be a fraction between 0 and 1"),
        ([a if a != "2.5" else "-2.5" for a in EXAMPLE], "cost_per_label must be zero or more"),
        (
            [*EXAMPLE, "--predictions", "1000", "--cost-per-error", "2"],
            "Both value_per_point and predictions",
        ),
        (without(EXAMPLE, "--production-pool"), "--production-pool is missing"),
        (without(EXAMPLE, "--cost-per-label"), "--cost-per-label is missing"),
        (EXAMPLE[2:], "Missing --labels-random"),
        (MONEY, "No numbers to build the business case from"),
        ([*EXAMPLE, "--results", "x.json"], "--results cannot be combined with direct numbers"),
        ([*EXAMPLE, "--target-share", "0.9"], "--target-share only applies with --results"),
        ([*EXAMPLE, "--annotators", "1.5"], "--annotators must be a whole number"),
        (
            [*EXAMPLE, "--round-overhead", "20"],
            "round_overhead is set but the number of AL rounds is unknown",
        ),
        (["--results", "/nonexistent/run.json", *MONEY], "No results file"),
    ],
)
def test_bad_input_exits_2_with_error_and_hint(capsys, argv, message):
    assert main(["roi", *argv]) == 2
    err = capsys.readouterr().err
    assert f"error: {message}" in err
    assert "\nhint: " in err


def test_run_roi_raises_typed_errors_on_its_own_parser():
    parser = argparse.ArgumentParser(prog="x")
    add_roi_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["roi", *EXAMPLE[:5], "1.2", *EXAMPLE[6:]])
    assert args.func is run_roi
    with pytest.raises(ConfigError, match="between 0 and 1"):
        run_roi(args)


# ------------------------------------------------------------------ from a results file


def _results_file(tmp_path, censor_random=False, meta=None, n_seeds=4, baseline=0.5):
    from simulations.config import SimulationConfig
    from simulations.results import SimulationResult, save_results

    schedule = np.array([20, 40, 80, 160, 320, 500])
    # 6 seeds: the fewest with which any verdict can hold its error rate at 5% (simulations.stats)
    scales = {"random": [200, 230, 180, 210, 190, 220][:n_seeds], "margin": [100, 90, 120, 95, 110, 105][:n_seeds]}
    rows = []
    for s, per_seed in scales.items():
        for seed, scale in enumerate(per_seed):
            acc = 0.5 + 0.45 * (
                1 - np.exp(-schedule / (scale * (4 if censor_random and s == "random" else 1)))
            )
            for i, (x, y) in enumerate(zip(schedule, acc, strict=True)):
                rows.append(
                    {
                        "strategy": s,
                        "seed": seed,
                        "round": i,
                        "labels": int(x),
                        "accuracy": y,
                        "balanced_accuracy": y,
                        "macro_f1": y,
                    }
                )
    ceilings = pd.DataFrame(
        {
            "seed": range(n_seeds),
            "accuracy": 0.95,
            "balanced_accuracy": 0.95,
            "macro_f1": 0.95,
            "baseline_accuracy": baseline,
            "baseline_balanced_accuracy": baseline,
            "baseline_macro_f1": baseline,
        }
    )
    result = SimulationResult(
        rounds=pd.DataFrame(rows),
        ceilings=ceilings,
        config=SimulationConfig(strategies=("random", "margin"), seeds=n_seeds),
        meta={"metric": "accuracy", "budget": 500, **(meta or {})},
    )
    return save_results(result, tmp_path / "run.json")


def test_roi_json_from_results_carries_ranges(capsys, tmp_path):
    path = _results_file(tmp_path)
    out = run_json(capsys, ["--results", str(path), "--target-share", "0.9", *MONEY])
    for key in MONEY_KEYS:
        assert set(out[key]) >= {"median", "low", "high"}, key
        assert out[key]["low"] <= out[key]["median"] <= out[key]["high"]
    assert out["strategy"] == "margin" and out["n_seeds"] == 4 and out["source"] == "results"
    assert 0 <= out["p_roi_positive"] <= 1
    assert out["equal_budget_value_increase"]["median"] > 0
    # a different target changes the labels needed
    other = run_json(capsys, ["--results", str(path), "--target-accuracy", "0.8", *MONEY])
    assert other["labels_random"]["median"] < out["labels_random"]["median"]


def test_roi_table_from_results_marks_censoring(capsys, tmp_path):
    path = _results_file(tmp_path, censor_random=True)
    assert main(["roi", "--results", str(path), "--target-share", "0.9", *MONEY]) == 0
    text = capsys.readouterr().out
    assert "Medians over 4 seeds" in text and ">= " in text and "censored" in text


def test_roi_verdict_needs_three_seeds_like_the_simulation_summary(capsys, tmp_path):
    six = _results_file(tmp_path, n_seeds=6)  # the fewest seeds that allow a verdict
    assert main(["roi", "--results", str(six), "--target-share", "0.9", *MONEY]) == 0
    assert "Verdict: AL pays off against random sampling" in capsys.readouterr().out
    four = _results_file(tmp_path, n_seeds=4)  # (the same file, rewritten)
    assert main(["roi", "--results", str(four), "--target-share", "0.9", *MONEY]) == 0
    assert "Verdict: Too few seeds to judge whether AL pays off" in capsys.readouterr().out
    two = _results_file(tmp_path, n_seeds=2)
    assert main(["roi", "--results", str(two), "--target-share", "0.9", *MONEY]) == 0
    text = capsys.readouterr().out
    assert "Medians over 2 seeds" in text
    assert ("Verdict: Too few seeds to judge whether AL pays off: the ranges rest on 2 simulated seeds comparing AL "
            "with random;") in text
    # the JSON says the same: no pays-off flag from two seeds, although their median benefit is positive
    two_json = run_json(capsys, ["--results", str(two), "--target-share", "0.9", *MONEY])
    assert two_json["total_benefit"]["median"] > 0 and two_json["pays_off"] is None  # undecided, not "no"
    six = _results_file(tmp_path, n_seeds=6)
    assert run_json(capsys, ["--results", str(six), "--target-share", "0.9", *MONEY])["pays_off"]


def test_roi_from_results_unknown_strategy_exits_2(capsys, tmp_path):
    path = _results_file(tmp_path)
    assert main(["roi", "--results", str(path), "--strategy", "qbc", *MONEY]) == 2
    err = capsys.readouterr().err
    assert "error: Strategy 'qbc' is not in the results." in err and "hint: Choose one of: margin" in err


def test_missing_pool_with_results_names_the_file_rows_but_never_assumes_them(capsys, tmp_path):
    path = _results_file(tmp_path, meta={"production_pool_rows": 12345})
    assert main(["roi", "--results", str(path), *without(MONEY, "--production-pool")]) == 2
    err = capsys.readouterr().err
    assert "error: --production-pool is missing." in err
    assert "a file of 12,345 rows" in err and "--production-pool 12345" in err
    # results without the count keep the plain hint
    (tmp_path / "plain").mkdir()
    plain = _results_file(tmp_path / "plain")
    assert main(["roi", "--results", str(plain), *without(MONEY, "--production-pool")]) == 2
    assert "a file of" not in capsys.readouterr().err


def test_roi_from_results_without_signal_leads_with_the_warning_and_never_pays_off(capsys, tmp_path):
    # the same curves as the paying case above, but the majority class scores within a point of the whole-pool model
    path = _results_file(tmp_path, baseline=0.945)
    out = run_json(capsys, ["--results", str(path), "--target-share", "0.9", *MONEY])
    assert out["no_signal"] is True and out["pays_off"] is False and out["total_benefit"]["median"] > 0
    assert out["assumptions"][0].startswith("No strategy can save labels here")
    assert out["verdict"].startswith("The model learns nothing from these features")
    assert main(["roi", "--results", str(path), "--target-share", "0.9", *MONEY]) == 0
    text = capsys.readouterr().out
    warning = text.index("WARNING: The model learns nothing from these features")
    assert warning < text.index("Against random sampling") < text.index("Against labeling the whole production pool")
    assert "no labeling plan pays" in text and "fix the data first" in text
    assert "Verdict: The model learns nothing" in text and "AL pays off" not in text
    # with signal, no warning and the usual verdict
    ok = run_json(capsys, ["--results", str(_results_file(tmp_path, n_seeds=6)), "--target-share", "0.9",
                           *MONEY])
    assert ok["no_signal"] is False and ok["pays_off"] and ok["verdict"].startswith("AL pays off")


@pytest.mark.parametrize(("labels_al", "expected"), [
    ([100.0] * 8, True),                                   # saves 100 labels in every seed: wholly above zero
    ([100, 100, 100, 100, 250, 250, 250, 250], None),      # half the seeds lose: the interval spans zero
    ([260.0] * 8, False),                                  # costs more in every seed
])
def test_the_text_verdict_is_the_json_pays_off(labels_al, expected):
    """One rule: `roi`'s sentence says exactly what `pays_off` says (True, False, or undecided)."""
    from simulations.economics import EconomicInputs, business_case_over_seeds
    from simulations.economics.cli import verdict

    inputs = EconomicInputs(cost_per_label=1.0, setup_cost=50.0, value_per_point=0.0, production_pool=10_000)
    case = business_case_over_seeds([200.0] * 8, labels_al, [0.9] * 8, [0.9] * 8, inputs)
    assert case.pays_off is expected
    start = {True: "AL pays off", False: "AL does not pay off", None: "Uncertain whether AL pays off"}[expected]
    assert verdict(case).startswith(start)
