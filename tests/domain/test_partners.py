"""The partner register's rules, through its use cases on a real database: BRIN-vestigingsnummers, profielen and
leerwegen, status dates, the history of every change, contacts, activities, documents, and who may keep it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain import partners
from service.domain.errors import InvalidInput, NotAllowed, NotFound
from service.domain.partners import PartnerValues
from service.models import Activity, AuditEvent, Partner, PartnerChange, PartnerDocument, User
from service.web.runtime import Runtime

LEIDER = "projectleider@demo.sto"
NEW_SCHOOL = PartnerValues(
    kind="vmbo", name="Vmbo Het Baken", brin="34CD02", profielen=["pie"], leerwegen=["BB"], status="kandidaat"
)


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    with runtime.transaction(write=True) as session:
        yield session


def _user(session: Session, email: str = LEIDER) -> User:
    return session.scalar(select(User).where(User.email == email))


def _partner(session: Session, name: str) -> Partner:
    return session.scalar(select(Partner).where(Partner.name == name))


def _add(session: Session, clock: Any, region: str = "demo", **changed: Any) -> Partner:
    values = PartnerValues(**{**NEW_SCHOOL.__dict__, **changed})
    return partners.add_partner(session, user=_user(session), region_code=region, values=values, now=clock())


def _add_as_admin(session: Session, clock: Any, region: str, **changed: Any) -> Partner:
    values = PartnerValues(**{**NEW_SCHOOL.__dict__, **changed})
    admin = _user(session, "beheerder@demo.sto")
    return partners.add_partner(session, user=admin, region_code=region, values=values, now=clock())


def _refused(call: Callable[[], Any]) -> dict[str, str]:
    """The messages per field of a refused change; nothing may have been written."""
    with pytest.raises(InvalidInput) as refused:
        call()
    return dict(refused.value.fields)


def _count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- BRIN-vestigingsnummer -----------------------------------------------------------------------------------


def test_a_brin_is_stored_in_capitals_without_spaces(session: Session, clock: Any) -> None:
    partner = _add(session, clock, brin=" 34cd 02 ")

    assert partner.brin == "34CD02"


@pytest.mark.parametrize("brin", ["12AB1", "12AB012", "ABCDEF", "12AB0!", "12ÄB01"])
def test_a_malformed_brin_is_refused_in_dutch(session: Session, clock: Any, brin: str) -> None:
    fields = _refused(lambda: _add(session, clock, brin=brin))

    assert fields == {"brin": "Een BRIN-vestigingsnummer is vier tekens en twee cijfers, bijvoorbeeld 12AB01."}
    assert _partner(session, "Vmbo Het Baken") is None


def test_a_vmbo_school_needs_a_brin_and_a_business_may_not_have_one(session: Session, clock: Any) -> None:
    without = _refused(lambda: _add(session, clock, brin="  "))
    business = _refused(
        lambda: _add(session, clock, kind="bedrijf", name="Bouwbedrijf Kok", brin="34CD02", profielen=[], leerwegen=[])
    )
    mbo = _add(session, clock, kind="mbo", name="Mbo zonder nummer", brin="", profielen=[], leerwegen=[])

    assert without == {"brin": "Vul het BRIN-vestigingsnummer van de school in, bijvoorbeeld 12AB01."}
    assert business == {"brin": "Alleen scholen hebben een BRIN-vestigingsnummer; laat dit veld leeg."}
    assert mbo.brin is None  # only a vmbo school must have one


def test_a_brin_is_unique_within_a_region_but_not_across_regions(session: Session, clock: Any) -> None:
    again = _refused(lambda: _add(session, clock, brin="12ab 01"))  # Het Anker's number, typed differently
    elsewhere = _add_as_admin(session, clock, "noord", brin="12ab 01")

    assert again == {"brin": "Deze school staat al in het register: Scholengemeenschap Het Anker."}
    assert (elsewhere.region_code, elsewhere.brin) == ("noord", "12AB01")


def test_a_partner_keeps_its_own_brin_when_updated(session: Session, clock: Any) -> None:
    anker = _partner(session, "Scholengemeenschap Het Anker")
    values = PartnerValues(**{**PartnerValues.of(anker).__dict__, "brin": "12ab01", "place": "Genemuiden"})

    partners.update_partner(
        session, user=_user(session), region_code="demo", partner_id=anker.id, values=values, now=clock()
    )

    assert (anker.brin, anker.place) == ("12AB01", "Genemuiden")


# --- profielen and leerwegen ---------------------------------------------------------------------------------


def test_only_a_vmbo_school_has_profielen_and_leerwegen(session: Session, clock: Any) -> None:
    fields = _refused(lambda: _add(session, clock, kind="mbo", profielen=["pie"], leerwegen=["KB"]))

    assert fields == {
        "profielen": "Alleen vmbo-scholen bieden vmbo-profielen aan.",
        "leerwegen": "Alleen vmbo-scholen hebben vmbo-leerwegen.",
    }


def test_only_known_profielen_and_leerwegen_are_taken(session: Session, clock: Any) -> None:
    fields = _refused(lambda: _add(session, clock, profielen=["pie", "techniek"], leerwegen=["kb"]))
    school = _add(session, clock, profielen=["mvi", "bwi", "mvi"], leerwegen=["KB", "BB"])

    assert fields == {
        "profielen": "Kies alleen profielen uit de lijst.",
        "leerwegen": "Kies alleen leerwegen uit de lijst.",
    }
    assert (school.profielen, school.leerwegen) == (["bwi", "mvi"], ["BB", "KB"])  # the register's order, once


# --- status and dates ----------------------------------------------------------------------------------------


def test_an_active_partner_needs_the_date_it_started(session: Session, clock: Any) -> None:
    fields = _refused(lambda: _add(session, clock, status="actief"))

    assert fields == {"active_from": "Vul in vanaf wanneer de partner meedoet."}
    assert _add(session, clock, status="actief", active_from="01-08-2025").active_from == date(2025, 8, 1)


def test_a_partner_that_left_needs_a_leaving_date_not_before_it_started(session: Session, clock: Any) -> None:
    missing = _refused(lambda: _add(session, clock, status="vertrokken", active_from="2025-08-01"))
    before = _refused(lambda: _add(session, clock, status="vertrokken", active_from="2025-08-01", left_on="2025-07-31"))
    left = _add(session, clock, status="vertrokken", active_from="2025-08-01", left_on="2025-08-01")

    assert missing == {"left_on": "Vul in wanneer de partner is vertrokken."}
    assert before == {"left_on": "De vertrekdatum ligt vóór de datum waarop de partner begon."}
    assert (left.status, left.left_on) == ("vertrokken", date(2025, 8, 1))


def test_an_unknown_status_is_refused(session: Session, clock: Any) -> None:
    assert _refused(lambda: _add(session, clock, status="weg")) == {"status": "Kies een status."}


@pytest.mark.parametrize(("typed", "day"), [("01-08-2025", date(2025, 8, 1)), ("2025-08-01", date(2025, 8, 1))])
def test_dates_are_read_in_dutch_and_iso_form(session: Session, clock: Any, typed: str, day: date) -> None:
    assert _add(session, clock, candidate_since=typed).candidate_since == day


@pytest.mark.parametrize("typed", ["31-02-2026", "2026-13-01", "morgen", "01-08-1999", "01-08-2041"])
def test_an_impossible_or_far_date_is_refused(session: Session, clock: Any, typed: str) -> None:
    fields = _refused(lambda: _add(session, clock, candidate_since=typed))

    assert fields == {"candidate_since": "Vul een geldige datum in (dd-mm-jjjj of jjjj-mm-dd), of laat het veld leeg."}


# --- the history ---------------------------------------------------------------------------------------------


def test_a_change_is_kept_with_old_and_new_values_and_in_the_audit_trail(session: Session, clock: Any) -> None:
    brug = _partner(session, "Vakcollege De Brug")
    values = PartnerValues(**{**PartnerValues.of(brug).__dict__, "place": "Kampen", "leerwegen": ["BB", "KB"]})
    clock.advance(hours=1)

    partners.update_partner(
        session, user=_user(session), region_code="demo", partner_id=brug.id, values=values, now=clock()
    )

    change = partners.history(session, brug)[0]
    assert change.changes == {"place": ["Zwolle", "Kampen"], "leerwegen": [["BB", "KB", "GL"], ["BB", "KB"]]}
    assert (change.actor_label, change.summary, change.at) == (LEIDER, "Gegevens gewijzigd", clock())
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "partner_changed").order_by(AuditEvent.id)
    ).all()[-1]
    assert audit.summary == "Vakcollege De Brug: Gegevens gewijzigd"
    assert (audit.actor_label, audit.region_code) == (LEIDER, "demo")
    assert audit.details == {"partner_id": brug.id, "changes": change.changes}
    assert brug.updated_at == clock()


def test_saving_unchanged_values_writes_no_history(session: Session, clock: Any) -> None:
    brug = _partner(session, "Vakcollege De Brug")
    before = (_count(session, PartnerChange), _count(session, AuditEvent), brug.updated_at)
    clock.advance(hours=1)
    typed_again = PartnerValues(**{**PartnerValues.of(brug).__dict__, "brin": "30xy 00", "active_from": "01-01-2024"})

    partners.update_partner(
        session, user=_user(session), region_code="demo", partner_id=brug.id, values=typed_again, now=clock()
    )

    assert (_count(session, PartnerChange), _count(session, AuditEvent), brug.updated_at) == before


# --- contacts, activities, documents -------------------------------------------------------------------------


def _add_contact(session: Session, clock: Any, email: str, name: str = "Fatima Ouali") -> Any:
    brug = _partner(session, "Vakcollege De Brug")
    return partners.add_contact(
        session,
        user=_user(session),
        region_code="demo",
        partner_id=brug.id,
        name=name,
        email=email,
        role="",
        now=clock(),
    )


def test_a_contact_needs_a_valid_email_address_once_per_partner(session: Session, clock: Any) -> None:
    invalid = _refused(lambda: _add_contact(session, clock, "fatima@debrug"))
    double = _refused(lambda: _add_contact(session, clock, "I.Bakker@DeBrug.example"))  # Ingrid Bakker's address
    nameless = _refused(lambda: _add_contact(session, clock, "f.ouali@debrug.example", name=" "))
    added = _add_contact(session, clock, " F.Ouali@DeBrug.example ")

    assert invalid == {"contact_email": "Vul een geldig e-mailadres in, bijvoorbeeld naam@school.nl."}
    assert double == {"contact_email": "Deze contactpersoon staat al bij deze partner."}
    assert nameless == {"contact_name": "Vul de naam van de contactpersoon in."}
    assert (added.email, added.role) == ("f.ouali@debrug.example", None)
    assert [c.name for c in _partner(session, "Vakcollege De Brug").contacts] == ["Ingrid Bakker", "Fatima Ouali"]


def test_a_partner_joins_an_activity_of_its_own_region_once(session: Session, clock: Any) -> None:
    tandem = _partner(session, "Basisschool De Tandem")
    own = session.scalar(select(Activity).where(Activity.region_code == "demo", Activity.name.like("Gastlessen%")))
    other = session.scalar(select(Activity).where(Activity.region_code == "noord", Activity.name == own.name))
    link = dict(session=session, user=_user(session), region_code="demo", partner_id=tandem.id, now=clock())

    refused = _refused(lambda: partners.link_activity(**link, activity_id=other.id))
    first = partners.link_activity(**link, activity_id=own.id)
    changes = _count(session, PartnerChange)
    second = partners.link_activity(**link, activity_id=own.id)

    assert refused == {"activity_id": "Kies een activiteit uit het regioplan."}
    assert second.id == first.id
    assert [a.activity.name for a in tandem.activity_links] == ["Techniekmiddagen basisonderwijs", own.name]
    assert _count(session, PartnerChange) == changes  # linking again changes nothing, so no history either


def test_an_empty_or_too_large_document_is_refused(session: Session, clock: Any) -> None:
    brug = _partner(session, "Vakcollege De Brug")

    def add(content: bytes) -> Any:
        return partners.add_document(
            session, user=_user(session), region_code="demo", partner_id=brug.id, kind="samenwerkingsovereenkomst",
            filename="C:\\scans\\overeenkomst.pdf", content_type="application/pdf", content=content,
            max_bytes=2 * 2**20, now=clock(),
        )  # fmt: skip

    empty = _refused(lambda: add(b""))
    too_large = _refused(lambda: add(b"x" * (2 * 2**20 + 1)))
    kept = add(b"x" * (2 * 2**20))

    assert empty == {"document": "Kies een bestand; dit bestand is leeg."}
    assert too_large == {"document": "Dit bestand is te groot; het mag hoogstens 2 MB zijn."}
    assert (kept.filename, kept.size, kept.uploaded_by_label) == ("overeenkomst.pdf", 2 * 2**20, LEIDER)
    assert _count(session, PartnerDocument) == 1


# --- other regions -------------------------------------------------------------------------------------------


def test_active_elsewhere_names_another_region_only_where_the_school_is_active(session: Session, clock: Any) -> None:
    assert partners.active_elsewhere(session, brin="41no 00", region_code="demo") == "Regio Noord"
    assert partners.active_elsewhere(session, brin="41NO00", region_code="noord") is None  # its own region
    assert partners.active_elsewhere(session, brin="99ZZ00", region_code="demo") is None

    candidate = _add_as_admin(session, clock, "noord", brin="34CD02")  # a candidate in noord, not active
    assert candidate.status == "kandidaat"
    assert partners.active_elsewhere(session, brin="34CD02", region_code="demo") is None


def test_a_member_who_is_not_an_editor_may_read_but_not_change(session: Session, clock: Any) -> None:
    stuurgroep = _user(session, "stuurgroep@demo.sto")
    brug = _partner(session, "Vakcollege De Brug")

    with pytest.raises(NotAllowed) as refused:
        partners.add_partner(session, user=stuurgroep, region_code="demo", values=NEW_SCHOOL, now=clock())
    with pytest.raises(NotAllowed):
        partners.update_partner(
            session, user=stuurgroep, region_code="demo", partner_id=brug.id, values=NEW_SCHOOL, now=clock()
        )

    assert "projectleider, de penvoerder, de coördinator" in refused.value.message
    assert partners.get_partner(session, user=stuurgroep, region_code="demo", partner_id=brug.id) is brug
    assert not partners.may_edit_register(stuurgroep, "demo")
    assert partners.may_edit_register(_user(session, "coordinator@demo.sto"), "demo")


def test_a_user_of_another_region_finds_nothing(session: Session, clock: Any) -> None:
    noord = _user(session, "projectleider@noord.sto")
    brug = _partner(session, "Vakcollege De Brug")

    for attempt in (
        lambda: partners.list_partners(session, user=noord, region_code="demo"),
        lambda: partners.get_partner(session, user=noord, region_code="demo", partner_id=brug.id),
        lambda: partners.get_partner(session, user=noord, region_code="noord", partner_id=brug.id),
        lambda: partners.add_partner(session, user=noord, region_code="demo", values=NEW_SCHOOL, now=clock()),
        lambda: partners.update_partner(
            session, user=noord, region_code="noord", partner_id=brug.id, values=NEW_SCHOOL, now=clock()
        ),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert [p.name for p in partners.list_partners(session, user=noord, region_code="noord").partners] == [
        "Noorderpoort Vmbo Techniek"
    ]
