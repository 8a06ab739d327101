"""Sweeps run locally: config, task keys, bit-identity with run_simulation, resume, failures, summary, CLI."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import simulations.sweep.tasks as sweep_tasks
from simulations import ConfigError, DataError, Dataset, ResultsFileError, run_simulation
from simulations.summary import Target, summarize
from simulations.sweep import (
    DaskNotInstalled,
    SweepIncomplete,
    cell_result,
    drop_timing,
    group_result,
    load_sweep_config,
    parse_target,
    plan_tasks,
    read_sweep_settings,
    read_table,
    run_sweep,
    sweep_config_from_dict,
    sweep_overview,
    sweep_summary,
    validate_table,
)
from simulations.sweep.table import write_table
from simulations.sweep.tasks import execute_task, load_dataset
from simulations.sweep_cli import add_sweep_parser

SMALL = {"seeds": 2, "initial_labels": 10, "max_test_rows": 150, "stop_set_rows": 100}


def small_config(**over):
    d = {"datasets": ["breast_cancer"], "models": ["logreg"], "strategies": ["margin"],
         "schedules": [{"name": "b10", "batch_size": 10, "budget": 50}], **SMALL, **over}
    return sweep_config_from_dict(d)


def test_config_from_toml_resolves_paths_and_adds_random(tmp_path, text_frame):
    text_frame.to_csv(tmp_path / "msgs.csv", index=False)
    (tmp_path / "sweep.toml").write_text(
        'strategies = ["margin"]\nmodels = ["logreg", "naive_bayes"]\nseeds = [3, 4]\nout = "res"\n'
        'datasets = ["penguins", { name = "msgs", path = "msgs.csv", label = "kind", roles = { msg_id = "id" } }]\n'
        '[[schedules]]\nname = "g"\ngrowth = 0.5\nbudget = 80\n'
        '[[schedules]]\nname = "b"\nbatch_size = 20\n'
    )
    cfg = load_sweep_config(tmp_path / "sweep.toml")
    assert cfg.strategies == ("random", "margin")
    assert cfg.seeds == (3, 4)
    assert cfg.datasets[1].path == str(tmp_path / "msgs.csv") and cfg.datasets[1].roles == (("msg_id", "id"),)
    assert [s.name for s in cfg.schedules] == ["g", "b"] and cfg.schedules[1].budget is None
    assert cfg.out == str(tmp_path / "res")
    sim = cfg.simulation_config("naive_bayes", cfg.schedules[0])
    assert (sim.seed_values, sim.growth, sim.budget, sim.model) == ([3, 4], 0.5, 80, "naive_bayes")


def test_the_example_sweep_file_is_valid():
    cfg = load_sweep_config(Path(__file__).resolve().parents[1] / "examples" / "sweep.toml")
    assert [d.name for d in cfg.datasets] == ["breast_cancer", "digits"] and len(cfg.schedules) == 2
    assert cfg.strategies[0] == "random" and cfg.target == Target("share_of_ceiling", 0.98)


@pytest.mark.parametrize("over, message", [
    ({"models": ["deep_net"]}, "Unknown model"),
    ({"strategies": ["magic"]}, "Unknown"),
    ({"datasets": ["nope"]}, "not a sample"),
    ({"datasets": [{"name": "x", "path": "x.csv"}]}, "needs a label"),
    ({"datasets": ["penguins", "penguins"]}, "share the name"),
    ({"colour": "red"}, "Unknown setting"),
    ({"schedules": [{"name": "s", "batch_size": 5, "growth": 0.1}]}, "both batch_size and growth"),
    ({"schedules": [{"name": "s", "budget": 5}]}, "must exceed the initial labels"),
    ({"seeds": 0}, "at least 1"),
    ({"seeds": "many"}, "wrong type"),
])
def test_bad_configs_raise_config_errors_with_hints(over, message):
    with pytest.raises(ConfigError, match=message) as err:
        small_config(**over)
    assert err.value.hint


def test_cell_errors_come_from_simulation_config_and_name_the_schedule():
    # A schedule's own setting: the engine's message, prefixed with the schedule that holds it.
    with pytest.raises(ConfigError, match=r"^Schedule 'tiny': The label budget \(5\) must exceed") as err:
        small_config(schedules=[{"name": "ok", "budget": 50}, {"name": "tiny", "budget": 5}])
    assert err.value.hint == "Raise the budget or start from fewer labels."
    # A setting shared by every cell: reported once, by its name, without a schedule.
    with pytest.raises(ConfigError, match=r"^test_share must be between 0 and 0\.9 \(got 0\.95\)"):
        small_config(test_share=0.95)
    with pytest.raises(ConfigError, match=r"^seeds must be at least 1"):
        small_config(seeds=[])


def test_sweep_strategies_are_those_of_every_cell():
    cfg = small_config(strategies=["entropy", "margin", "entropy"])
    assert cfg.strategies == ("random", "entropy", "margin")
    assert cfg.simulation_config("logreg", cfg.schedules[0]).strategies == cfg.strategies


def test_bad_toml_is_a_config_error(tmp_path):
    (tmp_path / "s.toml").write_text("datasets = [")
    with pytest.raises(ConfigError, match="TOML"):
        load_sweep_config(tmp_path / "s.toml")
    with pytest.raises(ConfigError, match="No sweep file"):
        load_sweep_config(tmp_path / "missing.toml")


def test_task_keys_are_stable_unique_and_track_every_setting():
    cfg = small_config(models=["logreg", "naive_bayes"], strategies=["margin", "entropy"],
                       schedules=[{"name": "a", "batch_size": 10, "budget": 50}, {"name": "b", "growth": 0.5}])
    ds = {"breast_cancer": Dataset.from_sample("breast_cancer")}
    tasks = plan_tasks(cfg, ds)
    # datasets x models x seeds x (ceiling + schedules x strategies)
    assert len(tasks) == 1 * 2 * 2 * (1 + 2 * 3)
    keys = [t.key for t in tasks]
    assert len(set(keys)) == len(keys)
    assert keys == [t.key for t in plan_tasks(cfg, ds)]
    assert all(k.replace(".", "").replace("_", "").replace("-", "").isalnum() for k in keys)
    changed = plan_tasks(small_config(models=["logreg", "naive_bayes"], strategies=["margin", "entropy"],
                                      schedules=[{"name": "a", "batch_size": 10, "budget": 60},
                                                 {"name": "b", "growth": 0.5}]), ds)
    diff = {t.key for t in tasks} ^ {t.key for t in changed}
    # Only schedule a's strategy tasks change; ceilings and schedule b are reused.
    assert len(diff) == 2 * (2 * 2 * 3)
    assert all(".a." in k for k in diff)


def _cells_equal_run_simulation(cfg, table, datasets):
    for name, ds in datasets.items():
        for model in cfg.models:
            for schedule in cfg.schedules:
                sim = run_simulation(ds, cfg.simulation_config(model, schedule))
                cell = table[(table.dataset == name) & (table.model == model) & (table.schedule == schedule.name)]
                res = group_result(cell)
                pd.testing.assert_frame_equal(drop_timing(sim.rounds), drop_timing(res.rounds), check_exact=True)
                pd.testing.assert_frame_equal(sim.ceilings, res.ceilings, check_exact=True)
                assert res.meta["budget"] == sim.meta["budget"] and res.meta["metric"] == sim.meta["metric"]


def test_sweep_is_bit_identical_to_run_simulation(tmp_path, text_frame):
    text_frame.to_csv(tmp_path / "msgs.csv", index=False)
    cfg = small_config(
        datasets=["penguins", {"name": "msgs", "path": str(tmp_path / "msgs.csv"), "label": "kind"}],
        models=["logreg", "naive_bayes"], strategies=["margin", "entropy"], max_candidates=60,
        schedules=[{"name": "b10", "batch_size": 10, "budget": 40}, {"name": "g", "growth": 0.5, "budget": 50}],
    )
    res = run_sweep(cfg, tmp_path / "out")
    assert res.n_tasks == res.n_run == 2 * 2 * 2 * (1 + 2 * 3)
    msgs = Dataset.from_frame(pd.read_csv(tmp_path / "msgs.csv", sep=None, engine="python"), "kind", name="msgs")
    _cells_equal_run_simulation(cfg, res.table, {"penguins": Dataset.from_sample("penguins"), "msgs": msgs})
    # The written table reads back exactly.
    pd.testing.assert_frame_equal(read_table(tmp_path / "out" / "results.csv"), res.table, check_exact=True)
    assert (tmp_path / "out" / "summary.csv").exists()
    manifest = json.loads((tmp_path / "out" / "sweep.json").read_text())
    assert len(manifest["tasks"]) == res.n_tasks


def test_parallel_local_run_matches_sequential(tmp_path):
    cfg = small_config(datasets=["penguins", "breast_cancer"], strategies=["margin", "entropy"])
    a = run_sweep(cfg, tmp_path / "a", n_jobs=1)
    b = run_sweep(cfg, tmp_path / "b", n_jobs=2)
    pd.testing.assert_frame_equal(drop_timing(a.table), drop_timing(b.table), check_exact=True)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)


class DriverLost(Exception):
    pass


def test_resume_runs_only_missing_tasks_and_keeps_finished_files(tmp_path):
    cfg = small_config(datasets=["penguins"], strategies=["margin", "entropy"])
    out = tmp_path / "out"
    calls = []

    def die_after_three(p):
        calls.append(p.task.key)
        if len(calls) == 3:
            raise DriverLost

    with pytest.raises(DriverLost):
        run_sweep(cfg, out, progress=die_after_three)
    first = {p.name: p.read_bytes() for p in (out / "tasks").glob("*.json")}
    assert sorted(first) == sorted(f"{k}.json" for k in calls)
    with pytest.raises(ConfigError, match="already holds"):
        run_sweep(cfg, out)
    again = []
    res = run_sweep(cfg, out, resume=True, progress=lambda p: again.append(p.task.key))
    assert (res.n_skipped, res.n_run) == (3, res.n_tasks - 3)
    assert not set(again) & set(calls) and len(again) == len(set(again))
    assert {p.name: p.read_bytes() for p in (out / "tasks").glob("*.json") if p.name in first} == first
    assert sorted(p.stem for p in (out / "tasks").glob("*.json")) == sorted(calls + again)
    assert not list((out / "tasks").glob(".*"))  # no temporary files left
    full = run_sweep(cfg, tmp_path / "full")
    pd.testing.assert_frame_equal(drop_timing(res.table), drop_timing(full.table), check_exact=True)
    assert not res.table.duplicated(["dataset", "model", "schedule", "strategy", "seed", "round"]).any()


def test_a_failing_task_does_not_stop_the_others_and_resume_finishes(tmp_path, monkeypatch):
    cfg = small_config(datasets=["penguins"])
    real = sweep_tasks.execute_task

    def flaky(task):
        if task.strategy == "margin" and task.seed == 1:
            raise RuntimeError("disk full")
        return real(task)

    monkeypatch.setattr(sweep_tasks, "execute_task", flaky)
    with pytest.raises(SweepIncomplete, match=r"1 of 6 tasks failed.*disk full") as err:
        run_sweep(cfg, tmp_path / "out")
    assert "--resume" in err.value.hint
    assert len(list((tmp_path / "out" / "tasks").glob("*.json"))) == 5
    monkeypatch.setattr(sweep_tasks, "execute_task", real)
    res = run_sweep(cfg, tmp_path / "out", resume=True)
    assert (res.n_run, res.n_skipped) == (1, 5)


def test_a_damaged_task_file_is_rerun_on_resume(tmp_path):
    cfg = small_config(datasets=["penguins"])
    res = run_sweep(cfg, tmp_path / "out")
    victim = sorted((tmp_path / "out" / "tasks").glob("*.json"))[0]
    victim.write_text('{"format": "labelwise-sweep-task", "key": "trunc')
    again = run_sweep(cfg, tmp_path / "out", resume=True)
    assert (again.n_run, again.n_skipped) == (1, res.n_tasks - 1)
    pd.testing.assert_frame_equal(drop_timing(res.table), drop_timing(again.table), check_exact=True)


def test_worker_refuses_data_that_differ_from_the_plan(tmp_path, separable_frame):
    path = tmp_path / "d.csv"
    separable_frame.to_csv(path, index=False)
    cfg = small_config(datasets=[{"name": "d", "path": str(path), "label": "label"}])
    task = plan_tasks(cfg, {"d": load_dataset(cfg.datasets[0])})[0]
    separable_frame.iloc[:-5].to_csv(path, index=False)
    sweep_tasks.clear_caches()
    with pytest.raises(DataError, match="fingerprint"):
        execute_task(task)


def test_summary_matches_summarize_per_cell_and_overview(tmp_path):
    cfg = small_config(datasets=["penguins", "breast_cancer"], strategies=["margin", "entropy"])
    res = run_sweep(cfg, tmp_path / "out")
    s = res.summary
    assert len(s) == 2 * 3 and set(s["verdict"]) <= {"reference", "beats random", "no evidence", "worse than random"}
    assert (s.loc[s.strategy == "random", "verdict"] == "reference").all()
    assert s.groupby("dataset")["best"].sum().tolist() == [1, 1]
    cell = res.table[res.table.dataset == "penguins"]
    direct = summarize(group_result(cell), Target())
    row = s[(s.dataset == "penguins") & (s.strategy == "margin")].iloc[0]
    sv = direct.strategies["margin"].savings_vs_random
    assert row["savings"] == (sv.median if sv is not None else row["savings"])
    assert row["verdict"] == direct.strategies["margin"].verdict
    # Pure function of the table: the saved table gives the same summary, also for another target.
    table = read_table(write_table(res.table, tmp_path / "t.csv"))
    pd.testing.assert_frame_equal(sweep_summary(table), s, check_exact=True)
    gap = sweep_summary(table, Target("share_of_gap", 0.8), metric="macro_f1")
    assert (gap["metric"] == "macro_f1").all()
    ov = sweep_overview(s)
    assert list(ov["dataset"]) == ["penguins", "breast_cancer"] and (ov["n_strategies"] == 2).all()


# ---- reading what a sweep saved ----------------------------------------------------------------------------
#: A target and metric other than the defaults, so the tests see that sweep.json is read.
SAVED_TARGET = Target("share_of_gap", 0.9)


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A finished sweep's output folder (1 dataset x 2 seeds x random, margin: about a second)."""
    out = tmp_path_factory.mktemp("saved") / "out"
    run_sweep(small_config(target={"kind": SAVED_TARGET.kind, "value": SAVED_TARGET.value}, metric="macro_f1"), out)
    return out


