"""Gamification: skills, achievements, progress, wallet, the points ledger, streaks."""

from db.gamification.streaks import current_streak_read
from schema.core.spec import RootField, TableSpec, register

register(
    TableSpec(
        "skill_definitions",
        roots=(RootField("skillDefinitions", "The six skills a producer levels up."),),
    ),
    TableSpec(
        "achievement_definitions",
        roots=(
            RootField("achievementDefinitions", "Achievements and the triggers that unlock them."),
        ),
    ),
    TableSpec("points_ledger", reverse_names={"user_id": "ledger"}),
    TableSpec("user_achievements", order=("-earned_at",)),
    # A day without activity reads as a broken streak at once, not at the next write.
    TableSpec("user_streaks", computed={"current_streak": current_streak_read}),
)
