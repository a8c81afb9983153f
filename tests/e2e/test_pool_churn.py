"""No connection churn: the pool keeps its connections, against the real server process with
its default pool settings.

After a warm-up, three bursts of 200 concurrent requests (signed-out compiled reads and signed-in
reads, which borrow the pool's asyncpg connection through ``driver_connection``) must open at
most the pool's size of new PostgreSQL sessions on the test database: PostgreSQL's own
``pg_stat_database.sessions`` counter, read from another database. A pool that closes its
overflow connections at check-in (the earlier ``10 + 10``) opens more than that in such a burst.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from db.auth.viewer import create_session_token
from gateway.database import create_engine
from gateway.settings import Settings
from tests.conftest import PostgresServer
from tests.e2e.process import gateway_process
from tests.factories import make_user

pytestmark = pytest.mark.e2e

BURST = 200
#: Seconds a backend may hold its counters before it reports them (PostgreSQL reports pending
#: statistics at most once a second, ``PGSTAT_MIN_INTERVAL``).
STATS_SETTLE_S = 1.5
SIGNED_OUT = {"query": "{ exercises(first: 20) { edges { node { id name } } } }"}
SIGNED_IN = {"query": "{ me { id name } }"}


@pytest.fixture(scope="module")
async def churn_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    url = await postgres_server.create_database("ignition_churn")
    yield url
    await postgres_server.drop_database(url)


@pytest.fixture(scope="module")
def gateway(churn_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("churn") / "serve.log"
    # The default pool: no IGNITION_DB_POOL_SIZE / IGNITION_DB_MAX_OVERFLOW given.
    with gateway_process(churn_database, log, IGNITION_LOG_LEVEL="warning") as base:
        yield base


async def _token(database_url: str) -> str:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            return await create_session_token(conn, await make_user(conn))
    finally:
        await engine.dispose()


async def _sessions(postgres_server: PostgresServer, database_url: str) -> int:
    """``pg_stat_database.sessions`` of ``database_url``'s database (read from the admin
    database, so that reading opens no session on it), once the counters have settled."""
    await asyncio.sleep(STATS_SETTLE_S)
    engine = create_engine(postgres_server.admin_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            value = await conn.scalar(
                sa.text("select sessions from pg_stat_database where datname = :db"),
                {"db": make_url(database_url).database},
            )
    finally:
        await engine.dispose()
    assert isinstance(value, int)
    return value


async def _burst(base: str, token: str) -> None:
    """``BURST`` concurrent requests, half signed out and half signed in, each on its own
    HTTP connection; every one must answer with data."""
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def one(index: int) -> None:
            if index % 2:
                response = await client.post(
                    "/graphql", json=SIGNED_IN, headers={"Authorization": f"Bearer {token}"}
                )
                assert response.json()["data"]["me"] is not None, response.text
            else:
                response = await client.post("/graphql", json=SIGNED_OUT)
                assert response.json()["data"]["exercises"]["edges"], response.text
            assert response.status_code == 200, response.text

        await asyncio.gather(*(one(index) for index in range(BURST)))


async def test_a_burst_opens_at_most_the_pools_size_of_sessions(
    gateway: str, churn_database: str, postgres_server: PostgresServer
) -> None:
    defaults = Settings.model_construct()
    assert defaults.db_max_overflow == 0, "the default pool keeps every connection it opens"
    token = await _token(churn_database)
    for _ in range(2):  # warm-up: the pool opens its connections
        await _burst(gateway, token)

    before = await _sessions(postgres_server, churn_database)
    for _ in range(3):
        await _burst(gateway, token)
    opened = await _sessions(postgres_server, churn_database) - before

    assert opened <= defaults.db_pool_size, f"{opened} sessions opened in {3 * BURST} requests"
