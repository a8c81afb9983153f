"""Fitness: the exercise catalog (built-in and users' own), workouts built from it, logged
workout sessions and their sets, personal records, and multi-week training programs.

Columns: Ignition specification, "Migration 0011: Fitness Substrate"; types, defaults and meanings:
Ignition specification, "Section 11: Exercise Tables", then the original PostgreSQL migration 0011
that the Ignition specification inventories where the Ignition specification is silent.
``exercises`` additionally carries ``level``, ``force``, ``mechanic``, ``instructions``, ``images``,
``source_id`` and ``updated_at`` so that the free-exercise-db library (``data/free-exercise-db``,
Ignition specification, "Seed Data Summary") maps onto it without loss.
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
    """What a personal record measures (its ``value``).

    - ``weight``: the heaviest load lifted, in the user's unit (kg or lb).
    - ``reps``: the most repetitions in one set.
    - ``time``: the longest duration held, in seconds.
    - ``volume``: the most weight x repetitions in one set.
    - ``one_rep_max``: the best estimated one-repetition maximum, by Epley's formula
      (``weight x (1 + reps / 30)``; see ``db/fitness/rules.py``), in the user's unit.
    """

    WEIGHT = "weight"
    REPS = "reps"
    TIME = "time"
    VOLUME = "volume"
    ONE_REP_MAX = "one_rep_max"


class TrainingDifficulty(enum.StrEnum):
    """The level a training program is aimed at.

    - ``beginner``: for people new to training.
    - ``intermediate``: for people training regularly.
    - ``advanced``: for experienced athletes.
    """

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
    """An exercise of the catalog: built in (no owner, from the free-exercise-db library) or a
    user's own."""

    __tablename__ = "exercises"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(doc="The exercise's name.")
    description: Mapped[str | None] = mapped_column(
        doc="How the exercise is done, in a sentence or two."
    )
    category: Mapped[str] = mapped_column(
        doc="The kind of training (e.g. `strength`, `stretching`, `cardio`, `plyometrics`)."
    )
    muscle_groups: Mapped[JSON] = mapped_column(
        server_default="[]",
        doc=('The muscles trained: a JSON list of names (e.g. `["chest", "triceps"]`).'),
    )
    equipment: Mapped[str | None] = mapped_column(
        doc="The equipment needed (e.g. `barbell`, `body only`); null for none."
    )
    is_custom: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether a user made the exercise."
    )
    is_builtin: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the exercise comes with Ignition (seeded)."
    )
    user_id: Mapped[uuid.UUID | None] = user_fk(
        nullable=True,
        index=False,
        doc="The user who made this exercise; null for built-in exercises.",
    )
    level: Mapped[str | None] = mapped_column(
        doc="How demanding the exercise is (`beginner`, `intermediate` or `expert`)."
    )
    force: Mapped[str | None] = mapped_column(
        doc="The movement's force (`push`, `pull` or `static`)."
    )
    mechanic: Mapped[str | None] = mapped_column(
        doc="`compound` (several joints) or `isolation` (one joint)."
    )
    instructions: Mapped[JSON] = mapped_column(
        server_default="[]", doc="The steps to perform it: a JSON list of strings."
    )
    images: Mapped[JSON] = mapped_column(
        server_default="[]", doc="Pictures of the exercise: a JSON list of image paths."
    )
    source_id: Mapped[str | None] = mapped_column(
        doc=(
            "The exercise's id in the library it was imported from "
            "(free-exercise-db); null for users' own."
        )
    )
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
    """A workout a user put together from exercises, in sections; a template for sessions."""

    __tablename__ = "workouts"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str] = mapped_column(doc="The workout's name.")
    description: Mapped[str | None] = mapped_column(doc="What the workout is for.")
    estimated_duration: Mapped[int | None] = mapped_column(
        doc="How long the workout takes, in minutes (estimate)."
    )
    is_template: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the workout is a reusable template."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (*non_negative("estimated_duration"),)


