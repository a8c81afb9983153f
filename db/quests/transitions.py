"""The user's own quests (``user_quests``): create, update, complete with the repeat and
streak rules, abandon, expire (docs/design.md#quests; the rules are
:mod:`db.quests.rules`).

- A quest is created ``accepted`` (the user writes it to do it). Its reward follows from its
  difficulty (:data:`~db.quests.rules.USER_QUEST_REWARDS`): users do not set their own coins.
- A one-off quest is completed once: ``completed``, paid (ledger key ``user_quest:<id>``).
- A repeatable quest (``repeat_frequency`` daily, weekly or monthly) stays ``accepted`` and can
  be completed once per repeat period; each completion is paid (key ``user_quest:<id>:<first
  day of the period>``) and sets ``last_completed_date`` and ``streak_count``: one more when
  the previous completion was in the previous period, else 1.
- A quest past its ``expires_at`` becomes ``expired`` when the user next touches their quests
  (:func:`expire_overdue`, run before every quest mutation, committed whatever the outcome)
  and cannot be completed any more.
- Only ``available`` and ``accepted`` quests can be changed, completed or abandoned.

Every completion appends a ``user_quest.completed`` activity event (what the
``quests_completed`` achievements count), publishes ``quest.completed``, counts the day for the
``daily_activity`` streak and evaluates the achievements.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.errors import AlreadyCompleted, InvalidInput, InvalidState
from db.events.outbox import Topic, publish
from db.fields import Choice, Flag, Rule, Shaped, Text, clean
from db.gamification.achievements import AWARD_TRIGGERS, Unlocked, evaluate_achievements
from db.gamification.ledger import Posting, post
from db.gamification.models import AchievementTriggerType
from db.gamification.streaks import DAILY_ACTIVITY, touch_streak
from db.ownership import lock_owned, set_columns
from db.quests.models import QuestDifficulty, RepeatFrequency, UserQuestStatus
from db.quests.rules import (
    next_repeat_streak,
    repeat_period_start,
    user_quest_ledger_key,
    user_quest_reward,
)
from db.settings import local_date, user_calendar

_quests = metadata.tables["user_quests"]

#: Longest title, in characters.
MAX_TITLE = 200
#: Longest description, in characters.
MAX_DESCRIPTION = 2000
#: Longest category, in characters.
MAX_CATEGORY = 50
#: The rules of a quest's title, category and description (:mod:`db.fields`: the quest
#: mutations state and check their bounds): a title and a category of 1 to :data:`MAX_TITLE` /
#: :data:`MAX_CATEGORY` characters, a description of at most :data:`MAX_DESCRIPTION`.
TITLE = Text(MAX_TITLE, min=1, nullable=False)
CATEGORY = Text(MAX_CATEGORY, min=1, nullable=False)
DESCRIPTION = Text(MAX_DESCRIPTION)


def _expiry(expires_at: datetime, field: str) -> datetime:
    """A quest's ``expires_at``: with a time zone, in the future.

    Raises:
        InvalidInput: ``field``.
    """
    if not isinstance(expires_at, datetime) or expires_at.tzinfo is None:
        raise InvalidInput("Give `expiresAt` with a time zone.", field=field)
    if expires_at <= datetime.now(UTC):
        raise InvalidInput("`expiresAt` must lie in the future.", field=field)
    return expires_at


#: ``user_quests`` columns a client sets (createQuest and updateQuest); the reward follows
#: from the difficulty.
QUEST_FIELDS: dict[str, Rule] = {
    "title": TITLE,
    "description": DESCRIPTION,
    "category": CATEGORY,
    "difficulty": Choice(QuestDifficulty),
    "expires_at": Shaped(_expiry, nullable=True),
    "is_repeatable": Flag(),
    "repeat_frequency": Choice(RepeatFrequency, nullable=True),
}
#: The statuses in which a quest can still be changed, completed or abandoned.
OPEN = (UserQuestStatus.AVAILABLE.value, UserQuestStatus.ACCEPTED.value)


def _clean(values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Quest fields checked by :data:`QUEST_FIELDS` (:func:`db.fields.clean`), with the
    reward of a given difficulty (``xp_reward``, ``coin_reward``).

    Raises:
        InvalidInput: naming the field.
    """
    out = clean(values, QUEST_FIELDS, partial=partial)
    if "difficulty" in out:
        out["xp_reward"], out["coin_reward"] = user_quest_reward(out["difficulty"])
    return out


