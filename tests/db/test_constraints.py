"""The database itself rejects rows that break the schema's rules (docs/design.md#the-schema and
docs/design.md#domain-rules).

Specification: whatever code writes the rows, PostgreSQL refuses

- a wallet with negative coins, or whose totals disagree with its coins
  (``total_earned - total_spent = coins``);
- a second row with the same natural key (catalog ``key``s, a ledger idempotency key per user,
  one daily plan per user and day);
- a value outside an enum-like column's list;
- a second running (active or paused) focus session for one user;
- deleting a built-in exercise that a workout uses (checked at commit: the FK is deferred);

and deleting a user removes everything the user owns, while the audit log keeps its rows.

Each test runs in the ``db_conn`` transaction (rolled back afterwards); every statement expected
to fail runs in a SAVEPOINT, and the error must name the constraint. Enum values are written
with raw SQL: SQLAlchemy's Enum type would refuse an unknown value before it reaches the
database.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from tests.factories import insert, make_habit, make_habit_completions, make_user


@asynccontextmanager
async def rejected(conn: AsyncConnection, constraint: str) -> AsyncIterator[None]:
    """The block must fail on ``constraint``; its work is rolled back to a savepoint."""
    with pytest.raises(sa.exc.IntegrityError, match=rf'"{re.escape(constraint)}"'):
        async with conn.begin_nested():
            yield


async def execute(conn: AsyncConnection, sql: str, **params: Any) -> sa.CursorResult[Any]:
    return await conn.execute(sa.text(sql), params)


async def scalar(conn: AsyncConnection, sql: str, **params: Any) -> Any:
    return (await conn.execute(sa.text(sql), params)).scalar_one()


def unique_key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --------------------------------------------------------------------------------------------
# The wallet
# --------------------------------------------------------------------------------------------


async def test_a_wallet_cannot_go_negative(db_conn: AsyncConnection) -> None:
    user = await make_user(db_conn)
    # Totals consistent with -5 coins, so only the sign rule is broken.
    async with rejected(db_conn, "ck_user_wallet_coins_non_negative"):
        await execute(
            db_conn,
            "UPDATE user_wallet SET coins = -5, total_earned = 0, total_spent = 5"
            " WHERE user_id = :user",
            user=user,
        )
    assert await scalar(db_conn, "SELECT coins FROM user_wallet WHERE user_id = :u", u=user) == 0


async def test_a_wallet_balance_must_match_its_totals(db_conn: AsyncConnection) -> None:
    user = await make_user(db_conn)
    await execute(
        db_conn,
        "UPDATE user_wallet SET coins = 10, total_earned = 15, total_spent = 5"
        " WHERE user_id = :user",
        user=user,
    )
    async with rejected(db_conn, "ck_user_wallet_balance_matches_totals"):
        await execute(
            db_conn, "UPDATE user_wallet SET coins = coins + 1 WHERE user_id = :user", user=user
        )
    async with rejected(db_conn, "ck_user_wallet_balance_matches_totals"):
        await execute(
            db_conn,
            "UPDATE user_wallet SET total_spent = total_spent + 1 WHERE user_id = :user",
            user=user,
        )


# --------------------------------------------------------------------------------------------
# Natural keys
# --------------------------------------------------------------------------------------------


async def test_market_item_keys_are_unique(db_conn: AsyncConnection) -> None:
    item = {"name": "Sample pack", "category": "samples", "cost_coins": 50}
    key = unique_key("sample-pack")
    await insert(db_conn, "market_items", key=key, **item)
    async with rejected(db_conn, "uq_market_items_key"):
        await insert(db_conn, "market_items", key=key, **item)


async def test_skill_definition_keys_are_unique(db_conn: AsyncConnection) -> None:
    key = unique_key("mixing")
    await insert(db_conn, "skill_definitions", key=key, name="Mixing", category="creativity")
    async with rejected(db_conn, "uq_skill_definitions_key"):
        await insert(db_conn, "skill_definitions", key=key, name="Mixing 2", category="focus")


async def test_a_ledger_idempotency_key_is_used_once_per_user(db_conn: AsyncConnection) -> None:
    user, other = await make_user(db_conn), await make_user(db_conn)
    entry = {"event_type": "focus.completed", "xp": 10}
    await insert(db_conn, "points_ledger", user_id=user, idempotency_key="award-1", **entry)

    async with rejected(db_conn, "uq_points_ledger_user_id_idempotency_key"):
        await insert(db_conn, "points_ledger", user_id=user, idempotency_key="award-1", **entry)

    # Another user may use the same key, and entries without a key never collide.
    await insert(db_conn, "points_ledger", user_id=other, idempotency_key="award-1", **entry)
    await insert(db_conn, "points_ledger", user_id=user, idempotency_key=None, **entry)
    await insert(db_conn, "points_ledger", user_id=user, idempotency_key=None, **entry)


async def test_one_daily_plan_per_user_and_day(db_conn: AsyncConnection) -> None:
    user, other = await make_user(db_conn), await make_user(db_conn)
    day = date(2026, 3, 14)
    await insert(db_conn, "daily_plans", user_id=user, date=day)

    async with rejected(db_conn, "uq_daily_plans_user_id_date"):
        await insert(db_conn, "daily_plans", user_id=user, date=day, items=[])

    await insert(db_conn, "daily_plans", user_id=user, date=date(2026, 3, 15))
    await insert(db_conn, "daily_plans", user_id=other, date=day)


# --------------------------------------------------------------------------------------------
# Enum-like columns
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "row", "column", "allowed", "unknown", "constraint"),
    [
        pytest.param(
            "focus_sessions",
            {"duration_seconds": 1500},
            "status",
            "expired",
            "sleeping",
            "ck_focus_sessions_focusstatus",
            id="focus_sessions.status",
        ),
        pytest.param(
            "habits",
            {"name": "Practice scales"},
            "frequency",
            "weekly",
            "hourly",
            "ck_habits_habitfrequency",
            id="habits.frequency",
        ),
        pytest.param(
            "market_items",
            {"name": "Preset bank", "category": "presets", "cost_coins": 25},
            "rarity",
            "legendary",
            "mythic",
            "ck_market_items_itemrarity",
            id="market_items.rarity",
        ),
    ],
)
async def test_an_unknown_enum_value_is_rejected(
    db_conn: AsyncConnection,
    table: str,
    row: dict[str, Any],
    column: str,
    allowed: str,
    unknown: str,
    constraint: str,
) -> None:
    user = await make_user(db_conn)

    async def insert_raw(value: str) -> None:
        values = row | {column: value}
        if "user_id" in metadata.tables[table].c:
            values["user_id"] = user
        if "key" in metadata.tables[table].c:
            values["key"] = unique_key(table)
        names = ", ".join(values)
        params = ", ".join(f":{name}" for name in values)
        await execute(db_conn, f"INSERT INTO {table} ({names}) VALUES ({params})", **values)

    await insert_raw(allowed)
    async with rejected(db_conn, constraint):
        await insert_raw(unknown)


# --------------------------------------------------------------------------------------------
# Focus: one running session per user
# --------------------------------------------------------------------------------------------


async def test_a_user_has_at_most_one_running_focus_session(db_conn: AsyncConnection) -> None:
    user, other = await make_user(db_conn), await make_user(db_conn)
    first = await insert(db_conn, "focus_sessions", user_id=user, duration_seconds=1500)

    async with rejected(db_conn, "uq_focus_sessions_one_running_per_user"):
        await insert(db_conn, "focus_sessions", user_id=user, duration_seconds=900)
    async with rejected(db_conn, "uq_focus_sessions_one_running_per_user"):
        await execute(
            db_conn,
            "INSERT INTO focus_sessions"
            " (user_id, duration_seconds, status, paused_at, paused_remaining_seconds)"
            " VALUES (:user, 900, 'paused', now(), 600)",
            user=user,
        )

    # Another user's session is independent; finished sessions do not count.
    await insert(db_conn, "focus_sessions", user_id=other, duration_seconds=1500)
    await execute(
        db_conn,
        "UPDATE focus_sessions SET status = 'completed', completed_at = now() WHERE id = :id",
        id=first,
    )
    await insert(db_conn, "focus_sessions", user_id=user, duration_seconds=1500)


# --------------------------------------------------------------------------------------------
# Deletes
# --------------------------------------------------------------------------------------------


async def _make_owned_rows(conn: AsyncConnection, user: uuid.UUID) -> dict[str, uuid.UUID]:
    """A bit of everything a user owns, including a custom exercise used by their own workout,
    sets and records (the case the deferred exercise FKs exist for)."""
    habit = await make_habit(conn, user)
    await make_habit_completions(conn, habit, user, 3)
    session = await insert(conn, "focus_sessions", user_id=user, duration_seconds=1500)
    await insert(conn, "focus_pause_state", user_id=user, session_id=session)
    await insert(conn, "points_ledger", user_id=user, event_type="focus.completed", xp=10)
    await insert(conn, "daily_plans", user_id=user, date=date(2026, 3, 14))
    book = await insert(conn, "books", user_id=user, title="The Mixing Engineer's Handbook")
    await insert(conn, "reading_sessions", user_id=user, book_id=book, pages_read=12)
    exercise = await insert(
        conn,
        "exercises",
        user_id=user,
        is_custom=True,
        name=unique_key("Landmine press"),
        category="strength",
    )
    workout = await insert(conn, "workouts", user_id=user, name="Push day")
    line = await insert(conn, "workout_exercises", workout_id=workout, exercise_id=exercise)
    workout_session = await insert(conn, "workout_sessions", user_id=user, workout_id=workout)
    exercise_set = await insert(
        conn, "exercise_sets", session_id=workout_session, exercise_id=exercise, set_number=1
    )
    await insert(
        conn,
        "personal_records",
        user_id=user,
        exercise_id=exercise,
        record_type="weight",
        value=40.0,
        exercise_set_id=exercise_set,
    )
    await conn.execute(
        sa.insert(metadata.tables["event_outbox"]).values(topic="test.event", user_id=user)
    )
    return {"exercises": exercise, "workout_exercises": line, "exercise_sets": exercise_set}


async def _owned_counts(conn: AsyncConnection, user: uuid.UUID) -> dict[str, int]:
    counts = {}
    for table in metadata.sorted_tables:
        if "user_id" in table.c:
            query = sa.select(sa.func.count()).select_from(table).where(table.c.user_id == user)
            counts[table.name] = (await conn.execute(query)).scalar_one()
    return counts


async def test_deleting_a_user_deletes_what_they_own(db_conn: AsyncConnection) -> None:
    user, bystander = await make_user(db_conn), await make_user(db_conn)
    rows = await _make_owned_rows(db_conn, user)
    bystander_habit = await make_habit(db_conn, bystander)
    audit_ids = (
        (await db_conn.execute(sa.text("SELECT id FROM audit_log WHERE user_id = :u"), {"u": user}))
        .scalars()
        .all()
    )
    before = await _owned_counts(db_conn, user)
    populated = {name for name, count in before.items() if count}
    assert populated >= {
        "user_wallet", "user_progress", "user_settings", "user_onboarding_state", "user_roles",
        "activity_events", "audit_log", "habits", "habit_completions", "focus_sessions",
        "focus_pause_state", "points_ledger", "daily_plans", "books", "reading_sessions",
        "exercises", "workouts", "workout_sessions", "personal_records", "event_outbox",
    }  # fmt: skip

    await execute(db_conn, "DELETE FROM users WHERE id = :user", user=user)
    # The exercise FKs are deferred to commit: check them now (the test never commits).
    await execute(db_conn, "SET CONSTRAINTS ALL IMMEDIATE")

    after = await _owned_counts(db_conn, user)
    assert after == dict.fromkeys(before, 0)
    for table, row_id in rows.items():
        remaining = await scalar(db_conn, f"SELECT count(*) FROM {table} WHERE id = :id", id=row_id)
        assert remaining == 0, f"{table} row {row_id} survived its user"
    # The audit log keeps its rows, detached from the deleted user.
    kept = await scalar(
        db_conn,
        "SELECT count(*) FROM audit_log WHERE id = ANY(:ids) AND user_id IS NULL",
        ids=list(audit_ids),
    )
    assert kept == len(audit_ids)
    # Nobody else's rows are touched.
    assert await scalar(db_conn, "SELECT count(*) FROM users WHERE id = :u", u=bystander) == 1
    habits = await scalar(db_conn, "SELECT count(*) FROM habits WHERE id = :h", h=bystander_habit)
    assert habits == 1


async def test_a_built_in_exercise_in_use_cannot_be_deleted(db_conn: AsyncConnection) -> None:
    user = await make_user(db_conn)
    exercise = await insert(
        db_conn, "exercises", is_builtin=True, name=unique_key("Barbell squat"), category="strength"
    )
    unused = await insert(
        db_conn, "exercises", is_builtin=True, name=unique_key("Box jump"), category="plyometrics"
    )
    workout = await insert(db_conn, "workouts", user_id=user, name="Leg day")
    await insert(db_conn, "workout_exercises", workout_id=workout, exercise_id=exercise)

    async with rejected(db_conn, "fk_workout_exercises_exercise_id_exercises"):
        # The DELETE itself goes through; the deferred FK fails at commit, which
        # SET CONSTRAINTS ... IMMEDIATE brings forward.
        await execute(db_conn, "DELETE FROM exercises WHERE id = :id", id=exercise)
        await execute(db_conn, "SET CONSTRAINTS ALL IMMEDIATE")

    assert await scalar(db_conn, "SELECT count(*) FROM exercises WHERE id = :id", id=exercise) == 1
    # An exercise no workout uses may go.
    await execute(db_conn, "DELETE FROM exercises WHERE id = :id", id=unused)
    await execute(db_conn, "SET CONSTRAINTS ALL IMMEDIATE")
