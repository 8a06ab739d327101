"""``labelwise stop``: argument parsing, JSON output, typed errors."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
import pytest

from simulations.config import SimulationConfig
from simulations.errors import ConfigError, DataError, LabelwiseError, ResultsFileError
from simulations.results import SimulationResult, save_results
from simulations.stopping.cli import add_stop_parser, run_stop

LABELS = [20, 24, 29, 35, 42, 50, 60, 72, 86, 103, 124, 149, 179, 215, 258, 310, 372, 446, 500]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="labelwise")
    add_stop_parser(p.add_subparsers(dest="command", required=True))
    return p


def run(argv: list[str], capsys) -> tuple[int, str]:
    args = parser().parse_args(argv)
    assert args.func is run_stop
    code = args.func(args)
    return code, capsys.readouterr().out


def make_result() -> SimulationResult:
    rng = np.random.default_rng(0)
    rows = []
    for k, strategy in enumerate(("random", "margin")):
        for seed in range(3):
            for r, x in enumerate(LABELS):
                acc = 0.9 + 0.02 * k - 1.5 * x**-0.5 + rng.normal(0, 0.003)
                rows.append({
                    "strategy": strategy, "seed": seed, "round": r, "labels": x, "accuracy": acc,
                    "balanced_accuracy": acc, "macro_f1": acc,
                    "kappa": np.nan if r == 0 else 1 - 2 * x**-0.8, "changed_share": np.nan if r == 0 else x**-0.9,
                    "delta_f": np.nan if r == 0 else x**-0.8, "mean_entropy": 0.5 * x**-0.3,
                    "self_accuracy": 1 - 0.5 * x**-0.3,
                    "query_max_entropy": np.nan if r == len(LABELS) - 1 else 0.9,
                    "query_min_confidence": np.nan if r == len(LABELS) - 1 else 0.55, "n_pseudo": 0,
                    "fit_seconds": 0.01, "query_seconds": 0.01,
                })
    ceilings = pd.DataFrame({"seed": [0, 1, 2], "accuracy": [0.92] * 3, "balanced_accuracy": [0.92] * 3,
                             "macro_f1": [0.92] * 3, "baseline_accuracy": [0.5] * 3,
                             "baseline_balanced_accuracy": [0.5] * 3, "baseline_macro_f1": [0.33] * 3})
    return SimulationResult(rounds=pd.DataFrame(rows), ceilings=ceilings,
                            config=SimulationConfig(strategies=("margin",), seeds=3, budget=500),
                            meta={"metric": "accuracy", "classes": ["ham", "spam"], "budget": 500})


@pytest.fixture(scope="module")
def results_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("stop") / "results.json"
    save_results(make_result(), path)
    return path


@pytest.fixture
def curve_file(tmp_path):
    x = np.array([50, 100, 150, 200, 300, 400, 500], dtype=float)
    path = tmp_path / "curve.csv"
    pd.DataFrame({"labels": x, "metric": 0.95 - 2.0 * x**-0.5}).to_csv(path, index=False)
    return path


def check_range(d):
    assert set(d) >= {"median", "low", "high"}
    assert d["low"] <= d["median"] <= d["high"]


def test_results_json_has_the_documented_keys(results_file, capsys):
    code, out = run(["stop", "--results", str(results_file), "--cost-per-label", "1", "--value-per-point",
                     "300", "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    check_range(d["recommended_labels"])
    names = [c["name"] for c in d["criteria"]]
    assert names == ["stabilizing_predictions", "classification_change", "overall_uncertainty", "max_confidence",
                     "performance_convergence", "predicted_change_f", "validation_plateau", "budget"]
    for c in d["criteria"]:
        assert {"name", "fired_share", "labels", "regret"} <= set(c)
        assert set(c["regret"]) == {"dollars", "percent"}
        if c["fired_share"]:
            check_range(c["labels"])
            check_range(c["regret"]["dollars"])
    assert d["strategy"] == "margin"  # the better curve is the cheaper one at its optimum
    assert d["recommendation"]["sentence"].startswith("Plan for about")
    assert d["range_method"]


def test_results_with_an_explicit_strategy_and_text_output(results_file, capsys):
    code, out = run(["stop", "--results", str(results_file), "--cost-per-label", "1", "--value-per-point",
                     "300", "--strategy", "random"], capsys)
    assert code == 0
    assert "Stopping advice for 'random'" in out and "Plan for about" in out


def test_curve_json_has_the_documented_keys(curve_file, capsys):
    code, out = run(["stop", "--curve", str(curve_file), "--cost-per-label", "1", "--value-per-point", "500",
                     "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["verdict"] == "continue"
    check_range(d["recommended_labels"])
    assert [c["name"] for c in d["criteria"]] == ["validation_plateau", "marginal_rule"]
    for c in d["criteria"]:
        assert {"name", "fired_share", "labels", "regret"} <= set(c)


def test_curve_text_output(curve_file, capsys):
    code, out = run(["stop", "--curve", str(curve_file), "--cost-per-label", "1", "--value-per-point", "500"],
                    capsys)
    assert code == 0 and out.startswith("Continue for about")


@pytest.mark.parametrize(
    "extra, error",
    [
        (["--cost-per-label", "-1", "--value-per-point", "500"], ConfigError),
        (["--cost-per-label", "1", "--value-per-point", "0"], ConfigError),
        (["--cost-per-label", "1", "--value-per-point", "500", "--strategy", "bald"], ConfigError),
    ],
)
def test_bad_settings_raise_typed_errors(results_file, curve_file, extra, error, capsys):
    source = ["--results", str(results_file)] if "--strategy" in extra else ["--curve", str(curve_file)]
    args = parser().parse_args(["stop", *source, *extra])
    with pytest.raises(error) as info:
        run_stop(args)
    assert info.value.hint


def test_bad_files_raise_typed_errors(tmp_path, curve_file):
    missing = parser().parse_args(["stop", "--curve", str(tmp_path / "x.csv"), "--cost-per-label", "1",
                                   "--value-per-point", "5"])
    with pytest.raises(DataError):
        run_stop(missing)
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    not_results = parser().parse_args(["stop", "--results", str(bad), "--cost-per-label", "1",
                                       "--value-per-point", "5"])
    with pytest.raises(ResultsFileError):
        run_stop(not_results)
    mixed = parser().parse_args(["stop", "--curve", str(curve_file), "--cost-per-label", "1",
                                 "--value-per-point", "5", "--strategy", "margin"])
    with pytest.raises(LabelwiseError):
        run_stop(mixed)


def test_results_and_curve_are_mutually_exclusive(results_file, curve_file):
    with pytest.raises(SystemExit):
        parser().parse_args(["stop", "--results", str(results_file), "--curve", str(curve_file),
                             "--cost-per-label", "1", "--value-per-point", "5"])


def test_the_labelwise_command_exits_2_with_message_and_hint(tmp_path, curve_file, capsys):
    from simulations.cli import main

    assert main(["stop", "--curve", str(curve_file), "--cost-per-label", "1", "--value-per-point", "500"]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.csv"
    bad.write_text("labels,metric\n10,0.5\n5,0.6\n20,0.7\n30,0.8\n")
    assert main(["stop", "--curve", str(bad), "--cost-per-label", "1", "--value-per-point", "500"]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "hint:" in err
