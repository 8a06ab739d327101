"""Epsilon-greedy mix of a strategy with random sampling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from simulations.errors import ConfigError
from simulations.strategies._common import batch_count
from simulations.strategies.base import PoolView, QueryStrategy


class EpsilonMix(QueryStrategy):
    """Each pick is random with probability ``epsilon``, otherwise the base strategy's.

    Pure uncertainty sampling can get stuck refining one region of a wrong decision boundary
    (sampling bias); a few random picks keep exploring the pool and bound how badly the strategy can
    do relative to random sampling. The number of random picks per batch is
    ``k ~ Binomial(batch, epsilon)``; the base strategy chooses ``batch - k`` rows and the ``k`` random
    picks are drawn uniformly from the candidates it did not choose. ``epsilon=0`` is the base
    strategy and ``epsilon=1`` is random sampling.

    Parameters
    ----------
    base : QueryStrategy
    epsilon : float, default=0.1
        In ``[0, 1]``.

    References
    ----------
    Bouneffouf, D., Laroche, R., Urvoy, T., Féraud, R., & Allesiardo, R. (2014). Contextual bandit
    for active learning: active Thompson sampling. ICONIP.
    Osugi, T., Kim, D., & Scott, S. (2005). Balancing exploration and exploitation: a new algorithm
    for active machine learning. ICDM.
    """

    def __init__(self, base: QueryStrategy, epsilon: float = 0.1) -> None:
        self.base = base
        self.epsilon = epsilon
        self.name = f"eps_{base.name}"

    @property
    def uses_proba(self) -> bool:  # type: ignore[override]
        return bool(getattr(self.base, "uses_proba", True))

    def fit_model(
        self,
        make_model: Callable[[int], Any],
        X_pool: Any,
        labeled: np.ndarray,
        y_labeled: np.ndarray,
        unlabeled: np.ndarray,
        random_state: int,
    ) -> Any:
        """Delegates to the base strategy (so ``eps_self_training`` still self-trains)."""
        return self.base.fit_model(make_model, X_pool, labeled, y_labeled, unlabeled, random_state)

    def select(self, view: PoolView, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """Base picks plus ``Binomial(batch, epsilon)`` uniformly random picks.

        Returns pool indices: the base strategy's picks first, then the random ones.
        """
        if not 0.0 <= self.epsilon <= 1.0:
            raise ConfigError(
                f"epsilon must be between 0 and 1, got {self.epsilon}.", hint="0.1 is a common choice."
            )
        candidates = np.asarray(view.candidates, dtype=int)
        n = batch_count(batch_size, len(candidates))
        if n == 0:
            return np.empty(0, dtype=int)
        # The extremes draw nothing from rng, so epsilon=0 reproduces the base strategy exactly.
        if self.epsilon == 0.0:
            n_random = 0
        elif self.epsilon == 1.0:
            n_random = n
        else:
            n_random = int(rng.binomial(n, self.epsilon))
        base_picks = (
            np.asarray(self.base.select(view, n - n_random, rng), dtype=int)
            if n_random < n
            else np.empty(0, dtype=int)
        )
        if n_random == 0:
            return base_picks
        rest = candidates[~np.isin(candidates, base_picks)]
        random_picks = rng.choice(rest, size=min(n_random, len(rest)), replace=False)
        return np.concatenate([base_picks, random_picks])

    def describe(self) -> str:
        return f"{self.name} ({self.base.describe()}, {self.epsilon:.0%} random picks)"
