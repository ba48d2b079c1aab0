"""task reminders, escalation role and timer failures

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_offsets", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("escalate_to", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_human_task_due", ["due_at", "status"], unique=False)
    with op.batch_alter_table("due_timer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("due_timer", schema=None) as batch_op:
        batch_op.drop_column("failures")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_due")
        batch_op.drop_column("escalate_to")
        batch_op.drop_column("reminder_offsets")
