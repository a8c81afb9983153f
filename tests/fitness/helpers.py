"""What the fitness tests share: the operations, creating a workout and a session through
the API, built-in exercises; and, re-exported, the shared ``errors`` selections, the
unchanged-database check of a refusal (``unchanged``) and reading a committed value
(``scalar``)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer
from tests.support.harness import Mutate, unchanged
from tests.support.writes import errors
from tests.support.writes import value as scalar

WORKOUT_FIELDS = """
  id name description estimatedDuration isTemplate
  sections { edges { node { name sortOrder exercises { edges { node {
      exerciseId sets reps sortOrder } } } } } }
  exercises { totalCount edges { node { exerciseId sectionId sets reps weight duration
      restSeconds notes sortOrder } } }
"""
CREATE_WORKOUT = f"""
mutation($input: CreateWorkoutInput!) {{
  createWorkout(input: $input) {{
    __typename
    ... on CreateWorkoutSuccess {{ workout {{ {WORKOUT_FIELDS} }} }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
UPDATE_WORKOUT = f"""
mutation($id: ID!, $input: UpdateWorkoutInput!) {{
  updateWorkout(id: $id, input: $input) {{
    __typename
    ... on UpdateWorkoutSuccess {{ workout {{ {WORKOUT_FIELDS} }} }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
DELETE_WORKOUT = f"""
mutation($id: ID!) {{
  deleteWorkout(id: $id) {{
    __typename
    ... on DeleteWorkoutSuccess {{ deletedWorkoutId }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
START_SESSION = f"""
mutation($input: StartWorkoutSessionInput!) {{
  startWorkoutSession(input: $input) {{
    __typename
    ... on StartWorkoutSessionSuccess {{ session {{ id workoutId completedAt notes }} }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
LOG_SET = f"""
mutation($input: LogExerciseSetInput!) {{
  logExerciseSet(input: $input) {{
    __typename
    ... on LogExerciseSetSuccess {{
      set {{ id setNumber reps weight duration isWarmup rpe completedAt }}
      session {{ id }}
      personalRecords {{ recordType value reps previousValue exerciseSetId }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
FINISH = f"""
mutation($id: ID!, $key: String!, $rating: Int, $notes: String) {{
  finishWorkoutSession(id: $id, idempotencyKey: $key, rating: $rating, notes: $notes) {{
    __typename
    ... on FinishWorkoutSessionSuccess {{
      session {{ id completedAt xpAwarded coinsAwarded rating notes }}
      wallet {{ coins totalEarned }}
      ledgerEntry {{ id xp coins skillStars skillKey eventType }}
      unlockedAchievements {{ achievementKey }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState", "IdempotencyKeyReused")}
  }}
}}
"""


async def builtin_exercises(engine: AsyncEngine, n: int = 2) -> list[str]:
    """The ids of ``n`` built-in exercises (the seeded catalog)."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT id FROM exercises WHERE user_id IS NULL ORDER BY name LIMIT :n"),
            {"n": n},
        )
        return [str(r) for r in rows.scalars()]


async def custom_exercise(engine: AsyncEngine, user_id: uuid.UUID) -> str:
    """A committed custom exercise of ``user_id``."""
    async with engine.begin() as conn:
        return str(
            (
                await conn.execute(
                    sa.text(
                        "INSERT INTO exercises (name, category, is_custom, user_id) "
                        "VALUES (:n, 'strength', true, :u) RETURNING id"
                    ),
                    {"n": f"Own lift {uuid.uuid4().hex[:8]}", "u": user_id},
                )
            ).scalar_one()
        )


async def create_workout(mutate: Mutate, viewer: Viewer, **fields: Any) -> dict[str, Any]:
    """A workout of ``viewer`` created through the API (``fields`` of CreateWorkoutInput)."""
    result = await mutate(CREATE_WORKOUT, {"input": {"name": "Push day", **fields}}, viewer=viewer)
    assert result.errors == [], result.errors
    payload = result.data["createWorkout"]
    assert payload["__typename"] == "CreateWorkoutSuccess", payload
    workout: dict[str, Any] = payload["workout"]
    return workout


async def start_session(mutate: Mutate, viewer: Viewer, workout_id: str | None = None) -> str:
    """A running session of ``viewer`` started through the API; its id."""
    result = await mutate(START_SESSION, {"input": {"workoutId": workout_id}}, viewer=viewer)
    assert result.errors == [], result.errors
    payload = result.data["startWorkoutSession"]
    assert payload["__typename"] == "StartWorkoutSessionSuccess", payload
    return str(payload["session"]["id"])


async def log_set(mutate: Mutate, viewer: Viewer, **fields: Any) -> dict[str, Any]:
    """Log a set through the API (``fields`` of LogExerciseSetInput); the payload."""
    result = await mutate(LOG_SET, {"input": fields}, viewer=viewer)
    assert result.errors == [], result.errors
    payload: dict[str, Any] = result.data["logExerciseSet"]
    return payload


async def finish(
    mutate: Mutate, viewer: Viewer, session_id: str, key: str | None = None, **more: Any
) -> dict[str, Any]:
    """Finish a session through the API; the payload."""
    variables = {"id": session_id, "key": key or uuid.uuid4().hex, **more}
    result = await mutate(FINISH, variables, viewer=viewer)
    assert result.errors == [], result.errors
    payload: dict[str, Any] = result.data["finishWorkoutSession"]
    return payload


__all__ = [
    "CREATE_WORKOUT",
    "DELETE_WORKOUT",
    "FINISH",
    "LOG_SET",
    "START_SESSION",
    "UPDATE_WORKOUT",
    "builtin_exercises",
    "create_workout",
    "custom_exercise",
    "errors",
    "finish",
    "log_set",
    "scalar",
    "start_session",
    "unchanged",
]
