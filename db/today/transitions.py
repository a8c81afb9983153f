"""Today's writes: marking unlocked achievements as seen (they leave Today's unseen list)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.errors import NotFound

_unlocks = metadata.tables["user_achievements"]


async def mark_achievements_seen(
    conn: AsyncConnection, user_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """Set ``user_achievements.notified`` on the user's unlocks ``ids`` (already seen ones
    stay seen: calling twice is harmless).

    Args:
        conn: a connection inside the caller's transaction.
        user_id: the viewer.
        ids: ``user_achievements.id`` values (distinct).

    Returns:
        The ids, in the order given.

    Raises:
        NotFound: an id is not one of the user's unlocks (``resource`` ``UserAchievement``);
            nothing is changed.
    """
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    changed = (
        await conn.execute(
            sa.update(_unlocks)
            .where(_unlocks.c.user_id == user_id, _unlocks.c.id.in_(unique))
            .values(notified=True)
            .returning(_unlocks.c.id)
        )
    ).scalars()
    if len(set(changed)) != len(unique):
        # The transaction is rolled back by the caller (a refused mutation changes nothing).
        raise NotFound("No such achievement of yours.", resource="UserAchievement")
    return unique
