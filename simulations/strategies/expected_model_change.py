"""Expected model change, measured as expected gradient length (EGL)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.extmath import row_norms

from simulations.strategies.base import PoolView, ScoreStrategy


def softmax_expected_residual_norm(proba: np.ndarray) -> np.ndarray:
    """``sum_y p_y * ||p - e_y||`` per row: the expected norm of the log-loss gradient w.r.t. the logits.

    Uses ``||p - e_y||^2 = ||p||^2 - 2 p_y + 1`` so the cost is O(n * n_classes).

    Parameters
    ----------
    proba : ndarray, shape (n, n_classes)

    Returns
    -------
    ndarray, shape (n,)
    """
    p = np.asarray(proba, dtype=float)
    sq = (p * p).sum(axis=1, keepdims=True)
    return (p * np.sqrt(np.maximum(sq - 2.0 * p + 1.0, 0.0))).sum(axis=1)


def _split_pipeline(model: Any) -> tuple[Any | None, Any]:
    """``(preprocessing or None, final estimator)``; a Pipeline's final step is the linear model."""
    steps = getattr(model, "steps", None)
    if steps:
        return (model[:-1] if len(steps) > 1 else None), steps[-1][1]
    return None, model


class ExpectedModelChange(ScoreStrategy):
    """Query the candidates whose label would change the model most: expected gradient length.

    For each candidate ``x`` the score is ``E_{y ~ p(y|x)} ||grad_theta loss(x, y)||``, the norm of the
    training gradient the row would add if it were labeled, averaged over the model's own belief
    about its label (Settles, Craven & Ray 2008). Regularization is left out: it does not depend on
    the candidate.

    Closed form for linear models (estimators with ``coef_``, or a Pipeline ending in one; the
    preprocessing steps are applied first). Write ``x~ = [x, 1]`` (without the 1 when
    ``fit_intercept=False``).

    - Multinomial softmax, ``coef_`` of shape (K, d): the log-loss gradient w.r.t. the weight matrix
      ``[W, b]`` is ``(p - e_y) outer x~``, whose Frobenius norm is ``||p - e_y|| * ||x~||``, so
      ``EGL(x) = ||x~|| * sum_y p_y ||p - e_y||``.
    - Binary logistic regression, ``coef_`` of shape (1, d) (scikit-learn's parameterization): with
      ``p1 = sigmoid(w . x~)`` the gradient is ``(p1 - y) x~`` for ``y in {0, 1}``, of norm
      ``|p1 - y| * ||x~||``; averaging over ``y ~ Bernoulli(p1)`` gives
      ``EGL(x) = [p1 (1 - p1) + (1 - p1) p1] ||x~|| = 2 p1 (1 - p1) ||x~||``.
      (The two-row softmax form gives ``2 sqrt(2) p1 (1 - p1) ||x~||``: the same ranking up to the
      constant sqrt(2), but the binary form is the exact gradient of the model actually fitted.)

    One-vs-rest linear models with K > 2 rows (e.g. ``SGDClassifier``) are scored with the softmax
    formula, which then is an approximation. Row norms are computed without densifying sparse input.

    **Approximation for models without ``coef_``** (forests, boosting, naive Bayes, ...): the gradient
    is taken w.r.t. the model's output logits, i.e. as if the last layer were linear in features of
    unit norm: ``EGL(x) ~= sum_y p_y ||p - e_y||``. This keeps the "expected change of the output"
    idea but ignores how far the row is from the origin in feature space.

    References
    ----------
    Settles, B., Craven, M., & Ray, S. (2008). Multiple-instance active learning. NIPS.
    Settles, B., & Craven, M. (2008). An analysis of active learning strategies for sequence
    labeling tasks. EMNLP.
    """

    name = "expected_model_change"

    def scores(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """Expected gradient length per candidate; ``rng`` is unused."""
        proba = view.proba()
        feature_norm = self.feature_norms(view)
        if feature_norm is None:
            return softmax_expected_residual_norm(proba)
        _, final = _split_pipeline(view.model)
        coef = np.asarray(final.coef_)
        if coef.shape[0] == 1:
            # Binary logistic regression: one weight vector for the positive class classes_[1].
            model_classes = np.asarray(view.model.classes_)
            pos = int(np.searchsorted(view.classes, model_classes[-1]))
            p1 = proba[:, pos]
            return 2.0 * p1 * (1.0 - p1) * feature_norm
        return softmax_expected_residual_norm(proba) * feature_norm

    @staticmethod
    def feature_norms(view: PoolView) -> np.ndarray | None:
        """``||x~||`` per candidate for a linear model, or None when the closed form does not apply.

        Parameters
        ----------
        view : PoolView

        Returns
        -------
        ndarray, shape (n_candidates,), or None
        """
        prep, final = _split_pipeline(view.model)
        coef = getattr(final, "coef_", None)
        if coef is None or np.ndim(coef) != 2:
            return None
        X = view.X_candidates()
        if prep is not None:
            X = prep.transform(X)
        if X.shape[1] != np.shape(coef)[1]:
            return None
        # row_norms works on CSR without densifying.
        sq = row_norms(X, squared=True)
        if getattr(final, "fit_intercept", True):
            sq = sq + 1.0
        return np.sqrt(sq)
