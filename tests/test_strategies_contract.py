"""The contract every registered query strategy must keep, checked the way the simulation loop uses it.

fit_model -> PoolView -> select: the batch holds distinct pool indices from ``view.candidates``, of size
min(batch, n_candidates), reproducible under the same rng seed, for dense and sparse features, binary
and multiclass tasks, and models other than logistic regression.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from threadpoolctl import threadpool_limits

from simulations.strategies import available_strategies, make_strategy
from simulations.strategies.base import PoolView

ALL_NAMES = [*available_strategies(), "eps_margin"]
BATCH = 7


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # As in the runner: tiny fits are many times slower when BLAS threads fight over the cores.
    with threadpool_limits(limits=1):
        yield


def make_task(n_classes: int, sparse: bool, *, n: int = 160, d: int = 24, seed: int = 0):
    """A small learnable task: each class owns a block of features (words, for the sparse variant).

    Returns X (ndarray or CSR), y (string labels), labeled (3 per class), unlabeled pool indices.
    """
    rng = np.random.default_rng(seed)
    y_int = rng.permutation(np.arange(n) % n_classes)
    block = d // n_classes
    if sparse:
        # TF-IDF-like: non-negative, mostly zeros, rows of unit length; a few "class words" per row.
        dense = (rng.random((n, d)) < 0.1) * rng.random((n, d))
        for i, c in enumerate(y_int):
            cols = rng.choice(np.arange(c * block, (c + 1) * block), size=2, replace=False)
            dense[i, cols] += rng.uniform(0.5, 1.0, size=2)
        dense /= np.linalg.norm(dense, axis=1, keepdims=True)
        X = sp.csr_matrix(dense)
    else:
        centers = rng.normal(scale=2.0, size=(n_classes, d))
        X = centers[y_int] + rng.normal(size=(n, d))
    y = np.array([f"class_{c}" for c in y_int])
    labeled = np.concatenate([np.flatnonzero(y_int == c)[:3] for c in range(n_classes)])
    unlabeled = np.setdiff1d(np.arange(n), labeled)
    return X, y, labeled, unlabeled


def logreg(rs: int) -> LogisticRegression:
    return LogisticRegression(max_iter=500, random_state=rs)


def forest(rs: int) -> RandomForestClassifier:
    return RandomForestClassifier(n_estimators=15, random_state=rs)


def gaussian_nb(rs: int) -> GaussianNB:
    return GaussianNB()


def run_round(name, X, y, labeled, unlabeled, candidates, batch, seed, make_model, model=None):
    """One round as the loop runs it; returns (picks, fitted model, strategy, view).

    ``model`` skips fit_model (to re-run only the selection on an already fitted model).
    """
    strategy = make_strategy(name)
    if model is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = strategy.fit_model(make_model, X, labeled, y[labeled], unlabeled, random_state=0)
    view = PoolView(
        X=X, candidates=candidates, labeled=labeled, y_labeled=y[labeled], classes=np.unique(y),
        model=model, make_model=make_model, cache={},
    )
    if not getattr(strategy, "uses_proba", True):
        # The loop skips the pool scoring pass for these strategies; they must not rely on it.
        def no_proba():
            raise AssertionError(f"{name} declares uses_proba=False but called view.proba()")

        view.proba = no_proba
    picks = np.asarray(strategy.select(view, batch, np.random.default_rng(seed)))
    return picks, model, strategy, view


def check_batch(picks: np.ndarray, candidates: np.ndarray, batch: int) -> None:
    assert picks.ndim == 1
    assert np.issubdtype(picks.dtype, np.integer)
    assert len(picks) == min(batch, len(candidates))
    assert len(np.unique(picks)) == len(picks), "duplicate picks"
    assert np.isin(picks, candidates).all(), "picked a row that is not a candidate"


@pytest.mark.parametrize("few_candidates", [False, True], ids=["all_candidates", "fewer_than_batch"])
@pytest.mark.parametrize("n_classes", [2, 5])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("name", ALL_NAMES)
def test_strategy_contract(name, sparse, n_classes, few_candidates):
    X, y, labeled, unlabeled = make_task(n_classes, sparse)
    candidates = unlabeled[::40][:3] if few_candidates else unlabeled
    batch = BATCH

    picks, model, strategy, view = run_round(name, X, y, labeled, unlabeled, candidates, batch, 11, logreg)
    assert strategy.name == name
    proba = model.predict_proba(X[:5])
    assert proba.shape == (5, n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    check_batch(picks, candidates, batch)

    # Same seed, fresh strategy and cache: same batch. (fit_model itself is checked in one case below.)
    again, *_ = run_round(name, X, y, labeled, unlabeled, candidates, batch, 11, logreg, model=model)
    np.testing.assert_array_equal(picks, again)

    # A second round in the same run (shared cache, fewer candidates) keeps the contract.
    rest = np.setdiff1d(candidates, picks)
    if not few_candidates:
        view = dataclasses.replace(view, candidates=rest, candidate_proba=None)
        second = np.asarray(strategy.select(view, batch, np.random.default_rng(12)))
        check_batch(second, rest, batch)


@pytest.mark.parametrize("make_model", [forest, gaussian_nb], ids=["random_forest", "gaussian_nb"])
@pytest.mark.parametrize("name", ALL_NAMES)
def test_strategy_is_model_agnostic(name, make_model):
    X, y, labeled, unlabeled = make_task(3, sparse=False, n=120)
    picks, model, *_ = run_round(name, X, y, labeled, unlabeled, unlabeled, BATCH, 5, make_model)
    assert model.predict_proba(X[:3]).shape == (3, 3)
    check_batch(picks, unlabeled, BATCH)
    again, *_ = run_round(name, X, y, labeled, unlabeled, unlabeled, BATCH, 5, make_model, model=model)
    np.testing.assert_array_equal(picks, again)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_fit_and_select_reproducible_end_to_end(name):
    X, y, labeled, unlabeled = make_task(3, sparse=True)
    first, m1, *_ = run_round(name, X, y, labeled, unlabeled, unlabeled, BATCH, 3, logreg)
    second, m2, *_ = run_round(name, X, y, labeled, unlabeled, unlabeled, BATCH, 3, logreg)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(m1.predict_proba(X), m2.predict_proba(X))


@pytest.mark.parametrize("name", ALL_NAMES)
def test_zero_batch_and_no_candidates(name):
    X, y, labeled, unlabeled = make_task(2, sparse=False, n=60)
    picks, *_ = run_round(name, X, y, labeled, unlabeled, unlabeled, 0, 1, logreg)
    assert len(picks) == 0
    picks, *_ = run_round(name, X, y, labeled, unlabeled, unlabeled[:0], 5, 1, logreg)
    assert len(picks) == 0
