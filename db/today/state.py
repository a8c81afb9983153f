"""Reading a user's :class:`~db.today.rules.TodayState` (Ignition specification, "Today
Resolution Flow"): a fixed list of statements, whatever the number of rows (each list is one
statement, capped at :data:`LIST_LIMIT` rows).

The reads take a ``fetch`` callable (one SELECT -> its rows with attribute access), so the
same code runs on a request's read snapshot (``db.reader.Reader.fetch``) and on a test's
connection (:func:`fetch_on`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.gamification.streaks import DAILY_ACTIVITY
from db.habits.models import HabitFrequency
from db.habits.rules import is_due, period_key
from db.settings import day_bounds, effective, local_date
from db.today.rules import Item, TodayState, order_modules

#: One SELECT -> its rows (attribute access by column label).
Fetch = Callable[[sa.Executable], Awaitable[Sequence[Any]]]

#: The most rows a list of Today holds (habits, plan items, quests, lessons, achievements).
LIST_LIMIT = 100

#: The statements :func:`read_today` runs (the statement-count test checks it).
STATEMENTS = 12

_t = metadata.tables


def fetch_on(conn: AsyncConnection) -> Fetch:
    """A :data:`Fetch` on a connection (tests, transitions)."""

    async def fetch(statement: sa.Executable) -> Sequence[Any]:
        return (await conn.execute(statement)).all()

    return fetch


async def read_settings(fetch: Fetch, user_id: uuid.UUID) -> dict[str, Any]:
    """The user's effective settings (:func:`db.settings.effective`), one statement."""
    s = _t["user_settings"]
    rows = await fetch(sa.select(s.c.key, s.c.value).where(s.c.user_id == user_id))
    return effective({r.key: r.value for r in rows})


async def read_today(fetch: Fetch, user_id: uuid.UUID) -> TodayState:
    """The user's Today at the database's ``now()`` (:data:`STATEMENTS` statements).

    Args:
        fetch: runs one SELECT (see the module docstring).
        user_id: the user.

    Returns:
        The :class:`~db.today.rules.TodayState`; days and "today" in the user's ``timezone``.
    """
    users, onboarding = _t["users"], _t["user_onboarding_state"]
    head = (
        await fetch(
            sa.select(
                users.c.last_activity_at,
                onboarding.c.id.label("onboarding_id"),
                onboarding.c.status.label("onboarding_status"),
                sa.func.now().label("now"),
            )
            .select_from(users.outerjoin(onboarding, onboarding.c.user_id == users.c.id))
            .where(users.c.id == user_id)
        )
    )[0]
    now: datetime = head.now
    settings = await read_settings(fetch, user_id)
    zone = str(settings["timezone"])
    today = local_date(zone, now)
    interests_t = _t["user_interests"]
    interests = frozenset(
        r.interest_key
        for r in await fetch(
            sa.select(interests_t.c.interest_key).where(interests_t.c.user_id == user_id)
        )
    )
    last = head.last_activity_at
    status = None if head.onboarding_status is None else str(head.onboarding_status)
    return TodayState(
        local_date=today,
        days_since_activity=None if last is None else (today - local_date(zone, last)).days,
        onboarding_status=status,
        onboarding=None
        if head.onboarding_id is None
        else Item("user_onboarding_state", head.onboarding_id, "Onboarding"),
        focus=await _running_focus(fetch, user_id),
        focus_minutes_today=await _focus_minutes(fetch, user_id, *day_bounds(zone, today)),
        daily_focus_goal_minutes=int(settings["daily_focus_goal_minutes"]),
        default_focus_duration=int(settings["default_focus_duration"]),
        habits=await _habits(fetch, user_id, today, str(settings["week_starts_on"])),
        plan_items=await _plan_items(fetch, user_id, today),
        claimable_quests=await _quests(fetch, user_id, "completed"),
        quests_in_progress=await _quests(fetch, user_id, "accepted"),
        lessons=await _lessons(fetch, user_id),
        current_streak=await _streak(fetch, user_id, today),
        unseen_achievements=await _achievements(fetch, user_id),
        modules=order_modules(settings, interests),
        nudge_intensity=str(settings["nudge_intensity"]),
        interests=interests,
    )


async def _running_focus(fetch: Fetch, user_id: uuid.UUID) -> Item | None:
    f = _t["focus_sessions"]
    rows = await fetch(
        sa.select(f.c.id, f.c.status, f.c.mode, f.c.task_title).where(
            f.c.user_id == user_id, f.c.status.in_(("active", "paused"))
        )
    )
    if not rows:
        return None
    row = rows[0]
    return Item(
        "focus_sessions",
        row.id,
        row.task_title or "Focus session",
        extra={"status": str(row.status), "mode": str(row.mode)},
    )


async def _focus_minutes(fetch: Fetch, user_id: uuid.UUID, start: datetime, end: datetime) -> int:
    f = _t["focus_sessions"]
    rows = await fetch(
        sa.select(sa.func.coalesce(sa.func.sum(f.c.focused_seconds), 0).label("seconds")).where(
            f.c.user_id == user_id,
            f.c.status == "completed",
            f.c.mode == "focus",
            f.c.completed_at >= start,
            f.c.completed_at < end,
        )
    )
    return int(rows[0].seconds) // 60


