"""Item costs in sweep files: the ``cost_*`` keys (as the CLI's ``--cost-*`` flags), bit-identity with
run_simulation, and task keys that stay what they were without costs."""

from __future__ import annotations

import pandas as pd
import pytest

from simulations import Dataset, run_simulation
from simulations.costs import ItemCostError, ItemCosts
from simulations.sweep import (
    drop_timing,
    group_result,
    load_sweep_config,
    plan_tasks,
    run_sweep,
    sweep_config_from_dict,
)

SMALL = {"seeds": 2, "initial_labels": 10, "max_test_rows": 150, "stop_set_rows": 100,
         "datasets": ["penguins"], "strategies": ["margin_per_cost"],
         "schedules": [{"name": "g", "growth": 0.5, "budget": 40}]}
CLASS_COSTS = {"Adelie": 1.0, "Chinstrap": 4.0, "Gentoo": 0.5}


def test_cost_keys_read_like_the_cli_flags(tmp_path):
    (tmp_path / "classes.csv").write_text("class,cost\nAdelie,1\nChinstrap,4\nGentoo,0.5\n")
    (tmp_path / "sweep.toml").write_text('datasets = ["penguins"]\ncost_by_class = "classes.csv"\n')
    cfg = load_sweep_config(tmp_path / "sweep.toml")
    assert cfg.costs == ItemCosts(by_class=tuple(sorted(CLASS_COSTS.items())))
    assert cfg.simulation_config("logreg", cfg.schedules[0]).costs == cfg.costs
    assert cfg.to_dict()["costs"]["by_class"] == [["Adelie", 1.0], ["Chinstrap", 4.0], ["Gentoo", 0.5]]
    inline = sweep_config_from_dict({**SMALL, "cost_by_class": CLASS_COSTS})
    assert inline.costs == cfg.costs
    words = sweep_config_from_dict({**SMALL, "cost_per_word": 0.01, "cost_base": 0.05})
    assert words.costs == ItemCosts(per_word=0.01, base=0.05)
    assert "costs" not in sweep_config_from_dict(SMALL).to_dict()


def test_a_bad_cost_key_names_the_sweep_key():
    with pytest.raises(ItemCostError) as exc:
        sweep_config_from_dict({**SMALL, "cost_per_word": -0.5})
    assert "cost_per_word" in exc.value.hint and "--" not in exc.value.hint


def test_task_keys_without_costs_are_unchanged_and_costs_change_them():
    ds = {"penguins": Dataset.from_sample("penguins")}
    plain = plan_tasks(sweep_config_from_dict({**SMALL, "strategies": ["margin"]}), ds)
    # the keys these tasks had before item costs existed (main's engine): finished sweeps are reused as they were
    assert [t.key for t in plain] == [
        "penguins.logreg.s0.ceiling.b1028aedf71a", "penguins.logreg.g.s0.random.82dc2eed2e76",
        "penguins.logreg.g.s0.margin.0101885793ea", "penguins.logreg.s1.ceiling.56c4d463314c",
        "penguins.logreg.g.s1.random.eb5254181452", "penguins.logreg.g.s1.margin.6efb3e2514d2"]
    costed = plan_tasks(sweep_config_from_dict({**SMALL, "strategies": ["margin"], "cost_by_class": CLASS_COSTS}),
                        ds)
    assert {t.key for t in plain}.isdisjoint({t.key for t in costed})
    assert all(t.costs is None for t in plain) and "costs" not in plain[0].to_dict()


def test_a_sweep_with_costs_is_bit_identical_to_run_simulation(tmp_path):
    cfg = sweep_config_from_dict({**SMALL, "cost_by_class": CLASS_COSTS})
    res = run_sweep(cfg, tmp_path / "out")
    schedule = cfg.schedules[0]
    sim = run_simulation(Dataset.from_sample("penguins"), cfg.simulation_config("logreg", schedule))
    cell = group_result(res.table[(res.table.dataset == "penguins") & (res.table.schedule == schedule.name)])
    assert "spend" in sim.rounds.columns
    pd.testing.assert_frame_equal(drop_timing(sim.rounds), drop_timing(cell.rounds), check_exact=True)
