"""Personal data (AVG): everything the service holds about one person as a JSON-ready export, and anonymising a
person who left. The audit trail is the subsidy administration: its rows stay and keep pointing at the same user
id; only the personal text in them (name, email) is replaced, and the anonymisation itself is an audit event."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select
from sqlalchemy.orm import Session

from ..models import (
    Attachment,
    AuditEvent,
    AuthSession,
    CalendarFeed,
    HumanTask,
    OutboxEmail,
    PartnerChange,
    PartnerContact,
    PartnerInvitation,
    PasswordLink,
    ProcessDefinition,
    ProcessInstance,
    User,
)
from .accounts import NO_PASSWORD
from .audit import record_event
from .auth_sessions import end_all_sessions
from .errors import NotAllowed
from .people import _release_claims, get_user
from .texts import N_

EXPORT_FORMAT = 1
UNSENT = ("pending", "sending", "failed", "held")  # mail that may still go out; "bundled" rows went out in a digest


class AnonymiseRefused(NotAllowed):
    """The administrator may anonymise people, but not this one (themselves, or the last active administrator)."""


def placeholder_name(user_id: int) -> str:
    return f"Oud-medewerker {user_id}"


def placeholder_email(user_id: int) -> str:
    # .invalid is reserved (RFC 2606): no mail can ever be delivered there.
    return f"anoniem-{user_id}@invalid"


def export_personal_data(session: Session, *, actor: User, user_id: int, now: datetime) -> dict[str, Any]:
    """Everything held about a person, without password hash, token values or file contents; audited."""
    user = get_user(session, actor=actor, user_id=user_id)
    email = user.email
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "active": user.active,
            "is_admin": user.is_admin,
            "is_process_owner": user.is_process_owner,
            "created_at": _iso(user.created_at),
            "mail_preference": user.mail_preference,
            "single_sign_on_linked": user.oidc_subject is not None,
            "anonymised_at": _iso(user.anonymised_at),
        },
        "memberships": [{"region": m.region_code, "role": m.role} for m in user.memberships],
        "sessions": _rows(session, select(AuthSession).where(AuthSession.user_id == user.id), _session_row),
        "password_links": _rows(
            session,
            select(PasswordLink).where(PasswordLink.user_id == user.id),
            lambda link: {
                "created_at": _iso(link.created_at),
                "expires_at": _iso(link.expires_at),
                "used_at": _iso(link.used_at),
            },
        ),
        "calendar_feed": session.scalar(select(func.count()).where(CalendarFeed.user_id == user.id)) > 0,
        "tasks": _rows(
            session,
            select(HumanTask)
            .where(
                or_(
                    HumanTask.assignee_id == user.id,
                    HumanTask.completed_by_id == user.id,
                    HumanTask.candidate_user_id == user.id,
                )
            )
            .order_by(HumanTask.id),
            lambda t: _task_row(t, user.id),
        ),
        "instances_started": _rows(
            session,
            select(ProcessInstance).where(ProcessInstance.started_by_id == user.id).order_by(ProcessInstance.id),
            lambda i: {
                "id": i.id,
                "title": i.title,
                "region": i.region_code,
                "status": i.status,
                "started_at": _iso(i.started_at),
                "completed_at": _iso(i.completed_at),
            },
        ),
        "audit_events": [_audit_row(e) for e in _audit_about(session, user, user.email, user.name)],
        "attachments_uploaded": _rows(
            session,
            select(Attachment).where(Attachment.uploaded_by_id == user.id).order_by(Attachment.id),
            lambda a: {
                "id": a.id,
                "instance_id": a.instance_id,
                "field": a.field,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "uploaded_at": _iso(a.uploaded_at),
            },
        ),
        "mail": _rows(
            session,
            select(OutboxEmail)
            .where(or_(OutboxEmail.user_id == user.id, OutboxEmail.recipient == email))
            .order_by(OutboxEmail.id),
            lambda m: {
                "id": m.id,
                "kind": m.kind,
                "status": m.status,
                "recipient": m.recipient,
                "subject": m.subject,
                "body_text": m.body_text,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
            },
        ),
        "partner_contacts": _rows(
            session,
            select(PartnerContact).where(
                or_(PartnerContact.user_id == user.id, func.lower(PartnerContact.email) == email)
            ),
            lambda c: {"partner_id": c.partner_id, "name": c.name, "email": c.email, "role": c.role},
        ),
        "partner_invitations": _rows(
            session,
            select(PartnerInvitation).where(func.lower(PartnerInvitation.email) == email),
            lambda i: {
                "partner_id": i.partner_id,
                "instance_id": i.instance_id,
                "name": i.name,
                "email": i.email,
                "created_at": _iso(i.created_at),
                "expires_at": _iso(i.expires_at),
                "used_at": _iso(i.used_at),
                "accepted_by": i.accepted_by,
            },
        ),
        "partner_changes": _rows(
            session,
            select(PartnerChange).where(PartnerChange.actor_id == user.id).order_by(PartnerChange.id),
            lambda c: {"partner_id": c.partner_id, "at": _iso(c.at), "summary": c.summary},
        ),
        "process_versions_deployed": list(
            session.scalars(select(ProcessDefinition.id).where(ProcessDefinition.deployed_by == email))
        ),
    }
    record_event(
        session,
        action="personal_data_exported",
        summary=f"Persoonsgegevens van gebruiker {user.id} uitgevoerd",
        now=now,
        actor=actor,
        details={"user_id": user.id},
    )
    session.flush()
    return data


def anonymise_user(session: Session, *, actor: User, user_id: int, now: datetime) -> User:
    """Replace a person's name and email everywhere, end their access and drop their unsent mail; audited."""
    user = get_user(session, actor=actor, user_id=user_id)
    if user.id == actor.id:
        raise AnonymiseRefused(N_("U kunt uzelf niet anonimiseren."))
    if user.anonymised_at is not None:
        return user
    if user.is_admin and user.active and _other_active_admins(session, user) == 0:
        raise AnonymiseRefused(N_("Dit is de laatste actieve beheerder; maak eerst iemand anders beheerder."))
    old_name, old_email = user.name, user.email
    new_name, new_email = placeholder_name(user.id), placeholder_email(user.id)
    _release_claims(session, user, actor=actor, now=now, why="gebruiker geanonimiseerd")
    end_all_sessions(session, user_id=user.id, now=now)
    session.execute(delete(PasswordLink).where(PasswordLink.user_id == user.id))
    session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    user.memberships.clear()
    session.execute(
        delete(OutboxEmail).where(
            or_(OutboxEmail.user_id == user.id, OutboxEmail.recipient == old_email), OutboxEmail.status.in_(UNSENT)
        )
    )
    user.name, user.email = new_name, new_email
    user.password_hash = NO_PASSWORD
    user.active = user.is_admin = user.is_process_owner = False
    user.oidc_subject = None
    user.anonymised_at = now
    replace = _replacer({old_email: new_email, old_name: new_name})
    for event in _audit_about(session, user, old_email, old_name):
        event.actor_label, event.summary = replace(event.actor_label), replace(event.summary)[:500]
        # Unescaped, so a name like Coördinator matches as typed.
        event.details = json.loads(replace(json.dumps(event.details, ensure_ascii=False)))
    # Mail that went out stays as the record of what was sent, addressed to the placeholder.
    sent = or_(OutboxEmail.user_id == user.id, OutboxEmail.recipient == old_email)
    for mail in session.scalars(select(OutboxEmail).where(sent)):
        mail.recipient, mail.subject = new_email, replace(mail.subject)[:300]
        mail.body_text, mail.body_html = replace(mail.body_text), replace(mail.body_html)
    for change in session.scalars(select(PartnerChange).where(PartnerChange.actor_id == user.id)):
        change.actor_label = replace(change.actor_label)
    for contact in session.scalars(select(PartnerContact).where(PartnerContact.user_id == user.id)):
        contact.name, contact.email = new_name, new_email
    for invitation in session.scalars(select(PartnerInvitation).where(PartnerInvitation.email == old_email)):
        invitation.name, invitation.email = new_name, new_email
    for definition in session.scalars(select(ProcessDefinition).where(ProcessDefinition.deployed_by == old_email)):
        definition.deployed_by = new_email
    session.flush()
    record_event(
        session,
        action="user_anonymised",
        summary=f"Gebruiker {user.id} geanonimiseerd ({new_name})",
        now=now,
        actor=actor,
        details={"user_id": user.id},
    )
    session.flush()
    return user


