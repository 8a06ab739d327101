"""A live labeling project: batches to label (the strategy's picks plus a random control arm), labels read back,
the score per round against the plan, the stop advice and the savings ledger.

State lives in a project folder (:mod:`simulations.project.store`); see docs/live-project.md.
"""

from simulations.project.batch import batch_frame, next_batch
from simulations.project.errors import ProjectError
from simulations.project.labels import add_labels, read_labels
from simulations.project.ledger import Ledger, estimate_ledger
from simulations.project.status import ProjectStatus, project_status
from simulations.project.store import Project

__all__ = ["Ledger", "Project", "ProjectError", "ProjectStatus", "add_labels", "batch_frame", "estimate_ledger",
           "next_batch", "project_status", "read_labels"]
