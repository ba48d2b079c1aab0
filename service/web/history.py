"""What earlier steps of an instance submitted, labelled with their own forms, for people to read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..domain.audit import list_instance_events
from ..domain.definitions import parsed_process
from ..domain.forms import FormLibrary, schema_for_region
from ..models import AuditEvent, HumanTask, ProcessInstance
from .form_html import describe_value


@dataclass(frozen=True)
class StepView:
    """One completed task: who, when, each submitted field as label and readable value, and for file fields the
    attachment to download (by the field's label)."""

    task_id: int
    name: str
    actor: str
    at: datetime
    rows: list[tuple[str, str]] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)


def submitted_steps(session: Session, forms: FormLibrary, events: list[AuditEvent]) -> list[StepView]:
    """The task_completed events of an instance as readable steps, oldest first."""
    steps = []
    for event in events:
        if event.action != "task_completed" or event.task_id is None:
            continue
        task = session.get(HumanTask, event.task_id)
        schema = {"properties": {}}
        if task is not None and task.form_key:  # with the region's own choices, so codes read as names
            schema = schema_for_region(session, forms.for_task(task, task.form_key), task.region_code)
        ui = forms.for_task(task, task.ui_form_key) if task is not None and task.ui_form_key else {}
        data = (event.details or {}).get("data", {})
        rows: list[tuple[str, str]] = []
        files: dict[str, int] = {}
        properties = schema.get("properties", {})
        for name in [n for n in properties if n in data] + [n for n in data if n not in properties]:
            prop = properties.get(name, {})
            label = prop.get("title", name)
            if prop.get("x-widget") == "file" and isinstance(data[name], dict):
                attachment_id = data[name].get("bijlage_id")
                if isinstance(attachment_id, int):
                    files[label] = attachment_id
            rows.append((label, describe_value(prop, data[name], ui.get(name))))
        steps.append(StepView(event.task_id, task.name if task else "?", event.actor_label, event.at, rows, files))
    return steps


def instance_steps(session: Session, forms: FormLibrary, instance_id: int) -> list[StepView]:
    """Readable submitted steps of one instance."""
    return submitted_steps(session, forms, list_instance_events(session, instance_id))


_SCALAR = (str, int, float, bool)


def engine_step_rows(
    session: Session, forms: FormLibrary, instance: ProcessInstance, events: list[AuditEvent]
) -> dict[int, list[tuple[str, str]]]:
    """What the engine's own steps (decision tables, scripts) decided, per audit event: each variable under the
    name people know it by (a form field's title or a decision table's output label) with its value as they
    would write it. Variables nobody named, and structured values (a service's bookkeeping), stay out of sight:
    they remain in the audit event itself."""
    process = parsed_process(instance.definition)
    properties: dict[str, dict[str, Any]] = {}
    for task in process.user_tasks:
        if task.form:
            schema = schema_for_region(session, forms.schema(task.form, process), instance.region_code)
            for name, prop in schema.get("properties", {}).items():
                properties.setdefault(name, prop)
    rows: dict[int, list[tuple[str, str]]] = {}
    for event in events:
        changes = (event.details or {}).get("changes") if event.action == "engine_step" else None
        if not isinstance(changes, dict):
            continue
        readable = []
        for name, value in changes.items():
            label = process.decision_labels.get(name) or properties.get(name, {}).get("title")
            if label is None or (value is not None and not isinstance(value, _SCALAR)) or value in ("", None):
                continue
            prop = properties.get(name, {"type": "boolean"} if isinstance(value, bool) else {})
            readable.append((label, describe_value(prop, value)))
        if readable:
            rows[event.id] = readable
    return rows
