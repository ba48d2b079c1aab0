"""The workflow engine adapter: the only package that imports SpiffWorkflow."""

from .calls import (
    complete_user_task,
    configure,
    fire_due_timers,
    read_snapshot,
    run_trial,
    skip_failed_step,
    start_workflow,
)
from .diagrams import DiagramError, DiagramProblem, ParsedProcess, SpecCache, UserTaskInfo, parse_files, spec_cache
from .isolation import Limits
from .migration import MoveCheck, MoveRefused, check_move, move
from .sandbox import ServiceHandler
from .serializer import StateUnreadable
from .skipping import SKIPPED  # importing it registers the "skip" operation, in workers too
from .snapshot import EngineStep, PendingTimer, ReadyTask, Snapshot
from .trial import TrialRun, TrialServiceCall, TrialStep, TrialWaiting
from .workflows import EngineError, Outcome, TaskNotReady

__all__ = [
    "SKIPPED",
    "DiagramError",
    "DiagramProblem",
    "EngineError",
    "EngineStep",
    "Limits",
    "MoveCheck",
    "MoveRefused",
    "Outcome",
    "ParsedProcess",
    "PendingTimer",
    "ReadyTask",
    "ServiceHandler",
    "Snapshot",
    "SpecCache",
    "StateUnreadable",
    "TaskNotReady",
    "TrialRun",
    "TrialServiceCall",
    "TrialStep",
    "TrialWaiting",
    "UserTaskInfo",
    "check_move",
    "complete_user_task",
    "configure",
    "fire_due_timers",
    "move",
    "parse_files",
    "read_snapshot",
    "run_trial",
    "skip_failed_step",
    "spec_cache",
    "start_workflow",
]
