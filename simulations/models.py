"""Classifiers the simulation can train: named presets or any scikit-learn classifier with predict_proba."""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB, MultinomialNB

from simulations.config import CLASS_WEIGHTS
from simulations.errors import ConfigError
from simulations.summary import METRIC_NAMES

MODELS: dict[str, str] = {
    "logreg": "Logistic regression: fast, well-calibrated probabilities; the default.",
    "random_forest": "Random forest (100 trees): non-linear tabular patterns; slower.",
    "hist_gradient_boosting": "Histogram gradient boosting: strong on larger tabular data; needs dense features.",
    "naive_bayes": "Naive Bayes: multinomial for text (TF-IDF), Gaussian for numeric data; very fast.",
}

# Models that cannot take sparse input; text features are densified for them only when small.
_DENSE_ONLY = {"hist_gradient_boosting"}
MAX_DENSIFY_CELLS = 50_000_000


#: The start of the warning scikit-learn's ``check_classification_targets`` gives when more than half the labels of
#: a fit (of over 20) are distinct: "`y` could represent a regression problem". Re-coding the labels cannot avoid
#: it (the engine fits on class codes 0..K-1 already; the check counts distinct values, whatever their type).
MANY_CLASSES_WARNING = "The number of unique classes is greater than 50% of the number of samples"


@contextlib.contextmanager
def many_classes_expected() -> Iterator[None]:
    """Silence exactly scikit-learn's "could represent a regression problem" warning for the fits in the block.

    Why it is noise here: whether the label is a measurement is intake's question, answered for the whole
    column (``continuous_label`` error, or ``label_type="categorical"`` when the numbers are class codes). An
    active-learning run then fits on small labeled sets by design, and with many classes most of an early
    set's labels are distinct (25 classes, 30 labels), which trips the per-fit heuristic on every round.
    Every other warning is left as it is.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=re.escape(MANY_CLASSES_WARNING), category=UserWarning)
        yield


class TextLogisticRegression(LogisticRegression):
    """The ``logreg`` preset: scikit-learn's LogisticRegression, fitted faster on sparse (text) features.

    Three things differ from the parent's ``fit``, none in what it optimizes (the same L2-penalized loss, the same
    lbfgs algorithm and tolerance):

    * On sparse input the solver runs over the columns that have an entry in the training rows only, and the
      coefficients of every other column are set to 0. That is their exact optimum: such a column adds nothing
      to the loss but its penalty, so its gradient is its own coefficient times the penalty, and lbfgs started
      at 0 keeps it at exactly 0 (in exact arithmetic the iterates are the same; in floating point sums over
      fewer zeros may differ in the last bits). With 100-3,000 labeled documents over a 20,000-word vocabulary
      most columns are empty, and the solver's own work (about 10 vectors of the parameters' size per step)
      shrinks with them.
    * On sparse input the lbfgs steps are taken by :mod:`simulations.fast_logreg` rather than scipy's L-BFGS-B:
      the same direction, line search and stopping rules, without the bound-constrained bookkeeping that took
      about two thirds of a text fit (same iteration counts, coefficients equal to ~1e-5, same predictions;
      tests/test_fast_logreg.py). Where it does not apply (dense input, another solver or penalty, one class,
      a scipy without its line search) the parent's fit runs.
    * :meth:`warm_from` starts the next fit at a previous model's coefficients (the active-learning loop passes
      the previous round's model, opt-in): the problem is convex, so lbfgs reaches the same optimum within its
      tolerance, in fewer steps when the labeled set grew by a little (but not the same stopping point: see
      ``runner.fast_sparse_fits``).

    Fitted attributes (``coef_``, ``intercept_``, ``n_features_in_``, ...) are those of a model fitted on all
    columns, so prediction is the parent's.
    """

    def warm_from(self, model: Any) -> None:
        """Start the next :meth:`fit` at ``model``'s coefficients (a fitted logistic regression), when compatible."""
        coef = getattr(model, "coef_", None)
        self._labelwise_init = None if coef is None else (
            np.asarray(model.classes_), np.array(coef), np.array(model.intercept_))

    def _lean_solver_applies(self, X: Any, y: np.ndarray) -> bool:
        """Whether :mod:`simulations.fast_logreg` solves this fit: sparse input, the preset's kind of problem."""
        penalty = getattr(self, "penalty", "l2")
        return (sp.issparse(X) and self.solver == "lbfgs" and self.fit_intercept and not self.dual
                and penalty in ("l2", "deprecated") and not getattr(self, "l1_ratio", 0)
                and len(np.unique(y)) >= 2 and X.shape[0] == len(y)
                # NaN or inf: the parent's fit refuses them with scikit-learn's own message
                and bool(np.isfinite(X.data).all()))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TextLogisticRegression:
        init = self.__dict__.pop("_labelwise_init", None)
        sparse = sp.issparse(X) and self.solver == "lbfgs" and X.shape[0] > 0
        cols = None
        if sparse:
            X = sp.csr_matrix(X)
            n_features = X.shape[1]
            present = np.bincount(X.indices, minlength=n_features) > 0
            if not present.all():
                cols = np.flatnonzero(present)
                remap = np.cumsum(present) - 1  # column j -> its position among the present ones (order kept)
                X = sp.csr_matrix((X.data, remap[X.indices].astype(X.indices.dtype), X.indptr),
                                  shape=(X.shape[0], len(cols)))
        warm = init is not None and np.array_equal(init[0], np.unique(np.asarray(y))) \
            and init[1].shape[1] == (X.shape[1] if cols is None else n_features)
        for attr in ("coef_", "intercept_"):
            self.__dict__.pop(attr, None)
        start = None
        if warm:
            start = (init[1] if cols is None else init[1][:, cols], init[2])
        if not (sparse and self._lean_solver_applies(X, np.asarray(y)) and self._fit_lean(X, y, sample_weight, start)):
            if warm:
                self.coef_, self.intercept_ = start
            saved = self.warm_start
            self.warm_start = bool(warm)
            try:
                super().fit(X, y, sample_weight=sample_weight)
            finally:
                self.warm_start = saved
        if cols is not None:
            coef = np.zeros((self.coef_.shape[0], n_features), dtype=self.coef_.dtype)
            coef[:, cols] = self.coef_
            self.coef_ = coef
            self.n_features_in_ = n_features
        return self

    def _fit_lean(self, X: Any, y: Any, sample_weight: Any, start: tuple[np.ndarray, np.ndarray] | None) -> bool:
        """Fit with :func:`simulations.fast_logreg.fit_sparse_logistic`; False when it is unavailable here.

        The same objective and the same algorithm as the parent's lbfgs (see that module), without scipy's
        bound-constrained bookkeeping. Fitted attributes are set as the parent sets them.
        """
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.utils.class_weight import compute_class_weight

        from simulations.fast_logreg import LineSearchUnavailable, fit_sparse_logistic

        classes, codes = np.unique(np.asarray(y), return_inverse=True)
        weights = np.ones(len(codes)) if sample_weight is None else np.asarray(sample_weight, dtype=float).copy()
        if self.class_weight is not None:
            per_class = compute_class_weight(self.class_weight, classes=classes, y=np.asarray(y),
                                             sample_weight=None if sample_weight is None else weights)
            weights *= per_class[codes]
        coef0, intercept0 = start if start is not None else (None, None)
        try:
            coef, intercept, res = fit_sparse_logistic(X, codes, len(classes), C=self.C, tol=self.tol,
                                                       max_iter=self.max_iter, sample_weight=weights,
                                                       coef_init=coef0, intercept_init=intercept0)
        except LineSearchUnavailable:
            return False
        if not res.converged:
            warnings.warn(f"lbfgs failed to converge after {res.nit} iteration(s) ({res.status}); increase "
                          "max_iter or scale the data.", ConvergenceWarning, stacklevel=3)
        self.classes_ = classes
        # the parent's dtype: float32 coefficients on float32 features (cheaper products when scoring the pool)
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        self.coef_, self.intercept_ = coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)
        self.n_iter_ = np.array([res.nit], dtype=np.int32)
        self.n_features_in_ = X.shape[1]
        return True


