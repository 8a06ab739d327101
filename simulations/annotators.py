"""Noisy annotators: who labels the items the learner trains on, how often they err, and re-labeling.

A simulation without :class:`NoiseConfig` (``SimulationConfig.noise is None``) has a perfect oracle, as always. With
one, every label the learner trains on is an *annotation* drawn from the item's true class:

* **Error rates.** One rate for everyone, or one rate per annotator (``error_rates``): a wrong annotation is one of
  the other classes, uniformly. Each item's annotations are made by consecutive annotators starting at a random one,
  so the three annotations of a majority vote come from three different people when there are three or more.
* **Confusion matrix** (``confusion``): row = true class, columns = the class given, rows sum to 1. Annotator ``a``'s
  wrong answers follow the row's off-diagonal shares; everyone shares the matrix.
* **Ambiguity** (``ambiguity=True``): the error probability of an item rises with its uncertainty under the
  full-data model (the model trained on the whole clean pool, which is where active learning picks). With ``u_i`` the
  normalized entropy of that model's predicted probabilities on pool item ``i`` and ``w_i = u_i / mean(u)``, item
  ``i``'s error probability is ``p_i = min(s * e * w_i, (K - 1) / K)``: ``e`` the stated rate (the annotator's, or
  the true class's off-diagonal share), ``K`` the classes (no one errs more than a blind guess), and ``s >= 1`` the
  one factor that keeps the mean of ``p`` over the pool's annotations equal to the mean of ``e`` (the stated rate).
* **Re-labeling** (``relabel``): ``none`` (one annotation per item), ``majority3`` (three annotations per item,
  majority vote, a three-way tie broken at random; three paid labels per item), ``disputed`` (ActiveLab-style: before
  each round's fit, every labeled item whose label the last model disagrees with, and that was not re-labeled yet,
  gets two more annotations and the majority of the three; the two extra labels are paid).

Every annotation is drawn before any strategy runs, from the seed alone (:func:`draw_annotations`): annotation ``j``
of pool item ``i`` is the same whichever strategy asks for it, so the comparison with random stays paired. The test
set and the full-data reference (the ceiling) keep their true labels: noise only touches what the learner trains on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulations.errors import ConfigError

__all__ = [
    "MAX_ERROR_RATE",
    "RELABEL_POLICIES",
    "ROW_SUM_TOLERANCE",
    "NoiseConfig",
    "NoiseInputError",
    "NoisyDraws",
    "draw_annotations",
    "majority_of_three",
    "noise_config",
    "parse_error_rates",
    "read_confusion",
]

#: Re-labeling policies (see the module docstring).
RELABEL_POLICIES = ("none", "majority3", "disputed")
#: An error rate must be below this: at 0.5 a binary annotator is a coin flip and the labels carry no signal.
MAX_ERROR_RATE = 0.5
#: How far a confusion matrix's row may sum from 1 (three decimals written by hand: 0.333 + 0.333 + 0.334).
ROW_SUM_TOLERANCE = 1e-3
#: The random stream of the annotations (``default_rng([seed, NOISE_STREAM])``), apart from the split's and the
#: strategies' streams.
NOISE_STREAM = 13


class NoiseInputError(ConfigError):
    """A noise setting was refused. ``field`` names the setting: ``annotator_error``, ``annotator_confusion``,
    ``annotators``, ``relabel`` (each front end maps it to its own control: a flag, a sweep key, a field)."""

    def __init__(self, field: str, message: str, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.field = field


def parse_error_rates(text: Any) -> tuple[float, ...]:
    """``"0.05"`` or ``"0.05,0.1,0.2"`` (or a number, or a list of numbers) as rates, each in [0, 0.5); a value
    ending in ``%`` is a percentage (``"5%, 10%"``), so the Plan page and the command line read the same text.

    Raises
    ------
    NoiseInputError
        ``field="annotator_error"``: not numbers, or a rate outside [0, 0.5).
    """
    items = text if isinstance(text, list | tuple) else str(text).split(",")
    rates = []
    for item in items:
        try:
            if isinstance(item, bool):
                raise ValueError
            text = str(item).strip()
            r = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise NoiseInputError("annotator_error", f"Annotator error rate {str(item).strip()!r} is not a number.",
                                  "Give a share of wrong labels such as 0.05, or one per annotator: "
                                  "0.05,0.1,0.2.") from None
        _check_rate(r)
        rates.append(r)
    if not rates:
        raise NoiseInputError("annotator_error", "No annotator error rate given.", "E.g. 0.05.")
    return tuple(rates)


def _check_rate(r: float) -> None:
    if not (math.isfinite(r) and 0 <= r < MAX_ERROR_RATE):
        raise NoiseInputError(
            "annotator_error", f"Annotator error rate {r:g} is outside [0, 0.5).",
            "A share of wrong labels from 0 up to (not including) 0.5, e.g. 0.05: at 0.5 a yes/no label is a "
            "coin flip.")


def read_confusion(path: str | Path) -> tuple[tuple[str, ...], tuple[tuple[float, ...], ...]]:
    """Read a confusion matrix CSV: first column the true class, header the given classes, rows sum to 1.

    Returns
    -------
    classes : tuple of str, shape (K,)
        In the file's row order; the columns are reordered to match.
    matrix : tuple of K tuples of K floats

    Raises
    ------
    NoiseInputError
        ``field="annotator_confusion"``: unreadable file, classes of the rows and the header differ, entries not in
        [0, 1], a row that does not sum to 1 (within :data:`ROW_SUM_TOLERANCE`), or a class whose error (1 - its
        diagonal) is not below 0.5.
    """
    import pandas as pd

    fix = ("A CSV whose first column is the true class and whose header lists the classes given, e.g. "
           "'true,spam,ham' then 'spam,0.9,0.1' and 'ham,0.05,0.95'.")
    try:
        df = pd.read_csv(path, index_col=0, dtype=str)
    except Exception as exc:  # any unreadable file gets the same message
        raise NoiseInputError("annotator_confusion", f"Cannot read the confusion matrix {str(path)!r} "
                              f"({type(exc).__name__}).", fix) from None
    rows = [str(c).strip() for c in df.index]
    cols = [str(c).strip() for c in df.columns]
    if len(rows) < 2 or sorted(rows) != sorted(cols) or len(set(rows)) != len(rows):
        raise NoiseInputError("annotator_confusion",
                              f"The confusion matrix's true classes ({', '.join(rows)}) and given classes "
                              f"({', '.join(cols)}) differ.", "List the same classes down the first column and "
                                                              "across the header, each once. " + fix)
    df.index, df.columns = rows, cols
    try:
        m = df.loc[rows, rows].astype(float).to_numpy()
    except ValueError:
        raise NoiseInputError("annotator_confusion", "The confusion matrix holds entries that are not numbers.",
                              "Write each entry as a share, e.g. 0.1.") from None
    if not np.isfinite(m).all() or (m < 0).any() or (m > 1).any():
        raise NoiseInputError("annotator_confusion", "The confusion matrix holds entries outside [0, 1].",
                              "Each entry is the share of items of the row's class labeled as the column's class.")
    sums = m.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1) > ROW_SUM_TOLERANCE)
    if len(bad):
        i = int(bad[0])
        raise NoiseInputError("annotator_confusion",
                              f"The confusion matrix's row '{rows[i]}' sums to {sums[i]:.4g}, not 1.",
                              "Each row holds the shares of the labels given to items of that true class: they add "
                              "up to 1.")
    errors = 1 - np.diag(m) / sums
    if (errors >= MAX_ERROR_RATE).any():
        i = int(np.argmax(errors))
        raise NoiseInputError("annotator_confusion",
                              f"Items of class '{rows[i]}' are labeled wrong {errors[i]:.0%} of the time in the "
                              "confusion matrix: an error rate must be below 50%.",
                              "Check the row (true class) and column (class given) order: the diagonal holds the "
                              "correct labels.")
    m = m / sums[:, None]
    return tuple(rows), tuple(tuple(float(v) for v in r) for r in m)


@dataclass(frozen=True)
class NoiseConfig:
    """How the annotators label (see the module docstring).

    Parameters
    ----------
    error_rates : tuple of float
        One rate for everyone, or one per annotator; each in [0, 0.5). Ignored with ``confusion``.
    confusion : tuple of tuples of float, optional
        Row = true class, column = class given (in ``confusion_classes`` order), rows sum to 1.
    confusion_classes : tuple of str, optional
        The class names of the matrix; they must be the data's classes.
    confusion_source : str, optional
        Where the matrix was read from (shown, not used).
    annotators : int, optional
        The number of annotators. With several ``error_rates`` it must equal their count; with one rate, every
        annotator has it. Default: the number of rates.
    ambiguity : bool
        Error probability rises with the item's uncertainty under the full-data model (mean kept).
    relabel : {"none", "majority3", "disputed"}
    reference : bool
        Also simulate the noise-free oracle on the same seeds, so the plan can say how noise changes the saving.
    """

    error_rates: tuple[float, ...] = (0.0,)
    confusion: tuple[tuple[float, ...], ...] | None = None
    confusion_classes: tuple[str, ...] | None = None
    confusion_source: str | None = None
    annotators: int | None = None
    ambiguity: bool = False
    relabel: str = "none"
    reference: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "error_rates", tuple(float(r) for r in self.error_rates))
        for r in self.error_rates:
            _check_rate(r)
        if not self.error_rates:
            raise NoiseInputError("annotator_error", "No annotator error rate given.", "E.g. 0.05.")
        if self.relabel not in RELABEL_POLICIES:
            raise NoiseInputError("relabel", f"Unknown re-labeling policy {self.relabel!r}.",
                                  f"Use one of: {', '.join(RELABEL_POLICIES)}.")
        n = self.annotators
        if n is not None and (isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1):
            raise NoiseInputError("annotators", f"The number of annotators must be a whole number of at least 1 "
                                                f"(got {n!r}).", "E.g. 3.")
        if n is not None and len(self.error_rates) > 1 and n != len(self.error_rates):
            raise NoiseInputError("annotators", f"{len(self.error_rates)} error rates were given for {n} "
                                                "annotators.",
                                  "Give one rate per annotator, or a single rate that every annotator shares.")
        if self.confusion is not None:
            if len(self.error_rates) > 1 or self.error_rates[0] > 0:
                raise NoiseInputError("annotator_confusion", "Both an error rate and a confusion matrix were given.",
                                      "Give one of them: the matrix already says how often each class is mislabeled.")
            m = np.asarray(self.confusion, dtype=float)
            k = len(self.confusion_classes or ())
            if m.shape != (k, k) or k < 2 or np.abs(m.sum(axis=1) - 1).max() > ROW_SUM_TOLERANCE:
                raise NoiseInputError("annotator_confusion", "The confusion matrix is not square with rows summing "
                                                             "to 1 over its classes.", "Read it with read_confusion.")

    @property
    def n_annotators(self) -> int:
        return int(self.annotators or len(self.error_rates))

    @property
    def rates(self) -> np.ndarray:
        """Each annotator's error rate, shape (n_annotators,)."""
        r = self.error_rates
        return np.array(r if len(r) > 1 else r * self.n_annotators, dtype=float)

    @property
    def labels_per_item(self) -> int:
        """Paid annotations per labeled item under ``majority3`` (3), otherwise at least 1."""
        return 3 if self.relabel == "majority3" else 1

    @property
    def is_noise_free(self) -> bool:
        """True when every annotation is the true class (zero error, no matrix)."""
        return self.confusion is None and not any(self.error_rates)

    def describe(self) -> str:
        """The settings in one phrase."""
        if self.confusion is not None:
            m = np.asarray(self.confusion)
            errs = ", ".join(f"{c} {1 - m[i, i]:.0%}" for i, c in enumerate(self.confusion_classes or ()))
            who = f"a confusion matrix (errors by true class: {errs})"
        elif len(self.error_rates) > 1:
            who = f"{self.n_annotators} annotators with error rates " + ", ".join(f"{r:.0%}" for r in self.error_rates)
        else:
            n = self.n_annotators
            who = f"{'an annotator' if n == 1 else f'{n} annotators'} with a {self.error_rates[0]:.0%} error rate"
        amb = ", errors concentrated on ambiguous items (same mean)" if self.ambiguity else ""
        rel = {"none": "no re-labeling", "majority3": "each item labeled 3 times, majority vote (3 paid labels an "
                                                      "item)",
               "disputed": "items whose label the model disputes re-labeled twice more, majority of 3"}[self.relabel]
        return f"{who}{amb}; {rel}"

    def to_dict(self) -> dict[str, Any]:
        return {"error_rates": list(self.error_rates),
                "confusion": None if self.confusion is None else [list(r) for r in self.confusion],
                "confusion_classes": None if self.confusion_classes is None else list(self.confusion_classes),
                "confusion_source": self.confusion_source, "annotators": self.annotators,
                "ambiguity": self.ambiguity, "relabel": self.relabel, "reference": self.reference}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NoiseConfig:
        d = {k: v for k, v in d.items() if k in ("error_rates", "confusion", "confusion_classes", "confusion_source",
                                                 "annotators", "ambiguity", "relabel", "reference")}
        if d.get("confusion") is not None:
            d["confusion"] = tuple(tuple(float(v) for v in r) for r in d["confusion"])
            d["confusion_classes"] = tuple(d["confusion_classes"])
        d["error_rates"] = tuple(d.get("error_rates", (0.0,)))
        return cls(**d)

    def check_classes(self, class_names: Any) -> None:
        """Refuse a confusion matrix whose classes are not the data's (``field="annotator_confusion"``)."""
        if self.confusion is None:
            return
        data = sorted(str(c) for c in class_names)
        mine = sorted(self.confusion_classes or ())
        if data != mine:
            raise NoiseInputError(
                "annotator_confusion",
                f"The confusion matrix's classes ({', '.join(mine)}) are not the data's ({', '.join(data)}).",
                "Write one row and one column for each class of the label column, named as in the data.")


