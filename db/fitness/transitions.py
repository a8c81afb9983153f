"""Fitness transitions: the user's own exercises (create, update, delete), workouts (create,
update, delete), workout sessions (start, log a set, finish, delete), personal records, and
training programs (create, update, delete, start, complete). The rules, rates and input bounds
are :mod:`db.fitness.rules`.

Finishing a session pays through the ledger (:mod:`db.gamification.ledger`, event
``workout.completed``, key ``workout.completed:<session id>``) once, writes the session's
``xp_awarded`` and ``coins_awarded``, advances the ``workouts_completed`` quests by one unit,
counts the day for the ``daily_activity`` streak and evaluates the ``workouts_completed``,
level and coins achievements, all in the caller's transaction.

Every row is the user's own: another user's workout, session, program or custom exercise is
:class:`~db.errors.NotFound`, as is a missing one. Inputs are validated before any SQL.

Lock order: the session (or workout, or program) row, then the quest progress rows, then the
ledger, then the streaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.bounds import refuse
from db.errors import InvalidInput, InvalidState, NotFound
from db.fields import Rule, clean
from db.fitness.models import TrainingDifficulty
from db.fitness.rules import (
    EXERCISE_FIELDS,
    INTENSITY,
    MAX_EXERCISES,
    MAX_PROGRAM_WEEKS,
    NAME,
    NOTES,
    OPTIONAL_NAME,
    ORDER_INDEX,
    PROGRAM_FIELDS,
    RATING,
    SECTIONS,
    WEEK_WORKOUTS,
    WEEKDAY,
    WORKOUT_FIELDS,
    check_float,
    check_int,
    check_line,
    check_program_weeks,
    check_set,
    check_text,
    set_measures,
    workout_award,
    workout_ledger_key,
)
from db.gamification.achievements import AWARD_TRIGGERS, Unlocked, evaluate_achievements
from db.gamification.ledger import Posting, post
from db.gamification.models import AchievementTriggerType
from db.gamification.streaks import DAILY_ACTIVITY, touch_streak
from db.ownership import lock_owned, set_columns
from db.quests.models import QuestTargetType
from db.quests.progress import advance_quests

_exercises = metadata.tables["exercises"]
_workouts = metadata.tables["workouts"]
_sections = metadata.tables["workout_sections"]
_lines = metadata.tables["workout_exercises"]
_sessions = metadata.tables["workout_sessions"]
_sets = metadata.tables["exercise_sets"]
_records = metadata.tables["personal_records"]
_programs = metadata.tables["training_programs"]
_weeks = metadata.tables["program_weeks"]
_scheduled = metadata.tables["program_workouts"]

#: Table -> (the GraphQL type of its NotFound, its name in the message).
_OWNED: dict[str, tuple[str, str]] = {
    "exercises": ("Exercise", "exercise"),
    "workouts": ("Workout", "workout"),
    "workout_sessions": ("WorkoutSession", "workout session"),
    "training_programs": ("TrainingProgram", "training program"),
}


async def _lock(
    conn: AsyncConnection, table: sa.Table, row_id: uuid.UUID, user_id: uuid.UUID
) -> Any:
    """The user's row ``row_id`` of ``table`` (a table of :data:`_OWNED`), locked ``FOR
    UPDATE``.

    Raises:
        NotFound: no such row of the user.
    """
    resource, what = _OWNED[table.name]
    return await lock_owned(conn, table, row_id, user_id, resource=resource, what=what)


def _clean_update(
    changes: Mapping[str, Any], rules: Mapping[str, Rule], parts: tuple[str, ...]
) -> dict[str, Any]:
    """The column fields of a partial update checked by ``rules`` (:func:`db.fields.clean`);
    ``parts`` (lists that replace child rows: ``sections``, ``weeks``) are the caller's, but
    may not be null and count as a change.

    Raises:
        InvalidInput: nothing to change or an unknown field (``input``), a null part
            (``input.<part>``), a value its rule refuses.
    """
    for part in parts:
        if part in changes and changes[part] is None:
            raise InvalidInput(
                "This field cannot be null (an empty list removes them).", field=f"input.{part}"
            )
    given = any(part in changes for part in parts)
    columns = {k: v for k, v in changes.items() if k not in parts}
    return clean(columns, rules, partial=not given)


async def _delete(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    table: sa.Table,
    row_id: uuid.UUID,
    event: str,
    details: dict[str, Any],
) -> uuid.UUID:
    """Delete a row the caller locked (its children cascade) and record the ``event``
    activity with ``details``; the row's id."""
    await conn.execute(sa.delete(table).where(table.c.id == row_id))
    await record_activity(conn, user_id, event, "fitness", details)
    return row_id


