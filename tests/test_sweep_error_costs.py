"""Error costs in sweep files: the keys (as the plan's flags), refusals naming the key before anything runs, the
summary judged in money (identity with accuracy, the binary costs swapped), sweep.json and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_checks import refused

from simulations import ConfigError, Dataset, ResultsFileError
from simulations.economics.value_model import COST_SCORE, ErrorCosts
from simulations.plan.inputs import PlanInputError
from simulations.summary import Target
from simulations.sweep import (
    group_result,
    plan_tasks,
    read_sweep_settings,
    read_table,
    run_sweep,
    sweep_config_from_dict,
    sweep_overview,
    sweep_summary,
)
from simulations.sweep.error_costs import SweepErrorCosts
from simulations.sweep.table import COST_COLUMNS, write_table

SMALL = {"seeds": 3, "initial_labels": 10, "max_test_rows": 150, "stop_set_rows": 100, "strategies": ["margin"],
         "schedules": [{"name": "b10", "batch_size": 10, "budget": 50}]}
BIN = {"cost_missed_positive": 40, "cost_false_alarm": 2, "positive_class": "malignant"}
CANCER = {**SMALL, "datasets": ["breast_cancer"]}
#: The plan's flags that mean what the sweep keys mean (the same refusal, the flag named instead of the key).
PLAN = ["plan", "--data", "breast_cancer", "--seeds", "3", "--initial", "10", "--quiet", "--cost-per-label", "1",
        "--predictions-per-month", "1000", "--model-life-months", "12"]


def config(**over):
    return sweep_config_from_dict({**CANCER, **over})


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> pd.DataFrame:
    """breast_cancer and penguins x logreg x 3 seeds x (random, margin), no error costs: about two seconds."""
    out = tmp_path_factory.mktemp("costs") / "out"
    return run_sweep(sweep_config_from_dict({**SMALL, "datasets": ["breast_cancer", "penguins"]}), out).table


def _binary(miss: float, alarm: float, **over) -> SweepErrorCosts:
    return SweepErrorCosts(cost_missed_positive=miss, cost_false_alarm=alarm, positive_class="malignant", **over)


# ---- the keys ----------------------------------------------------------------------------------------------
def test_the_keys_read_a_csv_a_table_or_the_binary_costs(tmp_path):
    (tmp_path / "costs.csv").write_text("truth,malignant,benign\nbenign,5,0\nmalignant,0,50\n")
    (tmp_path / "s.toml").write_text('datasets = ["breast_cancer"]\ncost_matrix = "costs.csv"\n')
    from simulations.sweep import load_sweep_config

    csv_costs = load_sweep_config(tmp_path / "s.toml").error_costs  # relative to the sweep file
    table_costs = config(cost_matrix={"benign": {"benign": 0, "malignant": 5},
                                      "malignant": {"benign": 50, "malignant": 0}}).error_costs
    for c in (csv_costs, table_costs):
        m = c.for_classes(["benign", "malignant"]).aligned(["benign", "malignant"])
        assert m.tolist() == [[0.0, 5.0], [50.0, 0.0]]  # true benign predicted malignant: $5
    binary = config(**BIN).error_costs
    assert binary.for_classes(["benign", "malignant"]).aligned(["benign", "malignant"]).tolist() == [[0, 2], [40, 0]]
    d = config(**BIN).to_dict()
    assert d["error_costs"]["cost_missed_positive"] == 40.0 and "error_costs" not in config().to_dict()
    assert SweepErrorCosts.from_dict(json.loads(json.dumps(d["error_costs"]))) == binary
    assert SweepErrorCosts.from_dict(json.loads(json.dumps(csv_costs.to_dict()))) == csv_costs


def test_error_costs_change_no_task(tmp_path):
    ds = {"breast_cancer": Dataset.from_sample("breast_cancer")}
    plain, costed = plan_tasks(config(), ds), plan_tasks(config(**BIN, target_error_cost=100), ds)
    assert [t.key for t in plain] == [t.key for t in costed]  # --resume reuses a sweep's results to price errors


def test_a_target_in_money_is_the_score_it_means():
    cfg = config(**BIN, target_error_cost=100)
    # at most $100 of errors per 1,000 predictions = $0.10 a prediction = 1 - 0.1 / 40 of the error-cost score
    assert cfg.target == Target("absolute", 1 - 0.1 / 40)
    with pytest.raises(ConfigError, match="both target and target_error_cost"):
        config(**BIN, target_error_cost=100, target=0.9)


@pytest.mark.parametrize(("over", "key", "words"), [
    ({**BIN, "cost_missed_positive": -1}, "cost_missed_positive", "cannot be negative"),
    ({**BIN, "cost_false_alarm": "two"}, "cost_false_alarm", "Enter a number"),
    ({**BIN, "cost_missed_positive": 0, "cost_false_alarm": 0}, "cost_missed_positive", "both cost $0"),
    ({**BIN, "target_error_cost": 0}, "target_error_cost", "more than $0"),
    ({**BIN, "target_error_cost": 40_000}, "target_error_cost", "less than"),  # 1,000 x the largest cost
    ({"target_error_cost": 10}, "cost_matrix", "missing"),
    ({**BIN, "cost_matrix": {"a": {"a": 0, "b": 1}, "b": {"a": 1, "b": 0}}}, "cost_matrix", "one way"),
    ({"cost_matrix": {"a": {"a": 0, "b": -1}, "b": {"a": 1, "b": 0}}}, "cost_matrix", "zero or more"),
    ({"cost_matrix": {"a": {"a": 0, "b": 1}, "b": {"a": 1}}}, "cost_matrix", "not a number"),
    ({"cost_matrix": {"a": {"a": 0, "b": 1}}}, "cost_matrix", "header row and a row per class"),
    ({"cost_matrix": 5}, "cost_matrix", "a CSV file or a table"),
    ({"cost_matrix": "nowhere.csv"}, "cost_matrix", "Cannot read the cost matrix"),
])
def test_bad_costs_are_refused_when_the_file_is_read_naming_the_key(over, key, words):
    with pytest.raises(PlanInputError) as exc:
        config(**over)
    assert exc.value.field == key and words in exc.value.message
    assert exc.value.hint.endswith(f"(sweep key {key})")


@pytest.mark.parametrize(("sweep", "flags"), [
    ({**BIN, "cost_missed_positive": -1}, ["--cost-missed-positive", "-1", "--cost-false-alarm", "2",
                                           "--positive-class", "malignant"]),
    ({**BIN, "target_error_cost": 40_000}, ["--cost-missed-positive", "40", "--cost-false-alarm", "2",
                                            "--positive-class", "malignant", "--target-error-cost", "40000"]),
    ({**BIN, "positive_class": "cancer"}, ["--cost-missed-positive", "40", "--cost-false-alarm", "2",
                                           "--positive-class", "cancer"]),
])
def test_the_sweep_refuses_with_the_plans_words(capsys, monkeypatch, tmp_path, sweep, flags):
    import simulations.plan.cli as plan_cli

    monkeypatch.setattr(plan_cli, "simulate_for_plan", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    plan_error, plan_hint = refused(capsys, [*PLAN, *flags])
    path = tmp_path / "s.toml"
    path.write_text('datasets = ["breast_cancer"]\n' + "".join(f"{k} = {json.dumps(v)}\n" for k, v in sweep.items()))
    error, hint = refused(capsys, ["sweep", "--config", str(path), "--out", str(tmp_path / "out")])
    assert error.endswith(plan_error.removeprefix("error: "))  # the sweep's may name the dataset first
    key = plan_hint.rsplit("(--", 1)[1].rstrip(")").replace("-", "_")
    assert hint == plan_hint.rsplit(" (--", 1)[0] + f" (sweep key {key})"
    assert not (tmp_path / "out").exists()  # nothing run, nothing written


@pytest.mark.parametrize(("datasets", "over", "key", "words"), [
    (["breast_cancer"], {"cost_missed_positive": 4, "cost_false_alarm": 1}, "positive_class", "positive class"),
    (["breast_cancer"], {**BIN, "positive_class": "cancer"}, "positive_class", "not one of"),
    (["breast_cancer", "penguins"], BIN, "cost_matrix", "describe two classes; the data has 3"),
    (["penguins"], {"cost_matrix": {"Adelie": {"Adelie": 0, "Gentoo": 1}, "Gentoo": {"Adelie": 1, "Gentoo": 0}}},
     "cost_matrix", "no row and column for 'Chinstrap'"),
])
def test_costs_that_do_not_fit_a_dataset_are_refused_before_anything_runs(tmp_path, datasets, over, key, words):
    cfg = sweep_config_from_dict({**SMALL, "datasets": datasets, **over})
    with pytest.raises(PlanInputError) as exc:
        run_sweep(cfg, tmp_path / "out")
    assert exc.value.field == key and words in exc.value.message
    assert exc.value.hint.endswith(f"(sweep key {key})")
    if len(datasets) > 1:
        assert "Dataset 'penguins'" in exc.value.message  # which dataset of the sweep
    assert not (tmp_path / "out").exists()


# ---- the summary in money --------------------------------------------------------------------------------------
def _identity(classes: list[str]) -> SweepErrorCosts:
    rows = {t: {p: float(t != p) for p in reversed(classes)} for t in classes}  # another order than the data's
    return SweepErrorCosts(cost_matrix=ErrorCosts(classes=tuple(rows), matrix=tuple(
        tuple(rows[t][p] for p in rows) for t in rows)))


@pytest.mark.parametrize("target", [Target(), Target("share_of_gap", 0.8), Target("absolute", 0.9)])
def test_costs_of_one_off_the_diagonal_give_exactly_the_accuracy_summary(table, target):
    cancer = table[table["dataset"] == "breast_cancer"]
    plain = sweep_summary(cancer, target, metric="accuracy")
    money = sweep_summary(cancer, target, error_costs=_identity(["malignant", "benign"]))
    assert (money["metric"] == COST_SCORE).all()
    pd.testing.assert_frame_equal(money.drop(columns=["metric", *COST_COLUMNS]), plain.drop(columns=["metric"]),
                                  check_exact=True)
    # and the cost is the error rate: $1 an error is 1,000 x (1 - accuracy) per 1,000 predictions
    last = cancer[cancer["labels"] == cancer["labels"].max()]
    for strategy, g in last.groupby("strategy"):
        row = money[money["strategy"] == strategy].iloc[0]
        assert row["error_cost_per_1000"] == pytest.approx(1000 * (1 - np.median(g["accuracy"])))
    three = table[table["dataset"] == "penguins"]
    pd.testing.assert_frame_equal(
        sweep_summary(three, target, error_costs=_identity(["Gentoo", "Adelie", "Chinstrap"])).drop(
            columns=["metric", *COST_COLUMNS]),
        sweep_summary(three, target, metric="accuracy").drop(columns=["metric"]), check_exact=True)


def _by_hand(cell: pd.DataFrame, strategy: str, miss: float, alarm: float) -> tuple[float, float]:
    """(error cost per 1,000, error-cost score) of a strategy's last round, median over seeds, from the counts."""
    classes = json.loads(cell["classes"].iloc[0])
    p, n = classes.index("malignant"), classes.index("benign")
    last = cell[(cell["strategy"] == strategy) & (cell["labels"] == cell["labels"].max())]
    total = sum(last[f"cm_{i}_{j}"] for i in range(2) for j in range(2))
    cost = 1000 * (miss * last[f"cm_{p}_{n}"] + alarm * last[f"cm_{n}_{p}"]) / total
    return float(np.median(cost)), float(np.median(1 - cost / 1000 / max(miss, alarm)))


