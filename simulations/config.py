"""Simulation settings and the label schedule."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from simulations.costs import ItemCosts
from simulations.errors import ConfigError

DEFAULT_STRATEGIES = ("random", "margin", "entropy", "least_confidence")
#: Seeds by default: the fewest with which a verdict on the best of the default strategies is possible at all (the
#: exact sign test at 5% two-sided, Bonferroni over the 3 active-learning strategies compared: 7 seeds; 6 for one
#: strategy; see simulations/stats.py and docs/statistics.md). Fewer would answer "no evidence" whatever the data.
DEFAULT_SEEDS = 7
DEFAULT_BUDGET = 500
#: How preset models weight classes (see :func:`simulations.models.resolve_class_weight`).
CLASS_WEIGHTS = ("auto", "balanced", "none")
#: Scores a run can be judged by (the loop computes each of them every round).
METRICS = ("accuracy", "balanced_accuracy", "macro_f1")


def require(cond: bool, message: str, hint: str) -> None:
    """Raise :class:`ConfigError` with ``message`` and ``hint`` unless ``cond`` holds.

    Parameters
    ----------
    cond : bool
        The check that must pass.
    message, hint : str
        What is wrong (with the offending value) and how to fix it.
    """
    if not cond:
        raise ConfigError(message, hint=hint)


def check_n_jobs(n_jobs: int) -> int:
    """``n_jobs`` as joblib reads it: a positive number of worker processes, or -1 for every core (-2: all but one).

    Raises
    ------
    ConfigError
        ``0`` or anything that is not a whole number: joblib gives ``0`` no meaning.
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer) or n_jobs == 0:
        raise ConfigError(f"n_jobs must be a positive number of worker processes or -1 for every core (got {n_jobs}).",
                          hint="E.g. --n-jobs 2 on a 2-core machine, or 1 for no extra processes.")
    return int(n_jobs)


def with_random_first(strategies: Iterable[str]) -> tuple[str, ...]:
    """Strategy names in their order without repeats, ``random`` put first when missing.

    Every estimate is relative to random sampling, so every simulation (and every sweep cell) runs it.

    Parameters
    ----------
    strategies : iterable of str

    Returns
    -------
    tuple of str
    """
    names = tuple(dict.fromkeys(strategies))
    return names if "random" in names else ("random", *names)


