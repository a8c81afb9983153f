"""The websocket side of ``/graphql``: graphql-transport-ws and the legacy graphql-ws, as
Strawberry serves them, with the gateway's rules (docs/design.md#graphql-conventions and
docs/design.md#events-and-the-outbox).

- Authentication: ``connection_init`` carries ``{"Authorization": "Bearer <token>"}``
  (:meth:`WebSocketMixin.on_ws_connect`). An unknown, expired or malformed token is refused:
  graphql-transport-ws closes with 4403 (Strawberry's ``ConnectionRejectionError``), the
  legacy protocol answers ``connection_error`` and closes with 4403 too
  (:class:`LegacyWSHandler`). A database that cannot be reached to check the token closes
  the socket with 1013 ("try again later") on both. No token: anonymous (catalog
  queries work; per-viewer subscriptions answer an ``UNAUTHENTICATED`` error). A socket whose
  session is revoked (``signOut``, ``revokeSession``, in any process), rotated (after the
  grace period) or expires is closed with 4403 and the reason (:mod:`gateway.sessions`).
- A context per operation (:class:`OperationContext`): Strawberry builds one context per
  socket; every operation on it (subscription, query or mutation) runs on a copy with its own
  reader and its own DataLoaders, closed when the operation ends. So a second operation never
  sees the first one's cached rows, and an idle socket holds no pooled connection.
- Text frames (:class:`TextFrames`): Strawberry sends ``encode_json``'s bytes as binary
  frames; browsers' graphql-ws clients expect text.
- Keep-alive: graphql-transport-ws ``ping`` messages (:class:`TransportWSHandler`), legacy
  ``ka`` messages (Strawberry's ``keep_alive``), and uvicorn's websocket ping frames, every
  ``IGNITION_WS_KEEPALIVE_S``.
- Limits: ``IGNITION_WS_MAX_SUBSCRIPTIONS`` operations per socket (past it an ``error`` with
  ``extensions.code = "SUBSCRIPTION_LIMIT_EXCEEDED"``) and
  ``IGNITION_WS_CONNECTION_INIT_TIMEOUT_S`` for ``connection_init`` (Strawberry's own
  checks); the depth, alias, token and cost limits apply to subscription documents as to any
  other (the schema's validation rules).
- Shutdown: on SIGINT/SIGTERM, :func:`close_all` closes every open socket with 1001 ("going
  away") before uvicorn starts its shutdown, which would close them with 1012
  (:func:`close_sockets_on_exit_signals`, installed by the app's lifespan in every worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import SchemaExtension
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.unset import UNSET, UnsetType

from db.availability import SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE, database_unavailable
from gateway.auth import Unauthenticated, authenticate
from gateway.persisted import PersistedQueryError
from gateway.sessions import REVOKED_CLOSE, Closer, SessionCache
from schema.core.context import fresh_reads

if TYPE_CHECKING:
    from gateway.context import Context
    from gateway.settings import Settings

logger = logging.getLogger("gateway.events")

#: What ``on_ws_connect`` returns to keep Strawberry's ``connection_ack`` as it is (Strawberry's
#: ``UNSET``, typed).
NO_CHANGE: UnsetType = UNSET
#: Close code of a socket closed because the server is shutting down (RFC 6455 "going away").
GOING_AWAY = 1001
#: Close code of a socket whose ``connection_init`` credentials sign nobody in (graphql-ws's
#: "Forbidden"), on both protocols.
FORBIDDEN_CLOSE = 4403
#: Close code of a socket whose ``connection_init`` could not be checked because the database
#: is unavailable (RFC 6455's registered "Try Again Later").
TRY_AGAIN_LATER = 1013
#: ``extensions.code`` of an operation refused because its socket runs the most it may.
SUBSCRIPTION_LIMIT_EXCEEDED = "SUBSCRIPTION_LIMIT_EXCEEDED"
#: Strawberry's message for that refusal, replaced by :func:`_coded_limit_error`.
_STRAWBERRY_LIMIT_MESSAGE = "Subscription limit reached"


def _coded_limit_error(message: Any, limit: int) -> Any:
    """Strawberry's "Subscription limit reached" ``error`` message (either protocol) with a
    sentence and ``extensions.code = "SUBSCRIPTION_LIMIT_EXCEEDED"``; other messages as
    they are."""
    if not isinstance(message, dict) or message.get("type") != "error":
        return message
    payload = message.get("payload")
    error = {
        "message": f"This socket already runs {limit} operations, the limit "
        "(IGNITION_WS_MAX_SUBSCRIPTIONS); complete one first.",
        "extensions": {"code": SUBSCRIPTION_LIMIT_EXCEEDED, "limit": limit},
    }
    if isinstance(payload, list) and [p.get("message") for p in payload] == [
        _STRAWBERRY_LIMIT_MESSAGE
    ]:
        return {**message, "payload": [error]}
    if isinstance(payload, dict) and payload.get("message") == _STRAWBERRY_LIMIT_MESSAGE:
        return {**message, "payload": error}
    return message


# The open sockets of this process, closed with 1001 at shutdown (:func:`close_all`).
_OPEN: set[WebSocket] = set()


class TextFrames(ASGIWebSocketAdapter):
    """Strawberry's ASGI websocket adapter, sending every message as a text frame and parsing
    incoming ones with orjson."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        ws = self.ws
        try:
            while ws.application_state != WebSocketState.DISCONNECTED:
                text = await ws.receive_text()
                try:
                    yield orjson.loads(text)
                except orjson.JSONDecodeError as exc:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except KeyError as exc:  # a bytes frame: Starlette finds no "text" key
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except (WebSocketDisconnect, RuntimeError) as exc:  # RuntimeError: already closed
            raise WebSocketDisconnected from exc


