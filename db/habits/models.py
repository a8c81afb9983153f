"""Habits and goals tables: habits, one completion per habit per day, goals and their
milestones.

Columns: spec/004 migration 0004; types, defaults and status values: spec/003 section 8
(``habit_logs`` there is ``habit_completions`` here, DESIGN.md section 2); streak rules: DESIGN.md
section 3 ("Habits").

``habits.frequency`` is spec/003's daily/weekly plus ``custom``: a habit due on the weekdays
listed in ``custom_days``, a JSONB list of weekday numbers (0 = Sunday ... 6 = Saturday, as
spec/003's ``program_workouts.day_of_week``). ``goals.status`` is spec/003's
active/completed/abandoned plus ``paused``; ``goals.priority`` is an integer (higher = more
important, default 0) and ``goals.progress`` a percentage.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class HabitFrequency(enum.StrEnum):
    """The period a habit's ``target_count`` applies to."""

    DAILY = "daily"
    WEEKLY = "weekly"
    CUSTOM = "custom"


class GoalStatus(enum.StrEnum):
    """The lifecycle of a goal."""

    ACTIVE = "active"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    PAUSED = "paused"


class Habit(Base):
    __tablename__ = "habits"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str]
    description: Mapped[str | None]
    frequency: Mapped[HabitFrequency] = mapped_column(server_default=HabitFrequency.DAILY.value)
    target_count: Mapped[int] = mapped_column(server_default="1")
    custom_days: Mapped[JSON] = mapped_column(server_default="[]")
    icon: Mapped[str | None]
    color: Mapped[str | None]
    is_active: Mapped[bool] = mapped_column(server_default="true")
    current_streak: Mapped[int] = mapped_column(server_default="0")
    longest_streak: Mapped[int] = mapped_column(server_default="0")
    last_completed_at: Mapped[datetime | None]
    sort_order: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        CheckConstraint("target_count > 0", name="target_count_positive"),
        CheckConstraint("jsonb_typeof(custom_days) = 'array'", name="custom_days_is_array"),
        *non_negative("current_streak"),
        CheckConstraint("longest_streak >= current_streak", name="longest_at_least_current"),
    )


class HabitCompletion(Base):
    __tablename__ = "habit_completions"

    id: Mapped[UUIDPK]
    habit_id: Mapped[uuid.UUID] = fk("habits.id", index=False)
    user_id: Mapped[uuid.UUID] = user_fk()
    completed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    completed_date: Mapped[date]
    notes: Mapped[str | None]

    __table_args__ = (UniqueConstraint("habit_id", "completed_date"),)


class Goal(Base):
    __tablename__ = "goals"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[str | None]
    target_date: Mapped[date | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    status: Mapped[GoalStatus] = mapped_column(server_default=GoalStatus.ACTIVE.value)
    progress: Mapped[int] = mapped_column(server_default="0")
    priority: Mapped[int] = mapped_column(server_default="0")
    sort_order: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_is_percentage"),
        CheckConstraint("completed_at >= started_at", name="completed_after_start"),
        CheckConstraint(
            "status <> 'completed' OR completed_at IS NOT NULL", name="completed_has_timestamp"
        ),
    )


class GoalMilestone(Base):
    __tablename__ = "goal_milestones"

    id: Mapped[UUIDPK]
    goal_id: Mapped[uuid.UUID] = fk("goals.id")
    title: Mapped[str]
    description: Mapped[str | None]
    is_completed: Mapped[bool] = mapped_column(server_default="false")
    completed_at: Mapped[datetime | None]
    sort_order: Mapped[int] = mapped_column(server_default="0")

    __table_args__ = (
        CheckConstraint(
            "NOT is_completed OR completed_at IS NOT NULL", name="completed_has_timestamp"
        ),
    )
