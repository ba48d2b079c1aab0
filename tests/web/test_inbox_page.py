"""'Mijn taken': what each user finds in their inbox, in which order, with counts, filters and pages."""

from __future__ import annotations

import re

from service.domain.accounts import grant_role
from service.domain.demo import create_demo_user

from .change_request import ADVICE_POSITIVE, ZORGROBOTS, complete, only_task, start
from .pages import post_form, signed_in, text


def _task_names(page: str) -> list[str]:
    return re.findall(r'<a href="/taken/\d+">([^<]+)</a>', page)


def test_signed_out_visitor_is_sent_to_sign_in_and_back(app) -> None:
    client = app.test_client()
    response = client.get("/?regio=demo")
    assert response.status_code == 302 and response.headers["Location"] == "/aanmelden?next=/?regio%3Ddemo"


def test_inbox_shows_my_name_regions_roles_and_tasks_for_my_role(app, login) -> None:
    start(login("projectleider@demo.sto"))
    leider = text(signed_in(app, "projectleider@demo.sto").get("/"))
    assert "Projectleider Demo-regio" in leider and "Demo-regio: projectleider" in leider
    assert _task_names(leider) == ["Wijzigingsverzoek indienen"]
    assert '<strong data-count="total">1</strong>' in leider
    assert _task_names(text(signed_in(app, "penvoerder@demo.sto").get("/"))) == []
    assert _task_names(text(signed_in(app, "projectleider@noord.sto").get("/"))) == []


def test_overdue_tasks_come_first_and_are_marked(app, login, clock) -> None:
    leider = login("projectleider@demo.sto")
    for _ in range(2):
        instance = complete(leider, only_task(start(leider, region="demo"))["id"], ZORGROBOTS)
        complete(login("penvoerder@demo.sto"), only_task(instance)["id"], ADVICE_POSITIVE)
        clock.advance(days=10)  # the second decision is due 10 days after the first
    clock.advance(days=5)  # the first is now overdue (21 days), the second not
    page = text(signed_in(app, "stuurgroep@demo.sto").get("/"))
    rows = re.findall(r'<tr data-task-id="(\d+)">(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    assert "te laat" in rows[0][1] and "te laat" not in rows[1][1]
    assert '<strong data-count="overdue">1</strong>' in page


def test_claimed_task_shows_as_mine_and_filters_narrow_the_list(app, login, runtime, clock) -> None:
    start(login("projectleider@demo.sto"))
    with runtime.transaction(write=True) as session:
        both = create_demo_user(session, email="beide@sto.test", name="In twee regio's", now=clock(), fast_hash=True)
        grant_role(session, user=both, region_code="demo", role="projectleider")
        grant_role(session, user=both, region_code="noord", role="projectleider")
    start(login("projectleider@noord.sto"), region="noord")
    client = signed_in(app, "beide@sto.test")
    page = text(client.get("/"))
    assert "Demo-regio: projectleider" in page and "Regio Noord: projectleider" in page
    assert len(_task_names(page)) == 2
    assert len(_task_names(text(client.get("/?regio=noord")))) == 1
    assert len(_task_names(text(client.get("/?proces=onbekend")))) == 0
    task_id = re.search(r'<tr data-task-id="(\d+)">', text(client.get("/?regio=noord"))).group(1)
    post_form(client, f"/taken/{task_id}/oppakken", {"next": "/"}, form_page="/")
    page = text(client.get("/"))
    assert '<strong data-count="mine">1</strong>' in page and "door u opgepakt" in page
    assert task_id not in re.findall(r'data-task-id="(\d+)"', text(signed_in(app, "projectleider@noord.sto").get("/")))


def test_inbox_pages_through_many_tasks(app, login) -> None:
    leider = login("projectleider@demo.sto")
    for _ in range(27):
        start(leider)
    client = signed_in(app, "projectleider@demo.sto")
    first, second = text(client.get("/")), text(client.get("/?pagina=2"))
    assert len(_task_names(first)) == 25 and len(_task_names(second)) == 2
    assert "Pagina 1 van 2" in first and "Volgende" in first and "Vorige" in second
    assert '<strong data-count="total">27</strong>' in first


def test_wrong_password_on_the_sign_in_page_says_so_in_dutch(app) -> None:
    client = app.test_client()
    response = post_form(client, "/aanmelden", {"email": "penvoerder@demo.sto", "password": "fout"})
    assert response.status_code == 401 and "E-mailadres of wachtwoord klopt niet." in text(response)
    assert 'value="penvoerder@demo.sto"' in text(response)


def test_sign_out_ends_the_session(app) -> None:
    client = signed_in(app, "penvoerder@demo.sto")
    assert client.get("/").status_code == 200
    assert post_form(client, "/afmelden", {}, form_page="/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_redirect_after_sign_in_never_leaves_the_site(app) -> None:
    client = app.test_client()
    response = post_form(
        client, "/aanmelden", {"email": "penvoerder@demo.sto", "password": "demo", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/"
