"""The deadline calendar pages: the coordinator, the penvoerder and administrators edit a region's deadlines;
the other roles read them; other regions do not exist."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from sqlalchemy import select

from service.domain import demo
from service.models import Deadline, ProcessInstance
from service.web.runtime import Runtime
from tests.web.pages import csrf_token, post_form, signed_in, text


def _deadline(runtime: Runtime, kind: str, region: str = "demo") -> Deadline:
    with runtime.transaction(write=False) as session:
        return session.scalars(
            select(Deadline).where(Deadline.region_code == region, Deadline.kind == kind).order_by(Deadline.id)
        ).first()


def _deadlines(runtime: Runtime, kind: str, region: str = "demo") -> list[Deadline]:
    with runtime.transaction(write=False) as session:
        return list(
            session.scalars(
                select(Deadline).where(Deadline.region_code == region, Deadline.kind == kind).order_by(Deadline.id)
            )
        )


def _form(deadline: Deadline, **changes: str) -> dict[str, str]:
    values = {
        "kind": deadline.kind,
        "title": deadline.title,
        "due_date": deadline.due_date.isoformat() if deadline.due_date else "",
        "lead_days": "" if deadline.lead_days is None else str(deadline.lead_days),
        "reminder_weeks": ",".join(str(w) for w in deadline.reminder_weeks),
        "note": deadline.note or "",
    }
    return {**values, **changes}


def test_the_coordinator_sets_the_date_of_the_progress_report(app: Flask, runtime: Runtime) -> None:
    coordinator = signed_in(app, "coordinator@demo.sto")
    report = _deadline(runtime, "voortgangsrapportage")
    calendar = text(coordinator.get("/termijnen/demo"))
    assert "Termijnen van Demo-regio" in calendar and "nog onbekend" in calendar
    assert "1 oktober 2026" in calendar and "31 december 2028" in calendar
    path = f"/termijnen/demo/{report.id}"

    response = post_form(coordinator, path, _form(report, due_date="2027-03-01", lead_days="56", reminder_weeks="4,1"))

    assert response.status_code == 302 and response.location == "/termijnen/demo"
    saved = _deadline(runtime, "voortgangsrapportage")
    assert (saved.due_date, saved.lead_days, saved.reminder_weeks) == (date(2027, 3, 1), 56, [4, 1])
    page = text(coordinator.get("/termijnen/demo"))
    assert "Termijn &#39;Voortgangsrapportage (inhoudelijk en financieel)&#39; is opgeslagen." in page
    assert "1 maart 2027" in page and "4 januari 2027" in page  # the report starts 56 days before


def test_invalid_input_keeps_what_was_typed_with_dutch_errors_and_saves_nothing(app: Flask, runtime: Runtime) -> None:
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    report = _deadline(runtime, "eindverslag")
    path = f"/termijnen/demo/{report.id}"

    response = post_form(
        penvoerder, path, _form(report, title="", due_date="31-02-2028", lead_days="zes weken", reminder_weeks="8,x")
    )

    page = text(response)
    assert response.status_code == 422
    assert "Niet alle velden zijn goed ingevuld." in page and "Er is niets opgeslagen" in page
    assert "Vul een titel in." in page
    assert "Vul een geldige datum in (jjjj-mm-dd) tussen 2024 en 2035, of laat het veld leeg." in page
    assert "Vul een heel aantal dagen in van 0 tot en met 365, of laat het veld leeg." in page
    assert "Vul hele aantallen weken (1 tot en met 104) in, gescheiden door komma&#39;s" in page
    assert 'value="31-02-2028"' in page and 'value="zes weken"' in page and 'value="8,x"' in page
    assert 'aria-invalid="true"' in page
    saved = _deadline(runtime, "eindverslag")
    assert (saved.title, saved.due_date, saved.lead_days) == (report.title, None, 42)


def test_an_administrator_adds_a_deadline(app: Flask, runtime: Runtime) -> None:
    admin = signed_in(app, demo.DEMO_ADMIN)
    assert "Demo-regio" in text(admin.get("/termijnen")) and "Regio Noord" in text(admin.get("/termijnen"))
    form = {
        "kind": "voortgangsrapportage",
        "title": "Tweede voortgangsrapportage",
        "due_date": "15-09-2027",
        "lead_days": "42",
        "reminder_weeks": "8,4,2,1",
        "note": "",
    }
    response = post_form(admin, "/termijnen/noord/nieuw", form)
    assert response.status_code == 302
    with runtime.transaction(write=False) as session:
        added = session.scalar(select(Deadline).where(Deadline.title == "Tweede voortgangsrapportage"))
    assert (added.region_code, added.due_date) == ("noord", date(2027, 9, 15))


def test_a_projectleider_reads_the_calendar_but_cannot_edit_it(app: Flask, runtime: Runtime) -> None:
    projectleider = signed_in(app, "projectleider@demo.sto")
    report = _deadline(runtime, "voortgangsrapportage")
    assert projectleider.get("/termijnen").location == "/termijnen/demo"  # one region: straight to its calendar
    page = text(projectleider.get("/termijnen/demo"))
    assert "Voortgangsrapportage (inhoudelijk en financieel)" in page
    assert "Wijzigen" not in page and "Termijn toevoegen" not in page and "Nu starten" not in page
    assert projectleider.get(f"/termijnen/demo/{report.id}").status_code == 403
    assert projectleider.get("/termijnen/demo/nieuw").status_code == 403
    token = csrf_token(projectleider, "/termijnen/demo")  # the page's layout still carries a token
    response = projectleider.post(
        f"/termijnen/demo/{report.id}", data={**_form(report, due_date="2027-01-01"), "csrf_token": token}
    )
    assert response.status_code == 403
    start = projectleider.post(f"/termijnen/demo/{report.id}/starten", data={"csrf_token": token})
    assert start.status_code == 403
    assert _deadline(runtime, "voortgangsrapportage").due_date is None


def test_a_user_of_another_region_gets_not_found(app: Flask, runtime: Runtime) -> None:
    noord = signed_in(app, "coordinator@noord.sto")
    report = _deadline(runtime, "voortgangsrapportage")
    assert noord.get("/termijnen/demo").status_code == 404
    assert noord.get(f"/termijnen/demo/{report.id}").status_code == 404
    assert noord.get("/termijnen/demo/nieuw").status_code == 404
    own = _deadline(runtime, "voortgangsrapportage", "noord")
    assert noord.get(f"/termijnen/demo/{own.id}").status_code == 404  # a noord deadline under the demo path
    token = csrf_token(noord, "/termijnen/noord")
    assert noord.post(f"/termijnen/demo/{report.id}", data={**_form(report), "csrf_token": token}).status_code == 404


def test_forms_without_the_csrf_token_are_refused(app: Flask, runtime: Runtime) -> None:
    coordinator = signed_in(app, "coordinator@demo.sto")
    report = _deadline(runtime, "voortgangsrapportage")
    response = coordinator.post(f"/termijnen/demo/{report.id}", data=_form(report, due_date="2027-01-01"))
    assert response.status_code == 400
    assert _deadline(runtime, "voortgangsrapportage").due_date is None


def _row(page: str, deadline_id: int) -> str:
    """The calendar's table row of one deadline."""
    found = re.search(rf'<tr data-deadline-id="{deadline_id}".*?</tr>', page, re.S)
    assert found, f"no row for deadline {deadline_id}"
    return found.group(0)


