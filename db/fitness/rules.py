"""The fitness rules that need no database: the ranges of every input, what a finished workout
session pays, the estimated one-repetition maximum, and which personal records a set beats.

Pure functions, called by the transitions (:mod:`db.fitness.transitions`) and by the demo
generator, so both follow one rule.

Award rate of a finished workout session (this module is its one place). The specification
gives workouts no rate; a finished workout is paid like a finished lesson, whose defaults are
20 XP, 10 coins and one skill star (Ignition specification, "Section 9: Learn Tables",
``learn_lessons``), the star going to the ``fitness`` skill ("workouts logged and personal
records set", ``seeds/gamification.py``). On top, each working set (not a warm-up) pays
:data:`WORKOUT_SET_XP` XP, for at most :data:`MAX_PAID_SETS` sets, so a full session pays at
most 40 XP. A session needs at least one working set to be finished at all.

Personal records (``personal_records``, one row per user, exercise and measure): a working set
beats the record of a measure when its value is strictly greater (a tie keeps the older
record); the new record keeps the value it beat in ``previous_value``. The measures:

- ``weight``: the set's load (a set with a load and at least one repetition);
- ``reps``: the set's repetitions;
- ``time``: the set's duration, in seconds;
- ``volume``: load x repetitions;
- ``one_rep_max``: the one-repetition maximum estimated by Epley's formula (B. Epley, "Poundage
  Chart", Boyd Epley Workout, 1985): ``weight x (1 + reps / 30)``, and the load itself for a
  single repetition. Sets of more than :data:`MAX_ESTIMATE_REPS` repetitions give no estimate:
  the formula is fitted on low-repetition sets and overestimates beyond.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from db import fields
from db.bounds import IntRange, MaxItems, Text, refuse
from db.errors import InvalidInput
from db.fitness.models import PersonalRecordType, TrainingDifficulty

#: XP, coins and stars of the ``fitness`` skill paid for every finished workout session.
WORKOUT_XP = 20
WORKOUT_COINS = 10
WORKOUT_STARS = 1
#: The skill (``skill_definitions.key``) that workouts level up.
WORKOUT_SKILL = "fitness"
#: XP paid per working set of a finished session, for at most :data:`MAX_PAID_SETS` sets.
WORKOUT_SET_XP = 1
MAX_PAID_SETS = 20

#: Sets of more repetitions than this give no estimated one-repetition maximum.
MAX_ESTIMATE_REPS = 12

# ---- input ranges (every one is stated in the GraphQL field's description) ----------------

#: The values of ``exercises.level``, ``force`` and ``mechanic`` (free-exercise-db's
#: vocabulary, which the built-in catalog and the users' own exercises share).
EXERCISE_LEVELS: frozenset[str] = frozenset({"beginner", "intermediate", "expert"})
EXERCISE_FORCES: frozenset[str] = frozenset({"static", "pull", "push"})
EXERCISE_MECHANICS: frozenset[str] = frozenset({"compound", "isolation"})
#: Longest exercise category and equipment, in characters.
MAX_CATEGORY = 50
MAX_EQUIPMENT = 100
#: Most muscle groups of an exercise, and the longest name of one.
MAX_MUSCLES = 20
MAX_MUSCLE = 50
#: Most instruction steps of an exercise, and the longest step.
MAX_STEPS = 50
MAX_STEP = 1000

#: Longest name (workout, section, program, week), in characters.
MAX_NAME = 200
#: Longest description or goal, in characters.
MAX_DESCRIPTION = 2000
#: Longest notes (an exercise line, a set, a session, a week), in characters.
MAX_NOTES = 1000
#: Most sections of a workout, and most exercise lines of a workout in all.
MAX_SECTIONS = 20
MAX_EXERCISES = 100
#: A workout's ``estimatedDuration``: 0 to this many minutes (one day).
MAX_ESTIMATED_MINUTES = 1440
#: An exercise line's ``sets``: 1 to this many.
MAX_SETS = 100
#: Repetitions of a line or of a set: 0 to this many.
MAX_REPS = 1000
#: A load: 0 to this many kg or lb.
MAX_WEIGHT = 2000.0
#: The duration of a set: 0 to this many seconds (one day).
MAX_SET_SECONDS = 86400
#: The rest between sets: 0 to this many seconds (one hour).
MAX_REST_SECONDS = 3600
#: A set's rate of perceived exertion: 1 to 10.
MIN_RPE, MAX_RPE = 1.0, 10.0
#: A session's rating: 1 to 5.
MIN_RATING, MAX_RATING = 1, 5
#: A training program lasts 1 to this many weeks (one year).
MAX_PROGRAM_WEEKS = 52
#: Most workouts scheduled in one program week.
MAX_WEEK_WORKOUTS = 21
#: A scheduled workout's ``orderIndex``: 0 to this.
MAX_ORDER_INDEX = 100
#: A scheduled workout's ``intensityModifier``: above 0, at most this.
MAX_INTENSITY = 3.0

# The bound objects of the inputs (db/bounds.py): the mutations declare them, the checks below
# use them, so each limit and its check exist once.
NAME = Text(MAX_NAME, 1)
OPTIONAL_NAME = Text(MAX_NAME)
DESCRIPTION = Text(MAX_DESCRIPTION)
NOTES = Text(MAX_NOTES)
CATEGORY = Text(MAX_CATEGORY, 1)
EQUIPMENT = Text(MAX_EQUIPMENT)
#: ``level``, ``force`` and ``mechanic`` (one of their vocabulary; the longest has 12).
CHOICE = Text(20)
MUSCLE = Text(MAX_MUSCLE)
MUSCLES = MaxItems(MAX_MUSCLES)
STEP = Text(MAX_STEP)
STEPS = MaxItems(MAX_STEPS)
SECTIONS = MaxItems(MAX_SECTIONS)
LINES = MaxItems(MAX_EXERCISES)
ESTIMATED_MINUTES = IntRange(0, MAX_ESTIMATED_MINUTES)
SETS = IntRange(1, MAX_SETS)
REPS = IntRange(0, MAX_REPS)
WEIGHT = IntRange(0, int(MAX_WEIGHT))
SET_SECONDS = IntRange(0, MAX_SET_SECONDS)
REST_SECONDS = IntRange(0, MAX_REST_SECONDS)
RPE = IntRange(int(MIN_RPE), int(MAX_RPE))
RATING = IntRange(MIN_RATING, MAX_RATING)
PROGRAM_WEEKS = IntRange(1, MAX_PROGRAM_WEEKS)
WEEK_NUMBER = IntRange(1, MAX_PROGRAM_WEEKS)
WEEKS = MaxItems(MAX_PROGRAM_WEEKS)
WEEKDAY = IntRange(0, 6)
WEEK_WORKOUTS = MaxItems(MAX_WEEK_WORKOUTS)
ORDER_INDEX = IntRange(0, MAX_ORDER_INDEX)
#: Checked above 0 by the rule (``check_float(..., open_low=True)``).
INTENSITY = IntRange(0, int(MAX_INTENSITY))


@dataclass(frozen=True)
class WorkoutAward:
    """What a finished session pays: ``xp``, ``coins`` and ``stars`` of ``skill_key``."""

    xp: int
    coins: int
    stars: int
    skill_key: str


def workout_award(working_sets: int) -> WorkoutAward:
    """The award of a finished session with ``working_sets`` sets that are not warm-ups (the
    rate of the module docstring).

    Raises:
        ValueError: ``working_sets`` < 1 (such a session cannot be finished).
    """
    if working_sets < 1:
        raise ValueError("a finished session has at least one working set")
    xp = WORKOUT_XP + WORKOUT_SET_XP * min(working_sets, MAX_PAID_SETS)
    return WorkoutAward(xp, WORKOUT_COINS, WORKOUT_STARS, WORKOUT_SKILL)


def workout_ledger_key(session_id: object) -> str:
    """The ledger key of a finished session's award: ``workout.completed:<session id>``."""
    return f"workout.completed:{session_id}"


