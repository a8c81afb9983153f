"""End to end: two real ``ignition serve`` processes started together on one fresh database,
sharing a ``PROMETHEUS_MULTIPROC_DIR``, with JSON logs.

Specification:

- Both processes start (migration and seeding under the advisory lock: neither fails).
- Every response carries ``X-Request-ID``: the client's when valid, a new one otherwise; the
  websocket handshake too.
- ``/metrics`` of either process counts the operations of both (multiprocess mode): by name,
  type and outcome, refusals by limit (``body_size`` for a 413), HTTP requests by route and
  status (an unknown path is ``unmatched``), SQL statements, and the pool of both processes.
- The log is JSON lines; every HTTP request has exactly one access line (uvicorn's access log
  is off) with its request id, and a GraphQL request's line has the operation name and type,
  the viewer, the statements, the duration and the outcome; a websocket operation has its own
  line.
- ``ignition serve --workers 2``: whichever worker answers ``/metrics`` counts both workers'
  requests (a fresh multiprocess directory made for them).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.pool import NullPool
from websockets.typing import Subprotocol

from db.auth.viewer import create_session_token
from gateway.database import create_engine
from gateway.settings import Settings
from tests.conftest import PostgresServer
from tests.e2e.live import Gateway
from tests.e2e.process import IGNITION, free_port
from tests.factories import make_user

pytestmark = pytest.mark.e2e

POOL = 3
MAX_BODY = 4096
MAX_NODES = 50  # the cost limit: 100 exercises are refused, 2 roles are not
QUERY = "query Roles { roles(first: 2) { totalCount edges { node { name } } } }"


@pytest.fixture(scope="module")
async def fresh_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    url = await postgres_server.create_database("ignition_observe")
    yield url
    await postgres_server.drop_database(url)


@contextlib.contextmanager
def _gateways(database_url: str, directory: Path, count: int) -> Iterator[list[tuple[str, Path]]]:
    """``count`` gateway processes started at the same moment; yields (base URL, log path)."""
    metrics_dir = directory / "prometheus"
    metrics_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "IGNITION_LOG_FORMAT": "json",
        "IGNITION_DB_POOL_SIZE": str(POOL),
        "IGNITION_MAX_BODY_BYTES": str(MAX_BODY),
        "IGNITION_MAX_QUERY_NODES": str(MAX_NODES),
    }
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for i in range(count):
            port = free_port()
            log = directory / f"serve-{i}.log"
            with log.open("w") as out:
                process = subprocess.Popen(
                    [*IGNITION, "serve", "--port", str(port)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            started.append((process, f"http://127.0.0.1:{port}", log))
        begun = time.perf_counter()
        for process, base, log in started:
            while True:
                assert process.poll() is None, log.read_text()
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                assert time.perf_counter() - begun < 180, "the gateways did not become ready"
                time.sleep(0.2)
        yield [(base, log) for _, base, log in started]
    finally:
        for process, _, _ in started:
            process.send_signal(signal.SIGINT)
        for process, _, _ in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _token(database_url: str) -> tuple[str, str]:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            user = await make_user(conn)
            return str(user), await create_session_token(conn, user)
    finally:
        await engine.dispose()


async def _post(
    client: httpx.AsyncClient, query: str, request_id: str | None = None, **headers: str
) -> Any:
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def _websocket_operation(base: str) -> str:
    url = base.replace("http", "ws", 1) + "/graphql"
    async with websockets.connect(
        url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers={"X-Request-ID": "e2e-ws"},
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = "query WsRoles { roles(first: 1) { totalCount } }"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        assert json.loads(await ws.recv())["type"] == "next"
        assert json.loads(await ws.recv())["type"] == "complete"
        assert ws.response is not None
        header: str = ws.response.headers["X-Request-ID"]
    return header


def _sample(exposition: str, name: str, **labels: str) -> float:
    """The value of the sample ``name`` with exactly ``labels`` in a /metrics answer."""
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    raise AssertionError(f"no sample {name}{labels} in /metrics")


def _operations(exposition: str, name: str, outcome: str) -> float:
    return _sample(
        exposition,
        "ignition_graphql_requests_total",
        operation_name=name,
        operation_type="query",
        outcome=outcome,
    )


async def test_metrics_and_logs_of_two_processes(
    fresh_database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("observe")
    processes = _gateways(fresh_database, directory, 2)
    # Starting and stopping block (subprocesses, polling): in a thread, off the event loop.
    (base_a, log_a), (base_b, _) = await asyncio.to_thread(processes.__enter__)
    try:
        viewer_id, token = await _token(fresh_database)
        sent: dict[str, int] = {}  # request id -> expected status
        async with (
            httpx.AsyncClient(base_url=base_a) as a,
            httpx.AsyncClient(base_url=base_b) as b,
        ):
            for i in range(3):
                response = await _post(a, QUERY, f"e2e-ok-{i}")
                assert response.status_code == 200 and "errors" not in response.json()
                assert response.headers["X-Request-ID"] == f"e2e-ok-{i}"
                sent[f"e2e-ok-{i}"] = 200
            for i in range(2):
                assert (await _post(b, QUERY, f"e2e-b-{i}")).status_code == 200
            me = "query Me { me { id } }"
            signed_in = await _post(a, me, "e2e-me", Authorization=f"Bearer {token}")
            assert signed_in.json()["data"] == {"me": {"id": viewer_id}}
            sent["e2e-me"] = 200
            assert (await _post(a, "{ nope }", "e2e-error")).json()["errors"]
            sent["e2e-error"] = 200
            bomb = "query Bomb { exercises(first: 100) { edges { node { id } } } }"
            refused = (await _post(a, bomb, "e2e-cost")).json()
            assert refused["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
            sent["e2e-cost"] = 200
            too_big = await a.post(
                "/graphql",
                content=json.dumps({"query": QUERY, "variables": {"x": "y" * MAX_BODY}}),
                headers={"X-Request-ID": "e2e-big", "Content-Type": "application/json"},
            )
            assert too_big.status_code == 413
            sent["e2e-big"] = 413
            unknown = await _post(a, QUERY, "e2e-401", Authorization="Bearer nope")
            assert unknown.status_code == 401
            sent["e2e-401"] = 401
            missing = await a.get("/no/such/path", headers={"X-Request-ID": "e2e-404"})
            assert missing.status_code == 404
            sent["e2e-404"] = 404
            replaced = (await _post(a, QUERY, "not a valid id!")).headers["X-Request-ID"]
            assert re.fullmatch(r"[0-9a-f]{32}", replaced)
            sent[replaced] = 200
            generated = (await a.get("/healthz")).headers["X-Request-ID"]
            assert re.fullmatch(r"[0-9a-f]{32}", generated)

            assert await _websocket_operation(base_a) == "e2e-ws"

            metrics_a = await a.get("/metrics")
            metrics_b = (await b.get("/metrics")).text
        exposition = metrics_a.text
        assert metrics_a.status_code == 200

        assert _operations(exposition, "Roles", "ok") == 3 + 2 + 1  # both processes
        assert _operations(metrics_b, "Roles", "ok") == 6  # either process answers for both
        assert _operations(exposition, "anonymous", "error") == 1
        assert _operations(exposition, "WsRoles", "ok") == 1
        roles = {"operation_name": "Roles", "operation_type": "query"}
        duration = "ignition_graphql_request_duration_seconds_count"
        assert _sample(exposition, duration, **roles, outcome="ok") == 6
        assert _sample(exposition, "ignition_graphql_sql_statements_sum", **roles) >= 6
        assert _sample(exposition, "ignition_graphql_refused_total", limit="body_size") == 1
        assert _sample(exposition, "ignition_graphql_refused_total", limit="cost") == 1
        assert _operations(exposition, "other", "refused") == 1  # a name never seen succeed
        http = "ignition_http_requests_total"
        assert _sample(exposition, http, method="GET", route="unmatched", status="404") == 1
        assert _sample(exposition, http, method="POST", route="/graphql", status="401") == 1
        assert _sample(exposition, "ignition_db_pool_size") == 2 * POOL  # livesum: 2 processes
        assert _sample(exposition, "ignition_db_pool_waiting") == 0
        assert _sample(exposition, "ignition_db_pool_checkout_seconds_count") >= 6
    finally:  # the logs are complete once the processes have stopped
        await asyncio.to_thread(processes.__exit__, None, None, None)

    lines = [json.loads(line) for line in log_a.read_text().splitlines() if line.startswith("{")]
    assert lines, "no JSON log lines"
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]
    access = [line for line in lines if line["logger"] == "ignition.access"]
    for request_id, status in sent.items():
        mine = [line for line in access if line.get("request_id") == request_id]
        assert len(mine) == 1, (request_id, mine)
        assert mine[0]["status"] == status and mine[0]["duration_ms"] >= 0
    ok = next(line for line in access if line.get("request_id") == "e2e-ok-0")
    assert ok["operation_name"] == "Roles" and ok["operation_type"] == "query"
    assert ok["outcome"] == "ok" and ok["statements"] >= 1 and ok["method"] == "POST"
    me = next(line for line in access if line.get("request_id") == "e2e-me")
    assert me["viewer_id"] == viewer_id and me["operation_name"] == "Me"
    assert next(line for line in access if line.get("request_id") == "e2e-error")["outcome"] == (
        "error"
    )
    for refused_id in ("e2e-big", "e2e-cost"):
        line = next(line for line in access if line.get("request_id") == refused_id)
        assert line["outcome"] == "refused"
    cost_line = next(line for line in access if line.get("request_id") == "e2e-cost")
    assert cost_line["error_codes"] == ["COST_LIMIT_EXCEEDED"] and cost_line["statements"] == 0
    ws_lines = [line for line in access if line.get("request_id") == "e2e-ws"]
    ws_operation = next(line for line in ws_lines if line.get("operation_name") == "WsRoles")
    assert ws_operation["outcome"] == "ok" and ws_operation["statements"] >= 1
    assert len(ws_lines) == 2  # the operation, then the socket's close


async def test_serve_workers_share_their_metrics(live_database: str, log_dir: Path) -> None:
    """``ignition serve --workers 2`` gives its workers one fresh multiprocess directory, so
    whichever worker answers ``/metrics`` counts the requests of both."""
    process = await Gateway(live_database, log_dir, workers=2).astart()
    try:
        base = process.http.removesuffix("/graphql")
        query = "query Spread { roles(first: 1) { totalCount } }"
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(12):  # new connections: the kernel spreads them over the workers
                async with httpx.AsyncClient(base_url=base) as fresh:
                    assert (await _post(fresh, query)).status_code == 200
            scrapes = [(await client.get("/metrics")).text for _ in range(4)]
    finally:
        await process.astop()
    for exposition in scrapes:
        assert _operations(exposition, "Spread", "ok") == 12
        pools = 2 * Settings().db_pool_size  # two workers' pools (livesum)
        assert _sample(exposition, "ignition_db_pool_size") == pools