def test_read_table_takes_a_path_bytes_or_a_binary_file_and_names_it(saved):
    path = saved / "results.csv"
    table = read_table(path)
    data = path.read_bytes()
    pd.testing.assert_frame_equal(read_table(str(path)), table, check_exact=True)
    pd.testing.assert_frame_equal(read_table(data), table, check_exact=True)
    with path.open("rb") as fh:
        pd.testing.assert_frame_equal(read_table(fh), table, check_exact=True)
    upload = io.BytesIO(b"")
    upload.name = "from_browser.csv"  # what an upload object carries
    with pytest.raises(ResultsFileError, match=r"^from_browser\.csv is empty\.") as err:
        read_table(upload)
    assert err.value.hint
    with pytest.raises(ResultsFileError, match=r"^mine\.csv is empty\."):
        read_table(b"  \n", name="mine.csv")
    with pytest.raises(ResultsFileError, match=f"No results.csv at {saved / 'nope.csv'}"):
        read_table(saved / "nope.csv")
    with pytest.raises(ResultsFileError, match=r"from a int"):
        read_table(12)


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


@pytest.mark.parametrize("change, message", [
    (lambda t: t.iloc[:0], "^up.csv has the sweep's columns but no rows"),
    (lambda t: t.drop(columns=["ceiling_accuracy"]), r"^up.csv is not a sweep results table \(missing ceiling_acc"),
    (lambda t: t.drop(columns=["macro_f1", "seed"]), r"\(missing seed, macro_f1\)"),
    (lambda t: t.assign(labels="many"), "^The column 'labels' of up.csv holds text"),
    (lambda t: t.assign(accuracy=float("nan")), "^The column 'accuracy' of up.csv holds text or nothing"),
    (lambda t: t.assign(seed=t["seed"].where(t.index > 0)), "^Some rows of up.csv have no seed"),
    (lambda t: t.assign(metric="auc"), r"^up.csv names an unknown metric \(auc\)"),
    (lambda t: t.assign(metric=t["metric"].where(t.index > 0)), r"unknown metric \(empty\)"),
    (lambda t: t.assign(budget="all"), "^The column 'budget' of up.csv holds text or gaps"),
    (lambda t: t.assign(n_initial=t["n_initial"].where(t.index > 0)), "^The column 'n_initial' of up.csv holds"),
    (lambda t: t[t["strategy"] != "random"], "^The cell breast_cancer / logreg / b10 of up.csv has no random-sampling"),
])
def test_broken_tables_raise_results_file_errors_with_hints(saved, change, message):
    table = read_table(saved / "results.csv")
    with pytest.raises(ResultsFileError, match=message) as err:
        read_table(_csv(change(table)), name="up.csv")
    assert err.value.hint
    # the same check on a table in memory (no file involved)
    with pytest.raises(ResultsFileError, match=message.replace("up.csv", "mem")):
        validate_table(change(table).reset_index(drop=True), "mem")


