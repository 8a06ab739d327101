"""Summary logic on hand-made results, where the right answer is known by construction."""

import numpy as np
import pandas as pd
import pytest

from simulations import ConfigError, SimulationConfig, SimulationResult, Target, per_seed, summarize
from simulations.summary import area_under_curve, choose_metric, learning_curves

LABELS = [10, 20, 40, 80, 160]


def fake_result(curves: dict[str, list[list[float]]], ceiling=0.9, baseline=0.5, metric="accuracy"):
    """curves: strategy -> one curve per seed (values at LABELS)."""
    rows = []
    for strategy, per_seed_curves in curves.items():
        for seed, curve in enumerate(per_seed_curves):
            for r, (n, v) in enumerate(zip(LABELS, curve, strict=True)):
                rows.append({"strategy": strategy, "seed": seed, "round": r, "labels": n, "accuracy": v,
                             "balanced_accuracy": v, "macro_f1": v})
    n_seeds = len(next(iter(curves.values())))
    ceil = pd.DataFrame({"seed": range(n_seeds), "accuracy": ceiling, "balanced_accuracy": ceiling,
                         "macro_f1": ceiling, "baseline_accuracy": baseline,
                         "baseline_balanced_accuracy": baseline, "baseline_macro_f1": baseline})
    cfg = SimulationConfig(strategies=tuple(curves), seeds=n_seeds)
    meta = {"metric": metric, "metric_reason": "test", "budget": LABELS[-1], "n_initial": LABELS[0]}
    return SimulationResult(rounds=pd.DataFrame(rows), ceilings=ceil, config=cfg, meta=meta)


def test_labels_to_target_interpolates_between_rounds():
    res = fake_result({"random": [[0.5, 0.6, 0.7, 0.8, 0.88]]})
    ps = per_seed(res, Target("absolute", 0.75))
    # 0.75 lies half-way between 40 (0.7) and 80 (0.8) labels
    assert ps["labels_to_target"].item() == pytest.approx(60)
    assert not ps["censored"].item()


def test_clear_winner_gets_savings_and_beats_random():
    rnd = [[0.5, 0.6, 0.7, 0.8, 0.86 + 0.001 * s] for s in range(6)]
    fast = [[0.5, 0.8, 0.86, 0.87, 0.88] for _ in range(6)]
    s = summarize(fake_result({"random": rnd, "margin": fast}), Target("share_of_ceiling", 0.95))
    m = s.strategies["margin"]
    assert m.verdict == "beats random" and m.p_worse_than_random == 0
    # random reaches 0.855 at 80 + (0.055/0.06..)*80 labels; margin between 20 and 40
    assert 0.6 < m.savings_vs_random.median < 0.9
    assert m.savings_vs_random.low > 0
    assert "fewer labels than random" in s.verdict_sentence()


def test_no_evidence_when_the_interval_includes_zero():
    a = [[0.5, 0.6, 0.7, 0.8, 0.88], [0.5, 0.62, 0.72, 0.82, 0.88], [0.5, 0.58, 0.68, 0.79, 0.88]]
    b = [[0.5, 0.62, 0.72, 0.82, 0.88], [0.5, 0.58, 0.68, 0.79, 0.88], [0.5, 0.6, 0.7, 0.8, 0.88]]
    s = summarize(fake_result({"random": a * 2, "margin": b * 2}), Target("absolute", 0.75))  # 6 seeds
    m = s.strategies["margin"]
    assert m.verdict == "no evidence"
    assert m.savings_vs_random.low <= 0 <= m.savings_vs_random.high
    assert "No evidence" in m.sentence


def test_worse_than_random_is_said():
    good = [[0.5, 0.7, 0.8, 0.85, 0.88]] * 6
    bad = [[0.5, 0.55, 0.6, 0.7 + 0.01 * s, 0.86] for s in range(6)]
    s = summarize(fake_result({"random": good, "margin": bad}), Target("absolute", 0.8))
    assert s.strategies["margin"].verdict == "worse than random"
    assert s.strategies["margin"].p_worse_than_random == 1.0


