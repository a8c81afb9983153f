"""Habits and goals tables: habits, one completion per habit per day, goals and their
milestones.

Columns: Ignition specification, "Migration 0004: Habits & Goals Substrate"; types, defaults and
status values: Ignition specification, "Section 8: Habits & Goals Tables" (``habit_logs`` there is
``habit_completions`` here, docs/design.md#the-schema); streak rules: docs/design.md#habits.

``habits.frequency`` is the Ignition specification's daily/weekly plus ``custom``: a habit due on
the weekdays listed in ``custom_days``, a JSONB list of weekday numbers (0 = Sunday ... 6 =
Saturday, as the Ignition specification's ``program_workouts.day_of_week``). ``goals.status`` is the
Ignition specification's active/completed/abandoned plus ``paused``; ``goals.priority`` is an
integer (higher = more important, default 0) and ``goals.progress`` a percentage.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class HabitFrequency(enum.StrEnum):
    """The period a habit's ``target_count`` applies to.

    - ``daily``: every day.
    - ``weekly``: every week (Monday to Sunday).
    - ``custom``: the weekdays listed in ``custom_days``.
    """

    DAILY = "daily"
    WEEKLY = "weekly"
    CUSTOM = "custom"


class GoalStatus(enum.StrEnum):
    """The lifecycle of a goal.

    - ``active``: being worked on.
    - ``completed``: reached.
    - ``abandoned``: given up.
    - ``paused``: put aside for now.
    """

    ACTIVE = "active"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    PAUSED = "paused"


class Habit(Base):
    """A habit a user wants to keep, with its target per period and its streak.

    Completing it counts towards `targetCount` for the period of its `frequency`; each period
    that meets the target extends `currentStreak`."""

    __tablename__ = "habits"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str] = mapped_column(doc="The habit's name.")
    description: Mapped[str | None] = mapped_column(doc="What the habit is, in the user's words.")
    frequency: Mapped[HabitFrequency] = mapped_column(
        server_default=HabitFrequency.DAILY.value,
        doc="The period `targetCount` applies to; `CUSTOM` means the weekdays in `customDays`.",
    )
    target_count: Mapped[int] = mapped_column(
        server_default="1",
        doc="Completions needed per period (per day, per week, or per custom weekday).",
    )
    custom_days: Mapped[JSON] = mapped_column(
        server_default="[]",
        doc=(
            "For `CUSTOM` habits, the weekdays it is due on: a JSON list of "
            "numbers, 0 = Sunday to 6 = Saturday (empty otherwise)."
        ),
    )
    icon: Mapped[str | None] = mapped_column(doc="Icon identifier shown with the habit.")
    color: Mapped[str | None] = mapped_column(doc="Colour shown with the habit (a CSS colour).")
    is_active: Mapped[bool] = mapped_column(
        server_default="true",
        doc="Whether the habit is tracked; inactive habits are kept but not due.",
    )
    current_streak: Mapped[int] = mapped_column(
        server_default="0",
        doc="Consecutive periods in which the target was met, up to the latest one; 0 once "
        "a period ended without it (today's open period does not break it).",
    )
    longest_streak: Mapped[int] = mapped_column(
        server_default="0", doc="The longest streak the habit ever had, in periods."
    )
    last_completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the habit was last completed."
    )
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position in the user's habit list (ascending)."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        CheckConstraint("target_count > 0", name="target_count_positive"),
        CheckConstraint("jsonb_typeof(custom_days) = 'array'", name="custom_days_is_array"),
        *non_negative("current_streak"),
        CheckConstraint("longest_streak >= current_streak", name="longest_at_least_current"),
    )


class HabitCompletion(Base):
    """One completion of a habit on one day."""

    __tablename__ = "habit_completions"

    id: Mapped[UUIDPK]
    habit_id: Mapped[uuid.UUID] = fk("habits.id", index=False, doc="The habit completed.")
    user_id: Mapped[uuid.UUID] = user_fk()
    completed_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When the habit was completed."
    )
    completed_date: Mapped[date] = mapped_column(
        doc="The user's calendar day the completion counts for (one completion per habit and day)."
    )
    notes: Mapped[str | None] = mapped_column(doc="The user's notes on this completion.")

    __table_args__ = (UniqueConstraint("habit_id", "completed_date"),)


class Goal(Base):
    """A goal a user works towards, with milestones and a progress percentage."""

    __tablename__ = "goals"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str] = mapped_column(doc="The goal's title.")
    description: Mapped[str | None] = mapped_column(doc="What the goal is, in the user's words.")
    category: Mapped[str | None] = mapped_column(
        doc="A free category the user files the goal under."
    )
    target_date: Mapped[date | None] = mapped_column(
        doc="The day the user wants to reach the goal by."
    )
    started_at: Mapped[datetime | None] = mapped_column(
        doc="When the user started working on the goal."
    )
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the goal was reached; null unless completed."
    )
    status: Mapped[GoalStatus] = mapped_column(
        server_default=GoalStatus.ACTIVE.value, doc="Where the goal is in its lifecycle."
    )
    progress: Mapped[int] = mapped_column(
        server_default="0", doc="How far the goal is, in percent (0-100)."
    )
    priority: Mapped[int] = mapped_column(
        server_default="0", doc="How important the goal is; higher is more important (default 0)."
    )
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position in the user's goal list (ascending)."
    )
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
    """One step on the way to a goal."""

    __tablename__ = "goal_milestones"

    id: Mapped[UUIDPK]
    goal_id: Mapped[uuid.UUID] = fk("goals.id", doc="The goal this milestone belongs to.")
    title: Mapped[str] = mapped_column(doc="The milestone's title.")
    description: Mapped[str | None] = mapped_column(
        doc="What the milestone is, in the user's words."
    )
    is_completed: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the milestone is done."
    )
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the milestone was done; null unless completed."
    )
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position among the goal's milestones (ascending)."
    )

    __table_args__ = (
        CheckConstraint(
            "NOT is_completed OR completed_at IS NOT NULL", name="completed_has_timestamp"
        ),
    )
