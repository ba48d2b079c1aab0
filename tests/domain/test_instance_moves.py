"""Moving running instances to a newer version: the dry run, the move (same task rows, timers kept, the new path
taken), refusals that leave the instance as it was, the audit trail, who may do it, and racing a person's step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.domain import definitions, instances, tasks
from service.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.domain.instance_moves import check_moves, move_instances
from service.jobs.timers import fire_timers
from service.models import AuditEvent, DueTimer, HumanTask, ProcessDefinition, ProcessInstance, User
from service.runtime import Runtime, utc_now

BPMN = Path(__file__).parent.parent / "bpmn"
ADMIN = "beheerder@demo.sto"
STARTER = "coordinator@demo.sto"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _user(session: Session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def _deploy(rt: Runtime, key: str, xml: str, now: datetime) -> int:
    with rt.transaction(write=True) as session:
        definition = definitions.deploy_files(
            session, process_key=key, files={f"{key}.bpmn": xml}, now=now, deployed_by="tests"
        )
        return definition.id


def _file(name: str) -> str:
    return (BPMN / f"{name}.bpmn").read_text(encoding="utf-8")


def _start(rt: Runtime, key: str, title: str, now: datetime) -> int:
    with rt.transaction(write=True) as session:
        user = _user(session, STARTER)
        return instances.start_instance(
            session, user=user, process_key=key, region_code="demo", data={"titel": title}, now=now
        ).id


def _open_task(rt: Runtime, instance_id: int) -> HumanTask:
    with rt.transaction(write=False) as session:
        return session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open"))


def _complete(rt: Runtime, instance_id: int, now: datetime) -> None:
    task_id = _open_task(rt, instance_id).id
    with rt.transaction(write=True) as session:
        user = _user(session, STARTER)  # a task without a lane is the starter's
        tasks.complete_task(session, rt.forms, user=user, task_id=task_id, data={}, now=now)


def _instance(rt: Runtime, instance_id: int) -> ProcessInstance:
    with rt.transaction(write=False) as session:
        instance = session.get(ProcessInstance, instance_id)
        instance.definition.version  # noqa: B018 (loaded for use after the session)
        return instance


def _events(rt: Runtime, instance_id: int, action: str) -> list[AuditEvent]:
    with rt.transaction(write=False) as session:
        query = select(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.action == action)
        return list(session.scalars(query.order_by(AuditEvent.id)))


@pytest.fixture
def verhuizing(runtime: Runtime, clock) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Version 1 deployed, with one request waiting at the decision, one at the request step, one finished."""
    ids = {"v1": _deploy(runtime, "verhuizing", _file("verhuizing_v1"), clock())}
    ids["at_decision"] = _start(runtime, "verhuizing", "Bij het besluit", clock())
    _complete(runtime, ids["at_decision"], clock())
    ids["at_request"] = _start(runtime, "verhuizing", "Bij de aanvraag", clock())
    ids["finished"] = _start(runtime, "verhuizing", "Afgerond", clock())
    _complete(runtime, ids["finished"], clock())
    _complete(runtime, ids["finished"], clock())
    assert _instance(runtime, ids["finished"]).status == "completed"
    return ids


def test_the_dry_run_says_per_running_instance_whether_it_can_move(runtime, clock, verhuizing) -> None:
    v2 = _deploy(runtime, "verhuizing", _file("verhuizing_v2"), clock())
    v3 = _deploy(runtime, "verhuizing", _file("verhuizing_v3"), clock())
    with runtime.transaction(write=False) as session:
        admin = _user(session, ADMIN)
        to_v2 = check_moves(session, user=admin, to_definition_id=v2)
        to_v3 = check_moves(session, user=admin, to_definition_id=v3)
    # The finished request is not offered; both running ones are, from version 1.
    assert [(c.instance_id, c.title, c.region_code, c.from_version) for c in to_v2] == [
        (verhuizing["at_decision"], "Bij het besluit", "demo", 1),
        (verhuizing["at_request"], "Bij de aanvraag", "demo", 1),
    ]
    assert [c.movable for c in to_v2] == [True, True]
    at_decision, at_request = to_v3
    assert (at_decision.movable, at_decision.waiting_at) == (False, ("Besluit stuurgroep",))
    assert at_decision.reasons == (
        "De taak 'Besluit stuurgroep' waar dit verzoek wacht, bestaat niet meer in versie 3.",
    )
    assert (at_request.movable, at_request.reasons) == (True, ())


