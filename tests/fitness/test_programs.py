"""Training programs: create with weeks and scheduled workouts (the viewer's own), update (only
the given fields; given weeks replace them), delete, start (one program followed at a time:
the previous one stops), complete; every refusal is typed and
leaves the database as it was; another user's program or workout is absent."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.fitness.helpers import create_workout, errors, scalar, unchanged
from tests.support.harness import Mutate, committed_user

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
UPDATE = f"""
mutation($id: ID!, $input: UpdateTrainingProgramInput!) {{
  updateTrainingProgram(id: $id, input: $input) {{
    __typename
    ... on UpdateTrainingProgramSuccess {{
      program {{ id name description goal durationWeeks difficulty
        programWeeks {{ totalCount edges {{ node {{ weekNumber }} }} }} }}
    }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
DELETE = f"""
mutation($id: ID!) {{
  deleteTrainingProgram(id: $id) {{
    __typename
    ... on DeleteTrainingProgramSuccess {{ deletedProgramId }}
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
        ({"weeks": [{"weekNumber": 0}]}, "input.weeks.weekNumber"),
        ({"weeks": [{"weekNumber": 1}, {"weekNumber": 1}]}, "input.weeks"),
        ({"weeks": [{"weekNumber": 1, "name": "x" * 201}]}, "input.weeks.name"),
        ({"weeks": [week(dayOfWeek=7)]}, "input.weeks.workouts.dayOfWeek"),
        ({"weeks": [week(orderIndex=-1)]}, "input.weeks.workouts.orderIndex"),
        ({"weeks": [week(intensityModifier=0)]}, "input.weeks[0].workouts[0].intensityModifier"),
        ({"weeks": [week(intensityModifier=3.5)]}, "input.weeks.workouts.intensityModifier"),
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


async def test_update_changes_only_the_given_fields(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    workout = await create_workout(mutate, viewer)
    program = await _create(
        mutate,
        viewer,
        description="Base",
        goal="Strength",
        durationWeeks=4,
        weeks=[{"weekNumber": 1}, {"weekNumber": 4}],
    )
    renamed = await mutate(
        UPDATE,
        {"id": program["id"], "input": {"name": "Block 2", "goal": None, "difficulty": "ADVANCED"}},
        viewer=viewer,
    )
    after = renamed.data["updateTrainingProgram"]["program"]
    assert (after["name"], after["description"], after["goal"], after["difficulty"]) == (
        "Block 2",
        "Base",
        None,
        "ADVANCED",
    )
    assert after["programWeeks"]["totalCount"] == 2
    reweeked = await mutate(
        UPDATE,
        {
            "id": program["id"],
            "input": {
                "durationWeeks": 2,
                "weeks": [
                    {"weekNumber": 2, "workouts": [{"workoutId": workout["id"], "dayOfWeek": 3}]}
                ],
            },
        },
        viewer=viewer,
    )
    after = reweeked.data["updateTrainingProgram"]["program"]
    assert after["durationWeeks"] == 2
    assert [e["node"]["weekNumber"] for e in after["programWeeks"]["edges"]] == [2]
    for fields, field in (
        ({}, "input"),
        ({"name": None}, "input.name"),
        ({"durationWeeks": None}, "input.durationWeeks"),
        ({"durationWeeks": 1}, "input.durationWeeks"),  # week 2 would no longer fit
        ({"weeks": None}, "input.weeks"),
        ({"weeks": [{"weekNumber": 3}]}, "input.weeks"),  # beyond the kept 2 weeks
        (
            {
                "weeks": [
                    {"weekNumber": 1, "workouts": [{"workoutId": workout["id"], "dayOfWeek": -1}]}
                ]
            },
            "input.weeks.workouts.dayOfWeek",
        ),
    ):
        payload = await unchanged(
            engine, mutate, UPDATE, {"id": program["id"], "input": fields}, viewer
        )
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields


async def test_delete_keeps_the_workouts(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    workout = await create_workout(mutate, viewer)
    program = await _create(
        mutate,
        viewer,
        weeks=[{"weekNumber": 1, "workouts": [{"workoutId": workout["id"], "dayOfWeek": 1}]}],
    )
    result = await mutate(DELETE, {"id": program["id"]}, viewer=viewer)
    assert result.data["deleteTrainingProgram"] == {
        "__typename": "DeleteTrainingProgramSuccess",
        "deletedProgramId": program["id"],
    }
    assert (
        await scalar(
            engine, "SELECT count(*) FROM program_weeks WHERE program_id = :p", p=program["id"]
        )
        == 0
    )
    assert await scalar(engine, "SELECT count(*) FROM workouts WHERE id = :w", w=workout["id"]) == 1


async def test_another_users_program_is_not_found(mutate: Mutate, engine: AsyncEngine) -> None:
    owner, other = await committed_user(engine), await committed_user(engine)
    program = await _create(mutate, owner)
    theirs = await create_workout(mutate, owner)
    mine = await _create(mutate, other)
    scheduled = {
        "weeks": [{"weekNumber": 1, "workouts": [{"workoutId": theirs["id"], "dayOfWeek": 1}]}]
    }
    payload = await unchanged(engine, mutate, UPDATE, {"id": mine["id"], "input": scheduled}, other)
    assert (payload["__typename"], payload["resource"]) == ("NotFound", "Workout")
    for target in (program["id"], str(uuid.uuid4())):
        for query, variables in (
            (UPDATE, {"id": target, "input": {"name": "Mine now"}}),
            (DELETE, {"id": target}),
        ):
            payload = await unchanged(engine, mutate, query, variables, other)
            assert (payload["__typename"], payload["resource"]) == ("NotFound", "TrainingProgram")
    for query in (START, COMPLETE):
        for target in (program["id"], str(uuid.uuid4())):
            payload = await unchanged(engine, mutate, query, {"id": target}, other)
            assert (payload["__typename"], payload["resource"]) == ("NotFound", "TrainingProgram")
    malformed = await unchanged(engine, mutate, START, {"id": "nope"}, other)
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInput", "id")