def test_censored_random_makes_savings_a_lower_bound():
    slow = [[0.5, 0.55, 0.6, 0.65, 0.7]] * 6  # never reaches 0.8
    fast = [[0.5, 0.7, 0.8, 0.85, 0.88]] * 6  # reaches 0.8 at 40
    s = summarize(fake_result({"random": slow, "margin": fast}), Target("absolute", 0.8))
    r, m = s.strategies["random"], s.strategies["margin"]
    assert r.labels_to_target.censored and r.labels_to_target.bound == "lower"
    assert m.savings_vs_random.censored and m.savings_vs_random.bound == "lower"
    assert m.savings_vs_random.median == pytest.approx(1 - 40 / 160)
    assert "at least 75%" in m.sentence
    assert s.to_dict()["strategies"]["margin"]["censored"] is True


def test_too_easy_target_is_flagged_not_reported_as_zero_savings():
    c = [[0.86, 0.87, 0.88, 0.89, 0.9]] * 4
    s = summarize(fake_result({"random": c, "margin": c}), Target("share_of_ceiling", 0.9))
    assert s.too_easy
    assert s.strategies["margin"].savings_vs_random is None
    assert any("too easy" in n for n in s.notes)
    assert "area under" in s.strategies["margin"].verdict_basis


def test_target_kinds():
    assert Target("absolute", 0.7).value_for(0.9, 0.5) == 0.7
    assert Target("share_of_ceiling", 0.9).value_for(0.9, 0.5) == pytest.approx(0.81)
    assert Target("share_of_gap", 0.5).value_for(0.9, 0.5) == pytest.approx(0.7)
    with pytest.raises(ConfigError):
        Target("share_of_ceiling", 1.5)


def test_metric_defaults_to_balanced_accuracy_on_imbalanced_data():
    assert choose_metric({"a": 90, "b": 10})[0] == "balanced_accuracy"
    metric, reason = choose_metric({"a": 60, "b": 40})
    assert metric == "accuracy" and "balanced" in reason
    # the line scales with the number of classes: ten equal classes of 10% are balanced
    assert choose_metric({str(i): 97 + i for i in range(10)})[0] == "accuracy"
    assert choose_metric({**{str(i): 100 for i in range(9)}, "rare": 30})[0] == "balanced_accuracy"  # 3.2% < 4%
    assert choose_metric({"a": 146, "b": 124, "c": 68})[0] == "accuracy"  # penguins: 20.1% > 13.3% of 3 classes
    assert choose_metric({"a": 81, "b": 19})[0] == "balanced_accuracy"  # two classes: still under 20%


def test_curve_band_and_auc():
    res = fake_result({"random": [[0.5, 0.6, 0.7, 0.8, 0.9], [0.5, 0.7, 0.8, 0.9, 0.9]]})
    lc = learning_curves(res)
    row = lc[lc.labels == 20].iloc[0]
    assert row["mean"] == pytest.approx(0.65) and row["low"] < 0.65 < row["high"]
    assert area_under_curve(np.array([0, 10]), np.array([0.0, 1.0])) == pytest.approx(0.5)


def _best_both_ways(curves, target):
    from simulations.economics import choose_strategy

    res = fake_result(curves)
    return summarize(res, target).best().name, choose_strategy(per_seed(res, target, "accuracy"))


def test_equal_strategies_are_broken_the_same_way_by_summary_and_business_case():
    rnd = [[0.5, 0.6, 0.7, 0.8, 0.86 + 0.001 * s] for s in range(4)]
    fast = [[0.5, 0.8, 0.86, 0.87, 0.88] for _ in range(4)]
    # identical results: "zeta" is listed first, "alpha" sorts first; both rankings must pick the same one
    best, chosen = _best_both_ways({"random": rnd, "zeta": fast, "alpha": fast}, Target("share_of_ceiling", 0.95))
    assert best == chosen == "alpha"


