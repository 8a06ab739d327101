"""Random sampling: the baseline every active learning strategy is compared against."""

from __future__ import annotations

import numpy as np

from simulations.strategies._common import batch_count
from simulations.strategies.base import PoolView, QueryStrategy


class RandomSampling(QueryStrategy):
    """Query candidates uniformly at random, without replacement.

    This is what labeling without active learning amounts to, so it is the reference for every
    estimate of label savings (Lewis & Gale 1994 use it as the "passive" baseline).

    References
    ----------
    Lewis, D. D., & Gale, W. A. (1994). A sequential algorithm for training text classifiers. SIGIR.
    """

    name = "random"
    # Random picks never look at the model, so the loop may skip scoring the pool.
    uses_proba = False

    def select(self, view: PoolView, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Pick ``min(batch_size, n_candidates)`` candidates uniformly at random (pool indices)."""
        candidates = np.asarray(view.candidates, dtype=int)
        k = batch_count(batch_size, len(candidates))
        if k == 0:
            return np.empty(0, dtype=int)
        return rng.choice(candidates, size=k, replace=False)
