"""Paying for an activity, the tail that every rewarding transition of the books, goals and
planning domains shares: the ledger posting, the ``daily_activity`` streak, the activity event
and the achievements, in this order, in the caller's transaction.

The caller locks its own row and advances its quests (:func:`db.quests.progress.advance_quests`)
first: the lock order is the row, the quest progress rows, the ledger, the streaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.gamification.achievements import AWARD_TRIGGERS, Unlocked, evaluate_achievements
from db.gamification.ledger import Posting, post
from db.gamification.models import AchievementTriggerType
from db.gamification.streaks import DAILY_ACTIVITY, touch_streak

_wallets = metadata.tables["user_wallet"]


@dataclass(frozen=True)
class Reward:
    """What an activity pays: XP, coins and stars of ``skill_key`` (None without stars)."""

    xp: int
    coins: int
    stars: int = 0
    skill_key: str | None = None


@dataclass(frozen=True)
class Payout:
    """What :func:`pay_activity` did: the user's wallet (``user_wallet`` id), the ledger
    posting (None when the reward was all zero: no ledger row is written) and the achievements
    it unlocked."""

    wallet_id: uuid.UUID
    posting: Posting | None
    unlocked: list[Unlocked]


async def pay_activity(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    reward: Reward,
    *,
    event_type: str,
    event_id: object,
    ledger_key: str,
    reason: str,
    category: str,
    details: Mapping[str, Any],
    triggers: Iterable[AchievementTriggerType] = (),
) -> Payout:
    """Pay ``reward`` and do what follows an earning activity.

    Posts the reward through the ledger (event ``event_type``, ledger key ``ledger_key``: a
    second posting of the key is refused by the database, so it pays once; a reward of zero
    XP, coins and stars writes no ledger row), counts today for
    the ``daily_activity`` streak, appends the ``event_type`` activity event with ``details``
    and the XP and coins earned, and evaluates the achievements of ``triggers`` plus the
    streak, level and coins-earned ones.

    Args:
        conn: a connection inside the caller's transaction.
        user_id: who is paid.
        reward: XP, coins (>= 0) and stars.
        event_type: ``domain.thing.happened`` (``book.completed``).
        event_id: the row that earned it (its id is stored as text).
        ledger_key: the ledger row's natural key.
        reason: the ledger's text for people.
        category: the activity feed's grouping (``books``).
        details: the activity event's JSON metadata (ids as strings).
        triggers: achievement triggers the activity moves.

    Returns:
        The :class:`Payout`.
    """
    posting = None
    if reward.xp or reward.coins or reward.stars:
        posting = await post(
            conn,
            user_id,
            event_type=event_type,
            event_id=str(event_id),
            coins=reward.coins,
            xp=reward.xp,
            stars=reward.stars,
            skill_key=reward.skill_key if reward.stars else None,
            reason=reason,
            idempotency_key=ledger_key,
        )
    await touch_streak(conn, user_id, DAILY_ACTIVITY, datetime.now(UTC).date())
    await record_activity(
        conn, user_id, event_type, category, dict(details), xp=reward.xp, coins=reward.coins
    )
    unlocked = await evaluate_achievements(
        conn,
        user_id,
        list(dict.fromkeys([*triggers, AchievementTriggerType.STREAK_DAYS, *AWARD_TRIGGERS])),
    )
    wallet_id = (
        posting.wallet.id
        if posting is not None
        else (
            await conn.execute(sa.select(_wallets.c.id).where(_wallets.c.user_id == user_id))
        ).scalar_one()
    )
    return Payout(uuid.UUID(str(wallet_id)), posting, unlocked)


__all__ = ["Payout", "Reward", "pay_activity"]
