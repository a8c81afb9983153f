"""Bring a database to the state the code expects: Alembic migrations, then the seed catalogs.

Several processes may start together on one database (``ignition serve --workers N``, several
containers): :func:`migrate`, :func:`seed_database` and :func:`prepare_database` hold a
PostgreSQL advisory lock (:func:`bootstrap_lock`) while they work, so the first process
migrates and seeds while the others wait, then find nothing left to do.

The Alembic configuration is the ``[tool.alembic]`` table of the repository's
``pyproject.toml``, found from this file's location (so any working directory works, and an
editable install too). The database URL reaches ``migrations/env.py`` through
``config.attributes["database_url"]`` (and ``sqlalchemy.url`` as a fallback).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from gateway.database import async_url, create_engine

#: The repository (or installation) root: the directory holding ``gateway/`` and ``migrations/``.
PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: Key of the advisory lock that serialises migrating and seeding across processes: the bytes
#: of "IGNITION" as a bigint (advisory lock keys are database-wide; this one is ours alone).
BOOTSTRAP_LOCK_KEY = int.from_bytes(b"IGNITION", "big")

logger = logging.getLogger(__name__)


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of this project.

    Args:
        url: the database to migrate, in any form :func:`gateway.database.async_url` accepts;
            ``None`` for commands that only read the scripts (heads, history).

    Returns:
        A ``Config`` reading ``[tool.alembic]`` from ``<root>/pyproject.toml``. When the package is
        installed without its ``pyproject.toml`` (a wheel), ``script_location`` points at the
        installed ``migrations`` directory instead.
    """
    pyproject = PROJECT_ROOT / "pyproject.toml"
    if pyproject.exists():
        config = Config(toml_file=pyproject)
    else:
        config = Config()
        config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url is not None:
        url = async_url(url)
        config.attributes["database_url"] = url
        # configparser interpolates "%": percent-encoded passwords must be escaped.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def script_heads() -> frozenset[str]:
    """The head revision ids of the migration scripts (read once per process, then cached)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def current_revisions(conn: AsyncConnection) -> frozenset[str]:
    """The revisions recorded in the database's ``alembic_version`` table (empty if none)."""
    table = await conn.scalar(text("SELECT to_regclass('alembic_version')"))
    if table is None:
        return frozenset()
    rows = await conn.scalars(text("SELECT version_num FROM alembic_version"))
    return frozenset(rows)


async def database_is_at_head(engine: AsyncEngine | AsyncConnection) -> bool:
    """Whether the database is migrated exactly to the head revision(s) of the scripts.

    Args:
        engine: an engine (a connection is checked out briefly) or an open connection.

    Returns:
        True when ``alembic_version`` holds exactly the script heads (an empty versions folder
        and an unmigrated database count as at head).

    Raises:
        sqlalchemy.exc.SQLAlchemyError, OSError: when the database cannot be reached.
    """
    heads = await asyncio.to_thread(script_heads)
    if isinstance(engine, AsyncConnection):
        return await current_revisions(engine) == heads
    async with engine.connect() as conn:
        return await current_revisions(conn) == heads


@contextlib.asynccontextmanager
async def bootstrap_lock(url: str) -> AsyncIterator[None]:
    """Hold the bootstrap advisory lock of the database at ``url`` for the ``with`` block.

    A session-level ``pg_advisory_lock`` on a connection of its own, in autocommit (no
    transaction stays open while the lock is held). Waits, without a time limit, while another
    process holds it (a migration may take long; a process that dies drops its connection and
    with it the lock), logging once that it waits. Released on every exit of the block, and in
    any case when the connection closes.

    Raises:
        sqlalchemy.exc.SQLAlchemyError, OSError: when the database cannot be reached.
    """
    engine = create_engine(url, poolclass=NullPool, statement_timeout_ms=0)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            key = {"key": BOOTSTRAP_LOCK_KEY}
            if not await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), key):
                logger.info("another process is migrating or seeding the database: waiting")
                await conn.execute(text("SELECT pg_advisory_lock(:key)"), key)
            try:
                yield
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)
    finally:
        await engine.dispose()


