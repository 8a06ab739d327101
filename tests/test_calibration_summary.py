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
