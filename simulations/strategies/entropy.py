"""Entropy uncertainty sampling."""

from __future__ import annotations

import numpy as np

from simulations.strategies.base import PoolView, ScoreStrategy
from simulations.strategies.uncertainty import entropy


class Entropy(ScoreStrategy):
    """Query the candidates whose predicted class distribution has the highest Shannon entropy.

    Unlike least confidence and margin, entropy uses every class probability, so with many classes
    it prefers rows whose probability mass is spread widely over rows torn between just two classes.

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. Bell System Technical Journal.
    Settles, B. (2009). Active Learning Literature Survey, section 3.1.
    """

    name = "entropy"

    def __init__(self) -> None:
        pass

    def scores(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """Entropy (nats) of the predicted class distribution per candidate.

        Parameters
        ----------
        view : PoolView
        rng : numpy Generator
            Unused (ties are broken by :func:`top_k`).

        Returns
        -------
        ndarray, shape (n_candidates,)
            In ``[0, ln n_classes]``.
        """
        return entropy(view.proba())
