"""The server's maintenance task: it expires overdue focus sessions and prunes idempotency keys
past their retention, keeps running after a failed pass, and is cancelled cleanly."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.focus.models import FocusMode
from db.focus.transitions import start_session
from gateway import maintenance
from gateway.maintenance import maintenance_task, sweep_once
from tests.support.harness import committed_user
from tests.support.money import execute, scalar


async def overdue_session(engine: AsyncEngine, user_id: uuid.UUID) -> uuid.UUID:
    async with engine.begin() as conn:
        sid = await start_session(conn, user_id, mode=FocusMode.FOCUS, duration_seconds=600)
    await execute(
        engine,
        "UPDATE focus_sessions SET started_at = started_at - interval '3 hours', "
        "created_at = created_at - interval '3 hours', "
        "expires_at = now() - interval '1 second' WHERE id = :s",
        s=sid,
    )
    return sid


async def test_a_pass_expires_sessions_and_prunes_old_keys(engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    sid = await overdue_session(engine, user.user_id)
    await execute(
        engine,
        "INSERT INTO idempotency_keys (user_id, key, operation, fingerprint, created_at) VALUES "
        "(:u, 'old', 'purchaseMarketItem', 'f', now() - interval '2 days'), "
        "(:u, 'new', 'purchaseMarketItem', 'f', now())",
        u=user.user_id,
    )
    result = await sweep_once(engine, key_retention_s=24 * 3600)
    assert result.expired_sessions >= 1 and result.pruned_keys >= 1
    assert await scalar(engine, "SELECT status FROM focus_sessions WHERE id = :s", s=sid) == (
        "expired"
    )
    keys = await scalar(
        engine, "SELECT array_agg(key) FROM idempotency_keys WHERE user_id = :u", u=user.user_id
    )
    assert keys == ["new"]
    assert await scalar(
        engine,
        "SELECT count(*) FROM event_outbox WHERE topic = 'focus.session.expired' "
        "AND payload->>'session_id' = :s",
        s=str(sid),
    )


async def test_the_task_runs_survives_failures_and_stops_cleanly(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await committed_user(engine)
    sid = await overdue_session(engine, user.user_id)
    passes: list[str] = []
    third = asyncio.Event()
    real = maintenance.sweep_once

    async def flaky(engine: AsyncEngine, **retention: float) -> maintenance.SweepResult:
        passes.append("pass")
        if len(passes) == 3:
            third.set()
        if len(passes) == 1:
            raise RuntimeError("database restarting")
        return await real(engine, **retention)

    monkeypatch.setattr(maintenance, "sweep_once", flaky)
    async with maintenance_task(engine, interval_s=0.01, key_retention_s=3600) as task:
        await third.wait()
        assert not task.done()
    assert task.cancelled()
    assert await scalar(engine, "SELECT status FROM focus_sessions WHERE id = :s", s=sid) == (
        "expired"
    )
    async with engine.connect() as conn:
        # Nothing of the task holds a connection once it is stopped.
        assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        await conn.execute(sa.text("SELECT 1"))
