"""Day streaks: runs of consecutive days with activity (``user_streaks``; docs/design.md#habits).

A user has one ``user_streaks`` row per ``streak_type``:

- ``daily_activity``: days on which the user did something that earns (a habit completion, a
  counted focus session, a quest completed or claimed; advanced by :func:`touch_streak` with
  the day of the transition, never recomputed backwards: the user was active that day
  whatever they undid later);
- ``habits``: days with at least one habit completion (recomputed from ``habit_completions``
  by :func:`set_streak` whenever a completion is added or removed, as completions can be
  backdated and undone);
- ``focus``: days with a completed focus session that counts (advanced by
  ``completeFocusSession`` with :func:`touch_streak`, which also advances ``daily_activity``).

``current_streak`` is the run that ends on the last active day, and is 0 once that day is
more than one day before today (a day without activity broke it; today still open does not);
``longest_streak`` is the longest run ever. The ``streak_days`` achievements read the longest
run of any of the user's streaks (:mod:`db.gamification.achievements`).

The arithmetic is pure (:func:`day_streaks`, :func:`advance_day_streak`) so that the demo
generator computes the same numbers in memory.

The stored ``current_streak`` is right as of its last write; a day without activity since then
breaks it without a write. What the API reads is therefore :func:`current_streak_read`, the
stored run while ``last_activity_date`` is yesterday or today (the user's calendar), else 0,
in SQL (both read paths of the API select this expression: ``schema/gamification``).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.settings import local_today_sql

#: The streak types the transitions maintain.
DAILY_ACTIVITY = "daily_activity"
HABITS = "habits"
FOCUS = "focus"

_streaks = metadata.tables["user_streaks"]


@dataclass(frozen=True)
class Streak:
    """A streak's numbers: the current run, the longest run and the last active day."""

    current: int = 0
    longest: int = 0
    last: date | None = None


def day_streaks(days: Iterable[date], today: date) -> Streak:
    """The streak of a set of active days as of ``today``: the run ending on the last day
    (0 when that day is before yesterday) and the longest run."""
    ordered = sorted(set(days))
    if not ordered:
        return Streak()
    longest = run = 1
    for previous, day in itertools.pairwise(ordered):
        run = run + 1 if (day - previous).days == 1 else 1
        longest = max(longest, run)
    last = ordered[-1]
    return Streak(run if (today - last).days <= 1 else 0, longest, last)


def advance_day_streak(streak: Streak, day: date) -> Streak:
    """``streak`` after activity on ``day`` (the day of the transition, never earlier than
    the last active day): the same day changes nothing, the next day extends the run, a later
    day starts a new run of 1."""
    if streak.last is not None and day <= streak.last:
        return streak
    run = streak.current + 1 if streak.last is not None and (day - streak.last).days == 1 else 1
    return Streak(run, max(streak.longest, run), day)


def utc_today() -> sa.ColumnElement[date]:
    """SQL: today's date in UTC (of the transaction's clock, ``now()``), the calendar of every
    streak and period."""
    return sa.cast(sa.func.timezone("UTC", sa.func.now()), sa.Date)


def current_streak_read(streaks: sa.FromClause) -> sa.ColumnElement[int]:
    """SQL: the ``current_streak`` of a ``user_streaks`` row (``streaks``: the table or an
    alias) as of today: the stored run while its ``last_activity_date`` is yesterday or today
    (in the user's timezone), 0 once a whole day has passed without activity
    (:func:`day_streaks`' rule, applied at read time)."""
    return sa.case(
        (
            streaks.c.last_activity_date >= local_today_sql(streaks.c.user_id) - 1,
            streaks.c.current_streak,
        ),
        else_=0,
    )


# The statements of :func:`touch_streak`, built once (values bound at execution). The upsert
# stores the proposed row's counts on a conflict (``excluded``: the values it was given).
_LOCK_STREAK = (
    sa.select(_streaks.c.current_streak, _streaks.c.longest_streak, _streaks.c.last_activity_date)
    .where(
        _streaks.c.user_id == sa.bindparam("user_id"),
        _streaks.c.streak_type == sa.bindparam("streak_type"),
    )
    .with_for_update()
)
_proposed = insert(_streaks)
_UPSERT = _proposed.on_conflict_do_update(
    index_elements=["user_id", "streak_type"],
    set_={
        "current_streak": _proposed.excluded.current_streak,
        "longest_streak": _proposed.excluded.longest_streak,
        "last_activity_date": _proposed.excluded.last_activity_date,
        "updated_at": sa.func.now(),
    },
)


async def _upsert(
    conn: AsyncConnection, user_id: uuid.UUID, streak_type: str, streak: Streak
) -> None:
    await conn.execute(
        _UPSERT,
        {
            "user_id": user_id,
            "streak_type": streak_type,
            "current_streak": streak.current,
            "longest_streak": streak.longest,
            "last_activity_date": streak.last,
        },
    )


async def touch_streak(
    conn: AsyncConnection, user_id: uuid.UUID, streak_type: str, day: date
) -> Streak:
    """Count ``day`` as active for the user's ``streak_type`` streak (row created on first use,
    locked while it changes), in the caller's transaction.

    Returns:
        The streak after the day.
    """
    row = (
        await conn.execute(_LOCK_STREAK, {"user_id": user_id, "streak_type": streak_type})
    ).one_or_none()
    before = Streak(*row) if row is not None else Streak()
    after = advance_day_streak(before, day)
    if after != before or row is None:
        await _upsert(conn, user_id, streak_type, after)
    return after


async def set_streak(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    streak_type: str,
    days: Iterable[date],
    today: date,
) -> Streak:
    """Store the streak of exactly ``days`` (as of ``today``) as the user's ``streak_type``
    streak, in the caller's transaction.

    Returns:
        The stored streak.
    """
    streak = day_streaks(days, today)
    await _upsert(conn, user_id, streak_type, streak)
    return streak


__all__ = [
    "DAILY_ACTIVITY",
    "FOCUS",
    "HABITS",
    "Streak",
    "advance_day_streak",
    "current_streak_read",
    "day_streaks",
    "set_streak",
    "touch_streak",
    "utc_today",
]
