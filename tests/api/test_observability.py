"""Metrics, logs and tracing, piece by piece (the real server: tests/e2e/
test_observability.py).

Specification (``gateway.metrics``, ``gateway.logs``, ``gateway.observe``, ``gateway.tracing``):

- Request ids: a valid ``X-Request-ID`` (1-128 of ``A-Za-z0-9._~:/+=@-``) is kept, anything
  else replaced by a new 32-hex-digit id.
- Refusals are read from ``extensions.code``: ``*_LIMIT_EXCEEDED`` names the limit.
- Operation names cannot explode the label space: anonymous, unknown (unparsed), and past the
  cap ``other``; a name is admitted only by a successful operation.
- Log lines carry the current request's fields, as JSON or as text.
- The pool gauges follow the pool, and *waiting* counts a checkout blocked on a full pool.
- ``/metrics`` answers without a database.
- With ``IGNITION_OTEL=true`` every operation is traced through Strawberry's
  ``OpenTelemetryExtension``; without it the extension is absent.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import sys
from typing import Any

import httpx
import pytest
import strawberry
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strawberry.extensions.tracing import OpenTelemetryExtension

from gateway import tracing
from gateway.app import create_app
from gateway.context import Context, Reader
from gateway.database import create_engine
from gateway.logs import (
    JsonFormatter,
    RequestContextFilter,
    RequestRecord,
    TextFormatter,
    current_request,
    logging_config,
    request_id_from,
)
from gateway.metrics import Metrics, OperationNames, refusal_limit
from gateway.settings import Settings

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "header",
    ["abc-123", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "x" * 128, "a:b/c+d="],
)
def test_a_valid_request_id_is_kept(header: str) -> None:
    assert request_id_from(header) == header


@pytest.mark.parametrize(
    "header", [None, "", "x" * 129, "two words", "line\nbreak", 'quote"d', "ünïcode", "a;b"]
)
def test_an_invalid_or_missing_request_id_is_replaced(header: str | None) -> None:
    assert HEX32.fullmatch(request_id_from(header))


@pytest.mark.parametrize(
    ("codes", "limit"),
    [
        (["COST_LIMIT_EXCEEDED"], "cost"),
        (["DEPTH_LIMIT_EXCEEDED"], "depth"),
        (["ALIAS_LIMIT_EXCEEDED"], "alias"),
        (["TOKEN_LIMIT_EXCEEDED"], "token"),
        (["BAD_USER_INPUT", "COST_LIMIT_EXCEEDED"], "cost"),
        (["PAYLOAD_TOO_LARGE"], "body_size"),
        (["UNAUTHENTICATED"], None),
        ([], None),
    ],
)
def test_refusals_are_named_by_their_error_code(codes: list[str], limit: str | None) -> None:
    assert refusal_limit(codes) == limit


def test_operation_name_labels_are_bounded() -> None:
    names = OperationNames(limit=2)
    assert names.label("A", parsed=True, succeeded=True) == "A"
    assert names.label("B", parsed=True, succeeded=False) == "other"  # not admitted by a failure
    assert names.label("B", parsed=True, succeeded=True) == "B"
    assert names.label("C", parsed=True, succeeded=True) == "other"  # the cap is reached
    assert names.label("A", parsed=True, succeeded=False) == "A"  # admitted names stay
    assert names.label(None, parsed=True, succeeded=True) == "anonymous"
    assert names.label("A", parsed=False, succeeded=False) == "unknown"
    assert OperationNames(10).label("<invalid>", parsed=True, succeeded=True) == "other"
    assert OperationNames(10).label("x" * 101, parsed=True, succeeded=True) == "other"


def _log_line(formatter: logging.Formatter, record: RequestRecord | None, **extra: Any) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("ignition.test-observability")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    token = current_request.set(record)
    try:
        logger.info("something happened", extra=extra)
    finally:
        current_request.reset(token)
        logger.removeHandler(handler)
    return stream.getvalue().strip()


def test_json_lines_carry_the_request_fields() -> None:
    record = RequestRecord(
        "req-1", operation_name="Dashboard", operation_type="query", viewer_id="u-1"
    )
    record.statements, record.outcome = 4, "ok"

    line = json.loads(_log_line(JsonFormatter(), record, status=200))

    assert line["message"] == "something happened" and line["level"] == "INFO"
    assert line["logger"] == "ignition.test-observability" and "timestamp" in line
    assert {k: line[k] for k in ("request_id", "operation_name", "viewer_id", "statements")} == {
        "request_id": "req-1",
        "operation_name": "Dashboard",
        "viewer_id": "u-1",
        "statements": 4,
    }
    assert line["outcome"] == "ok" and line["status"] == 200 and line["duration_ms"] >= 0


def test_text_lines_carry_the_request_fields() -> None:
    record = RequestRecord("req-2", operation_name="Dashboard", viewer_id="u-2")
    line = _log_line(TextFormatter(), record)
    assert "[req-2] something happened" in line
    assert "operation_name=Dashboard" in line and "viewer_id=u-2" in line
    outside = _log_line(TextFormatter(), None)
    assert "[-] something happened" in outside and "operation_name" not in outside


def test_the_logging_config_silences_uvicorns_access_log() -> None:
    config = logging_config("json", "info")
    assert config["loggers"]["uvicorn.access"]["handlers"] == []
    assert config["handlers"]["default"]["formatter"] == "json"
    assert logging_config()["handlers"]["default"]["formatter"] == "text"


async def test_pool_gauges_follow_the_pool_and_count_waiting(database_url: str) -> None:
    metrics = Metrics()
    engine = create_engine(
        database_url, pool_size=1, max_overflow=0, poolclass=metrics.pool_class()
    )

    def value(name: str) -> float:
        sample = metrics.registry.get_sample_value(name)
        assert sample is not None, name
        return sample

    try:
        assert value("ignition_db_pool_size") == 1 and value("ignition_db_pool_checked_out") == 0
        first = await engine.connect()
        assert value("ignition_db_pool_checked_out") == 1
        assert value("ignition_db_pool_connections") == 1
        second = asyncio.ensure_future(engine.connect().start())
        for _ in range(600):  # until the second checkout blocks on the full pool (<= 30 s)
            if value("ignition_db_pool_waiting") == 1:
                break
            await asyncio.sleep(0.05)
        assert value("ignition_db_pool_waiting") == 1 and not second.done()
        await first.close()
        conn = await second
        assert value("ignition_db_pool_waiting") == 0
        assert value("ignition_db_pool_checked_out") == 1
        await conn.close()
        assert value("ignition_db_pool_checked_out") == 0
        assert value("ignition_db_pool_checkout_seconds_count") == 2
    finally:
        await engine.dispose()


async def test_metrics_answer_without_a_database() -> None:
    """The app's lifespan has not run (no database at all): /metrics still answers."""
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics", headers={"X-Request-ID": "scrape-1"})
    assert ready.status_code == 503
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert metrics.headers["x-request-id"] == "scrape-1"
    assert 'ignition_http_requests_total{method="GET",route="/readyz",status="503"} 1.0' in (
        metrics.text
    )