def epley_one_rep_max(weight: float, reps: int) -> float | None:
    """The one-repetition maximum that ``reps`` repetitions at ``weight`` estimate, by Epley's
    formula (module docstring), rounded to 0.1; None for no load, no repetitions or more than
    :data:`MAX_ESTIMATE_REPS` repetitions.

    >>> epley_one_rep_max(100, 5)
    116.7
    >>> epley_one_rep_max(100, 1)
    100.0
    """
    if weight <= 0 or not 1 <= reps <= MAX_ESTIMATE_REPS:
        return None
    if reps == 1:
        return round(float(weight), 1)
    return round(weight * (1 + reps / 30), 1)


@dataclass(frozen=True)
class Measure:
    """One measure of a set, a candidate record: ``record_type``, ``value`` and the
    repetitions stored with it (``reps``, for the load-based measures)."""

    record_type: PersonalRecordType
    value: float
    reps: int | None = None


def set_measures(
    reps: int | None, weight: float | None, duration: int | None, is_warmup: bool
) -> list[Measure]:
    """The record candidates of a logged set (none for a warm-up): the measures of the module
    docstring that the set has a positive value of."""
    if is_warmup:
        return []
    measures: list[Measure] = []
    if weight and reps:
        measures.append(Measure(PersonalRecordType.WEIGHT, float(weight), reps))
        measures.append(Measure(PersonalRecordType.VOLUME, float(weight) * reps, reps))
        estimate = epley_one_rep_max(weight, reps)
        if estimate is not None:
            measures.append(Measure(PersonalRecordType.ONE_REP_MAX, estimate, reps))
    if reps:
        measures.append(Measure(PersonalRecordType.REPS, float(reps)))
    if duration:
        measures.append(Measure(PersonalRecordType.TIME, float(duration)))
    return measures


