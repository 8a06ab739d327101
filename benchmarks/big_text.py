"""Speed for big text: the engine vs a plain scikit-learn loop on an 18,821-document, 20-class TF-IDF corpus.

Data: a synthetic corpus of the shape of 20 Newsgroups (which is reserved for independent checks and never
downloaded here): 18,821 documents, 20 classes, a 20,000-word vocabulary. Every class draws its words from a
shared Zipf background (the same for all classes, so most words overlap) mixed with its own 1,500 "topic"
words (drawn at random, so topics overlap too); documents have 50-300 words; all seeded. It goes through the
engine's own ``Dataset.from_frame(df, "label")``, so the TF-IDF is the engine's (20,000 features, sparse).

Protocol, both sides (2 seeds run serially, one process, one BLAS thread): random and margin, 100 initial
labels (the engine's stratified draw, shared with the plain side), the engine's geometric schedule (growth
0.2) up to 3,000 labels, logistic regression (the ``logreg`` preset: C=1, lbfgs, max_iter 1,000), test
accuracy every round, plus one whole-pool "ceiling" fit per seed.

* **plain**: ``_common.plain_loop`` (scikit-learn only: fit, test accuracy, predict_proba on the unlabeled
  pool, pick) with the same schedule, on a ``TfidfVectorizer`` it fits itself (same settings as the engine's),
  timed from the text.
* **engine**: ``run_simulation(ds, cfg, n_jobs=1)``, timed from the ``Dataset`` (features, splits, ceiling,
  results), default settings: on sparse (text) features these store the features as float32
  (``runner.fast_sparse_fits``) and the ``logreg`` preset solves its fits with the lean L-BFGS of
  ``simulations.fast_logreg`` (L-BFGS-B's algorithm without its bound-constrained bookkeeping), cold.
* **engine scipy lbfgs**: the default before (float32 features, the preset's fits by scikit-learn's lbfgs, i.e.
  scipy's L-BFGS-B): the preset with the lean solver switched off (``ScipyLbfgs`` here), passed as the model.
* **engine warm float32**: ``warm_start=True`` (opt-in: each round's fit starts at the previous round's model).

Agreement (``--agreement-seeds``, 10 by default): the default engine and the one before (scipy lbfgs), each on 10
seeds (n_jobs=1), summarized by the engine's summary code: median and 95% interval of labels to target per
strategy and of margin's saving, the verdict, and the per-seed answers side by side. They agree when each side's
median lies inside the other side's interval, for every figure, and the verdicts are the same. (The same check of
warm starts as the default, which failed on the verdict, is in results/big_text_warm_default.md.)

The contenders run interleaved (``_common.interleaved``, the order rotating each repetition); CPU time of the
process (``time.process_time``) is the figure, wall time beside it. Answers: labels to reach 80% of the
ceiling accuracy per seed and strategy, and margin's saving vs random, computed by the engine's summary code
for every side. Target: engine (default) / plain CPU <= 0.4 with the same answers within the seed-to-seed
spread. With ``--profile`` (on by default) one seed of the default engine is profiled (cProfile) first.

    .venv/bin/python benchmarks/big_text.py [--reps 2] [--agreement-seeds 10] [--no-profile]
    .venv/bin/python benchmarks/big_text.py --smoke [--out DIR]   # 900 documents, 4 classes, budget 150
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
import pandas as pd
from _common import (
    bench_args,
    interleaved,
    md_table,
    median,
    paired_ratios,
    plain_loop,
    plain_split,
    profile_call,
    verdict,
    write_results,
)
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from simulations import Dataset, SimulationConfig, Target, per_seed, run_simulation, summarize
from simulations.config import schedule_for_pool
from simulations.features import TEXT_MAX_FEATURES, TEXT_MIN_DF
from simulations.loop import SplitSettings
from simulations.models import TextLogisticRegression
from simulations.results import SimulationResult

N_DOCS, N_CLASSES, VOCAB, TOPIC_WORDS, TOPIC_WEIGHT = 18_821, 20, 20_000, 1_500, 0.09
DOC_WORDS = (50, 300)
SEEDS, INITIAL, GROWTH, BUDGET = 2, 100, 0.2, 3000
TARGET = Target("share_of_ceiling", 0.80)
TARGET_RATIO = 0.4


def corpus_frame(n_docs: int, n_classes: int, vocab: int, topic_words: int, seed: int = 0) -> pd.DataFrame:
    """``n_docs`` documents ("w123 w9 ...") and their class, as described in the module docstring."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(vocab)])
    background = 1.0 / np.arange(1, vocab + 1) ** 1.05
    background = background[rng.permutation(vocab)] / background.sum()
    cdfs = []
    for _ in range(n_classes):
        topic = np.zeros(vocab)
        topic[rng.choice(vocab, size=topic_words, replace=False)] = rng.gamma(0.5, size=topic_words)
        cdfs.append(np.cumsum((1 - TOPIC_WEIGHT) * background + TOPIC_WEIGHT * topic / topic.sum()))
    y = rng.integers(0, n_classes, size=n_docs)
    lengths = rng.integers(DOC_WORDS[0], DOC_WORDS[1] + 1, size=n_docs)
    docs = []
    for n, c in zip(lengths, y, strict=True):
        ids = np.minimum(np.searchsorted(cdfs[c], rng.random(n) * cdfs[c][-1]), vocab - 1)
        docs.append(" ".join(words[ids]))
    return pd.DataFrame({"text": docs, "label": np.array([f"topic{k:02d}" for k in range(n_classes)])[y]})


