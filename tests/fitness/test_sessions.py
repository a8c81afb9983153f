"""Workout sessions: start (following a workout or free), log sets (numbered, in range,
personal records beaten only by working sets, keeping the value beaten), and finish (paid
once through the ledger, xpAwarded/coinsAwarded written, one workouts_completed quest unit,
first_workout unlocked in the same transaction, idempotent replay) and delete (rewards and
records stay); every refusal is typed
and leaves the database as it was; another user's session is absent."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.fitness.rules import WORKOUT_COINS, WORKOUT_XP, epley_one_rep_max
from tests.fitness.helpers import (
    FINISH,
    LOG_SET,
    START_SESSION,
    builtin_exercises,
    create_workout,
    custom_exercise,
    errors,
    finish,
    log_set,
    scalar,
    start_session,
    unchanged,
)
from tests.support.harness import Mutate, committed_user

DELETE_SESSION = f"""
mutation($id: ID!) {{
  deleteWorkoutSession(id: $id) {{
    __typename
    ... on DeleteWorkoutSessionSuccess {{ deletedSessionId }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
ACCEPT = """
mutation($questId: ID!) {
  acceptQuest(questId: $questId) { __typename }
}
"""


def _records(payload: dict[str, Any]) -> dict[str, tuple[float, float | None]]:
    return {r["recordType"]: (r["value"], r["previousValue"]) for r in payload["personalRecords"]}


async def test_start_a_free_session_and_one_following_a_workout(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    free = await mutate(START_SESSION, {"input": {"notes": " easy day "}}, viewer=viewer)
    session = free.data["startWorkoutSession"]["session"]
    assert (session["workoutId"], session["completedAt"], session["notes"]) == (
        None,
        None,
        "easy day",
    )
    workout = await create_workout(mutate, viewer)
    following = await mutate(START_SESSION, {"input": {"workoutId": workout["id"]}}, viewer=viewer)
    assert following.data["startWorkoutSession"]["session"]["workoutId"] == workout["id"]
    payload = await unchanged(
        engine, mutate, START_SESSION, {"input": {"notes": "x" * 1001}}, viewer
    )
    assert (payload["__typename"], payload["field"]) == ("InvalidInput", "input.notes")


async def test_sets_are_numbered_and_set_personal_records(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    squat, plank = await builtin_exercises(engine)
    session = await start_session(mutate, viewer)
    warmup = await log_set(
        mutate, viewer, sessionId=session, exerciseId=squat, reps=10, weight=40, isWarmup=True
    )
    assert warmup["set"]["setNumber"] == 1 and warmup["personalRecords"] == []
    first = await log_set(
        mutate, viewer, sessionId=session, exerciseId=squat, reps=5, weight=100, rpe=8
    )
    assert first["set"]["setNumber"] == 2
    assert _records(first) == {
        "WEIGHT": (100, None),
        "VOLUME": (500, None),
        "ONE_REP_MAX": (epley_one_rep_max(100, 5), None),
        "REPS": (5, None),
    }
    assert {r["exerciseSetId"] for r in first["personalRecords"]} == {first["set"]["id"]}
    # heavier for fewer reps: a new weight record (and a better estimate), not reps or volume
    heavier = await log_set(mutate, viewer, sessionId=session, exerciseId=squat, reps=3, weight=110)
    assert _records(heavier) == {
        "WEIGHT": (110, 100),
        "ONE_REP_MAX": (epley_one_rep_max(110, 3), epley_one_rep_max(100, 5)),
    }
    # a tie beats nothing; a heavier warm-up beats nothing
    tie = await log_set(mutate, viewer, sessionId=session, exerciseId=squat, reps=3, weight=110)
    assert tie["personalRecords"] == []
    heavy_warmup = await log_set(
        mutate, viewer, sessionId=session, exerciseId=squat, reps=1, weight=200, isWarmup=True
    )
    assert heavy_warmup["personalRecords"] == []
    # more reps than Epley's range: reps and volume, no estimate
    many = await log_set(mutate, viewer, sessionId=session, exerciseId=squat, reps=20, weight=60)
    assert _records(many) == {"REPS": (20, 5), "VOLUME": (1200, 500)}
    timed = await log_set(mutate, viewer, sessionId=session, exerciseId=plank, duration=90)
    assert timed["set"]["setNumber"] == 1 and _records(timed) == {"TIME": (90, None)}
    stored = await scalar(
        engine,
        "SELECT value FROM personal_records WHERE user_id = :u AND exercise_id = :e "
        "AND record_type = 'weight'",
        u=viewer.user_id,
        e=squat,
    )
    assert stored == 110


async def test_log_set_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer, other = await committed_user(engine), await committed_user(engine)
    (squat,) = await builtin_exercises(engine, 1)
    session = await start_session(mutate, viewer)
    theirs = await custom_exercise(engine, other.user_id)
    base = {"sessionId": session, "exerciseId": squat, "reps": 5}
    for fields, field in (
        ({"reps": -1}, "input.reps"),
        ({"reps": 1001}, "input.reps"),
        ({"weight": -0.5}, "input.weight"),
        ({"weight": 2001}, "input.weight"),
        ({"duration": -1}, "input.duration"),
        ({"rpe": 0.5}, "input.rpe"),
        ({"rpe": 10.5}, "input.rpe"),
        ({"notes": "x" * 1001}, "input.notes"),
        ({"reps": None}, "input.reps"),
        ({"sessionId": "x"}, "input.sessionId"),
        ({"exerciseId": "x"}, "input.exerciseId"),
    ):
        payload = await unchanged(engine, mutate, LOG_SET, {"input": {**base, **fields}}, viewer)
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields
    for fields, resource in (
        ({"exerciseId": theirs}, "Exercise"),
        ({"exerciseId": str(uuid.uuid4())}, "Exercise"),
        ({"sessionId": str(uuid.uuid4())}, "WorkoutSession"),
    ):
        payload = await unchanged(engine, mutate, LOG_SET, {"input": {**base, **fields}}, viewer)
        assert (payload["__typename"], payload["resource"]) == ("NotFound", resource), fields
    # a set on another user's session
    payload = await unchanged(engine, mutate, LOG_SET, {"input": base}, other)
    assert (payload["__typename"], payload["resource"]) == ("NotFound", "WorkoutSession")
    await log_set(mutate, viewer, **base)
    assert (await finish(mutate, viewer, session))["__typename"] == "FinishWorkoutSessionSuccess"
    payload = await unchanged(engine, mutate, LOG_SET, {"input": base}, viewer)
    assert (payload["__typename"], payload["status"]) == ("InvalidState", "completed")


async def test_finish_pays_once_and_counts_for_quests_and_achievements(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    squat, bench = await builtin_exercises(engine)
    quest = await scalar(engine, "SELECT id FROM universal_quests WHERE title = 'Move your body'")
    accepted = await mutate(ACCEPT, {"questId": str(quest)}, viewer=viewer)
    assert accepted.data["acceptQuest"]["__typename"] == "AcceptQuestSuccess"
    workout = await create_workout(mutate, viewer, name="Upper")
    session = await start_session(mutate, viewer, workout["id"])
    await log_set(mutate, viewer, sessionId=session, exerciseId=squat, reps=10, isWarmup=True)
    for _ in range(3):
        await log_set(mutate, viewer, sessionId=session, exerciseId=bench, reps=8, weight=60)
    done = await finish(mutate, viewer, session, key="fin-1", rating=4, notes="Good")
    assert done["__typename"] == "FinishWorkoutSessionSuccess", done
    xp = WORKOUT_XP + 3  # three working sets, one XP each
    assert done["session"]["xpAwarded"] == xp and done["session"]["coinsAwarded"] == WORKOUT_COINS
    assert (done["session"]["rating"], done["session"]["notes"]) == (4, "Good")
    assert done["ledgerEntry"] == {
        "id": done["ledgerEntry"]["id"],
        "xp": xp,
        "coins": WORKOUT_COINS,
        "skillStars": 1,
        "skillKey": "fitness",
        "eventType": "workout.completed",
    }
    assert [u["achievementKey"] for u in done["unlockedAchievements"]] == ["first_workout"]
    # the award and the achievement's reward (50 XP, 20 coins), nothing else
    assert done["wallet"]["coins"] == WORKOUT_COINS + 20
    progress = await scalar(
        engine,
        "SELECT status FROM user_quest_progress WHERE user_id = :u AND quest_id = :q",
        u=viewer.user_id,
        q=quest,
    )
    assert progress == "completed"
    # the same transaction published its live events through the outbox
    topics = await scalar(
        engine,
        "SELECT array_agg(DISTINCT topic ORDER BY topic) FROM event_outbox WHERE user_id = :u",
        u=viewer.user_id,
    )
    assert {"achievement.unlocked", "quest.completed", "wallet.changed"} <= set(topics)
    replay = await finish(mutate, viewer, session, key="fin-1", rating=4, notes="Good")
    assert replay == done
    again = await unchanged(engine, mutate, FINISH, {"id": session, "key": "fin-2"}, viewer)
    assert (again["__typename"], again["status"]) == ("InvalidState", "completed")
    reused = await unchanged(
        engine, mutate, FINISH, {"id": session, "key": "fin-1", "rating": 5}, viewer
    )
    assert (reused["__typename"], reused["key"]) == ("IdempotencyKeyReused", "fin-1")
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM points_ledger WHERE user_id = :u AND event_type = "
            "'workout.completed'",
            u=viewer.user_id,
        )
        == 1
    )


async def test_finish_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer, other = await committed_user(engine), await committed_user(engine)
    (squat,) = await builtin_exercises(engine, 1)
    session = await start_session(mutate, viewer)
    empty = await unchanged(engine, mutate, FINISH, {"id": session, "key": "e1"}, viewer)
    assert (empty["__typename"], empty["status"]) == ("InvalidState", "empty")
    await log_set(mutate, viewer, sessionId=session, exerciseId=squat, reps=5, isWarmup=True)
    warmups_only = await unchanged(engine, mutate, FINISH, {"id": session, "key": "e2"}, viewer)
    assert (warmups_only["__typename"], warmups_only["status"]) == ("InvalidState", "empty")
    await log_set(mutate, viewer, sessionId=session, exerciseId=squat, reps=5)
    for variables, field in (
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"notes": "x" * 1001}, "notes"),
        ({"id": "nope"}, "id"),
    ):
        payload = await unchanged(
            engine, mutate, FINISH, {"id": session, "key": uuid.uuid4().hex, **variables}, viewer
        )
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), variables
    for who, target in ((other, session), (viewer, str(uuid.uuid4()))):
        payload = await unchanged(engine, mutate, FINISH, {"id": target, "key": "nf"}, who)
        assert (payload["__typename"], payload["resource"]) == ("NotFound", "WorkoutSession")


async def test_delete_session_keeps_rewards_and_records(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer, other = await committed_user(engine), await committed_user(engine)
    (squat,) = await builtin_exercises(engine, 1)
    running, finished = await start_session(mutate, viewer), await start_session(mutate, viewer)
    await log_set(mutate, viewer, sessionId=finished, exerciseId=squat, reps=5, weight=80)
    paid = await finish(mutate, viewer, finished)
    for target in (finished, str(uuid.uuid4())):
        payload = await unchanged(engine, mutate, DELETE_SESSION, {"id": target}, other)
        assert (payload["__typename"], payload["resource"]) == ("NotFound", "WorkoutSession")
    for session in (running, finished):
        result = await mutate(DELETE_SESSION, {"id": session}, viewer=viewer)
        assert result.data["deleteWorkoutSession"]["deletedSessionId"] == session
    assert (
        await scalar(
            engine, "SELECT count(*) FROM workout_sessions WHERE user_id = :u", u=viewer.user_id
        )
        == 0
    )
    assert (
        await scalar(engine, "SELECT coins FROM user_wallet WHERE user_id = :u", u=viewer.user_id)
        == paid["wallet"]["coins"]
    )
    record = await scalar(
        engine,
        "SELECT exercise_set_id IS NULL AND value = 80 FROM personal_records "
        "WHERE user_id = :u AND record_type = 'weight'",
        u=viewer.user_id,
    )
    assert record is True


async def test_concurrent_sets_of_many_sessions_keep_the_best_record(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    (squat,) = await builtin_exercises(engine, 1)
    sessions = [await start_session(mutate, viewer) for _ in range(10)]
    weights = [20.0 * (n + 1) for n in range(10)]
    results = await asyncio.gather(
        *(
            mutate(
                LOG_SET,
                {"input": {"sessionId": s, "exerciseId": squat, "reps": 1, "weight": w}},
                viewer=viewer,
            )
            for s, w in zip(sessions, weights, strict=True)
        )
    )
    assert all(r.errors == [] for r in results)
    assert {r.data["logExerciseSet"]["__typename"] for r in results} == {"LogExerciseSetSuccess"}
    value, previous = await scalar(
        engine,
        "SELECT array[value, previous_value] FROM personal_records "
        "WHERE user_id = :u AND exercise_id = :e AND record_type = 'weight'",
        u=viewer.user_id,
        e=squat,
    )
    assert value == max(weights)
    assert previous is None or previous in weights[:-1]


async def test_quest_filters_see_the_sets_and_minutes(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    (squat,) = await builtin_exercises(engine, 1)
    async with engine.begin() as conn:
        quest = (
            await conn.execute(
                sa.text(
                    "INSERT INTO universal_quests (title, description, type, target, "
                    "target_type, target_config, is_active) VALUES (:t, 'x', 'special', 2, "
                    "'workouts_completed', CAST(:c AS jsonb), true) RETURNING id"
                ),
                {"t": f"Heavy days {uuid.uuid4().hex[:8]}", "c": '{"min_sets": 3}'},
            )
        ).scalar_one()
        await conn.execute(
            sa.text(
                "INSERT INTO user_quest_progress (user_id, quest_id, status, progress, "
                "last_reset_at) VALUES (:u, :q, 'accepted', 0, now())"
            ),
            {"u": viewer.user_id, "q": quest},
        )

    async def train(sets: int) -> None:
        session = await start_session(mutate, viewer)
        for _ in range(sets):
            await log_set(mutate, viewer, sessionId=session, exerciseId=squat, reps=5)
        assert (await finish(mutate, viewer, session))[
            "__typename"
        ] == "FinishWorkoutSessionSuccess"

    progress = "SELECT progress FROM user_quest_progress WHERE user_id = :u AND quest_id = :q"
    try:
        await train(2)  # fewer working sets than the filter asks: no unit
        assert await scalar(engine, progress, u=viewer.user_id, q=quest) == 0
        await train(3)
        assert await scalar(engine, progress, u=viewer.user_id, q=quest) == 1
    finally:
        async with engine.begin() as conn:  # the catalog is shared by the run's tests
            await conn.execute(
                sa.text("DELETE FROM user_quest_progress WHERE quest_id = :q"), {"q": quest}
            )
            await conn.execute(sa.text("DELETE FROM universal_quests WHERE id = :q"), {"q": quest})
