"""The process's engine, sized and timed by its settings.

The connection helpers themselves live in :mod:`db.connections` (the GraphQL layer, the
seeds and the migrations use them without the process); their names are re-exported here
for the process's own modules.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db import connections
from db.connections import (
    APPLICATION_NAME,
    CONNECT_TIMEOUT_S,
    async_url,
    checkin,
    checkout,
    display_url,
    driver_connection,
    invalidate,
    short_connection,
    write_transaction,
)
from gateway.settings import Settings


def create_engine(
    source: Settings | str,
    *,
    pool_size: int | None = None,
    statement_timeout_ms: int | None = None,
    **engine_kwargs: Any,
) -> AsyncEngine:
    """Create the async engine of one process (:func:`db.connections.create_engine`, sized
    and timed by the settings).

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
    if isinstance(source, Settings):
        if source.database_url is None:
            raise ValueError("settings.database_url is not set (start the embedded server first)")
        settings, url = source, source.database_url
    else:
        # The defaults of every field, without reading the environment.
        settings, url = Settings.model_construct(), source
    return connections.create_engine(
        url,
        pool_size=settings.db_pool_size if pool_size is None else pool_size,
        # SQLAlchemy's own names, as a caller may pass them among ``engine_kwargs``.
        max_overflow=engine_kwargs.pop("max_overflow", settings.db_max_overflow),
        pool_timeout_s=engine_kwargs.pop("pool_timeout", settings.db_pool_timeout_s),
        statement_timeout_ms=(
            settings.statement_timeout_ms if statement_timeout_ms is None else statement_timeout_ms
        ),
        idle_in_transaction_timeout_ms=settings.idle_in_transaction_timeout_ms,
        **engine_kwargs,
    )


__all__ = [
    "APPLICATION_NAME",
    "CONNECT_TIMEOUT_S",
    "async_url",
    "checkin",
    "checkout",
    "create_engine",
    "display_url",
    "driver_connection",
    "invalidate",
    "short_connection",
    "write_transaction",
]
