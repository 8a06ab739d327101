"""Many classes, few labels: scikit-learn's "could represent a regression problem" heuristic stays out of the output.

A 25-class label coded as integers (``--label-type categorical``) makes most early labeled sets mostly distinct
values, which scikit-learn flags on every fit. The engine silences exactly that warning (intake already decided
the label is categorical); these tests run the paths with every warning turned into an error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from simulations.config import SimulationConfig
from simulations.intake.source import IntakeOptions, load_data
from simulations.models import MANY_CLASSES_WARNING, many_classes_expected
from simulations.runner import run_simulation

N_CLASSES = 25


@pytest.fixture
def int_coded(tmp_path):
    """25 integer-coded classes (codes 101..125), 12 rows each, separable by 4 numeric features."""
    rng = np.random.default_rng(11)
    codes = np.repeat(np.arange(101, 101 + N_CLASSES), 12)
    centres = rng.normal(scale=4.0, size=(N_CLASSES, 4))
    X = centres[codes - 101] + rng.normal(size=(len(codes), 4))
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(4)]).assign(code=codes)
    path = tmp_path / "int25.csv"
    frame.to_csv(path, index=False)
    return path


def test_the_data_do_trip_the_heuristic_and_only_it_is_silenced():
    # 30 labels of 25 classes, as an early active-learning round: scikit-learn warns on the fit...
    rng = np.random.default_rng(0)
    y = np.concatenate([np.arange(N_CLASSES), rng.integers(0, N_CLASSES, 5)])
    X = rng.normal(size=(len(y), 3))
    with pytest.warns(UserWarning, match=MANY_CLASSES_WARNING):
        LogisticRegression(max_iter=200).fit(X, y)
    # ... not inside the block; any other warning still comes through.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with many_classes_expected():
            LogisticRegression(max_iter=200).fit(X, y)
            with pytest.warns(UserWarning, match="something else"):
                warnings.warn("something else", UserWarning, stacklevel=1)


@pytest.mark.filterwarnings("error")
def test_simulate_cli_on_integer_coded_classes_prints_no_warning(int_coded, capsys):
    from simulations.cli import main

    code = main(["simulate", "--data", str(int_coded), "--label", "code", "--label-type", "categorical",
                 "--seeds", "1", "--budget", "60", "--initial", "30", "--strategies", "margin"])
    assert code == 0
    err = capsys.readouterr().err
    assert "Warning" not in err and "regression problem" not in err


@pytest.mark.filterwarnings("error")
def test_every_strategy_family_and_model_fits_quietly_on_many_classes(int_coded):
    ds, _ = load_data(str(int_coded), "code", options=IntakeOptions(label_type="categorical"))
    # committees (bootstrap fits), self-training (refits with pseudo-labels), the whole-pool reference; other models
    runs = {"logreg": ("random", "qbc_vote", "self_training"), "random_forest": ("random",), "naive_bayes": ("random",)}
    for model, strategies in runs.items():
        cfg = SimulationConfig(strategies=strategies, model=model, seeds=1, initial_labels=30, budget=45,
                               batch_size=15, max_test_rows=100)
        res = run_simulation(ds, cfg)
        assert len(res.meta["classes"]) == N_CLASSES and set(res.rounds["labels"]) == {30, 45}


@pytest.mark.filterwarnings("error")
def test_sweep_tasks_fit_quietly_on_many_classes(int_coded, tmp_path):
    from simulations.sweep import run_sweep, sweep_config_from_dict

    cfg = sweep_config_from_dict({
        "datasets": [{"name": "codes", "path": str(int_coded), "label": "code", "label_type": "categorical"}],
        "strategies": ["margin"], "seeds": 1, "initial_labels": 30, "max_test_rows": 100,
        "schedules": [{"name": "b", "batch_size": 15, "budget": 45}]})
    res = run_sweep(cfg, tmp_path / "out")
    assert set(res.table["labels"]) == {30, 45} and res.table["dataset"].eq("codes").all()
