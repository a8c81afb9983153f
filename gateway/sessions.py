"""The process's memory of verified sessions, and its websockets per session (docs/sessions.md).

A signed-in request costs one sign-in statement (:func:`db.auth.viewer.viewer_sql`) on top of
its query. :class:`SessionCache` remembers the viewer a token signed in for at most
``IGNITION_SESSION_CACHE_S`` seconds (never past the session's ``expires_at``), so that a
client's next requests within that time skip the statement: a compiled read is then one
statement, a general-path request takes no checkout to sign in. ``0`` turns it off.

Forgetting: a transaction that revokes a session, rotates it, or changes what its viewer holds
(approval, age verification, roles) publishes ``auth.sessions.revoked`` to the outbox
(:func:`db.events.outbox.publish_revocation`). The writing process applies it right after its
commit (:meth:`gateway.events.hub.EventHub.committed`); every process's relay applies it when it
reads the outbox (woken by the commit's ``NOTIFY`` or the Redis message, at the latest after
``IGNITION_EVENT_POLL_INTERVAL_S``). A sign-in that ran before a revocation the relay applied
while it was in flight is not remembered (:attr:`SessionCache.epoch`), so a revoked session is
never remembered after its revocation reached the process.

Websockets: a socket authenticated with a session is registered here (:meth:`SessionCache.
watch`); a revocation that ends the session closes it with 4403 ("Forbidden", as a refused
``connection_init``) and the reason; a rotation closes it when the old token's grace period
ends; any socket is closed when its session expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Collection, Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from db.auth.viewer import Viewer

logger = logging.getLogger("gateway.sessions")

#: Most sessions remembered at once per process (the oldest is forgotten first past it).
MAX_ENTRIES = 50_000

#: Close code of a websocket whose session was revoked or expired (graphql-ws's "Forbidden",
#: the code of a refused ``connection_init``).
REVOKED_CLOSE = 4403

#: A websocket's closer: called with the reason; closes the socket.
Closer = Callable[[str], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class Revocation:
    """What an ``auth.sessions.revoked`` event says.

    Attributes:
        session_ids: sessions to read again.
        user_id: a user all of whose sessions must be read again, or None.
        close_after_s: when websockets of ``session_ids`` close: 0 at once (the session
            ended), a number of seconds (a rotated session's grace period), None never
            (only what the viewer holds changed).
    """

    session_ids: frozenset[uuid.UUID]
    user_id: uuid.UUID | None
    close_after_s: float | None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Revocation:
        """The revocation of an event payload (:func:`db.events.outbox.publish_revocation`);
        malformed ids are skipped."""
        ids = set()
        for raw in payload.get("session_ids") or ():
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                ids.add(uuid.UUID(str(raw)))
        user: uuid.UUID | None = None
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            user = uuid.UUID(str(payload["user_id"])) if payload.get("user_id") else None
        close = payload.get("close_after_s")
        close_after = float(close) if isinstance(close, int | float) else None
        return cls(frozenset(ids), user, close_after)


@dataclass(slots=True)
class _Entry:
    viewer: Viewer
    deadline: float  # time.monotonic() seconds


class SessionCache:
    """Verified sessions of this process, by token hash (see the module docstring).

    Args:
        ttl_s: how long a verified session is remembered, seconds (0: never).
        clock: the monotonic clock (tests pass their own).

    Attributes:
        epoch: revocations applied so far; a sign-in started at an older epoch is not
            remembered (:meth:`put`).
        hits, misses: lookups answered from memory, and not.
    """

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._sockets: dict[uuid.UUID, dict[object, Closer]] = {}
        self._socket_users: dict[object, uuid.UUID] = {}
        self._timers: dict[object, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.epoch = 0
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        """Whether sessions are remembered at all (``IGNITION_SESSION_CACHE_S`` > 0)."""
        return self.ttl_s > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token_hash: str) -> Viewer | None:
        """The remembered viewer of a token hash, or None (unknown, or its time is up)."""
        entry = self._entries.get(token_hash)
        if entry is None or entry.deadline <= self._clock():
            if entry is not None:
                del self._entries[token_hash]
            self.misses += 1
            return None
        self.hits += 1
        return entry.viewer

    def put(self, token_hash: str, viewer: Viewer, epoch: int) -> None:
        """Remember ``viewer`` for ``token_hash``, unless a revocation was applied since
        ``epoch`` (the :attr:`epoch` read before the sign-in statement ran: the statement may
        have read the session before that revocation committed)."""
        if not self.enabled or epoch != self.epoch:
            return
        deadline = self._clock() + self.ttl_s
        if viewer.session_expires_at is not None:
            left = (viewer.session_expires_at - datetime.now(UTC)).total_seconds()
            deadline = min(deadline, self._clock() + left)
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.pop(next(iter(self._entries)))
        self._entries[token_hash] = _Entry(viewer, deadline)

    def revoke(self, revocation: Revocation) -> int:
        """Forget the sessions of ``revocation`` and close (or schedule the closing of) their
        websockets; returns how many remembered sessions were forgotten."""
        self.epoch += 1
        gone = [
            key
            for key, entry in self._entries.items()
            if entry.viewer.session_id in revocation.session_ids
            or (revocation.user_id is not None and entry.viewer.user_id == revocation.user_id)
        ]
        for key in gone:
            del self._entries[key]
        if revocation.close_after_s is not None:
            for session_id in revocation.session_ids:
                for socket in list(self._sockets.get(session_id, {})):
                    self._close_later(session_id, socket, revocation.close_after_s, "revoked")
        return len(gone)

    def forget(self, payloads: Collection[Mapping[str, Any]]) -> None:
        """Apply the revocations of ``auth.sessions.revoked`` payloads (a mutation of this
        process after its commit, or the relay)."""
        for payload in payloads:
            self.revoke(Revocation.from_payload(payload))

    def clear(self) -> None:
        """Forget every remembered session (the relay lost track: it reconnected)."""
        self.epoch += 1
        self._entries.clear()

    # ---- websockets ------------------------------------------------------------------------

    def watch(self, socket: object, viewer: Viewer, close: Closer) -> None:
        """Register a websocket authenticated as ``viewer``: it is closed (``close(reason)``)
        when its session is revoked, or when it expires."""
        if viewer.session_id is None:
            return
        self._sockets.setdefault(viewer.session_id, {})[socket] = close
        self._socket_users[socket] = viewer.session_id
        if viewer.session_expires_at is not None:
            left = (viewer.session_expires_at - datetime.now(UTC)).total_seconds()
            self._close_later(viewer.session_id, socket, max(left, 0.0), "expired")

    def unwatch(self, socket: object) -> None:
        """Forget a websocket (it closed)."""
        session_id = self._socket_users.pop(socket, None)
        timer = self._timers.pop(socket, None)
        if timer is not None:
            timer.cancel()
        if session_id is not None:
            sockets = self._sockets.get(session_id)
            if sockets is not None:
                sockets.pop(socket, None)
                if not sockets:
                    del self._sockets[session_id]

    def sockets(self, session_id: uuid.UUID) -> int:
        """Websockets open with ``session_id`` in this process."""
        return len(self._sockets.get(session_id, {}))

    def _close_later(self, session_id: uuid.UUID, socket: object, delay: float, why: str) -> None:
        loop = asyncio.get_running_loop()
        previous = self._timers.pop(socket, None)
        if previous is not None:
            if previous.when() <= loop.time() + delay:
                self._timers[socket] = previous  # an earlier closing stands
                return
            previous.cancel()
        if delay <= 0:
            self._close_now(session_id, socket, why)
            return
        # A timer far in the future is fine: asyncio keeps it in a heap.
        self._timers[socket] = loop.call_later(
            min(delay, 400 * 24 * 3600.0), self._close_now, session_id, socket, why
        )

    def _close_now(self, session_id: uuid.UUID, socket: object, why: str) -> None:
        close = self._sockets.get(session_id, {}).get(socket)
        self.unwatch(socket)
        if close is None:
            return
        reason = f"The session was {why}; sign in again."
        task = asyncio.get_running_loop().create_task(close(reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


__all__ = [
    "MAX_ENTRIES",
    "REVOKED_CLOSE",
    "Closer",
    "Revocation",
    "SessionCache",
]
