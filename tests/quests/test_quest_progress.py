"""Universal quest progress: the ``target_config`` filters, completion (announced, counted for
achievements), lazy period resets, and the rules as pure functions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.quests.progress import accept_quest, advance_quests
from db.quests.rules import (
    ProgressState,
    accepts,
    advance,
    current_state,
    next_repeat_streak,
    period_end,
    period_start,
)
from tests.factories import insert, make_user

MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def test_periods_start_at_utc_midnight_and_on_mondays() -> None:
    sunday = MONDAY - timedelta(days=1)
    assert period_start("daily", MONDAY) == datetime(2026, 11, 30, tzinfo=UTC)
    assert period_start("weekly", MONDAY) == datetime(2026, 11, 30, tzinfo=UTC)
    assert period_start("weekly", sunday) == datetime(2026, 11, 23, tzinfo=UTC)
    assert period_start("special", MONDAY) is None


def test_monthly_periods_are_calendar_months() -> None:
    assert period_start("monthly", MONDAY) == datetime(2026, 11, 1, tzinfo=UTC)
    assert period_end("monthly", datetime(2026, 11, 1, tzinfo=UTC)) == datetime(
        2026, 12, 1, tzinfo=UTC
    )
    assert period_end("monthly", datetime(2026, 12, 1, tzinfo=UTC)) == datetime(
        2027, 1, 1, tzinfo=UTC
    )
    assert period_end("monthly", datetime(2027, 2, 1, tzinfo=UTC)) == datetime(
        2027, 3, 1, tzinfo=UTC
    )
    start = period_start("monthly", MONDAY)
    state = ProgressState("completed", 60, start, times_completed=1)
    assert current_state(state, "monthly", datetime(2026, 11, 30, 23, 59, tzinfo=UTC)) == state
    fresh = current_state(state, "monthly", datetime(2026, 12, 1, tzinfo=UTC))
    assert (fresh.status, fresh.progress, fresh.times_completed) == ("accepted", 0, 1)


def test_filters() -> None:
    config = {"mode": "focus", "min_minutes": 25}
    assert accepts(config, {"mode": "focus", "minutes": 25})
    assert not accepts(config, {"mode": "focus", "minutes": 24})
    assert not accepts(config, {"mode": "break", "minutes": 50})
    assert not accepts(config, {"mode": "focus"})
    assert accepts({}, {})


def test_progress_steps_and_resets() -> None:
    start = period_start("daily", MONDAY)
    state = ProgressState("accepted", 0, start)
    state = advance(state, "daily", 3, 2, MONDAY)
    assert (state.status, state.progress) == ("accepted", 2)
    state = advance(state, "daily", 3, 5, MONDAY)
    assert (state.status, state.progress, state.times_completed) == ("completed", 3, 1)
    assert advance(state, "daily", 3, 1, MONDAY) == state  # done for today
    tomorrow = MONDAY + timedelta(days=1)
    fresh = current_state(state, "daily", tomorrow)
    assert (fresh.status, fresh.progress, fresh.times_completed) == ("accepted", 0, 1)
    assert current_state(state, "weekly", tomorrow) == state  # same week
    assert current_state(state, "special", tomorrow + timedelta(days=60)) == state


def test_repeat_streaks() -> None:
    today = MONDAY.date()
    assert next_repeat_streak("daily", None, 0, today) == 1
    assert next_repeat_streak("daily", today - timedelta(days=1), 4, today) == 5
    assert next_repeat_streak("daily", today - timedelta(days=2), 4, today) == 1
    assert next_repeat_streak("daily", today, 4, today) is None
    assert next_repeat_streak("weekly", today - timedelta(days=3), 2, today) == 3  # last Friday
    assert (
        next_repeat_streak("weekly", today + timedelta(days=2), 2, today + timedelta(days=3))
        is None
    )
    assert next_repeat_streak("monthly", today.replace(day=1), 1, today) is None
    assert next_repeat_streak("monthly", today.replace(day=1) - timedelta(days=1), 1, today) == 2


async def _quest(conn: AsyncConnection, title: str) -> uuid.UUID:
    quest_id: uuid.UUID = (
        await conn.execute(
            sa.text("SELECT id FROM universal_quests WHERE title = :t"), {"t": title}
        )
    ).scalar_one()
    return quest_id


async def _row(conn: AsyncConnection, progress_id: uuid.UUID) -> sa.Row[tuple[object, ...]]:
    return (
        await conn.execute(
            sa.text(
                "SELECT status, progress, times_completed, completed_at, last_reset_at "
                "FROM user_quest_progress WHERE id = :i"
            ),
            {"i": progress_id},
        )
    ).one()


async def test_filters_decide_what_counts_and_completion_is_announced(
    db_conn: AsyncConnection,
) -> None:
    user = await make_user(db_conn)
    block = await accept_quest(db_conn, user, await _quest(db_conn, "Daily focus block"))
    breaks = await accept_quest(db_conn, user, await _quest(db_conn, "Rest your ears"))
    focus: dict[str, Any] = {"target_type": "focus_sessions_completed", "amount": 1}
    assert (
        await advance_quests(db_conn, user, **focus, attributes={"mode": "focus", "minutes": 20})
        == []
    )
    moved = await advance_quests(db_conn, user, **focus, attributes={"mode": "break", "minutes": 5})
    assert [(m.progress_id, m.progress, m.completed) for m in moved] == [(breaks, 1, False)]
    moved = await advance_quests(
        db_conn, user, **focus, attributes={"mode": "focus", "minutes": 25}
    )
    assert [(m.progress_id, m.progress, m.completed) for m in moved] == [(block, 1, True)]
    row = await _row(db_conn, block)
    assert (row.status, row.progress, row.times_completed) == ("completed", 1, 1)
    assert row.completed_at is not None
    # a completed quest does not move again in its period
    assert (
        await advance_quests(db_conn, user, **focus, attributes={"mode": "focus", "minutes": 50})
        == []
    )
    outbox = (
        await db_conn.execute(
            sa.text("SELECT topic, payload FROM event_outbox WHERE user_id = :u"), {"u": user}
        )
    ).all()
    assert [(t, p["user_quest_progress_id"]) for t, p in outbox] == [
        ("quest.completed", str(block))
    ]


async def test_unaccepted_and_abandoned_quests_do_not_move(db_conn: AsyncConnection) -> None:
    user = await make_user(db_conn)
    chain = await accept_quest(db_conn, user, await _quest(db_conn, "Keep the chain"))
    await db_conn.execute(
        sa.text("UPDATE user_quest_progress SET status = 'abandoned' WHERE id = :i"), {"i": chain}
    )
    assert await advance_quests(db_conn, user, target_type="habit_completions", amount=1) == []


async def test_a_new_period_starts_a_fresh_progress(db_conn: AsyncConnection) -> None:
    user = await make_user(db_conn)
    chain = await accept_quest(db_conn, user, await _quest(db_conn, "Keep the chain"))
    yesterday = datetime.now(UTC) - timedelta(days=1)
    await db_conn.execute(
        sa.text(
            "UPDATE user_quest_progress SET status = 'claimed', progress = 3, "
            "times_completed = 1, completed_at = :y, claimed_at = :y, last_reset_at = :d "
            "WHERE id = :i"
        ),
        {"i": chain, "y": yesterday, "d": period_start("daily", yesterday)},
    )
    moved = await advance_quests(db_conn, user, target_type="habit_completions", amount=1)
    assert [(m.progress, m.completed) for m in moved] == [(1, False)]
    row = await _row(db_conn, chain)
    assert (row.status, row.progress, row.times_completed) == ("accepted", 1, 1)
    assert row.last_reset_at == period_start("daily", datetime.now(UTC))


async def test_a_monthly_quest_resets_on_the_first_of_the_month(db_conn: AsyncConnection) -> None:
    user = await make_user(db_conn)
    month = await accept_quest(db_conn, user, await _quest(db_conn, "Habit month"))
    now = datetime.now(UTC)
    assert (await _row(db_conn, month)).last_reset_at == period_start("monthly", now)
    await advance_quests(db_conn, user, target_type="habit_completions", amount=2)
    assert (await _row(db_conn, month)).progress == 2
    this_month = period_start("monthly", now)
    assert this_month is not None
    last_month = period_start("monthly", this_month - timedelta(days=1))
    await db_conn.execute(
        sa.text("UPDATE user_quest_progress SET last_reset_at = :d WHERE id = :i"),
        {"i": month, "d": last_month},
    )
    await advance_quests(db_conn, user, target_type="habit_completions", amount=1)
    row = await _row(db_conn, month)
    assert (row.status, row.progress) == ("accepted", 1)
    assert row.last_reset_at == period_start("monthly", now)


async def test_the_25th_quest_completion_unlocks_its_achievement(db_conn: AsyncConnection) -> None:
    user = await make_user(db_conn)
    for _ in range(24):
        await insert(
            db_conn,
            "activity_events",
            user_id=user,
            event_type="quest.completed",
            category="quests",
        )
    await accept_quest(db_conn, user, await _quest(db_conn, "Move your body"))
    await advance_quests(db_conn, user, target_type="workouts_completed", amount=1)
    unlocked = (
        (
            await db_conn.execute(
                sa.text("SELECT achievement_key FROM user_achievements WHERE user_id = :u"),
                {"u": user},
            )
        )
        .scalars()
        .all()
    )
    assert unlocked == ["quests_completed_25"]