def test_cell_result_is_one_cells_runs_or_a_message(saved):
    table = read_table(saved / "results.csv")
    res = cell_result(table, "breast_cancer", "logreg", "b10")
    expected = group_result(table[table["dataset"] == "breast_cancer"])
    pd.testing.assert_frame_equal(res.rounds, expected.rounds, check_exact=True)
    assert set(res.rounds["strategy"]) == {"random", "margin"} and res.meta["schedule"] == "b10"
    with pytest.raises(ResultsFileError, match="no runs for breast_cancer / logreg / b20") as err:
        cell_result(table, "breast_cancer", "logreg", "b20")
    assert err.value.hint
    # the budget and initial labels are optional context: without them the budget is the most labels run
    bare = group_result(table[table["dataset"] == "breast_cancer"].drop(columns=["budget", "n_initial"]))
    assert bare.meta["budget"] == int(table["labels"].max()) and bare.meta["n_initial"] is None


def test_other_labelwise_files_are_named_for_what_they_are(saved):
    with pytest.raises(ResultsFileError, match=r"^summary\.csv is the sweep's summary, not its results table") as err:
        read_table(saved / "summary.csv", name="summary.csv")
    assert "results.csv" in err.value.hint
    with pytest.raises(ResultsFileError, match="looks like a single learning curve") as err:
        read_table(b"labels,metric\n10,0.5\n20,0.6\n")
    assert "labelwise stop --curve" in err.value.hint
    with pytest.raises(ResultsFileError, match=r"^x\.csv is not a sweep results table \(missing dataset, model"):
        read_table(b"just,some\n1,2\n", name="x.csv")
    table = read_table(saved / "results.csv")
    assert validate_table(table) is table