async def _habits(
    fetch: Fetch, user_id: uuid.UUID, today: Any, week_starts_on: str
) -> tuple[Item, ...]:
    h, c = _t["habits"], _t["habit_completions"]
    week = period_key(HabitFrequency.WEEKLY, today, week_starts_on)

    def done_since(first: Any) -> Any:
        return (
            sa.select(sa.func.count())
            .where(c.c.habit_id == h.c.id, c.c.completed_date >= first, c.c.completed_date <= today)
            .scalar_subquery()
        )

    rows = await fetch(
        sa.select(
            h.c.id,
            h.c.name,
            h.c.frequency,
            h.c.target_count,
            h.c.custom_days,
            h.c.sort_order,
            done_since(today).label("today_count"),
            done_since(week).label("week_count"),
        )
        .where(h.c.user_id == user_id, h.c.is_active)
        .order_by(h.c.sort_order, h.c.id)
        .limit(LIST_LIMIT)
    )
    items = []
    for row in rows:
        frequency = str(row.frequency)
        if not is_due(frequency, row.custom_days or [], today):
            continue
        weekly = frequency == HabitFrequency.WEEKLY
        count = row.week_count if weekly else row.today_count
        target = row.target_count if weekly else 1
        items.append(
            Item(
                "habits",
                row.id,
                row.name,
                order=(row.sort_order,),
                done=count >= target,
                extra={"completions": int(count), "target": int(target)},
            )
        )
    return tuple(items)


async def _plan_items(fetch: Fetch, user_id: uuid.UUID, today: Any) -> tuple[Item, ...]:
    p = _t["daily_plans"]
    rows = await fetch(
        sa.select(p.c.id, p.c["items"].label("plan_items")).where(
            p.c.user_id == user_id, p.c.date == today
        )
    )
    items = []
    for row in rows:
        for index, entry in enumerate(row.plan_items[:LIST_LIMIT]):
            if not isinstance(entry, dict) or entry.get("done") or entry.get("completed"):
                continue
            kind = entry.get("kind")
            items.append(
                Item(
                    "daily_plans",
                    row.id,
                    str(entry.get("title") or f"Plan item {index + 1}"),
                    order=(index,),
                    tags=frozenset([kind]) if isinstance(kind, str) else frozenset(),
                    extra={"index": index, "itemId": entry.get("id")},
                )
            )
    return tuple(items)


async def _quests(fetch: Fetch, user_id: uuid.UUID, status: str) -> tuple[Item, ...]:
    p, q = _t["user_quest_progress"], _t["universal_quests"]
    moment: sa.ColumnElement[Any] = p.c.completed_at if status == "completed" else p.c.accepted_at
    rows = await fetch(
        sa.select(p.c.id, q.c.title, p.c.progress, q.c.target, moment.label("at"))
        .select_from(p.join(q, q.c.id == p.c.quest_id))
        .where(p.c.user_id == user_id, p.c.status == status)
        .order_by(moment, p.c.id)
        .limit(LIST_LIMIT)
    )
    return tuple(
        Item(
            "user_quest_progress",
            r.id,
            r.title,
            order=(r.at,),
            extra={"progress": int(r.progress), "target": int(r.target)},
        )
        for r in rows
    )


async def _lessons(fetch: Fetch, user_id: uuid.UUID) -> tuple[Item, ...]:
    up, lesson, topic = _t["user_lesson_progress"], _t["learn_lessons"], _t["learn_topics"]
    rows = await fetch(
        sa.select(up.c.id, lesson.c.title, up.c.started_at, topic.c["key"], topic.c.category)
        .select_from(
            up.join(lesson, lesson.c.id == up.c.lesson_id).join(
                topic, topic.c.id == lesson.c.topic_id
            )
        )
        .where(up.c.user_id == user_id, up.c.status == "in_progress")
        .order_by(up.c.started_at.desc().nulls_last(), up.c.id)
        .limit(LIST_LIMIT)
    )
    return tuple(
        Item(
            "user_lesson_progress",
            r.id,
            r.title,
            # Most recently started first: order by the negated age.
            order=(-(r.started_at.timestamp()) if r.started_at else 0.0,),
            tags=frozenset({r.key, r.category}),
        )
        for r in rows
    )


async def _streak(fetch: Fetch, user_id: uuid.UUID, today: Any) -> int:
    s = _t["user_streaks"]
    rows = await fetch(
        sa.select(s.c.current_streak, s.c.last_activity_date).where(
            s.c.user_id == user_id, s.c.streak_type == DAILY_ACTIVITY
        )
    )
    if not rows or rows[0].last_activity_date is None:
        return 0
    # A streak whose last day is before yesterday is broken, whatever is stored.
    alive = rows[0].last_activity_date >= today - timedelta(days=1)
    return int(rows[0].current_streak) if alive else 0


async def _achievements(fetch: Fetch, user_id: uuid.UUID) -> tuple[Item, ...]:
    ua, d = _t["user_achievements"], _t["achievement_definitions"]
    rows = await fetch(
        sa.select(ua.c.id, ua.c.achievement_key, d.c.name, ua.c.earned_at)
        .select_from(ua.join(d, d.c.key == ua.c.achievement_key))
        .where(ua.c.user_id == user_id, sa.not_(ua.c.notified))
        .order_by(ua.c.earned_at.desc(), ua.c.id)
        .limit(LIST_LIMIT)
    )
    return tuple(
        Item(
            "user_achievements",
            r.id,
            r.name,
            extra={"key": r.achievement_key, "earnedAt": r.earned_at.isoformat()},
        )
        for r in rows
    )


__all__ = ["LIST_LIMIT", "STATEMENTS", "Fetch", "fetch_on", "read_settings", "read_today"]
