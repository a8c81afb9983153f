"""Habit transitions: create, update, delete, complete and uncomplete (docs/design.md#habits; the
rules are :mod:`db.habits.rules`).

A completion pays through the ledger (:mod:`db.gamification.ledger`, event
``habit.completed``, key ``habit.completed:<completion id>``), recomputes the habit's streaks
and the user's ``habits`` streak, counts the day for the ``daily_activity`` streak, advances
the ``habit_completions`` quests and evaluates the ``habit_completions``, ``streak_days``,
level and coins achievements. Undoing it posts the negative of what it paid (event
``habit.uncompleted``, key ``habit.uncompleted:<completion id>``) and recomputes the streaks;
unlocked achievements and paid quest rewards stay (they were earned when they were paid),
quest progress not completed yet goes back.

Lock order: the habit row, then the quest progress rows, then the ledger, then the streaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.errors import AlreadyCompleted, InvalidState, NotFound
from db.fields import check, clean
from db.gamification.achievements import AWARD_TRIGGERS, Unlocked, evaluate_achievements
from db.gamification.ledger import Posting, post
from db.gamification.models import AchievementTriggerType
from db.gamification.streaks import DAILY_ACTIVITY, HABITS, set_streak, touch_streak
from db.habits.models import HabitFrequency
from db.habits.rules import (
    HABIT_FIELDS,
    check_completion_date,
    check_settings,
    completion_award,
    habit_ledger_key,
    habit_reversal_key,
    habit_streaks,
    next_sort_order,
    period_is_full,
)
from db.ownership import lock_owned
from db.quests.models import QuestTargetType
from db.quests.progress import advance_quests
from db.settings import UserDay, day_bounds, local_date, user_day

_habits = metadata.tables["habits"]
_completions = metadata.tables["habit_completions"]
_ledger = metadata.tables["points_ledger"]


async def _today(conn: AsyncConnection, user_id: uuid.UUID) -> UserDay:
    """Today in the user's timezone and their first day of the week (the rule of a timezone
    change mid-day: :mod:`db.settings`)."""
    return await user_day(conn, user_id)


async def create_habit(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    name: str,
    description: str | None = None,
    frequency: str = HabitFrequency.DAILY.value,
    target_count: int = 1,
    custom_days: Sequence[int] = (),
    icon: str | None = None,
    color: str | None = None,
    sort_order: int | None = None,
) -> uuid.UUID:
    """Create a habit for the user (after the user's other habits unless ``sort_order`` is
    given).

    Returns:
        The new habit's id.

    Raises:
        InvalidInput: a bad name, description, icon, color or sort order, or settings
            :func:`~db.habits.rules.check_settings` refuses.
    """
    values = clean(
        {
            "name": name,
            "description": description,
            "frequency": frequency,
            "target_count": target_count,
            "custom_days": list(custom_days),
            "icon": icon,
            "color": color,
        },
        HABIT_FIELDS,
    )
    if sort_order is not None:
        sort_order = check("sort_order", HABIT_FIELDS["sort_order"], sort_order)
    check_settings(values["frequency"], values["target_count"], values["custom_days"])
    if sort_order is None:
        sort_order = next_sort_order(
            (
                await conn.execute(
                    sa.select(sa.func.max(_habits.c.sort_order)).where(_habits.c.user_id == user_id)
                )
            ).scalar_one()
        )
    habit_id = (
        await conn.execute(
            sa.insert(_habits)
            .values(user_id=user_id, sort_order=sort_order, **values)
            .returning(_habits.c.id)
        )
    ).scalar_one()
    await record_activity(
        conn,
        user_id,
        "habit.created",
        "habits",
        {"habit_id": str(habit_id), "name": values["name"]},
    )
    return uuid.UUID(str(habit_id))


# The statements of a completion, built once: a call binds its values at execution.
_HABIT_DATES = sa.select(_completions.c.completed_date).where(
    _completions.c.habit_id == sa.bindparam("habit")
)
_USER_DATES = (
    sa.select(_completions.c.completed_date)
    .where(_completions.c.user_id == sa.bindparam("owner"))
    .distinct()
)
_INSERT_COMPLETION = sa.insert(_completions).returning(_completions.c.id)


async def _dates(conn: AsyncConnection, habit_id: uuid.UUID) -> list[date]:
    return list((await conn.execute(_HABIT_DATES, {"habit": habit_id})).scalars())


async def _store_streaks(
    conn: AsyncConnection, habit: Any, dates: list[date], today: UserDay, **more: Any
) -> None:
    settings = {
        "frequency": more.get("frequency", habit.frequency),
        "target_count": more.get("target_count", habit.target_count),
        "custom_days": more.get("custom_days", habit.custom_days),
    }
    current, longest = habit_streaks(
        settings["frequency"],
        settings["target_count"],
        settings["custom_days"],
        dates,
        today.today,
        today.week_starts_on,
    )
    await conn.execute(
        sa.update(_habits)
        .where(_habits.c.id == habit.id)
        .values(current_streak=current, longest_streak=longest, updated_at=sa.func.now(), **more)
    )


async def _store_user_streak(conn: AsyncConnection, user_id: uuid.UUID, today: date) -> None:
    days = (await conn.execute(_USER_DATES, {"owner": user_id})).scalars()
    await set_streak(conn, user_id, HABITS, days, today)


async def update_habit(
    conn: AsyncConnection, user_id: uuid.UUID, habit_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Change the given fields of the user's habit (a key absent from ``changes`` keeps its
    value; ``None`` clears an optional field). A change of frequency, target or custom days
    recomputes the streaks under the new settings.

    Returns:
        The habit's id.

    Raises:
        NotFound: no such habit of the user.
        InvalidInput: an unknown field, nothing to change, a bad value, inconsistent settings.
    """
    values = clean(changes, HABIT_FIELDS, partial=True)
    habit = await lock_owned(conn, _habits, habit_id, user_id, resource="Habit", what="habit")
    merged = {
        k: values.get(k, getattr(habit, k)) for k in ("frequency", "target_count", "custom_days")
    }
    check_settings(merged["frequency"], merged["target_count"], merged["custom_days"])
    settings = {k: v for k, v in values.items() if k in merged}
    others = {k: v for k, v in values.items() if k not in merged}
    if others:
        await conn.execute(sa.update(_habits).where(_habits.c.id == habit_id).values(**others))
    await _store_streaks(
        conn, habit, await _dates(conn, habit_id), await _today(conn, user_id), **settings
    )
    await record_activity(
        conn,
        user_id,
        "habit.updated",
        "habits",
        {"habit_id": str(habit_id), "fields": sorted(values)},
    )
    return habit_id