class ScipyLbfgs(TextLogisticRegression):
    """The ``logreg`` preset as it was before the lean solver: present columns only, scipy's L-BFGS-B."""

    def _lean_solver_applies(self, X: Any, y: np.ndarray) -> bool:
        return False


def config() -> SimulationConfig:
    return SimulationConfig(strategies=("margin",), seeds=SEEDS, initial_labels=INITIAL, growth=GROWTH,
                            budget=BUDGET, model="logreg")


def engine_side(ds: Dataset, **options: Any) -> SimulationResult:
    return run_simulation(ds, config(), n_jobs=1, **options)


def plain_side(frame: pd.DataFrame, initial: dict[int, np.ndarray], schedule: list[int]) -> SimulationResult:
    """TF-IDF by hand, then plain_loop per seed and strategy; the curves as a SimulationResult."""
    with threadpool_limits(limits=1):
        X = TfidfVectorizer(sublinear_tf=True, min_df=TEXT_MIN_DF, max_features=TEXT_MAX_FEATURES).fit_transform(
            frame["text"].to_numpy())
        classes, y = np.unique(frame["label"].to_numpy(), return_inverse=True)

        def make_model(rs: int) -> LogisticRegression:
            return LogisticRegression(C=1.0, max_iter=1000, random_state=rs)

        rows, ceilings = [], []
        for seed in range(SEEDS):
            for strategy in ("random", "margin"):
                out = plain_loop(X, y, seed, make_model, strategy, initial=INITIAL, schedule=schedule,
                                 initial_idx=initial[seed], ceiling=strategy == "random")
                rows += [{"strategy": strategy, "seed": seed, "round": i, "labels": n, "accuracy": a}
                         for i, (n, a) in enumerate(zip(schedule, out["accuracies"], strict=True))]
                if strategy == "random":
                    _, test_idx, _ = plain_split(y, seed, initial=INITIAL)
                    majority = np.bincount(y[np.setdiff1d(np.arange(len(y)), test_idx)]).argmax()
                    ceilings.append({"seed": seed, "accuracy": out["ceiling"],
                                     "baseline_accuracy": float(np.mean(y[test_idx] == majority))})
    return SimulationResult(rounds=pd.DataFrame(rows), ceilings=pd.DataFrame(ceilings), config=config(),
                            meta={"metric": "accuracy", "budget": schedule[-1], "n_initial": schedule[0],
                                  "labels_schedule": schedule, "classes": [str(c) for c in classes]})


