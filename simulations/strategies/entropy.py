"""Entropy uncertainty sampling."""

from __future__ import annotations

import numpy as np

from simulations.strategies._common import ProbaScoreStrategy
from simulations.strategies.uncertainty import entropy


class Entropy(ProbaScoreStrategy):
    """Query the candidates whose predicted class distribution has the highest Shannon entropy.

    Unlike least confidence and margin, entropy uses every class probability, so with many classes
    it prefers rows whose probability mass is spread widely over rows torn between just two classes.

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. Bell System Technical Journal.
    Settles, B. (2009). Active Learning Literature Survey, section 3.1.
    """

    name = "entropy"

    def score_proba(self, proba: np.ndarray) -> np.ndarray:
        """Entropy (nats) of each row's class distribution, in ``[0, ln n_classes]``."""
        return entropy(proba)
