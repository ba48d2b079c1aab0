"""What every console use case checks first: the caller is an administrator, the reason is given, and the
instance is the one the operator looked at (so of two operators acting at once exactly one wins)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ProcessInstance, User
from ..errors import Conflict, InvalidInput, NotAllowed, NotFound
from ..texts import N_

MAX_REASON = 2000
RUNNING = "running"
SUSPENDED_MESSAGE = "Dit verzoek is gepauzeerd door de beheerder; er kan nu niets aan worden gedaan."


def require_operator(user: User) -> None:
    """Only administrators operate instances (they need no role in the instance's region)."""
    if not user.is_admin:
        raise NotAllowed("Alleen beheerders kunnen lopende processen beheren.")


def require_reason(reason: object, *, why: str) -> str:
    """The reason as written, stripped; InvalidInput (nothing changed) when empty or too long."""
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) < 3:
        raise InvalidInput(N_("Geef een reden."), {"reason": why})
    if len(text) > MAX_REASON:
        raise InvalidInput(N_("Reden te lang."), {"reason": N_("Gebruik hoogstens %(max)s tekens.", max=MAX_REASON)})
    return text


def optional_reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) > MAX_REASON:
        raise InvalidInput(N_("Reden te lang."), {"reason": N_("Gebruik hoogstens %(max)s tekens.", max=MAX_REASON)})
    return text


def parse_seen_version(seen_version: object) -> int | None:
    """The instance version the operator's page showed (None when the caller did not say, e.g. the API)."""
    if seen_version in (None, ""):
        return None
    try:
        return int(str(seen_version))
    except ValueError:
        raise InvalidInput(N_("Ongeldig formulier."), {"version": N_("Laad de pagina opnieuw.")}) from None


def lock_instance(session: Session, instance_id: int, *, seen_version: object = None) -> ProcessInstance:
    """Read the instance afresh and lock it (PostgreSQL: FOR UPDATE; SQLite: the write transaction holds the
    lock); Conflict when it changed since the operator's page showed it."""
    query = select(ProcessInstance).where(ProcessInstance.id == instance_id).with_for_update()
    instance = session.scalar(query.execution_options(populate_existing=True))
    if instance is None:
        raise NotFound("Niet gevonden.")
    seen = parse_seen_version(seen_version)
    if seen is not None and seen != instance.version:
        raise Conflict(
            "Dit verzoek is intussen gewijzigd (door een andere beheerder of door het proces zelf). "
            "Bekijk de nieuwe stand en probeer het zo nodig opnieuw.",
            instance_id=instance.id,
        )
    return instance


def require_running(instance: ProcessInstance, *, doing: str) -> None:
    if instance.status != RUNNING:
        raise Conflict(f"Dit verzoek loopt niet meer; {doing} kan niet.", instance_id=instance.id)


def require_not_suspended(instance: ProcessInstance, *, doing: str) -> None:
    if instance.suspended_at is not None:
        raise Conflict(f"Dit verzoek is gepauzeerd; hervat het eerst, daarna kan {doing}.", instance_id=instance.id)
