"""Telling a region about one of its partners (joining, leaving): everyone with a role in the region, and the
contacts of its other active partners, once each (the dedupe keys start with the caller's prefix)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..mail import messages
from ..mail.outbox import enqueue
from ..models import ROLES, Partner, PartnerContact, ProcessInstance, Region
from .notifications import role_holders

# compose(name, path, reason, staff) -> the message for one person
Compose = Callable[[str, str, str, bool], messages.Message]


def tell_region(
    session: Session,
    *,
    partner: Partner,
    region: Region,
    instance: ProcessInstance,
    now: datetime,
    kind: str,
    key_prefix: str,
    compose: Compose,
) -> int:
    """Queue the news for the region's staff (with a link to the partner) and the other partners' contacts (who
    have no account: no link into the app, no settings footer); returns how many mails were queued."""
    told = 0
    staff_reason = f"U krijgt dit bericht omdat u een rol heeft in regio {region.name}."
    for user in role_holders(session, region.code, ROLES):
        message = compose(user.name, f"/partners/{region.code}/{partner.id}", staff_reason, True)
        told += _queue(session, user.email, message, kind, f"{key_prefix}:gebruiker:{user.id}", instance, now)
    others = (
        select(PartnerContact)
        .join(Partner)
        .where(Partner.region_code == region.code, Partner.status == "actief", Partner.id != partner.id)
    )
    contact_reason = f"U krijgt dit bericht als contactpersoon van een partner in regio {region.name}."
    for contact in session.scalars(others.order_by(PartnerContact.id)):
        message = compose(contact.name, "/", contact_reason, False)
        told += _queue(session, contact.email, message, kind, f"{key_prefix}:contact:{contact.id}", instance, now)
    return told


def _queue(
    session: Session,
    address: str,
    message: messages.Message,
    kind: str,
    key: str,
    instance: ProcessInstance,
    now: datetime,
) -> int:
    queued = enqueue(
        session,
        recipient=address,
        message=message,
        kind=kind,
        dedupe_key=key,
        now=now,
        instance_id=instance.id,
        region_code=instance.region_code,
    )
    return 0 if queued is None else 1
