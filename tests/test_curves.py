"""Learning-curve fitting, backtest selection, intervals and inversion (simulations.curves)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulations.curves import FAMILIES, LAST1, MODEL_NAMES, fit_curve, fit_curves, fit_family
from simulations.errors import DataError

# Parameters in labels, for the formulas of the reference (each curve rises from ~0.4-0.6 to ~0.9).
TRUE = {
    "pow3": [0.92, 1.5, 0.5],
    "pow4": [0.9, 3.0, 0.7, 30.0],
    "mmf4": [0.4, 200.0, 0.93, 1.2],
    "wbl4": [0.02, 0.45, 0.91, 0.8],
    "exp3": [-0.4, 0.004, 0.9],
    "log2": [-0.05, 0.5],
}
X = np.geomspace(20, 2000, 30)


def curve(name: str, x: np.ndarray = X, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    y = FAMILIES[name].value(x, TRUE[name])
    return y + np.random.default_rng(seed).normal(0, noise, len(x))


def test_formulas_match_the_reference():
    # Hand-evaluated at x = 100: guards against a family silently using another formula.
    x = np.array([100.0])
    assert FAMILIES["pow3"].value(x, [0.9, 2.0, 0.5])[0] == pytest.approx(0.9 - 2.0 / 10)
    assert FAMILIES["pow4"].value(x, [0.9, 2.0, 0.5, 21.0])[0] == pytest.approx(0.9 - 2.0 / 11)
    assert FAMILIES["mmf4"].value(x, [0.2, 50.0, 0.9, 1.0])[0] == pytest.approx((0.2 * 50 + 0.9 * 100) / 150)
    assert FAMILIES["wbl4"].value(x, [0.01, 0.5, 0.9, 1.0])[0] == pytest.approx(0.9 - 0.5 * np.exp(-1.0))
    assert FAMILIES["exp3"].value(x, [-0.5, 0.01, 0.9])[0] == pytest.approx(0.9 - 0.5 * np.exp(-1.0))
    assert FAMILIES["log2"].value(x, [-0.1, 0.3])[0] == pytest.approx(0.3 + 0.1 * np.log(100))


@pytest.mark.parametrize("name", sorted(TRUE))
def test_each_family_recovers_known_parameters_from_noisy_data(name):
    y = curve(name, noise=0.001, seed=3)
    fit = fit_family(name, X, y)
    assert fit is not None and fit.model == name
    est = np.array([fit.params[p] for p in FAMILIES[name].param_names])
    np.testing.assert_allclose(est, TRUE[name], rtol=0.2)
    # ... and predicts the right value inside the data and at twice the labels observed.
    at = np.array([300.0, 4000.0])
    np.testing.assert_allclose(fit.predict(at), FAMILIES[name].value(at, TRUE[name]), atol=0.005)


@pytest.mark.parametrize("name", ["pow3", "mmf4", "wbl4", "exp3"])
def test_asymptote_is_the_fitted_limit_and_within_unit_interval(name):
    fit = fit_family(name, X, curve(name, noise=0.001, seed=1))
    limit_index = FAMILIES[name].asymptote_index
    assert fit.asymptote == pytest.approx(TRUE[name][limit_index], abs=0.02)
    assert 0.0 <= fit.asymptote <= 1.0
    assert fit.predict([1e7])[0] == pytest.approx(fit.asymptote, abs=0.01)


def test_backtest_picks_the_true_family_on_clean_data_more_often_than_not():
    picks = {}
    for name in TRUE:
        picks[name] = fit_curve(X, curve(name, noise=0.0002, seed=7)).model
    hits = sum(picks[n] == n for n in picks)
    assert hits > len(picks) / 2, picks


def test_backtest_scores_every_candidate_and_chosen_model_is_the_best_or_a_simpler_near_tie():
    fit = fit_curve(X, curve("pow3", noise=0.003, seed=2))
    assert set(fit.backtest_mae) == set(MODEL_NAMES)
    finite = {m: v for m, v in fit.backtest_mae.items() if np.isfinite(v)}
    best = min(finite.values())
    assert fit.backtest_mae[fit.model] <= best + 1e-4 + 0.02 * best
    simpler = MODEL_NAMES[: MODEL_NAMES.index(fit.model)]
    # No simpler model was within the tie margin (else it would have been chosen).
    assert all(not (finite.get(m, np.inf) <= best + 1e-4 + 0.02 * best) for m in simpler)


@pytest.mark.parametrize(
    "labels, values",
    [
        (X[:12], np.tile([0.6, 0.8, 0.55, 0.9], 3)),  # zig-zag, non-monotone
        (X[:10], np.full(10, 0.73)),  # perfectly flat
        (X[:10], np.linspace(0.9, 0.5, 10)),  # falling
        ([50, 100], [0.6, 0.7]),  # two points
        ([50, 100, 200], [0.6, 0.7, 0.65]),  # three points
        (X[:8], [0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0]),  # extremes
        ([100, 50, 100, 200, 400], [0.7, 0.6, 0.72, 0.75, 0.77]),  # unsorted with a duplicate
        (X[:8], [0.5, np.nan, 0.6, 0.65, np.nan, 0.7, 0.71, 0.72]),  # gaps
    ],
)
def test_fits_never_raise_on_awkward_curves(labels, values):
    fit = fit_curve(labels, values)
    grid = np.geomspace(10, 1e5, 25)
    pred = fit.predict(grid)
    lo, hi = fit.interval(grid)
    assert np.all(np.isfinite(pred)) and np.all((pred >= 0) & (pred <= 1))
    assert np.all(lo <= pred + 1e-12) and np.all(pred <= hi + 1e-12)
    assert fit.asymptote is None or 0.0 <= fit.asymptote <= 1.0


def test_two_point_curve_falls_back_to_last1_held_flat():
    fit = fit_curve([50, 100], [0.6, 0.7])
    assert fit.model == LAST1
    assert fit.predict([100, 1000, 1e6]) == pytest.approx([0.7, 0.7, 0.7])
    assert fit.slope([200])[0] == 0.0


def test_duplicate_labels_are_averaged():
    fit = fit_curve([50, 100, 100, 200], [0.6, 0.7, 0.8, 0.8])
    np.testing.assert_allclose(fit.labels, [50, 100, 200])
    np.testing.assert_allclose(fit.values, [0.6, 0.75, 0.8])


def test_interval_widens_with_extrapolation_distance():
    fit = fit_curve(X, curve("pow3", noise=0.003, seed=4))
    pts = X[-1] * np.array([1.0, 2.0, 4.0, 16.0])
    lo, hi = fit.interval(pts, 0.8)
    width = hi - lo
    assert np.all(np.diff(width) > 0), width
    inside_lo, inside_hi = fit.interval([300.0])
    assert inside_hi[0] - inside_lo[0] < width[1]
    # A higher level gives a wider interval.
    lo95, hi95 = fit.interval(pts, 0.95)
    assert np.all(hi95 - lo95 >= width - 1e-12)


def test_interval_for_a_single_run_is_wider_than_for_the_mean_curve():
    rng = np.random.default_rng(0)
    seeds = curve("pow3")[None, :] + rng.normal(0, 0.01, (5, len(X)))
    fit = fit_curve(X, seeds)
    assert fit.seed_sd > 0.003
    lo, hi = fit.interval([4000.0])
    slo, shi = fit.interval([4000.0], per_seed=True)
    assert shi[0] - slo[0] > hi[0] - lo[0]


def random_curve(rng: np.random.Generator) -> tuple[str, list[float]]:
    """A random saturating curve from 20 labels (y0 in [0.4, a - 0.1]) to its asymptote a in [0.75, 0.98]."""
    name = str(rng.choice(["pow3", "pow4", "mmf4", "wbl4", "exp3"]))
    a = rng.uniform(0.75, 0.98)
    y0 = rng.uniform(0.4, a - 0.1)
    if name == "pow3":
        c = rng.uniform(0.2, 1.2)
        return name, [a, (a - y0) * 20**c, c]
    if name == "pow4":
        c, d = rng.uniform(0.3, 1.5), rng.uniform(0, 100)
        return name, [a, (a - y0) * (20 + d) ** c, c, d]
    if name == "mmf4":
        d = rng.uniform(0.5, 2)
        return name, [y0 - 0.05, rng.uniform(30, 400) ** d, a, d]
    if name == "wbl4":
        d = rng.uniform(0.3, 1.2)
        return name, [np.log(2) / rng.uniform(30, 600) ** d, a - y0 + 0.05, a, d]
    b = np.log(2) / rng.uniform(50, 800)
    return name, [-(a - y0) * np.exp(b * 20), b, a]


def test_interval_coverage_is_roughly_calibrated_on_synthetic_curves():
    """80% intervals fitted on an early part cover ~80% of later noisy observations (up to ~12x further).

    Calibrated value on this fixed sample: 0.77 (95% level: 0.89); the band fails intervals ~2x too wide or
    ~40% too narrow.
    """
    rng = np.random.default_rng(21)
    hits80, hits95 = [], []
    for _ in range(36):
        name, p = random_curve(rng)
        x = np.unique(np.round(np.geomspace(20, 5000, int(rng.integers(18, 32)))))
        y = np.clip(FAMILIES[name].value(x, p) + rng.normal(0, rng.choice([0.002, 0.005, 0.01]), len(x)), 0, 1)
        cut = int(rng.integers(int(0.35 * len(x)), int(0.7 * len(x))))
        fit = fit_curve(x[:cut], y[:cut])
        later = x[cut:] <= x[cut - 1] * np.exp(2.5)
        xs, ys = x[cut:][later], y[cut:][later]
        for level, hits in ((0.8, hits80), (0.95, hits95)):
            lo, hi = fit.interval(xs, level)
            hits.extend(((ys >= lo) & (ys <= hi)).tolist())
    cover80, cover95 = float(np.mean(hits80)), float(np.mean(hits95))
    assert 0.7 <= cover80 <= 0.86, cover80
    assert cover95 > max(0.85, cover80 + 0.05), cover95


FLAT_X = np.arange(20.0, 101.0, 10.0)  # 9 points up to 100 labels, as in benchmarks/extrapolation.py


def flat_noisy_curves(n: int, seed: int) -> list[tuple[np.ndarray, float]]:
    """Curves nearly flat by 100 labels (a - 0.6 / x: +0.0045 from 100 to 400) with noise 0.01; truth at 400."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        a = rng.uniform(0.8, 0.95)
        out.append((a - 0.6 / FLAT_X + rng.normal(0, 0.01, len(FLAT_X)), a - 0.6 / 400.0))
    return out