def test_read_sweep_settings_gives_the_target_and_metric_the_sweep_ran_with(saved, tmp_path):
    path = saved / "sweep.json"
    settings = read_sweep_settings(path)
    assert (settings.target, settings.metric) == (SAVED_TARGET, "macro_f1")
    assert read_sweep_settings(path.read_bytes()) == read_sweep_settings(io.BytesIO(path.read_bytes())) == settings
    # a sweep run with the defaults
    run_sweep(small_config(seeds=1), tmp_path / "plain")
    plain = read_sweep_settings(tmp_path / "plain" / "sweep.json")
    assert (plain.target, plain.metric) == (Target(), None)


@pytest.mark.parametrize("content, message", [
    (b"{not json", "^s.json is not valid JSON"),
    (b'{"format": "other"}', "^s.json is not a sweep's sweep.json"),
    (b"[1, 2]", "is not a sweep's sweep.json"),
    (b'{"format": "labelwise-sweep", "config": []}', "holds no sweep config"),
    (b'{"format": "labelwise-sweep", "config": {"target": {"kind": "median", "value": 0.9}}}', "unreadable target"),
    (b'{"format": "labelwise-sweep", "config": {"target": {"kind": "absolute", "value": "high"}}}', "unreadable"),
    (b'{"format": "labelwise-sweep", "config": {"target": {"value": 1.5}}}', "unreadable target"),
    (b'{"format": "labelwise-sweep", "config": {"metric": "auc"}}', "unknown metric 'auc'"),
    (b'{"format": "labelwise-sweep", "config": {"metric": ["accuracy"]}}', "unknown metric"),
])
def test_bad_sweep_json_is_a_results_file_error_with_a_hint(content, message):
    with pytest.raises(ResultsFileError, match=message) as err:
        read_sweep_settings(content, name="s.json")
    assert err.value.hint


