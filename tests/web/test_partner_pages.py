"""The partner register pages: members of a region read it and filter it; the projectleider, the penvoerder, the
coordinator and administrators keep it (partners, contacts, activities, signed documents), and every change shows
in the partner's history. Other regions do not exist."""

from __future__ import annotations

import re
from io import BytesIO
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.domain import instances as instance_cases
from service.domain import partners as partner_cases
from service.models import Partner, PartnerChange, PartnerContact, PartnerDocument, User
from service.web.runtime import Runtime
from tests.web.pages import csrf_token, post_form, signed_in, text

NEW_SCHOOL = {
    "kind": "vmbo",
    "name": "Het Noorderlicht College",
    "brin": "",
    "bevoegd_gezag": "Stichting Noorderlicht",
    "place": "Kampen",
    "profielen": ["bwi", "mt"],
    "leerwegen": ["BB", "KB"],
    "status": "kandidaat",
    "candidate_since": "01-09-2026",
    "active_from": "",
    "left_on": "",
    "note": "",
}


def _partner(runtime: Runtime, name: str) -> Partner:
    with runtime.transaction(write=False) as session:
        partner = session.scalars(select(Partner).where(Partner.name == name)).one()
        session.expunge(partner)
        return partner


def _count(runtime: Runtime, model: type, **where: object) -> int:
    with runtime.transaction(write=False) as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return int(session.scalar(query) or 0)


def _names(page: str) -> list[str]:
    """The partner names in the register table, in their order."""
    return re.findall(r'<td><a href="/partners/demo/\d+">([^<]+)</a></td>', page)