def test_a_moved_instance_keeps_its_task_row_and_takes_the_new_step(runtime, clock, verhuizing) -> None:
    v2 = _deploy(runtime, "verhuizing", _file("verhuizing_v2"), clock())
    row_before = _open_task(runtime, verhuizing["at_decision"])
    clock.advance(hours=1)
    with runtime.transaction(write=True) as session:
        admin = _user(session, ADMIN)
        (outcome,) = move_instances(
            session, user=admin, to_definition_id=v2, instance_ids=[verhuizing["at_decision"]], now=clock()
        )
    assert (outcome.moved, outcome.from_version, outcome.to_version) == (True, 1, 2)
    moved = _instance(runtime, verhuizing["at_decision"])
    assert (moved.definition_id, moved.definition.version) == (v2, 2)
    row_after = _open_task(runtime, verhuizing["at_decision"])
    # The same row: links in the mails already sent keep working.
    assert (row_after.id, row_after.engine_task_id, row_after.name) == (
        row_before.id,
        row_before.engine_task_id,
        "Besluit stuurgroep",
    )
    (event,) = _events(runtime, verhuizing["at_decision"], "instance_moved")
    assert (event.actor_label, event.details["from_version"], event.details["to_version"]) == (ADMIN, 1, 2)
    assert event.summary == "Verplaatst van versie 1 naar versie 2"

    _complete(runtime, verhuizing["at_decision"], clock())
    # Version 1 would have ended here; version 2 has a step after the decision.
    assert _open_task(runtime, verhuizing["at_decision"]).name == "Vastleggen in regioplan"
    _complete(runtime, verhuizing["at_decision"], clock())
    assert _instance(runtime, verhuizing["at_decision"]).status == "completed"


def test_an_instance_at_a_removed_task_stays_as_it_was_and_the_refusal_is_recorded(runtime, clock, verhuizing) -> None:
    _deploy(runtime, "verhuizing", _file("verhuizing_v2"), clock())
    v3 = _deploy(runtime, "verhuizing", _file("verhuizing_v3"), clock())
    before = _instance(runtime, verhuizing["at_decision"])
    row_before = _open_task(runtime, verhuizing["at_decision"])
    with runtime.transaction(write=True) as session:
        admin = _user(session, ADMIN)
        outcomes = move_instances(
            session,
            user=admin,
            to_definition_id=v3,
            instance_ids=[verhuizing["at_decision"], verhuizing["at_request"]],
            now=clock(),
        )
    assert [(o.instance_id, o.moved) for o in outcomes] == [
        (verhuizing["at_decision"], False),
        (verhuizing["at_request"], True),
    ]
    reason = "De taak 'Besluit stuurgroep' waar dit verzoek wacht, bestaat niet meer in versie 3."
    assert outcomes[0].reasons == (reason,)
    after = _instance(runtime, verhuizing["at_decision"])
    assert (after.definition_id, after.state, after.version) == (before.definition_id, before.state, before.version)
    assert _open_task(runtime, verhuizing["at_decision"]).id == row_before.id
    (refused,) = _events(runtime, verhuizing["at_decision"], "instance_move_refused")
    assert (refused.actor_label, refused.details["reasons"], refused.details["to_version"]) == (ADMIN, [reason], 3)
    assert _events(runtime, verhuizing["at_decision"], "instance_moved") == []
    (moved,) = _events(runtime, verhuizing["at_request"], "instance_moved")
    assert (moved.details["from_version"], moved.details["to_version"]) == (1, 3)
    _complete(runtime, verhuizing["at_request"], clock())
    assert _open_task(runtime, verhuizing["at_request"]).name == "Vastleggen in regioplan"


