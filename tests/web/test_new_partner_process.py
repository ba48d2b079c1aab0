"""Seed case 2 through the API and the contact's personal link: a vmbo school joins the region with MVI, D&P and
Z&W in BB and KB, paid from instroombevordering; and the paths beside it (refused by the decision table, rejected
by the stuurgroep, an expired link)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import time_machine
from sqlalchemy import select

from service.jobs.timers import fire_timers
from service.models import (
    Activity,
    AuditEvent,
    BudgetMutation,
    OutboxEmail,
    Partner,
    PartnerActivity,
    PartnerDocument,
    PartnerInvitation,
)
from service.runtime import utc_now
from service.web.runtime import Runtime
from tests.web.flow import count, inbox_names, instance
from tests.web.pages import csrf_token, signed_in, text

CONTACT = "f.elamrani@dehorizon.example"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DE_HORIZON: dict[str, Any] = {
    "soort": "vmbo",
    "naam": "Vmbo De Horizon",
    "brin": "27hz 00",
    "bevoegd_gezag": "Stichting De Horizon",
    "plaats": "Hattem",
    "profielen": ["mvi", "dp", "zw"],
    "leerwegen": ["BB", "KB"],
    "contact_naam": "Fatima el Amrani",
    "contact_email": CONTACT,
    "contact_functie": "directeur",
    "activiteiten": ["Open lessen techniekprofielen"],
    "bedrag": 12000,
    "van_activiteit": "Techniekmiddagen basisonderwijs",
    "naar_activiteit": "Open lessen techniekprofielen",
    "jaar": 2026,
    "toelichting": "De school wil haar techniekprofiel MVI laten groeien met open lessen.",
    "link_geldig_dagen": 14,
}
ADVICE = {
    "voldoet_aan_regels": True,
    "budget_beschikbaar": True,
    "advies": "positief",
    "toelichting_advies": "Past in de regio; er is ruimte bij de techniekmiddagen.",
}
APPROVED = {"besluit": "goedgekeurd", "vergaderdatum": "2026-12-10", "notulen_kenmerk": "SG-2026-12-10"}
REPORTED = {"verzonden_op": "2026-12-14", "kenmerk_dus_i": "DUS-I/STO/2026/0412"}


def _start(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    started = user.post("/api/v1/processes/nieuwe_partner/instances", {"region": "demo", "data": {}})
    assert started.status_code == 201, started.json
    return _complete(user, _only(started.json, "Kandidaat-partner aanmelden"), data)


def _only(case: dict[str, Any], name: str) -> int:
    names = [t["name"] for t in case["open_tasks"]]
    assert names == [name], names
    return case["open_tasks"][0]["id"]


def _complete(user: Any, task_id: int, data: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = user.post(f"/api/v1/tasks/{task_id}/complete", {"data": data})
    assert response.status_code == status, response.json
    return response.json


def _to_signing(login: Any, data: dict[str, Any] = DE_HORIZON) -> dict[str, Any]:
    projectleider, penvoerder, stuurgroep = (
        login(f"{r}@demo.sto") for r in ("projectleider", "penvoerder", "stuurgroep")
    )
    case = _start(projectleider, data)
    case = _complete(penvoerder, _only(case, "Geschiktheid en budget toetsen"), ADVICE)
    return _complete(stuurgroep, _only(case, "Besluiten over de nieuwe partner"), APPROVED)


def _link(runtime: Runtime, address: str = CONTACT) -> str:
    """The personal link in the newest mail to the contact."""
    with runtime.transaction(write=False) as session:
        mail = session.scalars(
            select(OutboxEmail).where(OutboxEmail.recipient == address).order_by(OutboxEmail.id.desc())
        ).first()
        assert mail is not None, "no mail to the contact"
        found = re.search(r"(/uitnodiging/[0-9]+-[A-Za-z0-9_-]+)", mail.body_text)
        assert found, mail.body_text
        return found[1]


def _accept(client: Any, link: str, data: dict[str, str]) -> Any:
    """Post the acceptance form as the contact's browser would (the CSRF token of an anonymous session)."""
    return client.post(link, data={**data, "csrf_token": csrf_token(client, "/aanmelden")})


def _partner(runtime: Runtime, name: str = "Vmbo De Horizon") -> Partner | None:
    with runtime.transaction(write=False) as session:
        partner = session.scalars(select(Partner).where(Partner.name == name)).first()
        if partner is not None:
            session.expunge(partner)
        return partner