def _history(runtime: Runtime, partner_id: int) -> list[PartnerChange]:
    with runtime.transaction(write=False) as session:
        rows = session.scalars(
            select(PartnerChange).where(PartnerChange.partner_id == partner_id).order_by(PartnerChange.id.desc())
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def _detail(client: FlaskClient, partner_id: int) -> str:
    return text(client.get(f"/partners/demo/{partner_id}"))


# --- reading and filtering ------------------------------------------------------------------------------------


def test_the_register_lists_the_regions_partners_with_their_profiles_and_status(app: Flask) -> None:
    leider = signed_in(app, "projectleider@demo.sto")
    home = text(leider.get("/"))
    assert '<a href="/partners">Partners</a>' in home  # in the menu
    assert leider.get("/partners").location == "/partners/demo"  # one region: straight to its register

    page = text(leider.get("/partners/demo"))

    assert "Partners van Demo-regio" in page
    assert sorted(_names(page)) == sorted(
        [
            "Vakcollege De Brug",
            "Scholengemeenschap Het Anker",
            "Techniek College Oost",
            "Basisschool De Tandem",
            "Installatiebedrijf Van Dijk",
        ]
    )
    assert "Noorderpoort" not in page  # the other region's partner
    assert "5 van 5 partners" in page
    brug = page[page.index("Vakcollege De Brug") : page.index("</tr>", page.index("Vakcollege De Brug"))]
    assert "30XY00" in brug and "Zwolle" in brug and "vmbo-school" in brug
    assert 'class="profiel techniek">MVI</abbr>' in brug and "(techniek)" in brug
    assert "actief" in brug and "sinds 1 januari 2024" in brug
    assert '<td class="num">2</td>' in brug  # two activities
    anker = page[page.index("Scholengemeenschap Het Anker") : page.index("</tr>", page.index("Het Anker"))]
    assert 'class="profiel">Z&amp;W</abbr>' in anker  # not technical: not marked
    assert "Partner toevoegen" in page


def test_filters_narrow_the_list_and_keep_their_values(app: Flask) -> None:
    leider = signed_in(app, "projectleider@demo.sto")

    page = text(leider.get("/partners/demo?profiel=mvi"))
    assert _names(page) == ["Vakcollege De Brug"] and "1 van 5 partners" in page
    assert '<option value="mvi" selected>' in page

    page = text(leider.get("/partners/demo?leerweg=GL"))
    assert _names(page) == ["Vakcollege De Brug"]
    page = text(leider.get("/partners/demo?leerweg=BB&profiel=mt"))
    assert _names(page) == ["Scholengemeenschap Het Anker"]
    page = text(leider.get("/partners/demo?soort=po"))
    assert _names(page) == ["Basisschool De Tandem"] and '<option value="po" selected>' in page
    page = text(leider.get("/partners/demo?zoek=deventer"))
    assert _names(page) == ["Techniek College Oost"] and 'value="deventer"' in page
    page = text(leider.get("/partners/demo?zoek=yilmaz"))  # a contact's name
    assert _names(page) == ["Scholengemeenschap Het Anker"]
    page = text(leider.get("/partners/demo?status=kandidaat"))
    assert _names(page) == [] and "0 van 5 partners" in page
    assert "Geen partners gevonden met dit filter." in page


def test_a_wrong_filter_value_is_a_dutch_message_not_an_error(app: Flask) -> None:
    leider = signed_in(app, "projectleider@demo.sto")

    response = leider.get("/partners/demo?profiel=sterrenkunde&status=weg")

    page = text(response)
    assert response.status_code == 422
    assert "Het filter klopt niet." in page and "Onbekend profiel." in page and "Onbekende status." in page
    assert _names(page) == []
    long_search = leider.get("/partners/demo?zoek=" + "a" * 201)
    assert long_search.status_code == 422 and "Gebruik hoogstens 200 tekens." in text(long_search)


# --- adding and changing a partner ----------------------------------------------------------------------------


def test_adding_a_school_checks_the_brin_and_saves_only_a_valid_one(app: Flask, runtime: Runtime) -> None:
    leider = signed_in(app, "projectleider@demo.sto")
    form_page = text(leider.get("/partners/demo/nieuw"))
    assert "vier tekens en twee cijfers, bijvoorbeeld 12AB01" in form_page
    assert "dd-mm-jjjj of jjjj-mm-dd" in form_page and 'type="date"' not in form_page
    before = _count(runtime, Partner, region_code="demo")

    wrong = post_form(leider, "/partners/demo/nieuw", {**NEW_SCHOOL, "brin": "12AB1"})

    page = text(wrong)
    assert wrong.status_code == 422
    assert "Een BRIN-vestigingsnummer is vier tekens en twee cijfers, bijvoorbeeld 12AB01." in page
    assert 'id="fout-brin"' in page and 'aria-invalid="true"' in page
    assert 'value="Het Noorderlicht College"' in page and 'value="12AB1"' in page  # what was typed stays
    assert 'value="mt" checked' in page
    assert _count(runtime, Partner, region_code="demo") == before

    taken = post_form(leider, "/partners/demo/nieuw", {**NEW_SCHOOL, "brin": "12ab 01"}, form_page="/partners/demo")
    assert taken.status_code == 422
    assert "Deze school staat al in het register: Scholengemeenschap Het Anker." in text(taken)
    assert _count(runtime, Partner, region_code="demo") == before

    saved = post_form(leider, "/partners/demo/nieuw", {**NEW_SCHOOL, "brin": "99zz01"}, form_page="/partners/demo")

    assert saved.status_code == 302
    added = _partner(runtime, "Het Noorderlicht College")
    assert saved.location == f"/partners/demo/{added.id}"
    assert (added.brin, added.profielen, added.leerwegen, added.status) == (
        "99ZZ01",
        ["bwi", "mt"],
        ["BB", "KB"],
        "kandidaat",
    )
    assert _count(runtime, Partner, region_code="demo") == before + 1
    page = _detail(leider, added.id)
    assert "Het Noorderlicht College staat nu in het register." in page  # the flash
    assert "Toegevoegd aan het register (kandidaat)" in page and "projectleider@demo.sto" in page
    assert "Kandidaat sinds:" in page and "1 september 2026" in page  # readable field names and dates
    assert "BWI, M&amp;T" in page and "basisberoepsgericht, kaderberoepsgericht" in page
    assert "Het Noorderlicht College" in text(leider.get("/partners/demo?status=kandidaat"))


def test_changes_show_in_the_history_with_old_and_new_values(app: Flask, runtime: Runtime) -> None:
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    brug = _partner(runtime, "Vakcollege De Brug")
    path = f"/partners/demo/{brug.id}/wijzigen"
    form = text(penvoerder.get(path))
    assert 'value="Vakcollege De Brug"' in form and 'value="mvi" checked' in form and 'value="2024-01-01"' in form

    changed = {
        **NEW_SCHOOL,
        "name": "Vakcollege De Brug",
        "brin": "30XY00",
        "profielen": ["bwi", "pie"],
        "leerwegen": ["BB", "KB", "GL"],
        "status": "vertrokken",
        "candidate_since": "",
        "active_from": "2024-01-01",
        "left_on": "31-07-2026",
        "place": "Zwolle",
        "bevoegd_gezag": "Stichting Onderwijs De Brug",
    }
    response = post_form(penvoerder, path, changed)

    assert response.status_code == 302 and response.location == f"/partners/demo/{brug.id}"
    latest = _history(runtime, brug.id)[0]
    assert latest.actor_label == "penvoerder@demo.sto"
    assert latest.changes["status"] == ["actief", "vertrokken"]
    assert latest.changes["profielen"] == [["bwi", "pie", "mvi"], ["bwi", "pie"]]
    page = _detail(penvoerder, brug.id)
    assert "De gegevens van Vakcollege De Brug zijn opgeslagen." in page
    history = page[page.index('id="geschiedenis"') :]
    assert history.index("Gegevens gewijzigd") < history.index("Toegevoegd aan het register")  # newest first
    assert "<del>actief</del>" in history and "<ins>vertrokken</ins>" in history
    assert "<del>BWI, PIE, MVI</del>" in history and "<ins>BWI, PIE</ins>" in history
    assert "Vertrokken op:" in history and "<ins>31 juli 2026</ins>" in history

    wrong = post_form(penvoerder, path, {**changed, "left_on": "2023-05-01"})
    assert wrong.status_code == 422
    assert "De vertrekdatum ligt vóór de datum waarop de partner begon." in text(wrong)
    assert _partner(runtime, "Vakcollege De Brug").left_on.isoformat() == "2026-07-31"


# --- contacts, activities, documents --------------------------------------------------------------------------


def test_contacts_are_added_checked_and_removed(app: Flask, runtime: Runtime) -> None:
    leider = signed_in(app, "projectleider@demo.sto")
    tandem = _partner(runtime, "Basisschool De Tandem")
    detail = f"/partners/demo/{tandem.id}"
    add = f"{detail}/contactpersonen"

    wrong = post_form(
        leider,
        add,
        {"contact_name": "Fatima El Amrani", "contact_email": "fatima@", "contact_role": "ib"},
        form_page=detail,
    )
    assert wrong.status_code == 422
    page = text(wrong)
    assert "Vul een geldig e-mailadres in, bijvoorbeeld naam@school.nl." in page
    assert 'value="Fatima El Amrani"' in page and 'value="fatima@"' in page
    assert _count(runtime, PartnerContact, partner_id=tandem.id) == 1
    nul = leider.post(  # a multipart form passes the app's own NUL check; no database stores it
        add,
        data={"contact_name": "a\x00b", "contact_email": "a@b.nl", "csrf_token": csrf_token(leider, detail)},
        content_type="multipart/form-data",
    )
    assert nul.status_code == 422 and "nul-teken" in text(nul)
    assert _count(runtime, PartnerContact, partner_id=tandem.id) == 1

    added = post_form(
        leider,
        add,
        {"contact_name": "Fatima El Amrani", "contact_email": "F.ElAmrani@DeTandem.example", "contact_role": "ib'er"},
        form_page=detail,
    )
    assert added.status_code == 302
    page = _detail(leider, tandem.id)
    assert "Contactpersoon Fatima El Amrani is toegevoegd." in page
    assert '<a href="mailto:f.elamrani@detandem.example">f.elamrani@detandem.example</a>' in page
    assert "Contactpersoon toegevoegd: Fatima El Amrani" in page

    with runtime.transaction(write=False) as session:
        contact_id = session.scalar(select(PartnerContact.id).where(PartnerContact.name == "Fatima El Amrani"))
    removed = post_form(leider, f"{detail}/contactpersonen/{contact_id}/verwijderen", {}, form_page=detail)
    assert removed.status_code == 302
    page = _detail(leider, tandem.id)
    assert "mailto:f.elamrani@detandem.example" not in page
    assert "Contactpersoon verwijderd: Fatima El Amrani" in page and "(verwijderd)" in page
    assert _count(runtime, PartnerContact, partner_id=tandem.id) == 1
    missing = post_form(leider, f"{detail}/contactpersonen/{contact_id}/verwijderen", {}, form_page=detail)
    assert missing.status_code == 404


def test_an_activity_is_linked_and_unlinked(app: Flask, runtime: Runtime) -> None:
    coordinator = signed_in(app, "coordinator@demo.sto")
    van_dijk = _partner(runtime, "Installatiebedrijf Van Dijk")
    detail = f"/partners/demo/{van_dijk.id}"
    page = text(coordinator.get(detail))
    options = dict((name, int(i)) for i, name in re.findall(r'<option value="(\d+)">([^<(]+?) \(', page))
    assert "Gastlessen uit het bedrijfsleven" not in options  # already joined: not offered again
    activity_id = options["Open lessen techniekprofielen"]

    bad = post_form(coordinator, f"{detail}/activiteiten", {"activity_id": "x"}, form_page=detail)
    assert bad.status_code == 422 and "Kies een activiteit uit het regioplan." in text(bad)
    linked = post_form(coordinator, f"{detail}/activiteiten", {"activity_id": str(activity_id)}, form_page=detail)

    assert linked.status_code == 302
    page = _detail(coordinator, van_dijk.id)
    assert "De partner doet nu mee aan Open lessen techniekprofielen." in page
    section = page[page.index('id="activiteiten"') : page.index('id="documenten"')]
    assert "<td>Open lessen techniekprofielen</td>" in section
    assert "Doet mee aan activiteit: Open lessen techniekprofielen" in page
    listing = text(coordinator.get("/partners/demo?zoek=van dijk"))
    assert '<td class="num">2</td>' in listing

    unlinked = post_form(coordinator, f"{detail}/activiteiten/{activity_id}/ontkoppelen", {}, form_page=detail)
    assert unlinked.status_code == 302
    page = _detail(coordinator, van_dijk.id)
    section = page[page.index('id="activiteiten"') : page.index('id="documenten"')]
    assert "<td>Open lessen techniekprofielen</td>" not in section
    assert "Doet niet meer mee aan: Open lessen techniekprofielen" in page


def test_a_signed_document_is_uploaded_and_downloaded_with_its_own_name(app: Flask, runtime: Runtime) -> None:
    leider = signed_in(app, "projectleider@demo.sto")
    anker = _partner(runtime, "Scholengemeenschap Het Anker")
    detail = f"/partners/demo/{anker.id}"
    content = b"%PDF-1.4\n% huishoudelijk reglement, getekend\n" + bytes(range(256)) * 20
    name = "Huishoudelijk reglement – getekend ✓ Ærø.pdf"
    token = csrf_token(leider, detail)

    empty = leider.post(f"{detail}/documenten", data={"csrf_token": token, "document_kind": "huishoudelijk_reglement"})
    assert empty.status_code == 422 and "Kies een bestand" in text(empty)
    assert _count(runtime, PartnerDocument, partner_id=anker.id) == 0

    response = leider.post(
        f"{detail}/documenten",
        data={
            "csrf_token": token,
            "document_kind": "huishoudelijk_reglement",
            "document": (BytesIO(content), name, "application/pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    page = _detail(leider, anker.id)
    assert f"Het document {name} is opgeslagen." in page
    docs = page[page.index('id="documenten"') : page.index('id="geschiedenis"')]
    assert "huishoudelijk reglement (ondertekend)" in docs and "projectleider@demo.sto" in docs
    assert "30 november 2026" in docs and "5,0 kB" in docs
    link = re.search(r'href="(/partners/demo/\d+/documenten/\d+)">' + re.escape(name) + "<", docs)
    assert link, docs
    assert "Document toegevoegd: huishoudelijk reglement (ondertekend)" in page

    download = leider.get(link.group(1))

    assert download.status_code == 200 and download.data == content
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(name)}" in disposition
    assert download.headers["Content-Type"] == "application/octet-stream"


# --- who may do what ------------------------------------------------------------------------------------------


def test_a_user_of_another_region_gets_not_found_for_everything(app: Flask, runtime: Runtime) -> None:
    noord = signed_in(app, "projectleider@noord.sto")
    brug = _partner(runtime, "Vakcollege De Brug")
    detail = f"/partners/demo/{brug.id}"
    token = csrf_token(noord, "/partners/noord")
    changes_before = len(_history(runtime, brug.id))
    for path in ("/partners/demo", "/partners/demo/nieuw", detail, f"{detail}/wijzigen"):
        assert noord.get(path).status_code == 404, path
    own = _partner(runtime, "Noorderpoort Vmbo Techniek")
    assert noord.get(f"/partners/demo/{own.id}").status_code == 404  # its own partner under demo's path
    posts = {
        "/partners/demo/nieuw": {**NEW_SCHOOL, "brin": "77AA01"},
        f"{detail}/wijzigen": {**NEW_SCHOOL, "name": "Overgenomen"},
        f"{detail}/contactpersonen": {"contact_name": "X", "contact_email": "x@y.nl"},
        f"{detail}/activiteiten": {"activity_id": "1"},
    }
    for path, data in posts.items():
        assert noord.post(path, data={**data, "csrf_token": token}).status_code == 404, path
    assert _partner(runtime, "Vakcollege De Brug").name == "Vakcollege De Brug"
    assert _count(runtime, Partner, region_code="demo") == 5
    assert len(_history(runtime, brug.id)) == changes_before
    assert "Noorderpoort Vmbo Techniek" in text(noord.get("/partners/noord"))


def test_the_stuurgroep_reads_but_cannot_change_the_register(app: Flask, runtime: Runtime) -> None:
    stuurgroep = signed_in(app, "stuurgroep@demo.sto")
    brug = _partner(runtime, "Vakcollege De Brug")
    detail = f"/partners/demo/{brug.id}"
    page = text(stuurgroep.get(detail))
    assert "Vakcollege De Brug" in page and "i.bakker@debrug.example" in page
    for control in (
        "Gegevens wijzigen",
        "Contactpersoon toevoegen",
        "Verwijderen",
        "Ontkoppelen",
        "Koppelen",
        "Document opslaan",
    ):
        assert control not in page, control
    assert "Partner toevoegen" not in text(stuurgroep.get("/partners/demo"))
    assert stuurgroep.get("/partners/demo/nieuw").status_code == 403
    assert stuurgroep.get(f"{detail}/wijzigen").status_code == 403
    changes_before = len(_history(runtime, brug.id))
    token = csrf_token(stuurgroep, detail)
    with runtime.transaction(write=False) as session:
        contact_id = session.scalar(select(PartnerContact.id).where(PartnerContact.partner_id == brug.id))

    answers = [
        stuurgroep.post("/partners/demo/nieuw", data={**NEW_SCHOOL, "brin": "77AA01", "csrf_token": token}),
        stuurgroep.post(f"{detail}/wijzigen", data={**NEW_SCHOOL, "name": "Anders", "csrf_token": token}),
        stuurgroep.post(
            f"{detail}/contactpersonen", data={"contact_name": "X", "contact_email": "x@y.nl", "csrf_token": token}
        ),
        stuurgroep.post(f"{detail}/contactpersonen/{contact_id}/verwijderen", data={"csrf_token": token}),
        stuurgroep.post(f"{detail}/activiteiten", data={"activity_id": "1", "csrf_token": token}),
    ]

    assert [a.status_code for a in answers] == [403] * 5
    assert "Alleen de projectleider, de penvoerder, de coördinator en beheerders houden het register bij." in text(
        answers[0]
    )
    assert _count(runtime, Partner, region_code="demo") == 5
    assert _count(runtime, PartnerContact, partner_id=brug.id) == 1
    assert len(_history(runtime, brug.id)) == changes_before
    assert _partner(runtime, "Vakcollege De Brug").name == "Vakcollege De Brug"


def test_a_post_without_csrf_token_is_refused(app: Flask, runtime: Runtime) -> None:
    leider = signed_in(app, "projectleider@demo.sto")
    before = _count(runtime, Partner, region_code="demo")

    response = leider.post("/partners/demo/nieuw", data={**NEW_SCHOOL, "brin": "77AA01"})

    assert response.status_code == 400
    assert "Dit formulier is verlopen of niet vanaf deze site verstuurd." in text(response)
    assert _count(runtime, Partner, region_code="demo") == before


def test_an_administrator_chooses_between_the_regions(app: Flask) -> None:
    admin = signed_in(app, "beheerder@demo.sto")
    page = text(admin.get("/partners"))
    assert "Partners van Demo-regio" in page and "Partners van Regio Noord" in page
    assert "Noorderpoort Vmbo Techniek" in text(admin.get("/partners/noord"))


def test_a_partner_that_joined_through_a_request_links_to_it(app: Flask, runtime: Runtime) -> None:
    with runtime.transaction(write=True) as session:
        leider = session.scalar(select(User).where(User.email == "projectleider@demo.sto"))
        instance = instance_cases.start_instance(
            session, user=leider, process_key="wijzigingsverzoek", region_code="demo", data={}, now=runtime.clock()
        )
        values = partner_cases.PartnerValues(kind="bedrijf", name="Werkplaats Zuid", status="kandidaat")
        partner = partner_cases.add_partner(
            session, user=None, region_code="demo", values=values, now=runtime.clock(), instance_id=instance.id
        )
        partner_id, instance_id = partner.id, instance.id

    page = _detail(signed_in(app, "stuurgroep@demo.sto"), partner_id)

    assert f'<a href="/verzoeken/{instance_id}">het verzoek waarmee deze partner is aangemeld</a>' in page
    assert f'<a href="/verzoeken/{instance_id}">via verzoek</a>' in page  # in the history too
    assert "systeem" in page
