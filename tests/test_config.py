import numpy as np
import pytest

from simulations import ConfigError, SimulationConfig, label_schedule


def test_fixed_schedule_steps_evenly_and_ends_at_budget():
    s = label_schedule(20, 75, batch_size=10)
    assert s.tolist() == [20, 30, 40, 50, 60, 70, 75]


def test_geometric_schedule_is_log_spaced_with_far_fewer_rounds():
    geo = label_schedule(20, 2000, growth=0.2)
    fixed = label_schedule(20, 2000, batch_size=10)
    assert geo[0] == 20 and geo[-1] == 2000
    assert np.all(np.diff(geo) >= 1)
    ratios = geo[1:-1] / geo[:-2]
    assert np.all((ratios >= 1.19) & (ratios <= 1.26))
    assert len(geo) < len(fixed) / 5


def test_random_is_always_included_first_and_duplicates_dropped():
    cfg = SimulationConfig(strategies=("margin", "margin", "entropy"))
    assert cfg.strategies == ("random", "margin", "entropy")


@pytest.mark.parametrize("kwargs, match", [
    ({"seeds": 0}, "seeds"),
    ({"budget": 10, "initial_labels": 20}, "budget"),
    ({"growth": 0}, "growth"),
    ({"batch_size": 0}, "batch_size"),
    ({"test_share": 0.95}, "test_share"),
    ({"metric": "auc"}, "Unknown metric 'auc'"),
    ({"seeds": 2.5}, "seeds must be a whole number"),
    ({"budget": 100.5}, "budget must be a whole number"),
    ({"batch_size": True}, "batch_size must be a whole number"),
])
def test_bad_settings_raise_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        SimulationConfig(**kwargs)


def test_config_round_trips_through_dict():
    cfg = SimulationConfig(strategies=("qbc_vote",), seeds=3, batch_size=7, budget=99, metric="macro_f1")
    assert SimulationConfig.from_dict(cfg.to_dict()) == cfg


def test_schedule_for_pool_stops_at_the_budget_or_the_pool():
    from simulations.config import DEFAULT_BUDGET, schedule_for_pool

    budget, sched = schedule_for_pool(20, 10_000, batch_size=100)
    assert budget == DEFAULT_BUDGET and sched[-1] == DEFAULT_BUDGET
    budget, sched = schedule_for_pool(20, 300, budget=1_000, batch_size=100)
    assert budget == 300 and list(sched) == [20, 120, 220, 300]
