"""The model's score per round, and the predictions the savings ledger is read from.

Two ways to score, said in every record (``score_basis``):

* **validation**: the model trained on every label bought, scored on the validation file (labeled rows the
  labelers never see). The plain held-out score.
* **control_cv**: no validation file. The control rows are a uniform random sample of the rows still unlabeled
  when each was drawn, so they are a fair test of the model *if the model has not seen them*: the control rows are
  split into up to 5 folds, and each fold is predicted by the model trained on every other label (the initial ones,
  the strategy's picks and the other folds' control rows). The score pools those out-of-fold predictions. It
  measures the score on the rows still to be labeled (the production data, as far as the pool is), for a model
  with about (1 - 1/5) of the control labels; with few control rows it is noisy (a dozen rows give a 95%
  interval of about +-25 points), and the ledger's interval carries that noise.

The random-sampling curve (what random sampling would have reached) comes from the control arm too: the initial
labels plus the first *k* control rows (in draw order, so a uniform random sample) for a few *k*, scored the same
way (on the validation file, or on the held-out control folds), in ``CURVE_ORDERS`` random orders of the control
rows (the draw order and seeded shuffles), so that the ledger's interval also carries the noise of which control
rows random's models trained on.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from simulations.loop import score_predictions
from simulations.strategies.base import take_rows

__all__ = ["CURVE_FRACTIONS", "CURVE_ORDERS", "MAX_FOLDS", "ArmPredictions", "arm_predictions", "fit_predict",
           "round_record", "score"]

#: Control-arm folds for the cross-fitted score (fewer when there are fewer control rows).
MAX_FOLDS = 5
#: The random curve's points: the initial labels plus these shares of the (training) control rows.
CURVE_FRACTIONS = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Orders of the control rows the random curve is traced in: the draw order and shuffles. Their spread is the noise
#: of *which* control rows random's models trained on; the ledger's bootstrap draws one per resample.
CURVE_ORDERS = 4


def fit_predict(project: Any, train: np.ndarray, y_train: np.ndarray, X_eval: Any) -> np.ndarray:
    """Train the project's model on rows ``train`` (positions in the file) and predict ``X_eval``.

    A training set of one class predicts that class (a classifier cannot be fitted on it).
    """
    if len(X_eval.shape) and X_eval.shape[0] == 0:
        return np.empty(0, dtype=object)
    classes = np.unique(y_train)
    if len(classes) == 1:
        return np.full(X_eval.shape[0], classes[0], dtype=object)
    model = project.make_model()(int(project.config.seed))
    model.fit(take_rows(project.X, train), y_train)
    return np.asarray(model.predict(X_eval)).astype(str)


def score(y_true: np.ndarray, y_pred: np.ndarray, classes: np.ndarray, metric: str) -> float:
    """The project's metric of predictions (labels as strings)."""
    codes = {c: i for i, c in enumerate(classes)}
    t = np.array([codes[c] for c in y_true], dtype=int)
    p = np.array([codes.get(c, -1) for c in y_pred], dtype=int)
    # a prediction outside the classes cannot happen (the model predicts known classes); guard anyway
    p = np.where(p < 0, (t + 1) % max(len(classes), 1), p)
    return float(score_predictions(t, p, np.asarray(classes))[metric])


@dataclass
class ArmPredictions:
    """Held-out predictions of the current model and of the random-sampling curve, on one evaluation set.

    Attributes
    ----------
    basis : str
        ``validation`` or ``control_cv`` (see the module docstring); ``none`` when nothing can be scored yet.
    y_true : ndarray of str, shape (n_eval,)
    pred_al : ndarray of str, shape (n_eval,)
        The project's model (every label bought), held out as the basis says.
    curve_labels : ndarray, shape (n_points,)
        Labels of each random-curve point: initial labels + control rows trained on (mean over folds).
    curve_pred : ndarray of str, shape (n_orders, n_points, n_eval)
        Predictions of random's curve models, for each order of the control rows (``CURVE_ORDERS``).
    classes : ndarray of str
    labels_used : int
        Every label bought so far (initial + strategy + control).
    n_initial, n_control : int
    """

    basis: str
    y_true: np.ndarray
    pred_al: np.ndarray
    curve_labels: np.ndarray
    curve_pred: np.ndarray
    classes: np.ndarray
    labels_used: int
    n_initial: int
    n_control: int


def _folds(n: int, seed: int) -> np.ndarray:
    """Fold of each of ``n`` control rows (seeded, balanced); ``MAX_FOLDS`` folds or one per row."""
    k = min(MAX_FOLDS, n)
    rng = np.random.default_rng([int(seed), 7919])
    return rng.permutation(np.arange(n) % k)


