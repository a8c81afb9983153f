"""achievement_definitions.is_active and skill_definitions.is_active: staff deactivate, never
delete, the definitions users' unlocks and skills refer to (docs/admin.md)

An inactive achievement unlocks for nobody any more (``db/gamification/achievements.py`` reads
the active definitions only); the unlocks made stay. An inactive skill is offered to no new
quest or lesson by staff; the stars users earned stay.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("achievement_definitions", "skill_definitions")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(
            table,
            sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        )


def downgrade() -> None:
    for table in _TABLES:
        op.drop_column(table, "is_active")