def test_parse_target_reads_every_form_a_sweep_writes():
    assert parse_target(None) == Target()
    assert parse_target(0.8) == Target("share_of_ceiling", 0.8)
    assert parse_target({"kind": "absolute", "value": 0.7}) == Target("absolute", 0.7)
    assert parse_target({"kind": "share_of_gap"}) == Target("share_of_gap", 0.95)
    with pytest.raises(ConfigError, match="Cannot read the target"):
        parse_target({"kind": "absolute", "level": 0.7})
    with pytest.raises(ConfigError, match="Unknown target kind"):
        parse_target({"kind": "median"})


def test_dask_is_optional_and_missing_dask_is_a_typed_error(tmp_path, monkeypatch):
    code = ("import sys, simulations.sweep, simulations.sweep_cli; "
            "print(any(m == 'dask' or m.startswith(('dask.', 'distributed')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(DaskNotInstalled) as err:
        run_sweep(small_config(), tmp_path / "out", dask_local=2)
    assert "pip install 'labelwise[dask]'" in err.value.hint


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labelwise")
    add_sweep_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_runs_resumes_and_reports_errors(tmp_path, capsys, monkeypatch):
    import simulations.cli as cli

    cfg = tmp_path / "s.toml"
    cfg.write_text('datasets = ["penguins"]\nstrategies = ["margin"]\nseeds = 2\ninitial_labels = 10\n'
                   'max_test_rows = 150\nstop_set_rows = 100\n[[schedules]]\nname = "b10"\nbatch_size = 10\n'
                   'budget = 40\n')
    out = tmp_path / "out"
    args = _parser().parse_args(["sweep", "--config", str(cfg), "--out", str(out), "--quiet"])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "penguins" in text and "results.csv" in text
    args = _parser().parse_args(["sweep", "--config", str(cfg), "--out", str(out), "--resume", "--json",
                                 "--target-gap", "0.8"])
    assert args.func(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["tasks"], doc["run"], doc["skipped"]) == (6, 0, 6)
    assert doc["overview"][0]["dataset"] == "penguins" and Path(doc["files"]["results"]).exists()

    # Through the real entry point: errors exit 2 with a hint and no traceback.
    if "sweep" not in cli.build_parser()._subparsers._group_actions[0].choices:
        real = cli.build_parser

        def with_sweep():
            p = real()
            add_sweep_parser(p._subparsers._group_actions[0])
            return p

        monkeypatch.setattr(cli, "build_parser", with_sweep)
    assert cli.main(["sweep", "--config", str(cfg), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "error: " in err and "--resume" in err and "Traceback" not in err
    assert cli.main(["sweep", "--config", str(tmp_path / "nope.toml")]) == 2


def test_a_cell_without_signal_is_flagged_in_the_summary_and_the_overview(saved):
    from simulations.summary import NO_SIGNAL_MARGIN
    from simulations.sweep.table import NO_SIGNAL_VERDICT
    from simulations.sweep_cli import format_overview

    table = read_table(saved / "results.csv")
    assert "no_signal" in pd.read_csv(saved / "summary.csv").columns  # what `labelwise sweep` writes
    # the same runs once more as a second dataset whose majority class scores within a point of the whole pool
    flat = table.assign(dataset="flat")
    for m in ("accuracy", "balanced_accuracy", "macro_f1"):
        flat[f"baseline_{m}"] = flat[f"ceiling_{m}"] - NO_SIGNAL_MARGIN / 2
    both = pd.concat([table, flat], ignore_index=True)
    s = sweep_summary(both)
    assert not s.loc[s.dataset != "flat", "no_signal"].any() and s.loc[s.dataset == "flat", "no_signal"].all()
    for name, cell in (("flat", True), (table["dataset"].iloc[0], False)):  # the single rule, cell by cell
        assert summarize(group_result(both[both.dataset == name]), Target()).no_signal is cell
    ov = sweep_overview(s).set_index("dataset")
    assert ov.loc["flat", "no_signal"] and ov.loc["flat", "verdict"] == NO_SIGNAL_VERDICT
    assert not ov.drop(index="flat")["no_signal"].any()
    assert NO_SIGNAL_VERDICT not in set(ov.drop(index="flat")["verdict"])
    text = format_overview(sweep_overview(s))
    flagged = [line.split()[0] for line in text.splitlines() if NO_SIGNAL_VERDICT in line]
    assert flagged == ["flat"]


def test_a_sweep_without_seeds_runs_the_products_default_count():
    """A sweep cell must be able to reach the verdict a plan on the same data reaches: same default seed count."""
    from simulations.config import DEFAULT_SEEDS, DEFAULT_STRATEGIES
    from simulations.stats import min_seeds_for_verdict
    from simulations.sweep.config import SweepConfig

    cfg = sweep_config_from_dict({"datasets": ["breast_cancer"], "random_state": 3})
    assert cfg.seeds == tuple(range(3, 3 + DEFAULT_SEEDS))
    assert len(cfg.seeds) >= min_seeds_for_verdict(len(DEFAULT_STRATEGIES) - 1)  # best of the default AL strategies
    assert SweepConfig(datasets=cfg.datasets).seeds == tuple(range(DEFAULT_SEEDS))