def _audit_about(session: Session, user: User, *texts: str) -> list[AuditEvent]:
    """Audit events by the person, about them (details.user_id) or naming them in their text."""
    details = cast(AuditEvent.details, String)
    conditions = [AuditEvent.actor_id == user.id, details.like(f"%user_id%{user.id}%")]
    for text in (t for t in texts if t):
        pattern = f"%{text}%"
        conditions += [AuditEvent.actor_label.like(pattern), AuditEvent.summary.like(pattern), details.like(pattern)]
    candidates = session.scalars(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id))
    # The LIKE on user_id also catches 17 for 1: the exact test is done here.
    return [e for e in candidates if _concerns(e, user.id, texts)]


def _concerns(event: AuditEvent, user_id: int, texts: tuple[str, ...]) -> bool:
    if event.actor_id == user_id or (event.details or {}).get("user_id") == user_id:
        return True
    words = f"{event.actor_label}\n{event.summary}\n{json.dumps(event.details, ensure_ascii=False)}"
    return any(text and text in words for text in texts)


def _replacer(mapping: dict[str, str]) -> Any:
    # Longest first, so a name inside an email address is not replaced before the address itself.
    pairs = sorted(((old, new) for old, new in mapping.items() if old), key=lambda p: -len(p[0]))

    def replace(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    return replace


def _other_active_admins(session: Session, user: User) -> int:
    query = select(func.count()).where(User.is_admin.is_(True), User.active.is_(True), User.id != user.id)
    return int(session.scalar(query) or 0)


def _rows(session: Session, query: Any, row: Any) -> list[dict[str, Any]]:
    return [row(item) for item in session.scalars(query)]


def _session_row(s: AuthSession) -> dict[str, Any]:
    # The id is what a cookie or token carries: it never leaves the server.
    return {"kind": s.kind, "created_at": _iso(s.created_at), "ended_at": _iso(s.ended_at)}


def _task_row(t: HumanTask, user_id: int) -> dict[str, Any]:
    return {
        "id": t.id,
        "instance_id": t.instance_id,
        "name": t.name,
        "region": t.region_code,
        "role": t.role,
        "status": t.status,
        "created_at": _iso(t.created_at),
        "due_at": _iso(t.due_at),
        "completed_at": _iso(t.completed_at),
        "completed_by_them": t.completed_by_id == user_id,
        "assigned_to_them": t.assignee_id == user_id,
    }


def _audit_row(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": _iso(e.at),
        "action": e.action,
        "actor": e.actor_label,
        "summary": e.summary,
        "region": e.region_code,
        "instance_id": e.instance_id,
        "task_id": e.task_id,
        "details": e.details,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
