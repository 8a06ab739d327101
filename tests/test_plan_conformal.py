"""The conformal widening of a pilot's intervals: the quantile, the scores, the widening, and the plan that uses it."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

import simulations.plan.build as build
from simulations import Dataset, SimulationConfig, run_simulation
from simulations.plan import PlanInputs, build_plan
from simulations.plan.build import label_interval
from simulations.plan.conformal import (
    PILOT_WIDENING,
    SCALES,
    PilotWidening,
    conformal_quantile,
    linear_score,
    log_score,
    projection_scale,
    share_score,
    widen_linear,
    widen_log,
    widen_share,
    widening_at,
)
from simulations.summary import Target
from simulations.trust import MEASURED

# --- the quantile -----------------------------------------------------------------------------------------------------


def test_the_quantile_is_the_conformal_rank():
    s = list(range(1, 20))  # 19 scores
    assert conformal_quantile(s, 0.95) == 19  # ceil(20 * 0.95) = 19th smallest
    assert conformal_quantile(s, 0.80) == 16  # ceil(20 * 0.80) = 16th
    assert conformal_quantile(reversed(s), 0.80) == 16  # order does not matter
    assert conformal_quantile([*s, float("nan")], 0.80) == 16  # NaN ignored
    # too few scores for the rank: no finite widening promises the level
    assert conformal_quantile(range(18), 0.95) == math.inf
    assert conformal_quantile([], 0.8) == math.inf
    with pytest.raises(ValueError):
        conformal_quantile(s, 1.0)


def test_the_widened_interval_covers_at_its_level_on_exchangeable_data():
    # calibration and test scores from one distribution: coverage is k / (n + 1) = 38 / 40 = 95% on average; an
    # off-by-one rank (37 / 40 = 92.5%) or the plain 95th percentile would fall below
    rng = np.random.default_rng(0)
    n, trials = 39, 4000
    cal = rng.standard_normal((trials, n))
    test = rng.standard_normal(trials)
    covered = [test[i] <= conformal_quantile(cal[i], 0.95) for i in range(trials)]
    assert 0.94 <= np.mean(covered) <= 0.96


# --- scores and widening ----------------------------------------------------------------------------------------------


def test_scores_say_how_far_outside():
    assert log_score(100, 200, 400) == pytest.approx(math.log(2))  # above: by 2x
    assert log_score(100, 200, 25) == pytest.approx(math.log(4))  # below: by 4x
    assert log_score(100, 200, 150) < 0  # inside
    assert linear_score(-0.2, 0.3, 0.5) == pytest.approx(0.2)
    assert linear_score(-0.2, 0.3, -1.0) == pytest.approx(0.8)
    assert linear_score(-0.2, 0.3, 0.0) < 0


def test_a_widening_covers_exactly_the_truths_whose_score_is_at_most_it():
    rng = np.random.default_rng(1)
    for _ in range(300):
        lo = float(rng.uniform(50, 200))
        hi = lo * float(rng.uniform(1, 5))
        t = float(np.exp(rng.uniform(math.log(10), math.log(5000))))
        q = float(rng.uniform(0, 2))
        wl, wh = widen_log(lo, hi, q, first=1, pool=1e9)
        assert (wl - 1e-9 <= t <= wh + 1e-9) == (log_score(lo, hi, t) <= q + 1e-12)
        a, b = widen_linear(lo / 100, hi / 100, q)
        assert (a - 1e-12 <= t / 100 <= b + 1e-12) == (linear_score(lo / 100, hi / 100, t / 100) <= q + 1e-12)


def test_widen_log_thresholds_caps_and_a_factor_of_zero():
    q = math.log(2)
    assert widen_log(100, 300, q, first=20, pool=10_000) == pytest.approx((50, 600))
    # a factor of 0 (or below: never narrower) gives the interval itself
    assert widen_log(100, 300, 0.0, first=20, pool=10_000) == (100, 300)
    assert widen_log(100, 300, -1.0, first=20, pool=10_000) == (100, 300)
    # capped at the pool, floored at the initial labels (an interval already below them stays)
    assert widen_log(100, 300, q, first=20, pool=500) == pytest.approx((50, 500))
    assert widen_log(30, 300, q, first=20, pool=10_000) == pytest.approx((20, 600))
    assert widen_log(10, 300, q, first=20, pool=10_000)[0] == 10
    # just inside / just outside the widened upper end
    hi = widen_log(100, 300, q, first=20, pool=10_000)[1]
    assert 599.9 <= hi and not 600.1 <= hi
    assert widen_log(100, 300, math.inf, first=20, pool=10_000) == (20, 10_000)
    assert widen_linear(-0.1, 0.4, 0.25) == pytest.approx((-0.35, 0.65))
    # labels saved: a share of the pool, within +-pool
    assert widen_share(-10, 40, 0.1, pool=1000) == pytest.approx((-110, 140))
    assert widen_share(-10, 40, 0.0, pool=1000) == (-10, 40)
    assert widen_share(-10, 40, 2.0, pool=1000) == (-1000, 1000)
    assert widen_share(-10, 40, math.inf, pool=1000) == (-1000, 1000)
    assert share_score(-10, 40, 140, pool=1000) == pytest.approx(0.1)
    assert widen_linear(-0.1, 0.4, -1) == (-0.1, 0.4)


def test_the_widening_between_and_beyond_the_measured_levels():
    assert widening_at(0.80, 0.5, 1.0) == 0.5 and widening_at(0.95, 0.5, 1.0) == 1.0
    mid = widening_at(0.90, 0.5, 1.0)
    assert 0.5 < mid < 1.0
    assert widening_at(0.975, 0.5, 1.0) > 1.0  # Bonferroni levels above 95% widen more
    assert widening_at(0.5, 0.5, 1.0) < 0.5 and widening_at(0.1, 0.5, 1.0) >= 0.0
    # through zero when only 95% was measured (the cost-optimal stop)
    assert widening_at(0.95, 0.0, 0.8, low_level=None) == 0.8
    assert 0 < widening_at(0.8, 0.0, 0.8, low_level=None) < 0.8
    with pytest.raises(ValueError):
        widening_at(1.0, 0.5, 1.0)


def test_the_shipped_widenings_widen():
    w = PILOT_WIDENING
    assert 0 < w.labels80 < w.labels95 and 0 < w.roi80 < w.roi95 and 0 < w.saved80 < w.saved95
    assert w.cost_optimum95 > 0
    assert w.comparisons > 0 and w.datasets >= 25
    for proj in (2.5, 12.0):
        assert f"{math.exp(w.labels(0.95, projection=proj)):.1f}x" in w.sentence(proj)
        # a Bonferroni level above 95% quotes its own, wider factor
        assert f"a 98% label interval's ends move {math.exp(w.labels(0.98, projection=proj)):.1f}x" in w.sentence(
            proj, 0.98)
    # an unfillable quantile (inf) at a projection of 1: nothing to project, no widening (not NaN)
    assert replace(_widening(scale="log_projection"), labels95=math.inf).labels(0.95, projection=1.0) == 0.0
    assert w.scale in SCALES


def test_the_projection_scale():
    assert projection_scale(7.0, "constant") == 1.0 and projection_scale(0.5, "constant") == 1.0
    assert projection_scale(math.e ** 2, "log_projection") == pytest.approx(2.0)
    # a plan for its own pool (or a smaller one) has nothing to project: no widening, never a negative one
    assert projection_scale(1.0, "log_projection") == 0.0 and projection_scale(0.8, "log_projection") == 0.0
    with pytest.raises(ValueError, match="projection must be positive"):
        projection_scale(0.0, "log_projection")
    with pytest.raises(ValueError, match="scale must be one of"):
        projection_scale(2.0, "sqrt")
    with pytest.raises(ValueError, match="scale must be one of"):
        _widening(scale="sqrt")


def test_a_log_projection_widening_grows_with_the_projection():
    w = _widening(labels=0.5, roi=0.4, cost=0.3, saved=0.1, scale="log_projection")
    c = _widening(labels=0.5, roi=0.4, cost=0.3, saved=0.1)
    for proj in (2.0, 4.0, 16.0):
        k = math.log(proj)
        assert w.labels(0.95, projection=proj) == pytest.approx(0.5 * k)
        assert w.roi(0.8, projection=proj) == pytest.approx(0.2 * k)
        assert w.saved(0.95, projection=proj) == pytest.approx(0.1 * k)
        assert w.cost_optimum(0.95, projection=proj) == pytest.approx(0.3 * k)
        assert c.labels(0.95, projection=proj) == 0.5 and c.roi(0.8, projection=proj) == 0.2  # constant: as is
    sq = _widening(labels=0.5, roi=0.4, scale="log_projection_squared")
    assert sq.labels(0.95, projection=8.0) == pytest.approx(0.5 * math.log(8.0) ** 2)
    assert projection_scale(1.0, "log_projection_squared") == 0.0
    assert "square of the log" in sq.sentence(4.0)
    assert "grows with the log of the projection" in w.sentence(4.0)
    assert "grows with the log" not in c.sentence(4.0)


# --- the plan ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pilot_result():
    cfg = SimulationConfig(strategies=("random", "margin"), seeds=3, budget=40, initial_labels=10)
    return run_simulation(Dataset.from_sample("penguins"), cfg, n_jobs=1)


def _inputs(result, factor):
    return PlanInputs(cost_per_label=1.0, value_per_point=100.0, target=Target("share_of_ceiling", 0.95),
                      production_pool=round(factor * int(result.meta["n_pool"])))


def _widening(labels=0.0, roi=0.0, cost=0.0, saved=0.0, scale="constant"):
    return PilotWidening(labels80=labels / 2, labels95=labels, cost_optimum95=cost, roi80=roi / 2, roi95=roi,
                         saved80=saved / 2, saved95=saved, comparisons=1, datasets=1, source="test", measured="test",
                         scale=scale)


@pytest.mark.parametrize("scale", SCALES)
def test_a_projected_plan_widens_by_the_shipped_factors(pilot_result, monkeypatch, scale):
    inputs = _inputs(pilot_result, 8)
    monkeypatch.setattr(build, "PILOT_WIDENING", _widening())
    old = build_plan(pilot_result, inputs)
    # per unit of the scale: log(8) = 2.08 for log_projection, so these become about twice as wide there
    k = projection_scale(8.0, scale)
    q_l, q_r, q_c, q_s = math.log(2), 0.5, math.log(3), 0.1
    monkeypatch.setattr(build, "PILOT_WIDENING", _widening(q_l / k, q_r / k, q_c / k, q_s / k, scale=scale))
    plan = build_plan(pilot_result, inputs)
    assert plan.calibration["projection"] == pytest.approx(8.0, rel=1e-3)
    assert plan.calibration["projection_scale"] == scale
    first, pool, level = 10, plan.production_pool, plan.interval_level
    q_level = widening_at(level, q_l / 2, q_l)
    for new, was, name in ((plan.labels_to_target_al, old.labels_to_target_al, plan.strategy),
                           (plan.labels_to_target_random, old.labels_to_target_random, "random")):
        # a factor of 0 is the plan's own rule: the seeds' interval and the fitted curve's band
        lo, hi = label_interval(pilot_result, inputs, old.target, old.fits, name, level=level)
        assert (was.low, was.high) == pytest.approx((min(lo, was.low), max(hi, was.high)))
        assert (new.low, new.high) == pytest.approx(widen_log(was.low, was.high, q_level, first=first, pool=pool))
        assert new.median == was.median and new.high <= pool
    # labels saved: the plan's own saving interval (seeds and the label intervals' doubt), widened by a share of
    # the pool
    s, s0 = plan.labels_saved, old.labels_saved
    assert (s.low, s.high) == pytest.approx(widen_share(s0.low, s0.high, widening_at(level, q_s / 2, q_s), pool=pool))
    assert s.low < s0.low and s.median == s0.median
    assert (plan.roi.low, plan.roi.high) == pytest.approx(widen_linear(old.roi.low, old.roi.high,
                                                                       widening_at(level, q_r / 2, q_r)))
    co, co0 = plan.stop.cost_optimum, old.stop.cost_optimum
    assert (co.low, co.high) == pytest.approx(widen_log(co0.low, co0.high, widening_at(level, 0, q_c, low_level=None),
                                                        first=first, pool=pool))
    # the plan says which intervals are calibrated, and what they were before
    cal = plan.to_dict()["calibration"]
    # the money that is a label count times the price moves with that count: one table, one answer
    price = inputs.cost_per_label
    for key, new_labels, old_labels in (
            ("net_savings", s, s0), ("label_cost_savings", s, s0),
            ("random_total_cost", plan.labels_to_target_random, old.labels_to_target_random),
            ("al_label_cost", plan.labels_to_target_al, old.labels_to_target_al),
            ("al_total_cost", plan.labels_to_target_al, old.labels_to_target_al)):
        m, m0 = plan.money[key], old.money[key]
        assert m.median == m0.median
        assert m.low == pytest.approx(m0.low - (old_labels.low - new_labels.low) * price)
        assert m.high == pytest.approx(m0.high + (new_labels.high - old_labels.high) * price)
    assert plan.net_savings.low < old.net_savings.low
    # the business case the pages and `roi --results` read carries the same intervals
    assert (plan.business.total_benefit.low, plan.business.total_benefit.high) == (plan.net_savings.low,
                                                                                   plan.net_savings.high)
    assert set(cal["figures"]) == {"labels_to_target", "labels_saved", "roi", "cost_optimum", "net_savings",
                                   "label_cost_savings", "random_total_cost", "al_label_cost", "al_total_cost"}
    assert cal["before"]["net_savings"]["low"] == pytest.approx(old.net_savings.low)
    assert cal["widening"]["labels_to_target"] == pytest.approx(q_level)
    assert cal["before"]["labels_al"]["high"] == pytest.approx(old.labels_to_target_al.high)
    assert cal["before"]["roi"]["low"] == pytest.approx(old.roi.low)
    assert cal["before"]["labels_saved"]["low"] == pytest.approx(old.labels_saved.low)
    assert any("widened" in n for n in plan.notes)


def test_a_plan_for_the_simulated_pool_is_not_widened(pilot_result, monkeypatch):
    inputs = _inputs(pilot_result, 1)
    monkeypatch.setattr(build, "PILOT_WIDENING", _widening())
    old = build_plan(pilot_result, inputs)
    monkeypatch.setattr(build, "PILOT_WIDENING", _widening(5.0, 5.0, 5.0))
    plan = build_plan(pilot_result, inputs)
    assert plan.calibration is None and plan.to_dict()["calibration"] is None
    for a, b in ((plan.labels_to_target_al, old.labels_to_target_al), (plan.roi, old.roi),
                 (plan.labels_saved, old.labels_saved)):
        assert (a.low, a.high) == (b.low, b.high)


def test_a_decision_the_calibrated_roi_does_not_support_is_undecided(pilot_result, monkeypatch):
    from simulations.economics.case import Range
    from simulations.plan.sentences import _pays_sentence

    monkeypatch.setattr(build, "PILOT_WIDENING", _widening(roi=0.5))
    plan = build_plan(pilot_result, _inputs(pilot_result, 8))
    case = plan.business
    # one object: the business case (what `labelwise roi --results` and the pages read) carries the widened ROI
    assert case.roi_widened and (case.roi.low, case.roi.high) == (plan.roi.low, plan.roi.high)
    assert build_plan(pilot_result, _inputs(pilot_result, 1)).business.roi_widened is False
    # the seeds' net savings decide "pays off" (enough seeds compared); the widened ROI must agree
    decided = replace(case, total_benefit=Range(100.0, 10.0, 200.0), n_seeds_compared=10, no_signal=False)
    assert replace(decided, roi_widened=False, roi=Range(0.3, -0.1, 0.6)).pays_off is True
    assert replace(decided, roi=Range(0.3, -0.1, 0.6)).pays_off is None
    assert replace(decided, roi=Range(0.3, 0.001, 0.6)).pays_off is True
    against = replace(decided, total_benefit=Range(-100.0, -200.0, -10.0))
    assert replace(against, roi=Range(-0.3, -0.6, 0.1)).pays_off is None
    assert replace(against, roi=Range(-0.3, -0.6, 0.0)).pays_off is False
    assert replace(against, roi=Range(-0.3, -0.6, 0.1), roi_widened=False).pays_off is False
    # a pilot's "no signal" is undecided (the full data often has signal), whatever the ROI; on its own pool (not
    # widened) it stays "does not pay"
    assert replace(against, roi=Range(-0.3, -0.6, 0.1), no_signal=True).pays_off is None
    assert replace(decided, roi=Range(0.3, 0.1, 0.6), no_signal=True).pays_off is None
    assert replace(against, roi=Range(-0.3, -0.6, 0.1), no_signal=True, roi_widened=False).pays_off is False
    pilot_ns = replace(against, no_signal=True)
    s = _pays_sentence(pilot_ns, pilot_ns.pays_off, plan.net_savings)
    assert s.startswith("Undecided whether active learning pays off: the pilot's model learns nothing")
    assert f"from {MEASURED.pilot_no_signal_full_data_signal} of the {MEASURED.pilot_no_signal_pilots} pilots" in s
    from simulations.economics import NO_SIGNAL_VERDICT

    own = replace(pilot_ns, roi_widened=False)
    assert _pays_sentence(own, own.pays_off, plan.net_savings) == NO_SIGNAL_VERDICT
    # one wording on every surface: the plan's sentence, `labelwise roi`'s verdict and table, the JSON, the page
    from dashboard.tables import no_signal_text
    from simulations.economics.report import format_business_case, verdict

    for c in (pilot_ns, own):
        assert verdict(c) == c.no_signal_verdict == _pays_sentence(c, c.pays_off, plan.net_savings)
        assert "WARNING: " + c.no_signal_verdict in format_business_case(c)
        d = c.to_dict()
        assert d["no_signal_verdict"] == c.no_signal_verdict and d["pays_off"] == c.pays_off
        assert no_signal_text(d).startswith(f"**{c.no_signal_verdict}**")
    assert replace(own, no_signal=False).no_signal_verdict == ""
    sentence = _pays_sentence(decided, None, plan.net_savings, undecided_roi=plan.roi)
    assert "calibrated intervals of net savings" in sentence and "span zero" in sentence
    assert "seeds alone would have decided" in sentence


def test_only_projections_as_long_as_the_suites_are_widened(pilot_result, monkeypatch):
    """A full-data run projects its pool (the data less the test split) about 1.3x: shorter than any pilot the
    calibration suite measured, so its intervals stay the plan's own, and the plan says so."""
    w = replace(_widening(math.log(2), 0.5, math.log(3), 0.1), smallest_projection=2.0, largest_projection=4.0)
    monkeypatch.setattr(build, "PILOT_WIDENING", w)
    below = build_plan(pilot_result, _inputs(pilot_result, 1.9))
    above = build_plan(pilot_result, _inputs(pilot_result, 2.1))
    assert below.calibration is None and above.calibration is not None
    assert above.calibration["projection"] == pytest.approx(2.1, rel=1e-3)
    assert any("not widened" in n and "1.9 times" in n for n in below.notes)
    assert not any("not widened" in n for n in above.notes)
    assert any("Within the range measured" in n for n in above.notes)
    beyond = build_plan(pilot_result, _inputs(pilot_result, 5))
    assert any("measured on shorter projections" in n and "5.0 times" in n for n in beyond.notes)
    # below the range the money is the seeds' too
    monkeypatch.setattr(build, "PILOT_WIDENING", replace(w, roi80=0.0, roi95=0.0, labels80=0.0, labels95=0.0,
                                                         saved80=0.0, saved95=0.0, cost_optimum95=0.0,
                                                         smallest_projection=1.0))
    plain = build_plan(pilot_result, _inputs(pilot_result, 1.9))
    assert (below.roi.low, below.net_savings.high) == (plain.roi.low, plain.net_savings.high)


