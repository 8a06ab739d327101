"""Stopping criteria, the cost-optimal stop, evaluation and recommendation (simulations.stopping)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulations.curves import fit_family
from simulations.errors import ConfigError, DataError
from simulations.stopping import (
    Budget,
    ClassificationChange,
    MaxConfidence,
    OverallUncertainty,
    PerformanceConvergence,
    PredictedChangeF,
    SeedRange,
    StabilizingPredictions,
    ValidationPlateau,
    cost_curve,
    evaluate_criteria,
    hindsight_optimum,
    marginal_stop,
    recommend,
    regret,
)

NAN = float("nan")


def hist(**cols) -> dict[str, np.ndarray]:
    n = len(next(iter(cols.values())))
    h = {k: np.asarray(v, dtype=float) for k, v in cols.items()}
    h.setdefault("labels", np.arange(1, n + 1, dtype=float) * 100)
    return h


# ---- each criterion on a hand-made signal table -----------------------------------------------------------
def test_stabilizing_predictions_fires_when_mean_of_last_three_kappas_reaches_threshold():
    # Means of the last 3: i=3 .962, i=4 .988, i=5 .990 (0.98967 < .99), i=6 .993 -> first fire at 6.
    h = hist(kappa=[NAN, 0.9, 0.995, 0.99, 0.98, 0.999, 1.0, 1.0])
    assert StabilizingPredictions().first_stop(h) == 6
    assert StabilizingPredictions(threshold=0.98).first_stop(h) == 4
    assert StabilizingPredictions(threshold=0.9, window=1).first_stop(h) == 1
    assert StabilizingPredictions().first_stop(hist(kappa=[NAN, 0.5, 0.6, 0.7])) is None


def test_stop_is_evaluated_on_the_latest_round_only():
    sp = StabilizingPredictions()
    assert sp.stop(hist(kappa=[NAN, 1.0, 1.0, 1.0]))
    assert not sp.stop(hist(kappa=[NAN, 1.0, 1.0, 1.0, 0.5]))
    assert not sp.stop(hist(kappa=[NAN, 1.0]))  # fewer than 3 kappas


def test_classification_change_fires_when_no_prediction_changed():
    h = hist(changed_share=[NAN, 0.1, 0.02, 0.0, 0.01, 0.0])
    assert ClassificationChange().first_stop(h) == 3
    assert ClassificationChange(threshold=0.05).first_stop(h) == 2
    assert ClassificationChange().first_stop(hist(changed_share=[NAN, 0.1, 0.001])) is None


def test_overall_uncertainty_needs_entropy_strictly_below_threshold():
    h = hist(mean_entropy=[0.5, 0.2, 0.06, 0.05, 0.049])
    assert OverallUncertainty().first_stop(h) == 4
    assert OverallUncertainty(threshold=0.1).first_stop(h) == 2


def test_max_confidence_reads_the_queried_batch_and_cannot_fire_after_the_last_round():
    assert MaxConfidence().first_stop(hist(query_max_entropy=[0.5, 0.01, 0.0009, NAN])) == 2
    assert MaxConfidence().first_stop(hist(query_max_entropy=[0.5, 0.2, NAN])) is None


def test_performance_convergence_uses_the_slope_per_label_over_the_window():
    labels = [10, 20, 30, 40, 50, 60]
    # Window 3: slopes 0.01 (i=2), 0.005 (i=3: (-10*-1/15 + 10*1/30) / 200), 0 (i=4) -> fires at 4.
    h = hist(labels=labels, self_accuracy=[0.5, 0.6, 0.7, 0.7, 0.7, 0.7])
    assert PerformanceConvergence(window=3).first_stop(h) == 4
    assert PerformanceConvergence(window=3, threshold=0.006).first_stop(h) == 3
    # The default window of 10 rounds cannot fire on a 6-round run.
    assert PerformanceConvergence().first_stop(h) is None
    # A steeply falling estimate (slope -0.001 per label) is not convergence; a slowly falling one is.
    falling = hist(labels=labels[:3], self_accuracy=[0.8, 0.79, 0.78])
    assert PerformanceConvergence(window=3).first_stop(falling) is None
    assert PerformanceConvergence(window=3, threshold=0.0011).first_stop(falling) == 2


def test_predicted_change_of_f_needs_all_of_the_last_three_below_threshold():
    h = hist(delta_f=[NAN, 0.2, 0.04, 0.03, 0.06, 0.01, 0.02, 0.04])
    assert PredictedChangeF().first_stop(h) == 7
    assert PredictedChangeF(threshold=0.07).first_stop(h) == 4


def test_validation_plateau_compares_best_recent_with_best_before():
    y = [0.5, 0.7, 0.8, 0.85, 0.86, 0.862, 0.863, 0.864, 0.864]
    # Gains over 4 rounds: i=4 .36, i=5 .162, i=6 .063, i=7 .014, i=8 .004 -> fires at 8.
    rule = ValidationPlateau()
    h = hist(metric=y)
    assert rule.first_stop(h) == 8
    assert rule.gain(h) == pytest.approx(0.864 - 0.86)
    assert ValidationPlateau(threshold=0.02).first_stop(h) == 7
    assert rule.needs_labels and not StabilizingPredictions().needs_labels


def test_budget_fires_at_the_budget_or_the_last_round():
    h = hist(labels=[100, 200, 300, 400], metric=[0.5, 0.6, 0.7, 0.7])
    assert Budget(300).first_stop(h) == 2
    assert Budget().bind(h).first_stop(h) == 3


def test_bad_criterion_settings_raise_config_errors():
    for make in (lambda: StabilizingPredictions(threshold=1.5), lambda: StabilizingPredictions(window=0),
                 lambda: ClassificationChange(threshold=-0.1), lambda: PerformanceConvergence(window=1),
                 lambda: OverallUncertainty(threshold=float("nan"))):
        with pytest.raises(ConfigError) as info:
            make()
        assert info.value.hint


# ---- cost optimum ----------------------------------------------------------------------------------------------
def test_hindsight_optimum_by_hand_with_tie_to_fewest_labels():
    # C = labels - 100 * 100 * metric: -7900, -8300, -8300 -> tie, the earlier (200 labels) wins.
    opt = hindsight_optimum([100, 200, 300], [0.8, 0.85, 0.86], 1.0, 100.0)
    assert (opt.index, opt.labels, opt.cost) == (1, 200.0, -8300.0)
    dollars, percent = regret(-7900.0, opt.cost)
    assert dollars == 400.0 and percent == pytest.approx(400 / 8300 * 100)


def test_hindsight_optimum_equals_brute_force_argmin():
    rng = np.random.default_rng(3)
    for _ in range(20):
        labels = np.cumsum(rng.integers(5, 60, 25)).astype(float)
        metric = np.clip(0.9 - 0.6 * labels**-0.4 + rng.normal(0, 0.01, 25), 0, 1)
        c, v = rng.uniform(0.1, 5), rng.uniform(10, 2000)
        best_i, best_cost = None, math.inf
        for i in range(len(labels)):
            cost = c * labels[i] - v * 100 * metric[i]
            if cost < best_cost:
                best_i, best_cost = i, cost
        opt = hindsight_optimum(labels, metric, c, v)
        assert opt.index == best_i and opt.cost == pytest.approx(best_cost)
        assert opt.cost == pytest.approx(cost_curve(labels, metric, c, v).min())


def test_marginal_rule_on_an_exact_pow3_curve_matches_the_analytic_solution():
    a, b, c = 0.92, 1.5, 0.5
    x = np.geomspace(20, 2000, 25)
    fit = fit_family("pow3", x, a - b * x**-c)
    for cost, value in ((1.0, 500.0), (0.5, 2000.0), (3.0, 100.0)):
        # d/dt (a - b t^-c) = b c t^(-c-1) = cost / (100 value)  ->  t* = (100 value b c / cost)^(1 / (c + 1))
        analytic = (100 * value * b * c / cost) ** (1 / (c + 1))
        ms = marginal_stop(fit, cost, value)
        assert ms.labels == pytest.approx(analytic, rel=0.005)
        assert ms.extrapolated == (analytic > 2000)
    # Starting past the optimum, the rule says stop right away.
    late = marginal_stop(fit, 1.0, 500.0, start=5000)
    assert late.labels == 5000 and late.value_per_label_at_start < 1.0


def test_cost_inputs_are_validated():
    for c, v in ((0, 100), (-1, 100), (1, 0), (float("nan"), 1), ("x", 1)):
        with pytest.raises(ConfigError) as info:
            hindsight_optimum([1, 2], [0.5, 0.6], c, v)
        assert info.value.hint


# ---- evaluation over seeds -------------------------------------------------------------------------------------
LABELS = [20, 40, 60, 80, 100, 120, 140, 160]


def rounds_table(n_seeds: int = 4, binary: bool = True) -> pd.DataFrame:
    """Seed s: kappa reaches 1.0 from round 3 + (s % 2); entropy never below 0.05; accuracy a known curve."""
    rows = []
    for s in range(n_seeds):
        for r, x in enumerate(LABELS):
            stable_from = 3 + s % 2
            rows.append({
                "strategy": "margin", "seed": 10 + s, "round": r, "labels": x,
                "accuracy": 0.9 - 2.0 * x**-0.7 + 0.001 * s,
                "kappa": NAN if r == 0 else (1.0 if r >= stable_from else 0.8),
                "changed_share": NAN if r == 0 else (0.0 if r >= stable_from else 0.1),
                "delta_f": (NAN if r == 0 else 0.01) if binary else NAN,
                "mean_entropy": 0.3,
                "self_accuracy": 0.9,
                "query_max_entropy": NAN if r == len(LABELS) - 1 else 0.5,
            })
    return pd.DataFrame(rows)


def test_evaluate_reports_where_each_criterion_stops_and_its_regret():
    df = rounds_table()
    ev = evaluate_criteria(df, strategy="margin", cost_per_label=1.0, value_per_point=50.0, n_classes=2)
    sp = ev.report("stabilizing_predictions")
    # kappa = 1 from round 3 (even seeds) or 4 (odd seeds): mean of 3 reaches 0.99 at round 5 or 6.
    assert sp.per_seed_labels == {10: 120.0, 11: 140.0, 12: 120.0, 13: 140.0}
    assert sp.fired_share == 1.0 and sp.labels.median == 130.0
    # Regret by hand: C = labels - 50 * 100 * accuracy; the rule stops at round 5 (even seeds) or 6 (odd).
    dollars, percent, optimum = [], [], []
    for s in range(4):
        seed = df[df.seed == 10 + s]
        cost = (1.0 * seed.labels - 50.0 * 100 * seed.accuracy).to_numpy()
        stop = 5 + s % 2
        dollars.append(cost[stop] - cost.min())
        percent.append((cost[stop] - cost.min()) / abs(cost.min()) * 100)
        optimum.append(seed.labels.to_numpy()[np.argmin(cost)])
    assert sp.regret_dollars.median == pytest.approx(np.median(dollars))
    assert sp.regret_dollars.low == pytest.approx(np.percentile(dollars, 2.5))
    assert sp.regret_dollars.high == pytest.approx(np.percentile(dollars, 97.5))
    assert sp.regret_percent.median == pytest.approx(np.median(percent))
    assert min(dollars) > 0  # these stops are later than the optimum
    assert ev.optimum_labels.median == pytest.approx(np.median(optimum))
    assert ev.optimum_labels.n == 4


def test_never_firing_criterion_is_reported_as_never_firing_not_as_the_budget():
    ev = evaluate_criteria(rounds_table(), strategy="margin", cost_per_label=1.0, value_per_point=50.0)
    ou = ev.report("overall_uncertainty")
    assert ou.applicable and ou.fired_share == 0.0
    assert ou.labels is None and ou.regret_dollars is None
    assert sorted(ou.never_fired_seeds) == [10, 11, 12, 13]
    assert "never fired" in ou.summary()
    budget = ev.report("budget")
    assert budget.fired_share == 1.0 and budget.labels.median == LABELS[-1]
    d = ou.to_dict()
    assert d["fired_share"] == 0.0 and d["labels"] is None


def test_predicted_change_of_f_is_not_applicable_on_multiclass():
    ev = evaluate_criteria(rounds_table(binary=False), strategy="margin", cost_per_label=1.0,
                           value_per_point=50.0, n_classes=3)
    pcf = ev.report("predicted_change_f")
    assert not pcf.applicable and pcf.fired_share is None
    assert "3 classes" in pcf.reason
    # Without n_classes, an all-NaN delta_f column also makes it not applicable.
    ev2 = evaluate_criteria(rounds_table(binary=False), strategy="margin", cost_per_label=1.0,
                            value_per_point=50.0)
    assert not ev2.report("predicted_change_f").applicable
    # On a binary task it is evaluated.
    ev3 = evaluate_criteria(rounds_table(), strategy="margin", cost_per_label=1.0, value_per_point=50.0,
                            n_classes=2)
    assert ev3.report("predicted_change_f").fired_share == 1.0


def test_recommendation_is_no_worse_than_stabilizing_predictions_alone():
    ev = evaluate_criteria(rounds_table(), strategy="margin", cost_per_label=1.0, value_per_point=50.0)
    rec = recommend(ev)
    assert rec.criterion is not None and not rec.criterion.needs_labels
    assert rec.criterion.fires_always
    assert rec.baseline.name == "stabilizing_predictions" and rec.baseline.threshold == 0.99
    assert rec.criterion.regret_dollars.median <= rec.baseline.regret_dollars.median + 1e-9
    assert rec.labels == ev.optimum_labels
    assert f"{rec.labels.median:,.0f} labels" in rec.sentence
    assert "Stabilizing predictions alone" in rec.comparison
    d = rec.to_dict()
    assert d["criterion"]["name"] == rec.criterion.name


def _plateau_rounds(plateaus: list[int], labels: list[int] | None = None) -> pd.DataFrame:
    """Seed s gains 0.05 accuracy per round up to round plateaus[s], then stays flat; kappa reaches 1.0 two rounds
    before the plateau, so stabilizing predictions (mean of 3 >= 0.99) fires exactly at the plateau."""
    labels = labels or LABELS
    rows = []
    for s, p in enumerate(plateaus):
        for r, x in enumerate(labels):
            rows.append({"strategy": "margin", "seed": s, "round": r, "labels": x,
                         "accuracy": 0.5 + 0.05 * min(r, p), "kappa": NAN if r == 0 else (1.0 if r >= p - 2 else 0.8),
                         "changed_share": NAN, "delta_f": NAN, "mean_entropy": 0.3,
                         "self_accuracy": 0.5 + 0.05 * r, "query_max_entropy": 0.5})
    return pd.DataFrame(rows)


def test_recommendation_keeps_a_signal_that_beats_stopping_at_the_planned_count():
    # Optima at rounds 2, 3, 5, 6 (60, 80, 120, 140 labels): a fixed count of ~100 is wrong for every seed,
    # while stabilizing predictions stops each run at its own optimum.
    ev = evaluate_criteria(_plateau_rounds([2, 3, 5, 6]), strategy="margin", cost_per_label=1.0,
                           value_per_point=50.0)
    rec = recommend(ev)
    assert rec.criterion.name == "stabilizing_predictions" and rec.criterion.regret_dollars.median == 0
    assert rec.fixed_plan.regret_dollars.median > 0 and not rec.stop_at_plan
    assert "stop when" in rec.sentence and "stopping at the planned count" in rec.sentence
    assert rec.to_dict()["stop_at_plan"] is False


def test_recommendation_says_stop_at_the_plan_when_every_signal_stops_badly():
    # Every seed's optimum is at round 6 (140 labels), but predictions stabilize at round 2: the signal stops
    # far too early in every run, and the planned count is right.
    df = _plateau_rounds([6, 6, 6, 6])
    df["kappa"] = np.where(df["round"] == 0, NAN, 1.0)
    ev = evaluate_criteria(df, strategy="margin", cost_per_label=1.0, value_per_point=50.0)
    rec = recommend(ev)
    assert rec.labels.median == 140
    assert rec.stop_at_plan and rec.fixed_plan.regret_dollars.median == 0
    assert rec.criterion.regret_dollars.median > 0
    assert "labels (" in rec.sentence and "and stop there" in rec.sentence and "only as a check" in rec.sentence
    d = rec.to_dict()
    assert d["stop_at_plan"] is True and d["fixed_plan"]["regret"]["dollars"]["median"] == 0


def test_a_short_last_batch_still_counts_as_the_budget():
    # The optimum is the second-to-last round at 160 labels; the last batch only adds 4 (164): labeling was
    # still paying when the simulation ended, so the note must say so.
    ev = evaluate_criteria(_plateau_rounds([7, 7, 7, 7], labels=[*LABELS, 164]), strategy="margin",
                           cost_per_label=1.0, value_per_point=50.0, project=False)
    assert ev.optimum_labels.median == 160 and ev.at_budget_share == 1.0
    assert "last one simulated" in recommend(ev).note
    early = evaluate_criteria(_plateau_rounds([3, 3, 3, 3]), strategy="margin", cost_per_label=1.0,
                              value_per_point=50.0, project=False)
    assert early.at_budget_share == 0.0


def test_recommendation_without_any_label_free_signal_says_so():
    df = rounds_table()
    for col in ("kappa", "changed_share", "delta_f", "query_max_entropy"):
        df[col] = NAN
    ev = evaluate_criteria(df, strategy="margin", cost_per_label=1.0, value_per_point=50.0)
    rec = recommend(ev)
    assert rec.criterion is None
    assert "none of the label-free signals fired" in rec.sentence


def test_evaluate_rejects_unknown_strategy_and_missing_metric():
    with pytest.raises(ConfigError):
        evaluate_criteria(rounds_table(), strategy="bald", cost_per_label=1, value_per_point=1)
    with pytest.raises(DataError):
        evaluate_criteria(rounds_table(), strategy="margin", cost_per_label=1, value_per_point=1, metric="f1")


def test_seed_range_is_median_and_percentiles():
    r = SeedRange.of([1.0, 2.0, 3.0, 4.0, 100.0, float("nan")])
    assert r.median == 3.0 and r.n == 5
    assert r.low == pytest.approx(np.percentile([1, 2, 3, 4, 100], 2.5))
    assert r.high == pytest.approx(np.percentile([1, 2, 3, 4, 100], 97.5))
    assert SeedRange.of([]) is None


def test_marginal_value_per_label_is_value_times_slope_and_marks_the_marginal_stop():
    from simulations.curves import fit_curve
    from simulations.stopping import marginal_stop, marginal_value_per_label

    x = np.geomspace(20, 2000, 25)
    fit = fit_curve(x, 0.9 - 0.5 * x ** -0.5)
    grid = np.array([50.0, 200.0, 800.0])
    np.testing.assert_allclose(marginal_value_per_label(fit, grid, 1000.0), 1000.0 * 100 * fit.slope(grid))
    stop = marginal_stop(fit, 0.5, 1000.0)
    # at the marginal stop one more label is worth what it costs
    assert float(marginal_value_per_label(fit, [stop.labels], 1000.0)[0]) == pytest.approx(0.5, rel=1e-3)


def test_marginal_value_curve_spans_the_range_and_never_shows_a_negative_value():
    from simulations.curves import fit_curve
    from simulations.stopping import marginal_value_curve, marginal_value_per_label

    x = np.geomspace(20, 2000, 25)
    rows = marginal_value_curve(fit_curve(x, 0.9 - 0.5 * x ** -0.5), 1000.0, 20, 5000, points=30)
    labels = [r["labels"] for r in rows]
    assert labels[0] == 20 and labels[-1] == 5000 and labels == sorted(labels)
    values = [r["value"] for r in rows]
    assert all(np.diff(values) <= 1e-9) and values[0] > values[-1] > 0  # a saturating curve: falling value
    falling = fit_curve(x, 0.9 - 0.001 * np.log(x))  # a falling fit: raw marginal values are negative
    assert float(marginal_value_per_label(falling, [200.0], 1000.0)[0]) < 0
    assert all(r["value"] == 0.0 for r in marginal_value_curve(falling, 1000.0, 20, 2000))


def test_the_planned_count_must_stop_as_often_as_the_signal_to_replace_it():
    # Two of four runs end at 80 labels, before the planned ~110: the fixed count never stops them, so its
    # median regret covers only the two long runs and must not beat a signal that stopped every run.
    df = _plateau_rounds([6, 6, 6, 6])
    df["kappa"] = np.where(df["round"] == 0, NAN, 1.0)
    df = df[~((df["seed"] < 2) & (df["round"] > 3))]
    rec = recommend(evaluate_criteria(df, strategy="margin", cost_per_label=1.0, value_per_point=50.0,
                                      project=False))
    assert rec.fixed_plan.fired_share == 0.5 and rec.criterion.fired_share == 1.0
    assert rec.fixed_plan.regret_dollars.median < rec.criterion.regret_dollars.median  # the flattering subset
    assert not rec.stop_at_plan and "stop when" in rec.sentence


def test_thresholds_are_chosen_on_half_the_seeds_and_scored_on_the_others():
    # tuning seeds 0 and 2 (plateaus at rounds 2 and 5), scoring seeds 1 and 3 (rounds 3 and 6)
    ev = evaluate_criteria(_plateau_rounds([2, 3, 5, 6]), strategy="margin", cost_per_label=1.0,
                           value_per_point=50.0)
    rec = recommend(ev)
    assert rec.criterion.n_seeds == 2 and set(rec.criterion.per_seed_labels) == {1, 3}
    assert rec.fixed_plan.n_seeds == 2 and rec.baseline.n_seeds == 2
    assert "chosen on 2 of the 4 runs" in rec.note and "took no part in the choice" in rec.note
    # too few seeds to split: said, not hidden
    few = recommend(evaluate_criteria(_plateau_rounds([2, 3, 5]), strategy="margin", cost_per_label=1.0,
                                      value_per_point=50.0))
    assert few.criterion.n_seeds == 3 and "chosen and scored on the same runs" in few.note
