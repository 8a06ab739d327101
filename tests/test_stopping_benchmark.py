"""The scoring of benchmarks/stopping.py (issue 3): held-out tuning, regrets, and the summary counts.

The benchmark's figures are quoted in docs/stopping-and-projection.md, so its bookkeeping is tested on small
synthetic rounds tables (no simulation), and the committed result file must agree with its own rows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulations.stopping import StabilizingPredictions, cost_curve, hindsight_optimum

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmark imports its sibling _common as a top-level module
import stopping as sb  # noqa: E402

LABELS = np.array([20, 30, 45, 68, 101, 152, 228, 342, 513, 770], dtype=float)
SETTING = sb.Setting("test", 1.0, 1000.0)


def _rounds(seed_offset: int = 0, kappa_shift: float = 0.0) -> pd.DataFrame:
    """Two strategies x 10 seeds of saturating curves with noisy kappa and changed-share signals."""
    rows = []
    for strategy, ceiling in (("random", 0.86), ("margin", 0.9)):
        for seed in range(10):
            rng = np.random.default_rng(1000 * seed_offset + seed + (0 if strategy == "random" else 50))
            metric = ceiling - 0.3 * (LABELS / 20) ** -0.8 + rng.normal(0, 0.004, len(LABELS))
            kappa = np.clip(1 - 2.0 / np.sqrt(LABELS) + rng.normal(0, 0.01, len(LABELS)) + kappa_shift, -1, 1)
            kappa[0] = np.nan  # no previous model in round 0
            changed = np.clip(1.5 / LABELS + rng.normal(0, 0.002, len(LABELS)), 0, 1)
            changed[0] = np.nan
            for i, x in enumerate(LABELS):
                rows.append({"strategy": strategy, "seed": seed, "round": i, "labels": x, "accuracy": metric[i],
                             "kappa": kappa[i], "changed_share": changed[i]})
    return pd.DataFrame(rows)


def _result(rounds: pd.DataFrame) -> SimpleNamespace:
    return SimpleNamespace(rounds=rounds, meta={"metric": "accuracy", "classes": ["a", "b"]})


def test_a_rule_that_never_fires_is_charged_the_last_round():
    runs = sb.seed_costs(_rounds(), "margin", "accuracy", SETTING)
    stops = {s: (LABELS[3] if s % 2 else None) for s in runs}
    rows = sb.stop_regrets(stops, runs)
    assert [r["seed"] for r in rows] == sorted(runs)
    for r in rows:
        run = runs[r["seed"]]
        i = 3 if r["seed"] % 2 else len(LABELS) - 1
        assert r["fired"] == bool(r["seed"] % 2)
        assert r["labels"] == LABELS[i]
        assert r["dollars"] == pytest.approx(run.cost[i] - run.cost[run.opt])
        assert r["dollars"] >= 0 and r["percent"] == pytest.approx(100 * r["dollars"] / abs(run.cost[run.opt]))


def test_a_fixed_count_stops_at_the_first_round_reaching_it():
    runs = sb.seed_costs(_rounds(), "random", "accuracy", SETTING)
    assert set(sb.first_at_least(runs, 100.0).values()) == {101.0}
    assert set(sb.first_at_least(runs, 101.0).values()) == {101.0}
    assert set(sb.first_at_least(runs, 5000.0).values()) == {770.0}  # beyond the budget: the last round


def test_held_out_scores_each_run_once_with_a_rule_tuned_without_it():
    rounds = _rounds()
    out = sb.analyse(_result(rounds), SETTING)
    f0, f1 = out["folds"]
    assert f0["tuned"]["seeds"] == [0, 1, 2, 3, 4] and f0["held_out"]["seeds"] == [5, 6, 7, 8, 9]
    assert f1["tuned"]["seeds"] == [5, 6, 7, 8, 9] and f1["held_out"]["seeds"] == [0, 1, 2, 3, 4]
    for fold in (f0, f1):
        strategy = fold["tuned"]["strategy"]
        runs = sb.seed_costs(rounds, strategy, "accuracy", SETTING)
        for r in fold["held_out"]["stabilizing"]:  # kappa >= 0.99 over 3 rounds, replayed by hand
            sub = rounds[(rounds.strategy == strategy) & (rounds.seed == r["seed"])].sort_values("round")
            i = StabilizingPredictions().first_stop({"labels": sub["labels"].to_numpy(),
                                                     "kappa": sub["kappa"].to_numpy()})
            i = len(LABELS) - 1 if i is None else i
            run = runs[r["seed"]]
            assert r["labels"] == LABELS[i] and r["dollars"] == pytest.approx(run.cost[i] - run.cost[run.opt])
    ho = out["held_out"]
    assert ho["stabilizing"]["regret_dollars"]["n"] == 10 and ho["recommended"]["regret_dollars"]["n"] == 10
    assert sum(ho["per_seed"].values()) == 10
    # Changing the held-out half's signals must not change what was tuned on the other half (no leakage).
    shifted = rounds.copy()
    late = shifted["seed"] >= 5
    shifted.loc[late, "kappa"] = np.clip(shifted.loc[late, "kappa"] - 0.05, -1, 1)
    shifted.loc[late, "changed_share"] = shifted.loc[late, "changed_share"] + 0.03
    again = sb.analyse(_result(shifted), SETTING)
    assert again["folds"][0]["tuned"] == f0["tuned"]
    assert again["folds"][0]["held_out"]["rule"] != f0["held_out"]["rule"]
    # The advice scored is the tuned rule, or the planned count when the rule did not beat it on the tuning half.
    for fold in (f0, f1):
        plan = fold["tuned"]["stop_at_plan"] or fold["tuned"]["criterion"] is None
        assert fold["held_out"]["recommended"] == fold["held_out"]["fixed_plan" if plan else "rule"]


def test_the_in_sample_recommendation_is_what_advise_says():
    from simulations.stopping import advise

    rounds = _rounds()
    out = sb.analyse(_result(rounds), SETTING)["in_sample"]
    adv = advise(_result(rounds), SETTING.cost_per_label, SETTING.value_per_point)  # type: ignore[arg-type]
    rec = adv.recommendation
    assert out["strategy"] == adv.evaluation.strategy
    assert (out["criterion"]["name"], out["criterion"]["threshold"]) == (rec.criterion.name, rec.criterion.threshold)
    assert out["criterion"]["regret_dollars"]["median"] == pytest.approx(rec.criterion.regret_dollars.median)
    opt = [hindsight_optimum(g["labels"], g["accuracy"], 1.0, 1000.0).labels
           for _, g in rounds[rounds.strategy == out["strategy"]].groupby("seed")]
    assert out["plan_labels"]["median"] == pytest.approx(np.median(opt))


def _cell(rec: float, sp: float, rec_fired: float = 1.0, sp_fired: float = 1.0) -> dict:
    def rule(d: float, fired: float) -> dict:
        return {"regret_dollars": {"median": d}, "regret_percent": {"median": d / 100}, "fired_share": fired}

    return {"held_out": {"recommended": rule(rec, rec_fired), "stabilizing": rule(sp, sp_fired),
                         "fixed_plan": rule((rec + sp) / 2, 1.0), "per_seed": {"lower": 1, "tie": 0, "higher": 0}},
            "in_sample": {"criterion": {"fired_share": 1.0, "regret_dollars": {"median": rec / 2},
                                        "regret_percent": {"median": rec / 200}},
                          "stabilizing": {"fired_share": sp_fired, "regret_dollars": {"median": sp}}}}


def test_summary_counts_cells_and_keeps_budget_stand_ins_apart():
    names = [s.name for s in sb.SETTINGS]
    datasets = {
        "a": {"settings": {names[0]: _cell(100, 200), names[1]: _cell(300, 300), names[2]: _cell(50, 40)}},
        "b": {"settings": {names[0]: _cell(10, 900, sp_fired=0.0), names[1]: _cell(5, 6), names[2]: _cell(7, 1)}},
    }
    s = sb.summarise(datasets)
    assert s["all"]["cells"] == 6
    assert s["all"]["recommended_vs_stabilizing"] == {"lower": 3, "tie": 1, "higher": 2}
    # The cell where stabilizing never fired is left out of the "both always fired" count.
    assert s["all"]["recommended_vs_stabilizing_both_always_fired"] == {"cells": 5, "lower": 2, "tie": 1,
                                                                       "higher": 2}
    assert s["all"]["sp_missed_a_run_cells"] == 1 and s["all"]["rec_missed_a_run_cells"] == 0
    assert s[names[0]]["recommended_vs_stabilizing"] == {"lower": 2, "tie": 0, "higher": 0}
    assert s[names[0]]["median_regret_dollars"]["stabilizing"] == pytest.approx(550)
    assert s["all"]["median_regret_dollars"]["recommended"] == pytest.approx(np.median([100, 300, 50, 10, 5, 7]))
    assert s["all"]["runs_recommended_vs_stabilizing"] == {"lower": 6, "tie": 0, "higher": 0}


def test_the_committed_result_file_agrees_with_its_own_rows():
    path = ROOT / "benchmarks" / "results" / "stopping.json"
    data = json.loads(path.read_text())
    assert data["summary"] == json.loads(json.dumps(sb.summarise(data["datasets"])))
    for d in data["datasets"].values():
        for cell in d["settings"].values():
            for rule in ("recommended", "stabilizing", "fixed_plan"):
                rows = [r for f in cell["folds"] for r in f["held_out"][rule]]
                assert sorted(r["seed"] for r in rows) == list(range(data["seeds"]))
                got = cell["held_out"][rule]["regret_dollars"]["median"]
                assert got == pytest.approx(np.median([r["dollars"] for r in rows]))
                assert all(r["dollars"] >= -1e-9 for r in rows)  # nothing beats the hindsight optimum


def test_cost_model_matches_the_engine():
    runs = sb.seed_costs(_rounds(), "margin", "accuracy", SETTING)
    sub = _rounds().query("strategy == 'margin' and seed == 3").sort_values("round")
    assert runs[3].cost == pytest.approx(cost_curve(sub["labels"], sub["accuracy"], 1.0, 1000.0))
