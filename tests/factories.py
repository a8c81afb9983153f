"""Test factories: one function per entity, defaults overridable (``make_habit(conn, user,
name="Scales")``). They insert through Core on the test's connection, so everything they make
is rolled back with the test."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.users import create_user


async def insert(conn: AsyncConnection, table: str, **values: Any) -> uuid.UUID:
    """Insert one row and return its id."""
    tbl = metadata.tables[table]
    return (await conn.execute(sa.insert(tbl).values(**values).returning(tbl.c.id))).scalar_one()


async def make_user(conn: AsyncConnection, *, admin: bool = False, **overrides: Any) -> uuid.UUID:
    """A user with wallet, progress, settings and onboarding state (the real transition)."""
    suffix = uuid.uuid4().hex[:8]
    email = overrides.pop("email", f"producer-{suffix}@example.com")
    name = overrides.pop("name", f"Producer {suffix}")
    return (await create_user(conn, email=email, name=name, admin=admin)).id


async def make_habit(conn: AsyncConnection, user_id: uuid.UUID, **overrides: Any) -> uuid.UUID:
    values = {"user_id": user_id, "name": "Practice scales", "frequency": "daily"} | overrides
    return await insert(conn, "habits", **values)


async def make_habit_completions(
    conn: AsyncConnection, habit_id: uuid.UUID, user_id: uuid.UUID, count: int
) -> None:
    """``count`` daily completions of a habit, ending today."""
    today = date.today()
    rows = [
        {
            "habit_id": habit_id,
            "user_id": user_id,
            "completed_date": today - timedelta(days=i),
            "completed_at": datetime.now(UTC) - timedelta(days=i),
        }
        for i in range(count)
    ]
    if rows:
        await conn.execute(sa.insert(metadata.tables["habit_completions"]), rows)
