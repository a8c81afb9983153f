"""Fixtures of the live-event end-to-end tests: a migrated, seeded database of their own on
the run's PostgreSQL server, an engine on it, an admin and the gateway processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.bootstrap import migrate, seed_database
from gateway.database import create_engine
from tests.e2e.live import Gateway, User, new_user

if TYPE_CHECKING:
    from tests.conftest import PostgresServer


@pytest.fixture(scope="package")
async def live_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    url = await postgres_server.create_database("ignition_live")
    await migrate(url, "head")
    await seed_database(url)
    yield url
    await postgres_server.drop_database(url)


@pytest.fixture(scope="package")
async def live_engine(live_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(live_database, pool_size=20)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="package")
async def admin(live_engine: AsyncEngine) -> User:
    return await new_user(live_engine, admin=True)


@pytest.fixture(scope="package")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gateways")


@pytest.fixture(scope="package")
def gateway(live_database: str, log_dir: Path) -> Iterator[Gateway]:
    """One gateway process on the live database, shared by the live-event tests."""
    # Fast pings and a short connection_init timeout, so that the protocol tests need no
    # process of their own (the clients answer pings; they send connection_init at once).
    process = Gateway(
        live_database,
        log_dir,
        env={"IGNITION_WS_KEEPALIVE_S": "0.3", "IGNITION_WS_CONNECTION_INIT_TIMEOUT_S": "1"},
    ).start()
    try:
        yield process
    finally:
        process.stop()
