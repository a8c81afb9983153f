"""OpenTelemetry tracing of GraphQL operations, through Strawberry's ``OpenTelemetryExtension``.

Off by default. ``IGNITION_OTEL=true`` turns it on; the OpenTelemetry packages are the
optional extra ``pip install 'ignition-gateway[otel]'`` (``opentelemetry-api``,
``opentelemetry-sdk``, ``opentelemetry-exporter-otlp-proto-http``); turning it on without them
is a configuration error at startup, not a silent no-op.

Spans (Strawberry's ``OpenTelemetryExtension``): one per operation, named
``GraphQL Query: <operation name>`` (``GraphQL Query`` for an anonymous one, whatever its type),
kind ``SERVER``, with children for parsing, validation and every resolver, and attributes
``component=graphql``, ``query`` (the document) and, added here, ``graphql.operation.name``
and ``graphql.operation.type`` (OpenTelemetry's GraphQL conventions). An operation the compiled
read path answers (:mod:`gateway.compiled`) gets the same span with the same attributes, plus
``ignition.compiled=true``, and one child ``GraphQL Compiled Statement`` for its SQL
(``db.system=postgresql``, ``db.statement``: the text with bind parameters, never values);
it has no parsing or validation children (both are cached) and is recorded once the answer is
known, so a request handed to the general path has only the general path's span.

Where they go follows OpenTelemetry's standard environment variables: when the
process already has a tracer provider (``opentelemetry-instrument``, or one set by the code
that embeds the gateway), that one; otherwise :func:`configure_tracing` installs the SDK's,
named by ``OTEL_SERVICE_NAME`` (default ``ignition-gateway``), exporting per
``OTEL_TRACES_EXPORTER``: ``otlp`` (the default; OTLP over HTTP to
``OTEL_EXPORTER_OTLP_ENDPOINT``, default ``http://localhost:4318``), ``console`` (JSON on
stdout) or ``none``.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gateway.settings import Settings

#: Attributes of an operation span (OpenTelemetry's semantic conventions for GraphQL).
OPERATION_NAME = "graphql.operation.name"
OPERATION_TYPE = "graphql.operation.type"

_lock = threading.Lock()
_provider: Any = None


class TracingUnavailableError(RuntimeError):
    """``IGNITION_OTEL=true`` but the OpenTelemetry packages are not installed."""


def tracer_provider() -> Any:
    """The tracer provider the extension reports to: the one :func:`configure_tracing`
    installed, else the process's global provider."""
    if _provider is not None:
        return _provider
    from opentelemetry import trace

    return trace.get_tracer_provider()


def configure_tracing(settings: Settings) -> bool:
    """Set up tracing when ``settings.otel`` is on (once per process).

    Returns:
        Whether tracing is on.

    Raises:
        TracingUnavailableError: tracing is on but ``opentelemetry-api`` is missing.
        ValueError: ``OTEL_TRACES_EXPORTER`` names an exporter this module does not know.
    """
    global _provider
    if not settings.otel:
        return False
    try:
        from opentelemetry import trace
    except ImportError as exc:
        raise TracingUnavailableError(
            "IGNITION_OTEL=true needs the OpenTelemetry packages: "
            "pip install 'ignition-gateway[otel]'"
        ) from exc
    with _lock:
        if _provider is not None:
            return True
        current = trace.get_tracer_provider()
        if not isinstance(current, trace.ProxyTracerProvider):
            _provider = current  # somebody (opentelemetry-instrument) configured it already
            return True
        try:
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
        except ImportError:  # the API alone: spans go to whatever provider is set later
            return True
        service = os.environ.get("OTEL_SERVICE_NAME") or "ignition-gateway"
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        exporter = _exporter(os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower())
        if exporter is not None:
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            provider.add_span_processor(BatchSpanProcessor(exporter))
        _provider = provider
        return True


def _exporter(name: str) -> Any:
    if name in ("none", ""):
        return None
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if name == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            raise TracingUnavailableError(
                "OTEL_TRACES_EXPORTER=otlp needs opentelemetry-exporter-otlp-proto-http: "
                "pip install 'ignition-gateway[otel]'"
            ) from exc
        return OTLPSpanExporter()
    raise ValueError(f"OTEL_TRACES_EXPORTER={name!r}: use otlp, console or none")


