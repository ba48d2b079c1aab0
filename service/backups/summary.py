"""What a backup holds, counted the same way on both databases, and whether this code knows its schema."""

from __future__ import annotations

from dataclasses import dataclass

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, func, select, text

from ..migrate import alembic_config
from ..models import Attachment, AuditEvent, HumanTask, ProcessInstance
from .files import BackupError


@dataclass(frozen=True)
class Summary:
    """Rows an operator can check after a backup or restore; attachments are bytes in the database."""

    revision: str
    instances: int
    tasks: int
    audit_events: int
    attachments: int
    attachment_bytes: int

    def lines(self) -> list[str]:
        return [
            f"  {self.instances} instances, {self.tasks} tasks, {self.audit_events} audit events",
            f"  {self.attachments} attachments ({_size(self.attachment_bytes)}, stored in the database)",
            f"  schema revision {self.revision}",
        ]


def count(connection: Connection) -> Summary:
    """Count what a database holds, inside the connection's current transaction (or snapshot)."""

    def rows(table: type) -> int:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)

    revision = connection.scalar(text("SELECT version_num FROM alembic_version")) or "?"
    attachment_bytes = connection.scalar(select(func.coalesce(func.sum(Attachment.size), 0)))
    return Summary(
        revision=str(revision),
        instances=rows(ProcessInstance),
        tasks=rows(HumanTask),
        audit_events=rows(AuditEvent),
        attachments=rows(Attachment),
        attachment_bytes=int(attachment_bytes or 0),
    )


def check_revision(revision: str | None, database_url: str) -> str | None:
    """Refuse a schema this code does not know (a backup from a newer version); return a note when it is older."""
    if not revision:
        raise BackupError("the backup has no schema revision (alembic_version): it is not a database of STO Flow")
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    try:
        known = scripts.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"the backup's schema revision {revision} is unknown to this version of STO Flow "
            "(a backup from a newer version?): restore it with the version that made it"
        )
    heads = scripts.get_heads()
    if revision in heads:
        return None
    return (
        f"the backup's schema (revision {revision}) is older than this code's ({', '.join(heads)}): "
        "`flask --app service setup` migrates it before the service starts"
    )


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} kB"
    return f"{n / (1024 * 1024):.1f} MB"
