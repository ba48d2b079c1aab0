"""Who hears about what: new tasks, reminders, overdue tasks and escalations, decisions, and the daily digest.
Every mail is queued in the caller's transaction under a dedupe key, so calling twice queues nothing new."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.utils import formataddr
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..mail import messages
from ..mail.outbox import enqueue, requeue
from ..models import HumanTask, Membership, OutboxEmail, ProcessInstance, Region, User
from .audit import record_event
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .incidents import resolve, waiting_for_backoff

DIGEST_AT = time(7, 0)  # Dutch time
MAIL_JOB = "taakmail"  # the job name on incidents of writing "new task" mail
# The steps after which a request is decided, per process: the stuurgroep's task or the script that makes the
# penvoerder's advice the decision.
DECISION_STEPS = {
    "wijzigingsverzoek": frozenset({"besluiten", "advies_is_besluit"}),
    "nieuwe_partner": frozenset({"besluiten", "geweigerd"}),  # the stuurgroep, or the decision table refusing
    "partner_vertrek": frozenset({"besluiten"}),
}
DECISION_PARTIES = ("coordinator", "penvoerder")  # besides whoever started the request
STILL_ABOUT_AN_OPEN_TASK = frozenset({"nieuwe_taak", "herinnering", "te_laat", "escalatie"})


def new_task_mail_due(session: Session, *, now: datetime, limit: int = 200) -> list[int]:
    """Tasks whose "new task" mail is still to be written (oldest first), leaving out instances whose mail
    incident waits for its next attempt. Reads the partial index only: cheap when nothing is pending."""
    query = (
        select(HumanTask.id)
        .where(HumanTask.mail_pending.is_(True), ~waiting_for_backoff(HumanTask.instance_id, job=MAIL_JOB, now=now))
        .order_by(HumanTask.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def write_new_task_mail(session: Session, task_id: int, now: datetime) -> int:
    """Queue the "new task" mail of one task (once: the flag is cleared in the same transaction); a task that
    was done or cancelled before its mail was written gets none. Returns how many mails were queued."""
    task = session.get(HumanTask, task_id)
    if task is None or not task.mail_pending:
        return 0
    task.mail_pending = False
    queued = notify_new_task(session, task, now, actor_id=task.created_by_id) if task.status == "open" else 0
    resolve(session, instance_id=task.instance_id, job=MAIL_JOB, now=now)  # an earlier failure is over
    return queued


def notify_new_task(session: Session, task: HumanTask, now: datetime, *, actor_id: int | None = None) -> int:
    """Tell everyone who may take a new task (its role in its region, or the starter for a task without a
    lane), except the person whose step created it; returns how many mails were queued."""
    session.flush()  # the task's id goes into the link and the dedupe key
    facts = _facts(session, task)
    queued = 0
    for user in task_candidates(session, task):
        if user.id == actor_id:
            continue  # they are looking at it already
        message = messages.new_task(user.name, facts, _why(task))
        queued += _send(session, user, message, "nieuwe_taak", f"nieuwe_taak:{task.id}:{user.id}", now, task=task)
    return queued


def notify_reminder(session: Session, task: HumanTask, due_at: datetime, offset_label: str, now: datetime) -> int:
    """Remind the task's candidates that it is due on `due_at` (once per task, offset and person)."""
    facts = _facts(session, task)
    queued = 0
    for user in task_candidates(session, task):
        message = messages.reminder(user.name, facts, due_at, offset_label, _why(task))
        key = f"herinnering:{task.id}:{offset_label}:{user.id}"
        queued += _send(session, user, message, "herinnering", key, now, task=task)
    return queued


def notify_overdue(session: Session, task: HumanTask, now: datetime) -> int:
    """Tell the candidates their task is late and escalate to its escalation role (default: the coordinators
    of the region); the task itself stays where it is. Once per task and person."""
    assert task.due_at is not None
    facts = _facts(session, task)
    queued = 0
    candidates = task_candidates(session, task)
    for user in candidates:
        message = messages.overdue(user.name, facts, task.due_at, _why(task))
        queued += _send(session, user, message, "te_laat", f"te_laat:{task.id}:{user.id}", now, task=task)
    role = task.escalate_to or "coordinator"
    already_told = {user.id for user in candidates}
    for user in role_holders(session, task.region_code, (role,)):
        if user.id in already_told:
            continue
        reason = f"U krijgt dit bericht omdat u de rol {role} heeft in regio {facts.region_name}."
        message = messages.escalation(user.name, facts, task.due_at, task.role or "van de aanvrager", reason)
        queued += _send(session, user, message, "escalatie", f"escalatie:{task.id}:{user.id}", now, task=task)
    return queued


