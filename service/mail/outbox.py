"""The outbox state machine: queue a mail in the caller's transaction, claim due mail exactly once, record how
sending went (sent, retry later with a growing delay, or failed), and requeue on an administrator's request.

    enqueue -> pending -> sending -> sent
                  ^          |-----> pending (temporary error, attempts left) / failed
    enqueue(hold) -> held -> bundled into a digest (or cancelled)
A row left in 'sending' (the process died mid-send) is never picked up again by itself: it may have been sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from html import escape
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import OutboxEmail
from .messages import BASE_URL_MARK, Message

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


def enqueue(
    session: Session,
    *,
    recipient: str,
    message: Message,
    kind: str,
    dedupe_key: str,
    now: datetime,
    hold: bool = False,
    user_id: int | None = None,
    task_id: int | None = None,
    instance_id: int | None = None,
    region_code: str | None = None,
) -> int | None:
    """Queue one mail in the caller's transaction (no commit) and return its id; None when this dedupe key was
    queued before. `hold` keeps it for the recipient's daily digest."""
    values: dict[str, Any] = {
        "dedupe_key": dedupe_key[:200],
        "kind": kind,
        "status": "held" if hold else "pending",
        "recipient": recipient,
        "subject": message.subject,
        "body_text": message.text,
        "body_html": message.html,
        "link": message.link,
        "attempts": 0,
        "next_attempt_at": None if hold else now,
        "created_at": now,
        "user_id": user_id,
        "task_id": task_id,
        "instance_id": instance_id,
        "region_code": region_code,
    }
    return _insert_once(session, values)


def _insert_once(session: Session, values: dict[str, Any]) -> int | None:
    # ON CONFLICT DO NOTHING: of two transactions queueing the same key, the second waits for the first and then
    # adds nothing, instead of failing (and with it the state change it belongs to).
    table = OutboxEmail.__table__
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        module = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(table).values(values).on_conflict_do_nothing(index_elements=["dedupe_key"])
        return session.execute(statement.returning(table.c.id)).scalar_one_or_none()
    if session.scalar(select(OutboxEmail.id).where(OutboxEmail.dedupe_key == values["dedupe_key"])) is not None:
        return None
    return session.execute(insert(table).values(values).returning(table.c.id)).scalar_one()


def any_due(session: Session, *, now: datetime) -> bool:
    """Whether a pending mail is due (a cheap read before taking a write lock)."""
    query = select(OutboxEmail.id).where(OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= now)
    return session.scalar(query.limit(1)) is not None


def claim_due(session: Session, *, now: datetime, limit: int, domain: str) -> list[OutboxEmail]:
    """Mark up to `limit` due pending mails 'sending' and return them; the caller commits before talking SMTP.
    Locked rows are skipped, so two senders never claim the same mail (SQLite: the write lock serializes)."""
    query = (
        select(OutboxEmail)
        .where(OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.status = "sending"
        row.claimed_at = now
        row.attempts += 1
        if row.message_id is None:  # the same id on every retry lets mail clients drop a duplicate
            row.message_id = make_msgid(idstring=f"outbox.{row.id}", domain=domain)
    return rows


@dataclass(frozen=True)
class Result:
    """How sending one mail went: ok, or an error that is permanent (5xx) or worth retrying."""

    ok: bool
    error: str | None = None
    permanent: bool = False


def record_result(row: OutboxEmail, result: Result, *, now: datetime, max_attempts: int) -> None:
    """Store how the attempt went: sent, pending again after a delay, or failed for good."""
    if row.status != "sending":
        return  # an administrator changed it meanwhile
    row.claimed_at = None
    if result.ok:
        row.status = "sent"
        row.sent_at = now
        row.next_attempt_at = None
        return
    row.last_error = (result.error or "onbekende fout")[:500]
    if result.permanent or row.attempts >= max_attempts:
        row.status = "failed"
        row.next_attempt_at = None
    else:
        row.status = "pending"
        row.next_attempt_at = now + retry_delay(row.attempts)


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failed attempt, then 2, 4, 8 ... up to an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def requeue(row: OutboxEmail, *, now: datetime) -> None:
    """Send a failed (or stuck) mail again at once, with a fresh number of attempts."""
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = now
    row.claimed_at = None


def build_email(row: OutboxEmail, *, sender: str, base_url: str) -> EmailMessage:
    """The MIME message of a row: plain text with an HTML alternative, links pointing at `base_url`."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr(parseaddr(row.recipient))
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id or make_msgid(domain=domain_of(sender))
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
    message.set_content(row.body_text.replace(BASE_URL_MARK, base_url))
    message.add_alternative(row.body_html.replace(BASE_URL_MARK, escape(base_url)), subtype="html")
    return message


def domain_of(address: str) -> str:
    """The domain of a mail address such as 'STO Flow <noreply@sto-flow.local>'."""
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"