# ---- validation (before any SQL) ----------------------------------------------------------


def check_text(value: str | None, field: str, bound: Text, *, required: bool = False) -> str | None:
    """``value`` stripped, when it fits ``bound`` (and, when ``required``, is not blank);
    an optional blank text is None (the rule of :class:`db.fields.Text`).

    Raises:
        InvalidInput: naming ``field``.
    """
    text: str | None = fields.check_field(
        fields.Text.of(bound, nullable=not required), value, field
    )
    return text


def check_choice(value: str | None, field: str, allowed: frozenset[str]) -> str | None:
    """``value`` lowercased and stripped when it is null or one of ``allowed``.

    Raises:
        InvalidInput: naming ``field``.
    """
    if value is None:
        return None
    choice = value.strip().lower()
    if choice not in allowed:
        raise InvalidInput(f"One of {', '.join(sorted(allowed))}.", field=field)
    return choice


def check_texts(
    values: list[str], field: str, items: MaxItems, bound: Text, *, lower: bool = False
) -> list[str]:
    """``values`` stripped (lowercased when ``lower``), blank ones dropped: at most
    ``items`` values, each fitting ``bound``.

    Raises:
        InvalidInput: naming ``field`` (or ``field[i]`` for a value).
    """
    refuse(field, items.problem(len(values)))
    out = []
    for i, value in enumerate(values):
        text = check_text(value, f"{field}[{i}]", bound)
        if text:
            out.append(text.lower() if lower else text)
    return out


def check_int(value: int | None, field: str, bound: IntRange) -> int | None:
    """``value`` when it is null or within ``bound`` (the rule of :class:`db.fields.Number`).

    Raises:
        InvalidInput: naming ``field``.
    """
    number: int | None = fields.check_field(fields.Number.of(bound, nullable=True), value, field)
    return number


def check_float(
    value: float | None, field: str, bound: IntRange, *, open_low: bool = False
) -> float | None:
    """``value`` when it is null or a finite number within ``bound`` (its minimum excluded
    when ``open_low``).

    Raises:
        InvalidInput: naming ``field``.
    """
    number: float | None = fields.check_field(
        fields.Number.of(bound, integer=False, nullable=True), value, field
    )
    if open_low and number == bound.minimum:
        raise InvalidInput(f"`{field}` must be above {bound.minimum}.", field=field)
    return number


def check_set(
    reps: int | None, weight: float | None, duration: int | None, rpe: float | None
) -> None:
    """Refuse a set out of range, or one with neither repetitions nor a duration.

    Raises:
        InvalidInput: ``input.reps``, ``input.weight``, ``input.duration`` or ``input.rpe``.
    """
    check_int(reps, "input.reps", REPS)
    check_float(weight, "input.weight", WEIGHT)
    check_int(duration, "input.duration", SET_SECONDS)
    check_float(rpe, "input.rpe", RPE)
    if reps is None and duration is None:
        raise InvalidInput("A set has repetitions, a duration, or both.", field="input.reps")


