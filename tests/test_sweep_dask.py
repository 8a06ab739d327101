"""Sweeps on a Dask LocalCluster (2 worker processes, loopback only): same results as a local run, and a
worker killed mid-sweep loses no finished task; the resumed sweep has every task exactly once."""

from __future__ import annotations

import os
import signal
import sys
import types

import pandas as pd
import pytest

from simulations.sweep import drop_timing, run_sweep, sweep_config_from_dict
from simulations.sweep.run import dask_client

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def client():
    """One LocalCluster for the module, made the way ``--dask-local 2`` makes it (starting one costs seconds)."""
    # Worker processes are spawned, and spawn re-runs the parent's __main__ file. Earlier AppTests leave a
    # dashboard page script there (AppTest runs pages as __main__), so give the workers an empty __main__.
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        with dask_client(dask_local=2) as c:
            yield c
    finally:
        sys.modules["__main__"] = main


def config(**over):
    d = {"datasets": ["penguins", "breast_cancer"], "models": ["logreg"], "strategies": ["margin"], "seeds": 2,
         "initial_labels": 10, "max_test_rows": 150, "stop_set_rows": 100,
         "schedules": [{"name": "b10", "batch_size": 10, "budget": 60}], **over}
    return sweep_config_from_dict(d)


def test_dask_local_cluster_matches_local_run_exactly(tmp_path, client):
    assert len(client.scheduler_info()["workers"]) == 2
    assert client.scheduler.address.startswith("tcp://127.0.0.1:")
    cfg = config(strategies=["margin", "entropy"], models=["logreg", "naive_bayes"])
    local = run_sweep(cfg, tmp_path / "local", n_jobs=1)
    dask = run_sweep(cfg, tmp_path / "dask", client=client)
    assert dask.n_run == local.n_run == 2 * 2 * 2 * (1 + 3)
    pd.testing.assert_frame_equal(drop_timing(local.table), drop_timing(dask.table), check_exact=True)
    pd.testing.assert_frame_equal(local.summary, dask.summary, check_exact=True)
    local_files = sorted(p.name for p in (tmp_path / "local" / "tasks").glob("*.json"))
    assert local_files == sorted(p.name for p in (tmp_path / "dask" / "tasks").glob("*.json"))


class DriverLost(Exception):
    """Stands in for the driver process dying."""


def test_killed_worker_loses_no_finished_task_and_resume_completes(tmp_path, client):
    cfg = config(seeds=3)  # 2 datasets x 3 seeds x (ceiling + random + margin) = 18 tasks
    out = tmp_path / "out"
    address = client.scheduler.address  # the sweep connects to it as to any remote cluster (--scheduler)
    pids = client.run(os.getpid)
    victim = pids[sorted(pids)[0]]
    first_run = []

    def kill_then_die(p):
        first_run.append(p)
        if len(first_run) == 1:
            # The first task file is on disk: now lose a worker mid-sweep (no sleeps, no timing).
            os.kill(victim, signal.SIGKILL)
        elif len(first_run) == 4:
            raise DriverLost

    with pytest.raises(DriverLost):
        run_sweep(cfg, out, scheduler=address, progress=kill_then_die)
    saved = {p.name: p.read_bytes() for p in (out / "tasks").glob("*.json")}
    assert len(saved) == sum(p.ok for p in first_run) >= 1

    second_run = []
    res = run_sweep(cfg, out, scheduler=address, resume=True, progress=second_run.append)
    assert victim not in client.run(os.getpid).values()  # the worker really died (its nanny started a new one)

    assert (res.n_skipped, res.n_run) == (len(saved), res.n_tasks - len(saved)) and res.n_tasks == 18
    assert all(p.ok for p in second_run) and not {p.task.key for p in second_run} & {n[:-5] for n in saved}
    # Finished files were kept as they were; every task is on disk exactly once; nothing half-written.
    assert {n: (out / "tasks" / n).read_bytes() for n in saved} == saved
    files = sorted(p.stem for p in (out / "tasks").glob("*.json"))
    assert len(files) == res.n_tasks == len(set(files)) and not list((out / "tasks").glob(".*"))
    assert not res.table.duplicated(["dataset", "model", "schedule", "strategy", "seed", "round"]).any()
    reference = run_sweep(cfg, tmp_path / "reference", n_jobs=1)
    pd.testing.assert_frame_equal(drop_timing(reference.table), drop_timing(res.table), check_exact=True)