def test_equal_savings_are_broken_by_the_auc_gain_in_both():
    rnd = [[0.5, 0.6, 0.7, 0.8, 0.86 + 0.001 * s] for s in range(4)]
    # both reach 0.855 at the same label count; "zeta" learns faster before it (larger area under the curve)
    slow = [[0.5, 0.6, 0.86, 0.87, 0.88] for _ in range(4)]
    quick = [[0.5, 0.8, 0.86, 0.87, 0.88] for _ in range(4)]
    best, chosen = _best_both_ways({"random": rnd, "alpha": slow, "zeta": quick}, Target("share_of_ceiling", 0.95))
    assert best == chosen == "zeta"


def test_too_easy_target_ranks_by_auc_gain_in_both():
    rnd = [[0.9, 0.9, 0.9, 0.9, 0.9] for _ in range(3)]
    better = [[0.9, 0.95, 0.96, 0.96, 0.96] for _ in range(3)]
    best, chosen = _best_both_ways({"random": rnd, "alpha": rnd, "zeta": better}, Target("absolute", 0.5))
    assert best == chosen == "zeta"


def test_format_interval_drops_a_range_every_seed_agrees_on():
    from simulations.summary import Interval, format_interval

    assert format_interval(Interval(400.0, 400.0, 400.0, bound="lower")) == ">= 400"
    assert format_interval(Interval(148.2, 112.0, 179.4)) == "148 (112 to 179)"
    assert format_interval(Interval(0.634, 0.55, 0.72, bound="lower"), pct=True) == ">= 63% (55% to 72%)"
    assert format_interval(None) == "n/a"


def test_curves_from_a_partial_rounds_table_match_learning_curves():
    import pandas as pd

    from simulations import SimulationConfig, SimulationResult
    from simulations.summary import curves_from_rounds, learning_curves

    rows = [{"strategy": s, "seed": k, "round": r, "labels": 10 * (r + 1), "accuracy": 0.5 + 0.1 * r + 0.01 * k,
             "balanced_accuracy": 0.5, "macro_f1": 0.5} for s in ("random", "margin") for k in range(3)
            for r in range(3)]
    res = SimulationResult(rounds=pd.DataFrame(rows), ceilings=pd.DataFrame({"seed": range(3)}),
                           config=SimulationConfig(strategies=("random", "margin"), seeds=3),
                           meta={"metric": "accuracy"})
    assert learning_curves(res, "accuracy").equals(curves_from_rounds(res.rounds, "accuracy"))
    first_seed = curves_from_rounds(res.rounds[res.rounds["seed"] == 0], "accuracy")
    assert (first_seed["n_seeds"] == 1).all() and (first_seed["low"] == first_seed["mean"]).all()
    assert len(curves_from_rounds(res.rounds, "accuracy")) == 6  # 2 strategies x 3 label counts


# ---- when the evidence is too thin for a verdict ---------------------------------------------------------------
def test_one_or_two_seeds_get_no_verdict_whatever_the_gap():
    rnd = [[0.5, 0.6, 0.7, 0.8, 0.86]]
    fast = [[0.5, 0.8, 0.86, 0.87, 0.88]]
    # with 5 seeds or fewer even "every seed saves" happens by luck more than 5% of the time (2 / 2**5 = 6.25%)
    for n in (1, 2, 5):
        s = summarize(fake_result({"random": rnd * n, "margin": fast * n}), Target("absolute", 0.8))
        m = s.strategies["margin"]
        assert m.savings_vs_random.median > 0.5  # the measured saving is still shown
        assert m.verdict == "no evidence" and m.sentence.startswith("No verdict for margin")
        assert any(f"Only {n} seed" in note for note in s.notes)
    # six seeds are enough for the same clear gap (2 / 2**6 = 3.1%)
    s6 = summarize(fake_result({"random": rnd * 6, "margin": fast * 6}), Target("absolute", 0.8))
    assert s6.strategies["margin"].verdict == "beats random"
    assert not any("Only" in note for note in s6.notes)


