"""The outbox relay against the real PostgreSQL: commit-order safety with deliberately
interleaved transactions, replay from a cursor, catch-up of a slow subscriber, rolled-back
work, NOTIFY at commit, the listener's reconnection, pruning."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.events import relay
from db.events.outbox import Topic, publish
from db.events.relay import CursorExpired, Event, InvalidCursor, Position
from gateway.events.hub import LISTENER_APPLICATION_NAME, EventHub
from gateway.settings import Settings
from tests.support.harness import committed_user

WALLET = frozenset({str(Topic.WALLET_CHANGED)})


async def _publish(conn: AsyncConnection, user_id: uuid.UUID, n: int) -> int:
    return await publish(conn, Topic.WALLET_CHANGED, user_id, {"n": n})


async def _commit(engine: AsyncEngine, user_id: uuid.UUID, *numbers: int) -> None:
    async with engine.begin() as conn:
        for n in numbers:
            await _publish(conn, user_id, n)


@pytest.fixture
async def hub(database_url: str, engine: AsyncEngine) -> AsyncIterator[EventHub]:
    events = EventHub(Settings(database_url=database_url, event_poll_interval_s=0.05), engine)
    await events.start()
    yield events
    await events.stop()


class Collector:
    """Consumes one stream in the background."""

    def __init__(self, stream: AsyncIterator[Event]) -> None:
        self.events: list[Event] = []
        self.arrived = asyncio.Condition()
        self.task = asyncio.create_task(self._run(stream))

    async def _run(self, stream: AsyncIterator[Event]) -> None:
        async for event in stream:
            async with self.arrived:
                self.events.append(event)
                self.arrived.notify_all()

    async def wait_for(self, count: int) -> list[int]:
        async with asyncio.timeout(20), self.arrived:
            await self.arrived.wait_for(lambda: len(self.events) >= count)
        return [event.payload["n"] for event in self.events]

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


def test_cursors_are_opaque_and_checked() -> None:
    position = Position(2**40 + 7, 123)
    cursor = position.encode()
    assert str(position.id) not in cursor and Position.decode(cursor) == position
    for bad in ("", "abc", "ZXYxOjE=", Position(1, 2).encode()[:-2] + "!!", "ZXYxOi0xOjI"):
        with pytest.raises(InvalidCursor):
            Position.decode(bad)
    assert Position(5, 1) < Position(5, 2) < Position(6, 0)


async def test_a_lower_id_committing_later_is_delivered_in_commit_safe_order_once(
    engine: AsyncEngine, hub: EventHub
) -> None:
    user = (await committed_user(engine)).user_id
    collector = Collector(hub.stream(user, WALLET, None))
    async with engine.connect() as early, engine.connect() as late:
        await early.begin()
        low = await _publish(early, user, 1)  # the lower id, its transaction commits last
        await late.begin()
        high = await _publish(late, user, 2)
        await late.commit()
        assert low < high

        # What a reader following `id > last` would do: it sees only the higher id now, and
        # would skip the lower one for good once it moved past it.
        async with engine.connect() as naive:
            seen = (
                await naive.execute(
                    sa.text("SELECT id FROM event_outbox WHERE user_id = :u AND id > 0"),
                    {"u": user},
                )
            ).scalars()
            assert list(seen) == [high]
        # The relay holds both back while the earlier transaction is open ...
        await asyncio.sleep(0.3)
        assert collector.events == []
        await early.commit()
    # ... and delivers both, in transaction order, once.
    assert await collector.wait_for(2) == [1, 2]
    await _commit(engine, user, 3)
    assert await collector.wait_for(3) == [1, 2, 3]
    await collector.stop()
    positions = [event.position for event in collector.events]
    assert positions == sorted(positions) and len(set(positions)) == 3


async def test_the_relay_read_follows_transaction_order(engine: AsyncEngine) -> None:
    user = (await committed_user(engine)).user_id
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        start = await relay.frontier(raw)
    async with engine.connect() as early, engine.connect() as late:
        await early.begin()
        await _publish(early, user, 1)
        open_txid = int((await early.execute(sa.text("SELECT pg_current_xact_id()"))).scalar_one())
        await late.begin()
        await _publish(late, user, 2)
        await late.commit()
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            events, position = await relay.read_after(raw, start, 100)
            assert [e.payload for e in events if e.user_id == user] == []
            # The read stops before the open transaction, whatever committed after it.
            assert position <= Position(open_txid, 0)
        await early.commit()
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        events, after = await relay.read_after(raw, position, 100)
        mine = [e.payload["n"] for e in events if e.user_id == user]
        assert mine == [1, 2]
        again, _ = await relay.read_after(raw, after, 100)
        assert [e for e in again if e.user_id == user] == []


async def test_rolled_back_events_are_never_delivered(engine: AsyncEngine, hub: EventHub) -> None:
    user = (await committed_user(engine)).user_id
    collector = Collector(hub.stream(user, WALLET, None))
    async with engine.connect() as conn:
        await conn.begin()
        await _publish(conn, user, 1)
        await conn.rollback()
    await _commit(engine, user, 2)
    assert await collector.wait_for(1) == [2]
    await asyncio.sleep(0.2)
    assert len(collector.events) == 1
    await collector.stop()


async def test_replay_from_a_cursor_then_live_events_without_gap_or_duplicate(
    engine: AsyncEngine, hub: EventHub
) -> None:
    user = (await committed_user(engine)).user_id
    other = (await committed_user(engine)).user_id
    first = Collector(hub.stream(user, WALLET, None))
    for n in range(1, 6):
        await _commit(engine, user, n)
        await _commit(engine, other, 100 + n)
    assert await first.wait_for(5) == [1, 2, 3, 4, 5]
    await first.stop()
    cursor = first.events[1].position  # the client saw 1 and 2
    await _commit(engine, user, 6)  # while it was away
    resumed = Collector(hub.stream(user, WALLET, cursor))
    assert await resumed.wait_for(4) == [3, 4, 5, 6]
    await _commit(engine, user, 7, 8)
    assert await resumed.wait_for(6) == [3, 4, 5, 6, 7, 8]
    await asyncio.sleep(0.2)
    assert len(resumed.events) == 6  # none twice, none of the other user's
    await resumed.stop()
    assert hub.subscribers == 0  # stopped streams unregister


async def test_a_subscriber_past_its_buffer_catches_up_from_the_outbox(
    database_url: str, engine: AsyncEngine
) -> None:
    settings = Settings(database_url=database_url, event_poll_interval_s=0.05, event_buffer=3)
    hub = EventHub(settings, engine)
    await hub.start()
    try:
        user = (await committed_user(engine)).user_id
        stream = hub.stream(user, WALLET, None)

        async def next_event() -> Event:
            return await anext(stream)

        first = asyncio.create_task(next_event())  # registered, waiting
        await asyncio.sleep(0.1)
        for n in range(1, 11):
            await _commit(engine, user, n)
        received = [(await first).payload["n"]]
        # The stream is suspended after its first event; the relay fills its buffer of 3.
        async with asyncio.timeout(10):
            while hub.delivered < 4:  # noqa: ASYNC110 (the hub has no event for this counter)
                await asyncio.sleep(0.01)
        async with asyncio.timeout(20):
            while len(received) < 10:
                received.append((await anext(stream)).payload["n"])
        assert received == list(range(1, 11))
        await stream.aclose()  # type: ignore[attr-defined]
    finally:
        await hub.stop()


async def test_notify_wakes_the_relay_at_commit(database_url: str, engine: AsyncEngine) -> None:
    # The poll is an hour away: only the trigger's NOTIFY can deliver within the test.
    settings = Settings(database_url=database_url, event_poll_interval_s=3600)
    hub = EventHub(settings, engine)
    await hub.start()
    try:
        user = (await committed_user(engine)).user_id
        collector = Collector(hub.stream(user, WALLET, None))
        await _commit(engine, user, 1)
        assert await collector.wait_for(1) == [1]
        await collector.stop()
    finally:
        await hub.stop()


async def test_notifications_are_sent_at_commit_and_skipped_when_switched_off(
    database_url: str, engine: AsyncEngine
) -> None:
    user = (await committed_user(engine)).user_id
    kwargs = engine.dialect.create_connect_args(engine.url)[1]
    listener = await asyncpg.connect(**kwargs)
    received: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(relay.CHANNEL, lambda *args: received.put_nowait(args[2]))
    try:
        async with engine.connect() as conn:
            await conn.begin()
            await _publish(conn, user, 1)
            await _publish(conn, user, 2)
            await asyncio.sleep(0.2)
            assert received.empty()  # nothing before the commit
            await conn.commit()
        assert await asyncio.wait_for(received.get(), 10) == relay.CHANNEL
        await asyncio.sleep(0.2)
        assert received.empty()  # one notification per transaction
        async with engine.connect() as conn:
            await conn.begin()
            await _publish(conn, user, 3)
            await conn.rollback()
        async with engine.connect() as conn:
            await conn.begin()
            await conn.execute(sa.text("SET LOCAL ignition.event_notify = 'off'"))
            await _publish(conn, user, 4)
            await conn.commit()
        await asyncio.sleep(0.5)
        assert received.empty()
    finally:
        await listener.close()


async def test_the_listener_reconnects_after_its_backend_is_killed(
    engine: AsyncEngine, hub: EventHub
) -> None:
    user = (await committed_user(engine)).user_id
    collector = Collector(hub.stream(user, WALLET, None))
    await _commit(engine, user, 1)
    await collector.wait_for(1)
    async with engine.connect() as conn:
        killed = (
            await conn.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": LISTENER_APPLICATION_NAME},
            )
        ).scalar_one()
    assert killed == 1
    for n in range(2, 12):
        await _commit(engine, user, n)
    assert await collector.wait_for(11) == list(range(1, 12))
    assert hub.reconnects >= 1
    await collector.stop()


async def test_old_rows_are_pruned_and_their_cursors_expire(
    engine: AsyncEngine, hub: EventHub
) -> None:
    user = (await committed_user(engine)).user_id
    collector = Collector(hub.stream(user, WALLET, None))
    await _commit(engine, user, 1)
    await _commit(engine, user, 2)
    await collector.wait_for(2)
    await collector.stop()
    old, recent = collector.events
    async with engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE event_outbox SET created_at = :t WHERE id = :id"),
            {"t": datetime(2020, 1, 1, tzinfo=UTC), "id": old.position.id},
        )
    assert await hub.prune(older_than_s=86400) >= 1
    with pytest.raises(CursorExpired):
        await hub.check_cursor(user, old.position)
    await hub.check_cursor(user, recent.position)  # kept
    stranger = (await committed_user(engine)).user_id
    with pytest.raises(CursorExpired):
        await hub.check_cursor(stranger, recent.position)  # not theirs
