"""Deployed process definitions, running instances, the human tasks the inbox shows and waiting timers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .people import User


class ProcessDefinition(Base):
    """One deployed version of a process: the BPMN file, the DMN files it calls and the forms its tasks show.

    Version numbers count per process over the shared diagram and every region's variant together, so "version 7"
    names one set of files. A variant (`region_code` set) is used by that region's new instances instead of the
    shared one (`region_code` None).
    """

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    deployed_by: Mapped[str] = mapped_column(String(254))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), nullable=True)
    # Where it came from: "bestanden" (the bpmn/ folder at setup), "editor" (the browser), "api", "terugzetten"
    # (an earlier version deployed again). Setup never overrides a version a person deployed after the files.
    source: Mapped[str] = mapped_column(String(20), server_default="bestanden")
    note: Mapped[str] = mapped_column(Text, server_default="")  # what the process owner said the change is
    restored_from: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the version number rolled back to


class DefinitionDraft(Base):
    """A process owner's unfinished edit of a process (shared, or one region's variant): nothing runs it."""

    __tablename__ = "definition_draft"
    __table_args__ = (UniqueConstraint("process_key", "region_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100))
    # The region of a variant, or "" for the shared diagram (not NULL: NULLs never clash in a unique constraint).
    region_key: Mapped[str] = mapped_column(String(40), server_default="")
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    base_definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"), nullable=True)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    updated_by: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ProcessInstance(Base):
    """A running or finished process in one region. `state` is the engine's JSON without the spec."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_region_status", "region_code", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # An operator suspended it: no task can be completed and no timer fires until it is resumed.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    suspended_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    definition: Mapped[ProcessDefinition] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class HumanTask(Base):
    """A user task as the inbox sees it; the inbox queries this table, never the engine state."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_inbox", "region_code", "status", "role"),
        Index("ix_human_task_assignee", "assignee_id", "status"),
        # Lets the inbox combine "a lane I hold" with "meant for me alone" through indexes (see bench/inbox.py).
        Index("ix_human_task_candidate", "candidate_user_id", "status"),
        # For the reminder job (a range on due_at); status second, so the inbox planner never prefers it.
        Index("ix_human_task_due", "due_at", "status"),
        Index("ix_human_task_next_reminder", "next_reminder_at"),
        # Only the few tasks whose "new task" mail is still to be written are in it.
        Index(
            "ix_human_task_mail_pending",
            "id",
            sqlite_where=text("mail_pending"),
            postgresql_where=text("mail_pending"),
        ),
        UniqueConstraint("instance_id", "engine_task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    engine_task_id: Mapped[str] = mapped_column(String(36))
    spec_name: Mapped[str] = mapped_column(String(100))
    process_key: Mapped[str] = mapped_column(String(100), server_default="")  # copied for inbox filtering
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    form_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ui_form_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    instructions: Mapped[str | None] = mapped_column(Text, nullable=True)
    candidate_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # open, completed, cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Seconds before due_at at which candidates get a reminder, e.g. "604800,172800" (from the diagram).
    reminder_offsets: Mapped[str] = mapped_column(String(200), server_default="")
    escalate_to: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The next reminder moment not yet handled (service/domain/reminders.py); None when none is left.
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The "new task" mail is written by the mail job, not by the step that created the task: the step's write
    # transaction stays short (no recipients to look up, no mail to render) and the task and its mail still come
    # from one transaction each way: no mail without its task.
    mail_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Whose step created the task: they get no mail about it (a hint, not a foreign key).
    created_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    instance: Mapped[ProcessInstance] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class DueTimer(Base):
    """A timer event waiting in an instance; the scheduler fires what is due with one indexed query."""

    __tablename__ = "due_timer"
    __table_args__ = (
        UniqueConstraint("instance_id", "engine_task_id"),
        Index("ix_due_timer_pending", "fired_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    engine_task_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(300))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, server_default="0")  # firing failed; retried later


class TaskReminder(Base):
    """A reminder moment of a task that was handled (sent, or passed by after downtime): never again."""

    __tablename__ = "task_reminder"
    __table_args__ = (UniqueConstraint("task_id", "moment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"))
    moment: Mapped[str] = mapped_column(String(20))  # seconds before the due date, or "te_laat"
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent: Mapped[bool] = mapped_column(Boolean)  # False: passed by (only the latest reached moment is sent)
