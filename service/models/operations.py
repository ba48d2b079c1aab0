"""What operators watch: each scheduler process says it is alive, so /readyz can tell whether timers fire."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class SchedulerHeartbeat(Base):
    """One row per scheduler process (host and pid), its `seen_at` renewed while it runs."""

    __tablename__ = "scheduler_heartbeat"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
