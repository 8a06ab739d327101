"""Unlabeled rows as extra pool: never queried or counted, but used by the preprocessing, self-training,
density and the stop set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import simulations.strategies.density_weighted as density_module
from simulations import DataError, Dataset, SimulationConfig, load_results, run_simulation, save_results
from simulations.config import label_schedule
from simulations.features import fit_features
from simulations.loop import make_split, run_strategy
from simulations.strategies import make_strategy
from simulations.strategies.base import QueryStrategy
from simulations.strategies.self_training import SelfTraining

N_LABELED, N_EXTRA = 400, 300


@pytest.fixture(scope="module")
def frame_with_unlabeled(separable_frame) -> pd.DataFrame:
    """The separable sample's first rows labeled, the next ones with an empty label."""
    df = separable_frame.iloc[: N_LABELED + N_EXTRA].copy().reset_index(drop=True)
    df.loc[N_LABELED:, "label"] = np.nan
    return df


@pytest.fixture(scope="module")
def with_extra(frame_with_unlabeled) -> Dataset:
    return Dataset.from_frame(frame_with_unlabeled, "label", unlabeled="pool")


class Recording(QueryStrategy):
    """Wraps a strategy and records every batch it picks."""

    def __init__(self, inner: QueryStrategy) -> None:
        self.inner, self.name, self.picks = inner, inner.name, []

    @property
    def uses_proba(self) -> bool:  # type: ignore[override]
        return getattr(self.inner, "uses_proba", True)

    def select(self, view, batch_size, rng):
        chosen = self.inner.select(view, batch_size, rng)
        self.picks.append(np.asarray(chosen))
        return chosen

    def fit_model(self, *args, **kwargs):
        return self.inner.fit_model(*args, **kwargs)


def _split(ds: Dataset, seed: int = 0, n_extra: int | None = None):
    X, _ = fit_features(ds)
    y = np.unique(ds.y, return_inverse=True)[1]
    n_extra = ds.n_extra_pool if n_extra is None else n_extra
    return make_split(X[: len(y) + n_extra], y, seed=seed, test_share=0.2, max_test_rows=80, initial_labels=10,
                      stop_set_rows=200, n_extra=n_extra)


def _logreg(rs):
    return LogisticRegression(max_iter=300, random_state=rs)


def test_the_dataset_keeps_unlabeled_rows_as_extra_pool_only_when_asked(frame_with_unlabeled, with_extra):
    plain = Dataset.from_frame(frame_with_unlabeled, "label")
    assert plain.extra_pool is None and plain.n_missing_labels == N_EXTRA
    assert with_extra.n_extra_pool == N_EXTRA and with_extra.n_missing_labels == N_EXTRA
    assert list(with_extra.extra_pool.columns) == [c for c in frame_with_unlabeled.columns if c != "label"]
    assert len(with_extra.frame) == len(plain.frame) == N_LABELED
    assert with_extra.fingerprint() != plain.fingerprint()  # the extra rows change the features
    # An explicit extra pool must hold the feature columns; its label column, if any, is ignored.
    labeled = frame_with_unlabeled.iloc[:N_LABELED]
    explicit = Dataset.from_frame(labeled, "label", extra_pool=frame_with_unlabeled.iloc[N_LABELED:])
    pd.testing.assert_frame_equal(explicit.extra_pool, with_extra.extra_pool)
    assert Dataset.from_frame(labeled, "label").fingerprint() == plain.fingerprint()
    with pytest.raises(DataError, match="lacks column") as err:
        Dataset.from_frame(labeled, "label", extra_pool=frame_with_unlabeled.iloc[N_LABELED:, :3])
    assert err.value.hint
    with pytest.raises(DataError, match="unlabeled="):
        Dataset.from_frame(labeled, "label", unlabeled="keep")


def test_preprocessing_is_fitted_on_labeled_and_extra_rows(with_extra):
    X, _ = fit_features(with_extra)
    assert X.shape[0] == N_LABELED + N_EXTRA
    # Standardized over all rows: zero mean over labeled + extra, not over the labeled rows alone.
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-9)
    assert np.abs(X[:N_LABELED].mean(axis=0)).max() > 1e-3


@pytest.mark.parametrize("name", ["margin", "density_weighted", "self_training", "coreset", "random", "qbc_vote"])
def test_queries_only_ever_pick_labelable_pool_rows(with_extra, name):
    split = _split(with_extra)
    rec = Recording(make_strategy(name))
    records = run_strategy(split, rec, _logreg, label_schedule(10, 60, batch_size=10), strategy_seed=2)
    picked = np.concatenate(rec.picks)
    assert len(picked) == 50 and len(set(picked)) == 50
    assert picked.max() < split.n_pool and not set(picked) & set(split.initial)
    assert [r["labels"] for r in records] == [10, 20, 30, 40, 50, 60]  # extra rows never count as labels


def test_random_picks_do_not_depend_on_the_extra_pool(with_extra):
    with_rows, without = _split(with_extra), _split(with_extra, n_extra=0)
    assert with_rows.n_extra == N_EXTRA and without.n_extra == 0
    np.testing.assert_array_equal(with_rows.initial, without.initial)
    picks = []
    for split in (with_rows, without):
        rec = Recording(make_strategy("random"))
        run_strategy(split, rec, _logreg, label_schedule(10, 60, batch_size=10), strategy_seed=5)
        picks.append(np.concatenate(rec.picks))
    np.testing.assert_array_equal(*picks)


