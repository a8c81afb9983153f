"""Connections on every path, through the real view in process:
statements of one request never overlap, a failing field does not poison the pool, a
cancelled statement's connection is invalidated, the request timeout returns the connection
with a clean error, and authentication holds no connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from gateway import health
from gateway.context import Reader, ReaderClosedError
from gateway.database import create_engine
from gateway.graphql import GatewayGraphQL
from gateway.settings import Settings
from schema.compiler import Compiler, Prepared
from tests.request_path.conftest import SignedIn, client_for


async def _idle_in_transaction(engine: AsyncEngine, database_url: str) -> int:
    async with engine.connect() as conn:
        count = await conn.scalar(
            sa.text(
                "select count(*) from pg_stat_activity where datname = :db "
                "and state like 'idle in transaction%' and pid <> pg_backend_pid()"
            ),
            {"db": make_url(database_url).database},
        )
    return int(count or 0)


async def _settled(engine: AsyncEngine) -> None:
    """Wait until every connection is back in the pool (check-ins finish in the background)."""
    for _ in range(500):
        if engine.pool.checkedout() == 0:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{engine.pool.status()} after the request")


async def _running(reader: Reader) -> None:
    """Wait until the reader's statement has been sent."""
    for _ in range(500):
        if reader.holds_connection:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)


async def test_a_failing_field_does_not_break_the_connection_of_its_siblings(
    client: httpx.AsyncClient, signed_in: SignedIn, engine: AsyncEngine, database_url: str
) -> None:
    # `roles(first: 1, last: 1)` fails at once, while the other fields' statements run.
    query = """{ a: exercises(first: 100) { edges { node { id name equipment } } }
                 me { habits { totalCount } ledger { totalCount } }
                 roles(first: 1, last: 1) { totalCount } }"""
    for _ in range(20):
        response = await client.post("", json={"query": query}, headers=signed_in.headers)
        assert response.status_code == 200
        messages = [e["message"] for e in response.json()["errors"]]
        assert messages == ["Pass either `first` or `last`, not both."]
    await _settled(engine)
    assert await _idle_in_transaction(engine, database_url) == 0
    for _ in range(engine.pool.size() + 2):  # type: ignore[attr-defined]
        ok = await client.post("", json={"query": "{ me { id } }"}, headers=signed_in.headers)
        assert ok.status_code == 200
        assert ok.json()["data"] == {"me": {"id": str(signed_in.user_id)}}


async def test_a_statement_cancelled_half_way_invalidates_its_connection(
    engine: AsyncEngine, database_url: str
) -> None:
    reader = Reader(engine)
    task = asyncio.create_task(reader.fetch(sa.select(sa.func.pg_sleep(5))))
    await _running(reader)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not reader.holds_connection
    await _settled(engine)
    # The reader starts afresh on a new connection; nothing is left idle in a transaction.
    assert [tuple(row) for row in await reader.fetch(sa.select(sa.literal(1)))] == [(1,)]
    await reader.close()
    with pytest.raises(ReaderClosedError):
        await reader.fetch(sa.select(sa.literal(1)))
    await _settled(engine)
    assert await _idle_in_transaction(engine, database_url) == 0


async def test_releasing_while_a_statement_runs_cancels_it_and_invalidates_the_connection(
    engine: AsyncEngine,
) -> None:
    reader = Reader(engine)
    task = asyncio.create_task(reader.fetch(sa.select(sa.func.pg_sleep(5))))
    await _running(reader)
    await reader.close()  # e.g. the operation ended while a sibling's batch still runs
    with pytest.raises(asyncio.CancelledError):
        await task
    await _settled(engine)
    async with engine.connect() as conn:  # the pool hands out a working connection
        assert await conn.scalar(sa.select(sa.literal(1))) == 1


