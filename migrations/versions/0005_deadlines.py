"""deadline calendar per region and calendar feed keys

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-29 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.models.base

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("lead_days", sa.Integer(), nullable=True),
        sa.Column("reminder_weeks", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("started_at", service.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("submission_reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", service.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", service.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_deadline_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_deadline_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline")),
    )
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_region_code"), ["region_code"], unique=False)

    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", service.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_calendar_feed_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("key", name=op.f("uq_calendar_feed_key")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feed_user_id")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feed")
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_region_code"))
    op.drop_table("deadline")
