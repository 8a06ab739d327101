"""The ``logreg`` preset: faster fits on sparse text (TextLogisticRegression), opt-in warm starts, float32 default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from simulations import Dataset, SimulationConfig, run_simulation
from simulations.models import TextLogisticRegression, model_factory
from simulations.runner import fast_sparse_fits


def _text_data(n=400, d=3000, k=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    rows = []
    for c in y:
        words = np.concatenate([rng.integers(0, d, 20), rng.integers(c * 50, c * 50 + 50, 5)])
        rows.append(words)
    indptr = np.r_[0, np.cumsum([len(w) for w in rows])]
    X = sp.csr_matrix((np.ones(indptr[-1]), np.concatenate(rows), indptr), shape=(n, d))
    X.sum_duplicates()
    return X, y


def test_preset_is_a_logistic_regression():
    X, _ = _text_data(50)
    m = model_factory("logreg", X)(0)
    assert isinstance(m, TextLogisticRegression) and isinstance(m, LogisticRegression)


@pytest.mark.parametrize("k", [2, 4])
def test_fit_on_present_columns_matches_the_full_fit(k):
    X, y = _text_data(k=k)
    Xl, yl = X[:60], y[:60]  # 60 rows: most of the 3,000 columns are empty
    assert (np.diff(Xl.tocsc().indptr) == 0).sum() > 1000
    fast = TextLogisticRegression(max_iter=1000, tol=1e-8).fit(Xl, yl)
    full = LogisticRegression(max_iter=1000, tol=1e-8).fit(Xl, yl)
    assert fast.coef_.shape == full.coef_.shape and fast.n_features_in_ == X.shape[1]
    np.testing.assert_allclose(fast.coef_, full.coef_, atol=1e-6)
    np.testing.assert_allclose(fast.intercept_, full.intercept_, atol=1e-6)
    np.testing.assert_allclose(fast.predict_proba(X), full.predict_proba(X), atol=1e-6)
    empty = np.diff(Xl.tocsc().indptr) == 0
    assert np.all(fast.coef_[:, empty] == 0)


def test_default_tolerance_gives_the_same_predictions():
    X, y = _text_data()
    fast = TextLogisticRegression(max_iter=1000).fit(X[:100], y[:100])
    full = LogisticRegression(max_iter=1000).fit(X[:100], y[:100])
    assert np.mean(fast.predict(X) == full.predict(X)) > 0.99
    np.testing.assert_allclose(fast.predict_proba(X), full.predict_proba(X), atol=1e-3)


def test_warm_start_reaches_the_same_optimum():
    X, y = _text_data()
    prev = TextLogisticRegression(max_iter=1000).fit(X[:100], y[:100])
    warm = TextLogisticRegression(max_iter=1000, tol=1e-8)
    warm.warm_from(prev)
    warm.fit(X[:150], y[:150])
    cold = LogisticRegression(max_iter=1000, tol=1e-8).fit(X[:150], y[:150])
    np.testing.assert_allclose(warm.predict_proba(X), cold.predict_proba(X), atol=1e-5)
    # the start is used once: a refit is cold again, and warm_from does not change the parameters
    assert "_labelwise_init" not in warm.__dict__ and not warm.warm_start
    assert warm.get_params() == cold.get_params()


def test_warm_start_is_skipped_when_the_classes_differ():
    X, y = _text_data(k=4)
    prev = TextLogisticRegression(max_iter=1000).fit(X[:100][y[:100] < 3], y[:100][y[:100] < 3])
    m = TextLogisticRegression(max_iter=1000)
    m.warm_from(prev)
    m.fit(X[:100], y[:100])  # 4 classes now: a cold fit, no shape error
    np.testing.assert_array_equal(m.classes_, np.arange(4))


def test_dense_input_is_fitted_as_by_the_parent():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 5))
    y = (X[:, 0] > 0).astype(int)
    a = TextLogisticRegression().fit(X, y)
    b = LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def _text_dataset():
    rng = np.random.default_rng(3)
    words = np.array([f"w{i}" for i in range(400)])
    labels = rng.integers(0, 3, 300)
    docs = [" ".join(np.concatenate([rng.choice(words, 15), rng.choice(words[c * 30:c * 30 + 30], 4)]))
            for c in labels]
    return Dataset.from_frame(pd.DataFrame({"text": docs, "label": np.array(["a", "b", "c"])[labels]}), "label",
                              name="text")


def test_warm_start_run_is_bit_identical_for_any_n_jobs_and_recorded():
    ds = _text_dataset()
    cfg = SimulationConfig(strategies=("margin",), seeds=2, initial_labels=10, budget=60, stop_set_rows=50)
    one = run_simulation(ds, cfg, n_jobs=1, warm_start=True)
    two = run_simulation(ds, cfg, n_jobs=2, warm_start=True)
    cols = [c for c in one.rounds.columns if not c.endswith("_seconds")]
    pd.testing.assert_frame_equal(one.rounds[cols], two.rounds[cols])
    assert one.meta["warm_start"] is True
    cold = run_simulation(ds, cfg, n_jobs=1)
    assert "warm_start" not in cold.meta
    # same data, same first round (nothing to warm-start from yet)
    first = one.rounds["round"] == 0
    np.testing.assert_array_equal(one.rounds.loc[first, "accuracy"], cold.rounds.loc[first, "accuracy"])


def test_sparse_features_are_float32_by_default_warm_starts_opt_in_dense_stay_exact(separable):
    ds = _text_dataset()
    cfg = SimulationConfig(strategies=("margin",), seeds=1, initial_labels=10, budget=40, stop_set_rows=50)
    default = run_simulation(ds, cfg, n_jobs=1)
    assert default.meta["sparse_features"] and default.meta["float32_features"] is True
    assert "warm_start" not in default.meta  # opt-in: a heavier tail of bad seeds for margin (runner docstring)
    explicit = run_simulation(ds, cfg, n_jobs=1, float32=True, warm_start=False)
    cols = [c for c in default.rounds.columns if not c.endswith("_seconds")]
    pd.testing.assert_frame_equal(default.rounds[cols], explicit.rounds[cols])
    exact = run_simulation(ds, cfg, n_jobs=1, float32=False)
    assert "float32_features" not in exact.meta
    dense = run_simulation(separable, cfg, n_jobs=1)
    assert not dense.meta["sparse_features"]
    assert "warm_start" not in dense.meta and "float32_features" not in dense.meta
    pd.testing.assert_frame_equal(dense.rounds[cols], run_simulation(separable, cfg, n_jobs=1,
                                                                     float32=False).rounds[cols])


def test_fast_sparse_fits_rule():
    X, _ = _text_data(k=3)
    assert fast_sparse_fits(X) and not fast_sparse_fits(X.toarray())


def test_class_weight_and_sample_weight_fit_as_the_parent():
    X, y = _text_data(k=3)
    Xl, yl = X[:80], y[:80]
    w = np.linspace(0.5, 2.0, 80)
    fast = TextLogisticRegression(max_iter=1000, tol=1e-8, class_weight="balanced").fit(Xl, yl, sample_weight=w)
    full = LogisticRegression(max_iter=1000, tol=1e-8, class_weight="balanced").fit(Xl, yl, sample_weight=w)
    np.testing.assert_allclose(fast.predict_proba(X), full.predict_proba(X), atol=1e-6)
