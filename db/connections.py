"""Database URLs, the SQLAlchemy async engine (asyncpg driver), and the ways a request borrows
a pooled connection. The process's settings choose the engine's sizes and timeouts
(``gateway.database.create_engine``); everything here takes them as arguments, so that the
GraphQL layer, the seeds and the migrations use it without the process.

Connection discipline (docs/design.md#resources):

- The pool keeps the connections it opens: the process's default is no overflow
  (``IGNITION_DB_MAX_OVERFLOW=0``), so under any number of concurrent requests it opens at
  most ``pool_size`` PostgreSQL sessions, once, and requests beyond that wait for a free
  connection up to the pool timeout. SQLAlchemy's ``QueuePool`` closes an overflow connection
  when it comes back to a full pool, so with overflow a steady load forks new backends again
  and again (``bench/pool.py``). :func:`checkout`, :func:`short_connection`,
  :func:`write_transaction` and :func:`driver_connection` all borrow from that one pool; only
  a connection of unknown state (a failed or cancelled statement) is closed and replaced.

- The pool checks every connection it hands out (:func:`_closed_by_server`): one the server
  closed (a restart, ``pg_terminate_backend``, ``idle_in_transaction_session_timeout``) is
  replaced, never handed to a request. The check is local (asyncpg has seen the socket
  close), not SQLAlchemy's ``pool_pre_ping``, which costs three round trips per checkout
  (``BEGIN``, ``;``, ``ROLLBACK`` on asyncpg): measured by ``bench/pgproxy.py``, that tripled
  the round trips of a compiled read. A connection that dies unnoticed (a
  half-open socket, or one closed in the instant before the checkout, before the event loop
  has read the close) fails its statement and is invalidated.
- Every session sets ``statement_timeout`` and ``idle_in_transaction_session_timeout``: the
  server ends a runaway statement or a transaction left open, whatever the process does.
- :func:`checkout` and :func:`checkin` are safe under cancellation: a checkout cancelled half
  way still returns the connection to the pool, and a check-in is finished in the background
  when the task that started it is cancelled again.
- A connection on which a statement failed or was cancelled is *invalidated* (closed and
  dropped from the pool), never returned: asyncpg may still be busy with it ("another
  operation is in progress") and its transaction is aborted.
- :func:`short_connection` is the pattern for one statement outside a request's transaction
  (readiness): acquire, run, release, nothing left open; :func:`driver_connection` the same
  for statements sent as asyncpg's SQL (the sign-in, the compiled read), without SQLAlchemy's
  connection objects.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, QueuePool
from sqlalchemy.util import greenlet_spawn

T = TypeVar("T")

#: URL schemes accepted in ``DATABASE_URL`` (see :func:`async_url`).
DATABASE_URL_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg")

#: Seconds asyncpg waits for a new connection (TCP connect, TLS and authentication).
CONNECT_TIMEOUT_S = 10.0

#: ``application_name`` shown in ``pg_stat_activity`` for the gateway's connections.
APPLICATION_NAME = "ignition"

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
    url: str,
    *,
    pool_size: int,
    max_overflow: int,
    pool_timeout_s: float,
    statement_timeout_ms: int,
    idle_in_transaction_timeout_ms: int,
    **engine_kwargs: Any,
) -> AsyncEngine:
    """Create an async engine.

    Every new connection gets ``statement_timeout`` (so a runaway query is cancelled by the
    server), ``idle_in_transaction_session_timeout`` (so a transaction left open is ended by
    the server) and ``application_name`` (``ignition``); the pool replaces connections the
    server closed before handing them out (:func:`_closed_by_server`); JSON and JSONB values
    go through orjson.

    Args:
        url: a database URL in any form :func:`async_url` accepts.
        pool_size: connections kept open.
        max_overflow: connections opened beyond ``pool_size`` under load, each closed again
            when it comes back to a full pool (0: every connection kept; checkouts beyond
            ``pool_size`` wait up to ``pool_timeout_s``).
        pool_timeout_s: seconds a checkout waits for a free connection.
        statement_timeout_ms: the server's statement timeout, in milliseconds; 0 disables it.
        idle_in_transaction_timeout_ms: the server's limit on a transaction left idle, in
            milliseconds.
        engine_kwargs: passed to :func:`sqlalchemy.ext.asyncio.create_async_engine` (e.g.
            ``poolclass=NullPool`` for one-shot commands).

    Returns:
        A new engine; the caller disposes it (``await engine.dispose()``).

    Raises:
        ValueError: when the URL is not accepted.
    """
    pool, overflow, pool_timeout = pool_size, max_overflow, pool_timeout_s
    timeout_ms, idle_ms = statement_timeout_ms, idle_in_transaction_timeout_ms

    # asyncpg wants a number for its connect timeout; the URL carries a string.
    parsed = make_url(async_url(url))
    connect_timeout = float(parsed.query.get("timeout", CONNECT_TIMEOUT_S))  # type: ignore[arg-type]
    parsed = parsed.difference_update_query(["timeout"])
    connect_args: dict[str, Any] = {
        "timeout": connect_timeout,
        "server_settings": {
            "statement_timeout": str(timeout_ms),
            "idle_in_transaction_session_timeout": str(idle_ms),
            "application_name": APPLICATION_NAME,
        },
    }
    options: dict[str, Any] = {
        "pool_size": pool,
        "max_overflow": overflow,
        "pool_timeout": pool_timeout,
        "connect_args": connect_args,
        "json_serializer": _json_serializer,
        "json_deserializer": orjson.loads,
    }
    if "poolclass" in engine_kwargs and not issubclass(engine_kwargs["poolclass"], QueuePool):
        # Pools without a size (NullPool, StaticPool) reject the sizing arguments; queue pools
        # (gateway.metrics.MeteredPool) keep them.
        options.pop("pool_size")
        options.pop("max_overflow")
        options.pop("pool_timeout")
    options.update(engine_kwargs)
    engine = create_async_engine(parsed, **options)
    event.listen(engine.sync_engine, "checkout", _closed_by_server)
    return engine


def _closed_by_server(
    dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    """Pool ``checkout`` hook: refuse a connection whose socket the server has closed.

    asyncpg notices the server closing an idle connection as soon as the event loop reads
    the end of the stream, so the check needs no round trip. SQLAlchemy's pool answers
    ``DisconnectionError`` by discarding the connection and checking out another (SQLAlchemy's
    "pessimistic disconnect handling", custom form).

    Raises:
        sqlalchemy.exc.DisconnectionError: the connection is closed.
    """
    driver = record.driver_connection
    if driver is None or driver.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


# Tasks that finish a check-in after the task that started it was cancelled; referenced here
# so that the event loop does not drop them half way (asyncio keeps only weak references).
_BACKGROUND: set[asyncio.Task[Any]] = set()


def _in_background(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    task = asyncio.ensure_future(coro)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)
    return task


async def checkout(engine: AsyncEngine) -> AsyncConnection:
    """Take a connection from the pool (one the server has not closed; no transaction begun
    yet).

    Safe under cancellation: when the caller is cancelled while the pool is still opening or
    pinging the connection, the checkout finishes in the background and the connection goes
    straight back to the pool.

    Raises:
        sqlalchemy.exc.TimeoutError: no connection within the pool timeout.
        sqlalchemy.exc.DBAPIError, OSError: the database cannot be reached.
    """
    return await _checkout_shielded(engine.connect().start(), checkin)


async def _checkout_shielded(
    opening: Coroutine[Any, Any, T], give_back: Callable[[T], Coroutine[Any, Any, None]]
) -> T:
    """Await ``opening`` (a pool checkout) in a background task: if the caller is cancelled
    first, the checkout still finishes, and ``give_back`` returns its connection to the
    pool."""
    task = _in_background(opening)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:

        def return_abandoned(done: asyncio.Task[T]) -> None:
            if not done.cancelled() and done.exception() is None:
                _in_background(give_back(done.result()))

        task.add_done_callback(return_abandoned)
        raise


def invalidate(conn: AsyncConnection) -> None:
    """Close ``conn``'s database connection at once and drop it from the pool.

    Synchronous (asyncpg's ``terminate()``), so it works in any state: mid-statement, during
    cancellation, from another task. A statement still running on it fails in its own task.
    """
    with contextlib.suppress(Exception):
        sync = conn.sync_connection
        if sync is not None and not sync.closed and not sync.invalidated:
            sync.invalidate()


async def checkin(conn: AsyncConnection, *, discard: bool = False) -> None:
    """Return ``conn`` to the pool: roll back its transaction (or, with ``discard``, invalidate
    it first). Finishes in the background when the caller is cancelled; never raises (a
    connection whose rollback fails is invalidated by SQLAlchemy).
    """
    if discard:
        invalidate(conn)
    with contextlib.suppress(Exception):
        await asyncio.shield(_in_background(_close(conn)))


async def _close(conn: AsyncConnection) -> None:
    try:
        await conn.close()
    except Exception:
        invalidate(conn)


@contextlib.asynccontextmanager
async def short_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A pooled connection for a few statements outside any request transaction.

    Released on every path; invalidated when the body fails or is cancelled (the connection's
    state is then unknown).

    Raises:
        whatever :func:`checkout` raises, and whatever the body raises.
    """
    conn = await checkout(engine)
    failed = True
    try:
        yield conn
        failed = False
    finally:
        await checkin(conn, discard=failed)


@contextlib.asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    """A pooled connection as asyncpg's own connection, for statements sent as the driver's
    SQL outside any transaction (the sign-in, the compiled read).

    The same pool, liveness check, cancellation safety and release rules as
    :func:`short_connection` (invalidated when the body fails or is cancelled), without the
    SQLAlchemy ``Connection`` and ``AsyncConnection`` around the pooled connection (    about 20-50
    microseconds of CPU less per request in-process; in three interleaved rounds
    on one small compiled read, 0.98-1.37x the requests per second with a p99 no worse). The
    check-in stays a background task, as in
    :func:`checkin`: done synchronously it cost less CPU still, but the p99 latency of 50
    concurrent clients tripled (about 200 ms instead of 60-110 ms on one small query).

    Yields:
        The ``asyncpg.Connection``.

    Raises:
        whatever the pool raises (see :func:`checkout`), and whatever the body raises.
    """
    pooled = await _checkout_pooled(engine)
    failed = True
    try:
        yield pooled.driver_connection
        failed = False
    finally:
        await _checkin_pooled(pooled, discard=failed)


async def _checkout_pooled(engine: AsyncEngine) -> PoolProxiedConnection:
    """:func:`checkout` for the pool's own proxied connection."""
    return await _checkout_shielded(engine.raw_connection(), _checkin_pooled)


async def _checkin_pooled(pooled: PoolProxiedConnection, *, discard: bool = False) -> None:
    """:func:`checkin` for the pool's own proxied connection (invalidated first with
    ``discard``); finishes in the background when the caller is cancelled; never raises."""
    if discard:
        with contextlib.suppress(Exception):
            pooled.invalidate()
    with contextlib.suppress(Exception):
        await asyncio.shield(_in_background(greenlet_spawn(pooled.close)))


@contextlib.asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One write transaction (READ COMMITTED) on a pooled connection: committed when the body
    returns, rolled back when it raises.

    Released on every path, as :func:`short_connection` is: the connection goes back to the
    pool after a commit or a clean rollback (a domain error, a constraint violation), and is
    invalidated when the body is cancelled (a client that went away, the request timeout) or
    the rollback fails, since its state is then unknown. The checkout is :func:`checkout`'s,
    safe when the cancellation comes while the pool is still opening or pinging the
    connection, which ``engine.begin()`` is not.

    Raises:
        whatever :func:`checkout` raises, whatever the body raises, and the commit's errors.
    """
    conn = await checkout(engine)
    reusable = False
    try:
        transaction = await conn.begin()
        try:
            yield conn
        except asyncio.CancelledError:
            raise
        except BaseException:
            with contextlib.suppress(Exception):
                await transaction.rollback()
                reusable = True
            raise
        await transaction.commit()
        reusable = True
    finally:
        await checkin(conn, discard=not reusable)
