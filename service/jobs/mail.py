"""Jobs: write the mail of new tasks, send what the outbox holds, and bundle the daily digests.

Sending claims a batch (marked 'sending' and committed) before it talks SMTP, so two scheduler processes never
send the same mail, and a crash mid-send leaves the rows in 'sending' for an administrator, never resent twice.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from email.message import EmailMessage

from ..domain.notifications import (
    MAIL_JOB,
    any_held_mail,
    is_digest_time,
    new_task_mail_due,
    queue_daily_digests,
)
from ..domain.notifications import write_new_task_mail as write_new_task_mail_of
from ..mail import outbox, smtp
from ..models import OutboxEmail
from ..runtime import Runtime
from .failures import record_item_failure

log = logging.getLogger(__name__)
BATCH_SIZE = 50
ITEM_PAUSE_SECONDS = 0.002
MAX_BATCHES = 20  # per run; the next run takes the rest


def send_outbox(
    runtime: Runtime, now: datetime, *, host: str | None = None, port: int | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Send every due mail; returns how many went out. `host`/`port` send to a plain local server instead of
    the configured one (the development catch-all). Without either, mail waits in the outbox."""
    write_new_task_mail(runtime, now)
    settings = runtime.settings
    target = smtp.SmtpTarget.from_settings(settings, host=host, port=port)
    if target is None:
        return 0
    sent = 0
    for _batch in range(MAX_BATCHES):
        batch = _claim(runtime, now, batch_size)
        if batch:
            results = smtp.deliver(target, batch)
            with runtime.transaction(write=True) as session:
                for outbox_id, result in results.items():
                    row = session.get(OutboxEmail, outbox_id)
                    if row is not None:
                        outbox.record_result(row, result, now=now, max_attempts=settings.mail_max_attempts)
            sent += sum(1 for result in results.values() if result.ok)
            failed = [result.error for result in results.values() if not result.ok]
            if failed:
                log.warning("%s of %s mail(s) not sent: %s", len(failed), len(results), failed[0])
        if len(batch) < batch_size:
            break
    return sent


def write_new_task_mail(runtime: Runtime, now: datetime) -> int:
    """Write the "new task" mail of tasks created since the last run, one task per transaction; a task whose
    mail cannot be written becomes an incident of its instance and waits for the backoff. With nothing
    pending, only reads."""
    with runtime.transaction(write=False) as session:
        due = new_task_mail_due(session, now=now)
    queued = 0
    for task_id in due:
        try:
            with runtime.transaction(write=True) as session:
                queued += write_new_task_mail_of(session, task_id, now)
        except Exception as err:  # one task's mail never holds up the others
            record_item_failure(runtime, err, job=MAIL_JOB, now=now, task_id=task_id, element="e-mail nieuwe taak")
        # Between items, a user's step waiting for the database gets its turn: an flock is not handed to a
        # waiter when its holder takes it again at once, so a burst of these would queue the web's writes.
        time.sleep(ITEM_PAUSE_SECONDS)
    return queued


def _claim(runtime: Runtime, now: datetime, limit: int) -> list[tuple[int, EmailMessage]]:
    settings = runtime.settings
    domain = outbox.domain_of(settings.mail_from)
    with runtime.transaction(write=False) as session:
        if not outbox.any_due(session, now=now):
            return []
    batch = []
    with runtime.transaction(write=True) as session:
        for row in outbox.claim_due(session, now=now, limit=limit, domain=domain):
            try:
                batch.append((row.id, outbox.build_email(row, sender=settings.mail_from, base_url=settings.base_url)))
            except (ValueError, TypeError) as err:  # e.g. an address no mail server would take
                outbox.record_result(
                    row, outbox.Result(ok=False, error=str(err), permanent=True), now=now, max_attempts=1
                )
    return batch


def send_digests(runtime: Runtime, now: datetime) -> int:
    """From 07:00 Dutch time, queue one digest per user who chose a daily mail; the next send_outbox sends them.
    Safe to run often: each user gets at most one digest a day."""
    if not is_digest_time(now):
        return 0
    with runtime.transaction(write=False) as session:
        if not any_held_mail(session, now=now):
            return 0  # nothing waits: no write transaction
    with runtime.transaction(write=True) as session:
        return queue_daily_digests(session, now=now)
