"""The region's regioplan and begroting register: programme lines, activities, their budget per year, and
the budget mutations that approved change requests applied."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime

Money = Numeric(14, 2)


class ProgrammeLine(Base):
    __tablename__ = "programme_line"
    __table_args__ = (UniqueConstraint("region_code", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    code: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))


class Activity(Base):
    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("region_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    programme_line_id: Mapped[int] = mapped_column(ForeignKey("programme_line.id"))
    name: Mapped[str] = mapped_column(String(200))
    doelstelling: Mapped[str | None] = mapped_column(String(300), nullable=True)
    in_original_plan: Mapped[bool] = mapped_column(default=True)
    added_by_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)

    programme_line: Mapped[ProgrammeLine] = relationship()
    budget_lines: Mapped[list[BudgetLine]] = relationship(back_populates="activity", order_by="BudgetLine.year")


class BudgetLine(Base):
    """The planned budget of an activity in one year (the original begroting)."""

    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("activity_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)

    activity: Mapped[Activity] = relationship(back_populates="budget_lines")


class BudgetMutation(Base):
    """Money moved to an activity (from another, or new money when from is empty), caused by a request."""

    __tablename__ = "budget_mutation"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    from_activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"), nullable=True)
    to_activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    from_activity: Mapped[Activity | None] = relationship(foreign_keys=[from_activity_id])
    to_activity: Mapped[Activity] = relationship(foreign_keys=[to_activity_id])


class ReportItem(Base):
    """A change to list in the next progress report (voortgangsrapportage)."""

    __tablename__ = "report_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    report_kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