@dataclass(frozen=True)
class SimulationConfig:
    """Everything that defines one simulation run (the data aside).

    Parameters
    ----------
    strategies : tuple of str
        Query strategy names (see :func:`simulations.strategies.available_strategies`). ``random`` is
        added when missing: every estimate is relative to it.
    model : str
        A preset from :data:`simulations.models.MODELS`. Estimator objects go to ``run_simulation(model=...)``.
    seeds : int
        Repetitions; each seed draws its own test split, initial labels and stop set.
    random_state : int
        Seeds used are ``random_state, random_state + 1, ...``.
    initial_labels : int
        Size of the stratified random labeled set the model starts from (at least one per class).
    batch_size : int, optional
        Fixed labels per round. When None, the geometric schedule ``growth`` is used.
    growth : float
        Geometric schedule: each batch is this fraction of the current labeled set (0.2 -> +20% a round).
    budget : int, optional
        Last label count simulated; default min(pool size, 500).
    test_share, max_test_rows : float, int
        Held-out stratified test split: this share of rows, at most this many.
    stop_set_rows : int
        Size of the fixed unlabeled random pool sample on which label-free stopping signals are measured.
    max_candidates : int, optional
        Score a random subset of this many unlabeled rows per round instead of all (an approximation for
        very large pools).
    class_weight : {"auto", "balanced", "none"}
        How the preset models weight classes. ``"auto"`` weights them inversely to their frequency when the
        data is imbalanced (the score is then balanced accuracy, so an unweighted model that predicts the
        majority class would make random sampling look hopeless and inflate the savings); see
        :func:`simulations.models.resolve_class_weight`.
    metric : {"accuracy", "balanced_accuracy", "macro_f1"}, optional
        The score the run is judged by; ``None`` (default): chosen from the class balance
        (:func:`simulations.summary.choose_metric`). It decides ``class_weight="auto"``, so asking for plain
        accuracy on imbalanced data trains unweighted models, as that score rewards.
    costs : ItemCosts, optional
        What one label of each item costs (``simulations.costs``): the loop then records each round's cumulative
        ``spend`` and the plan reports money to the target. None (default): one price per label, and every answer
        is exactly what it was before item costs existed.
    noise : simulations.annotators.NoiseConfig, optional
        Noisy annotators and re-labeling (see ``simulations/annotators.py``). ``None`` (default): a perfect oracle,
        every answer exactly as without the option.
    """

    strategies: tuple[str, ...] = DEFAULT_STRATEGIES
    model: str = "logreg"
    seeds: int = DEFAULT_SEEDS
    random_state: int = 0
    initial_labels: int = 20
    batch_size: int | None = None
    growth: float = 0.2
    budget: int | None = None
    test_share: float = 0.25
    max_test_rows: int = 5000
    stop_set_rows: int = 1000
    max_candidates: int | None = None
    class_weight: str = "auto"
    metric: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    costs: ItemCosts | None = None
    noise: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "strategies", with_random_first(self.strategies))
        if isinstance(self.costs, dict):
            object.__setattr__(self, "costs", ItemCosts.from_dict(self.costs))
        self.validate()

    def validate(self) -> None:
        for name in ("seeds", "initial_labels", "budget", "batch_size", "max_test_rows", "stop_set_rows",
                     "max_candidates", "random_state"):
            value = getattr(self, name)
            require((value is None and name in ("budget", "batch_size", "max_candidates"))
                    or (isinstance(value, int | np.integer) and not isinstance(value, bool)),
                    f"{name} must be a whole number (got {value!r}).", "Counts of seeds, rows and labels are whole "
                    "numbers, e.g. 5.")
        require(self.seeds >= 1, f"seeds must be at least 1 (got {self.seeds}).", "Use 5-10 seeds for intervals.")
        require(self.initial_labels >= 2, f"initial_labels must be at least 2 (got {self.initial_labels}).",
                "Start from at least one labeled row per class.")
        require(self.batch_size is None or self.batch_size >= 1,
                f"batch_size must be at least 1 (got {self.batch_size}).", "Use e.g. 10, or the geometric schedule.")
        require(0 < self.growth <= 5, f"growth must be in (0, 5] (got {self.growth}).",
                "0.2 means each batch adds 20% of the labeled set.")
        require(self.budget is None or self.budget > self.initial_labels,
                f"The label budget ({self.budget}) must exceed the initial labels ({self.initial_labels}).",
                "Raise the budget or start from fewer labels.")
        require(0 < self.test_share < 0.9, f"test_share must be between 0 and 0.9 (got {self.test_share}).",
                "0.25 holds out a quarter of the rows for measuring accuracy.")
        require(self.max_test_rows >= 10, "max_test_rows must be at least 10.", "Use e.g. 5000.")
        require(self.stop_set_rows >= 10, "stop_set_rows must be at least 10.", "About 1,000 is recommended.")
        require(self.max_candidates is None or self.max_candidates >= 1, "max_candidates must be positive.",
                "Leave it empty to score the whole pool.")
        require(self.metric is None or self.metric in METRICS, f"Unknown metric '{self.metric}'.",
                f"Use one of: {', '.join(METRICS)}, or leave it empty to choose by the class balance.")
        require(self.class_weight in CLASS_WEIGHTS, f"Unknown class_weight '{self.class_weight}'.",
                f"Use one of: {', '.join(CLASS_WEIGHTS)}.")
        require(self.noise is None or hasattr(self.noise, "relabel"), "noise must be a NoiseConfig or None.",
                "Build it with simulations.annotators.noise_config.")

    @property
    def seed_values(self) -> list[int]:
        return [self.random_state + i for i in range(self.seeds)]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["strategies"] = list(self.strategies)
        # left out when unset, so a run without item costs saves exactly what it always did
        if self.costs is None:
            d.pop("costs")
        else:
            d["costs"] = self.costs.to_dict()
        d.pop("noise", None)
        if self.noise is not None:  # no key without noise: saved files and sweep keys stay as they were
            d["noise"] = self.noise.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SimulationConfig:
        d = dict(d)
        d["strategies"] = tuple(d.get("strategies", DEFAULT_STRATEGIES))
        if d.get("noise") is not None and not hasattr(d["noise"], "relabel"):
            from simulations.annotators import NoiseConfig

            d["noise"] = NoiseConfig.from_dict(d["noise"])
        return cls(**d)


def label_schedule(
    initial: int, budget: int, *, batch_size: int | None = None, growth: float = 0.2
) -> np.ndarray:
    """Label counts at which the model is trained, from ``initial`` to ``budget`` inclusive.

    A fixed ``batch_size`` adds the same number each round; otherwise each round adds ``growth`` times
    the current labeled set (at least one label), which spaces rounds evenly on a log axis: a curve
    from 20 to 2,000 labels takes about 25 refits at growth 0.2 instead of 198 at a batch of 10.

    Returns
    -------
    ndarray of int, shape (n_rounds,)
    """
    if budget <= initial:
        return np.array([initial])
    counts = [initial]
    while counts[-1] < budget:
        step = batch_size if batch_size is not None else max(1, math.ceil(counts[-1] * growth))
        counts.append(min(budget, counts[-1] + step))
    return np.array(counts, dtype=int)


def schedule_for_pool(
    n_initial: int, n_pool: int, *, budget: int | None = None, batch_size: int | None = None, growth: float = 0.2
) -> tuple[int, np.ndarray]:
    """The budget and label schedule of a run on a pool of ``n_pool`` items: from ``n_initial`` to the budget
    (default :data:`DEFAULT_BUDGET`), never past the pool. One rule for ``run_simulation`` and sweep tasks."""
    end = min(n_pool, budget if budget is not None else DEFAULT_BUDGET)
    return int(end), label_schedule(n_initial, end, batch_size=batch_size, growth=growth)


@dataclass(frozen=True)
class DefaultScenario:
    """What the dashboard opens with and the speed benchmark times: a shipped sample, 3 strategies + random."""

    dataset: str = "sms_spam"
    config: SimulationConfig = field(default_factory=lambda: SimulationConfig(
        strategies=("random", "margin", "entropy", "least_confidence"), seeds=DEFAULT_SEEDS, initial_labels=20,
        growth=0.2, budget=400,
    ))


DEFAULT_SCENARIO = DefaultScenario()