def test_backtest_winner_must_also_beat_last1_from_an_earlier_origin():
    """pow3 against last1 alone: pow3 is chosen iff it wins the 65% backtest AND, fitted on the first 50% of the
    points, projects the rest better than the last value held flat (checked here independently)."""
    fs, n_early = 0.015, 4  # round(0.5 * 9) = 4 points for the earlier origin
    outcomes = []
    for y, _ in flat_noisy_curves(30, seed=11):
        fit = fit_curve(FLAT_X, y, models=("pow3",), f_scale=fs)
        mae = fit.backtest_mae
        wins_backtest = mae["pow3"] < mae[LAST1] - (1e-4 + 0.02 * mae["pow3"])  # a near-tie goes to last1
        early = fit_family("pow3", FLAT_X[:n_early], y[:n_early], f_scale=fs)
        rest = y[n_early:]
        wins_early = early is not None and (np.mean(np.abs(early.predict(FLAT_X[n_early:]) - rest))
                                            < np.mean(np.abs(y[n_early - 1] - rest)))
        expected = "pow3" if wins_backtest and wins_early else LAST1
        assert fit.model == expected, (mae, wins_early)
        outcomes.append((wins_backtest, wins_early))
    # Both branches are exercised: the earlier origin overrules some backtest winners and confirms others.
    assert (True, False) in outcomes and (True, True) in outcomes