# ---- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseLine:
    """One exercise prescribed in a workout (a ``workout_exercises`` row to write): the
    exercise, target ``sets``, ``reps``, ``weight`` (kg or lb), ``duration`` and
    ``rest_seconds`` (seconds), and ``notes``."""

    exercise_id: uuid.UUID
    sets: int = 3
    reps: int | None = None
    weight: float | None = None
    duration: int | None = None
    rest_seconds: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Section:
    """A named part of a workout with its exercise lines, in order."""

    name: str
    exercises: Sequence[ExerciseLine] = ()


@dataclass(frozen=True)
class ScheduledWorkout:
    """A workout of the user scheduled on ``day_of_week`` (0 = Sunday ... 6 = Saturday) of a
    program week, ``order_index`` among that day's, its load scaled by
    ``intensity_modifier``."""

    workout_id: uuid.UUID
    day_of_week: int
    order_index: int = 0
    intensity_modifier: float = 1.0


@dataclass(frozen=True)
class Week:
    """One week of a training program: its number (from 1), name, deload flag, notes and
    scheduled workouts."""

    week_number: int
    name: str | None = None
    is_deload: bool = False
    notes: str | None = None
    workouts: Sequence[ScheduledWorkout] = field(default_factory=tuple)


def _clean_lines(lines: Sequence[ExerciseLine], prefix: str) -> list[dict[str, Any]]:
    out = []
    for i, line in enumerate(lines):
        path = f"{prefix}[{i}]"
        check_line(
            path,
            sets=line.sets,
            reps=line.reps,
            weight=line.weight,
            duration=line.duration,
            rest_seconds=line.rest_seconds,
        )
        out.append(
            {
                "exercise_id": line.exercise_id,
                "sets": line.sets,
                "reps": line.reps,
                "weight": line.weight,
                "duration": line.duration,
                "rest_seconds": line.rest_seconds,
                "notes": check_text(line.notes, f"{path}.notes", NOTES),
            }
        )
    return out


def _clean_structure(
    sections: Sequence[Section] | None, exercises: Sequence[ExerciseLine] | None
) -> tuple[list[tuple[str, list[dict[str, Any]]]] | None, list[dict[str, Any]] | None]:
    """Validated sections (name, lines) and unsectioned lines; None where not given.

    Raises:
        InvalidInput: too many sections or lines, a bad name or line.
    """
    clean_sections = None
    if sections is not None:
        refuse("input.sections", SECTIONS.problem(len(sections)))
        clean_sections = [
            (
                str(check_text(s.name, f"input.sections[{i}].name", NAME, required=True)),
                _clean_lines(s.exercises, f"input.sections[{i}].exercises"),
            )
            for i, s in enumerate(sections)
        ]
    clean_lines = _clean_lines(exercises, "input.exercises") if exercises is not None else None
    total = sum(len(lines) for _, lines in clean_sections or ()) + len(clean_lines or ())
    if total > MAX_EXERCISES:
        raise InvalidInput(
            f"At most {MAX_EXERCISES} exercises in a workout.", field="input.exercises"
        )
    return clean_sections, clean_lines


async def _check_exercises(
    conn: AsyncConnection, user_id: uuid.UUID, exercise_ids: set[uuid.UUID]
) -> None:
    """Every exercise is a built-in one or the user's own. The user's own are locked ``FOR
    KEY SHARE`` until the transaction ends: a concurrent ``deleteExercise`` waits for this
    use (and then sees it), or this use sees the exercise gone, never an FK failure at
    commit. Built-in ones are not locked (the API never deletes them, and thousands of
    users share them).

    Raises:
        NotFound: one is missing or another user's (``resource`` ``Exercise``).
    """
    if not exercise_ids:
        return
    rows = (
        await conn.execute(
            sa.select(_exercises.c.id, _exercises.c.user_id).where(
                _exercises.c.id.in_(sorted(exercise_ids)),
                sa.or_(_exercises.c.user_id.is_(None), _exercises.c.user_id == user_id),
            )
        )
    ).all()
    own = sorted(r.id for r in rows if r.user_id is not None)
    locked = 0
    if own:
        locked = len(
            (
                await conn.execute(
                    sa.select(_exercises.c.id)
                    .where(_exercises.c.id.in_(own))
                    .order_by(_exercises.c.id)
                    .with_for_update(read=True, key_share=True)
                )
            ).all()
        )
    if len(rows) != len(exercise_ids) or locked != len(own):
        raise NotFound("There is no such exercise.", resource="Exercise")


async def _write_lines(
    conn: AsyncConnection,
    workout_id: uuid.UUID,
    section_id: uuid.UUID | None,
    lines: list[dict[str, Any]],
) -> None:
    """Insert lines of a workout, numbered in the order given (``_RENUMBER`` then places
    them among the others)."""
    if lines:
        await conn.execute(
            sa.insert(_lines),
            [
                {**line, "workout_id": workout_id, "section_id": section_id, "sort_order": i}
                for i, line in enumerate(lines)
            ],
        )


