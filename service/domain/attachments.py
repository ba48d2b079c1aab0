"""Files uploaded with task forms: stored with checksum and size, listed on the instance, region-checked."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Attachment, HumanTask, User
from .access import require_region_member
from .errors import InvalidInput, NotFound

FILE_WIDGET = "file"


def store_attachment(
    session: Session,
    *,
    user: User,
    task: HumanTask,
    field: str,
    filename: str,
    content_type: str,
    content: bytes,
    max_bytes: int,
    now: datetime,
) -> dict[str, Any]:
    """Keep an uploaded file for a task's form field; returns the reference that goes into the form data."""
    if len(content) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):.0f} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes // 1024} kB"
        raise InvalidInput("Bestand te groot.", {field: f"Dit bestand is te groot; het mag hoogstens {limit} zijn."})
    if not content:
        raise InvalidInput("Leeg bestand.", {field: "Dit bestand is leeg."})
    attachment = Attachment(
        region_code=task.region_code,
        instance_id=task.instance_id,
        task_id=task.id,
        field=field,
        filename=_clean_name(filename),
        content_type=content_type or "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by_id=user.id,
        uploaded_at=now,
    )
    session.add(attachment)
    session.flush()
    return reference(attachment)


def reference(attachment: Attachment) -> dict[str, Any]:
    """What the process data holds about a file."""
    return {
        "bijlage_id": attachment.id,
        "bestandsnaam": attachment.filename,
        "grootte": attachment.size,
        "sha256": attachment.sha256,
    }


def check_references(session: Session, schema: dict[str, Any], data: dict[str, Any], instance_id: int) -> None:
    """A file field may only point at a file uploaded to this same instance (API clients could send any id)."""
    for name, prop in schema.get("properties", {}).items():
        value = data.get(name)
        if prop.get("x-widget") != FILE_WIDGET or value is None:
            continue
        found = session.get(Attachment, value.get("bijlage_id")) if isinstance(value, dict) else None
        if found is None or found.instance_id != instance_id:
            raise InvalidInput("Onbekend bestand.", {name: "Dit bestand hoort niet bij dit verzoek."})
        data[name] = reference(found)


def list_attachments(session: Session, instance_id: int) -> list[Attachment]:
    """The files of an instance, oldest first."""
    return list(
        session.scalars(select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.id))
    )


def get_attachment(session: Session, *, user: User, attachment_id: int) -> Attachment:
    """A file of one of the user's regions (NotFound otherwise)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("Niet gevonden.")
    require_region_member(user, attachment.region_code)
    return attachment


def _clean_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "bestand"
    return "".join(ch for ch in name if ch.isprintable())[:255]
