"""incidents: items a background job could not handle, retried with backoff

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


def downgrade() -> None:
    op.drop_index("ix_incidents_region_open", table_name="incidents")
    op.drop_index("ix_incidents_open_instance", table_name="incidents")
    op.drop_table("incidents")
