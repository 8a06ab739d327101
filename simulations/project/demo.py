"""The worked example's set-up: a shipped dataset turned into a project file, with the labelers played by its labels.

:func:`demo_files` hides the label of every row but a few random ones (the project's starting labels) and keeps a
held-out test part aside; :func:`play_labelers` fills a batch's label column from the hidden labels. Used by
docs/live-project.md, ``benchmarks/ledger.py``, the tests and the browser test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulations.datasets import SAMPLES, load_sample_frame
from simulations.project.store import ROW_ID

__all__ = ["DemoFiles", "demo_files", "play_labelers"]


@dataclass
class DemoFiles:
    """What :func:`demo_files` wrote and kept.

    Attributes
    ----------
    data : Path
        The project file: every row of the pool, the label empty except on ``n_initial`` random rows.
    truth : Series
        The hidden label of every pool row, by row position (the row id of the project).
    test : DataFrame
        Held-out rows with their labels (never in the project file): the truth's yardstick.
    label : str
    plan : DataFrame
        Another labeled part (never in the project file nor the test part): the labeled sample a plan is
        simulated on (empty unless ``plan_rows``).
    """

    data: Path
    truth: pd.Series
    test: pd.DataFrame
    label: str
    plan: pd.DataFrame


def demo_files(sample: str, out_dir: str | Path, *, n_initial: int = 20, test_rows: int = 0, plan_rows: int = 0,
               max_rows: int | None = None, seed: int = 0) -> DemoFiles:
    """Write ``<out_dir>/<sample>_project.csv``: a shipped sample with most labels hidden (see the module docstring).

    Parameters
    ----------
    sample : str
        A key of :data:`simulations.datasets.SAMPLES`.
    n_initial : int
        Rows that keep their label (random, at least one of each of two classes).
    test_rows : int
        Rows set aside as the held-out test part (random; 0: none).
    plan_rows : int
        Rows set aside as the labeled sample for a plan (random; 0: none).
    max_rows : int, optional
        Use a random subset of this many rows (before the test part is set aside).
    seed : int
    """
    label = SAMPLES[sample].label
    frame = load_sample_frame(sample)
    frame = frame.loc[frame[label].notna()].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    if max_rows is not None and max_rows < len(frame):
        frame = frame.iloc[np.sort(rng.choice(len(frame), max_rows, replace=False))].reset_index(drop=True)
    order = rng.permutation(len(frame))
    test = frame.iloc[np.sort(order[:test_rows])].reset_index(drop=True)
    plan = frame.iloc[np.sort(order[test_rows:test_rows + plan_rows])].reset_index(drop=True)
    pool = frame.iloc[np.sort(order[test_rows + plan_rows:])].reset_index(drop=True)
    truth = pool[label].astype(str)
    for _ in range(100):
        keep = rng.choice(len(pool), n_initial, replace=False)
        if truth.iloc[keep].nunique() >= 2:
            break
    shown = pool.copy()
    shown[label] = shown[label].astype(object)
    shown.loc[~shown.index.isin(keep), label] = None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{sample}_project.csv"
    shown.to_csv(path, index=False)
    return DemoFiles(data=path, truth=truth, test=test, label=label, plan=plan)


def play_labelers(batch: pd.DataFrame, truth: pd.Series, label: str) -> pd.DataFrame:
    """The batch with its label column filled from the hidden labels (row id = row position in the project file)."""
    out = batch.copy()
    out[label] = truth.iloc[out[ROW_ID].astype(int).to_numpy()].to_numpy()
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m simulations.project.demo prepare|label``: the worked example's files, and the played labelers.

    ``prepare SAMPLE --out DIR``: ``<sample>_project.csv`` (the project file), ``hidden_labels.csv`` (the truth, by
    row id), ``validation.csv``, ``test.csv`` and ``plan_sample.csv`` (labeled rows for a plan), from disjoint random
    parts. ``label BATCH --hidden DIR/hidden_labels.csv --out FILE``: the batch with its labels filled in.
    """
    import argparse

    ap = argparse.ArgumentParser(prog="python -m simulations.project.demo", description=main.__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("sample", choices=list(SAMPLES))
    p.add_argument("--out", required=True)
    p.add_argument("--initial", type=int, default=20)
    p.add_argument("--validation-rows", type=int, default=500)
    p.add_argument("--test-rows", type=int, default=1000)
    p.add_argument("--plan-rows", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    lab = sub.add_parser("label")
    lab.add_argument("batch")
    lab.add_argument("--hidden", required=True)
    lab.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    if args.cmd == "prepare":
        files = demo_files(args.sample, args.out, n_initial=args.initial,
                           test_rows=args.validation_rows + args.test_rows, plan_rows=args.plan_rows, seed=args.seed)
        out = Path(args.out)
        files.test.iloc[:args.validation_rows].to_csv(out / "validation.csv", index=False)
        files.test.iloc[args.validation_rows:].to_csv(out / "test.csv", index=False)
        files.plan.to_csv(out / "plan_sample.csv", index=False)
        pd.DataFrame({ROW_ID: range(len(files.truth)), files.label: files.truth}).to_csv(out / "hidden_labels.csv",
                                                                                          index=False)
        print(f"wrote {files.data} ({len(files.truth):,} rows, {args.initial} labeled), hidden_labels.csv, "
              f"validation.csv, test.csv and plan_sample.csv to {out}")
        return 0
    hidden = pd.read_csv(args.hidden, dtype=str)
    label = hidden.columns[1]
    batch = pd.read_csv(args.batch)
    play_labelers(batch, hidden[label], label).to_csv(args.out, index=False)
    print(f"labeled {len(batch)} rows into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
