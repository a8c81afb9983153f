"""The GraphQL endpoint: Strawberry's ASGI view with the gateway's request lifecycle.

Request lifecycle (the design the mutation and subscription code builds on):

1. ``__call__`` wraps Strawberry's ``run`` for the whole request (HTTP) or socket (websocket),
   under the wall-clock limit ``IGNITION_REQUEST_TIMEOUT_S`` (HTTP only: a socket lives long).
2. :meth:`GatewayGraphQL.get_context` authenticates the bearer token with one statement on a
   short checkout (:func:`gateway.auth.authenticate`) and builds a :class:`Context` whose
   :class:`Reader` holds no connection yet. The context is recorded in the ASGI scope.
3. Strawberry parses the body, validates and executes; the reader checks a connection out at
   its first statement.
4. A ``finally`` closes the reader, whatever happened: success, GraphQL errors, HTTP errors
   (400, 404, 405, 413), an unknown bearer token (401), the timeout (504), an exception
   (500, masked), cancellation, or a client that disconnected (which cancels the work at
   once: :class:`_DisconnectWatch`).

HTTP errors are GraphQL-shaped JSON (``{"errors": [{"message", "extensions": {"code"}}]}``) with
stable codes: ``BAD_REQUEST``, ``UNAUTHENTICATED``, ``NOT_FOUND``, ``METHOD_NOT_ALLOWED``,
``PAYLOAD_TOO_LARGE``, ``REQUEST_TIMEOUT``, ``INTERNAL_SERVER_ERROR``.

GraphQL over HTTP (the GraphQL Foundation's spec): a request error (parse, validation,
variables, operation selection: the operation never ran) answers without a ``data`` entry.
A client whose ``Accept`` prefers ``application/graphql-response+json`` gets that media type
and the spec's status codes (400 for a request error, 200 once execution started); others
get ``application/json`` and 200 for every well-formed request, as before. Strawberry 0.341
implements neither (it always answers ``application/json`` with ``"data": null``).

GraphiQL is served to browsers when enabled; queries may use GET, mutations never do
(Strawberry's default).

Persisted queries (:mod:`gateway.persisted`) are resolved before either path runs: a request
carrying ``extensions.persistedQuery`` gets its document from the store, or is refused with
a GraphQL-shaped error (``PERSISTED_QUERY_NOT_FOUND``, ...). Every JSON answer then gets its
``Cache-Control`` (:meth:`GatewayGraphQL._cache_headers`): ``public`` with an ``ETag`` for a
signed-out ``GET`` read without errors (304 on a matching ``If-None-Match``), else ``private,
no-store``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData, process_result
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from db.availability import (
    RETRY_AFTER_S,
    SERVICE_UNAVAILABLE,
    UNAVAILABLE_MESSAGE,
    database_unavailable,
)
from gateway import graphiql
from gateway.auth import Unauthenticated, authenticate
from gateway.compiled import CompiledReads, query_params_data
from gateway.compiled import Request as CompiledRequest
from gateway.context import Context, Reader
from gateway.events.websocket import OperationContext, WebSocketMixin
from gateway.logs import current_request
from gateway.observe import OperationObserver
from gateway.persisted import PersistedQueries, PersistedQueryError, refuse_extension
from gateway.sessions import SessionCache
from gateway.settings import Settings
from gateway.tracing import tracing_extension
from schema.core.response import mask_unexpected

logger = logging.getLogger("ignition.http")

#: Key of the request's :class:`Context` in the ASGI scope (set by ``get_context``).
CONTEXT_SCOPE_KEY = "ignition.context"

#: Key of the viewer the compiled path signed in before handing a request over.
VIEWER_SCOPE_KEY = "ignition.viewer"

#: ``extensions.code`` of an HTTP-level error, by status.
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    500: "INTERNAL_SERVER_ERROR",
    503: SERVICE_UNAVAILABLE,
    504: "REQUEST_TIMEOUT",
}

#: The GraphQL-over-HTTP media type.
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
#: Scope key set when the request's result is a request error (see :meth:`process_result`).
REQUEST_ERROR_SCOPE_KEY = "ignition.request_error"
#: Scope key set when the result carries ``SERVICE_UNAVAILABLE`` errors: ``True`` when the
#: operation produced nothing else (no data, or every root field null, and no other error).
UNAVAILABLE_SCOPE_KEY = "ignition.unavailable"
_DATA_SCOPE_KEY = "ignition.has_data"
#: Scope key set when the response is a GraphQL result without errors (it may be cached).
CLEAN_SCOPE_KEY = "ignition.clean"

#: The document a persisted query resolved to, for Strawberry's view: ``(text,)`` once the
#: request was resolved by :meth:`GatewayGraphQL._answer` (``(None,)``: nothing to resolve),
#: unset when it could not read the request (multipart, a batch).
_persisted: ContextVar[tuple[str | None] | None] = ContextVar("persisted", default=None)


class MethodNotAllowed(HTTPException):
    """A 405 answer with its ``Allow`` header's value (``allow``)."""

    def __init__(self, reason: str, *, allow: str) -> None:
        super().__init__(405, reason)
        self.allow = allow


