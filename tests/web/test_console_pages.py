"""The operators' console pages: administrators list every instance with filters and counts, open an
operator's page per instance (no region role needed) and act on it with POST forms; region users and process
owners are refused, and an action that does not apply shows its Dutch reason and changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from service.jobs.timers import fire_timers
from service.models import AuditEvent, HumanTask, User
from service.runtime import Runtime, utc_now

from ..domain.console_flow import T0, instance_row, open_incidents, open_task, start
from .pages import csrf_token, post_form, signed_in, text

REASON = "Wacht op de accountant"


@pytest.fixture
def rt(runtime: Runtime) -> Runtime:
    runtime.clock = utc_now  # time-machine moves our clock and SpiffWorkflow's
    return runtime


@pytest.fixture(autouse=True)
def at_t0():  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _page(instance_id: int) -> str:
    return f"/beheer/processen/{instance_id}"


def _post(client, instance_id: int, action: str, data: dict) -> object:  # type: ignore[no-untyped-def]
    page = text(client.get(_page(instance_id)))
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version, page[:2000]
    return post_form(
        client, f"{_page(instance_id)}/{action}", {"version": version.group(1), **data}, form_page=_page(instance_id)
    )


def _complete_first_task(app, instance_id: int, rt: Runtime) -> object:  # type: ignore[no-untyped-def]
    pl = signed_in(app, "projectleider@demo.sto")
    task = open_task(rt, instance_id)
    return pl.post(f"/taken/{task.id}", data={"csrf_token": csrf_token(pl, f"/taken/{task.id}")})


def test_the_list_filters_by_status_and_incident_with_counts_and_links(app, rt, at_t0) -> None:
    running = start(rt, deler=2)
    failing = start(rt, deler=0)
    _complete_first_task(app, failing, rt)
    at_t0.move_to(T0 + timedelta(hours=1, seconds=1))
    fire_timers(rt, utc_now())
    admin = signed_in(app, "beheerder@demo.sto")
    assert 'href="/beheer/processen"' in text(admin.get("/"))

    everything = text(admin.get("/beheer/processen?proces=storingsproef"))
    assert 'data-count="lopend">lopend: <strong>2</strong>' in everything
    assert f'href="{_page(running)}"' in everything and f'href="{_page(failing)}"' in everything

    with_incident = text(admin.get("/beheer/processen?storing=1"))
    assert f'href="{_page(failing)}"' in with_incident and f'href="{_page(running)}"' not in with_incident
    assert "1 verzoek gevonden." in with_incident

    _post(admin, running, "pauzeren", {"reason": REASON})
    paused = text(admin.get("/beheer/processen?status=gepauzeerd"))
    assert f'href="{_page(running)}"' in paused and f'href="{_page(failing)}"' not in paused

    bad = admin.get("/beheer/processen?status=weg&pagina=x")
    assert bad.status_code == 422 and "Onbekende status." in text(bad)


def test_region_users_and_process_owners_are_refused(app, rt) -> None:
    instance_id = start(rt, deler=2)
    for email in ("projectleider@demo.sto", "coordinator@demo.sto", "procesbeheerder@demo.sto"):
        client = signed_in(app, email)
        assert 'href="/beheer/processen"' not in text(client.get("/"))
        assert client.get("/beheer/processen").status_code == 403
        assert client.get(_page(instance_id)).status_code == 403
        token = csrf_token(client, "/")
        for action in ("pauzeren", "stoppen", "hervatten", "opnieuw", "overslaan"):
            refused = client.post(f"{_page(instance_id)}/{action}", data={"csrf_token": token, "reason": REASON})
            assert refused.status_code == 403, (email, action)
    row = instance_row(rt, instance_id)
    assert (row.status, row.suspended_at) == ("running", None)


def test_the_operator_page_shows_where_it_waits_and_the_trail(app, rt) -> None:
    instance_id = start(rt, deler=2)
    admin = signed_in(app, "beheerder@demo.sto")
    page = text(admin.get(_page(instance_id)))
    assert 'data-status="lopend"' in page
    assert "Voorbereiden" in page and "nog niet opgepakt" in page
    assert "storingsproef gestart" in page  # the Logboek
    assert "data-diagram" in page  # the diagram viewer


def test_suspend_from_the_page_blocks_the_task_page_and_the_api_until_resumed(app, rt, login) -> None:
    instance_id = start(rt, deler=2)
    admin = signed_in(app, "beheerder@demo.sto")
    empty = _post(admin, instance_id, "pauzeren", {"reason": ""})
    assert empty.status_code == 422 and "Schrijf waarom het verzoek wordt gepauzeerd." in text(empty)
    assert instance_row(rt, instance_id).suspended_at is None

    done = _post(admin, instance_id, "pauzeren", {"reason": REASON})
    assert done.status_code == 302
    page = text(admin.get(_page(instance_id)))
    assert 'data-status="gepauzeerd"' in page and REASON in page
    assert f"Gepauzeerd door de beheerder: {REASON}" in page

    task_page = text(signed_in(app, "projectleider@demo.sto").get(f"/taken/{open_task(rt, instance_id).id}"))
    assert f"Dit verzoek is gepauzeerd door de beheerder: {REASON}." in task_page
    refused = _complete_first_task(app, instance_id, rt)
    assert refused.status_code == 409 and "gepauzeerd door de beheerder" in text(refused)
    task = open_task(rt, instance_id)
    api = login("projectleider@demo.sto").post(f"/api/v1/tasks/{task.id}/complete", {"data": {}})
    assert api.status_code == 409 and "gepauzeerd door de beheerder" in api.json["message"]
    region_view = text(signed_in(app, "projectleider@demo.sto").get(f"/verzoeken/{instance_id}"))
    assert "gepauzeerd" in region_view and REASON in region_view
    assert "gepauzeerd" in text(signed_in(app, "projectleider@demo.sto").get("/verzoeken?status=gepauzeerd"))

    assert _post(admin, instance_id, "hervatten", {"reason": "Accountant akkoord"}).status_code == 302
    again = _post(admin, instance_id, "hervatten", {"reason": "Nog eens"})
    assert again.status_code == 409 and "niet gepauzeerd" in text(again)
    assert _complete_first_task(app, instance_id, rt).status_code == 302


def test_skip_from_the_page_needs_a_reason_and_moves_the_instance_on(app, rt, at_t0) -> None:
    instance_id = start(rt, deler=0)
    admin = signed_in(app, "beheerder@demo.sto")
    no_incident = _post(admin, instance_id, "overslaan", {"reason": REASON})
    assert no_incident.status_code == 409 and "geen open storing" in text(no_incident)

    _complete_first_task(app, instance_id, rt)
    at_t0.move_to(T0 + timedelta(hours=1, seconds=1))
    fire_timers(rt, utc_now())
    page = text(admin.get(_page(instance_id)))
    assert "Rekenen" in page and "een stap in het procesmodel gaf een fout" in page
    assert 'data-action="overslaan"' in page and 'data-action="opnieuw"' in page

    still = _post(admin, instance_id, "opnieuw", {"reason": ""})
    assert still.status_code == 409 and "maar het lukte nog niet" in text(still)

    empty = _post(admin, instance_id, "overslaan", {"reason": " "})
    assert empty.status_code == 422 and "Schrijf waarom deze stap wordt overgeslagen." in text(empty)
    assert len(open_incidents(rt, instance_id)) == 1

    skipped = _post(admin, instance_id, "overslaan", {"reason": "Deler komt later"})
    assert skipped.status_code == 302
    page = text(admin.get(_page(instance_id)))
    assert "De mislukte stap is overgeslagen" in page
    assert "Stap overgeslagen door de beheerder: Rekenen (Deler komt later)" in page
    assert "Geen open storingen." in page and "Uitkomst controleren" in page


def test_reassign_from_the_page_puts_the_task_in_the_new_inbox(app, rt, second_projectleider) -> None:
    instance_id = start(rt, deler=2)
    task = open_task(rt, instance_id)
    with rt.transaction(write=False) as session:
        second = session.scalar(select(User).where(User.email == second_projectleider))
        coordinator = session.scalar(select(User).where(User.email == "coordinator@demo.sto"))
    admin = signed_in(app, "beheerder@demo.sto")
    wrong = _post(admin, instance_id, f"taken/{task.id}/toewijzen", {"assignee": coordinator.id, "reason": ""})
    assert wrong.status_code == 422 and "Kies iemand met de rol projectleider in deze regio." in text(wrong)
    given = _post(admin, instance_id, f"taken/{task.id}/toewijzen", {"assignee": second.id, "reason": "Vakantie"})
    assert given.status_code == 302
    assert "Voorbereiden" in text(signed_in(app, second_projectleider).get("/"))
    assert "Voorbereiden" not in text(signed_in(app, "projectleider@demo.sto").get("/"))
    with rt.transaction(write=False) as session:
        assert session.get(HumanTask, task.id).assignee_id == second.id


def test_a_page_that_is_out_of_date_gets_a_conflict_and_changes_nothing(app, rt) -> None:
    instance_id = start(rt, deler=2)
    first = signed_in(app, "beheerder@demo.sto")
    old_version = instance_row(rt, instance_id).version
    _post(first, instance_id, "pauzeren", {"reason": REASON})
    late = post_form(
        first,
        f"{_page(instance_id)}/stoppen",
        {"version": old_version, "reason": "Dubbel"},
        form_page=_page(instance_id),
    )
    assert late.status_code == 409 and "intussen gewijzigd" in text(late)
    assert instance_row(rt, instance_id).status == "running"
    with rt.transaction(write=False) as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == instance_id)))
    assert "instance_withdrawn" not in actions


def test_cancel_from_the_page_stops_the_request(app, rt) -> None:
    instance_id = start(rt, deler=2)
    admin = signed_in(app, "beheerder@demo.sto")
    assert _post(admin, instance_id, "stoppen", {"reason": "Dubbel ingediend"}).status_code == 302
    page = text(admin.get(_page(instance_id)))
    assert 'data-status="ingetrokken"' in page and "Verzoek stopgezet door de beheerder: Dubbel ingediend" in page
    assert 'data-action="pauzeren"' not in page  # nothing left to act on
    assert open_task(rt, instance_id) is None
