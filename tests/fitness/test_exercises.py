"""The viewer's own exercises: create (one name per viewer, the catalog's vocabulary for
level, force and mechanic), update (only the given fields), delete (refused while a workout,
a set or a record uses it); built-in exercises and another user's are nobody's to change."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.fitness.helpers import (
    builtin_exercises,
    create_workout,
    errors,
    log_set,
    scalar,
    start_session,
    unchanged,
)
from tests.support.harness import Mutate, committed_user

FIELDS = (
    "id name category description muscleGroups equipment level force mechanic "
    "instructions isCustom isBuiltin userId"
)
CREATE = f"""
mutation($input: CreateExerciseInput!) {{
  createExercise(input: $input) {{
    __typename
    ... on CreateExerciseSuccess {{ exercise {{ {FIELDS} }} }}
    {errors("InvalidInput")}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: UpdateExerciseInput!) {{
  updateExercise(id: $id, input: $input) {{
    __typename
    ... on UpdateExerciseSuccess {{ exercise {{ {FIELDS} }} }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
DELETE = f"""
mutation($id: ID!) {{
  deleteExercise(id: $id) {{
    __typename
    ... on DeleteExerciseSuccess {{ deletedExerciseId }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""


async def _create(mutate: Mutate, viewer: Any, **fields: Any) -> dict[str, Any]:
    result = await mutate(
        CREATE,
        {"input": {"name": "Fader push-up", "category": "strength", **fields}},
        viewer=viewer,
    )
    payload = result.data["createExercise"]
    assert payload["__typename"] == "CreateExerciseSuccess", payload
    exercise: dict[str, Any] = payload["exercise"]
    return exercise


async def test_create_and_its_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    exercise = await _create(
        mutate,
        viewer,
        name=" Desk dips ",
        category=" Strength ",
        muscleGroups=["Triceps", " ", "chest"],
        equipment="Chair",
        level="Beginner",
        force="push",
        instructions=["Hands on the chair", "Lower slowly"],
    )
    assert {k: exercise[k] for k in ("name", "category", "muscleGroups", "equipment", "level")} == {
        "name": "Desk dips",
        "category": "strength",
        "muscleGroups": ["triceps", "chest"],
        "equipment": "chair",
        "level": "beginner",
    }
    assert (exercise["isCustom"], exercise["isBuiltin"], exercise["userId"]) == (
        True,
        False,
        str(viewer.user_id),
    )
    base = {"name": "Other", "category": "strength"}
    for fields, field in (
        ({"name": "Desk dips"}, "input.name"),  # the viewer has one of that name
        ({"name": ""}, "input.name"),
        ({"category": " "}, "input.category"),
        ({"category": "x" * 51}, "input.category"),
        ({"description": "x" * 2001}, "input.description"),
        ({"muscleGroups": ["x"] * 21}, "input.muscleGroups"),
        ({"muscleGroups": ["x" * 51]}, "input.muscleGroups"),
        ({"equipment": "x" * 101}, "input.equipment"),
        ({"level": "guru"}, "input.level"),
        ({"force": "twist"}, "input.force"),
        ({"mechanic": "both"}, "input.mechanic"),
        ({"instructions": ["step"] * 51}, "input.instructions"),
        ({"instructions": ["x" * 1001]}, "input.instructions"),
    ):
        payload = await unchanged(engine, mutate, CREATE, {"input": {**base, **fields}}, viewer)
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields
    # another user may use the name
    other = await committed_user(engine)
    assert (await _create(mutate, other, name="Desk dips"))["name"] == "Desk dips"


async def test_update_changes_only_the_given_fields(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    exercise = await _create(mutate, viewer, equipment="chair", level="beginner")
    taken = await _create(mutate, viewer, name="Taken")
    result = await mutate(
        UPDATE,
        {"id": exercise["id"], "input": {"equipment": None, "mechanic": "compound"}},
        viewer=viewer,
    )
    after = result.data["updateExercise"]["exercise"]
    assert (after["name"], after["equipment"], after["level"], after["mechanic"]) == (
        "Fader push-up",
        None,
        "beginner",
        "compound",
    )
    for fields, field in (
        ({}, "input"),
        ({"name": None}, "input.name"),
        ({"name": taken["name"]}, "input.name"),
        ({"muscleGroups": None}, "input.muscleGroups"),
        ({"level": "guru"}, "input.level"),
    ):
        payload = await unchanged(
            engine, mutate, UPDATE, {"id": exercise["id"], "input": fields}, viewer
        )
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields


async def test_concurrent_renames_to_one_name_refuse_all_but_one(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    ids = [(await _create(mutate, viewer, name=f"Lift {n}"))["id"] for n in range(5)]
    results = await asyncio.gather(
        *(mutate(UPDATE, {"id": i, "input": {"name": "Same"}}, viewer=viewer) for i in ids)
    )
    kinds = sorted(r.data["updateExercise"]["__typename"] for r in results)
    assert kinds == ["InvalidInput"] * 4 + ["UpdateExerciseSuccess"]


async def test_delete_refuses_an_exercise_in_use(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    unused = await _create(mutate, viewer, name="Unused")
    result = await mutate(DELETE, {"id": unused["id"]}, viewer=viewer)
    assert result.data["deleteExercise"]["deletedExerciseId"] == unused["id"]
    in_workout = await _create(mutate, viewer, name="In a workout")
    await create_workout(mutate, viewer, exercises=[{"exerciseId": in_workout["id"]}])
    logged = await _create(mutate, viewer, name="Logged")
    session = await start_session(mutate, viewer)
    await log_set(mutate, viewer, sessionId=session, exerciseId=logged["id"], reps=5, isWarmup=True)
    for exercise in (in_workout, logged):
        payload = await unchanged(engine, mutate, DELETE, {"id": exercise["id"]}, viewer)
        assert (payload["__typename"], payload["status"]) == ("InvalidState", "in_use")


async def test_builtin_and_another_users_exercises_are_not_found(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    owner, other = await committed_user(engine), await committed_user(engine)
    theirs = await _create(mutate, owner)
    (builtin,) = await builtin_exercises(engine, 1)
    for target in (theirs["id"], builtin, str(uuid.uuid4())):
        for query, variables in (
            (UPDATE, {"id": target, "input": {"name": "Mine now"}}),
            (DELETE, {"id": target}),
        ):
            payload = await unchanged(engine, mutate, query, variables, other)
            assert (payload["__typename"], payload["resource"]) == ("NotFound", "Exercise")
    assert await scalar(engine, "SELECT count(*) FROM exercises WHERE id = :e", e=builtin) == 1


async def test_a_delete_racing_a_use_never_fails_at_commit(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    session = await start_session(mutate, viewer)
    exercises = [(await _create(mutate, viewer, name=f"Race {n}"))["id"] for n in range(8)]
    log = """mutation($input: LogExerciseSetInput!) { logExerciseSet(input: $input) {
      __typename } }"""
    calls = []
    for exercise in exercises:
        calls.append(mutate(DELETE, {"id": exercise}, viewer=viewer))
        calls.append(
            mutate(
                log,
                {"input": {"sessionId": session, "exerciseId": exercise, "reps": 5}},
                viewer=viewer,
            )
        )
    results = await asyncio.gather(*calls)
    assert all(r.errors == [] for r in results), [r.errors for r in results]
    for deleted, logged in zip(results[::2], results[1::2], strict=True):
        outcome = (
            deleted.data["deleteExercise"]["__typename"],
            logged.data["logExerciseSet"]["__typename"],
        )
        assert outcome in {
            ("DeleteExerciseSuccess", "NotFound"),
            ("InvalidState", "LogExerciseSetSuccess"),
        }, outcome
