"""The migrations build the schema, and take it down again, one domain at a time.

Specification (docs/design.md#layers and docs/design.md#the-schema):

- The initial schema is one Alembic revision per domain, ``0001`` to ``0014``, in the order of
  ``db.DOMAINS`` (foreign-key order), a single linear history.
- Upgrading to each initial revision creates exactly the tables of its domain; downgrading one
  revision drops exactly those tables again.
- Downgrading to ``base`` leaves nothing behind but Alembic's (empty) version table: no tables,
  sequences, views, types or functions. Upgrading again rebuilds an identical schema.
- The models and the migrations never drift: ``alembic check`` is clean on a migrated database.

Every test starts from its own fresh, empty database (the ``empty_database`` fixture). Alembic's
commands are synchronous and ``migrations/env.py`` runs its own event loop, so they run in a
worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import pairwise
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

import db
from gateway.bootstrap import alembic_config
from gateway.database import create_engine

#: The initial revisions, one per domain of ``db.DOMAINS``, in that order.
INITIAL_REVISIONS: dict[str, str] = {
    f"{number:04d}": domain for number, domain in enumerate(db.DOMAINS, start=1)
}
#: What each initial revision creates: its domain's tables but those added later.
INITIAL_TABLES: dict[str, list[str]] = {
    domain: sorted(set(names) - set(db.LATER_TABLES)) for domain, names in db.DOMAINS.items()
}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture
async def scratch(empty_database: str) -> AsyncIterator[AsyncEngine]:
    """An engine on this test's empty database (no pooled connections left behind)."""
    engine = create_engine(empty_database, poolclass=NullPool, statement_timeout_ms=0)
    try:
        yield engine
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


async def downgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)


async def _rows(engine: AsyncEngine, sql: str) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(sa.text(sql))]


async def tables(engine: AsyncEngine) -> set[str]:
    """The application's tables (Alembic's version table left out)."""
    rows = await _rows(
        engine,
        "SELECT tablename FROM pg_tables"
        " WHERE schemaname = 'public' AND tablename <> 'alembic_version'",
    )
    return {name for (name,) in rows}


async def schema_snapshot(engine: AsyncEngine) -> dict[str, set[tuple[Any, ...]]]:
    """Columns, constraints and indexes of the public schema, comparable across rebuilds."""
    return {
        "columns": set(
            await _rows(
                engine,
                "SELECT table_name, column_name, ordinal_position, data_type, is_nullable,"
                " column_default, is_identity"
                " FROM information_schema.columns WHERE table_schema = 'public'",
            )
        ),
        "constraints": set(
            await _rows(
                engine,
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
            )
        ),
        "indexes": set(
            await _rows(
                engine,
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
            )
        ),
    }


# --------------------------------------------------------------------------------------------
# The revision history
# --------------------------------------------------------------------------------------------


def test_initial_schema_is_one_revision_per_domain_in_foreign_key_order() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    history = list(reversed(list(script.walk_revisions())))  # base first

    assert len(db.DOMAINS) == 14
    assert len(script.get_heads()) == 1, "the history must be linear (a single head)"
    initial = history[: len(INITIAL_REVISIONS)]
    assert [rev.revision for rev in initial] == list(INITIAL_REVISIONS)
    assert [rev.down_revision for rev in initial] == [None, *list(INITIAL_REVISIONS)[:-1]]
    assert [rev.doc for rev in initial] == [f"{domain} domain" for domain in db.DOMAINS]
    # Later revisions (one per change) continue the same line.
    for previous, revision in pairwise(history):
        assert revision.down_revision == previous.revision


async def test_each_initial_revision_creates_exactly_its_domain_tables(
    empty_database: str, scratch: AsyncEngine
) -> None:
    created: dict[str, list[str]] = {}
    before = await tables(scratch)
    assert before == set()
    for revision, domain in INITIAL_REVISIONS.items():
        await upgrade(empty_database, revision)
        after = await tables(scratch)
        assert before <= after, f"{revision} dropped {sorted(before - after)}"
        created[domain] = sorted(after - before)
        before = after

    assert created == INITIAL_TABLES


async def test_each_initial_revision_downgrade_drops_exactly_its_domain_tables(
    empty_database: str, scratch: AsyncEngine
) -> None:
    last = list(INITIAL_REVISIONS)[-1]
    await upgrade(empty_database, last)
    dropped: dict[str, list[str]] = {}
    before = await tables(scratch)
    revisions = list(INITIAL_REVISIONS)
    for index in reversed(range(len(revisions))):
        target = revisions[index - 1] if index > 0 else "base"
        await downgrade(empty_database, target)
        after = await tables(scratch)
        assert after <= before, f"downgrading to {target} created {sorted(after - before)}"
        dropped[INITIAL_REVISIONS[revisions[index]]] = sorted(before - after)
        before = after

    assert dropped == INITIAL_TABLES
    assert before == set()


# --------------------------------------------------------------------------------------------
# The full round trip, and no drift
# --------------------------------------------------------------------------------------------


async def test_downgrade_to_base_leaves_nothing_and_upgrade_rebuilds_the_same_schema(
    empty_database: str, scratch: AsyncEngine
) -> None:
    await upgrade(empty_database, "head")
    built = await schema_snapshot(scratch)
    assert len(await tables(scratch)) == 75 + len(db.LATER_TABLES)

    await downgrade(empty_database, "base")

    relations = await _rows(
        scratch,
        "SELECT relname, relkind::text FROM pg_class"
        " WHERE relnamespace = 'public'::regnamespace ORDER BY relname",
    )
    # Only Alembic's version table (and its primary key index) remain: no tables, no
    # sequences (the outbox's identity sequence included), no views, no stray indexes.
    assert relations == [("alembic_version", "r"), ("alembic_version_pkc", "i")]
    assert await _rows(scratch, "SELECT version_num FROM alembic_version") == []
    types = await _rows(
        scratch,
        "SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace"
        " AND typtype IN ('e', 'd', 'r', 'm')",
    )
    assert types == [], "no enum, domain or range types"
    functions = await _rows(
        scratch, "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
    )
    assert functions == [], "no functions"

    await upgrade(empty_database, "head")
    assert await schema_snapshot(scratch) == built

    # No drift between the models (db.metadata) and the migrations: raises
    # alembic.util.exc.AutogenerateDiffsDetected when autogenerate would write anything.
    await asyncio.to_thread(command.check, alembic_config(empty_database))
