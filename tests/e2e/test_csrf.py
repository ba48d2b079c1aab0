"""A form posted without its CSRF token is refused with a friendly Dutch page (400), and nothing changes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import open_task_id, start_request, task_status
from tests.e2e.ui import INDIENEN, ZORGROBOTS_FORM, fill_change_request, logbook_rows, main, sign_in, submit_task

REFUSED = "Dit formulier is verlopen of niet vanaf deze site verstuurd. Laad de pagina opnieuw en probeer het nog eens."
VALID_POST = {  # what the browser would send for a well-filled form, minus the token
    "titel": "Zorgrobots in de praktijk",
    "soort": "nieuwe_activiteit",
    "omschrijving": "Leerlingen programmeren zorgrobots in een simulatie.",
    "in_regioplan": "nee",
    "bedrag": "7.500",
    "programmalijn": "samenwerking_bedrijfsleven",
    "doelstelling": "Techniek zichtbaar maken in andere domeinen",
    "past_bij_doelen": "ja",
}


def _assert_refused_page(page: Page) -> None:
    expect(page.get_by_role("heading", level=1, name="Ongeldig verzoek")).to_be_visible()
    expect(main(page)).to_contain_text(REFUSED)
    expect(page.get_by_role("link", name="Naar mijn taken")).to_be_visible()


def _assert_still_open(page: Page, live_server: LiveServer, instance_id: int, task_id: int) -> None:
    """The task is still open and untouched, as the task page, the instance page and the database tell."""
    assert task_status(live_server.runtime, task_id) == "open"
    page.goto(f"/taken/{task_id}")
    expect(page.get_by_role("heading", level=1, name=INDIENEN)).to_be_visible()
    expect(main(page)).to_contain_text("nog niet opgepakt")
    expect(page.get_by_role("button", name="Afronden")).to_be_visible()
    page.goto(f"/verzoeken/{instance_id}")
    expect(page.locator("[data-status]")).to_have_text("loopt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wijzigingsverzoek")  # no titel was saved
    expect(main(page).get_by_role("link", name=INDIENEN)).to_be_visible()  # under 'Nu aan de beurt'
    expect(logbook_rows(page, "projectleider@demo.sto", "Taak afgerond")).to_have_count(0)
    expect(logbook_rows(page, "projectleider@demo.sto", "Taak opgepakt")).to_have_count(0)


def test_task_form_without_csrf_token_is_refused_and_changes_nothing(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    instance_id = start_request(live_server.runtime)
    task_id = open_task_id(live_server.runtime, instance_id)
    page = open_browser("projectleider@demo.sto").page
    sign_in(page, "projectleider@demo.sto")
    page.goto(f"/taken/{task_id}")
    fill_change_request(page, ZORGROBOTS_FORM)
    form = page.locator(f'form[action="/taken/{task_id}"]')
    form.locator('input[name="csrf_token"]').evaluate("input => input.remove()")
    expect(form.locator('input[name="csrf_token"]')).to_have_count(0)
    shot(page, "form-filled-token-removed")

    answer = submit_task(page)

    assert answer.status == 400
    _assert_refused_page(page)
    shot(page, "refused")
    _assert_still_open(page, live_server, instance_id, task_id)
    shot(page, "instance-unchanged")


def test_posts_from_elsewhere_are_refused_and_change_nothing(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    """What another site could make a signed-in browser send: the session cookie goes along, a token does not."""
    instance_id = start_request(live_server.runtime)
    task_id = open_task_id(live_server.runtime, instance_id)
    page = open_browser("projectleider@demo.sto").page
    sign_in(page, "projectleider@demo.sto")
    http = page.context.request  # shares the signed-in browser's cookies

    for path, form in [
        (f"/taken/{task_id}", VALID_POST),
        (f"/taken/{task_id}", {**VALID_POST, "csrf_token": "forged-token"}),
        (f"/taken/{task_id}/oppakken", {}),
        ("/nieuw", {"proces": "wijzigingsverzoek", "regio": "demo"}),
    ]:
        response = http.post(path, form=form, max_redirects=0)
        assert response.status == 400, (path, response.status)
        assert REFUSED in response.text(), path
        assert "text/html" in response.headers["content-type"]

    page.set_content(response.text())  # how the last refusal looks
    shot(page, "refused-page")
    _assert_still_open(page, live_server, instance_id, task_id)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn taken").click()
    expect(page.get_by_role("row").filter(has_text=INDIENEN)).to_have_count(1)  # no second request was started
    shot(page, "inbox-unchanged")
