"""Active learning combined with self-training (confident pseudo-labels)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from simulations.strategies.base import PoolView, QueryStrategy, predict_proba_aligned, take_rows
from simulations.strategies.margin import Margin


class SelfTraining(QueryStrategy):
    """Humans label what the model is unsure of; the model labels what it is sure of.

    Each round the model is first fitted on the human labels, then scores the unlabeled rows; rows
    whose top class probability reaches ``threshold`` join the training set with the predicted class
    as a pseudo-label (at most ``max_pseudo_share * n_labeled`` of them, most confident first, so
    machine labels cannot swamp the human ones), and the model is refitted on both. The humans' batch
    is then chosen by the ``base`` strategy on the refitted model. The number of pseudo-labels is
    stored on the returned model as ``labelwise_n_pseudo_`` (the loop reports it as ``n_pseudo``).

    Pseudo-labels are recomputed from scratch every round (never carried over), so a wrong one
    made early is not locked in. Candidates for pseudo-labels are all rows whose label nobody bought:
    the unlabeled pool rows and the dataset's extra pool (the loop passes both in ``unlabeled``).

    Parameters
    ----------
    base : QueryStrategy, optional
        Chooses the human batch; default :class:`~simulations.strategies.margin.Margin`.
    threshold : float, default=0.95
        Minimum top class probability for a pseudo-label.
    max_pseudo_share : float, default=1.0
        Cap on pseudo-labels relative to the number of human labels.
    max_scored : int, default=20000
        Unlabeled rows scored for pseudo-labels: a random subsample (seeded from ``random_state``)
        when there are more, to keep each round fast on large pools.

    References
    ----------
    Tomanek, K., & Hahn, U. (2009). Semi-supervised active learning for sequence labeling. ACL-IJCNLP.
    Siméoni, O., Budnik, M., Avrithis, Y., & Gravier, G. (2020). Rethinking deep active learning:
    using unlabeled data at model training. ICPR.
    """

    name = "self_training"

    def __init__(
        self,
        base: QueryStrategy | None = None,
        threshold: float = 0.95,
        max_pseudo_share: float = 1.0,
        max_scored: int = 20_000,
    ) -> None:
        # None instead of Margin() as the default: a default object would be shared by all instances.
        self.base = base if base is not None else Margin()
        self.threshold = threshold
        self.max_pseudo_share = max_pseudo_share
        self.max_scored = max_scored

    @property
    def uses_proba(self) -> bool:  # type: ignore[override]
        return bool(getattr(self.base, "uses_proba", True))

    def pseudo_labels(
        self, model: Any, X_pool: Any, labeled: np.ndarray, unlabeled: np.ndarray, random_state: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pool indices and predicted classes of the rows confident enough to pseudo-label.

        Parameters
        ----------
        model : fitted classifier
        X_pool : ndarray or sparse matrix, shape (n_pool + n_extra, n_features)
        labeled : ndarray of int, shape (n_labeled,)
        unlabeled : ndarray of int, shape (n_unlabeled,)
            Row indices of ``X_pool`` without a human label: unlabeled pool rows, then extra pool rows.
        random_state : int
            Seeds the subsample of scored rows.

        Returns
        -------
        idx : ndarray of int, shape (n_pseudo,)
            Pool indices, most confident first.
        labels : ndarray, shape (n_pseudo,)
        """
        unlabeled = np.asarray(unlabeled, dtype=int)
        cap = int(np.floor(self.max_pseudo_share * len(labeled)))
        if cap <= 0 or len(unlabeled) == 0:
            return np.empty(0, dtype=int), np.empty(0, dtype=np.asarray(model.classes_).dtype)
        scored = unlabeled
        if len(scored) > self.max_scored:
            sub_rng = np.random.default_rng([int(random_state), 7919])
            scored = np.sort(sub_rng.choice(scored, size=int(self.max_scored), replace=False))
        classes = np.asarray(model.classes_)
        proba = predict_proba_aligned(model, take_rows(X_pool, scored), classes)
        conf = proba.max(axis=1)
        ok = np.flatnonzero(conf >= self.threshold)
        # Most confident first; stable sort keeps pool order among ties, so the result is reproducible.
        ok = ok[np.argsort(-conf[ok], kind="stable")][:cap]
        return scored[ok], classes[proba[ok].argmax(axis=1)]

    def fit_model(
        self,
        make_model: Callable[[int], Any],
        X_pool: Any,
        labeled: np.ndarray,
        y_labeled: np.ndarray,
        unlabeled: np.ndarray,
        random_state: int,
    ) -> Any:
        """Fit on the human labels, add confident pseudo-labels, refit.

        Parameters
        ----------
        make_model : callable
            ``make_model(random_state)`` -> unfitted classifier.
        X_pool : ndarray or sparse matrix, shape (n_pool + n_extra, n_features)
        labeled : ndarray of int, shape (n_labeled,)
        y_labeled : ndarray, shape (n_labeled,)
        unlabeled : ndarray of int, shape (n_unlabeled,)
            Row indices of ``X_pool`` without a human label: unlabeled pool rows, then extra pool rows.
        random_state : int

        Returns
        -------
        fitted classifier
            With the attribute ``labelwise_n_pseudo_`` (int).
        """
        model = make_model(random_state)
        model.fit(take_rows(X_pool, labeled), y_labeled)
        idx, pseudo = self.pseudo_labels(model, X_pool, labeled, unlabeled, random_state)
        if len(idx) == 0:
            model.labelwise_n_pseudo_ = 0
            return model
        refit = make_model(random_state)
        rows = np.concatenate([np.asarray(labeled, dtype=int), idx])
        refit.fit(take_rows(X_pool, rows), np.concatenate([np.asarray(y_labeled), pseudo]))
        refit.labelwise_n_pseudo_ = len(idx)
        return refit

    def select(self, view: PoolView, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        """The base strategy's batch, chosen with the refitted model.

        Returns
        -------
        ndarray of int, shape (min(batch_size, n_candidates),)
        """
        return self.base.select(view, batch_size, rng)

    def describe(self) -> str:
        return f"{self.name} ({self.base.describe()} + pseudo-labels at p >= {self.threshold:g})"
