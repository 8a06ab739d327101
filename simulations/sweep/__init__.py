"""Sweeps: a grid of datasets x models x schedules x seeds x strategies, run locally or on a Dask cluster.

Typical use::

    from simulations.sweep import load_sweep_config, run_sweep, sweep_summary
    result = run_sweep(load_sweep_config("sweep.toml"), "sweep_out", n_jobs=2)   # or dask_local=2 / scheduler=...
    result.summary            # which strategy wins where, with intervals
    sweep_summary(read_table("sweep_out/results.csv"))   # the same, from the saved (and checked) table
    read_sweep_settings("sweep_out/sweep.json").target   # the summary target the sweep ran with

Dask is imported only when a cluster is asked for (``pip install 'labelwise[dask]'``).
"""

from simulations.sweep.config import (
    DatasetSpec,
    ScheduleSpec,
    SweepConfig,
    load_sweep_config,
    parse_target,
    sweep_config_from_dict,
)
from simulations.sweep.run import DaskNotInstalled, SweepIncomplete, SweepProgress, SweepResult, run_sweep
from simulations.sweep.table import (
    SweepSettings,
    cell_result,
    drop_timing,
    group_result,
    read_sweep_settings,
    read_table,
    sweep_overview,
    sweep_summary,
    validate_table,
)
from simulations.sweep.tasks import SweepTask, execute_task, plan_tasks

__all__ = [
    "DaskNotInstalled",
    "DatasetSpec",
    "ScheduleSpec",
    "SweepConfig",
    "SweepIncomplete",
    "SweepProgress",
    "SweepResult",
    "SweepSettings",
    "SweepTask",
    "cell_result",
    "drop_timing",
    "execute_task",
    "group_result",
    "load_sweep_config",
    "parse_target",
    "plan_tasks",
    "read_sweep_settings",
    "read_table",
    "run_sweep",
    "sweep_config_from_dict",
    "sweep_overview",
    "sweep_summary",
    "validate_table",
]