async def delete_habit(conn: AsyncConnection, user_id: uuid.UUID, habit_id: uuid.UUID) -> uuid.UUID:
    """Delete the user's habit and its completions (their rewards stay paid; the user's
    ``habits`` streak is recomputed without them).

    Returns:
        The deleted habit's id.

    Raises:
        NotFound: no such habit of the user.
    """
    habit = await lock_owned(conn, _habits, habit_id, user_id, resource="Habit", what="habit")
    await conn.execute(sa.delete(_habits).where(_habits.c.id == habit_id))
    await _store_user_streak(conn, user_id, (await _today(conn, user_id)).today)
    await record_activity(
        conn, user_id, "habit.deleted", "habits", {"habit_id": str(habit_id), "name": habit.name}
    )
    return habit_id


@dataclass(frozen=True)
class Completion:
    """What :func:`complete_habit` did: the completion row, the habit, the ledger posting and
    the achievements it unlocked."""

    completion_id: uuid.UUID
    habit_id: uuid.UUID
    posting: Posting
    unlocked: list[Unlocked]


def _moment(day: date, zone: str) -> datetime:
    """The moment a completion dated ``day`` counts at for quests: noon of that day in the
    user's timezone ``zone`` (so it falls in that local day's quest periods)."""
    return day_bounds(zone, day)[0] + timedelta(hours=12)


async def complete_habit(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    habit_id: uuid.UUID,
    day: date | None = None,
) -> Completion:
    """Check off the user's habit for ``day`` (default today in the user's timezone).

    Writes the ``habit_completions`` row, the habit's streaks and ``last_completed_at``, the
    reward of :func:`~db.habits.rules.completion_award` through the ledger (event
    ``habit.completed``, event id the completion), the ``habits`` and ``daily_activity`` streaks, a
    ``habit.completed`` activity event; advances the ``habit_completions`` quests (when the
    day is in their current period) and evaluates the achievements.

    Raises:
        NotFound: no such habit of the user (``resource`` ``Habit``).
        InvalidState: the habit is archived (``status`` ``inactive``).
        InvalidInput: ``day`` in the future, too far back, before the habit existed, or not a
            due day of a custom habit (``field`` ``date``).
        AlreadyCompleted: the period of ``day`` is done already.
    """
    calendar = await user_day(conn, user_id)
    zone, today = calendar.zone, calendar.today
    day = day or today
    habit = await lock_owned(conn, _habits, habit_id, user_id, resource="Habit", what="habit")
    if not habit.is_active:
        raise InvalidState("This habit is archived.", status="inactive")
    check_completion_date(
        day,
        today,
        frequency=str(habit.frequency),
        custom_days=habit.custom_days,
        created=local_date(zone, habit.created_at),
    )
    dates = await _dates(conn, habit_id)
    if day in dates or period_is_full(
        str(habit.frequency), habit.target_count, dates, day, calendar.week_starts_on
    ):
        raise AlreadyCompleted("This habit is already done for that period.")
    completion_id = (
        await conn.execute(
            _INSERT_COMPLETION, {"habit_id": habit_id, "user_id": user_id, "completed_date": day}
        )
    ).scalar_one()
    dates.append(day)
    await _store_streaks(conn, habit, dates, calendar, last_completed_at=sa.func.now())
    await advance_quests(
        conn,
        user_id,
        target_type=QuestTargetType.HABIT_COMPLETIONS,
        amount=1,
        attributes={"frequency": str(habit.frequency)},
        at=_moment(day, zone),
    )
    award = completion_award(len(dates))
    posting = await post(
        conn,
        user_id,
        event_type="habit.completed",
        event_id=str(completion_id),
        coins=award.coins,
        xp=award.xp,
        stars=award.stars,
        skill_key=award.skill_key,
        reason=f"Habit: {habit.name}",
        idempotency_key=habit_ledger_key(completion_id),
    )
    await _store_user_streak(conn, user_id, today)
    await touch_streak(conn, user_id, DAILY_ACTIVITY, today)
    await record_activity(
        conn,
        user_id,
        "habit.completed",
        "habits",
        {
            "habit_id": str(habit_id),
            "completion_id": str(completion_id),
            "name": habit.name,
            "date": day.isoformat(),
        },
        xp=award.xp,
        coins=award.coins,
    )
    unlocked = await evaluate_achievements(
        conn,
        user_id,
        [
            AchievementTriggerType.HABIT_COMPLETIONS,
            AchievementTriggerType.STREAK_DAYS,
            *AWARD_TRIGGERS,
        ],
    )
    return Completion(uuid.UUID(str(completion_id)), habit_id, posting, unlocked)


