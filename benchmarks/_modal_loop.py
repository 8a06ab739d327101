"""The modAL side of benchmarks/time_to_answer.py: single queries, one refit per label.

Runs in its own virtual environment (benchmarks/.venv-modal, see time_to_answer.py) with modAL-python from
PyPI, or, with ``--plain``, a modAL-style stand-in written here (same teach/query protocol) in any venv.
It imports nothing from Labelwise.

Input: a JSON spec (data .npz path, per-seed pool/test/initial indices, strategies, budget, target share,
deadline, processes). Output: a JSON file with each run's curve (labels, test accuracy after every refit),
its ceiling and timings.

Protocol per (seed, strategy): an ActiveLearner with a random forest of 100 trees on the initial labels; then
repeat ``query`` (one row) -> ``teach`` (refit on all labels so far) -> test accuracy, until the accuracy
first reaches ``target_share`` x the ceiling (the same model on the whole pool), the budget, or the deadline.
Stopping at the first crossing is the most a modAL user can save: the answer (labels to the target) is
known at that moment. The runs are shared among ``processes`` worker processes, the cheap ones (margin)
first; a run still going at the deadline stops there and counts as censored at the labels it reached.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from multiprocessing import get_context
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestClassifier


def make_rf(seed: int, n_estimators: int = 100) -> RandomForestClassifier:
    return RandomForestClassifier(n_estimators=n_estimators, n_jobs=1, random_state=seed)


class PlainActiveLearner:
    """A minimal stand-in with modAL's ActiveLearner protocol: query() picks, teach() appends and refits."""

    def __init__(self, estimator: Any, query_strategy: Any, X_training: np.ndarray, y_training: np.ndarray):
        self.estimator, self.query_strategy = estimator, query_strategy
        self.X_training, self.y_training = X_training, y_training
        self.estimator.fit(X_training, y_training)

    def query(self, X_pool: np.ndarray):
        idx = self.query_strategy(self, X_pool)
        idx = idx[0] if isinstance(idx, tuple) else idx
        return idx, X_pool[idx]

    def teach(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X_training = np.vstack([self.X_training, X])
        self.y_training = np.concatenate([self.y_training, y])
        self.estimator.fit(self.X_training, self.y_training)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.estimator.predict_proba(X)

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(self.estimator.score(X, y))


def plain_margin_sampling(classifier: Any, X: np.ndarray):
    proba = classifier.predict_proba(X)
    part = np.partition(-proba, 1, axis=1)
    margin = -part[:, 0] + part[:, 1]
    idx = np.argpartition(margin, 0)[:1]
    return idx, margin[idx]


def random_sampling(rng: np.random.Generator):
    def strategy(classifier: Any, X: np.ndarray):
        idx = rng.choice(X.shape[0], size=1, replace=False)
        return idx, np.zeros(1)  # (indices, metrics): what modAL's query() unpacks
    return strategy


def _run_one(args: tuple[dict[str, Any], tuple[int, str]]) -> list[dict[str, Any]]:
    spec, job = args
    jobs = [job]
    warnings.filterwarnings("ignore")
    if spec["plain"]:
        Learner, margin = PlainActiveLearner, plain_margin_sampling
    else:
        from modAL.models import ActiveLearner as Learner
        from modAL.uncertainty import margin_sampling as margin
    data = np.load(spec["data"])
    X, y = data["X"], data["y"]
    deadline = spec["start"] + spec["deadline_seconds"]
    runs = []
    for seed_i, strategy in jobs:
        s = spec["seeds"][seed_i]
        pool, test = np.asarray(s["pool"]), np.asarray(s["test"])
        X_pool, y_pool, X_test, y_test = X[pool], y[pool], X[test], y[test]
        t0 = time.perf_counter()
        trees = int(spec.get("n_estimators", 100))
        ceiling_model = make_rf(s["seed"], trees).fit(X_pool, y_pool)
        ceiling = float(ceiling_model.score(X_test, y_test))
        init = np.asarray(s["initial"])
        rest = np.setdiff1d(np.arange(len(y_pool)), init)
        query = margin if strategy == "margin" else random_sampling(np.random.default_rng([s["seed"], 7]))
        learner = Learner(estimator=make_rf(s["seed"], trees), query_strategy=query, X_training=X_pool[init],
                          y_training=y_pool[init])
        runs.append({
            "seed": s["seed"], "strategy": strategy, "ceiling": ceiling, "target": spec["target_share"] * ceiling,
            "labels": [len(init)], "accuracy": [float(learner.score(X_test, y_test))], "status": "running",
            "seconds": time.perf_counter() - t0, "_learner": learner, "_X_rest": X_pool[rest],
            "_y_rest": y_pool[rest], "_X_test": X_test, "_y_test": y_test,
        })
    for r in runs:
        if r["accuracy"][-1] >= r["target"]:
            r["status"] = "reached"
    while True:
        active = [r for r in runs if r["status"] == "running"]
        if not active:
            break
        if time.time() > deadline:
            for r in active:
                r["status"] = "deadline"
            break
        for r in active:
            t0 = time.perf_counter()
            learner = r["_learner"]
            idx, _ = learner.query(r["_X_rest"])
            learner.teach(r["_X_rest"][idx], r["_y_rest"][idx])
            # The tutorial's bookkeeping: queried rows leave the pool.
            r["_X_rest"] = np.delete(r["_X_rest"], idx, axis=0)
            r["_y_rest"] = np.delete(r["_y_rest"], idx, axis=0)
            acc = float(learner.score(r["_X_test"], r["_y_test"]))
            r["labels"].append(r["labels"][-1] + 1)
            r["accuracy"].append(acc)
            r["seconds"] += time.perf_counter() - t0
            if acc >= r["target"]:
                r["status"] = "reached"
            elif r["labels"][-1] >= spec["budget"]:
                r["status"] = "budget"
    for r in runs:
        print(f"  modAL seed {r['seed']} {r['strategy']}: {r['status']} at {r['labels'][-1]} labels "
              f"(accuracy {r['accuracy'][-1]:.3f}, target {r['target']:.3f}), {r['seconds']:.0f} s", flush=True)
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in runs]


