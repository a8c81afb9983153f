"""Publishing to the transactional outbox (docs/design.md#events-and-the-outbox).

A transition calls :func:`publish` inside its own transaction; the row becomes visible to the
relay (and so to subscribers) only if and when that transaction commits, so rolled-back work
publishes nothing and committed work is never lost. Topics are ``domain.thing.happened``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata


class Topic(StrEnum):
    """Every topic a transition publishes (subscriptions read them)."""

    FOCUS_SESSION_STARTED = "focus.session.started"
    FOCUS_SESSION_PAUSED = "focus.session.paused"
    FOCUS_SESSION_RESUMED = "focus.session.resumed"
    FOCUS_SESSION_COMPLETED = "focus.session.completed"
    FOCUS_SESSION_ABANDONED = "focus.session.abandoned"
    FOCUS_SESSION_EXPIRED = "focus.session.expired"
    ACHIEVEMENT_UNLOCKED = "achievement.unlocked"
    WALLET_CHANGED = "wallet.changed"
    LEVEL_UP = "level.up"
    SKILL_LEVEL_UP = "skill.level.up"
    QUEST_COMPLETED = "quest.completed"
    QUEST_CLAIMED = "quest.claimed"
    #: Sessions stopped signing in, or a user's signed-in state (roles, approval, age) changed:
    #: every process forgets what it remembered of them (``gateway.sessions``). Published for
    #: no user (``user_id`` null); payload ``session_ids`` (list of ids) and ``user_id`` (every
    #: session of that user, or null).
    SESSIONS_REVOKED = "auth.sessions.revoked"


_outbox = metadata.tables["event_outbox"]
#: The insert of :func:`publish`, built once; its values are bound at execution.
_INSERT = sa.insert(_outbox).returning(_outbox.c.id)

# Key in the connection's ``info`` marking a transaction that published (see take_published).
_PUBLISHED = "ignition.outbox.published"
# Key in the connection's ``info`` listing the transaction's revocations (take_revocations).
_REVOKED = "ignition.outbox.revoked"


async def publish(
    conn: AsyncConnection, topic: Topic, user_id: uuid.UUID | None, payload: dict[str, Any]
) -> int:
    """Insert one ``event_outbox`` row in the caller's transaction.

    Args:
        conn: a connection inside the transition's transaction.
        topic: what happened.
        user_id: whose event it is (subscribers only see their own); None for everyone.
        payload: JSON-serialisable data the subscription needs (ids as strings, amounts in
            coins and XP).

    Returns:
        The row's id (handed out now; the row is delivered in commit order, see the module
        docstring of :mod:`db.events.models`).
    """
    result = await conn.execute(
        _INSERT, {"topic": str(topic), "user_id": user_id, "payload": payload}
    )
    conn.info[_PUBLISHED] = True
    return int(result.scalar_one())


def take_published(conn: AsyncConnection) -> bool:
    """Whether :func:`publish` ran on ``conn`` since the last call (and forget it).

    A writer calls it at the end of its transaction and, after the commit, wakes the relays
    when it returns True (``EventHub.committed``: needed with the Redis backend, a no-op with
    PostgreSQL's NOTIFY, which the outbox trigger sends at commit).
    """
    return bool(conn.info.pop(_PUBLISHED, False))


async def publish_revocation(
    conn: AsyncConnection,
    *,
    session_ids: Collection[uuid.UUID] = (),
    user_id: uuid.UUID | None = None,
    close_after_s: float | None = None,
) -> dict[str, Any]:
    """Publish :attr:`Topic.SESSIONS_REVOKED` in the caller's transaction: the sessions
    ``session_ids``, and every session of ``user_id`` when given, must be checked against the
    database again by every process (a revoked or rotated session, a user whose roles,
    approval or age verification changed). The payload is also kept on the connection for
    :func:`take_revocations`, so that the writing process forgets them at once after the
    commit, without waiting for its relay.

    Args:
        conn: a connection inside the revoking transaction.
        session_ids: the sessions concerned.
        user_id: a user all of whose sessions are concerned, or None.
        close_after_s: when the websockets signed in with ``session_ids`` are closed: 0 at
            once (the session ended), seconds from now (a rotated session's grace period),
            None never (only what the viewer holds changed).

    Returns:
        The payload (``{"session_ids": [...], "user_id": ... or None, "close_after_s": ...}``).
    """
    payload: dict[str, Any] = {
        "session_ids": sorted(str(s) for s in session_ids),
        "user_id": None if user_id is None else str(user_id),
        "close_after_s": close_after_s,
    }
    await publish(conn, Topic.SESSIONS_REVOKED, None, payload)
    conn.info.setdefault(_REVOKED, []).append(payload)
    return payload


def take_revocations(conn: AsyncConnection) -> list[dict[str, Any]]:
    """The payloads :func:`publish_revocation` published on ``conn`` since the last call (and
    forget them): the writer applies them to its own process after the commit."""
    return list(conn.info.pop(_REVOKED, ()))
