"""'Mijn agenda': each user's secret iCalendar address with the deadlines of their regions and the due dates of
their open tasks. The feed needs no session (the token is the key); a wrong token finds nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from service.domain import deadlines, reports
from service.models import Deadline, HumanTask
from service.web.runtime import Runtime
from tests.web.pages import post_form, signed_in, text

_FEED_URL = re.compile(r'id="agenda-adres" value="(http://[^"]+)"')


def _feed_path(client: FlaskClient) -> str:
    """Make the user's address on 'Mijn agenda' and return its path."""
    assert "Agenda-adres maken" in text(client.get("/agenda"))
    assert post_form(client, "/agenda/vernieuwen", {}, form_page="/agenda").status_code == 302
    page = text(client.get("/agenda"))
    assert "Uw agenda-adres is klaar." in page
    url = _FEED_URL.search(page).group(1)
    assert url.startswith("http://127.0.0.1:5000/agenda/") and url.endswith(".ics")
    return url.removeprefix("http://127.0.0.1:5000")


def _events(app: Flask, path: str) -> dict[str, dict]:
    """The feed's events by UID, fetched without any session."""
    response = app.test_client().get(path)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert calendar["version"] == "2.0"
    return {
        str(event["uid"]): {
            "summary": str(event["summary"]),
            "start": event.decoded("dtstart"),
            "end": event.decoded("dtend"),
            "url": str(event["url"]),
            "description": str(event["description"]),
        }
        for event in calendar.walk("VEVENT")
    }


def test_the_feed_holds_the_regions_deadlines_and_the_due_dates_of_open_tasks(app: Flask, runtime: Runtime) -> None:
    with runtime.transaction(write=True) as session:
        report = session.scalars(
            select(Deadline).where(Deadline.region_code == "demo", Deadline.kind == "voortgangsrapportage")
        ).one()
        report.due_date = date(2027, 1, 11)
        reports.start_report(session, deadline=report, actor=None, now=runtime.clock())
        report_id = report.id
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == report.instance_id))
        task_id, task_due = task.id, task.due_at
    projectleider = signed_in(app, "projectleider@demo.sto")
    path = _feed_path(projectleider)

    events = _events(app, path)

    with runtime.transaction(write=False) as session:
        dated = [d for d in deadlines.list_deadlines(session, "demo") if d.due_date is not None]
    assert len(dated) == 7  # four annual reports, the activity plan, the spending end and this progress report
    for deadline in dated:
        event = events[f"termijn-{deadline.id}@127.0.0.1"]
        assert event["summary"] == f"Termijn Demo-regio: {deadline.title}"
        assert (event["start"], event["end"]) == (deadline.due_date, deadline.due_date + timedelta(days=1))
        assert event["url"] == "http://127.0.0.1:5000/termijnen/demo"
    assert "Stand: Rapportage loopt" in events[f"termijn-{report_id}@127.0.0.1"]["description"]
    task_event = events[f"taak-{task_id}@127.0.0.1"]
    assert task_event["summary"] == (
        "Taak afronden: Inhoudelijk deel van de rapportage opstellen (Voortgangsrapportage (inhoudelijk en financieel))"
    )
    assert task_event["start"] == task_due.date() and isinstance(task_event["start"], date)
    assert task_event["url"] == f"http://127.0.0.1:5000/taken/{task_id}"
    assert not any(uid.startswith("termijn") and "Noord" in e["summary"] for uid, e in events.items())
    assert set(_events(app, path)) == set(events)  # stable UIDs: a calendar updates events instead of doubling them


def test_tasks_for_other_roles_stay_out_of_the_feed(app: Flask, runtime: Runtime) -> None:
    with runtime.transaction(write=True) as session:
        report = session.scalars(select(Deadline).where(Deadline.kind == "eindverslag", Deadline.region_code == "demo"))
        reports.start_report(session, deadline=report.one(), actor=None, now=runtime.clock())
    stuurgroep = signed_in(app, "stuurgroep@demo.sto")
    events = _events(app, _feed_path(stuurgroep))
    assert not [uid for uid in events if uid.startswith("taak-")]
    assert len([uid for uid in events if uid.startswith("termijn-")]) == 6


def _other_tail(part: str) -> str:
    """The same string with its last two characters changed (never to what they were)."""
    return part[:-2] + ("xy" if part[-2:] != "xy" else "yx")


def test_a_wrong_or_renewed_token_gives_not_found(app: Flask) -> None:
    coordinator = signed_in(app, "coordinator@noord.sto")
    path = _feed_path(coordinator)
    token = path.removeprefix("/agenda/").removesuffix(".ics")
    key, signature = token.split(".")
    client = app.test_client()
    assert client.get("/agenda/onzin.ics").status_code == 404
    assert client.get(f"/agenda/{key}.ics").status_code == 404
    assert client.get(f"/agenda/{key}.{_other_tail(signature)}.ics").status_code == 404
    assert client.get(f"/agenda/{_other_tail(key)}.{signature}.ics").status_code == 404
    events = _events(app, path)
    assert all("Regio Noord" in e["summary"] for uid, e in events.items() if uid.startswith("termijn-"))

    response = post_form(coordinator, "/agenda/vernieuwen", {}, form_page="/agenda")

    assert response.status_code == 302
    page = text(coordinator.get("/agenda"))
    assert "U heeft een nieuw agenda-adres. Het oude adres werkt niet meer." in page
    assert client.get(path).status_code == 404
    assert client.get(_FEED_URL.search(page).group(1).removeprefix("http://127.0.0.1:5000")).status_code == 200


def test_mijn_agenda_needs_a_signed_in_user(app: Flask) -> None:
    response = app.test_client().get("/agenda")
    assert response.status_code == 302 and "/aanmelden" in response.location
