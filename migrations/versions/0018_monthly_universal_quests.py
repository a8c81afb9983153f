"""universal_quests.type: ``monthly`` system quests (reset on the 1st of each month, UTC)

The enum ``questtype`` is a VARCHAR with a CHECK of its values (``native_enum=False``); this
revision replaces the CHECK with one that also allows ``monthly``. ``monthly`` has the length
of ``special`` (7), so the column's type stays.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ck_universal_quests_questtype"


def upgrade() -> None:
    op.drop_constraint(op.f(_NAME), "universal_quests", type_="check")
    op.create_check_constraint(
        op.f(_NAME),
        "universal_quests",
        "type IN ('daily', 'weekly', 'special', 'monthly')",
    )


def downgrade() -> None:
    op.execute("DELETE FROM universal_quests WHERE type = 'monthly'")
    op.drop_constraint(op.f(_NAME), "universal_quests", type_="check")
    op.create_check_constraint(
        op.f(_NAME), "universal_quests", "type IN ('daily', 'weekly', 'special')"
    )
