"""Test fixtures: real PostgreSQL, schema built by the migrations, each test isolated.

The server is the embedded PostgreSQL (pgserver, in a temporary data directory) unless
``TEST_DATABASE_URL`` names another one (e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``);
either way each run creates its own fresh database, migrates it to head, seeds the catalogs,
and drops it at the end. Each test runs in a transaction that is rolled back (``db_conn``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import strawberry
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from db.auth.viewer import Viewer
from gateway.bootstrap import migrate, seed_database
from gateway.context import Context, Reader
from gateway.database import create_engine
from gateway.embedded import EmbeddedPostgres
from gateway.settings import Settings
from schema.compiler import Compiler
from tests.compiler.differential import assert_same, compare

#: The fixtures of the mutation tests of every domain (``mutate``), beside their harness.
pytest_plugins = ["tests.support.fixtures"]

SHARED = Path(__file__).resolve().parents[2] / "shared"


class PostgresServer:
    """A PostgreSQL server the tests may create and drop databases on."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def url_for(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    async def _admin(self, statement: str) -> None:
        engine = create_engine(self.admin_url, poolclass=NullPool, statement_timeout_ms=0)
        try:
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(sa.text(statement))
        finally:
            await engine.dispose()

    async def create_database(self, prefix: str = "ignition_test") -> str:
        """Create an empty database and return its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        await self._admin(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    async def drop_database(self, url: str) -> None:
        name = make_url(url).database
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """The server of this run: ``TEST_DATABASE_URL``'s, or an embedded one."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield PostgresServer(external)
        return
    embedded = EmbeddedPostgres(tmp_path_factory.mktemp("embedded"), database="postgres")
    embedded.start()
    try:
        yield PostgresServer(embedded.url)
    finally:
        embedded.stop()


@pytest.fixture(scope="session")
async def database_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh database of this run, migrated to head with the catalogs seeded."""
    url = await postgres_server.create_database()
    await migrate(url, "head")
    await seed_database(url)
    yield url
    await postgres_server.drop_database(url)


@pytest.fixture
async def empty_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A fresh, empty database (no schema) for migration tests, dropped afterwards."""
    url = await postgres_server.create_database("ignition_scratch")
    yield url
    await postgres_server.drop_database(url)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db_conn(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that is rolled back after the test."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            await transaction.rollback()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture(scope="session")
def schema(settings: Settings) -> strawberry.Schema:
    from schema import build_schema

    return build_schema(settings)


@pytest.fixture(scope="session")
def compiler(schema: strawberry.Schema, settings: Settings) -> Compiler:
    """The compiled read path's compiler over the test schema."""
    return Compiler.for_settings(schema, settings)


@dataclass
class GraphQLResult:
    """The outcome of :func:`execute`: data, error messages and SQL statements run (on the
    general path; the compiled path ran too and answered identically when it covers the
    request)."""

    data: Any
    errors: list[str]
    statements: int
    #: Statements of the compiled path (always one), None when it does not cover the request.
    compiled_statements: int | None = None


Execute = Callable[..., Awaitable[GraphQLResult]]


@pytest.fixture
def execute(
    schema: strawberry.Schema,
    settings: Settings,
    engine: AsyncEngine,
    db_conn: AsyncConnection,
    compiler: Compiler,
) -> Execute:
    """Run a GraphQL operation in process, over the test's connection (so it sees the test's
    uncommitted rows), as ``viewer`` (a user id, a :class:`Viewer`, or None)."""

    async def run(
        query: str, variables: dict[str, Any] | None = None, *, viewer: Any = None
    ) -> GraphQLResult:
        if isinstance(viewer, uuid.UUID):
            viewer = Viewer(user_id=viewer)
        reader = Reader.over(db_conn)
        context = Context(settings=settings, engine=engine, reader=reader, viewer=viewer)
        result = await schema.execute(query, variable_values=variables, context_value=context)
        errors = [e.message for e in result.errors or []]
        # The compiled path answers identically, in one statement.
        outcome = await compare(compiler, db_conn, result, query, variables, viewer)
        assert_same(outcome, query, variables)
        return GraphQLResult(result.data, errors, reader.statements, 1 if outcome.covered else None)

    return run


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Traces go to memory: an SDK tracer provider installed as the gateway's (for tests of
    ``IGNITION_OTEL``); returns the SDK's ``InMemorySpanExporter``."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from gateway import tracing

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "_provider", provider)
    return exporter
