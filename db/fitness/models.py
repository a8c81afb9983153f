"""Fitness: the exercise catalog (built-in and users' own), workouts built from it, logged
workout sessions and their sets, personal records, and multi-week training programs.

Columns: spec/004 migration 0011; types, defaults and meanings: spec/003 section 11, then the
original PostgreSQL migration 0011 that spec/004 inventories where spec/003 is silent.
``exercises`` additionally carries ``level``, ``force``, ``mechanic``, ``instructions``,
``images``, ``source_id`` and ``updated_at`` so that the free-exercise-db library
(``data/free-exercise-db``, spec/003 "Seed Data Summary") maps onto it without loss.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.properties import MappedColumn

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class PersonalRecordType(enum.StrEnum):
    """What a personal record measures (``value``: kg/lb, reps, seconds, or total volume)."""

    WEIGHT = "weight"
    REPS = "reps"
    TIME = "time"
    VOLUME = "volume"


class TrainingDifficulty(enum.StrEnum):
    """The level a training program is aimed at (values chosen here, as in the original
    migration 0011)."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


def exercise_fk(**info: Any) -> MappedColumn[Any]:
    """``exercise_id -> exercises.id``: an indexed :func:`db.base.fk` with no ON DELETE action
    (an exercise in use cannot be deleted), checked at commit (DEFERRABLE INITIALLY DEFERRED).

    Deferred because a user's own exercises and the sets, workout lines and records that use
    them are all removed by the cascade from ``users``: checked immediately, the cascade
    deleting the exercises would fail on rows that a later branch of the same cascade removes.
    """
    column = fk("exercises.id", ondelete=None, **info)
    for foreign_key in column.column.foreign_keys:
        foreign_key.deferrable = True
        foreign_key.initially = "DEFERRED"
    return column


class Exercise(Base):
    """A catalog exercise: built-in (``user_id`` NULL, seeded from free-exercise-db) or a
    user's own (spec/003 section 11)."""

    __tablename__ = "exercises"

    id: Mapped[UUIDPK]
    name: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[str]
    muscle_groups: Mapped[JSON] = mapped_column(server_default="[]")
    equipment: Mapped[str | None]
    is_custom: Mapped[bool] = mapped_column(server_default="false")
    is_builtin: Mapped[bool] = mapped_column(server_default="false")
    user_id: Mapped[uuid.UUID | None] = user_fk(nullable=True, index=False)
    level: Mapped[str | None]
    force: Mapped[str | None]
    mechanic: Mapped[str | None]
    instructions: Mapped[JSON] = mapped_column(server_default="[]")
    images: Mapped[JSON] = mapped_column(server_default="[]")
    source_id: Mapped[str | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "name"),
        Index(
            "uq_exercises_builtin_name",
            "name",
            unique=True,
            postgresql_where=text("user_id IS NULL"),
        ),
        CheckConstraint("NOT (is_builtin AND is_custom)", name="builtin_or_custom"),
        CheckConstraint("NOT is_builtin OR user_id IS NULL", name="builtin_has_no_owner"),
        CheckConstraint("NOT is_custom OR user_id IS NOT NULL", name="custom_has_owner"),
    )


class Workout(Base):
    __tablename__ = "workouts"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str]
    description: Mapped[str | None]
    estimated_duration: Mapped[int | None]
    is_template: Mapped[bool] = mapped_column(server_default="false")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (*non_negative("estimated_duration"),)


class WorkoutSection(Base):
    __tablename__ = "workout_sections"

    id: Mapped[UUIDPK]
    workout_id: Mapped[uuid.UUID] = fk("workouts.id")
    name: Mapped[str]
    sort_order: Mapped[int] = mapped_column(server_default="0")


class WorkoutExercise(Base):
    """One exercise prescribed in a workout (target sets, reps, weight, rest)."""

    __tablename__ = "workout_exercises"

    id: Mapped[UUIDPK]
    workout_id: Mapped[uuid.UUID] = fk("workouts.id")
    section_id: Mapped[uuid.UUID | None] = fk(
        "workout_sections.id", ondelete="SET NULL", nullable=True
    )
    exercise_id: Mapped[uuid.UUID] = exercise_fk()
    sets: Mapped[int] = mapped_column(server_default="3")
    reps: Mapped[int | None]
    weight: Mapped[float | None]
    duration: Mapped[int | None]
    rest_seconds: Mapped[int | None]
    notes: Mapped[str | None]
    sort_order: Mapped[int] = mapped_column(server_default="0")

    __table_args__ = (
        CheckConstraint("sets > 0", name="sets_positive"),
        *non_negative("reps", "weight", "duration", "rest_seconds"),
    )


