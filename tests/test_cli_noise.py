"""`labelwise simulate` and `labelwise plan` with noisy annotators: refused settings (exit 2, nothing read or run,
the flag named), and the plan's noise block (settings, saving and stop under the noise, paired change)."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from cli_checks import refused

from simulations.cli import main

SIM = ["simulate", "--data", "penguins", "--strategies", "random,margin", "--seeds", "2", "--budget", "30", "--quiet"]
PLAN = ["plan", "--data", "penguins", "--strategies", "random,margin", "--seeds", "3", "--initial", "10",
        "--budget", "30", "--max-labels", "30", "--cost-per-label", "1", "--value-per-point", "100", "--quiet"]


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if the data is read or anything is simulated."""
    import simulations.cli as base
    import simulations.plan.cli as plan_cli

    def boom(*a, **k):
        raise AssertionError("read or simulated despite a refused input")

    monkeypatch.setattr(base, "_load_for_cli", boom)
    monkeypatch.setattr(base, "run_simulation", boom)
    monkeypatch.setattr(plan_cli, "simulate_for_plan", boom)




@pytest.mark.parametrize("command", [SIM, PLAN])
@pytest.mark.parametrize(("extra", "flag", "words"), [
    (["--annotator-error", "0.5"], "--annotator-error", "outside [0, 0.5)"),
    (["--annotator-error", "-0.01"], "--annotator-error", "outside [0, 0.5)"),
    (["--annotator-error", "0.1,x"], "--annotator-error", "not a number"),
    (["--annotator-error", "0.05,0.1", "--annotators", "3"], "--annotators", "2 error rates were given for 3"),
    (["--annotator-confusion", "/no/such/file.csv"], "--annotator-confusion", "Cannot read"),
])
def test_bad_noise_settings_are_refused_before_anything_runs(capsys, no_run, command, extra, flag, words):
    err, hint = refused(capsys, [*command, *extra])
    assert words in err and flag in hint


def test_a_confusion_matrix_whose_rows_do_not_sum_to_one_is_refused(capsys, no_run, tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("true,Adelie,Chinstrap,Gentoo\nAdelie,0.9,0.05,0.06\nChinstrap,0,1,0\nGentoo,0,0,1\n")
    err, hint = refused(capsys, [*SIM, "--annotator-confusion", str(p)])
    assert "'Adelie' sums to 1.01" in err and "--annotator-confusion" in hint


def test_a_confusion_matrix_of_other_classes_is_refused_before_the_simulation(capsys, monkeypatch, tmp_path):
    import simulations.cli as base

    monkeypatch.setattr(base, "run_simulation", lambda *a, **k: (_ for _ in ()).throw(AssertionError("ran")))
    p = tmp_path / "c.csv"
    p.write_text("true,spam,ham\nspam,0.9,0.1\nham,0.1,0.9\n")
    err, hint = refused(capsys, [*SIM, "--annotator-confusion", str(p)])
    assert "are not the data's" in err and "--annotator-confusion" in hint


def test_a_rate_just_below_one_half_runs(capsys, tmp_path):
    out = tmp_path / "r.json"
    assert main([*SIM, "--annotator-error", "0.4999", "--json", "--out", str(out)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["noise"]["settings"]["error_rates"] == [0.4999]
    assert d["config"]["noise"]["relabel"] == "none"


def test_a_confusion_matrix_of_the_datas_classes_runs(capsys, tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("true,Adelie,Chinstrap,Gentoo\nAdelie,0.8,0.2,0\nChinstrap,0.3,0.7,0\nGentoo,0,0,1\n")
    assert main([*SIM, "--annotator-confusion", str(p)]) == 0
    assert "Annotators: a confusion matrix (errors by true class: Adelie 20%" in capsys.readouterr().out


def _plan_json(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--json"])
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


def test_plan_json_carries_noise_and_counts_paid_labels():
    d = _plan_json([*PLAN, "--annotator-error", "0.2", "--relabel", "majority3"])
    n = d["noise"]
    assert n["settings"]["error_rates"] == [0.2] and n["settings"]["relabel"] == "majority3"
    assert n["labels_unit"] == "paid"
    assert n["reference"] is not None and n["change"] is not None
    assert n["change"]["share_points"]["n_seeds"] >= 1
    assert n["stop"] == d["stop"]
    assert "with perfect labels on the same seeds" in n["sentence"]
    # 30 items simulated, every one paid three times: the plan's labels are paid labels
    assert d["simulated_labels"] == 90


def test_plan_without_noise_has_no_noise_block_and_the_same_numbers_as_zero_noise():
    plain = _plan_json(PLAN)
    zero = _plan_json([*PLAN, "--annotator-error", "0"])
    assert plain["noise"] is None
    assert zero["noise"]["labels_unit"] == "items"
    assert zero["noise"]["change"]["share_points"]["median"] == 0
    for key in ("labels_to_target", "labels_saved", "money", "stop"):
        assert plain[key] == zero[key]


def test_several_rates_set_the_calendars_team():
    d = _plan_json([*PLAN, "--annotator-error", "0.05,0.1,0.2", "--throughput", "60"])
    assert d["calendar"]["assumptions"].startswith("60 labels an hour x 3 annotator(s)")
    assert d["noise"]["settings"]["annotators"] is None  # one per rate


def test_plan_text_says_how_noise_changes_the_saving(capsys):
    assert main([*PLAN, "--annotator-error", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "Annotators: With an annotator with a 10% error rate; no re-labeling" in out


def test_majority3_plan_pays_past_the_pool_size_and_says_pools_in_items():
    """Three paid labels an item exceed the pool's item count: the plan counts pools in paid labels inside and
    reports them in items."""
    argv = [*PLAN, "--annotator-error", "0.1", "--relabel", "majority3"]
    argv[argv.index("--budget") + 1] = argv[argv.index("--max-labels") + 1] = "120"
    d = _plan_json(argv)
    assert d["simulated_labels"] == 360 > d["simulated_pool"] == d["dataset"]["n_pool"]
    assert d["production_pool"] == d["dataset"]["n_rows"]
    assert d["noise"]["paid_per_item"] == 3.0
    assert d["labels_to_target"]["random"]["median"] <= 3 * d["production_pool"]
