"""The partner register in the API: a region's partners in pages with filters, one partner in full, its signed
documents under their own names, and nothing of a register outside your regions (404, not 403)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select

from service.domain import partners
from service.models import Partner, User
from service.web.runtime import Runtime

LEIDER, NOORD, ADMIN = "projectleider@demo.sto", "projectleider@noord.sto", "beheerder@demo.sto"
DEMO = "/api/v1/regions/demo/partners"
DEMO_NAMES = [  # every demo partner is active: by name
    "Basisschool De Tandem",
    "Installatiebedrijf Van Dijk",
    "Scholengemeenschap Het Anker",
    "Techniek College Oost",
    "Vakcollege De Brug",
]


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.json
    return [partner["name"] for partner in response.json["partners"]]


def _partner_id(runtime: Runtime, name: str) -> int:
    with runtime.transaction(write=False) as session:
        return session.scalar(select(Partner.id).where(Partner.name == name))


def _update(runtime: Runtime, clock: Any, name: str, **changed: Any) -> None:
    """Change a partner through the register's own use case, as the projectleider."""
    with runtime.transaction(write=True) as session:
        partner = session.scalar(select(Partner).where(Partner.name == name))
        user = session.scalar(select(User).where(User.email == LEIDER))
        values = partners.PartnerValues.of(partner)
        partners.update_partner(
            session,
            user=user,
            region_code=partner.region_code,
            partner_id=partner.id,
            values=partners.PartnerValues(**{**values.__dict__, **changed}),
            now=clock(),
        )


def _add_document(runtime: Runtime, clock: Any, name: str, filename: str, content: bytes) -> int:
    with runtime.transaction(write=True) as session:
        partner = session.scalar(select(Partner).where(Partner.name == name))
        user = session.scalar(select(User).where(User.email == LEIDER))
        document = partners.add_document(
            session,
            user=user,
            region_code=partner.region_code,
            partner_id=partner.id,
            kind="huishoudelijk_reglement",
            filename=filename,
            content_type="application/pdf",
            content=content,
            max_bytes=2**20,
            now=clock(),
        )
        return document.id


def test_a_member_sees_the_regions_partners_and_only_those(login: Any) -> None:
    demo = login(LEIDER).get(DEMO)
    noord = login(NOORD).get("/api/v1/regions/noord/partners")

    assert _names(demo) == DEMO_NAMES
    assert (demo.json["total"], demo.json["pages"], demo.json["next"]) == (5, 1, None)
    assert _names(noord) == ["Noorderpoort Vmbo Techniek"] and noord.json["total"] == 1
    assert {partner["region"] for partner in demo.json["partners"]} == {"demo"}


def test_a_partner_in_the_list_carries_its_codes_with_their_labels(login: Any) -> None:
    leider = login(LEIDER)
    brug = next(p for p in leider.get(DEMO).json["partners"] if p["name"] == "Vakcollege De Brug")

    assert brug["kind"] == {"code": "vmbo", "label": "vmbo-school"}
    assert brug["brin"] == "30XY00" and brug["place"] == "Zwolle"
    assert brug["bevoegd_gezag"] == "Stichting Onderwijs De Brug"
    assert [p["abbreviation"] for p in brug["profielen"]] == ["BWI", "PIE", "MVI"]
    assert brug["profielen"][2] == {
        "code": "mvi",
        "name": "Media, Vormgeving en ICT",
        "abbreviation": "MVI",
        "technical": True,
    }
    assert brug["leerwegen"][1] == {"code": "KB", "name": "kaderberoepsgericht"}
    assert (brug["status"], brug["active_from"], brug["left_on"]) == ("actief", "2024-01-01", None)
    assert brug["activity_count"] == 2
    assert leider.get(brug["url"]).json["name"] == "Vakcollege De Brug"  # the url leads to the detail


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("profiel=mvi", ["Vakcollege De Brug"]),
        ("profiel=zw", ["Scholengemeenschap Het Anker"]),
        ("leerweg=KB", ["Scholengemeenschap Het Anker", "Vakcollege De Brug"]),
        ("soort=bedrijf", ["Installatiebedrijf Van Dijk"]),
        ("soort=mbo", ["Techniek College Oost"]),
        ("q=zwolle", ["Basisschool De Tandem", "Installatiebedrijf Van Dijk", "Vakcollege De Brug"]),
        ("q=12ab", ["Scholengemeenschap Het Anker"]),  # the BRIN
        ("q=tcoost", ["Techniek College Oost"]),  # a contact's email address
        ("q=Mehmet", ["Scholengemeenschap Het Anker"]),  # a contact's name
        ("q=bestaat+niet", []),
        ("soort=vmbo&leerweg=GL&q=brug", ["Vakcollege De Brug"]),
        ("status=kandidaat", []),
    ],
)
def test_each_filter_narrows_the_list(login: Any, query: str, expected: list[str]) -> None:
    response = login(LEIDER).get(f"{DEMO}?{query}")

    assert _names(response) == expected
    assert response.json["total"] == len(expected)