def arm_predictions(project: Any, state: Any = None, *, curve: bool = True) -> ArmPredictions:
    """The held-out predictions the round's score and the ledger are read from (see the module docstring).

    ``curve=False`` skips random's curve (the round's score needs only the project's model). Many small fits: the
    math libraries use one thread (on small data, more threads only add contention).
    """
    with threadpool_limits(limits=1):
        return _arm_predictions(project, state, curve)


def _orders(ctrl: np.ndarray, seed: int) -> list[np.ndarray]:
    """The control rows in draw order, then ``CURVE_ORDERS - 1`` seeded shuffles (each a uniform random order)."""
    rng = np.random.default_rng([int(seed), 4241])
    return [ctrl] + [rng.permutation(ctrl) for _ in range(CURVE_ORDERS - 1)]


def _arm_predictions(project: Any, state: Any, curve: bool) -> ArmPredictions:
    state = state or project.state
    pos = project.position
    all_pos = project.labeled_positions(state)
    y_all = project.labels_at(all_pos, state)
    init_pos = project.labeled_positions(state, ("initial",))
    ctrl_pos = np.array([pos[r] for r in state.control_order], dtype=int)
    classes = np.unique(np.concatenate([y_all, project.validation[1]]) if project.validation is not None else y_all)
    y_of = dict(zip(all_pos.tolist(), y_all.tolist(), strict=True))
    n_init, n_ctrl = len(init_pos), len(ctrl_pos)
    fracs = CURVE_FRACTIONS if curve else ()
    n_orders = CURVE_ORDERS if curve else 0

    def labels_of(rows: np.ndarray) -> np.ndarray:
        return np.array([y_of[i] for i in rows], dtype=object).astype(str)

    if project.validation is not None:
        Xv, yv = project.validation
        pred_al = fit_predict(project, all_pos, y_all, Xv)
        ks = sorted({round(f * n_ctrl) for f in fracs})
        preds = np.empty((n_orders, len(ks), len(yv)), dtype=object)
        for o, order in enumerate(_orders(ctrl_pos, project.config.seed)[:n_orders]):
            for g, k in enumerate(ks):
                if o and k in (0, n_ctrl):  # the same training rows in every order: fitted once
                    preds[o, g] = preds[0, g]
                    continue
                tr = np.concatenate([init_pos, order[:k]])
                preds[o, g] = fit_predict(project, tr, labels_of(tr), Xv)
        return ArmPredictions("validation", yv, pred_al, np.array([n_init + k for k in ks], dtype=float),
                              preds.astype(str), classes, len(all_pos), n_init, n_ctrl)
    if n_ctrl < 2:
        empty = np.empty(0, dtype=object)
        return ArmPredictions("none", empty, empty, np.empty(0), np.empty((0, 0, 0), dtype=object), classes,
                              len(all_pos), n_init, n_ctrl)
    fold = _folds(n_ctrl, project.config.seed)
    y_ctrl = labels_of(ctrl_pos)
    pred_al = np.empty(n_ctrl, dtype=object)
    curve_pred = np.empty((n_orders, len(fracs), n_ctrl), dtype=object)
    sizes = np.zeros((len(fracs), n_ctrl))
    X = project.X
    for f in np.unique(fold):
        held = fold == f
        keep = ~np.isin(all_pos, ctrl_pos[held])
        Xh = take_rows(X, ctrl_pos[held])
        pred_al[held] = fit_predict(project, all_pos[keep], y_all[keep], Xh)
        # each order of the training control rows is a uniform random order: its first k a random sample
        for o, cands in enumerate(_orders(ctrl_pos[~held], project.config.seed)[:n_orders]):
            for g, frac in enumerate(fracs):
                k = round(frac * len(cands))
                if o and k in (0, len(cands)):
                    curve_pred[o, g, held] = curve_pred[0, g, held]
                    continue
                tr = np.concatenate([init_pos, cands[:k]])
                curve_pred[o, g, held] = fit_predict(project, tr, labels_of(tr), Xh)
                sizes[g, held] = n_init + k
    return ArmPredictions("control_cv", y_ctrl, pred_al.astype(str), sizes.mean(axis=1), curve_pred.astype(str),
                          classes, len(all_pos), n_init, n_ctrl)


def round_record(project: Any, round_no: int, state: Any = None, preds: ArmPredictions | None = None) -> dict[str, Any]:
    """The record of a round: its label counts, and the model's score with how it was measured."""
    state = state or project.state
    arms = list(state.arms.values())
    preds = preds or arm_predictions(project, state, curve=False)
    value = None
    if preds.basis != "none":
        value = score(preds.y_true, preds.pred_al, preds.classes, project.config.metric)
    return {
        "round": int(round_no), "labels": len(arms), "n_initial": arms.count("initial"), "n_al": arms.count("al"),
        "n_control": arms.count("control"), "metric": project.config.metric, "score": value,
        "score_basis": preds.basis, "n_eval": len(preds.y_true),
        "added_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
