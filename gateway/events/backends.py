"""Wake-up backends: how a committed event reaches the relays of every gateway process.

A wake-up is only a hint ("read the outbox now"); the relay finds what is new by reading the
outbox itself and also reads it every poll interval, so a lost wake-up delays an event but
never loses it.

- :class:`PostgresWakeups` (``IGNITION_EVENT_BACKEND=postgres``, the default): revision 0016's
  trigger sends ``NOTIFY ignition_events`` from every transaction that inserts outbox rows;
  PostgreSQL delivers it at commit (never for a rolled-back transaction). The relay's own
  dedicated connection ``LISTEN``s, so nothing else is needed.
- :class:`RedisWakeups` (``IGNITION_EVENT_BACKEND=redis://host:port/db``): the pool's sessions
  set ``ignition.event_notify = off`` (the trigger then skips the NOTIFY and the database-wide
  lock it takes at commit), and a writer publishes to the Redis channel after its commit
  (:meth:`EventHub.committed <gateway.events.hub.EventHub.committed>`). Each process
  subscribes to the channel with redis-py's asyncio client and reconnects with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("gateway.events")

#: The Redis channel of the wake-ups.
REDIS_CHANNEL = "ignition:events"

#: Reconnection backoff: first retry after this many seconds, doubled up to the maximum.
BACKOFF_START_S = 0.05
BACKOFF_MAX_S = 5.0


def backoff_delays() -> Any:
    """An endless iterator of reconnection delays in seconds: 0.05, 0.1, 0.2, ... up to 5,
    each with up to 25 % random jitter (so that many processes do not retry in step)."""
    delay = BACKOFF_START_S
    while True:
        yield delay * (1 + random.random() / 4)
        delay = min(delay * 2, BACKOFF_MAX_S)


def is_redis_url(backend: str) -> bool:
    """Whether ``IGNITION_EVENT_BACKEND`` names a Redis server (``redis://``, ``rediss://``,
    ``unix://``)."""
    return backend.startswith(("redis://", "rediss://", "unix://"))


def check_backend(backend: str) -> None:
    """Refuse an unknown ``IGNITION_EVENT_BACKEND`` value.

    Raises:
        ValueError: neither ``postgres`` nor a Redis URL.
    """
    if backend != "postgres" and not is_redis_url(backend):
        raise ValueError(
            f"IGNITION_EVENT_BACKEND must be 'postgres' or a redis:// URL, not {backend!r}"
        )


class PostgresWakeups:
    """``LISTEN``/``NOTIFY``: the relay's connection listens (see :class:`EventHub`); writers
    need to do nothing after commit."""

    #: Whether the relay's connection must ``LISTEN`` on the outbox channel.
    listens = True

    async def start(self, wake: Callable[[], None]) -> None:
        """Nothing to start: the relay's connection carries the notifications."""

    async def publish(self) -> None:
        """Nothing to do: the trigger's NOTIFY went out with the commit."""

    async def close(self) -> None:
        """Nothing to close."""


class RedisWakeups:
    """Redis pub/sub wake-ups (see the module docstring).

    Args:
        url: the Redis URL (``redis://127.0.0.1:6379/0``).
    """

    listens = False

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.url = url
        self._client = redis.Redis.from_url(url, socket_connect_timeout=5)
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self, wake: Callable[[], None]) -> None:
        """Subscribe to the channel in a background task (reconnecting with backoff); every
        message, and every (re)subscription, calls ``wake``."""
        self._task = asyncio.create_task(self._listen(wake), name="ignition-redis-wakeups")

    async def _listen(self, wake: Callable[[], None]) -> None:
        delays = backoff_delays()
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(REDIS_CHANNEL)
                self.connected.set()
                delays = backoff_delays()
                wake()  # anything published while (re)connecting
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is not None:
                        wake()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # redis-py raises ConnectionError, TimeoutError, OSError
                self.connected.clear()
                delay = next(delays)
                logger.warning("redis wake-ups lost (%s); reconnecting in %.2f s", exc, delay)
                await asyncio.sleep(delay)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def publish(self) -> None:
        """Wake every relay (after a commit that published events). A failure is logged and
        swallowed: the relays' polls deliver the events a little later."""
        try:
            await self._client.publish(REDIS_CHANNEL, b"")
        except Exception as exc:
            logger.warning("could not publish a wake-up to redis (%s)", exc)

    async def close(self) -> None:
        """Stop listening and close the client's connections."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._client.aclose()


Wakeups = PostgresWakeups | RedisWakeups


def wakeups_for(backend: str) -> Wakeups:
    """The backend named by ``IGNITION_EVENT_BACKEND``.

    Raises:
        ValueError: an unknown backend (see :func:`check_backend`).
    """
    check_backend(backend)
    return RedisWakeups(backend) if is_redis_url(backend) else PostgresWakeups()


def skip_notify(engine: Any) -> None:
    """Make every new connection of ``engine`` set ``ignition.event_notify = off``, so the
    outbox trigger sends no NOTIFY from its transactions (the Redis backend wakes the relays
    instead). Set on the session through the driver, outside any transaction, so it lasts.
    """
    from sqlalchemy import event

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.run_async(lambda conn: conn.execute("SET ignition.event_notify = 'off'"))

    event.listen(engine.sync_engine, "connect", on_connect)
