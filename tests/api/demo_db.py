"""A committed demo database shared by the read-only sweeps over every table (generated tests
that would be too slow if each seeded its own data): two demo users with a month of activity in
every domain."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer
from db.ownership import owned_by
from db.visibility import Visibility
from gateway.bootstrap import migrate, seed_database
from gateway.context import Context, Reader
from gateway.database import create_engine
from gateway.settings import Settings
from schema.compiler import Compiler
from schema.core.tables import TableInfo, build_catalog
from tests.compiler.differential import assert_same, compare


@dataclass
class DemoDatabase:
    engine: AsyncEngine
    settings: Settings
    schema: strawberry.Schema
    alice: uuid.UUID
    bob: uuid.UUID
    compiler: Compiler
    #: Requests the compiled path answered too (and identically).
    compiled: int = 0

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, viewer: Any = None
    ) -> Any:
        """Run an operation as ``viewer`` (a user id or None); returns the ExecutionResult."""
        if isinstance(viewer, uuid.UUID):
            viewer = Viewer(user_id=viewer)
        context = Context(
            settings=self.settings, engine=self.engine, reader=Reader(self.engine), viewer=viewer
        )
        result = await self.schema.execute(query, variable_values=variables, context_value=context)
        await context.reader.close()
        # Every sweep over the demo data runs through both paths.
        async with self.engine.connect() as conn:
            outcome = await compare(self.compiler, conn, result, query, variables, viewer)
        assert_same(outcome, query, variables)
        self.compiled += outcome.covered
        return result

    async def rows_by_owner(self, info: TableInfo, owner: uuid.UUID, limit: int = 3) -> list[Any]:
        """Rows of ``info`` owned by ``owner`` (directly or through the parent chain)."""
        table = info.table
        stmt = (
            sa.select(
                *info.table.primary_key.columns, *[c for c in table.columns if c.foreign_keys]
            )
            .where(owned_by(info.name, [owner]))
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return list((await conn.execute(stmt)).all())


def owned_tables() -> list[TableInfo]:
    """Every table whose rows belong to a user (the visibility sweep's subjects)."""
    from schema import build_schema

    build_schema()
    return [
        info
        for info in build_catalog()
        if info.visibility in (Visibility.OWNER, Visibility.VIA_PARENT, Visibility.SELF)
    ]


@pytest.fixture(scope="module")
async def demo(postgres_server: Any) -> AsyncIterator[DemoDatabase]:
    from schema import build_schema
    from seeds.demo import seed_demo

    url = await postgres_server.create_database("ignition_demo")
    engine = create_engine(url)
    try:
        await migrate(url, "head")
        await seed_database(url)
        async with engine.begin() as conn:
            result = await seed_demo(conn, users=2, seed=7)
        settings = Settings(database_url=url)
        schema = build_schema(settings)
        alice, bob = result.user_ids[:2]
        yield DemoDatabase(
            engine, settings, schema, alice, bob, compiler=Compiler.for_settings(schema, settings)
        )
    finally:
        await engine.dispose()
        await postgres_server.drop_database(url)
