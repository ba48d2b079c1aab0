"""What the diagram on the instance page needs: the BPMN XML, which steps are finished or current, and the
current steps by name and role (said in text beside the drawing, which colour alone cannot do)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import AuditEvent, HumanTask, ProcessInstance


@dataclass(frozen=True)
class CurrentStep:
    name: str
    role: str | None  # None: the task is for whoever started the request


@dataclass(frozen=True)
class DiagramView:
    xml: str
    done: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    steps_now: list[CurrentStep] = field(default_factory=list)


def diagram_view(instance: ProcessInstance, history: list[AuditEvent], open_tasks: list[HumanTask]) -> DiagramView:
    """The instance's own definition version, with element ids of finished and waiting steps."""
    definition = instance.definition
    xml = definition.files.get(f"{definition.process_key}.bpmn", "")
    current = sorted({task.spec_name for task in open_tasks})
    done: set[str] = set()
    for event in history:
        step = (event.details or {}).get("task")
        if event.action == "engine_step" and step:
            done.add(step)
        elif event.action == "task_completed" and event.task is not None:
            done.add(event.task.spec_name)
    steps_now = list(dict.fromkeys(CurrentStep(task.name, task.role) for task in open_tasks))
    return DiagramView(xml=xml, done=sorted(done - set(current)), current=current, steps_now=steps_now)
