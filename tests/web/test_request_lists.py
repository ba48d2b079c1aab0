"""'Verzoeken': a person finds a request again under 'Mijn verzoeken' or 'Alle verzoeken', narrows the list with
filters and a search, sorts and pages it, exports it as CSV for Dutch Excel; the same list in the API."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.models import ProcessInstance, User
from service.web.pages import requests as request_pages
from service.web.runtime import Runtime
from tests.web.change_request import (
    ADVICE_POSITIVE,
    APPROVED,
    RECORD_ZORGROBOTS,
    REJECTED,
    SMALL_IN_PLAN,
    ZORGROBOTS,
    complete,
    only_task,
    start,
)
from tests.web.pages import signed_in, text

ZORG = ZORGROBOTS["titel"]  # "Zorgrobots in de praktijk"
EXTRA = SMALL_IN_PLAN["titel"]  # "Extra materiaal open lessen"
HEADINGS = [
    "Nummer",
    "Titel",
    "Proces",
    "Regio",
    "Status",
    "Huidige stap",
    "Bij wie",
    "Uiterlijk",
    "Te laat",
    "Bedrag (euro)",
    "Gestart op",
]


class _Rows(HTMLParser):
    """The rows of the requests table as a reader sees them: each cell's text, and where the title links to."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self._in_table = self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "table" and "requests" in (attr.get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append({"cells": [], "link": None})
        elif self._in_body and tag == "td":
            self._cell = []
        elif self._cell is not None and tag == "a" and self.rows[-1]["link"] is None:
            self.rows[-1]["link"] = attr.get("href")
        elif self._cell is not None and tag in ("br", "div"):
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._in_table = self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table(response: Any) -> list[dict[str, Any]]:
    parser = _Rows()
    parser.feed(text(response))
    return parser.rows


def titles_on(response: Any) -> list[str]:
    assert response.status_code == 200, text(response)
    return [row["cells"][0] for row in table(response)]


def api_list(user: Any, **params: str) -> dict[str, Any]:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    response = user.get(f"/api/v1/requests?{query}")
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def api_titles(user: Any, **params: str) -> list[str]:
    return [item["title"] for item in api_list(user, **params)["requests"]]


def submitted(user: Any, request: dict[str, Any], region: str = "demo") -> dict[str, Any]:
    """Start a change request and submit its first step; returns the instance JSON."""
    return complete(user, only_task(start(user, region=region))["id"], request)


@pytest.fixture
def people(login, second_projectleider):  # type: ignore[no-untyped-def]
    return {
        "projectleider": login("projectleider@demo.sto"),
        "projectleider2": login(second_projectleider),
        "penvoerder": login("penvoerder@demo.sto"),
        "stuurgroep": login("stuurgroep@demo.sto"),
        "noord": login("projectleider@noord.sto"),
        "beheerder": login("beheerder@demo.sto"),
    }


