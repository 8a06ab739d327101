"""How far a quick estimate on a sample was from the full run: the measured figures the pool caveat quotes.

The figures come from ``benchmarks/quick_vs_full.py`` (report ``benchmarks/results/quick_vs_full.md``); update
:data:`QUICK_VS_FULL` with the benchmark. :mod:`simulations.curves.pool` re-exports both names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class QuickVsFull:
    """How far a quick estimate on a sample was from the full run, measured on the shipped datasets.

    Every count comes from ``source`` (written by ``benchmarks/quick_vs_full.py``); a test checks them against
    the benchmark's JSON, so they cannot drift from the measurement. "Inside" means the quick median lies in
    the full run's 95% interval (a full run censored at the budget counts as "at least" its value).

    Attributes
    ----------
    version : str
        Date of the benchmark run the figures come from.
    source : str
        The benchmark report, relative to the repository root.
    sample_share, n_datasets, n_seeds : float, int, int
        The quick run's share of the rows, datasets compared, seeds per run.
    labels_compared, labels_inside, labels_quick_lower, labels_quick_higher : int
        Labels-to-target (random and margin, over the datasets), uncorrected quick estimate.
    corrected_compared, corrected_inside, corrected_quick_lower, corrected_quick_higher : int
        The same with the pool-size correction (:func:`simulations.curves.pool.project_to_pool`).
    savings_compared, savings_inside : int
        Savings fraction of margin against random (not corrected: it was already stable).
    ceiling_compared, ceiling_quick_lower, ceiling_inside, projected_ceiling_inside : int
        The ceiling: how often the quick one was lower than the full one, and inside its interval, without and
        with the projection to the full pool size.
    full_ceiling_in_projected_interval : int
        How often the full run's ceiling fell inside the projected ceiling's 95% prediction interval.
    """

    version: str
    source: str
    sample_share: float
    n_datasets: int
    n_seeds: int
    labels_compared: int
    labels_inside: int
    labels_quick_lower: int
    labels_quick_higher: int
    corrected_compared: int
    corrected_inside: int
    corrected_quick_lower: int
    corrected_quick_higher: int
    savings_compared: int
    savings_inside: int
    ceiling_compared: int
    ceiling_quick_lower: int
    ceiling_inside: int
    projected_ceiling_inside: int
    full_ceiling_in_projected_interval: int

    @property
    def correction_helps(self) -> bool:
        """True when the corrected labels-to-target landed inside the full run's interval more often."""
        return self.corrected_inside * self.labels_compared > self.labels_inside * self.corrected_compared

    def sentence(self) -> str:
        """The measured bias in one sentence (figures and source)."""
        return (
            f"On the {self.n_datasets} shipped datasets ({self.n_seeds} seeds; {self.source}), a quick run on a "
            f"{self.sample_share:.0%} sample put labels-to-target inside the full run's 95% range in "
            f"{self.labels_inside} of {self.labels_compared} cases and erred low in {self.labels_quick_lower} "
            f"(high in {self.labels_quick_higher}); with the pool-size correction it was inside in "
            f"{self.corrected_inside} of {self.corrected_compared} (low in {self.corrected_quick_lower}, high in "
            f"{self.corrected_quick_higher}). The savings fraction was more stable: inside in {self.savings_inside} "
            f"of {self.savings_compared}. The projected ceiling tends to overshoot (its 95% range held the full "
            f"run's ceiling in {self.full_ceiling_in_projected_interval} of {self.ceiling_compared})."
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "correction_helps": self.correction_helps}


#: Figures of ``benchmarks/results/quick_vs_full.md`` (versioned: update them with the benchmark).
QUICK_VS_FULL = QuickVsFull(
    version="2026-11-26",
    source="benchmarks/results/quick_vs_full.md",
    sample_share=0.2,
    n_datasets=6,
    n_seeds=10,
    labels_compared=12,
    labels_inside=6,
    labels_quick_lower=7,
    labels_quick_higher=1,
    corrected_compared=12,
    corrected_inside=9,
    corrected_quick_lower=3,
    corrected_quick_higher=6,
    savings_compared=4,
    savings_inside=4,
    ceiling_compared=6,
    ceiling_quick_lower=4,
    ceiling_inside=2,
    projected_ceiling_inside=2,
    full_ceiling_in_projected_interval=5,
)