def test_earlier_origin_check_keeps_a_model_for_a_curve_still_rising():
    """The check only overrules noise-following winners: on a curve clearly rising at its end (pow3, noise 0.002)
    a fitted model is kept and projects the rise (+0.075 from 100 to 400 labels) instead of holding it flat."""
    y = FAMILIES["pow3"].value(FLAT_X, TRUE["pow3"]) + np.random.default_rng(1).normal(0, 0.002, len(FLAT_X))
    fit = fit_curve(FLAT_X, y)
    assert fit.model != LAST1
    assert fit.predict(400.0)[0] - y[-1] == pytest.approx(0.075, abs=0.03)


def test_labels_for_inverts_predict():
    fit = fit_curve(X, curve("pow3", noise=0.002, seed=5))
    for x in (150.0, 800.0):  # inside the observed range
        est = fit.labels_for(float(fit.predict(x)[0]))
        assert est.labels == pytest.approx(x, rel=1e-3)
        assert est.reachable and not est.extrapolated
    beyond = 3 * X[-1]
    est = fit.labels_for(float(fit.predict(beyond)[0]))
    assert est.labels == pytest.approx(beyond, rel=1e-3)
    assert est.extrapolated and est.reachable
    assert est.backtest_mae == pytest.approx(fit.backtest_mae[fit.model])
    assert est.low <= est.labels <= (est.high if est.high is not None else np.inf)