@pytest.fixture
def two_requests(people, clock) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Zorgrobots (started by the projectleider, advised by the penvoerder, now with the stuurgroep) and, a day
    later, 'Extra materiaal open lessen' (started by the second projectleider, waiting for the penvoerder)."""
    zorg = submitted(people["projectleider"], ZORGROBOTS)
    advised = complete(people["penvoerder"], only_task(zorg)["id"], ADVICE_POSITIVE)
    clock.advance(days=1)
    extra = submitted(people["projectleider2"], SMALL_IN_PLAN)
    return {"zorg": advised["id"], "extra": extra["id"]}


# --- mine and all -----------------------------------------------------------------------------------------------


def test_mine_lists_what_i_started_or_took_a_step_in_and_all_lists_the_whole_region(people, two_requests) -> None:
    assert api_titles(people["projectleider"], scope="mine") == [ZORG]
    assert api_titles(people["projectleider2"], scope="mine") == [EXTRA]
    assert api_titles(people["penvoerder"], scope="mine") == [ZORG]  # completed the advice step
    assert api_titles(people["stuurgroep"], scope="mine") == []  # only holds the open decision
    assert api_titles(people["stuurgroep"], scope="all") == [EXTRA, ZORG]  # newest first
    assert api_titles(people["stuurgroep"]) == []  # mine is the default


def test_the_pages_show_my_requests_and_all_requests_with_links_to_each(app: Flask, two_requests) -> None:
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    home = text(penvoerder.get("/"))
    assert '<a href="/verzoeken">Verzoeken</a>' in home  # in the main menu

    rows = table(penvoerder.get("/verzoeken"))
    assert [(row["cells"][0], row["link"]) for row in rows] == [(ZORG, f"/verzoeken/{two_requests['zorg']}")]
    assert penvoerder.get(rows[0]["link"]).status_code == 200

    stuurgroep = signed_in(app, "stuurgroep@demo.sto")
    mine = stuurgroep.get("/verzoeken")
    assert table(mine) == []
    assert "U heeft nog geen verzoeken gestart en nog geen stap in een verzoek gezet." in text(mine)
    everything = stuurgroep.get("/verzoeken/alle")
    assert titles_on(everything) == [EXTRA, ZORG]
    assert '<a href="/verzoeken/alle" aria-current="page">Alle verzoeken</a>' in text(everything)
    assert "2 verzoeken" in text(everything)


def test_a_row_says_where_the_request_stands_who_holds_it_by_when_and_how_much(
    app: Flask, people, two_requests, clock, runtime: Runtime
) -> None:
    stuurgroep = signed_in(app, "stuurgroep@demo.sto")
    zorg = next(row for row in table(stuurgroep.get("/verzoeken/alle")) if row["cells"][0] == ZORG)
    assert zorg["cells"] == [
        ZORG,
        "Wijzigingsverzoek",  # no region column: the stuurgroep sees one region only
        "lopend",
        "Besluiten over het wijzigingsverzoek rol stuurgroep",
        "21 december 2026",
        "€ 7.500,00",
        "30 november 2026",
    ]
    extra = next(row for row in table(stuurgroep.get("/verzoeken/alle")) if row["cells"][0] == EXTRA)
    assert extra["cells"][3:6] == ["Subsidieregels en begroting toetsen rol penvoerder", "-", "€ 1.200,00"]

    task = api_list(people["stuurgroep"], scope="all", q="zorgrobots")["requests"][0]["current_steps"][0]
    assert task["assignee"] is None
    decision = only_task(people["stuurgroep"].get(f"/api/v1/instances/{two_requests['zorg']}").json)
    assert people["stuurgroep"].post(f"/api/v1/tasks/{decision['id']}/claim").status_code == 200
    with runtime.transaction(write=False) as session:
        name = session.scalar(select(User.name).where(User.email == "stuurgroep@demo.sto"))
    clock.advance(weeks=4)
    zorg = next(row for row in table(stuurgroep.get("/verzoeken/alle")) if row["cells"][0] == ZORG)
    assert zorg["cells"][3] == f"Besluiten over het wijzigingsverzoek opgepakt door {name}"
    assert zorg["cells"][4] == "21 december 2026 te laat"
    item = api_list(people["stuurgroep"], scope="all", q="zorgrobots")["requests"][0]
    assert (item["overdue"], item["amount"], item["current_steps"][0]["assignee"]) == (True, "7500.00", name)


# --- regions ----------------------------------------------------------------------------------------------------


def test_another_regions_requests_never_appear(app: Flask, people, two_requests) -> None:
    noord = start(people["noord"], {"titel": "Techniekdag Noord"}, region="noord")
    assert api_titles(people["noord"], scope="all") == ["Techniekdag Noord"]
    assert api_titles(people["stuurgroep"], scope="all") == [EXTRA, ZORG]
    assert "Techniekdag Noord" not in text(signed_in(app, "stuurgroep@demo.sto").get("/verzoeken/alle"))

    refused = people["noord"].get("/api/v1/requests?scope=all&region=demo")
    assert refused.status_code == 422
    assert set(refused.json["fields"]) == {"region"}
    page = signed_in(app, "projectleider@noord.sto").get("/verzoeken/alle?regio=demo")
    assert page.status_code == 422
    assert ZORG not in text(page) and "Parameter regio: Onbekende regio." in text(page)

    # An administrator sees every region; the detail page is for the region's members, so no dead link.
    admin = signed_in(app, "beheerder@demo.sto")
    rows = table(admin.get("/verzoeken/alle"))
    assert [(row["cells"][0], row["cells"][2]) for row in rows] == [
        ("Techniekdag Noord", "Regio Noord"),
        (EXTRA, "Demo-regio"),
        (ZORG, "Demo-regio"),
    ]
    assert [row["link"] for row in rows] == [None, None, None]
    assert api_titles(people["beheerder"], scope="all", region="noord") == ["Techniekdag Noord"]
    assert titles_on(admin.get("/verzoeken/alle?regio=noord")) == ["Techniekdag Noord"]
    assert noord["region"] == "noord"


# --- filters, search, sorting, paging ---------------------------------------------------------------------------


def test_filters_narrow_the_list_and_the_form_keeps_them(app: Flask, people, two_requests) -> None:
    people["projectleider"].post("/api/v1/processes/rapportage/instances", {"region": "demo", "data": {}})
    stuurgroep = people["stuurgroep"]
    assert api_titles(stuurgroep, scope="all", process="rapportage") == ["Voortgangsrapportage"]
    assert api_titles(stuurgroep, scope="all", process="wijzigingsverzoek") == [EXTRA, ZORG]
    assert api_titles(stuurgroep, scope="all", process="nieuwe_partner") == []
    assert api_titles(stuurgroep, scope="all", region="demo", status="lopend") == ["Voortgangsrapportage", EXTRA, ZORG]
    assert api_titles(stuurgroep, scope="all", status="goedgekeurd") == []

    page = signed_in(app, "stuurgroep@demo.sto").get("/verzoeken/alle?proces=rapportage&status=lopend&zoek=voortgang")
    assert titles_on(page) == ["Voortgangsrapportage"]
    html = text(page)
    assert '<option value="rapportage" selected>Rapportage</option>' in html
    assert '<option value="lopend" selected>lopend</option>' in html
    assert 'name="zoek" value="voortgang"' in html


def test_search_finds_a_word_of_the_title_or_the_description_in_any_case(app: Flask, people, two_requests) -> None:
    stuurgroep = people["stuurgroep"]
    assert api_titles(stuurgroep, scope="all", q="ZORGROBOTS") == [ZORG]  # title
    assert api_titles(stuurgroep, scope="all", q="Simulatie") == [ZORG]  # only in the description
    assert api_titles(stuurgroep, scope="all", q="verschuiving") == [EXTRA]  # only in the description
    assert api_titles(stuurgroep, scope="all", q="printer%20van") == [ZORG]
    assert api_titles(stuurgroep, scope="all", q="fietsenstalling") == []
    assert api_titles(stuurgroep, scope="all", q="%25") == []  # a % is a character, not a wildcard
    assert api_titles(stuurgroep, scope="all", q="_") == []

    page = signed_in(app, "penvoerder@demo.sto").get("/verzoeken?zoek=zorgrobots")
    assert titles_on(page) == [ZORG]
    nothing = signed_in(app, "penvoerder@demo.sto").get("/verzoeken?zoek=fietsenstalling")
    assert table(nothing) == [] and "Geen verzoeken gevonden met deze filters." in text(nothing)


def test_sorting_by_start_due_date_and_title_both_ways(app: Flask, people, two_requests, clock) -> None:
    clock.advance(days=1)
    report = people["projectleider"].post("/api/v1/processes/rapportage/instances", {"region": "demo", "data": {}})
    assert report.json["open_tasks"][0]["due"] == "2026-12-23T09:00:00+00:00"  # after Zorgrobots' 21 december
    stuurgroep = people["stuurgroep"]
    report_title = "Voortgangsrapportage"
    assert api_titles(stuurgroep, scope="all", sort="-started") == [report_title, EXTRA, ZORG]
    assert api_titles(stuurgroep, scope="all", sort="started") == [ZORG, EXTRA, report_title]
    assert api_titles(stuurgroep, scope="all", sort="title") == [EXTRA, report_title, ZORG]
    assert api_titles(stuurgroep, scope="all", sort="-title") == [ZORG, report_title, EXTRA]
    # Without a due date last, whichever way.
    assert api_titles(stuurgroep, scope="all", sort="due") == [ZORG, report_title, EXTRA]
    assert api_titles(stuurgroep, scope="all", sort="-due") == [report_title, ZORG, EXTRA]

    page = signed_in(app, "stuurgroep@demo.sto").get("/verzoeken/alle?sorteer=title")
    assert titles_on(page) == [EXTRA, report_title, ZORG]
    assert '<option value="title" selected>Titel: A tot Z</option>' in text(page)


def test_pages_keep_the_filters_and_together_show_every_request(
    app: Flask, people, two_requests, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(request_pages, "PER_PAGE", 1)
    stuurgroep = signed_in(app, "stuurgroep@demo.sto")
    first = stuurgroep.get("/verzoeken/alle?sorteer=title&proces=wijzigingsverzoek")
    assert titles_on(first) == [EXTRA]
    assert "Pagina 1 van 2" in text(first)
    following = re.search(r'href="([^"]+)">Volgende<', text(first))
    assert following, text(first)
    second = stuurgroep.get(following.group(1).replace("&amp;", "&"))
    assert titles_on(second) == [ZORG]
    assert "Pagina 2 van 2" in text(second) and ">Volgende<" not in text(second)
    assert titles_on(stuurgroep.get("/verzoeken/alle?sorteer=title&pagina=9")) == [ZORG]  # past the end: the last

    api = api_list(people["stuurgroep"], scope="all", sort="title", limit="1")
    assert [item["title"] for item in api["requests"]] == [EXTRA]
    assert (api["total"], api["page"], api["pages"]) == (2, 1, 2)
    assert api["next"] == "/api/v1/requests?scope=all&sort=title&limit=1&page=2"
    last = people["stuurgroep"].get(api["next"]).json
    assert ([item["title"] for item in last["requests"]], last["next"]) == ([ZORG], None)
    assert api_list(people["stuurgroep"], scope="all", limit="1", page="3")["requests"] == []


# --- status words -----------------------------------------------------------------------------------------------


@pytest.fixture
def five_outcomes(people, runtime: Runtime) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """One request for each status word: approved, rejected, withdrawn, running, and completed without decision."""
    projectleider, penvoerder, stuurgroep = people["projectleider"], people["penvoerder"], people["stuurgroep"]

    def advised(title: str) -> dict[str, Any]:
        request = submitted(projectleider, {**ZORGROBOTS, "titel": title})
        return complete(penvoerder, only_task(request)["id"], ADVICE_POSITIVE)

    approved = complete(stuurgroep, only_task(advised("Goedgekeurde robots"))["id"], APPROVED)
    approved = complete(projectleider, only_task(approved)["id"], RECORD_ZORGROBOTS)
    rejected = complete(stuurgroep, only_task(advised("Afgewezen robots"))["id"], REJECTED)
    withdrawn = start(projectleider, {"titel": "Ingetrokken robots"})
    answer = projectleider.post(f"/api/v1/instances/{withdrawn['id']}/withdraw", {"reason": "Toch niet nodig."})
    assert answer.status_code == 200, answer.json
    running = start(projectleider, {"titel": "Lopende robots"})
    finished = complete(stuurgroep, only_task(advised("Afgeronde robots"))["id"], APPROVED)
    finished = complete(projectleider, only_task(finished)["id"], RECORD_ZORGROBOTS)
    with runtime.transaction(write=True) as session:  # a process that ends without a decision (data has none)
        row = session.get(ProcessInstance, finished["id"])
        assert row is not None
        row.data = {key: value for key, value in row.data.items() if key != "besluit"}
    assert (approved["status"], rejected["status"], finished["status"]) == ("completed",) * 3
    return {
        "goedgekeurd": approved["id"],
        "afgewezen": rejected["id"],
        "ingetrokken": withdrawn["id"],
        "lopend": running["id"],
        "afgerond": finished["id"],
    }


def test_each_request_is_named_by_its_status_in_words_and_can_be_filtered_on_it(
    app: Flask, people, five_outcomes
) -> None:
    rows = table(signed_in(app, "projectleider@demo.sto").get("/verzoeken?sorteer=title"))
    assert [(row["cells"][0], row["cells"][2]) for row in rows] == [
        ("Afgeronde robots", "afgerond"),
        ("Afgewezen robots", "afgewezen"),
        ("Goedgekeurde robots", "goedgekeurd"),
        ("Ingetrokken robots", "ingetrokken"),
        ("Lopende robots", "lopend"),
    ]
    for word, instance_id in five_outcomes.items():
        found = api_list(people["stuurgroep"], scope="all", status=word)["requests"]
        assert [(item["id"], item["status"]) for item in found] == [(instance_id, word)]
    page = signed_in(app, "stuurgroep@demo.sto").get("/verzoeken/alle?status=afgewezen")
    assert titles_on(page) == ["Afgewezen robots"]


# --- the CSV export ---------------------------------------------------------------------------------------------


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, text(response)
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM tells Excel it is UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_the_export_is_the_whole_filtered_list_as_dutch_excel_reads_it(
    app: Flask, people, two_requests, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(request_pages, "PER_PAGE", 1)  # the list has two pages; the file holds both
    submitted(people["projectleider"], {**SMALL_IN_PLAN, "titel": "=SOM(1;2) begroting"})
    stuurgroep = signed_in(app, "stuurgroep@demo.sto")
    page = text(stuurgroep.get("/verzoeken/alle?sorteer=title&proces=wijzigingsverzoek"))
    link = re.search(r'<a href="([^"]+)" download>Exporteren \(CSV\)</a>', page)
    assert link, page
    response = stuurgroep.get(link.group(1).replace("&amp;", "&"))
    assert response.headers["Content-Disposition"] == "attachment; filename=alle-verzoeken.csv"
    assert response.mimetype == "text/csv"
    rows = read_csv(response)
    assert rows[0] == HEADINGS
    assert [row[1] for row in rows[1:]] == ["'=SOM(1;2) begroting", EXTRA, ZORG]  # a title never runs as a formula
    zorg = rows[3]
    assert zorg == [
        str(two_requests["zorg"]),
        ZORG,
        "Wijzigingsverzoek",
        "Demo-regio",
        "lopend",
        "Besluiten over het wijzigingsverzoek",
        "stuurgroep",
        "21-12-2026",
        "",
        "7.500,00",
        "30-11-2026",
    ]
    assert rows[2][9] == "1.200,00"

    searched = read_csv(stuurgroep.get("/verzoeken/alle/export?zoek=simulatie"))
    assert [row[1] for row in searched[1:]] == [ZORG]
    mine = signed_in(app, "projectleider2@demo.sto").get("/verzoeken/export")
    assert mine.headers["Content-Disposition"] == "attachment; filename=mijn-verzoeken.csv"
    assert [row[1] for row in read_csv(mine)[1:]] == [EXTRA]


# --- bad parameters ---------------------------------------------------------------------------------------------


def test_bad_parameters_are_refused_with_a_dutch_message_naming_each(app: Flask, people, two_requests) -> None:
    penvoerder: FlaskClient = signed_in(app, "penvoerder@demo.sto")
    page = penvoerder.get("/verzoeken?proces=onzin&regio=noord&status=vaag&sorteer=x&pagina=0&zoek=" + "x" * 201)
    assert page.status_code == 422
    html = text(page)
    assert "Het filter klopt niet." in html
    for expected in (
        "Parameter proces: Onbekend proces.",
        "Parameter regio: Onbekende regio.",
        "Parameter status: Onbekende status.",
        "Parameter sorteer: Onbekende sortering.",
        "Parameter pagina: Gebruik een geheel getal van 1 tot en met 100000.",
        "Parameter zoek: Gebruik hoogstens 200 tekens.",
    ):
        assert expected in html
    assert table(page) == [] and 'name="zoek" value="xxx' in html  # the form keeps what was asked
    assert penvoerder.get("/verzoeken/alle?pagina=abc").status_code == 422

    export = penvoerder.get("/verzoeken/alle/export?status=vaag")
    assert export.status_code == 422
    assert "Onbekende status." in text(export)

    answer = people["penvoerder"].get("/api/v1/requests?scope=iedereen&status=vaag&sort=x&process=onzin&region=noord")
    assert answer.status_code == 422
    assert set(answer.json["fields"]) == {"scope", "status", "sort", "process", "region"}
    assert answer.json["fields"]["status"] == "Onbekende status."
    for query in ("limit=0", "page=-1", "limit=1e9", "q=" + "x" * 201):
        assert people["penvoerder"].get(f"/api/v1/requests?{query}").status_code == 422, query