def calibrate(n_rows: int = 1000, reps: int = 5) -> float:
    """Median seconds of one 100-tree fit on ``n_rows`` x 20 rows: compares this venv's scikit-learn speed."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, 20))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    times = []
    for i in range(reps):
        t0 = time.perf_counter()
        make_rf(i).fit(X, y)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> int:
    spec = json.loads(open(sys.argv[1]).read())
    import sklearn

    t_start = time.perf_counter()
    spec["start"] = time.time()
    # Margin runs stop early (few labels to the target): run them first so a deadline censors random runs.
    order = sorted(spec["strategies"], key=lambda st: st == "random")
    jobs = [(spec, (i, st)) for st in order for i in range(len(spec["seeds"]))]
    procs = max(1, int(spec["processes"]))
    if procs == 1:
        out = [r for j in jobs for r in _run_one(j)]
    else:
        with get_context("fork").Pool(procs) as pool:
            out = [r for g in pool.imap(_run_one, jobs, chunksize=1) for r in g]
    wall = time.perf_counter() - t_start
    t = os.times()  # this process and its finished workers (the pool is closed and joined by now)
    cpu = t.user + t.system + t.children_user + t.children_system
    result = {
        "implementation": "modAL-style plain loop" if spec["plain"] else "modAL-python ActiveLearner",
        "scikit_learn": sklearn.__version__, "numpy": np.__version__, "processes": procs,
        "wall_seconds": wall, "cpu_seconds": cpu,
        "rf_fit_1000_rows_seconds": calibrate(reps=int(spec.get("calibrate_reps", 5))), "runs": out,
    }
    if not spec["plain"]:
        from importlib.metadata import version

        result["modal_version"] = version("modAL-python")
    with open(spec["out"], "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