async def migrate(url: str, revision: str = "head") -> str:
    """Upgrade (or downgrade) the database's schema to ``revision``.

    The direction follows from the target: ``head``/``heads``/``+N`` upgrade, ``base``/``-N``
    downgrade, and a revision id downgrades when it is an ancestor of the database's current
    revision, upgrades otherwise. Alembic runs in a worker thread because ``migrations/env.py``
    starts its own event loop.

    Args:
        url: the database, in any form :func:`gateway.database.async_url` accepts.
        revision: the target revision (id, unique id prefix, ``head``, ``base``, ``+N``, ``-N``).

    Returns:
        The revision(s) the database is at afterwards, comma-separated ("base" when none).

    Raises:
        alembic.util.CommandError: when the revision is unknown or not reachable.
        sqlalchemy.exc.SQLAlchemyError, OSError: when the database cannot be reached or a
            migration fails (in the transaction that ``migrations/env.py`` opens).
    """
    async with bootstrap_lock(url):
        return await _migrate(url, revision)


async def _migrate(url: str, revision: str) -> str:
    """:func:`migrate` without the lock (the caller holds it)."""
    engine = create_engine(url, poolclass=NullPool, statement_timeout_ms=0)
    try:
        async with engine.connect() as conn:
            before = await current_revisions(conn)
        if revision in ("head", "heads") and before == await asyncio.to_thread(script_heads):
            return ",".join(sorted(before)) or "base"  # nothing to do: skip loading env.py
        config = alembic_config(url)
        if await asyncio.to_thread(_direction, config, before, revision) == "down":
            await asyncio.to_thread(command.downgrade, config, revision)
        else:
            await asyncio.to_thread(command.upgrade, config, revision)
        async with engine.connect() as conn:
            after = await current_revisions(conn)
    finally:
        await engine.dispose()
    return ",".join(sorted(after)) or "base"


async def seed_database(url: str) -> dict[str, int]:
    """Upsert every reference catalog (``seeds.seed_all``) in one transaction.

    Args:
        url: a database migrated to head.

    Returns:
        Rows inserted or changed per catalog (zeros when everything was up to date).
    """
    async with bootstrap_lock(url):
        return await _seed(url)


async def _seed(url: str) -> dict[str, int]:
    """:func:`seed_database` without the lock (the caller holds it)."""
    from seeds import seed_all  # the seeds import every model: load them only when seeding

    engine = create_engine(url, poolclass=NullPool, statement_timeout_ms=0)
    try:
        async with engine.begin() as conn:
            return await seed_all(conn)
    finally:
        await engine.dispose()


async def prepare_database(url: str, *, seed: bool = True) -> None:
    """Migrate the database to head, then seed the catalogs, under the bootstrap lock.

    Idempotent: on an up-to-date database it changes nothing. Safe to call from several
    processes at once (:func:`bootstrap_lock`): one migrates and seeds, the others wait and
    then find nothing to do. Migrations and seeds run without the statement timeout of the
    serving pool.

    Args:
        url: the database, in any form :func:`gateway.database.async_url` accepts.
        seed: also run ``seeds.seed_all`` (in one transaction, after the migrations).

    Raises:
        alembic.util.CommandError: when the migration scripts are inconsistent.
        sqlalchemy.exc.SQLAlchemyError, OSError: when the database cannot be reached or a
            migration or seed fails.
    """
    async with bootstrap_lock(url):
        await _migrate(url, "head")
        if seed:
            await _seed(url)


def _direction(config: Config, current: frozenset[str], target: str) -> Literal["up", "down"]:
    if target == "base" or target.startswith("-"):
        return "down"
    if target in ("head", "heads") or target.startswith("+") or not current:
        return "up"
    script = ScriptDirectory.from_config(config)
    wanted = script.get_revision(target)
    if wanted is None or wanted.revision in current:
        return "up"
    ancestors = {rev.revision for rev in script.iterate_revisions(tuple(current), "base") if rev}
    return "down" if wanted.revision in ancestors else "up"