def test_a_task_moved_to_another_lane_is_offered_to_that_lane(runtime, clock, verhuizing) -> None:
    lanes = """
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="l1" name="stuurgroep"><bpmn:flowNodeRef>besluit</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>"""
    xml = _file("verhuizing_v2").replace('isExecutable="true">', 'isExecutable="true">' + lanes, 1)
    v2 = _deploy(runtime, "verhuizing", xml, clock())
    row_id = _open_task(runtime, verhuizing["at_decision"]).id
    with runtime.transaction(write=True) as session:
        session.get(HumanTask, row_id).assignee_id = _user(session, STARTER).id  # claimed under version 1
    with runtime.transaction(write=True) as session:
        admin = _user(session, ADMIN)
        move_instances(session, user=admin, to_definition_id=v2, instance_ids=[verhuizing["at_decision"]], now=clock())
    row = _open_task(runtime, verhuizing["at_decision"])
    assert (row.id, row.role, row.candidate_user_id, row.assignee_id) == (row_id, "stuurgroep", None, None)
    assert row.mail_pending  # the steering group is told it has a task
    with runtime.transaction(write=True) as session:
        tasks.complete_task(
            session, runtime.forms, user=_user(session, "stuurgroep@demo.sto"), task_id=row_id, data={}, now=clock()
        )
    assert _open_task(runtime, verhuizing["at_decision"]).name == "Vastleggen in regioplan"


@pytest.fixture
def wall_clock_runtime(runtime: Runtime):  # type: ignore[no-untyped-def]
    """The runtime with the real clock, so time-machine moves both our clock and SpiffWorkflow's."""
    runtime.clock = utc_now
    return runtime


def test_a_waiting_timer_survives_the_move_and_fires_on_the_new_version(wall_clock_runtime) -> None:
    rt = wall_clock_runtime
    with time_machine.travel(T0, tick=False):
        _deploy(rt, "bedenktijd", _file("bedenktijd_v1"), utc_now())
        instance_id = _start(rt, "bedenktijd", "Met bedenktijd", utc_now())
        v2 = _deploy(rt, "bedenktijd", _file("bedenktijd_v2"), utc_now())
    with rt.transaction(write=False) as session:
        timer_before = session.scalar(select(DueTimer).where(DueTimer.instance_id == instance_id))
    assert timer_before.due_at == T0 + timedelta(days=2)
    with time_machine.travel(T0 + timedelta(days=1), tick=False), rt.transaction(write=True) as session:
        admin = _user(session, ADMIN)
        (outcome,) = move_instances(session, user=admin, to_definition_id=v2, instance_ids=[instance_id], now=utc_now())
    assert outcome.moved
    with rt.transaction(write=False) as session:
        timer_after = session.scalar(select(DueTimer).where(DueTimer.instance_id == instance_id))
    assert (timer_after.id, timer_after.due_at, timer_after.fired_at) == (timer_before.id, timer_before.due_at, None)
    with time_machine.travel(T0 + timedelta(days=2, seconds=1), tick=False):
        assert fire_timers(rt, utc_now()) == 1
    assert _open_task(rt, instance_id).name == "Controleren"  # the step only version 2 has


def test_only_a_process_owner_of_the_version_may_check_or_move(runtime, clock, verhuizing) -> None:
    v2 = _deploy(runtime, "verhuizing", _file("verhuizing_v2"), clock())
    with runtime.transaction(write=True) as session:
        coordinator = _user(session, STARTER)
        with pytest.raises(NotAllowed):
            check_moves(session, user=coordinator, to_definition_id=v2)
        with pytest.raises(NotAllowed):
            move_instances(
                session, user=coordinator, to_definition_id=v2, instance_ids=[verhuizing["at_decision"]], now=clock()
            )
    assert _instance(runtime, verhuizing["at_decision"]).definition_id == verhuizing["v1"]


def test_a_finished_instance_or_one_of_another_process_cannot_be_chosen(runtime, clock, verhuizing) -> None:
    v2 = _deploy(runtime, "verhuizing", _file("verhuizing_v2"), clock())
    other = _deploy(runtime, "bedenktijd", _file("bedenktijd_v1"), clock())
    with runtime.transaction(write=True) as session:
        admin = _user(session, ADMIN)
        with pytest.raises(InvalidInput) as caught:
            check_moves(session, user=admin, to_definition_id=v2, instance_ids=[verhuizing["finished"]])
        assert str(verhuizing["finished"]) in caught.value.fields["instance_ids"]
        with pytest.raises(InvalidInput):
            move_instances(session, user=admin, to_definition_id=v2, instance_ids=[verhuizing["finished"]], now=clock())
        with pytest.raises(InvalidInput):
            check_moves(session, user=admin, to_definition_id=v2, from_definition_id=other)
        with pytest.raises(InvalidInput):  # already on the target version
            check_moves(session, user=admin, to_definition_id=verhuizing["v1"], instance_ids=[verhuizing["at_request"]])
        only_v1 = check_moves(session, user=admin, to_definition_id=v2, from_definition_id=verhuizing["v1"])
    assert [c.instance_id for c in only_v1] == [verhuizing["at_decision"], verhuizing["at_request"]]