def same_data_check(ds: Dataset, schedule: list[int], seed: int = 0) -> dict[str, Any]:
    """Warm-started vs cold fits on the same labeled sets (random picks along the schedule, one seed).

    A cold ``LogisticRegression`` (scikit-learn's own) and a chain of ``logreg``-preset fits each started at the
    previous one: test accuracy of both per round, and the share of test rows where they predict the same class.
    """
    from simulations.features import fit_features
    from simulations.models import model_factory

    X, _ = fit_features(ds)
    _, y = np.unique(ds.y, return_inverse=True)
    split = SplitSettings.of(config()).make(X, y, seed, 0, None)
    rng = np.random.default_rng(seed)
    rest = np.setdiff1d(np.arange(split.n_pool), split.initial)
    order = np.concatenate([split.initial, rng.permutation(rest)])
    make = model_factory("logreg", X)
    rows, previous = [], None
    with threadpool_limits(limits=1):
        for n in schedule:
            idx = order[:n]
            cold = LogisticRegression(C=1.0, max_iter=1000, random_state=seed).fit(split.X_pool[idx], split.y_pool[idx])
            warm = make(seed)
            if previous is not None:
                warm.warm_from(previous)
            warm.fit(split.X_pool[idx], split.y_pool[idx])
            previous = warm
            pc, pw = cold.predict(split.X_test), warm.predict(split.X_test)
            rows.append({"labels": n, "cold_accuracy": float(np.mean(pc == split.y_test)),
                         "warm_accuracy": float(np.mean(pw == split.y_test)), "agreement": float(np.mean(pc == pw)),
                         "cold_iterations": int(cold.n_iter_[0]), "warm_iterations": int(warm.n_iter_[0])})
    diffs = [abs(r["cold_accuracy"] - r["warm_accuracy"]) for r in rows]
    return {"seed": seed, "rounds": rows, "max_accuracy_difference": max(diffs),
            "min_agreement": min(r["agreement"] for r in rows),
            "iterations": {"cold": sum(r["cold_iterations"] for r in rows),
                           "warm": sum(r["warm_iterations"] for r in rows)}}


def answer(res: SimulationResult) -> dict[str, Any]:
    """Labels to the target per seed and strategy, margin's saving per seed, and the summary's median saving."""
    s = summarize(res, TARGET, metric="accuracy")
    ps = per_seed(res, TARGET, "accuracy")
    ltt = ps.pivot(index="seed", columns="strategy", values="labels_to_target")
    cens = ps.pivot(index="seed", columns="strategy", values="censored")
    m = s.strategies["margin"]
    final = res.rounds[res.rounds["labels"] == res.rounds["labels"].max()]
    return {
        "median_saving": m.savings_vs_random.median if m.savings_vs_random else None,
        "per_seed": [{"seed": int(i), "margin": float(ltt.loc[i, "margin"]), "random": float(ltt.loc[i, "random"]),
                      "margin_censored": bool(cens.loc[i, "margin"]), "random_censored": bool(cens.loc[i, "random"]),
                      "saving": float(1 - ltt.loc[i, "margin"] / ltt.loc[i, "random"])} for i in ltt.index],
        "final_accuracy": {k: float(v) for k, v in final.groupby("strategy")["accuracy"].mean().items()},
        "ceiling_accuracy": [float(v) for v in res.ceilings["accuracy"]],
    }


REFERENCE = "scipy_lbfgs"


def agreement_check(ds: Dataset, n_seeds: int) -> dict[str, Any]:
    """Default engine vs the one before (scipy's lbfgs) on ``n_seeds`` seeds: medians, 95% intervals, per seed."""
    cfg = SimulationConfig.from_dict({**config().to_dict(), "seeds": n_seeds})
    sides: dict[str, Any] = {}
    for name, options in (("default", {}), (REFERENCE, {"model": ScipyLbfgs(C=1.0, max_iter=1000)})):
        res = run_simulation(ds, cfg, n_jobs=1, **options)
        s = summarize(res, TARGET, metric="accuracy")
        figures = {f"labels_{k}": s.strategies[k].labels_to_target.to_dict() for k in ("random", "margin")}
        figures["saving_margin"] = s.strategies["margin"].savings_vs_random.to_dict()
        sides[name] = {"figures": figures, "verdict": s.strategies["margin"].verdict, "answer": answer(res),
                       "meta": {k: res.meta.get(k, False) for k in ("warm_start", "float32_features")}}
    checks = {}
    for key in sides["default"]["figures"]:
        a, b = sides["default"]["figures"][key], sides[REFERENCE]["figures"][key]
        checks[key] = bool(b["low"] <= a["median"] <= b["high"] and a["low"] <= b["median"] <= a["high"])
    mine, ref = sides["default"]["answer"]["per_seed"], sides[REFERENCE]["answer"]["per_seed"]
    same_seeds = sum(a["margin"] == b["margin"] and a["random"] == b["random"] for a, b in zip(mine, ref, strict=True))
    same_verdict = sides["default"]["verdict"] == sides[REFERENCE]["verdict"]
    return {"n_seeds": n_seeds, "sides": sides, "checks": checks, "same_verdict": same_verdict,
            "seeds_with_identical_answers": int(same_seeds),
            "agree": bool(all(checks.values()) and same_verdict)}