@pytest.mark.parametrize("compiled", [False, True], ids=["general-path", "compiled-path"])
async def test_the_request_timeout_cancels_the_work_and_returns_the_connection(
    settings: Settings,
    engine: AsyncEngine,
    database_url: str,
    signed_in: SignedIn,
    monkeypatch: pytest.MonkeyPatch,
    compiled: bool,
) -> None:
    original = Reader.run

    async def slow_run(self: Reader, template: Any, values: Any) -> Any:
        await self.fetch(sa.select(sa.func.pg_sleep(30)))
        return await original(self, template, values)

    def slow_statement(self: Compiler, *args: Any) -> Prepared:
        return Prepared("SELECT pg_sleep(30)::text", [])

    monkeypatch.setattr(Reader, "run", slow_run)
    monkeypatch.setattr(Compiler, "prepare_document", slow_statement)
    overrides = {"request_timeout_s": 0.5, "compiled_reads": compiled}
    async with client_for(settings, engine, **overrides) as client:
        response = await client.post("", json={"query": "{ me { id } }"}, headers=signed_in.headers)
    assert response.status_code == 504
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "REQUEST_TIMEOUT"
    assert "0.5 s" in error["message"]
    await _settled(engine)
    assert await _idle_in_transaction(engine, database_url) == 0


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 300],
)
async def test_a_bad_bearer_header_is_unauthenticated(
    client: httpx.AsyncClient, engine: AsyncEngine, header: str
) -> None:
    response = await client.post(
        "", json={"query": "{ me { id } }"}, headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_an_expired_token_is_unauthenticated_and_no_header_is_anonymous(
    client: httpx.AsyncClient, engine: AsyncEngine, signed_in: SignedIn
) -> None:
    from db import metadata
    from db.auth.viewer import create_session_token, hash_token

    sessions = metadata.tables["sessions"]
    async with engine.begin() as conn:
        token = await create_session_token(conn, signed_in.user_id, ttl_seconds=60)
        await conn.execute(
            sa.update(sessions)
            .where(sessions.c.token == hash_token(token))
            .values(
                created_at=sa.func.now() - sa.text("interval '2 days'"),
                expires_at=sa.func.now() - sa.text("interval '1 second'"),
            )
        )
    expired = await client.post(
        "", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert expired.status_code == 401
    anonymous = await client.post("", json={"query": "{ me { id } }"})
    assert anonymous.status_code == 200 and anonymous.json()["data"] == {"me": None}
    signed = await client.post("", json={"query": "{ me { id } }"}, headers=signed_in.headers)
    assert signed.json()["data"] == {"me": {"id": str(signed_in.user_id)}}


async def test_readyz_fails_when_no_connection_can_be_had(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    app = Starlette(routes=health.routes)
    app.state.engine = engine
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as client:
            assert (await client.get("/readyz")).status_code == 200
            async with engine.connect():  # the only connection is taken
                wedged = await client.get("/readyz")
            assert wedged.status_code == 503
            assert "no database connection" in wedged.json()["reason"]
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await engine.dispose()


@pytest.mark.parametrize("compiled", [False, True], ids=["general-path", "compiled-path"])
async def test_a_client_that_disconnects_cancels_its_request(
    settings: Settings,
    engine: AsyncEngine,
    database_url: str,
    signed_in: SignedIn,
    monkeypatch: pytest.MonkeyPatch,
    compiled: bool,
) -> None:
    gateway_view = GatewayGraphQL(
        settings.model_copy(update={"compiled_reads": compiled}), lambda: engine
    )
    original = Reader.run
    running = asyncio.Event()
    outcome: list[str] = []

    def slow_statement(self: Compiler, *args: Any) -> Prepared:
        running.set()
        return Prepared("SELECT pg_sleep(30)::text AS slow_compiled_statement", [])

    monkeypatch.setattr(Compiler, "prepare_document", slow_statement)

    async def slow_run(self: Reader, template: Any, values: Any) -> Any:
        running.set()
        try:
            await self.fetch(sa.select(sa.func.pg_sleep(30)))
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        return await original(self, template, values)

    monkeypatch.setattr(Reader, "run", slow_run)
    body = b'{"query": "{ me { id } }"}'
    left = asyncio.Event()
    messages: list[dict[str, Any]] = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await left.wait()
        return {"type": "http.disconnect"}

    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [
            (b"content-type", b"application/json"),
            (b"authorization", signed_in.headers["Authorization"].encode()),
        ],
        "query_string": b"",
    }
    request = asyncio.create_task(gateway_view(scope, receive, send))
    await asyncio.wait_for(running.wait(), 30)
    await asyncio.sleep(0.1)  # the statement is running
    left.set()  # the client goes away
    await asyncio.wait_for(request, 30)
    assert sent == []
    if compiled:
        # The statement's connection was invalidated: its backend ends, the sleep with it.
        await _settled(engine)
        assert await _statements_like(engine, "%slow_compiled_statement%") == 0
    else:
        assert outcome == ["cancelled"]
    await _settled(engine)
    assert await _idle_in_transaction(engine, database_url) == 0


async def _statements_like(engine: AsyncEngine, pattern: str) -> int:
    """Backends running a statement like ``pattern`` (waiting up to 5 s for them to end)."""
    count = 0
    for _ in range(50):
        async with engine.connect() as conn:
            count = int(
                await conn.scalar(
                    sa.text(
                        "select count(*) from pg_stat_activity where query like :pattern "
                        "and state = 'active' and pid <> pg_backend_pid()"
                    ),
                    {"pattern": pattern},
                )
                or 0
            )
        if count == 0:
            break
        await asyncio.sleep(0.1)
    return count


async def test_pooled_sessions_carry_the_backstops_and_broken_ones_are_replaced(
    database_url: str,
) -> None:
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            settings = {
                name: await conn.scalar(sa.text(f"SHOW {name}"))
                for name in (
                    "application_name",
                    "idle_in_transaction_session_timeout",
                    "statement_timeout",
                )
            }
            pid = await conn.scalar(sa.text("SELECT pg_backend_pid()"))
        assert settings == {
            "application_name": "ignition",
            "idle_in_transaction_session_timeout": "10s",
            "statement_timeout": "5s",
        }
        # The server ends the pooled session (a restart, idle_in_transaction_session_timeout,
        # an administrator): the pool notices at checkout and hands out a new one.
        killer = create_engine(database_url, pool_size=1, max_overflow=0)
        try:
            async with killer.connect() as conn:
                assert await conn.scalar(sa.select(sa.func.pg_terminate_backend(pid)))
                gone = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
                for _ in range(500):  # the backend exits, closing its socket
                    if not await conn.scalar(gone, {"pid": pid}):
                        break
                    await asyncio.sleep(0.01)
        finally:
            await killer.dispose()
        # The check at checkout is local: it sees the close once the event loop has read it
        # (a checkout in the same instant gets the dead connection, whose statement fails and
        # invalidates it; db.connections._closed_by_server).
        await asyncio.sleep(0.05)
        async with engine.connect() as conn:
            assert await conn.scalar(sa.text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()