def model_label(spec: str | Any) -> str:
    """A readable name for a model spec (a preset name, or the estimator's class name)."""
    return spec if isinstance(spec, str) else type(spec).__name__


def validate_model(spec: str | Any) -> None:
    """Raise ConfigError unless ``spec`` is a known preset or a classifier with predict_proba."""
    if isinstance(spec, str):
        if spec not in MODELS:
            raise ConfigError(f"Unknown model '{spec}'.", hint=f"Use one of: {', '.join(MODELS)}.")
        return
    if not (hasattr(spec, "fit") and hasattr(spec, "predict_proba")):
        raise ConfigError(
            f"{type(spec).__name__} cannot be used: it has no predict_proba.",
            hint="Pass a scikit-learn classifier that predicts probabilities (for SVC: probability=True).",
        )


def needs_dense(spec: str | Any) -> bool:
    """Whether the model needs a dense feature matrix."""
    if isinstance(spec, str):
        return spec in _DENSE_ONLY or spec == "naive_bayes_gaussian"
    return isinstance(spec, (HistGradientBoostingClassifier, GaussianNB))


def _nonnegative(X: Any) -> bool:
    data = X.data if sp.issparse(X) else np.asarray(X)
    return data.size == 0 or float(data.min()) >= 0.0


def resolve_class_weight(setting: str, metric: str, spec: str | Any = "logreg", *,
                         requested: bool = False) -> tuple[str | None, str]:
    """The class weighting a run uses, and why, in plain words.

    Parameters
    ----------
    setting : {"auto", "balanced", "none"}
        ``"auto"``: balanced when the run's score is balanced accuracy (imbalanced data), for preset models only
        (an estimator passed in is used exactly as configured).
    metric : str
        The run's metric: the default one (:func:`simulations.summary.choose_metric`), or the user's.
    spec : str or estimator
        The model.
    requested : bool, default False
        ``metric`` is the user's choice, not the default: the reason then says so.

    Returns
    -------
    class_weight : "balanced" or None
    reason : str
    """
    if setting not in CLASS_WEIGHTS:
        raise ConfigError(f"Unknown class_weight '{setting}'.", hint=f"Use one of: {', '.join(CLASS_WEIGHTS)}.")
    preset = isinstance(spec, str)
    if setting == "none" or (setting == "auto" and not preset):
        why = "as configured" if not preset and setting == "auto" else "class_weight none"
        return None, f"Classes are not weighted ({why})."
    if setting == "auto" and metric != "balanced_accuracy":
        if requested:
            return None, (f"Classes are not weighted: the run is scored by {METRIC_NAMES.get(metric, metric)}, as "
                          "requested, which rewards predicting the frequent classes.")
        return None, "Classes are not weighted: they are reasonably balanced."
    if not preset and "class_weight" not in clone(spec).get_params():
        raise ConfigError(f"{type(spec).__name__} has no class_weight parameter to balance classes with.",
                          hint="Use class_weight none, or a model with class_weight (e.g. LogisticRegression).")
    why = ("the data is imbalanced and scored by balanced accuracy, so an unweighted model would mostly predict "
           "the majority class and make random sampling look worse than it is" if setting == "auto"
           else "class_weight balanced")
    return "balanced", f"Classes are weighted inversely to their frequency ({why})."


