"""The workflow engine adapter: the only package that imports SpiffWorkflow."""

from .calls import complete_user_task, configure, fire_due_timers, read_snapshot, run_trial, start_workflow
from .diagrams import DiagramError, ParsedProcess, SpecCache, UserTaskInfo, parse_files, spec_cache
from .isolation import Limits
from .sandbox import ServiceHandler
from .serializer import StateUnreadable
from .snapshot import EngineStep, PendingTimer, ReadyTask, Snapshot
from .trial import TrialRun, TrialServiceCall, TrialStep, TrialWaiting
from .workflows import EngineError, Outcome, TaskNotReady

__all__ = [
    "DiagramError",
    "EngineError",
    "EngineStep",
    "Limits",
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
    "complete_user_task",
    "configure",
    "fire_due_timers",
    "parse_files",
    "read_snapshot",
    "run_trial",
    "spec_cache",
    "start_workflow",
]