def noise_config(*, error: Any = None, confusion_path: Any = None, annotators: int | None = None,
                 relabel: str = "none", ambiguity: bool = False,
                 confusion_source: str | None = None) -> NoiseConfig | None:
    """The noise settings from front-end values (a flag's text, a sweep file's key, the Plan page's fields); None
    when none is given.

    ``error`` is ``"0.05"``, ``"5%"``, ``"0.05,0.1,0.2"``, a number or a list; ``annotators`` alone (the calendar's
    team size) sets no noise. ``confusion_path`` is a path or an open binary file (an upload), named
    ``confusion_source`` in the settings (default: the path).
    """
    if error is None and confusion_path is None and relabel in (None, "none") and not ambiguity:
        return None
    if confusion_path is not None:
        if error is not None:
            raise NoiseInputError("annotator_confusion", "Both an error rate and a confusion matrix were given.",
                                  "Give one of them: the matrix already says how often each class is mislabeled.")
        classes, matrix = read_confusion(confusion_path)
        return NoiseConfig(confusion=matrix, confusion_classes=classes,
                           confusion_source=confusion_source or str(confusion_path),
                           annotators=annotators, relabel=relabel or "none", ambiguity=bool(ambiguity))
    rates = parse_error_rates(error) if error is not None else (0.0,)
    return NoiseConfig(error_rates=rates, annotators=annotators, relabel=relabel or "none", ambiguity=bool(ambiguity))


