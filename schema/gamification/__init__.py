"""Gamification: skills, achievements, progress, wallet, the points ledger, streaks."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from db.gamification.hidden import MASKED_NULL, masked_columns
from db.gamification.streaks import current_streak_read
from schema.core.spec import Domain, RootField, TableSpec
from schema.core.sql import VIEWER_ID


def _viewer_id() -> sa.BindParameter[object]:
    """The viewer's bind parameter, filled per request by both read paths."""
    return sa.bindparam(VIEWER_ID, None, type_=postgresql.UUID(as_uuid=True))


DOMAIN = Domain(
    tables=(
        TableSpec(
            "skill_definitions",
            roots=(RootField("skillDefinitions", "The six skills a producer levels up."),),
        ),
        TableSpec(
            "achievement_definitions",
            roots=(
                RootField(
                    "achievementDefinitions", "Achievements and the triggers that unlock them."
                ),
            ),
            # Hidden until earned: name, description and trigger masked for other viewers.
            computed=masked_columns(_viewer_id),
            masked=MASKED_NULL,
        ),
        TableSpec("points_ledger", reverse_names={"user_id": "ledger"}),
        TableSpec("user_achievements", order=("-earned_at",)),
        TableSpec("user_streaks", computed={"current_streak": current_streak_read}),
    ),
)
