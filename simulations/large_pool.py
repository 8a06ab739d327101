"""Large pools on one machine: what remains specific to them once the engine handles 1M-row pools.

The exact speed-ups live in the engine itself: the O(n) batch pick (:func:`simulations.strategies.base.top_k`),
the fast median imputer (:class:`simulations.features.FastMedianImputer`), per-task splits and a memory-mapped
feature matrix (:func:`simulations.runner.run_simulation`), and ``run_simulation(float32=True)`` for wide dense
data (an approximation). What is left here is advice on the one approximation that changes *which* rows are
scored: ``SimulationConfig.max_candidates``, measured in benchmarks/results/million_rows.md.
"""

from __future__ import annotations

#: Pools above this many rows get ``max_candidates`` from :func:`suggest_max_candidates`.
LARGE_POOL_ROWS = 200_000
#: The candidate sample recommended for huge pools (its effect on savings is measured in the benchmark note).
LARGE_POOL_CANDIDATES = 20_000


def suggest_max_candidates(n_pool: int) -> int | None:
    """The candidate sample to suggest for a pool of ``n_pool`` unlabeled rows.

    Parameters
    ----------
    n_pool : int

    Returns
    -------
    int or None
        None (score every row: exact) up to :data:`LARGE_POOL_ROWS` rows, :data:`LARGE_POOL_CANDIDATES`
        above. With the O(n) engine, scoring a 1M-row pool costs ~0.1 s a round for logistic regression;
        sampling pays off for models that are slow to score (forests, boosting, committees).
    """
    return LARGE_POOL_CANDIDATES if n_pool > LARGE_POOL_ROWS else None