@dataclass(frozen=True)
class NoisyDraws:
    """Every annotation one seed's pool can get, drawn before any strategy runs.

    Attributes
    ----------
    labels : ndarray of int, shape (n_pool, 3)
        Annotation ``j`` of pool item ``i`` (class codes).
    tie : ndarray of int, shape (n_pool,)
        Which of the three annotations a three-way tie takes.
    error_prob : ndarray of float, shape (n_pool, 3)
        The probability each annotation was wrong (diagnostics; its mean is the stated rate).
    """

    labels: np.ndarray
    tie: np.ndarray
    error_prob: np.ndarray


def _ambiguity_scale(base: np.ndarray, w: np.ndarray, cap: float) -> np.ndarray:
    """``min(s * base * w, cap)`` with the one ``s`` that keeps its mean equal to ``base``'s (bisection)."""
    target = float(base.mean())
    raw = base * w[:, None]
    if target <= 0 or raw.max() <= 0:
        return base.copy()
    lo, hi = 0.0, 1.0
    while np.minimum(hi * raw, cap).mean() < target and hi < 1e6:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.minimum(mid * raw, cap).mean() < target else (lo, mid)
    return np.minimum(hi * raw, cap)


def draw_annotations(y_true: np.ndarray, n_classes: int, noise: NoiseConfig, *, seed: int,
                     uncertainty: np.ndarray | None = None, class_names: Any = None) -> NoisyDraws:
    """Three annotations for every pool item, from the seed alone (see the module docstring).

    Parameters
    ----------
    y_true : ndarray of int, shape (n_pool,)
        True class codes.
    n_classes : int
    noise : NoiseConfig
    seed : int
        The seed's value: the same pool and seed give the same annotations, whatever the strategy.
    uncertainty : ndarray of float, shape (n_pool,), optional
        Normalized entropy under the full-data model (needed with ``noise.ambiguity``).
    class_names : sequence of str, optional
        The names of the codes 0..K-1 (needed with a confusion matrix).

    Returns
    -------
    NoisyDraws
    """
    y = np.asarray(y_true, dtype=int)
    n, k = len(y), int(n_classes)
    rng = np.random.default_rng([int(seed), NOISE_STREAM])
    # every draw is made whatever the settings, so item i's annotations depend on the seed and i alone
    first = rng.integers(noise.n_annotators, size=n)
    u_err = rng.random((n, 3))
    u_which = rng.random((n, 3))
    tie = rng.integers(3, size=n)
    who = (first[:, None] + np.arange(3)) % noise.n_annotators
    if noise.confusion is not None:
        order = {str(c): i for i, c in enumerate(noise.confusion_classes or ())}
        idx = [order[str(c)] for c in (class_names if class_names is not None else range(k))]
        m = np.asarray(noise.confusion, dtype=float)[np.ix_(idx, idx)]  # rows/cols in code order
        off = m.copy()
        np.fill_diagonal(off, 0.0)
        base = np.repeat(off.sum(axis=1)[y][:, None], 3, axis=1)
    else:
        off = None
        base = noise.rates[who]
    cap = (k - 1) / k
    if noise.ambiguity and uncertainty is not None and float(np.mean(uncertainty)) > 0:
        u = np.asarray(uncertainty, dtype=float)
        p = _ambiguity_scale(base, u / u.mean(), cap)
    else:
        p = base.copy()
    wrong = u_err < p
    if off is not None:
        shares = off[y] / np.maximum(off[y].sum(axis=1, keepdims=True), 1e-300)  # (n, k) wrong-class shares
        cum = np.cumsum(shares, axis=1)
        other = np.minimum((u_which[:, :, None] > cum[:, None, :]).sum(axis=2), k - 1)
    else:
        # one of the k - 1 other classes, uniformly: skip past the true class
        other = np.floor(u_which * (k - 1)).astype(int)
        other = other + (other >= y[:, None])
    labels = np.where(wrong, other, y[:, None]).astype(int)
    return NoisyDraws(labels=labels, tie=tie.astype(int), error_prob=p)


