"""Subscriptions end to end: a real ``ignition serve`` process, real websocket clients (gql
over graphql-transport-ws and legacy graphql-ws, raw ``websockets`` for the protocol
details), events produced by another client over HTTP (``grantPoints``)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
import websockets
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.connection import Connection
from websockets.typing import Subprotocol

from tests.e2e.live import (
    WALLET,
    Gateway,
    Subscriber,
    User,
    grant_in_db,
    grant_over_http,
    new_user,
    prime,
    until,
)

pytestmark = pytest.mark.e2e

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


async def test_wallet_events_reach_the_signed_in_subscriber_over_http_grants(
    gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    alice, bob = await new_user(live_engine), await new_user(live_engine)
    subscribers = [
        Subscriber(gateway.ws, alice, document=WALLET).start(),
        Subscriber(gateway.ws, bob, document=WALLET).start(),
    ]
    try:
        await prime(subscribers, live_engine, admin)
        async with httpx.AsyncClient(timeout=10) as client:
            granted = [
                await grant_over_http(client, gateway.http, admin, alice, coins)
                for coins in (5, 7, -3)
            ]
            await grant_over_http(client, gateway.http, admin, bob, 11)
        events = await subscribers[0].wait_for(3)
        bob_events = await subscribers[1].wait_for(1)
        await asyncio.sleep(0.5)  # nothing else may arrive
    finally:
        for subscriber in subscribers:
            await subscriber.stop()

    assert [e["coins"] for e in events] == [5, 7, -3]
    assert [e["ledgerEntry"]["id"] for e in events] == [g["ledgerEntry"]["id"] for g in granted]
    assert [e["balance"] for e in events] == [
        g["wallet"]["coins"] for g in granted
    ]  # the balance right after each change
    assert all(e["wallet"]["coins"] >= e["balance"] - 9 for e in events)
    assert len({e["cursor"] for e in events}) == 3
    # Isolation: each sees only their own events.
    assert [e["coins"] for e in bob_events] == [11]
    assert len(subscribers[0].events) == 3 and len(subscribers[1].events) == 1


async def test_legacy_graphql_ws_protocol(
    gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    user = await new_user(live_engine)
    subscriber = Subscriber(gateway.ws, user, subprotocol=LEGACY_WS, document=WALLET).start()
    try:
        await prime([subscriber], live_engine, admin)
        await grant_in_db(live_engine, admin, user, 42)
        events = await subscriber.wait_for(1)
    finally:
        await subscriber.stop()
    assert events[0]["coins"] == 42 and events[0]["wallet"]["coins"] >= 42


async def _raw(gateway: Gateway, subprotocol: str = TRANSPORT_WS) -> websockets.ClientConnection:
    return await websockets.connect(gateway.ws, subprotocols=[Subprotocol(subprotocol)])


async def _recv(ws: Connection, skip_pings: bool = True) -> Any:
    while True:
        frame = await asyncio.wait_for(ws.recv(), timeout=10)
        assert isinstance(frame, str), "messages must be text frames"
        message = orjson.loads(frame)
        if skip_pings and message.get("type") in ("ping", "ka"):
            continue
        return message


async def test_messages_are_text_frames_and_each_operation_has_its_own_context(
    gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    user = await new_user(live_engine)
    query = "query { me { wallet { coins } } }"
    async with await _raw(gateway) as ws:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": user.auth}).decode())
        assert (await _recv(ws))["type"] == "connection_ack"
        await ws.send(
            orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}).decode()
        )
        first = await _recv(ws)
        assert first["id"] == "1" and first["type"] == "next"
        assert first["payload"]["data"] == {"me": {"wallet": {"coins": 0}}}
        assert (await _recv(ws)) == {"id": "1", "type": "complete"}
        await grant_in_db(live_engine, admin, user, 77)
        await ws.send(
            orjson.dumps({"id": "2", "type": "subscribe", "payload": {"query": query}}).decode()
        )
        second = await _recv(ws)
        assert second["payload"]["data"]["me"]["wallet"]["coins"] == 77


async def test_a_bad_token_closes_with_4403_and_no_token_is_an_error_for_viewer_subscriptions(
    gateway: Gateway,
) -> None:
    async with await _raw(gateway) as ws:
        await ws.send(
            orjson.dumps(
                {"type": "connection_init", "payload": {"Authorization": "Bearer not-a-token"}}
            ).decode()
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await _recv(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    # The legacy protocol answers connection_error, then closes with 4403 too (not 1011).
    async with await _raw(gateway, LEGACY_WS) as ws:
        await ws.send(
            orjson.dumps(
                {"type": "connection_init", "payload": {"Authorization": "Bearer not-a-token"}}
            ).decode()
        )
        refused = await _recv(ws)
        assert refused["type"] == "connection_error", refused
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await _recv(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

    transport = WebsocketsTransport(url=gateway.ws, subprotocols=[TRANSPORT_WS])
    async with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError) as error:
            async for _ in session.subscribe(gql("subscription { walletChanged { cursor } }")):
                pass
        assert error.value.errors is not None
        assert error.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
        # Catalog queries still work on an anonymous socket.
        result = await session.execute(gql("{ skillDefinitions { totalCount } }"))
        assert result["skillDefinitions"]["totalCount"] == 6


async def test_bad_and_foreign_cursors_are_refused(
    gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    alice, bob = await new_user(live_engine), await new_user(live_engine)
    subscriber = Subscriber(gateway.ws, alice).start()
    try:
        await prime([subscriber], live_engine, admin)
        await grant_in_db(live_engine, admin, alice, 3)
        cursor = (await subscriber.wait_for(1))[0]["cursor"]
    finally:
        await subscriber.stop()
    document = "subscription ($after: String) { walletChanged(after: $after) { cursor } }"
    for token_user, after, code in (
        (alice, "garbage", "BAD_USER_INPUT"),
        (bob, cursor, "CURSOR_EXPIRED"),
    ):
        transport = WebsocketsTransport(
            url=gateway.ws, init_payload=token_user.auth, subprotocols=[TRANSPORT_WS]
        )
        async with Client(transport=transport) as session:
            with pytest.raises(TransportQueryError) as error:
                request = GraphQLRequest(document, variable_values={"after": after})
                async for _ in session.subscribe(request):
                    pass
            assert error.value.errors is not None
            assert error.value.errors[0]["extensions"]["code"] == code


async def test_limits_on_subscriptions(gateway: Gateway, live_engine: AsyncEngine) -> None:
    user = await new_user(live_engine)
    async with await _raw(gateway) as ws:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": user.auth}).decode())
        assert (await _recv(ws))["type"] == "connection_ack"
        nested = "id"
        for _ in range(10):
            nested = f"wallet {{ user {{ {nested} }} }}"
        deep = f"subscription {{ walletChanged {{ {nested} }} }}"
        await ws.send(
            orjson.dumps({"id": "deep", "type": "subscribe", "payload": {"query": deep}}).decode()
        )
        refused = await _recv(ws)
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "DEPTH_LIMIT_EXCEEDED"
        costly = (
            "subscription { walletChanged { wallet { user { habits(first: 100) { edges { node {"
            " completions(first: 100) { edges { node { habit { completions(first: 100) {"
            " totalCount } } } } } } } } } } } }"
        )
        await ws.send(
            orjson.dumps({"id": "cost", "type": "subscribe", "payload": {"query": costly}}).decode()
        )
        refused = await _recv(ws)
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
        # Subscriptions per connection (IGNITION_WS_MAX_SUBSCRIPTIONS, 20 by default).
        for n in range(20):
            await ws.send(
                orjson.dumps(
                    {
                        "id": f"s{n}",
                        "type": "subscribe",
                        "payload": {"query": "subscription { walletChanged { cursor } }"},
                    }
                ).decode()
            )
        await ws.send(
            orjson.dumps(
                {
                    "id": "one-too-many",
                    "type": "subscribe",
                    "payload": {"query": "subscription { walletChanged { cursor } }"},
                }
            ).decode()
        )
        over = await _recv(ws)
        assert over["id"] == "one-too-many" and over["type"] == "error"
        assert over["payload"][0]["extensions"] == {
            "code": "SUBSCRIPTION_LIMIT_EXCEEDED",
            "limit": 20,
        }
        assert over["payload"][0]["message"].startswith("This socket already runs 20 operations")


async def test_server_pings_and_the_connection_init_timeout(gateway: Gateway) -> None:
    # The module's gateway pings every 0.3 s and waits 1 s for connection_init.
    async with await _raw(gateway) as ws:
        await ws.send(orjson.dumps({"type": "connection_init"}).decode())
        assert (await _recv(ws))["type"] == "connection_ack"
        assert (await _recv(ws, skip_pings=False)) == {"type": "ping"}
    async with await _raw(gateway, LEGACY_WS) as ws:
        await ws.send(orjson.dumps({"type": "connection_init"}).decode())
        assert (await _recv(ws))["type"] == "connection_ack"
        assert (await _recv(ws, skip_pings=False)) == {"type": "ka"}
    async with await _raw(gateway) as ws:  # no connection_init: closed with 4408
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408


async def _mutate(
    client: httpx.AsyncClient, gateway: Gateway, user: User, query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        gateway.http, json={"query": query, "variables": variables}, headers=user.auth
    )
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = next(iter(body["data"].values()))
    assert result["__typename"].endswith("Success"), result
    return result


async def test_focus_achievement_and_wallet_events_of_a_focus_session_over_one_socket(
    gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    user = await new_user(live_engine)
    focus = """subscription ($after: String) { focusSessionEvents(after: $after) {
        cursor type occurredAt session { id status } } }"""
    unlocked = """subscription ($after: String) { achievementUnlocked(after: $after) {
        cursor occurredAt achievement { achievementKey achievement { key rewardCoins } } } }"""
    wallet = "subscription { walletChanged { cursor coins balance } }"
    received: dict[str, list[dict[str, Any]]] = {"f": [], "a": [], "w": []}

    async def subscribe(ws: Any, op: str, query: str, after: str | None = None) -> None:
        payload = {"query": query, "variables": {"after": after}}
        await ws.send(orjson.dumps({"id": op, "type": "subscribe", "payload": payload}).decode())

    async def collect(ws: Any) -> None:
        while True:
            message = await _recv(ws)
            assert message["type"] == "next", message
            received[message["id"]].append(next(iter(message["payload"]["data"].values())))

    async with await _raw(gateway) as ws:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": user.auth}).decode())
        assert (await _recv(ws))["type"] == "connection_ack"
        await subscribe(ws, "w", wallet)
        collector = asyncio.create_task(collect(ws))
        try:
            # The wallet subscription is live once a marker grant arrives; the other two
            # resume after the marker's cursor (cursors order every topic of the viewer).
            async with asyncio.timeout(30):
                while not received["w"]:
                    await grant_in_db(live_engine, admin, user, 1, reason="marker")
                    await asyncio.sleep(0.3)
            marker = received["w"][0]["cursor"]
            await subscribe(ws, "f", focus, marker)
            await subscribe(ws, "a", unlocked, marker)
            async with httpx.AsyncClient(timeout=10) as client:
                started = await _mutate(
                    client,
                    gateway,
                    user,
                    """mutation { startFocusSession(input: {mode: FOCUS, durationSeconds: 600}) {
                    __typename ... on StartFocusSessionSuccess { session { id } } } }""",
                )
                session_id = started["session"]["id"]
                for name in ("pauseFocusSession", "resumeFocusSession"):
                    await _mutate(
                        client,
                        gateway,
                        user,
                        f"mutation ($id: ID!) {{ {name}(id: $id) {{ __typename }} }}",
                        id=session_id,
                    )
                # Two minutes focused since the resume, as far as the session knows: enough
                # for the first-session achievement (a session of at least one minute).
                async with live_engine.begin() as conn:
                    await conn.execute(
                        sa.text(
                            "UPDATE focus_pause_state SET resumed_at = resumed_at - "
                            "interval '2 minutes' WHERE session_id = :id"
                        ),
                        {"id": session_id},
                    )
                await _mutate(
                    client,
                    gateway,
                    user,
                    """mutation ($id: ID!, $key: String!) {
                    completeFocusSession(id: $id, idempotencyKey: $key) { __typename } }""",
                    id=session_id,
                    key="complete-1",
                )
            await until(
                lambda: len(received["f"]) >= 4 and bool(received["a"]) and len(received["w"]) >= 2,
                10,
            )
            await asyncio.sleep(0.3)
        finally:
            collector.cancel()
    kinds = [event["type"] for event in received["f"]]
    assert kinds == ["STARTED", "PAUSED", "RESUMED", "COMPLETED"]
    assert {event["session"]["id"] for event in received["f"]} == {session_id}
    assert received["f"][-1]["session"]["status"] == "COMPLETED"
    [achievement] = received["a"]
    assert achievement["achievement"]["achievementKey"] == "first_focus_session"
    reward = achievement["achievement"]["achievement"]["rewardCoins"]
    assert reward > 0 and reward in [event["coins"] for event in received["w"][1:]]
    cursors = [e["cursor"] for events in received.values() for e in events]
    assert len(cursors) == len(set(cursors))


async def test_idle_sockets_with_subscriptions_hold_no_pooled_connection(
    gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    users = [await new_user(live_engine) for _ in range(5)]
    # Full documents: every event reads its wallet and ledger entry on a fresh snapshot.
    subscribers = [Subscriber(gateway.ws, u, document=WALLET).start() for u in users * 4]
    try:
        await prime(subscribers, live_engine, admin)
        for user in users:
            await grant_in_db(live_engine, admin, user, 9)
        for subscriber in subscribers:
            assert [e["coins"] for e in await subscriber.wait_for(1)] == [9]
        async with httpx.AsyncClient(timeout=10) as client:
            metrics = (await client.get(gateway.http.replace("/graphql", "/metrics"))).text
        async with live_engine.connect() as conn:
            in_transaction = (
                await conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND application_name = 'ignition' "
                        "AND state <> 'idle' AND pid <> pg_backend_pid()"
                    )
                )
            ).scalar_one()
    finally:
        for subscriber in subscribers:
            await subscriber.stop()
    # 20 subscriptions open and idle after their events: nothing checked out, nothing open.
    checked_out = [
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("ignition_db_pool_checked_out")
    ]
    assert checked_out and sum(checked_out) == 0
    assert in_transaction == 0


async def test_quest_and_progress_events_live_and_resumed(
    gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    """``questEvents`` (a universal quest reaching its target, its claim, an own quest
    completed) and ``progressEvents`` (a level-up and a skill level-up of one grant), produced
    over HTTP; then both resumed with ``after``: the events after the cursor come again, in
    order, with the same cursors."""
    user = await new_user(live_engine)
    quests = """subscription ($after: String) { questEvents(after: $after) {
        cursor type occurredAt progress { status progress quest { title } }
        userQuest { title status } } }"""
    progress = """subscription ($after: String) { progressEvents(after: $after) {
        cursor type level previousLevel skillKey totalXp } }"""
    wallet = "subscription { walletChanged { cursor coins } }"
    received: dict[str, list[dict[str, Any]]] = {"w": [], "q": [], "p": [], "q2": [], "p2": []}

    async def subscribe(ws: Any, op: str, query: str, after: str | None = None) -> None:
        payload = {"query": query, "variables": {"after": after}}
        await ws.send(orjson.dumps({"id": op, "type": "subscribe", "payload": payload}).decode())

    async def collect(ws: Any) -> None:
        while True:
            message = await _recv(ws)
            assert message["type"] == "next", message
            received[message["id"]].append(next(iter(message["payload"]["data"].values())))

    async with await _raw(gateway) as ws:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": user.auth}).decode())
        assert (await _recv(ws))["type"] == "connection_ack"
        await subscribe(ws, "w", wallet)
        collector = asyncio.create_task(collect(ws))
        try:
            async with asyncio.timeout(30):
                while not received["w"]:
                    await grant_in_db(live_engine, admin, user, 1, reason="marker")
                    await asyncio.sleep(0.3)
            marker = received["w"][0]["cursor"]
            await subscribe(ws, "q", quests, marker)
            await subscribe(ws, "p", progress, marker)
            async with httpx.AsyncClient(timeout=10) as client:
                # 300 XP is level 3; 10 discipline stars are its level 1.
                response = await client.post(
                    gateway.http,
                    json={
                        "query": """mutation ($input: GrantPointsInput!) {
                            grantPoints(input: $input) { __typename } }""",
                        "variables": {
                            "input": {
                                "userId": str(user.id),
                                "xp": 300,
                                "stars": 10,
                                "skillKey": "discipline",
                                "reason": "live test",
                                "idempotencyKey": uuid.uuid4().hex,
                            }
                        },
                    },
                    headers=admin.auth,
                )
                assert response.json()["data"]["grantPoints"]["__typename"] == "GrantPointsSuccess"
                chain = await _scalar(
                    live_engine, "SELECT id FROM universal_quests WHERE title = 'Keep the chain'"
                )
                await _mutate(
                    client,
                    gateway,
                    user,
                    "mutation ($id: ID!) { acceptQuest(questId: $id) { __typename } }",
                    id=str(chain),
                )
                for n in range(3):
                    habit = await _mutate(
                        client,
                        gateway,
                        user,
                        """mutation ($name: String!) { createHabit(input: {name: $name}) {
                        __typename ... on CreateHabitSuccess { habit { id } } } }""",
                        name=f"habit {n}",
                    )
                    await _mutate(
                        client,
                        gateway,
                        user,
                        """mutation ($id: ID!, $key: String!) {
                        completeHabit(habitId: $id, idempotencyKey: $key) { __typename } }""",
                        id=habit["habit"]["id"],
                        key=f"habit-{n}",
                    )
                await _mutate(
                    client,
                    gateway,
                    user,
                    """mutation ($id: ID!) {
                    claimQuestReward(questId: $id, idempotencyKey: "claim") { __typename } }""",
                    id=str(chain),
                )
                own = await _mutate(
                    client,
                    gateway,
                    user,
                    """mutation { createQuest(input: {title: "Bounce the EP", category: "music"})
                    { __typename ... on CreateQuestSuccess { quest { id } } } }""",
                )
                await _mutate(
                    client,
                    gateway,
                    user,
                    """mutation ($id: ID!) {
                    completeQuest(id: $id, idempotencyKey: "own") { __typename } }""",
                    id=own["quest"]["id"],
                )
            await until(lambda: len(received["q"]) >= 3 and len(received["p"]) >= 2, 10)
            # Resume: after the first quest event, and after the marker.
            await subscribe(ws, "q2", quests, received["q"][0]["cursor"])
            await subscribe(ws, "p2", progress, marker)
            await until(
                lambda: len(received["q2"]) >= 2 and len(received["p2"]) >= len(received["p"]),
                10,
            )
            await asyncio.sleep(0.3)
        finally:
            collector.cancel()
    completed, claimed, own_done = received["q"]
    assert [e["type"] for e in received["q"]] == ["COMPLETED", "CLAIMED", "COMPLETED"]
    assert completed["progress"]["quest"]["title"] == "Keep the chain"
    assert completed["userQuest"] is None and claimed["userQuest"] is None
    assert claimed["progress"]["status"] == "CLAIMED"  # rows are read as they are now
    assert own_done["progress"] is None
    assert own_done["userQuest"] == {"title": "Bounce the EP", "status": "COMPLETED"}
    level, skill, *later = received["p"]
    assert (level["type"], level["level"], level["previousLevel"]) == ("LEVEL_UP", 3, 1)
    assert (level["totalXp"], level["skillKey"]) == (300, None)
    assert (skill["type"], skill["skillKey"], skill["level"], skill["previousLevel"]) == (
        "SKILL_LEVEL_UP",
        "discipline",
        1,
        0,
    )
    assert skill["totalXp"] is None
    assert all(e["type"] == "LEVEL_UP" and e["level"] > 3 for e in later)
    # Resumed: the same events after the cursor, in order, with the same cursors.
    assert received["q2"] == received["q"][1:]
    assert received["p2"] == received["p"]


async def _scalar(engine: AsyncEngine, sql: str) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(sql))).scalar_one()
