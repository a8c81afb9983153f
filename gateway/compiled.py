"""The compiled read path: queries answered by one SQL statement, in front of Strawberry.

For a GraphQL request over HTTP whose operation the compiler covers (:mod:`schema.compiler`),
sent as a ``POST`` with a JSON body or as a ``GET`` (``?query=&operationName=&variables=``),
the response is PostgreSQL's JSON text wrapped in ``{"data": ...}``: no resolver, no
DataLoader, no row ever becomes a Python object (docs/design.md#the-compiled-path). Everything else
(mutations, also by ``GET``, which the general path refuses; subscriptions, introspection,
hand-written fields, requests the general path answers with an error, such as malformed
``variables`` JSON; the GraphiQL page; batches, uploads, other methods) goes to Strawberry's
view unchanged. ``IGNITION_COMPILED_READS=false`` sends everything there.

Both paths apply the same rules: the document is parsed with the same token limit and
validated with the same rules (depth, aliases, introspection) before any SQL runs (a document
failing them is left to the general path, which reports the errors); the bearer token signs
in with the same statement (prepared once per connection); unexpected errors are logged once
with an id and masked, and ``extensions`` written, by the general path's functions
(:mod:`schema.core.response`); with ``IGNITION_OTEL`` on,
an answered operation gets the general path's operation span (same name and attributes) with
a child span for its statement (:class:`gateway.tracing.CompiledSpans`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from db.availability import SERVICE_UNAVAILABLE, database_unavailable
from gateway.auth import Unauthenticated, Viewer, credentials, sign_in
from gateway.database import driver_connection
from gateway.logs import current_request
from gateway.observe import record_operation
from gateway.sessions import SessionCache
from gateway.tracing import compiled_spans
from schema.compiler import Compiler, NotCovered, Prepared
from schema.core.response import (
    INTERNAL_SERVER_ERROR,
    cost_extension,
    mask_unexpected,
    statements_extension,
)

if TYPE_CHECKING:
    import strawberry

    from gateway.settings import Settings


@dataclass
class Request:
    """A GraphQL request as the compiled path accepts it: one operation, its ``query`` a string,
    ``operationName`` a string or absent, ``variables`` and ``extensions`` objects or absent.

    Made by :meth:`parse` (a JSON ``POST`` body) or :meth:`from_query_params` (a ``GET``),
    both through :meth:`from_data`, the one place that decides what the compiled path reads.
    """

    query: str
    operation_name: str | None
    variables: dict[str, Any] | None

    @classmethod
    def from_data(cls, data: object) -> Request | None:
        """The request of a decoded GraphQL request object, or None for anything the general
        path should read (a batch, missing or mistyped members: it answers those with its
        own errors, e.g. 400 for ``variables`` or ``extensions`` that are not objects)."""
        if not isinstance(data, dict):
            return None
        query = data.get("query")
        name = data.get("operationName")
        variables = data.get("variables")
        extensions = data.get("extensions")
        if (
            not isinstance(query, str)
            or not (name is None or isinstance(name, str))
            or not (variables is None or isinstance(variables, dict))
            or not (extensions is None or isinstance(extensions, dict))
        ):
            return None
        return cls(query, name, variables)

    @classmethod
    def parse(cls, body: bytes) -> Request | None:
        """The request of a JSON ``POST`` body, or None for anything the general path should
        read (invalid JSON, and whatever :meth:`from_data` declines)."""
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        return cls.from_data(data)

    @classmethod
    def from_query_params(cls, params: Mapping[str, str]) -> Request | None:
        """The request of a ``GET``'s query parameters (``query``, ``operationName``, and
        ``variables`` and ``extensions`` as JSON text), or None for anything the general path
        should read. A parameter given twice counts once, with its last value (Starlette's
        ``QueryParams``, which Strawberry reads too). ``variables`` or ``extensions`` that is
        not the JSON text of an object (``null`` included, unlike in a body; an empty value)
        is left to the general path, which refuses it (400).

        Args:
            params: the query parameters, name to (last) value.
        """
        data = query_params_data(params)
        return None if data is None else cls.from_data(data)


def query_params_data(params: Mapping[str, str]) -> dict[str, Any] | None:
    """The request object of a ``GET``'s query parameters: ``variables`` and ``extensions``
    decoded from their JSON text; None when either is not the JSON text of an object (the
    general path refuses that request with 400)."""
    data: dict[str, Any] = dict(params)
    for key in ("variables", "extensions"):
        if key in data:
            try:
                data[key] = orjson.loads(data[key])
            except orjson.JSONDecodeError:
                return None
            if not isinstance(data[key], dict):
                return None
    return data


@dataclass
class Answer:
    """The outcome of :meth:`CompiledReads.answer`: the response body, or None with the
    viewer already signed in (so the general path need not sign in again)."""

    body: bytes | None
    viewer: Viewer | None = None
    signed_in: bool = False
    #: Whether the body carries errors (an unexpected error, masked).
    errors: bool = False


class CompiledReads:
    """Answers covered query operations with one statement on a pooled connection.

    Args:
        settings: the process settings (limits, ``expose_sql_stats``).
        schema: the executable Strawberry schema the general path serves.
        engine_getter: returns the process engine (its pool is shared with the general path).
        sessions: the process's verified sessions (:mod:`gateway.sessions`): a remembered
            one skips the sign-in statement.
    """

    def __init__(
        self,
        settings: Settings,
        schema: strawberry.Schema,
        engine_getter: Callable[[], AsyncEngine],
        sessions: SessionCache | None = None,
    ) -> None:
        self.settings = settings
        self.engine_getter = engine_getter
        self.sessions = sessions
        self.compiler = Compiler.for_settings(schema, settings)
        #: The OpenTelemetry span recorder (None with ``IGNITION_OTEL`` off).
        self.spans = compiled_spans(settings)
        #: Requests answered here, and handed to the general path (benchmarks report them).
        self.served = 0
        self.passed = 0

    async def answer(self, request: Request, authorization: str | None) -> Answer:
        """Answer ``request`` here if the compiler covers it.

        One pooled connection for at most two statements: the sign-in (the general path's
        statement, prepared; none when the process remembers the session,
        :mod:`gateway.sessions`) and the compiled one.

        Returns:
            The response body; or None when the general path must answer (then ``viewer``
            and ``signed_in`` say whether the token was already checked).

        Raises:
            Unauthenticated: a malformed header or a token that signs nobody in (the general
                path raises the same, see ``gateway.auth.authenticate``).
        """
        started = time.perf_counter()
        document = self.compiler.document(request.query, request.operation_name)
        if document is None:
            self.passed += 1
            return Answer(None)
        name = document.operation.name.value if document.operation.name else None
        token = credentials(authorization)
        viewer: Viewer | None = None
        data: str | None = None
        cost: int | None = None
        prepared: Prepared | None = None
        statement_started: float | None = None
        statement_ended: float | None = None
        try:
            async with driver_connection(self.engine_getter()) as driver:
                if token is not None:
                    viewer = await sign_in(driver, token, self.sessions)
                try:
                    prepared = self.compiler.prepare_document(document, request.variables, viewer)
                except NotCovered:
                    prepared = None
                if prepared is not None:
                    cost = prepared.cost
                    statement_started = time.perf_counter()
                    data = await driver.fetchval(prepared.sql, *prepared.args)
                    statement_ended = time.perf_counter()
        except Unauthenticated:
            raise
        except Exception as exc:
            if database_unavailable(exc):  # the view answers 503 (gateway.graphql)
                self._observe(name, viewer, started, failed=True, codes=[SERVICE_UNAVAILABLE])
                raise
            message, error_extensions = mask_unexpected(exc, "the compiled read path")
            self.served += 1
            self._finish(request, name, viewer, started, prepared, statement_started, None)
            error = {"message": message, "extensions": error_extensions}
            body = {"data": None, "errors": [error], "extensions": self._extensions(cost)}
            return Answer(orjson.dumps(body), errors=True)
        if data is None:
            self.passed += 1
            return Answer(None, viewer, signed_in=True)
        self.served += 1
        self._finish(request, name, viewer, started, prepared, statement_started, statement_ended)
        # PostgreSQL spells JSON its own way (`{"me" : null}`, a newline between the items of
        # json_agg): written again by orjson, the compiled path's JSON is the general path's,
        # byte for byte (about 1 ms per MB).
        return Answer(
            b'{"data":'
            + orjson.dumps(orjson.loads(data))
            + b',"extensions":'
            + orjson.dumps(self._extensions(cost))
            + b"}"
        )

    def _extensions(self, cost: int | None) -> dict[str, Any]:
        """The general path's ``extensions``, in its order (:mod:`schema.core.response`): the
        cost estimate and, for benchmarks, the statements of the request's reads (one: the
        sign-in is not a read)."""
        extensions = cost_extension(cost, self.compiler.limits.max_nodes)
        if self.settings.expose_sql_stats:
            extensions.update(statements_extension(1))
        return extensions

    def _finish(
        self,
        request: Request,
        name: str | None,
        viewer: Viewer | None,
        started: float,
        prepared: Prepared | None,
        statement_started: float | None,
        statement_ended: float | None,
    ) -> None:
        """An answered operation in the access line, the metrics and the traces, as on the
        general path; ``statement_ended`` None: it failed (a masked unexpected error)."""
        failed = statement_ended is None
        codes = [INTERNAL_SERVER_ERROR] if failed else None
        self._observe(name, viewer, started, failed=failed, codes=codes)
        if self.spans is not None:
            self._trace(
                request, name, prepared, started, statement_started, statement_ended, failed
            )

    def _trace(
        self,
        request: Request,
        name: str | None,
        prepared: Prepared | None,
        started: float,
        statement_started: float | None,
        statement_ended: float | None,
        failed: bool,
    ) -> None:
        """The operation's OpenTelemetry spans (:class:`gateway.tracing.CompiledSpans`);
        times are ``time.perf_counter()`` seconds."""
        assert self.spans is not None
        self.spans.record(
            query=request.query,
            operation_name=name,
            started=started,
            ended=time.perf_counter(),
            statement=None if prepared is None else prepared.sql,
            statement_started=statement_started,
            statement_ended=statement_ended,
            failed=failed,
        )

    @staticmethod
    def _observe(
        name: str | None,
        viewer: Viewer | None,
        started: float,
        *,
        failed: bool,
        codes: list[str] | None = None,
    ) -> None:
        """The operation in the request's access line and metrics, as on the general path
        (``codes``: the errors' ``extensions.code`` values)."""
        record_operation(
            current_request.get(),
            name=name,
            operation_type="query",
            viewer_id=None if viewer is None else str(viewer.user_id),
            statements=1,
            error_codes=codes or [],
            failed=failed,
            parsed=True,
            duration_s=time.perf_counter() - started,
        )
