"""The workflow engine adapter: the only package that imports SpiffWorkflow."""

from .diagrams import DiagramError, ParsedProcess, UserTaskInfo, parse_cached, parse_files
from .sandbox import ServiceHandler
from .snapshot import EngineStep, PendingTimer, ReadyTask, Snapshot
from .workflows import (
    EngineError,
    Outcome,
    TaskNotReady,
    complete_user_task,
    fire_due_timers,
    read_snapshot,
    start_workflow,
)

__all__ = [
    "DiagramError",
    "EngineError",
    "EngineStep",
    "Outcome",
    "ParsedProcess",
    "PendingTimer",
    "ReadyTask",
    "ServiceHandler",
    "Snapshot",
    "TaskNotReady",
    "UserTaskInfo",
    "complete_user_task",
    "fire_due_timers",
    "parse_cached",
    "parse_files",
    "read_snapshot",
    "start_workflow",
]
