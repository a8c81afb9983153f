"""Commit-order-safe reads of the outbox: what the relay and the replays run
(docs/design.md#events-and-the-outbox; ``docs/decisions.md``).

An ``event_outbox`` id is handed out at insert, so ids do not follow commit order: a reader
that follows ``id > last`` misses a lower id whose transaction commits after a higher one was
read. Each row therefore records its inserting transaction (``txid``). A read returns only the
rows of transactions older than its own snapshot's frontier: the snapshot's ``xmin``
(``pg_snapshot_xmin(pg_current_snapshot())``, Emmett's approach), refined to ignore
transactions that ``pg_stat_activity`` shows running in another database of the cluster (they
cannot write here; see ``_FRONTIER``). Every transaction below the frontier has ended, so no
row can still appear below what was read. Rows come in ``(txid, id)`` order, the
:class:`Position` order; a consumer that remembers the last position it read and asks for
what is after it sees every committed row exactly once.

The functions take a raw asyncpg connection (the relay's dedicated connection, or the driver
connection of a short pooled checkout for a replay), one statement each, no transaction.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

#: The NOTIFY channel of revision 0016's trigger (one notification per committing transaction).
CHANNEL = "ignition_events"

_CURSOR_PREFIX = b"ev1:"


class CursorExpired(Exception):
    """The event a cursor points at is no longer in the outbox (pruned after the retention
    period, or not the viewer's): events after it may be gone too."""


class InvalidCursor(ValueError):
    """A subscription's ``after`` is not a cursor this gateway handed out."""


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """A place in the outbox's commit-safe order: ``(txid, id)``.

    ``Position(x, 0)`` stands for "every row of a transaction older than ``x``" (ids start
    at 1), which is where a relay starts: rows of transactions that are still running then are
    after it.
    """

    txid: int
    id: int

    def encode(self) -> str:
        """The opaque cursor given to clients (URL-safe base64, no padding)."""
        raw = _CURSOR_PREFIX + f"{self.txid}:{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        """The position of a cursor from :meth:`encode`.

        Raises:
            InvalidCursor: anything else.
        """
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursor(cursor) from None
        if not raw.startswith(_CURSOR_PREFIX):
            raise InvalidCursor(cursor)
        txid, _, row = raw[len(_CURSOR_PREFIX) :].partition(b":")
        if not (txid.isdigit() and row.isdigit()) or len(txid) > 20 or len(row) > 19:
            raise InvalidCursor(cursor)
        position = cls(int(txid), int(row))
        if position.txid >= 2**64 or position.id >= 2**63:
            raise InvalidCursor(cursor)
        return position


@dataclass(frozen=True, slots=True)
class Event:
    """One outbox row as the relay delivers it.

    Attributes:
        position: its place in commit-safe order (the subscription cursor encodes it).
        topic: e.g. ``wallet.changed`` (:class:`db.events.outbox.Topic`).
        user_id: whose event it is (None: addressed to everyone).
        payload: the JSON payload the transition wrote.
        created_at: when the transition inserted it (its transaction's start time).
    """

    position: Position
    topic: str
    user_id: uuid.UUID | None
    payload: dict[str, Any]
    created_at: datetime


_COLUMNS = "e.id, e.txid, e.topic, e.user_id, e.payload::text AS payload, e.created_at"

# The frontier of a snapshot: the oldest transaction still running that may write to this
# database's outbox, or the snapshot's xmax when there is none. Every transaction below it has
# ended. A running transaction is known NOT to be able to write here when pg_stat_activity,
# read after the snapshot was taken, lists its xid in another database; any other running xid
# (this database's, one whose backend has ended since, a prepared transaction, an xid hidden
# by missing privileges) counts, so the frontier is never too high. Unlike plain
# pg_snapshot_xmin, a long transaction in another database of the cluster does not hold the
# relay back.
_FRONTIER = """
WITH snap AS MATERIALIZED (SELECT pg_current_snapshot() AS s)
SELECT coalesce(
    (SELECT min(x) FROM snap, pg_snapshot_xip(snap.s) AS x
     WHERE NOT EXISTS (
         SELECT 1 FROM pg_stat_activity AS a
         WHERE a.backend_xid = x::xid
           AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))),
    (SELECT pg_snapshot_xmax(s) FROM snap)
) AS frontier
"""

_READ_AFTER = f"""
WITH f AS MATERIALIZED ({_FRONTIER})
SELECT f.frontier, {_COLUMNS}
FROM f
LEFT JOIN LATERAL (
    SELECT * FROM event_outbox
    WHERE (txid, id) > ($1::xid8, $2::bigint) AND txid < f.frontier
    ORDER BY txid, id
    LIMIT $3
) AS e ON true
"""

_READ_USER_RANGE = f"""
SELECT {_COLUMNS}
FROM event_outbox AS e
WHERE e.user_id = $1 AND e.topic = ANY($2::text[])
  AND (e.txid, e.id) > ($3::xid8, $4::bigint) AND (e.txid, e.id) <= ($5::xid8, $6::bigint)
ORDER BY e.txid, e.id
LIMIT $7
"""

_EXISTS = (
    "SELECT EXISTS (SELECT 1 FROM event_outbox WHERE id = $1 AND txid = $2::xid8 AND user_id = $3)"
)

_PRUNE = """
DELETE FROM event_outbox WHERE id IN (
    SELECT id FROM event_outbox
    WHERE created_at < now() - make_interval(secs => $1)
    ORDER BY created_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
"""


def _event(row: Any) -> Event:
    return Event(
        position=Position(int(row["txid"]), int(row["id"])),
        topic=row["topic"],
        user_id=row["user_id"],
        payload=orjson.loads(row["payload"]) if row["payload"] else {},
        created_at=row["created_at"],
    )


async def frontier(conn: asyncpg.Connection) -> Position:
    """The position before every row whose transaction has not ended yet: ``(frontier, 0)``
    (see ``_FRONTIER``). A relay starting here delivers only what commits from now on."""
    value = await conn.fetchval(_FRONTIER)
    return Position(int(value), 0)


async def read_after(
    conn: asyncpg.Connection, after: Position, limit: int
) -> tuple[list[Event], Position]:
    """The next rows after ``after`` whose transactions have ended, in position order.

    One statement: the rows and the snapshot's ``xmin`` come from the same snapshot.

    Args:
        conn: any connection (no transaction needed).
        after: the position of the last row the caller has read.
        limit: most rows to return (> 0).

    Returns:
        ``(events, position)``: ``position`` is where the next read starts: the last row's
        when the page is full (more may follow), otherwise ``(frontier, 0)`` (every row of a
        transaction below the frontier has been read), never before ``after``.
    """
    rows = await conn.fetch(_READ_AFTER, after.txid, after.id, limit)
    events = [_event(row) for row in rows if row["id"] is not None]
    if len(events) >= limit:
        return events, events[-1].position
    return events, max(after, Position(int(rows[0]["frontier"]), 0))


async def read_user_range(
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    topics: Collection[str],
    after: Position,
    upto: Position,
    limit: int,
) -> list[Event]:
    """One user's rows of ``topics`` with ``after < position <= upto``, in position order
    (a replay; every row up to a relay's position belongs to an ended transaction).

    Args:
        limit: most rows to return; page on with the last row's position as ``after``.
    """
    rows = await conn.fetch(
        _READ_USER_RANGE,
        user_id,
        list(topics),
        after.txid,
        after.id,
        upto.txid,
        upto.id,
        limit,
    )
    return [_event(row) for row in rows]


async def is_retained(conn: asyncpg.Connection, user_id: uuid.UUID, position: Position) -> bool:
    """Whether the row at ``position`` is still in the outbox and is ``user_id``'s (a cursor
    whose row was pruned may have lost the rows after it too)."""
    return bool(await conn.fetchval(_EXISTS, position.id, position.txid, user_id))


async def prune(conn: asyncpg.Connection, older_than_s: float, batch: int = 5000) -> int:
    """Delete up to ``batch`` rows older than ``older_than_s`` seconds; returns how many.

    Rows locked by another pruning process are skipped (``SKIP LOCKED``), so concurrent
    gateways share the work instead of waiting for each other.
    """
    status = await conn.execute(_PRUNE, float(older_than_s), batch)
    return int(status.rsplit(" ", 1)[-1])
