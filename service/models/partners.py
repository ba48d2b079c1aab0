"""The region's partner register: the organisations that take part (schools, colleges, businesses), their
contacts, the regioplan activities they join, their signed documents, and every change made to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .base import Base, UTCDateTime
from .regioplan import Activity


class Partner(Base):
    """One organisation in one region. A school that moves to another region is a new row there; the
    BRIN-vestigingsnummer is unique within a region only."""

    __tablename__ = "partner"
    __table_args__ = (UniqueConstraint("region_code", "brin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # service.domain.vmbo.PARTNER_KINDS
    name: Mapped[str] = mapped_column(String(200))
    brin: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    bevoegd_gezag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    place: Mapped[str | None] = mapped_column(String(100), nullable=True)
    profielen: Mapped[list[str]] = mapped_column(JSON, default=list)
    leerwegen: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))  # kandidaat, actief, vertrokken
    candidate_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    active_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The request that brought the partner in (nieuwe_partner), when it came through one.
    joined_by_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    contacts: Mapped[list[PartnerContact]] = relationship(
        back_populates="partner", order_by="PartnerContact.id", cascade="all, delete-orphan"
    )
    activity_links: Mapped[list[PartnerActivity]] = relationship(
        back_populates="partner", order_by="PartnerActivity.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[PartnerDocument]] = relationship(
        back_populates="partner", order_by="PartnerDocument.id", cascade="all, delete-orphan"
    )


class PartnerContact(Base):
    __tablename__ = "partner_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str | None] = mapped_column(String(100), nullable=True)  # e.g. "directeur", "teamleider techniek"
    # The account the contact was given in the region, if any (ended when the partner leaves).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)

    partner: Mapped[Partner] = relationship(back_populates="contacts")


class PartnerActivity(Base):
    """The partner takes part in a regioplan activity of its region."""

    __tablename__ = "partner_activity"
    __table_args__ = (UniqueConstraint("partner_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)

    partner: Mapped[Partner] = relationship(back_populates="activity_links")
    activity: Mapped[Activity] = relationship()


class PartnerDocument(Base):
    """A signed document of the partner (the house rules, the partnership agreement), kept in the database so it
    commits or rolls back with the change that brought it."""

    __tablename__ = "partner_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # huishoudelijk_reglement, samenwerkingsovereenkomst, overig
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(150))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    uploaded_by_label: Mapped[str] = mapped_column(String(254))  # a contact without an account signs too
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)

    partner: Mapped[Partner] = relationship(back_populates="documents")


class PartnerChange(Base):
    """One change to a partner's record: who, when, what changed from what to what, and why (the request)."""

    __tablename__ = "partner_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    actor_label: Mapped[str] = mapped_column(String(254))
    summary: Mapped[str] = mapped_column(String(500))
    # {field: [old, new]} in readable values (labels, not codes), so the history stays readable as-is.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)


class PartnerInvitation(Base):
    """A personal link mailed to a new partner's contact, who has no account, to accept the house rules. The link
    is signed (it carries this row's id and nonce) and only counts while this row says it is open: not used, not
    replaced by a newer link, and not past `expires_at`."""

    __tablename__ = "partner_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    accepted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the name the signer typed
    accepted_role: Mapped[str | None] = mapped_column(String(100), nullable=True)