@dataclass(frozen=True)
class Reversal:
    """What :func:`uncomplete_habit` did: the habit and the reversing ledger posting."""

    habit_id: uuid.UUID
    posting: Posting


async def uncomplete_habit(
    conn: AsyncConnection, user_id: uuid.UUID, completion_id: uuid.UUID
) -> Reversal:
    """Undo one of the user's habit completions: delete it, post the negative of its reward
    (event ``habit.uncompleted``, key ``habit.uncompleted:<completion id>``), recompute the streaks
    and take its unit back from quests not completed yet.

    Raises:
        NotFound: no such completion of the user (``resource`` ``HabitCompletion``).
        InsufficientFunds: the coins it paid were spent already (the wallet cannot go below
            zero); nothing changes.
    """
    habit_id = (
        await conn.execute(
            sa.select(_completions.c.habit_id).where(
                _completions.c.id == completion_id, _completions.c.user_id == user_id
            )
        )
    ).scalar_one_or_none()
    if habit_id is None:
        raise NotFound("There is no such habit completion.", resource="HabitCompletion")
    habit = await lock_owned(conn, _habits, habit_id, user_id, resource="Habit", what="habit")
    completion = (
        await conn.execute(
            sa.delete(_completions)
            .where(_completions.c.id == completion_id)
            .returning(_completions.c.completed_date)
        )
    ).one_or_none()
    if completion is None:  # undone by a concurrent call while we waited for the habit
        raise NotFound("There is no such habit completion.", resource="HabitCompletion")
    today = await _today(conn, user_id)
    dates = await _dates(conn, habit_id)
    last_at = (
        await conn.execute(
            sa.select(sa.func.max(_completions.c.completed_at)).where(
                _completions.c.habit_id == habit_id
            )
        )
    ).scalar_one()
    await _store_streaks(conn, habit, dates, today, last_completed_at=last_at)
    await advance_quests(
        conn,
        user_id,
        target_type=QuestTargetType.HABIT_COMPLETIONS,
        amount=-1,
        attributes={"frequency": str(habit.frequency)},
        at=_moment(completion.completed_date, today.zone),
    )
    paid = (
        await conn.execute(
            sa.select(
                _ledger.c.coins, _ledger.c.xp, _ledger.c.skill_stars, _ledger.c.skill_key
            ).where(
                _ledger.c.user_id == user_id,
                _ledger.c.idempotency_key == habit_ledger_key(completion_id),
            )
        )
    ).one_or_none()
    coins, xp, stars, skill = paid if paid is not None else (0, 0, 0, None)
    posting = await post(
        conn,
        user_id,
        event_type="habit.uncompleted",
        event_id=str(completion_id),
        coins=-coins,
        xp=-xp,
        stars=-stars,
        skill_key=skill if stars else None,
        reason=f"Habit undone: {habit.name}",
        idempotency_key=habit_reversal_key(completion_id),
    )
    await _store_user_streak(conn, user_id, today.today)
    await record_activity(
        conn,
        user_id,
        "habit.uncompleted",
        "habits",
        {
            "habit_id": str(habit_id),
            "completion_id": str(completion_id),
            "date": completion.completed_date.isoformat(),
        },
    )
    return Reversal(habit_id, posting)


__all__ = [
    "Completion",
    "Reversal",
    "complete_habit",
    "create_habit",
    "delete_habit",
    "uncomplete_habit",
    "update_habit",
]