def test_seed_case_2_a_school_joins_through_the_personal_link(runtime: Runtime, login, client) -> None:  # type: ignore[no-untyped-def]
    case = _to_signing(login)
    signing = _only(case, "Ondertekening door de nieuwe partner")
    candidate = _partner(runtime)
    assert candidate is not None and candidate.status == "kandidaat" and candidate.brin == "27HZ00"
    assert candidate.profielen == ["mvi", "dp", "zw"] and candidate.leerwegen == ["BB", "KB"]

    # Nobody can claim through the form that the partner signed through the link.
    faked = _complete(login("projectleider@demo.sto"), signing, {"aanvaard_via": "link"}, status=422)
    assert "aanvaard_via" in str(faked)

    link = _link(runtime)
    page = client.get(link)
    assert page.status_code == 200
    assert "Vmbo De Horizon" in page.get_data(as_text=True) and "Demo-regio" in page.get_data(as_text=True)

    # Forgetting to tick the box changes nothing; the link still works.
    refused = _accept(client, link, {"naam": "Fatima el Amrani", "functie": "directeur"})
    assert refused.status_code == 422 and "Vink aan" in refused.get_data(as_text=True)
    assert count(runtime, PartnerInvitation, PartnerInvitation.used_at.is_not(None)) == 0

    # An altered link is refused with a Dutch page, and nothing changes.
    number, nonce = link.rsplit("/", 1)[1].split("-", 1)
    tampered = _accept(
        client, f"/uitnodiging/{number}-{nonce[:-1]}{'A' if nonce[-1] != 'A' else 'B'}", {"naam": "X", "akkoord": "ja"}
    )
    assert tampered.status_code == 404 and "Deze link is niet geldig" in tampered.get_data(as_text=True)

    accepted = _accept(client, link, {"naam": "Fatima el Amrani", "functie": "directeur", "akkoord": "ja"})
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    assert "Dank u wel" in accepted.get_data(as_text=True)

    again = _accept(client, link, {"naam": "Fatima el Amrani", "akkoord": "ja"})
    assert again.status_code == 409 and "al gebruikt" in again.get_data(as_text=True)
    assert client.get(link).status_code == 409

    penvoerder = login("penvoerder@demo.sto")
    now_open = instance(penvoerder, case["id"])
    melden = _only(now_open, "Nieuwe partner schriftelijk melden aan DUS-I")
    assert signing != melden
    letter = penvoerder.get(f"/api/v1/tasks/{melden}").json["data"]["brief_tekst"]
    task_page = text(signed_in(client.application, "penvoerder@demo.sto").get(f"/taken/{melden}"))
    for shown in ("Aanvaard via", "de persoonlijke link", "Aanvaard door", "Fatima el Amrani", "30 november 2026"):
        assert shown in task_page, shown
    assert "aanvaard_via" not in task_page
    for expected in (
        "Vmbo De Horizon",
        "27HZ00",
        "Media, Vormgeving en ICT (MVI)",
        "Dienstverlening en Producten (D&P)",
        "Zorg en Welzijn (Z&W)",
        "basisberoepsgericht (BB)",
        "kaderberoepsgericht (KB)",
        "€ 12.000,00",
        "Techniekmiddagen basisonderwijs (programmalijn Instroombevordering)",
        "2026-12-10",
        "SG-2026-12-10",
    ):
        assert expected in letter, expected
    done = _complete(penvoerder, melden, {"brief_tekst": letter, **REPORTED})
    assert done["status"] == "completed"

    partner = _partner(runtime)
    assert partner is not None and partner.status == "actief" and partner.active_from == date(2026, 12, 10)
    assert partner.joined_by_instance_id == case["id"]
    with runtime.transaction(write=False) as session:
        joined = session.scalars(
            select(Activity.name).join(PartnerActivity).where(PartnerActivity.partner_id == partner.id)
        ).all()
        assert joined == ["Open lessen techniekprofielen"]
        mutation = session.scalars(select(BudgetMutation).where(BudgetMutation.instance_id == case["id"])).one()
        assert mutation.amount == Decimal("12000.00") and mutation.year == 2026
        assert mutation.from_activity.name == "Techniekmiddagen basisonderwijs"
        assert mutation.from_activity.programme_line.code == "instroombevordering"
        documents = session.scalars(select(PartnerDocument).where(PartnerDocument.partner_id == partner.id)).all()
        assert [d.kind for d in documents] == ["huishoudelijk_reglement"]
        assert b"Fatima el Amrani, directeur" in documents[0].content
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == case["id"])))
        assert {"partner_invited", "partner_accepted", "partner_changed", "instance_completed"} <= actions
        told = set(session.scalars(select(OutboxEmail.recipient).where(OutboxEmail.kind == "partner_nieuw")))
    # Everyone with a role in the region, and the contacts of the region's other partners.
    assert {"projectleider@demo.sto", "stuurgroep@demo.sto", "i.bakker@debrug.example"} <= told
    assert not any(address.endswith("@noord.sto") or "noorderpoort" in address for address in told)


