"""The engine's large-pool machinery: O(n) top-k, fast median imputer, per-task splits, memory-mapped features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression

import simulations.runner as runner
from simulations import Dataset, SimulationCancelled, SimulationConfig, run_simulation
from simulations.features import FastMedianImputer
from simulations.loop import SplitSettings
from simulations.results import TIMING_COLUMNS
from simulations.strategies.base import top_k

SMALL = dict(seeds=2, initial_labels=10, budget=50, batch_size=10, max_test_rows=300, stop_set_rows=150)


def _strip(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=list(TIMING_COLUMNS))


def reference_top_k(scores: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """The plain definition: sort everything by (score descending, random key ascending), NaN lowest."""
    s = np.where(np.isnan(scores), -np.inf, scores.astype(float))
    key = rng.random(len(s))
    return np.lexsort((key, -s))[: max(0, min(k, len(s)))]


def test_top_k_equals_a_full_sort_and_leaves_the_same_random_stream():
    rng = np.random.default_rng(0)
    for trial in range(1500):
        n = int(rng.integers(0, 80))
        s = np.round(rng.normal(size=n), int(rng.integers(0, 3)))  # rounding makes many ties
        for value in (np.nan, np.inf, -np.inf, -0.0):
            if n and rng.random() < 0.25:
                s[rng.integers(0, n, size=2)] = value
        k = int(rng.integers(0, n + 3))
        a, b = np.random.default_rng(trial), np.random.default_rng(trial)
        got, want = top_k(s, k, a), reference_top_k(s, k, b)
        assert np.array_equal(got, want), (trial, s, k)
        assert a.random() == b.random()  # later draws of the run stay the same


def test_top_k_breaks_ties_at_random_not_by_position():
    firsts = {int(top_k(np.ones(10), 1, np.random.default_rng(seed))[0]) for seed in range(40)}
    assert len(firsts) > 5


@pytest.mark.filterwarnings("ignore:Skipping features without any observed values")
def test_fast_median_imputer_has_simple_imputers_statistics():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(301, 6))
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 2] = np.nan  # an all-missing column
    X[:, 4] = np.round(X[:, 4])  # ties at the median
    X[:150, 5] = np.nan  # mostly missing, even count left
    for keep in (True, False):
        for indicator in (True, False):
            params = {"strategy": "median", "add_indicator": indicator, "keep_empty_features": keep}
            a, b = SimpleImputer(**params).fit(X), FastMedianImputer(**params).fit(X)
            np.testing.assert_array_equal(a.statistics_, b.statistics_)
            np.testing.assert_array_equal(a.transform(X), b.transform(X))
    # Not a float median fit: handed to SimpleImputer as is.
    ints = rng.integers(0, 5, size=(50, 3))
    np.testing.assert_array_equal(FastMedianImputer(strategy="mean").fit(ints).statistics_,
                                  SimpleImputer(strategy="mean").fit(ints).statistics_)


def test_results_are_bit_identical_in_process_and_through_the_memory_mapped_features(separable, tmp_path):
    cfg = SimulationConfig(strategies=("margin", "coreset"), **SMALL)
    a = run_simulation(separable, cfg, n_jobs=1)
    seen, shared = [], []

    def on_progress(p):
        seen.append(p)
        shared.extend(tmp_path.glob("labelwise-pool-*/features.npy"))

    b = run_simulation(separable, cfg, n_jobs=2, progress=on_progress, tmp_dir=tmp_path)
    pd.testing.assert_frame_equal(_strip(a.rounds), _strip(b.rounds), check_exact=True)
    pd.testing.assert_frame_equal(a.ceilings, b.ceilings, check_exact=True)
    assert a.meta == b.meta
    # Progress per task, with the task's own rows, in the same order as in one process.
    names = ["__ceiling__", *cfg.strategies]
    assert [(p.strategy, p.seed) for p in seen] == [(n, s) for s in (0, 1) for n in names]
    assert [p.done for p in seen] == list(range(1, 2 * len(names) + 1)) and seen[-1].total == 2 * len(names)
    assert all(p.rounds is None or len(p.rounds) == 5 for p in seen)
    assert shared  # the workers read one memory-mapped feature file ...
    assert list(tmp_path.iterdir()) == []  # ... removed when the run ends


def test_each_seed_builds_one_split_and_frees_the_previous_first(separable, monkeypatch):
    built, alive_at_build = [], []
    real = SplitSettings.make

    def counting(self, X, y, seed, n_extra=0, groups=True, costs=None):
        if X.shape[1]:  # the zero-column size probe is not a split
            built.append(seed)
            alive_at_build.append(len(runner._split_slot))
        return real(self, X, y, seed, n_extra, groups, costs)

    monkeypatch.setattr(SplitSettings, "make", counting)
    res = run_simulation(separable, SimulationConfig(strategies=("margin", "entropy"), seeds=3, initial_labels=10,
                                                     budget=30, batch_size=10, max_test_rows=300))
    assert built == [0, 1, 2]  # 9 tasks, 3 splits: one per seed, built when its first task runs
    assert alive_at_build == [0, 0, 0]  # never two pool copies at once in one process
    assert runner._split_slot == {}  # nothing kept after the run
    assert res.meta["n_pool"] == 1500 - 300 and res.meta["n_stop"] == min(1000, res.meta["n_pool"])


def test_cancel_with_workers_stops_and_removes_the_shared_file(separable, tmp_path):
    cfg = SimulationConfig(strategies=("margin",), **SMALL)
    with pytest.raises(SimulationCancelled, match="after 1 of "):
        run_simulation(separable, cfg, n_jobs=2, should_cancel=lambda: True, tmp_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_float32_is_recorded_and_opt_in_for_dense_features(text_frame, separable):
    cfg = SimulationConfig(strategies=("margin",), seeds=1, initial_labels=10, budget=40)
    sparse = run_simulation(Dataset.from_frame(text_frame, "kind"), cfg, float32=True)
    assert sparse.meta["float32_features"] and sparse.meta["sparse_features"]
    assert sparse.rounds["accuracy"].between(0, 1).all()
    exact = run_simulation(separable, cfg)
    approx = run_simulation(separable, cfg, float32=True)
    assert "float32_features" not in exact.meta
    # Same protocol (labels, rounds); accuracies close but not required to be equal.
    assert approx.rounds["labels"].tolist() == exact.rounds["labels"].tolist()
    assert np.allclose(approx.rounds["accuracy"], exact.rounds["accuracy"], atol=0.05)


class FailingModel(LogisticRegression):
    """A classifier that fails when fitted on more than ``limit`` rows: the run fails in a worker mid-way."""

    def __init__(self, limit: int = 30, max_iter: int = 100) -> None:
        super().__init__(max_iter=max_iter)
        self.limit = limit

    def fit(self, X, y, sample_weight=None):
        if X.shape[0] > self.limit:
            raise RuntimeError("fit failed on purpose")
        return super().fit(X, y, sample_weight)


@pytest.mark.filterwarnings("ignore:.*tasks which were still being processed:UserWarning")
def test_a_failing_task_in_a_worker_still_removes_the_shared_file(separable, tmp_path):
    cfg = SimulationConfig(strategies=("margin",), **SMALL)
    with pytest.raises(RuntimeError, match="on purpose"):
        run_simulation(separable, cfg, model=FailingModel(), n_jobs=2, tmp_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert runner._split_slot == {}  # nor does this process keep a split of the failed run
