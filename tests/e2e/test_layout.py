"""Exploration (temporary)."""

from __future__ import annotations

from tests.e2e.conftest import OpenBrowser, Screenshots
from tests.e2e.ui import ZORGROBOTS_FORM, fill_change_request, sign_in, start_change_request


def test_explore(open_browser: OpenBrowser, shot: Screenshots) -> None:
    page = open_browser("projectleider@demo.sto").page
    page.set_viewport_size({"width": 1366, "height": 800})
    sign_in(page, "projectleider@demo.sto")
    start_change_request(page)
    fill_change_request(page, ZORGROBOTS_FORM)
    shot(page, "task-1366")
    page.goto("/")
    shot(page, "inbox-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "inbox-390")
    page.goto("/taken/1")
    shot(page, "task-390")
    page.goto("/bestaat-niet")
    shot(page, "404")
