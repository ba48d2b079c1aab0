"""Regions, users and the roles a user holds in a region."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime

ROLES = ("projectleider", "penvoerder", "stuurgroep", "coordinator")
# Not a lane: a process owner of one region may edit and deploy that region's variants of the processes.
PROCESS_OWNER = "procesbeheerder"
GRANTABLE_ROLES = (*ROLES, PROCESS_OWNER)


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Process owner for every region: edits and deploys the shared processes (and any region's variant).
    is_process_owner: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "direct": every notification by mail at once; "dagelijks": collected into one mail a day.
    mail_preference: Mapped[str] = mapped_column(String(20), default="direct", server_default="direct")
    # The OpenID Connect provider's subject, linked at the first single sign-on (matched by verified email).
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    # Set when an administrator anonymised a person who left: name and email were replaced, the audit stays.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Membership(Base):
    """User U holds role R in region X: tasks in lane R of region X's instances are offered to U."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "region_code", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    role: Mapped[str] = mapped_column(String(40))

    user: Mapped[User] = relationship(back_populates="memberships")
