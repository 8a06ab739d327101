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
        Share of a pilot's labels-to-target intervals as the plan shows them (margin and random; pilots of 500 and
        1,000 rows and 20% projected to the full pool) that held the full data's median
        (``benchmarks/results/calibration.md``). In-sample: the conformal widening (``simulations.plan.conformal``)
        was fitted on these datasets.
    pilot_coverage95_before, pilot_coverage80_before : float
        The same for the plan's intervals before the conformal widening.
    pilot_coverage95_can_project : float
        The shipped 95% coverage for the pilots the plan said could project (``Plan.pilot.can_project``).
    pilot_can_project_share : float
        Share of the pilots the plan said could project.
    pilot_median_rel_error : float
        Median absolute error of a pilot's projected labels to target, relative to the full data's.
    pilot_coverage95_held_out, pilot_coverage80_held_out : float
        The honest figure: label coverage with the widening fitted without the pilot's dataset (leave one dataset
        out).
    pilot_coverage95_split_half, pilot_coverage80_split_half : float
        The same with each half of the suite's list widened by the widening fitted on the other half.
    pilot_open_share95 : float
        Share of the held-out 95% label intervals whose upper end is the whole production pool (they cover by
        saying nothing about the upper end; the plan then says it cannot project).
    pilot_label_width95 : float
        Median ratio of the held-out 95% label interval's ends (high / low).
    pilot_saved_coverage95, pilot_saved_coverage80 : float
        Labels saved as the plan shows it (it carries the widened label intervals' doubt,
        ``simulations.plan.pilot.widen_difference``), all pilots, in-sample.
    pilot_saved_coverage95_held_out, pilot_saved_coverage80_held_out : float
        Labels saved, held out (leave one dataset out).
    pilot_roi_coverage95_held_out, pilot_roi_coverage80_held_out : float
        The ROI, held out (leave one dataset out).
    pilot_roi_decided_share95 : float
        Share of held-out 95% ROI intervals wholly on one side of zero (the plan can say "pays off" or "does not").
    pilot_roi_decided_before, pilot_roi_wrong_before : int
        Pilots whose 95% ROI interval was wholly on one side of zero before the widening, and how many of those the
        full data's ROI contradicted.
    pilot_cost_optimum_coverage95_held_out : float
        The cost-optimal stop's 95% range, held out.
    pilot_no_signal_pilots, pilot_no_signal_full_data_signal : int
        Pilots whose model learned nothing from their rows (``no_signal``), and how many of those the full data's
        model did learn from: why a pilot's "no signal" leaves "pays off" undecided.
    pilot_net_savings_coverage95 : float
        Net savings' 95% interval, which moves with its label counts' widening (not fitted on its own; in-sample,
        since the label widening it follows is fitted on all datasets).
    pilot_datasets, pilot_comparisons : int
        Datasets in the calibration suite, and label intervals compared.
    roi_width_exponent : float
        ``b`` in "the plan's own ROI interval width (before the calibration's widening) ~ pilot rows ** -b", measured
        on real datasets' pilots of 500 and 1,000 rows, 20% and 50% (``benchmarks/results/calibration.md``): with the
        widening at a larger pilot's projection, how many more pilot labels would settle an undecided ROI
        (``simulations.plan.pilot``).
    roi_width_prediction_ratio : float
        The backtest of that estimate: the shipped ROI interval's width predicted from each dataset's smallest pilot
        for its larger pilots, over the width they had (median; 1 = exact).
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
    pilot_coverage95_before: float
    pilot_coverage80_before: float
    pilot_coverage95_can_project: float
    pilot_can_project_share: float
    pilot_median_rel_error: float
    pilot_coverage95_held_out: float
    pilot_coverage80_held_out: float
    pilot_coverage95_split_half: float
    pilot_coverage80_split_half: float
    pilot_open_share95: float
    pilot_label_width95: float
    pilot_saved_coverage95: float
    pilot_saved_coverage80: float
    pilot_saved_coverage95_held_out: float
    pilot_saved_coverage80_held_out: float
    pilot_roi_coverage95_held_out: float
    pilot_roi_coverage80_held_out: float
    pilot_roi_decided_share95: float
    pilot_roi_decided_before: int
    pilot_roi_wrong_before: int
    pilot_cost_optimum_coverage95_held_out: float
    pilot_net_savings_coverage95: float
    pilot_no_signal_pilots: int
    pilot_no_signal_full_data_signal: int
    pilot_datasets: int
    pilot_comparisons: int
    roi_width_exponent: float
    roi_width_prediction_ratio: float
    sources: tuple[str, ...]

    def verdict_sentence(self) -> str:
        """The measured error rate of a verdict, for the page and the report beside it."""
        return (f"Measured on null data (no real difference): a wrong 'beats' or 'worse than random' in at most "
                f"{self.false_verdict_rate:.1%} of runs. A real 25% saving is detected in "
                f"{self.power_default:.0%} of 7-seed runs ({self.power_default_noisy:.0%} when seeds disagree "
                "more), so 'no evidence' is common and does not mean active learning fails.")

    def pilot_sentence(self) -> str:
        """The measured coverage of a pilot's projection to a larger pool, beside the projection."""
        return (f"Measured on {self.pilot_datasets} real datasets (pilots of 500 and 1,000 rows, 20% and half of "
                f"the data, projected to the full data), with the intervals widened by amounts fitted on the other "
                f"datasets: the 95% label "
                f"interval held the full data's answer in {self.pilot_coverage95_held_out:.0%} of "
                f"{self.pilot_comparisons} cases and the 80% one in {self.pilot_coverage80_held_out:.0%} "
                f"({self.pilot_coverage95_before:.0%} and {self.pilot_coverage80_before:.0%} before the widening); "
                f"{self.pilot_open_share95:.0%} of the 95% label intervals ran to the whole pool and their ends were a "
                f"median {self.pilot_label_width95:.0f}x apart, so read them as a range, not a figure. Labels saved: "
                f"{self.pilot_saved_coverage95_held_out:.0%} (95%); ROI: {self.pilot_roi_coverage95_held_out:.0%}, "
                f"with {self.pilot_roi_decided_share95:.0%} of the 95% ROI intervals on one side of zero (before the "
                f"widening {self.pilot_roi_decided_before} pilots were, {self.pilot_roi_wrong_before} of them "
                f"wrongly); the cost-optimal stop: {self.pilot_cost_optimum_coverage95_held_out:.0%}; net savings "
                f"(moving with its label counts, in-sample): {self.pilot_net_savings_coverage95:.0%}. The projected "
                f"label count was off by a median {self.pilot_median_rel_error:.0%}.")

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
    pilot_coverage95=0.9578947368421052,
    pilot_coverage80=0.8052631578947368,
    pilot_coverage95_before=0.7842105263157895,
    pilot_coverage80_before=0.6210526315789474,
    pilot_coverage95_can_project=0.9634146341463414,
    pilot_can_project_share=0.43157894736842106,
    pilot_median_rel_error=0.46985251206299694,
    pilot_coverage95_held_out=0.9473684210526315,
    pilot_coverage80_held_out=0.8,
    pilot_coverage95_split_half=0.9157894736842105,
    pilot_coverage80_split_half=0.7842105263157895,
    pilot_open_share95=0.39473684210526316,
    pilot_label_width95=55.10000000000001,
    pilot_saved_coverage95=0.968421052631579,
    pilot_saved_coverage80=0.8105263157894737,
    pilot_saved_coverage95_held_out=0.9368421052631579,
    pilot_saved_coverage80_held_out=0.8105263157894737,
    pilot_roi_coverage95_held_out=0.9473684210526315,
    pilot_roi_coverage80_held_out=0.8105263157894737,
    pilot_roi_decided_share95=0.0,
    pilot_roi_decided_before=19,
    pilot_roi_wrong_before=7,
    pilot_cost_optimum_coverage95_held_out=0.9578947368421052,
    pilot_net_savings_coverage95=0.968421052631579,
    pilot_no_signal_pilots=10,
    pilot_no_signal_full_data_signal=4,
    pilot_datasets=28,
    pilot_comparisons=190,
    roi_width_exponent=-0.11851283442778518,
    roi_width_prediction_ratio=1.297909131590338,
    sources=("benchmarks/results/null_power.md", "benchmarks/results/extrapolation.md",
             "benchmarks/results/quick_vs_full.md", "benchmarks/results/calibration.md"),
)
