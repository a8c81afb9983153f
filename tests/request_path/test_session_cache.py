"""The process remembers a verified session (``IGNITION_SESSION_CACHE_S``, gateway.sessions):
a signed-in compiled read is one statement once the session is remembered; ``0`` checks every
request; a revocation committed by this process is applied at once. Statements are counted
with asyncpg's query logger on every pooled connection of the view's own engine."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer, create_session_token, hash_token, viewer_sql
from gateway.database import create_engine
from gateway.graphql import GatewayGraphQL
from gateway.sessions import Revocation, SessionCache
from gateway.settings import Settings
from tests.factories import make_user

READ = {"query": "{ me { id } }"}


class Counted:
    """An engine whose connections log every statement they send."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.queries: list[str] = []

        @event.listens_for(self.engine.sync_engine, "connect")
        def _log(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.driver_connection.add_query_logger(
                lambda record: self.queries.append(record.query)
            )

    @property
    def sign_ins(self) -> int:
        return sum(1 for q in self.queries if q == viewer_sql())


@pytest.fixture
async def counted(database_url: str) -> AsyncIterator[Counted]:
    counted = Counted(database_url)
    yield counted
    await counted.engine.dispose()


async def _token(engine: AsyncEngine) -> str:
    async with engine.begin() as conn:
        user = await make_user(conn)
        return await create_session_token(conn, user)


def _client(view: GatewayGraphQL) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=view), base_url="http://gateway/graphql"
    )


@pytest.mark.parametrize(("cache_s", "sign_ins"), [(0.0, 10), (60.0, 1)])
async def test_statements_per_signed_in_read(
    settings: Settings, engine: AsyncEngine, counted: Counted, cache_s: float, sign_ins: int
) -> None:
    token = await _token(engine)
    view = GatewayGraphQL(
        settings.model_copy(update={"session_cache_s": cache_s}), lambda: counted.engine
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with _client(view) as client:
        await client.post("", json={"query": "{ __typename }"})  # the pool's first connection
        counted.queries.clear()
        for _ in range(10):
            response = await client.post("", json=READ, headers=headers)
            assert response.status_code == 200 and response.json()["data"]["me"]["id"]
    # The compiled read is one statement; the sign-in one more per request, or once.
    assert counted.sign_ins == sign_ins
    assert len(counted.queries) == 10 + sign_ins, counted.queries


async def test_sign_out_is_applied_at_once_in_the_process(
    settings: Settings, engine: AsyncEngine, counted: Counted
) -> None:
    token = await _token(engine)
    view = GatewayGraphQL(
        settings.model_copy(update={"session_cache_s": 60.0}), lambda: counted.engine
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with _client(view) as client:
        assert (await client.post("", json=READ, headers=headers)).status_code == 200
        assert len(view.sessions) == 1
        out = await client.post(
            "", json={"query": "mutation { signOut { __typename } }"}, headers=headers
        )
        assert out.json()["data"]["signOut"]["__typename"] == "SignOutSuccess", out.json()
        assert len(view.sessions) == 0
        response = await client.post("", json=READ, headers=headers)
        assert response.status_code == 401


async def test_an_out_of_band_delete_is_seen_after_the_cache_time(
    settings: Settings, engine: AsyncEngine, counted: Counted
) -> None:
    # A row deleted by hand (no revocation event) is what the cache time bounds.
    token = await _token(engine)
    now = [0.0]
    view = GatewayGraphQL(
        settings.model_copy(update={"session_cache_s": 5.0}), lambda: counted.engine
    )
    view.sessions = SessionCache(5.0, clock=lambda: now[0])
    assert view.compiled is not None
    view.compiled.sessions = view.sessions
    headers = {"Authorization": f"Bearer {token}"}
    async with _client(view) as client:
        assert (await client.post("", json=READ, headers=headers)).status_code == 200
        async with engine.begin() as conn:
            await conn.execute(
                sa.text("DELETE FROM sessions WHERE token = :t"), {"t": hash_token(token)}
            )
        assert (await client.post("", json=READ, headers=headers)).status_code == 200
        now[0] = 5.0
        assert (await client.post("", json=READ, headers=headers)).status_code == 401


def test_the_cache_rules() -> None:
    now = [100.0]
    cache = SessionCache(5.0, clock=lambda: now[0])
    user, other = uuid.uuid4(), uuid.uuid4()
    later = datetime.now(UTC) + timedelta(days=1)
    a = Viewer(user, uuid.uuid4(), session_expires_at=later)
    b = Viewer(user, uuid.uuid4(), session_expires_at=later)
    c = Viewer(other, uuid.uuid4(), session_expires_at=later)
    for key, viewer in (("a", a), ("b", b), ("c", c)):
        cache.put(key, viewer, cache.epoch)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (a, b, c)
    # A revocation of one session; then of every session of a user.
    assert cache.revoke(Revocation(frozenset({a.session_id}), None, 0)) == 1  # type: ignore[arg-type]
    assert cache.get("a") is None and cache.get("b") == b
    assert cache.revoke(Revocation(frozenset(), user, None)) == 1
    assert cache.get("b") is None and cache.get("c") == c
    # A sign-in that started before a revocation was applied is not remembered.
    epoch = cache.epoch
    cache.revoke(Revocation(frozenset(), uuid.uuid4(), None))
    cache.put("a", a, epoch)
    assert cache.get("a") is None
    # Never past the cache time, nor past the session's expiry.
    now[0] += 5.0
    assert cache.get("c") is None
    soon = Viewer(other, uuid.uuid4(), session_expires_at=datetime.now(UTC) + timedelta(seconds=1))
    cache.put("s", soon, cache.epoch)
    now[0] += 1.5
    assert cache.get("s") is None
    # Off: nothing is remembered.
    off = SessionCache(0.0)
    off.put("c", c, off.epoch)
    assert off.get("c") is None