def test_a_saving_from_the_one_seed_both_did_not_miss_is_no_verdict():
    # seeds 0-3: neither reaches 0.85; seed 4: random crosses late by luck, margin early
    miss = [0.5, 0.6, 0.7, 0.75, 0.8]
    rnd = [miss] * 4 + [[0.5, 0.6, 0.7, 0.8, 0.86]]
    al = [miss] * 4 + [[0.5, 0.86, 0.86, 0.86, 0.86]]
    s = summarize(fake_result({"random": rnd, "margin": al}), Target("absolute", 0.85))
    m = s.strategies["margin"]
    assert m.savings_vs_random is not None and m.savings_vs_random.median > 0.8
    assert m.verdict == "no evidence"
    assert "only 1 of 5 seeds compares it with random" in m.sentence and m.p_worse_than_random is None
    assert "beats random" not in s.to_dict()["strategies"]["margin"]["verdict"]


def test_a_model_that_learns_nothing_is_not_a_too_easy_target():
    flat = [[0.51, 0.50, 0.52, 0.51, 0.50]] * 4  # chance level, like a ceiling at the baseline
    s = summarize(fake_result({"random": flat, "margin": flat}, ceiling=0.515, baseline=0.52),
                  Target("share_of_ceiling", 0.95))
    assert s.no_signal and not s.too_easy
    assert not any("too easy" in n for n in s.notes)
    assert any("51.5% accuracy against 52.0% for always predicting the majority class" in n for n in s.notes)
    assert s.strategies["margin"].verdict == "no evidence" and s.strategies["margin"].savings_vs_random is None
    assert s.verdict_sentence().startswith("No strategy can save labels here")
    assert s.to_dict()["no_signal"] is True
    # a real (if small) lift over the baseline is not "no signal"
    assert not summarize(fake_result({"random": flat, "margin": flat}, ceiling=0.6, baseline=0.52)).no_signal


def test_too_easy_needs_most_seeds_and_says_how_many():
    easy = [0.9, 0.9, 0.9, 0.9, 0.9]
    hard = [0.5, 0.6, 0.7, 0.8, 0.9]
    half = summarize(fake_result({"random": [easy, hard], "margin": [easy, hard]}), Target("absolute", 0.85))
    assert not half.too_easy and half.strategies["margin"].savings_vs_random is not None
    most = summarize(fake_result({"random": [easy, easy, hard], "margin": [easy, easy, hard]}),
                     Target("absolute", 0.85))
    assert most.too_easy
    assert any("in 2 of 3 seeds" in n for n in most.notes)


def test_initial_labels_raised_for_the_classes_is_said():
    res = fake_result({"random": [[0.5, 0.6, 0.7, 0.8, 0.86]] * 3})
    res.config = SimulationConfig(strategies=("random",), seeds=3, initial_labels=5)
    res.meta["n_initial"] = 10  # the runner needed one row per class
    assert any("10 initial labels, not the 5 asked for" in n for n in summarize(res).notes)
    res.meta["n_initial"] = 5
    assert not any("asked for" in n for n in summarize(res).notes)


def test_identical_strategies_get_identical_intervals_and_p_worse():
    rnd = [[0.5, 0.6, 0.7, 0.8, 0.86 + 0.002 * s] for s in range(5)]
    al = [[0.5, 0.62 + 0.03 * s, 0.75, 0.84, 0.88] for s in range(5)]
    s = summarize(fake_result({"random": rnd, "margin": al, "entropy": al, "least_confidence": al}),
                  Target("absolute", 0.8))
    got = {n: (s.strategies[n].savings_vs_random.low, s.strategies[n].savings_vs_random.high,
               s.strategies[n].p_worse_than_random) for n in ("margin", "entropy", "least_confidence")}
    assert len(set(got.values())) == 1, got