def test_the_shipped_range_is_the_suites():
    import json
    from pathlib import Path

    d = json.loads((Path(__file__).parents[1] / "benchmarks" / "results" / "calibration.json").read_text())
    ratios = [r["pool"] / p["simulated_pool"] for r in d["rows"] for p in r["pilots"] if "simulated_pool" in p]
    assert len(ratios) == PILOT_WIDENING.comparisons // 2
    assert PILOT_WIDENING.smallest_projection == pytest.approx(min(ratios))
    assert PILOT_WIDENING.largest_projection == pytest.approx(max(ratios))
    assert PILOT_WIDENING.applies(min(ratios)) and not PILOT_WIDENING.applies(min(ratios) * 0.99)


def test_money_moves_with_the_whole_widening_of_its_labels(pilot_result, monkeypatch):
    """With $1 a label and no value for accuracy, net savings are the labels saved in dollars on every seed, so
    after every widening (the fitted curve's doubt and the calibration's) their intervals are the same."""
    monkeypatch.setattr(build, "PILOT_WIDENING", _widening(math.log(2), 0.5, math.log(3), 0.1))
    inputs = PlanInputs(cost_per_label=1.0, value_per_point=0.0, target=Target("share_of_ceiling", 0.95),
                        production_pool=8 * int(pilot_result.meta["n_pool"]))
    plan = build_plan(pilot_result, inputs)
    assert plan.calibration is not None
    s, net = plan.labels_saved, plan.net_savings
    assert (net.median, net.low, net.high) == pytest.approx((s.median, s.low, s.high))
    cut = plan.money["label_cost_savings"]
    assert (cut.low, cut.high) == pytest.approx((s.low, s.high))