def test_the_status_filter_follows_a_change_in_the_register(login: Any, runtime: Runtime, clock: Any) -> None:
    _update(runtime, clock, "Scholengemeenschap Het Anker", status="vertrokken", left_on="31-07-2026")
    leider = login(LEIDER)

    assert _names(leider.get(f"{DEMO}?status=vertrokken")) == ["Scholengemeenschap Het Anker"]
    assert "Scholengemeenschap Het Anker" not in _names(leider.get(f"{DEMO}?status=actief"))
    assert _names(leider.get(DEMO))[-1] == "Scholengemeenschap Het Anker"  # those who left come last


def test_partners_come_in_pages_and_the_next_link_keeps_the_filter(login: Any) -> None:
    leider = login(LEIDER)

    first = leider.get(f"{DEMO}?limit=2").json
    second = leider.get(first["next"]).json
    third = leider.get(second["next"]).json
    filtered = leider.get(f"{DEMO}?leerweg=KB&limit=1").json
    past = leider.get(f"{DEMO}?page=4&limit=2").json

    assert [p["name"] for page in (first, second, third) for p in page["partners"]] == DEMO_NAMES
    assert (first["total"], first["pages"], first["page"], first["limit"]) == (5, 3, 1, 2)
    assert first["next"] == "/api/v1/regions/demo/partners?limit=2&page=2" and third["next"] is None
    assert filtered["next"] == "/api/v1/regions/demo/partners?leerweg=KB&limit=1&page=2"
    assert [p["name"] for p in leider.get(filtered["next"]).json["partners"]] == ["Vakcollege De Brug"]
    assert past["partners"] == [] and past["total"] == 5
    assert leider.get(f"{DEMO}?limit=0").status_code == 422


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("soort=school", "soort", "Onbekende soort organisatie."),
        ("status=weg", "status", "Onbekende status."),
        ("profiel=techniek", "profiel", "Onbekend profiel."),
        ("leerweg=kb", "leerweg", "Onbekende leerweg."),  # codes are exact: KB, not kb
        ("q=" + "x" * 201, "q", "Gebruik hoogstens 200 tekens."),
    ],
)
def test_an_unknown_filter_value_answers_422_naming_the_parameter(
    login: Any, query: str, parameter: str, message: str
) -> None:
    response = login(LEIDER).get(f"{DEMO}?{query}")

    assert response.status_code == 422
    assert response.json["fields"] == {parameter: message}
    assert response.json["message"] == "Het filter klopt niet."


def test_the_detail_shows_contacts_activities_and_the_history_newest_first(
    login: Any, runtime: Runtime, clock: Any
) -> None:
    anker = _partner_id(runtime, "Scholengemeenschap Het Anker")
    clock.advance(days=1)
    _update(runtime, clock, "Scholengemeenschap Het Anker", place="IJsselmuiden", note="Nieuwe vestiging")

    detail = login(LEIDER).get(f"{DEMO}/{anker}")

    assert detail.status_code == 200
    body = detail.json
    assert (body["id"], body["name"], body["place"], body["note"]) == (
        anker,
        "Scholengemeenschap Het Anker",
        "IJsselmuiden",
        "Nieuwe vestiging",
    )
    assert body["contacts"] == [
        {"name": "Mehmet Yilmaz", "email": "m.yilmaz@hetanker.example", "role": "coördinator bovenbouw"}
    ]
    assert {(a["name"], a["programme_line"]["name"]) for a in body["activities"]} == {
        ("Techniekmiddagen basisonderwijs", "Instroombevordering"),
        ("Scholing docenten robotica", "Docentprofessionalisering"),
    }
    assert body["activity_count"] == 2 and body["documents"] == [] and body["joined_by_instance_id"] is None
    newest = body["history"][0]
    assert (newest["actor"], newest["summary"]) == (LEIDER, "Gegevens gewijzigd")
    assert newest["changes"] == {"place": ["Kampen", "IJsselmuiden"], "note": [None, "Nieuwe vestiging"]}
    assert newest["at"].startswith("2026-12-01")
    assert body["history"][-1]["summary"] == "Toegevoegd aan het register (actief)"


