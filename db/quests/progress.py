"""Universal quests: accepting them, progress from the user's activity, completion and the
one-time reward claim (docs/design.md#quests; the rules are :mod:`db.quests.rules`).

Other transitions call :func:`advance_quests` with what the user did (``target_type``
``focus_sessions_completed`` with ``{"mode": "focus", "minutes": 50}``, ``habit_completions``,
...): every accepted quest of that target type whose ``target_config`` filters accept the
attributes moves, in the caller's transaction.

Lock order (docs/design.md#ledger): the caller's own rows first, then the
``user_quest_progress`` rows (locked in id order), then the ledger (wallet, progress, skills). A
transition therefore calls :func:`advance_quests` *before* it posts its own reward to the ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.errors import AlreadyClaimed, InvalidState, NotFound, QuestNotCompleted
from db.events.outbox import Topic, publish
from db.gamification.achievements import AWARD_TRIGGERS, Unlocked, evaluate_achievements
from db.gamification.ledger import Posting, post
from db.gamification.models import AchievementTriggerType
from db.gamification.streaks import DAILY_ACTIVITY, touch_streak
from db.quests.models import QuestProgressStatus, QuestTargetType
from db.quests.rules import (
    QUEST_SKILL_STARS,
    ProgressState,
    accepts,
    advance,
    check_counted,
    current_state,
    period_start,
    quest_reward_key,
)
from db.settings import local_date, user_calendar

_progress = metadata.tables["user_quest_progress"]
_quests = metadata.tables["universal_quests"]
#: The progress rows a counted action may move, locked (:func:`advance_quests`); built once.
_LOCK_COUNTING = (
    sa.select(_progress, _quests.c.type, _quests.c.target, _quests.c.target_config, _quests.c.title)
    .join(_quests, _quests.c.id == _progress.c.quest_id)
    .where(
        _progress.c.user_id == sa.bindparam("user_id"),
        _progress.c.status != QuestProgressStatus.ABANDONED.value,
        _quests.c.target_type == sa.bindparam("target_type"),
        _quests.c.is_active,
    )
    .order_by(_progress.c.id)
    .with_for_update(of=_progress)
)


@dataclass(frozen=True)
class QuestAdvance:
    """A quest :func:`advance_quests` moved: its progress row, the new progress of
    ``target``, and whether this advance completed it."""

    progress_id: uuid.UUID
    quest_id: uuid.UUID
    progress: int
    target: int
    completed: bool


def _state(row: Any) -> ProgressState:
    return ProgressState(
        status=str(row.status),
        progress=int(row.progress),
        last_reset_at=row.last_reset_at,
        times_completed=int(row.times_completed),
        completed_at=row.completed_at,
        claimed_at=row.claimed_at,
    )


def _values(state: ProgressState) -> dict[str, Any]:
    return {
        "status": state.status,
        "progress": state.progress,
        "last_reset_at": state.last_reset_at,
        "times_completed": state.times_completed,
        "completed_at": state.completed_at,
        "claimed_at": state.claimed_at,
        "updated_at": sa.func.now(),
    }


async def advance_quests(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    target_type: QuestTargetType | str,
    amount: int,
    attributes: Mapping[str, Any] | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> list[QuestAdvance]:
    """Advance the user's accepted universal quests of ``target_type`` by ``amount`` units.

    A quest moves when it is active, the user accepted it (``user_quest_progress``), its
    ``target_config`` filters accept ``attributes`` (:func:`db.quests.rules.accepts`) and it
    is not completed yet in the current period (a row of an earlier daily/weekly period is
    reset first). Reaching the target sets ``status = completed``, ``completed_at``,
    ``times_completed + 1``, appends a ``quest.completed`` activity event, publishes
    ``quest.completed`` (payload ``user_quest_progress_id``, ``quest_id``, ``times_completed``)
    and evaluates the ``quests_completed`` achievements. The reward is paid later, by
    :func:`claim_quest_reward`.

    Args:
        conn: a connection inside the caller's transaction (before its ledger postings).
        user_id: whose quests.
        target_type: the activity (a :class:`~db.quests.models.QuestTargetType` value).
        amount: units done (sessions, minutes, completions, pages, ...); a negative amount
            takes units back (an undone habit completion) from quests not completed yet.
        attributes: what the filters look at (``mode``, ``minutes``).
        at: the moment the activity belongs to, when it is not now (a backdated habit
            completion): it counts only toward quests whose current period contains it.
        now: the current moment (defaults to now, UTC).

    Returns:
        The quests that moved.

    Raises:
        ValueError: ``target_type`` or an attribute is not in
            :data:`db.quests.rules.COUNTED` (the table staff's quest checks read).
    """
    check_counted(str(target_type), attributes or {})
    if amount == 0:
        return []
    now = now or datetime.now(UTC)
    zone, week = await user_calendar(conn, user_id)  # periods are the user's
    rows = (
        await conn.execute(_LOCK_COUNTING, {"user_id": user_id, "target_type": str(target_type)})
    ).all()
    moved: list[QuestAdvance] = []
    for row in rows:
        if not accepts(row.target_config, attributes or {}):
            continue
        before = current_state(_state(row), str(row.type), now, zone, week)
        after = advance(before, str(row.type), int(row.target), amount, now, at, zone, week)
        if after == _state(row):
            continue
        await conn.execute(
            sa.update(_progress).where(_progress.c.id == row.id).values(**_values(after))
        )
        completed = after.status == QuestProgressStatus.COMPLETED and before.status != after.status
        if after.progress != before.progress or completed:
            moved.append(QuestAdvance(row.id, row.quest_id, after.progress, row.target, completed))
        if completed:
            details = {
                "user_quest_progress_id": str(row.id),
                "quest_id": str(row.quest_id),
                "times_completed": after.times_completed,
            }
            await record_activity(
                conn, user_id, "quest.completed", "quests", {**details, "title": row.title}
            )
            await publish(conn, Topic.QUEST_COMPLETED, user_id, details)
    if any(m.completed for m in moved):
        await evaluate_achievements(conn, user_id, [AchievementTriggerType.QUESTS_COMPLETED])
    return moved


async def _quest(conn: AsyncConnection, quest_id: uuid.UUID) -> Any:
    quest = (await conn.execute(sa.select(_quests).where(_quests.c.id == quest_id))).one_or_none()
    if quest is None:
        raise NotFound("There is no such quest.", resource="UniversalQuest")
    return quest


async def _locked_progress(conn: AsyncConnection, user_id: uuid.UUID, quest_id: uuid.UUID) -> Any:
    return (
        await conn.execute(
            sa.select(_progress)
            .where(_progress.c.user_id == user_id, _progress.c.quest_id == quest_id)
            .with_for_update()
        )
    ).one_or_none()


async def accept_quest(
    conn: AsyncConnection, user_id: uuid.UUID, quest_id: uuid.UUID, *, now: datetime | None = None
) -> uuid.UUID:
    """Accept a universal quest: its ``user_quest_progress`` row starts (or, after an
    abandon, starts again) at progress 0 in the current period.

    Returns:
        The ``user_quest_progress`` id.

    Raises:
        NotFound: no such quest (``resource`` ``UniversalQuest``).
        InvalidState: the quest is inactive (``status`` ``inactive``), or the user has it
            already (``status``: ``accepted``, ``completed`` or ``claimed`` in the current
            period).
    """
    now = now or datetime.now(UTC)
    zone, week = await user_calendar(conn, user_id)  # periods are the user's
    quest = await _quest(conn, quest_id)
    if not quest.is_active:
        raise InvalidState("This quest is not offered any more.", status="inactive")
    fresh = {
        "status": QuestProgressStatus.ACCEPTED.value,
        "progress": 0,
        "accepted_at": now,
        "completed_at": None,
        "claimed_at": None,
        "last_reset_at": period_start(str(quest.type), now, zone, week),
    }
    created = (
        await conn.execute(
            insert(_progress)
            .values(user_id=user_id, quest_id=quest_id, **fresh)
            .on_conflict_do_nothing(index_elements=["user_id", "quest_id"])
            .returning(_progress.c.id)
        )
    ).scalar_one_or_none()
    if created is None:
        row = await _locked_progress(conn, user_id, quest_id)
        state = current_state(_state(row), str(quest.type), now, zone, week)
        if state.status != QuestProgressStatus.ABANDONED:
            raise InvalidState(
                f"You have this quest already ({state.status}).", status=state.status
            )
        await conn.execute(
            sa.update(_progress)
            .where(_progress.c.id == row.id)
            .values(**fresh, updated_at=sa.func.now())
        )
        created = row.id
    details = {"user_quest_progress_id": str(created), "quest_id": str(quest_id)}
    await record_activity(
        conn, user_id, "quest.accepted", "quests", {**details, "title": quest.title}
    )
    return uuid.UUID(str(created))


@dataclass(frozen=True)
class Claim:
    """A paid quest reward: the progress row, the ledger posting and the achievements the
    reward unlocked."""

    progress_id: uuid.UUID
    posting: Posting
    unlocked: list[Unlocked]


async def claim_quest_reward(
    conn: AsyncConnection, user_id: uuid.UUID, quest_id: uuid.UUID, *, now: datetime | None = None
) -> Claim:
    """Pay the reward of a completed universal quest, once per completion: ``xp_reward``,
    ``coin_reward`` and :data:`~db.quests.rules.QUEST_SKILL_STARS` star of its ``skill_key``
    (ledger event ``quest.claimed``, key ``quest:<quest id>:<times_completed>``); the row becomes
    ``claimed``; publishes ``quest.claimed`` (payload ``user_quest_progress_id``, ``quest_id``,
    ``times_completed``). The day counts for the ``daily_activity`` streak; evaluates the
    level, coins-earned and streak achievements.

    Raises:
        NotFound: no such quest, or the user never accepted it (``resource``
            ``UniversalQuest``).
        QuestNotCompleted: its progress is under the target in the current period
            (``progress``, ``target``).
        AlreadyClaimed: this completion's reward was paid.
        InvalidState: the quest was abandoned (``status`` ``abandoned``).
    """
    now = now or datetime.now(UTC)
    zone, week = await user_calendar(conn, user_id)  # periods are the user's
    quest = await _quest(conn, quest_id)
    row = await _locked_progress(conn, user_id, quest_id)
    if row is None:
        raise NotFound("You have not accepted this quest.", resource="UniversalQuest")
    state = current_state(_state(row), str(quest.type), now, zone, week)
    if state.status == QuestProgressStatus.ABANDONED:
        raise InvalidState("This quest was abandoned.", status=state.status)
    if state.status == QuestProgressStatus.CLAIMED:
        raise AlreadyClaimed("The reward of this completion was already claimed.")
    if state.status != QuestProgressStatus.COMPLETED:
        raise QuestNotCompleted(
            f"{state.progress} of {quest.target} done.",
            progress=state.progress,
            target=int(quest.target),
        )
    await conn.execute(
        sa.update(_progress)
        .where(_progress.c.id == row.id)
        .values(status=QuestProgressStatus.CLAIMED.value, claimed_at=now, updated_at=sa.func.now())
    )
    stars = QUEST_SKILL_STARS if quest.skill_key else 0
    posting = await post(
        conn,
        user_id,
        event_type="quest.claimed",
        event_id=str(quest_id),
        coins=int(quest.coin_reward),
        xp=int(quest.xp_reward),
        stars=stars,
        skill_key=quest.skill_key if stars else None,
        reason=f"Quest reward: {quest.title}",
        idempotency_key=quest_reward_key(quest_id, state.times_completed),
    )
    details = {
        "user_quest_progress_id": str(row.id),
        "quest_id": str(quest_id),
        "times_completed": state.times_completed,
    }
    await record_activity(
        conn,
        user_id,
        "quest.claimed",
        "quests",
        {"user_quest_progress_id": str(row.id), "quest_id": str(quest_id), "title": quest.title},
        xp=int(quest.xp_reward),
        coins=int(quest.coin_reward),
    )
    await publish(conn, Topic.QUEST_CLAIMED, user_id, details)
    await touch_streak(conn, user_id, DAILY_ACTIVITY, local_date(zone, now))
    unlocked = await evaluate_achievements(
        conn, user_id, [*AWARD_TRIGGERS, AchievementTriggerType.STREAK_DAYS]
    )
    return Claim(row.id, posting, unlocked)


__all__ = ["Claim", "QuestAdvance", "accept_quest", "advance_quests", "claim_quest_reward"]
