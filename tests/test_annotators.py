"""Noisy annotators (simulations/annotators.py): the settings' rules, the draws, the loop's paid labels, the test set
untouched, and a run without noise bit-identical to the engine before the option existed."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import simulations.loop as loop
from simulations.annotators import (
    ROW_SUM_TOLERANCE,
    NoiseConfig,
    NoiseInputError,
    draw_annotations,
    majority_of_three,
    noise_config,
    paid_labels_view,
    parse_error_rates,
    read_confusion,
    reference_result,
)
from simulations.config import SimulationConfig
from simulations.datasets import Dataset
from simulations.results import results_from_dict, results_to_dict
from simulations.runner import run_simulation

TIMING = ("fit_seconds", "query_seconds")
NOISE_COLUMNS = ("labels_paid", "wrong_labels")
SMALL = SimulationConfig(strategies=("random", "margin"), seeds=2, budget=40)


@pytest.fixture(scope="module")
def penguins():
    return Dataset.from_sample("penguins")


def _frame(result):
    # the confusion counts (cm_i_j, recorded for error costs) came later: the answers are the columns before them
    return result.rounds[[c for c in result.rounds.columns
                          if c not in TIMING + NOISE_COLUMNS and not c.startswith("cm_")]]


# ----------------------------------------------------------------------------------------------- settings' rules

@pytest.mark.parametrize("ok", ["0", "0.4999", "0.05,0.1,0.2"])
def test_rates_below_one_half_are_accepted(ok):
    assert len(parse_error_rates(ok)) == len(ok.split(","))


@pytest.mark.parametrize("bad", ["0.5", "-0.0001", "0.1,0.5", "nan", "abc", ""])
def test_rates_at_or_above_one_half_or_negative_or_text_are_refused(bad):
    with pytest.raises(NoiseInputError) as e:
        parse_error_rates(bad)
    assert e.value.field == "annotator_error"
    assert e.value.hint


def test_a_count_of_annotators_must_match_the_rates():
    assert NoiseConfig(error_rates=(0.1, 0.2, 0.3), annotators=3).n_annotators == 3
    with pytest.raises(NoiseInputError) as e:
        NoiseConfig(error_rates=(0.1, 0.2), annotators=3)
    assert e.value.field == "annotators"
    # one rate shared by every annotator
    assert list(NoiseConfig(error_rates=(0.1,), annotators=4).rates) == [0.1] * 4


def test_annotators_alone_set_no_noise():
    assert noise_config(annotators=3) is None
    assert noise_config(error="0.1", annotators=3).n_annotators == 3


def _csv(tmp_path, text, name="confusion.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_confusion_rows_summing_to_one_within_tolerance_are_accepted(tmp_path):
    just_in = 1 + ROW_SUM_TOLERANCE * 0.9
    p = _csv(tmp_path, f"true,ham,spam\nham,0.9,{just_in - 0.9:.6f}\nspam,0.2,0.8\n")
    classes, m = read_confusion(p)
    assert classes == ("ham", "spam")
    assert np.allclose(np.sum(m, axis=1), 1)  # normalized


def test_confusion_rows_summing_off_one_are_refused(tmp_path):
    just_out = 1 + ROW_SUM_TOLERANCE * 1.1
    p = _csv(tmp_path, f"true,ham,spam\nham,0.9,{just_out - 0.9:.6f}\nspam,0.2,0.8\n")
    with pytest.raises(NoiseInputError) as e:
        read_confusion(p)
    assert e.value.field == "annotator_confusion" and "sums to" in e.value.message


def test_confusion_columns_are_reordered_to_the_rows(tmp_path):
    classes, m = read_confusion(_csv(tmp_path, "true,spam,ham\nham,0.1,0.9\nspam,0.8,0.2\n"))
    assert classes == ("ham", "spam") and m[0] == (0.9, 0.1) and m[1] == (0.2, 0.8)


@pytest.mark.parametrize("text", ["true,ham,spam\nham,0.9,0.1\neggs,0.2,0.8\n",   # classes differ
                                  "true,ham,spam\nham,0.9,x\nspam,0.2,0.8\n",       # not a number
                                  "true,ham,spam\nham,0.4,0.6\nspam,0.2,0.8\n"])    # 60% wrong
def test_bad_confusion_matrices_are_refused(tmp_path, text):
    with pytest.raises(NoiseInputError) as e:
        read_confusion(_csv(tmp_path, text))
    assert e.value.field == "annotator_confusion"


def test_an_unreadable_confusion_file_is_refused(tmp_path):
    with pytest.raises(NoiseInputError) as e:
        read_confusion(tmp_path / "missing.csv")
    assert e.value.field == "annotator_confusion" and "Cannot read" in e.value.message


def test_confusion_classes_must_be_the_datas(tmp_path, penguins):
    noise = noise_config(confusion_path=_csv(tmp_path, "true,a,b\na,0.9,0.1\nb,0.1,0.9\n"))
    with pytest.raises(NoiseInputError) as e:
        noise.check_classes(penguins.class_counts.index)
    assert e.value.field == "annotator_confusion"
    with pytest.raises(NoiseInputError):  # refused before any work
        run_simulation(penguins, replace(SMALL, noise=noise))


# ----------------------------------------------------------------------------------------------- the draws

def test_draws_depend_on_the_seed_alone_and_hit_the_rate():
    y = np.arange(20_000) % 3
    noise = NoiseConfig(error_rates=(0.2,))
    a = draw_annotations(y, 3, noise, seed=5)
    b = draw_annotations(y, 3, noise, seed=5)
    c = draw_annotations(y, 3, noise, seed=6)
    assert np.array_equal(a.labels, b.labels) and not np.array_equal(a.labels, c.labels)
    wrong = a.labels != y[:, None]
    assert abs(wrong.mean() - 0.2) < 0.01
    # a wrong label is one of the other classes, each about equally often
    given = a.labels[:, 0][(y == 0) & wrong[:, 0]]
    assert set(np.unique(given)) == {1, 2} and abs(np.mean(given == 1) - 0.5) < 0.05


def test_each_annotator_errs_at_their_own_rate():
    y = np.zeros(30_000, dtype=int)
    noise = NoiseConfig(error_rates=(0.0, 0.1, 0.3))
    d = draw_annotations(y, 2, noise, seed=0)
    first = np.random.default_rng([0, 13]).integers(3, size=len(y))  # annotation 0 is by annotator `first`
    for a, rate in enumerate((0.0, 0.1, 0.3)):
        assert abs(np.mean(d.labels[first == a, 0] != 0) - rate) < 0.015


def test_ambiguity_raises_errors_on_uncertain_items_and_keeps_the_mean():
    rng = np.random.default_rng(0)
    y = rng.integers(2, size=20_000)
    u = rng.random(20_000) ** 3  # most items confident, a few ambiguous
    d = draw_annotations(y, 2, NoiseConfig(error_rates=(0.1,), ambiguity=True), seed=1, uncertainty=u)
    assert abs(d.error_prob.mean() - 0.1) < 1e-6
    assert d.error_prob.max() <= 0.5 + 1e-12
    wrong = (d.labels != y[:, None]).mean(axis=1)
    top, bottom = u > np.quantile(u, 0.9), u < np.quantile(u, 0.5)
    assert wrong[top].mean() > 3 * wrong[bottom].mean()
    assert abs(wrong.mean() - 0.1) < 0.01


def test_confusion_draws_follow_the_matrix(tmp_path):
    noise = noise_config(confusion_path=_csv(tmp_path, "true,a,b,c\na,0.7,0.3,0\nb,0,1,0\nc,0.1,0.1,0.8\n"))
    y = np.repeat([0, 1, 2], 10_000)
    d = draw_annotations(y, 3, noise, seed=2, class_names=["a", "b", "c"])
    given = d.labels[:, 0]
    assert abs(np.mean(given[y == 0] == 1) - 0.3) < 0.02 and not np.any(given[y == 0] == 2)
    assert np.all(given[y == 1] == 1)
    assert abs(np.mean(given[y == 2] == 0) - 0.1) < 0.015


def test_majority_of_three_and_ties():
    labels = np.array([[1, 1, 0], [0, 2, 2], [3, 1, 3], [0, 1, 2], [0, 1, 2]])
    assert list(majority_of_three(labels, np.array([0, 0, 0, 1, 2]))) == [1, 2, 3, 1, 2]


# ----------------------------------------------------------------------------------------------- the loop

def test_without_noise_every_answer_is_what_the_engine_gave_before(penguins):
    """A fingerprint of the rounds of a fixed small run.

    First taken with the engine before noisy annotators existed, as pandas' row hashes; those depend on the column
    dtypes (pandas 3 stores text as its own string dtype) and on the last bits of every float, so it is now the
    text of the rounds with floats to 6 decimals, re-taken with pandas 3.1, scikit-learn 1.9 and numpy 2.4. The
    version-independent check that noise changes nothing is the zero-noise test below."""
    r = run_simulation(penguins, SMALL)
    assert not set(NOISE_COLUMNS) & set(r.rounds.columns)
    assert "noise" not in r.config.to_dict() and "noise" not in r.meta
    digest = hashlib.sha256(_frame(r).to_csv(index=False, float_format="%.6f").encode()).hexdigest()
    assert digest == "b7bd07c519a92a4016b621f2dbdae4eabbecf75604ee74c967c47a62aa6d074b"


def test_zero_error_without_relabeling_reproduces_the_noise_free_run(penguins):
    plain = run_simulation(penguins, SMALL)
    zero = run_simulation(penguins, replace(SMALL, noise=NoiseConfig(error_rates=(0.0,), relabel="none")))
    pd.testing.assert_frame_equal(_frame(plain), _frame(zero))
    assert (zero.rounds["labels_paid"] == zero.rounds["labels"]).all()
    assert (zero.rounds["wrong_labels"] == 0).all()
    pd.testing.assert_frame_equal(plain.ceilings, zero.ceilings)


def test_noise_never_touches_the_test_set(penguins, monkeypatch):
    """Every score is computed against the true test labels, while the training labels are wrong."""
    seen = []
    real = loop.score_predictions

    def spy(y_true, y_pred, classes):
        seen.append(np.asarray(y_true).copy())
        return real(y_true, y_pred, classes)

    monkeypatch.setattr(loop, "score_predictions", spy)
    cfg = replace(SMALL, seeds=1, noise=NoiseConfig(error_rates=(0.3,)))
    r = run_simulation(penguins, cfg)
    assert r.rounds["wrong_labels"].iloc[-1] > 0
    from simulations.features import fit_features
    from simulations.loop import SplitSettings

    X, _ = fit_features(penguins)
    _, y = np.unique(penguins.y, return_inverse=True)
    split = SplitSettings.of(cfg).make(X, y, cfg.seed_values[0])
    assert seen and all(np.array_equal(s, split.y_test) for s in seen)


def test_majority3_pays_three_labels_per_item(penguins):
    r = run_simulation(penguins, replace(SMALL, noise=NoiseConfig(error_rates=(0.2,), relabel="majority3")))
    assert (r.rounds["labels_paid"] == 3 * r.rounds["labels"]).all()
    one = run_simulation(penguins, replace(SMALL, noise=NoiseConfig(error_rates=(0.2,), relabel="none")))
    # the majority of three is wrong less often than one annotation
    assert r.rounds["wrong_labels"].sum() < one.rounds["wrong_labels"].sum()


def test_disputed_pays_two_more_labels_per_disputed_item(penguins):
    r = run_simulation(penguins, replace(SMALL, noise=NoiseConfig(error_rates=(0.2,), relabel="disputed")))
    extra = r.rounds["labels_paid"] - r.rounds["labels"]
    assert (extra % 2 == 0).all() and (extra >= 0).all() and extra.max() > 0
    assert (r.rounds["labels_paid"] <= 3 * r.rounds["labels"]).all()
    first = r.rounds[r.rounds["round"] == 0]
    assert (first["labels_paid"] == first["labels"]).all()  # no model yet to dispute anything
    for _, g in r.rounds.groupby(["strategy", "seed"]):
        assert (np.diff(g.sort_values("round")["labels_paid"]) >= 0).all()


def test_every_strategy_sees_the_same_annotations(penguins):
    """Random and margin label different items; where they label the same item, its label is the same."""
    from simulations.features import fit_features
    from simulations.loop import SplitSettings, run_strategy
    from simulations.models import model_factory
    from simulations.runner import _draws_for
    from simulations.strategies import make_strategy

    noise = NoiseConfig(error_rates=(0.3,))
    X, _ = fit_features(penguins)
    names, y = np.unique(penguins.y, return_inverse=True)
    split = SplitSettings.of(SMALL).make(X, y, 0)
    make_model = model_factory("logreg", split.X_pool, None)
    draws = _draws_for(split, noise, make_model, [str(c) for c in names])
    again = draw_annotations(split.y_pool, len(names), noise, seed=0)
    assert np.array_equal(draws.labels, again.labels)
    seen = {}

    class Spy:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, k):
            return getattr(self.inner, k)

        def fit_model(self, make, X, labeled, y_labeled, unlabeled, random_state):
            for i, v in zip(labeled, y_labeled, strict=True):
                assert seen.setdefault(int(i), int(v)) == int(v)
            return self.inner.fit_model(make, X, labeled, y_labeled, unlabeled, random_state=random_state)

    sched = np.array([len(split.initial), 30, 40])
    for name in ("random", "margin"):
        run_strategy(split, Spy(make_strategy(name)), make_model, sched, strategy_seed=1, noise=noise, draws=draws)
    assert len(seen) > len(split.initial)
    assert all(seen[i] == draws.labels[i, 0] for i in seen)


# ----------------------------------------------------------------------------------------------- results, views

def test_noise_settings_and_reference_survive_saving(penguins):
    r = run_simulation(penguins, replace(SMALL, noise=NoiseConfig(error_rates=(0.1, 0.2), relabel="majority3")))
    back = results_from_dict(results_to_dict(r))
    assert back.config.noise == r.config.noise
    ref = reference_result(back)
    assert ref is not None and ref.config.noise is None
    plain = run_simulation(penguins, SMALL)
    cols = list(ref.rounds.columns)
    pd.testing.assert_frame_equal(ref.rounds[cols].reset_index(drop=True),
                                  plain.rounds[cols].reset_index(drop=True), check_dtype=False)


def test_the_paid_view_counts_paid_labels(penguins):
    r = run_simulation(penguins, replace(SMALL, noise=NoiseConfig(error_rates=(0.1,), relabel="majority3")))
    v = paid_labels_view(r)
    assert (v.rounds["labels"] == 3 * r.rounds["labels"]).all()
    assert (v.rounds["items_labeled"] == r.rounds["labels"]).all() and v.meta["labels_unit"] == "paid"
    none = run_simulation(penguins, replace(SMALL, noise=NoiseConfig(error_rates=(0.1,))))
    assert paid_labels_view(none) is none


def test_a_noisy_run_keeps_no_split_or_draws_after_it_ends(penguins):
    """The draws are held beside the process's split while the seed runs, and freed with it (memory on big pools)."""
    import simulations.runner as runner

    r = run_simulation(penguins, replace(SMALL, noise=NoiseConfig(error_rates=(0.2,), relabel="none")))
    assert (r.rounds["wrong_labels"] > 0).any()  # the draws were used
    assert runner._split_slot == {} and "held" not in runner._draws_slot


@pytest.mark.parametrize("text, rates", [
    ("5%", (0.05,)), ("5%, 10%", (0.05, 0.1)), ("0.05,10%", (0.05, 0.1)), ("49.99%", (0.4999,)),
])
def test_rates_read_as_shares_or_percentages_alike_everywhere(text, rates):
    """The Plan page and the command line read the same text (the page once parsed "%" on its own)."""
    assert parse_error_rates(text) == pytest.approx(rates)


def test_fifty_percent_is_refused_like_one_half():
    for text in ("50%", "0.5"):
        with pytest.raises(NoiseInputError) as exc:
            parse_error_rates(text)
        assert exc.value.field == "annotator_error"
