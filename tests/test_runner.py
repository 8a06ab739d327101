import numpy as np
import pandas as pd
import pytest
from sklearn.naive_bayes import GaussianNB

from simulations import (
    ConfigError,
    Dataset,
    SimulationCancelled,
    SimulationConfig,
    load_results,
    run_simulation,
    save_results,
)
from simulations.results import TIMING_COLUMNS

SMALL = dict(seeds=2, initial_labels=10, budget=50, batch_size=10, max_test_rows=300, stop_set_rows=150)


def _strip_timing(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=list(TIMING_COLUMNS))


def test_results_are_bit_identical_for_any_n_jobs(separable):
    cfg = SimulationConfig(strategies=("margin", "qbc_vote"), **SMALL)
    a = run_simulation(separable, cfg, n_jobs=1)
    b = run_simulation(separable, cfg, n_jobs=2)
    pd.testing.assert_frame_equal(_strip_timing(a.rounds), _strip_timing(b.rounds), check_exact=True)
    pd.testing.assert_frame_equal(a.ceilings, b.ceilings, check_exact=True)


def test_seeds_differ_and_strategies_share_the_initial_round(separable):
    res = run_simulation(separable, SimulationConfig(strategies=("margin",), **SMALL))
    r0 = res.rounds[res.rounds["round"] == 0].set_index(["seed", "strategy"])["accuracy"]
    # same seed -> same initial labels -> same round-0 model for every strategy (a paired comparison)
    assert r0.loc[(0, "random")] == r0.loc[(0, "margin")]
    s0 = res.rounds[(res.rounds.seed == 0) & (res.rounds.strategy == "random")]["accuracy"].to_numpy()
    s1 = res.rounds[(res.rounds.seed == 1) & (res.rounds.strategy == "random")]["accuracy"].to_numpy()
    assert not np.array_equal(s0, s1)


def test_table_has_the_documented_columns_and_metadata(separable):
    res = run_simulation(separable, SimulationConfig(strategies=("margin",), **SMALL))
    expected = {"strategy", "seed", "round", "labels", "accuracy", "balanced_accuracy", "macro_f1", "kappa",
                "changed_share", "delta_f", "mean_entropy", "self_accuracy", "query_max_entropy",
                "query_min_confidence", "n_pseudo", "fit_seconds", "query_seconds"}
    k = len(res.meta["classes"])
    expected |= {f"cm_{i}_{j}" for i in range(k) for j in range(k)}
    assert set(res.rounds.columns) == expected
    assert len(res.rounds) == 2 * 2 * 5  # strategies x seeds x rounds (10..50 by 10)
    assert set(res.ceilings.columns) >= {"seed", "accuracy", "baseline_accuracy", "baseline_balanced_accuracy"}
    assert res.meta["labels_schedule"] == [10, 20, 30, 40, 50]
    assert res.meta["metric"] == "accuracy"
    assert (res.ceilings["accuracy"] > res.ceilings["baseline_accuracy"]).all()


def test_progress_reports_every_task_and_cancel_stops(separable):
    seen = []
    cfg = SimulationConfig(strategies=("margin",), **SMALL)
    run_simulation(separable, cfg, progress=seen.append)
    assert [p.done for p in seen] == list(range(1, 7)) and seen[-1].total == 6
    assert any(p.rounds is not None and len(p.rounds) == 5 for p in seen)
    with pytest.raises(SimulationCancelled, match="after 2 of 6"):
        run_simulation(separable, cfg, should_cancel=lambda: len(seen) >= 8, progress=seen.append)


def test_any_predict_proba_classifier_works(separable):
    res = run_simulation(separable, SimulationConfig(strategies=("entropy",), **SMALL), model=GaussianNB())
    assert res.meta["model"] == "GaussianNB"
    assert res.rounds["accuracy"].between(0, 1).all()


def test_unknown_names_fail_before_any_work(separable):
    with pytest.raises(ConfigError, match="Unknown"):
        run_simulation(separable, SimulationConfig(strategies=("magic",), **SMALL))
    with pytest.raises(ConfigError, match="Unknown model"):
        run_simulation(separable, SimulationConfig(model="deep_net", **SMALL))


def test_sparse_text_runs_with_every_preset_that_takes_sparse(text_frame):
    ds = Dataset.from_frame(text_frame, "kind")
    for model in ("logreg", "naive_bayes", "random_forest", "hist_gradient_boosting"):
        res = run_simulation(ds, SimulationConfig(strategies=("margin",), model=model, seeds=1, initial_labels=6,
                                                  budget=30, batch_size=12, max_test_rows=100))
        assert res.meta["sparse_features"] == (model != "hist_gradient_boosting")
        assert res.rounds["accuracy"].iloc[-1] > 0.7, model


def test_results_round_trip_losslessly(tmp_path, separable):
    res = run_simulation(separable, SimulationConfig(strategies=("margin",), **SMALL))
    for name in ("r.json", "r.json.gz"):
        back = load_results(save_results(res, tmp_path / name))
        pd.testing.assert_frame_equal(back.rounds, res.rounds, check_exact=True)
        pd.testing.assert_frame_equal(back.ceilings, res.ceilings, check_exact=True)
        assert back.config == res.config and back.meta == res.meta