def _check_repeat(is_repeatable: bool, frequency: str | None) -> None:
    if is_repeatable and frequency is None:
        raise InvalidInput(
            "A repeatable quest needs `repeatFrequency`.", field="input.repeatFrequency"
        )
    if not is_repeatable and frequency is not None:
        raise InvalidInput(
            "Only a repeatable quest has `repeatFrequency`.", field="input.repeatFrequency"
        )


async def expire_overdue(conn: AsyncConnection, user_id: uuid.UUID) -> int:
    """Mark the user's open quests past their ``expires_at`` as ``expired``.

    Returns:
        How many quests expired.
    """
    result = await conn.execute(
        sa.update(_quests)
        .where(
            _quests.c.user_id == user_id,
            _quests.c.status.in_(OPEN),
            _quests.c.expires_at <= sa.func.now(),
        )
        .values(status=UserQuestStatus.EXPIRED.value, is_active=False, updated_at=sa.func.now())
    )
    return int(result.rowcount or 0)


async def create_quest(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    title: str,
    category: str,
    description: str | None = None,
    difficulty: str = QuestDifficulty.STARTER.value,
    expires_at: datetime | None = None,
    is_repeatable: bool = False,
    repeat_frequency: str | None = None,
) -> uuid.UUID:
    """Create an own quest, ``accepted``, with the reward of its difficulty.

    Returns:
        The new quest's id.

    Raises:
        InvalidInput: a bad title, category, description or ``expires_at`` (past, or without
            a time zone), a repeatable quest without frequency or a frequency without repeat.
    """
    now = datetime.now(UTC)
    values = _clean(
        {
            "title": title,
            "category": category,
            "description": description,
            "difficulty": difficulty,
            "expires_at": expires_at,
            "is_repeatable": is_repeatable,
            "repeat_frequency": repeat_frequency,
        }
    )
    _check_repeat(values["is_repeatable"], values["repeat_frequency"])
    quest_id = (
        await conn.execute(
            sa.insert(_quests)
            .values(
                user_id=user_id,
                status=UserQuestStatus.ACCEPTED.value,
                accepted_at=now,
                **values,
            )
            .returning(_quests.c.id)
        )
    ).scalar_one()
    await record_activity(
        conn,
        user_id,
        "user_quest.created",
        "quests",
        {"quest_id": str(quest_id), "title": values["title"]},
    )
    return uuid.UUID(str(quest_id))


def _require_open(row: Any) -> None:
    if row.status not in OPEN:
        raise InvalidState(f"This quest is {row.status}.", status=str(row.status))


