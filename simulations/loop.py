"""One pool-based active learning run: one strategy, one seed.

Protocol per seed (shared by every strategy so the comparison is paired):
a stratified held-out test split; a stratified random initial labeled set; a fixed random "stop set"
of pool rows on which label-free stopping signals are measured; then rounds of
fit -> measure -> query until the label budget.

Extra pool: rows whose label is unknown (``Dataset.extra_pool``) follow the pool rows in ``Split.X_pool``.
They are never queried, never labeled and never scored as test rows; strategies that use unlabeled data
see them (self-training's pseudo-label candidates, density's sample through ``PoolView.X``), and the
stop set is drawn from the pool and the extra rows together.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from simulations.strategies.base import PoolView, QueryStrategy, predict_proba_aligned, take_rows
from simulations.strategies.uncertainty import normalized_entropy


@dataclass
class Split:
    """The fixed parts of one seed's experiment.

    Attributes
    ----------
    X_pool : ndarray or CSR matrix, shape (n_pool + n_extra, n_features)
        The pool rows, then the extra (never labeled) rows.
    y_pool : ndarray of int, shape (n_pool,)
        Class codes: positions in ``classes``.
    X_test, y_test : test rows, shape (n_test, n_features), (n_test,)
    initial : ndarray of int, shape (n_initial,)  pool indices labeled at the start
    stop : ndarray of int, shape (n_stop,)  row indices of ``X_pool`` in the stop set (may include extra rows)
    classes : ndarray of int, shape (n_classes,)
        ``arange(n_classes)``; the class names live in the run's metadata.
    seed : int
    n_extra : int
        Extra pool rows at the end of ``X_pool``.
    """

    X_pool: Any
    y_pool: np.ndarray
    X_test: Any
    y_test: np.ndarray
    initial: np.ndarray
    stop: np.ndarray
    classes: np.ndarray
    seed: int
    n_extra: int = 0
    #: None: no identical rows; True: every group of identical rows is wholly in the pool or in the test set;
    #: False: duplicates are so widespread (a few distinct rows) that keeping them together would empty or
    #: unbalance the test set, so the plain stratified split was kept (see :func:`make_split`).
    duplicates_apart: bool | None = None
    #: Money per label of each pool item, shape (n_pool,); None without item costs (``SimulationConfig.costs``).
    #: The test rows' costs never matter: nobody buys their labels.
    costs: np.ndarray | None = None

    @property
    def n_pool(self) -> int:
        """Pool rows that can be queried (those with a known label)."""
        return len(self.y_pool)

    @property
    def extra(self) -> np.ndarray:
        """Row indices of ``X_pool`` holding the extra pool, shape (n_extra,)."""
        return np.arange(self.n_pool, self.n_pool + self.n_extra)

    def X_labelable(self) -> Any:
        """``X_pool`` without the extra rows (a view for dense arrays; the matrix itself without extras)."""
        return self.X_pool if self.n_extra == 0 else self.X_pool[: self.n_pool]


def stratified_sample(y: np.ndarray, n: int, rng: np.random.Generator, classes: np.ndarray) -> np.ndarray:
    """``n`` indices with class shares as in ``y``, at least one per class, drawn with ``rng``.

    Returns
    -------
    ndarray of int, shape (max(n, n_classes),), sorted
    """
    counts = np.array([(y == c).sum() for c in classes])
    n = min(max(n, len(classes)), int(counts.sum()))
    exact = n * counts / counts.sum()
    quota = np.minimum(counts, np.maximum(1, np.floor(exact).astype(int)))
    # Rounding and the one-per-class floor leave the total off by a few: fix it by largest remainders.
    remainder = exact - quota
    while quota.sum() < n:
        c = int(np.argmax(np.where(quota < counts, remainder, -np.inf)))
        quota[c] += 1
        remainder[c] -= 1
    while quota.sum() > n:
        c = int(np.argmin(np.where(quota > 1, remainder, np.inf)))
        quota[c] -= 1
        remainder[c] += 1
    picked = [rng.choice(np.flatnonzero(y == c), size=q, replace=False) for c, q in zip(classes, quota, strict=True)]
    return np.sort(np.concatenate(picked))


def duplicate_groups(X: Any, n_rows: int | None = None) -> np.ndarray | None:
    """Group ids of identical feature rows among the first ``n_rows`` rows of ``X``; None when every row is unique.

    Rows are identical when their feature values are bitwise equal (dense) or their sorted sparse entries are
    (CSR): what the model sees is the same, so one in the pool and one in the test set would score a memorised row.
    """
    n = X.shape[0] if n_rows is None else int(n_rows)
    if n == 0 or X.shape[1] == 0:
        return None
    if hasattr(X, "tocsr"):
        m = X[:n].tocsr().copy()
        m.sum_duplicates()
        m.sort_indices()
        # a stable digest (not hash(), which changes between processes): the split must not depend on the process
        keys = [hashlib.blake2b(m.indices[i:j].tobytes() + b"|" + m.data[i:j].tobytes(), digest_size=8).digest()
                for i, j in zip(m.indptr[:-1], m.indptr[1:], strict=True)]
        _, inverse = np.unique(np.frombuffer(b"".join(keys), dtype=np.int64), return_inverse=True)
    else:
        a = np.ascontiguousarray(np.asarray(X[:n]))
        rows = a.reshape(n, -1).view(np.dtype((np.void, a.dtype.itemsize * a.reshape(n, -1).shape[1]))).ravel()
        _, inverse = np.unique(rows, return_inverse=True)
    inverse = inverse.ravel()
    return None if inverse.max() == n - 1 else inverse


def _keep_groups_together(pool_idx: np.ndarray, test_idx: np.ndarray, y: np.ndarray, groups: np.ndarray,
                          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray] | None:
    """Move every group of identical rows that straddles pool and test wholly to one side.

    A straddling group goes to the side of one of its rows drawn at random, so it lands in the test set about as
    often as the test share says. A class left without pool rows gets its test groups back in the pool (every class
    needs an initial label). None when the result is no fair test set: its size off by more than half, or a class
    the plain split tested missing (a few distinct rows make up most of the data, e.g. one low-cardinality column).
    """
    in_test = np.zeros(len(y), bool)
    in_test[test_idx] = True
    order = np.argsort(groups, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
    for members in np.split(order, starts[1:]):
        if len(members) > 1 and in_test[members].any() and not in_test[members].all():
            in_test[members] = in_test[rng.choice(members)]
    for c in np.unique(y):
        if not (~in_test & (y == c)).any():
            in_test[np.isin(groups, groups[y == c])] = False
    n_test = int(in_test.sum())
    if abs(n_test - len(test_idx)) > 0.5 * len(test_idx) or not set(y[test_idx]) <= set(y[in_test]):
        return None
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


def make_split(X: Any, y: np.ndarray, *, seed: int, test_share: float, max_test_rows: int,
               initial_labels: int, stop_set_rows: int, n_extra: int = 0,
               groups: np.ndarray | bool | None = True, costs: np.ndarray | None = None) -> Split:
    """Draw one seed's test split, initial labeled set and stop set.

    Identical feature rows never straddle pool and test (:func:`duplicate_groups`): the stratified draw is made as
    before, then each group of duplicates split by it moves wholly to one side (the test set may end a few rows off
    its size). Data without duplicates gets exactly the draws it always had. When duplicates are so widespread
    that this would leave no fair test set (see ``_keep_groups_together``) the plain split is kept and
    ``Split.duplicates_apart`` is False.

    Parameters
    ----------
    X : ndarray or sparse matrix, shape (n_labeled + n_extra, n_features)
        Features of the labeled rows, then of the extra pool rows.
    y : ndarray of int, shape (n_labeled,)
        Class codes 0..K-1 of the labeled rows (see ``numpy.unique(..., return_inverse=True)``).
    n_extra : int, default 0
        Extra pool rows at the end of ``X``: they join the pool as rows that are never labeled, and the
        stop set is drawn uniformly from the pool and them together (with none, the draws are unchanged).
    groups : ndarray of int, None or True, default True
        Group ids of identical labeled rows (from :func:`duplicate_groups`); None for "all rows unique"; True
        (default) computes them from ``X``. Pass them when ``X`` is not the real matrix (a size probe).
    costs : ndarray of float, shape (n_labeled,), optional
        Money per label of each labeled row; the split keeps the pool rows' (``Split.costs``). The draws do not
        depend on it.
    """
    if X.shape[0] != len(y) + n_extra:
        raise ValueError(f"X has {X.shape[0]} rows; expected {len(y)} labeled + {n_extra} extra.")
    classes = np.arange(int(y.max()) + 1)
    n_test = min(max_test_rows, max(len(classes), round(test_share * len(y))))
    idx = np.arange(len(y))
    pool_idx, test_idx = train_test_split(idx, test_size=n_test, stratify=y, random_state=seed)
    if groups is True:
        groups = duplicate_groups(X, len(y))
    apart = None
    if groups is not None and groups is not False:
        kept = _keep_groups_together(pool_idx, test_idx, y, np.asarray(groups), np.random.default_rng([seed, 2]))
        apart = kept is not None
        if kept is not None:
            pool_idx, test_idx = kept
    pool_idx, test_idx = np.sort(pool_idx), np.sort(test_idx)
    y_pool = y[pool_idx]
    rng = np.random.default_rng([seed, 1])
    initial = stratified_sample(y_pool, initial_labels, rng, classes)
    n_rows = len(pool_idx) + n_extra
    stop = np.sort(rng.choice(n_rows, size=min(stop_set_rows, n_rows), replace=False))
    if n_extra:
        pool_idx = np.concatenate([pool_idx, np.arange(len(y), len(y) + n_extra)])
    return Split(
        X_pool=take_rows(X, pool_idx), y_pool=y_pool, X_test=take_rows(X, test_idx), y_test=y[test_idx],
        initial=initial, stop=stop, classes=classes, seed=seed, n_extra=int(n_extra), duplicates_apart=apart,
        costs=None if costs is None else np.asarray(costs, dtype=float)[pool_idx[: len(y_pool)]],
    )


@dataclass(frozen=True)
class SplitSettings:
    """Everything besides the data and the seed that decides a seed's split (see :func:`make_split`).

    Shared by ``run_simulation`` and the sweep's tasks (whose keys hash these fields), so both draw the same splits.
    """

    initial_labels: int
    test_share: float
    max_test_rows: int
    stop_set_rows: int

    @classmethod
    def of(cls, config: Any) -> SplitSettings:
        """The settings of a ``SimulationConfig`` or a ``SweepConfig`` (both carry these four fields)."""
        return cls(config.initial_labels, config.test_share, config.max_test_rows, config.stop_set_rows)

    def make(self, X: Any, y: np.ndarray, seed: int, n_extra: int = 0,
             groups: np.ndarray | bool | None = True, costs: np.ndarray | None = None) -> Split:
        """:func:`make_split` with these settings."""
        return make_split(X, y, seed=seed, test_share=self.test_share, max_test_rows=self.max_test_rows,
                          initial_labels=self.initial_labels, stop_set_rows=self.stop_set_rows, n_extra=n_extra,
                          groups=groups, costs=costs)


def _confusion(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """Confusion counts of two integer-coded label arrays, shape (k, k).

    sklearn's confusion_matrix validates its inputs on every call, which cost more than the model fits
    in small simulations; labels here are already codes 0..k-1.
    """
    return np.bincount(a * k + b, minlength=k * k).reshape(k, k).astype(float)


def confusion_record(y_true: np.ndarray, y_pred: np.ndarray, k: int, prefix: str = "") -> dict[str, int]:
    """The test-set confusion counts as flat record fields ``<prefix>cm_<i>_<j>`` (true class i, predicted j).

    Kept in every round's record so error costs (``simulations.economics.value_model``) can be read off any
    curve afterwards; k x k small integers, saved and loaded with the rest of the round.
    """
    cm = np.bincount(np.asarray(y_true) * k + np.asarray(y_pred), minlength=k * k)
    return {f"{prefix}cm_{i}_{j}": int(cm[i * k + j]) for i in range(k) for j in range(k)}


def score_predictions(y_true: np.ndarray, y_pred: np.ndarray, classes: np.ndarray) -> dict[str, float]:
    """Accuracy, balanced accuracy and macro-F1 from one confusion matrix.

    ``y_true`` and ``y_pred`` hold integer class codes, positions in ``classes``.
    """
    cm = _confusion(np.asarray(y_true), np.asarray(y_pred), len(classes))
    tp = np.diag(cm)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    present = support > 0
    return {
        "accuracy": float(tp.sum() / cm.sum()),
        "balanced_accuracy": float(recall[present].mean()),
        "macro_f1": float(f1[present].mean()),
    }


def cohen_kappa(prev: np.ndarray, cur: np.ndarray, k: int) -> float:
    """Cohen's kappa of two integer-coded prediction arrays (agreement beyond chance).

    Identical predictions that use two or more classes are perfect agreement (1.0). Two identical *constant*
    prediction sets (one class everywhere, where the textbook formula is 0/0) count as 0: agreement no better than
    chance, since a model that predicts one class has learned nothing to stabilize, and stabilizing predictions
    must not stop a run on it.
    """
    if np.array_equal(prev, cur):
        return 1.0 if len(prev) and np.any(prev != prev[0]) else 0.0
    cm = _confusion(prev, cur, k) / len(prev)
    observed = np.trace(cm)
    expected = float(cm.sum(axis=1) @ cm.sum(axis=0))
    return float((observed - expected) / (1 - expected)) if expected < 1 else 0.0


def _delta_f(prev: np.ndarray, cur: np.ndarray, positive: Any) -> float:
    """Predicted change of F (Altschuler & Bloodgood 2019): 1 - 2a / (2a + b + c)."""
    p, c = prev == positive, cur == positive
    a = np.sum(p & c)
    b_plus_c = np.sum(p != c)
    denom = 2 * a + b_plus_c
    return 0.0 if denom == 0 else float(1 - 2 * a / denom)


def ceiling_metrics(split: Split, make_model) -> dict[str, float]:
    """Test metrics of the model trained on the whole pool, and of always predicting the majority class."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make_model(split.seed)
        model.fit(split.X_labelable(), split.y_pool)
    pred = model.predict(split.X_test)
    out: dict[str, float] = dict(score_predictions(split.y_test, pred, split.classes))
    values, counts = np.unique(split.y_pool, return_counts=True)
    majority = values[np.argmax(counts)]
    base_pred = np.full(len(split.y_test), majority)
    base = score_predictions(split.y_test, base_pred, split.classes)
    out.update({f"baseline_{k}": v for k, v in base.items()})
    k = len(split.classes)
    out.update(confusion_record(split.y_test, pred, k))
    out.update(confusion_record(split.y_test, base_pred, k, prefix="baseline_"))
    return out