class WorkoutSection(Base):
    """A named part of a workout (warm-up, main block, finisher), grouping its exercises."""

    __tablename__ = "workout_sections"

    id: Mapped[UUIDPK]
    workout_id: Mapped[uuid.UUID] = fk("workouts.id", doc="The workout the section belongs to.")
    name: Mapped[str] = mapped_column(doc="The section's name.")
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position within the workout (ascending)."
    )


class WorkoutExercise(Base):
    """One exercise prescribed in a workout: target sets, reps, weight and rest."""

    __tablename__ = "workout_exercises"

    id: Mapped[UUIDPK]
    workout_id: Mapped[uuid.UUID] = fk(
        "workouts.id", doc="The workout that prescribes the exercise."
    )
    section_id: Mapped[uuid.UUID | None] = fk(
        "workout_sections.id",
        ondelete="SET NULL",
        nullable=True,
        doc="The section of the workout it is in; null when the workout has none.",
    )
    exercise_id: Mapped[uuid.UUID] = exercise_fk(doc="The exercise prescribed.")
    sets: Mapped[int] = mapped_column(server_default="3", doc="The number of sets to do.")
    reps: Mapped[int | None] = mapped_column(
        doc="The repetitions per set; null for timed exercises."
    )
    weight: Mapped[float | None] = mapped_column(
        doc="The load per repetition, in the user's unit (kg or lb); null for body weight."
    )
    duration: Mapped[int | None] = mapped_column(
        doc="The length of one set of a timed exercise, in seconds."
    )
    rest_seconds: Mapped[int | None] = mapped_column(doc="The rest between sets, in seconds.")
    notes: Mapped[str | None] = mapped_column(doc="The user's notes on how to do it.")
    sort_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position within the workout (ascending)."
    )

    __table_args__ = (
        CheckConstraint("sets > 0", name="sets_positive"),
        *non_negative("reps", "weight", "duration", "rest_seconds"),
    )


class WorkoutSession(Base):
    """A workout a user did (or is doing): its sets, rating and reward."""

    __tablename__ = "workout_sessions"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    workout_id: Mapped[uuid.UUID | None] = fk(
        "workouts.id",
        ondelete="SET NULL",
        nullable=True,
        doc="The workout followed; null for a free session.",
    )
    started_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When the session started."
    )
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the session ended; null while it runs."
    )
    notes: Mapped[str | None] = mapped_column(doc="The user's notes on the session.")
    rating: Mapped[int | None] = mapped_column(doc="How the session felt, 1 to 5.")
    xp_awarded: Mapped[int] = mapped_column(server_default="0", doc="XP the session earned.")
    coins_awarded: Mapped[int] = mapped_column(server_default="0", doc="Coins the session earned.")

    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_between_1_and_5"),
        *non_negative("xp_awarded", "coins_awarded"),
    )


class ExerciseSet(Base):
    """One set performed during a workout session."""

    __tablename__ = "exercise_sets"

    id: Mapped[UUIDPK]
    session_id: Mapped[uuid.UUID] = fk(
        "workout_sessions.id", reverse="sets", doc="The workout session the set was done in."
    )
    exercise_id: Mapped[uuid.UUID] = exercise_fk(doc="The exercise done.")
    set_number: Mapped[int] = mapped_column(
        doc="The set's number within the session's sets of this exercise (from 1)."
    )
    reps: Mapped[int | None] = mapped_column(doc="The repetitions done; null for timed sets.")
    weight: Mapped[float | None] = mapped_column(
        doc="The load, in the user's unit (kg or lb); null for body weight."
    )
    duration: Mapped[int | None] = mapped_column(
        doc="How long the set lasted, in seconds (timed exercises)."
    )
    is_warmup: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the set was a warm-up (not counted for records)."
    )
    is_dropset: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the set was a drop set."
    )
    rpe: Mapped[float | None] = mapped_column(
        doc="The rate of perceived exertion, 1 (easy) to 10 (maximal)."
    )
    notes: Mapped[str | None] = mapped_column(doc="The user's notes on the set.")
    completed_at: Mapped[datetime | None] = mapped_column(doc="When the set was done.")

    __table_args__ = (
        CheckConstraint("set_number > 0", name="set_number_positive"),
        *non_negative("reps", "weight", "duration"),
        CheckConstraint("rpe BETWEEN 1 AND 10", name="rpe_between_1_and_10"),
    )