def test_a_document_downloads_with_its_bytes_and_its_unicode_name(login: Any, runtime: Runtime, clock: Any) -> None:
    content = b"%PDF-1.4 ondertekend"
    name = "reglement-€-Één-漢字.pdf"
    document_id = _add_document(runtime, clock, "Vakcollege De Brug", name, content)
    brug = _partner_id(runtime, "Vakcollege De Brug")
    leider = login(LEIDER)

    listed = leider.get(f"{DEMO}/{brug}").json["documents"]
    download = leider.get(listed[0]["url"])

    assert listed == [
        {
            "id": document_id,
            "kind": {"code": "huishoudelijk_reglement", "label": "huishoudelijk reglement (ondertekend)"},
            "filename": name,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "uploaded_by": LEIDER,
            "uploaded_at": "2026-11-30T09:00:00+00:00",
            "url": f"/api/v1/regions/demo/partners/{brug}/documents/{document_id}",
        }
    ]
    assert download.status_code == 200 and download.data == content
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''reglement-%E2%82%AC-%C3%89%C3%A9n-%E6%BC%A2%E5%AD%97.pdf" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/octet-stream"  # never shown inline, whatever was uploaded
    anker = _partner_id(runtime, "Scholengemeenschap Het Anker")  # the document under another partner
    assert leider.get(f"{DEMO}/{anker}/documents/{document_id}").status_code == 404


def test_without_a_token_every_partner_route_answers_401(client: Any, runtime: Runtime, clock: Any) -> None:
    brug = _partner_id(runtime, "Vakcollege De Brug")
    document_id = _add_document(runtime, clock, "Vakcollege De Brug", "a.pdf", b"x")

    for path in (DEMO, f"{DEMO}/{brug}", f"{DEMO}/{brug}/documents/{document_id}", f"{DEMO}?soort=onzin"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json["error"] == "unauthenticated"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_register_outside_your_regions_does_not_exist(login: Any, runtime: Runtime, clock: Any) -> None:
    brug = _partner_id(runtime, "Vakcollege De Brug")
    document_id = _add_document(runtime, clock, "Vakcollege De Brug", "a.pdf", b"x")
    noord = login(NOORD)

    for path in (
        DEMO,
        f"{DEMO}?profiel=onzin",  # not even the filter is checked: the region is not there for this user
        f"{DEMO}/{brug}",
        f"{DEMO}/{brug}/documents/{document_id}",
        f"/api/v1/regions/noord/partners/{brug}",  # a demo partner under noord's own path
        f"/api/v1/regions/noord/partners/{brug}/documents/{document_id}",
        "/api/v1/regions/bestaat-niet/partners",
    ):
        response = noord.get(path)
        assert response.status_code == 404, path
        assert response.json == {"error": "not_found", "message": "Niet gevonden."}
    assert login(LEIDER).get(f"/api/v1/regions/noord/partners/{brug}").status_code == 404


def test_an_administrator_reads_every_register_but_not_a_partner_under_another_region(
    login: Any, runtime: Runtime
) -> None:
    admin = login(ADMIN)
    brug = _partner_id(runtime, "Vakcollege De Brug")

    assert _names(admin.get(DEMO)) == DEMO_NAMES
    assert _names(admin.get("/api/v1/regions/noord/partners")) == ["Noorderpoort Vmbo Techniek"]
    assert admin.get(f"{DEMO}/{brug}").json["name"] == "Vakcollege De Brug"
    assert admin.get(f"/api/v1/regions/noord/partners/{brug}").status_code == 404
    assert admin.get("/api/v1/regions/bestaat-niet/partners").status_code == 404


def test_a_member_who_may_not_edit_still_reads_the_register(login: Any, runtime: Runtime) -> None:
    stuurgroep = login("stuurgroep@demo.sto")
    brug = _partner_id(runtime, "Vakcollege De Brug")

    assert _names(stuurgroep.get(DEMO)) == DEMO_NAMES
    assert stuurgroep.get(f"{DEMO}/{brug}").json["contacts"][0]["name"] == "Ingrid Bakker"


def test_the_openapi_document_describes_the_partner_filters(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/regions/{code}/partners"]["get"]
    query = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
    download = spec["paths"]["/api/v1/regions/{code}/partners/{id}/documents/{document_id}"]["get"]

    assert set(query) == {"soort", "status", "profiel", "leerweg", "q", "limit", "page"}
    assert "mvi" in query["profiel"]["enum"] and query["leerweg"]["enum"] == ["BB", "KB", "GL", "TL"]
    assert "422" in operation["responses"] and "404" in operation["responses"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]
    detail = spec["components"]["schemas"]["PartnerDetail"]["properties"]
    assert {"contacts", "activities", "documents", "history", "joined_by_instance_id"} <= set(detail)