async def update_quest(
    conn: AsyncConnection, user_id: uuid.UUID, quest_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given fields of an open own quest (absent keys keep their value; ``None``
    clears an optional field). A new difficulty sets the matching reward.

    Returns:
        The quest's id.

    Raises:
        NotFound: no such quest of the user (``resource`` ``UserQuest``).
        InvalidState: the quest is completed, abandoned or expired.
        InvalidInput: nothing to change, an unknown field, a bad value.
    """
    values = _clean(changes, partial=True)
    row = await lock_owned(conn, _quests, quest_id, user_id, resource="UserQuest", what="quest")
    _require_open(row)
    repeatable = values.get("is_repeatable", row.is_repeatable)
    frequency = values.get("repeat_frequency", row.repeat_frequency)
    if "is_repeatable" in values and not repeatable and "repeat_frequency" not in values:
        frequency = values["repeat_frequency"] = None
    _check_repeat(repeatable, frequency)
    await set_columns(conn, _quests, quest_id, values)
    await record_activity(
        conn,
        user_id,
        "user_quest.updated",
        "quests",
        {"quest_id": str(quest_id), "fields": sorted(values)},
    )
    return quest_id


@dataclass(frozen=True)
class QuestCompletion:
    """What :func:`complete_quest` did: the quest, the ledger posting, the achievements it
    unlocked."""

    quest_id: uuid.UUID
    posting: Posting
    unlocked: list[Unlocked]


async def complete_quest(
    conn: AsyncConnection, user_id: uuid.UUID, quest_id: uuid.UUID, *, today: date | None = None
) -> QuestCompletion:
    """Complete an own quest and pay its reward (see the module docstring for the repeat and
    streak rules).

    Raises:
        NotFound: no such quest of the user (``resource`` ``UserQuest``).
        InvalidState: the quest is completed (one-off), abandoned or expired.
        AlreadyCompleted: a repeatable quest already completed in this repeat period.
    """
    now = datetime.now(UTC)
    # The repeat periods and the daily streak follow the user's calendar.
    zone, week = await user_calendar(conn, user_id)
    today = today or local_date(zone, now)
    row = await lock_owned(conn, _quests, quest_id, user_id, resource="UserQuest", what="quest")
    _require_open(row)
    values: dict[str, Any] = {"completed_at": now, "updated_at": sa.func.now()}
    if row.accepted_at is None:
        values["accepted_at"] = now
    period: date | None = None
    if row.is_repeatable:
        frequency = str(row.repeat_frequency)
        streak = next_repeat_streak(
            frequency, row.last_completed_date, row.streak_count, today, week
        )
        if streak is None:
            raise AlreadyCompleted(f"Already completed this {frequency.removesuffix('ly')}.")
        period = repeat_period_start(frequency, today, week)
        values |= {
            "status": UserQuestStatus.ACCEPTED.value,
            "last_completed_date": today,
            "streak_count": streak,
        }
    else:
        values |= {
            "status": UserQuestStatus.COMPLETED.value,
            "is_active": False,
            "last_completed_date": today,
        }
    await conn.execute(sa.update(_quests).where(_quests.c.id == quest_id).values(**values))
    posting = await post(
        conn,
        user_id,
        event_type="user_quest.completed",
        event_id=str(quest_id),
        coins=int(row.coin_reward),
        xp=int(row.xp_reward),
        reason=f"Quest: {row.title}",
        idempotency_key=user_quest_ledger_key(quest_id, period),
    )
    details = {"user_quest_id": str(quest_id), "streak_count": values.get("streak_count", 0)}
    await record_activity(
        conn,
        user_id,
        "user_quest.completed",
        "quests",
        {**details, "title": row.title},
        xp=int(row.xp_reward),
        coins=int(row.coin_reward),
    )
    await publish(conn, Topic.QUEST_COMPLETED, user_id, details)
    await touch_streak(conn, user_id, DAILY_ACTIVITY, today)
    unlocked = await evaluate_achievements(
        conn,
        user_id,
        [
            AchievementTriggerType.QUESTS_COMPLETED,
            AchievementTriggerType.STREAK_DAYS,
            *AWARD_TRIGGERS,
        ],
    )
    return QuestCompletion(quest_id, posting, unlocked)


async def abandon_quest(
    conn: AsyncConnection, user_id: uuid.UUID, quest_id: uuid.UUID
) -> uuid.UUID:
    """Give up an open own quest: ``abandoned``, inactive; nothing is paid or taken back.

    Raises:
        NotFound: no such quest of the user (``resource`` ``UserQuest``).
        InvalidState: the quest is completed, abandoned or expired.
    """
    row = await lock_owned(conn, _quests, quest_id, user_id, resource="UserQuest", what="quest")
    _require_open(row)
    await conn.execute(
        sa.update(_quests)
        .where(_quests.c.id == quest_id)
        .values(status=UserQuestStatus.ABANDONED.value, is_active=False, updated_at=sa.func.now())
    )
    await record_activity(
        conn,
        user_id,
        "user_quest.abandoned",
        "quests",
        {"quest_id": str(quest_id), "title": row.title},
    )
    return quest_id


__all__ = [
    "CATEGORY",
    "DESCRIPTION",
    "QUEST_FIELDS",
    "TITLE",
    "QuestCompletion",
    "abandon_quest",
    "complete_quest",
    "create_quest",
    "expire_overdue",
    "update_quest",
]
