"""A pilot projected to a larger production pool: the interval carries the projection's doubt, never passes the
pool, and the plan says when the pilot cannot tell and about how many more pilot labels would settle the ROI."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from dashboard import tables
from simulations import Dataset, SimulationConfig, run_simulation
from simulations.plan import PlanInputs, build_plan
from simulations.plan.build import Estimate, label_interval
from simulations.plan.cli import format_plan
from simulations.plan.conformal import PILOT_WIDENING, widen_log, widen_share
from simulations.plan.pilot import (
    MIN_EXPONENT,
    assess_pilot,
    more_pilot_rows,
    roi_side_at,
    widen_difference,
    widen_for_fit,
)
from simulations.summary import Target
from simulations.trust import MEASURED

# --- more pilot rows for a decision-grade ROI -------------------------------------------------------------------------


def _more(median, low, high, rows=500, **kw):
    base = dict(exponent=0.5, simulated_pool=375, production_pool=100_000)
    return more_pilot_rows(roi_median=median, roi_low=low, roi_high=high, rows=rows, **{**base, **kw})


def test_more_pilot_rows_follows_the_width_law():
    # median 0.2, low -0.2: the low side (0.4) must shrink below 0.2, half; with width ~ n^-0.5 that takes 4x the rows
    assert _more(0.2, -0.2, 0.6) == 1500
    # with width ~ n^-1 it takes 2x
    assert _more(0.2, -0.2, 0.6, exponent=1.0) == 500
    # a negative median: the high side crosses zero
    assert _more(-0.1, -0.4, 0.1, rows=1000) == 3000
    # two significant figures, to the nearest: 500 x (2^(1 / 0.45) - 1) = 1,832 more
    assert _more(0.2, -0.2, 0.6, exponent=0.45) == 1800


def test_more_pilot_rows_counts_the_widening_at_the_larger_pilots_projection():
    # the plan's own side 0.1 stops narrowing (exponent 0): only the widening, 0.1 x log(projection), shrinks;
    # at 500 rows (pool 375) the projection to 3,750 is 10x, widening 0.23; it must fall below 0.2 - 0.1 = 0.1,
    # i.e. log(projection) < 1: a projection under e, a pilot 10 / e = 3.68x as large
    widen = lambda proj: 0.1 * math.log(proj)  # noqa: E731
    kw = dict(exponent=0.0, simulated_pool=375, production_pool=3750, widening=widen, shortest_projection=1.0)
    more = _more(0.2, 0.1, 0.3, **kw)
    assert more == 1300  # 500 x (10 / e - 1) = 1,339 more, to two figures
    at = dict(side=0.1, exponent=0.0, simulated_pool=375, production_pool=3750, widening=widen)
    assert roi_side_at(10 / math.e * 1.01, **at) < 0.2 < roi_side_at(10 / math.e * 0.99, **at)
    # the suite measured projections down to 3x only: a pilot that large (10 / 3 = 3.3x) is not enough, no estimate
    assert _more(0.2, 0.1, 0.3, **{**kw, "shortest_projection": 3.0}) is None
    assert _more(0.2, 0.1, 0.3, **{**kw, "shortest_projection": 2.6}) is not None
    # already decided once widened: nothing to estimate; undecided only by the widening: an estimate
    assert _more(0.2, 0.1, 0.3, **{**kw, "widening": lambda proj: 0.099}) is None
    assert _more(0.2, 0.1, 0.3, **{**kw, "widening": lambda proj: 0.101}) is None  # constant widening: never
    assert _more(0.2, 0.1, 0.3, **{**kw, "widening": lambda proj: 0.101, "exponent": 0.5}) is not None


def test_more_pilot_rows_none_when_decided_or_undecidable():
    assert _more(0.2, 0.01, 0.6) is None  # already excludes zero
    assert _more(-0.2, -0.6, -0.01) is None
    assert _more(0.0, -0.2, 0.2) is None  # centred on zero: no size settles it
    assert _more(0.2, -0.2, 0.6, exponent=float("nan")) is None
    # below the minimum exponent the plan's own part is taken not to narrow: without a widening, no size settles it
    assert _more(0.2, -0.2, 0.6, exponent=MIN_EXPONENT - 1e-6) is None
    assert _more(0.2, -0.2, 0.6, exponent=MIN_EXPONENT + 1e-6, production_pool=375 * 2000) is not None
    # a pilot can grow only up to the production pool (its rows, 500 now): exponent 0.1 needs 1,024x, 512,000 rows
    assert _more(0.2, -0.2, 0.6, exponent=0.1, production_pool=510_000) is None
    assert _more(0.2, -0.2, 0.6, exponent=0.1, production_pool=514_000) is not None
    assert _more(0.2, -0.2, 0.6, exponent=0.5, production_pool=375 * 40) is not None


# --- the fitted curve's own doubt -------------------------------------------------------------------------------------

def _fit(low, high):
    return SimpleNamespace(labels_for=lambda target, level: SimpleNamespace(low=low, high=high))


def test_widen_for_fit_holds_the_fits_interval_within_the_pool():
    assert widen_for_fit(100, 200, _fit(50, 400), 0.9, level=0.95, first=20, pool=1000) == (50, 400)
    assert widen_for_fit(100, 200, _fit(150, 180), 0.9, level=0.95, first=20, pool=1000) == (100, 200)  # inside
    # the pessimistic band never reaches the target: the whole pool, not more
    assert widen_for_fit(100, 200, _fit(50, None), 0.9, level=0.95, first=20, pool=1000) == (50, 1000)
    assert widen_for_fit(100, 200, _fit(50, 5000), 0.9, level=0.95, first=20, pool=1000) == (50, 1000)
    # never below the initial labels, and a target above 1 is the whole pool
    assert widen_for_fit(100, 200, _fit(3, 300), 0.9, level=0.95, first=20, pool=1000) == (20, 300)
    assert widen_for_fit(100, 200, _fit(50, 300), 1.01, level=0.95, first=20, pool=1000) == (100, 1000)


def test_widen_difference_adds_the_label_doubts_in_quadrature():
    seeds, pool = (100.0, 200.0), 1000.0
    # nothing widened: the seeds' interval of the saving, unchanged
    assert widen_difference(-10, 50, random_seeds=seeds, random=seeds, al_seeds=seeds, al=seeds,
                            pool=pool) == (-10, 50)
    # random's low side 30 wider and AL's high side 40 wider lower the saving's low end by hypot(30, 40) = 50;
    # random's high side 60 wider raises its high end by 60 (AL's low side unchanged): sides do not mix
    lo, hi = widen_difference(-10, 50, random_seeds=seeds, random=(70, 260), al_seeds=seeds, al=(100, 240),
                              pool=pool)
    assert (lo, hi) == pytest.approx((-60, 110))
    # quadrature, not end to end: narrower than the sum of both widenings, wider than either alone
    assert -10 - 70 < lo < -10 - 40
    # AL's low side 80 wider raises the high end by hypot(60, 80) = 100
    assert widen_difference(-10, 50, random_seeds=seeds, random=(100, 260), al_seeds=seeds, al=(20, 200),
                            pool=pool)[1] == pytest.approx(150)
    # never beyond +-pool; a "widened" interval narrower than the seeds' (cannot happen in the plan) does not narrow
    assert widen_difference(-10, 50, random_seeds=seeds, random=(0, 5000), al_seeds=seeds, al=(0, 5000),
                            pool=pool) == (-pool, pool)
    assert widen_difference(-10, 50, random_seeds=seeds, random=(150, 160), al_seeds=seeds, al=(150, 160),
                            pool=pool) == (-10, 50)


# --- can the pilot project? -------------------------------------------------------------------------------------------

def _est(median, low, high):
    return Estimate(median=median, low=low, high=high)


def _assess(**kw):
    base = dict(pilot_rows=500, production_pool=10_000, simulated_pool=375, no_signal=False, target_score=0.80,
                ceiling_high=0.85,
                labels={"random": _est(900, 400, 2000), "margin": _est(500, 300, 1200)},
                roi=_est(0.5, 0.1, 0.9), pays_off=True, exponent=0.5)
    return assess_pilot(**{**base, **kw})


def test_a_pilot_that_can_tell_says_nothing():
    a = _assess()
    assert a.can_project and a.decision_grade and a.reason == "" and a.more_pilot_labels is None
    assert a.sentence() == ""


def test_target_above_the_projected_score_cannot_be_projected():
    assert _assess(target_score=0.8499).can_project
    a = _assess(target_score=0.8501)
    assert not a.can_project and "above what the whole production pool" in a.reason


def test_an_interval_that_runs_to_the_pool_cannot_be_projected():
    assert _assess(labels={"random": _est(900, 400, 9_999)}).can_project
    a = _assess(labels={"random": _est(900, 400, 10_000), "margin": _est(500, 300, 1200)})
    assert not a.can_project and "random" in a.reason and "margin" not in a.reason


def test_no_signal_cannot_be_projected():
    a = _assess(no_signal=True)
    assert not a.can_project and "learns nothing" in a.reason
    # undecided (a pilot's "no signal" decides nothing): no size is read off an ROI of a model that learns nothing,
    # and nothing says a larger pilot would not help
    b = _assess(no_signal=True, roi=_est(0.2, -0.2, 0.6), pays_off=None)
    assert b.more_pilot_labels is None and "a larger pilot" in b.reason
    assert "No pilot size within reach" not in b.reason and "spans zero" not in b.reason


def test_an_undecided_roi_gets_more_pilot_labels():
    a = _assess(roi=_est(0.2, -0.2, 0.6), pays_off=None)
    assert a.can_project and not a.decision_grade
    assert a.more_pilot_labels == 1500 and "spans zero" in a.reason
    assert "1,500 more labeled pilot rows" in a.sentence() and "rough estimate" not in a.sentence()
    r = _assess(roi=_est(0.2, -0.2, 0.6), pays_off=None, prediction_ratio=1.26)
    assert "predicted a median 1.3x the width found" in r.sentence() and r.to_dict()["prediction_ratio"] == 1.26
    b = _assess(roi=_est(0.0, -0.2, 0.2), pays_off=None)
    assert b.more_pilot_labels is None and "median ROI is zero" in b.reason
    d = _assess(roi=_est(0.2, 0.0, 0.6), pays_off=None)  # an end exactly at zero: no width law applies
    assert d.more_pilot_labels is None and "ends exactly at zero" in d.reason
    e = _assess(roi=_est(0.2, -0.2, 0.6), pays_off=None, simulated_pool=0)  # results without their pool's size
    assert e.more_pilot_labels is None and "size of the simulated pool is not known" in e.reason
    c = _assess(roi=_est(0.2, -0.2, 0.6), pays_off=None, exponent=0.0)
    assert c.more_pilot_labels is None and "did not narrow" in c.reason
    assert "as large as the production pool" in c.reason


def test_undecided_on_something_other_than_the_roi_gives_no_roi_estimate():
    # the ROI interval lies above zero, but the plan is undecided (net savings spans zero, or too few seeds)
    a = _assess(roi=_est(0.4, 0.1, 0.9), pays_off=None)
    assert not a.decision_grade and a.more_pilot_labels is None
    assert "lies on one side of zero" in a.reason and "spans zero" not in a.reason
    b = _assess(roi=_est(0.4, -0.01, 0.9), pays_off=None)  # just across zero: the ROI is what is undecided
    assert "spans zero" in b.reason and "lies on one side" not in b.reason


def test_the_estimate_starts_from_the_roi_before_the_widening():
    # shown: widened by 0.3 (the calibration's); before: the seeds' interval, whose side 0.1 is what narrows
    widen = lambda proj: 0.3 * math.log(proj) / math.log(10_000 / 375)  # noqa: E731
    kw = dict(roi=_est(0.2, -0.2, 0.6), roi_before=_est(0.2, 0.1, 0.3), pays_off=None, widening=widen,
              shortest_projection=2.0)
    a = _assess(**kw)
    expect = more_pilot_rows(roi_median=0.2, roi_low=0.1, roi_high=0.3, rows=500, exponent=0.5, simulated_pool=375,
                             production_pool=10_000, widening=widen, shortest_projection=2.0)
    assert a.more_pilot_labels == expect is not None
    # read from the shown (widened) interval instead, the plan's own part would be counted twice: a larger estimate
    twice = more_pilot_rows(roi_median=0.2, roi_low=-0.2, roi_high=0.6, rows=500, exponent=0.5, simulated_pool=375,
                            production_pool=10_000, widening=widen, shortest_projection=2.0)
    assert twice is not None and twice > expect
    # out of the measured range: the reason names the largest pilot the suite's range allows
    b = _assess(**{**kw, "shortest_projection": 20.0})
    # 500 rows x 10,000 / 375 / 20 = 667: two significant figures
    assert b.more_pilot_labels is None and "a pilot of about 670 rows (projected 20.0x, the shortest" in b.reason


# --- the plan: a small pilot projected to a pool 8x larger ------------------------------------------------------------

@pytest.fixture(scope="module")
def pilot_result():
    cfg = SimulationConfig(strategies=("random", "margin"), seeds=3, budget=40, initial_labels=10)
    return run_simulation(Dataset.from_sample("penguins"), cfg, n_jobs=1)


SHARE = Target("share_of_ceiling", 0.95)


def _inputs(result, factor, target=SHARE):
    return PlanInputs(cost_per_label=1.0, value_per_point=100.0, target=target,
                      production_pool=factor * int(result.meta["n_pool"]))


@pytest.fixture(scope="module")
def pilot_plan(pilot_result):
    return build_plan(pilot_result, _inputs(pilot_result, 8))


def test_the_plan_says_what_the_pilot_can_tell(pilot_result, pilot_plan):
    p = pilot_plan.pilot
    assert p is not None and p.production_pool == pilot_plan.production_pool
    assert p.pilot_rows == int(pilot_result.meta["n_rows"]) > pilot_plan.simulated_pool  # pool and test split
    d = pilot_plan.to_dict()["pilot"]
    assert set(d) >= {"can_project", "reason", "more_pilot_labels", "decision_grade"}
    assert d["can_project"] == p.can_project and d["width_exponent"] == MEASURED.roi_width_exponent
    assert pilot_plan.to_dict()["trust"]["pilot"] == MEASURED.pilot_sentence()


def test_no_pilot_answer_without_a_projection(pilot_result):
    plan = build_plan(pilot_result, _inputs(pilot_result, 1))
    assert plan.pilot is None and plan.to_dict()["pilot"] is None and plan.to_dict()["trust"]["pilot"] is None
    assert "Pilot:" not in format_plan(plan)


def test_the_label_interval_holds_the_seeds_and_the_fits_own(pilot_result, pilot_plan):
    plan = pilot_plan
    level = plan.interval_level
    for est, rng, name in ((plan.labels_to_target_al, plan.business.labels_al, plan.strategy),
                           (plan.labels_to_target_random, plan.business.labels_random, "random")):
        assert est.low <= rng.low and est.high >= rng.high  # never narrower than the seeds' interval
        fit_est = plan.fits.fits[name].labels_for(min(1.0, plan.target.score), level=level)
        pool = plan.production_pool
        fit_high = pool if fit_est.high is None else min(pool, fit_est.high)
        assert est.high >= fit_high - 1e-6  # the fitted curve's pessimistic edge
        lo, hi = label_interval(pilot_result, plan.inputs, plan.target, plan.fits, name, level=level)
        # the hull of both, then the calibration suite's conformal widening (simulations.plan.conformal)
        q = PILOT_WIDENING.labels(level, projection=pool / plan.simulated_pool)
        assert (est.low, est.high) == pytest.approx(widen_log(min(rng.low, lo), max(rng.high, hi), q, first=10,
                                                              pool=pool))
    # an 80% interval is no wider than the 95% one
    lo80, hi80 = label_interval(pilot_result, plan.inputs, plan.target, plan.fits, "random", level=0.8)
    assert lo80 >= plan.labels_to_target_random.low - 1e-9 and hi80 <= plan.labels_to_target_random.high + 1e-9


def test_the_saving_carries_the_label_intervals_doubt(pilot_result, pilot_plan):
    plan = pilot_plan
    b, pool = plan.business, plan.production_pool
    # the label intervals before the calibration suite's widening (the fitted curve's doubt): their widening past
    # the seeds' interval is carried into the saving, then the saving gets its own conformal widening
    before = plan.calibration["before"]
    r0, a0 = before["labels_random"], before["labels_al"]
    carried = widen_difference(b.labels_saved.low, b.labels_saved.high,
                               random_seeds=(b.labels_random.low, b.labels_random.high), random=(r0["low"], r0["high"]),
                               al_seeds=(b.labels_al.low, b.labels_al.high), al=(a0["low"], a0["high"]), pool=pool)
    assert (before["labels_saved"]["low"], before["labels_saved"]["high"]) == pytest.approx(carried)
    expect = widen_share(*carried, PILOT_WIDENING.saved(plan.interval_level, projection=pool / plan.simulated_pool),
                         pool=pool)
    assert (plan.labels_saved.low, plan.labels_saved.high) == pytest.approx(expect)
    assert plan.labels_saved.median == pytest.approx(b.labels_saved.median)  # the median is the seeds' own
    # the projection widened a label interval here, so the saving is wider than the seeds' differences say
    assert any((e.low, e.high) != (r.low, r.high) for e, r in ((plan.labels_to_target_random, b.labels_random),
                                                               (plan.labels_to_target_al, b.labels_al)))
    assert plan.labels_saved.low < b.labels_saved.low or plan.labels_saved.high > b.labels_saved.high
    assert plan.to_dict()["labels_saved"]["low"] == pytest.approx(plan.labels_saved.low)


def test_no_projection_leaves_the_saving_as_the_seeds_say(pilot_result):
    plan = build_plan(pilot_result, _inputs(pilot_result, 1))
    if not plan.labels_to_target_random.extrapolated and not plan.labels_to_target_al.extrapolated:
        b = plan.business
        assert (plan.labels_saved.low, plan.labels_saved.high) == pytest.approx((b.labels_saved.low,
                                                                                 b.labels_saved.high))


def test_the_projected_scores_range_is_counted_once(pilot_result, pilot_plan):
    # the plan's rule does not read the target at the score's range ends off the median curve (that range is the
    # fitted curve's band, already counted); the calibration suite's comparison rule (score_doubt) does, and widens
    from dataclasses import replace

    tap = replace(pilot_plan.target, shift=0.0)
    narrow = replace(tap, ceiling_low=tap.ceiling, ceiling_high=tap.ceiling)
    wide = replace(tap, ceiling_low=max(0.0, tap.ceiling - 0.3), ceiling_high=1.0)
    inputs = replace(pilot_plan.inputs, target=Target("share_of_ceiling", 1.0))
    args = (pilot_result, inputs)
    assert label_interval(*args, narrow, pilot_plan.fits, "random", level=0.8) == \
        label_interval(*args, wide, pilot_plan.fits, "random", level=0.8)
    n_lo, n_hi = label_interval(*args, narrow, pilot_plan.fits, "random", level=0.8, score_doubt=True)
    w_lo, w_hi = label_interval(*args, wide, pilot_plan.fits, "random", level=0.8, score_doubt=True)
    assert w_lo <= n_lo and w_hi >= n_hi and (w_lo < n_lo or w_hi > n_hi)


def test_projected_labels_never_pass_the_pool(pilot_result):
    # 100% of the full-data score at a pool 5x larger: the curves cannot say when, so the counts run to the pool
    inputs = _inputs(pilot_result, 5, Target("share_of_ceiling", 1.0))
    plan = build_plan(pilot_result, inputs)
    pool = inputs.production_pool
    for e in (plan.labels_to_target_al, plan.labels_to_target_random, plan.stop.labels, plan.stop.cost_optimum):
        assert e.median <= pool and e.high <= pool and e.low <= pool
    ps = plan.business.per_seed
    assert (ps["labels_random"] <= pool).all() and (ps["labels_al"] <= pool).all()
    assert np.isfinite([plan.labels_to_target_al.high, plan.labels_to_target_random.high]).all()
    if plan.labels_to_target_random.high >= pool or plan.labels_to_target_al.high >= pool:
        assert plan.pilot is not None and not plan.pilot.can_project


def test_the_cli_and_the_pages_show_the_pilots_sentence(pilot_plan):
    from dataclasses import replace

    from simulations.plan.pilot import PilotAnswer

    answer = PilotAnswer(can_project=False, decision_grade=False, reason="The pilot cannot tell X.",
                         more_pilot_labels=1200, pilot_rows=344, production_pool=2000, width_exponent=0.5)
    plan = replace(pilot_plan, pilot=answer)
    text = format_plan(plan)
    assert "Pilot: The pilot cannot tell X. About 1,200 more labeled pilot rows (344 now)" in text
    assert MEASURED.pilot_sentence() in text
    warning, caption = tables.pilot_text(plan.to_dict())
    assert warning.startswith("The pilot cannot tell X.") and "1,200 more labeled pilot rows" in warning
    assert caption == MEASURED.pilot_sentence()
    assert tables.pilot_text({"pilot": None}) == ("", "")
    ok = replace(pilot_plan, pilot=replace(answer, can_project=True, decision_grade=True, reason="",
                                           more_pilot_labels=None))
    assert "Pilot:" not in format_plan(ok)
    assert tables.pilot_text(ok.to_dict())[0] == ""
    # the page says what the CLI says, word for word (one sentence, the engine's)
    assert f"Pilot: {tables.pilot_text(plan.to_dict())[0]}" in text
    # a projectable, decided pilot with a reason left over says nothing on the page either (as on the CLI)
    quiet = replace(pilot_plan, pilot=replace(answer, can_project=True, decision_grade=True, more_pilot_labels=None))
    assert tables.pilot_text(quiet.to_dict())[0] == "" and "Pilot:" not in format_plan(quiet)
