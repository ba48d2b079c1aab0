"""A partner leaves the region (partner_vertrek) through the API: reported by the projectleider, decided by the
stuurgroep, reported to DUS-I by the penvoerder, then taken out of the register with the region informed; and the
paths beside it (rejected, a partner that cannot be chosen, the contacts' accounts)."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parseaddr
from typing import Any

import pytest
from sqlalchemy import select

from service.domain import partners
from service.models import AuditEvent, Membership, OutboxEmail, Partner, PartnerChange, PartnerContact, User
from service.web.runtime import Runtime
from tests.web.flow import count, instance

REPORT = "Vertrek van een partner melden"
DECIDE = "Besluiten over het vertrek van de partner"
LETTER = "Vertrek schriftelijk melden bij DUS-I"
TANDEM = "Basisschool De Tandem"
REASON = "De school gaat per 1 februari op in een fusieschool buiten de regio."
APPROVED = {"besluit": "goedgekeurd", "vergaderdatum": "2027-01-10", "notulen_kenmerk": "SG-2027-01-10"}
REPORTED = {"verzonden_op": "2027-01-12", "kenmerk_dus_i": "DUS-I/STO/2027/0031"}


def _partner_id(runtime: Runtime, name: str) -> int:
    with runtime.transaction(write=False) as session:
        found = session.scalar(select(Partner.id).where(Partner.name == name))
        assert found is not None, name
        return found


def _leaving(runtime: Runtime, name: str = TANDEM, **changed: Any) -> dict[str, Any]:
    return {
        "partner_id": str(_partner_id(runtime, name)),
        "vertrekdatum": "2027-01-31",
        "reden": REASON,
        "afwikkeling": "De techniekmiddagen gaan door met de andere basisscholen; het budget blijft bij de activiteit.",
        "accounts_beeindigen": True,
        **changed,
    }


def _only(case: dict[str, Any], name: str) -> int:
    names = [t["name"] for t in case["open_tasks"]]
    assert names == [name], names
    return case["open_tasks"][0]["id"]


def _complete(user: Any, task_id: int, data: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = user.post(f"/api/v1/tasks/{task_id}/complete", {"data": data})
    assert response.status_code == status, response.json
    return response.json


def _start(user: Any) -> dict[str, Any]:
    started = user.post("/api/v1/processes/partner_vertrek/instances", {"region": "demo", "data": {}})
    assert started.status_code == 201, started.json
    return started.json


def _decided(login: Callable[..., Any], data: dict[str, Any], decision: dict[str, Any] = APPROVED) -> dict[str, Any]:
    case = _start(login("projectleider@demo.sto"))
    case = _complete(login("projectleider@demo.sto"), _only(case, REPORT), data)
    return _complete(login("stuurgroep@demo.sto"), _only(case, DECIDE), decision)


def _detail(user: Any, partner_id: int) -> dict[str, Any]:
    response = user.get(f"/api/v1/regions/demo/partners/{partner_id}")
    assert response.status_code == 200, response.json
    return response.json


def _recipients(runtime: Runtime, kind: str) -> set[str]:
    """The addresses mail of this kind went to (without the names some carry)."""
    with runtime.transaction(write=False) as session:
        return {parseaddr(r)[1] for r in session.scalars(select(OutboxEmail.recipient).where(OutboxEmail.kind == kind))}


def test_a_school_leaves_after_the_stuurgroeps_approval_and_the_letter_to_dus_i(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    tandem = _partner_id(runtime, TANDEM)
    case = _start(projectleider)
    report = projectleider.get(f"/api/v1/tasks/{_only(case, REPORT)}").json
    choices = report["form_schema"]["properties"]["partner_id"]["x-enumNames"]
    assert TANDEM in choices and "Noorderpoort Vmbo Techniek" not in choices
    assert report["data"]["accounts_beeindigen"] is True  # ending the accounts is the default

    case = _complete(projectleider, _only(case, REPORT), _leaving(runtime))
    assert case["title"] == f"Partner vertrekt: {TANDEM}"
    case = _complete(login("stuurgroep@demo.sto"), _only(case, DECIDE), APPROVED)
    assert "penvoerder@demo.sto" in _recipients(runtime, "besluit")  # the parties hear of the decision
    assert _detail(projectleider, tandem)["status"] == "actief"  # not before DUS-I is told

    letter_task = _only(case, LETTER)
    letter = penvoerder.get(f"/api/v1/tasks/{letter_task}").json["data"]["brief_tekst"]
    for expected in (
        "Demo-regio",
        TANDEM,
        "08QZ00",
        "31 januari 2027",
        REASON,
        "Techniekmiddagen basisonderwijs",
        "10-01-2027",
        "SG-2027-01-10",
    ):
        assert expected in letter, expected
    done = _complete(penvoerder, letter_task, {"brief_tekst": letter, **REPORTED})
    assert done["status"] == "completed" and done["open_tasks"] == []

    detail = _detail(projectleider, tandem)
    assert (detail["status"], detail["left_on"], detail["activities"]) == ("vertrokken", "2027-01-31", [])
    mine = {entry["summary"] for entry in detail["history"] if entry["instance_id"] == case["id"]}
    assert mine == {
        "Vertrokken na besluit van de stuurgroep",
        "Doet niet meer mee aan: Techniekmiddagen basisonderwijs",
    }
    listed = projectleider.get("/api/v1/regions/demo/partners?status=actief").json["partners"]
    assert TANDEM not in [p["name"] for p in listed]

    told = _recipients(runtime, "partner_vertrek")
    staff = {f"{role}@demo.sto" for role in ("projectleider", "penvoerder", "stuurgroep", "coordinator")}
    others = {"i.bakker@debrug.example", "m.yilmaz@hetanker.example", "s.devries@tcoost.example"}
    assert staff | others | {"peter@vandijk-installatie.example"} <= told
    assert not any(address.endswith("@noord.sto") or "noorderpoort" in address for address in told)
    with runtime.transaction(write=False) as session:
        mail = session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == "i.bakker@debrug.example")).one()
        assert TANDEM in mail.subject and "31 januari 2027" in mail.body_text
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == case["id"])))
    assert {"task_completed", "partner_changed", "instance_completed"} <= actions


def test_rejected_by_the_stuurgroep_the_partner_stays_with_its_activities(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    tandem = _partner_id(runtime, TANDEM)
    case = _start(login("projectleider@demo.sto"))
    case = _complete(login("projectleider@demo.sto"), _only(case, REPORT), _leaving(runtime))
    stuurgroep = login("stuurgroep@demo.sto")
    decide = _only(case, DECIDE)
    no_reason = _complete(stuurgroep, decide, {**APPROVED, "besluit": "afgewezen"}, status=422)
    assert "toelichting_besluit" in no_reason["fields"]
    rejected = {**APPROVED, "besluit": "afgewezen", "toelichting_besluit": "Eerst overleg met het bestuur."}
    case = _complete(stuurgroep, decide, rejected)

    assert case["status"] == "completed" and case["open_tasks"] == []
    history = [event["summary"] for event in instance(stuurgroep, case["id"])["history"]]
    assert any("Vertrek afgewezen" in summary for summary in history)
    detail = _detail(stuurgroep, tandem)
    assert detail["status"] == "actief" and detail["left_on"] is None
    assert [a["name"] for a in detail["activities"]] == ["Techniekmiddagen basisonderwijs"]
    assert _recipients(runtime, "partner_vertrek") == set()
    assert "penvoerder@demo.sto" in _recipients(runtime, "besluit")


def _set_status(runtime: Runtime, clock: Any, name: str, **changed: str) -> None:
    with runtime.transaction(write=True) as session:
        partner = session.scalars(select(Partner).where(Partner.name == name)).one()
        values = partners.PartnerValues.of(partner)
        partners.update_partner(
            session,
            user=None,
            region_code=partner.region_code,
            partner_id=partner.id,
            values=partners.PartnerValues(**{**values.__dict__, **changed}),
            now=clock(),
        )


@pytest.mark.parametrize(
    ("name", "changed"),
    [
        ("Noorderpoort Vmbo Techniek", {}),  # region noord's partner
        ("Installatiebedrijf Van Dijk", {"status": "vertrokken", "left_on": "2026-06-30"}),
        ("Installatiebedrijf Van Dijk", {"status": "kandidaat", "active_from": ""}),
    ],
)
def test_a_partner_of_another_region_or_not_active_cannot_be_chosen(
    runtime: Runtime, login, clock, name: str, changed: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    if changed:
        _set_status(runtime, clock, name, **changed)
    projectleider = login("projectleider@demo.sto")
    case = _start(projectleider)
    task_id = _only(case, REPORT)
    choices = projectleider.get(f"/api/v1/tasks/{task_id}").json["form_schema"]["properties"]["partner_id"]
    assert str(_partner_id(runtime, name)) not in choices["enum"] and name not in choices["x-enumNames"]
    before = count(runtime, PartnerChange)

    refused = _complete(projectleider, task_id, _leaving(runtime, name), status=422)

    assert list(refused["fields"]) == ["partner_id"]
    _only(instance(projectleider, case["id"]), REPORT)
    assert count(runtime, PartnerChange) == before
    with runtime.transaction(write=False) as session:
        partner = session.scalars(select(Partner).where(Partner.name == name)).one()
        assert partner.status == (changed.get("status") or "actief")


def test_a_leaving_date_before_the_partner_joined_is_refused_naming_the_date(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    projectleider = login("projectleider@demo.sto")
    case = _start(projectleider)
    refused = _complete(projectleider, _only(case, REPORT), _leaving(runtime, vertrekdatum="2023-12-31"), status=422)
    assert list(refused["fields"]) == ["vertrekdatum"] and "sinds 1 januari 2024" in refused["fields"]["vertrekdatum"]
    _only(instance(projectleider, case["id"]), REPORT)


@pytest.mark.parametrize("end_accounts", [True, False])
def test_a_contact_with_an_account_loses_the_regions_roles_when_chosen(
    runtime: Runtime, login, add_user, end_accounts: bool
) -> None:  # type: ignore[no-untyped-def]
    email = add_user("j.smit@detandem.example", "stuurgroep")
    with runtime.transaction(write=True) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        session.add(Membership(user=user, region_code="noord", role="coordinator"))
        contact = session.scalars(select(PartnerContact).where(PartnerContact.email == email)).one()
        contact.user_id = user.id
    smit = login(email)
    assert smit.get("/api/v1/regions/demo/partners").status_code == 200

    case = _decided(login, _leaving(runtime, accounts_beeindigen=end_accounts))
    penvoerder = login("penvoerder@demo.sto")
    letter_task = _only(case, LETTER)
    letter = penvoerder.get(f"/api/v1/tasks/{letter_task}").json["data"]["brief_tekst"]
    _complete(penvoerder, letter_task, {"brief_tekst": letter, **REPORTED})

    demo_register = smit.get("/api/v1/regions/demo/partners").status_code
    assert demo_register == (404 if end_accounts else 200)
    assert smit.get("/api/v1/regions/noord/partners").status_code == 200  # roles elsewhere stay
    with runtime.transaction(write=False) as session:
        held = select(Membership.region_code, Membership.role).join(User).where(User.email == email)
        roles = {(region, role) for region, role in session.execute(held)}
        revoked = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "role_revoked", AuditEvent.instance_id == case["id"])
        ).all()
    assert roles == ({("noord", "coordinator")} if end_accounts else {("demo", "stuurgroep"), ("noord", "coordinator")})
    assert [event.details["email"] for event in revoked] == ([email] if end_accounts else [])