#: Numbers a workout's lines 0, 1, ...: the sections' lines in section order, then the lines
#: outside sections, each group in its previous order.
_RENUMBER = sa.text(
    "UPDATE workout_exercises w SET sort_order = r.n - 1 FROM ("
    " SELECT we.id, row_number() OVER ("
    "  ORDER BY s.sort_order NULLS LAST, we.sort_order, we.id) AS n"
    " FROM workout_exercises we LEFT JOIN workout_sections s ON s.id = we.section_id"
    " WHERE we.workout_id = :workout) r "
    "WHERE w.id = r.id AND w.sort_order <> r.n - 1"
)


async def _write_structure(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    workout_id: uuid.UUID,
    sections: list[tuple[str, list[dict[str, Any]]]] | None,
    lines: list[dict[str, Any]] | None,
) -> None:
    """Replace the given parts of a workout: its sections with their lines, its unsectioned
    lines (a part given as None stays); then number all its lines again (``_RENUMBER``).

    Raises:
        NotFound: an exercise neither built in nor the user's (``Exercise``).
    """
    wanted = {line["exercise_id"] for line in lines or ()}
    wanted |= {line["exercise_id"] for _, ls in sections or () for line in ls}
    await _check_exercises(conn, user_id, wanted)
    if sections is not None:
        old = sa.select(_sections.c.id).where(_sections.c.workout_id == workout_id)
        await conn.execute(sa.delete(_lines).where(_lines.c.section_id.in_(old)))
        await conn.execute(sa.delete(_sections).where(_sections.c.workout_id == workout_id))
        for order, (name, section_lines) in enumerate(sections):
            section_id = (
                await conn.execute(
                    sa.insert(_sections)
                    .values(workout_id=workout_id, name=name, sort_order=order)
                    .returning(_sections.c.id)
                )
            ).scalar_one()
            await _write_lines(conn, workout_id, section_id, section_lines)
    if lines is not None:
        await conn.execute(
            sa.delete(_lines).where(
                _lines.c.workout_id == workout_id, _lines.c.section_id.is_(None)
            )
        )
        await _write_lines(conn, workout_id, None, lines)
    if sections is not None or lines is not None:
        await conn.execute(_RENUMBER, {"workout": workout_id})


# ---- exercises (the user's own) ------------------------------------------------------------

_NAME_TAKEN = "You have an exercise of that name already."
#: The constraint of one name per user's exercises.
_UNIQUE_NAME = "uq_exercises_user_id_name"


