"""A small process for the operators' console: a person prepares, a timer waits an hour, a script divides by
the start data's `deler` (0 makes it fail after the timer), then the projectleider checks the outcome."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from service.domain import definitions, instances
from service.models import HumanTask, Incident, ProcessInstance, User
from service.runtime import Runtime, utc_now

from ..engine.tiny import diagram

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEY = "storingsproef"

XML = diagram(
    KEY,
    """
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="projectleider">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>voorbereiden</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>wacht</bpmn:flowNodeRef><bpmn:flowNodeRef>rekenen</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>controleren</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="voorbereiden"/>
    <bpmn:userTask id="voorbereiden" name="Voorbereiden"/>
    <bpmn:sequenceFlow id="f2" sourceRef="voorbereiden" targetRef="wacht"/>
    <bpmn:intermediateCatchEvent id="wacht" name="Een uur wachten">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wacht" targetRef="rekenen"/>
    <bpmn:scriptTask id="rekenen" name="Rekenen"><bpmn:script>uitkomst = 10 / deler</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="rekenen" targetRef="controleren"/>
    <bpmn:userTask id="controleren" name="Uitkomst controleren"/>
    <bpmn:sequenceFlow id="f5" sourceRef="controleren" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
)


def user(session, email: str) -> User:  # type: ignore[no-untyped-def]
    return session.scalar(select(User).where(User.email == email))


def start(runtime: Runtime, *, deler: int = 0) -> int:
    """Deploy (once) and start the process in region demo; it waits at 'Voorbereiden'."""
    with runtime.transaction(write=True) as session:
        if definitions.find_current_definition(session, KEY) is None:
            definitions.deploy_files(
                session, process_key=KEY, files={f"{KEY}.bpmn": XML.decode()}, now=utc_now(), deployed_by="t"
            )
        instance = instances.start_instance(
            session,
            user=user(session, "projectleider@demo.sto"),
            process_key=KEY,
            region_code="demo",
            data={"deler": deler},
            now=utc_now(),
        )
        return instance.id


def open_task(runtime: Runtime, instance_id: int) -> HumanTask | None:
    with runtime.transaction(write=False) as session:
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open"))
        if task is not None:
            session.expunge(task)
        return task


def instance_row(runtime: Runtime, instance_id: int) -> ProcessInstance:
    with runtime.transaction(write=False) as session:
        row = session.get(ProcessInstance, instance_id)
        session.expunge(row)
        return row


def open_incidents(runtime: Runtime, instance_id: int) -> list[Incident]:
    with runtime.transaction(write=False) as session:
        rows = list(
            session.scalars(select(Incident).where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None)))
        )
        for row in rows:
            session.expunge(row)
        return rows