class DatabaseUnavailableOnConnect(Exception):
    """``connection_init`` could not be checked: the database is unavailable (the socket is
    closed with :data:`TRY_AGAIN_LATER`)."""


async def trusted_refusal(view: Any, message: Any) -> dict[str, Any] | None:
    """In trusted mode (``IGNITION_PERSISTED_QUERIES=trusted``), the error refusing an
    operation sent on a websocket whose document is not a trusted one (None: it may run, its
    ``query`` replaced by the manifest's text). The protocols require ``query``, so a socket
    sends the document's text, not its id; other modes run the document as sent."""
    persisted = view.persisted
    payload = message.get("payload")
    if persisted is None or persisted.mode != "trusted" or not isinstance(payload, dict):
        return None
    try:
        query = await persisted.resolve(payload)
    except PersistedQueryError as exc:
        return {"message": exc.message, "extensions": {"code": exc.code}}
    if query is not None:
        payload["query"] = query
    return None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """graphql-transport-ws with server pings every ``IGNITION_WS_KEEPALIVE_S`` once the
    connection is acknowledged (the protocol's ``ping``; clients answer ``pong``).

    An idle socket holds a timer, not a task: each ping is a short task started when the
    timer fires (which sets the next timer), so 20,000 idle subscribers do not keep 20,000
    sleeping coroutines (bench/subscriptions.py measures the memory per subscriber).
    """

    ping_timer: asyncio.TimerHandle | None = None
    ping_task: asyncio.Task[None] | None = None
    closing = False

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except DatabaseUnavailableOnConnect:
            await self.websocket.close(code=TRY_AGAIN_LATER, reason=UNAVAILABLE_MESSAGE)
            return
        if self.connection_acknowledged and self.ping_timer is None and not self.closing:
            self._schedule_ping()

    def _schedule_ping(self) -> None:
        view: Any = self.view
        loop = asyncio.get_running_loop()
        self.ping_timer = loop.call_later(view.settings.ws_keepalive_s, self._ping_due)

    def _ping_due(self) -> None:
        self.ping_timer = None
        if not self.closing:
            self.ping_task = asyncio.create_task(self._ping())

    async def handle_subscribe(self, message: Any) -> None:
        """Strawberry's, after the trusted-documents check (:func:`trusted_refusal`)."""
        if self.connection_acknowledged:
            refusal = await trusted_refusal(self.view, message)
            if refusal is not None:
                error = {"id": message["id"], "type": "error", "payload": [refusal]}
                await self.send_message(error)
                return
        await super().handle_subscribe(message)

    async def _ping(self) -> None:
        try:
            await self.send_message({"type": "ping"})
        except WebSocketDisconnected:
            return
        finally:
            self.ping_task = None
        if not self.closing:
            self._schedule_ping()

    async def shutdown(self) -> None:
        self.closing = True
        if self.ping_timer is not None:
            self.ping_timer.cancel()
            self.ping_timer = None
        task = self.ping_task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await super().shutdown()

    async def send_message(self, message: Any) -> None:
        """Send ``message``; the limit's refusal gets its code (:func:`_coded_limit_error`)."""
        limit = self.max_subscriptions_per_connection or 0
        await super().send_message(_coded_limit_error(message, limit))


