"""Uncertainty measures of a class-probability matrix, shared by the strategies and the loop.

Every function takes ``proba`` of shape (n, n_classes), rows summing to one (columns of classes a
model never saw may be zero), and returns one value per row. Scores returned by
:func:`uncertainty_scores` are oriented so that *higher means more uncertain* and are non-negative,
which lets other strategies multiply them by a weight (density weighting) or use them as k-means
sample weights (diverse mini-batch).

References
----------
Settles, B. (2009). Active Learning Literature Survey. Computer Sciences Technical Report 1648,
University of Wisconsin-Madison, section 3.1 (least confidence, margin, entropy).
"""

from __future__ import annotations

import numpy as np

from simulations.errors import ConfigError

#: Base uncertainty measures other strategies may be configured with.
UNCERTAINTY_KINDS = ("entropy", "margin", "least_confidence")


def entropy(proba: np.ndarray) -> np.ndarray:
    """Shannon entropy in nats, with ``0 * log 0 = 0``.

    Parameters
    ----------
    proba : ndarray, shape (n, n_classes)

    Returns
    -------
    ndarray, shape (n,)
        In ``[0, ln n_classes]``.
    """
    p = np.asarray(proba, dtype=float)
    # Zero probabilities contribute nothing; computing log only where p > 0 avoids -inf * 0 = nan.
    logp = np.log(p, out=np.zeros_like(p), where=p > 0)
    return np.maximum(-(p * logp).sum(axis=1), 0.0)


def normalized_entropy(proba: np.ndarray) -> np.ndarray:
    """Entropy divided by ``ln n_classes``: 0 for a certain prediction, 1 for a uniform one.

    Parameters
    ----------
    proba : ndarray, shape (n, n_classes)

    Returns
    -------
    ndarray, shape (n,)
        In ``[0, 1]``; all zeros when there is a single class.
    """
    p = np.asarray(proba, dtype=float)
    k = p.shape[1] if p.ndim == 2 else 0
    if k < 2:
        return np.zeros(p.shape[0], dtype=float)
    return np.clip(entropy(p) / np.log(k), 0.0, 1.0)


def least_confidence(proba: np.ndarray) -> np.ndarray:
    """``1 - max_k p_k``: how unsure the model is of its own top prediction.

    Parameters
    ----------
    proba : ndarray, shape (n, n_classes)

    Returns
    -------
    ndarray, shape (n,)
        In ``[0, 1 - 1/n_classes]``.
    """
    p = np.asarray(proba, dtype=float)
    return 1.0 - p.max(axis=1)


def margin_gap(proba: np.ndarray) -> np.ndarray:
    """Gap between the two largest class probabilities (small gap = uncertain).

    Parameters
    ----------
    proba : ndarray, shape (n, n_classes)

    Returns
    -------
    ndarray, shape (n,)
        In ``[0, 1]``; with a single class the gap is the top probability itself.
    """
    p = np.asarray(proba, dtype=float)
    if p.shape[1] < 2:
        return p[:, 0].copy() if p.shape[1] == 1 else np.ones(p.shape[0])
    # partition is O(n_classes) per row, cheaper than a full sort when there are many classes.
    top2 = np.partition(p, p.shape[1] - 2, axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


def uncertainty_scores(proba: np.ndarray, kind: str) -> np.ndarray:
    """Non-negative uncertainty per row, higher = more uncertain.

    Parameters
    ----------
    proba : ndarray, shape (n, n_classes)
    kind : {"entropy", "margin", "least_confidence"}
        ``margin`` is turned into ``1 - gap`` so that it is oriented and non-negative like the others.

    Returns
    -------
    ndarray, shape (n,)
    """
    if kind == "entropy":
        return entropy(proba)
    if kind == "margin":
        return 1.0 - margin_gap(proba)
    if kind == "least_confidence":
        return least_confidence(proba)
    raise ConfigError(
        f"Unknown uncertainty measure '{kind}'.", hint=f"Use one of: {', '.join(UNCERTAINTY_KINDS)}."
    )
