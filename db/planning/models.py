"""Planning tables: calendar events, one daily plan per user and day, and plan templates.

Columns: spec/004 migration 0006; types, defaults and event types: spec/003 section 10; the
``daily_plans (user_id, date)`` natural key: DESIGN.md section 2. ``items`` are JSONB lists of
plan items. A plan template with no ``user_id`` is built in (seeded, unique by ``name``).

``calendar_events.event_type`` is spec/003's list plus the ``general`` default and the kinds
that link to a focus block, habit or goal. ``recurrence_rule`` is an iCalendar RRULE,
``recurrence_end`` the date of the last occurrence; the occurrences of a recurring event point
to it through ``parent_event_id`` and are deleted with it.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class CalendarEventType(enum.StrEnum):
    """What a calendar event is for."""

    GENERAL = "general"
    MEETING = "meeting"
    APPOINTMENT = "appointment"
    WORKOUT = "workout"
    FOCUS = "focus"
    HABIT = "habit"
    GOAL = "goal"
    OTHER = "other"


class CalendarEvent(Base):
    __tablename__ = "calendar_events"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str]
    description: Mapped[str | None]
    event_type: Mapped[CalendarEventType] = mapped_column(
        server_default=CalendarEventType.GENERAL.value
    )
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]
    all_day: Mapped[bool] = mapped_column(server_default="false")
    timezone: Mapped[str | None]
    location: Mapped[str | None]
    workout_id: Mapped[uuid.UUID | None] = fk("workouts.id", nullable=True, ondelete="SET NULL")
    habit_id: Mapped[uuid.UUID | None] = fk("habits.id", nullable=True, ondelete="SET NULL")
    goal_id: Mapped[uuid.UUID | None] = fk("goals.id", nullable=True, ondelete="SET NULL")
    recurrence_rule: Mapped[str | None]
    recurrence_end: Mapped[date | None]
    parent_event_id: Mapped[uuid.UUID | None] = fk(
        "calendar_events.id",
        nullable=True,
        ondelete="CASCADE",
        rel="parentEvent",
        reverse="occurrences",
    )
    color: Mapped[str | None]
    reminder_minutes: Mapped[int | None]
    metadata_: Mapped[JSON] = mapped_column("metadata", server_default="{}")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        CheckConstraint("end_time >= start_time", name="end_after_start"),
        *non_negative("reminder_minutes"),
        CheckConstraint("parent_event_id <> id", name="not_own_parent"),
    )


class DailyPlan(Base):
    __tablename__ = "daily_plans"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    date: Mapped[date]
    items: Mapped[JSON] = mapped_column(server_default="[]")
    notes: Mapped[str | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "date"),
        CheckConstraint("jsonb_typeof(items) = 'array'", name="items_is_array"),
    )


class PlanTemplate(Base):
    """A reusable day plan; built in when ``user_id`` is null (spec/003 section 10)."""

    __tablename__ = "plan_templates"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID | None] = user_fk(nullable=True)
    name: Mapped[str]
    description: Mapped[str | None]
    items: Mapped[JSON] = mapped_column(server_default="[]")
    is_public: Mapped[bool] = mapped_column(server_default="false")
    category: Mapped[str | None]
    use_count: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        Index(
            "uq_plan_templates_builtin_name",
            "name",
            unique=True,
            postgresql_where=text("user_id IS NULL"),
        ),
        CheckConstraint("jsonb_typeof(items) = 'array'", name="items_is_array"),
        *non_negative("use_count"),
    )