class WorkoutSession(Base):
    __tablename__ = "workout_sessions"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    workout_id: Mapped[uuid.UUID | None] = fk("workouts.id", ondelete="SET NULL", nullable=True)
    started_at: Mapped[datetime] = mapped_column(server_default=func.now())
    completed_at: Mapped[datetime | None]
    notes: Mapped[str | None]
    rating: Mapped[int | None]
    xp_awarded: Mapped[int] = mapped_column(server_default="0")
    coins_awarded: Mapped[int] = mapped_column(server_default="0")

    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_between_1_and_5"),
        *non_negative("xp_awarded", "coins_awarded"),
    )


class ExerciseSet(Base):
    """One set performed during a workout session (``duration`` in seconds, ``rpe`` 1-10)."""

    __tablename__ = "exercise_sets"

    id: Mapped[UUIDPK]
    session_id: Mapped[uuid.UUID] = fk("workout_sessions.id", reverse="sets")
    exercise_id: Mapped[uuid.UUID] = exercise_fk()
    set_number: Mapped[int]
    reps: Mapped[int | None]
    weight: Mapped[float | None]
    duration: Mapped[int | None]
    is_warmup: Mapped[bool] = mapped_column(server_default="false")
    is_dropset: Mapped[bool] = mapped_column(server_default="false")
    rpe: Mapped[float | None]
    notes: Mapped[str | None]
    completed_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("set_number > 0", name="set_number_positive"),
        *non_negative("reps", "weight", "duration"),
        CheckConstraint("rpe BETWEEN 1 AND 10", name="rpe_between_1_and_10"),
    )


class PersonalRecord(Base):
    """The user's current best per exercise and record type; ``previous_value`` is the record
    it beat (spec/004 migration 0011)."""

    __tablename__ = "personal_records"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    exercise_id: Mapped[uuid.UUID] = exercise_fk()
    record_type: Mapped[PersonalRecordType]
    value: Mapped[float]
    reps: Mapped[int | None]
    achieved_at: Mapped[datetime] = mapped_column(server_default=func.now())
    exercise_set_id: Mapped[uuid.UUID | None] = fk(
        "exercise_sets.id", ondelete="SET NULL", nullable=True
    )
    previous_value: Mapped[float | None]
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "exercise_id", "record_type"),
        *non_negative("value", "reps", "previous_value"),
    )


class TrainingProgram(Base):
    __tablename__ = "training_programs"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str]
    description: Mapped[str | None]
    duration_weeks: Mapped[int] = mapped_column(server_default="4")
    goal: Mapped[str | None]
    difficulty: Mapped[TrainingDifficulty] = mapped_column(server_default="intermediate")
    is_active: Mapped[bool] = mapped_column(server_default="false")
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (CheckConstraint("duration_weeks > 0", name="duration_weeks_positive"),)


class ProgramWeek(Base):
    __tablename__ = "program_weeks"

    id: Mapped[UUIDPK]
    program_id: Mapped[uuid.UUID] = fk("training_programs.id", index=False)
    week_number: Mapped[int]
    name: Mapped[str | None]
    is_deload: Mapped[bool] = mapped_column(server_default="false")
    notes: Mapped[str | None]

    __table_args__ = (
        UniqueConstraint("program_id", "week_number"),
        CheckConstraint("week_number > 0", name="week_number_positive"),
    )


class ProgramWorkout(Base):
    """A workout scheduled in a program week (``day_of_week`` 0 = Sunday, spec/003 section 11;
    ``intensity_modifier`` scales its load)."""

    __tablename__ = "program_workouts"

    id: Mapped[UUIDPK]
    program_week_id: Mapped[uuid.UUID] = fk("program_weeks.id", rel="week", reverse="workouts")
    workout_id: Mapped[uuid.UUID] = fk("workouts.id")
    day_of_week: Mapped[int]
    order_index: Mapped[int] = mapped_column(server_default="0")
    intensity_modifier: Mapped[float] = mapped_column(server_default="1.0")

    __table_args__ = (
        CheckConstraint("day_of_week BETWEEN 0 AND 6", name="day_of_week_in_range"),
        CheckConstraint("intensity_modifier > 0", name="intensity_modifier_positive"),
    )
