"""Diverse mini-batch active learning: uncertainty prefilter, then k-means for diversity."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning

from simulations.strategies._common import batch_count
from simulations.strategies.base import PoolView, QueryStrategy, take_rows, top_k
from simulations.strategies.uncertainty import uncertainty_scores


class DiverseMiniBatch(QueryStrategy):
    """Pick a batch that is both uncertain and spread out (Zhdanov 2019).

    Querying the top-``batch`` most uncertain rows wastes labels when they are near-copies of each
    other (duplicates, templated texts). Instead: take the ``prefilter * batch`` most uncertain
    candidates, cluster them into ``batch`` groups with k-means weighted by uncertainty, and query the
    candidate nearest to each centroid. Clusters that come out empty (fewer distinct rows than the
    batch) are filled with the most uncertain rows not yet chosen.

    Parameters
    ----------
    prefilter : int, default=10
        The uncertainty shortlist holds ``prefilter * batch_size`` candidates.
    base : {"margin", "entropy", "least_confidence"}, default="margin"
        Uncertainty measure of the shortlist and of the k-means sample weights.

    References
    ----------
    Zhdanov, F. (2019). Diverse mini-batch active learning. arXiv:1901.05954.
    """

    name = "diverse_batch"

    def __init__(self, prefilter: int = 10, base: str = "margin") -> None:
        self.prefilter = prefilter
        self.base = base

    def select(self, view: PoolView, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Uncertain, mutually distant candidates (pool indices).

        ``rng`` breaks uncertainty ties and seeds k-means.
        """
        k = batch_count(batch_size, len(view.candidates))
        if k == 0:
            return np.empty(0, dtype=int)
        u = uncertainty_scores(view.proba(), self.base)
        short = top_k(u, max(k, int(self.prefilter) * k), rng)  # positions into candidates, best first
        if len(short) <= k or k == 1:
            return view.candidates[short[:k]]
        X_short = take_rows(view.X, view.candidates[short])
        km = KMeans(n_clusters=k, n_init=1, random_state=int(rng.integers(0, 2**31 - 1)))
        with warnings.catch_warnings():
            # Fewer distinct rows than clusters (duplicates) is expected and handled below.
            warnings.simplefilter("ignore", ConvergenceWarning)
            # Tiny floor on the weights: rows of zero uncertainty still need a say in the geometry.
            km.fit(X_short, sample_weight=u[short] + 1e-12)
        dist = km.transform(X_short)  # (n_short, k) distances to centroids
        labels = km.labels_
        picked: list[int] = []
        for c in range(k):
            members = np.flatnonzero(labels == c)
            if len(members):
                picked.append(int(members[np.argmin(dist[members, c])]))
        if len(picked) < k:
            # Empty clusters: top up with the most uncertain unchosen rows (short is sorted best first).
            chosen = set(picked)
            picked.extend([int(i) for i in range(len(short)) if i not in chosen][: k - len(picked)])
        return view.candidates[short[np.asarray(picked, dtype=int)]]

    def describe(self) -> str:
        return f"{self.name} ({self.base}, shortlist {self.prefilter} x batch)"
