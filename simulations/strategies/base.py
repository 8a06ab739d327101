"""The contract every query strategy follows.

A strategy looks at the current model and the unlabeled candidates and returns the pool indices to
label next. Strategies hold only their settings (no fitted state), so one instance can be reused
across rounds, seeds and processes; anything worth reusing between rounds of one run (a density
estimate, say) goes into ``PoolView.cache``, which the loop keeps for the life of one run.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

# Rows scored per predict_proba call: bounds the memory of a scoring pass on large pools.
SCORING_CHUNK_ROWS = 50_000


def predict_proba_aligned(model: Any, X: Any, classes: np.ndarray) -> np.ndarray:
    """Class probabilities in the column order of ``classes``, scored in row chunks.

    A model fitted on a subset that lacks some classes (a bootstrap committee member, say) gets
    zero columns for the classes it never saw.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba`` and ``classes_``
    X : array-like or sparse matrix, shape (n_rows, n_features)
    classes : ndarray, shape (n_classes,)

    Returns
    -------
    ndarray, shape (n_rows, n_classes)
    """
    n = X.shape[0]
    out = np.zeros((n, len(classes)), dtype=float)
    if n == 0:
        # sklearn refuses zero-row input; an empty score table is the right answer.
        return out
    model_classes = np.asarray(model.classes_)
    if len(model_classes) == len(classes) and np.array_equal(model_classes, classes):
        cols = None
    else:
        cols = np.searchsorted(classes, model_classes)
    for start in range(0, n, SCORING_CHUNK_ROWS):
        stop = min(start + SCORING_CHUNK_ROWS, n)
        p = model.predict_proba(X[start:stop])
        if cols is None:
            out[start:stop] = p
        else:
            out[start:stop, cols] = p
    return out


def take_rows(X: Any, idx: np.ndarray) -> Any:
    """Rows ``idx`` of a dense array or sparse matrix (CSR stays CSR)."""
    if sp.issparse(X):
        return X[idx]
    return np.asarray(X)[idx]


@dataclass
class PoolView:
    """What a strategy may look at in one round.

    Parameters
    ----------
    X : ndarray or sparse matrix, shape (n_pool + n_extra, n_features)
        The whole pool, never copied between rounds: the labelable rows, then the extra pool rows (label
        unknown, never candidates; see docs/engine-contract.md). Pool-level estimates such as density may
        use every row; queries come only from ``candidates``.
    candidates : ndarray of int, shape (n_candidates,)
        Pool indices that may be queried (unlabeled; possibly a random subsample of them).
    labeled : ndarray of int, shape (n_labeled,)
        Pool indices labeled so far.
    y_labeled : ndarray, shape (n_labeled,)
        Their labels.
    classes : ndarray, shape (n_classes,)
        All classes of the task, sorted.
    model : fitted classifier
        The model trained on the labeled rows this round.
    make_model : callable
        ``make_model(random_state)`` returns a fresh unfitted copy of the model (for committees).
    cache : dict
        Survives across rounds of one run; strategies may store pool-level precomputations here.
    costs : ndarray of float, shape (n_pool,), optional
        Money per label of each pool item (``SimulationConfig.costs``); None when every label costs the same.
    candidate_proba : ndarray, shape (n_candidates, n_classes), optional
        The model's probabilities for the candidates when the caller already has them (the loop scores the whole
        pool once per round); computed on first use of :meth:`proba` otherwise.
    """

    X: Any
    candidates: np.ndarray
    labeled: np.ndarray
    y_labeled: np.ndarray
    classes: np.ndarray
    model: Any
    make_model: Callable[[int], Any]
    cache: dict = field(default_factory=dict)
    costs: np.ndarray | None = None
    candidate_proba: np.ndarray | None = field(default=None, repr=False)

    def proba(self) -> np.ndarray:
        """Model probabilities for the candidates, shape (n_candidates, n_classes), computed once."""
        if self.candidate_proba is None:
            self.candidate_proba = predict_proba_aligned(self.model, take_rows(self.X, self.candidates),
                                                         self.classes)
        return self.candidate_proba

    def candidate_costs(self) -> np.ndarray | None:
        """Money per label of the candidates, shape (n_candidates,); None without item costs."""
        return None if self.costs is None else np.asarray(self.costs, dtype=float)[self.candidates]

    def X_candidates(self) -> Any:
        """Feature rows of the candidates (a copy: only strategies that need features call it)."""
        return take_rows(self.X, self.candidates)

    def X_labeled(self) -> Any:
        """Feature rows of the labeled set."""
        return take_rows(self.X, self.labeled)


def top_k(scores: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of the ``k`` highest scores; ties broken at random (reproducibly under ``rng``).

    The order is that of a full sort by (score descending, uniform random key ascending), but found in
    O(n): ``np.partition`` finds the k-th best score, and only the rows scoring at least that much are
    sorted (every other row would sort after them anyway). On a 1M-row pool this cut the batch pick from
    0.37 s to 0.02 s a round (benchmarks/results/million_rows.md).

    Parameters
    ----------
    scores : ndarray, shape (n,)
        Higher means more informative. NaN counts as the lowest score.
    k : int
    rng : numpy Generator
        Draws ``n`` tie-break keys, always (also when ``k`` is 0), so the generator's stream after the
        call does not depend on the scores.

    Returns
    -------
    ndarray of int, shape (min(k, n),)
    """
    scores = np.where(np.isnan(scores), -np.inf, np.asarray(scores, dtype=float))
    n = len(scores)
    k = max(0, min(int(k), n))
    tiebreak = rng.random(n)
    if k == 0:
        return np.empty(0, dtype=np.intp)
    neg = -scores
    if k < n:
        kth = np.partition(neg, k - 1)[k - 1]
        keep = np.flatnonzero(neg <= kth)  # every row tied with the k-th best stays in the running
    else:
        keep = np.arange(n)
    # lexsort sorts by the last key first: score descending, then the random key; stable on ``keep``.
    order = np.lexsort((tiebreak[keep], neg[keep]))
    return keep[order[:k]]


