"""Incidents: an item a background job could not handle (an instance whose timer failed, state that cannot be
loaded). One open incident per instance and element, retried with backoff, shown to administrators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .processes import ProcessInstance


class Incident(Base):
    """One failure of one item; `attempts` grows while it keeps failing, `resolved_at` is set once it works."""

    __tablename__ = "incidents"
    __table_args__ = (
        # The due queries look up the open incident of an instance; the page lists the open ones by region.
        Index("ix_incidents_open_instance", "instance_id", "resolved_at"),
        Index("ix_incidents_region_open", "region_code", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    job: Mapped[str] = mapped_column(String(40))  # which job met it, e.g. "timers"
    element: Mapped[str] = mapped_column(String(300))  # the diagram element (task name), "?" when unknown
    reason: Mapped[str] = mapped_column(String(1000))  # Dutch, shown to users
    detail: Mapped[str] = mapped_column(Text, default="")  # technical, for process owners and logs
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    instance: Mapped[ProcessInstance] = relationship()
