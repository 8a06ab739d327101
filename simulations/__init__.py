"""Labelwise's simulation engine: a plain Python library (no UI imports).

Typical use::

    from simulations import Dataset, SimulationConfig, run_simulation, summarize, Target
    ds = Dataset.from_sample("sms_spam")
    result = run_simulation(ds, SimulationConfig(strategies=("margin",), seeds=5), n_jobs=2)
    print(summarize(result, Target("share_of_ceiling", 0.95)).verdict_sentence())
"""

from simulations.config import SimulationConfig, label_schedule
from simulations.datasets import SAMPLES, Dataset
from simulations.errors import ConfigError, DataError, LabelwiseError, ResultsFileError, SimulationCancelled
from simulations.results import SimulationResult, load_results, save_results
from simulations.runner import Progress, run_simulation
from simulations.summary import Interval, Summary, Target, learning_curves, per_seed, summarize

__all__ = [
    "SAMPLES",
    "ConfigError",
    "DataError",
    "Dataset",
    "Interval",
    "LabelwiseError",
    "Progress",
    "ResultsFileError",
    "SimulationCancelled",
    "SimulationConfig",
    "SimulationResult",
    "Summary",
    "Target",
    "label_schedule",
    "learning_curves",
    "load_results",
    "per_seed",
    "run_simulation",
    "save_results",
    "summarize",
]
