"""Run a sweep's tasks locally (joblib) or on a Dask cluster, writing each result as it arrives.

The driver (this process) plans the tasks, sends the unfinished ones to the executor, and writes each
result to its own file the moment it comes back. Where a task runs never changes its result, so a sweep
on a cluster gives the same table, bit for bit, as the same sweep on a laptop.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simulations.config import check_n_jobs
from simulations.errors import ConfigError, LabelwiseError
from simulations.sweep.config import SweepConfig
from simulations.sweep.store import RESULTS_NAME, SUMMARY_NAME, TaskStore
from simulations.sweep.table import build_table, sweep_summary, write_table
from simulations.sweep.tasks import SweepTask, clear_caches, load_dataset, plan_tasks, safe_execute

DASK_INSTALL = "pip install 'labelwise[dask]'"


class DaskNotInstalled(LabelwiseError):
    """``--scheduler`` or ``--dask-local`` was asked for, but dask.distributed is not installed."""


class SweepIncomplete(LabelwiseError):
    """Some tasks failed; the finished ones are on disk and ``--resume`` runs the rest."""


@dataclass
class SweepProgress:
    """Reported after each task result is written (or has failed)."""

    done: int
    total: int
    skipped: int
    task: SweepTask
    ok: bool
    error: str = ""


@dataclass
class SweepResult:
    """What a finished sweep wrote: the tidy table, the summary and the counts of this run."""

    out: Path
    table: pd.DataFrame
    summary: pd.DataFrame
    n_tasks: int
    n_run: int
    n_skipped: int
    failed: dict[str, str] = field(default_factory=dict)


def import_distributed() -> Any:
    """``dask.distributed``, imported only when a cluster is asked for (Dask is an optional extra)."""
    try:
        import distributed
    except ImportError as exc:
        raise DaskNotInstalled(
            "Running a sweep on a Dask cluster needs Dask, which is not installed.",
            hint=f"Install the optional extra: {DASK_INSTALL} (or run without --scheduler/--dask-local).",
        ) from exc
    return distributed


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, dask_local: int | None = None) -> Iterator[Any]:
    """A Dask client for ``scheduler`` (``tcp://HOST:PORT``) or a LocalCluster of ``dask_local`` worker
    processes (one thread each, loopback only); closed on exit."""
    distributed = import_distributed()
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout="20s"))
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"Cannot reach the Dask scheduler at {scheduler} ({exc}).",
                                  hint="Start one with 'dask scheduler' and workers with "
                                       "'dask worker tcp://HOST:8786 --nthreads 1', then pass its address.") from exc
        else:
            if dask_local is None or dask_local < 1:
                raise ConfigError("--dask-local needs a number of workers of at least 1.", hint="E.g. --dask-local 2.")
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=dask_local, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address="127.0.0.1:0", silence_logs=40,
            ))
            client = stack.enter_context(distributed.Client(cluster))
        yield client


def _local(tasks: list[SweepTask], n_jobs: int) -> Iterator[tuple[SweepTask, str, Any]]:
    if n_jobs == 1:
        try:
            for t in tasks:
                yield (t, *safe_execute(t))
        finally:
            clear_caches()  # the features and splits of the last datasets would otherwise stay in this process
        return
    from joblib import Parallel, delayed

    jobs = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(delayed(_tagged)(t) for t in tasks)
    try:
        yield from jobs
    finally:
        close = getattr(jobs, "close", None)
        if close is not None:
            close()


def _tagged(task: SweepTask) -> tuple[SweepTask, str, Any]:
    return (task, *safe_execute(task))


def _dask(tasks: list[SweepTask], client: Any) -> Iterator[tuple[SweepTask, str, Any]]:
    distributed = import_distributed()
    # Dask keys unique to this run: a cancelled run's tasks never stand in for a later run's on a shared scheduler.
    run_id = uuid.uuid4().hex[:8]
    futures = client.map(safe_execute, tasks, key=[f"labelwise-sweep-{t.key}-{run_id}" for t in tasks])
    by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
    pending = set(futures)
    try:
        for fut in distributed.as_completed(futures):
            task = by_key[fut.key]
            pending.discard(fut)
            try:
                status, value = fut.result()
            except Exception as exc:  # a lost worker (KilledWorker), a cancelled task, a broken connection
                status, value = "error", f"{type(exc).__name__}: {exc}"
            fut.release()
            yield task, status, value
    finally:
        if pending:
            client.cancel(list(pending))


def run_sweep(
    config: SweepConfig,
    out: str | Path,
    *,
    resume: bool = False,
    n_jobs: int = 1,
    scheduler: str | None = None,
    dask_local: int | None = None,
    client: Any = None,
    progress: Callable[[SweepProgress], None] | None = None,
) -> SweepResult:
    """Run every task of ``config`` that is not finished in ``out``, then write the table and summary.

    Parameters
    ----------
    config : SweepConfig
    out : path
        Output folder (see :mod:`simulations.sweep.store` for its layout).
    resume : bool
        Continue a sweep in ``out``: finished tasks are skipped. Without it, ``out`` must hold no task files.
    n_jobs : int
        Local joblib processes (when no cluster is given); results do not depend on it.
    scheduler : str, optional
        Address of a running Dask scheduler, ``tcp://HOST:PORT``.
    dask_local : int, optional
        Start a Dask LocalCluster with this many worker processes (loopback only) for this sweep.
    client : dask.distributed.Client, optional
        Use an existing client instead.
    progress : callable, optional
        Called with a :class:`SweepProgress` after each task's file is written (or the task failed).

    Returns
    -------
    SweepResult

    Raises
    ------
    SweepIncomplete
        When tasks failed; every finished task is on disk and ``resume=True`` runs only the rest.
    """
    n_jobs = check_n_jobs(n_jobs)
    if scheduler and dask_local:
        raise ConfigError("Pass either --scheduler or --dask-local, not both.",
                          hint="--scheduler uses a running cluster; --dask-local starts one on this machine.")
    store = TaskStore(out)
    if not resume and store.keys_on_disk():
        raise ConfigError(f"{store.out} already holds results of a sweep.",
                          hint="Pass --resume to continue it, or choose another --out folder.")
    datasets = {spec.name: load_dataset(spec) for spec in config.datasets}
    tasks = plan_tasks(config, datasets)
    store.create()
    store.write_manifest(config.to_dict(), [t.key for t in tasks],
                         {n: {"fingerprint": d.fingerprint(), "n_rows": len(d.frame)} for n, d in datasets.items()})
    del datasets
    todo = [t for t in tasks if not (resume and store.is_finished(t.key))]
    skipped = len(tasks) - len(todo)
    failed: dict[str, str] = {}
    done = 0
    with contextlib.ExitStack() as stack:
        if client is None and (scheduler or dask_local) and todo:
            client = stack.enter_context(dask_client(scheduler, dask_local))
        results: Iterator = _dask(todo, client) if client is not None else _local(todo, n_jobs)
        try:
            while True:
                try:
                    task, status, value = next(results)
                except StopIteration:
                    break
                except LabelwiseError:
                    raise
                except Exception as exc:  # the executor itself broke (a joblib worker killed, say)
                    raise SweepIncomplete(
                        f"The sweep stopped after {done} of {len(todo)} tasks: {type(exc).__name__}: {exc}",
                        hint="Finished tasks are saved; run the same command with --resume to do the rest.",
                    ) from exc
                done += 1
                if status == "ok":
                    store.write(value)
                else:
                    failed[task.key] = value
                if progress is not None:
                    progress(SweepProgress(done=done, total=len(todo), skipped=skipped, task=task,
                                           ok=status == "ok", error="" if status == "ok" else value))
        finally:
            results.close()  # cancels what is still queued on a cluster when the driver stops early
    if failed:
        first_key = next(iter(failed))
        raise SweepIncomplete(
            f"{len(failed)} of {len(tasks)} tasks failed; {len(tasks) - len(failed)} are finished and saved in "
            f"{store.out}. First failure ({first_key}): {failed[first_key]}",
            hint="Fix the cause if it is in the data or settings, then run the same command with --resume: "
                 "finished tasks are kept and only the rest run.",
        )
    payloads = {t.key: store.read(t.key) for t in tasks}
    table = build_table(tasks, payloads)
    # with error costs the cells are judged in money (config.metric then only chose the class weights)
    summary = sweep_summary(table, config.target, None if config.error_costs else config.metric,
                            error_costs=config.error_costs)
    write_table(table, store.out / RESULTS_NAME)
    write_table(summary, store.out / SUMMARY_NAME)
    return SweepResult(out=store.out, table=table, summary=summary, n_tasks=len(tasks), n_run=len(todo),
                       n_skipped=skipped)