def test_labels_for_a_target_above_the_asymptote_is_unreachable():
    fit = fit_family("pow3", X, curve("pow3", noise=0.001))
    est = fit.labels_for(min(1.0, fit.asymptote + 0.02))
    assert not est.reachable and est.labels is None and est.extrapolated
    with pytest.raises(DataError):
        fit.labels_for(91.0)


def test_slope_matches_the_analytic_derivative():
    fit = fit_family("pow3", X, curve("pow3"))
    _a, b, c = TRUE["pow3"]
    for x in (50.0, 500.0, 5000.0):
        assert fit.slope(x)[0] == pytest.approx(b * c * x ** (-c - 1), rel=1e-3)


def rounds_table(strategies=("random", "margin"), seeds=3) -> pd.DataFrame:
    rows = []
    rng = np.random.default_rng(0)
    for k, s in enumerate(strategies):
        for seed in range(seeds):
            for r, x in enumerate(X):
                rows.append({"strategy": s, "seed": seed, "round": r, "labels": round(x),
                             "accuracy": 0.9 + 0.02 * k - 1.5 * x**-0.5 + rng.normal(0, 0.003)})
    return pd.DataFrame(rows)


def test_fit_curves_fits_the_mean_curve_of_each_strategy():
    df = rounds_table()
    fits = fit_curves(df, "accuracy", per_seed=True)
    assert set(fits) == {"random", "margin"}
    for name, fit in fits.items():
        mean = df[df.strategy == name].groupby("labels")["accuracy"].mean()
        np.testing.assert_allclose(fit.values, mean.to_numpy())
        assert fit.seed_fits is not None and len(fit.seed_fits) == 3
    assert fits["margin"].predict([1000])[0] > fits["random"].predict([1000])[0]
    only = fit_curves(df, "accuracy", strategies=["margin"])
    assert list(only) == ["margin"]


def test_bad_curve_input_raises_typed_errors_with_hints():
    cases = [
        lambda: fit_curve([100], [0.5]),
        lambda: fit_curve([0, 100, 200], [0.5, 0.6, 0.7]),
        lambda: fit_curve([50, 100, 200], [50, 60, 70]),
        lambda: fit_curve([50, 100, 200], [0.5, 0.6]),
        lambda: fit_curve([50, 100, 200], ["a", "b", "c"]),
        lambda: fit_curve(X, curve("pow3"), models=("pow9",)),
        lambda: fit_curves(rounds_table(), "f1"),
        lambda: fit_curves(rounds_table(), "accuracy", strategies=["bald"]),
    ]
    for make in cases:
        with pytest.raises(DataError) as info:
            make()
        assert info.value.hint


def test_far_projection_keeps_its_low_edge_at_the_last_observed_one():
    # A rising curve projected 100x beyond its data: the band widens upward, but the pessimistic edge does not
    # fall below the one at the last observed label count (a model does not get worse with more labels).
    x = np.array([20, 40, 80, 160, 320])
    fit = fit_curve(x, 0.9 - 0.5 * x**-0.5 + np.array([0.004, -0.003, 0.002, -0.004, 0.003]))
    lo_last = fit.interval([320], 0.95)[0][0]
    lo, hi = fit.interval([640, 3200, 32000], 0.95)
    assert np.all(lo >= lo_last - 1e-12) and lo_last > 0.5
    assert np.all(np.diff(hi) >= -1e-12)  # the optimistic edge still widens with distance
    # inside the data nothing changes: the edge there is the fit minus the noise band
    inside = fit.interval([80], 0.95)[0][0]
    assert inside < fit.predict([80])[0]


