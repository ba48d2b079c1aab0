"""operations: scheduler heartbeats for /readyz, suspending an instance, single sign-on subjects and
anonymising a person who left

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.models.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_heartbeat",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_heartbeat")),
    )
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("suspended_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_account_oidc_subject"), ["oidc_subject"])


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_account_oidc_subject"), type_="unique")
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("oidc_subject")
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_column("suspended_reason")
        batch_op.drop_column("suspended_at")
    op.drop_table("scheduler_heartbeat")