# ------------------------------------------------- engine-side guards (the Python API bypasses the intake)

def _guard_frame(n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    y = rng.choice(["a", "b"], size=n)
    signal = np.where(y == "a", 1.0, -1.0) + rng.normal(scale=0.5, size=n)
    return pd.DataFrame({"x": signal, "noise": rng.normal(size=n), "label": y})


def test_huge_and_infinite_numbers_are_missing_to_the_engine():
    from simulations.features import MAX_ABS_NUMBER, build_preprocessor

    frame = _guard_frame()
    frame.loc[:3, "noise"] = [1e300, -1e150, np.inf, -np.inf]
    frame.loc[4:5, "x"] = [MAX_ABS_NUMBER, np.nan]
    ds = Dataset.from_frame(frame, "label")
    X = build_preprocessor(ds).fit_transform(ds.frame[ds.feature_columns])
    assert np.isfinite(X).all()
    # Each huge value is imputed exactly like a missing one (same row values, missing indicator set).
    noise, x = X[:, 1], X[:, 0]
    assert np.ptp(noise[:4]) == 0 and x[4] == x[5]
    assert X.shape[1] == 4  # two scaled columns + two missing indicators
    assert X[:4, 3].min() == X[:4, 3].max() > X[6:, 3].max()  # the indicator of 'noise' is on for them only
    res = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=1, initial_labels=10, budget=40,
                                              batch_size=10, max_test_rows=60))
    assert res.rounds["accuracy"].iloc[-1] > 0.8  # the signal column still works


def test_text_where_no_word_repeats_keeps_every_word():
    from simulations.features import fit_features

    frame = _guard_frame(60)
    frame["note"] = [f"w{i}x w{i}y" for i in range(60)]  # every word in one row only: min_df=2 leaves nothing
    ds = Dataset.from_frame(frame, "label", roles={"note": "text"})
    X, pre = fit_features(ds)
    assert pre.named_transformers_["text:note"].min_df_ == 1 and X.shape[1] >= 120
    res = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=1, initial_labels=10, budget=30,
                                              batch_size=10, max_test_rows=20))
    assert res.meta["sparse_features"] and res.rounds["accuracy"].between(0, 1).all()
    frame["note"] = ["spam offer now", "spam now"] * 30  # repeated words: the usual min_df=2
    _, pre = fit_features(Dataset.from_frame(frame, "label", roles={"note": "text"}))
    assert pre.named_transformers_["text:note"].min_df_ == 2


def test_text_without_any_word_is_a_data_error_naming_the_column():
    from simulations import DataError

    frame = _guard_frame(60)
    frame["note"] = ["- !", "? ."] * 30
    ds = Dataset.from_frame(frame, "label", roles={"note": "text"})
    with pytest.raises(DataError, match="'note' holds no words") as err:
        run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=1, initial_labels=10, budget=30))
    assert "categorical" in err.value.hint


def test_a_results_file_from_before_class_weighting_reads_as_unweighted(tmp_path, separable):
    import json

    res = run_simulation(separable, SimulationConfig(strategies=("margin",), **SMALL))
    path = save_results(res, tmp_path / "r.json")
    d = json.loads(path.read_text())
    del d["config"]["class_weight"]  # the file as Labelwise wrote it before class weighting
    path.write_text(json.dumps(d))
    assert load_results(path).config.class_weight == "none"
    assert load_results(save_results(res, tmp_path / "new.json")).config.class_weight == "auto"


def test_one_schedule_fits_every_seeds_pool_when_duplicates_move_rows():
    """Identical rows stay on one side of the split, so pool sizes differ by seed; the schedule (to the whole pool
    here) must fit the smallest, not the first seed's (which ran out of rows to query in a later seed and crashed)."""
    from simulations.features import fit_features
    from simulations.loop import SplitSettings, duplicate_groups
    from simulations.models import prepare_matrix

    rng = np.random.default_rng(0)
    base = pd.DataFrame({"a": rng.integers(0, 6, 60), "b": rng.integers(0, 6, 60)})
    base["label"] = np.where(base.a + base.b + rng.normal(0, 1, 60) > 5, "x", "y")
    frame = base.loc[base.index.repeat(rng.integers(1, 6, 60))].reset_index(drop=True)
    config = SimulationConfig(strategies=("margin",), seeds=7, budget=10_000)
    ds = Dataset.from_frame(frame, "label")
    y = np.unique(ds.y, return_inverse=True)[1]
    groups = duplicate_groups(prepare_matrix("logreg", fit_features(ds)[0]), len(y))  # as the runner finds them
    pools = [SplitSettings.of(config).make(np.empty((len(y), 0)), y, s, 0, groups).n_pool for s in range(7)]
    assert pools[0] > min(pools)  # the case this test is about: the first seed's pool is not the smallest
    r = run_simulation(ds, config)
    assert r.meta["n_pool"] == min(pools)
    assert r.rounds.groupby(["strategy", "seed"])["labels"].max().eq(min(pools)).all()