def _iv(d: dict[str, Any], pct: bool = False) -> str:
    f = (lambda v: f"{100 * v:.0f}%") if pct else (lambda v: f"{v:,.0f}")
    return f"{f(d['median'])} ({f(d['low'])} to {f(d['high'])})"


def spread_check(answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each engine side's labels to target and saving vs the plain side's, against the seed-to-seed spread.

    The spread is the range over seeds (and, for labels, strategies' own seeds) on the plain side; a side
    agrees when its median saving differs from the plain one by at most the plain side's seed-to-seed range
    of savings, and each strategy's median labels to target by at most that strategy's range over seeds.
    """
    plain = answers["plain"]
    savings = [p["saving"] for p in plain["per_seed"]]
    saving_range = max(savings) - min(savings)
    out = {}
    for name, a in answers.items():
        if name == "plain":
            continue
        d_saving = abs(a["median_saving"] - plain["median_saving"])
        ok = d_saving <= max(saving_range, 0.05)
        labels = {}
        for k in ("random", "margin"):
            mine = median([p[k] for p in a["per_seed"]])
            ref = [p[k] for p in plain["per_seed"]]
            rng = max(ref) - min(ref)
            labels[k] = {"median": mine, "plain_median": median(ref), "plain_range": rng}
            ok = ok and abs(mine - median(ref)) <= max(rng, 0.1 * median(ref))
        out[name] = {"saving_difference": d_saving, "plain_saving_range": saving_range, "labels": labels,
                     "within_seed_spread": bool(ok)}
    return out


def _ans(a: dict[str, Any]) -> str:
    seeds = "; ".join(f"seed {p['seed']}: {p['margin']:.0f}{'*' if p['margin_censored'] else ''} / "
                      f"{p['random']:.0f}{'*' if p['random_censored'] else ''} ({100 * p['saving']:.0f}%)"
                      for p in a["per_seed"])
    return f"{100 * a['median_saving']:.1f}% ({seeds})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=2, help="interleaved repetitions of every contender")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile of one engine seed")
    ap.add_argument("--agreement-seeds", type=int, default=10,
                    help="seeds of the agreement check, default vs the earlier default (0 skips it)")
    args = bench_args(ap, argv)
    global N_DOCS, N_CLASSES, VOCAB, TOPIC_WORDS, INITIAL, BUDGET
    if args.smoke:
        N_DOCS, N_CLASSES, VOCAB, TOPIC_WORDS, INITIAL, BUDGET = 900, 4, 2000, 300, 20, 150
        args.reps, args.agreement_seeds = 1, 2
    frame = corpus_frame(N_DOCS, N_CLASSES, VOCAB, TOPIC_WORDS)
    ds = Dataset.from_frame(frame, "label", name=f"synthetic_text_{N_DOCS}")
    # The engine's splits (drawn from the indices alone, as run_simulation's probe does): the plain side starts
    # from the same initial labels and must get the same test rows.
    _, y = np.unique(ds.y, return_inverse=True)
    settings = SplitSettings.of(config())
    initial = {}
    for seed in range(SEEDS):
        split = settings.make(np.empty((len(y), 0)), y, seed, 0, None)
        pool, test, _ = plain_split(y, seed, initial=INITIAL)
        assert np.array_equal(y[pool], split.y_pool) and np.array_equal(y[test], split.y_test)
        initial[seed] = split.initial
    probe = engine_side(ds) if args.smoke else None
    _, sched = schedule_for_pool(INITIAL, len(split.y_pool), budget=BUDGET, growth=GROWTH)
    schedule = [int(v) for v in sched]
    if probe is not None:
        assert schedule == probe.meta["labels_schedule"]

    profile = None
    if not args.no_profile:
        print("profiling one seed of the engine (random + margin + ceiling) ...", flush=True)
        one = SimulationConfig.from_dict({**config().to_dict(), "seeds": 1})
        profile = profile_call(lambda: run_simulation(ds, one, n_jobs=1), top=20)
        for r in profile["by_self"][:10]:
            print(f"  {r['tottime']:6.2f} s self  {r['function']}")

    print("warm vs cold fits on the same labeled sets (seed 0) ...", flush=True)
    same_data = same_data_check(ds, schedule)
    print(f"  max test-accuracy difference {same_data['max_accuracy_difference']:.4f}, min agreement "
          f"{same_data['min_agreement']:.4f}, lbfgs iterations cold {same_data['iterations']['cold']} / warm "
          f"{same_data['iterations']['warm']}", flush=True)

    contenders = {
        "plain": lambda: plain_side(frame, initial, schedule),
        "engine": lambda: engine_side(ds),
        "engine_scipy_lbfgs": lambda: engine_side(ds, model=ScipyLbfgs(C=1.0, max_iter=1000)),
        "engine_warm_float32": lambda: engine_side(ds, warm_start=True),
    }
    print(f"{len(contenders)} contenders x {args.reps} reps, {SEEDS} seeds each, budget {BUDGET} ...", flush=True)
    wall, cpu, last = interleaved(contenders, args.reps)
    answers = {name: answer(res) for name, res in last.items()}
    agreement = None
    if args.agreement_seeds:
        print(f"agreement: default vs {REFERENCE} engine, {args.agreement_seeds} seeds each ...", flush=True)
        with threadpool_limits(limits=1):
            agreement = agreement_check(ds, args.agreement_seeds)
        for name, side in agreement["sides"].items():
            f = side["figures"]
            print(f"  {name}: random {_iv(f['labels_random'])}, margin {_iv(f['labels_margin'])}, saving "
                  f"{_iv(f['saving_margin'], pct=True)}, {side['verdict']}", flush=True)
    agree = spread_check(answers)
    sides = {}
    for name in contenders:
        sides[name] = {"wall_seconds": wall[name], "cpu_seconds": cpu[name], "median_wall_seconds": median(wall[name]),
                       "median_cpu_seconds": median(cpu[name]), "answer": answers[name]}
        if name != "plain":
            sides[name]["cpu_ratio"] = median(paired_ratios(cpu[name], cpu["plain"]))
            sides[name]["wall_ratio"] = median(paired_ratios(wall[name], wall["plain"]))
            sides[name].update(agree[name])
    ratio = sides["engine"]["cpu_ratio"]
    best = min((n for n in contenders if n != "plain"), key=lambda n: sides[n]["cpu_ratio"])
    ok = bool(ratio <= TARGET_RATIO and sides["engine"]["within_seed_spread"]
              and (agreement is None or agreement["agree"]))
    data = {
        "setup": f"synthetic text {N_DOCS:,} docs, {N_CLASSES} classes, {VOCAB:,}-word vocabulary; TF-IDF "
                 f"(engine's); logreg; random + margin; {INITIAL} initial, growth {GROWTH}, budget {BUDGET}; "
                 f"{SEEDS} seeds serial; target {TARGET.describe('accuracy')}",
        "schedule": schedule, "reps": args.reps, "sides": sides,
        "cpu_ratio": ratio, "best_contender": best, "best_cpu_ratio": sides[best]["cpu_ratio"],
        "target": f"engine / plain CPU <= {TARGET_RATIO}, answers within the seed-to-seed spread, and the default "
                  f"and the earlier default ({REFERENCE}) agree on {args.agreement_seeds} seeds",
        "pass": ok, "profile": profile, "warm_vs_cold_same_data": same_data, "agreement": agreement,
    }
    md = [
        "# Big text: engine vs a plain scikit-learn loop", "",
        f"Set-up: {data['setup']}. Command: `.venv/bin/python benchmarks/big_text.py`", "",
        md_table([{"side": n, "CPU s (median)": s["median_cpu_seconds"], "wall s (median)": s["median_wall_seconds"],
                   "CPU ratio": s.get("cpu_ratio", ""), "wall ratio": s.get("wall_ratio", ""),
                   "margin saving (labels margin / random per seed)": _ans(s["answer"]),
                   "final accuracy random / margin": f"{s['answer']['final_accuracy']['random']:.3f} / "
                                                      f"{s['answer']['final_accuracy']['margin']:.3f}",
                   "within seed spread": s.get("within_seed_spread", "")} for n, s in sides.items()]), "",
        f"**Engine (default) / plain: {ratio:.2f} CPU** (target <= {TARGET_RATIO}) -> **{verdict(ok)}**; "
        f"fastest side {best}: {sides[best]['cpu_ratio']:.2f}. The default engine stores sparse (text) features as "
        "float32 (`runner.fast_sparse_fits`) and fits the logreg preset with the lean L-BFGS of "
        "`simulations/fast_logreg.py`; engine_scipy_lbfgs is the earlier default (the same with scipy's L-BFGS-B); "
        "engine_warm_float32 adds the opt-in warm starts.", "",
        "Ratios are medians of per-repetition ratios (each pair ran in the same repetition). `*` = censored "
        "(target not reached by the budget).", "",
        f"Warm vs cold fits on the same labeled sets (seed 0, random picks along the schedule, "
        f"{len(schedule)} fits): test accuracy differs by at most {same_data['max_accuracy_difference']:.4f}, the "
        f"two predict the same class on at least {100 * same_data['min_agreement']:.1f}% of test rows; lbfgs "
        f"iterations {same_data['iterations']['cold']} cold, {same_data['iterations']['warm']} warm.",
    ]
    if agreement:
        md += ["", f"Agreement, default vs earlier default ({REFERENCE}) engine, {agreement['n_seeds']} seeds each "
               "(median and 95% interval over seeds; agree = each median inside the other's interval):", "",
               md_table([{"engine": name, "labels to target, random": _iv(side["figures"]["labels_random"]),
                          "labels to target, margin": _iv(side["figures"]["labels_margin"]),
                          "margin's saving": _iv(side["figures"]["saving_margin"], pct=True),
                          "verdict": side["verdict"]} for name, side in agreement["sides"].items()]), "",
               f"Agree on every figure: **{agreement['agree']}** ({agreement['checks']}; same verdict: "
               f"{agreement['same_verdict']}); seeds whose labels to target are identical for both strategies: "
               f"{agreement['seeds_with_identical_answers']} of {agreement['n_seeds']}.", "",
               "Per seed, labels to target margin / random (saving), default | earlier default:", "",
               md_table([{"seed": a["seed"], "default": f"{a['margin']:.0f} / {a['random']:.0f} "
                          f"({100 * a['saving']:.0f}%)",
                          REFERENCE: f"{b['margin']:.0f} / {b['random']:.0f} ({100 * b['saving']:.0f}%)"}
                         for a, b in zip(agreement["sides"]["default"]["answer"]["per_seed"],
                                         agreement["sides"][REFERENCE]["answer"]["per_seed"], strict=True)])]
    if profile:
        md += ["", "Profile of one engine seed (default settings; top by own time):", "",
               md_table([{"function": r["function"], "calls": r["ncalls"], "own s": r["tottime"],
                          "cumulative s": r["cumtime"]} for r in profile["by_self"][:10]])]
    paths = write_results("big_text", data, "\n".join(md))
    for n, s in sides.items():
        print(f"{n}: {s['median_cpu_seconds']:.1f} s CPU, {s['median_wall_seconds']:.1f} s wall, "
              f"ratio {s.get('cpu_ratio', 1):.2f}; {_ans(s['answer'])}")
    print(f"engine / plain CPU {ratio:.2f} -> {verdict(ok)}; wrote {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
