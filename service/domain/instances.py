"""Start process instances and read them back, always within the caller's region."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import engine
from ..models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, Region, User
from .access import require_instance_visible, require_region_member
from .audit import list_instance_events, record_event
from .definitions import get_current_definition, parsed_process
from .errors import InvalidInput, NotAllowed, NotFound, ProcessFailed
from .forms import FormLibrary, schema_for_region, validate_submission
from .progress import apply_outcome
from .service_tasks import ServiceContext, service_handler
from .texts import N_


def start_instance(
    session: Session,
    *,
    user: User,
    process_key: str,
    region_code: str,
    data: dict[str, Any] | None,
    now: datetime,
    forms: FormLibrary | None = None,
    write: Callable[[], Session] | None = None,
) -> ProcessInstance:
    """Start the newest version of a process in one of the user's regions. With `forms`, start data may only
    prefill fields of the process's own forms (so a caller cannot plant the variables a gateway decides on).
    With `write`, the engine runs before that write transaction begins (see launch_instance)."""
    if not isinstance(region_code, str) or not region_code:
        raise InvalidInput(N_("Kies een regio."), {"region": N_("Dit veld is verplicht.")})
    if data is not None and not isinstance(data, dict):
        raise InvalidInput(N_("De startgegevens moeten een object zijn."), {"data": N_("Verwacht een object.")})
    roles = require_region_member(user, region_code)
    definition = get_current_definition(session, process_key, region_code)
    process = parsed_process(definition)
    if process.start_roles and not roles & set(process.start_roles):
        allowed = " of ".join(process.start_roles)
        raise NotAllowed(f"Alleen de rol {allowed} kan dit proces starten in deze regio.")
    if data and forms is not None:
        data = validate_start_data(session, forms, process, region_code, data)
    region = session.get(Region, region_code)
    assert region is not None  # membership guarantees it
    return launch_instance(
        session, definition=definition, region=region, starter=user, actor=user, data=data, now=now, write=write
    )


def validate_start_data(
    session: Session, forms: FormLibrary, process: engine.ParsedProcess, region_code: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Check start data exactly as the process's forms check a submission, field by field: each key must be a
    field of one of its forms (so a caller cannot plant the variables a gateway decides on) and each value must
    pass that field's rules (type, length, choices of the region). Prefilling is partial, so nothing is required."""
    properties: dict[str, Any] = {}
    for task in process.user_tasks:
        if task.form:
            form = schema_for_region(session, forms.schema(task.form, process), region_code)
            for name, prop in form.get("properties", {}).items():
                properties.setdefault(name, prop)
    unknown = sorted(set(data) - set(properties))
    if unknown:
        message = N_("Dit veld hoort bij geen formulier van dit proces.")
        raise InvalidInput(N_("Onbekende startgegevens."), dict.fromkeys(unknown, message))
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    validate_submission(schema, data)
    return data


def launch_instance(
    session: Session,
    *,
    definition: ProcessDefinition,
    region: Region,
    starter: User,
    data: dict[str, Any] | None,
    now: datetime,
    actor: User | None = None,
    title: str | None = None,
    before_start: Callable[[ProcessInstance], None] | None = None,
    write: Callable[[], Session] | None = None,
) -> ProcessInstance:
    """Start an instance without checking the starter's roles: for callers that checked already, and for the
    system (scheduled starts; then `actor` is None and the audit trail says "systeem"). `data` keys starting
    with '_' are dropped; regio and regio_naam are set. `before_start` sees the new row before the first service
    task runs (e.g. to link it to the deadline that task looks up). With `write` (a write transaction opened on
    first call) the engine runs first and the row is only written after it, or when a service task needs it."""
    process = parsed_process(definition)
    initial = {k: v for k, v in (data or {}).items() if not k.startswith("_")}
    initial.update(regio=region.code, regio_naam=region.name)
    writes = write or (lambda: session)
    created: list[ProcessInstance] = []

    def instance_row() -> ProcessInstance:
        if not created:
            instance = ProcessInstance(
                definition_id=definition.id,
                region_code=region.code,
                title=title or str(initial.get("titel") or definition.name)[:300],
                status="running",
                state="",
                data={},
                started_by_id=starter.id,
                started_at=now,
                updated_at=now,
            )
            writes().add(instance)
            writes().flush()
            if before_start is not None:
                before_start(instance)
            created.append(instance)
        return created[0]

    try:
        outcome = engine.start_workflow(
            process, initial, service_handler(ServiceContext(writes, instance_row, actor, now))
        )
    except engine.EngineError as err:
        raise ProcessFailed(f"Het proces kon niet starten bij '{err.task_name}': {err.reason}.", err.detail) from err
    instance = instance_row()
    record_event(
        writes(),
        action="instance_started",
        summary=f"{definition.name} gestart",
        now=now,
        actor=actor,
        region_code=region.code,
        instance_id=instance.id,
        details={"process": definition.process_key, "version": definition.version, "data": initial},
    )
    apply_outcome(writes(), instance, outcome, actor=actor, now=now)
    return instance


def get_instance(session: Session, *, user: User, instance_id: int) -> ProcessInstance:
    """An instance the user may see (NotFound for other regions, so nothing leaks)."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("Niet gevonden.")
    require_instance_visible(user, instance)
    return instance


@dataclass(frozen=True)
class InstanceView:
    instance: ProcessInstance
    open_tasks: list[HumanTask]
    history: list[AuditEvent]


def describe_instance(session: Session, *, user: User, instance_id: int) -> InstanceView:
    """An instance with its open tasks and its audit trail."""
    instance = get_instance(session, user=user, instance_id=instance_id)
    return InstanceView(instance, list_open_tasks_of(session, instance.id), list_instance_events(session, instance.id))


def list_open_tasks_of(session: Session, instance_id: int) -> list[HumanTask]:
    """The open tasks of one instance."""
    return list(
        session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
            .order_by(HumanTask.id)
        )
    )
