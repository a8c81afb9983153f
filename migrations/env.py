"""Alembic environment (async, asyncpg).

The database URL comes from ``config.attributes["database_url"]`` (set by
``gateway.bootstrap`` and the tests) or else the ``DATABASE_URL`` environment variable (the
``alembic`` command line, which reads ``[tool.alembic]`` of pyproject.toml). A caller may also
hand over an open connection in ``config.attributes["connection"]``, used as is.

``config.attributes["include_tables"]`` (a set of table names) limits autogenerate to those
tables: ``migrations/generate_initial.py`` uses it to write one initial revision per domain.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import db
from db.connections import async_url

config = context.config
target_metadata = db.metadata


def _database_url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError(
            "No database URL: set DATABASE_URL, or run `ignition migrate`, which also "
            "handles the embedded PostgreSQL"
        )
    return async_url(url)


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    include_tables: set[str] | None = config.attributes.get("include_tables")
    if include_tables is None:
        return True
    table_name = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table_name in include_tables


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        compare_type=True,
        compare_server_default=True,
    )


def do_run_migrations(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(_database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url().replace("+asyncpg", ""),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
