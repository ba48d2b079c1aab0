"""outbox for mail, and each user's mail preference

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", service.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", service.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", service.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", service.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=40), nullable=True),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["digest_id"], ["outbox_email.id"], name=op.f("fk_outbox_email_digest_id_outbox_email")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_outbox_email_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_outbox_email_task_id_human_task")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_outbox_email_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_email")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_email_dedupe_key")),
    )
    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_email_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_outbox_email_user_status", ["user_id", "status"], unique=False)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_preference", sa.String(length=20), server_default="direct", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("mail_preference")
    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_email_user_status")
        batch_op.drop_index("ix_outbox_email_due")
    op.drop_table("outbox_email")
