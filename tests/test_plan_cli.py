"""`labelwise plan` in-process: JSON, text, --out, refused inputs (exit 2, nothing simulated), the progress printer."""

from __future__ import annotations

import io
import json
import re

import pytest
from cli_checks import refused

from simulations.cli import main
from simulations.plan import PlanInputs, build_plan
from simulations.progress import ProgressReporter
from simulations.runner import Progress
from simulations.summary import Target

#: penguins, 3 seeds, 30 labels first: random sampling falls short of 100% of the full-data score, so it stages.
RUN = ["plan", "--data", "penguins", "--strategies", "random,margin", "--seeds", "3", "--initial", "10",
       "--budget", "30", "--target-share", "1.0"]
MONEY = ["--cost-per-label", "1", "--value-per-point", "100"]


@pytest.fixture(scope="module")
def json_run(tmp_path_factory):
    """One `labelwise plan --json --out` run for the module (capsys is function-scoped: capture by hand)."""
    import contextlib

    path = tmp_path_factory.mktemp("plan") / "results.json.gz"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*RUN, *MONEY, "--json", "--out", str(path)])
    return code, out.getvalue(), err.getvalue(), path


def test_json_parses_and_has_the_plan_keys(json_run):
    code, out, err, path = json_run
    assert code == 0
    d = json.loads(out)
    for key in ("strategy", "verdict", "target", "simulated_labels", "production_pool", "labels_to_target",
                "labels_saved", "stop", "money", "p_roi_positive", "pays_off", "sensitivity", "determination",
                "dataset", "inputs", "results_path"):
        assert key in d, key
    assert d["strategy"] == "margin"
    assert d["production_pool"] == 344  # every row of the sample, not the simulated pool
    assert d["dataset"]["n_pool"] == 258
    assert d["inputs"]["cost_per_label"] == 1.0 and d["inputs"]["value_per_point"] == 100.0
    assert d["inputs"]["target"] == {"kind": "share_of_ceiling", "value": 1.0}
    det = d["determination"]
    assert det["stop_reason"] == "determined" and len(det["stages"]) >= 2
    assert d["simulated_labels"] == det["stages"][-1]["budget"]
    assert d["sensitivity"]["base_roi"] == d["money"]["roi"]["median"]
    assert d["results_path"] == str(path)
    assert err == ""  # --json: no progress, no intake lines


def test_out_saves_the_last_stage_and_it_plans_back_to_the_same_numbers(json_run):
    from simulations.results import load_results

    _, out, _, path = json_run
    d = json.loads(out)
    result = load_results(path)
    assert int(result.rounds["labels"].max()) == d["simulated_labels"]
    assert result.meta["production_pool_rows"] == 344
    plan = build_plan(result, PlanInputs(cost_per_label=1.0, value_per_point=100.0, production_pool=344,
                                         target=Target("share_of_ceiling", 1.0)))
    again = plan.to_dict()
    assert again["money"]["roi"] == d["money"]["roi"]
    assert again["money"]["net_savings"] == d["money"]["net_savings"]
    assert again["labels_to_target"] == d["labels_to_target"]
    assert again["strategy"] == d["strategy"]