def applied_class_weight(spec: str | Any, X: Any, class_weight: str | None, reason: str) -> tuple[str | None, str]:
    """What :func:`model_factory` really applies on this feature matrix, and why.

    The ``naive_bayes`` preset becomes Gaussian naive Bayes on features with negative values, which has no
    class weights: the weighting is then dropped, and the reason says so, rather than recorded but not applied.
    """
    if class_weight is not None and spec == "naive_bayes" and not _nonnegative(X):
        return None, ("Classes are not weighted: Gaussian naive Bayes (used because some features are negative) "
                      "has no class weights.")
    return class_weight, reason


def model_factory(spec: str | Any, X: Any, class_weight: str | None = None) -> Callable[[int], Any]:
    """A function ``random_state -> unfitted classifier`` for this feature matrix.

    Parameters
    ----------
    spec : str or estimator
        A key of :data:`MODELS` or an unfitted scikit-learn classifier with ``predict_proba``.
    X : ndarray or sparse matrix, shape (n_rows, n_features)
        Used only to pick the naive Bayes variant (multinomial needs non-negative features).
    class_weight : "balanced" or None
        From :func:`resolve_class_weight`. Naive Bayes has no class weights; balanced means uniform class
        priors for the multinomial variant (the Gaussian one keeps its fitted priors).
    """
    validate_model(spec)
    if not isinstance(spec, str):
        def from_estimator(random_state: int) -> Any:
            est = clone(spec)
            if "random_state" in est.get_params():
                est.set_params(random_state=random_state)
            if class_weight is not None:
                est.set_params(class_weight=class_weight)
            return est
        return from_estimator
    cw = class_weight
    if spec == "logreg":
        return lambda rs: TextLogisticRegression(C=1.0, max_iter=1000, class_weight=cw, random_state=rs)
    if spec == "random_forest":
        return lambda rs: RandomForestClassifier(n_estimators=100, n_jobs=1, class_weight=cw, random_state=rs)
    if spec == "hist_gradient_boosting":
        # Small labeled sets: the default min_samples_leaf=20 would forbid any split below 40 labels.
        return lambda rs: HistGradientBoostingClassifier(
            max_iter=100, max_leaf_nodes=15, min_samples_leaf=3, early_stopping=False, class_weight=cw,
            random_state=rs,
        )
    if _nonnegative(X):
        return lambda rs: MultinomialNB(alpha=0.1, fit_prior=cw is None)
    return lambda rs: GaussianNB()


def prepare_matrix(spec: str | Any, X: Any) -> Any:
    """X in a form the model accepts: densified for dense-only models when it fits in memory."""
    dense_needed = needs_dense(spec) or (spec == "naive_bayes" and not _nonnegative(X))
    if not (sp.issparse(X) and dense_needed):
        return X
    cells = X.shape[0] * X.shape[1]
    if cells > MAX_DENSIFY_CELLS:
        raise ConfigError(
            f"The model '{model_label(spec)}' needs dense features, but this data has "
            f"{X.shape[1]:,} sparse (text) features for {X.shape[0]:,} rows.",
            hint="Use logreg or naive_bayes for text data.",
        )
    return X.toarray()
