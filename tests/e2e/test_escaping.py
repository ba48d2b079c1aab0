"""Markup typed into a form comes back as text: on the instance page, in the inbox and on the next person's
task page. No script runs and no dialog opens."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenBrowser, Screenshots, User
from tests.e2e.ui import (
    INDIENEN,
    TOETSEN,
    ZORGROBOTS_FORM,
    earlier_step,
    fill_change_request,
    inbox_row,
    logbook_rows,
    read_rows,
    sign_in,
    start_change_request,
    submit_task,
)

SCRIPT = "<script>alert(1)</script>"
TITLE = 'Robots <img src=x onerror="alert(2)"> in de zorg'


def _assert_nothing_injected(user: User) -> None:
    page = user.page
    page.wait_for_load_state("networkidle")  # an injected image would have failed to load by now
    assert user.dialogs == []
    found = page.evaluate(
        """() => ({
            scripts: Array.from(document.scripts).filter(s => s.textContent.includes('alert(')).length,
            images: document.querySelectorAll('img[src="x"], [onerror]').length,
        })"""
    )
    assert found == {"scripts": 0, "images": 0}


def _assert_shows_as_text(page: Page) -> None:
    expect(page.get_by_text(SCRIPT, exact=True).first).to_be_visible()
    expect(page.get_by_text(TITLE).first).to_be_visible()


def test_markup_in_a_form_shows_as_text_and_never_runs(open_browser: OpenBrowser, shot: Screenshots) -> None:
    projectleider: User = open_browser("projectleider@demo.sto")
    page = projectleider.page
    sign_in(page, "projectleider@demo.sto")
    start_change_request(page)
    fill_change_request(page, {**ZORGROBOTS_FORM, "titel": TITLE, "omschrijving": SCRIPT})
    shot(page, "form-with-markup")
    submit_task(page)

    # The instance page: the title as heading and page title, the description in the Logboek, all as text.
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page).to_have_title(f"{TITLE} · STO Flow")
    submitted = logbook_rows(page, "projectleider@demo.sto", f"Taak afgerond: {INDIENEN}")
    rows = read_rows(submitted)
    assert rows["Omschrijving"] == SCRIPT
    assert rows["Titel"] == TITLE
    _assert_shows_as_text(page)
    _assert_nothing_injected(projectleider)
    shot(page, "instance-page")

    # The penvoerder's inbox and task page show it as text too.
    penvoerder: User = open_browser("penvoerder@demo.sto")
    page = penvoerder.page
    sign_in(page, "penvoerder@demo.sto")
    row = inbox_row(page, TOETSEN)
    expect(row.get_by_role("link", name=TITLE)).to_be_visible()
    _assert_nothing_injected(penvoerder)
    shot(page, "penvoerder-inbox")
    row.get_by_role("link", name=TOETSEN).click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()  # back to the instance, above the heading
    assert read_rows(earlier_step(page, INDIENEN))["Omschrijving"] == SCRIPT
    _assert_shows_as_text(page)
    _assert_nothing_injected(penvoerder)
    shot(page, "penvoerder-task")
