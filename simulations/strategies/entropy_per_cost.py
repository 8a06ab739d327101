"""Entropy per dollar: the entropy strategy's uncertainty divided by each item's cost."""

from __future__ import annotations

import numpy as np

from simulations.strategies._common import PerCostStrategy
from simulations.strategies.entropy import Entropy
from simulations.strategies.uncertainty import entropy


class EntropyPerCost(PerCostStrategy):
    """Query the candidates with the most predictive entropy per unit of money.

    The gain is the Shannon entropy (nats) of the row's predicted class distribution, 0 when the model is sure,
    divided by the item's cost per label. Without item costs the picks are exactly :class:`Entropy`'s.

    References
    ----------
    Settles, B., Craven, M., & Friedland, L. (2008). Active learning with real annotation costs. NIPS Workshop
    on Cost-Sensitive Learning.
    """

    name = "entropy_per_cost"
    blind = Entropy()

    def gain(self, proba: np.ndarray) -> np.ndarray:
        """Entropy (nats) of each row's class distribution, in ``[0, ln n_classes]``."""
        return entropy(proba)
