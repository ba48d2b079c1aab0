"""Drafts of a process: saved without running, one save wins when two people save at once, deployed as a new
version after the checks, thrown away without touching the version in use; and the readable version diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.domain import definitions, demo
from service.domain.definitions import diff
from service.domain.errors import Conflict, InvalidInput, NotAllowed
from service.models import DefinitionDraft, ProcessDefinition, User

ROOT = Path(__file__).resolve().parents[2]
DMN_NAME = "wijziging_beoordeling.dmn"


def _user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_saved_draft_runs_nothing_and_deploying_it_makes_the_next_version(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        owner = _user(session, demo.DEMO_PROCESS_OWNER)
        opened = definitions.open_draft(session, user=owner, process_key="wijzigingsverzoek", region_code=None)
        assert opened.saved is None and opened.revision == 0
        files = dict(opened.files)
        files[DMN_NAME] = files[DMN_NAME].replace("&lt;= 5000", "&lt;= 2500")
        saved = definitions.save_draft(
            session, user=owner, process_key="wijzigingsverzoek", region_code=None, files=files, revision=0, now=clock()
        )
        assert saved.revision == 1
        in_use = definitions.get_current_definition(session, "wijzigingsverzoek")
        assert in_use.id == opened.current.id  # saving deployed nothing
        result = definitions.deploy_draft(
            session,
            user=owner,
            process_key="wijzigingsverzoek",
            region_code=None,
            revision=saved.revision,
            note="Drempel 2500",
            now=clock(),
            lint=None,
        )
        [created] = result.created
        assert created.version == in_use.version + 1
        assert "&lt;= 2500" in created.files[DMN_NAME]
        assert created.source == "editor" and created.note == "Drempel 2500"
        assert _count(session, DefinitionDraft) == 0  # the draft is gone once deployed


def test_the_second_of_two_saves_from_the_same_revision_is_told_someone_saved_first(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        owner = _user(session, demo.DEMO_PROCESS_OWNER)
        files = definitions.open_draft(session, user=owner, process_key="rapportage", region_code=None).files
        first = definitions.save_draft(
            session, user=owner, process_key="rapportage", region_code=None, files=files, revision=0, now=clock()
        )
        with pytest.raises(Conflict, match="intussen opgeslagen"):
            definitions.save_draft(
                session, user=owner, process_key="rapportage", region_code=None, files=files, revision=0, now=clock()
            )
        assert definitions.open_draft(session, user=owner, process_key="rapportage", region_code=None).revision == (
            first.revision
        )


def test_a_draft_that_fails_a_check_is_not_deployed_and_stays_a_draft(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        owner = _user(session, demo.DEMO_PROCESS_OWNER)
        files = dict(
            definitions.open_draft(session, user=owner, process_key="wijzigingsverzoek", region_code=None).files
        )
        files["wijzigingsverzoek.bpmn"] = files["wijzigingsverzoek.bpmn"].replace(
            'name="penvoerder">', 'name="secretaris">', 1
        )
        saved = definitions.save_draft(
            session,
            user=owner,
            process_key="wijzigingsverzoek",
            region_code=None,
            files=files,
            revision=0,
            now=clock(),
        )
        versions = _count(session, ProcessDefinition)
        with pytest.raises(definitions.DeployRefused) as refused:
            definitions.deploy_draft(
                session,
                user=owner,
                process_key="wijzigingsverzoek",
                region_code=None,
                revision=saved.revision,
                note="",
                now=clock(),
                lint=None,
            )
        assert [(p.element, "secretaris" in p.message) for p in refused.value.problems] == [("Lane_penvoerder", True)]
        assert _count(session, ProcessDefinition) == versions
        assert _count(session, DefinitionDraft) == 1


def test_a_region_process_owner_drafts_only_their_regions_variant(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        regional = _user(session, "procesbeheerder@noord.sto")
        with pytest.raises(NotAllowed):
            definitions.open_draft(session, user=regional, process_key="wijzigingsverzoek", region_code=None)
        with pytest.raises(NotAllowed):
            definitions.open_draft(session, user=regional, process_key="wijzigingsverzoek", region_code="demo")
        view = definitions.open_draft(session, user=regional, process_key="wijzigingsverzoek", region_code="noord")
        assert view.current.region_code is None  # a first variant starts from the shared version
        projectleider = _user(session, "projectleider@demo.sto")
        with pytest.raises(NotAllowed):
            definitions.open_draft(session, user=projectleider, process_key="wijzigingsverzoek", region_code="demo")


def test_a_draft_without_the_diagram_is_refused(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        owner = _user(session, demo.DEMO_PROCESS_OWNER)
        with pytest.raises(InvalidInput):
            definitions.save_draft(
                session,
                user=owner,
                process_key="wijzigingsverzoek",
                region_code=None,
                files={DMN_NAME: "<x/>"},
                revision=0,
                now=clock(),
            )


def test_the_diff_names_a_changed_decision_row_and_a_task_moved_to_another_lane() -> None:
    bpmn = (ROOT / "bpmn" / "wijzigingsverzoek.bpmn").read_text(encoding="utf-8")
    dmn = (ROOT / "bpmn" / DMN_NAME).read_text(encoding="utf-8")
    moved = bpmn.replace("<bpmn:flowNodeRef>toetsen</bpmn:flowNodeRef>", "", 1).replace(
        '<bpmn:lane id="Lane_stuurgroep" name="stuurgroep">',
        '<bpmn:lane id="Lane_stuurgroep" name="stuurgroep">\n<bpmn:flowNodeRef>toetsen</bpmn:flowNodeRef>',
        1,
    )
    found = diff.compare(
        {"w.bpmn": bpmn, DMN_NAME: dmn}, {"w.bpmn": moved, DMN_NAME: dmn.replace("&lt;= 5000", "&lt;= 1000")}
    )
    described = {(c.element, c.kind, c.details) for c in found.changes}
    assert ("toetsen", "gewijzigd", ("rol: penvoerder → stuurgroep",)) in described
    assert ("regel_klein_binnen_plan", "gewijzigd", ("als Bedrag (euro): <= 5000 → <= 1000",)) in described
    assert len(found.changes) == 2


def test_moving_shapes_only_is_not_a_change_of_the_process() -> None:
    bpmn = (ROOT / "bpmn" / "wijzigingsverzoek.bpmn").read_text(encoding="utf-8")
    shifted = bpmn.replace('x="', 'x="1', 3)
    found = diff.compare({"w.bpmn": bpmn}, {"w.bpmn": shifted})
    assert found.changes == [] and found.drawing_only == ["w.bpmn"]
