"""Query strategies: which unlabeled rows to send to the labelers next.

Use :func:`make_strategy` with a registered name (see :data:`STRATEGIES`). Any registered strategy
can be mixed with random picks by prefixing its name with ``eps_`` (e.g. ``eps_margin``: 10% of each
batch drawn at random, the rest by margin).
"""

from __future__ import annotations

from collections.abc import Callable

from simulations.errors import ConfigError
from simulations.strategies.base import PoolView, QueryStrategy, ScoreStrategy
from simulations.strategies.coreset import CoreSet
from simulations.strategies.density_weighted import DensityWeighted
from simulations.strategies.diversity import DiverseMiniBatch
from simulations.strategies.entropy import Entropy
from simulations.strategies.entropy_per_cost import EntropyPerCost
from simulations.strategies.epsilon import EpsilonMix
from simulations.strategies.expected_model_change import ExpectedModelChange
from simulations.strategies.least_confidence import LeastConfidence
from simulations.strategies.margin import Margin
from simulations.strategies.margin_per_cost import MarginPerCost
from simulations.strategies.qbc import QueryByCommittee
from simulations.strategies.random import RandomSampling
from simulations.strategies.self_training import SelfTraining

#: Prefix that mixes any registered strategy with random picks.
EPSILON_PREFIX = "eps_"
#: Share of random picks in an ``eps_<name>`` strategy.
DEFAULT_EPSILON = 0.1

STRATEGIES: dict[str, str] = {
    "random": "Random sampling: label rows in random order (the baseline, i.e. no active learning).",
    "least_confidence": "Label the rows whose predicted class the model is least sure of.",
    "margin": "Label the rows where the model can barely tell its top two classes apart.",
    "entropy": "Label the rows whose predicted class probabilities are spread most evenly.",
    "qbc_vote": "Train a committee of 5 models on resampled labels; label the rows they vote differently on.",
    "qbc_kl": "Committee of 5 models; label the rows where their probabilities differ most (KL divergence).",
    "expected_model_change": "Label the rows whose label would change the model most (expected gradient).",
    "density_weighted": "Uncertain rows that also look like many other rows (skips uncertain outliers).",
    "diverse_batch": "Uncertain rows spread across the data: no batch full of near-duplicates.",
    "coreset": "Rows farthest from everything labeled so far, covering the data evenly (ignores the model).",
    "self_training": "Margin for the labelers, plus the model's own confident predictions as extra labels.",
    "margin_per_cost": "Margin uncertainty per dollar: uncertain rows that are cheap to label first (item costs; "
                       "without them, margin).",
    "entropy_per_cost": "Entropy per dollar: uncertain rows that are cheap to label first (item costs; without them, "
                        "entropy).",
}

_FACTORIES: dict[str, Callable[[], QueryStrategy]] = {
    "random": RandomSampling,
    "least_confidence": LeastConfidence,
    "margin": Margin,
    "entropy": Entropy,
    "qbc_vote": lambda: QueryByCommittee(n_members=5, disagreement="vote_entropy"),
    "qbc_kl": lambda: QueryByCommittee(n_members=5, disagreement="kl"),
    "expected_model_change": ExpectedModelChange,
    "density_weighted": DensityWeighted,
    "diverse_batch": DiverseMiniBatch,
    "coreset": CoreSet,
    "self_training": lambda: SelfTraining(base=Margin()),
    "margin_per_cost": MarginPerCost,
    "entropy_per_cost": EntropyPerCost,
}


def available_strategies() -> list[str]:
    """Registered strategy names (``eps_<name>`` mixes are accepted in addition)."""
    return list(STRATEGIES)


def make_strategy(name: str) -> QueryStrategy:
    """A fresh strategy for a registered name, or ``eps_<name>`` for its mix with random picks.

    Parameters
    ----------
    name : str

    Returns
    -------
    QueryStrategy
        With ``.name == name``.

    Raises
    ------
    ConfigError
        For names that are not registered.
    """
    if not isinstance(name, str):
        raise ConfigError(f"A strategy name must be text, got {type(name).__name__}.", hint=_hint())
    if name in _FACTORIES:
        return _FACTORIES[name]()
    if name.startswith(EPSILON_PREFIX) and name[len(EPSILON_PREFIX) :] in _FACTORIES:
        return EpsilonMix(make_strategy(name[len(EPSILON_PREFIX) :]), epsilon=DEFAULT_EPSILON)
    raise ConfigError(f"Unknown strategy '{name}'.", hint=_hint())


def _hint() -> str:
    return (
        f"Use one of: {', '.join(STRATEGIES)}; or prefix any of them with '{EPSILON_PREFIX}' "
        f"to mix in {DEFAULT_EPSILON:.0%} random picks (e.g. {EPSILON_PREFIX}margin)."
    )


__all__ = [
    "DEFAULT_EPSILON",
    "EPSILON_PREFIX",
    "STRATEGIES",
    "CoreSet",
    "DensityWeighted",
    "DiverseMiniBatch",
    "Entropy",
    "EntropyPerCost",
    "EpsilonMix",
    "ExpectedModelChange",
    "LeastConfidence",
    "Margin",
    "MarginPerCost",
    "PoolView",
    "QueryByCommittee",
    "QueryStrategy",
    "RandomSampling",
    "ScoreStrategy",
    "SelfTraining",
    "available_strategies",
    "make_strategy",
]
