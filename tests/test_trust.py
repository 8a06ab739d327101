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
