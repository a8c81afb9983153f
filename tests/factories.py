"""Test factories: one function per entity, defaults overridable (``make_habit(conn, user,
name="Scales")``). They insert through Core on the test's connection, so everything they make
is rolled back with the test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import metadata
from db.auth.users import create_user


async def insert(conn: AsyncConnection, table: str, **values: Any) -> uuid.UUID:
    """Insert one row and return its id."""
    tbl = metadata.tables[table]
    row_id: uuid.UUID = (
        await conn.execute(sa.insert(tbl).values(**values).returning(tbl.c.id))
    ).scalar_one()
    return row_id


@asynccontextmanager
async def committed_quest(engine: AsyncEngine, **values: Any) -> AsyncIterator[uuid.UUID]:
    """A universal quest committed for a test that drives it through mutations (which commit),
    deleted with its users' progress afterwards on every path: the catalog is shared by the
    run's tests (the seed tests read it whole)."""
    async with engine.begin() as conn:
        quest = await insert(conn, "universal_quests", **values)
    try:
        yield quest
    finally:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text("DELETE FROM user_quest_progress WHERE quest_id = :q"), {"q": quest}
            )
            await conn.execute(sa.text("DELETE FROM universal_quests WHERE id = :q"), {"q": quest})


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


async def catalog_ids(conn: AsyncConnection, table: str, limit: int = 1000) -> list[uuid.UUID]:
    """Ids of seeded catalog rows (market items, exercises, lessons, ...), in a stable order."""
    tbl = metadata.tables[table]
    stmt = sa.select(tbl.c.id).order_by(tbl.c.id).limit(limit)
    return list((await conn.execute(stmt)).scalars())


async def make_purchases(conn: AsyncConnection, user_id: uuid.UUID, count: int) -> None:
    """``count`` active purchases of seeded market items (no ledger rows: read tests only)."""
    items = await catalog_ids(conn, "market_items")
    rows = [
        {"user_id": user_id, "item_id": items[i % len(items)], "cost_coins": 10}
        for i in range(count)
    ]
    await conn.execute(sa.insert(metadata.tables["user_purchases"]), rows)


async def make_workouts(
    conn: AsyncConnection, user_id: uuid.UUID, workouts: int, exercises_each: int
) -> None:
    """Workouts with sections and exercises, and one logged session per workout with three
    sets per exercise."""
    exercises = await catalog_ids(conn, "exercises")
    for w in range(workouts):
        workout = await insert(conn, "workouts", user_id=user_id, name=f"Workout {w}")
        section = await insert(conn, "workout_sections", workout_id=workout, name="Main")
        chosen = [
            exercises[(w * exercises_each + e) % len(exercises)] for e in range(exercises_each)
        ]
        await conn.execute(
            sa.insert(metadata.tables["workout_exercises"]),
            [
                {"workout_id": workout, "section_id": section, "exercise_id": ex, "sort_order": i}
                for i, ex in enumerate(chosen)
            ],
        )
        session = await insert(conn, "workout_sessions", user_id=user_id, workout_id=workout)
        await conn.execute(
            sa.insert(metadata.tables["exercise_sets"]),
            [
                {"session_id": session, "exercise_id": ex, "set_number": s + 1, "reps": 8}
                for ex in chosen
                for s in range(3)
            ],
        )


async def make_tracks(
    conn: AsyncConnection, user_id: uuid.UUID, tracks: int, analyses_each: int
) -> None:
    """Reference tracks, each with analyses and one frame manifest per analysis."""
    for t in range(tracks):
        track = await insert(
            conn,
            "reference_tracks",
            user_id=user_id,
            name=f"Reference {t}",
            r2_key=f"tracks/{uuid.uuid4()}",
            file_size_bytes=5_000_000,
        )
        for a in range(analyses_each):
            analysis = await insert(
                conn, "track_analyses", track_id=track, analysis_type="full", version=f"{a}.0"
            )
            await insert(
                conn,
                "analysis_frame_manifests",
                analysis_id=analysis,
                hop_ms=10,
                frame_count=100,
                duration_ms=1000,
                bytes_per_frame=16,
                total_chunks=1,
            )


async def make_lessons(conn: AsyncConnection, user_id: uuid.UUID, extra: int) -> None:
    """``extra`` more lessons in every seeded topic, and the viewer's progress on each lesson."""
    topics = await catalog_ids(conn, "learn_topics")
    for topic in topics:
        for i in range(extra):
            await insert(
                conn,
                "learn_lessons",
                topic_id=topic,
                key=f"extra-{uuid.uuid4().hex}",
                title=f"Extra {i}",
            )
    lessons = await catalog_ids(conn, "learn_lessons")
    await conn.execute(
        sa.insert(metadata.tables["user_lesson_progress"]),
        [{"user_id": user_id, "lesson_id": lesson, "status": "in_progress"} for lesson in lessons],
    )