def test_the_undecided_sentence_names_only_the_intervals_that_span_zero(pilot_result):
    from simulations.plan.model import Estimate
    from simulations.plan.sentences import _pays_sentence

    case = build_plan(pilot_result, _inputs(pilot_result, 8)).business
    case = replace(case, no_signal=False, n_seeds_compared=10)

    def E(median, low, high):
        return Estimate(median=median, low=low, high=high)

    net_above, net_across = E(100.0, 10.0, 200.0), E(100.0, -10.0, 200.0)
    roi_above, roi_across = E(0.3, 0.01, 0.6), E(0.3, -0.1, 0.6)
    only_roi = _pays_sentence(case, None, net_above, undecided_roi=roi_across)
    assert "interval of the ROI, 30% (-10% to 60%), spans zero" in only_roi and "net savings" not in only_roi
    only_net = _pays_sentence(case, None, net_across, undecided_roi=roi_above)
    assert "interval of net savings" in only_net and "spans zero" in only_net and "ROI" not in only_net
    both = _pays_sentence(case, None, net_across, undecided_roi=roi_across)
    assert "intervals of net savings" in both and "and of the ROI" in both and "span zero" in both


def test_the_pilot_estimate_reads_the_roi_before_the_widening_and_the_widening_by_projection(pilot_result,
                                                                                              monkeypatch):
    w = replace(_widening(math.log(2), 0.5, math.log(3), 0.1, scale="log_projection"), smallest_projection=2.0)
    monkeypatch.setattr(build, "PILOT_WIDENING", w)
    seen = {}
    real = build.assess_pilot

    def spy(**kw):
        seen.update(kw)
        return real(**kw)

    monkeypatch.setattr(build, "assess_pilot", spy)
    plan = build_plan(pilot_result, _inputs(pilot_result, 8))
    before = plan.calibration["before"]["roi"]
    assert (seen["roi_before"].low, seen["roi_before"].high) == pytest.approx((before["low"], before["high"]))
    assert (seen["roi"].low, seen["roi"].high) == (plan.roi.low, plan.roi.high)  # the shown one, widened
    assert seen["simulated_pool"] == plan.simulated_pool and seen["production_pool"] == plan.production_pool
    for proj in (2.0, 8.0):
        assert seen["widening"](proj) == pytest.approx(w.roi(plan.interval_level, projection=proj))
    assert seen["shortest_projection"] == w.smallest_projection
    # a plan that is not widened (projected 1.5x, shorter than the suite measured) has no widening to shrink
    seen.clear()
    build_plan(pilot_result, _inputs(pilot_result, 1.5))
    assert seen["widening"] is None and seen["roi_before"] is None