def run_strategy(
    split: Split,
    strategy: QueryStrategy,
    make_model,
    schedule: np.ndarray,
    *,
    strategy_seed: int,
    max_candidates: int | None = None,
    warm_start: bool = False,
    noise: Any = None,
    draws: Any = None,
) -> list[dict[str, Any]]:
    """Simulate one strategy on one split; one record per round (see docs/engine-contract.md).

    Parameters
    ----------
    split : Split
    strategy : QueryStrategy
    make_model : callable, ``random_state -> unfitted classifier``
    schedule : ndarray of int, shape (n_rounds,)
        Label counts per round; ``schedule[0]`` must equal ``len(split.initial)``.
    strategy_seed : int
        Seeds the strategy's random choices (tie-breaks, committees, random picks).
    max_candidates : int, optional
        Score only a random subset of the unlabeled rows each round.
    warm_start : bool, default False
        Start each round's fit at the previous round's model, for models that offer it (``warm_from``: the
        ``logreg`` preset, whose convex loss has one optimum that lbfgs reaches from any start within its
        tolerance). Committees and other models built through ``PoolView.make_model`` always start cold.
        The fits stop at a different point within the solver's tolerance, which moves the probabilities in
        their last digits and so, through ties and near-ties of the scores, the later picks of uncertainty
        strategies (medians agree; individual runs do not, and margin showed a heavier tail of bad seeds, so
        it stays opt-in: ``runner.fast_sparse_fits``).
    noise : simulations.annotators.NoiseConfig, optional
        Noisy annotators (None: a perfect oracle, exactly as without the option). The learner trains on annotations
        from ``draws``; the test set keeps its true labels. Each record then also holds ``labels_paid`` (every paid
        annotation so far, re-labels included) and ``wrong_labels`` (labeled items whose training label is wrong).
    draws : simulations.annotators.NoisyDraws, optional
        The seed's annotations (:func:`simulations.annotators.draw_annotations`), required with ``noise``.
    """
    rng = np.random.default_rng([split.seed, strategy_seed])
    n_pool = split.n_pool
    is_labeled = np.zeros(n_pool, dtype=bool)
    is_labeled[split.initial] = True
    labeled = split.initial.copy()
    # Paid annotations per pool item (1 per labeled item without noise): labels_paid and any per-item cost read it.
    annotations = np.zeros(n_pool, dtype=int)
    y_train = split.y_pool  # the labels the learner trains on: the truth, unless annotators are noisy
    relabeled = None
    if noise is not None:
        from simulations.annotators import majority_of_three

        if draws is None:
            raise ValueError("run_strategy needs the seed's annotations (draws) with noise")
        y_train = split.y_pool.copy()
        relabeled = np.zeros(n_pool, dtype=bool)

    def annotate(items: np.ndarray) -> None:
        """Label ``items`` for the first time: one annotation, or the majority of three."""
        if noise is None:
            annotations[items] = 1
        elif noise.relabel == "majority3":
            y_train[items] = majority_of_three(draws.labels[items], draws.tie[items])
            annotations[items] = 3
        else:
            y_train[items] = draws.labels[items, 0]
            annotations[items] = 1

    annotate(labeled)
    X_stop = take_rows(split.X_pool, split.stop)
    X_labelable = split.X_labelable()
    extra = split.extra
    stop_in_pool = not np.any(split.stop >= n_pool)
    n_classes = len(split.classes)
    binary = n_classes == 2
    cache: dict = {}
    prev_stop_pred = None
    records = []
    previous: list[Any] = []  # the last round's model, which warm-starts the next round's fit

    def make_round_model(random_state: int) -> Any:
        m = make_model(random_state)
        if warm_start and previous and hasattr(m, "warm_from"):
            m.warm_from(previous[0])
        return m

    for r in range(len(schedule)):
        t0 = time.perf_counter()
        if noise is not None and noise.relabel == "disputed" and previous:
            # ActiveLab-style: the last model disputes a label (its prediction differs) -> two more annotations,
            # majority of three; each item at most once. The new batch is judged by a model that never saw it.
            cand = labeled[~relabeled[labeled]]
            if len(cand):
                pred = np.asarray(previous[0].predict(take_rows(split.X_pool, cand)))
                disputed = cand[pred != y_train[cand]]
                y_train[disputed] = majority_of_three(draws.labels[disputed], draws.tie[disputed])
                annotations[disputed] = 3
                relabeled[disputed] = True
        unlabeled = np.flatnonzero(~is_labeled)
        # Strategies that learn from unlabeled rows (self-training) see the extra pool too; queries never do.
        unlabeled_all = np.concatenate([unlabeled, extra]) if len(extra) else unlabeled
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = strategy.fit_model(
                make_round_model, split.X_pool, labeled, y_train[labeled], unlabeled_all, random_state=split.seed
            )
        fit_seconds = time.perf_counter() - t0
        previous[:] = [model]

        t1 = time.perf_counter()
        rec: dict[str, Any] = {"round": r, "labels": len(labeled)}
        if split.costs is not None:  # only with item costs: a run without them records what it always did
            rec["spend"] = float(np.sum(split.costs[labeled] * annotations[labeled]))
        if noise is not None:
            rec["labels_paid"] = int(annotations.sum())
            rec["wrong_labels"] = int(np.sum(y_train[labeled] != split.y_pool[labeled]))
        # the test set is always scored against the true labels
        test_pred = model.predict(split.X_test)
        rec.update(score_predictions(split.y_test, test_pred, split.classes))
        rec.update(confusion_record(split.y_test, test_pred, n_classes))
        last = r == len(schedule) - 1
        candidates = unlabeled
        if not last and max_candidates is not None and len(unlabeled) > max_candidates:
            candidates = np.sort(rng.choice(unlabeled, size=max_candidates, replace=False))
        # One scoring pass serves the strategy and the stop set when the whole pool is scored anyway.
        pool_proba = None
        if not last and getattr(strategy, "uses_proba", True) and max_candidates is None:
            pool_proba = predict_proba_aligned(model, X_labelable, split.classes)
        if pool_proba is not None and stop_in_pool:
            stop_proba = pool_proba[split.stop]
        else:
            stop_proba = predict_proba_aligned(model, X_stop, split.classes)
        stop_pred = np.argmax(stop_proba, axis=1)
        rec["kappa"] = np.nan if prev_stop_pred is None else cohen_kappa(prev_stop_pred, stop_pred, n_classes)
        rec["changed_share"] = np.nan if prev_stop_pred is None else float(np.mean(prev_stop_pred != stop_pred))
        rec["delta_f"] = (
            _delta_f(prev_stop_pred, stop_pred, 1) if binary and prev_stop_pred is not None else np.nan
        )
        rec["mean_entropy"] = float(normalized_entropy(stop_proba).mean())
        rec["self_accuracy"] = float(stop_proba.max(axis=1).mean())
        rec["n_pseudo"] = int(getattr(model, "labelwise_n_pseudo_", 0))
        prev_stop_pred = stop_pred

        rec["query_max_entropy"] = np.nan
        rec["query_min_confidence"] = np.nan
        if not last:
            batch = int(schedule[r + 1] - schedule[r])
            view = PoolView(
                X=split.X_pool, candidates=candidates, labeled=labeled, y_labeled=y_train[labeled],
                classes=split.classes, model=model, make_model=make_model, cache=cache, costs=split.costs,
                candidate_proba=None if pool_proba is None else pool_proba[candidates],
            )
            chosen = np.asarray(strategy.select(view, batch, rng), dtype=int)
            chosen_proba = (
                pool_proba[chosen] if pool_proba is not None
                else predict_proba_aligned(model, take_rows(split.X_pool, chosen), split.classes)
            )
            rec["query_max_entropy"] = float(normalized_entropy(chosen_proba).max())
            rec["query_min_confidence"] = float(chosen_proba.max(axis=1).min())
            is_labeled[chosen] = True
            annotate(chosen)
            labeled = np.concatenate([labeled, chosen])
        rec["fit_seconds"] = fit_seconds
        rec["query_seconds"] = time.perf_counter() - t1
        records.append(rec)
    return records
