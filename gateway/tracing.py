"""OpenTelemetry tracing of GraphQL operations, through Strawberry's ``OpenTelemetryExtension``.

Off by default. ``IGNITION_OTEL=true`` turns it on; the OpenTelemetry packages are the
optional extra ``pip install 'ignition-gateway[otel]'`` (``opentelemetry-api``,
``opentelemetry-sdk``, ``opentelemetry-exporter-otlp-proto-http``); turning it on without them
is a configuration error at startup, not a silent no-op.

Spans (Strawberry's): one per operation (``GraphQL Query``/``GraphQL Mutation``...), with
children for parsing, validation and every resolver, attributes ``component=graphql`` and
``query``. Where they go follows OpenTelemetry's standard environment variables: when the
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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gateway.settings import Settings

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
    """A factory of Strawberry's ``OpenTelemetryExtension`` (one instance per request) when
    ``settings.otel`` is on, else None.

    Raises:
        TracingUnavailableError: tracing is on but ``opentelemetry-api`` is missing.
    """
    if settings is None or not settings.otel:
        return None
    configure_tracing(settings)
    from strawberry.extensions.tracing import OpenTelemetryExtension

    return lambda: OpenTelemetryExtension(tracer_provider=tracer_provider())
