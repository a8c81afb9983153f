"""Database URLs and the process's SQLAlchemy async engine (asyncpg driver)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.settings import DATABASE_URL_SCHEMES, Settings

#: Seconds asyncpg waits for a new connection (TCP connect, TLS and authentication).
CONNECT_TIMEOUT_S = 10.0

#: ``application_name`` shown in ``pg_stat_activity`` for the gateway's connections.
APPLICATION_NAME = "ignition-gateway"

# libpq query parameters that asyncpg spells differently.
_LIBPQ_TO_ASYNCPG = {"sslmode": "ssl", "connect_timeout": "timeout"}


def async_url(url: str) -> str:
    """Turn an accepted PostgreSQL URL into a SQLAlchemy ``postgresql+asyncpg://`` URL.

    Accepts ``postgresql://``, ``postgres://`` and ``postgresql+asyncpg://`` URLs, including the
    unix-socket form ``postgresql://user:@/dbname?host=/socket/dir`` that pgserver hands out. The
    libpq parameters ``sslmode`` and ``connect_timeout`` become asyncpg's ``ssl`` and ``timeout``.

    Args:
        url: the database URL, e.g. the value of ``DATABASE_URL``.

    Returns:
        The same server, user, password and database as a ``postgresql+asyncpg://`` URL (the
        password is kept, percent-encoded).

    Raises:
        ValueError: when the URL cannot be parsed or has another scheme.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError(f"not a database URL: {exc}") from None
    if parsed.drivername not in DATABASE_URL_SCHEMES:
        accepted = ", ".join(f"{s}://" for s in DATABASE_URL_SCHEMES)
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: use {accepted}")
    query = {_LIBPQ_TO_ASYNCPG.get(key, key): value for key, value in parsed.query.items()}
    parsed = parsed.set(drivername="postgresql+asyncpg", query=query)
    return parsed.render_as_string(hide_password=False)


def display_url(url: str) -> str:
    """``url`` with its password masked, for logs and terminal output."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def _json_serializer(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_engine(
    source: Settings | str,
    *,
    pool_size: int | None = None,
    statement_timeout_ms: int | None = None,
    **engine_kwargs: Any,
) -> AsyncEngine:
    """Create the async engine of one process.

    Every new connection gets ``statement_timeout`` (so a runaway query is cancelled by the
    server) and ``application_name``; JSON and JSONB values go through orjson.

    Args:
        source: the settings (their ``database_url``, pool size and statement timeout are used)
            or a database URL in any form :func:`async_url` accepts (then the ``Settings``
            defaults apply, not the environment).
        pool_size: overrides the pool size (connections kept open).
        statement_timeout_ms: overrides the statement timeout, in milliseconds; 0 disables it.
        engine_kwargs: passed to :func:`sqlalchemy.ext.asyncio.create_async_engine` (e.g.
            ``poolclass=NullPool`` for one-shot commands).

    Returns:
        A new engine; the caller disposes it (``await engine.dispose()``).

    Raises:
        ValueError: when the settings carry no database URL, or the URL is not accepted.
    """
    defaults = Settings.model_fields
    if isinstance(source, Settings):
        if source.database_url is None:
            raise ValueError("settings.database_url is not set (start the embedded server first)")
        url = source.database_url
        pool = source.db_pool_size
        overflow = source.db_max_overflow
        timeout_ms = source.statement_timeout_ms
    else:
        url = source
        pool = defaults["db_pool_size"].default
        overflow = defaults["db_max_overflow"].default
        timeout_ms = defaults["statement_timeout_ms"].default
    if pool_size is not None:
        pool = pool_size
    if statement_timeout_ms is not None:
        timeout_ms = statement_timeout_ms

    # asyncpg wants a number for its connect timeout; the URL carries a string.
    parsed = make_url(async_url(url))
    connect_timeout = float(parsed.query.get("timeout", CONNECT_TIMEOUT_S))  # type: ignore[arg-type]
    parsed = parsed.difference_update_query(["timeout"])
    connect_args: dict[str, Any] = {
        "timeout": connect_timeout,
        "server_settings": {
            "statement_timeout": str(timeout_ms),
            "application_name": APPLICATION_NAME,
        },
    }
    options: dict[str, Any] = {
        "pool_size": pool,
        "max_overflow": overflow,
        "connect_args": connect_args,
        "json_serializer": _json_serializer,
        "json_deserializer": orjson.loads,
    }
    if "poolclass" in engine_kwargs:
        # Pools without a size (NullPool, StaticPool) reject the sizing arguments.
        options.pop("pool_size")
        options.pop("max_overflow")
    options.update(engine_kwargs)
    return create_async_engine(parsed, **options)
