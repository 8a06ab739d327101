"""The calibration suite's split-half and miss tables count what they say (synthetic rows, no simulation)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "calibration" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("calibration_run_for_tests", RUN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _fig(low, high, truth, pool=1000, extrapolated=False):
    fig = {"median": (low + high) / 2, "low95": low, "high95": high, "low80": low, "high80": high}
    cov = {"truth": truth, "truth_extrapolated": extrapolated, "in95": low <= truth <= high,
           "in80": low <= truth <= high, "in95s": None, "in80s": None, "in95f": None, "in80f": None}
    return fig, cov


def _row(name, truth_al, pool=1000):
    figures, coverage = {}, {}
    for f in ("labels_al", "labels_random", "labels_saved", "roi", "cost_optimum"):
        fig, cov = _fig(100, 200 if f != "labels_random" else pool, truth_al if f == "labels_al" else 150,
                        extrapolated=f == "labels_al")
        figures[f], coverage[f] = fig, cov
    return {"dataset": name, "pool": pool,
            "pilots": [{"pilot": "500", "figures": figures, "coverage": coverage, "ceiling_covered": True}]}


def test_split_half_holds_out_the_odd_positions(run):
    # even positions: margin's truth inside; odd positions: above the interval
    rows = [_row("a", 150), _row("b", 500), _row("c", 150), _row("d", 500)]
    sh = run.split_half(rows)
    assert sh["chosen_on_even"]["datasets"] == ["a", "c"] and sh["held_out_odd"]["datasets"] == ["b", "d"]
    assert sh["chosen_on_even"]["labels_al_coverage95"] == 1.0 and sh["held_out_odd"]["labels_al_coverage95"] == 0.0
    assert sh["all"]["labels_al_coverage95"] == 0.5
    # random's interval runs to the whole pool in every row, margin's never: half of the label intervals are open
    assert sh["all"]["labels_open_share95"] == 0.5
    assert sh["all"]["saved_width_share95"] == pytest.approx(0.1)


def test_misses_count_the_side_and_the_extrapolated_truth(run):
    rows = [_row("a", 150), _row("b", 500), _row("c", 600), _row("d", 50)]
    recs = [(r, p) for r in rows for p in r["pilots"]]
    m = run.misses(recs)["labels_al_95"]
    assert m["n_missed"] == 3 and m["truth_above"] == 2 and m["truth_below"] == 1
    assert m["truth_extrapolated"] == 3 and m["pilot_score_missed"] == 0 and m["by_pilot"]["500"] == 3
    assert run.misses(recs)["labels_random_95"]["n_missed"] == 0


@pytest.fixture(scope="module")
def crossfit():
    spec = importlib.util.spec_from_file_location("calibration_crossfit_for_tests", RUN.parent / "crossfit.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cf_row(name, excess):
    """One pilot whose margin interval [100, 200] (before the widening) lies below the truth by ``excess`` on the log
    scale, and whose random interval holds its truth."""
    iv = {f"{e}{lvl}b": v for lvl in ("80", "95") for e, v in (("low", 100.0), ("high", 200.0))}
    return {"dataset": name, "pool": 10_000,
            "truth": {"labels_al": {"median": 200 * math.exp(excess)}, "labels_random": {"median": 150.0}},
            "pilots": [{"pilot": "500", "first": 20, "coverage": {},
                        "figures": {"labels_al": {"median": 150.0, **iv}, "labels_random": {"median": 150.0, **iv}}}]}


def test_leave_one_out_widens_each_dataset_by_the_others_only(crossfit):
    rows = [_cf_row(n, s) for n, s in zip("abcdef", (0.1, 0.2, 0.3, 0.4, 0.5, 2.0), strict=True)]
    cf = crossfit.crossfit(rows)
    r = cf["results"]
    # before: every margin truth lies above its interval, every random one inside
    assert r["before"]["80"]["labels"]["coverage"] == 0.5 and r["before"]["80"]["labels_al"]["coverage"] == 0
    # in-sample at 80%: 12 scores (6 random ones negative), the ceil(13 * 0.8) = 11th smallest is 0.5
    assert cf["fit_all"]["80"]["labels"] == pytest.approx(0.5)
    assert r["in_sample"]["80"]["labels_al"]["coverage"] == pytest.approx(5 / 6)
    # left out, the 9th smallest of the other 10 scores: e (0.5) sees 0.4 and is missed, d (0.4) sees 0.5 and is
    # covered, f (2.0) is never covered
    assert r["leave_one_out"]["80"]["labels_al"]["coverage"] == pytest.approx(4 / 6)
    assert r["leave_one_out"]["80"]["labels"]["coverage"] == pytest.approx(10 / 12)
    # split half: even positions (a, c, e) fitted on the odd (b, d, f) and the other way round
    assert cf["fit_even"]["80"]["labels"] != cf["fit_odd"]["80"]["labels"]
    assert r["split_half"]["80"]["labels"]["n"] == 12
    # nothing runs to the pool here, and the widened label interval's ends are further apart than before
    assert r["leave_one_out"]["80"]["labels"]["open_share"] == 0
    assert r["leave_one_out"]["80"]["labels"]["median_width"] > r["before"]["80"]["labels"]["median_width"] == 2


def _proj_row(name, excess_for, u):
    """Two pilots (projections 2x and 16x) whose margin interval [100, 200] lies below the truth by
    ``excess_for(projection) * u`` on the log scale; the truth is one figure, so each pilot has its own row."""
    iv = {f"{e}{lvl}b": v for lvl in ("80", "95") for e, v in (("low", 100.0), ("high", 200.0))}
    rows = []
    for proj in (2.0, 16.0):
        rows.append({"dataset": f"{name}-{proj:g}", "pool": 10_000,
                     "truth": {"labels_al": {"median": 200 * math.exp(excess_for(proj) * u)}},
                     "pilots": [{"pilot": "500", "first": 20, "coverage": {}, "simulated_pool": 10_000 / proj,
                                 "figures": {"labels_al": {"median": 150.0, **iv}}}]})
    return rows


@pytest.mark.parametrize(("excess_for", "expect"), [
    (lambda p: 0.3 * math.log(p), "log_projection"),  # errors grow with the projection: normalize by it
    (lambda p: 0.1 * math.log(p) ** 2, "log_projection_squared"),  # faster
    (lambda p: 0.5, "constant"),                       # errors do not: the plain quantile is the even one
])
def test_the_scale_whose_held_out_coverage_is_even_over_projections_is_chosen(crossfit, excess_for, expect):
    rows = [r for i in range(12) for r in _proj_row(f"d{i}", excess_for, 0.5 + i / 11)]
    cf = crossfit.crossfit(rows)
    assert cf["scale"] == expect
    for other in (s for s in crossfit.SCALES if s != expect):
        assert cf["scales"][expect]["worst_shortfall"] < cf["scales"][other]["worst_shortfall"]
    bins = cf["scales"][expect]["by_projection"]
    assert set(bins) == {"under 4x", "8x and longer"} and all(b["n_pilots"] == 12 for b in bins.values())
    assert cf["projection_range"] == pytest.approx([2.0, 16.0])
    # the report's fit is the chosen scale's
    assert cf["fit_all"] == cf["scales"][expect]["fit_all"]


def test_a_tie_in_evenness_goes_to_the_narrower_roi(crossfit):
    compared = {"constant": {"worst_shortfall": 0.05, "leave_one_out": {"95": {"roi": {"median_width": 2.0}}}},
                "log_projection": {"worst_shortfall": 0.05 + crossfit.EVEN_WITHIN * 0.9,
                                   "leave_one_out": {"95": {"roi": {"median_width": 1.5}}}}}
    assert crossfit.choose_scale(compared) == "log_projection"
    compared["log_projection"]["worst_shortfall"] = 0.05 + crossfit.EVEN_WITHIN * 1.1
    assert crossfit.choose_scale(compared) == "constant"


def test_shortfall_is_the_worst_range_below_its_level(crossfit):
    bins = {"a": {"80": {"labels": {"coverage": 0.78}, "roi": {"coverage": 0.9}},
                  "95": {"labels": {"coverage": 0.96}, "roi": {"coverage": 0.90}}},
            "b": {"80": {"labels": {"coverage": 0.85}}, "95": {"labels": {"coverage": 0.99}}}}
    assert crossfit.shortfall(bins) == pytest.approx(0.05)
    assert crossfit.shortfall({"a": {"95": {"labels": {"coverage": 0.97}}}}) == 0.0


@pytest.fixture(scope="module")
def tally():
    import sys

    sys.path.insert(0, str(RUN.parent))
    spec = importlib.util.spec_from_file_location("calibration_tally_for_tests", RUN.parent / "tally.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _roi_pilot(rows, sim, low_b, high_b, low, high, median=0.2):
    return {"pilot": str(rows), "rows": rows, "simulated_pool": sim, "calibration": {"projection": 3000 / sim},
            "figures": {"roi": {"median": median, "low95b": low_b, "high95b": high_b, "low95": low, "high95": high}}}


def test_the_more_pilot_backtest_predicts_widths_and_checks_the_named_size(tally, monkeypatch):
    from simulations.plan.conformal import PilotWidening

    # a constant ROI widening of 0.1 at 95%, measured down to 1x projections
    w = PilotWidening(labels80=0.1, labels95=0.2, cost_optimum95=0.1, roi80=0.05, roi95=0.1, saved80=0.01,
                      saved95=0.02, comparisons=1, datasets=1, source="test", measured="test", smallest_projection=1.0)
    monkeypatch.setattr(tally, "PILOT_WIDENING", w)
    row = {"dataset": "a", "pool": 3000, "truth": {"roi": {"median": 0.3}},
           "pilots": [_roi_pilot(500, 375, -0.2, 0.6, -0.3, 0.7), _roi_pilot(2000, 1500, 0.1, 0.3, 0.05, 0.35)]}
    # exponent 2: the plan's own width 0.8 falls to 0.8 / 16 = 0.05 at 4x the rows (it had 0.2 there), plus 2 x 0.1
    # of widening: 0.25 against the 0.30 shipped
    mc = tally.more_pilot_check([row], exponent=2.0)
    assert mc["n"] == 1 and mc["median_ratio"] == pytest.approx(0.05 / 0.2)
    assert mc["median_ratio_shipped"] == pytest.approx(0.25 / 0.30)
    # the side 0.4 must fall below 0.2 - 0.1: 0.4 / k^2 < 0.1 from k = 2, 500 more rows; the 2,000-row pilot is the
    # first that large, and it is decided (0.05 > 0), rightly (the truth's ROI is positive)
    (e,) = mc["estimates"]
    assert e["more"] == 500 and e["checked_at"] == 2000 and e["decided"] is True and e["right"] is True
    assert (mc["n_checked"], mc["n_checked_decided"], mc["n_checked_right"]) == (1, 1, 1)
    # the full data says it does not pay: the same decision is counted as wrong
    wrong = {**row, "truth": {"roi": {"median": -0.1}}}
    assert tally.more_pilot_check([wrong], exponent=2.0)["estimates"][0]["right"] is False
    # exponent 1: 0.4 / k < 0.1 from k = 4, 1,500 more rows: the 2,000-row pilot is just large enough
    e1 = tally.more_pilot_check([row], exponent=1.0)["estimates"][0]
    assert e1["more"] == 1500 and e1["checked_at"] == 2000
    # exponent 0.9: from k = 4^(1 / 0.9) = 4.66, about 1,800 more: beyond the suite's 2,000-row pilot, not checked
    e09 = tally.more_pilot_check([row], exponent=0.9)["estimates"][0]
    assert e09["more"] == 1800 and e09["checked_at"] is None