class ClientGone(Exception):
    """The client disconnected while its request ran (:class:`_DisconnectWatch`)."""


class _DisconnectWatch:
    """Notices that the client of an HTTP request disconnected, so that its work can be
    cancelled and its connection returned at once (uvicorn does not cancel the application on
    a disconnect; it only reports ``http.disconnect`` to ``receive``).

    :meth:`receive` is the request's ``receive``; it notes when the body has been read (at once
    for GET and HEAD). From then on :meth:`disconnected` waits on ``receive`` for
    ``http.disconnect``: nobody else reads it any more (Starlette caches the body, and the
    response is sent once the work is over).

    Own code: Starlette only offers ``Request.is_disconnected()`` (polling) and the watcher
    of its streaming responses, not a way to cancel a plain request when its client leaves.
    """

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self._receive = receive
        self._body_read = asyncio.Event()
        if scope.get("method") in ("GET", "HEAD"):
            self._body_read.set()

    async def receive(self) -> Message:
        """The ``receive`` of the request: passes messages on, noting the body's end."""
        message = await self._receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            self._body_read.set()
        return message

    async def disconnected(self) -> None:
        """Return when the client has disconnected (after the body was read)."""
        await self._body_read.wait()
        try:
            while (await self._receive())["type"] != "http.disconnect":
                pass
        except Exception:  # a receive that fails (a body limit): never report a disconnect
            await asyncio.Future()


def prefers_graphql_response(accept: str | None) -> bool:
    """Whether an ``Accept`` header asks for ``application/graphql-response+json`` at least as
    much as for ``application/json`` (q-values honoured; no header: plain JSON)."""
    if not accept:
        return False
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[media.lower()] = max(weight, weights.get(media.lower(), 0.0))
    ours = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    return ours > 0 and ours >= weights.get("application/json", 0.0)


#: Websocket close code for a handshake whose credentials sign nobody in (graphql-ws's
#: "Forbidden", the code it uses when a connection is refused).
WS_UNAUTHENTICATED = 4403


def unavailable_response() -> Response:
    """The answer while the database cannot be reached: 503, ``SERVICE_UNAVAILABLE``,
    ``Retry-After``."""
    return error_response(503, UNAVAILABLE_MESSAGE, headers={"Retry-After": str(RETRY_AFTER_S)})


