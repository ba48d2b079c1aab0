"""What the diagram on the instance page needs: the BPMN XML and which steps are finished or current."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import AuditEvent, HumanTask, ProcessInstance


@dataclass(frozen=True)
class DiagramView:
    xml: str
    done: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)


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
    return DiagramView(xml=xml, done=sorted(done - set(current)), current=current)
