"""Gamification: skills, achievements, progress, wallet, the points ledger, streaks."""

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
)