def check_line(
    prefix: str,
    *,
    sets: int,
    reps: int | None,
    weight: float | None,
    duration: int | None,
    rest_seconds: int | None,
) -> None:
    """Refuse an exercise line of a workout out of range (``prefix`` is its input path, e.g.
    ``input.sections[0].exercises[2]``).

    Raises:
        InvalidInput: naming ``<prefix>.sets``, ``.reps``, ``.weight``, ``.duration`` or
            ``.restSeconds``.
    """
    if sets is None:
        raise InvalidInput("This field cannot be null.", field=f"{prefix}.sets")
    check_int(sets, f"{prefix}.sets", SETS)
    check_int(reps, f"{prefix}.reps", REPS)
    check_float(weight, f"{prefix}.weight", WEIGHT)
    check_int(duration, f"{prefix}.duration", SET_SECONDS)
    check_int(rest_seconds, f"{prefix}.restSeconds", REST_SECONDS)


def check_program_weeks(duration_weeks: int, week_numbers: list[int]) -> None:
    """Refuse program weeks numbered outside 1..``duration_weeks`` or twice.

    Raises:
        InvalidInput: ``input.weeks``.
    """
    if any(not 1 <= n <= duration_weeks for n in week_numbers):
        raise InvalidInput(
            f"Week numbers run from 1 to the program's {duration_weeks} weeks.",
            field="input.weeks",
        )
    if len(set(week_numbers)) != len(week_numbers):
        raise InvalidInput("Each week number once.", field="input.weeks")


# ---- the columns a client sets (db.fields rules, checked by db.fields.clean) ---------------

#: ``exercises`` columns a client sets on its own exercises (create and updateExercise): the
#: category and equipment lowercased (the catalog's vocabulary), the lists stripped.
EXERCISE_FIELDS: dict[str, fields.Rule] = {
    "name": fields.Text.of(NAME, nullable=False),
    "description": fields.Text.of(DESCRIPTION),
    "category": fields.Text.of(CATEGORY, nullable=False, lower=True),
    "muscle_groups": fields.Shaped(partial(check_texts, items=MUSCLES, bound=MUSCLE, lower=True)),
    "equipment": fields.Text.of(EQUIPMENT, lower=True),
    "level": fields.Shaped(partial(check_choice, allowed=EXERCISE_LEVELS), nullable=True),
    "force": fields.Shaped(partial(check_choice, allowed=EXERCISE_FORCES), nullable=True),
    "mechanic": fields.Shaped(partial(check_choice, allowed=EXERCISE_MECHANICS), nullable=True),
    "instructions": fields.Shaped(partial(check_texts, items=STEPS, bound=STEP)),
}
#: ``workouts`` columns a client sets (createWorkout and updateWorkout, besides the
#: structure: ``sections`` and ``exercises`` replace child rows).
WORKOUT_FIELDS: dict[str, fields.Rule] = {
    "name": fields.Text.of(NAME, nullable=False),
    "description": fields.Text.of(DESCRIPTION),
    "estimated_duration": fields.Number.of(ESTIMATED_MINUTES, nullable=True),
    "is_template": fields.Flag(),
}
#: ``training_programs`` columns a client sets (create and updateTrainingProgram, besides its
#: ``weeks``).
PROGRAM_FIELDS: dict[str, fields.Rule] = {
    "name": fields.Text.of(NAME, nullable=False),
    "description": fields.Text.of(DESCRIPTION),
    "goal": fields.Text.of(DESCRIPTION),
    "duration_weeks": fields.Number.of(PROGRAM_WEEKS),
    "difficulty": fields.Choice(TrainingDifficulty),
}


__all__ = [
    "EXERCISE_FIELDS",
    "EXERCISE_FORCES",
    "EXERCISE_LEVELS",
    "EXERCISE_MECHANICS",
    "MAX_ESTIMATE_REPS",
    "MAX_PAID_SETS",
    "PROGRAM_FIELDS",
    "WORKOUT_COINS",
    "WORKOUT_FIELDS",
    "WORKOUT_SET_XP",
    "WORKOUT_SKILL",
    "WORKOUT_STARS",
    "WORKOUT_XP",
    "Measure",
    "WorkoutAward",
    "check_choice",
    "check_float",
    "check_int",
    "check_line",
    "check_program_weeks",
    "check_set",
    "check_text",
    "check_texts",
    "epley_one_rep_max",
    "set_measures",
    "workout_award",
    "workout_ledger_key",
]