def test_a_censored_median_saving_is_worded_as_the_bound_it_is():
    fast = [[0.5, 0.7, 0.8, 0.85, 0.88]] * 4 + [[0.5, 0.55, 0.6, 0.65, 0.7]] * 2
    slow = [[0.5, 0.55, 0.6, 0.65, 0.7]] * 4 + [[0.5, 0.7, 0.8, 0.85, 0.88]] * 2
    sv = summarize(fake_result({"random": fast, "margin": slow}), Target("absolute", 0.8)).strategies["margin"]
    assert sv.savings_vs_random.bound == "upper"
    assert "is at most -300% with an interval" in sv.sentence, sv.sentence


# ---- verdicts corrected for picking the best of several strategies ---------------------------------------------
def test_best_of_three_needs_seven_seeds_and_says_so():
    rnd = [[0.5, 0.6, 0.7, 0.8, 0.86 + 0.001 * s] for s in range(7)]
    fast = [[0.5, 0.8, 0.86, 0.87, 0.88] for _ in range(7)]
    three = {"random": rnd, "margin": fast, "entropy": fast, "least_confidence": fast}
    s6 = summarize(fake_result({k: v[:6] for k, v in three.items()}), Target("absolute", 0.8))
    m6 = s6.strategies["margin"]
    assert m6.verdict == "no evidence" and m6.k_compared == 3
    assert "needs at least 7 when the best of 3 strategies is picked" in m6.sentence
    assert any("picking the best of 3 needs at least 7 seeds" in n for n in s6.notes)
    # the same gap with one strategy is a verdict at 6 seeds
    assert summarize(fake_result({"random": rnd[:6], "margin": fast[:6]}),
                     Target("absolute", 0.8)).strategies["margin"].verdict == "beats random"
    s7 = summarize(fake_result(three), Target("absolute", 0.8))
    m7 = s7.strategies["margin"]
    assert m7.verdict == "beats random" and m7.p_value <= 0.05
    assert "corrected for picking the best of 3 strategies" in m7.sentence
    assert m7.savings_vs_random.confidence >= 1 - 0.05 / 3


def test_one_exploding_seed_moves_an_interval_end_not_the_median():
    # random reaches the target almost at once in one seed: that seed's share saved is hugely negative
    rnd = [[0.5, 0.6, 0.7, 0.8, 0.86]] * 6 + [[0.79, 0.86, 0.86, 0.86, 0.86]]
    al = [[0.5, 0.8, 0.86, 0.87, 0.88]] * 7
    s = summarize(fake_result({"random": rnd, "margin": al}), Target("absolute", 0.8)).strategies["margin"]
    calm = summarize(fake_result({"random": rnd[:6] + rnd[:1], "margin": al}),
                     Target("absolute", 0.8)).strategies["margin"]
    assert s.savings_vs_random.median == pytest.approx(calm.savings_vs_random.median)
    assert s.savings_vs_random.low < 0 < s.savings_vs_random.median  # the wild seed is the interval end


def test_reaching_the_target_means_staying_at_or_above_it():
    from simulations.summary import _labels_to_reach

    labels = np.array([10, 20, 40, 80, 160])
    # a lucky round at 20 labels, back below at 40: reached between 40 and 80, not at 20
    assert _labels_to_reach(labels, np.array([0.5, 0.82, 0.7, 0.9, 0.9]), 0.8) == pytest.approx(40 + 0.1 / 0.2 * 40)
    assert np.isnan(_labels_to_reach(labels, np.array([0.5, 0.82, 0.85, 0.9, 0.79]), 0.8))  # ends below: censored
    assert _labels_to_reach(labels, np.array([0.8, 0.82, 0.85, 0.9, 0.9]), 0.8) == 10  # from the start
    res = fake_result({"random": [[0.5, 0.82, 0.7, 0.9, 0.9]]})
    assert per_seed(res, Target("absolute", 0.8))["labels_to_target"].item() == pytest.approx(60)


def test_duplicates_that_could_not_be_kept_apart_are_said():
    res = fake_result({"random": [[0.5, 0.6, 0.7, 0.8, 0.86]] * 2})
    assert not any("share their features" in n for n in summarize(res).notes)
    res.meta.update(duplicate_rows=1200, duplicates_apart=False)
    assert any("1,200 rows share their features with another row" in n for n in summarize(res).notes)