def error_response(
    status: int, message: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """A GraphQL-shaped JSON error response.

    Args:
        status: the HTTP status; its ``extensions.code`` comes from :data:`HTTP_ERROR_CODES`.
        message: the text for the client (never exception text or SQL).
        headers: extra response headers.
    """
    code = HTTP_ERROR_CODES.get(status, "BAD_REQUEST")
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def build_process_schema(settings: Settings) -> strawberry.Schema:
    """The schema as this process runs it: :func:`schema.build_schema` with the process's own
    extensions around every operation (a websocket operation's own context, the operation
    observer's metrics and access log, OpenTelemetry tracing when ``settings.otel`` is on).

    Raises:
        gateway.tracing.TracingUnavailableError: tracing is on but ``opentelemetry-api`` is
            missing.
    """
    from schema import build_schema
    from schema.core.build import ProcessExtensions

    tracing = tracing_extension(settings)
    return build_schema(
        settings,
        ProcessExtensions(
            outer=(OperationContext, OperationObserver),
            traced=() if tracing is None else (tracing,),
        ),
    )


class GatewayGraphQL(WebSocketMixin, GraphQL[Context, None]):
    """Strawberry's ASGI GraphQL app with the gateway's context, request lifecycle and orjson
    encoding (the websocket behaviour: :class:`gateway.events.websocket.WebSocketMixin`)."""

    def __init__(
        self,
        settings: Settings,
        engine_getter: Callable[[], AsyncEngine],
        sessions: SessionCache | None = None,
        **kwargs: Any,
    ) -> None:
        schema = build_process_schema(settings)
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            **kwargs,
        )
        self.settings = settings
        self.engine_getter = engine_getter
        #: The process's verified sessions (:mod:`gateway.sessions`; the event hub applies
        #: revocations to the same object).
        self.sessions = sessions if sessions is not None else SessionCache(settings.session_cache_s)
        self.configure_websockets(settings)
        #: The compiled read path (None with ``IGNITION_COMPILED_READS=false``).
        self.compiled = (
            CompiledReads(settings, schema, engine_getter, self.sessions)
            if settings.compiled_reads
            else None
        )
        #: Persisted queries (None with ``IGNITION_PERSISTED_QUERIES=off``).
        self.persisted = (
            None
            if settings.persisted_queries == "off"
            else PersistedQueries(
                settings.persisted_queries, schema._schema, settings, engine_getter
            )
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request or one websocket; the request's reader is closed on every
        path (see the module docstring)."""
        if scope["type"] == "http":
            await self._serve_http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._serve_websocket(scope, receive, send)
        else:  # pragma: no cover (Starlette routes only these two here)
            raise ValueError(f"unknown scope type {scope['type']!r}")

    async def _serve_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = _DisconnectWatch(scope, receive)
        request = Request(scope, receive=watch.receive)
        limit = self.settings.request_timeout_s
        try:
            try:
                async with asyncio.timeout(limit) as deadline:
                    response = await self._run_until_disconnect(request, watch)
            except ClientGone:
                logger.info("client disconnected: request cancelled")
                return  # nobody to answer
            except TimeoutError:
                if not deadline.expired():
                    raise
                logger.warning("request cancelled after %gs (REQUEST_TIMEOUT)", limit)
                response = error_response(
                    504, f"The request took longer than {limit:g} s and was cancelled."
                )
            except HTTPException as exc:
                allow = getattr(exc, "allow", "GET, POST") if exc.status_code == 405 else None
                response = error_response(
                    exc.status_code, exc.reason, headers={"Allow": allow} if allow else None
                )
            except StarletteHTTPException as exc:
                response = error_response(exc.status_code, exc.detail, headers=exc.headers)
            except Unauthenticated as exc:
                response = error_response(
                    401, exc.reason, headers={"WWW-Authenticate": 'Bearer realm="ignition"'}
                )
            except PersistedQueryError as exc:
                response = Response(
                    orjson.dumps(exc.body()),
                    status_code=exc.status,
                    media_type="application/json",
                )
            except ClientDisconnect:
                return  # nobody to answer
            except Exception as exc:
                if database_unavailable(exc):
                    logger.warning("database unavailable: %s", type(exc).__name__)
                    response = unavailable_response()
                else:
                    message, _ = mask_unexpected(exc, "the HTTP request")
                    response = error_response(500, message)
        finally:
            await self._close_context(scope)
        graphql_response = prefers_graphql_response(request.headers.get("accept"))
        if graphql_response:
            self._as_graphql_response(scope, response)
        self._unavailable(scope, response, graphql_response)
        response = self._cache_headers(request, response)
        await response(scope, receive, send)

    async def _run_until_disconnect(self, request: Request, watch: _DisconnectWatch) -> Response:
        """The answer (compiled, or Strawberry's ``run``: :meth:`_answer`) in a task of its own,
        cancelled (and awaited) when the client disconnects or when this task is cancelled
        (the request timeout).

        Raises:
            ClientGone: the client disconnected first.
            whatever ``run`` raises.
        """
        work = asyncio.ensure_future(self._answer(request))
        gone = asyncio.ensure_future(watch.disconnected())
        try:
            await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            if not work.done():
                work.cancel()
                await asyncio.wait({work})
        if work.cancelled():
            raise ClientGone
        return work.result()

    @staticmethod
    def _unavailable(scope: Scope, response: Response, graphql_response: bool) -> None:
        """``Retry-After`` on a result that carries ``SERVICE_UNAVAILABLE`` errors, and 503
        when the outage is all it holds. With ``application/graphql-response+json`` a response
        whose ``data`` is an object must be 2xx (GraphQL over HTTP), so it keeps 200 there."""
        unavailable = scope.get(UNAVAILABLE_SCOPE_KEY)
        if unavailable is None or response.status_code != 200:
            return
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        if unavailable and not (graphql_response and scope.get(_DATA_SCOPE_KEY)):
            response.status_code = 503

    @staticmethod
    def _as_graphql_response(scope: Scope, response: Response) -> None:
        """Turn a JSON answer into ``application/graphql-response+json`` with the status the
        GraphQL-over-HTTP spec gives it."""
        if not response.headers.get("content-type", "").startswith("application/json"):
            return  # the GraphiQL page
        response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
        if scope.get(REQUEST_ERROR_SCOPE_KEY) and response.status_code == 200:
            response.status_code = 400

    async def _answer(self, request: Request) -> Response:
        """The compiled path's response when it covers the request (a query it compiles,
        by ``GET`` or as a JSON ``POST``; :mod:`gateway.compiled`), else Strawberry's view.
        Both run under the same timeout and error handling (``_serve_http``), and a request
        handed over keeps the viewer the compiled path signed in (the token is checked once).

        Raises:
            Unauthenticated: a bad ``Authorization`` header (as ``get_context`` raises).
        """
        data = await _request_data(request)
        if data is not None:
            query = await self._resolve_persisted(data)
            _persisted.set((query,))
            if query is not None:
                data = {**data, "query": query}
        if self.compiled is not None and data is not None:
            parsed = CompiledRequest.from_data(data)
            if parsed is not None:
                answer = await self.compiled.answer(parsed, request.headers.get("authorization"))
                if answer.body is not None:
                    request.scope[CLEAN_SCOPE_KEY] = not answer.errors
                    return Response(answer.body, media_type="application/json")
                if answer.signed_in:
                    request.scope[VIEWER_SCOPE_KEY] = answer.viewer
        response: Response = await self.run(request)
        return response

    async def _resolve_persisted(self, data: Mapping[str, Any]) -> str | None:
        """The document a request runs when it is a persisted query (``gateway.persisted``),
        None when it sends its own (or nothing).

        Raises:
            PersistedQueryError: the request is refused.
        """
        if self.persisted is None:
            refuse_extension(data)
            return None
        return await self.persisted.resolve(data)

    async def parse_http_body(self, request_adapter: Any) -> Any:
        """Strawberry's reading of the request, with the document of a persisted query filled
        in: the one :meth:`_answer` resolved, or, for what it could not read (a batch, a
        multipart upload), each operation's own.

        Raises:
            PersistedQueryError: an operation is refused (``gateway.persisted``).
        """
        request_data = await super().parse_http_body(request_adapter)
        resolved = _persisted.get()
        if resolved is not None and isinstance(request_data, GraphQLRequestData):
            query = resolved[0]
            if query is not None:
                request_data.query = query
            return request_data
        for item in request_data if isinstance(request_data, list) else [request_data]:
            query = await self._resolve_persisted(
                {"query": item.query, "extensions": item.extensions}
            )
            if query is not None:
                item.query = query
        return request_data

    def should_render_graphql_ide(self, request: Any) -> bool:
        """Strawberry's test (a ``GET`` without ``query`` that accepts HTML or ``*/*``),
        except for a persisted query's ``GET``, which has no ``query`` either."""
        resolved = _persisted.get()
        if resolved is not None and resolved[0] is not None:
            return False
        return bool(super().should_render_graphql_ide(request))

    def _cache_headers(self, request: Request, response: Response) -> Response:
        """HTTP caching of a GraphQL response (README, "Persisted queries and HTTP caching").

        A signed-out ``GET`` answered 200 without errors is the same for every signed-out
        client: ``Cache-Control: public, max-age=<IGNITION_CACHE_MAX_AGE_S>``, an ``ETag``
        (the SHA-256 of the body) and ``Vary: Accept, Authorization``; an ``If-None-Match``
        naming that tag answers 304 without a body. Every other GraphQL response is
        ``private, no-store``. The GraphiQL page is left alone.

        Returns:
            ``response`` with its headers, or the 304 that replaces it.
        """
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith(("application/json", GRAPHQL_RESPONSE_JSON)):
            return response
        if not (
            request.method == "GET"
            and response.status_code == 200
            and "authorization" not in request.headers
            and request.scope.get(CLEAN_SCOPE_KEY)
        ):
            response.headers["Cache-Control"] = "private, no-store"
            return response
        etag = f'"{hashlib.sha256(response.body).hexdigest()[:32]}"'
        headers = {
            "Cache-Control": f"public, max-age={self.settings.cache_max_age_s}",
            "ETag": etag,
            "Vary": "Accept, Authorization",
        }
        if _etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response

    async def _serve_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive=receive, send=send)
        try:
            await self.run(websocket)
        except Unauthenticated as exc:
            with contextlib.suppress(Exception):
                await websocket.close(code=WS_UNAUTHENTICATED, reason=exc.reason)
        finally:
            await self._close_context(scope)

    @staticmethod
    async def _close_context(scope: Scope) -> None:
        context: Context | None = scope.pop(CONTEXT_SCOPE_KEY, None)
        if context is not None:
            await context.reader.close()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        """The request context. Authenticates ``Authorization: Bearer <token>`` on a short
        checkout (no header: anonymous); the reader takes no connection yet.

        Raises:
            Unauthenticated: the header carries an unknown, expired or malformed token.
        """
        engine = self.engine_getter()
        if VIEWER_SCOPE_KEY in request.scope:  # signed in by the compiled path already
            viewer = request.scope[VIEWER_SCOPE_KEY]
        else:
            viewer = await authenticate(engine, request.headers.get("authorization"), self.sessions)
        context = Context(
            settings=self.settings,
            engine=engine,
            reader=Reader(engine),
            viewer=viewer,
            request=request,
            response=response,
            request_id=record.request_id if (record := current_request.get()) else None,
            sessions=self.sessions,
        )
        request.scope[CONTEXT_SCOPE_KEY] = context
        return context

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the gateway's own assets (:mod:`gateway.graphiql`), never a CDN."""
        return graphiql.page_response()

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        """The response body of a result; a request error (no field ran: every error lacks a
        path and there is no data) has no ``data`` entry (GraphQL spec, "Response Format")."""
        body = process_result(result)
        errors = result.errors or ()
        request.scope[CLEAN_SCOPE_KEY] = not errors
        if result.data is None and errors and all(e.path is None for e in errors):
            body.pop("data", None)
            request.scope[REQUEST_ERROR_SCOPE_KEY] = True
        codes = [(e.extensions or {}).get("code") for e in errors]
        if SERVICE_UNAVAILABLE in codes:
            nothing = result.data is None or all(v is None for v in result.data.values())
            only_outage = all(code == SERVICE_UNAVAILABLE for code in codes)
            request.scope[UNAVAILABLE_SCOPE_KEY] = nothing and only_outage
            request.scope[_DATA_SCOPE_KEY] = result.data is not None
        return body

    async def execute_single(
        self, request: Request, request_adapter: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Strawberry's execution of one request, with a mutation sent by ``GET`` refused by
        405 and ``Allow: POST`` (GraphQL over HTTP, "GET": a mutation by GET must be refused
        with 405; Strawberry answers 400).

        Raises:
            MethodNotAllowed: a mutation by ``GET``.
        """
        try:
            return await super().execute_single(request, request_adapter, *args, **kwargs)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError) and (
                request_adapter.method == "GET"
                and exc.__cause__.operation_type == OperationType.MUTATION
            ):
                raise MethodNotAllowed(
                    "A mutation cannot be sent by GET: send it by POST.", allow="POST"
                ) from exc
            raise

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """JSON with orjson, which refuses lone surrogates (invalid UTF-8) that PostgreSQL
        would refuse later, so they are a 400 here instead of an internal error."""
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, "The request body is not valid JSON.") from exc

    def parse_json(self, data: str | bytes) -> Any:
        """A JSON object from the body or a GET parameter (``variables``, ``extensions``).

        Raises:
            HTTPException: 400 when it is not JSON, or JSON but not an object (``null``, a
                string, a number; a list is left to Strawberry's batch check).
        """
        value = self.decode_json(data)
        if not isinstance(value, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return value


async def _request_data(request: Request) -> dict[str, Any] | None:
    """The request object as the gateway reads it before Strawberry (persisted queries, the
    compiled path): a ``GET``'s query parameters or a JSON ``POST`` body; None for other
    methods and content types (uploads), invalid JSON and batches (Strawberry reads those
    itself and reports their errors). A ``GET`` without ``query`` (the GraphiQL page) is
    declined by :class:`gateway.compiled.Request`, so the general path serves it."""
    if request.method == "GET":
        return query_params_data(request.query_params)
    if request.method == "POST" and _is_json(request):
        body = await request.body()  # kept on the request: Strawberry reads it again
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None
    return None


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or ``*``); weak tags compare by
    their opaque part (RFC 9110, "If-None-Match": the weak comparison)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def graphql_app(
    settings: Settings,
    engine_getter: Callable[[], AsyncEngine],
    sessions: SessionCache | None = None,
) -> ASGIApp:
    """The ASGI app serving GraphQL over HTTP (and websockets) at ``/graphql``.

    Args:
        settings: the process settings (GraphiQL, introspection, query limits, timeouts).
        engine_getter: returns the process engine; called per request, after startup.
        sessions: the process's verified sessions (a new one when omitted).

    Returns:
        An ASGI application for HTTP and websocket scopes.
    """
    return GatewayGraphQL(settings, engine_getter, sessions)
