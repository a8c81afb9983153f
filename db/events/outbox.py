"""Publishing to the transactional outbox (docs/design.md#events-and-the-outbox).

A transition calls :func:`publish` inside its own transaction; the row becomes visible to the
relay (and so to subscribers) only if and when that transaction commits, so rolled-back work
publishes nothing and committed work is never lost. Topics are ``domain.thing.happened``.
"""

from __future__ import annotations

import uuid
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


_outbox = metadata.tables["event_outbox"]

# Key in the connection's ``info`` marking a transaction that published (see take_published).
_PUBLISHED = "ignition.outbox.published"


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
        sa.insert(_outbox)
        .values(topic=str(topic), user_id=user_id, payload=payload)
        .returning(_outbox.c.id)
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
