"""The read side of one request: a pooled connection in a read-only REPEATABLE READ
transaction, checked out at the first statement, so that every statement of the request sees
the same snapshot.

Resources (docs/design.md#resources):

- The :class:`Reader` checks a connection out at its first statement, not before: a request
  that fails before execution (bad JSON, 405, 413, GraphiQL page, unknown operation, client
  gone) never holds one.
- The process's view (``gateway.graphql.GatewayGraphQL``) closes the reader in a ``finally``
  around the whole request (HTTP) or socket (websocket): success, GraphQL errors, HTTP errors,
  exceptions, timeouts, cancellation and disconnects all return the connection. The schema
  extension ``ReleaseReader`` also releases it as soon as an operation has executed.
- Writes: mutations do not write through the reader. Each opens its own short write
  transaction (:func:`db.connections.write_transaction`), released in a ``finally`` of its
  own, then the request's context starts a new read snapshot for the payload
  (``schema.core.context.Context.refresh_reads``), so a read snapshot never mixes with a
  write.
"""

from __future__ import annotations

import asyncio
import collections
import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from db.connections import checkin, checkout


@functools.lru_cache(maxsize=1024)
def record_class(labels: tuple[str, ...]) -> Any:
    """A named tuple class for rows with these column labels (one class per result shape)."""
    return collections.namedtuple("Record", labels)


class Statement(Protocol):
    """A SELECT compiled once (``schema.core.sql.Template``): its SQL text, its parameters
    per execution, its rows as records."""

    @property
    def sql(self) -> str:
        """The statement's text, asyncpg's ``$n`` parameters."""

    def args(self, values: Mapping[str, Any]) -> Iterable[Any]:
        """The positional parameters of one execution, from the runtime values by name."""

    def records(self, rows: Sequence[Sequence[Any]], description: Sequence[Any]) -> list[Any]:
        """The rows of one execution as named tuples."""


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

    # Slots: a websocket operation holds one reader for as long as it runs (memory per idle
    # subscriber, bench/subscriptions.py).
    __slots__ = (
        "_busy",
        "_closed",
        "_conn",
        "_engine",
        "_lock",
        "_owned",
        "_statement_task",
        "statements",
    )

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

    async def run(self, template: Statement, values: Mapping[str, Any]) -> Sequence[Any]:
        """Execute a statement compiled once (a :class:`Statement`, e.g.
        ``schema.core.sql.Template``) with these values of its parameters, as the driver's SQL:
        no SQLAlchemy statement is built or compiled per call.

        Args:
            template: the compiled SELECT.
            values: the values of its runtime parameters, by name.

        Returns:
            Its rows as named tuples (:meth:`Statement.records`).

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


__all__ = ["Reader", "ReaderClosedError", "Statement", "record_class"]
