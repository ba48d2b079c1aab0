"""The layout around every page: a menu that offers each role only what it may do, the number of open tasks
beside 'Mijn taken', a favicon, error pages that say their title once, Dutch dates in task forms and role names
as people read them."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from service.domain.definitions import deploy_files, get_latest_definition
from service.models import AuditEvent
from service.web.runtime import Runtime

from .change_request import ADVICE_POSITIVE, ZORGROBOTS, complete, only_task, start
from .pages import csrf_token, post_form, signed_in, text

EVERYONE = ["Mijn taken", "Verzoeken", "Termijnen", "Mijn agenda", "Mijn instellingen"]
MENUS = {
    "projectleider@demo.sto": [
        "Mijn taken",
        "Verzoeken",
        "Nieuw verzoek",
        "Termijnen",
        "Partners",
        "Mijn agenda",
        "Mijn instellingen",
    ],
    "penvoerder@demo.sto": [
        "Mijn taken",
        "Verzoeken",
        "Overzichten",
        "Termijnen",
        "Partners",
        "Mijn agenda",
        "Mijn instellingen",
    ],
    "stuurgroep@demo.sto": ["Mijn taken", "Verzoeken", "Termijnen", "Partners", "Mijn agenda", "Mijn instellingen"],
    # the coordinator may register a new partner (startRoles of nieuwe_partner)
    "coordinator@demo.sto": [
        "Mijn taken",
        "Verzoeken",
        "Nieuw verzoek",
        "Overzichten",
        "Termijnen",
        "Partners",
        "Mijn agenda",
        "Storingen",
        "Mijn instellingen",
    ],
    "beheerder@demo.sto": [
        "Mijn taken",
        "Verzoeken",
        "Termijnen",
        "Partners",
        "Mijn agenda",
        "Mensen en rollen",
        "Uitgaande mail",
        "Storingen",
        "Verzoeken beheren",
        "Procesbeheer",
        "Mijn instellingen",
        "Mail (ontwikkeling)",
    ],
    "procesbeheerder@demo.sto": [
        "Mijn taken",
        "Verzoeken",
        "Termijnen",
        "Mijn agenda",
        "Procesbeheer",
        "Mijn instellingen",
    ],
    # a process owner of one region holds a role there, so the region's register is theirs to read
    "procesbeheerder@noord.sto": [
        "Mijn taken",
        "Verzoeken",
        "Termijnen",
        "Partners",
        "Mijn agenda",
        "Procesbeheer",
        "Mijn instellingen",
    ],
}


def menu(page: str) -> list[str]:
    """The link texts of the main menu, as a person reads them (the count beside 'Mijn taken' left off)."""
    nav = re.search(r'<nav aria-label="Hoofdmenu">(.*?)</nav>', page, re.S)
    assert nav, page
    links = re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1), re.S)
    counted = r"<span class=\"count\">.*?</span></span>|<[^>]+>"
    return [html.unescape(re.sub(counted, "", link)).strip() for link in links]


def open_count(page: str) -> int | None:
    """The number beside 'Mijn taken' in the menu, or None when there is none."""
    found = re.search(r">Mijn taken <span class=\"count\">(\d+)<", page)
    return int(found.group(1)) if found else None


def visible_text(page: str) -> str:
    """The words on the page itself (not the browser tab's title), tags left out."""
    body = page.split("<body>", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("email", list(MENUS))
def test_each_demo_role_sees_only_the_menu_items_it_may_use(app: Flask, email: str) -> None:
    page = text(signed_in(app, email).get("/agenda"))
    assert menu(page) == MENUS[email]


def test_who_may_start_nothing_does_not_get_nieuw_verzoek(app: Flask) -> None:
    for email in ("penvoerder@demo.sto", "stuurgroep@demo.sto", "beheerder@demo.sto"):
        page = text(signed_in(app, email).get("/"))
        assert "Nieuw verzoek" not in menu(page) and 'href="/nieuw"' not in page, email


def test_the_menu_follows_the_start_roles_of_the_newest_diagram(app: Flask, runtime: Runtime, clock: Any) -> None:
    coordinator = signed_in(app, "coordinator@demo.sto")
    assert "Nieuw verzoek" in menu(text(coordinator.get("/")))
    with runtime.transaction(write=True) as session:  # a new version only the projectleider may start
        files = dict(get_latest_definition(session, "nieuwe_partner").files)
        bpmn = files["nieuwe_partner.bpmn"]
        assert 'value="projectleider,coordinator"' in bpmn
        files["nieuwe_partner.bpmn"] = bpmn.replace('value="projectleider,coordinator"', 'value="projectleider"')
        deploy_files(session, process_key="nieuwe_partner", files=files, now=clock(), deployed_by="test")
    assert "Nieuw verzoek" not in menu(text(coordinator.get("/")))
    assert "Nieuw verzoek" in menu(text(signed_in(app, "projectleider@demo.sto").get("/")))


def test_the_open_task_count_beside_mijn_taken_follows_the_work(app: Flask, login: Any) -> None:
    leider, penvoerder = signed_in(app, "projectleider@demo.sto"), signed_in(app, "penvoerder@demo.sto")
    assert open_count(text(leider.get("/"))) is None  # nothing to do: no number at all
    response = post_form(leider, "/nieuw", {"proces": "wijzigingsverzoek", "regio": "demo"})
    task_url = response.headers["Location"]
    post_form(leider, "/nieuw", {"proces": "wijzigingsverzoek", "regio": "demo"})
    page = text(leider.get("/agenda"))
    assert open_count(page) == 2 and 'title="Open taken">2<' in page  # also on the folded 'Menu' of a phone
    assert open_count(text(penvoerder.get("/"))) is None

    data = {
        "titel": "Zorgrobots",
        "soort": "nieuwe_activiteit",
        "omschrijving": "Leerlingen programmeren zorgrobots.",
        "in_regioplan": "nee",
        "bedrag": "7.500",
        "programmalijn": "samenwerking_bedrijfsleven",
        "doelstelling": "Techniek zichtbaar maken",
        "past_bij_doelen": "ja",
    }
    assert post_form(leider, task_url, data).status_code == 302
    assert open_count(text(leider.get("/"))) == 1
    assert open_count(text(penvoerder.get("/"))) == 1  # the advice is now the penvoerder's


def test_the_menu_costs_one_count_of_open_tasks_per_page(app: Flask, runtime: Runtime) -> None:
    client = signed_in(app, "projectleider@demo.sto")
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = runtime.db.read_engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert client.get("/agenda").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    counts = [s for s in statements if "count(" in s.lower() and "human_task" in s]
    assert len(counts) == 1, counts
    assert not [s for s in statements if "process_definition.files" in s]  # the diagrams' XML is not read


def test_the_favicon_is_linked_and_served(app: Flask) -> None:
    page = text(signed_in(app, "stuurgroep@demo.sto").get("/"))
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link, page
    icon = app.test_client().get(link.group(1))
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


@pytest.mark.parametrize("path", ["/bestaat-niet", "/taken/99999", "/verzoeken/99999"])
def test_an_error_page_says_niet_gevonden_once_with_one_sentence(app: Flask, path: str) -> None:
    response = signed_in(app, "projectleider@demo.sto").get(path)
    assert response.status_code == 404
    words = visible_text(text(response))
    assert words.count("Niet gevonden") == 1 and words.lower().count("niet gevonden") == 1, words
    main = re.search(r"<main[^>]*>(.*)</main>", text(response), re.S).group(1)
    assert re.search(r"<h1>Niet gevonden</h1>\s*<p>[^<]{20,}</p>", main), main


def _decision_task(app: Flask, login: Any) -> tuple[FlaskClient, str]:
    """The stuurgroep's 'Besluiten over het wijzigingsverzoek' (it has a date field), as a signed-in page."""
    leider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    instance = complete(leider, only_task(start(leider, ZORGROBOTS))["id"], ZORGROBOTS)
    instance = complete(penvoerder, only_task(instance)["id"], ADVICE_POSITIVE)
    return signed_in(app, "stuurgroep@demo.sto"), f"/taken/{only_task(instance)['id']}"


def test_a_dutch_date_is_accepted_stored_as_iso_and_shown_back_dutch(app: Flask, runtime: Runtime, login: Any) -> None:
    stuurgroep, task_url = _decision_task(app, login)
    form = text(stuurgroep.get(task_url))
    field = re.search(r'<input type="text" class="date"[^>]*name="vergaderdatum"[^>]*>', form)
    assert field and 'placeholder="dd-mm-jjjj"' in field.group(0), form  # no browser date field (mm/dd/yyyy)
    hint = re.search(r'<p class="help" id="formaat-vergaderdatum">(.*?)</p>', form).group(1)
    assert re.sub(r"<[^>]+>", "", hint) == "Schrijf de datum als dd-mm-jjjj, bijvoorbeeld 31-01-2027."
    assert '<span class="nowrap">31-01-2027</span>' in hint  # the example is never split over two lines

    # Sent back for another field: the date shows as typed, in Dutch, also when it was typed as ISO.
    for typed in ("10-12-2026", "2026-12-10"):
        refused = post_form(stuurgroep, task_url, {"besluit": "goedgekeurd", "vergaderdatum": typed})
        assert refused.status_code == 422
        assert re.search(r'name="vergaderdatum" value="10-12-2026"', text(refused)), typed

    impossible = post_form(
        stuurgroep, task_url, {"besluit": "goedgekeurd", "vergaderdatum": "31-02-2026", "notulen_kenmerk": "SG-1"}
    )
    assert impossible.status_code == 422
    assert "Vul een bestaande datum in als dd-mm-jjjj, bijvoorbeeld 31-01-2027." in text(impossible)
    assert 'value="31-02-2026"' in text(impossible)

    done = post_form(
        stuurgroep, task_url, {"besluit": "goedgekeurd", "vergaderdatum": "10-12-2026", "notulen_kenmerk": "SG-1"}
    )
    assert done.status_code == 302
    with runtime.transaction(write=False) as session:
        decided = session.scalars(select(AuditEvent).where(AuditEvent.action == "task_completed")).all()[-1]
        assert decided.details["data"]["vergaderdatum"] == "2026-12-10"


def test_files_of_earlier_steps_are_download_links_on_the_task_page(app: Flask) -> None:
    leider = signed_in(app, "projectleider@demo.sto")
    task_url = post_form(leider, "/nieuw", {"proces": "wijzigingsverzoek", "regio": "demo"}).headers["Location"]
    data = {
        "titel": "Zorgrobots",
        "soort": "nieuwe_activiteit",
        "omschrijving": "Leerlingen programmeren zorgrobots.",
        "in_regioplan": "nee",
        "bedrag": "7.500",
        "programmalijn": "samenwerking_bedrijfsleven",
        "doelstelling": "Techniek zichtbaar maken",
        "past_bij_doelen": "ja",
    }
    offerte = (io.BytesIO(b"%PDF-1.4 x"), "offerte.pdf")
    response = leider.post(
        task_url,
        data={**data, "csrf_token": csrf_token(leider, task_url), "offerte": offerte},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    advice_url = re.search(r'href="(/taken/\d+)">Subsidieregels', text(penvoerder.get("/"))).group(1)
    page = text(penvoerder.get(advice_url))
    link = re.search(r'<dd><a href="(/bijlagen/\d+)">offerte.pdf</a></dd>', page)
    assert link, page
    assert penvoerder.get(link.group(1)).data == b"%PDF-1.4 x"


def test_role_names_read_the_same_everywhere(app: Flask, login: Any) -> None:
    coordinator = signed_in(app, "coordinator@demo.sto")
    header = text(coordinator.get("/"))
    assert "Demo-regio: coördinator" in header
    start_page = text(coordinator.get("/nieuw"))
    assert "Wordt gestart door de rol projectleider of coördinator." in start_page
    leider = login("projectleider@demo.sto")
    instance = start(leider, ZORGROBOTS)
    task_page = text(coordinator.get(f"/taken/{only_task(instance)['id']}"))
    assert "Rol: <strong>projectleider</strong>" in task_page
    for page in (header, start_page, task_page):
        assert not re.search(r">[^<]*\bcoordinator\b[^<]*<", page), "a bare role code on screen"