def shutdown_tracing() -> None:
    """Flush and stop the provider :func:`configure_tracing` created (at process shutdown)."""
    global _provider
    with _lock:
        provider, _provider = _provider, None
    shutdown = getattr(provider, "shutdown", None)
    if shutdown is not None:
        shutdown()


def tracing_extension(settings: Settings | None) -> Any:
    """A factory of the operation tracing extension (Strawberry's ``OpenTelemetryExtension``
    with the operation's name and type as attributes; one instance per request) when
    ``settings.otel`` is on, else None.

    Raises:
        TracingUnavailableError: tracing is on but ``opentelemetry-api`` is missing.
    """
    if settings is None or not settings.otel:
        return None
    configure_tracing(settings)
    from strawberry.extensions import LifecycleStep
    from strawberry.extensions.tracing import OpenTelemetryExtension

    class OperationTracing(OpenTelemetryExtension):
        """Strawberry's extension, its operation span also carrying
        ``graphql.operation.name`` and ``graphql.operation.type`` once the document is parsed."""

        def on_operation(self) -> Any:
            operation = super().on_operation()
            next(operation)
            yield
            span = self._span_holder.get(LifecycleStep.OPERATION)
            context = self.execution_context
            if span is not None and context.graphql_document is not None:
                try:
                    kind = context.operation_type.value
                except RuntimeError:  # no such operation: the request error says so
                    kind = None
                if kind is not None:
                    span.set_attribute(OPERATION_TYPE, kind)
                    if context.operation_name:
                        span.set_attribute(OPERATION_NAME, context.operation_name)
            next(operation, None)  # Strawberry's end of the span

    return lambda: OperationTracing(tracer_provider=tracer_provider())


class CompiledSpans:
    """Records the spans of operations the compiled read path answered (see the module
    docstring), after the fact, with the times the path measured, to :func:`tracer_provider`
    (looked up per operation, as the extension does)."""

    def record(
        self,
        *,
        query: str,
        operation_name: str | None,
        started: float,
        ended: float,
        statement: str | None,
        statement_started: float | None,
        statement_ended: float | None,
        failed: bool,
    ) -> None:
        """Record one operation span and its statement's child span.

        Args:
            query: the GraphQL document, as received.
            operation_name: the operation's name (None: anonymous).
            started, ended: the operation's start and end, ``time.perf_counter()`` seconds.
            statement: the compiled SQL text (None when the failure came before it).
            statement_started, statement_ended: when it ran (``perf_counter`` seconds; None
                when it never started, an end of None is the operation's end).
            failed: the operation ended with an unexpected (masked) error: both spans get
                the status ``ERROR``.
        """
        from opentelemetry import trace
        from opentelemetry.trace import SpanKind, Status, StatusCode

        tracer = trace.get_tracer("ignition.compiled", tracer_provider=tracer_provider())
        now_ns, now = time.time_ns(), time.perf_counter()

        def wall(moment: float) -> int:
            return now_ns - int((now - moment) * 1e9)

        name = f"GraphQL Query: {operation_name}" if operation_name else "GraphQL Query"
        attributes: dict[str, Any] = {"component": "graphql", OPERATION_TYPE: "query"}
        if query:
            attributes["query"] = query
        if operation_name:
            attributes[OPERATION_NAME] = operation_name
        attributes["ignition.compiled"] = True
        span = tracer.start_span(
            name, kind=SpanKind.SERVER, attributes=attributes, start_time=wall(started)
        )
        if statement is not None and statement_started is not None:
            child = tracer.start_span(
                "GraphQL Compiled Statement",
                context=trace.set_span_in_context(span),
                kind=SpanKind.CLIENT,
                attributes={"db.system": "postgresql", "db.statement": statement},
                start_time=wall(statement_started),
            )
            if failed:
                child.set_status(Status(StatusCode.ERROR))
            child.end(end_time=wall(ended if statement_ended is None else statement_ended))
        if failed:
            span.set_status(Status(StatusCode.ERROR))
        span.end(end_time=wall(ended))


def compiled_spans(settings: Settings) -> CompiledSpans | None:
    """The span recorder of the compiled read path when ``settings.otel`` is on, else None
    (then nothing about tracing is imported or done per request).

    Raises:
        TracingUnavailableError: tracing is on but ``opentelemetry-api`` is missing.
    """
    if not settings.otel:
        return None
    configure_tracing(settings)
    return CompiledSpans()