class LegacyWSHandler(BaseGraphQLWSHandler[Any, Any]):
    """The legacy graphql-ws protocol as Strawberry serves it, with the refusal of bad
    credentials closing with 4403 as on graphql-transport-ws (Strawberry closes with 1011,
    "internal error", which a client would retry), and the limit's refusal coded."""

    async def handle_connection_init(self, message: Any) -> None:
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            await self.send_message({"type": "connection_error"})
            await self.websocket.close(code=1000, reason="")
            return
        self.context.connection_params = payload
        try:
            await self.view.on_ws_connect(self.context)
        except ConnectionRejectionError as exc:
            await self.send_message({"type": "connection_error", "payload": exc.payload})
            await self.websocket.close(code=FORBIDDEN_CLOSE, reason="Forbidden")
            return
        except DatabaseUnavailableOnConnect:
            payload = {"message": UNAVAILABLE_MESSAGE, "extensions": {"code": SERVICE_UNAVAILABLE}}
            await self.send_message({"type": "connection_error", "payload": payload})
            await self.websocket.close(code=TRY_AGAIN_LATER, reason=UNAVAILABLE_MESSAGE)
            return
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True
        if self.keep_alive:
            self.keep_alive_task = asyncio.create_task(self.handle_keep_alive())

    async def handle_start(self, message: Any) -> None:
        """Strawberry's, after the trusted-documents check (:func:`trusted_refusal`)."""
        if self.connection_acknowledged:
            refusal = await trusted_refusal(self.view, message)
            if refusal is not None:
                await self.send_message({"type": "error", "id": message["id"], "payload": refusal})
                return
        await super().handle_start(message)

    async def send_message(self, message: Any) -> None:
        """Send ``message``; the limit's refusal gets its code (:func:`_coded_limit_error`)."""
        limit = self.max_subscriptions_per_connection or 0
        await super().send_message(_coded_limit_error(message, limit))


class WebSocketMixin:
    """The websocket behaviour of :class:`gateway.graphql.GatewayGraphQL` (mixed in before
    Strawberry's ``GraphQL``)."""

    settings: Settings
    sessions: SessionCache

    def configure_websockets(self, settings: Settings) -> None:
        """Apply the websocket settings and classes (called by the view's ``__init__``)."""
        view: Any = self  # the attributes are Strawberry's (AsyncBaseHTTPView)
        view.websocket_adapter_class = TextFrames
        view.graphql_transport_ws_handler_class = TransportWSHandler
        view.graphql_ws_handler_class = LegacyWSHandler
        view.connection_init_wait_timeout = timedelta(seconds=settings.ws_connection_init_timeout_s)
        view.max_subscriptions_per_connection = settings.ws_max_subscriptions
        view.keep_alive = True
        view.keep_alive_interval = settings.ws_keepalive_s

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Strawberry's ``run``; a websocket is recorded as open while it is served (see
        :func:`close_all`)."""
        if isinstance(request, WebSocket):
            try:
                async with tracked(request):
                    return await super().run(request, context, root_value)  # type: ignore[misc]
            finally:
                self.sessions.unwatch(request)
        return await super().run(request, context, root_value)  # type: ignore[misc]

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate ``connection_init``'s ``Authorization`` (one statement on a short
        pooled checkout). No ``Authorization``: the socket stays as its handshake made it
        (anonymous unless the handshake carried a valid header).

        Raises:
            ConnectionRejectionError: the token is malformed, unknown or expired (4403).
            DatabaseUnavailableOnConnect: the database is unavailable (1013, try again later).
        """
        # The socket's own context only authenticates; operations run on copies
        # (OperationContext). Whatever its handshake read held goes back to the pool now.
        await context.reader.close()
        params = getattr(context, "connection_params", None) or {}
        header = params.get("Authorization", params.get("authorization"))
        if header is None:
            return NO_CHANGE
        if not isinstance(header, str):
            raise ConnectionRejectionError({"message": "Authorization must be a string."})
        try:
            viewer = await authenticate(context.engine, header, self.sessions)
        except Unauthenticated as exc:
            raise ConnectionRejectionError({"message": exc.reason}) from None
        except Exception as exc:
            if database_unavailable(exc):
                logger.warning("database unavailable at connection_init: %s", type(exc).__name__)
                raise DatabaseUnavailableOnConnect from exc
            raise
        context.viewer = viewer
        if viewer is not None and isinstance(context.request, WebSocket):
            self.sessions.watch(context.request, viewer, _closer(context.request))
        return NO_CHANGE


