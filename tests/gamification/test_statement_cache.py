"""The write statements most mutations run are compiled once per engine
(docs/design.md#write-statements-built-once): a second identical posting, idempotent run and
achievement evaluation find every statement in the engine's compiled cache (SQLAlchemy logs
``[cached since ...]``, not ``[generated in ...]``)."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.activity import record_activity
from db.events.idempotency import run_idempotent
from db.gamification.achievements import evaluate_achievements
from db.gamification.ledger import post
from db.gamification.models import AchievementTriggerType as T
from tests.support.harness import committed_user


async def _transition(engine: AsyncEngine, user_id: uuid.UUID, key: str) -> None:
    """One mutation's worth of the shared writes, committed."""
    async with engine.begin() as conn:

        async def work() -> dict[str, str]:
            await post(conn, user_id, event_type="habit", coins=5, xp=30, reason="cache")
            await post(conn, user_id, event_type="market.purchase", coins=-1)
            await evaluate_achievements(conn, user_id, [T.HABIT_COMPLETIONS, T.LEVEL_REACHED])
            await record_activity(conn, user_id, "cache.checked", "habits", {"key": key})
            return {"key": key}

        await run_idempotent(
            conn, user_id=user_id, key=key, operation="cacheCheck", arguments={}, work=work
        )


async def test_the_second_transition_compiles_nothing(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    user = await committed_user(engine)
    await _transition(engine, user.user_id, "first")
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
        await _transition(engine, user.user_id, "second")
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy.engine")]
    cached = [m for m in messages if m.startswith("[cached since")]
    compiled = [m for m in messages if m.startswith("[generated in")]
    assert cached, messages
    assert compiled == []
