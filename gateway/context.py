"""The request context: settings, the database reader, the viewer and the request's loaders.

A new :class:`Context` is built for every GraphQL request (HTTP) or operation (websocket), so
DataLoader caches never outlive a request (Strawberry's guidance; STYLE.md).
"""

from __future__ import annotations

import asyncio
import collections
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from gateway.auth import Viewer

if TYPE_CHECKING:
    from gateway.settings import Settings
    from schema.core.loaders import Loaders


class Reader:
    """The read side of one request: one pooled connection in a read-only REPEATABLE READ
    transaction, opened at the first statement, so that every statement of the request sees
    the same snapshot.

    DataLoaders dispatch their batches concurrently; a lock serialises them on the one
    connection (asyncpg runs one statement at a time per connection).
    """

    def __init__(self, engine: AsyncEngine | None, conn: AsyncConnection | None = None) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = conn
        self._owned = conn is None
        self._lock = asyncio.Lock()
        #: Statements executed so far (reported by the statement-count tests and benchmarks).
        self.statements = 0

    @classmethod
    def over(cls, conn: AsyncConnection) -> Reader:
        """A reader on a connection the caller owns (and keeps open): tests read their own
        uncommitted rows through it."""
        return cls(None, conn)

    async def fetch(self, statement: Executable) -> Sequence[Any]:
        """Execute a SELECT and return all its rows as named tuples (attribute access by
        column label; cheaper for GraphQL's attribute probing than SQLAlchemy rows)."""
        async with self._lock:
            if self._conn is None:
                assert self._engine is not None
                conn = await self._engine.connect()
                await conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
                self._conn = conn
            self.statements += 1
            result = await self._conn.execute(statement)
            record = _record_class(tuple(result.keys()))
            return [record._make(row) for row in result.all()]

    async def close(self) -> None:
        """End the transaction and give the connection back to the pool."""
        if self._conn is not None and self._owned:
            conn, self._conn = self._conn, None
            await conn.close()


@functools.lru_cache(maxsize=1024)
def _record_class(labels: tuple[str, ...]) -> Any:
    """A named tuple class for rows with these column labels (one class per result shape)."""
    return collections.namedtuple("Record", labels)


@dataclass
class Context:
    """What every resolver gets as ``info.context``.

    Attributes:
        settings: the process settings.
        engine: the database engine (mutations open their own transaction on it).
        reader: the request's read connection.
        viewer: the signed-in user, or None.
        request: the Starlette request or websocket, when there is one.
    """

    settings: Settings
    engine: AsyncEngine
    reader: Reader
    viewer: Viewer | None = None
    request: Any = None
    response: Any = None
    _loaders: Loaders | None = field(default=None, repr=False)

    @property
    def loaders(self) -> Loaders:
        """The request's DataLoaders, created on first use."""
        if self._loaders is None:
            from schema.core.loaders import Loaders

            self._loaders = Loaders(self)
        return self._loaders