def test_a_person_completing_a_task_while_it_is_moved_gets_a_conflict(runtime, clock, verhuizing) -> None:
    v2 = _deploy(runtime, "verhuizing", _file("verhuizing_v2"), clock())
    instance_id = verhuizing["at_decision"]
    task_id = _open_task(runtime, instance_id).id

    def move_first(write):  # type: ignore[no-untyped-def]
        def opened() -> Session:
            if not moved:
                with runtime.transaction(write=True) as session:
                    admin = _user(session, ADMIN)
                    move_instances(session, user=admin, to_definition_id=v2, instance_ids=[instance_id], now=clock())
                moved.append(True)
            return write()

        return opened

    moved: list[bool] = []
    # The person's step reads and runs the engine first; the move commits before the step is written.
    with (
        pytest.raises(Conflict),
        runtime.transaction(write=False) as reader,
        runtime.db.write_on_demand(reader=reader) as write,
    ):
        user = _user(reader, STARTER)
        tasks.complete_task(
            reader, runtime.forms, user=user, task_id=task_id, data={}, now=clock(), write=move_first(write)
        )
    assert moved
    row = _open_task(runtime, instance_id)
    assert (row.id, _instance(runtime, instance_id).definition_id) == (task_id, v2)  # the move won
    _complete(runtime, instance_id, clock())  # trying again works, on the new version
    assert _open_task(runtime, instance_id).name == "Vastleggen in regioplan"


def test_a_move_of_an_instance_changed_since_it_was_read_gets_a_conflict(runtime, clock, verhuizing) -> None:
    v2 = _deploy(runtime, "verhuizing", _file("verhuizing_v2"), clock())
    instance_id = verhuizing["at_decision"]
    before = _instance(runtime, instance_id)
    with pytest.raises(Conflict), runtime.transaction(write=True) as session:
        read = session.get(ProcessInstance, instance_id)  # read as it was (and held: the session holds it weakly) ...
        session.execute(  # ... then someone else's step changes it (as another process could on PostgreSQL)
            update(ProcessInstance.__table__)
            .where(ProcessInstance.__table__.c.id == read.id)
            .values(version=ProcessInstance.__table__.c.version + 1)
        )
        move_instances(
            session, user=_user(session, ADMIN), to_definition_id=v2, instance_ids=[instance_id], now=clock()
        )
    after = _instance(runtime, instance_id)
    assert (after.definition_id, after.state) == (before.definition_id, before.state)
    assert _events(runtime, instance_id, "instance_moved") == []


def test_an_unknown_target_version_is_not_found(runtime, clock, verhuizing) -> None:
    with runtime.transaction(write=False) as session:
        admin = _user(session, ADMIN)
        missing = (session.scalar(select(ProcessDefinition.id).order_by(ProcessDefinition.id.desc())) or 0) + 1
        with pytest.raises(NotFound):
            check_moves(session, user=admin, to_definition_id=missing)


def test_a_regions_process_owner_moves_only_that_regions_requests_onto_its_variant(runtime, clock, verhuizing) -> None:
    with runtime.transaction(write=True) as session:
        variant = definitions.store_version(
            session,
            process_key="verhuizing",
            files={"verhuizing.bpmn": _file("verhuizing_v2")},
            now=clock(),
            deployed_by="tests",
            region_code="noord",
        )
        assert variant is not None
        variant_id = variant.id
        noord_owner = _user(session, "procesbeheerder@noord.sto")
        assert check_moves(session, user=noord_owner, to_definition_id=variant_id) == []  # demo's requests: not theirs
    shared = _deploy(runtime, "verhuizing", _file("verhuizing_v2").replace("Controleren", "Nakijken"), clock())
    with runtime.transaction(write=True) as session:
        with pytest.raises(NotAllowed):
            check_moves(session, user=_user(session, "procesbeheerder@noord.sto"), to_definition_id=shared)
        owner = _user(session, "procesbeheerder@demo.sto")
        assert {c.instance_id for c in check_moves(session, user=owner, to_definition_id=shared)} >= {
            verhuizing["at_decision"]
        }
