"""OpenTelemetry spans of the compiled read path (``IGNITION_OTEL``, ``gateway.tracing``).

An operation the compiled path answers, by ``GET`` or ``POST``, has the operation span the
general path gives it (Strawberry's ``OpenTelemetryExtension``): same name, kind and
attributes, plus ``ignition.compiled`` and one child span for its SQL statement. A request
handed to the general path has only the general path's span; an unexpected error marks both
spans as errors; with tracing off the compiled path records nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from db.auth.viewer import create_session_token
from schema.compiler import Prepared
from tests.compiler.test_http import Gateway

NAMED = "query Habits { me { habits(first: 3) { edges { node { name } } } } }"
ANONYMOUS = "{ me { habits(first: 2) { totalCount } } }"
STATEMENT = "GraphQL Compiled Statement"


@pytest.fixture(scope="module")
async def traced(demo: Any) -> AsyncIterator[tuple[Gateway, Gateway, str]]:
    """Gateways with ``IGNITION_OTEL`` on, with and without compiled reads (their spans go
    to the ``spans`` fixture's exporter, installed per test)."""
    async with demo.engine.begin() as conn:
        token = await create_session_token(conn, demo.alice)
    compiled, general = Gateway(demo, True, otel=True), Gateway(demo, False, otel=True)
    yield compiled, general, token
    await compiled.client.aclose()
    await general.client.aclose()


async def _send(gateway: Gateway, method: str, query: str, token: str) -> None:
    headers = {"authorization": f"Bearer {token}"}
    if method == "GET":
        response = await gateway.client.get("/graphql", params={"query": query}, headers=headers)
    else:
        response = await gateway.client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text


def _operation_spans(spans: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.name.startswith("GraphQL Query")]


async def _spans_of(
    spans: InMemorySpanExporter, gateway: Gateway, method: str, query: str, token: str
) -> tuple[ReadableSpan, list[ReadableSpan]]:
    """The one operation span of a request, and all its finished spans."""
    spans.clear()
    await _send(gateway, method, query, token)
    finished = list(spans.get_finished_spans())
    [operation] = _operation_spans(spans)
    return operation, finished


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("query", "name"), [(NAMED, "GraphQL Query: Habits"), (ANONYMOUS, "GraphQL Query")]
)
async def test_a_compiled_operation_has_the_general_paths_span(
    spans: InMemorySpanExporter,
    traced: tuple[Gateway, Gateway, str],
    method: str,
    query: str,
    name: str,
) -> None:
    compiled, general, token = traced
    served = compiled.served
    fast, fast_all = await _spans_of(spans, compiled, method, query, token)
    assert compiled.served == served + 1  # answered by the compiled path
    slow, _ = await _spans_of(spans, general, method, query, token)

    assert fast.name == slow.name == name
    assert fast.kind == slow.kind == SpanKind.SERVER
    attributes = dict(fast.attributes or {})
    assert attributes.pop("ignition.compiled") is True
    assert attributes == dict(slow.attributes or {})
    assert attributes["graphql.operation.type"] == "query"
    assert attributes.get("graphql.operation.name") == ("Habits" if "Habits" in name else None)
    assert attributes["query"] == query and attributes["component"] == "graphql"
    assert fast.status.status_code == StatusCode.UNSET

    # One child: the statement, inside the operation's time.
    [statement] = [s for s in fast_all if s.parent and s.parent.span_id == fast.context.span_id]
    assert statement.name == STATEMENT and statement.kind == SpanKind.CLIENT
    assert statement.context.trace_id == fast.context.trace_id
    assert statement.attributes is not None
    assert statement.attributes["db.system"] == "postgresql"
    sql = str(statement.attributes["db.statement"])
    assert sql.startswith("SELECT") and "$1" in sql and token not in sql
    assert fast.start_time is not None and fast.end_time is not None
    assert statement.start_time is not None and statement.end_time is not None
    assert fast.start_time <= statement.start_time <= statement.end_time <= fast.end_time


async def test_a_request_handed_over_has_only_the_general_paths_span(
    spans: InMemorySpanExporter, traced: tuple[Gateway, Gateway, str]
) -> None:
    compiled, _, token = traced
    served = compiled.served
    query = "query Intro { __schema { queryType { name } } }"
    operation, finished = await _spans_of(spans, compiled, "POST", query, token)
    assert compiled.served == served
    assert operation.name == "GraphQL Query: Intro"
    assert "ignition.compiled" not in (operation.attributes or {})
    assert STATEMENT not in {s.name for s in finished}
    assert {"GraphQL Parsing", "GraphQL Validation"} <= {s.name for s in finished}


async def test_an_unexpected_error_marks_both_spans(
    spans: InMemorySpanExporter,
    traced: tuple[Gateway, Gateway, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled, _, token = traced
    assert compiled.view.compiled is not None

    def failing(*args: Any, **kwargs: Any) -> Prepared:
        return Prepared("SELECT 1 / 0", [])

    monkeypatch.setattr(compiled.view.compiled.compiler, "prepare_document", failing)
    operation, finished = await _spans_of(spans, compiled, "GET", NAMED, token)
    [statement] = [s for s in finished if s.name == STATEMENT]
    assert operation.status.status_code == statement.status.status_code == StatusCode.ERROR
    assert statement.attributes is not None
    assert statement.attributes["db.statement"] == "SELECT 1 / 0"


async def test_without_otel_the_compiled_path_records_nothing(
    spans: InMemorySpanExporter, demo: Any
) -> None:
    async with demo.engine.begin() as conn:
        token = await create_session_token(conn, demo.alice)
    gateway = Gateway(demo, True)
    try:
        assert gateway.view.compiled is not None and gateway.view.compiled.spans is None
        served = gateway.served
        await _send(gateway, "GET", NAMED, token)
        assert gateway.served == served + 1
        assert spans.get_finished_spans() == ()
    finally:
        await gateway.client.aclose()