def notify_decision(
    session: Session, instance: ProcessInstance, now: datetime, *, outcome: str | None = None, decided_by: str = ""
) -> int:
    """Inform the parties of a request that it was decided: whoever started it and the region's coordinators
    and penvoerders. The outcome defaults to the request's `besluit` data."""
    data = instance.data or {}
    outcome = outcome or str(data.get("besluit") or "genomen")
    decided_by = decided_by or str(data.get("besluit_door") or "")
    note = str(data.get("toelichting_besluit") or "")
    region_name = _region_name(session, instance.region_code)
    parties = {user.id: user for user in role_holders(session, instance.region_code, DECISION_PARTIES)}
    starter = session.get(User, instance.started_by_id)
    if starter is not None and starter.active:
        parties.setdefault(starter.id, starter)
    queued = 0
    for user in sorted(parties.values(), key=lambda u: u.id):
        reason = f"U krijgt dit bericht als betrokkene bij verzoeken in regio {region_name}."
        message = messages.decision(
            user.name,
            instance_id=instance.id,
            title=instance.title,
            region_name=region_name,
            outcome=outcome,
            decided_by=decided_by or "onbekend",
            note=note,
            reason=reason,
        )
        key = f"besluit:{instance.id}:{user.id}"
        queued += _send(session, user, message, "besluit", key, now, instance=instance)
    return queued


def notify_if_decided(
    session: Session, instance: ProcessInstance, *, completed: HumanTask, steps: Iterable[Any], now: datetime
) -> int:
    """After a step: inform the parties when the completed task or one of the engine's own steps (objects with
    a `spec_name`) is one of the process's decision steps."""
    deciding = DECISION_STEPS.get(instance.definition.process_key, frozenset())
    names = {completed.spec_name, *(step.spec_name for step in steps)}
    return notify_decision(session, instance, now) if names & deciding else 0


def task_candidates(session: Session, task: HumanTask) -> list[User]:
    """The active users a task is for: whoever claimed it, else its role in its region, else its candidate."""
    if task.assignee_id is not None or task.role is None:
        user_id = task.assignee_id or task.candidate_user_id
        user = session.get(User, user_id) if user_id is not None else None
        return [user] if user is not None and user.active else []
    return role_holders(session, task.region_code, (task.role,))


def role_holders(session: Session, region_code: str, roles: Iterable[str]) -> list[User]:
    """Active users holding one of the roles in the region."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.region_code == region_code, Membership.role.in_(list(roles)), User.active.is_(True))
        .distinct()
        .order_by(User.id)
    )
    return list(session.scalars(query))


def _send(
    session: Session,
    user: User,
    message: messages.Message,
    kind: str,
    key: str,
    now: datetime,
    *,
    task: HumanTask | None = None,
    instance: ProcessInstance | None = None,
) -> int:
    instance_id = task.instance_id if task is not None else instance.id if instance is not None else None
    region_code = task.region_code if task is not None else instance.region_code if instance is not None else None
    queued = enqueue(
        session,
        recipient=_address(user),
        message=message,
        kind=kind,
        dedupe_key=key,
        now=now,
        hold=user.mail_preference == "dagelijks",
        user_id=user.id,
        task_id=task.id if task is not None else None,
        instance_id=instance_id,
        region_code=region_code,
    )
    return 0 if queued is None else 1


def _address(user: User) -> str:
    return formataddr((" ".join(user.name.split()), user.email))


def _facts(session: Session, task: HumanTask) -> messages.TaskFacts:
    return messages.TaskFacts(
        task_id=task.id,
        task_name=task.name,
        instance_title=task.instance.title,
        # Every instance carries its region's name in its data (set at start): no query on the hot path.
        region_name=(task.instance.data or {}).get("regio_naam") or _region_name(session, task.region_code),
        due_at=task.due_at,
    )


def _why(task: HumanTask) -> str:
    if task.role is None:
        return "U krijgt dit bericht omdat u dit verzoek startte."
    return f"U krijgt dit bericht omdat u de rol {task.role} heeft in deze regio."


def _region_name(session: Session, code: str) -> str:
    region = session.get(Region, code)
    return region.name if region is not None else code


def is_digest_time(now: datetime) -> bool:
    """Whether today's digests may go out (from 07:00 Dutch time)."""
    return now.astimezone(messages.TIME_ZONE).time() >= DIGEST_AT


def any_held_mail(session: Session, *, now: datetime) -> bool:
    """Whether some mail waits for a daily digest (reads only)."""
    query = select(OutboxEmail.id).where(OutboxEmail.status == "held", OutboxEmail.created_at <= now).limit(1)
    return session.scalar(query) is not None


