"""Habits and goals: habits with their completions and streaks, goals with milestones."""

from db.habits.streaks import habit_current_streak_read
from schema.core.spec import Domain, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec("habit_completions", order=("-completed_at",)),
        TableSpec("habits", computed={"current_streak": habit_current_streak_read}),
    ),
)
