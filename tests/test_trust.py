"""The measured figures quoted to users are the committed benchmarks' own numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulations.trust import MEASURED

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def test_verdict_figures_are_the_null_power_benchmarks():
    d = json.loads((RESULTS / "null_power.json").read_text())
    assert MEASURED.false_verdict_rate == pytest.approx(d["worst_false_verdict_rate"])
    assert MEASURED.false_verdict_rate <= 0.05  # the promise the verdict rule makes
    power = {(r["effect"], r["strategies"], r["seeds"]): r["new_beats"] for r in d["power"]}
    assert MEASURED.power_default == pytest.approx(power[("25% saving, sd 0.3", 3, 7)])
    assert MEASURED.power_default_noisy == pytest.approx(power[("25% saving, sd 0.6", 3, 7)])


def test_projection_figures_are_the_extrapolation_benchmarks():
    d = json.loads((RESULTS / "extrapolation.json").read_text())
    seed = d["figures"]["overall"]["seed"]
    assert MEASURED.extrapolation_coverage80 == pytest.approx(seed["coverage80"])
    assert MEASURED.extrapolation_coverage95 == pytest.approx(seed["coverage95"])


def test_the_sentences_quote_the_figures():
    v, p = MEASURED.verdict_sentence(), MEASURED.projection_sentence()
    assert f"{MEASURED.false_verdict_rate:.1%}" in v and f"{MEASURED.power_default:.0%}" in v
    assert f"{MEASURED.extrapolation_coverage80:.0%}" in p and f"{MEASURED.extrapolation_coverage95:.0%}" in p
    for src in MEASURED.sources:
        assert (RESULTS.parents[1] / src).exists()


def test_pilot_figures_are_the_calibration_suites():
    d = json.loads((RESULTS / "calibration.json").read_text())
    assert d["smoke"] is False
    s = d["summary"]
    lt = s["labels_to_target"]
    assert MEASURED.pilot_coverage95 == pytest.approx(lt["coverage95"])
    assert MEASURED.pilot_coverage80 == pytest.approx(lt["coverage80"])
    assert MEASURED.pilot_comparisons == lt["n95"]
    assert MEASURED.pilot_median_rel_error == pytest.approx(lt["median_rel_error"])
    assert MEASURED.pilot_coverage95_can_project == pytest.approx(s["can_project"]["true"]["labels_coverage95"])
    assert MEASURED.pilot_can_project_share == pytest.approx(s["can_project"]["share_true"])
    assert MEASURED.pilot_datasets == s["n_datasets"] >= 25
    assert MEASURED.roi_width_exponent == pytest.approx(s["roi_width"]["exponent"])
    ho, everything = s["split_half"]["held_out_odd"], s["split_half"]["all"]
    assert MEASURED.pilot_coverage95_held_out == pytest.approx(ho["labels_coverage95"])
    assert MEASURED.pilot_coverage80_held_out == pytest.approx(ho["labels_coverage80"])
    assert MEASURED.pilot_open_share95 == pytest.approx(everything["labels_open_share95"])
    assert everything["labels_coverage95"] == pytest.approx(lt["coverage95"])  # the split's "all" is the headline
    assert MEASURED.pilot_saved_coverage95 == pytest.approx(s["coverage"]["labels_saved"]["all"]["coverage95"])
    assert MEASURED.pilot_saved_coverage80 == pytest.approx(s["coverage"]["labels_saved"]["all"]["coverage80"])
    assert MEASURED.pilot_saved_coverage95_held_out == pytest.approx(ho["labels_saved_coverage95"])
    # the held-out half is the other half of the suite's list, not a subset picked after the fact
    names = [r["dataset"] for r in d["rows"]]
    assert ho["datasets"] == names[1::2] and s["split_half"]["chosen_on_even"]["datasets"] == names[0::2]
    p = MEASURED.pilot_sentence()
    assert f"{MEASURED.pilot_coverage95:.0%}" in p and f"{MEASURED.pilot_coverage80:.0%}" in p
    assert f"{MEASURED.pilot_coverage95_held_out:.0%}" in p and f"{MEASURED.pilot_saved_coverage95:.0%}" in p
    assert f"{MEASURED.pilot_datasets} real datasets" in p
