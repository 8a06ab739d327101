"""Margin (best-versus-second-best) uncertainty sampling."""

from __future__ import annotations

import numpy as np

from simulations.strategies.base import PoolView, ScoreStrategy
from simulations.strategies.uncertainty import margin_gap


class Margin(ScoreStrategy):
    """Query the candidates with the smallest gap between the two most likely classes.

    A small gap means the model can barely tell its top two classes apart, i.e. the row sits near a
    decision boundary. The score is ``-(p_(1) - p_(2))`` so that higher is queried first.

    References
    ----------
    Scheffer, T., Decomain, C., & Wrobel, S. (2001). Active hidden Markov models for information
    extraction. IDA.
    """

    name = "margin"

    def __init__(self) -> None:
        pass

    def scores(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """Negative top-two probability gap per candidate.

        Parameters
        ----------
        view : PoolView
        rng : numpy Generator
            Unused (ties are broken by :func:`top_k`).

        Returns
        -------
        ndarray, shape (n_candidates,)
            In ``[-1, 0]``.
        """
        return -margin_gap(view.proba())
