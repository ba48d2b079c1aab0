"""Storingen: an instance whose stored state cannot be loaded answers with a Dutch page (never a 500), becomes
an incident that administrators (and the region's coordinator) see, and "Opnieuw proberen" clears it once the
state is repaired."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from service.models import HumanTask, Incident, ProcessInstance

from .change_request import ZORGROBOTS
from .pages import post_form, signed_in, text

DAMAGED = '{"sto_format": 1, "workflow": {"tasks": ['


def _damaged_request(app, runtime):  # type: ignore[no-untyped-def]
    """A change request waiting at its first task, whose stored state was then damaged; returns (client,
    task url, instance id, the good state)."""
    client = signed_in(app, "projectleider@demo.sto")
    response = post_form(client, "/nieuw", {"proces": "wijzigingsverzoek", "regio": "demo"})
    task_url = response.headers["Location"]
    with runtime.transaction(write=True) as session:
        task = session.get(HumanTask, int(task_url.rstrip("/").rsplit("/", 1)[-1]))
        instance_id, good = task.instance_id, task.instance.state
        session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(state=DAMAGED))
    return client, task_url, instance_id, good


def _open_incidents(runtime) -> list[Incident]:  # type: ignore[no-untyped-def]
    with runtime.transaction(write=False) as session:
        return list(session.scalars(select(Incident).where(Incident.resolved_at.is_(None))))


def test_unreadable_state_shows_a_dutch_page_and_becomes_an_incident(app, runtime, login) -> None:
    client, task_url, instance_id, _good = _damaged_request(app, runtime)

    page = client.get(task_url)
    assert page.status_code == 503
    assert "Dit verzoek kan niet worden geladen" in text(page)
    assert f"/verzoeken/{instance_id}" in text(page)  # where to look instead

    task_id = int(task_url.rstrip("/").rsplit("/", 1)[-1])
    api = login("projectleider@demo.sto").post(f"/api/v1/tasks/{task_id}/complete", {"data": ZORGROBOTS})
    assert api.status_code == 503
    assert api.json["error"] == "state_unreadable"
    assert api.json["message"].startswith("Dit verzoek kan niet worden geladen")
    with runtime.transaction(write=False) as session:
        assert session.get(HumanTask, task_id).status == "open"  # nothing saved

    instance_page = client.get(f"/verzoeken/{instance_id}")
    assert instance_page.status_code == 200
    assert "Storing:" in text(instance_page) and "kan niet worden geladen" in text(instance_page)
    [incident] = _open_incidents(runtime)
    assert (incident.instance_id, incident.attempts) == (instance_id, 2)  # the page and the completion


def test_administrator_retries_an_incident_and_it_disappears_once_repaired(app, runtime) -> None:
    client, task_url, instance_id, good = _damaged_request(app, runtime)
    client.get(task_url)
    admin = signed_in(app, "beheerder@demo.sto")
    assert 'href="/beheer/storingen"' in text(admin.get("/"))
    listing = text(admin.get("/beheer/storingen"))
    assert f'href="/beheer/processen/{instance_id}"' in listing  # administrators hold no region role: the console
    assert "opgeslagen toestand" in listing and "Dit verzoek kan niet worden geladen" in listing
    [incident] = _open_incidents(runtime)

    retry_path = f"/beheer/storingen/{incident.id}/opnieuw"
    still_broken = post_form(admin, retry_path, {}, form_page="/beheer/storingen")
    assert still_broken.status_code == 302
    listing = text(admin.get("/beheer/storingen"))
    assert "maar het lukte nog niet" in listing and f'data-incident-id="{incident.id}"' in listing

    with runtime.transaction(write=True) as session:
        session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(state=good))
    post_form(admin, retry_path, {}, form_page="/beheer/storingen")
    listing = text(admin.get("/beheer/storingen"))
    assert f"Gelukt: verzoek {instance_id} loopt weer." in listing
    assert "Geen storingen." in listing
    assert _open_incidents(runtime) == []
    assert client.get(task_url).status_code == 200


def test_retry_needs_the_form_token(app, runtime) -> None:
    client, task_url, _instance_id, _good = _damaged_request(app, runtime)
    client.get(task_url)
    [incident] = _open_incidents(runtime)
    admin = signed_in(app, "beheerder@demo.sto")
    assert admin.post(f"/beheer/storingen/{incident.id}/opnieuw").status_code == 400
    assert _open_incidents(runtime)[0].attempts == 1


def test_only_administrators_and_the_regions_coordinator_see_incidents(app, runtime) -> None:
    client, task_url, instance_id, _good = _damaged_request(app, runtime)
    client.get(task_url)
    coordinator = signed_in(app, "coordinator@demo.sto")
    assert f'href="/verzoeken/{instance_id}"' in text(coordinator.get("/beheer/storingen"))
    other_region = signed_in(app, "coordinator@noord.sto")
    assert "Geen storingen." in text(other_region.get("/beheer/storingen"))
    [incident] = _open_incidents(runtime)
    assert (
        post_form(
            other_region, f"/beheer/storingen/{incident.id}/opnieuw", {}, form_page="/beheer/storingen"
        ).status_code
        == 404
    )
    projectleider = signed_in(app, "projectleider@demo.sto")
    assert projectleider.get("/beheer/storingen").status_code == 403
    assert 'href="/beheer/storingen"' not in text(projectleider.get("/"))
    assert re.search(r"Alleen beheerders en co.rdinatoren", text(projectleider.get("/beheer/storingen")))
