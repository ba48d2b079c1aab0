"""The deadline calendar of each region (data process owners edit, never code) and each user's calendar feed key."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class Deadline(Base):
    """One obligation of a region with its date; `due_date` is None while DUS-I has not announced it.

    `lead_days` before the date a reporting instance starts (None: calendar only, no reporting process);
    `reminder_weeks` are the offsets before the date at which people are reminded.
    """

    __tablename__ = "deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    lead_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reminder_weeks: Mapped[list[int]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    submission_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarFeed(Base):
    """The public half of a user's secret calendar URL; the URL also carries an HMAC of it with the app's
    secret key, so this table alone cannot rebuild a feed address. Renewing replaces the key."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
