"""The request context: what every resolver gets as ``info.context`` (settings, the engine,
the database reader, the viewer, the request and the request's loaders).

The process (``gateway.graphql``) builds a new :class:`Context` for every GraphQL request over
HTTP and for every operation on a websocket (:func:`fresh_reads` copies the socket's context
with a reader and loaders of its own), so DataLoader caches never outlive an operation
(Strawberry's guidance; STYLE.md). Building a context takes no pooled connection: the
:class:`db.reader.Reader` checks one out at its first statement.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer
from db.events.relay import Event, Position
from db.reader import Reader
from schema.core.loaders import Loaders
from schema.core.settings import SchemaSettings


class EventSource(Protocol):
    """The process's event hub as the schema uses it (``gateway.events.hub.EventHub``)."""

    async def committed(self) -> None:
        """Called after a mutation's commit that published events: wakes every process's
        relay (or does nothing when the commit's ``NOTIFY`` does)."""

    async def check_cursor(self, user_id: uuid.UUID, after: Position) -> None:
        """Refuse a cursor whose event is gone or is not ``user_id``'s.

        Raises:
            db.events.relay.CursorExpired: the event is no longer kept, or not the user's.
        """

    def stream(
        self, user_id: uuid.UUID, topics: Collection[str], after: Position | None
    ) -> AsyncIterator[Event]:
        """The user's events of these topics after ``after`` (None: only new ones), then the
        live ones, in order."""


class SessionMemory(Protocol):
    """The process's remembered sessions as the schema uses them
    (``gateway.sessions.SessionCache``)."""

    def forget(self, payloads: Collection[Mapping[str, Any]]) -> None:
        """Apply the revocations a mutation just committed
        (:func:`db.events.outbox.take_revocations`) to this process at once."""


@dataclass(slots=True)
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
        request_id: the request's id (the ``X-Request-ID`` of the response; the audit log
            records it), when the process assigned one.
        sessions: the process's remembered sessions, which a mutation that revokes one
            updates after its commit (``gateway.sessions``); None outside a gateway.
    """

    settings: SchemaSettings
    engine: AsyncEngine
    reader: Reader
    viewer: Viewer | None = None
    request: Any = None
    response: Any = None
    request_id: str | None = None
    #: The process's remembered sessions (None: the process remembers none).
    sessions: SessionMemory | None = None
    _loaders: Loaders | None = field(default=None, repr=False)
    #: The websocket's ``connection_init`` payload (set by Strawberry; see
    #: ``gateway.events.websocket``).
    connection_params: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def events(self) -> EventSource | None:
        """The process's event hub (subscriptions read from it); None outside a running app."""
        # The scope's app, not ``request.app``: that raises KeyError for a view served
        # without a Starlette application around it (tests, benchmarks).
        scope = getattr(self.request, "scope", None)
        app = scope.get("app") if isinstance(scope, Mapping) else None
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
            self._loaders = Loaders(self.reader, self.viewer)
        return self._loaders


def fresh_reads(context: Context) -> Context:
    """A copy of ``context`` with a new reader (no connection until its first statement) and
    no DataLoaders yet."""
    return dataclasses.replace(context, reader=Reader(context.engine), _loaders=None)


async def renew_reads(context: Context) -> None:
    """End ``context``'s read (its connection goes back to the pool) and drop its DataLoaders:
    the next statement starts a new snapshot on a new checkout (a subscription does this
    around every event it delivers)."""
    await context.reader.close()
    context.reader = Reader(context.engine)
    context._loaders = None


__all__ = ["Context", "EventSource", "fresh_reads", "renew_reads"]
