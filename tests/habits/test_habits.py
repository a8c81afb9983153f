"""Habit mutations: create, update (only the given fields), delete, complete (once per
period, dated within a week, paid through the ledger, streaks, quests, achievements) and
uncomplete (the reward reversed, streaks recomputed); every typed error leaves the database
as it was; another user's habits are absent."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer
from db.gamification.ledger import post
from db.habits.rules import ICON, SORT_ORDER, habit_streaks, next_sort_order
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user, unchanged
from tests.support.writes import errors

CREATE = f"""
mutation($input: CreateHabitInput!) {{
  createHabit(input: $input) {{
    __typename
    ... on CreateHabitSuccess {{
      habit {{ id name description frequency targetCount customDays sortOrder currentStreak }}
    }}
    {errors("InvalidInput")}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: UpdateHabitInput!) {{
  updateHabit(id: $id, input: $input) {{
    __typename
    ... on UpdateHabitSuccess {{
      habit {{ id name description icon frequency targetCount customDays isActive
               currentStreak longestStreak }}
    }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
DELETE = f"""
mutation($id: ID!) {{
  deleteHabit(id: $id) {{
    __typename
    ... on DeleteHabitSuccess {{ deletedHabitId }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
COMPLETE = f"""
mutation($habitId: ID!, $date: Date, $key: String!) {{
  completeHabit(habitId: $habitId, date: $date, idempotencyKey: $key) {{
    __typename
    ... on CompleteHabitSuccess {{
      completion {{ id completedDate }}
      habit {{ currentStreak longestStreak lastCompletedAt }}
      wallet {{ coins }}
      unlockedAchievements {{ achievementKey }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
UNCOMPLETE = f"""
mutation($id: ID!) {{
  uncompleteHabit(completionId: $id) {{
    __typename
    ... on UncompleteHabitSuccess {{
      habit {{ currentStreak longestStreak }}
      wallet {{ coins totalEarned totalSpent }}
    }}
    {errors("InvalidInput", "NotFound", "InsufficientFunds")}
  }}
}}
"""

TODAY = datetime.now(UTC).date()


async def _create(mutate: Mutate, viewer: Viewer, **fields: Any) -> str:
    result = await mutate(CREATE, {"input": {"name": "Scales", **fields}}, viewer=viewer)
    assert result.data["createHabit"]["__typename"] == "CreateHabitSuccess", result
    return str(result.data["createHabit"]["habit"]["id"])


async def _complete(
    mutate: Mutate, viewer: Viewer, habit: str, day: date | None = None, key: str | None = None
) -> dict[str, Any]:
    variables = {
        "habitId": habit,
        "date": day.isoformat() if day else None,
        "key": key or uuid.uuid4().hex,
    }
    result = await mutate(COMPLETE, variables, viewer=viewer)
    assert result.errors == []
    payload: dict[str, Any] = result.data["completeHabit"]
    return payload


async def _backdate(engine: AsyncEngine, habit: str, days: int = 10) -> None:
    """Pretend the habit was created ``days`` ago (completions may not predate it)."""
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE habits SET created_at = now() - make_interval(days => :d) WHERE id = :h"
            ),
            {"h": habit, "d": days},
        )


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(sql), params)).scalar_one()


# ---- create / update / delete -------------------------------------------------------------


async def test_create_habit_and_its_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    first = await mutate(CREATE, {"input": {"name": "  Scales  "}}, viewer=viewer)
    habit = first.data["createHabit"]["habit"]
    assert habit["name"] == "Scales"
    assert (habit["frequency"], habit["targetCount"], habit["customDays"]) == ("DAILY", 1, [])
    second = await mutate(
        CREATE,
        {"input": {"name": "Gym", "frequency": "CUSTOM", "customDays": [5, 1, 3]}},
        viewer=viewer,
    )
    assert second.data["createHabit"]["habit"]["customDays"] == [1, 3, 5]
    assert second.data["createHabit"]["habit"]["sortOrder"] == habit["sortOrder"] + 1
    refusals = [
        ({"name": " "}, "input.name"),
        ({"name": "x" * 201}, "input.name"),
        ({"name": "A", "targetCount": 2}, "input.targetCount"),
        ({"name": "A", "frequency": "WEEKLY", "targetCount": 8}, "input.targetCount"),
        ({"name": "A", "frequency": "CUSTOM"}, "input.customDays"),
        ({"name": "A", "frequency": "CUSTOM", "customDays": [7]}, "input.customDays"),
        ({"name": "A", "customDays": [1]}, "input.customDays"),
    ]
    for fields, field in refusals:
        payload = await unchanged(engine, mutate, CREATE, {"input": fields}, viewer)
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields


async def test_sort_order_icon_and_color_are_bounded(mutate: Mutate, engine: AsyncEngine) -> None:
    """``sortOrder`` 2147483647 made every later ``createHabit`` overflow int4 in
    "after the others", and ``icon``/``color`` took 900 KB each."""
    viewer = await committed_user(engine)
    refusals = [
        ({"name": "A", "sortOrder": 2_147_483_647}, "input.sortOrder"),
        ({"name": "A", "sortOrder": SORT_ORDER.high + 1}, "input.sortOrder"),
        ({"name": "A", "sortOrder": -2_147_483_648}, "input.sortOrder"),
        ({"name": "A", "icon": "x" * 900_000}, "input.icon"),
        ({"name": "A", "icon": "x" * (ICON.max + 1)}, "input.icon"),
        ({"name": "A", "color": "#" + "0" * 900_000}, "input.color"),
        ({"name": "A", "color": "red"}, "input.color"),
        ({"name": "A", "color": "#12345g"}, "input.color"),
        ({"name": "A", "customDays": [0] * 8}, "input.customDays"),
    ]
    for fields, field in refusals:
        payload = await unchanged(engine, mutate, CREATE, {"input": fields}, viewer)
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields
    top = await mutate(
        CREATE,
        {"input": {"name": "Last", "sortOrder": SORT_ORDER.high, "color": "#7C3AED"}},
        viewer=viewer,
    )
    assert top.data["createHabit"]["habit"]["sortOrder"] == SORT_ORDER.high
    after = await mutate(CREATE, {"input": {"name": "After", "icon": "music"}}, viewer=viewer)
    assert after.data["createHabit"]["habit"]["sortOrder"] == SORT_ORDER.high
    # A value stored before the bound existed: "after the others" still does not overflow.
    async with engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE habits SET sort_order = 2147483647 WHERE user_id = :u"),
            {"u": viewer.user_id},
        )
    legacy = await mutate(CREATE, {"input": {"name": "Legacy"}}, viewer=viewer)
    assert legacy.errors == []
    assert legacy.data["createHabit"]["habit"]["sortOrder"] == SORT_ORDER.high
    habit = after.data["createHabit"]["habit"]["id"]
    for fields, field in (
        ({"color": "#" + "0" * 900_000}, "input.color"),
        ({"icon": "x" * 900_000}, "input.icon"),
        ({"sortOrder": 2_147_483_647}, "input.sortOrder"),
    ):
        payload = await unchanged(engine, mutate, UPDATE, {"id": habit, "input": fields}, viewer)
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields
    # The bound is checked before the habit is looked up: not NotFound for a random id.
    payload = await unchanged(
        engine, mutate, UPDATE, {"id": str(uuid.uuid4()), "input": {"icon": "x" * 51}}, viewer
    )
    assert (payload["__typename"], payload["field"]) == ("InvalidInput", "input.icon")


def test_next_sort_order_stays_within_its_bound() -> None:
    assert next_sort_order(None) == 0
    assert next_sort_order(4) == 5
    assert next_sort_order(SORT_ORDER.high) == SORT_ORDER.high
    assert next_sort_order(2_147_483_647) == SORT_ORDER.high
    assert next_sort_order(-2_147_483_648) == SORT_ORDER.low


async def test_update_changes_only_the_given_fields(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    habit = await _create(mutate, viewer, description="Major and minor", icon="music")
    result = await mutate(
        UPDATE,
        {"id": habit, "input": {"description": None, "name": "Scales, all keys"}},
        viewer=viewer,
    )
    updated = result.data["updateHabit"]["habit"]
    assert (updated["name"], updated["description"], updated["icon"]) == (
        "Scales, all keys",
        None,
        "music",
    )
    weekly = await mutate(
        UPDATE, {"id": habit, "input": {"frequency": "WEEKLY", "targetCount": 3}}, viewer=viewer
    )
    assert weekly.data["updateHabit"]["habit"]["frequency"] == "WEEKLY"
    for fields, field in (
        ({}, "input"),
        ({"name": None}, "input.name"),
        ({"frequency": "DAILY"}, "input.targetCount"),  # weekly target 3 left as it is
        ({"isActive": None}, "input.isActive"),
    ):
        payload = await unchanged(engine, mutate, UPDATE, {"id": habit, "input": fields}, viewer)
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields


async def test_another_users_habit_is_not_found(mutate: Mutate, engine: AsyncEngine) -> None:
    owner, other = await committed_user(engine), await committed_user(engine)
    habit = await _create(mutate, owner)
    done = await _complete(mutate, owner, habit)
    calls: list[tuple[str, dict[str, Any]]] = [
        (UPDATE, {"id": habit, "input": {"name": "Mine now"}}),
        (DELETE, {"id": habit}),
        (COMPLETE, {"habitId": habit, "key": "k1"}),
        (UNCOMPLETE, {"id": done["completion"]["id"]}),
        (DELETE, {"id": str(uuid.uuid4())}),
    ]
    for query, variables in calls:
        payload = await unchanged(engine, mutate, query, variables, other)
        assert payload["__typename"] == "NotFound", query
    malformed = await unchanged(engine, mutate, DELETE, {"id": "not-an-id"}, other)
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInput", "id")


async def test_delete_habit_keeps_the_rewards(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    habit = await _create(mutate, viewer)
    await _complete(mutate, viewer, habit)
    result = await mutate(DELETE, {"id": habit}, viewer=viewer)
    assert result.data["deleteHabit"] == {
        "__typename": "DeleteHabitSuccess",
        "deletedHabitId": habit,
    }
    assert await _scalar(engine, "SELECT count(*) FROM habits WHERE id = :h", h=habit) == 0
    assert (
        await _scalar(engine, "SELECT coins FROM user_wallet WHERE user_id = :u", u=viewer.user_id)
        == 2
    )
    assert (
        await _scalar(
            engine,
            "SELECT current_streak FROM user_streaks WHERE user_id = :u AND streak_type = 'habits'",
            u=viewer.user_id,
        )
        == 0
    )


# ---- complete ----------------------------------------------------------------------------


async def test_complete_pays_records_and_replays(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    habit = await _create(mutate, viewer)
    first = await _complete(mutate, viewer, habit, key="tick-1")
    assert first["__typename"] == "CompleteHabitSuccess"
    assert first["completion"]["completedDate"] == TODAY.isoformat()
    assert (first["habit"]["currentStreak"], first["habit"]["longestStreak"]) == (1, 1)
    assert first["wallet"] == {"coins": 2}
    replay = await _complete(mutate, viewer, habit, key="tick-1")
    assert replay["completion"]["id"] == first["completion"]["id"]
    ledger = await _scalar(
        engine,
        "SELECT array_agg(idempotency_key) FROM points_ledger WHERE user_id = :u",
        u=viewer.user_id,
    )
    assert ledger == [f"habit.completed:{first['completion']['id']}"]
    assert (
        await _scalar(
            engine,
            "SELECT count(*) FROM activity_events "
            "WHERE user_id = :u AND event_type = 'habit.completed'",
            u=viewer.user_id,
        )
        == 1
    )
    streaks = await _scalar(
        engine,
        "SELECT array_agg(streak_type || ':' || current_streak ORDER BY streak_type) "
        "FROM user_streaks WHERE user_id = :u",
        u=viewer.user_id,
    )
    assert streaks == ["daily_activity:1", "habits:1"]
    again = await unchanged(engine, mutate, COMPLETE, {"habitId": habit, "key": "tick-2"}, viewer)
    assert again["__typename"] == "AlreadyCompleted"
    reused = await unchanged(
        engine,
        mutate,
        COMPLETE,
        {"habitId": habit, "key": "tick-1", "date": (TODAY - timedelta(days=1)).isoformat()},
        viewer,
    )
    assert reused["__typename"] == "IdempotencyKeyReused"


async def test_dates_in_the_future_or_far_past_are_refused(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    habit = await _create(mutate, viewer)
    await _backdate(engine, habit, days=30)
    for day in (TODAY + timedelta(days=1), TODAY - timedelta(days=8)):
        payload = await unchanged(
            engine,
            mutate,
            COMPLETE,
            {"habitId": habit, "key": uuid.uuid4().hex, "date": day.isoformat()},
            viewer,
        )
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", "date")
    fresh = await _create(mutate, viewer, name="New")  # created today
    payload = await unchanged(
        engine,
        mutate,
        COMPLETE,
        {
            "habitId": fresh,
            "key": uuid.uuid4().hex,
            "date": (TODAY - timedelta(days=1)).isoformat(),
        },
        viewer,
    )
    assert (payload["__typename"], payload["field"]) == ("InvalidInput", "date")
    archived = await _create(mutate, viewer, name="Old")
    await mutate(UPDATE, {"id": archived, "input": {"isActive": False}}, viewer=viewer)
    payload = await unchanged(engine, mutate, COMPLETE, {"habitId": archived, "key": "a"}, viewer)
    assert (payload["__typename"], payload["status"]) == ("InvalidState", "inactive")


async def test_streaks_follow_backdated_completions_and_stars_every_fifth(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    habit = await _create(mutate, viewer)
    await _backdate(engine, habit)
    for back in (6, 4, 3, 2, 0):
        done = await _complete(mutate, viewer, habit, TODAY - timedelta(days=back))
    # days -6, then -4..-2 and today: the run -4..-2 is broken by the missing yesterday
    assert (done["habit"]["currentStreak"], done["habit"]["longestStreak"]) == (1, 3)
    filled = await _complete(mutate, viewer, habit, TODAY - timedelta(days=1))
    assert (filled["habit"]["currentStreak"], filled["habit"]["longestStreak"]) == (5, 5)
    stars = await _scalar(
        engine,
        "SELECT current_stars FROM user_skills WHERE user_id = :u AND skill_key = 'discipline'",
        u=viewer.user_id,
    )
    assert stars == 1  # the 5th completion's star
    habits_streak = await _scalar(
        engine,
        "SELECT longest_streak FROM user_streaks WHERE user_id = :u AND streak_type = 'habits'",
        u=viewer.user_id,
    )
    assert habits_streak == 5


async def test_weekly_and_custom_periods(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    weekly = await _create(mutate, viewer, frequency="WEEKLY", targetCount=2)
    await _backdate(engine, weekly)
    # The 8 days a completion may be dated (today and 7 back) span two ISO weeks; one of them
    # has at least 4 of those days.
    window = [TODAY - timedelta(days=n) for n in range(7, -1, -1)]
    weeks: dict[date, list[date]] = {}
    for day in window:
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(day)
    week = max(weeks.values(), key=len)
    for day in week[:2]:
        done = await _complete(mutate, viewer, weekly, day)
        assert done["__typename"] == "CompleteHabitSuccess"
    full = await unchanged(
        engine,
        mutate,
        COMPLETE,
        {"habitId": weekly, "key": "w3", "date": week[2].isoformat()},
        viewer,
    )
    assert full["__typename"] == "AlreadyCompleted"
    not_due = [(TODAY.isoweekday() + 1) % 7]  # tomorrow's weekday only
    custom = await _create(mutate, viewer, name="Gym", frequency="CUSTOM", customDays=not_due)
    payload = await unchanged(engine, mutate, COMPLETE, {"habitId": custom, "key": "c1"}, viewer)
    assert (payload["__typename"], payload["field"]) == ("InvalidInput", "date")


def test_streak_rule_per_frequency() -> None:
    monday = date(2026, 11, 30)
    days = [monday - timedelta(days=n) for n in (0, 1, 2, 4)]
    assert habit_streaks("daily", 1, [], days, monday) == (3, 3)
    assert habit_streaks("daily", 1, [], days, monday + timedelta(days=1)) == (3, 3)  # open
    assert habit_streaks("daily", 1, [], days, monday + timedelta(days=2)) == (0, 3)
    # Mon/Wed/Fri habit done on Fri 27th and Wed 25th, Mon 30th not yet: streak holds today
    mwf = [1, 3, 5]
    assert habit_streaks("custom", 1, mwf, [date(2026, 11, 27), date(2026, 11, 25)], monday) == (
        2,
        2,
    )
    assert habit_streaks("custom", 1, mwf, [date(2026, 11, 27)], monday + timedelta(days=1)) == (
        0,
        1,
    )
    # weekly, twice a week: last week met, this week open
    weekly = [date(2026, 11, 24), date(2026, 11, 26), date(2026, 11, 17)]
    assert habit_streaks("weekly", 2, [], weekly, monday) == (1, 1)


async def test_completions_advance_habit_quests_and_unlock_achievements(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    async with engine.begin() as conn:
        quest = (
            await conn.execute(
                sa.text("SELECT id FROM universal_quests WHERE title = 'Keep the chain'")
            )
        ).scalar_one()
        from db.quests.progress import accept_quest

        await accept_quest(conn, viewer.user_id, quest)
        seed = await conn.execute(
            sa.text("INSERT INTO habits (user_id, name) VALUES (:u, 'Old') RETURNING id"),
            {"u": viewer.user_id},
        )
        old = seed.scalar_one()
        await conn.execute(
            sa.text(
                "INSERT INTO habit_completions (habit_id, user_id, completed_date) "
                "SELECT :h, :u, current_date - 30 - 2 * g FROM generate_series(1, 47) g"
            ),
            {"h": old, "u": viewer.user_id},
        )
    habits = [await _create(mutate, viewer, name=f"H{i}") for i in range(3)]
    results = [await _complete(mutate, viewer, h) for h in habits]
    assert [r["unlockedAchievements"] for r in results] == [
        [],
        [],
        [{"achievementKey": "habit_completions_50"}],
    ]
    status = await _scalar(
        engine,
        "SELECT status || ':' || progress FROM user_quest_progress WHERE user_id = :u",
        u=viewer.user_id,
    )
    assert status == "completed:3"


async def test_concurrent_completions_of_one_day_give_one(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    habit = await _create(mutate, viewer)
    results = await asyncio.gather(*(_complete(mutate, viewer, habit) for _ in range(5)))
    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["AlreadyCompleted"] * 4 + ["CompleteHabitSuccess"]
    assert (
        await _scalar(engine, "SELECT coins FROM user_wallet WHERE user_id = :u", u=viewer.user_id)
        == 2
    )


# ---- uncomplete --------------------------------------------------------------------------


async def test_uncomplete_reverses_the_reward_and_the_streaks(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    habit = await _create(mutate, viewer)
    await _backdate(engine, habit)
    for back in (4, 3, 2, 1):
        await _complete(mutate, viewer, habit, TODAY - timedelta(days=back))
    fifth = await _complete(mutate, viewer, habit)
    assert fifth["habit"]["currentStreak"] == 5
    result = await mutate(UNCOMPLETE, {"id": fifth["completion"]["id"]}, viewer=viewer)
    undone = result.data["uncompleteHabit"]
    assert undone["__typename"] == "UncompleteHabitSuccess"
    assert (undone["habit"]["currentStreak"], undone["habit"]["longestStreak"]) == (4, 4)
    assert undone["wallet"] == {"coins": 8, "totalEarned": 10, "totalSpent": 2}
    stars = await _scalar(
        engine,
        "SELECT current_stars FROM user_skills WHERE user_id = :u AND skill_key = 'discipline'",
        u=viewer.user_id,
    )
    assert stars == 0
    reversal = await _scalar(
        engine,
        "SELECT array[coins, xp, skill_stars] FROM points_ledger "
        "WHERE user_id = :u AND event_type = 'habit.uncompleted'",
        u=viewer.user_id,
    )
    assert reversal == [-2, -5, -1]
    gone = await unchanged(engine, mutate, UNCOMPLETE, {"id": fifth["completion"]["id"]}, viewer)
    assert gone["__typename"] == "NotFound"
    again = await _complete(mutate, viewer, habit)
    assert again["habit"]["currentStreak"] == 5


async def test_uncomplete_refused_when_the_coins_are_spent(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    habit = await _create(mutate, viewer)
    done = await _complete(mutate, viewer, habit)
    async with engine.begin() as conn:
        await post(conn, viewer.user_id, event_type="test", coins=-1)
    payload = await unchanged(engine, mutate, UNCOMPLETE, {"id": done["completion"]["id"]}, viewer)
    assert (payload["__typename"], payload["needed"], payload["available"]) == (
        "InsufficientFunds",
        2,
        1,
    )


async def test_concurrent_completions_crossing_a_threshold_unlock_once(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    """Through the mutations: 48 completions, then two habits checked off at once; whatever
    the interleaving, habit_completions_50 is unlocked and paid exactly once."""
    viewer = await committed_user(engine)
    async with engine.begin() as conn:
        old = (
            await conn.execute(
                sa.text("INSERT INTO habits (user_id, name) VALUES (:u, 'Old') RETURNING id"),
                {"u": viewer.user_id},
            )
        ).scalar_one()
        await conn.execute(
            sa.text(
                "INSERT INTO habit_completions (habit_id, user_id, completed_date) "
                "SELECT :h, :u, current_date - 30 - 2 * g FROM generate_series(1, 48) g"
            ),
            {"h": old, "u": viewer.user_id},
        )
    habits = [await _create(mutate, viewer, name=f"H{i}") for i in range(2)]
    results = await asyncio.gather(*(_complete(mutate, viewer, h) for h in habits))
    unlocked = [a["achievementKey"] for r in results for a in r["unlockedAchievements"]]
    assert unlocked == ["habit_completions_50"]
    paid = await _scalar(
        engine,
        "SELECT count(*) FROM points_ledger WHERE user_id = :u "
        "AND idempotency_key = 'achievement:habit_completions_50'",
        u=viewer.user_id,
    )
    assert paid == 1


async def test_focus_and_habits_feed_the_day_streaks(mutate: Mutate, engine: AsyncEngine) -> None:
    """A counted focus session and a habit completion on the same day: one active day of the
    daily_activity streak, one of the focus and one of the habits streak."""
    from tests.focus.test_focus import COMPLETE as COMPLETE_FOCUS
    from tests.focus.test_focus import start, travel

    viewer = await committed_user(engine)
    session = await start(mutate, viewer, minutes=30)
    await travel(engine, session, 30)
    done = await mutate(COMPLETE_FOCUS, {"id": session, "key": "f"}, viewer=viewer)
    assert done.data["completeFocusSession"]["__typename"] == "CompleteFocusSessionSuccess"
    await _complete(mutate, viewer, await _create(mutate, viewer))
    streaks = await _scalar(
        engine,
        "SELECT string_agg(streak_type || ':' || current_streak || '/' || longest_streak, ',' "
        "ORDER BY streak_type) FROM user_streaks WHERE user_id = :u",
        u=viewer.user_id,
    )
    assert streaks == "daily_activity:1/1,focus:1/1,habits:1/1"
