"""Shared fixtures: small, seeded data so every test is fast and repeatable."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits

from simulations import Dataset

# The dashboard's page tests run many scenarios: a default cap of 400 simulated labels keeps each one a single stage
# (the product's default is no cap; tests of the adaptive run set their own inputs).
os.environ.setdefault("LABELWISE_DEFAULT_MAX_LABELS", "400")


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread():
    """One BLAS thread, as the runner's tasks use: tiny fits run many times faster on 2 cores."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def separable_frame() -> pd.DataFrame:
    """A 3-class problem where uncertainty sampling clearly helps: a few informative features, clean labels."""
    X, y = make_classification(n_samples=1500, n_features=10, n_informative=4, n_redundant=0, n_classes=3,
                               n_clusters_per_class=1, class_sep=1.0, flip_y=0.0, random_state=3)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    df["label"] = np.array(["a", "b", "c"])[y]
    return df


@pytest.fixture(scope="session")
def noise_frame() -> pd.DataFrame:
    """Labels independent of the features: nothing to learn, so no strategy can beat random."""
    rng = np.random.default_rng(7)
    df = pd.DataFrame(rng.normal(size=(600, 6)), columns=[f"f{i}" for i in range(6)])
    df["label"] = rng.choice(["x", "y"], size=600)
    return df


@pytest.fixture(scope="session")
def separable(separable_frame) -> Dataset:
    return Dataset.from_frame(separable_frame, "label", name="separable")


@pytest.fixture(scope="session")
def text_frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    spam_words = ["win", "prize", "free", "cash", "claim", "urgent"]
    ham_words = ["lunch", "meeting", "tomorrow", "thanks", "call", "home", "later"]
    rows = []
    for i in range(400):
        spam = i % 4 == 0
        words = rng.choice(spam_words if spam else ham_words, size=6).tolist() + rng.choice(ham_words, 2).tolist()
        rows.append({"message": " ".join(words), "kind": "spam" if spam else "ham", "msg_id": 1000 + i})
    return pd.DataFrame(rows)


@pytest.fixture(autouse=True)
def local_dashboard(monkeypatch):
    """app.py runs as `make run` serves it: on this machine only, no workspace secret (AppTest opens no socket, and
    an operator's secret in the shell must not change what the tests see). tests/test_access.py covers the rest."""
    from dashboard import access

    monkeypatch.setattr(access, "_server_address", lambda: "127.0.0.1")
    for name in (access.SECRET_ENV, access.SECRET_HASH_ENV, access.ALLOW_OPEN_ENV, access.SESSION_HOURS_ENV):
        monkeypatch.delenv(name, raising=False)