def test_self_training_pseudo_labels_extra_rows(with_extra, monkeypatch):
    pseudo = []
    real = SelfTraining.pseudo_labels

    def spy(self, model, X_pool, labeled, unlabeled, random_state):
        idx, labels = real(self, model, X_pool, labeled, unlabeled, random_state)
        pseudo.append(idx)
        return idx, labels

    monkeypatch.setattr(SelfTraining, "pseudo_labels", spy)
    split = _split(with_extra)
    records = run_strategy(split, SelfTraining(threshold=0.8), _logreg, label_schedule(10, 40, batch_size=10),
                           strategy_seed=1)
    used = np.concatenate(pseudo)
    assert (used >= split.n_pool).any()  # extra rows were pseudo-labeled ...
    assert sum(r["n_pseudo"] for r in records) == len(used)  # ... and trained on, but never queried


def test_density_is_estimated_over_the_extra_rows_too(with_extra, monkeypatch):
    samples = []
    real = density_module.cosine_density

    def spy(X, sample):
        samples.append((X.shape[0], sample))
        return real(X, sample)

    monkeypatch.setattr(density_module, "cosine_density", spy)
    split = _split(with_extra)
    run_strategy(split, make_strategy("density_weighted"), _logreg, label_schedule(10, 30, batch_size=10),
                 strategy_seed=1)
    (n_rows, sample), = samples  # computed once per run
    assert n_rows == split.n_pool + N_EXTRA and (sample >= split.n_pool).any()


def test_stop_set_is_drawn_from_pool_and_extra_rows(with_extra):
    split = _split(with_extra)
    assert (split.stop >= split.n_pool).any() and (split.stop < split.n_pool).any()
    assert len(split.stop) == 200 and split.stop.max() < split.n_pool + N_EXTRA


def test_run_simulation_records_the_extra_pool_and_round_trips(with_extra, frame_with_unlabeled, tmp_path):
    cfg = SimulationConfig(strategies=("margin", "self_training", "density_weighted"), seeds=2, initial_labels=10,
                           budget=40, batch_size=10, max_test_rows=80, stop_set_rows=200)
    res = run_simulation(with_extra, cfg)
    plain = run_simulation(Dataset.from_frame(frame_with_unlabeled, "label"), cfg)
    assert res.meta["n_extra_pool"] == N_EXTRA and plain.meta["n_extra_pool"] == 0
    for key in ("n_pool", "n_test", "n_initial", "n_stop", "labels_schedule", "n_rows"):
        assert res.meta[key] == plain.meta[key], key
    assert res.rounds.groupby("strategy")["labels"].max().eq(40).all()
    assert (res.rounds.loc[res.rounds.strategy == "self_training", "n_pseudo"] > 0).any()
    back = load_results(save_results(res, tmp_path / "r.json"))
    pd.testing.assert_frame_equal(back.rounds, res.rounds, check_exact=True)
    assert back.meta == res.meta


def test_intake_attaches_the_unlabeled_rows_when_asked(frame_with_unlabeled):
    from simulations.intake import load_user_dataset

    data = frame_with_unlabeled.to_csv(index=False).encode()
    pooled, report = load_user_dataset(data, "label", filename="t.csv", unlabeled="pool")
    assert pooled.n_extra_pool == N_EXTRA == len(report.extra_pool)
    excluded, _ = load_user_dataset(data, "label", filename="t.csv")
    assert excluded.extra_pool is None and excluded.n_missing_labels == N_EXTRA


def test_extra_pool_results_are_bit_identical_for_any_n_jobs(with_extra, tmp_path):
    """Extra rows ride in the memory-mapped features with workers: same picks, curves and meta as in one process."""
    cfg = SimulationConfig(strategies=("self_training", "density_weighted"), seeds=2, initial_labels=10, budget=30,
                           batch_size=10, max_test_rows=80, stop_set_rows=200)
    one = run_simulation(with_extra, cfg, n_jobs=1)
    two = run_simulation(with_extra, cfg, n_jobs=2, tmp_dir=tmp_path)
    timing = ["fit_seconds", "query_seconds"]
    pd.testing.assert_frame_equal(one.rounds.drop(columns=timing), two.rounds.drop(columns=timing), check_exact=True)
    pd.testing.assert_frame_equal(one.ceilings, two.ceilings, check_exact=True)
    assert one.meta == two.meta and one.meta["n_extra_pool"] == N_EXTRA
    assert list(tmp_path.iterdir()) == []


def test_extra_rows_are_never_test_rows(with_extra):
    X, _ = fit_features(with_extra)
    split = _split(with_extra)
    # every test row is a labeled row: its features are found among the labeled rows, none among the extra ones
    labeled, extra = X[:N_LABELED], X[N_LABELED:]
    for row in split.X_test:
        assert (np.abs(labeled - row).sum(axis=1) == 0).any()
        assert not (np.abs(extra - row).sum(axis=1) == 0).any()
    assert len(split.y_test) + split.n_pool == N_LABELED
