"""How often is a verdict wrong when no strategy differs from random, and how often is a real saving found?

Per-seed savings are drawn, not simulated with models: the verdict rule only sees one paired number per seed, so
its error rate is a property of the rule and the seed count. Three null cases (no strategy differs from random):

* ``normal``: savings ~ N(0, 0.3), symmetric around 0;
* ``cauchy``: savings ~ Cauchy(0, 0.2), symmetric with wild seeds (the per-seed ratio "exploding");
* ``ratio``: labels to target for random and AL drawn from the same log-normal, saving = 1 - al / random
  (skewed: median 0, mean below 0; what a simulation with no effect gives).

Each is run with one AL strategy and with the best of three picked by median saving (the three independent), and
judged by the new rule (:func:`simulations.stats.sign_verdict`: order-statistic interval / exact sign test,
Bonferroni over the strategies compared) and by the old one (95% percentile bootstrap of the median, no correction).
Power: AL needs ``exp(-d)`` times random's labels per seed with ``d ~ N(log 1/(1-s), sd)`` for a true median
saving ``s`` of 25% or 40%, with every strategy (best of three) having that effect.

Run:  .venv/bin/python benchmarks/null_power.py [--reps 20000]
      .venv/bin/python benchmarks/null_power.py --smoke [--out DIR]   # 300 repetitions
Writes benchmarks/results/null_power.{json,md}.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
from _common import bench_args, md_table, write_results

from simulations.stats import ALPHA, _rank, min_seeds_for_verdict, sign_verdict

SEEDS = (3, 5, 6, 7, 10, 15, 20)
STRATEGIES = (1, 3)
NULLS = {
    "normal": lambda r, shape: r.normal(0, 0.3, shape),
    "cauchy": lambda r, shape: 0.2 * r.standard_cauchy(shape),
    "ratio": lambda r, shape: 1 - np.exp(r.normal(5, 0.4, shape)) / np.exp(r.normal(5, 0.4, shape)),
}
EFFECTS = {"25% saving, sd 0.3": (0.25, 0.3), "25% saving, sd 0.6": (0.25, 0.6), "40% saving, sd 0.6": (0.40, 0.6)}


def new_rule(savings: np.ndarray, k: int) -> np.ndarray:
    """Verdict per row of ``savings`` (reps x n) by the sign rule at alpha / k: +1 beats, -1 worse, 0 none.

    Vectorised :func:`simulations.stats.sign_verdict` (same ranks); checked against it on a sample in ``main``.
    """
    n = savings.shape[1]
    rank, cover = _rank(n, 1 - ALPHA / k)
    if cover < 1 - ALPHA / k - 1e-12:
        return np.zeros(len(savings), int)
    s = np.sort(savings, axis=1)
    return np.where(s[:, rank - 1] > 0, 1, np.where(s[:, n - rank] < 0, -1, 0))


def old_rule(savings: np.ndarray, rng: np.random.Generator, n_boot: int = 1000) -> np.ndarray:
    """The replaced rule: 95% percentile bootstrap of the median, "beats" when its low end is above 0."""
    reps, n = savings.shape
    out = np.zeros(reps, int)
    for i in range(reps):
        if np.all(savings[i] == savings[i, 0]):
            out[i] = int(np.sign(savings[i, 0]))
            continue
        boot = np.median(savings[i][rng.integers(0, n, (n_boot, n))], axis=1)
        lo, hi = np.percentile(boot, [2.5, 97.5])
        out[i] = 1 if lo > 0 else (-1 if hi < 0 else 0)
    return out


def pick_best(draws: np.ndarray) -> np.ndarray:
    """draws: (reps, k, n) -> (reps, n): the strategy with the largest median saving in each repetition."""
    best = np.argmax(np.median(draws, axis=2), axis=1)
    return draws[np.arange(len(draws)), best]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=20000, help="repetitions per cell (default 20000)")
    ap.add_argument("--old-reps", type=int, default=2000, help="repetitions for the slower bootstrap rule")
    args = bench_args(ap, argv)
    reps = 300 if args.smoke else args.reps
    old_reps = 100 if args.smoke else args.old_reps
    rng = np.random.default_rng(20261207)
    start = time.perf_counter()

    # the vectorised rule is the library's rule
    check = rng.normal(0.2, 0.3, (300, 7))
    lib = np.array([{"beats random": 1, "worse than random": -1, "no evidence": 0}[sign_verdict(x, k=3).verdict]
                    for x in check])
    assert np.array_equal(lib, new_rule(check, 3)), "vectorised rule differs from simulations.stats.sign_verdict"

    null_rows: list[dict[str, Any]] = []
    for name, draw in NULLS.items():
        for k in STRATEGIES:
            for n in SEEDS:
                savings = pick_best(draw(rng, (reps, k, n)))
                v = new_rule(savings, k)
                old = old_rule(savings[:old_reps], rng)
                null_rows.append({
                    "null": name, "strategies": k, "seeds": n,
                    "new_beats": float(np.mean(v == 1)), "new_any": float(np.mean(v != 0)),
                    "old_beats": float(np.mean(old == 1)), "old_any": float(np.mean(old != 0)),
                })
    power_rows: list[dict[str, Any]] = []
    for name, (share, sd) in EFFECTS.items():
        for k in STRATEGIES:
            for n in SEEDS:
                d = rng.normal(-np.log(1 - share), sd, (reps, k, n))
                savings = pick_best(1 - np.exp(-d))
                v = new_rule(savings, k)
                old = old_rule(savings[:old_reps], rng)
                power_rows.append({"effect": name, "strategies": k, "seeds": n,
                                   "new_beats": float(np.mean(v == 1)), "old_beats": float(np.mean(old == 1))})
    elapsed = time.perf_counter() - start

    worst = max(r["new_any"] for r in null_rows)
    se = np.sqrt(ALPHA * (1 - ALPHA) / reps)
    data = {"reps": reps, "old_reps": old_reps, "alpha": ALPHA, "seconds": elapsed,
            "min_seeds_for_verdict": {k: min_seeds_for_verdict(k) for k in (1, 2, 3, 4, 6)},
            "worst_false_verdict_rate": worst, "null": null_rows, "power": power_rows}

    def pct(x: float) -> str:
        return f"{100 * x:.1f}%"

    md = [
        "# False verdicts on null data, and power",
        "",
        f"{reps} repetitions per cell for the new rule ({old_reps} for the old bootstrap rule), alpha {ALPHA}. "
        "`new_any` is the share of null repetitions with any verdict (either direction) for the strategy shown "
        "(the best of `strategies` by median saving); it must be at most 5% "
        f"(up to sampling error, ±{pct(2 * se)} at 2 standard errors).",
        "",
        "Fewest seeds for any verdict: " + ", ".join(f"{k} strateg{'y' if k == 1 else 'ies'}: {m}"
                                                   for k, m in data["min_seeds_for_verdict"].items()) + ".",
        "",
        f"Worst false-verdict rate of the new rule: **{pct(worst)}**.",
        "",
        "## Null: no strategy differs from random",
        "",
        md_table([{**r, **{c: pct(r[c]) for c in ("new_beats", "new_any", "old_beats", "old_any")}}
                  for r in null_rows]),
        "",
        "## Power: share of repetitions where the best strategy is said to beat random",
        "",
        md_table([{**r, "new_beats": pct(r["new_beats"]), "old_beats": pct(r["old_beats"])} for r in power_rows]),
        "",
        f"Run time {elapsed:.0f} s.",
    ]
    json_path, md_path = write_results("null_power", data, "\n".join(md))
    print(f"worst false-verdict rate {pct(worst)}; wrote {json_path} and {md_path}")


if __name__ == "__main__":
    main()
