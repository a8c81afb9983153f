"""Planning tables: calendar events, one daily plan per user and day, and plan templates.

Columns: Ignition specification, "Migration 0006: Planning Substrate"; types, defaults and event
types: Ignition specification, "Section 10: Planning Tables"; the ``daily_plans (user_id, date)``
natural key: docs/design.md#the-schema. ``items`` are JSONB lists of plan items. A plan template
with no ``user_id`` is built in (seeded, unique by ``name``).

``calendar_events.event_type`` is the Ignition specification's list plus the ``general`` default and
the kinds that link to a focus block, habit or goal. ``recurrence_rule`` is an iCalendar RRULE,
``recurrence_end`` the date of the last occurrence; the occurrences of a recurring event point to it
through ``parent_event_id`` and are deleted with it.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class CalendarEventType(enum.StrEnum):
    """What a calendar event is for.

    - ``general``: anything, the default.
    - ``meeting``: a meeting with others.
    - ``appointment``: an appointment.
    - ``workout``: a planned workout (see ``workout_id``).
    - ``focus``: a planned focus block.
    - ``habit``: time set aside for a habit (see ``habit_id``).
    - ``goal``: time set aside for a goal (see ``goal_id``).
    - ``other``: anything else.
    """

    GENERAL = "general"
    MEETING = "meeting"
    APPOINTMENT = "appointment"
    WORKOUT = "workout"
    FOCUS = "focus"
    HABIT = "habit"
    GOAL = "goal"
    OTHER = "other"


class CalendarEvent(Base):
    """An entry of a user's calendar, possibly recurring and possibly linked to a workout, habit or
    goal."""

    __tablename__ = "calendar_events"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    title: Mapped[str] = mapped_column(doc="The event's title.")
    description: Mapped[str | None] = mapped_column(doc="What the event is about.")
    event_type: Mapped[CalendarEventType] = mapped_column(
        server_default=CalendarEventType.GENERAL.value, doc="What the event is for."
    )
    start_time: Mapped[datetime] = mapped_column(doc="When the event starts.")
    end_time: Mapped[datetime | None] = mapped_column(
        doc="When the event ends; null for an open end."
    )
    all_day: Mapped[bool] = mapped_column(
        server_default="false",
        doc="Whether the event lasts whole days (its times then only give the days).",
    )
    timezone: Mapped[str | None] = mapped_column(
        doc="The IANA time zone the event was planned in (e.g. `Europe/Berlin`)."
    )
    location: Mapped[str | None] = mapped_column(doc="Where the event takes place.")
    workout_id: Mapped[uuid.UUID | None] = fk(
        "workouts.id",
        nullable=True,
        ondelete="SET NULL",
        doc="The workout planned for this event, if any.",
    )
    habit_id: Mapped[uuid.UUID | None] = fk(
        "habits.id", nullable=True, ondelete="SET NULL", doc="The habit this event is for, if any."
    )
    goal_id: Mapped[uuid.UUID | None] = fk(
        "goals.id",
        nullable=True,
        ondelete="SET NULL",
        doc="The goal this event works towards, if any.",
    )
    recurrence_rule: Mapped[str | None] = mapped_column(
        doc=(
            "How the event repeats: an iCalendar RRULE (e.g. "
            "`FREQ=WEEKLY;BYDAY=MO`); null for a one-off."
        )
    )
    recurrence_end: Mapped[date | None] = mapped_column(
        doc="The day of the last occurrence of a recurring event."
    )
    parent_event_id: Mapped[uuid.UUID | None] = fk(
        "calendar_events.id",
        nullable=True,
        ondelete="CASCADE",
        rel="parentEvent",
        reverse="occurrences",
        doc="The recurring event this one is an occurrence of (occurrences are deleted with it).",
    )
    color: Mapped[str | None] = mapped_column(doc="Colour shown with the event (a CSS colour).")
    reminder_minutes: Mapped[int | None] = mapped_column(
        doc="How many minutes before the start to remind the user; null for no reminder."
    )
    metadata_: Mapped[JSON] = mapped_column(
        "metadata", server_default="{}", doc="Free JSON data the client keeps with the event."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        CheckConstraint("end_time >= start_time", name="end_after_start"),
        *non_negative("reminder_minutes"),
        CheckConstraint("parent_event_id <> id", name="not_own_parent"),
    )


class DailyPlan(Base):
    """A user's plan for one day: the list of things to do (one plan per user and day)."""

    __tablename__ = "daily_plans"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    date: Mapped[date] = mapped_column(doc="The day planned.")
    items: Mapped[JSON] = mapped_column(
        server_default="[]",
        doc="The plan's items, in order: a JSON list of objects (id, title, kind, done, ...).",
    )
    notes: Mapped[str | None] = mapped_column(doc="The user's notes for the day.")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "date"),
        CheckConstraint("jsonb_typeof(items) = 'array'", name="items_is_array"),
    )


class PlanTemplate(Base):
    """A reusable day plan; built in when it has no owner."""

    __tablename__ = "plan_templates"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID | None] = user_fk(
        nullable=True, doc="The user who made the template; null for built-in templates."
    )
    name: Mapped[str] = mapped_column(doc="The template's name.")
    description: Mapped[str | None] = mapped_column(doc="What kind of day the template plans.")
    items: Mapped[JSON] = mapped_column(
        server_default="[]",
        doc="The items a plan made from the template starts with: a JSON list of objects.",
    )
    is_public: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether other users may see and use the template."
    )
    category: Mapped[str | None] = mapped_column(doc="A free category the template is filed under.")
    use_count: Mapped[int] = mapped_column(
        server_default="0", doc="How many plans were made from the template."
    )
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
