"""Margin per dollar: the margin strategy's uncertainty divided by each item's cost."""

from __future__ import annotations

import numpy as np

from simulations.strategies._common import PerCostStrategy
from simulations.strategies.margin import Margin
from simulations.strategies.uncertainty import margin_gap


class MarginPerCost(PerCostStrategy):
    """Query the candidates with the most margin uncertainty per unit of money.

    The gain is ``1 - (p_(1) - p_(2))`` (1 when the model cannot tell its top two classes apart, 0 when it is
    sure), divided by the item's cost per label. Without item costs the picks are exactly :class:`Margin`'s.

    References
    ----------
    Settles, B., Craven, M., & Friedland, L. (2008). Active learning with real annotation costs. NIPS Workshop
    on Cost-Sensitive Learning.
    Haertel, R., Seppi, K., Ringger, E., & Carroll, J. (2008). Return on investment for active learning. NIPS
    Workshop on Cost-Sensitive Learning.
    """

    name = "margin_per_cost"
    blind = Margin()

    def gain(self, proba: np.ndarray) -> np.ndarray:
        """One minus the top-two probability gap per row, in ``[0, 1]``."""
        return 1.0 - margin_gap(proba)