def test_asymptote_max_bounds_the_fit_and_its_band_but_never_below_the_data():
    x = np.array([20, 30, 45, 68, 100, 150, 230, 340, 500], dtype=float)
    y = 0.45 + 0.09 * np.log(x / 20)  # still rising steeply: a free fit levels off far higher
    free = fit_curve(x, y)
    assert float(free.predict([50_000])[0]) > 0.9
    capped = fit_curve(x, y, asymptote_max=0.8)
    assert capped.upper == 0.8
    assert capped.asymptote is None or capped.asymptote <= 0.8 + 1e-12
    lo, hi = capped.interval([2_000, 50_000], 0.95)
    assert np.all(capped.predict([2_000, 50_000]) <= 0.8) and np.all(hi <= 0.8) and np.all(lo <= hi)
    assert float(capped.slope([50_000])[0]) >= 0 and capped.labels_for(0.85).reachable is False
    # a bound below a measured value is raised to it: the fit is not forced under the data
    low_cap = fit_curve(x, y, asymptote_max=0.5)
    assert low_cap.upper == pytest.approx(y.max())
    assert np.max(np.abs(low_cap.predict(x) - y)) < 0.05
    with pytest.raises(DataError):
        fit_curve(x, y, asymptote_max=1.5)


def test_a_smooth_five_point_log_is_projected_and_noise_is_not():
    """Five points leave the backtest 4 to fit on, so saturating 3-parameter models compete (the live log of a
    new user, 0.61 -> 0.86, was judged "too irregular" when only log2 could be fitted on 3 points)."""
    x = [20, 40, 80, 160, 320]
    smooth = fit_curve(x, [0.61, 0.70, 0.78, 0.83, 0.86])
    assert smooth.model != LAST1 and smooth.asymptote is not None and 0.86 < smooth.asymptote < 1.0
    for zigzag in ([0.6, 0.8, 0.62, 0.81, 0.64], [0.7, 0.62, 0.75, 0.6, 0.72], [0.61, 0.62, 0.6, 0.63, 0.61]):
        assert fit_curve(x, zigzag).model == LAST1, zigzag
    rng = np.random.default_rng(0)
    fitted = sum(fit_curve(x, np.clip(0.7 + rng.normal(0, 0.05, 5), 0, 1)).model != LAST1 for _ in range(60))
    assert fitted <= 6  # pure noise is almost never given a trend


# The default dashboard run's entropy curve (sms_spam, 5 seeds, balanced accuracy) with its whole-pool score at
# 3,628 items: pow4 wins the backtest but fails the earlier-origin check.
SMS_ENTROPY = ([20, 24, 29, 35, 42, 51, 62, 75, 90, 108, 130, 156, 188, 226, 272, 327, 393, 400, 3628],
               [0.5075, 0.5182, 0.5408, 0.5984, 0.6984, 0.7824, 0.8086, 0.8696, 0.8879, 0.8906, 0.9021, 0.9046,
                0.9266, 0.9295, 0.9355, 0.9394, 0.9424, 0.9444, 0.9609])


def test_fallback_next_gives_way_to_the_next_ranked_model_not_a_flat_line():
    x, y = SMS_ENTROPY
    held = fit_curve(x, y)
    assert held.model == LAST1  # the default: the vetoed winner is replaced by the flat baseline
    nxt = fit_curve(x, y, fallback="next")
    assert nxt.model not in (LAST1, "pow4")  # the winner was vetoed; the next-ranked model that passes is used
    assert nxt.backtest_mae[nxt.model] < nxt.backtest_mae[LAST1]
    assert 0.94 < float(nxt.predict([3_628])[0]) < 0.99  # and it goes through the measured far end
    with pytest.raises(DataError):
        fit_curve(x, y, fallback="nearest")
