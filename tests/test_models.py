import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from simulations.config import SimulationConfig
from simulations.errors import ConfigError
from simulations.models import model_factory, resolve_class_weight


@pytest.mark.parametrize("setting, metric, spec, expected", [
    ("auto", "balanced_accuracy", "logreg", "balanced"),
    ("auto", "accuracy", "logreg", None),
    ("auto", "balanced_accuracy", LogisticRegression(), None),  # an estimator passed in is used as configured
    ("none", "balanced_accuracy", "random_forest", None),
    ("balanced", "accuracy", "logreg", "balanced"),
    ("balanced", "accuracy", LogisticRegression(), "balanced"),
])
def test_resolve_class_weight(setting, metric, spec, expected):
    weight, reason = resolve_class_weight(setting, metric, spec)
    assert weight == expected
    assert reason.startswith("Classes are weighted" if expected else "Classes are not weighted")


def test_auto_says_why_it_weights():
    _, reason = resolve_class_weight("auto", "balanced_accuracy", "logreg")
    assert "imbalanced" in reason and "balanced accuracy" in reason


def test_bad_class_weight_settings_are_config_errors():
    with pytest.raises(ConfigError, match="Unknown class_weight 'heavy'"):
        resolve_class_weight("heavy", "accuracy")
    with pytest.raises(ConfigError, match="GaussianNB has no class_weight"):
        resolve_class_weight("balanced", "accuracy", GaussianNB())
    with pytest.raises(ConfigError, match="Unknown class_weight"):
        SimulationConfig(class_weight="Balanced")


@pytest.mark.parametrize("spec", ["logreg", "random_forest", "hist_gradient_boosting"])
def test_presets_get_the_weighting(spec):
    X = np.random.default_rng(0).random((20, 3))
    assert model_factory(spec, X, "balanced")(0).get_params()["class_weight"] == "balanced"
    assert model_factory(spec, X)(0).get_params()["class_weight"] is None


def test_naive_bayes_balances_through_uniform_priors_and_estimators_through_their_parameter():
    X = np.random.default_rng(0).random((20, 3))
    assert model_factory("naive_bayes", X, "balanced")(0).fit_prior is False
    assert model_factory("naive_bayes", X)(0).fit_prior is True
    est = model_factory(LogisticRegression(C=3.0), X, "balanced")(7)
    assert (est.C, est.class_weight, est.random_state) == (3.0, "balanced", 7)


def test_balanced_weights_lift_the_minority_recall_on_imbalanced_data():
    # 5% minority that overlaps the majority: unweighted, the model mostly predicts the majority class.
    rng = np.random.default_rng(1)
    n = 2000
    y = (rng.random(n) < 0.05).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None] * 1.2
    recalls = {}
    for weight in (None, "balanced"):
        model = model_factory("logreg", X, weight)(0).fit(X[:1000], y[:1000])
        pred = model.predict(X[1000:])
        recalls[weight] = pred[y[1000:] == 1].mean()
    assert recalls["balanced"] > recalls[None] + 0.3
