"""The day boundary is the user's: habit completions and the daily streak are dated in the
user's timezone; the local day is 23 or 25 hours long across a DST change."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.settings import day_bounds, local_date
from tests.support.harness import committed_user

SET = """mutation($s: [SettingInput!]!) { updateSettings(input: {settings: $s}) { __typename } }"""
CREATE = """mutation($n: String!) { createHabit(input: {name: $n}) {
  ... on CreateHabitSuccess { habit { id } } } }"""
COMPLETE = """mutation($h: ID!, $k: String!, $d: Date) {
  completeHabit(habitId: $h, idempotencyKey: $k, date: $d) { __typename
  ... on InvalidInput { field } } }"""


def test_day_bounds_across_dst() -> None:
    # Berlin springs forward on 29 March 2026 (23 hours) and falls back on 25 October (25).
    start, end = day_bounds("Europe/Berlin", date(2026, 3, 29))
    assert (start, end) == (
        datetime(2026, 3, 28, 23, tzinfo=UTC),
        datetime(2026, 3, 29, 22, tzinfo=UTC),
    )
    assert end - start == timedelta(hours=23)
    start, end = day_bounds("Europe/Berlin", date(2026, 10, 25))
    assert end - start == timedelta(hours=25)
    start, end = day_bounds("America/New_York", date(2026, 3, 8))
    assert end - start == timedelta(hours=23)
    assert day_bounds("UTC", date(2026, 3, 29))[0] == datetime(2026, 3, 29, tzinfo=UTC)
    # Every instant of the local day has that local date; the end has the next one.
    start, end = day_bounds("Europe/Berlin", date(2026, 3, 29))
    assert local_date("Europe/Berlin", start) == date(2026, 3, 29)
    assert local_date("Europe/Berlin", end - timedelta(microseconds=1)) == date(2026, 3, 29)
    assert local_date("Europe/Berlin", end) == date(2026, 3, 30)


async def _dates(engine: AsyncEngine, user_id: Any) -> list[date]:
    async with engine.connect() as conn:
        return list(
            (
                await conn.execute(
                    sa.text(
                        "SELECT completed_date FROM habit_completions WHERE user_id = :u "
                        "ORDER BY completed_date"
                    ),
                    {"u": user_id},
                )
            ).scalars()
        )


async def test_habit_completions_are_dated_in_the_users_timezone(
    mutate: Any, engine: AsyncEngine
) -> None:
    # At any moment at least one of these zones is on another date than UTC.
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
        viewer = await committed_user(engine)
        await mutate(SET, {"s": [{"key": "timezone", "value": zone}]}, viewer=viewer)
        habit = (await mutate(CREATE, {"n": "Scales"}, viewer=viewer)).data["createHabit"]
        before = datetime.now(UTC)
        out = await mutate(
            COMPLETE, {"h": habit["habit"]["id"], "k": uuid.uuid4().hex}, viewer=viewer
        )
        after = datetime.now(UTC)
        assert out.data["completeHabit"]["__typename"] == "CompleteHabitSuccess", out
        (day,) = await _dates(engine, viewer.user_id)
        assert day in {local_date(zone, before), local_date(zone, after)}
        today = (
            await mutate(
                "{ me { today { localDate currentStreak habitsDueToday { done } } } }",
                viewer=viewer,
            )
        ).data["me"]["today"]
        assert today["localDate"] == day.isoformat()
        assert today["habitsDueToday"] == [{"done": True}]
        assert today["currentStreak"] == 1
        # The local tomorrow is the future there, whatever the date in UTC.
        out = await mutate(
            COMPLETE,
            {
                "h": habit["habit"]["id"],
                "k": uuid.uuid4().hex,
                "d": (day + timedelta(days=1)).isoformat(),
            },
            viewer=viewer,
        )
        assert out.data["completeHabit"] == {"__typename": "InvalidInput", "field": "date"}


def test_quest_periods_in_the_users_timezone() -> None:
    from db.quests.rules import ProgressState, advance, period_start

    # 23:30 UTC on Saturday 28 March 2026 is already Sunday the 29th in Berlin.
    late = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert period_start("daily", late) == datetime(2026, 3, 28, tzinfo=UTC)
    assert period_start("daily", late, "Europe/Berlin") == datetime(2026, 3, 28, 23, tzinfo=UTC)
    # The weekly period of that Sunday began on Monday the 23rd, Berlin midnight (UTC+1).
    assert period_start("weekly", late, "Europe/Berlin") == datetime(2026, 3, 22, 23, tzinfo=UTC)
    # After the DST change (UTC+2), the next local midnight is 22:00 UTC.
    after = datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert period_start("daily", after, "Europe/Berlin") == datetime(2026, 3, 29, 22, tzinfo=UTC)
    assert period_start("monthly", after, "Europe/Berlin") == datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert period_start("special", after, "Europe/Berlin") is None
    # A daily quest done before local midnight resets after it, not at UTC midnight.
    start = period_start("daily", datetime(2026, 3, 28, 12, tzinfo=UTC), "Europe/Berlin")
    state = advance(
        ProgressState("accepted", 0, start),
        "daily",
        1,
        1,
        datetime(2026, 3, 28, 12, tzinfo=UTC),
        zone="Europe/Berlin",
    )
    assert state.status == "completed"
    same_day = advance(
        state, "daily", 1, 1, datetime(2026, 3, 28, 22, 59, tzinfo=UTC), zone="Europe/Berlin"
    )
    assert same_day == state
    fresh = advance(
        state, "daily", 2, 1, datetime(2026, 3, 28, 23, 0, tzinfo=UTC), zone="Europe/Berlin"
    )
    assert (fresh.status, fresh.progress) == ("accepted", 1)  # a new local day: reset


async def test_streaks_read_in_the_users_calendar(mutate: Any, engine: AsyncEngine) -> None:
    query = "{ me { streaks { edges { node { streakType currentStreak } } } } }"
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
        for days_ago, expected in ((1, 4), (2, 0)):
            viewer = await committed_user(engine)
            await mutate(SET, {"s": [{"key": "timezone", "value": zone}]}, viewer=viewer)
            last = local_date(zone, datetime.now(UTC)) - timedelta(days=days_ago)
            async with engine.begin() as conn:
                await conn.execute(
                    sa.text(
                        "INSERT INTO user_streaks (user_id, streak_type, current_streak, "
                        "longest_streak, last_activity_date) "
                        "VALUES (:u, 'daily_activity', 4, 4, :d)"
                    ),
                    {"u": viewer.user_id, "d": last},
                )
            out = await mutate(query, viewer=viewer)
            (edge,) = out.data["me"]["streaks"]["edges"]
            assert edge["node"]["currentStreak"] == expected, (zone, days_ago)
            today = await mutate("{ me { today { currentStreak } } }", viewer=viewer)
            assert today.data["me"]["today"]["currentStreak"] == expected