def _closer(websocket: WebSocket) -> Closer:
    """What closes ``websocket`` when its session is revoked or expires
    (:meth:`gateway.sessions.SessionCache.watch`): close code 4403 with the reason, on both
    protocols, as a refused ``connection_init`` is closed."""

    async def close(reason: str) -> None:
        with contextlib.suppress(Exception):
            if websocket.application_state == WebSocketState.CONNECTED:
                await websocket.close(code=REVOKED_CLOSE, reason=reason)

    return close


@contextlib.asynccontextmanager
async def tracked(websocket: WebSocket) -> AsyncIterator[None]:
    """Record ``websocket`` as open for the duration of the block (see :func:`close_all`)."""
    _OPEN.add(websocket)
    try:
        yield
    finally:
        _OPEN.discard(websocket)


async def close_all(code: int = GOING_AWAY, reason: str = "server shutting down") -> int:
    """Close every open websocket of this process with ``code``; returns how many.

    Called when the process starts shutting down (:func:`close_sockets_on_exit_signals`),
    before uvicorn drops the connections (which would close them with 1012).
    """
    sockets = list(_OPEN)
    for websocket in sockets:
        with contextlib.suppress(Exception):
            if websocket.application_state == WebSocketState.CONNECTED:
                await websocket.close(code=code, reason=reason)
    return len(sockets)


def close_sockets_on_exit_signals() -> Callable[[], None]:
    """Make SIGINT and SIGTERM close every open websocket with 1001 before the server's own
    handler (uvicorn's, installed before the app starts) begins its shutdown, which would
    close them with 1012. A second signal goes straight to the server's handler (uvicorn then
    forces the exit).

    Called from the lifespan's startup, in every worker process. Outside the main thread
    (in-process test clients) it does nothing.

    Returns:
        A function restoring the previous handlers (called at shutdown).
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    previous: dict[int, Any] = {}
    closing = False
    tasks: set[asyncio.Task[None]] = set()

    def handler(signum: int, frame: Any) -> None:
        nonlocal closing
        server_handler = previous[signum]
        if closing:
            server_handler(signum, frame)
            return
        closing = True

        async def graceful() -> None:
            try:
                async with asyncio.timeout(5):
                    await close_all()
            except TimeoutError:
                logger.warning("websockets still closing after 5 s; shutting down anyway")
            finally:
                server_handler(signum, frame)

        def start() -> None:
            task = loop.create_task(graceful())
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        loop.call_soon_threadsafe(start)

    for signum in (signal.SIGINT, signal.SIGTERM):
        current = signal.getsignal(signum)
        if callable(current):
            previous[signum] = current
            signal.signal(signum, handler)

    def restore() -> None:
        for signum, server_handler in previous.items():
            if signal.getsignal(signum) is handler:
                signal.signal(signum, server_handler)

    return restore


def open_sockets() -> int:
    """Websockets open right now in this process."""
    return len(_OPEN)


class OperationContext(SchemaExtension):
    """Gives every operation on a websocket its own context: a copy of the socket's context
    (settings, engine, viewer, the websocket) with a fresh reader and fresh DataLoaders,
    closed when the operation ends (completed, stopped, failed or disconnected).

    Strawberry hands every operation of a socket the one context it built at the handshake;
    the copy replaces it in the operation's execution context before anything runs (the
    extension's ``on_operation`` is entered before parsing). HTTP requests already get a
    context per request and are left alone.
    """

    async def on_operation(self) -> AsyncIterator[None]:
        shared = self.execution_context.context
        own = None
        if isinstance(getattr(shared, "request", None), WebSocket):
            own = fresh_reads(shared)
            self.execution_context.context = own
        try:
            yield
        finally:
            if own is not None:
                await own.reader.close()
