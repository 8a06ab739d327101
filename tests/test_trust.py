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
    assert MEASURED.pilot_coverage95_before == pytest.approx(lt["before_coverage95"])
    assert MEASURED.pilot_coverage80_before == pytest.approx(lt["before_coverage80"])
    assert MEASURED.pilot_comparisons == lt["n95"]
    assert MEASURED.pilot_median_rel_error == pytest.approx(lt["median_rel_error"])
    assert MEASURED.pilot_coverage95_can_project == pytest.approx(s["can_project"]["true"]["labels_coverage95"])
    assert MEASURED.pilot_can_project_share == pytest.approx(s["can_project"]["share_true"])
    assert MEASURED.pilot_datasets == s["n_datasets"] >= 25
    # the plan's own ROI interval (before the widening) against pilot rows, and the backtest of the estimate built on it
    assert MEASURED.roi_width_exponent == pytest.approx(s["roi_width_before"]["exponent"])
    assert MEASURED.roi_width_prediction_ratio == pytest.approx(s["more_pilot_check"]["median_ratio"])
    assert s["more_pilot_check"]["exponent"] == pytest.approx(MEASURED.roi_width_exponent)
    assert MEASURED.pilot_saved_coverage95 == pytest.approx(s["coverage"]["labels_saved"]["all"]["coverage95"])
    assert MEASURED.pilot_saved_coverage80 == pytest.approx(s["coverage"]["labels_saved"]["all"]["coverage80"])
    # the held-out figures: widenings fitted without the pilot's dataset (cross-fitted by dataset)
    r = s["conformal"]["results"]
    lo, sh, before = r["leave_one_out"], r["split_half"], r["before"]
    assert MEASURED.pilot_coverage95_held_out == pytest.approx(lo["95"]["labels"]["coverage"])
    assert MEASURED.pilot_coverage80_held_out == pytest.approx(lo["80"]["labels"]["coverage"])
    assert MEASURED.pilot_coverage95_split_half == pytest.approx(sh["95"]["labels"]["coverage"])
    assert MEASURED.pilot_coverage80_split_half == pytest.approx(sh["80"]["labels"]["coverage"])
    assert MEASURED.pilot_open_share95 == pytest.approx(lo["95"]["labels"]["open_share"])
    assert MEASURED.pilot_label_width95 == pytest.approx(lo["95"]["labels"]["median_width"])
    assert MEASURED.pilot_saved_coverage95_held_out == pytest.approx(lo["95"]["labels_saved"]["coverage"])
    assert MEASURED.pilot_saved_coverage80_held_out == pytest.approx(lo["80"]["labels_saved"]["coverage"])
    assert MEASURED.pilot_roi_coverage95_held_out == pytest.approx(lo["95"]["roi"]["coverage"])
    assert MEASURED.pilot_roi_coverage80_held_out == pytest.approx(lo["80"]["roi"]["coverage"])
    assert MEASURED.pilot_roi_decided_share95 == pytest.approx(lo["95"]["roi"]["decided_share"])
    assert MEASURED.pilot_roi_decided_before == round(before["95"]["roi"]["decided_share"] * before["95"]["roi"]["n"])
    assert MEASURED.pilot_roi_wrong_before == before["95"]["roi"]["wrong_decisions"]
    assert MEASURED.pilot_cost_optimum_coverage95_held_out == pytest.approx(lo["95"]["cost_optimum"]["coverage"])
    assert MEASURED.pilot_net_savings_coverage95 == pytest.approx(s["coverage"]["net_savings"]["all"]["coverage95"])
    ns = s["no_signal_check"]
    assert (MEASURED.pilot_no_signal_pilots, MEASURED.pilot_no_signal_full_data_signal) == (
        ns["n_pilots"], ns["n_full_data_signal"])
    assert 0 < ns["n_full_data_signal"] <= ns["n_pilots"]  # the reason a pilot's "no signal" decides nothing
    # every pilot is measured once in each held-out scheme, and "before" is the plan's own rule
    assert lo["95"]["labels"]["n"] == sh["95"]["labels"]["n"] == lt["n95"]
    assert before["95"]["labels"]["coverage"] == pytest.approx(lt["before_coverage95"])
    # the split halves are the two halves of the suite's list, not subsets picked after the fact
    names = [r["dataset"] for r in d["rows"]]
    assert s["split_half"]["held_out_odd"]["datasets"] == names[1::2]
    assert s["split_half"]["chosen_on_even"]["datasets"] == names[0::2]
    p = MEASURED.pilot_sentence()
    assert f"{MEASURED.pilot_coverage95_held_out:.0%}" in p and f"{MEASURED.pilot_coverage80_held_out:.0%}" in p
    assert f"{MEASURED.pilot_coverage95_before:.0%}" in p and f"{MEASURED.pilot_saved_coverage95_held_out:.0%}" in p
    assert f"{MEASURED.pilot_datasets} real datasets" in p


def test_the_shipped_widenings_are_the_calibration_suites_fit():
    from simulations.plan.conformal import PILOT_WIDENING as w

    cf = json.loads((RESULTS / "calibration.json").read_text())["summary"]["conformal"]
    fit = cf["fit_all"]
    assert cf["shipped_matches_fit"]
    assert (w.labels80, w.labels95, w.roi80, w.roi95, w.saved80, w.saved95, w.cost_optimum95) == pytest.approx(
        (fit["80"]["labels"], fit["95"]["labels"], fit["80"]["roi"], fit["95"]["roi"], fit["80"]["labels_saved"],
         fit["95"]["labels_saved"], fit["95"]["cost_optimum"]))
    assert w.scale == cf["scale"]  # the rule the suite's held-out comparison chose
    assert w.comparisons == cf["n_label_scores"]["95"] and w.datasets == cf["n_datasets"]
