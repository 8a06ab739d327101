"""Sweep files with noisy annotators: the keys, refused values naming the key, task keys that change with the noise
(and not without it), and cells equal to run_simulation with the same noise."""

from __future__ import annotations

import pandas as pd
import pytest

from simulations import ConfigError, Dataset, run_simulation
from simulations.sweep import drop_timing, group_result, plan_tasks, run_sweep, sweep_config_from_dict

SMALL = {"seeds": 2, "initial_labels": 10, "max_test_rows": 150, "stop_set_rows": 100}


def small_config(**over):
    d = {"datasets": ["penguins"], "models": ["logreg"], "strategies": ["margin"],
         "schedules": [{"name": "b10", "batch_size": 10, "budget": 40}], **SMALL, **over}
    return sweep_config_from_dict(d)


def test_noise_keys_build_the_cells_noise():
    cfg = small_config(annotator_error=[0.05, 0.1, 0.2], relabel="disputed", noise_ambiguity=True)
    n = cfg.simulation_config("logreg", cfg.schedules[0]).noise
    assert n.error_rates == (0.05, 0.1, 0.2) and n.relabel == "disputed" and n.ambiguity and n.n_annotators == 3
    assert small_config().noise is None
    assert small_config(annotators=3).noise is None  # a team size alone sets no noise


@pytest.mark.parametrize(("over", "words", "key"), [
    ({"annotator_error": 0.5}, "outside [0, 0.5)", "annotator_error"),
    ({"annotator_error": "0.1,0.2", "annotators": 3}, "2 error rates were given for 3", "annotators"),
    ({"relabel": "twice"}, "Unknown re-labeling policy", "relabel"),
    ({"annotator_confusion": "missing.csv"}, "Cannot read", "annotator_confusion"),
    ({"noise_ambiguity": "yes"}, "true or false", "noise_ambiguity"),
])
def test_bad_noise_keys_are_refused_naming_the_key(over, words, key):
    with pytest.raises(ConfigError) as e:
        small_config(**over)
    assert words in e.value.message
    assert f"(sweep key {key})" in e.value.hint


def test_a_confusion_matrix_is_read_relative_to_the_sweep_file_and_checked_against_the_classes(tmp_path):
    (tmp_path / "c.csv").write_text("true,a,b\na,0.9,0.1\nb,0.1,0.9\n")
    cfg = sweep_config_from_dict({"datasets": ["penguins"], "annotator_confusion": "c.csv", **SMALL}, base=tmp_path)
    assert cfg.noise.confusion_classes == ("a", "b")
    with pytest.raises(ConfigError, match="are not the data's"):
        plan_tasks(cfg, {"penguins": Dataset.from_sample("penguins")})


def test_task_keys_change_with_the_noise_and_only_then():
    ds = {"penguins": Dataset.from_sample("penguins")}
    plain = plan_tasks(small_config(), ds)
    noisy = plan_tasks(small_config(annotator_error=0.1), ds)
    other = plan_tasks(small_config(annotator_error=0.2), ds)
    same = {t.key for t in plain} & {t.key for t in noisy}
    assert same == {t.key for t in plain if t.is_ceiling}  # ceilings train on true labels: shared
    assert not {t.key for t in noisy if not t.is_ceiling} & {t.key for t in other}


def test_a_noisy_cell_equals_run_simulation_with_the_same_noise(tmp_path):
    cfg = small_config(annotator_error=0.2, relabel="majority3")
    res = run_sweep(cfg, tmp_path / "out")
    sim = run_simulation(Dataset.from_sample("penguins"), cfg.simulation_config("logreg", cfg.schedules[0]))
    cell = group_result(res.table)
    cols = [c for c in drop_timing(sim.rounds).columns]
    pd.testing.assert_frame_equal(drop_timing(sim.rounds)[cols], drop_timing(cell.rounds)[cols], check_exact=True)
    assert (cell.rounds["labels_paid"] == 3 * cell.rounds["labels"]).all()
