"""Telling "the database cannot be reached" from every other failure.

A client must be able to tell an outage (retry later) from a bug (report it): every layer that
masks unexpected errors asks :func:`database_unavailable` first, and answers an outage with
``SERVICE_UNAVAILABLE`` (HTTP 503 and ``Retry-After`` where the status is free) instead of a
masked ``INTERNAL_SERVER_ERROR``.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

#: ``extensions.code`` of an answer given while the database cannot be reached.
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"

#: Seconds a client is asked to wait before retrying (``Retry-After``).
RETRY_AFTER_S = 5

#: The message a client gets.
UNAVAILABLE_MESSAGE = "The database is unavailable; try again in a few seconds."

#: asyncpg's errors of a server that is gone, shutting down or not accepting connections:
#: SQLSTATE class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect
#: now), and a connection closed under a statement.
_ASYNCPG_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.TooManyConnectionsError,
)


def _causes(error: BaseException) -> list[BaseException]:
    """``error``, what it wraps (SQLAlchemy's ``orig``) and its causes, without loops."""
    seen: list[BaseException] = []
    stack: list[BaseException | None] = [error]
    while stack:
        current = stack.pop()
        if current is None or any(current is s for s in seen) or len(seen) > 20:
            continue
        seen.append(current)
        stack.extend([current.__cause__, current.__context__, getattr(current, "orig", None)])
    return seen


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means that the database cannot be reached now.

    True for: a connection refused, reset or timed out (``OSError``, ``TimeoutError`` of a
    connect), the server shutting down or refusing connections (asyncpg's
    ``PostgresConnectionError``, ``CannotConnectNowError``, ``AdminShutdownError``,
    ``CrashShutdownError``, ``TooManyConnectionsError``), a connection lost under a statement
    (``ConnectionDoesNotExistError``, a SQLAlchemy error with ``connection_invalidated``), and
    no pooled connection within ``IGNITION_DB_POOL_TIMEOUT_S`` (SQLAlchemy's pool
    ``TimeoutError``), found on ``error`` or anything it wraps. False for everything else,
    SQL errors (a constraint, a statement timeout) included.
    """
    for cause in _causes(error):
        if isinstance(cause, (*_ASYNCPG_UNAVAILABLE, PoolTimeoutError, OSError)):
            return True
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, asyncpg.InterfaceError) and "closed" in str(cause):
            return True
    return False


__all__ = [
    "RETRY_AFTER_S",
    "SERVICE_UNAVAILABLE",
    "UNAVAILABLE_MESSAGE",
    "database_unavailable",
]
