"""Sweep datasets: intake's options per dataset entry, and errors that name the dataset and its file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simulations.models as models
import simulations.sweep.tasks as sweep_tasks
from simulations import ConfigError, DataError
from simulations.intake.errors import ColumnNotFoundError, LabelColumnError, RareClassError
from simulations.intake.source import IntakeOptions, load_data
from simulations.sweep import SweepIncomplete, load_sweep_config, plan_tasks, run_sweep, sweep_config_from_dict
from simulations.sweep.config import SWEEP_INTAKE
from simulations.sweep.tasks import execute_task, load_dataset

SMALL = {"seeds": 1, "initial_labels": 10, "max_test_rows": 100, "stop_set_rows": 50, "models": ["logreg"],
         "strategies": ["margin"], "schedules": [{"name": "b", "batch_size": 10, "budget": 30}]}


def config(datasets, **over):
    return sweep_config_from_dict({**SMALL, "datasets": datasets, **over})


@pytest.fixture
def frame() -> pd.DataFrame:
    """200 rows, 3 classes that the features separate, plus one rare class 'z' of 2 rows."""
    rng = np.random.default_rng(5)
    y = [*np.repeat(["a", "b", "c"], [70, 66, 62]).tolist(), "z", "z"]
    centre = {"a": 0.0, "b": 3.0, "c": 6.0, "z": 9.0}
    x = np.array([centre[v] for v in y]) + rng.normal(size=len(y))
    return pd.DataFrame({"f0": x, "f1": rng.normal(size=len(y)), "y": y})


def test_dataset_entries_take_intakes_options_as_simulate_flags_do(tmp_path, frame):
    frame.to_csv(tmp_path / "d.csv", sep=";", index=False)
    (tmp_path / "s.toml").write_text(
        'seeds = 1\n[[datasets]]\nname = "d"\npath = "d.csv"\nlabel = "y"\ndelimiter = "semicolon"\n'
        'rare_classes = "merge"\nmax_rows = 150\nunlabeled = "pool"\nlabel_type = "categorical"\n'
        'leakage = "drop"\nencoding = "utf-8"\nsheet = "ignored for CSV"\n'
    )
    spec = load_sweep_config(tmp_path / "s.toml").datasets[0]
    opts = spec.intake_options()
    assert (opts.delimiter, opts.rare_classes, opts.max_rows, opts.unlabeled) == (";", "merge", 150, "pool")
    assert (opts.label_type, opts.leakage, opts.encoding, opts.sheet) == ("categorical", "drop", "utf-8",
                                                                          "ignored for CSV")
    assert opts.max_mb is None  # a sweep has no upload limit, options or not
    assert spec.to_dict()["intake"]["delimiter"] == ";"
    # The same data `labelwise simulate --delimiter ';' --rare-classes merge --max-rows 150` would use.
    ds = load_dataset(spec)
    cli, _ = load_data(str(tmp_path / "d.csv"), "y", name="d", options=IntakeOptions(
        delimiter=";", rare_classes="merge", max_rows=150, unlabeled="pool", label_type="categorical",
        leakage="drop", encoding="utf-8", max_mb=None))
    assert ds.fingerprint() == cli.fingerprint() and len(ds.frame) == 150
    # Without options: the whole file, intake's defaults, and the entry's dict as before.
    plain = config([{"name": "p", "path": str(tmp_path / "d.csv"), "label": "y"}]).datasets[0]
    assert plain.intake == () and "intake" not in plain.to_dict()
    assert plain.intake_options() == SWEEP_INTAKE


def test_a_workbook_sheet_can_be_swept(tmp_path, frame):
    pytest.importorskip("openpyxl")
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as book:
        # The first sheet is a usable table too, so only the sheet key can pick the second.
        frame[frame.y != "z"].iloc[::2].to_excel(book, sheet_name="Old", index=False)
        frame[frame.y != "z"].to_excel(book, sheet_name="Data", index=False)
    cfg = config([{"name": "book", "path": str(path), "label": "y", "sheet": "Data"}])
    ds = load_dataset(cfg.datasets[0])
    assert len(ds.frame) == (frame.y != "z").sum()
    # A sheet that is not there: intake's error, code and hint kept, the dataset named, the sweep key offered.
    bad = config([{"name": "book", "path": str(path), "label": "y", "sheet": "Nope"}]).datasets[0]
    with pytest.raises(ColumnNotFoundError) as err:
        load_dataset(bad)
    assert err.value.code == "sheet_missing" and err.value.message.startswith(f"Dataset 'book' ({path}): ")
    assert 'In the sweep file: sheet = "Old" (or "Data") in this dataset' in err.value.hint


@pytest.mark.parametrize("entry, message", [
    ({"max_rows": 0}, r"max_rows must be a positive whole number \(got 0\)"),
    ({"max_rows": "many"}, "max_rows must be a positive whole number"),
    ({"rare_classes": "keep"}, r"rare_classes must be one of error, merge, drop \(got 'keep'\)"),
    ({"delimiter": ";;"}, "The separator must be one character"),
    ({"sheet": 2}, "sheet must be text in quotes"),
    ({"colour": "red"}, "Unknown key"),
    ({"roles": "text"}, "roles must be a table"),
    ({"label": None}, "needs a label column"),
])
def test_bad_dataset_entries_name_the_dataset_and_its_file(tmp_path, entry, message):
    path = tmp_path / "d.csv"
    d = {"name": "d", "path": "d.csv", "label": "y", **entry}
    with pytest.raises(ConfigError, match=message) as err:
        sweep_config_from_dict({**SMALL, "datasets": [{k: v for k, v in d.items() if v is not None}]}, base=tmp_path)
    assert err.value.message.startswith(f"Dataset 'd' ({path}): ") and err.value.hint


def test_samples_refuse_file_options_and_are_named_as_samples():
    with pytest.raises(ConfigError, match=r"^Dataset 'penguins' \(shipped sample\): sheet only apply to files"):
        config([{"name": "penguins", "sheet": "Data"}])


def test_a_load_error_names_the_dataset_and_keeps_type_code_and_hint(tmp_path, frame, capsys):
    frame.to_csv(tmp_path / "good.csv", index=False)
    frame.to_csv(tmp_path / "bad.csv", index=False)
    cfg = config([{"name": "good", "path": str(tmp_path / "good.csv"), "label": "y", "rare_classes": "drop"},
                  {"name": "wrong", "path": str(tmp_path / "bad.csv"), "label": "label"}])
    with pytest.raises(LabelColumnError) as err:
        run_sweep(cfg, tmp_path / "out")
    exc = err.value
    assert exc.message == f"Dataset 'wrong' ({tmp_path / 'bad.csv'}): The label column 'label' is not in the data."
    assert exc.code == "label_missing" and "'y'" in exc.hint and exc.details["dataset"] == "wrong"
    assert not (tmp_path / "out" / "tasks").exists()  # nothing planned or run

    # An intake error with a fix: the hint gains the sweep-file key (the rare class 'z' of 2 rows).
    cfg = config([{"name": "rare", "path": str(tmp_path / "good.csv"), "label": "y"}])
    with pytest.raises(RareClassError) as err:
        load_dataset(cfg.datasets[0])
    assert err.value.message.startswith(f"Dataset 'rare' ({tmp_path / 'good.csv'}): Class(es) too small")
    assert err.value.hint.endswith('In the sweep file: rare_classes = "merge" (or "drop") in this dataset\'s entry.')

    # Through the CLI: the message printed names the dataset.
    (tmp_path / "s.toml").write_text('seeds = 1\ninitial_labels = 10\n[[datasets]]\nname = "wrong"\n'
                                     'path = "bad.csv"\nlabel = "label"\n')
    from simulations.cli import main

    assert main(["sweep", "--config", str(tmp_path / "s.toml"), "--out", str(tmp_path / "o2"), "--quiet"]) == 2
    err_text = capsys.readouterr().err
    assert f"error: Dataset 'wrong' ({tmp_path / 'bad.csv'}): The label column" in err_text


def test_a_missing_file_names_the_dataset_once(tmp_path):
    cfg = config([{"name": "gone", "path": str(tmp_path / "gone.csv"), "label": "y"}])
    with pytest.raises(DataError) as err:
        load_dataset(cfg.datasets[0])
    assert err.value.message.startswith(f"Dataset 'gone' ({tmp_path / 'gone.csv'}): The data file is missing on ")
    assert err.value.message.count("gone") == 2  # the name and the path, not twice over


def test_a_cells_error_while_running_names_the_dataset(tmp_path, text_frame, monkeypatch):
    # hist_gradient_boosting needs dense features: too many sparse (text) cells is that cell's ConfigError.
    text_frame.to_csv(tmp_path / "msgs.csv", index=False)
    cfg = config([{"name": "msgs", "path": str(tmp_path / "msgs.csv"), "label": "kind"}],
                 models=["hist_gradient_boosting"])
    task = plan_tasks(cfg, {"msgs": load_dataset(cfg.datasets[0])})[0]
    monkeypatch.setattr(models, "MAX_DENSIFY_CELLS", 10)
    sweep_tasks.clear_caches()
    with pytest.raises(ConfigError, match=r"needs dense features") as err:
        execute_task(task)
    assert err.value.message.startswith(f"Dataset 'msgs' ({tmp_path / 'msgs.csv'}): The model ")
    assert err.value.hint == "Use logreg or naive_bayes for text data."
    # In a sweep the failed tasks are reported, each naming the dataset.
    with pytest.raises(SweepIncomplete, match=r"First failure \(msgs\..*\): ConfigError: Dataset 'msgs' \("):
        run_sweep(cfg, tmp_path / "out")


def test_a_planning_error_names_the_dataset(tmp_path, monkeypatch):
    def refuse(counts, requested=None):
        raise DataError("No metric fits these classes.", hint="Check the labels.")

    monkeypatch.setattr(sweep_tasks, "run_metric", refuse)
    cfg = config(["penguins"])
    with pytest.raises(DataError, match=r"^Dataset 'penguins' \(shipped sample\): No metric fits") as err:
        plan_tasks(cfg, {"penguins": load_dataset(cfg.datasets[0])})
    assert err.value.hint == "Check the labels."
