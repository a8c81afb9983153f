"""users.deactivated_at: an account staff deactivated

``deactivateUser`` (entitlement ``users:manage``, docs/admin.md) ends every session of a user
and stamps ``users.deactivated_at``: a deactivated user's tokens sign nobody in and the
sign-in server cannot issue new ones until an administrator approves the account again
(``approveUser``), which clears it. Null for every existing user.

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "deactivated_at")
