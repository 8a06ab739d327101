"""Core-set selection: greedy k-center cover of the pool."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import pairwise_distances

from simulations.strategies._common import batch_count
from simulations.strategies.base import PoolView, QueryStrategy, take_rows, top_k

# Labeled rows per pairwise_distances call when initialising: bounds the (n_candidates x chunk) matrix.
_LABELED_CHUNK = 1000


class CoreSet(QueryStrategy):
    """Query the candidates farthest from everything labeled so far (greedy k-center).

    Farthest-first traversal (Sener & Savarese 2018): keep each candidate's Euclidean distance to its
    nearest labeled-or-chosen row; repeatedly pick the candidate with the largest such distance and
    lower the others' distances with their distance to the new pick. This covers the feature space
    evenly and ignores the model, so it is a pure diversity/representativeness baseline. Each pick
    costs one ``n_candidates x 1`` distance column; the full matrix is never recomputed.

    Parameters
    ----------
    max_candidates : int, default=5000
        When there are more candidates, a random subsample of this size is covered instead (the
        initial distance pass is ``n_candidates x n_labeled``).

    References
    ----------
    Sener, O., & Savarese, S. (2018). Active learning for convolutional neural networks: a core-set
    approach. ICLR.
    Gonzalez, T. F. (1985). Clustering to minimize the maximum intercluster distance. Theoretical
    Computer Science.
    """

    name = "coreset"
    # Distances in feature space only; the model's probabilities are never read.
    uses_proba = False

    def __init__(self, max_candidates: int = 5000) -> None:
        self.max_candidates = max_candidates

    def select(self, view: PoolView, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Farthest-first picks among (a subsample of) the candidates, as pool indices in pick order.

        ``rng`` draws the candidate subsample and breaks distance ties.
        """
        candidates = np.asarray(view.candidates, dtype=int)
        k = batch_count(batch_size, len(candidates))
        if k == 0:
            return np.empty(0, dtype=int)
        if len(candidates) > self.max_candidates >= k:
            candidates = np.sort(rng.choice(candidates, size=int(self.max_candidates), replace=False))
        X_cand = take_rows(view.X, candidates)
        min_dist = np.full(len(candidates), np.inf)
        X_lab = view.X_labeled() if len(view.labeled) else None
        if X_lab is not None:
            for start in range(0, X_lab.shape[0], _LABELED_CHUNK):
                d = pairwise_distances(X_cand, X_lab[start : start + _LABELED_CHUNK])
                np.minimum(min_dist, d.min(axis=1), out=min_dist)
        picked = np.empty(k, dtype=int)
        for i in range(k):
            # With nothing labeled all distances are inf and top_k picks at random, as it should.
            j = int(top_k(min_dist, 1, rng)[0])
            picked[i] = j
            d = pairwise_distances(X_cand, X_cand[j : j + 1]).ravel()
            np.minimum(min_dist, d, out=min_dist)
            # A chosen row must never be chosen again, even if it duplicates another.
            min_dist[j] = -np.inf
        return candidates[picked]

    def describe(self) -> str:
        return f"{self.name} (greedy k-center over at most {self.max_candidates} candidates)"
