"""incidents (items a background job could not handle, retried with backoff) and task reminders handled once

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.models.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=40), nullable=False),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("element", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_incidents_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_incidents_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index("ix_incidents_open_instance", "incidents", ["instance_id", "resolved_at"], unique=False)
    op.create_index("ix_incidents_region_open", "incidents", ["region_code", "resolved_at"], unique=False)
    op.create_table(
        "task_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("moment", sa.String(length=20), nullable=False),
        sa.Column("handled_at", UTCDateTime(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_task_reminder_task_id_human_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_reminder")),
        sa.UniqueConstraint("task_id", "moment", name=op.f("uq_task_reminder_task_id")),
    )
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_reminder_at", UTCDateTime(), nullable=True))
        batch_op.create_index("ix_human_task_next_reminder", ["next_reminder_at"], unique=False)
    # Open tasks with reminders are looked at once by the job, which then plans their next moment (mail sent
    # before this migration is not sent again: the outbox's dedupe keys still hold).
    op.execute(
        "UPDATE human_task SET next_reminder_at = created_at WHERE status = 'open' AND due_at IS NOT NULL "
        "AND (reminder_offsets != '' OR escalate_to IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_next_reminder")
        batch_op.drop_column("next_reminder_at")
    op.drop_table("task_reminder")
    op.drop_index("ix_incidents_region_open", table_name="incidents")
    op.drop_index("ix_incidents_open_instance", table_name="incidents")
    op.drop_table("incidents")
