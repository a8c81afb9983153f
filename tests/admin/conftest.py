"""Fixtures of the staff tests: a migrated, seeded database of their own on the run's
PostgreSQL server, an engine on it, and one real gateway process serving it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.bootstrap import migrate, seed_database
from gateway.database import create_engine
from tests.e2e.live import Gateway

if TYPE_CHECKING:
    from tests.conftest import PostgresServer


@pytest.fixture(scope="package")
async def staff_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    url = await postgres_server.create_database("ignition_staff")
    await migrate(url, "head")
    await seed_database(url)
    yield url
    await postgres_server.drop_database(url)


@pytest.fixture(scope="package")
async def staff_engine(staff_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(staff_database, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="package")
def staff_gateway(
    staff_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    """One ``ignition serve`` process on the staff database."""
    log_dir: Path = tmp_path_factory.mktemp("staff-gateway")
    process = Gateway(staff_database, log_dir).start()
    try:
        yield process
    finally:
        process.stop()
