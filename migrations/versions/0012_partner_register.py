"""the partner register: partners per region, their contacts, activities, signed documents, change history, the
personal links that new partners' contacts accept the house rules with, and one-time links to choose a password

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.models.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_password_link_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_link")),
    )
    with op.batch_alter_table("password_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_link_user_id"), ["user_id"], unique=False)

    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("brin", sa.String(length=6), nullable=True),
        sa.Column("bevoegd_gezag", sa.String(length=200), nullable=True),
        sa.Column("place", sa.String(length=100), nullable=True),
        sa.Column("profielen", sa.JSON(), nullable=False),
        sa.Column("leerwegen", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("candidate_since", sa.Date(), nullable=True),
        sa.Column("active_from", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("joined_by_instance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["joined_by_instance_id"],
            ["process_instance.id"],
            name=op.f("fk_partner_joined_by_instance_id_process_instance"),
        ),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"], name=op.f("fk_partner_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
        sa.UniqueConstraint("region_code", "brin", name=op.f("uq_partner_region_code")),
    )
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_brin"), ["brin"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_region_code"), ["region_code"], unique=False)

    op.create_table(
        "partner_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_partner_activity_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_partner_activity_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_activity_partner_id_partner"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_activity")),
        sa.UniqueConstraint("partner_id", "activity_id", name=op.f("uq_partner_activity_partner_id")),
    )
    with op.batch_alter_table("partner_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_activity_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_activity_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "partner_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_partner_change_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_partner_change_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_change_partner_id_partner"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_change")),
    )
    with op.batch_alter_table("partner_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_change_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "partner_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_contact_partner_id_partner"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_partner_contact_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_contact")),
    )
    with op.batch_alter_table("partner_contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_contact_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "partner_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=150), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_label", sa.String(length=254), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_partner_document_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_document_partner_id_partner"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user_account.id"], name=op.f("fk_partner_document_uploaded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_document")),
    )
    with op.batch_alter_table("partner_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_document_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "partner_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("accepted_by", sa.String(length=200), nullable=True),
        sa.Column("accepted_role", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_partner_invitation_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_partner_invitation_partner_id_partner"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_invitation")),
    )
    with op.batch_alter_table("partner_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_invitation_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_invitation_partner_id"), ["partner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("partner_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_invitation_partner_id"))
        batch_op.drop_index(batch_op.f("ix_partner_invitation_instance_id"))

    op.drop_table("partner_invitation")
    with op.batch_alter_table("partner_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_document_partner_id"))

    op.drop_table("partner_document")
    with op.batch_alter_table("partner_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_contact_partner_id"))

    op.drop_table("partner_contact")
    with op.batch_alter_table("partner_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_change_partner_id"))

    op.drop_table("partner_change")
    with op.batch_alter_table("partner_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_activity_partner_id"))
        batch_op.drop_index(batch_op.f("ix_partner_activity_activity_id"))

    op.drop_table("partner_activity")
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_region_code"))
        batch_op.drop_index(batch_op.f("ix_partner_brin"))

    op.drop_table("partner")
    with op.batch_alter_table("password_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_link_user_id"))

    op.drop_table("password_link")
