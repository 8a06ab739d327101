"""Scaffolding shared by several query strategies (one strategy per module stays the house style).

- :class:`ProbaScoreStrategy`: strategies whose score of a candidate is a function of the model's
  class probabilities for that candidate alone (entropy, least confidence, margin).
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from simulations.strategies.base import PoolView, ScoreStrategy


class ProbaScoreStrategy(ScoreStrategy):
    """A score strategy that reads only the candidates' class probabilities, row by row.

    Subclasses set ``name`` and implement :meth:`score_proba`; the probabilities come from
    ``view.proba()`` (scored once per round and shared) and ties are broken by :func:`top_k` in
    :meth:`ScoreStrategy.select`.
    """

    def scores(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """:meth:`score_proba` of ``view.proba()``; ``rng`` is unused (ties are broken by :func:`top_k`)."""
        return self.score_proba(view.proba())

    @abstractmethod
    def score_proba(self, proba: np.ndarray) -> np.ndarray:
        """Informativeness per row of ``proba`` (shape (n, n_classes)); higher is queried first."""
