"""A user's week starts on their ``week_starts_on`` day at local midnight in their timezone:
weekly quest periods, weekly habits (the once-per-week rule, the stored streak and the streak
the read paths compute in SQL), repeatable own quests and Today's week figures."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.habits.rules import habit_streaks, period_is_full, period_key
from db.quests.rules import needs_reset, next_repeat_streak, period_start, repeat_period_start
from db.settings import WEEK_STARTS, local_date, user_calendar, week_start, week_start_sql
from tests.support.harness import committed_user

SET = """mutation($s: [SettingInput!]!) { updateSettings(input: {settings: $s}) { __typename } }"""
CREATE = """mutation { createHabit(input: {name: "Long run", frequency: WEEKLY, targetCount: 1})
  { ... on CreateHabitSuccess { habit { id } } } }"""
COMPLETE = """mutation($h: ID!, $k: String!, $d: Date) {
  completeHabit(habitId: $h, idempotencyKey: $k, date: $d) { __typename
  ... on CompleteHabitSuccess { habit { currentStreak } } } }"""
READ = """{ me { habits { edges { node { currentStreak } } }
  today { habitsDueToday { done completions } } } }"""

BERLIN = "Europe/Berlin"


def test_week_start_rule() -> None:
    tuesday = date(2026, 12, 8)
    assert week_start(tuesday, "monday") == date(2026, 12, 7)
    assert week_start(tuesday, "sunday") == date(2026, 12, 6)
    assert week_start(tuesday, "saturday") == date(2026, 12, 5)
    sunday = date(2026, 12, 13)
    assert week_start(sunday, "sunday") == sunday
    assert week_start(sunday, "monday") == date(2026, 12, 7)
    assert week_start(tuesday, "nonsense") == date(2026, 12, 7)  # Monday, like the default


def test_weekly_quest_periods_follow_the_week_start_across_dst() -> None:
    # Berlin springs forward on Sunday 29 March 2026 (CET, UTC+1 -> CEST, UTC+2).
    # 23:30 UTC on Saturday the 28th is already that Sunday in Berlin.
    late = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    sunday_start = datetime(2026, 3, 28, 23, tzinfo=UTC)  # Sunday 00:00 CET
    assert period_start("weekly", late, BERLIN, "sunday") == sunday_start
    assert period_start("weekly", late, BERLIN, "monday") == datetime(2026, 3, 22, 23, tzinfo=UTC)
    assert period_start("weekly", late, BERLIN) == datetime(2026, 3, 22, 23, tzinfo=UTC)
    # The Sunday-start week that began in CET ends at Sunday 5 April 00:00 CEST, 22:00 UTC:
    # 167 hours later. A row of that week resets exactly then, not an hour later.
    assert not needs_reset(
        "weekly", sunday_start, datetime(2026, 4, 4, 21, 59, tzinfo=UTC), BERLIN, "sunday"
    )
    assert needs_reset(
        "weekly", sunday_start, datetime(2026, 4, 4, 22, tzinfo=UTC), BERLIN, "sunday"
    )
    # The Monday-start user's week of Monday 30 March runs until Monday 6 April 00:00 CEST.
    monday_start = period_start("weekly", datetime(2026, 3, 30, 8, tzinfo=UTC), BERLIN, "monday")
    assert monday_start == datetime(2026, 3, 29, 22, tzinfo=UTC)  # Monday 00:00 CEST
    assert not needs_reset(
        "weekly", monday_start, datetime(2026, 4, 5, 21, 59, tzinfo=UTC), BERLIN, "monday"
    )
    assert needs_reset(
        "weekly", monday_start, datetime(2026, 4, 5, 22, tzinfo=UTC), BERLIN, "monday"
    )
    # Daily and monthly periods do not depend on the week start.
    for quest_type in ("daily", "monthly"):
        assert period_start(quest_type, late, BERLIN, "sunday") == period_start(
            quest_type, late, BERLIN, "monday"
        )


def test_weekly_habits_and_repeatable_quests_follow_the_week_start() -> None:
    saturday, sunday, monday = date(2026, 12, 12), date(2026, 12, 13), date(2026, 12, 14)
    # A Sunday-start user: Saturday and Sunday are two weeks; Sunday and Monday one.
    assert period_key("weekly", sunday, "sunday") == period_key("weekly", monday, "sunday")
    assert period_key("weekly", saturday, "sunday") != period_key("weekly", sunday, "sunday")
    assert period_is_full("weekly", 1, [sunday], monday, "sunday")
    assert not period_is_full("weekly", 1, [saturday], sunday, "sunday")
    # A Monday-start user: the other way round.
    assert not period_is_full("weekly", 1, [sunday], monday, "monday")
    assert period_is_full("weekly", 1, [saturday], sunday, "monday")
    # Saturday then Sunday: two weeks in a row for the Sunday-start user, one for Monday's.
    assert habit_streaks("weekly", 1, [], [saturday, sunday], sunday, "sunday") == (2, 2)
    assert habit_streaks("weekly", 1, [], [saturday, sunday], sunday, "monday") == (1, 1)
    # Repeatable own quests: the repeat period and its streak.
    assert repeat_period_start("weekly", monday, "sunday") == sunday
    assert next_repeat_streak("weekly", saturday, 3, sunday, "sunday") == 4
    assert next_repeat_streak("weekly", saturday, 3, sunday, "monday") is None


async def test_week_start_sql_matches_the_rule(engine: AsyncEngine) -> None:
    days = [date(2026, 12, 1) + timedelta(days=k) for k in range(14)]
    for setting in (None, *WEEK_STARTS):
        viewer = await committed_user(engine)
        async with engine.begin() as conn:
            if setting is not None:
                await conn.execute(
                    sa.text(
                        "INSERT INTO user_settings (user_id, key, value) "
                        "VALUES (:u, 'week_starts_on', to_jsonb(CAST(:v AS text)))"
                    ),
                    {"u": viewer.user_id, "v": setting},
                )
            assert (await user_calendar(conn, viewer.user_id))[1] == (setting or "monday")
            user = sa.literal(viewer.user_id, sa.Uuid)
            got = [
                (
                    await conn.execute(sa.select(week_start_sql(sa.literal(d, sa.Date), user)))
                ).scalar_one()
                for d in days
            ]
        assert got == [week_start(d, setting or "monday") for d in days], setting


def _other_week_day(today: date) -> date:
    """A day of the last 7 that shares ``today``'s week for exactly one of a Sunday-start and
    a Monday-start user: the Saturday before a Sunday, else the Sunday of this week."""
    return today - timedelta(days=1) if today.weekday() == 6 else week_start(today, "sunday")


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Pacific/Kiritimati"])
async def test_weekly_habit_through_the_api(mutate: Any, engine: AsyncEngine, zone: str) -> None:
    outcomes = {}
    for week in ("sunday", "monday"):
        viewer = await committed_user(engine)
        settings = [{"key": "timezone", "value": zone}, {"key": "week_starts_on", "value": week}]
        assert (await mutate(SET, {"s": settings}, viewer=viewer)).data["updateSettings"]
        habit_id = (await mutate(CREATE, viewer=viewer)).data["createHabit"]["habit"]["id"]
        async with engine.begin() as conn:  # the habit existed a fortnight ago
            await conn.execute(
                sa.text("UPDATE habits SET created_at = now() - interval '14 days' WHERE id = :h"),
                {"h": uuid.UUID(habit_id)},
            )
        today = local_date(zone, datetime.now(UTC))
        earlier = _other_week_day(today)
        first = await mutate(
            COMPLETE,
            {"h": habit_id, "k": uuid.uuid4().hex, "d": earlier.isoformat()},
            viewer=viewer,
        )
        assert first.data["completeHabit"]["__typename"] == "CompleteHabitSuccess", first
        second = await mutate(COMPLETE, {"h": habit_id, "k": uuid.uuid4().hex}, viewer=viewer)
        same_week = week_start(earlier, week) == week_start(today, week)
        typename = second.data["completeHabit"]["__typename"]
        assert typename == ("AlreadyCompleted" if same_week else "CompleteHabitSuccess"), week
        read = (await mutate(READ, viewer=viewer)).data["me"]
        (edge,) = read["habits"]["edges"]
        # Two weeks in a row, or one week done once: the SQL read agrees with the stored run.
        assert edge["node"]["currentStreak"] == (1 if same_week else 2)
        # This week holds one completion either way (the earlier one, or today's).
        assert read["today"]["habitsDueToday"] == [{"done": True, "completions": 1}]
        outcomes[week] = same_week
    assert outcomes["sunday"] != outcomes["monday"]
