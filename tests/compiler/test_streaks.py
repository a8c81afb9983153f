"""Streaks read true: ``currentStreak`` of ``UserStreak`` and of ``Habit`` is 0 once a period
passed without the activity, without waiting for the next write, and the compiled read path
answers exactly what the general path answers (``TableSpec.computed``: one SQL expression for
both paths)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from db import metadata
from db.auth.users import create_user
from db.habits.rules import habit_streaks, weekday_number
from gateway.auth import Viewer
from tests.compiler.differential import assert_same
from tests.compiler.test_differential import _both

QUERY = """
query {
  me {
    streaks { edges { node { streakType currentStreak longestStreak } } }
    habits { edges { node { name currentStreak longestStreak } } }
  }
}
"""


async def _insert(conn: Any, table: str, **values: Any) -> uuid.UUID:
    t = metadata.tables[table]
    return uuid.UUID(
        str((await conn.execute(sa.insert(t).values(**values).returning(t.c.id))).scalar_one())
    )


async def _habit(
    conn: Any,
    user_id: uuid.UUID,
    name: str,
    days: list[date],
    *,
    frequency: str = "daily",
    target: int = 1,
    custom: list[int] | None = None,
    written: date,
) -> None:
    """A habit with completions on ``days`` and the streaks its last write stored on
    ``written`` (what the transitions store: db.habits.rules.habit_streaks)."""
    current, longest = habit_streaks(frequency, target, custom or [], days, written)
    habit = await _insert(
        conn,
        "habits",
        user_id=user_id,
        name=name,
        frequency=frequency,
        target_count=target,
        custom_days=custom or [],
        current_streak=current,
        longest_streak=longest,
    )
    for day in days:
        await _insert(
            conn, "habit_completions", habit_id=habit, user_id=user_id, completed_date=day
        )


async def test_streaks_read_zero_after_a_missed_period(demo: Any) -> None:
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    suffix = uuid.uuid4().hex[:8]
    async with demo.engine.begin() as conn:
        user = (await create_user(conn, email=f"streak-{suffix}@example.com", name="S")).id
        streaks = metadata.tables["user_streaks"]
        await conn.execute(sa.delete(streaks).where(streaks.c.user_id == user))
        for kind, last in (
            ("daily_activity", today - timedelta(days=1)),
            ("focus", today - timedelta(days=2)),
            ("habits", today),
        ):
            await _insert(
                conn,
                "user_streaks",
                user_id=user,
                streak_type=kind,
                current_streak=4,
                longest_streak=6,
                last_activity_date=last,
            )
        # Daily: done the three days up to yesterday (alive), or up to the day before (broken).
        run = [today - timedelta(days=k) for k in (1, 2, 3)]
        await _habit(conn, user, "daily alive", run, written=today - timedelta(days=1))
        await _habit(
            conn,
            user,
            "daily broken",
            [d - timedelta(days=1) for d in run],
            written=today - timedelta(days=2),
        )
        # Weekly, twice a week: the two last weeks met (alive) / two weeks before those (broken);
        # a week with one completion only does not keep it.
        weeks = [monday - timedelta(days=7), monday - timedelta(days=14)]
        met = [w + timedelta(days=k) for w in weeks for k in (0, 1)]
        await _habit(
            conn,
            user,
            "weekly alive",
            met,
            frequency="weekly",
            target=2,
            written=monday - timedelta(days=1),
        )
        older = [d - timedelta(days=7) for d in met]
        await _habit(
            conn,
            user,
            "weekly broken",
            older,
            frequency="weekly",
            target=2,
            written=monday - timedelta(days=8),
        )
        half = [
            monday - timedelta(days=14),
            monday - timedelta(days=13),
            monday - timedelta(days=7),
        ]
        await _habit(
            conn,
            user,
            "weekly half",
            half,
            frequency="weekly",
            target=2,
            written=monday - timedelta(days=7),
        )
        # Custom: due on the weekday of two days ago only; done then (alive: no due day since),
        # or a week before that (broken: the last due day passed).
        due = today - timedelta(days=2)
        custom = [weekday_number(due)]
        await _habit(
            conn,
            user,
            "custom alive",
            [due, due - timedelta(days=7)],
            frequency="custom",
            custom=custom,
            written=due,
        )
        await _habit(
            conn,
            user,
            "custom broken",
            [due - timedelta(days=7)],
            frequency="custom",
            custom=custom,
            written=due - timedelta(days=7),
        )
    try:
        viewer = Viewer(user)
        outcome, result = await _both(demo, QUERY, None, viewer)
        assert_same(outcome, QUERY, None)
        assert outcome.covered
        assert result.errors is None
        me = result.data["me"]
        streaks_read = {
            e["node"]["streakType"]: e["node"]["currentStreak"] for e in me["streaks"]["edges"]
        }
        assert streaks_read == {"daily_activity": 4, "focus": 0, "habits": 4}
        habits_read = {e["node"]["name"]: e["node"]["currentStreak"] for e in me["habits"]["edges"]}
        assert habits_read == {
            "daily alive": 3,
            "daily broken": 0,
            "weekly alive": 2,
            "weekly broken": 0,
            "weekly half": 0,
            "custom alive": 2,
            "custom broken": 0,
        }
        # The longest streaks are history: they stay.
        assert {e["node"]["longestStreak"] for e in me["streaks"]["edges"]} == {6}
        async with demo.engine.connect() as conn:
            stored = (
                await conn.execute(
                    sa.text("SELECT name, current_streak FROM habits WHERE user_id = :u"),
                    {"u": user},
                )
            ).all()
        assert dict(map(tuple, stored))["daily broken"] == 3  # stored: unchanged by a read
    finally:
        async with demo.engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM users WHERE id = :u"), {"u": user})
