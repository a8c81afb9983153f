"""Demo data: producers with a realistic month of activity in every user-owned table.

``ignition seed demo`` calls :func:`seed_demo`. Users are ``demo-<n>@ignition.example`` named
"Demo Producer <n>"; demo-1 is the showcase user (six habits, three goals, three reference
tracks, a paused focus session, finished onboarding). Each user is made by the real
:func:`db.auth.users.create_user` and signed in once with
:func:`db.auth.viewer.create_session_token`; everything else is built in Python
(:mod:`seeds.demo.builder`), replayed through the ledger rules (:mod:`seeds.demo.ledger`) and
inserted per table for a batch of users at a time.

Guarantees for every demo user (checked by ``tests/demo/test_demo.py``):

- every user-owned table (the 59 tables that are not catalogs) has rows for the user;
- the ledger invariants of docs/design.md#ledger: ``wallet.coins = sum(ledger.coins) >= 0``,
  ``total_earned - total_spent = coins``, ``progress.total_xp = sum(ledger.xp)``, level and
  ``xp_to_next_level`` from :mod:`db.gamification.levels`, skill stars = ledger stars;
- with the default 30 days (anything from 14 up), each user also has focus sessions that were
  completed, abandoned and one running (active or paused), universal quests in every status,
  purchases in every status, a daily plan for each of the last ten days, and so on; shorter
  histories still fill every table but may miss some of these states;
- deterministic: the same ``seed``, ``days`` and day of the run give the same rows (ids are
  fresh ``uuid4`` values and times are relative to the moment of the run; the calendar date
  matters because habits on fixed weekdays and weekly events follow the real calendar).

Re-running creates only the demo users whose email is not taken yet, so the command is safe to
repeat. Speed: about 1,000 rows per user, inserted with binary ``COPY`` a batch of users at a
time while the next batch is built; 1,000 users take under a minute on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.users import create_user
from db.auth.viewer import create_session_token
from db.ownership import owner_of, ownership_paths
from seeds.demo import content
from seeds.demo.builder import UserData, build_user
from seeds.demo.catalog import DemoCatalogError, load_catalog

#: Users built and inserted together: one COPY per table and batch (about 250,000 rows and
#: 200 MB of Python objects per batch; larger batches measured faster than 50 or 100 users).
BATCH_USERS = 250
#: Users of the first batch, the only one built with nothing to overlap.
FIRST_BATCH_USERS = 50
#: Rows per executemany call (the INSERT fallback for drivers without COPY).
CHUNK_ROWS = 5000
#: ``user_agent`` of the demo users' live session.
SESSION_USER_AGENT = "ignition seed demo"


@dataclass
class DemoResult:
    """What :func:`seed_demo` did.

    Attributes:
        user_ids: ids of demo-1 ... demo-<users>, in that order (existing and new ones).
        created_user_ids: the users created by this call (empty when all existed).
        rows: table name -> rows created by this call for the new users, over every
            user-owned table (including the rows ``create_user`` writes); empty when nothing
            was created.
        tokens: email -> bearer token of the session created for each new user (shown once:
            only its hash is stored).
    """

    user_ids: list[uuid.UUID] = field(default_factory=list)
    created_user_ids: list[uuid.UUID] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def demo_email(n: int) -> str:
    """The email of demo user ``n`` (1-based): ``demo-<n>@ignition.example``."""
    return f"demo-{n}@ignition.example"


def demo_name(n: int) -> str:
    """The display name of demo user ``n``: ``Demo Producer <n>``."""
    return f"Demo Producer {n}"


async def seed_demo(
    conn: AsyncConnection, users: int = 3, *, seed: int = 42, days: int = 30
) -> DemoResult:
    """Create ``users`` demo producers with ``days`` days of activity, in the caller's
    transaction (nothing is committed here).

    Args:
        conn: a connection inside the caller's transaction, on a migrated and seeded database
            (``ignition seed``: skills, achievements, quests, market items, learn content,
            onboarding flow, built-in exercises).
        users: how many demo users should exist (demo-1 ... demo-<users>); the missing ones
            are created, existing ones are left untouched.
        seed: base random seed; user ``n`` draws from ``random.Random(seed + n)``.
        days: length of the generated history in days (>= 1).

    Returns:
        A :class:`DemoResult` (ids, per-table row counts of this call, session tokens).

    Raises:
        ValueError: ``users`` < 0 or ``days`` < 1.
        DemoCatalogError: a catalog the demo needs is not seeded.
    """
    if users < 0:
        raise ValueError("users must be >= 0")
    if days < 1:
        raise ValueError("days must be >= 1")
    users_t = metadata.tables["users"]
    emails = {demo_email(n): n for n in range(1, users + 1)}
    existing: dict[str, uuid.UUID] = {}
    for part in _chunks(list(emails), 5000):
        result = await conn.execute(
            sa.select(users_t.c.email, users_t.c.id).where(users_t.c.email.in_(part))
        )
        existing.update({row.email: row.id for row in result})
    missing = [n for email, n in emails.items() if email not in existing]
    ids: dict[int, uuid.UUID] = {emails[e]: i for e, i in existing.items()}
    out = DemoResult()
    if missing:
        catalog = await load_catalog(conn, _exercise_names())
        now = datetime.now(UTC).replace(microsecond=0)

        queue: deque[tuple[int, uuid.UUID]] = deque()
        built: list[tuple[uuid.UUID, UserData]] = []

        def build_next() -> None:
            n, uid = queue.popleft()
            built.append((uid, build_user(n, uid, catalog, seed=seed, now=now, days=days)))

        # Pipeline on one connection: while the server works through the COPYs of batch k - 1,
        # the users of batch k are built here, one between two turns of the event loop; then
        # the rest of batch k is built and the users of batch k + 1 are created. Building is
        # pure Python with per-user random streams, so the result does not depend on timing.
        ready: list[tuple[uuid.UUID, UserData]] = []
        for part in _batches(missing):
            for n in part:
                user = await create_user(conn, email=demo_email(n), name=demo_name(n))
                out.tokens[user.email] = await create_session_token(
                    conn, user.id, user_agent=SESSION_USER_AGENT
                )
                ids[n] = user.id
                out.created_user_ids.append(user.id)
                queue.append((n, user.id))
            if ready:
                inserting = asyncio.ensure_future(_insert(conn, ready))
                try:
                    while queue and not inserting.done():
                        build_next()
                        await asyncio.sleep(0)
                finally:
                    await inserting
            while queue:
                build_next()
            ready, built = built, []
        if ready:
            await _insert(conn, ready)
        out.rows = await count_user_rows(conn, out.created_user_ids)
    out.user_ids = [ids[n] for n in range(1, users + 1)]
    return out


async def _insert(conn: AsyncConnection, built: Sequence[tuple[uuid.UUID, UserData]]) -> None:
    """Insert the rows of a batch of users, table by table in foreign-key order, then bring
    the rows ``create_user`` made (user, wallet, progress, onboarding state, first activity
    and audit entries) in line with the generated history."""
    t = metadata.tables
    by_table: dict[str, list[dict[str, Any]]] = {}
    for _, data in built:
        for name, rows in data.rows.items():
            by_table.setdefault(name, []).extend(rows)
    for table in metadata.sorted_tables:
        batch = by_table.pop(table.name, [])
        if batch:
            await insert_rows(conn, table, batch)
    assert not by_table, f"rows for unknown tables: {sorted(by_table)}"

    await _update(
        conn,
        t["users"],
        t["users"].c.id,
        [{"key": uid, **data.user} for uid, data in built],
    )
    await _update(
        conn,
        t["user_wallet"],
        t["user_wallet"].c.user_id,
        [{"key": uid, **data.wallet, "created_at": data.signup} for uid, data in built],
    )
    await _update(
        conn,
        t["user_progress"],
        t["user_progress"].c.user_id,
        [{"key": uid, **data.progress, "created_at": data.signup} for uid, data in built],
    )
    await _update(
        conn,
        t["user_onboarding_state"],
        t["user_onboarding_state"].c.user_id,
        [{"key": uid, **data.onboarding, "created_at": data.signup} for uid, data in built],
    )
    for name in ("activity_events", "audit_log"):
        first = t[name]
        await _update(
            conn,
            first,
            first.c.user_id,
            [{"key": uid, "created_at": data.signup} for uid, data in built],
            first.c.event_type == "user.created",
        )


async def insert_rows(
    conn: AsyncConnection, table: sa.Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert ``rows`` into ``table`` in bulk, in the caller's transaction.

    Rows are grouped by their set of columns. On asyncpg (the gateway's driver) each group is
    one binary ``COPY`` on the connection (JSONB values serialised here, as the engine's JSON
    serializer would); on any other driver, an executemany ``INSERT`` per :data:`CHUNK_ROWS`
    rows. Either way constraints, defaults and deferred foreign keys apply as for ``INSERT``.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    raw = await conn.get_raw_connection()
    driver = getattr(raw, "driver_connection", None)
    copy = getattr(driver, "copy_records_to_table", None)
    for columns, group in groups.items():
        if copy is None:
            for part in _chunks(group, CHUNK_ROWS):
                await conn.execute(sa.insert(table), part)
            continue
        json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSONB)]
        if json_at:
            records = []
            for row in group:
                values = list(row.values())
                for i in json_at:
                    if values[i] is not None:
                        values[i] = _json(values[i])
                records.append(tuple(values))
        else:
            records = [tuple(row.values()) for row in group]
        await copy(table.name, records=records, columns=list(columns))


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


async def _update(
    conn: AsyncConnection,
    table: sa.Table,
    key: sa.Column[Any],
    rows: Sequence[dict[str, Any]],
    *where: sa.ColumnElement[bool],
) -> None:
    """``UPDATE table SET ... WHERE key = :key`` for each row (one executemany); ``rows`` carry
    ``key`` plus the columns to set, all with the same columns."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != "key"]
    stmt = (
        sa.update(table)
        .where(key == sa.bindparam("b_key"), *where)
        .values({c: sa.bindparam(f"b_{c}") for c in columns})
    )
    await conn.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in rows])


