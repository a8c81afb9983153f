"""Achievements: the rule (thresholds from ``trigger_config``), the running value of every
trigger type counted in SQL, the unlock transition (once, paid through the ledger, announced),
the chain through level and coins earned, and a single unlock under concurrency."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.gamification.achievements import (
    THRESHOLD_KEYS,
    TRIGGER_VALUES,
    AchievementRule,
    evaluate_achievements,
    newly_reached,
    threshold_of,
    trigger_values,
)
from db.gamification.ledger import post
from db.gamification.models import AchievementTriggerType as T
from seeds.gamification import ACHIEVEMENTS
from tests.factories import catalog_ids, insert, make_habit, make_habit_completions, make_user
from tests.support.harness import committed_user, invariant_violations


def test_every_trigger_type_has_a_threshold_key_and_a_value() -> None:
    assert set(THRESHOLD_KEYS) == {t.value for t in T}
    assert set(TRIGGER_VALUES) == {t.value for t in T}
    # every seeded definition names a threshold the rule can read
    for a in ACHIEVEMENTS:
        assert threshold_of(a["trigger_type"], a["trigger_config"]) > 0, a["key"]


def test_threshold_and_reach_rules() -> None:
    assert threshold_of("streak_days", {"days": 7}) == 7
    assert threshold_of("streak_days", {"count": 7}) == 0  # wrong key: never reached
    assert threshold_of("level_reached", {"level": True}) == 0
    assert threshold_of("no_such_trigger", {"count": 1}) == 0
    rules = [
        AchievementRule("a", "A", "habit_completions", 1),
        AchievementRule("b", "B", "habit_completions", 3),
        AchievementRule("c", "C", "level_reached", 2),
        AchievementRule("never", "N", "habit_completions", 0),
    ]
    reached = newly_reached(rules, {"habit_completions": 3, "level_reached": 1}, {"a"})
    assert [r.key for r in reached] == ["b"]


async def test_each_trigger_value_counts_its_rows(db_conn: AsyncConnection) -> None:
    user = await make_user(db_conn)
    zero = await trigger_values(db_conn, user, THRESHOLD_KEYS)
    assert zero == {t: (1 if t == "level_reached" else 0) for t in THRESHOLD_KEYS}

    now = datetime.now(UTC)
    sessions = [
        ("focus", 50, "completed"),
        ("focus", 25, "completed"),
        ("break", 5, "completed"),
        ("focus", 25, "abandoned"),
    ]
    for mode, minutes, status in sessions:
        await insert(
            db_conn,
            "focus_sessions",
            user_id=user,
            mode=mode,
            status=status,
            duration_seconds=minutes * 60,
            started_at=now - timedelta(hours=2),
            completed_at=now if status == "completed" else None,
            abandoned_at=now if status == "abandoned" else None,
        )
    await insert(
        db_conn,
        "user_streaks",
        user_id=user,
        streak_type="habits",
        current_streak=2,
        longest_streak=9,
    )
    await insert(
        db_conn,
        "user_streaks",
        user_id=user,
        streak_type="daily_activity",
        current_streak=4,
        longest_streak=4,
    )
    item = (await catalog_ids(db_conn, "market_items", 1))[0]
    await insert(
        db_conn,
        "user_purchases",
        user_id=user,
        item_id=item,
        cost_coins=0,
        status="refunded",
        refunded_at=now,
    )
    habit = await make_habit(db_conn, user)
    await make_habit_completions(db_conn, habit, user, 3)
    for event in ("quest.completed", "user_quest.completed", "quest.claimed"):
        await insert(db_conn, "activity_events", user_id=user, event_type=event, category="quests")
    lessons = await catalog_ids(db_conn, "learn_lessons", 2)
    await insert(
        db_conn,
        "user_lesson_progress",
        user_id=user,
        lesson_id=lessons[0],
        status="completed",
        completed_at=now,
    )
    await insert(
        db_conn, "user_lesson_progress", user_id=user, lesson_id=lessons[1], status="in_progress"
    )
    drill = (await catalog_ids(db_conn, "learn_drills", 1))[0]
    await insert(db_conn, "user_drill_stats", user_id=user, drill_id=drill, total_attempts=30)
    workout = await insert(db_conn, "workouts", user_id=user, name="Legs")
    await insert(db_conn, "workout_sessions", user_id=user, workout_id=workout, completed_at=now)
    await insert(db_conn, "workout_sessions", user_id=user, workout_id=workout)
    await insert(db_conn, "books", user_id=user, title="Mixing Secrets", status="completed")
    await insert(db_conn, "books", user_id=user, title="Zen", status="reading")
    await post(db_conn, user, event_type="test", coins=40, xp=150)
    await post(db_conn, user, event_type="test", coins=-15)

    assert await trigger_values(db_conn, user, THRESHOLD_KEYS) == {
        "focus_sessions_completed": 2,
        "focus_minutes_total": 75,
        "streak_days": 9,
        "level_reached": 2,
        "purchases_made": 1,
        "habit_completions": 3,
        "quests_completed": 2,
        "lessons_completed": 1,
        "drill_attempts": 30,
        "workouts_completed": 1,
        "books_completed": 1,
        "coins_earned_total": 40,
    }


async def _rows(conn: AsyncConnection, sql: str, user: uuid.UUID) -> list[tuple[object, ...]]:
    return [tuple(r) for r in (await conn.execute(sa.text(sql), {"u": user})).all()]


async def test_an_unlock_happens_once_and_pays_through_the_ledger(
    db_conn: AsyncConnection,
) -> None:
    user = await make_user(db_conn)
    now = datetime.now(UTC)
    await insert(
        db_conn,
        "focus_sessions",
        user_id=user,
        mode="focus",
        status="completed",
        duration_seconds=1500,
        started_at=now - timedelta(minutes=30),
        completed_at=now,
    )
    unlocked = await evaluate_achievements(db_conn, user, [T.FOCUS_SESSIONS_COMPLETED])
    assert [u.achievement_key for u in unlocked] == ["first_focus_session"]
    assert await evaluate_achievements(db_conn, user, [T.FOCUS_SESSIONS_COMPLETED]) == []
    assert await _rows(
        db_conn,
        "SELECT event_type, event_id, coins, xp, idempotency_key FROM points_ledger "
        "WHERE user_id = :u",
        user,
    ) == [
        ("achievement.unlocked", "first_focus_session", 25, 50, "achievement:first_focus_session")
    ]
    outbox = await _rows(
        db_conn, "SELECT topic, payload FROM event_outbox WHERE user_id = :u ORDER BY id", user
    )
    assert [t for t, _ in outbox] == ["wallet.changed", "achievement.unlocked"]
    assert outbox[1][1] == {
        "user_achievement_id": str(unlocked[0].user_achievement_id),
        "achievement_key": "first_focus_session",
    }
    assert await _rows(
        db_conn,
        "SELECT event_type FROM activity_events "
        "WHERE user_id = :u AND event_type <> 'user.created'",
        user,
    ) == [("achievement.unlocked",)]
    assert await invariant_violations(db_conn, [user]) == []


async def test_rewards_chain_into_level_and_coins_earned_achievements(
    db_conn: AsyncConnection,
) -> None:
    user = await make_user(db_conn)
    await post(db_conn, user, event_type="test", xp=900, coins=880)  # level 4, 880 earned
    habit = await make_habit(db_conn, user)
    await make_habit_completions(db_conn, habit, user, 50)
    unlocked = await evaluate_achievements(db_conn, user, [T.HABIT_COMPLETIONS])
    # habit_completions_50 pays 150 XP (-> 1050 XP, level 5) and 80 coins (960 earned);
    # level_5 then pays 100 coins (1060 earned), which unlocks coins_earned_1000 (200 XP).
    assert [u.achievement_key for u in unlocked] == [
        "habit_completions_50",
        "level_5",
        "coins_earned_1000",
    ]
    assert await invariant_violations(db_conn, [user]) == []
    wallet = await _rows(
        db_conn,
        "SELECT w.total_earned, p.total_xp, p.current_level FROM user_wallet w "
        "JOIN user_progress p USING (user_id) WHERE w.user_id = :u",
        user,
    )
    assert wallet == [(1060, 1250, 5)]


async def test_two_concurrent_completions_crossing_a_threshold_unlock_once(
    engine: AsyncEngine,
) -> None:
    """48 completions, then two transactions each add one and evaluate before either commits:
    the second evaluation waits for the first transaction (the per-user lock), so it counts 50
    and the achievement is unlocked and paid exactly once. Without that lock both would count
    49 and nobody would get it."""
    viewer = await committed_user(engine)
    user = viewer.user_id
    async with engine.begin() as conn:
        habits = [await make_habit(conn, user), await make_habit(conn, user, name="Stretch")]
        await make_habit_completions(conn, habits[0], user, 48)
    inserted = [asyncio.Event(), asyncio.Event()]
    first_evaluated, second_done = asyncio.Event(), asyncio.Event()
    pids: list[int] = [0, 0]

    async def complete(n: int) -> list[str]:
        async with engine.begin() as conn:
            pids[n] = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
            await insert(
                conn,
                "habit_completions",
                habit_id=habits[n],
                user_id=user,
                completed_date=date.today() - timedelta(days=60 + n),
            )
            inserted[n].set()
            await asyncio.wait_for(inserted[1 - n].wait(), 30)
            if n == 1:
                await asyncio.wait_for(first_evaluated.wait(), 30)
            unlocked = await evaluate_achievements(conn, user, [T.HABIT_COMPLETIONS])
            if n == 0:
                first_evaluated.set()
                await _until_done_or_blocked(engine, pids[1], second_done)
            else:
                second_done.set()
            return [u.achievement_key for u in unlocked]

    first, second = await asyncio.gather(complete(0), complete(1))
    assert first + second == ["habit_completions_50"]
    async with engine.connect() as conn:
        assert await _rows(
            conn,
            "SELECT achievement_key FROM user_achievements WHERE user_id = :u",
            user,
        ) == [("habit_completions_50",)]
        assert await _rows(conn, "SELECT count(*) FROM points_ledger WHERE user_id = :u", user) == [
            (1,)
        ]
        assert await invariant_violations(conn, [user]) == []


async def _until_done_or_blocked(engine: AsyncEngine, pid: int, done: asyncio.Event) -> None:
    """Wait until the other transaction finished its evaluation or waits for a lock."""
    async with engine.connect() as watcher:
        for _ in range(3000):
            if done.is_set():
                return
            waiting = (
                await watcher.execute(
                    sa.text("SELECT count(*) FROM pg_locks WHERE pid = :p AND NOT granted"),
                    {"p": pid},
                )
            ).scalar_one()
            if waiting:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("the second transaction neither finished nor waited")