class QueryStrategy(ABC):
    """Base class: pick the next batch of pool indices to label.

    Subclasses keep only settings as attributes (set in ``__init__`` without computation).
    """

    #: Registry name, e.g. ``"margin"``.
    name: str = ""
    #: Whether ``select`` reads ``view.proba()``. The loop scores the whole pool once per round and
    #: shares it with the strategy only when this is True; strategies that never look at the model's
    #: probabilities (random, core-set) set it to False to skip that pass.
    uses_proba: bool = True

    @abstractmethod
    def select(self, view: PoolView, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Return ``min(batch_size, len(view.candidates))`` distinct pool indices from ``view.candidates``."""

    def fit_model(
        self,
        make_model: Callable[[int], Any],
        X_pool: Any,
        labeled: np.ndarray,
        y_labeled: np.ndarray,
        unlabeled: np.ndarray,
        random_state: int,
    ) -> Any:
        """Train the round's model. The default fits on the human labels only.

        Semi-supervised strategies (self-training) override this to add pseudo-labels. ``unlabeled``
        holds the unlabeled pool rows and then the extra pool rows (indices into ``X_pool``), so such
        strategies learn from every row whose label nobody has bought.
        """
        model = make_model(random_state)
        model.fit(take_rows(X_pool, labeled), y_labeled)
        return model

    def describe(self) -> str:
        """One line for reports."""
        return self.name


class ScoreStrategy(QueryStrategy):
    """A strategy that scores each candidate independently and takes the top of the ranking."""

    @abstractmethod
    def scores(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """Informativeness per candidate, shape (n_candidates,); higher is queried first."""

    def select(self, view: PoolView, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        if batch_size <= 0 or len(view.candidates) == 0:
            return np.empty(0, dtype=int)
        s = self.scores(view, rng)
        return view.candidates[top_k(s, batch_size, rng)]
