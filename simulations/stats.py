"""The one interval and verdict rule for numbers over seeds: order statistics and the exact sign test.

Every range Labelwise shows over seeds (labels to target, savings, area under the curve, the business case) is
:func:`median_interval`: the distribution-free interval of the median between two order statistics. Its coverage
is exact for any continuous distribution of per-seed values (``P(x_(k) <= median <= x_(n+1-k)) = 1 - 2 P(B <= k-1)``
with ``B ~ Binomial(n, 1/2)``), where the percentile bootstrap it replaces covers far less at 3-10 seeds (with
n <= 5 seeds it returns [min, max], whose true coverage is 75% at 3 seeds, 94% at 5).

A verdict (:func:`sign_verdict`) is the exact sign test read off the same interval: "beats random" when the
interval at ``1 - alpha / k`` lies wholly above zero, "worse than random" when wholly below, where ``k`` is the number
of strategies compared with random (Bonferroni: picking the best of ``k`` and then reporting it cannot raise the
false-verdict rate above ``alpha``). Under no effect (per-seed values symmetric around 0, or any distribution with
median 0) the chance of any verdict, either direction, is at most ``alpha`` = 5%. See docs/statistics.md and
benchmarks/null_power.py for the measured rates.

Small n: no interval of the median reaches 95% with 5 seeds or fewer ([min, max] covers ``1 - 2 / 2**n``: 93.75% at
5). :func:`median_interval` then returns [min, max] with its attained coverage, and no verdict is possible
(:func:`min_seeds_for_verdict`: 6 seeds for one strategy, 7 for two or three, 8 for four to six).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

#: The false-verdict rate a verdict allows on data with no effect (either direction, all strategies together).
ALPHA = 0.05
CONFIDENCE = 1 - ALPHA


@dataclass(frozen=True)
class MedianInterval:
    """A median over seeds with its order-statistic interval.

    ``confidence`` is the coverage the interval attains (exactly, for continuous values); it is below ``nominal``
    when too few values exist for any interval of that level ([min, max] is then returned), and ``reached`` is False.
    """

    median: float
    low: float
    high: float
    confidence: float
    nominal: float
    n: int

    @property
    def reached(self) -> bool:
        return self.confidence >= self.nominal - 1e-12

    def __iter__(self):  # (median, low, high), as the old helper returned
        return iter((self.median, self.low, self.high))


def _rank(n: int, confidence: float) -> tuple[int, float]:
    """The largest 1-based rank ``k`` whose interval [x_(k), x_(n+1-k)] covers at least ``confidence``, with its
    coverage; ``k = 1`` with its (lower) coverage when even [min, max] does not reach it."""
    if n <= 0:
        return 0, 0.0
    # coverage of rank k: 1 - 2 * P(B <= k - 1); search k = 1 .. ceil(n/2)
    ks = np.arange(1, (n + 1) // 2 + 1)
    cover = 1 - 2 * _st.binom.cdf(ks - 1, n, 0.5)
    ok = np.flatnonzero(cover >= confidence - 1e-12)
    if len(ok) == 0:
        return 1, float(max(cover[0], 0.0))
    k = int(ks[ok[-1]])
    return k, float(cover[ok[-1]])


def median_interval(values, *, confidence: float = CONFIDENCE) -> MedianInterval:
    """Median of ``values`` and the distribution-free order-statistic interval at ``confidence``.

    The interval is [x_(k), x_(n+1-k)] for the largest ``k`` whose coverage ``1 - 2 P(Binomial(n, 1/2) <= k-1)`` is
    at least ``confidence``; with too few values for any such interval it is [min, max] and ``confidence`` in the
    result is the (lower) coverage attained. Infinite values (censored seeds) are ranked as such; any NaN makes
    every number NaN. One value gives [x, x] with coverage 0.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1) (got {confidence})")
    v = np.sort(np.asarray(values, dtype=float).ravel())
    n = len(v)
    if n == 0:
        nan = float("nan")
        return MedianInterval(nan, nan, nan, 0.0, confidence, 0)
    if np.isnan(v).any():
        nan = float("nan")
        return MedianInterval(nan, nan, nan, 0.0, confidence, n)
    with np.errstate(invalid="ignore"):
        med = float(np.median(v))
    if n % 2 == 0 and np.isinf(v[n // 2 - 1]) and v[n // 2 - 1] == -v[n // 2]:
        med = float("nan")  # -inf and +inf in the middle: no median
    k, cover = _rank(n, confidence)
    return MedianInterval(med, float(v[k - 1]), float(v[n - k]), cover, confidence, n)


def sign_p_values(values) -> tuple[float, float]:
    """Exact one-sided sign-test p-values ``(p_greater, p_less)`` for "the median is above / below 0".

    ``p_greater = P(Binomial(n, 1/2) >= #values > 0)``: zeros (ties) count against the claim, which keeps the test
    conservative and makes it agree with :func:`median_interval` (its interval at ``1 - 2p`` excludes 0 exactly
    when the p-value is at most ``p``).
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        return 1.0, 1.0
    pos, neg = int((v > 0).sum()), int((v < 0).sum())
    return float(_st.binom.sf(pos - 1, n, 0.5)), float(_st.binom.sf(neg - 1, n, 0.5))


def min_seeds_for_verdict(k: int = 1, alpha: float = ALPHA) -> int:
    """The fewest seeds with which a sign verdict at false-verdict rate ``alpha`` (Bonferroni over ``k``) can be
    said at all: every seed on one side gives two-sided p = 2 / 2**n, which must be at most ``alpha / k``."""
    k = max(int(k), 1)
    return max(1, math.ceil(math.log2(2 * k / alpha) - 1e-12))


@dataclass(frozen=True)
class Verdict:
    """The verdict of one strategy against random and what it rests on."""

    verdict: str  # "beats random", "worse than random" or "no evidence"
    interval: MedianInterval  # at confidence 1 - alpha / k
    p_value: float  # two-sided exact sign-test p-value, times k (Bonferroni), capped at 1
    k: int
    possible: bool  # False when n is too small for any verdict at this alpha and k


def sign_verdict(values, *, k: int = 1, alpha: float = ALPHA, lower_is_bound: bool = False,
                 upper_is_bound: bool = False) -> Verdict:
    """Verdict on paired per-seed differences (positive: the strategy does better than random).

    "beats random" when the order-statistic interval at ``1 - alpha / k`` lies wholly above 0, "worse than random"
    when wholly below, else "no evidence". This is the two-sided exact sign test at ``alpha / k``: on data with no
    effect, the chance of any verdict for any of the ``k`` strategies is at most ``alpha`` (Bonferroni), however the
    best of them is then picked.

    ``lower_is_bound``: the median is only a lower bound (censored), so "worse than random" is never said from it;
    ``upper_is_bound`` likewise for "beats random".
    """
    k = max(int(k), 1)
    iv = median_interval(values, confidence=1 - alpha / k)
    p_g, p_l = sign_p_values(values)
    p = float(min(1.0, 2 * min(p_g, p_l) * k))
    verdict = "no evidence"
    if iv.reached and iv.n > 0:
        if iv.low > 0 and not upper_is_bound:
            verdict = "beats random"
        elif iv.high < 0 and not lower_is_bound:
            verdict = "worse than random"
    return Verdict(verdict, iv, p, k, iv.reached and iv.n > 0)