def test_a_school_active_in_another_region_is_refused_with_that_regions_name(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    projectleider = login("projectleider@demo.sto")
    case = _start(projectleider, {**DE_HORIZON, "naam": "Noorderpoort Vmbo Techniek", "brin": "41NO00"})
    assert case["status"] == "completed" and case["open_tasks"] == []
    data = instance(projectleider, case["id"])["data"]
    assert data["besluit"] == "afgewezen" and "Regio Noord" in data["toelichting_besluit"]
    assert _partner(runtime, "Noorderpoort Vmbo Techniek") is not None  # noord's own row, untouched
    assert count(runtime, Partner, Partner.region_code == "demo", Partner.brin == "41NO00") == 0


def test_a_vmbo_school_without_bb_kb_or_gl_is_refused(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    case = _start(login("projectleider@demo.sto"), {**DE_HORIZON, "leerwegen": ["TL"]})
    assert case["status"] == "completed"
    assert "BB, KB of GL" in case["data"]["toelichting_besluit"]


def test_no_technical_profiel_is_a_warning_the_deciders_see_and_can_still_approve(
    runtime: Runtime, login, client
) -> None:  # type: ignore[no-untyped-def]
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    case = _start(projectleider, {**DE_HORIZON, "profielen": ["dp", "zw"]})
    task_id = _only(case, "Geschiktheid en budget toetsen")
    assert "geen technisch profiel" in penvoerder.get(f"/api/v1/tasks/{task_id}").json["data"]["waarschuwing"]
    page = text(signed_in(client.application, "penvoerder@demo.sto").get(f"/taken/{task_id}"))
    assert "Let op" in page and "geen technisch profiel" in page
    case = _complete(penvoerder, task_id, ADVICE)
    case = _complete(login("stuurgroep@demo.sto"), _only(case, "Besluiten over de nieuwe partner"), APPROVED)
    _only(case, "Ondertekening door de nieuwe partner")


def test_rejected_by_the_stuurgroep_leaves_the_register_alone(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    case = _start(login("projectleider@demo.sto"), DE_HORIZON)
    case = _complete(login("penvoerder@demo.sto"), _only(case, "Geschiktheid en budget toetsen"), ADVICE)
    stuurgroep = login("stuurgroep@demo.sto")
    besluit = _only(case, "Besluiten over de nieuwe partner")
    no_reason = _complete(stuurgroep, besluit, {**APPROVED, "besluit": "afgewezen"}, status=422)
    assert "toelichting_besluit" in str(no_reason)
    case = _complete(stuurgroep, besluit, {**APPROVED, "besluit": "afgewezen", "toelichting_besluit": "Geen budget."})
    assert case["status"] == "completed"
    assert _partner(runtime) is None
    assert count(runtime, PartnerInvitation) == 0


def test_bad_registration_is_refused_naming_the_field_and_nothing_is_saved(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    projectleider = login("projectleider@demo.sto")
    started = projectleider.post("/api/v1/processes/nieuwe_partner/instances", {"region": "demo", "data": {}}).json
    task_id = _only(started, "Kandidaat-partner aanmelden")
    refused = _complete(projectleider, task_id, {**DE_HORIZON, "brin": "12345"}, status=422)
    assert "brin" in str(refused) and "vier tekens en twee cijfers" in str(refused)
    refused = _complete(projectleider, task_id, {**DE_HORIZON, "naar_activiteit": None}, status=422)
    assert "naar_activiteit" in str(refused)
    _only(instance(projectleider, started["id"]), "Kandidaat-partner aanmelden")


def test_an_expired_link_is_refused_and_the_task_goes_back_to_the_projectleider(
    runtime: Runtime, login, client
) -> None:  # type: ignore[no-untyped-def]
    # Engine timers run on the wall clock, so the whole request does; time_machine moves it.
    runtime.clock = utc_now
    with time_machine.travel(T0, tick=False):
        case = _to_signing(login, {**DE_HORIZON, "link_geldig_dagen": 4})
        link = _link(runtime)
    with time_machine.travel(T0 + timedelta(days=2, minutes=1), tick=False):
        fire_timers(runtime, utc_now())
        assert client.get(link).status_code == 200  # still valid halfway
    with runtime.transaction(write=False) as session:
        reminders = session.scalars(
            select(OutboxEmail.subject).where(
                OutboxEmail.recipient == CONTACT, OutboxEmail.subject.like("Herinnering%")
            )
        ).all()
    assert len(reminders) == 1
    assert _link(runtime) == link  # the reminder carries the same link
    with time_machine.travel(T0 + timedelta(days=4, minutes=1), tick=False):
        fire_timers(runtime, utc_now())
        expired = _accept(client, link, {"naam": "Fatima el Amrani", "akkoord": "ja"})
        assert expired.status_code == 410 and "verlopen" in text(expired)
        assert count(runtime, PartnerInvitation, PartnerInvitation.used_at.is_not(None)) == 0
        projectleider = login("projectleider@demo.sto")
        follow_up = _only(instance(projectleider, case["id"]), "Link verlopen: opnieuw uitnodigen of zelf vastleggen")
        case = _complete(projectleider, follow_up, {"vervolg": "opnieuw_uitnodigen", "nieuwe_geldigheid_dagen": 7})
        _only(case, "Ondertekening door de nieuwe partner")
        new_link = _link(runtime)
        assert new_link != link and client.get(new_link).status_code == 200
        assert client.get(link).status_code == 410  # the old one stays refused


def test_the_contact_can_be_given_an_account_and_chooses_a_password_once(runtime: Runtime, login, client) -> None:  # type: ignore[no-untyped-def]
    case = _to_signing(login, {**DE_HORIZON, "contact_rol": "stuurgroep"})
    assert _accept(client, _link(runtime), {"naam": "Fatima el Amrani", "akkoord": "ja"}).status_code == 200
    penvoerder = login("penvoerder@demo.sto")
    melden = _only(instance(penvoerder, case["id"]), "Nieuwe partner schriftelijk melden aan DUS-I")
    letter = penvoerder.get(f"/api/v1/tasks/{melden}").json["data"]["brief_tekst"]
    _complete(penvoerder, melden, {"brief_tekst": letter, **REPORTED})

    with runtime.transaction(write=False) as session:
        mail = session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "account")).one()
        assert mail.recipient == CONTACT and "stuurgroep" in mail.body_text
        found = re.search(r"(/account/wachtwoord/[0-9]+-[A-Za-z0-9_-]+)", mail.body_text)
        assert found
        partner = session.scalars(select(Partner).where(Partner.name == "Vmbo De Horizon")).one()
        assert partner.contacts[0].user_id is not None
    link = found[1]
    # Until a password is chosen, nobody can sign in with the new account.
    assert client.post("/api/v1/auth/token", json={"email": CONTACT, "password": "!"}).status_code == 401
    assert client.get(link).status_code == 200
    token = csrf_token(client, link)
    short = client.post(link, data={"new": "abc", "repeat": "abc", "csrf_token": token})
    assert short.status_code == 422 and "minstens" in text(short)
    chosen = client.post(link, data={"new": "horizon-2026", "repeat": "horizon-2026", "csrf_token": token})
    assert chosen.status_code == 302
    contact = login(CONTACT, "horizon-2026")
    assert contact.get("/api/v1/regions/demo/partners").status_code == 200  # a member of the region now
    again = client.post(link, data={"new": "another-one", "repeat": "another-one", "csrf_token": token})
    assert again.status_code == 409
    assert client.post("/api/v1/auth/token", json={"email": CONTACT, "password": "another-one"}).status_code == 401


def test_the_coordinator_may_register_a_candidate_too_but_the_stuurgroep_may_not(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    coordinator = login("coordinator@demo.sto")
    started = coordinator.post("/api/v1/processes/nieuwe_partner/instances", {"region": "demo", "data": {}})
    assert started.status_code == 201, started.json
    assert "Kandidaat-partner aanmelden" in inbox_names(coordinator)  # offered to whoever started it
    case = _complete(coordinator, _only(started.json, "Kandidaat-partner aanmelden"), DE_HORIZON)
    _only(case, "Geschiktheid en budget toetsen")
    refused = login("stuurgroep@demo.sto").post("/api/v1/processes/nieuwe_partner/instances", {"region": "demo"})
    assert refused.status_code == 403 and "projectleider of coordinator" in refused.json["message"]
    # A change request is still the projectleider's to start.
    assert coordinator.post("/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo"}).status_code == 403
