"""new-task mail is written by the mail job: human_task.mail_pending and created_by_id

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tasks that exist already had their mail queued by the step that created them: none is pending.
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_pending", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
    op.create_index(
        "ix_human_task_mail_pending",
        "human_task",
        ["id"],
        unique=False,
        sqlite_where=sa.text("mail_pending"),
        postgresql_where=sa.text("mail_pending"),
    )


def downgrade() -> None:
    op.drop_index("ix_human_task_mail_pending", table_name="human_task")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("mail_pending")
