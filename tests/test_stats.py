"""The interval and verdict rule: exact coverage, and the false-verdict rate measured on data with no effect."""

import numpy as np
import pytest

from simulations.stats import median_interval, min_seeds_for_verdict, sign_p_values, sign_verdict


def test_interval_is_between_order_statistics_with_exact_coverage():
    iv = median_interval(np.arange(10.0))
    # rank 2 from each end: 1 - 2 P(B(10, 1/2) <= 1) = 1 - 22/1024 = 97.9%; rank 3 would give 89.1%
    assert (iv.low, iv.high) == (1.0, 8.0)
    assert iv.confidence == pytest.approx(1 - 22 / 1024) and iv.reached
    assert iv.median == 4.5


@pytest.mark.parametrize("n,cover", [(3, 0.75), (5, 0.9375)])
def test_five_seeds_or_fewer_give_min_to_max_and_say_it_falls_short(n, cover):
    iv = median_interval(np.linspace(-1, 2, n))
    assert (iv.low, iv.high) == (-1.0, 2.0)
    assert iv.confidence == pytest.approx(cover) and not iv.reached


def test_one_value_and_nan():
    iv = median_interval([3.0])
    assert (iv.median, iv.low, iv.high, iv.reached) == (3.0, 3.0, 3.0, False)
    assert np.isnan(median_interval([1.0, np.nan, 2.0]).median)


def test_coverage_holds_on_skewed_data_at_the_seed_counts_used():
    rng = np.random.default_rng(0)
    true_median = np.log(2)  # exponential(1)
    for n in (6, 7, 10, 20):
        hits = [(lambda iv: iv.low <= true_median <= iv.high)(median_interval(rng.exponential(size=n)))
                for _ in range(2000)]
        assert np.mean(hits) >= 0.95 - 3 * np.sqrt(0.05 * 0.95 / 2000), n


def test_minimum_seeds_for_a_verdict():
    assert [min_seeds_for_verdict(k) for k in (1, 2, 3, 4, 6, 7)] == [6, 7, 7, 8, 8, 9]


def test_verdict_is_the_sign_test_read_off_the_interval():
    v = sign_verdict(np.r_[np.ones(6)])
    assert v.verdict == "beats random" and v.p_value == pytest.approx(2 / 64)
    assert sign_verdict(-np.ones(6)).verdict == "worse than random"
    assert sign_verdict(np.r_[np.ones(5), -1]).verdict == "no evidence"  # 2 * 7/64 = 22%
    assert sign_verdict(np.ones(5)).verdict == "no evidence" and not sign_verdict(np.ones(5)).possible
    assert sign_verdict(np.ones(6), k=3).verdict == "no evidence"  # 3 x 3.1% > 5%
    assert sign_verdict(np.ones(7), k=3).verdict == "beats random"  # 3 x 1.6% <= 5%
    assert sign_p_values([1, 0, -1]) == (pytest.approx(7 / 8), pytest.approx(7 / 8))  # a tie counts against


def _false_verdict_rate(n: int, k: int, reps: int, rng: np.random.Generator, dist) -> float:
    """Share of null runs (k strategies, every per-seed saving symmetric around 0) where the best strategy by
    median saving gets any verdict."""
    wrong = 0
    for _ in range(reps):
        savings = dist(rng, (k, n))
        best = int(np.argmax(np.median(savings, axis=1)))
        wrong += sign_verdict(savings[best], k=k).verdict != "no evidence"
    return wrong / reps


@pytest.mark.parametrize("n", [3, 5, 6, 7, 10])
@pytest.mark.parametrize("k", [1, 3])
def test_false_verdict_rate_on_null_data_is_at_most_five_percent(n, k):
    rng = np.random.default_rng(100 * n + k)

    def heavy(r, shape):  # per-seed ratios that explode now and then
        return r.standard_t(1, size=shape)

    reps = 2000
    rate = _false_verdict_rate(n, k, reps, rng, heavy)
    assert rate <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / reps), (n, k, rate)


def test_old_bootstrap_rule_was_wrong_at_three_seeds():
    # the percentile bootstrap of 3 values spans [min, max]: "beats random" when all 3 are positive, 1/8 of the time
    rng = np.random.default_rng(5)
    s = rng.normal(size=(4000, 3))
    assert np.mean((s > 0).all(axis=1)) == pytest.approx(0.125, abs=0.02)
    assert np.mean([sign_verdict(x).verdict == "beats random" for x in s[:500]]) == 0