def test_swapping_the_two_binary_costs_moves_each_cells_cost_the_right_way(table):
    cancer = table[table["dataset"] == "breast_cancer"]
    missed_dear = sweep_summary(cancer, error_costs=_binary(40, 2))
    alarm_dear = sweep_summary(cancer, error_costs=_binary(2, 40))
    classes = json.loads(cancer["classes"].iloc[0])
    p, n = classes.index("malignant"), classes.index("benign")
    last = cancer[cancer["labels"] == cancer["labels"].max()]
    for strategy in ("random", "margin"):
        a = missed_dear[missed_dear["strategy"] == strategy].iloc[0]
        b = alarm_dear[alarm_dear["strategy"] == strategy].iloc[0]
        assert (a["error_cost_per_1000"], a["final"]) == pytest.approx(_by_hand(cancer, strategy, 40, 2))
        assert (b["error_cost_per_1000"], b["final"]) == pytest.approx(_by_hand(cancer, strategy, 2, 40))
        g = last[last["strategy"] == strategy]
        missed, alarms = int(g[f"cm_{p}_{n}"].sum()), int(g[f"cm_{n}_{p}"].sum())
        if missed != alarms:  # more missed cancers than false alarms: pricing misses dearly costs more
            assert (a["error_cost_per_1000"] > b["error_cost_per_1000"]) == (missed > alarms)
        assert a["error_cost_per_1000_low"] <= a["error_cost_per_1000"] <= a["error_cost_per_1000_high"]
    ov = sweep_overview(missed_dear)
    best = missed_dear[missed_dear["best"]].iloc[0]
    assert ov["error_cost_per_1000"].iloc[0] == best["error_cost_per_1000"]
    rnd = missed_dear[missed_dear["strategy"] == "random"].iloc[0]
    assert ov["random_error_cost_per_1000"].iloc[0] == rnd["error_cost_per_1000"]
    assert "error_cost_per_1000" not in sweep_overview(sweep_summary(cancer)).columns


