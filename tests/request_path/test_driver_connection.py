"""The asyncpg connection lent for the sign-in and the compiled read
(``db.connections.driver_connection``) goes back to the pool on every path: success (the same
connection again, not in a transaction), an error (invalidated: a new session next time),
cancellation mid-statement (invalidated, the statement cancelled on the server) and
cancellation while the pool is still opening the connection (it still reaches the pool)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.database import create_engine, driver_connection


@pytest.fixture
async def one_connection(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine whose pool holds exactly one connection: a leak shows as a timeout."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=3)
    yield engine
    await engine.dispose()


def _checked_out(engine: AsyncEngine) -> int:
    return int(engine.pool.checkedout())  # type: ignore[attr-defined]


async def _pid(engine: AsyncEngine) -> int:
    async with driver_connection(engine) as driver:
        assert driver.is_in_transaction() is False
        return int(await driver.fetchval("SELECT pg_backend_pid()"))


async def test_success_returns_the_same_connection_outside_a_transaction(
    one_connection: AsyncEngine,
) -> None:
    first = await _pid(one_connection)
    assert _checked_out(one_connection) == 0
    assert await _pid(one_connection) == first


async def test_an_error_invalidates_the_connection(one_connection: AsyncEngine) -> None:
    first = await _pid(one_connection)
    with pytest.raises(ZeroDivisionError):
        async with driver_connection(one_connection) as driver:
            await driver.fetchval("SELECT 1")
            raise ZeroDivisionError
    assert _checked_out(one_connection) == 0
    assert await _pid(one_connection) != first


async def test_cancellation_mid_statement_invalidates_the_connection(
    one_connection: AsyncEngine,
) -> None:
    first = await _pid(one_connection)
    started = asyncio.Event()

    async def slow() -> None:
        async with driver_connection(one_connection) as driver:
            started.set()
            await driver.fetchval("SELECT pg_sleep(30)")

    task = asyncio.create_task(slow())
    await started.wait()
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _checked_out(one_connection) == 0
    assert await asyncio.wait_for(_pid(one_connection), 5) != first


async def test_cancellation_during_checkout_still_returns_the_connection(
    one_connection: AsyncEngine,
) -> None:
    # A fresh pool: the checkout has to open the connection, so it awaits the server.
    await one_connection.dispose()
    task = asyncio.create_task(_pid(one_connection))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):  # the checkout finishes in the background, then checks in
        if _checked_out(one_connection) == 0:
            break
        await asyncio.sleep(0.05)
    assert _checked_out(one_connection) == 0
    assert await asyncio.wait_for(_pid(one_connection), 5) > 0
