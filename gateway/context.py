"""The request context: settings, the engine, the database reader, the viewer, the request and
the request's loaders.

A new :class:`Context` is built for every GraphQL request over HTTP and for every operation
on a websocket (``gateway.events.websocket.OperationContext`` copies the socket's context with
a reader and loaders of its own), so DataLoader caches never outlive an operation
(Strawberry's guidance; STYLE.md).

Resources (issue 6, point 1; DESIGN.md section 4, "Resources"):

- Building a context takes no pooled connection. Authentication (``gateway.auth``) borrows one
  for its single statement and returns it before the context exists.
- The :class:`Reader` checks a connection out at its first statement, not before: a request
  that fails before execution (bad JSON, 405, 413, GraphiQL page, unknown operation, client
  gone) never holds one.
- The view (:class:`gateway.graphql.GatewayGraphQL`) closes the reader in a ``finally`` around
  the whole request (HTTP) or socket (websocket): success, GraphQL errors, HTTP errors,
  exceptions, timeouts, cancellation and disconnects all return the connection. The schema
  extension ``ReleaseReader`` also releases it as soon as an operation has executed.
- Writes: mutations do not write through the reader. Each opens its own short write
  transaction on ``engine`` (``schema/core/mutations.py``), released in a ``finally`` of its
  own, then :meth:`Context.refresh_reads` starts a new read snapshot for the payload, so a
  read snapshot never mixes with a write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from gateway.auth import Viewer
from gateway.database import checkin, checkout, invalidate
from schema.core.sql import Template, record_class

if TYPE_CHECKING:
    from gateway.events.hub import EventHub
    from gateway.settings import Settings
    from schema.core.loaders import Loaders


class ReaderClosedError(RuntimeError):
    """A statement was sent after the request ended (e.g. by a DataLoader batch that outlived
    a failed sibling field). Never reaches a client unmasked."""


class Reader:
    """The read side of one request: one pooled connection in a read-only REPEATABLE READ
    transaction, opened at the first statement, so that every statement of the request sees
    the same snapshot.

    Statements never overlap on the connection: DataLoaders dispatch their batches
    concurrently and graphql-core runs sibling fields concurrently, so a lock serialises them
    (asyncpg runs one statement at a time per connection). A statement that fails or is
    cancelled half way invalidates the connection (it is closed, never returned to the pool)
    and the reader starts afresh at its next statement.

    Lifecycle: :meth:`release` ends the transaction and returns the connection (the reader can
    be used again: a websocket runs one operation after another); :meth:`close` releases for
    good, after which :meth:`fetch` raises :class:`ReaderClosedError`.
    """

    def __init__(self, engine: AsyncEngine | None, conn: AsyncConnection | None = None) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = conn
        self._owned = conn is None
        self._lock = asyncio.Lock()
        self._busy = False
        self._statement_task: asyncio.Task[Any] | None = None
        self._closed = False
        #: Statements executed so far (reported by the statement-count tests and benchmarks).
        self.statements = 0

    @classmethod
    def over(cls, conn: AsyncConnection) -> Reader:
        """A reader on a connection the caller owns (and keeps open): tests read their own
        uncommitted rows through it. Releasing and closing leave the connection alone."""
        return cls(None, conn)

    @property
    def holds_connection(self) -> bool:
        """Whether a pooled connection is checked out right now."""
        return self._owned and self._conn is not None

    async def fetch(self, statement: Executable) -> Sequence[Any]:
        """Execute a SELECT built per call and return all its rows as named tuples
        (attribute access by column label; cheaper for GraphQL's attribute probing than
        SQLAlchemy rows). The DataLoaders use :meth:`run` instead.

        Raises:
            ReaderClosedError: the request has ended.
            sqlalchemy.exc.SQLAlchemyError: the statement failed (the connection is then
                invalidated).
        """

        async def execute(conn: AsyncConnection) -> Sequence[Any]:
            result = await conn.execute(statement)
            rows = result.all()
            record = record_class(tuple(result.keys()))
            return [record._make(row) for row in rows]

        return await self._execute(execute)

    async def run(self, template: Template, values: Mapping[str, Any]) -> Sequence[Any]:
        """Execute a statement compiled once (:class:`schema.core.sql.Template`) with these
        values of its parameters, as the driver's SQL: no SQLAlchemy statement is built or
        compiled per call.

        Args:
            template: the compiled SELECT.
            values: the values of its runtime parameters, by name.

        Returns:
            Its rows as named tuples (:meth:`Template.records`).

        Raises:
            ReaderClosedError: the request has ended.
            KeyError: a runtime parameter is missing from ``values``.
            sqlalchemy.exc.SQLAlchemyError: the statement failed (the connection is then
                invalidated).
        """
        args = tuple(template.args(values))

        async def execute(conn: AsyncConnection) -> Sequence[Any]:
            result = await conn.exec_driver_sql(template.sql, args)
            description = result.cursor.description
            return template.records(result.all(), description)

        return await self._execute(execute)

    async def _execute(
        self, execute: Callable[[AsyncConnection], Awaitable[Sequence[Any]]]
    ) -> Sequence[Any]:
        """Run one statement on the request's connection (checked out and put in its read
        transaction at the first statement), serialised with the request's other statements;
        a failure or cancellation mid-statement invalidates the connection."""
        async with self._lock:
            if self._closed:
                raise ReaderClosedError("the request has ended; no more statements")
            conn = self._conn
            self._busy = True
            self._statement_task = asyncio.current_task()
            try:
                if conn is None:
                    assert self._engine is not None
                    conn = await checkout(self._engine)
                    if self._closed:  # the request ended while this task waited for the pool
                        await checkin(conn)
                        raise ReaderClosedError("the request has ended; no more statements")
                    self._conn = conn
                    await conn.execution_options(
                        isolation_level="REPEATABLE READ", postgresql_readonly=True
                    )
                self.statements += 1
                return await execute(conn)
            except ReaderClosedError:
                raise
            except BaseException:
                if conn is not None:
                    await self._drop(conn)
                raise
            finally:
                self._busy = False
                self._statement_task = None

    async def _drop(self, conn: AsyncConnection) -> None:
        """Invalidate ``conn`` after a failure mid-statement and forget it."""
        if self._conn is conn:
            self._conn = None
        if self._owned:
            await checkin(conn, discard=True)

    async def release(self) -> None:
        """End the transaction and give the connection back to the pool.

        If another task is still in the middle of a statement (a sibling field or a DataLoader
        batch that outlived the operation, a request whose client left), that task is
        cancelled (asyncpg then cancels the statement on the server) and the connection is
        invalidated: it cannot be rolled back while asyncpg is busy with it, and must not go
        back to the pool in that state.
        """
        conn, self._conn = self._conn, None
        if conn is None or not self._owned:
            return
        running = self._statement_task
        if self._busy and running is not None and running is not asyncio.current_task():
            running.cancel()
        await checkin(conn, discard=self._busy)

    async def refresh(self) -> None:
        """End the read transaction so that the next statement sees a new snapshot (a reader
        over a caller's connection keeps it: the caller owns that transaction)."""
        await self.release()

    async def close(self) -> None:
        """Release the connection for good; later statements raise :class:`ReaderClosedError`."""
        self._closed = True
        await self.release()


@dataclass
class Context:
    """What every resolver gets as ``info.context``.

    Attributes:
        settings: the process settings.
        engine: the database engine (writes open their own short transaction on it).
        reader: the request's read connection (lazily checked out, see :class:`Reader`).
        viewer: the signed-in user, or None (anonymous).
        request: the Starlette request or websocket, when there is one.
        response: Strawberry's sub-response (HTTP) or the websocket, when there is one.
        loaders: the request's DataLoaders, created on first use.
    """

    settings: Settings
    engine: AsyncEngine
    reader: Reader
    viewer: Viewer | None = None
    request: Any = None
    response: Any = None
    _loaders: Loaders | None = field(default=None, repr=False)
    #: The websocket's ``connection_init`` payload (set by Strawberry; see
    #: :mod:`gateway.events.websocket`).
    connection_params: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def events(self) -> EventHub | None:
        """The process's event hub (subscriptions read from it); None outside a running app."""
        app = getattr(self.request, "app", None) if self.request is not None else None
        state = getattr(app, "state", None)
        return getattr(state, "events", None) if state is not None else None

    async def refresh_reads(self) -> None:
        """Start a new read snapshot: after a mutation commits, the payload must show the new
        state, so the read transaction ends (its connection goes back to the pool; the next
        read opens a new one) and the DataLoader caches are dropped."""
        await self.reader.refresh()
        self._loaders = None

    @property
    def loaders(self) -> Loaders:
        """The request's DataLoaders, created on first use."""
        if self._loaders is None:
            from schema.core.loaders import Loaders

            self._loaders = Loaders(self)
        return self._loaders


__all__ = ["Context", "Reader", "ReaderClosedError", "invalidate"]
