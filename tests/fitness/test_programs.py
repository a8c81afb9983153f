"""Training programs: create with weeks and scheduled workouts (the viewer's own), start (one
program followed at a time: the previous one stops), complete; every refusal is typed and
leaves the database as it was; another user's program or workout is absent."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.economy.conftest import Mutate
from tests.economy.harness import committed_user
from tests.fitness.helpers import create_workout, errors, scalar, unchanged

CREATE = f"""
mutation($input: CreateTrainingProgramInput!) {{
  createTrainingProgram(input: $input) {{
    __typename
    ... on CreateTrainingProgramSuccess {{
      program {{ id name durationWeeks difficulty isActive startedAt completedAt
        programWeeks {{ edges {{ node {{ weekNumber name isDeload
          workouts {{ edges {{ node {{ workoutId dayOfWeek orderIndex intensityModifier }} }} }}
        }} }} }}
      }}
    }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
START = f"""
mutation($id: ID!) {{
  startTrainingProgram(id: $id) {{
    __typename
    ... on StartTrainingProgramSuccess {{
      program {{ id isActive startedAt completedAt }}
      stoppedPrograms {{ id isActive }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
COMPLETE = f"""
mutation($id: ID!) {{
  completeTrainingProgram(id: $id) {{
    __typename
    ... on CompleteTrainingProgramSuccess {{ program {{ id isActive completedAt }} }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""


async def _create(mutate: Mutate, viewer: Any, **fields: Any) -> dict[str, Any]:
    result = await mutate(CREATE, {"input": {"name": "Block", **fields}}, viewer=viewer)
    payload = result.data["createTrainingProgram"]
    assert payload["__typename"] == "CreateTrainingProgramSuccess", payload
    program: dict[str, Any] = payload["program"]
    return program


async def test_create_with_weeks_and_workouts(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    workout = await create_workout(mutate, viewer)
    program = await _create(
        mutate,
        viewer,
        durationWeeks=3,
        difficulty="BEGINNER",
        weeks=[
            {
                "weekNumber": 1,
                "name": "Build",
                "workouts": [{"workoutId": workout["id"], "dayOfWeek": 1}],
            },
            {
                "weekNumber": 3,
                "isDeload": True,
                "workouts": [
                    {"workoutId": workout["id"], "dayOfWeek": 5, "intensityModifier": 0.7}
                ],
            },
        ],
    )
    assert (program["durationWeeks"], program["difficulty"], program["isActive"]) == (
        3,
        "BEGINNER",
        False,
    )
    weeks = sorted(
        (e["node"] for e in program["programWeeks"]["edges"]), key=lambda w: w["weekNumber"]
    )
    assert [(w["weekNumber"], w["name"], w["isDeload"]) for w in weeks] == [
        (1, "Build", False),
        (3, None, True),
    ]
    assert weeks[1]["workouts"]["edges"][0]["node"] == {
        "workoutId": workout["id"],
        "dayOfWeek": 5,
        "orderIndex": 0,
        "intensityModifier": 0.7,
    }


async def test_create_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer, other = await committed_user(engine), await committed_user(engine)
    mine = await create_workout(mutate, viewer)
    theirs = await create_workout(mutate, other)

    def week(**fields: Any) -> dict[str, Any]:
        return {"weekNumber": 1, "workouts": [{"workoutId": mine["id"], "dayOfWeek": 1, **fields}]}

    for fields, field in (
        ({"name": ""}, "input.name"),
        ({"description": "x" * 2001}, "input.description"),
        ({"goal": "x" * 2001}, "input.goal"),
        ({"durationWeeks": 0}, "input.durationWeeks"),
        ({"durationWeeks": 53}, "input.durationWeeks"),
        ({"weeks": [{"weekNumber": 5}]}, "input.weeks"),
        ({"weeks": [{"weekNumber": 0}]}, "input.weeks"),
        ({"weeks": [{"weekNumber": 1}, {"weekNumber": 1}]}, "input.weeks"),
        ({"weeks": [{"weekNumber": 1, "name": "x" * 201}]}, "input.weeks[0].name"),
        ({"weeks": [week(dayOfWeek=7)]}, "input.weeks[0].workouts[0].dayOfWeek"),
        ({"weeks": [week(orderIndex=-1)]}, "input.weeks[0].workouts[0].orderIndex"),
        ({"weeks": [week(intensityModifier=0)]}, "input.weeks[0].workouts[0].intensityModifier"),
        ({"weeks": [week(intensityModifier=3.5)]}, "input.weeks[0].workouts[0].intensityModifier"),
        ({"weeks": [week(workoutId="x")]}, "input.weeks[0].workouts[0].workoutId"),
    ):
        payload = await unchanged(
            engine, mutate, CREATE, {"input": {"name": "P", **fields}}, viewer
        )
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields
    for workout_id in (theirs["id"], str(uuid.uuid4())):
        payload = await unchanged(
            engine,
            mutate,
            CREATE,
            {"input": {"name": "P", "weeks": [week(workoutId=workout_id)]}},
            viewer,
        )
        assert (payload["__typename"], payload["resource"]) == ("NotFound", "Workout")


async def test_start_stops_the_previous_program_and_complete_ends_it(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    first, second = await _create(mutate, viewer), await _create(mutate, viewer)
    not_started = await unchanged(engine, mutate, COMPLETE, {"id": first["id"]}, viewer)
    assert (not_started["__typename"], not_started["status"]) == ("InvalidState", "inactive")
    started = (await mutate(START, {"id": first["id"]}, viewer=viewer)).data["startTrainingProgram"]
    assert started["program"]["isActive"] and started["program"]["startedAt"]
    assert started["stoppedPrograms"] == []
    running = await unchanged(engine, mutate, START, {"id": first["id"]}, viewer)
    assert (running["__typename"], running["status"]) == ("InvalidState", "active")
    switched = (await mutate(START, {"id": second["id"]}, viewer=viewer)).data[
        "startTrainingProgram"
    ]
    assert switched["stoppedPrograms"] == [{"id": first["id"], "isActive": False}]
    done = (await mutate(COMPLETE, {"id": second["id"]}, viewer=viewer)).data[
        "completeTrainingProgram"
    ]
    assert done["program"]["isActive"] is False and done["program"]["completedAt"]
    for query in (START, COMPLETE):
        payload = await unchanged(engine, mutate, query, {"id": second["id"]}, viewer)
        assert (payload["__typename"], payload["status"]) == ("InvalidState", "completed")
    active = await scalar(
        engine,
        "SELECT count(*) FROM training_programs WHERE user_id = :u AND is_active",
        u=viewer.user_id,
    )
    assert active == 0


async def test_another_users_program_is_not_found(mutate: Mutate, engine: AsyncEngine) -> None:
    owner, other = await committed_user(engine), await committed_user(engine)
    program = await _create(mutate, owner)
    for query in (START, COMPLETE):
        for target in (program["id"], str(uuid.uuid4())):
            payload = await unchanged(engine, mutate, query, {"id": target}, other)
            assert (payload["__typename"], payload["resource"]) == ("NotFound", "TrainingProgram")
    malformed = await unchanged(engine, mutate, START, {"id": "nope"}, other)
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInput", "id")
