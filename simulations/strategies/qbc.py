"""Query by committee with a bagging committee."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from simulations.errors import ConfigError
from simulations.strategies.base import PoolView, ScoreStrategy, predict_proba_aligned, take_rows
from simulations.strategies.uncertainty import entropy

DISAGREEMENTS = ("vote_entropy", "kl")


def bootstrap_indices(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A bootstrap resample of ``range(len(y))`` that contains every class of ``y`` at least once.

    One row of each class is drawn first, the rest of the ``len(y)`` draws are plain bootstrap draws.
    This keeps every member trainable (most classifiers refuse a single-class training set) and lets
    rare classes have a say in the vote.

    Parameters
    ----------
    y : ndarray, shape (n,)
    rng : numpy Generator

    Returns
    -------
    ndarray of int, shape (max(n, n_classes_in_y),)
        Positions into ``y`` (with repeats).
    """
    y = np.asarray(y)
    n = len(y)
    forced = np.array([rng.choice(np.flatnonzero(y == c)) for c in np.unique(y)], dtype=int)
    rest = rng.integers(0, n, size=max(0, n - len(forced)))
    return np.concatenate([forced, rest])


def vote_entropy(member_proba: np.ndarray) -> np.ndarray:
    """Entropy of the committee's hard votes.

    Parameters
    ----------
    member_proba : ndarray, shape (n_members, n, n_classes)

    Returns
    -------
    ndarray, shape (n,)
        0 when every member predicts the same class, ``ln min(n_members, n_classes)`` at most.
    """
    n_members, n, n_classes = member_proba.shape
    votes = member_proba.argmax(axis=2)  # (n_members, n)
    counts = np.zeros((n, n_classes), dtype=float)
    for m in range(n_members):
        counts[np.arange(n), votes[m]] += 1.0
    return entropy(counts / n_members)


def mean_kl_to_consensus(member_proba: np.ndarray) -> np.ndarray:
    """Mean Kullback-Leibler divergence of each member's distribution to the committee mean.

    Parameters
    ----------
    member_proba : ndarray, shape (n_members, n, n_classes)

    Returns
    -------
    ndarray, shape (n,)
        Non-negative; 0 when all members output the same distribution.
    """
    p = np.asarray(member_proba, dtype=float)
    consensus = p.mean(axis=0, keepdims=True)
    # Where a member gives p > 0 the consensus is >= p / n_members > 0, so the ratio is finite;
    # terms with p = 0 contribute 0 by convention.
    ratio = np.divide(p, consensus, out=np.ones_like(p), where=p > 0)
    kl = (p * np.log(ratio)).sum(axis=2)  # (n_members, n)
    return np.maximum(kl.mean(axis=0), 0.0)


class QueryByCommittee(ScoreStrategy):
    """Query the candidates a committee of models disagrees on most.

    The committee is built by bagging (Abe & Mamitsuka 1998): each member is a fresh
    ``view.make_model(seed)`` trained on a bootstrap resample of the labeled rows (with every class
    forced in, see :func:`bootstrap_indices`). Disagreement is either the entropy of the members'
    hard votes (Dagan & Engelson 1995) or the mean KL divergence of each member's class distribution
    to the committee's average (McCallum & Nigam 1998), which also sees disagreement in confidence.

    Parameters
    ----------
    n_members : int, default=5
        Committee size. Each member costs one model fit per round.
    disagreement : {"vote_entropy", "kl"}, default="vote_entropy"
        Vote entropy takes few distinct values with a small committee; ties are broken at random.

    References
    ----------
    McCallum, A., & Nigam, K. (1998). Employing EM and pool-based active learning for text
    classification. ICML.
    Dagan, I., & Engelson, S. P. (1995). Committee-based sampling for training probabilistic
    classifiers. ICML.
    Abe, N., & Mamitsuka, H. (1998). Query learning strategies using boosting and bagging. ICML.
    """

    # The committee scores the candidates itself; the round model's probabilities are not needed.
    uses_proba = False

    def __init__(self, n_members: int = 5, disagreement: str = "vote_entropy") -> None:
        self.n_members = n_members
        self.disagreement = disagreement
        self.name = "qbc_kl" if disagreement == "kl" else "qbc_vote"

    def member_proba(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """Train the committee and let each member score the candidates.

        Parameters
        ----------
        view : PoolView
        rng : numpy Generator
            Draws the bootstrap samples and the members' random states.

        Returns
        -------
        ndarray, shape (n_members, n_candidates, n_classes)
            Columns in the order of ``view.classes`` (zero for classes a member never saw).
        """
        if self.n_members < 1:
            raise ConfigError(
                f"A committee needs at least one member, got n_members={self.n_members}.",
                hint="Use n_members >= 2 (5 is a common choice).",
            )
        X_lab = view.X_labeled()
        X_cand = view.X_candidates()
        y_lab = np.asarray(view.y_labeled)
        out = np.empty((self.n_members, len(view.candidates), len(view.classes)), dtype=float)
        seeds = rng.integers(0, 2**31 - 1, size=self.n_members)
        for m in range(self.n_members):
            idx = bootstrap_indices(y_lab, rng)
            member = view.make_model(int(seeds[m]))
            with warnings.catch_warnings():
                # Small bootstrap samples often stop an iterative solver early; that is harmless here.
                warnings.simplefilter("ignore", ConvergenceWarning)
                member.fit(take_rows(X_lab, idx), y_lab[idx])
            out[m] = predict_proba_aligned(member, X_cand, view.classes)
        return out

    def scores(self, view: PoolView, rng: np.random.Generator) -> np.ndarray:
        """Committee disagreement per candidate; ``rng`` draws the committee (see :meth:`member_proba`)."""
        if self.disagreement not in DISAGREEMENTS:
            raise ConfigError(
                f"Unknown committee disagreement '{self.disagreement}'.",
                hint=f"Use one of: {', '.join(DISAGREEMENTS)}.",
            )
        p = self.member_proba(view, rng)
        if self.disagreement == "kl":
            return mean_kl_to_consensus(p)
        return vote_entropy(p)

    def describe(self) -> str:
        return f"{self.name} (committee of {self.n_members}, {self.disagreement})"
