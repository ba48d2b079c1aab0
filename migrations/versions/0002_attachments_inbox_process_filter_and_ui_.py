"""attachments, inbox process filter and ui schema

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 17:44:48.878028
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=40), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=150), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", service.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_attachment_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_attachment_region_code_region")),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_attachment_task_id_human_task")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user_account.id"], name=op.f("fk_attachment_uploaded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_instance_id"), ["instance_id"], unique=False)

    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_key", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("ui_form_key", sa.String(length=200), nullable=True))

    # Tasks created before this migration get their process from their instance's definition.
    op.execute(
        "UPDATE human_task SET process_key = (SELECT d.process_key FROM process_instance i "
        "JOIN process_definition d ON d.id = i.definition_id WHERE i.id = human_task.instance_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_column("ui_form_key")
        batch_op.drop_column("process_key")

    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_instance_id"))

    op.drop_table("attachment")
