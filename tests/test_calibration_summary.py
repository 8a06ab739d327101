"""The calibration suite's split-half and miss tables count what they say (synthetic rows, no simulation)."""

from __future__ import annotations

import importlib.util
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
