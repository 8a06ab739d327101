"""Information density: uncertainty weighted by how representative a row is of the pool."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import row_norms

from simulations.strategies.base import SCORING_CHUNK_ROWS, PoolView, ScoreStrategy
from simulations.strategies.uncertainty import uncertainty_scores


def cosine_density(X: Any, sample: np.ndarray) -> np.ndarray:
    """Mean similarity ``(1 + cos(x, s)) / 2`` of every row of ``X`` to the rows ``sample`` of ``X``.

    The mean cosine to a set equals the dot product of the unit-normalized row with the *mean of the
    unit-normalized sample rows*, so one pass over ``X`` suffices: O(nnz(X)) time and no densified or
    normalized copy of the pool. Rows of norm zero have cosine 0 to everything (density 0.5).

    Parameters
    ----------
    X : ndarray or sparse matrix, shape (n_pool, n_features)
    sample : ndarray of int, shape (n_sample,)
        Row indices of ``X`` the density is measured against.

    Returns
    -------
    ndarray, shape (n_pool,)
        In ``[0, 1]``.
    """
    S = X[sample] if sp.issparse(X) else np.asarray(X)[sample]
    s_norm = np.sqrt(row_norms(S, squared=True))
    inv = np.divide(1.0, s_norm, out=np.zeros_like(s_norm), where=s_norm > 0)
    if sp.issparse(S):
        centroid = np.asarray((sp.diags(inv) @ S).mean(axis=0), dtype=float).ravel()
    else:
        centroid = (np.asarray(S, dtype=float) * inv[:, None]).mean(axis=0)
    n = X.shape[0]
    out = np.empty(n, dtype=float)
    for start in range(0, n, SCORING_CHUNK_ROWS):
        stop = min(start + SCORING_CHUNK_ROWS, n)
        chunk = X[start:stop]
        norm = np.sqrt(row_norms(chunk, squared=True))
        dots = np.asarray(chunk @ centroid, dtype=float).ravel()
        out[start:stop] = np.divide(dots, norm, out=np.zeros_like(dots), where=norm > 0)
    return np.clip((1.0 + out) / 2.0, 0.0, 1.0)


class DensityWeighted(ScoreStrategy):
    """Information density: ``uncertainty(x) * density(x) ** beta``.

    Pure uncertainty sampling likes outliers: a row far from everything is often uncertain, but its
    label teaches the model little about the rest of the pool. Weighting by the row's average
    similarity to the pool favours uncertain rows that are also representative (Settles & Craven
    2008). Similarity is cosine mapped to ``[0, 1]`` as ``(1 + cos) / 2``; the average is taken over a
    random sample of at most ``n_density_samples`` pool rows.

    The density depends only on the pool, so it is computed once per run for the whole pool and kept
    in ``view.cache``; later rounds only index it by the candidates. "The pool" is every row of
    ``view.X``: with an extra pool (unlabeled rows that are never queried) the density sample is drawn
    from those rows too, so representativeness is judged against all the data a project holds.

    Parameters
    ----------
    base : {"entropy", "margin", "least_confidence"}, default="entropy"
        Uncertainty measure (margin is used as ``1 - gap``).
    beta : float, default=1.0
        Weight of the density term; 0 reduces to the base uncertainty.
    n_density_samples : int, default=500
        Pool rows the density of each row is averaged over.

    References
    ----------
    Settles, B., & Craven, M. (2008). An analysis of active learning strategies for sequence
    labeling tasks. EMNLP.
    """

    name = "density_weighted"

    def __init__(self, base: str = "entropy", beta: float = 1.0, n_density_samples: int = 500) -> None:
        self.base = base
        self.beta = beta
        self.n_density_samples = n_density_samples

    def pool_density(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """Density of every pool row, from ``view.cache`` when already computed this run.

        Parameters
        ----------
        view : PoolView
        rng : numpy Generator
            Draws the density sample (only on the first call of a run).

        Returns
        -------
        ndarray, shape (n_pool + n_extra,)
            One value per row of ``view.X`` (extra pool rows included).
        """
        # Keyed by the settings the density depends on, so differently configured instances sharing
        # one cache never read each other's values.
        key = ("density_weighted", "cosine", int(self.n_density_samples))
        density = view.cache.get(key)
        if density is None:
            n_pool = view.X.shape[0]
            m = max(1, min(int(self.n_density_samples), n_pool))
            sample = np.sort(rng.choice(n_pool, size=m, replace=False))
            density = cosine_density(view.X, sample)
            view.cache[key] = density
        return density

    def scores(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """Uncertainty times density to the power ``beta``, per candidate.

        Parameters
        ----------
        view : PoolView
        rng : numpy Generator

        Returns
        -------
        ndarray, shape (n_candidates,)
        """
        uncertainty = uncertainty_scores(view.proba(), self.base)
        density = self.pool_density(view, rng)[view.candidates]
        return uncertainty * density**self.beta

    def describe(self) -> str:
        return f"{self.name} ({self.base} x density^{self.beta:g})"