def _report_count(runtime: Runtime) -> int:
    with runtime.transaction(write=False) as session:
        return len(session.scalars(select(ProcessInstance.id)).all())


def test_the_penvoerder_starts_a_future_report_by_hand_with_one_click(app: Flask, runtime: Runtime) -> None:
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    next_annual = _deadlines(runtime, "jaarverslag")[1]  # 30 June 2027: ahead, the calendar starts it in May
    assert "Nu starten" in _row(text(penvoerder.get("/termijnen/demo")), next_annual.id)

    response = post_form(penvoerder, f"/termijnen/demo/{next_annual.id}/starten", {}, form_page="/termijnen/demo")

    started = _deadlines(runtime, "jaarverslag")[1]
    assert response.status_code == 302 and response.location == f"/verzoeken/{started.instance_id}"
    with runtime.transaction(write=False) as session:
        assert session.get(ProcessInstance, started.instance_id).definition.process_key == "rapportage"
    assert "rapportage loopt" in _row(text(penvoerder.get("/termijnen/demo")), next_annual.id)
    again = post_form(penvoerder, f"/termijnen/demo/{next_annual.id}/starten", {}, form_page="/termijnen/demo")
    assert again.status_code == 409


def test_a_passed_deadline_has_no_one_click_start_only_a_confirmation_page(app: Flask, runtime: Runtime) -> None:
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    annual = _deadline(runtime, "jaarverslag")  # 30 June 2026: passed, so the calendar did not start it

    row = _row(text(penvoerder.get("/termijnen/demo")), annual.id)

    assert 'data-status="verstreken"' in row and "datum verstreken" in row
    assert "Nu starten" not in row and "<form" not in row and "<button" not in row
    assert f'href="/termijnen/demo/{annual.id}/starten"' in row and "Toch starten" in row
    page = text(penvoerder.get(f"/termijnen/demo/{annual.id}/starten"))
    assert "<h1>Rapportage starten</h1>" in page and annual.title in page and "30 juni 2026" in page
    assert "De datum van deze termijn is voorbij." in page
    assert 'type="checkbox" id="in-past_confirmed" name="past_confirmed" value="ja" required' in page
    assert "De datum is verstreken; toch starten" in page
    assert _deadline(runtime, "jaarverslag").instance_id is None  # looking at the page starts nothing