def test_metrics_can_be_switched_off() -> None:
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none", metrics=False))
    assert "/metrics" not in {getattr(route, "path", None) for route in app.routes}


# --------------------------------------------------------------------------------------------
# tracing


def _has_tracing(schema: strawberry.Schema) -> bool:
    return any(
        isinstance(extension, OpenTelemetryExtension) for extension in schema.get_extensions()
    )


async def test_operations_are_traced_when_otel_is_on(
    spans: InMemorySpanExporter, database_url: str, engine: Any
) -> None:
    from gateway.graphql import build_process_schema

    schema = build_process_schema(Settings(database_url=database_url, otel=True))
    assert _has_tracing(schema)
    context = Context(settings=Settings(), engine=engine, reader=Reader(engine))
    try:
        result = await schema.execute(
            "query Traced { roles(first: 1) { totalCount } }", context_value=context
        )
    finally:
        await context.reader.close()

    assert result.errors is None
    names = {span.name for span in spans.get_finished_spans()}
    assert "GraphQL Query: Traced" in names, names
    assert {"GraphQL Parsing", "GraphQL Validation"} <= names
    [operation] = [s for s in spans.get_finished_spans() if s.name == "GraphQL Query: Traced"]
    assert operation.attributes is not None
    assert operation.attributes["graphql.operation.name"] == "Traced"
    assert operation.attributes["graphql.operation.type"] == "query"


def test_tracing_is_off_by_default(database_url: str) -> None:
    from gateway.graphql import build_process_schema

    assert not _has_tracing(build_process_schema(Settings(database_url=database_url)))
    assert tracing.tracing_extension(Settings()) is None


def test_tracing_exports_where_the_otel_variables_say(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    monkeypatch.setattr(tracing, "_provider", None)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "gateway-under-test")
    try:
        assert tracing.configure_tracing(Settings(otel=True))
        provider = tracing._provider
        assert isinstance(provider, TracerProvider)
        assert provider.resource.attributes["service.name"] == "gateway-under-test"
        processors = provider._active_span_processor._span_processors
        exporters = [getattr(p, "span_exporter", None) for p in processors]
        assert any(isinstance(exporter, ConsoleSpanExporter) for exporter in exporters)
    finally:
        tracing.shutdown_tracing()

    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin-please")
    with pytest.raises(ValueError, match="OTEL_TRACES_EXPORTER"):
        tracing.configure_tracing(Settings(otel=True))


def test_tracing_without_the_packages_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracing, "_provider", None)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # as if not installed
    with pytest.raises(tracing.TracingUnavailableError, match=r"ignition-gateway\[otel\]"):
        tracing.configure_tracing(Settings(otel=True))
