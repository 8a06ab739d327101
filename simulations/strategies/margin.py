"""Margin (best-versus-second-best) uncertainty sampling."""

from __future__ import annotations

import numpy as np

from simulations.strategies._common import ProbaScoreStrategy
from simulations.strategies.uncertainty import margin_gap


class Margin(ProbaScoreStrategy):
    """Query the candidates with the smallest gap between the two most likely classes.

    A small gap means the model can barely tell its top two classes apart, i.e. the row sits near a
    decision boundary. The score is ``-(p_(1) - p_(2))`` so that higher is queried first.

    References
    ----------
    Scheffer, T., Decomain, C., & Wrobel, S. (2001). Active hidden Markov models for information
    extraction. IDA.
    """

    name = "margin"

    def score_proba(self, proba: np.ndarray) -> np.ndarray:
        """Negative top-two probability gap per row, in ``[-1, 0]``."""
        return -margin_gap(proba)