def queue_daily_digests(session: Session, *, now: datetime) -> int:
    """From 07:00 Dutch time: bundle each user's held mail into one digest (once per user per day; what comes
    in after it waits for the next day). Returns how many digests were queued."""
    if not is_digest_time(now):
        return 0
    query = (
        select(OutboxEmail)
        .where(OutboxEmail.status == "held", OutboxEmail.created_at <= now)
        .order_by(OutboxEmail.user_id, OutboxEmail.id)
        .with_for_update(skip_locked=True)  # a second scheduler leaves these alone
    )
    queued = 0
    today = now.astimezone(messages.TIME_ZONE).date()
    for user_id, group in groupby(session.scalars(query), key=lambda row: row.user_id):
        queued += _bundle(session, user_id, list(group), today, now)
    return queued


def _bundle(session: Session, user_id: int | None, rows: list[OutboxEmail], day: Any, now: datetime) -> int:
    user = session.get(User, user_id) if user_id is not None else None
    done_tasks = _finished_tasks(session, {row.task_id for row in rows if row.task_id is not None})
    keep = []
    for row in rows:
        if user is None or not user.active or (row.kind in STILL_ABOUT_AN_OPEN_TASK and row.task_id in done_tasks):
            row.status = "cancelled"  # nothing left to do about it
        else:
            keep.append(row)
    if user is None or not keep:
        return 0
    items = [messages.DigestItem(row.subject, row.link) for row in keep]
    digest_id = enqueue(
        session,
        recipient=_address(user),
        message=messages.digest(user.name, day, items),
        kind="digest",
        dedupe_key=f"digest:{user.id}:{day.isoformat()}",
        now=now,
        user_id=user.id,
    )
    if digest_id is None:
        return 0  # today's digest went out already; these wait for tomorrow's
    for row in keep:
        row.status = "bundled"
        row.digest_id = digest_id
    return 1


def _finished_tasks(session: Session, task_ids: set[int]) -> set[int]:
    if not task_ids:
        return set()
    query = select(HumanTask.id).where(HumanTask.id.in_(sorted(task_ids)), HumanTask.status != "open")
    return set(session.scalars(query))


MAIL_PREFERENCES = ("direct", "dagelijks")


def set_mail_preference(session: Session, *, user: User, preference: str) -> None:
    """Choose immediate mail ("direct") or one digest a day ("dagelijks")."""
    if preference not in MAIL_PREFERENCES:
        raise InvalidInput("Onbekende keuze.", {"mail_preference": "Kies direct of dagelijks."})
    user.mail_preference = preference


STUCK_AFTER = timedelta(minutes=15)
LIST_LIMIT = 200


@dataclass(frozen=True)
class OutboxOverview:
    """What an administrator watches: mail that failed, mail stuck while sending, and mail still waiting."""

    failed: list[OutboxEmail]
    sending: list[OutboxEmail]
    waiting: list[OutboxEmail]
    stuck_before: datetime  # a row in 'sending' claimed before this is stuck


def get_outbox_overview(session: Session, *, actor: User, now: datetime) -> OutboxOverview:
    """Failed, sending and pending mail, newest problems first (administrators only)."""
    _require_admin(actor)

    def rows(status: str, *order: Any) -> list[OutboxEmail]:
        query = select(OutboxEmail).where(OutboxEmail.status == status).order_by(*order).limit(LIST_LIMIT)
        return list(session.scalars(query))

    return OutboxOverview(
        failed=rows("failed", OutboxEmail.id.desc()),
        sending=rows("sending", OutboxEmail.claimed_at),
        waiting=rows("pending", OutboxEmail.next_attempt_at, OutboxEmail.id),
        stuck_before=now - STUCK_AFTER,
    )


def requeue_mail(session: Session, *, actor: User, mail_id: int, now: datetime) -> OutboxEmail:
    """Try a failed mail again (or one stuck in 'sending', which may then arrive twice: the admin's call)."""
    _require_admin(actor)
    row = session.scalar(select(OutboxEmail).where(OutboxEmail.id == mail_id).with_for_update())
    if row is None:
        raise NotFound("Niet gevonden.")
    if row.status not in ("failed", "sending"):
        raise Conflict("Deze mail is niet mislukt of vastgelopen; er valt niets opnieuw te proberen.")
    previous = row.status
    requeue(row, now=now)
    record_event(
        session,
        action="mail_requeued",
        summary=f"Mail opnieuw in de wachtrij: {row.subject}",
        now=now,
        actor=actor,
        region_code=row.region_code,
        instance_id=row.instance_id,
        details={"mail_id": row.id, "recipient": row.recipient, "was": previous, "error": row.last_error},
    )
    return row


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed("Alleen beheerders kunnen de mail beheren.")


def notify_assigned(session: Session, task: HumanTask, person: User, now: datetime) -> int:
    """Tell the person an administrator gave the task to (once per task and person)."""
    if not person.active or "@" not in person.email:
        return 0
    message = messages.new_task(
        person.name, _facts(session, task), "U krijgt dit bericht omdat de beheerder deze taak aan u gaf."
    )
    return _send(session, person, message, "toegewezen", f"toegewezen:{task.id}:{person.id}", now, task=task)
