"""The lean L-BFGS behind the ``logreg`` preset on sparse features (simulations/fast_logreg.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from simulations import fast_logreg
from simulations.fast_logreg import (
    LineSearchUnavailable,
    SparseLogisticObjective,
    fit_sparse_logistic,
    lbfgs,
)
from simulations.models import TextLogisticRegression


def _text(n=300, d=1500, k=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    rows = [np.concatenate([rng.integers(0, d, 15), rng.integers(c * 40, c * 40 + 40, 4)]) for c in y]
    indptr = np.r_[0, np.cumsum([len(r) for r in rows])]
    X = sp.csr_matrix((rng.random(indptr[-1]) + 0.1, np.concatenate(rows), indptr), shape=(n, d))
    X.sum_duplicates()
    return X, y


def _present(X):
    X = sp.csr_matrix(X)
    return X[:, np.flatnonzero(np.bincount(X.indices, minlength=X.shape[1]))]


def _rosen(x):
    f = np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return f, g


def _quadratic(seed=0, n=40):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    A = Q @ np.diag(np.logspace(0, 2, n)) @ Q.T
    b = rng.normal(size=n)
    return lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b), np.linalg.solve(A, b)


OPTIONS = {"maxiter": 1000, "ftol": 64 * np.finfo(float).eps, "maxls": 50}


def test_lbfgs_follows_scipys_lbfgsb_without_bounds():
    fun, optimum = _quadratic()
    x0 = np.zeros(40)
    ref = minimize(fun, x0, jac=True, method="L-BFGS-B", options={**OPTIONS, "gtol": 1e-6})
    mine = lbfgs(fun, x0, gtol=1e-6, max_iter=1000)
    assert mine.converged and abs(mine.nit - ref.nit) <= 2
    np.testing.assert_allclose(mine.x, optimum, atol=1e-4)
    np.testing.assert_allclose(mine.x, ref.x, atol=1e-4)
    # a hard non-convex case: the optimum, in about as many steps (rounding steers the path a little)
    x0 = np.linspace(-1.2, 1.0, 12)
    ref = minimize(_rosen, x0, jac=True, method="L-BFGS-B", options={**OPTIONS, "gtol": 1e-6})
    mine = lbfgs(_rosen, x0, gtol=1e-6, max_iter=1000)
    assert mine.converged and abs(mine.nit - ref.nit) <= 0.1 * ref.nit
    np.testing.assert_allclose(mine.x, np.ones(12), atol=1e-4)


def test_lbfgs_stops_at_the_iteration_limit_and_on_a_flat_start():
    fun, _ = _quadratic()
    res = lbfgs(fun, np.zeros(40), gtol=1e-12, max_iter=5)
    assert res.status == "max_iter" and res.nit == 5 and not res.converged
    flat = lbfgs(lambda x: (float(x @ x), 2 * x), np.zeros(3), gtol=1e-6, max_iter=10)
    assert flat.status == "gtol" and flat.nit == 0 and flat.nfev == 1


@pytest.mark.parametrize("k", [2, 4])
def test_same_iterations_and_coefficients_as_scikit_learns_lbfgs(k):
    """Default tolerance (1e-4, where the stopping point depends on the path): the same path, not just the optimum."""
    X, y = _text(k=k)
    Xr = _present(X[:150])
    ref = LogisticRegression(C=1.0, max_iter=1000).fit(Xr, y[:150])
    coef, intercept, res = fit_sparse_logistic(Xr, y[:150], k, C=1.0, tol=1e-4, max_iter=1000,
                                               sample_weight=np.ones(150))
    assert res.converged and abs(res.nit - int(ref.n_iter_[0])) <= 1
    assert coef.shape == ref.coef_.shape and intercept.shape == ref.intercept_.shape
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(coef, ref.coef_, atol=1e-4 * scale)
    np.testing.assert_allclose(intercept, ref.intercept_, atol=1e-4 * scale)


def test_objective_is_scikit_learns_and_its_gradient_is_exact():
    X, y = _text(n=60, d=200, k=3)
    sw = np.linspace(0.5, 2.0, 60)
    obj = SparseLogisticObjective(sp.csr_matrix(X, dtype=float), y, 3, 0.7, sw)
    rng = np.random.default_rng(1)
    theta = rng.normal(scale=0.3, size=obj.size)
    f, g = obj(theta)
    W, b = obj.split(theta)
    raw = X @ W + b
    proba = np.exp(raw - raw.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    expected = log_loss(y, proba, sample_weight=sw) + 0.5 / (0.7 * sw.sum()) * np.sum(W ** 2)
    assert f == pytest.approx(expected, rel=1e-10)
    for i in rng.choice(obj.size, 8, replace=False):
        e = np.zeros(obj.size)
        e[i] = 1e-6
        numeric = (obj(theta + e)[0] - obj(theta - e)[0]) / 2e-6
        assert g[i] == pytest.approx(numeric, rel=1e-4, abs=1e-9)


@pytest.mark.parametrize("k", [2, 3])
def test_line_trials_equal_full_evaluations(k):
    """A line search's shortcut (scores moved along X d) gives the objective and slope of a full evaluation."""
    X, y = _text(n=80, d=300, k=k)
    obj = SparseLogisticObjective(sp.csr_matrix(X, dtype=float), y, k, 1.0, np.ones(80))
    rng = np.random.default_rng(2)
    theta, d = rng.normal(scale=0.2, size=obj.size), rng.normal(size=obj.size)
    line = obj.line(theta, d)
    for stp in (0.0, 0.3, 1.7):
        f, slope = line(stp)
        f_full, g_full = obj(theta + stp * d)
        # the products X d and X' R run in float32 (1e-7 relative); a wrong penalty or slope term is off by far more
        assert f == pytest.approx(f_full, rel=1e-6)
        assert slope == pytest.approx(float(g_full @ d), rel=1e-5)
    x_new, g_new = line.accept()
    np.testing.assert_allclose(x_new, theta + 1.7 * d)
    np.testing.assert_allclose(g_new, obj(theta + 1.7 * d)[1], rtol=1e-5, atol=1e-8)