def test_a_passed_deadline_does_not_start_without_the_confirmation(app: Flask, runtime: Runtime) -> None:
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    annual = _deadline(runtime, "jaarverslag")
    path = f"/termijnen/demo/{annual.id}/starten"
    before = _report_count(runtime)

    for form in ({}, {"past_confirmed": ""}, {"past_confirmed": "nee"}):
        response = post_form(penvoerder, path, form)
        page = text(response)
        assert response.status_code == 422
        assert "Vink aan dat de datum is verstreken en dat u de rapportage toch wilt starten." in page
        assert 'aria-invalid="true"' in page and "De datum is verstreken; toch starten" in page

    assert _deadline(runtime, "jaarverslag").instance_id is None
    assert _report_count(runtime) == before
    assert "datum verstreken" in _row(text(penvoerder.get("/termijnen/demo")), annual.id)


def test_a_passed_deadline_starts_once_the_editor_confirms(app: Flask, runtime: Runtime) -> None:
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    annual = _deadline(runtime, "jaarverslag")
    path = f"/termijnen/demo/{annual.id}/starten"

    response = post_form(penvoerder, path, {"past_confirmed": "ja"})

    started = _deadline(runtime, "jaarverslag")
    assert response.status_code == 302 and response.location == f"/verzoeken/{started.instance_id}"
    with runtime.transaction(write=False) as session:
        assert session.get(ProcessInstance, started.instance_id).definition.process_key == "rapportage"
    assert "rapportage loopt" in _row(text(penvoerder.get("/termijnen/demo")), annual.id)
    assert penvoerder.get(path).location == f"/verzoeken/{started.instance_id}"  # started: the page says so


def test_an_empty_calendar_is_filled_with_the_known_deadlines_on_request(app: Flask, runtime: Runtime) -> None:
    with runtime.transaction(write=True) as session:
        session.query(Deadline).filter(Deadline.region_code == "demo").delete()
    coordinator = signed_in(app, "coordinator@demo.sto")
    assert "Vullen met de bekende termijnen" in text(coordinator.get("/termijnen/demo"))
    response = post_form(coordinator, "/termijnen/demo/vullen", {}, form_page="/termijnen/demo")
    assert response.status_code == 302
    page = text(coordinator.get("/termijnen/demo"))
    assert "De kalender is gevuld met 8 bekende termijnen." in page and "30 juni 2026" in page
