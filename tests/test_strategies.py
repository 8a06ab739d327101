"""Behaviour of each query strategy on designed examples where the right answer is known."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from simulations.errors import ConfigError
from simulations.strategies import STRATEGIES, EpsilonMix, available_strategies, make_strategy
from simulations.strategies.base import PoolView, top_k
from simulations.strategies.coreset import CoreSet
from simulations.strategies.density_weighted import DensityWeighted, cosine_density
from simulations.strategies.diversity import DiverseMiniBatch
from simulations.strategies.entropy import Entropy
from simulations.strategies.expected_model_change import ExpectedModelChange, softmax_expected_residual_norm
from simulations.strategies.least_confidence import LeastConfidence
from simulations.strategies.margin import Margin
from simulations.strategies.qbc import (
    QueryByCommittee,
    bootstrap_indices,
    mean_kl_to_consensus,
    vote_entropy,
)
from simulations.strategies.random import RandomSampling
from simulations.strategies.self_training import SelfTraining
from simulations.strategies.uncertainty import normalized_entropy


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield


class TableModel:
    """A fitted-looking classifier whose probabilities are a fixed table, looked up by the row id in X[:, 0]."""

    def __init__(self, proba, classes=None):
        self.table = np.asarray(proba, dtype=float)
        self.classes_ = np.arange(self.table.shape[1]) if classes is None else np.asarray(classes)

    def predict_proba(self, X):
        return self.table[np.asarray(X)[:, 0].astype(int)]


def table_view(proba, candidates=None, classes=None):
    """A PoolView over rows 0..n-1 whose only feature is the row id, scored by a TableModel."""
    proba = np.asarray(proba, dtype=float)
    n = len(proba)
    model = TableModel(proba, classes)
    return PoolView(
        X=np.arange(n, dtype=float)[:, None],
        candidates=np.arange(n) if candidates is None else np.asarray(candidates),
        labeled=np.empty(0, dtype=int), y_labeled=np.empty(0), classes=model.classes_,
        model=model, make_model=lambda rs: None,
    )


def rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- uncertainty sampling


def test_margin_picks_closest_top_two():
    proba = [
        [0.90, 0.05, 0.05],  # confident
        [0.40, 0.30, 0.30],  # least confident and highest entropy, but gap 0.10
        [0.45, 0.44, 0.11],  # gap 0.01: the margin pick
        [0.60, 0.35, 0.05],
    ]
    view = table_view(proba)
    assert Margin().select(view, 1, rng()).tolist() == [2]
    assert Margin().select(view, 4, rng()).tolist() == [2, 1, 3, 0]
    # Candidates are pool indices, not positions: restricting them must not shift the answer.
    assert Margin().select(table_view(proba, candidates=[0, 1, 3]), 1, rng()).tolist() == [1]


def test_margin_binary():
    view = table_view([[0.3, 0.7], [0.55, 0.45], [0.99, 0.01]])
    assert Margin().select(view, 1, rng()).tolist() == [1]


def test_entropy_and_least_confidence_disagree_on_designed_example():
    # A: one clear favourite, the rest spread -> highest entropy.  B: torn between two -> least confident.
    proba = [[0.50, 0.25, 0.25], [0.45, 0.45, 0.10]]
    view = table_view(proba)
    assert Entropy().select(view, 1, rng()).tolist() == [0]
    assert LeastConfidence().select(view, 1, rng()).tolist() == [1]
    assert Margin().select(view, 1, rng()).tolist() == [1]
    np.testing.assert_allclose(
        Entropy().scores(view, rng()), [-(0.5 * np.log(0.5) + 0.5 * np.log(0.25)), 0.9489], atol=1e-4
    )


def test_ties_are_broken_at_random_but_reproducibly():
    view = table_view([[0.5, 0.5]] * 20)
    first = [tuple(Margin().select(view, 3, rng(s))) for s in range(10)]
    assert len(set(first)) > 1
    assert first == [tuple(Margin().select(view, 3, rng(s))) for s in range(10)]


def test_normalized_entropy_bounds():
    assert normalized_entropy(np.array([[0.25] * 4])).tolist() == pytest.approx([1.0])
    assert normalized_entropy(np.array([[0.0, 1.0, 0.0]])).tolist() == [0.0]
    assert normalized_entropy(np.array([[1.0], [1.0]])).tolist() == [0.0, 0.0]
    p = rng(1).dirichlet(np.ones(6) * 0.3, size=200)
    h = normalized_entropy(p)
    assert h.shape == (200,) and (h >= 0).all() and (h <= 1).all()


# ---------------------------------------------------------------- query by committee


def two_blobs(n=60, seed=0):
    r = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = np.where(y[:, None] == 1, 10.0, -10.0) + r.normal(scale=0.3, size=(n, 2))
    return X, y


def committee_view(X, y, labeled, candidates, make_model):
    model = make_model(0).fit(X[labeled], y[labeled])
    return PoolView(X=X, candidates=candidates, labeled=labeled, y_labeled=y[labeled], classes=np.unique(y),
                    model=model, make_model=make_model)


def test_vote_entropy_is_zero_when_all_members_agree():
    X, y = two_blobs()
    labeled = np.arange(10)
    view = committee_view(X, y, labeled, np.arange(10, 60), lambda rs: LogisticRegression(random_state=rs))
    s = QueryByCommittee(n_members=5, disagreement="vote_entropy").scores(view, rng())
    np.testing.assert_array_equal(s, 0.0)
    kl = QueryByCommittee(n_members=5, disagreement="kl").scores(view, rng())
    assert (kl >= 0).all() and kl.max() < 0.05


def test_disagreement_measures_on_hand_made_committee():
    # 5 members x 2 rows x 3 classes. Row 0: votes 0,0,1,1,2. Row 1: everyone identical.
    same = [0.2, 0.7, 0.1]
    p = np.array([
        [[0.8, 0.1, 0.1], same], [[0.6, 0.3, 0.1], same], [[0.1, 0.8, 0.1], same],
        [[0.2, 0.7, 0.1], same], [[0.1, 0.1, 0.8], same],
    ])
    ve = vote_entropy(p)
    assert ve[0] == pytest.approx(-(2 * 0.4 * np.log(0.4) + 0.2 * np.log(0.2)))
    assert ve[1] == 0.0
    kl = mean_kl_to_consensus(p)
    assert kl[0] > 0.1 and kl[1] == pytest.approx(0.0, abs=1e-12)
    # A member that never saw a class (zero column) gives finite values.
    p[0, 0] = [1.0, 0.0, 0.0]
    assert np.isfinite(mean_kl_to_consensus(p)).all()


def test_bootstrap_always_contains_every_class():
    y = np.array(["a"] * 19 + ["b"])
    r = rng(3)
    for _ in range(200):
        idx = bootstrap_indices(y, r)
        assert len(idx) == len(y)
        assert set(y[idx]) == {"a", "b"}


def test_every_committee_member_sees_every_class():
    seen = []

    class Recording(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            seen.append(set(np.asarray(y).tolist()))
            return super().fit(X, y, sample_weight)

    X, y = two_blobs(80)
    labeled = np.concatenate([np.flatnonzero(y == 0)[:12], np.flatnonzero(y == 1)[:1]])
    view = committee_view(X, y, labeled, np.arange(40, 80), lambda rs: Recording(random_state=rs))
    seen.clear()
    picks = QueryByCommittee(n_members=7).select(view, 5, rng())
    assert len(seen) == 7 and all(s == {0, 1} for s in seen)
    assert len(set(picks)) == 5


# ---------------------------------------------------------------- expected gradient length


def brute_force_egl(model: LogisticRegression, X: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """E_y ||d(-log p_y)/d(coef_, intercept_)||, by central finite differences on the fitted model."""
    n, n_classes = X.shape[0], len(model.classes_)
    params = [("coef_", idx) for idx in np.ndindex(model.coef_.shape)]
    params += [("intercept_", idx) for idx in np.ndindex(model.intercept_.shape)]
    grads = np.zeros((len(params), n, n_classes))
    for k, (attr, idx) in enumerate(params):
        logp = []
        for sign in (+1, -1):
            m = copy.deepcopy(model)
            getattr(m, attr)[idx] += sign * h
            logp.append(np.log(m.predict_proba(X)))
        grads[k] = -(logp[0] - logp[1]) / (2 * h)
    norms = np.sqrt((grads**2).sum(axis=0))  # (n, n_classes): gradient norm if the label were y
    return (model.predict_proba(X) * norms).sum(axis=1)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_egl_closed_form_matches_numeric_gradient(n_classes):
    r = rng(n_classes)
    X = r.normal(size=(80, 3))
    y = np.array(["u", "v", "w", "x"])[np.argmax(X @ r.normal(size=(3, n_classes)) + r.normal(size=(80, n_classes)),
                                               axis=1)]
    labeled, candidates = np.arange(40), np.arange(40, 80)
    model = LogisticRegression(max_iter=1000).fit(X[labeled], y[labeled])
    view = PoolView(X=X, candidates=candidates, labeled=labeled, y_labeled=y[labeled],
                    classes=np.unique(y), model=model, make_model=lambda rs: None)
    closed = ExpectedModelChange().scores(view, rng())
    np.testing.assert_allclose(closed, brute_force_egl(model, X[candidates]), rtol=1e-5)
    if n_classes == 2:
        # The binary model's single weight vector gives 2 p (1 - p) ||x~||, not the 2-row softmax form.
        p1 = model.predict_proba(X[candidates])[:, 1]
        x_norm = np.sqrt((X[candidates] ** 2).sum(axis=1) + 1)
        np.testing.assert_allclose(closed, 2 * p1 * (1 - p1) * x_norm)


def test_egl_sparse_equals_dense_and_pipeline_uses_final_step():
    r = rng(5)
    dense = (r.random((60, 8)) < 0.3) * r.random((60, 8))
    y = (dense[:, 0] + dense[:, 1] > dense[:, 2] + 0.2).astype(int)
    labeled, candidates = np.arange(30), np.arange(30, 60)

    def scores(X, model):
        model.fit(X[labeled], y[labeled])
        view = PoolView(X=X, candidates=candidates, labeled=labeled, y_labeled=y[labeled], classes=np.unique(y),
                        model=model, make_model=lambda rs: None)
        return ExpectedModelChange().scores(view, rng())

    np.testing.assert_allclose(scores(sp.csr_matrix(dense), LogisticRegression()),
                               scores(dense, LogisticRegression()), rtol=1e-4)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    piped = scores(dense, pipe)
    Z = pipe[:-1].transform(dense[candidates])
    p1 = pipe.predict_proba(dense[candidates])[:, 1]
    np.testing.assert_allclose(piped, 2 * p1 * (1 - p1) * np.sqrt((Z**2).sum(axis=1) + 1))


def test_egl_without_coef_uses_output_gradient_approximation():
    proba = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    s = ExpectedModelChange().scores(table_view(proba), rng())
    brute = [sum(p[y] * np.linalg.norm(p - np.eye(3)[y]) for y in range(3)) for p in proba]
    np.testing.assert_allclose(s, brute)
    np.testing.assert_allclose(softmax_expected_residual_norm(proba), brute)
    assert s[1] == 0.0


# ---------------------------------------------------------------- density weighting


class ConstantModel:
    """Same probabilities for every row: equal uncertainty everywhere."""

    classes_ = np.array([0, 1])

    def predict_proba(self, X):
        return np.tile([0.5, 0.5], (X.shape[0], 1))


def clustered_pool(sparse: bool):
    r = rng(2)
    cluster = np.array([1.0, 0.1, 0.0]) + r.normal(scale=0.05, size=(40, 3))
    outlier = np.array([[0.0, -0.2, 1.0]])
    X = np.vstack([cluster, outlier])
    return sp.csr_matrix(X) if sparse else X


@pytest.mark.parametrize("sparse", [False, True])
def test_density_weighting_prefers_dense_region_over_outlier(sparse):
    X = clustered_pool(sparse)
    view = PoolView(X=X, candidates=np.array([40, 7]), labeled=np.array([0]), y_labeled=np.array([0]),
                    classes=np.array([0, 1]), model=ConstantModel(), make_model=lambda rs: None)
    strategy = DensityWeighted()
    for seed in range(5):
        assert strategy.select(view, 1, rng(seed)).tolist() == [7]
    # The density is computed once and read back from the cache afterwards.
    (key, density), = view.cache.items()
    assert density.shape == (41,)
    view.cache[key] = density[::-1].copy()  # now the outlier (row 40) looks densest
    assert strategy.select(view, 1, rng()).tolist() == [40]


def test_cosine_density_matches_brute_force():
    X = sp.random(50, 12, density=0.3, format="csr", random_state=4)
    X = sp.vstack([X, sp.csr_matrix((1, 12))]).tocsr()  # a row of zeros: cosine 0 to everything
    sample = np.array([0, 3, 9, 20, 33, 49])
    cos = cosine_similarity(X, X[sample])
    np.testing.assert_allclose(cosine_density(X, sample), ((1 + cos) / 2).mean(axis=1), atol=1e-12)
    np.testing.assert_allclose(cosine_density(X.toarray(), sample), ((1 + cos) / 2).mean(axis=1), atol=1e-12)
    assert cosine_density(X, sample)[-1] == pytest.approx(0.5)


# ---------------------------------------------------------------- diversity and core-set


class RadialModel:
    """Most uncertain at the origin, more confident further out."""

    classes_ = np.array([0, 1])

    def predict_proba(self, X):
        r = np.sqrt((np.asarray(X) ** 2).sum(axis=1))
        p1 = 0.5 + 0.45 * np.tanh(r)
        return np.column_stack([1 - p1, p1])


def test_diverse_batch_avoids_near_duplicates():
    r = rng(0)
    copies = np.zeros((10, 2)) + r.normal(scale=1e-6, size=(10, 2))  # ten near-copies of the most uncertain row
    angles = np.linspace(0, 2 * np.pi, 20, endpoint=False)
    others = np.column_stack([np.cos(angles), np.sin(angles)]) * r.uniform(0.3, 1.0, size=(20, 1))
    X = np.vstack([copies, others])
    view = PoolView(X=X, candidates=np.arange(30), labeled=np.empty(0, int), y_labeled=np.empty(0),
                    classes=np.array([0, 1]), model=RadialModel(), make_model=lambda rs: None)
    # Plain margin takes three copies of the same point.
    assert set(Margin().select(view, 3, rng()).tolist()) <= set(range(10))
    for seed in range(5):
        picks = DiverseMiniBatch(prefilter=10).select(view, 3, rng(seed))
        assert len(set(picks.tolist())) == 3
        assert sum(p < 10 for p in picks) <= 1, picks


def test_diverse_batch_with_fewer_distinct_rows_than_batch():
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0]]), 5, axis=0)
    view = PoolView(X=X, candidates=np.arange(10), labeled=np.empty(0, int), y_labeled=np.empty(0),
                    classes=np.array([0, 1]), model=RadialModel(), make_model=lambda rs: None)
    picks = DiverseMiniBatch(prefilter=3).select(view, 4, rng())
    assert len(set(picks.tolist())) == 4


@pytest.mark.parametrize("sparse", [False, True])
def test_coreset_picks_farthest_first(sparse):
    X = np.array([[0.0], [1.0], [5.0], [9.0], [9.01]])
    X = sp.csr_matrix(X) if sparse else X
    view = PoolView(X=X, candidates=np.array([1, 2, 3, 4]), labeled=np.array([0]), y_labeled=np.array([0]),
                    classes=np.array([0, 1]), model=None, make_model=lambda rs: None)
    # 9.01 is farthest from the labeled 0; then 9.0 is only 0.01 from that pick, so 5 comes next.
    assert CoreSet().select(view, 2, rng()).tolist() == [4, 2]
    assert CoreSet().select(view, 4, rng()).tolist() == [4, 2, 1, 3]


def test_coreset_never_repeats_a_pick_among_duplicates():
    X = np.vstack([np.zeros((1, 3)), np.tile([[0.3, 1.7, 2.9]], (5, 1))])
    view = PoolView(X=X, candidates=np.arange(1, 6), labeled=np.array([0]), y_labeled=np.array([0]),
                    classes=np.array([0, 1]), model=None, make_model=lambda rs: None)
    assert sorted(CoreSet().select(view, 5, rng()).tolist()) == [1, 2, 3, 4, 5]


def test_coreset_subsamples_large_candidate_sets():
    X = np.arange(100, dtype=float)[:, None]
    view = PoolView(X=X, candidates=np.arange(1, 100), labeled=np.array([0]), y_labeled=np.array([0]),
                    classes=np.array([0, 1]), model=None, make_model=lambda rs: None)
    picks = CoreSet(max_candidates=10).select(view, 3, rng())
    assert len(set(picks.tolist())) == 3


# ---------------------------------------------------------------- self-training


class RecordingTableModel(TableModel):
    """A TableModel that records what it was trained on."""

    def __init__(self, proba, log):
        super().__init__(proba, classes=np.array(["a", "b"]))
        self.log = log

    def fit(self, X, y):
        self.log.append((np.asarray(X)[:, 0].astype(int).tolist(), list(y)))
        return self


def self_training_setup():
    # Rows 0-3 are labeled; rows 4-9 are unlabeled with top probabilities .99 .96 .95 .94 .50 .97.
    proba = np.array([
        [0.9, 0.1], [0.1, 0.9], [0.9, 0.1], [0.1, 0.9],
        [0.99, 0.01], [0.04, 0.96], [0.95, 0.05], [0.06, 0.94], [0.5, 0.5], [0.03, 0.97],
    ])
    log: list = []
    X = np.arange(10, dtype=float)[:, None]
    return X, np.arange(4), np.array(["a", "b", "a", "b"]), np.arange(4, 10), lambda rs: RecordingTableModel(
        proba, log), log


def test_self_training_adds_pseudo_labels_only_above_threshold():
    X, labeled, y_lab, unlabeled, make_model, log = self_training_setup()
    model = SelfTraining(threshold=0.95).fit_model(make_model, X, labeled, y_lab, unlabeled, random_state=0)
    assert len(log) == 2  # human-only fit, then the refit
    rows, labels = log[1]
    assert rows[:4] == [0, 1, 2, 3]
    # Most confident first: .99 (a), .97 (b), .96 (b), .95 (a); .94 and .50 stay out.
    assert rows[4:] == [4, 9, 5, 6] and labels[4:] == ["a", "b", "b", "a"]
    assert model.labelwise_n_pseudo_ == 4


def test_self_training_caps_pseudo_labels_and_can_add_none():
    X, labeled, y_lab, unlabeled, make_model, log = self_training_setup()
    model = SelfTraining(threshold=0.95, max_pseudo_share=0.5).fit_model(make_model, X, labeled, y_lab, unlabeled, 0)
    assert log[1][0][4:] == [4, 9] and model.labelwise_n_pseudo_ == 2
    log.clear()
    model = SelfTraining(threshold=0.999).fit_model(make_model, X, labeled, y_lab, unlabeled, 0)
    assert len(log) == 1 and model.labelwise_n_pseudo_ == 0


def test_self_training_scores_at_most_max_scored_rows():
    X, labeled, y_lab, unlabeled, make_model, log = self_training_setup()
    model = SelfTraining(threshold=0.5, max_scored=2).fit_model(make_model, X, labeled, y_lab, unlabeled, 0)
    assert model.labelwise_n_pseudo_ == 2 and set(log[1][0][4:]) <= set(unlabeled)


def test_self_training_selection_delegates_to_base():
    view = table_view([[0.9, 0.1], [0.52, 0.48], [0.7, 0.3]])
    assert SelfTraining(base=Margin()).select(view, 1, rng()).tolist() == [1]


# ---------------------------------------------------------------- epsilon mix


def test_epsilon_zero_is_base_and_one_is_random():
    r = rng(9)
    view = table_view(r.dirichlet([1, 1, 1], size=50))
    for seed in range(5):
        np.testing.assert_array_equal(EpsilonMix(Margin(), 0.0).select(view, 8, rng(seed)),
                                      Margin().select(view, 8, rng(seed)))
        np.testing.assert_array_equal(EpsilonMix(Margin(), 1.0).select(view, 8, rng(seed)),
                                      RandomSampling().select(view, 8, rng(seed)))


def test_epsilon_mix_share_of_random_picks():
    view = table_view(rng(4).dirichlet([1, 1], size=200))
    margin_rank = view.candidates[top_k(Margin().scores(view, rng()), 200, rng())]
    top10 = set(margin_rank[:10].tolist())
    outside = [np.mean([p not in top10 for p in EpsilonMix(Margin(), 0.5).select(view, 10, rng(s))])
               for s in range(200)]
    # Half the picks are random, of which 95% land outside the base's top ten.
    assert 0.40 < np.mean(outside) < 0.55


def test_epsilon_fit_model_delegates_to_base():
    X, labeled, y_lab, unlabeled, make_model, _log = self_training_setup()
    mix = make_strategy("eps_self_training")
    assert mix.fit_model(make_model, X, labeled, y_lab, unlabeled, 0).labelwise_n_pseudo_ == 4


# ---------------------------------------------------------------- registry


def test_registry_names_and_descriptions():
    assert available_strategies() == list(STRATEGIES)
    for name in available_strategies():
        assert make_strategy(name).name == name
        assert STRATEGIES[name] and "\n" not in STRATEGIES[name]
    mix = make_strategy("eps_entropy")
    assert isinstance(mix, EpsilonMix) and mix.name == "eps_entropy"
    assert mix.base.name == "entropy" and mix.epsilon == 0.1


@pytest.mark.parametrize("bad", ["uncertainty", "eps_", "eps_nonsense", "Margin", ""])
def test_unknown_strategy_raises_config_error(bad):
    with pytest.raises(ConfigError) as err:
        make_strategy(bad)
    assert "margin" in err.value.hint and "eps_" in err.value.hint
