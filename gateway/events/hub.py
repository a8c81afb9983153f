"""The per-process relay of the outbox and the subscription streams
(docs/design.md#events-and-the-outbox).

One :class:`EventHub` per gateway process:

- It owns ONE dedicated asyncpg connection (not from the pool; ``application_name =
  'ignition-listener'``), which ``LISTEN``s for the outbox trigger's ``NOTIFY`` (PostgreSQL
  backend) and runs the relay's reads. When it breaks (server restart,
  ``pg_terminate_backend``), the hub reconnects with exponential backoff and reads at once.
- Its reader task reads the outbox after its position (:func:`db.events.relay.read_after`,
  commit-order safe) when woken (a notification, a Redis message, a reconnect) and at least
  every ``IGNITION_EVENT_POLL_INTERVAL_S``, and hands each event to the in-process subscribers
  of the event's user and topic: one read per wake-up, however many subscribers. It applies
  ``auth.sessions.revoked`` events to the process's verified sessions
  (:mod:`gateway.sessions`): a revocation in any process reaches this one when the relay
  reads it.
- :meth:`EventHub.stream` is one subscriber's stream: registered before it replays from the
  client's cursor (``after``) up to the hub's position at registration, then it follows the
  live events after that position, skipping anything at or before the last position it
  yielded. So: no gap and no duplicate at the seam, in order. A subscriber that falls more than
  ``IGNITION_EVENT_BUFFER`` events behind is not dropped: it catches up from the outbox.
- Its prune task deletes rows older than ``IGNITION_EVENT_RETENTION_S`` every few minutes.

Nothing here holds a pooled connection while waiting: replays borrow one per page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Collection
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from db.events import relay
from db.events.outbox import Topic
from db.events.relay import CursorExpired, Event, Position
from gateway.events.backends import Wakeups, backoff_delays, wakeups_for
from gateway.sessions import SessionCache
from gateway.settings import Settings

logger = logging.getLogger("gateway.events")

#: ``application_name`` of the relay's dedicated connection in ``pg_stat_activity``.
LISTENER_APPLICATION_NAME = "ignition-listener"

#: Rows per relay read and per replay page.
PAGE = 500

#: Seconds between two prunes of the outbox.
PRUNE_INTERVAL_S = 300.0

_REVOKED = str(Topic.SESSIONS_REVOKED)


class Subscription:
    """One subscriber's registration with its hub: who, which topics, and a bounded buffer.

    Attributes:
        user_id: the viewer whose events it receives.
        topics: the topics it receives.
        start: the hub's position when it registered; live events come after it.
    """

    __slots__ = ("_limit", "_queue", "_ready", "closed", "overflowed", "start", "topics", "user_id")

    def __init__(
        self, user_id: uuid.UUID, topics: frozenset[str], start: Position, limit: int
    ) -> None:
        self.user_id = user_id
        self.topics = topics
        self.start = start
        self._limit = limit
        self._queue: deque[Event] = deque()
        self._ready = asyncio.Event()
        self.overflowed = False
        self.closed = False

    def push(self, event: Event) -> None:
        """Buffer a live event (called by the hub's reader, synchronously). Past the buffer's
        limit the buffer is emptied and the stream catches up from the outbox instead."""
        if len(self._queue) >= self._limit:
            self._queue.clear()
            self.overflowed = True
        else:
            self._queue.append(event)
        self._ready.set()

    def close(self) -> None:
        """End the stream (the hub is stopping)."""
        self.closed = True
        self._ready.set()

    async def get(self) -> Event | None:
        """The next buffered event; None when the stream must catch up or end (see
        :attr:`overflowed`, :attr:`closed`)."""
        while not self._queue:
            if self.overflowed or self.closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        if self.closed:
            return None
        return self._queue.popleft()


class EventHub:
    """The relay of one process (see the module docstring).

    Args:
        settings: poll interval, retention, buffer size, backend.
        engine: the process's pool; replays borrow short connections from it.
        sessions: the process's verified sessions: the relay applies every
            ``auth.sessions.revoked`` event to them (:mod:`gateway.sessions`).
    """

    def __init__(
        self, settings: Settings, engine: AsyncEngine, sessions: SessionCache | None = None
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions = sessions
        self.wakeups: Wakeups = wakeups_for(settings.event_backend)
        self.position: Position | None = None
        self._subscribers: dict[uuid.UUID, set[Subscription]] = {}
        self._wakeup = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        self._tasks: list[asyncio.Task[None]] = []
        #: Counters for logs, tests and benchmarks.
        self.reads = 0
        self.reconnects = 0
        self.delivered = 0

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, take the current frontier as the starting position (only events that
        commit from now on are live), start the wake-up backend and the reader and prune
        tasks.

        Raises:
            asyncpg.PostgresError, OSError: the database cannot be reached.
        """
        conn = await self._connect()
        self.position = await relay.frontier(conn)
        await self.wakeups.start(self.wake)
        self._tasks = [
            asyncio.create_task(self._read_loop(), name="ignition-relay"),
            asyncio.create_task(self._prune_loop(), name="ignition-outbox-prune"),
        ]

    async def stop(self) -> None:
        """End every stream, stop the tasks, close the dedicated connection and the backend."""
        for subscribers in list(self._subscribers.values()):
            for subscription in subscribers:
                subscription.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self.wakeups.close()
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), timeout=2)
            if not conn.is_closed():
                conn.terminate()

    def wake(self) -> None:
        """Ask the reader to read the outbox now (a notification, a Redis message, a
        reconnect)."""
        self._wakeup.set()

    async def committed(self) -> None:
        """Called by a writer after a commit that published events: wakes every process's
        relay through the backend (Redis), or does nothing (PostgreSQL: the NOTIFY went out
        with the commit)."""
        await self.wakeups.publish()

    @property
    def subscribers(self) -> int:
        """Subscriptions registered right now."""
        return sum(len(s) for s in self._subscribers.values())

    # ---- the dedicated connection -----------------------------------------------------------

    async def _connect(self) -> asyncpg.Connection:
        _, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        kwargs = {k: v for k, v in kwargs.items() if not k.startswith("prepared_statement")}
        conn: asyncpg.Connection = await asyncpg.connect(
            **kwargs,
            timeout=10,
            statement_cache_size=16,
            server_settings={
                "application_name": LISTENER_APPLICATION_NAME,
                "statement_timeout": str(max(self.settings.statement_timeout_ms, 10_000)),
            },
        )
        try:
            if self.wakeups.listens:
                await conn.add_listener(relay.CHANNEL, self._on_notification)
            conn.add_termination_listener(self._on_terminated)
        except BaseException:
            conn.terminate()
            raise
        self._conn = conn
        return conn

    def _on_notification(self, *_: Any) -> None:
        self._wakeup.set()

    def _on_terminated(self, conn: asyncpg.Connection) -> None:
        if self._conn is conn:
            self._conn = None
            self._wakeup.set()  # reconnect now rather than at the next poll

    async def _connection(self) -> asyncpg.Connection:
        """The dedicated connection, reconnected (with backoff) when it is gone."""
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        self._conn = None
        for delay in backoff_delays():
            try:
                conn = await self._connect()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                logger.warning("event listener: cannot connect (%s); retry in %.2f s", exc, delay)
                await asyncio.sleep(delay)
                continue
            self.reconnects += 1
            logger.info("event listener reconnected")
            return conn
        raise AssertionError("unreachable")  # pragma: no cover (backoff_delays is endless)

    # ---- reading and fan-out --------------------------------------------------------------

    async def _read_loop(self) -> None:
        poll = self.settings.event_poll_interval_s
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll):
                    await self._wakeup.wait()
            self._wakeup.clear()
            try:
                await self._drain()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The connection broke mid-read (or the read failed): drop it; the next round
                # reconnects and reads again from the same position, so nothing is lost.
                logger.warning("event relay read failed (%s); reconnecting", exc)
                conn, self._conn = self._conn, None
                if conn is not None:
                    conn.terminate()
                self._wakeup.set()

    async def _drain(self) -> None:
        """Read everything after the position, page by page, and fan it out."""
        conn = await self._connection()
        while True:
            assert self.position is not None
            events, position = await relay.read_after(conn, self.position, PAGE)
            self.reads += 1
            # Synchronous from here to the position update: a subscriber registering now
            # either gets these events live or starts after them, never both, never neither.
            self._dispatch(events)
            self.position = position
            if len(events) < PAGE:
                return

    def _dispatch(self, events: list[Event]) -> None:
        subscribers = self._subscribers
        for event in events:
            if event.topic == _REVOKED and self.sessions is not None:
                self.sessions.forget([event.payload])
            targets = subscribers.get(event.user_id) if event.user_id is not None else None
            if not targets:
                continue
            for subscription in targets:
                if event.topic in subscription.topics:
                    subscription.push(event)
                    self.delivered += 1

    async def _prune_loop(self) -> None:
        retention = self.settings.event_retention_s
        while True:
            try:
                deleted = await self.prune(retention)
                if deleted:
                    logger.info("pruned %d outbox rows older than %d s", deleted, retention)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("outbox prune failed (%s); next try in %g s", exc, PRUNE_INTERVAL_S)
            await asyncio.sleep(PRUNE_INTERVAL_S)

    async def prune(self, older_than_s: float) -> int:
        """Delete every outbox row older than ``older_than_s`` seconds, in batches, on short
        pooled checkouts; returns how many rows went."""
        total = 0
        while True:
            async with self.engine.connect() as conn:
                raw = await conn.get_raw_connection()
                deleted = await relay.prune(raw.driver_connection, older_than_s)
            total += deleted
            if deleted < 5000:
                return total

    # ---- subscriptions ----------------------------------------------------------------------

    def _subscribe(self, user_id: uuid.UUID, topics: frozenset[str]) -> Subscription:
        assert self.position is not None, "the hub has not started"
        subscription = Subscription(user_id, topics, self.position, self.settings.event_buffer)
        self._subscribers.setdefault(user_id, set()).add(subscription)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.user_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.user_id]

    async def check_cursor(self, user_id: uuid.UUID, after: Position) -> None:
        """Refuse a cursor whose event is gone (pruned) or is not ``user_id``'s.

        Raises:
            CursorExpired: see the class.
        """
        async with self.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            retained = await relay.is_retained(raw.driver_connection, user_id, after)
        if not retained:
            raise CursorExpired(after.encode())

    async def _replay(
        self,
        user_id: uuid.UUID,
        topics: Collection[str],
        after: Position,
        upto: Position,
    ) -> AsyncIterator[Event]:
        """The user's events in ``(after, upto]`` from the outbox, a page at a time (each
        page on a short pooled checkout, released before its events are yielded)."""
        while after < upto:
            async with self.engine.connect() as conn:
                raw = await conn.get_raw_connection()
                page = await relay.read_user_range(
                    raw.driver_connection, user_id, topics, after, upto, PAGE
                )
            for event in page:
                yield event
            if len(page) < PAGE:
                return
            after = page[-1].position

    async def stream(
        self, user_id: uuid.UUID, topics: Collection[str], after: Position | None
    ) -> AsyncIterator[Event]:
        """One subscriber's events: those after ``after`` from the outbox (none when
        ``after`` is None), then live ones, in position order, each once.

        Args:
            user_id: the viewer; only their events are delivered.
            topics: the topics to deliver.
            after: the position of the last event the client saw, or None for only new
                events.

        Yields:
            Events in position order. The stream ends when the hub stops.
        """
        topic_set = frozenset(topics)
        subscription = self._subscribe(user_id, topic_set)
        try:
            last = subscription.start if after is None else after
            async for event in self._replay(user_id, topic_set, last, subscription.start):
                yield event
                last = event.position
            while True:
                if subscription.overflowed:
                    subscription.overflowed = False
                    assert self.position is not None
                    async for event in self._replay(user_id, topic_set, last, self.position):
                        yield event
                        last = event.position
                    continue
                live = await subscription.get()
                if live is None:
                    if subscription.closed:
                        return
                    continue
                if live.position <= last:
                    continue  # already replayed
                yield live
                last = live.position
        finally:
            self._unsubscribe(subscription)
