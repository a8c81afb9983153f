"""Habits and goals: habits with their completions and streaks, goals with milestones."""

from db.habits.streaks import habit_current_streak_read
from schema.core.spec import TableSpec, register

register(
    TableSpec("habit_completions", order=("-completed_at",)),
    # A missed period reads as a broken streak at once, not at the next write.
    TableSpec("habits", computed={"current_streak": habit_current_streak_read}),
)
