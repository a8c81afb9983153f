"""Live events under faults, end to end: the listener's
backend killed with 1,000 events in flight, a client away while 50 events happen, a gateway
restart, two processes (and ``--workers 2``) sharing the subscribers, the Redis backend.

Every test checks exactly-once delivery per subscriber: the multiset of received amounts (each
event's amount is unique) equals what was committed for that subscriber's user, no cursor
twice, cursors strictly increasing. Timings are printed (``-s``), never asserted.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import Counter
from pathlib import Path

import httpx
import orjson
import pytest
import websockets
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.typing import Subprotocol

from tests.e2e.live import (
    Gateway,
    ResumingSubscriber,
    Subscriber,
    User,
    grant_in_db,
    grant_many,
    grant_over_http,
    kill_listeners,
    listener_pids,
    new_user,
    positions,
    prime,
    until,
)

pytestmark = pytest.mark.e2e

TRANSPORT_WS = "graphql-transport-ws"


async def _new_listener(engine: AsyncEngine, before: set[int]) -> bool:
    return bool(await listener_pids(engine) - before)


async def _listeners_besides(engine: AsyncEngine, others: set[int], count: int) -> bool:
    return len(await listener_pids(engine) - others) >= count


def _check_exactly_once(subscriber: Subscriber, expected: list[int]) -> tuple[int, int]:
    """Assert the subscriber got each expected amount once, in position order; returns
    (received, duplicates)."""
    amounts = [event["coins"] for event in subscriber.events]
    received = positions(subscriber.events)
    duplicates = len(received) - len(set(received))
    assert duplicates == 0
    assert received == sorted(received)
    assert Counter(amounts) == Counter(expected)
    return len(amounts), duplicates


async def test_killing_the_listener_mid_stream_loses_and_repeats_nothing(
    gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    users = [await new_user(live_engine) for _ in range(4)]
    subscribers = [Subscriber(gateway.ws, user).start() for user in users for _ in range(2)]
    amounts = list(range(2, 1002))  # 1,000 events, each amount once (markers are 1 coin)
    expected = {user.id: amounts[index::4] for index, user in enumerate(users)}
    total = 2 * len(amounts)  # two subscribers per user
    try:
        await prime(subscribers, live_engine, admin)
        before = await listener_pids(live_engine)
        producing = asyncio.create_task(
            grant_many(live_engine, admin, users, amounts, concurrency=4, per_transaction=10)
        )
        await until(lambda: sum(len(s.events) for s in subscribers) >= total // 5, 60)
        in_flight = len(amounts) - sum(len(s.events) for s in subscribers) // 2
        killed_at = time.perf_counter()
        assert await kill_listeners(live_engine) == 1
        await until(lambda: _new_listener(live_engine, before))
        reconnected = time.perf_counter() - killed_at
        await producing
        produced = time.perf_counter() - killed_at
        for subscriber in subscribers:
            await subscriber.wait_for(len(expected[subscriber.user.id]))
        recovered = time.perf_counter() - killed_at
        await asyncio.sleep(0.5)  # anything extra would arrive now
    finally:
        for subscriber in subscribers:
            await subscriber.stop()
    totals = [_check_exactly_once(s, expected[s.user.id]) for s in subscribers]
    print(
        f"\nlistener killed with {in_flight} of 1000 events not yet delivered: "
        f"{len(subscribers)} subscribers received {sum(r for r, _ in totals)} of {total} "
        f"deliveries, {sum(d for _, d in totals)} duplicates; listener back after "
        f"{reconnected:.2f} s, last event committed {produced:.2f} s and every event "
        f"delivered {recovered:.2f} s after the kill"
    )


async def test_a_client_away_for_50_events_resumes_with_after(
    gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    user = await new_user(live_engine)
    first = Subscriber(gateway.ws, user).start()
    await prime([first], live_engine, admin)
    for coins in (2, 3):
        await grant_in_db(live_engine, admin, user, coins)
    await first.wait_for(2)
    await first.stop()  # the client disconnects

    missed = list(range(10, 60))
    await grant_many(live_engine, admin, [user], missed, concurrency=4)
    resumed = Subscriber(gateway.ws, user, after=first.last_cursor).start()
    try:
        replayed = await resumed.wait_for(50)
        assert sorted(e["coins"] for e in replayed) == missed
        for coins in (100, 101):  # then live ones
            await grant_in_db(live_engine, admin, user, coins)
        await resumed.wait_for(52)
        await asyncio.sleep(0.3)
    finally:
        await resumed.stop()
    _check_exactly_once(resumed, [*missed, 100, 101])
    assert positions(first.events)[-1] < positions(resumed.events)[0]


async def test_a_gateway_restart_clients_reconnect_and_resume(
    live_database: str, live_engine: AsyncEngine, admin: User, log_dir: Path
) -> None:
    process = await Gateway(live_database, log_dir).astart()
    user = await new_user(live_engine)
    subscriber = ResumingSubscriber(process.ws, user).start()
    try:
        await prime([subscriber], live_engine, admin)
        await grant_many(live_engine, admin, [user], [2, 3, 4])
        await subscriber.wait_for(3)
        raw = await websockets.connect(process.ws, subprotocols=[Subprotocol(TRANSPORT_WS)])
        await raw.send(orjson.dumps({"type": "connection_init"}).decode())
        assert orjson.loads(await raw.recv())["type"] == "connection_ack"
        await process.astop()  # clients see 1001 ("going away") and start reconnecting
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(raw.recv(), timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
        await grant_many(live_engine, admin, [user], list(range(10, 30)))  # while it is down
        restarted_at = time.perf_counter()
        await process.astart()
        await subscriber.wait_for(23)
        resumed = time.perf_counter() - restarted_at
        await grant_in_db(live_engine, admin, user, 99)
        await subscriber.wait_for(24)
        await asyncio.sleep(0.3)
    finally:
        await subscriber.stop()
        await process.astop()
    _check_exactly_once(subscriber, [2, 3, 4, *range(10, 30), 99])
    assert subscriber.connections >= 2
    print(f"\nrestart: 20 events while down, all replayed {resumed:.2f} s after the restart")


async def test_two_processes_deliver_each_event_to_each_subscriber_once(
    gateway: Gateway, live_database: str, live_engine: AsyncEngine, admin: User, log_dir: Path
) -> None:
    first = await listener_pids(live_engine)
    a, b = gateway, await Gateway(live_database, log_dir).astart()
    users = [await new_user(live_engine) for _ in range(3)]
    # Every user has subscribers on both processes, the first user two on process a.
    subscribers = [Subscriber(g.ws, u).start() for u in users for g in (a, b)]
    subscribers.append(Subscriber(a.ws, users[0]).start())
    amounts = list(range(2, 32))
    expected = {user.id: amounts[index::3] for index, user in enumerate(users)}
    try:
        await prime(subscribers, live_engine, admin)
        async with httpx.AsyncClient(timeout=10) as client:
            for start in range(0, len(amounts), 5):  # over HTTP, through both processes
                await asyncio.gather(
                    *(
                        grant_over_http(client, (a, b)[i % 2].http, admin, users[i % 3], coins)
                        for i, coins in enumerate(amounts[start : start + 5], start)
                    )
                )
        for subscriber in subscribers:
            await subscriber.wait_for(len(expected[subscriber.user.id]))
        await asyncio.sleep(0.5)
        assert len(await listener_pids(live_engine) - first) == 1  # b's own listener
    finally:
        for subscriber in subscribers:
            await subscriber.stop()
        await b.astop()
    totals = [_check_exactly_once(s, expected[s.user.id]) for s in subscribers]
    print(
        f"\ntwo processes, {len(subscribers)} subscribers: {sum(r for r, _ in totals)} "
        f"deliveries of {len(amounts)} events (expected "
        f"{sum(len(expected[s.user.id]) for s in subscribers)}), "
        f"{sum(d for _, d in totals)} duplicates"
    )


async def test_workers_each_hold_a_listener_and_share_the_subscribers(
    live_database: str, live_engine: AsyncEngine, admin: User, log_dir: Path
) -> None:
    others = await listener_pids(live_engine)
    process = await Gateway(live_database, log_dir, workers=2).astart()
    user = await new_user(live_engine)
    subscribers = [Subscriber(process.ws, user).start() for _ in range(4)]
    try:
        await until(lambda: _listeners_besides(live_engine, others, 2))  # one per worker
        await prime(subscribers, live_engine, admin)
        await grant_many(live_engine, admin, [user], list(range(2, 8)))
        for subscriber in subscribers:
            await subscriber.wait_for(6)
        await asyncio.sleep(0.3)
    finally:
        for subscriber in subscribers:
            await subscriber.stop()
        await process.astop()
    for subscriber in subscribers:
        _check_exactly_once(subscriber, list(range(2, 8)))


def _redis_url() -> str | None:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    host, _, port = url.split("//", 1)[1].split("/", 1)[0].partition(":")
    try:
        socket.create_connection((host, int(port or 6379)), timeout=1).close()
    except OSError:
        return None
    return url


async def test_the_redis_backend_wakes_every_process(
    live_database: str, live_engine: AsyncEngine, admin: User, log_dir: Path
) -> None:
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/15)")
    # Polls an hour apart and no NOTIFY: only Redis can deliver within the test.
    env = {"IGNITION_EVENT_BACKEND": url, "IGNITION_EVENT_POLL_INTERVAL_S": "3600"}
    a, b = await asyncio.gather(
        Gateway(live_database, log_dir, env=env).astart(),
        Gateway(live_database, log_dir, env=env).astart(),
    )
    user = await new_user(live_engine)
    subscribers = [Subscriber(a.ws, user).start(), Subscriber(b.ws, user).start()]
    try:
        await asyncio.sleep(1)  # registered (no markers: they would need a wake-up too)
        async with httpx.AsyncClient(timeout=10) as client:
            for index, coins in enumerate(range(2, 6)):
                await grant_over_http(client, (a, b)[index % 2].http, admin, user, coins)
        for subscriber in subscribers:
            await subscriber.wait_for(4)
        await asyncio.sleep(0.3)
    finally:
        for subscriber in subscribers:
            await subscriber.stop()
        await asyncio.gather(a.astop(), b.astop())
    for subscriber in subscribers:
        _check_exactly_once(subscriber, list(range(2, 6)))
