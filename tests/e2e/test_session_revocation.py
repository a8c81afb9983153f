"""Revoking a session reaches every gateway process through the event relay (docs/sessions.md):
two ``ignition serve`` processes that remember verified sessions for 60 s (much longer than
these tests wait) and poll the outbox only every 60 s, so that only the revocation event, woken
by the commit's NOTIFY, can explain what they see. Real clients: httpx over HTTP, the
``websockets`` client over graphql-transport-ws."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
import websockets
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.typing import Subprotocol

from db.auth.sessions import hash_token
from tests.e2e.live import Gateway, User, new_user, until

pytestmark = pytest.mark.e2e

READ = {"query": "{ me { id } }"}
SIGN_OUT = {"query": "mutation { signOut { __typename } }"}
ENV = {"IGNITION_SESSION_CACHE_S": "60", "IGNITION_EVENT_POLL_INTERVAL_S": "60"}


@pytest.fixture(scope="module")
def pair(live_database: str, log_dir: Path) -> Iterator[tuple[Gateway, Gateway]]:
    first = Gateway(live_database, log_dir, env=ENV).start()
    try:
        second = Gateway(live_database, log_dir, env=ENV).start()
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


async def _status(client: httpx.AsyncClient, gateway: Gateway, user: User) -> int:
    return (await client.post(gateway.http, json=READ, headers=user.auth)).status_code


async def _remembered(
    engine: AsyncEngine, client: httpx.AsyncClient, gw: Gateway, user: User
) -> None:
    """Make ``gw`` remember ``user``'s session, and show that it does: with the row deleted by
    hand (no event), ``gw`` still signs the token in; then put the row back."""
    assert await _status(client, gw, user) == 200
    async with engine.begin() as conn:
        row = (
            (
                await conn.execute(
                    sa.text("DELETE FROM sessions WHERE token = :t RETURNING *"),
                    {"t": hash_token(user.token)},
                )
            )
            .mappings()
            .one()
        )
    assert await _status(client, gw, user) == 200  # remembered: the statement did not run
    async with engine.begin() as conn:
        names = [str(name) for name in row]
        columns, values = ", ".join(names), ", ".join(":" + name for name in names)
        await conn.execute(
            sa.text(f"INSERT INTO sessions ({columns}) VALUES ({values})"), dict(row)
        )


async def test_sign_out_in_one_process_reaches_the_other(
    pair: tuple[Gateway, Gateway], live_engine: AsyncEngine
) -> None:
    first, second = pair
    user = await new_user(live_engine)
    async with httpx.AsyncClient(timeout=10) as client:
        await _remembered(live_engine, client, second, user)
        out = await client.post(first.http, json=SIGN_OUT, headers=user.auth)
        assert out.json()["data"]["signOut"]["__typename"] == "SignOutSuccess", out.json()
        signed_out = time.perf_counter()
        # The writer applied it at once; the other process when its relay read the event.
        assert await _status(client, first, user) == 401

        async def refused() -> bool:
            return await _status(client, second, user) == 401

        await until(refused, within_s=30)  # well under the 60 s the cache would keep it
        reached = time.perf_counter() - signed_out
    print(f"signOut reached the other process after {reached * 1000:.0f} ms")


async def test_revoking_a_session_closes_its_websockets_in_every_process(
    pair: tuple[Gateway, Gateway], live_engine: AsyncEngine
) -> None:
    first, second = pair
    user = await new_user(live_engine)
    other = await new_user(live_engine)  # another user's socket stays open
    sockets: list[Any] = []
    for gateway, who in ((first, user), (second, user), (second, other)):
        ws = await websockets.connect(
            gateway.ws, subprotocols=[Subprotocol("graphql-transport-ws")]
        )
        await ws.send(orjson.dumps({"type": "connection_init", "payload": who.auth}).decode())
        assert orjson.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        subscribe = {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": "subscription { walletChanged { coins } }"},
        }
        await ws.send(orjson.dumps(subscribe).decode())
        sockets.append(ws)
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            out = await client.post(second.http, json=SIGN_OUT, headers=user.auth)
            assert out.json()["data"]["signOut"]["__typename"] == "SignOutSuccess"
        for ws in sockets[:2]:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    message = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
                    assert message["type"] in ("ping", "pong"), message
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4403
            assert "revoked" in closed.value.rcvd.reason
        # The other user's socket is still served.
        await sockets[2].send(orjson.dumps({"type": "ping"}).decode())
        while (message := orjson.loads(await asyncio.wait_for(sockets[2].recv(), 10)))[
            "type"
        ] != "pong":
            assert message["type"] == "ping"
    finally:
        for ws in sockets:
            await ws.close()
