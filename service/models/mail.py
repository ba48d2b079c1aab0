"""The outbox: every mail the service sends, written in the same transaction as the change that causes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime

MAIL_KINDS = ("nieuwe_taak", "herinnering", "te_laat", "escalatie", "besluit", "digest")
# pending -> sending -> sent | pending (retry later) | failed.  held: waits for the user's daily digest, which
# turns it into bundled (or cancelled when its task was done before the digest went out).
MAIL_STATUSES = ("pending", "sending", "sent", "failed", "held", "bundled", "cancelled")


class OutboxEmail(Base):
    """One mail to one recipient. Links in the bodies start with BASE_URL_MARK; the sender fills in the
    site's address, so the use cases that queue mail need no settings."""

    __tablename__ = "outbox_email"
    __table_args__ = (
        Index("ix_outbox_email_due", "status", "next_attempt_at"),
        Index("ix_outbox_email_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same notification is never queued twice: e.g. "herinnering:<task>:<offset>:<user>".
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300), nullable=True)  # the page the mail is about, e.g. /taken/5
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # when sending began
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)  # SMTP code and text, no secrets
    message_id: Mapped[str | None] = mapped_column(String(200), nullable=True)  # kept across retries
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), nullable=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_email.id"), nullable=True)  # bundled into
