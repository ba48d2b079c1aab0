"""merge the auth-session and incident branches into one history

Revision ID: 0010
Revises: 0008, 0009
Create Date: 2026-12-04 14:20:00
"""

from collections.abc import Sequence

revision: str = "0010"
down_revision: tuple[str, ...] = ("0008", "0009")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