async def create_exercise(
    conn: AsyncConnection, user_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    """Create an exercise of the user's own (``is_custom``), from ``values``: ``name`` and
    ``category`` (required), ``description``, ``muscle_groups`` and ``instructions`` (lists of
    strings), ``equipment``, ``level``, ``force``, ``mechanic``.

    Returns:
        The new exercise's id.

    Raises:
        InvalidInput: a value its rule refuses (:data:`~db.fitness.rules.EXERCISE_FIELDS`),
            the name or category missing, or a name the user has
            already (``input.name``: one name per user, ``uq_exercises_user_id``).
    """
    row = clean(values, EXERCISE_FIELDS, required=("name", "category"))
    stmt = (
        insert(_exercises)
        .values(user_id=user_id, is_custom=True, **row)
        .on_conflict_do_nothing(index_elements=[_exercises.c.user_id, _exercises.c.name])
        .returning(_exercises.c.id)
    )
    exercise_id = (await conn.execute(stmt)).scalar_one_or_none()
    if exercise_id is None:
        raise InvalidInput(_NAME_TAKEN, field="input.name")
    await record_activity(
        conn,
        user_id,
        "exercise.created",
        "fitness",
        {"exercise_id": str(exercise_id), "name": row["name"]},
    )
    return uuid.UUID(str(exercise_id))


async def update_exercise(
    conn: AsyncConnection, user_id: uuid.UUID, exercise_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given fields of one of the user's own exercises (the keys of
    :func:`create_exercise`; absent keeps, ``None`` clears an optional field).

    Returns:
        The exercise's id.

    Raises:
        InvalidInput: nothing to change, an unknown field, a bad value, a name the user has
            already (``input.name``).
        NotFound: not an exercise of the user's own (built-in ones are nobody's to change).
    """
    values = _clean_update(changes, EXERCISE_FIELDS, ())
    await _lock(conn, _exercises, exercise_id, user_id)
    try:
        # A savepoint: a concurrent rename to the same name is a unique violation here.
        async with conn.begin_nested():
            await conn.execute(
                sa.update(_exercises)
                .where(_exercises.c.id == exercise_id)
                .values(updated_at=sa.func.now(), **values)
            )
    except IntegrityError as error:
        if _UNIQUE_NAME not in str(error.orig):
            raise
        raise InvalidInput(_NAME_TAKEN, field="input.name") from None
    await record_activity(
        conn,
        user_id,
        "exercise.updated",
        "fitness",
        {"exercise_id": str(exercise_id), "fields": sorted(values)},
    )
    return exercise_id


async def delete_exercise(
    conn: AsyncConnection, user_id: uuid.UUID, exercise_id: uuid.UUID
) -> uuid.UUID:
    """Delete one of the user's own exercises that nothing uses.

    Returns:
        The deleted exercise's id.

    Raises:
        NotFound: not an exercise of the user's own.
        InvalidState: a workout, a logged set or a personal record uses it (``in_use``):
            delete those first (the history is not thrown away with an exercise).
    """
    exercise = await _lock(conn, _exercises, exercise_id, user_id)
    used = (
        await conn.execute(
            sa.select(
                sa.exists().where(_lines.c.exercise_id == exercise_id)
                | sa.exists().where(_sets.c.exercise_id == exercise_id)
                | sa.exists().where(_records.c.exercise_id == exercise_id)
            )
        )
    ).scalar_one()
    if used:
        raise InvalidState(
            "A workout, a logged set or a personal record uses this exercise.", status="in_use"
        )
    return await _delete(
        conn,
        user_id,
        _exercises,
        exercise_id,
        "exercise.deleted",
        {"exercise_id": str(exercise_id), "name": exercise.name},
    )


# ---- workouts -----------------------------------------------------------------------------


async def create_workout(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    name: str,
    description: str | None = None,
    estimated_duration: int | None = None,
    is_template: bool = False,
    sections: Sequence[Section] = (),
    exercises: Sequence[ExerciseLine] = (),
) -> uuid.UUID:
    """Create a workout of the user with its sections (each with its exercise lines) and its
    unsectioned exercise lines, numbered in the order given (sections' lines first).

    Args:
        estimated_duration: minutes, 0 to 1,440.

    Returns:
        The new workout's id.

    Raises:
        InvalidInput: a name, description or line out of range (:mod:`db.fitness.rules`),
            more than 20 sections or 100 lines.
        NotFound: an exercise that is neither built in nor the user's (``Exercise``).
    """
    values = clean(
        {
            "name": name,
            "description": description,
            "estimated_duration": estimated_duration,
            "is_template": is_template,
        },
        WORKOUT_FIELDS,
    )
    clean_sections, clean_lines = _clean_structure(sections, exercises)
    workout_id = (
        await conn.execute(
            sa.insert(_workouts).values(user_id=user_id, **values).returning(_workouts.c.id)
        )
    ).scalar_one()
    await _write_structure(conn, user_id, workout_id, clean_sections, clean_lines)
    await record_activity(
        conn,
        user_id,
        "workout.created",
        "fitness",
        {"workout_id": str(workout_id), "name": values["name"]},
    )
    return uuid.UUID(str(workout_id))


async def update_workout(
    conn: AsyncConnection, user_id: uuid.UUID, workout_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given fields of the user's workout: ``name``, ``description``,
    ``estimated_duration`` (minutes), ``is_template``; ``sections`` (a list of
    :class:`Section`) replaces its sections and their lines, ``exercises`` (a list of
    :class:`ExerciseLine`) its unsectioned lines. A key absent keeps its value; ``None``
    clears an optional field.

    Returns:
        The workout's id.

    Raises:
        InvalidInput: nothing to change, an unknown field, a bad value, a null required field.
        NotFound: no such workout of the user (``Workout``), or an exercise not visible to
            the user (``Exercise``).
    """
    values = _clean_update(changes, WORKOUT_FIELDS, ("sections", "exercises"))
    clean_sections, clean_lines = _clean_structure(
        changes.get("sections"), changes.get("exercises")
    )
    await _lock(conn, _workouts, workout_id, user_id)
    await set_columns(conn, _workouts, workout_id, values)
    await _write_structure(conn, user_id, workout_id, clean_sections, clean_lines)
    await record_activity(
        conn,
        user_id,
        "workout.updated",
        "fitness",
        {"workout_id": str(workout_id), "fields": sorted(changes)},
    )
    return workout_id


async def delete_workout(
    conn: AsyncConnection, user_id: uuid.UUID, workout_id: uuid.UUID
) -> uuid.UUID:
    """Delete the user's workout with its sections, lines and places in training programs;
    its sessions stay, as free sessions (their rewards stay paid).

    Returns:
        The deleted workout's id.

    Raises:
        NotFound: no such workout of the user (``Workout``).
    """
    workout = await _lock(conn, _workouts, workout_id, user_id)
    return await _delete(
        conn,
        user_id,
        _workouts,
        workout_id,
        "workout.deleted",
        {"workout_id": str(workout_id), "name": workout.name},
    )


# ---- sessions -----------------------------------------------------------------------------


async def start_session(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    workout_id: uuid.UUID | None = None,
    notes: str | None = None,
) -> uuid.UUID:
    """Start a workout session: following one of the user's workouts, or a free session
    (``workout_id`` None).

    Returns:
        The new session's id.

    Raises:
        InvalidInput: notes over 1,000 characters (``input.notes``).
        NotFound: no such workout of the user (``Workout``).
    """
    clean_notes = check_text(notes, "input.notes", NOTES)
    if workout_id is not None:
        await _lock(conn, _workouts, workout_id, user_id)
    session_id = (
        await conn.execute(
            sa.insert(_sessions)
            .values(user_id=user_id, workout_id=workout_id, notes=clean_notes)
            .returning(_sessions.c.id)
        )
    ).scalar_one()
    await record_activity(
        conn,
        user_id,
        "workout.started",
        "fitness",
        {"session_id": str(session_id), "workout_id": str(workout_id) if workout_id else None},
    )
    return uuid.UUID(str(session_id))


async def delete_session(
    conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID
) -> uuid.UUID:
    """Delete the user's workout session with its sets: a running one that will not be
    finished, or a finished one. What a finished one paid stays paid, and the personal
    records its sets set stay (their ``exercise_set_id`` becomes null: a record, once set,
    was achieved).

    Returns:
        The deleted session's id.

    Raises:
        NotFound: no such session of the user (``WorkoutSession``).
    """
    session = await _lock(conn, _sessions, session_id, user_id)
    return await _delete(
        conn,
        user_id,
        _sessions,
        session_id,
        "workout.deleted_session",
        {"session_id": str(session_id), "finished": session.completed_at is not None},
    )


async def _open_session(conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID) -> Any:
    """The user's session, locked, still running.

    Raises:
        NotFound: no such session of the user (``WorkoutSession``).
        InvalidState: it is finished already (``status`` ``completed``).
    """
    session = await _lock(conn, _sessions, session_id, user_id)
    if session.completed_at is not None:
        raise InvalidState("This workout session is finished already.", status="completed")
    return session


@dataclass(frozen=True)
class LoggedSet:
    """What :func:`log_set` did: the set, its session, and the personal records it set (the
    ``personal_records`` ids, empty when it beat none)."""

    set_id: uuid.UUID
    session_id: uuid.UUID
    records: list[uuid.UUID]


async def log_set(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    exercise_id: uuid.UUID,
    *,
    reps: int | None = None,
    weight: float | None = None,
    duration: int | None = None,
    is_warmup: bool = False,
    is_dropset: bool = False,
    rpe: float | None = None,
    notes: str | None = None,
) -> LoggedSet:
    """Log a set in the user's running session: numbered after the session's sets of the
    same exercise, completed now. A working set (not a warm-up) that beats a personal record
    of the exercise (:func:`db.fitness.rules.set_measures`; strictly greater) replaces it,
    keeping the value it beat in ``previous_value``.

    Args:
        reps: 0 to 1,000. weight: 0 to 2,000 (kg or lb). duration: 0 to 86,400 seconds.
        rpe: 1 to 10. notes: at most 1,000 characters. A set needs ``reps`` or ``duration``.

    Raises:
        InvalidInput: a value out of range, neither reps nor duration, overlong notes.
        NotFound: no such session of the user (``WorkoutSession``), an exercise neither
            built in nor the user's (``Exercise``).
        InvalidState: the session is finished (``completed``).
    """
    check_set(reps, weight, duration, rpe)
    clean_notes = check_text(notes, "input.notes", NOTES)
    await _open_session(conn, user_id, session_id)
    await _check_exercises(conn, user_id, {exercise_id})
    number = (
        await conn.execute(
            sa.select(sa.func.count() + 1).where(
                _sets.c.session_id == session_id, _sets.c.exercise_id == exercise_id
            )
        )
    ).scalar_one()
    set_id, done_at = (
        await conn.execute(
            sa.insert(_sets)
            .values(
                session_id=session_id,
                exercise_id=exercise_id,
                set_number=number,
                reps=reps,
                weight=weight,
                duration=duration,
                is_warmup=is_warmup,
                is_dropset=is_dropset,
                rpe=rpe,
                notes=clean_notes,
                completed_at=sa.func.now(),
            )
            .returning(_sets.c.id, _sets.c.completed_at)
        )
    ).one()
    records: list[uuid.UUID] = []
    for measure in set_measures(reps, weight, duration, is_warmup):
        stmt = insert(_records).values(
            user_id=user_id,
            exercise_id=exercise_id,
            record_type=measure.record_type.value,
            value=measure.value,
            reps=measure.reps,
            exercise_set_id=set_id,
            achieved_at=done_at,
        )
        # The rule "strictly greater beats" in one statement: concurrent sets of two
        # sessions cannot both win against the same old record.
        upsert = stmt.on_conflict_do_update(
            index_elements=[_records.c.user_id, _records.c.exercise_id, _records.c.record_type],
            set_={
                "value": stmt.excluded.value,
                "reps": stmt.excluded.reps,
                "exercise_set_id": stmt.excluded.exercise_set_id,
                "achieved_at": stmt.excluded.achieved_at,
                "previous_value": _records.c.value,
            },
            where=stmt.excluded.value > _records.c.value,
        ).returning(_records.c.id)
        record_id = (await conn.execute(upsert)).scalar_one_or_none()
        if record_id is not None:
            records.append(uuid.UUID(str(record_id)))
    if records:
        await record_activity(
            conn,
            user_id,
            "workout.personal_record",
            "fitness",
            {"set_id": str(set_id), "records": [str(r) for r in records]},
        )
    return LoggedSet(uuid.UUID(str(set_id)), session_id, records)


@dataclass(frozen=True)
class Finished:
    """What :func:`finish_session` did: the session, the ledger posting of its award and the
    achievements it unlocked."""

    session_id: uuid.UUID
    posting: Posting
    unlocked: list[Unlocked]


async def finish_session(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    *,
    rating: int | None = None,
    notes: str | None = None,
) -> Finished:
    """Finish the user's running session and pay it, once: ``completed_at`` now, the award of
    :func:`db.fitness.rules.workout_award` through the ledger and in ``xp_awarded`` /
    ``coins_awarded``, one ``workouts_completed`` quest unit (attributes ``sets``: the
    working sets, ``minutes``: whole minutes since the start), the ``daily_activity``
    streak, and the achievements evaluated.

    Args:
        rating: 1 to 5 (kept when None). notes: at most 1,000 characters (kept when None).

    Raises:
        InvalidInput: ``rating`` out of 1..5 (``rating``), overlong notes (``notes``).
        NotFound: no such session of the user (``WorkoutSession``).
        InvalidState: finished already (``completed``), or no working set logged
            (``empty``).
    """
    check_int(rating, "rating", RATING)
    clean_notes = check_text(notes, "notes", NOTES)
    session = await _open_session(conn, user_id, session_id)
    working = (
        await conn.execute(
            sa.select(sa.func.count()).where(
                _sets.c.session_id == session_id, sa.not_(_sets.c.is_warmup)
            )
        )
    ).scalar_one()
    if working == 0:
        raise InvalidState(
            "Log at least one working set (not a warm-up) before finishing.", status="empty"
        )
    award = workout_award(int(working))
    now = (await conn.execute(sa.select(sa.func.now()))).scalar_one()
    changes: dict[str, Any] = {
        "completed_at": now,
        "xp_awarded": award.xp,
        "coins_awarded": award.coins,
    }
    if rating is not None:
        changes["rating"] = rating
    if clean_notes is not None:
        changes["notes"] = clean_notes
    await conn.execute(sa.update(_sessions).where(_sessions.c.id == session_id).values(**changes))
    minutes = int((now - session.started_at).total_seconds() // 60)
    await advance_quests(
        conn,
        user_id,
        target_type=QuestTargetType.WORKOUTS_COMPLETED,
        amount=1,
        attributes={"sets": int(working), "minutes": minutes},
    )
    name = None
    if session.workout_id is not None:
        name = (
            await conn.execute(
                sa.select(_workouts.c.name).where(_workouts.c.id == session.workout_id)
            )
        ).scalar_one_or_none()
    posting = await post(
        conn,
        user_id,
        event_type="workout.completed",
        event_id=str(session_id),
        coins=award.coins,
        xp=award.xp,
        stars=award.stars,
        skill_key=award.skill_key,
        reason=f"Workout: {name or 'free session'}",
        idempotency_key=workout_ledger_key(session_id),
    )
    await touch_streak(conn, user_id, DAILY_ACTIVITY, datetime.now(UTC).date())
    await record_activity(
        conn,
        user_id,
        "workout.completed",
        "fitness",
        {"session_id": str(session_id), "workout": name, "sets": int(working)},
        xp=award.xp,
        coins=award.coins,
    )
    unlocked = await evaluate_achievements(
        conn, user_id, [AchievementTriggerType.WORKOUTS_COMPLETED, *AWARD_TRIGGERS]
    )
    return Finished(session_id, posting, unlocked)


# ---- training programs --------------------------------------------------------------------


def _clean_weeks(
    duration_weeks: int, weeks: Sequence[Week]
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    check_program_weeks(duration_weeks, [w.week_number for w in weeks])
    out = []
    for i, week in enumerate(weeks):
        path = f"input.weeks[{i}]"
        refuse(f"{path}.workouts", WEEK_WORKOUTS.problem(len(week.workouts)))
        scheduled = []
        for j, item in enumerate(week.workouts):
            where = f"{path}.workouts[{j}]"
            check_int(item.day_of_week, f"{where}.dayOfWeek", WEEKDAY)
            check_int(item.order_index, f"{where}.orderIndex", ORDER_INDEX)
            check_float(
                item.intensity_modifier, f"{where}.intensityModifier", INTENSITY, open_low=True
            )
            scheduled.append(
                {
                    "workout_id": item.workout_id,
                    "day_of_week": item.day_of_week,
                    "order_index": item.order_index,
                    "intensity_modifier": item.intensity_modifier,
                }
            )
        out.append(
            (
                {
                    "week_number": week.week_number,
                    "name": check_text(week.name, f"{path}.name", OPTIONAL_NAME),
                    "is_deload": bool(week.is_deload),
                    "notes": check_text(week.notes, f"{path}.notes", NOTES),
                },
                scheduled,
            )
        )
    return out


async def create_program(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    name: str,
    description: str | None = None,
    duration_weeks: int = 4,
    goal: str | None = None,
    difficulty: str = TrainingDifficulty.INTERMEDIATE.value,
    weeks: Sequence[Week] = (),
) -> uuid.UUID:
    """Create a training program of the user (not started) with its weeks and their
    scheduled workouts (the user's own).

    Args:
        duration_weeks: 1 to 52.

    Returns:
        The new program's id.

    Raises:
        InvalidInput: a name, description, goal, difficulty or week out of range; week
            numbers outside 1..``duration_weeks`` or repeated (``input.weeks``).
        NotFound: a scheduled workout that is not the user's (``Workout``).
    """
    values = clean(
        {
            "name": name,
            "description": description,
            "goal": goal,
            "duration_weeks": duration_weeks,
            "difficulty": difficulty,
        },
        PROGRAM_FIELDS,
    )
    clean_weeks = _clean_weeks(duration_weeks, weeks)
    program_id = (
        await conn.execute(
            sa.insert(_programs).values(user_id=user_id, **values).returning(_programs.c.id)
        )
    ).scalar_one()
    await _write_weeks(conn, user_id, program_id, clean_weeks)
    await record_activity(
        conn,
        user_id,
        "training_program.created",
        "fitness",
        {"program_id": str(program_id), "name": values["name"]},
    )
    return uuid.UUID(str(program_id))


async def _write_weeks(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    program_id: uuid.UUID,
    weeks: list[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> None:
    """Write a program's weeks and their scheduled workouts.

    Raises:
        NotFound: a scheduled workout that is not the user's (``Workout``).
    """
    wanted = {s["workout_id"] for _, scheduled in weeks for s in scheduled}
    if wanted:
        owned = set(
            (
                await conn.execute(
                    sa.select(_workouts.c.id).where(
                        _workouts.c.id.in_(sorted(wanted)), _workouts.c.user_id == user_id
                    )
                )
            ).scalars()
        )
        if owned != wanted:
            raise NotFound("There is no such workout.", resource="Workout")
    for week, scheduled in weeks:
        week_id = (
            await conn.execute(
                sa.insert(_weeks).values(program_id=program_id, **week).returning(_weeks.c.id)
            )
        ).scalar_one()
        if scheduled:
            await conn.execute(
                sa.insert(_scheduled), [{**s, "program_week_id": week_id} for s in scheduled]
            )


async def update_program(
    conn: AsyncConnection, user_id: uuid.UUID, program_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given fields of the user's training program: ``name``, ``description``,
    ``goal``, ``duration_weeks`` (1 to 52, never below a week it has), ``difficulty``;
    ``weeks`` (a list of :class:`Week`) replaces its weeks. A key absent keeps its value;
    ``None`` clears an optional field.

    Returns:
        The program's id.

    Raises:
        InvalidInput: nothing to change, an unknown field, a bad value, weeks outside the
            duration (``input.weeks``, or ``input.durationWeeks`` when the kept weeks no
            longer fit).
        NotFound: no such program of the user (``TrainingProgram``), a scheduled workout
            not the user's (``Workout``).
    """
    values = _clean_update(changes, PROGRAM_FIELDS, ("weeks",))
    new_weeks = changes.get("weeks")
    # Everything but the fit of the weeks in a duration that is not given, before any SQL.
    bound = values.get("duration_weeks", MAX_PROGRAM_WEEKS)
    clean_weeks = _clean_weeks(bound, new_weeks) if new_weeks is not None else None
    program = await _lock(conn, _programs, program_id, user_id)
    duration = values.get("duration_weeks", program.duration_weeks)
    if new_weeks is not None and clean_weeks is not None:
        check_program_weeks(duration, [w.week_number for w in new_weeks])
        await conn.execute(sa.delete(_weeks).where(_weeks.c.program_id == program_id))
        await _write_weeks(conn, user_id, program_id, clean_weeks)
    elif "duration_weeks" in values:
        last = (
            await conn.execute(
                sa.select(sa.func.max(_weeks.c.week_number)).where(
                    _weeks.c.program_id == program_id
                )
            )
        ).scalar_one()
        if last is not None and last > duration:
            raise InvalidInput(
                f"The program has a week {last}: it lasts at least {last} weeks.",
                field="input.durationWeeks",
            )
    await set_columns(conn, _programs, program_id, values)
    await record_activity(
        conn,
        user_id,
        "training_program.updated",
        "fitness",
        {"program_id": str(program_id), "fields": sorted(changes)},
    )
    return program_id


async def delete_program(
    conn: AsyncConnection, user_id: uuid.UUID, program_id: uuid.UUID
) -> uuid.UUID:
    """Delete the user's training program with its weeks and their schedule (the workouts
    stay).

    Returns:
        The deleted program's id.

    Raises:
        NotFound: no such program of the user (``TrainingProgram``).
    """
    program = await _lock(conn, _programs, program_id, user_id)
    return await _delete(
        conn,
        user_id,
        _programs,
        program_id,
        "training_program.deleted",
        {"program_id": str(program_id), "name": program.name},
    )


@dataclass(frozen=True)
class Started:
    """What :func:`start_program` did: the program started, and the programs it stopped
    (the user's previously active one, if any)."""

    program_id: uuid.UUID
    stopped: list[uuid.UUID]


async def start_program(
    conn: AsyncConnection, user_id: uuid.UUID, program_id: uuid.UUID
) -> Started:
    """Start the user's training program: ``is_active``, ``started_at`` now. A user follows
    one program at a time: the program that was active stops (``is_active`` false, not
    completed). The user's programs are locked in id order, so concurrent starts serialise.

    Raises:
        NotFound: no such program of the user (``TrainingProgram``).
        InvalidState: it is running already (``active``) or finished (``completed``).
    """
    rows = (
        await conn.execute(
            sa.select(_programs.c.id, _programs.c.is_active, _programs.c.completed_at)
            .where(_programs.c.user_id == user_id)
            .order_by(_programs.c.id)
            .with_for_update()
        )
    ).all()
    program = next((r for r in rows if r.id == program_id), None)
    if program is None:
        raise NotFound("There is no such training program.", resource="TrainingProgram")
    if program.completed_at is not None:
        raise InvalidState("This training program is finished.", status="completed")
    if program.is_active:
        raise InvalidState("This training program is running already.", status="active")
    stopped = [r.id for r in rows if r.is_active]
    if stopped:
        await conn.execute(
            sa.update(_programs)
            .where(_programs.c.id.in_(stopped))
            .values(is_active=False, updated_at=sa.func.now())
        )
    await conn.execute(
        sa.update(_programs)
        .where(_programs.c.id == program_id)
        .values(is_active=True, started_at=sa.func.now(), updated_at=sa.func.now())
    )
    await record_activity(
        conn,
        user_id,
        "training_program.started",
        "fitness",
        {"program_id": str(program_id), "stopped": [str(s) for s in stopped]},
    )
    return Started(program_id, [uuid.UUID(str(s)) for s in stopped])


async def complete_program(
    conn: AsyncConnection, user_id: uuid.UUID, program_id: uuid.UUID
) -> uuid.UUID:
    """Complete the user's running training program: ``completed_at`` now, no longer active.

    Raises:
        NotFound: no such program of the user (``TrainingProgram``).
        InvalidState: finished already (``completed``) or never started / stopped
            (``inactive``).
    """
    program = await _lock(conn, _programs, program_id, user_id)
    if program.completed_at is not None:
        raise InvalidState("This training program is finished already.", status="completed")
    if not program.is_active:
        raise InvalidState("Start this training program first.", status="inactive")
    await conn.execute(
        sa.update(_programs)
        .where(_programs.c.id == program_id)
        .values(is_active=False, completed_at=sa.func.now(), updated_at=sa.func.now())
    )
    await record_activity(
        conn,
        user_id,
        "training_program.completed",
        "fitness",
        {"program_id": str(program_id), "name": program.name},
    )
    return program_id


__all__ = [
    "ExerciseLine",
    "Finished",
    "LoggedSet",
    "ScheduledWorkout",
    "Section",
    "Started",
    "Week",
    "complete_program",
    "create_exercise",
    "create_program",
    "create_workout",
    "delete_exercise",
    "delete_program",
    "delete_session",
    "delete_workout",
    "finish_session",
    "log_set",
    "start_program",
    "start_session",
    "update_exercise",
    "update_program",
    "update_workout",
]
