"""How far to trust the numbers: the measured error rates the product quotes beside its verdicts and projections.

Every figure here was measured by a benchmark on data and settings the product was not tuned to, and a test ties
each one to the benchmark's committed JSON (``tests/test_trust.py``), so what users read cannot drift from what was
measured. Re-run the benchmark, update the figure and its date together.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulations.curves.pool import QUICK_VS_FULL

__all__ = ["MEASURED", "MeasuredTrust"]


@dataclass(frozen=True, kw_only=True)
class MeasuredTrust:
    """The measured reliability of the verdict and of curve extrapolation.

    Attributes
    ----------
    false_verdict_rate : float
        Worst share of repetitions with a verdict ("beats" or "worse than random") when no strategy differs from
        random, over 3-20 seeds, 1-6 strategies and three noise shapes (``benchmarks/results/null_power.md``).
    power_default : float
        Share of "beats random" for the best of 3 strategies at the default 7 seeds when the true median saving is
        25% (per-seed noise sd 0.3): how often a real, moderate saving is detected.
    power_default_noisy : float
        The same with noise sd 0.6.
    extrapolation_coverage80, extrapolation_coverage95 : float
        Share of held-out learning-curve points (2x and 4x past the fitted labels, single runs) inside the fit's 80%
        and 95% prediction intervals (``benchmarks/results/extrapolation.md``).
    pilot_coverage95, pilot_coverage80 : float
        Share of a pilot's labels-to-target intervals (margin and random; pilots of 500 and 1,000 rows and 20%
        projected to the full pool) that held the full data's median (``benchmarks/results/calibration.md``).
    pilot_coverage95_can_project : float
        The same for the pilots the plan said could project (``Plan.pilot.can_project``).
    pilot_can_project_share : float
        Share of the pilots the plan said could project.
    pilot_median_rel_error : float
        Median absolute error of a pilot's projected labels to target, relative to the full data's.
    pilot_coverage95_held_out, pilot_coverage80_held_out : float
        The label coverage on the held-out half of the suite (its odd positions; the interval rule was chosen on the
        even ones): the honest figure.
    pilot_open_share95 : float
        Share of the pilot's 95% label intervals whose upper end is the whole production pool (they cover by saying
        nothing; the plan then says it cannot project).
    pilot_saved_coverage95, pilot_saved_coverage80 : float
        The same coverage for labels saved (its interval carries the label intervals' projection doubt,
        ``simulations.plan.pilot.widen_difference``), all pilots.
    pilot_saved_coverage95_held_out : float
        Labels saved, 95%, on the held-out half.
    pilot_datasets, pilot_comparisons : int
        Datasets in the calibration suite, and label intervals compared.
    roi_width_exponent : float
        ``b`` in "the ROI interval's width ~ pilot rows ** -b", measured on real datasets' pilots of 500 and 1,000
        rows and 20% (``benchmarks/results/calibration.md``): how many more pilot labels would settle an undecided
        ROI (``simulations.plan.pilot``).
    sources : tuple of str
        The benchmark reports, relative to the repository root.
    """

    false_verdict_rate: float
    power_default: float
    power_default_noisy: float
    extrapolation_coverage80: float
    extrapolation_coverage95: float
    pilot_coverage95: float
    pilot_coverage80: float
    pilot_coverage95_can_project: float
    pilot_can_project_share: float
    pilot_median_rel_error: float
    pilot_coverage95_held_out: float
    pilot_coverage80_held_out: float
    pilot_open_share95: float
    pilot_saved_coverage95: float
    pilot_saved_coverage80: float
    pilot_saved_coverage95_held_out: float
    pilot_datasets: int
    pilot_comparisons: int
    roi_width_exponent: float
    sources: tuple[str, ...]

    def verdict_sentence(self) -> str:
        """The measured error rate of a verdict, for the page and the report beside it."""
        return (f"Measured on null data (no real difference): a wrong 'beats' or 'worse than random' in at most "
                f"{self.false_verdict_rate:.1%} of runs. A real 25% saving is detected in "
                f"{self.power_default:.0%} of 7-seed runs ({self.power_default_noisy:.0%} when seeds disagree "
                "more), so 'no evidence' is common and does not mean active learning fails.")

    def pilot_sentence(self) -> str:
        """The measured coverage of a pilot's projection to a larger pool, beside the projection."""
        return (f"Measured on {self.pilot_datasets} real datasets (pilots of 500 and 1,000 rows and 20%, projected to "
                f"the full data): the 95% label interval held the full data's answer in {self.pilot_coverage95:.0%} "
                f"of {self.pilot_comparisons} cases ({self.pilot_coverage95_can_project:.0%} where the plan said it "
                f"could project, {self.pilot_can_project_share:.0%} of pilots), the 80% interval in "
                f"{self.pilot_coverage80:.0%} ({self.pilot_coverage95_held_out:.0%} and "
                f"{self.pilot_coverage80_held_out:.0%} on the held-out half of the datasets; "
                f"{self.pilot_open_share95:.0%} of the 95% intervals ran to the whole pool); the 95% labels-saved "
                f"interval held it in {self.pilot_saved_coverage95:.0%}; the projected label count was off by a "
                f"median {self.pilot_median_rel_error:.0%}.")

    def projection_sentence(self) -> str:
        """The measured coverage of extrapolated learning curves."""
        q = QUICK_VS_FULL
        return (f"Measured on held-out curve points 2-4x beyond the fitted labels: the 80% band held "
                f"{self.extrapolation_coverage80:.0%} of them and the 95% band {self.extrapolation_coverage95:.0%}. "
                f"Estimates from a {q.sample_share:.0%} sample fell inside the full run's interval in "
                f"{q.labels_inside} of {q.labels_compared} cases ({q.corrected_inside} after the pool correction).")


#: The figures of the committed benchmark results (checked against their JSON by tests/test_trust.py).
MEASURED = MeasuredTrust(
    false_verdict_rate=0.0406,
    power_default=0.39595,
    power_default_noisy=0.13515,
    extrapolation_coverage80=0.8520833333333333,
    extrapolation_coverage95=0.94375,
    pilot_coverage95=0.7911392405063291,
    pilot_coverage80=0.6075949367088608,
    pilot_coverage95_can_project=0.6730769230769231,
    pilot_can_project_share=0.3291139240506329,
    pilot_median_rel_error=0.5359820299602418,
    pilot_coverage95_held_out=0.8125,
    pilot_coverage80_held_out=0.675,
    pilot_open_share95=0.5,
    pilot_saved_coverage95=0.7974683544303798,
    pilot_saved_coverage80=0.6708860759493671,
    pilot_saved_coverage95_held_out=0.875,
    pilot_datasets=28,
    pilot_comparisons=158,
    roi_width_exponent=0.4963194337893827,
    sources=("benchmarks/results/null_power.md", "benchmarks/results/extrapolation.md",
             "benchmarks/results/quick_vs_full.md", "benchmarks/results/calibration.md"),
)