def majority_of_three(labels: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """The majority of each row's three annotations; a three-way tie takes annotation ``tie[i]``.

    Parameters
    ----------
    labels : ndarray of int, shape (n, 3)
    tie : ndarray of int, shape (n,)

    Returns
    -------
    ndarray of int, shape (n,)
    """
    a, b, c = labels[:, 0], labels[:, 1], labels[:, 2]
    tied = labels[np.arange(len(labels)), tie]
    return np.where((a == b) | (a == c), a, np.where(b == c, b, tied))


def pays_extra(result: Any) -> bool:
    """True when a run's paid labels differ from its labeled items (re-labeling was on)."""
    rounds = getattr(result, "rounds", None)
    return (rounds is not None and "labels_paid" in rounds.columns
            and not np.array_equal(rounds["labels_paid"].to_numpy(), rounds["labels"].to_numpy()))


def paid_labels_view(result: Any) -> Any:
    """The run with its label counts in *paid* labels, the unit the plan's labels and money count.

    Re-labeling pays for more annotations than items labeled: ``majority3`` three per item, ``disputed`` one plus two
    per disputed item. The plan reads ``labels`` everywhere (labels to target, curves, the stop, money), so here
    ``labels`` becomes, for each strategy and round, the mean over seeds of ``labels_paid``, rounded (exact for
    ``none`` and ``majority3``, where every seed pays the same; for ``disputed`` the seeds' counts differ by a few
    labels and one count per round keeps each strategy's curve on one grid, which the curve fits need). The items
    labeled stay in ``items_labeled``. Pool sizes are re-expressed in paid labels too, so that "label the whole pool"
    and every cap at the pool count what labeling it would pay: ``meta["paid_per_item"]`` is the largest, over
    strategies, of the mean paid labels per item at the last round (3 for ``majority3``), and ``meta["n_pool"]`` (and
    ``production_pool_rows``) are multiplied by it (the items stay in ``n_pool_items``). Without re-labeling the run
    is returned as it is.

    Parameters
    ----------
    result : SimulationResult

    Returns
    -------
    SimulationResult
        A copy when re-labeling was on (``meta["labels_unit"] = "paid"``, ``meta["budget"]`` in paid labels).
    """
    if not pays_extra(result):
        return result
    from dataclasses import replace

    rounds = result.rounds.copy()
    rounds["items_labeled"] = rounds["labels"]
    mean_paid = rounds.groupby(["strategy", "round"])["labels_paid"].transform("mean")
    rounds["labels"] = np.rint(mean_paid.to_numpy()).astype(rounds["labels"].dtype)
    meta = dict(result.meta)
    meta["labels_unit"] = "paid"
    meta["budget"] = int(rounds["labels"].max())
    last = rounds[rounds["round"] == rounds.groupby("strategy")["round"].transform("max")]
    factor = float((last.groupby("strategy")["labels_paid"].mean() / last.groupby("strategy")["items_labeled"].mean())
                   .max())
    meta["paid_per_item"] = factor
    for key in ("n_pool", "production_pool_rows"):
        if meta.get(key):
            meta[f"{key}_items"] = int(meta[key])
            meta[key] = round(int(meta[key]) * factor)
    return replace(result, rounds=rounds, meta=meta)


def reference_result(result: Any) -> Any:
    """The noise-free runs a noisy run carries (``meta["noise_reference_rounds"]``) as a result of their own: same
    seeds, splits, schedule and ceilings, a perfect oracle. None when the run has none."""
    enc = (getattr(result, "meta", None) or {}).get("noise_reference_rounds")
    if not enc:
        return None
    from dataclasses import replace

    from simulations.results import decode_frame

    meta = {k: v for k, v in result.meta.items() if k not in ("noise", "noise_reference_rounds", "labels_unit")}
    return replace(result, rounds=decode_frame(enc), meta=meta, config=replace(result.config, noise=None))
