"""process owners: a region's own variant of a process, drafts that nothing runs, what a deploy was for and
where it came from, and who may edit processes for every region

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 20:42:26.194060
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.models.base import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "definition_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=100), nullable=False),
        sa.Column("region_key", sa.String(length=40), server_default="", nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("base_definition_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_definition_id"],
            ["process_definition.id"],
            name=op.f("fk_definition_draft_base_definition_id_process_definition"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_definition_draft_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definition_draft")),
        sa.UniqueConstraint("process_key", "region_key", name=op.f("uq_definition_draft_process_key")),
    )
    with op.batch_alter_table("process_definition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=20), server_default="bestanden", nullable=False))
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("restored_from", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_process_definition_region_code_region"), "region", ["region_code"], ["code"]
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_process_owner", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("is_process_owner")

    with op.batch_alter_table("process_definition", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_process_definition_region_code_region"), type_="foreignkey")
        batch_op.drop_column("restored_from")
        batch_op.drop_column("note")
        batch_op.drop_column("source")
        batch_op.drop_column("region_code")

    op.drop_table("definition_draft")