class PersonalRecord(Base):
    """A user's best in one exercise and one measure; `previousValue` is the record it beat."""

    __tablename__ = "personal_records"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    exercise_id: Mapped[uuid.UUID] = exercise_fk(doc="The exercise.")
    record_type: Mapped[PersonalRecordType] = mapped_column(
        doc="What the record measures (`value`: a weight, repetitions, seconds, or total volume)."
    )
    value: Mapped[float] = mapped_column(
        doc=(
            "The record: a weight (kg or lb), a number of repetitions, seconds, "
            "weight x repetitions, or an estimated one-repetition maximum (kg or lb)."
        )
    )
    reps: Mapped[int | None] = mapped_column(
        doc="The repetitions done at a weight, volume or one-repetition-maximum record."
    )
    achieved_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When the record was set."
    )
    exercise_set_id: Mapped[uuid.UUID | None] = fk(
        "exercise_sets.id",
        ondelete="SET NULL",
        nullable=True,
        doc="The set that set the record, if it is still logged.",
    )
    previous_value: Mapped[float | None] = mapped_column(
        doc="The record this one beat; null for the first."
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "exercise_id", "record_type"),
        *non_negative("value", "reps", "previous_value"),
    )


class TrainingProgram(Base):
    """A multi-week training plan of a user: weeks of scheduled workouts."""

    __tablename__ = "training_programs"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str] = mapped_column(doc="The program's name.")
    description: Mapped[str | None] = mapped_column(doc="What the program is for.")
    duration_weeks: Mapped[int] = mapped_column(
        server_default="4", doc="How many weeks the program lasts."
    )
    goal: Mapped[str | None] = mapped_column(
        doc="What the program aims at (e.g. strength, endurance), in the user's words."
    )
    difficulty: Mapped[TrainingDifficulty] = mapped_column(
        server_default="intermediate", doc="The level the program is aimed at."
    )
    is_active: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the user follows the program now."
    )
    started_at: Mapped[datetime | None] = mapped_column(doc="When the user started the program.")
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the user finished the program; null until then."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (CheckConstraint("duration_weeks > 0", name="duration_weeks_positive"),)


class ProgramWeek(Base):
    """One week of a training program."""

    __tablename__ = "program_weeks"

    id: Mapped[UUIDPK]
    program_id: Mapped[uuid.UUID] = fk(
        "training_programs.id", index=False, doc="The training program."
    )
    week_number: Mapped[int] = mapped_column(doc="The week's number within the program (from 1).")
    name: Mapped[str | None] = mapped_column(doc='The week\'s name (e.g. "Build", "Peak").')
    is_deload: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether it is a lighter recovery week."
    )
    notes: Mapped[str | None] = mapped_column(doc="The user's notes on the week.")

    __table_args__ = (
        UniqueConstraint("program_id", "week_number"),
        CheckConstraint("week_number > 0", name="week_number_positive"),
    )


class ProgramWorkout(Base):
    """A workout scheduled on one day of a program week."""

    __tablename__ = "program_workouts"

    id: Mapped[UUIDPK]
    program_week_id: Mapped[uuid.UUID] = fk(
        "program_weeks.id", rel="week", reverse="workouts", doc="The program week."
    )
    workout_id: Mapped[uuid.UUID] = fk("workouts.id", doc="The workout scheduled.")
    day_of_week: Mapped[int] = mapped_column(doc="The day: 0 = Sunday to 6 = Saturday.")
    order_index: Mapped[int] = mapped_column(
        server_default="0", doc="Position among the workouts of that day (ascending)."
    )
    intensity_modifier: Mapped[float] = mapped_column(
        server_default="1.0",
        doc="The factor the workout's load is scaled by this week (1.0 = as written).",
    )

    __table_args__ = (
        CheckConstraint("day_of_week BETWEEN 0 AND 6", name="day_of_week_in_range"),
        CheckConstraint("intensity_modifier > 0", name="intensity_modifier_positive"),
    )
