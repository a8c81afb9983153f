"""Habits and goals: habits with their completions and streaks, goals with milestones."""

from schema.core.spec import TableSpec, register

register(
    TableSpec("habit_completions", order=("-completed_at",)),
)
