"""Least-confidence uncertainty sampling."""

from __future__ import annotations

import numpy as np

from simulations.strategies._common import ProbaScoreStrategy
from simulations.strategies.uncertainty import least_confidence


class LeastConfidence(ProbaScoreStrategy):
    """Query the candidates whose most likely class has the lowest probability: score ``1 - max_k p_k``.

    Only the top class is looked at, so with many classes it ignores how the rest of the probability
    mass is spread (entropy looks at all of it, margin at the runner-up).

    References
    ----------
    Lewis, D. D., & Gale, W. A. (1994). A sequential algorithm for training text classifiers. SIGIR.
    Culotta, A., & McCallum, A. (2005). Reducing labeling effort for structured prediction tasks. AAAI.
    """

    name = "least_confidence"

    def score_proba(self, proba: np.ndarray) -> np.ndarray:
        """``1 - max p`` per row."""
        return least_confidence(proba)
