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


def per_cost(gain: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Informativeness per unit of money: ``gain / cost``, shape (n,).

    A free item (cost 0) with anything to teach scores ``inf`` (it is taken first); a free item with nothing to
    teach (gain 0) scores 0, not NaN.

    Parameters
    ----------
    gain : ndarray of float, shape (n,)
        Zero or more; higher is more informative.
    costs : ndarray of float, shape (n,)
        Money per label, zero or more.
    """
    gain = np.asarray(gain, dtype=float)
    costs = np.asarray(costs, dtype=float)
    out = np.where(gain > 0, np.inf, 0.0)
    return np.divide(gain, costs, out=out, where=costs > 0)


class PerCostStrategy(ScoreStrategy):
    """An uncertainty strategy's informativeness divided by each candidate's cost (score per dollar).

    Without item costs (``view.costs`` None) the scores are exactly the cost-blind strategy's (``blind``), so
    the picks are too: with one price per label, information per dollar ranks as information does.
    Subclasses set ``name``, ``blind`` and implement :meth:`gain`.
    """

    #: The cost-blind strategy this one divides by the cost (its scores are used as they are without costs).
    blind: ProbaScoreStrategy

    def scores(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """The blind strategy's scores without costs; :meth:`gain` / cost with them."""
        costs = view.candidate_costs()
        if costs is None:
            return self.blind.score_proba(view.proba())
        return per_cost(self.gain(view.proba()), costs)

    @abstractmethod
    def gain(self, proba: np.ndarray) -> np.ndarray:
        """Informativeness of each row of ``proba`` (shape (n, n_classes)) on a ratio scale: 0 = nothing to learn."""
