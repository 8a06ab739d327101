"""Scaffolding shared by several query strategies (one strategy per module stays the house style).

- :class:`ProbaScoreStrategy`: strategies whose score of a candidate is a function of the model's
  class probabilities for that candidate alone (entropy, least confidence, margin).
- :func:`batch_count`: how many rows a ``select`` call picks, for strategies that choose a batch as a
  whole instead of ranking scores (random, core-set, diverse mini-batch, epsilon mixes).
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from simulations.strategies.base import PoolView, ScoreStrategy


def batch_count(batch_size: int, n_candidates: int) -> int:
    """Rows one ``select`` call returns: ``batch_size`` clamped to ``[0, n_candidates]``.

    Parameters
    ----------
    batch_size : int
        Requested batch (zero or negative asks for nothing).
    n_candidates : int
        Candidates available this round.

    Returns
    -------
    int
        ``max(0, min(batch_size, n_candidates))``.
    """
    return max(0, min(int(batch_size), n_candidates))


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
