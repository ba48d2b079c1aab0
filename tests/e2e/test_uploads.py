"""The 'Offerte' file field: a file over the per-file limit is refused next to the field and nothing is saved;
a small file is kept and listed under 'Bijlagen' on the instance page with its size and checksum."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from service.settings import Settings
from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import attachment_count, task_status
from tests.e2e.ui import (
    INDIENEN,
    TOETSEN,
    ZORGROBOTS_FORM,
    fill_change_request,
    instance_id,
    labelled,
    logbook_rows,
    main,
    read_rows,
    sign_in,
    start_change_request,
    submit_task,
)

LIMIT = 4 * 1024  # bytes per file, for these tests only (the real default is 10 MB)
OFFERTE = "Offerte of begroting (bijlage)"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The usual test settings with a small per-file upload limit; the `runtime` fixture builds on these."""
    return dataclasses.replace(settings, max_upload_bytes=LIMIT)


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n% offerte 3D-printer\n"
    return head + b"x" * (size - len(head))


def test_oversized_offerte_is_refused_then_a_small_one_is_kept(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots, tmp_path: Path
) -> None:
    page = open_browser("projectleider@demo.sto").page
    sign_in(page, "projectleider@demo.sto")
    task_id = start_change_request(page)
    fill_change_request(page, ZORGROBOTS_FORM)
    too_big = _pdf(LIMIT + 2048)
    labelled(page, OFFERTE).set_input_files(
        {"name": "offerte-groot.pdf", "mimeType": "application/pdf", "buffer": too_big}
    )
    shot(page, "form-with-big-file")

    answer = submit_task(page)

    # Refused next to the field, in Dutch; what was typed is still there; the file has to be chosen again.
    assert answer.status == 422
    error = page.locator("#veld-offerte .error")
    expect(error).to_contain_text("te groot")
    expect(error).to_have_text("Dit bestand is te groot; het mag hoogstens 4 kB zijn.")
    expect(labelled(page, OFFERTE)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main .flash.error")).to_contain_text("Kies een bestand opnieuw")
    expect(labelled(page, "Titel")).to_have_value(ZORGROBOTS_FORM["titel"])
    expect(labelled(page, "Bedrag (euro)")).to_have_value("7.500")
    shot(page, "refused-too-big")

    # Nothing was saved: the task is open, no file is kept, the instance lists no attachment and no step.
    page.locator("main p.muted").first.get_by_role("link", name="Wijzigingsverzoek").click()  # to the instance
    case = instance_id(page)
    assert task_status(live_server.runtime, task_id) == "open"
    assert attachment_count(live_server.runtime, case) == 0
    expect(page.locator("[data-status]")).to_have_text("loopt")
    expect(page.get_by_role("heading", name="Bijlagen")).to_have_count(0)
    expect(main(page)).not_to_contain_text("offerte-groot.pdf")
    expect(main(page).get_by_role("link", name=INDIENEN)).to_be_visible()
    expect(logbook_rows(page, "projectleider@demo.sto", "Taak afgerond")).to_have_count(0)
    shot(page, "instance-without-file")

    # A small file goes through, and the instance page lists it with size and checksum.
    page.goto(f"/taken/{task_id}")
    fill_change_request(page, ZORGROBOTS_FORM)
    small = _pdf(1536)
    labelled(page, OFFERTE).set_input_files({"name": "offerte.pdf", "mimeType": "application/pdf", "buffer": small})
    answer = submit_task(page)
    assert answer.status == 302
    assert instance_id(page) == case
    expect(page.get_by_role("status")).to_have_text("Taak afgerond. Dank u wel.")
    expect(main(page).get_by_role("link", name=TOETSEN)).to_be_visible()

    files = page.get_by_role("heading", level=2, name="Bijlagen").locator("xpath=following-sibling::ul[1]")
    expect(files.get_by_role("listitem")).to_have_count(1)
    item = files.get_by_role("listitem")
    expect(item.get_by_role("link", name="offerte.pdf")).to_be_visible()
    expect(item).to_contain_text(re.compile(r"1[.,]5 kB"))
    expect(item).to_contain_text(f"sha256 {hashlib.sha256(small).hexdigest()[:16]}")
    submitted = logbook_rows(page, "projectleider@demo.sto", f"Taak afgerond: {INDIENEN}")
    assert read_rows(submitted)[OFFERTE] == "offerte.pdf"
    assert attachment_count(live_server.runtime, case) == 1
    shot(page, "instance-with-file")

    # The link downloads exactly the bytes that were uploaded.
    with page.expect_download() as download:
        item.get_by_role("link", name="offerte.pdf").click()
    assert download.value.suggested_filename == "offerte.pdf"
    saved = tmp_path / "offerte.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == small
