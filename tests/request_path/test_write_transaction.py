"""The mutations' write transaction gives its connection back on every path: commit, a domain error
(rolled back, connection reused), a database error,
and cancellation mid-statement (connection invalidated, never returned busy to the pool)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.errors import InvalidInput
from gateway.database import create_engine, write_transaction


@pytest.fixture
async def one_connection(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine whose pool holds exactly one connection: a leak shows as a timeout."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=3)
    yield engine
    await engine.dispose()


async def _feature_flag_count(engine: AsyncEngine, key: str) -> int:
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    sa.text("SELECT count(*) FROM feature_flags WHERE flag_name = :k"), {"k": key}
                )
            ).scalar_one()
        )


async def _insert_flag(conn: AsyncConnection, key: str) -> None:
    await conn.execute(sa.text("INSERT INTO feature_flags (flag_name) VALUES (:k)"), {"k": key})


async def test_commit_then_the_connection_is_reused(one_connection: AsyncEngine) -> None:
    key = f"wt-{uuid.uuid4().hex[:8]}"
    async with write_transaction(one_connection) as conn:
        await _insert_flag(conn, key)
    assert one_connection.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert await _feature_flag_count(one_connection, key) == 1
    async with one_connection.begin() as conn:
        await conn.execute(sa.text("DELETE FROM feature_flags WHERE flag_name = :k"), {"k": key})


async def test_a_domain_error_rolls_back_and_keeps_the_connection(
    one_connection: AsyncEngine,
) -> None:
    key = f"wt-{uuid.uuid4().hex[:8]}"
    with pytest.raises(InvalidInput):
        async with write_transaction(one_connection) as conn:
            await _insert_flag(conn, key)
            raise InvalidInput("no", field="x")
    assert one_connection.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert await _feature_flag_count(one_connection, key) == 0


async def test_a_database_error_rolls_back(one_connection: AsyncEngine) -> None:
    with pytest.raises(sa.exc.DBAPIError):
        async with write_transaction(one_connection) as conn:
            await conn.execute(sa.text("SELECT 1 / 0"))
    async with write_transaction(one_connection) as conn:
        assert (await conn.execute(sa.text("SELECT 2"))).scalar_one() == 2


async def test_cancellation_mid_statement_never_returns_a_busy_connection(
    one_connection: AsyncEngine,
) -> None:
    started = asyncio.Event()

    async def slow() -> None:
        async with write_transaction(one_connection) as conn:
            await _insert_flag(conn, f"wt-{uuid.uuid4().hex[:8]}")
            started.set()
            await conn.execute(sa.text("SELECT pg_sleep(30)"))

    task = asyncio.create_task(slow())
    await started.wait()
    await asyncio.sleep(0.2)  # the sleep statement is running on the server
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The one pooled connection was invalidated, not returned busy: the next transaction gets
    # a fresh connection at once (a leak would time out after 3 s; a busy one would fail with
    # "another operation is in progress").
    async with asyncio.timeout(10):
        async with write_transaction(one_connection) as conn:
            assert (await conn.execute(sa.text("SELECT 3"))).scalar_one() == 3
    assert one_connection.pool.checkedout() == 0  # type: ignore[attr-defined]
