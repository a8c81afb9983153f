"""Workout mutations: create with nested sections and exercises, update (only the given
fields; a given structure replaces that part), delete (sessions stay, as free sessions);
every refusal is a typed error naming the field and leaves the database as it was; another
user's workout or custom exercise is absent."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.fitness.helpers import (
    CREATE_WORKOUT,
    DELETE_WORKOUT,
    START_SESSION,
    UPDATE_WORKOUT,
    builtin_exercises,
    create_workout,
    custom_exercise,
    scalar,
    start_session,
    unchanged,
)
from tests.support.harness import Mutate, committed_user


def _nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


async def test_create_workout_with_sections_and_exercises(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    squat, bench = await builtin_exercises(engine)
    own = await custom_exercise(engine, viewer.user_id)
    workout = await create_workout(
        mutate,
        viewer,
        name="  Full body  ",
        description="Twice a week",
        estimatedDuration=60,
        sections=[
            {"name": "Warm-up", "exercises": [{"exerciseId": own, "sets": 2, "reps": 10}]},
            {
                "name": "Main",
                "exercises": [
                    {"exerciseId": squat, "sets": 5, "reps": 5, "weight": 100, "restSeconds": 180},
                    {"exerciseId": bench, "reps": 8},
                ],
            },
        ],
        exercises=[{"exerciseId": bench, "duration": 60, "notes": "Finisher"}],
    )
    assert (workout["name"], workout["estimatedDuration"], workout["isTemplate"]) == (
        "Full body",
        60,
        False,
    )
    sections = _nodes(workout["sections"])
    assert [(s["name"], s["sortOrder"]) for s in sections] == [("Warm-up", 0), ("Main", 1)]
    lines = sorted(_nodes(workout["exercises"]), key=lambda line: line["sortOrder"])
    assert [(line["exerciseId"], line["sets"], line["sortOrder"]) for line in lines] == [
        (own, 2, 0),
        (squat, 5, 1),
        (bench, 3, 2),
        (bench, 3, 3),
    ]
    assert lines[3]["sectionId"] is None and lines[3]["notes"] == "Finisher"
    assert lines[1]["weight"] == 100 and lines[1]["restSeconds"] == 180


async def test_create_workout_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer, other = await committed_user(engine), await committed_user(engine)
    (squat,) = await builtin_exercises(engine, 1)
    theirs = await custom_exercise(engine, other.user_id)

    def line(**fields: Any) -> dict[str, Any]:
        return {"name": "W", "exercises": [{"exerciseId": squat, **fields}]}

    refusals = [
        ({"name": " "}, "input.name"),
        ({"name": "x" * 201}, "input.name"),
        ({"name": "W", "description": "x" * 2001}, "input.description"),
        ({"name": "W", "estimatedDuration": -1}, "input.estimatedDuration"),
        ({"name": "W", "estimatedDuration": 1441}, "input.estimatedDuration"),
        (line(sets=0), "input.exercises.sets"),
        (line(sets=101), "input.exercises.sets"),
        (line(reps=-1), "input.exercises.reps"),
        (line(weight=2000.5), "input.exercises.weight"),
        (line(duration=86401), "input.exercises.duration"),
        (line(restSeconds=3601), "input.exercises.restSeconds"),
        (line(notes="x" * 1001), "input.exercises.notes"),
        ({"name": "W", "exercises": [{"exerciseId": "nope"}]}, "input.exercises[0].exerciseId"),
        ({"name": "W", "sections": [{"name": ""}]}, "input.sections.name"),
        ({"name": "W", "sections": [{"name": " "}]}, "input.sections[0].name"),
        (
            {
                "name": "W",
                "sections": [{"name": "S", "exercises": [{"exerciseId": squat, "sets": 0}]}],
            },
            "input.sections.exercises.sets",
        ),
        ({"name": "W", "sections": [{"name": "S"}] * 21}, "input.sections"),
        ({"name": "W", "exercises": [{"exerciseId": squat}] * 101}, "input.exercises"),
    ]
    for fields, field in refusals:
        payload = await unchanged(engine, mutate, CREATE_WORKOUT, {"input": fields}, viewer)
        assert (payload["__typename"], payload.get("field")) == ("InvalidInput", field), fields
    for exercise in (theirs, str(uuid.uuid4())):
        payload = await unchanged(
            engine, mutate, CREATE_WORKOUT, {"input": line(exerciseId=exercise)}, viewer
        )
        assert (payload["__typename"], payload["resource"]) == ("NotFound", "Exercise")


async def test_update_changes_only_the_given_fields(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    squat, bench = await builtin_exercises(engine)
    workout = await create_workout(
        mutate,
        viewer,
        description="Heavy",
        estimatedDuration=45,
        sections=[{"name": "Main", "exercises": [{"exerciseId": squat}]}],
        exercises=[{"exerciseId": bench}],
    )
    renamed = await mutate(
        UPDATE_WORKOUT,
        {"id": workout["id"], "input": {"name": "Leg day", "estimatedDuration": None}},
        viewer=viewer,
    )
    after = renamed.data["updateWorkout"]["workout"]
    assert (after["name"], after["description"], after["estimatedDuration"]) == (
        "Leg day",
        "Heavy",
        None,
    )
    assert after["exercises"]["totalCount"] == 2  # the structure was not given: it stays
    restructured = await mutate(
        UPDATE_WORKOUT,
        {
            "id": workout["id"],
            "input": {
                "sections": [
                    {"name": "A"},
                    {"name": "B", "exercises": [{"exerciseId": bench}, {"exerciseId": squat}]},
                ]
            },
        },
        viewer=viewer,
    )
    after = restructured.data["updateWorkout"]["workout"]
    assert [s["name"] for s in _nodes(after["sections"])] == ["A", "B"]
    lines = _nodes(after["exercises"])
    # the old section's line is gone, the unsectioned bench line stays, B's two are new;
    # numbered again: the section's lines first, then the one outside sections
    ordered = sorted(lines, key=lambda line: line["sortOrder"])
    assert [(line["exerciseId"], line["sortOrder"]) for line in ordered] == [
        (bench, 0),
        (squat, 1),
        (bench, 2),
    ]
    assert ordered[2]["sectionId"] is None
    assert after["description"] == "Heavy"
    cleared = await mutate(
        UPDATE_WORKOUT, {"id": workout["id"], "input": {"exercises": []}}, viewer=viewer
    )
    assert cleared.data["updateWorkout"]["workout"]["exercises"]["totalCount"] == 2
    for fields, field in (
        ({}, "input"),
        ({"name": None}, "input.name"),
        ({"isTemplate": None}, "input.isTemplate"),
        ({"sections": None}, "input.sections"),
        ({"estimatedDuration": 5000}, "input.estimatedDuration"),
        ({"exercises": [{"exerciseId": squat, "reps": 1001}]}, "input.exercises.reps"),
    ):
        payload = await unchanged(
            engine, mutate, UPDATE_WORKOUT, {"id": workout["id"], "input": fields}, viewer
        )
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields


async def test_delete_keeps_the_sessions_as_free_ones(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    (squat,) = await builtin_exercises(engine, 1)
    workout = await create_workout(mutate, viewer, exercises=[{"exerciseId": squat}])
    session = await start_session(mutate, viewer, workout["id"])
    result = await mutate(DELETE_WORKOUT, {"id": workout["id"]}, viewer=viewer)
    assert result.data["deleteWorkout"] == {
        "__typename": "DeleteWorkoutSuccess",
        "deletedWorkoutId": workout["id"],
    }
    assert await scalar(engine, "SELECT count(*) FROM workouts WHERE id = :w", w=workout["id"]) == 0
    assert (
        await scalar(
            engine, "SELECT count(*) FROM workout_exercises WHERE workout_id = :w", w=workout["id"]
        )
        == 0
    )
    assert (
        await scalar(engine, "SELECT workout_id FROM workout_sessions WHERE id = :s", s=session)
        is None
    )


async def test_another_users_workout_is_not_found(mutate: Mutate, engine: AsyncEngine) -> None:
    owner, other = await committed_user(engine), await committed_user(engine)
    workout = await create_workout(mutate, owner)
    calls = [
        (UPDATE_WORKOUT, {"id": workout["id"], "input": {"name": "Mine now"}}),
        (DELETE_WORKOUT, {"id": workout["id"]}),
        (START_SESSION, {"input": {"workoutId": workout["id"]}}),
        (DELETE_WORKOUT, {"id": str(uuid.uuid4())}),
    ]
    for query, variables in calls:
        payload = await unchanged(engine, mutate, query, variables, other)
        assert (payload["__typename"], payload["resource"]) == ("NotFound", "Workout"), query
    malformed = await unchanged(engine, mutate, DELETE_WORKOUT, {"id": "not-an-id"}, other)
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInput", "id")
