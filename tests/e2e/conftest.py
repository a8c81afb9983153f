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


@pytest.fixture(scope="module")
async def live_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    url = await postgres_server.create_database("ignition_live")
    await migrate(url, "head")
    await seed_database(url)
    yield url
    await postgres_server.drop_database(url)


@pytest.fixture(scope="module")
async def live_engine(live_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(live_database, pool_size=20)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def admin(live_engine: AsyncEngine) -> User:
    return await new_user(live_engine, admin=True)


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gateways")


@pytest.fixture(scope="module")
def gateway(live_database: str, log_dir: Path) -> Iterator[Gateway]:
    """One gateway process on the module's database, for the whole module."""
    process = Gateway(live_database, log_dir).start()
    try:
        yield process
    finally:
        process.stop()
