"""Sign-in sessions kept on the server: a browser cookie or an API token is only honoured while its row is live."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class AuthSession(Base):
    """One sign-in (a browser session or an API token): signing out, a new password or deactivation ends it."""

    __tablename__ = "auth_session"

    # A random id; it travels inside the signed cookie or token, so knowing it alone is not enough to forge one.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "web" (cookie) or "api" (bearer token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PasswordLink(Base):
    """A one-time link by mail to choose a password: for an account made for someone (a new partner's contact)
    who has none yet. The link carries this row's id and nonce; it counts while unused and before `expires_at`."""

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