def test_costs_need_the_score_they_define_and_the_class_names(table, tmp_path):
    cancer = table[table["dataset"] == "breast_cancer"]
    with pytest.raises(ConfigError, match="error-cost score, not in macro_f1"):
        sweep_summary(cancer, metric="macro_f1", error_costs=_binary(40, 2))
    # a table saved before the classes were recorded still reads and summarizes; pricing it asks for --resume
    old = read_table(write_table(cancer.drop(columns=["classes"]), tmp_path / "old.csv"))
    pd.testing.assert_frame_equal(sweep_summary(old), sweep_summary(cancer), check_exact=True)
    assert "classes" not in group_result(old).meta
    with pytest.raises(ResultsFileError) as exc:
        sweep_summary(old, error_costs=_binary(40, 2))
    assert "--resume" in exc.value.hint


# ---- a sweep run with costs ------------------------------------------------------------------------------------
def test_a_sweep_with_costs_summarizes_in_money_and_records_the_costs(tmp_path, capsys):
    from simulations.cli import main

    path = tmp_path / "s.toml"
    path.write_text('datasets = ["breast_cancer"]\nstrategies = ["margin"]\nseeds = 3\ninitial_labels = 10\n'
                    'max_test_rows = 150\nstop_set_rows = 100\nmetric = "macro_f1"\ncost_missed_positive = 40\n'
                    'cost_false_alarm = 2\npositive_class = "malignant"\ntarget_error_cost = 150\n'
                    '[[schedules]]\nname = "b10"\nbatch_size = 10\nbudget = 50\n')
    out = tmp_path / "out"
    assert main(["sweep", "--config", str(path), "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Errors priced: a missed malignant costs $40.00, a false alarm $2.00" in text
    assert "error-cost score" in text and "errors per 1,000 at budget" in text
    settings = read_sweep_settings(out / "sweep.json")
    assert settings.error_costs == _binary(40, 2, target_error_cost=150)
    assert settings.target == Target("absolute", 1 - 0.15 / 40)
    saved = pd.read_csv(out / "summary.csv")
    assert (saved["metric"] == COST_SCORE).all() and set(COST_COLUMNS) <= set(saved.columns)
    # the dashboard's way: results.csv + sweep.json give the same summary again
    again = sweep_summary(read_table(out / "results.csv"), settings.target, error_costs=settings.error_costs)
    pd.testing.assert_frame_equal(pd.read_csv(write_table(again, tmp_path / "again.csv")), saved)
    # a target flag replaces the target in money; --json says which score and which costs
    assert main(["sweep", "--config", str(path), "--out", str(out), "--resume", "--json", "--target-share",
                 "0.9"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["score"] == COST_SCORE and doc["error_costs"]["target_error_cost"] is None
    assert doc["overview"][0]["error_cost_per_1000"] > 0
    assert read_sweep_settings(out / "sweep.json").target == Target("share_of_ceiling", 0.9)


def test_sweep_json_with_unreadable_costs_is_a_results_file_error(tmp_path):
    from simulations.sweep.store import MANIFEST_FORMAT

    doc = {"format": MANIFEST_FORMAT, "config": {"error_costs": {"cost_missed_positive": -3, "cost_false_alarm": 1,
                                                                 "positive_class": "x"}}}
    (tmp_path / "sweep.json").write_text(json.dumps(doc))
    with pytest.raises(ResultsFileError, match="unreadable error costs"):
        read_sweep_settings(tmp_path / "sweep.json")
    doc["config"]["error_costs"] = None
    (tmp_path / "sweep.json").write_text(json.dumps(doc))
    assert read_sweep_settings(Path(tmp_path / "sweep.json")).error_costs is None


def test_a_three_class_matrix_is_aligned_to_each_cells_classes_whatever_its_order(table):
    """An asymmetric matrix written in another class order than the data's prices the same errors: a misaligned
    matrix would price (true i, predicted j) with another pair's cost."""
    three = table[table["dataset"] == "penguins"]
    classes = json.loads(three["classes"].iloc[0])
    cost = {(t, p): float(1 + 3 * i + j) * (t != p) for i, t in enumerate(classes) for j, p in enumerate(classes)}
    order = list(reversed(classes))
    costs = SweepErrorCosts(cost_matrix=ErrorCosts(classes=tuple(order), matrix=tuple(
        tuple(cost[(t, p)] for p in order) for t in order)))
    money = sweep_summary(three, error_costs=costs)
    last = three[three["labels"] == three["labels"].max()]
    k = len(classes)
    for strategy, g in last.groupby("strategy"):
        total = sum(g[f"cm_{i}_{j}"] for i in range(k) for j in range(k))
        per_1000 = 1000 * sum(cost[(classes[i], classes[j])] * g[f"cm_{i}_{j}"]
                              for i in range(k) for j in range(k)) / total
        row = money[money["strategy"] == strategy].iloc[0]
        assert row["error_cost_per_1000"] == pytest.approx(float(np.median(per_1000)))
        assert (per_1000 > 0).any()  # errors to price: a misaligned matrix would price them differently
