"""The sender against a real SMTP server: retried with growing delays while the server is down, failed after
the last attempt or a permanent refusal, never sent twice (also with two senders at once, or after a crash)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from service.db import Database
from service.jobs.mail import send_outbox
from service.mail import outbox
from service.mail.messages import Message
from service.models import OutboxEmail
from service.runtime import Runtime
from tests.mail.conftest import outbox_rows
from tests.web.pages import post_form, signed_in, text


def queue(runtime: Runtime, now: datetime, count: int = 1, to: str = "iemand@demo.sto") -> None:
    with runtime.transaction(write=True) as session:
        for number in range(count):
            message = Message(f"Bericht {number}", "Tekst [[STO_BASE_URL]]/", "<p>HTML</p>", "/")
            outbox.enqueue(
                session, recipient=to, message=message, kind="nieuwe_taak", dedupe_key=f"test:{to}:{number}", now=now
            )


def only_row(runtime: Runtime) -> OutboxEmail:
    rows = outbox_rows(runtime)
    assert len(rows) == 1
    return rows[0]


def test_the_same_dedupe_key_is_queued_once(runtime, clock) -> None:
    queue(runtime, clock())
    queue(runtime, clock())
    assert len(outbox_rows(runtime)) == 1


def test_while_the_server_is_down_mail_is_retried_later_and_later_then_delivered_once(
    runtime, clock, smtp_server
) -> None:
    queue(runtime, clock())
    delays = []
    for _attempt in range(3):
        assert send_outbox(runtime, clock()) == 0
        row = only_row(runtime)
        assert row.status == "pending" and "Connect" in (row.last_error or "")
        delays.append(row.next_attempt_at - clock())
        assert send_outbox(runtime, clock()) == 0 and only_row(runtime).attempts == row.attempts  # not due yet
        clock.now = row.next_attempt_at
    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]

    inbox = smtp_server.start()
    assert send_outbox(runtime, clock()) == 1
    clock.advance(hours=1)
    assert send_outbox(runtime, clock()) == 0

    assert len(inbox.messages) == 1
    row = only_row(runtime)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 4, clock.now - timedelta(hours=1))
    assert inbox.messages[0].get_body(("plain",)).get_content().strip() == "Tekst https://sto.example.nl/"


def test_after_the_last_attempt_the_mail_fails_and_the_admin_sees_it_and_can_retry(
    app, runtime, clock, smtp_server
) -> None:
    runtime.settings = replace(runtime.settings, mail_max_attempts=3)
    queue(runtime, clock(), to="beheerder-ziet-dit@demo.sto")
    for _attempt in range(3):
        send_outbox(runtime, clock())
        clock.advance(hours=1)
    row = only_row(runtime)
    assert (row.status, row.attempts) == ("failed", 3)
    assert runtime.settings.smtp_password == "" and "127.0.0.1" in row.last_error

    admin = signed_in(app, "beheerder@demo.sto")
    page = text(admin.get("/beheer/mail"))
    assert "beheerder-ziet-dit@demo.sto" in page and "Mislukt (1)" in page
    assert admin.get("/beheer/mail").status_code == 200
    assert signed_in(app, "coordinator@demo.sto").get("/beheer/mail").status_code == 403

    response = post_form(admin, f"/beheer/mail/{row.id}/opnieuw", {}, form_page="/beheer/mail")
    assert response.status_code == 302
    inbox = smtp_server.start()
    assert send_outbox(runtime, clock()) == 1 and len(inbox.messages) == 1
    assert "Mislukt (0)" in text(admin.get("/beheer/mail"))


def test_a_permanent_refusal_fails_at_once_and_the_rest_still_goes(runtime, clock, smtp_inbox) -> None:
    smtp_inbox.refuse["bestaat-niet@demo.sto"] = "550 5.1.1 No such user"
    queue(runtime, clock(), to="bestaat-niet@demo.sto")
    queue(runtime, clock(), to="wel@demo.sto")

    assert send_outbox(runtime, clock()) == 1

    refused, delivered = outbox_rows(runtime)
    assert (refused.status, refused.attempts) == ("failed", 1) and "550" in refused.last_error
    assert delivered.status == "sent" and len(smtp_inbox.messages) == 1


def test_a_temporary_refusal_is_retried(runtime, clock, smtp_inbox) -> None:
    smtp_inbox.refuse["vol@demo.sto"] = "452 4.2.2 Mailbox full"
    queue(runtime, clock(), to="vol@demo.sto")

    assert send_outbox(runtime, clock()) == 0
    row = only_row(runtime)
    assert row.status == "pending" and "452" in row.last_error

    del smtp_inbox.refuse["vol@demo.sto"]
    clock.advance(minutes=1)
    assert send_outbox(runtime, clock()) == 1 and len(smtp_inbox.messages) == 1


def test_two_senders_at_once_deliver_every_mail_once(runtime, settings, clock, smtp_inbox) -> None:
    queue(runtime, clock(), count=40)
    senders = [Runtime(settings=settings, db=Database(settings.database_url), forms=runtime.forms) for _ in range(2)]
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def run(sender: Runtime) -> None:
        barrier.wait(timeout=10)
        counts.append(send_outbox(sender, clock(), batch_size=4))

    threads = [threading.Thread(target=run, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for sender in senders:
        sender.db.dispose()

    assert sum(counts) == 40
    subjects = [message["Subject"] for message in smtp_inbox.messages]
    assert sorted(subjects) == sorted(f"Bericht {n}" for n in range(40))
    assert len({message["Message-ID"] for message in smtp_inbox.messages}) == 40
    assert {row.status for row in outbox_rows(runtime)} == {"sent"}


def test_a_mail_stuck_in_sending_is_never_resent_by_itself_but_shown(app, runtime, clock, smtp_inbox) -> None:
    queue(runtime, clock())
    with runtime.transaction(write=True) as session:  # a sender claimed it and then the process died
        outbox.claim_due(session, now=clock(), limit=10, domain="sto-flow.local")
    clock.advance(hours=2)

    assert send_outbox(runtime, clock()) == 0
    assert smtp_inbox.messages == [] and only_row(runtime).status == "sending"
    page = text(signed_in(app, "beheerder@demo.sto").get("/beheer/mail"))
    assert "Bezig met versturen (1)" in page and "vastgelopen" in page


def test_without_a_mail_server_mail_waits_in_the_outbox(runtime, clock) -> None:
    runtime.settings = replace(runtime.settings, smtp_host="")
    queue(runtime, clock())
    assert send_outbox(runtime, clock()) == 0
    assert only_row(runtime).status == "pending" and only_row(runtime).attempts == 0
