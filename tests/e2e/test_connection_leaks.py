"""Every pooled connection comes back, against the real server process.

A thousand failing requests of every kind that used to leave a connection ``idle in
transaction`` (malformed JSON, wrong content type, a ``null`` body, the GraphiQL page, 405, 413,
an unknown operation name, a websocket handshake), all with a bearer header, plus a hundred
clients that disconnect mid-request; then PostgreSQL's ``pg_stat_activity`` must show none of
the gateway's connections idle in transaction, and a normal query must answer at once (the pool
is small and its timeout short, so leaked connections would make it fail).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import httpx
import pytest
import sqlalchemy as sa
import websockets
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from websockets.typing import Subprotocol

from db.auth.viewer import create_session_token
from gateway.database import create_engine
from tests.conftest import PostgresServer
from tests.e2e.process import gateway_process
from tests.factories import make_user

pytestmark = pytest.mark.e2e

MAX_BODY = 4096
POOL = 4


@pytest.fixture(scope="module")
async def leak_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    url = await postgres_server.create_database("ignition_leaks")
    yield url
    await postgres_server.drop_database(url)


@pytest.fixture(scope="module")
def gateway(leak_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("leaks") / "serve.log"
    with gateway_process(
        leak_database,
        log,
        IGNITION_DB_POOL_SIZE=str(POOL),
        IGNITION_DB_MAX_OVERFLOW="0",
        IGNITION_DB_POOL_TIMEOUT_S="3",
        IGNITION_MAX_BODY_BYTES=str(MAX_BODY),
        IGNITION_IDLE_IN_TRANSACTION_TIMEOUT_MS="0",  # no backstop: test the code itself
        IGNITION_LOG_LEVEL="warning",
    ) as base:
        yield base


async def _token(database_url: str) -> str:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            return await create_session_token(conn, await make_user(conn))
    finally:
        await engine.dispose()


async def _gateway_sessions(database_url: str) -> Counter[str]:
    """The gateway's sessions on its database, counted by state."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.text(
                    "select coalesce(state, '?') from pg_stat_activity "
                    "where datname = :db and application_name like 'ignition%' "
                    "and pid <> pg_backend_pid()"
                ),
                {"db": make_url(database_url).database},
            )
            return Counter(row[0] for row in rows)
    finally:
        await engine.dispose()


async def _disconnect_mid_body(port: int, token: str) -> None:
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: 200\r\n\r\n"
        b'{"query": "{ me '
    )
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.close()
    await writer.wait_closed()


async def _disconnect_mid_execution(port: int, token: str) -> None:
    body = b'{"query": "{ me { id habits { totalCount } } exercises { totalCount } }"}'
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def test_failing_requests_and_disconnects_leave_no_connection_behind(
    gateway: str, leak_database: str
) -> None:
    token = await _token(leak_database)
    port = int(gateway.rsplit(":", 1)[1])
    url = f"{gateway}/graphql"
    ws_url = url.replace("http://", "ws://")
    good = {"Authorization": f"Bearer {token}"}
    bogus = {"Authorization": "Bearer not-a-token"}
    statuses: Counter[str] = Counter()

    async with httpx.AsyncClient(timeout=10) as client:

        async def post(headers: dict[str, str], **kwargs: object) -> None:
            response = await client.post(url, headers=headers, **kwargs)  # type: ignore[arg-type]
            statuses[str(response.status_code)] += 1

        async def websocket(headers: dict[str, str]) -> None:
            try:
                async with websockets.connect(
                    ws_url,
                    subprotocols=[Subprotocol("graphql-transport-ws")],
                    additional_headers=headers,
                ) as ws:
                    await ws.close()
                statuses["ws"] += 1
            except websockets.InvalidStatus as exc:
                statuses[f"ws {exc.response.status_code}"] += 1

        async def get_page(headers: dict[str, str]) -> None:
            response = await client.get(url, headers={**headers, "Accept": "text/html"})
            statuses[str(response.status_code)] += 1

        async def put(headers: dict[str, str]) -> None:
            response = await client.put(url, headers=headers, json={"query": "{ me { id } }"})
            statuses[str(response.status_code)] += 1

        json_type = {"Content-Type": "application/json"}
        kinds: list[Callable[[dict[str, str]], Awaitable[None]]] = [
            lambda h: post({**h, **json_type}, content=b'{"query": '),  # malformed JSON
            lambda h: post({**h, "Content-Type": "text/plain"}, content=b"{ me { id } }"),
            lambda h: post({**h, **json_type}, content=b"null"),
            get_page,
            put,  # 405
            lambda h: post({**h, **json_type}, content=b"x" * (MAX_BODY * 2)),  # 413
            lambda h: post(h, json={"query": "query A { me { id } }", "operationName": "B"}),
            websocket,
        ]
        calls = [
            kind(headers)
            for kind, headers, _ in zip(
                itertools.cycle(kinds),
                itertools.cycle([good, good, bogus]),
                range(1000),
                strict=False,
            )
        ]
        calls += [_disconnect_mid_body(port, token) for _ in range(50)]
        calls += [_disconnect_mid_execution(port, token) for _ in range(50)]
        limit = asyncio.Semaphore(20)

        async def limited(call: Awaitable[None]) -> None:
            async with limit:
                try:
                    await call
                except (httpx.TimeoutException, TimeoutError) as exc:
                    raise AssertionError(
                        f"a request got no answer within 10 s ({exc!r}): "
                        "the pool is exhausted by leaked connections"
                    ) from exc

        async with asyncio.TaskGroup() as group:  # the first failure cancels the rest
            for call in calls:
                group.create_task(limited(call))

        print("answers to the failing requests:", dict(statuses))
        assert "500" not in statuses
        await asyncio.sleep(2)
        sessions = await _gateway_sessions(leak_database)
        print("gateway sessions after 2 s:", dict(sessions))
        assert sessions["idle in transaction"] == 0
        assert sessions["idle in transaction (aborted)"] == 0

        response = await client.post(url, headers=good, json={"query": "{ me { id } }"})
        assert response.status_code == 200, response.text
        assert response.json()["data"]["me"]["id"]
        ready = await client.get(f"{gateway}/readyz")
        assert ready.status_code == 200, ready.text


def test_the_pool_is_tagged_for_pg_stat_activity(gateway: str, leak_database: str) -> None:
    httpx.post(f"{gateway}/graphql", json={"query": "{ skillDefinitions { totalCount } }"})
    assert asyncio.run(_gateway_sessions(leak_database)), "no session named ignition"
