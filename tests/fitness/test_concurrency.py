"""finishWorkoutSession under concurrency, end to end: ``ignition serve`` as a real
subprocess (the economy concurrency tests' server) and 20 concurrent HTTP clients finishing
the same session. Only correct locking gives one payment: one ledger row, ``xpAwarded`` set
once, the ledger invariants intact, and every refusal a typed result (no HTTP 500). The
figures are printed; run with ``-s`` to see them."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.fitness import transitions
from db.fitness.rules import WORKOUT_XP
from tests.e2e.test_economy_concurrency import outcomes, post_all, report, server, signed_in_user
from tests.support.harness import invariant_violations
from tests.support.money import scalar

pytestmark = pytest.mark.e2e

__all__ = ["server"]

FINISH = """
mutation Finish($id: ID!, $key: String!) {
  finishWorkoutSession(id: $id, idempotencyKey: $key) {
    __typename
    ... on FinishWorkoutSessionSuccess { session { id xpAwarded } ledgerEntry { id } }
    ... on InvalidState { status }
  }
}
"""


async def _session_with_a_set(engine: AsyncEngine, user_id: uuid.UUID) -> uuid.UUID:
    async with engine.begin() as conn:
        exercise = (
            await conn.execute(
                sa.text("SELECT id FROM exercises WHERE user_id IS NULL ORDER BY name LIMIT 1")
            )
        ).scalar_one()
        session = await transitions.start_session(conn, user_id)
        await transitions.log_set(conn, user_id, session, exercise, reps=5, weight=50)
    return session


async def _paid_once(engine: AsyncEngine, user_id: uuid.UUID, session: uuid.UUID) -> None:
    rows = await scalar(
        engine,
        "SELECT count(*) FROM points_ledger WHERE user_id = :u AND event_type = "
        "'workout.completed' AND event_id = :s",
        u=user_id,
        s=str(session),
    )
    assert rows == 1
    assert (
        await scalar(engine, "SELECT xp_awarded FROM workout_sessions WHERE id = :s", s=session)
        == WORKOUT_XP + 1
    )
    async with engine.connect() as conn:
        assert await invariant_violations(conn, [user_id]) == []


async def test_20_concurrent_finishes_with_distinct_keys_pay_once(
    server: str, engine: AsyncEngine
) -> None:
    user_id, token = await signed_in_user(engine)
    session = await _session_with_a_set(engine, user_id)
    calls = [(token, FINISH, {"id": str(session), "key": f"finish-{i}"}) for i in range(20)]
    responses, seconds = await post_all(server, calls)
    kinds, payloads = outcomes(responses, "finishWorkoutSession")
    report("20 finishWorkoutSession, distinct keys", kinds, seconds)
    assert kinds == {"FinishWorkoutSessionSuccess": 1, "InvalidState": 19}
    assert {p["status"] for p in payloads if p["__typename"] == "InvalidState"} == {"completed"}
    await _paid_once(engine, user_id, session)


async def test_20_concurrent_finishes_with_one_key_replay_one_outcome(
    server: str, engine: AsyncEngine
) -> None:
    user_id, token = await signed_in_user(engine)
    session = await _session_with_a_set(engine, user_id)
    calls = [(token, FINISH, {"id": str(session), "key": "finish-once"}) for _ in range(20)]
    responses, seconds = await post_all(server, calls)
    kinds, payloads = outcomes(responses, "finishWorkoutSession")
    report("20 finishWorkoutSession, one key", kinds, seconds)
    assert kinds == {"FinishWorkoutSessionSuccess": 20}
    assert len({p["ledgerEntry"]["id"] for p in payloads}) == 1
    await _paid_once(engine, user_id, session)
