"""Observation of every request: the request id, the access log line and the metrics.

Two pieces, one per layer:

- :class:`ObservationMiddleware` (pure ASGI, outermost but for Starlette's error handler) gives
  each HTTP request and websocket a :class:`gateway.logs.RequestRecord` (request id from
  ``X-Request-ID`` or new, returned in the response or handshake headers), counts it in the
  HTTP metrics and writes the one access line of an HTTP request when its response is done,
  whatever happened inside (GraphQL or not, 2xx or 5xx, client gone).
- :class:`OperationObserver` (a Strawberry ``SchemaExtension``, first in the schema's list so
  it sees the result after error masking) records each GraphQL operation: name, type, viewer,
  SQL statements, outcome and error codes, into the request's record and the GraphQL metrics.
  Over a websocket, where one connection carries many operations, it writes one access line
  per operation itself.

Without a current record (a schema executed in process, as the API tests do) the extension
records nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from typing import Any

from graphql import GraphQLError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from gateway.logs import (
    ACCESS_LOGGER,
    REQUEST_ID_HEADER,
    RequestRecord,
    current_request,
    request_id_from,
)
from gateway.metrics import ERROR, OK, OPERATION_NAME, REFUSED, Metrics, refusal_limit

access_log = logging.getLogger(ACCESS_LOGGER)

#: Routes answered often by machines: their successful requests are logged at DEBUG, not INFO.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass
class ObservedRequest(RequestRecord):
    """A request record that also carries the metrics to report into (None: not counted)."""

    metrics: Metrics | None = None


class ObservationMiddleware:
    """ASGI middleware: request ids, HTTP metrics and the access log (see the module docstring).

    Args:
        app: the wrapped application.
        metrics: where to count requests (None: count nothing, still log).
        routes: the route paths of the application (the ``route`` label; anything else is
            ``unmatched``, so random paths do not create series).
        mounts: path prefixes of mounted apps (every path under one is labelled with it).
    """

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics | None,
        routes: Iterable[str],
        mounts: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = frozenset(routes)
        self.mounts = tuple(mounts)

    def route_of(self, path: str) -> str:
        """The ``route`` label of a request path."""
        if path in self.routes:
            return path
        return next((m for m in self.mounts if path.startswith(m + "/")), "unmatched")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _record(self, scope: Scope, kind: Any, method: str) -> ObservedRequest:
        header = Headers(scope=scope).get(REQUEST_ID_HEADER)
        return ObservedRequest(
            request_id=request_id_from(header),
            kind=kind,
            method=method,
            path=scope["path"],
            metrics=self.metrics,
        )

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        record = self._record(scope, "http", scope["method"])
        token = current_request.set(record)
        status = 0  # no response started: the client left, or the app failed before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = record.request_id
            await send(message)

        if self.metrics is not None:
            self.metrics.http_in_progress.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except asyncio.CancelledError:
            raise  # the server cancelled the request (shutdown): no response, status stays 0
        except BaseException:
            status = status or 500  # Starlette's error handler answers 500 outside us
            raise
        finally:
            duration = time.perf_counter() - record.started
            route = self.route_of(record.path)
            if self.metrics is not None:
                self.metrics.http_in_progress.dec()
                self.metrics.observe_http(record.method, route, status, duration)
            _log_access(record, status)
            current_request.reset(token)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        record = self._record(scope, "websocket", "WEBSOCKET")
        token = current_request.set(record)
        accepted = False

        async def send_with_id(message: Message) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept":
                accepted = True
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != REQUEST_ID_HEADER.lower().encode()
                ]
                headers.append((REQUEST_ID_HEADER.lower().encode(), record.request_id.encode()))
                message = {**message, "headers": headers}
                if self.metrics is not None:
                    self.metrics.websockets.inc()
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if accepted and self.metrics is not None:
                self.metrics.websockets.dec()
            access_log.info(
                "websocket %s closed",
                record.path,
                extra={
                    "method": record.method,
                    "path": record.path,
                    "status": 101 if accepted else 403,
                    "duration_ms": _ms(record),
                },
            )
            current_request.reset(token)


def _ms(record: RequestRecord) -> float:
    return round((time.perf_counter() - record.started) * 1000, 2)


def _log_access(record: RequestRecord, status: int) -> None:
    """The access line of a finished HTTP request (or websocket operation, ``status`` 0)."""
    outcome = record.outcome
    if outcome is None:  # no GraphQL operation ran: judge by the status
        limit = refusal_limit(["PAYLOAD_TOO_LARGE"]) if status == 413 else None
        outcome = REFUSED if limit else OK if 0 < status < 400 else ERROR
    level = logging.INFO
    if record.path in PROBE_PATHS and outcome == OK:
        level = logging.DEBUG
    what = f"{record.method} {record.path}" + (f" {status}" if status else "")
    access_log.log(
        level,
        what,
        extra={
            "method": record.method,
            "path": record.path,
            "status": status or None,
            "duration_ms": _ms(record),
            "outcome": outcome,
            "error_codes": record.error_codes or None,
        },
    )


class OperationObserver(SchemaExtension):
    """Records one GraphQL operation into the current request record and the metrics."""

    def __init__(self) -> None:
        self.failed_with_exception = False

    async def on_operation(self) -> AsyncIterator[None]:
        request = current_request.get()
        operation = request
        token = None
        if isinstance(request, ObservedRequest) and request.kind == "websocket":
            # One websocket carries many operations: each gets a record of its own (the
            # operation runs in its own task, so this does not leak into the others).
            operation = replace(request, started=time.perf_counter(), error_codes=[])
            token = current_request.set(operation)
        started = time.perf_counter()
        try:
            yield
        except (asyncio.CancelledError, GeneratorExit):
            # A subscription ends this way when its client stops it (``complete``, or the
            # socket closing): a normal end, not a failure. A query or mutation cancelled
            # (its timeout, its client gone) did fail.
            if self._operation()[1] != "subscription":
                self.failed_with_exception = True
            raise
        except BaseException:
            self.failed_with_exception = True
            raise
        finally:
            if isinstance(operation, ObservedRequest):
                self._finish(operation, time.perf_counter() - started)
            if token is not None:
                current_request.reset(token)

    async def on_execute(self) -> AsyncIterator[None]:
        # Known from here on: later log lines of the request (errors) carry them.
        request = current_request.get()
        if request is not None:
            request.operation_name, request.operation_type = self._operation()
            request.viewer_id = self._viewer_id()
        yield

    def _operation(self) -> tuple[str | None, str]:
        context = self.execution_context
        try:
            name = context.operation_name
        except Exception:  # a document without operations
            name = None
        if name is not None and not OPERATION_NAME.fullmatch(name):
            name = "<invalid>"  # an ``operationName`` that no document can define: not logged
        try:
            kind = context.operation_type.value
        except Exception:  # not parsed, or operationName names no operation of the document
            kind = "unknown"
        return name, kind

    def _viewer_id(self) -> str | None:
        viewer = getattr(self.execution_context.context, "viewer", None)
        return None if viewer is None else str(viewer.user_id)

    def _errors(self) -> list[GraphQLError]:
        context = self.execution_context
        result = context.result
        errors = getattr(result, "errors", None) if result is not None else None
        return list(errors or context.pre_execution_errors or [])

    def _finish(self, record: ObservedRequest, duration_s: float) -> None:
        name, kind = self._operation()
        errors = self._errors()
        codes = [
            code
            for error in errors
            if isinstance(code := (error.extensions or {}).get("code"), str) and code
        ]
        reader = getattr(self.execution_context.context, "reader", None)
        record_operation(
            record,
            name=name,
            operation_type=kind,
            viewer_id=self._viewer_id(),
            statements=int(getattr(reader, "statements", 0) or 0),
            error_codes=codes,
            failed=bool(errors) or self.failed_with_exception,
            parsed=self.execution_context.graphql_document is not None,
            duration_s=duration_s,
        )


def record_operation(
    record: RequestRecord | None,
    *,
    name: str | None,
    operation_type: str,
    viewer_id: str | None,
    statements: int,
    error_codes: list[str],
    failed: bool,
    parsed: bool,
    duration_s: float,
) -> None:
    """Record one GraphQL operation into the request's record and its metrics (what
    :class:`OperationObserver` does for Strawberry's path; the compiled read path,
    ``gateway.compiled``, calls it directly). Nothing without an observed record."""
    if not isinstance(record, ObservedRequest):
        return
    if record.metrics is not None:
        outcome, _ = record.metrics.observe_operation(
            name=name,
            operation_type=operation_type,
            parsed=parsed,
            error_codes=error_codes,
            failed=failed,
            duration_s=duration_s,
            statements=statements,
        )
    else:
        outcome = REFUSED if refusal_limit(error_codes) else ERROR if failed else OK
    record.operation_name = name
    record.operation_type = operation_type
    record.viewer_id = viewer_id
    record.statements = statements
    record.outcome = outcome
    record.error_codes = error_codes
    if record.kind == "websocket":
        _log_access(record, 0)
