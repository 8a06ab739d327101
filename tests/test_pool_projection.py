"""Quick estimate on a small pool, projected to the production pool: known curves, the caveat, the quoted figures."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulations import ConfigError, SimulationConfig, SimulationResult, Target
from simulations.curves import QUICK_VS_FULL, pool_caveat, project_to_pool

ROOT = Path(__file__).resolve().parents[1]
LABELS = np.array([10, 14, 20, 28, 40, 57, 80, 113, 160])
N_SIM = 320


def law(x, a=0.95, b=0.6, c=0.5):
    """A known inverse power law learning curve (pow3)."""
    return a - b * np.asarray(x, dtype=float) ** (-c)


def known_result(n_seeds: int = 4, n_pool: int = N_SIM, noise: float = 0.002) -> SimulationResult:
    """Random follows ``law``; margin reaches the same scores with half the labels; ceiling = law(n_pool)."""
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(n_seeds):
        for name, speed in (("random", 1.0), ("margin", 2.0)):
            for r, n in enumerate(LABELS):
                v = float(law(n * speed) + rng.normal(0, noise))
                rows.append({"strategy": name, "seed": seed, "round": r, "labels": int(n), "accuracy": v,
                             "balanced_accuracy": v, "macro_f1": v})
    c = float(law(n_pool))
    ceil = pd.DataFrame({"seed": range(n_seeds), "accuracy": c, "balanced_accuracy": c, "macro_f1": c,
                         "baseline_accuracy": 0.5, "baseline_balanced_accuracy": 0.5, "baseline_macro_f1": 0.5})
    cfg = SimulationConfig(strategies=("random", "margin"), seeds=n_seeds)
    meta = {"metric": "accuracy", "metric_reason": "test", "budget": int(LABELS[-1]), "n_initial": int(LABELS[0]),
            "n_pool": n_pool}
    return SimulationResult(rounds=pd.DataFrame(rows), ceilings=ceil, config=cfg, meta=meta)


def test_ceiling_and_target_are_projected_along_the_known_curve():
    res = known_result()
    pool = 10 * N_SIM
    p = project_to_pool(res, pool, Target("share_of_ceiling", 0.95))
    assert p.simulated_pool == N_SIM and p.pool_ratio == 10
    assert p.ceiling_simulated.median == pytest.approx(law(N_SIM))
    # the projection follows the true curve to the production pool, and its interval covers the truth
    assert p.ceiling_projected == pytest.approx(law(pool), abs=0.01)
    assert p.ceiling_projected > p.ceiling_simulated.median
    assert p.ceiling_projected_low <= law(pool) <= p.ceiling_projected_high
    assert p.target_corrected_flag
    assert p.target_corrected == pytest.approx(0.95 * p.ceiling_projected)
    assert p.target_simulated == pytest.approx(0.95 * law(N_SIM))
    # labels for the corrected target: the inverse of the known curve (margin needs half of random's)
    true_random = ((0.95 - p.target_corrected) / 0.6) ** -2
    rnd, mar = p.strategies["random"], p.strategies["margin"]
    assert rnd.corrected.labels == pytest.approx(true_random, rel=0.15)
    assert mar.corrected.labels == pytest.approx(true_random / 2, rel=0.15)
    assert mar.savings_corrected == pytest.approx(0.5, abs=0.08)
    # the uncorrected figures are kept: a higher target needs more labels than the simulated one
    assert rnd.corrected.labels > rnd.simulated.median
    assert mar.savings_simulated is not None


def test_share_of_gap_is_re_expressed_and_absolute_is_not():
    res = known_result()
    gap = project_to_pool(res, 10 * N_SIM, Target("share_of_gap", 0.9))
    assert gap.target_corrected == pytest.approx(0.5 + 0.9 * (gap.ceiling_projected - 0.5))
    absolute = project_to_pool(res, 10 * N_SIM, Target("absolute", 0.8))
    assert not absolute.target_corrected_flag and absolute.target_corrected == 0.8
    assert all(s.corrected is None for s in absolute.strategies.values())
    cav = pool_caveat(res, 10 * N_SIM, Target("absolute", 0.8))
    assert cav is not None and cav.corrected == () and not cav.applied
    assert "absolute score" in cav.details


def test_no_caveat_when_the_simulated_pool_is_as_large():
    res = known_result()
    assert pool_caveat(res, N_SIM, Target()) is None
    assert pool_caveat(res, N_SIM // 2, Target()) is None
    p = project_to_pool(res, N_SIM, Target())
    assert not p.target_corrected_flag and p.ceiling_projected == p.ceiling_simulated.median
    assert p.target_corrected == p.target_simulated
    assert p.ceiling_model == "" and p.to_dict()["ceiling_backtest_mae"] is None  # nothing projected, nothing fitted
    assert all(s.corrected is None for s in p.strategies.values())


def test_caveat_sentence_carries_pools_figures_and_corrected_pair():
    res = known_result()
    cav = pool_caveat(res, 10 * N_SIM, Target(), strategy="margin")
    assert cav.simulated_pool == N_SIM and cav.production_pool == 10 * N_SIM and cav.strategy == "margin"
    assert f"{N_SIM:,} items" in cav.sentence and f"{10 * N_SIM:,}" in cav.sentence and "10.0x" in cav.sentence
    rnd = cav.projection.strategies["random"].corrected
    # every count shown carries its 95% interval: corrected (fitted curve) and simulated (over seeds)
    assert f"about {rnd.labels:,.0f} ({rnd.low:,.0f} to {rnd.high:,.0f}" in cav.sentence
    sim = cav.projection.strategies["margin"].simulated
    assert f"{sim.median:,.0f} ({sim.low:,.0f} to {sim.high:,.0f})" in cav.sentence
    cs = cav.projection.ceiling_simulated
    shown = f"{cs.median:.3f}" if f"{cs.low:.3f}" == f"{cs.high:.3f}" else \
        f"{cs.median:.3f} ({cs.low:.3f} to {cs.high:.3f})"  # a range every seed agrees on is not repeated
    assert f"{shown} here" in cav.details
    assert f"{QUICK_VS_FULL.labels_quick_lower} of {QUICK_VS_FULL.labels_compared}" in cav.sentence
    assert QUICK_VS_FULL.source in cav.details
    assert cav.applied == QUICK_VS_FULL.correction_helps
    d = json.loads(json.dumps(cav.to_dict(), allow_nan=False))
    assert d["projection"]["ceiling_projected"]["median"] == pytest.approx(cav.projection.ceiling_projected)


def test_caveat_keeps_simulated_figures_as_headline_when_the_benchmark_says_the_correction_did_not_help():
    res = known_result()
    helped = pool_caveat(res, 10 * N_SIM, Target(), strategy="margin")
    worse = replace(QUICK_VS_FULL, corrected_inside=QUICK_VS_FULL.labels_inside - 1)  # a re-run where it hurt
    assert QUICK_VS_FULL.correction_helps and not worse.correction_helps
    cav = pool_caveat(res, 10 * N_SIM, Target(), strategy="margin", measured=worse)
    assert helped.applied and not cav.applied
    assert "not applied" in cav.sentence and "not applied" not in helped.sentence
    assert "simulated figures stay the headline" in cav.details
    # only the reading changes: the corrected figures are still computed and shown
    assert cav.projection.to_dict() == helped.projection.to_dict() and cav.corrected == helped.corrected


def test_corrected_labels_never_below_the_initial_labeled_set():
    # a flat curve already at the target: the fitted crossing lies below the first label count
    res = known_result()
    res.rounds["accuracy"] = 0.9
    res.ceilings["accuracy"] = 0.9
    p = project_to_pool(res, 10 * N_SIM, Target("share_of_ceiling", 0.9))
    for s in p.strategies.values():
        assert s.corrected.labels >= LABELS[0]


@pytest.mark.parametrize("bad", [0, -5, 2.5, float("nan"), "many", True])
def test_bad_production_pool_is_a_config_error_with_hint(bad):
    with pytest.raises(ConfigError) as e:
        pool_caveat(known_result(), bad, Target())
    assert e.value.hint


def test_quoted_figures_match_the_benchmark_results():
    """QUICK_VS_FULL must be what benchmarks/quick_vs_full.py measured, not typed in by hand."""
    data = json.loads((ROOT / "benchmarks" / "results" / "quick_vs_full.json").read_text())
    q = QUICK_VS_FULL.to_dict()
    for key, value in data["counts"].items():
        assert q[key] == value, key
    assert q["n_seeds"] == data["meta"]["seeds"] and q["n_datasets"] == len(data["meta"]["datasets"])
    assert q["sample_share"] == data["meta"]["share"] and q["version"] == data["meta"]["date"]
    # and the counts are what the rows say
    rows = [r for r in data["rows"] if r.get("inside_full_interval") is not None]
    lab = [r for r in rows if r["quantity"] in ("labels_random", "labels_margin")]
    cor = [r for r in rows if r["quantity"] in ("labels_random_corrected", "labels_margin_corrected")]
    assert q["labels_inside"] == sum(r["inside_full_interval"] for r in lab)
    assert q["corrected_inside"] == sum(r["inside_full_interval"] for r in cor)
    assert q["labels_quick_lower"] == sum(r["direction"] == "quick lower" for r in lab)
    md = (ROOT / QUICK_VS_FULL.source).read_text()
    assert f"inside {q['labels_inside']}/{q['labels_compared']} uncorrected" in md


def test_business_case_carries_the_caveat_only_for_a_larger_production_pool():
    from simulations.economics import EconomicInputs, business_case_from_results

    res = known_result()

    def case(pool):
        inputs = EconomicInputs(cost_per_label=2.0, production_pool=pool, value_per_point=100.0)
        return business_case_from_results(res, inputs, Target(), n_boot=50)

    big, same = case(10 * N_SIM), case(N_SIM)
    assert same.pool_caveat is None and same.to_dict()["pool_caveat"] is None
    cav = big.pool_caveat
    assert cav is not None and cav.strategy == big.strategy == "margin"
    assert cav.sentence in big.assumptions and cav.sentence not in same.assumptions
    d = big.to_dict()["pool_caveat"]
    assert d["simulated_pool"] == N_SIM and d["production_pool"] == 10 * N_SIM
    # the money is still the simulation's: the caveat sits beside it, it does not replace it
    assert big.labels_al.median == same.labels_al.median


def test_projection_curves_reach_the_pool_with_bands_and_the_score_there():
    from simulations.curves import pool_fits, projection_curves
    from simulations.summary import summarize

    res = known_result()
    out = projection_curves(res, ["random", "margin"], 10 * N_SIM, 0.9)
    assert out["pool"] == 10 * N_SIM and out["simulated_up_to"] == res.rounds["labels"].max()
    curves = pd.DataFrame(out["curves"])
    assert set(curves["strategy"]) == {"random", "margin"}
    assert curves["labels"].max() == 10 * N_SIM  # drawn all the way to the production pool
    assert (curves["low"] <= curves["predicted"] + 1e-12).all()
    assert (curves["predicted"] <= curves["high"] + 1e-12).all()
    pf = pool_fits(res, 10 * N_SIM, ["random", "margin"], summary=summarize(res, Target()))
    fit = pf.fits["margin"]
    m = out["strategies"]["margin"]
    # the whole production pool labeled: every strategy scores the projected whole-pool score
    assert m["model"] == fit.model and m["at_pool"] == pytest.approx(pf.ceiling)
    assert out["strategies"]["random"]["at_pool"] == pytest.approx(pf.ceiling)
    assert out["at_pool_is_whole_pool"] is True
    assert m["at_pool_low"] <= m["at_pool"] <= m["at_pool_high"]
    assert m["labels_for_target"]["labels"] == pytest.approx(fit.labels_for(0.9, level=0.95).labels)
    assert out["target_value"] == 0.9 and not out["target_corrected"]  # a float target is used as given
    # no production pool: curves go 1.5x past the simulation and there is no score at the pool
    none = projection_curves(res, ["random"], 0)
    assert max(r["labels"] for r in none["curves"]) == pytest.approx(round(1.5 * res.rounds["labels"].max()))
    rnd = none["strategies"]["random"]
    assert np.isnan(rnd["at_pool"]) and rnd["labels_for_target"] is None
    assert none["at_pool_is_whole_pool"] is False


def steep_result(ceiling: float = 0.76) -> SimulationResult:
    """Curves still rising steeply at the budget (a fit alone would level off near 100%), and a whole-pool score
    of ``ceiling``: the measured evidence that they flatten well below that."""
    rng = np.random.default_rng(3)
    rows = []
    for seed in range(4):
        for name, speed in (("random", 1.0), ("margin", 1.4)):
            for r, n in enumerate(LABELS):
                v = float(0.5 + 0.11 * np.log(n * speed / LABELS[0]) + rng.normal(0, 0.002))
                rows.append({"strategy": name, "seed": seed, "round": r, "labels": int(n), "accuracy": v,
                             "balanced_accuracy": v, "macro_f1": v})
    ceil = pd.DataFrame({"seed": range(4), "accuracy": ceiling, "balanced_accuracy": ceiling, "macro_f1": ceiling,
                         "baseline_accuracy": 0.5, "baseline_balanced_accuracy": 0.5, "baseline_macro_f1": 0.5})
    meta = {"metric": "accuracy", "metric_reason": "test", "budget": int(LABELS[-1]), "n_initial": int(LABELS[0]),
            "n_pool": N_SIM}
    return SimulationResult(rounds=pd.DataFrame(rows), ceilings=ceil,
                            config=SimulationConfig(strategies=("random", "margin"), seeds=4), meta=meta)


def test_projection_stays_under_the_projected_whole_pool_score():
    from simulations.curves import fit_curves, projection_curves

    res = steep_result()
    pool = 50 * N_SIM
    # the bug this guards: fitted alone, the steep random curve levels off far above the whole-pool score
    alone = fit_curves(res.rounds, "accuracy", strategies=["random"])["random"]
    assert float(alone.predict([pool])[0]) > 0.9
    out = projection_curves(res, ["random", "margin"], pool, Target())
    ceil = out["ceiling"]
    assert ceil["projected"] and ceil["low"] <= ceil["median"] <= ceil["high"] and ceil["median"] < 0.8
    curves = pd.DataFrame(out["curves"])
    at_pool = curves[(curves["strategy"] == "random") & (curves["labels"] == pool)]["predicted"].iloc[0]
    assert at_pool < 0.8  # the drawn curve follows the whole-pool evidence, not the steep early trend
    # no curve, band or asymptote goes above the upper edge of the projected whole-pool score
    assert (curves["predicted"] <= ceil["high"] + 1e-9).all() and (curves["high"] <= ceil["high"] + 1e-9).all()
    for name, s in out["strategies"].items():
        assert s["asymptote"] is None or s["asymptote"] <= ceil["high"] + 1e-9, name
        assert s["at_pool"] == pytest.approx(ceil["median"]) and s["at_pool_high"] <= ceil["high"] + 1e-9


def test_projection_table_and_pool_caveat_give_the_same_labels():
    """One number for one thing: labels to the (corrected) target on the chart's table and in the caveat."""
    from simulations.curves import projection_curves

    for res in (known_result(), steep_result()):
        pool = 10 * N_SIM
        cav = pool_caveat(res, pool, Target(), strategy="margin")
        out = projection_curves(res, ["random", "margin"], pool, Target())
        assert out["target_corrected"] and out["target_value"] == pytest.approx(cav.projection.target_corrected)
        assert out["ceiling"]["median"] == pytest.approx(cav.projection.ceiling_projected)
        for name in ("random", "margin"):
            table = out["strategies"][name]["labels_for_target"]
            corrected = cav.projection.strategies[name].corrected
            assert table["reachable"] == corrected.reachable
            if corrected.reachable:
                assert table["labels"] == pytest.approx(corrected.labels, rel=1e-6), name
