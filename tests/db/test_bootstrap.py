"""Processes that start together on one fresh database neither race nor fail.

Specification (``gateway.bootstrap``; docs/decisions.md, "Seeds and startup"):

- Several ``prepare_database`` calls at once on an empty database all succeed: one migrates and
  seeds under the bootstrap advisory lock, the others wait for it and find nothing to do. The
  result is the same schema and the same catalogs as one call gives.
- The lock is held only while the work runs: released after success and after a failure.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

import seeds
from gateway import bootstrap
from gateway.bootstrap import BOOTSTRAP_LOCK_KEY, bootstrap_lock, prepare_database, script_heads
from gateway.database import create_engine

#: Concurrent starters in the race test (more than the 2 cores: they overlap in PostgreSQL).
STARTERS = 4


async def _scalar(url: str, sql: str) -> Any:
    engine = create_engine(url, poolclass=NullPool, statement_timeout_ms=0)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(sa.text(sql))
    finally:
        await engine.dispose()


async def _lock_holders(url: str) -> int:
    return int(
        await _scalar(
            url,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            f" AND ((classid::bigint << 32) | objid::bigint) = {BOOTSTRAP_LOCK_KEY}",
        )
    )


async def test_concurrent_starts_on_a_fresh_database_all_succeed(empty_database: str) -> None:
    # Without the lock the starters deadlock on each other's DDL: bound the wait, so that
    # shows up as a failure rather than a hung run.
    async with asyncio.timeout(120):
        outcomes = await asyncio.gather(
            *(prepare_database(empty_database) for _ in range(STARTERS)), return_exceptions=True
        )

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    versions = await _scalar(
        empty_database,
        "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version",
    )
    assert versions == ",".join(sorted(script_heads()))
    for table, count in seeds.expected_counts().items():
        assert await _scalar(empty_database, f"SELECT count(*) FROM {table}") == count, table
    assert await _lock_holders(empty_database) == 0


async def test_a_second_starter_waits_for_the_first(empty_database: str) -> None:
    order: list[str] = []
    async with bootstrap_lock(empty_database):
        assert await _lock_holders(empty_database) == 1
        waiting = asyncio.create_task(prepare_database(empty_database, seed=False))
        for _ in range(1200):  # until the second starter is blocked on the lock (<= 60 s)
            if await _waiters(empty_database):
                break
            await asyncio.sleep(0.05)
        assert await _waiters(empty_database) == 1 and not waiting.done()
        order.append("first done")
    await waiting
    order.append("second done")
    assert order == ["first done", "second done"]
    assert await _lock_holders(empty_database) == 0


async def _waiters(url: str) -> int:
    return int(
        await _scalar(
            url,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            f" AND ((classid::bigint << 32) | objid::bigint) = {BOOTSTRAP_LOCK_KEY}",
        )
    )


async def test_the_lock_is_released_when_the_work_fails(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_seed(url: str) -> dict[str, int]:
        raise RuntimeError("seed failed")

    monkeypatch.setattr(bootstrap, "_seed", broken_seed)
    with pytest.raises(RuntimeError, match="seed failed"):
        await prepare_database(empty_database)
    assert await _lock_holders(empty_database) == 0
