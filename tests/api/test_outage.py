"""Database unavailability is its own answer: an operation whose database
cannot be reached gets ``SERVICE_UNAVAILABLE``, never a masked ``INTERNAL_SERVER_ERROR``; SQL
errors stay unexpected. (Through the real server, with HTTP 503 and ``Retry-After``:
tests/e2e/test_outage.py.)"""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import strawberry
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.availability import SERVICE_UNAVAILABLE, database_unavailable
from gateway.auth import Viewer
from gateway.database import create_engine
from gateway.settings import Settings
from tests.support.requests import codes, run_request


@pytest.fixture
async def dead_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    url = make_url(database_url).set(host="127.0.0.1", port=port)
    engine = create_engine(url.render_as_string(hide_password=False))
    yield engine
    await engine.dispose()


@pytest.mark.parametrize(
    "query",
    [
        "{ exercises(first: 1) { totalCount } }",
        "{ me { wallet { coins } } }",
        'mutation { createHabit(input: {name: "Read", frequency: DAILY}) { __typename } }',
    ],
    ids=["catalog", "viewer", "mutation"],
)
async def test_an_unreachable_database_is_service_unavailable(
    schema: strawberry.Schema, settings: Settings, dead_engine: AsyncEngine, query: str
) -> None:
    viewer = Viewer(user_id=uuid.uuid4())
    result, _ = await run_request(schema, settings, dead_engine, query, viewer=viewer)
    assert codes(result) == [SERVICE_UNAVAILABLE], result.errors
    assert result.errors is not None
    assert result.errors[0].message == "The database is unavailable; try again in a few seconds."


def _wrapped(error: BaseException) -> DBAPIError:
    """``error`` as SQLAlchemy raises it, with the driver's error as ``orig``."""
    return DBAPIError("SELECT 1", None, error)


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True),
        (_wrapped(asyncpg.CannotConnectNowError("the database system is starting up")), True),
        (_wrapped(asyncpg.AdminShutdownError("terminating connection")), True),
        (_wrapped(asyncpg.ConnectionDoesNotExistError("connection was closed")), True),
        (PoolTimeoutError("QueuePool limit of size 10 overflow 10 reached"), True),
        (IntegrityError("INSERT", None, asyncpg.UniqueViolationError("duplicate")), False),
        (_wrapped(asyncpg.QueryCanceledError("canceling statement due to timeout")), False),
        (ValueError("a bug"), False),
    ],
    ids=[
        "refused",
        "starting up",
        "shutdown",
        "connection lost",
        "pool timeout",
        "unique violation",
        "statement timeout",
        "bug",
    ],
)
def test_what_counts_as_unavailable(error: BaseException, unavailable: bool) -> None:
    assert database_unavailable(error) is unavailable
    try:
        raise RuntimeError("wrapped") from error
    except RuntimeError as outer:
        assert database_unavailable(outer) is unavailable
