"""focus_sessions.focused_seconds: the time a completed session was actually focused

A session may be completed before its planned end, and its pauses do not count, so the time
focused (what the award, the achievement counters and the quests are computed from) is not
``duration_seconds``: it is recorded at completion. Completed rows from before this revision
were completed at their planned end (the demo generator is the only writer before the
mutations), so they get ``duration_seconds``.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("focus_sessions", sa.Column("focused_seconds", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE focus_sessions SET focused_seconds = duration_seconds WHERE status = 'completed'"
    )
    op.create_check_constraint(
        op.f("ck_focus_sessions_focused_within_duration"),
        "focus_sessions",
        "focused_seconds BETWEEN 0 AND duration_seconds",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_focus_sessions_focused_within_duration"), "focus_sessions", type_="check"
    )
    op.drop_column("focus_sessions", "focused_seconds")