def test_without_scipys_line_search_the_parents_fit_is_used(monkeypatch):
    X, y = _text()

    def unavailable():
        raise LineSearchUnavailable("test")

    lean = TextLogisticRegression(max_iter=1000).fit(X[:120], y[:120])
    monkeypatch.setattr(fast_logreg, "_line_search_class", unavailable)
    fallback = TextLogisticRegression(max_iter=1000).fit(X[:120], y[:120])
    ref = LogisticRegression(max_iter=1000).fit(X[:120], y[:120])
    np.testing.assert_allclose(fallback.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(lean.predict_proba(X), fallback.predict_proba(X), atol=1e-4)


def test_without_scipys_sparse_kernel_the_products_are_the_same(monkeypatch):
    X, y = _text()
    a = TextLogisticRegression(max_iter=1000).fit(X[:120], y[:120])
    monkeypatch.setattr(fast_logreg, "_csr_matvecs", None)
    b = TextLogisticRegression(max_iter=1000).fit(X[:120], y[:120])
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-10)
    assert a.n_iter_[0] == b.n_iter_[0]


def test_iteration_limit_warns_as_scikit_learn_does():
    X, y = _text()
    with pytest.warns(ConvergenceWarning):
        m = TextLogisticRegression(max_iter=3).fit(X[:150], y[:150])
    assert m.n_iter_[0] == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        TextLogisticRegression(max_iter=1000).fit(X[:150], y[:150])


def test_cases_outside_the_lean_path_behave_as_the_parent():
    X, y = _text(k=3)
    with pytest.raises(ValueError):  # one class: the parent's error
        TextLogisticRegression().fit(X[:50], np.zeros(50, dtype=int))
    other = TextLogisticRegression(solver="liblinear").fit(X[:100], (y[:100] == 1).astype(int))
    ref = LogisticRegression(solver="liblinear").fit(X[:100], (y[:100] == 1).astype(int))
    np.testing.assert_allclose(other.coef_, ref.coef_, atol=1e-10)


def test_float32_features_give_float32_coefficients_like_the_parent():
    X, y = _text()
    X32 = X.astype(np.float32)
    m = TextLogisticRegression(max_iter=1000).fit(X32[:150], y[:150])
    ref = LogisticRegression(max_iter=1000).fit(X32[:150], y[:150])
    assert m.coef_.dtype == ref.coef_.dtype == np.float32
    assert np.mean(m.predict(X32) == ref.predict(X32)) > 0.995


def test_the_lean_solver_is_what_fits_sparse_text_with_weights(monkeypatch):
    """The fast path is taken (not silently the parent's fit), and class and sample weights reach it: the same
    coefficients and predictions as scikit-learn's lbfgs."""
    calls = []
    real = fast_logreg.fit_sparse_logistic
    monkeypatch.setattr(fast_logreg, "fit_sparse_logistic", lambda *a, **k: calls.append(1) or real(*a, **k))
    X, y = _text(n=200, k=3)
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    ours = TextLogisticRegression(max_iter=1000, tol=1e-8, class_weight="balanced").fit(X, y, sample_weight=w)
    assert calls == [1]
    ref = LogisticRegression(max_iter=1000, tol=1e-8, class_weight="balanced").fit(X, y, sample_weight=w)
    assert np.allclose(ours.coef_, ref.coef_, atol=1e-4) and np.allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    assert (ours.predict(X) == ref.predict(X)).all()


def test_nan_in_sparse_features_is_refused_as_scikit_learn_refuses_it():
    X, y = _text(n=120)
    X = X.astype(float).tocsr()
    X.data[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        TextLogisticRegression(max_iter=100).fit(X, y)


def test_a_warm_start_is_really_used():
    """From the optimum itself, a warm refit on the same rows stops at once (a cold fit needs many steps); that the
    warm fit reaches the cold optimum is tests/test_text_logreg.py's test_warm_start_reaches_the_same_optimum."""
    X, y = _text()
    cold = TextLogisticRegression(max_iter=1000, tol=1e-8).fit(X[:160], y[:160])
    again = TextLogisticRegression(max_iter=1000, tol=1e-6)
    again.warm_from(cold)
    again.fit(X[:160], y[:160])
    assert again.n_iter_[0] <= 1 < cold.n_iter_[0]
