import json
import re
import subprocess
import sys

import pytest

from simulations.cli import main

FAST = ["--seeds", "2", "--budget", "60", "--initial", "10", "--quiet"]


def run_json(capsys, *args):
    code = main(["simulate", *args, *FAST, "--json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_simulate_json_has_the_documented_keys(capsys):
    out = run_json(capsys, "--data", "penguins", "--strategies", "margin,entropy")
    assert 0.8 < out["ceiling_accuracy"] <= 1
    assert out["metric"] in ("accuracy", "balanced_accuracy")
    assert set(out["strategies"]) == {"random", "margin", "entropy"}
    m = out["strategies"]["margin"]
    for key in ("labels_to_target", "savings_vs_random", "auc", "final_accuracy", "verdict",
                "p_worse_than_random", "censored"):
        assert key in m
    assert set(m["labels_to_target"]) >= {"median", "low", "high"}
    assert m["labels_to_target"]["low"] <= m["labels_to_target"]["median"] <= m["labels_to_target"]["high"]


def test_imbalanced_sample_names_balanced_accuracy(capsys):
    out = run_json(capsys, "--data", "seattle_weather", "--strategies", "margin")
    assert out["metric"] == "balanced_accuracy" and "smallest class" in out["metric_reason"]


def test_user_csv_with_label_and_saved_results(tmp_path, capsys, separable_frame):
    path = tmp_path / "mine.csv"
    separable_frame.to_csv(path, sep=";", index=False)
    res = tmp_path / "res.json"
    out = run_json(capsys, "--data", str(path), "--label", "label", "--strategies", "margin", "--out", str(res))
    assert out["dataset"]["n_rows"] == len(separable_frame)
    assert res.exists()


def test_table_output_is_readable(capsys):
    assert main(["simulate", "--data", "penguins", "--strategies", "margin", *FAST]) == 0
    out = capsys.readouterr().out
    assert "savings vs random" in out and "margin" in out and "Metric:" in out


@pytest.mark.parametrize("args, message", [
    (["--data", "no_such_thing"], "neither a sample dataset nor an existing file"),
    (["--data", "penguins", "--strategies", "margin,psychic"], "Unknown strategy"),
    (["--data", "penguins", "--budget", "5"], "budget"),
    (["--data", "penguins", "--label", "island"], "has the label column 'species'"),
])
def test_bad_input_exits_2_with_a_message(capsys, args, message):
    assert main(["simulate", *args, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_console_script_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    proc = subprocess.run([sys.executable, "-m", "simulations.cli", "simulate", "--data", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "needs --label" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("name", ["penguins", "seattle_weather", "sms_spam", "adult", "digits", "breast_cancer"])
def test_simulate_works_on_every_shipped_dataset(capsys, name):
    code = main(["simulate", "--data", name, "--strategies", "margin", "--seeds", "1", "--budget", "40",
                 "--initial", "10", "--quiet", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"]["dataset_name"] == name
    assert out["strategies"]["margin"]["verdict"] in ("beats random", "no evidence", "worse than random")


def test_production_pool_larger_than_the_simulated_pool_adds_the_caveat(capsys):
    plain = run_json(capsys, "--data", "penguins", "--strategies", "margin")
    assert plain["pool_caveat"] is None  # nothing told us the real pool is larger
    n_pool = plain["dataset"]["n_pool"]
    out = run_json(capsys, "--data", "penguins", "--strategies", "margin", "--production-pool", str(10 * n_pool))
    cav = out["pool_caveat"]
    assert cav["simulated_pool"] == n_pool and cav["production_pool"] == 10 * n_pool
    assert f"{10 * n_pool:,}" in cav["sentence"]
    # the same caveat sentence closes the table output
    assert main(["simulate", "--data", "penguins", "--strategies", "margin", *FAST,
                 "--production-pool", str(10 * n_pool)]) == 0
    assert f"note: {cav['sentence']}" in capsys.readouterr().out
    # one number for one thing: the caveat's labels are those `labelwise plan` gives for the same data and pool
    plan = json.loads(_plan_json(capsys, str(10 * n_pool)))
    for key in ("random", "al"):
        assert f"{plan['labels_to_target'][key]['median']:,.0f}" in cav["sentence"]


def _plan_json(capsys, pool: str) -> str:
    assert main(["plan", "--data", "penguins", "--strategies", "margin", *FAST, "--max-labels", "60",
                 "--cost-per-label", "1", "--value-per-point", "0", "--production-pool", pool, "--json"]) == 0
    return capsys.readouterr().out


def test_production_pool_must_be_positive(capsys):
    assert main(["simulate", "--data", "penguins", "--production-pool", "0", *FAST]) == 2
    assert "error: --production-pool must be a positive number" in capsys.readouterr().err


@pytest.mark.parametrize("where, message", [
    ("missing/dir/res.json", "The folder .*missing/dir does not exist"),
    (".", "is a folder, not a file name"),
])
def test_a_bad_out_path_exits_2_before_any_simulation(tmp_path, capsys, monkeypatch, where, message):
    import simulations.cli as cli

    def never(*args, **kwargs):
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(cli, "run_simulation", never)
    path = tmp_path / where
    assert main(["simulate", "--data", "penguins", "--out", str(path), *FAST]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("error: ") and re.search(message, err) and "hint: " in err


def test_growth_zero_is_refused_not_replaced_by_the_default(capsys):
    assert main(["simulate", "--data", "penguins", "--growth", "0", *FAST]) == 2
    assert "growth must be in (0, 5] (got 0.0)" in capsys.readouterr().err


def test_requested_metric_decides_class_weighting(capsys):
    # seattle_weather is imbalanced: by default balanced accuracy with weighted classes
    default = run_json(capsys, "--data", "seattle_weather", "--strategies", "margin")
    assert default["metric"] == "balanced_accuracy" and default["config"]["metric"] is None
    plain = run_json(capsys, "--data", "seattle_weather", "--strategies", "margin", "--metric", "accuracy")
    assert plain["metric"] == "accuracy" and plain["config"]["metric"] == "accuracy"
    assert plain["metric_reason"] == "Accuracy, as requested."
    assert main(["simulate", "--data", "seattle_weather", "--strategies", "margin", "--metric", "accuracy",
                 *FAST]) == 0
    assert "Classes are not weighted: the run is scored by accuracy, as requested" in capsys.readouterr().out


def test_the_data_line_says_what_happened_to_rows_without_a_label():
    from simulations.cli import _unlabeled_text

    assert _unlabeled_text({"n_missing_labels": 393, "n_extra_pool": 0}) == "393 rows without a label left out"
    kept = _unlabeled_text({"n_missing_labels": 393, "n_extra_pool": 393})
    assert kept == "393 rows without a label kept as extra unlabeled pool"


def test_a_closed_pipe_is_not_a_traceback(tmp_path):
    # `labelwise simulate ... | head -1`: the reader is gone before the output is written
    proc = subprocess.Popen([sys.executable, "-m", "simulations.cli", "simulate", "--data", "penguins", *FAST],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert proc.returncode == 141


def test_n_jobs_zero_exits_2_before_reading_the_data(capsys):
    assert main(["simulate", "--data", "no_such_file.csv", "--n-jobs", "0", *FAST]) == 2
    err = capsys.readouterr().err
    assert "n_jobs must be a positive number of worker processes or -1" in err and "no_such_file" not in err


def test_a_broken_pipe_that_is_not_our_output_is_an_error(capsys, monkeypatch):
    import simulations.cli as cli

    def worker_pipe_died(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "run_simulation", worker_pipe_died)
    assert main(["simulate", "--data", "penguins", *FAST]) == 1  # stdout here is not a pipe
    assert "error: a pipe closed while running" in capsys.readouterr().err


def test_progress_to_a_log_file_is_lines_without_carriage_returns(capsys):
    """Off a terminal, the in-place line was one endless line of \\r fragments naming __ceiling__."""
    assert main(["simulate", "--data", "penguins", "--strategies", "margin", "--seeds", "2", "--budget", "40",
                 "--initial", "10"]) == 0
    err = capsys.readouterr().err  # capsys's stderr is not a terminal
    assert "\r" not in err and "__ceiling__" not in err
    lines = [line for line in err.splitlines() if line.startswith("progress: ")]
    assert lines and lines[-1] == "progress: 6/6 tasks (100%)"  # 2 seeds x (reference fit, random, margin)


def test_progress_off_a_terminal_prints_about_every_tenth():
    import io

    from simulations.cli import ProgressReporter
    from simulations.runner import CEILING, Progress

    out = io.StringIO()
    report = ProgressReporter(out)
    for done in range(1, 101):
        report(Progress(done=done, total=100, strategy=CEILING if done % 3 else "margin", seed=done))
    report.close()
    lines = out.getvalue().splitlines()
    assert lines == [f"progress: {n}/100 tasks ({n}%)" for n in (1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)]
    assert out.getvalue().endswith("\n") and "\r" not in out.getvalue()


def test_progress_on_a_terminal_rewrites_one_line_and_names_the_reference_fit_in_words():
    import io

    from simulations.cli import ProgressReporter
    from simulations.runner import CEILING, Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    report = ProgressReporter(out)
    report(Progress(done=1, total=3, strategy=CEILING, seed=0))
    report(Progress(done=2, total=3, strategy="margin", seed=0))
    report.close()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n") and text.count("\r") == 2
    assert "[1/3] whole-pool reference fit" in text and "__ceiling__" not in text
    last = text.rsplit("\r", 1)[1]
    assert last.startswith("[2/3] margin seed 0") and len(last.rstrip("\n")) == len("[1/3] whole-pool reference fit")


def test_closing_line_passes_on_the_production_pool_the_user_gave(capsys):
    """`--production-pool 50000` ended with "--production-pool 1000" (the file's rows), not the user's pool."""
    small = ["simulate", "--data", "penguins", "--seeds", "1", "--strategies", "margin", "--budget", "40", "--quiet"]
    assert main([*small, "--production-pool", "50000"]) == 0
    last = capsys.readouterr().out.splitlines()
    line = next(x for x in last if x.startswith("Production pool: "))
    assert line.startswith("Production pool: 50,000 items, yours (--production-pool)")
    assert line.endswith("For the business case: labelwise roi ... --production-pool 50000")
    assert main(small) == 0  # without the flag: the data's own rows, as before
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Production pool: "))
    assert "yours" not in line and re.search(r"--production-pool (\d+)$", line).group(1) != "50000"