def test_text_output_and_progress_on_a_pipe(capsys):
    code = main(["plan", "--data", "penguins", "--strategies", "random,margin", "--seeds", "3", "--initial", "10",
                 "--budget", "120", "--strategy", "margin", *MONEY])
    assert code == 0
    cap = capsys.readouterr()
    assert cap.out.startswith("Plan: margin against random sampling (chosen by you).")
    for line in ("labels to target, random", "labels saved", "recommended stop", "net savings", "ROI (net savings",
                 "Verdict:", "Money:", "How many labels:", "When to stop:"):
        assert line in cap.out, line
    assert "\r" not in cap.err and "__ceiling__" not in cap.err
    progress = [ln for ln in cap.err.splitlines() if ln.startswith("progress: stage ")]
    assert 2 <= len(progress) <= 12  # one stage: 120 labels settle it
    last = re.fullmatch(r"progress: stage 1 \(up to 120 labels\), (\d+)/(\d+) tasks \(100%\)", progress[-1])
    assert last is not None and last[1] == last[2]


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if the data is read or anything is simulated."""
    import simulations.cli as base
    import simulations.plan.cli as plan_cli

    def boom(*a, **k):
        raise AssertionError("read or simulated despite a refused input")

    monkeypatch.setattr(base, "_load_for_cli", boom)
    monkeypatch.setattr(plan_cli, "simulate_for_plan", boom)




def test_a_free_label_is_refused_before_anything_runs(capsys, no_simulation):
    error, hint = refused(capsys, [*RUN, "--cost-per-label", "0", "--value-per-point", "100"])
    assert error.startswith("error: The cost per label must be more than $0")
    assert hint.endswith("(--cost-per-label)")


def test_every_refused_input_is_counted_and_the_first_is_named(capsys, no_simulation):
    error, hint = refused(capsys, [*RUN, "--cost-per-label", "0", "--setup-cost", "-1", "--value-per-point", "-2"])
    assert "(2 more input(s) refused too.)" in error
    assert "--cost-per-label" in hint and "--setup-cost" not in hint


@pytest.mark.parametrize(("extra", "flag"), [
    (["--max-labels", "-5"], "--max-labels"),
    (["--time-cap", "0"], "--time-cap"),
    (["--budget-cap", "2.5"], "--budget-cap"),
    (["--value-per-point", "-1"], "--value-per-point"),
])
def test_the_hint_names_the_flag_of_the_refused_input(capsys, no_simulation, extra, flag):
    argv = [*RUN, "--cost-per-label", "1", *extra]
    if "--value-per-point" not in extra:
        argv += ["--value-per-point", "100"]
    _, hint = refused(capsys, argv)
    assert hint.endswith(f"({flag})")


@pytest.mark.parametrize(("extra", "flag"), [
    (["--max-labels", "10"], "--max-labels"),     # equal to --initial 10: nothing to simulate
    (["--seeds", "51"], "--seeds"),
])
def test_simulation_settings_are_checked_by_the_plan_rules_before_anything_runs(capsys, no_simulation, extra, flag):
    _, hint = refused(capsys, [*RUN, *MONEY, *extra])
    assert hint.endswith(f"({flag})")


def test_settings_the_simulation_refuses_are_refused_before_the_data_is_read(capsys, no_simulation):
    error, _ = refused(capsys, [*RUN, *MONEY, "--growth", "6"])
    assert "growth" in error


@pytest.mark.parametrize("name", ["entropy", "random"])
def test_a_strategy_not_simulated_is_refused_before_anything_runs(capsys, no_simulation, name):
    error, hint = refused(capsys, [*RUN, *MONEY, "--strategy", name])
    assert f"--strategy '{name}'" in error
    assert hint == "hint: Choose one of: margin, or add it to --strategies."


def test_a_missing_value_of_accuracy_is_refused(capsys, no_simulation):
    error, hint = refused(capsys, [*RUN, "--cost-per-label", "1"])
    assert error == "error: The value of accuracy is missing."
    assert "--value-per-point" in hint


def test_two_values_of_accuracy_are_refused(capsys, no_simulation):
    error, _ = refused(capsys, [*RUN, *MONEY, "--predictions", "1000", "--cost-per-error", "1"])
    assert "one way" in error


def test_a_production_pool_of_zero_is_refused(capsys, no_simulation):
    error, _ = refused(capsys, [*RUN, *MONEY, "--production-pool", "0"])
    assert "--production-pool" in error


# --- the progress printer -------------------------------------------------------------------------------------------

class Tty(io.StringIO):
    def isatty(self):
        return True


def feed(report, total=25, stages=(1,), strategy="__ceiling__"):
    for stage in stages:
        for done in range(1, total + 1):
            report(Progress(done=done, total=total, strategy=strategy if done % 5 == 0 else "margin",
                            seed=done % 3, stage=stage, budget=30 * stage))


def test_progress_to_a_pipe_is_a_few_plain_lines():
    stream = io.StringIO()
    feed(ProgressReporter(stream))
    text = stream.getvalue()
    assert "\r" not in text and "__ceiling__" not in text
    lines = text.splitlines()
    assert 2 <= len(lines) <= 12
    assert lines[0] == "progress: stage 1 (up to 30 labels), 1/25 tasks (4%)"
    assert lines[-1] == "progress: stage 1 (up to 30 labels), 25/25 tasks (100%)"


def test_progress_to_a_pipe_starts_a_line_for_each_stage():
    stream = io.StringIO()
    feed(ProgressReporter(stream), stages=(1, 2))
    lines = stream.getvalue().splitlines()
    assert "progress: stage 2 (up to 60 labels), 1/25 tasks (4%)" in lines
    assert lines[-1] == "progress: stage 2 (up to 60 labels), 25/25 tasks (100%)"
    assert len(lines) <= 24


def test_progress_on_a_terminal_rewrites_one_line_per_stage():
    stream = Tty()
    report = ProgressReporter(stream)
    feed(report, stages=(1, 2))
    report.close()
    text = stream.getvalue()
    assert text.count("\r") == 50 and text.count("\n") == 2 and "__ceiling__" not in text
    assert text.rstrip().endswith("[25/25] stage 2 (up to 60 labels), whole-pool reference fit")


def test_roi_and_stop_read_back_the_plans_numbers(json_run, capsys):
    """`labelwise roi --results` and `stop --results` with the plan's costs give the plan's money and stop: one object,
    not a second computation that could disagree."""
    _, out, _, path = json_run
    d = json.loads(out)
    assert main(["roi", "--results", str(path), "--cost-per-label", "1", "--value-per-point", "100",
                 "--production-pool", "344", "--target-share", "1.0", "--json"]) == 0
    roi = json.loads(capsys.readouterr().out)
    assert roi["strategy"] == d["strategy"]
    for plan_key, roi_key in (("net_savings", "total_benefit"), ("roi", "roi"), ("al_total_cost", "al_total_cost")):
        assert roi[roi_key]["median"] == pytest.approx(d["money"][plan_key]["median"])
        assert roi[roi_key]["low"] == pytest.approx(d["money"][plan_key]["low"])
    assert roi["pays_off"] == d["pays_off"]
    assert main(["stop", "--results", str(path), "--cost-per-label", "1", "--value-per-point", "100",
                 "--production-pool", "344", "--json"]) == 0
    stop = json.loads(capsys.readouterr().out)
    assert stop["strategy"] == d["strategy"]
    assert stop["plan_stop"]["labels"]["median"] == pytest.approx(d["stop"]["labels"]["median"])