async def count_user_rows(conn: AsyncConnection, user_ids: Sequence[uuid.UUID]) -> dict[str, int]:
    """Rows of each user-owned table that belong to ``user_ids`` (ownership as
    :func:`db.ownership.ownership_paths` derives it).

    Returns:
        Table name -> row count, for every user-owned table (0 included), sorted by name.
    """
    counts: dict[str, int] = {}
    if not user_ids:
        return counts
    for name in sorted(ownership_paths()):
        joined, owner = owner_of(name)
        stmt = sa.select(sa.func.count()).select_from(joined)
        total = 0
        for part in _chunks(list(user_ids), 5000):
            total += (await conn.execute(stmt.where(owner.in_(part)))).scalar_one()
        counts[name] = total
    return counts


def _exercise_names() -> set[str]:
    return {
        line[0]
        for _name, _description, _minutes, sections in content.WORKOUTS
        for _section, lines in sections
        for line in lines
        if line[0] != "*custom*"
    }


def _batches(numbers: Sequence[int]) -> Iterable[Sequence[int]]:
    """The users to create, in batches: a small first batch (it is built while nothing else
    runs), then :data:`BATCH_USERS` at a time."""
    yield from _chunks(numbers[:FIRST_BATCH_USERS], FIRST_BATCH_USERS)
    yield from _chunks(numbers[FIRST_BATCH_USERS:], BATCH_USERS)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "DemoCatalogError",
    "DemoResult",
    "count_user_rows",
    "demo_email",
    "demo_name",
    "seed_demo",
]
