"""Fitness mutations: the viewer's own exercises, workouts, workout sessions and their sets
(with personal records), and training programs. The rules live in :mod:`db.fitness.transitions` and
:mod:`db.fitness.rules`; these declarations only map arguments and results."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from db.errors import InvalidState, NotFound
from db.fitness import transitions
from db.fitness.models import (
    Exercise,
    ExerciseSet,
    ProgramWeek,
    ProgramWorkout,
    TrainingDifficulty,
    TrainingProgram,
    Workout,
    WorkoutExercise,
    WorkoutSection,
    WorkoutSession,
)
from db.fitness.rules import (
    CATEGORY,
    CHOICE,
    DESCRIPTION,
    EQUIPMENT,
    ESTIMATED_MINUTES,
    EXERCISE_FORCES,
    EXERCISE_LEVELS,
    EXERCISE_MECHANICS,
    INTENSITY,
    LINES,
    MAX_EXERCISES,
    MAX_PAID_SETS,
    MAX_SECTIONS,
    MUSCLE,
    MUSCLES,
    NAME,
    NOTES,
    OPTIONAL_NAME,
    ORDER_INDEX,
    PROGRAM_WEEKS,
    RATING,
    REPS,
    REST_SECONDS,
    RPE,
    SECTIONS,
    SET_SECONDS,
    SETS,
    STEP,
    STEPS,
    WEEK_NUMBER,
    WEEK_WORKOUTS,
    WEEKDAY,
    WEEKS,
    WEIGHT,
    WORKOUT_COINS,
    WORKOUT_SET_XP,
    WORKOUT_XP,
)
from schema.core.crud import converting, owned_mutations, spread
from schema.core.descriptions import column_doc
from schema.core.mutations import IdempotencyKey, Ids, Tx, id_arg, mutation
from schema.core.types import graphql_enum

TrainingDifficultyEnum: Any = graphql_enum(TrainingDifficulty)

WorkoutId = Annotated[
    strawberry.ID, strawberry.argument(description="One of the viewer's workouts (`Workout.id`).")
]
SessionId = Annotated[
    strawberry.ID,
    strawberry.argument(description="One of the viewer's workout sessions (`WorkoutSession.id`)."),
]
ProgramId = Annotated[
    strawberry.ID,
    strawberry.argument(
        description="One of the viewer's training programs (`TrainingProgram.id`)."
    ),
]


def _choices(values: frozenset[str]) -> str:
    return "One of " + ", ".join(f"`{v}`" for v in sorted(values)) + "."


@strawberry.input(description="An exercise of the viewer's own, for the exercise library.")
class CreateExerciseInput:
    name: Annotated[str, NAME] = strawberry.field(
        description=f"{column_doc(Exercise, 'name')} One name per viewer."
    )
    category: Annotated[str, CATEGORY] = strawberry.field(
        description=column_doc(Exercise, "category")
    )
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=None, description=column_doc(Exercise, "description")
    )
    muscle_groups: Annotated[list[str], MUSCLE, MUSCLES] = strawberry.field(
        default_factory=list, description=column_doc(Exercise, "muscle_groups")
    )
    equipment: Annotated[str | None, EQUIPMENT] = strawberry.field(
        default=None, description=column_doc(Exercise, "equipment")
    )
    level: Annotated[str | None, CHOICE] = strawberry.field(
        default=None, description=_choices(EXERCISE_LEVELS)
    )
    force: Annotated[str | None, CHOICE] = strawberry.field(
        default=None, description=_choices(EXERCISE_FORCES)
    )
    mechanic: Annotated[str | None, CHOICE] = strawberry.field(
        default=None, description=_choices(EXERCISE_MECHANICS)
    )
    instructions: Annotated[list[str], STEP, STEPS] = strawberry.field(
        default_factory=list, description="The steps to perform it, in order."
    )


@strawberry.input(
    description="The fields to change; a field left out keeps its value, `null` clears an "
    "optional one."
)
class UpdateExerciseInput:
    name: Annotated[str | None, NAME] = strawberry.field(
        default=strawberry.UNSET, description="A new name; one name per viewer."
    )
    category: Annotated[str | None, CATEGORY] = strawberry.field(
        default=strawberry.UNSET, description="A new category."
    )
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=strawberry.UNSET, description="A new description; null clears it."
    )
    muscle_groups: Annotated[list[str] | None, MUSCLE, MUSCLES] = strawberry.field(
        default=strawberry.UNSET, description="Replaces the muscle groups."
    )
    equipment: Annotated[str | None, EQUIPMENT] = strawberry.field(
        default=strawberry.UNSET, description="New equipment; null clears it."
    )
    level: Annotated[str | None, CHOICE] = strawberry.field(
        default=strawberry.UNSET, description=f"{_choices(EXERCISE_LEVELS)} Null clears it."
    )
    force: Annotated[str | None, CHOICE] = strawberry.field(
        default=strawberry.UNSET, description=f"{_choices(EXERCISE_FORCES)} Null clears it."
    )
    mechanic: Annotated[str | None, CHOICE] = strawberry.field(
        default=strawberry.UNSET, description=f"{_choices(EXERCISE_MECHANICS)} Null clears it."
    )
    instructions: Annotated[list[str] | None, STEP, STEPS] = strawberry.field(
        default=strawberry.UNSET, description="Replaces the steps."
    )


ExerciseId = Annotated[
    strawberry.ID,
    strawberry.argument(description="One of the viewer's own exercises (`Exercise.id`)."),
]


EXERCISE_MUTATIONS = owned_mutations(
    "exercise",
    table="exercises",
    row_id=ExerciseId,
    inputs=(CreateExerciseInput, UpdateExerciseInput),
    create=transitions.create_exercise,
    update=transitions.update_exercise,
    delete=transitions.delete_exercise,
    errors=((), (NotFound,), (NotFound, InvalidState)),
    descriptions=(
        "Create an exercise of the viewer's own; it joins the built-in ones in the viewer's "
        "exercise library.",
        "Change some fields of one of the viewer's own exercises (built-in ones cannot be "
        "changed).",
        "Delete one of the viewer's own exercises that no workout, logged set or personal "
        "record uses (InvalidState `in_use` otherwise).",
    ),
)


@strawberry.input(
    description="One exercise prescribed in a workout: a built-in exercise or the viewer's own."
)
class WorkoutExerciseInput:
    exercise_id: strawberry.ID = strawberry.field(
        description=column_doc(WorkoutExercise, "exercise_id")
    )
    sets: Annotated[int, SETS] = strawberry.field(
        default=3, description=column_doc(WorkoutExercise, "sets")
    )
    reps: Annotated[int | None, REPS] = strawberry.field(
        default=None, description=column_doc(WorkoutExercise, "reps")
    )
    weight: Annotated[float | None, WEIGHT] = strawberry.field(
        default=None, description=column_doc(WorkoutExercise, "weight")
    )
    duration: Annotated[int | None, SET_SECONDS] = strawberry.field(
        default=None, description=column_doc(WorkoutExercise, "duration")
    )
    rest_seconds: Annotated[int | None, REST_SECONDS] = strawberry.field(
        default=None, description=column_doc(WorkoutExercise, "rest_seconds")
    )
    notes: Annotated[str | None, NOTES] = strawberry.field(
        default=None, description=column_doc(WorkoutExercise, "notes")
    )


@strawberry.input(description="A named part of a workout with its exercises, in order.")
class WorkoutSectionInput:
    name: Annotated[str, NAME] = strawberry.field(description=column_doc(WorkoutSection, "name"))
    exercises: Annotated[list[WorkoutExerciseInput], LINES] = strawberry.field(
        default_factory=list, description="The section's exercises, in order."
    )


_STRUCTURE = (
    f"At most {MAX_SECTIONS} sections and {MAX_EXERCISES} exercises in all; positions follow "
    "the order given, the sections' exercises first."
)


@strawberry.input(description=f"A new workout with its sections and exercises. {_STRUCTURE}")
class CreateWorkoutInput:
    name: Annotated[str, NAME] = strawberry.field(description=column_doc(Workout, "name"))
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=None, description=column_doc(Workout, "description")
    )
    estimated_duration: Annotated[int | None, ESTIMATED_MINUTES] = strawberry.field(
        default=None, description=column_doc(Workout, "estimated_duration")
    )
    is_template: bool = strawberry.field(
        default=False, description=column_doc(Workout, "is_template")
    )
    sections: Annotated[list[WorkoutSectionInput], SECTIONS] = strawberry.field(
        default_factory=list, description="The workout's sections, in order."
    )
    exercises: Annotated[list[WorkoutExerciseInput], LINES] = strawberry.field(
        default_factory=list, description="Exercises outside any section, in order."
    )


@strawberry.input(
    description="The fields to change; a field left out keeps its value, `null` clears an "
    f"optional one. {_STRUCTURE}"
)
class UpdateWorkoutInput:
    name: Annotated[str | None, NAME] = strawberry.field(
        default=strawberry.UNSET, description="A new name."
    )
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=strawberry.UNSET, description="A new description; null clears it."
    )
    estimated_duration: Annotated[int | None, ESTIMATED_MINUTES] = strawberry.field(
        default=strawberry.UNSET, description="Minutes; null clears it."
    )
    is_template: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether the workout is a reusable template."
    )
    sections: Annotated[list[WorkoutSectionInput] | None, SECTIONS] = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces all the sections and their exercises (an empty list removes them).",
    )
    exercises: Annotated[list[WorkoutExerciseInput] | None, LINES] = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces the exercises outside sections (an empty list removes them).",
    )


def _line(value: WorkoutExerciseInput, path: str) -> transitions.ExerciseLine:
    return transitions.ExerciseLine(
        exercise_id=id_arg(value.exercise_id, f"{path}.exerciseId"),
        sets=value.sets,
        reps=value.reps,
        weight=value.weight,
        duration=value.duration,
        rest_seconds=value.rest_seconds,
        notes=value.notes,
    )


def _lines(values: list[WorkoutExerciseInput], path: str) -> list[transitions.ExerciseLine]:
    return [_line(v, f"{path}[{i}]") for i, v in enumerate(values)]


def _sections(values: list[WorkoutSectionInput]) -> list[transitions.Section]:
    return [
        transitions.Section(s.name, _lines(s.exercises, f"input.sections[{i}].exercises"))
        for i, s in enumerate(values)
    ]


WORKOUT_MUTATIONS = owned_mutations(
    "workout",
    table="workouts",
    row_id=WorkoutId,
    inputs=(CreateWorkoutInput, UpdateWorkoutInput),
    create=spread(transitions.create_workout),
    update=transitions.update_workout,
    delete=transitions.delete_workout,
    values=converting(sections=_sections, exercises=lambda v: _lines(v, "input.exercises")),
    errors=((NotFound,), (NotFound,), (NotFound,)),
    descriptions=(
        "Create a workout with its sections and exercises.",
        "Change some fields of one of the viewer's workouts; `sections` or `exercises`, when "
        "given, replace that part of the workout.",
        "Delete one of the viewer's workouts with its sections, exercises and places in "
        "training programs; its sessions stay, as free sessions.",
    ),
)


@strawberry.input(description="A workout session to start: following a workout, or free.")
class StartWorkoutSessionInput:
    workout_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="One of the viewer's workouts to follow; left out for a free session.",
    )
    notes: Annotated[str | None, NOTES] = strawberry.field(
        default=None, description=column_doc(WorkoutSession, "notes")
    )


@mutation(
    description="Start a workout session, following one of the viewer's workouts or free.",
    returns={"session": "workout_sessions"},
    errors=(NotFound,),
)
async def start_workout_session(tx: Tx, input: StartWorkoutSessionInput) -> Ids:
    workout_id = (
        id_arg(input.workout_id, "input.workoutId") if input.workout_id is not None else None
    )
    session_id = await transitions.start_session(
        tx.conn, tx.viewer.user_id, workout_id=workout_id, notes=input.notes
    )
    return {"session": session_id}


@mutation(
    description="Delete one of the viewer's workout sessions with its sets: a running one "
    "that will not be finished, or a finished one (what it paid stays paid, and so do the "
    "personal records its sets set).",
    returns={"deleted_session_id": strawberry.ID},
    errors=(NotFound,),
    fields={"deleted_session_id": "The id the deleted session had (`WorkoutSession.id`)."},
)
async def delete_workout_session(tx: Tx, id: SessionId) -> Ids:
    return {
        "deleted_session_id": await transitions.delete_session(
            tx.conn, tx.viewer.user_id, id_arg(id, "id")
        )
    }


@strawberry.input(
    description="A set done in a running workout session: repetitions, a duration, or both."
)
class LogExerciseSetInput:
    session_id: strawberry.ID = strawberry.field(
        description="One of the viewer's running workout sessions."
    )
    exercise_id: strawberry.ID = strawberry.field(
        description="The exercise done: a built-in exercise or the viewer's own."
    )
    reps: Annotated[int | None, REPS] = strawberry.field(
        default=None, description=column_doc(ExerciseSet, "reps")
    )
    weight: Annotated[float | None, WEIGHT] = strawberry.field(
        default=None, description=column_doc(ExerciseSet, "weight")
    )
    duration: Annotated[int | None, SET_SECONDS] = strawberry.field(
        default=None, description=column_doc(ExerciseSet, "duration")
    )
    is_warmup: bool = strawberry.field(
        default=False, description=column_doc(ExerciseSet, "is_warmup")
    )
    is_dropset: bool = strawberry.field(
        default=False, description=column_doc(ExerciseSet, "is_dropset")
    )
    rpe: Annotated[float | None, RPE] = strawberry.field(
        default=None, description="The rate of perceived exertion, 1 easy, 10 maximal."
    )
    notes: Annotated[str | None, NOTES] = strawberry.field(
        default=None, description=column_doc(ExerciseSet, "notes")
    )


@mutation(
    description="Log a set in a running workout session. A working set (not a warm-up) that "
    "beats one of the viewer's personal records of the exercise (heaviest weight, most "
    "repetitions, longest duration, largest volume, best one-repetition maximum estimated by "
    "Epley's formula) replaces it, keeping the value it beat as `previousValue`.",
    returns={
        "set": "exercise_sets",
        "session": "workout_sessions",
        "personal_records": ["personal_records"],
    },
    errors=(NotFound, InvalidState),
    fields={"personal_records": "The personal records this set set (empty when none)."},
)
async def log_exercise_set(tx: Tx, input: LogExerciseSetInput) -> Ids:
    logged = await transitions.log_set(
        tx.conn,
        tx.viewer.user_id,
        id_arg(input.session_id, "input.sessionId"),
        id_arg(input.exercise_id, "input.exerciseId"),
        reps=input.reps,
        weight=input.weight,
        duration=input.duration,
        is_warmup=input.is_warmup,
        is_dropset=input.is_dropset,
        rpe=input.rpe,
        notes=input.notes,
    )
    return {
        "set": logged.set_id,
        "session": logged.session_id,
        "personal_records": logged.records,
    }


@mutation(
    description="Finish a running workout session that has at least one working set: paid "
    f"once through the points ledger ({WORKOUT_XP} XP, {WORKOUT_COINS} coins and a Fitness "
    f"star, plus {WORKOUT_SET_XP} XP per working set for up to {MAX_PAID_SETS} sets), "
    "workout quests advanced, achievements evaluated.",
    returns={
        "session": "workout_sessions",
        "wallet": "user_wallet",
        "ledger_entry": "points_ledger",
        "unlocked_achievements": ["user_achievements"],
    },
    errors=(NotFound, InvalidState),
    idempotent=True,
    fields={
        "ledger_entry": "The points ledger row of the award.",
        "unlocked_achievements": "The achievements this session unlocked (empty when none).",
    },
)
async def finish_workout_session(
    tx: Tx,
    id: SessionId,
    idempotency_key: IdempotencyKey,
    rating: Annotated[
        int | None,
        RATING,
        strawberry.argument(description="How the session felt; kept when left out."),
    ] = None,
    notes: Annotated[
        str | None,
        NOTES,
        strawberry.argument(description="Notes on the session; kept when left out."),
    ] = None,
) -> Ids:
    done = await transitions.finish_session(
        tx.conn, tx.viewer.user_id, id_arg(id, "id"), rating=rating, notes=notes
    )
    return {
        "session": done.session_id,
        "wallet": done.posting.wallet.id,
        "ledger_entry": done.posting.entry_id,
        "unlocked_achievements": [u.user_achievement_id for u in done.unlocked],
    }


@strawberry.input(description="A workout of the viewer scheduled in a program week.")
class ProgramWorkoutInput:
    workout_id: strawberry.ID = strawberry.field(description="One of the viewer's workouts.")
    day_of_week: Annotated[int, WEEKDAY] = strawberry.field(
        description="The day: 0 is Sunday, 6 is Saturday."
    )
    order_index: Annotated[int, ORDER_INDEX] = strawberry.field(
        default=0, description=column_doc(ProgramWorkout, "order_index")
    )
    intensity_modifier: Annotated[float, INTENSITY] = strawberry.field(
        default=1.0,
        description=f"{column_doc(ProgramWorkout, 'intensity_modifier')} Above 0.",
    )


@strawberry.input(description="One week of a training program with its scheduled workouts.")
class ProgramWeekInput:
    week_number: Annotated[int, WEEK_NUMBER] = strawberry.field(
        description=f"{column_doc(ProgramWeek, 'week_number')} Within the program's "
        "`durationWeeks`, each number once."
    )
    name: Annotated[str | None, OPTIONAL_NAME] = strawberry.field(
        default=None, description=column_doc(ProgramWeek, "name")
    )
    is_deload: bool = strawberry.field(
        default=False, description=column_doc(ProgramWeek, "is_deload")
    )
    notes: Annotated[str | None, NOTES] = strawberry.field(
        default=None, description=column_doc(ProgramWeek, "notes")
    )
    workouts: Annotated[list[ProgramWorkoutInput], WEEK_WORKOUTS] = strawberry.field(
        default_factory=list, description="The week's workouts."
    )


@strawberry.input(description="A new training program (not started) with its weeks.")
class CreateTrainingProgramInput:
    name: Annotated[str, NAME] = strawberry.field(description=column_doc(TrainingProgram, "name"))
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=None, description=column_doc(TrainingProgram, "description")
    )
    duration_weeks: Annotated[int, PROGRAM_WEEKS] = strawberry.field(
        default=4, description=column_doc(TrainingProgram, "duration_weeks")
    )
    goal: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=None, description=column_doc(TrainingProgram, "goal")
    )
    difficulty: TrainingDifficultyEnum = strawberry.field(
        default=TrainingDifficulty.INTERMEDIATE,
        description=column_doc(TrainingProgram, "difficulty"),
    )
    weeks: Annotated[list[ProgramWeekInput], WEEKS] = strawberry.field(
        default_factory=list, description="The program's weeks."
    )


def _weeks(values: list[ProgramWeekInput]) -> list[transitions.Week]:
    return [
        transitions.Week(
            week_number=w.week_number,
            name=w.name,
            is_deload=w.is_deload,
            notes=w.notes,
            workouts=[
                transitions.ScheduledWorkout(
                    workout_id=id_arg(s.workout_id, f"input.weeks[{i}].workouts[{j}].workoutId"),
                    day_of_week=s.day_of_week,
                    order_index=s.order_index,
                    intensity_modifier=s.intensity_modifier,
                )
                for j, s in enumerate(w.workouts)
            ],
        )
        for i, w in enumerate(values)
    ]


@strawberry.input(
    description="The fields to change; a field left out keeps its value, `null` clears an "
    "optional one."
)
class UpdateTrainingProgramInput:
    name: Annotated[str | None, NAME] = strawberry.field(
        default=strawberry.UNSET, description="A new name."
    )
    description: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=strawberry.UNSET, description="A new description; null clears it."
    )
    goal: Annotated[str | None, DESCRIPTION] = strawberry.field(
        default=strawberry.UNSET, description="A new goal; null clears it."
    )
    duration_weeks: Annotated[int | None, PROGRAM_WEEKS] = strawberry.field(
        default=strawberry.UNSET, description="Weeks, at least the number of its last week."
    )
    difficulty: TrainingDifficultyEnum | None = strawberry.field(
        default=strawberry.UNSET, description="A new level."
    )
    weeks: Annotated[list[ProgramWeekInput] | None, WEEKS] = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces all the weeks and their workouts (an empty list removes them).",
    )


PROGRAM_MUTATIONS = owned_mutations(
    "training_program",
    table="training_programs",
    payload="program",
    row_id=ProgramId,
    inputs=(CreateTrainingProgramInput, UpdateTrainingProgramInput),
    create=spread(transitions.create_program),
    update=transitions.update_program,
    delete=transitions.delete_program,
    values=converting(weeks=_weeks),
    errors=((NotFound,), (NotFound,), (NotFound,)),
    descriptions=(
        "Create a training program with its weeks and their scheduled workouts.",
        "Change some fields of one of the viewer's training programs; `weeks`, when given, "
        "replaces its weeks.",
        "Delete one of the viewer's training programs with its weeks (the workouts stay).",
    ),
)


@mutation(
    description="Start one of the viewer's training programs; the program the viewer "
    "followed until now (if any) stops, unfinished.",
    returns={"program": "training_programs", "stopped_programs": ["training_programs"]},
    errors=(NotFound, InvalidState),
    fields={"stopped_programs": "The programs this start stopped (empty when none)."},
)
async def start_training_program(tx: Tx, id: ProgramId) -> Ids:
    started = await transitions.start_program(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    return {"program": started.program_id, "stopped_programs": started.stopped}


@mutation(
    description="Complete the viewer's running training program.",
    returns={"program": "training_programs"},
    errors=(NotFound, InvalidState),
)
async def complete_training_program(tx: Tx, id: ProgramId) -> Ids:
    return {
        "program": await transitions.complete_program(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    }
