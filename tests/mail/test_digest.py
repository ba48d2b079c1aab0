"""Users who chose a daily digest get their notifications in one mail a day, from 07:00 Dutch time."""

from __future__ import annotations

from datetime import UTC, datetime

from service.jobs.mail import send_digests, send_outbox, write_new_task_mail
from service.models import OutboxEmail
from tests.mail.conftest import outbox_rows, parts
from tests.web.change_request import ADVICE_POSITIVE, SMALL_IN_PLAN, ZORGROBOTS, complete, only_task, start
from tests.web.pages import post_form, signed_in, text

EARLY = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)  # 06:30 in Amsterdam
SEVEN = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam


def choose_daily(app, email: str) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in(app, email)
    assert 'value="direct" checked' in text(browser.get("/instellingen"))
    assert post_form(browser, "/instellingen", {"mail_preference": "dagelijks"}).status_code == 302
    assert 'value="dagelijks" checked' in text(browser.get("/instellingen"))
    assert post_form(browser, "/instellingen", {"mail_preference": "wekelijks"}).status_code == 422


def test_digest_users_get_one_mail_a_day_with_everything_in_it(app, runtime, login, clock, smtp_inbox) -> None:
    choose_daily(app, "penvoerder@demo.sto")
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    first = complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    second = complete(projectleider, only_task(start(projectleider))["id"], SMALL_IN_PLAN)
    write_new_task_mail(runtime, clock())  # what the mail job does first, every few seconds

    held = outbox_rows(runtime, OutboxEmail.recipient.contains("penvoerder@demo.sto"))
    assert [row.status for row in held] == ["held", "held"]
    send_outbox(runtime, clock())
    assert not smtp_inbox.to("penvoerder@demo.sto")  # held for the digest

    clock.now = EARLY
    assert send_digests(runtime, clock()) == 0
    clock.now = SEVEN
    assert send_digests(runtime, clock()) == 1
    assert send_digests(runtime, clock()) == 0  # once a day
    send_outbox(runtime, clock())

    digests = smtp_inbox.to("penvoerder@demo.sto")
    assert len(digests) == 1
    assert digests[0]["Subject"] == "STO Flow: uw overzicht van dinsdag 1 december 2026 (2 berichten)"
    body, html = parts(digests[0])
    for task in (only_task(first), only_task(second)):
        assert f"https://sto.example.nl/taken/{task['id']}" in body and f"/taken/{task['id']}" in html
    assert {row.status for row in outbox_rows(runtime, OutboxEmail.id.in_([r.id for r in held]))} == {"bundled"}

    # Later that day: it waits for tomorrow's digest. A task done before then is left out.
    clock.advance(hours=2)
    later = complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    write_new_task_mail(runtime, clock())
    complete(penvoerder, only_task(later)["id"], ADVICE_POSITIVE)
    assert send_digests(runtime, clock()) == 0
    clock.advance(days=1)
    assert send_digests(runtime, clock()) == 0  # nothing left worth a mail
    assert outbox_rows(runtime, OutboxEmail.task_id == only_task(later)["id"])[0].status == "cancelled"


def test_direct_users_are_not_affected_by_the_digest(runtime, login, clock, smtp_inbox) -> None:
    projectleider = login("projectleider@demo.sto")
    complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    clock.now = SEVEN
    assert send_digests(runtime, clock()) == 0
    send_outbox(runtime, clock())
    assert [m["Subject"] for m in smtp_inbox.to("penvoerder@demo.sto")] == [
        "Nieuwe taak: Subsidieregels en begroting toetsen"
    ]
