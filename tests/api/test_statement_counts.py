"""The SQL statements of a request depend on the shape of the query, never on the number of
rows (docs/design.md#graphql-conventions): each deep query runs at two data sizes
and must issue the same, expected number of statements (one per relation level, one per
totalCount)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.factories import (
    make_habit,
    make_habit_completions,
    make_lessons,
    make_purchases,
    make_tracks,
    make_user,
    make_workouts,
)

HABITS = """{ me { habits(first: 50) { totalCount edges { node { name
    completions(first: 30) { edges { node { completedAt } } } } } } } }"""

PURCHASES = """{ me { purchases(first: 100) { edges { node { costCoins status
    item { key name costCoins } } } } } }"""

WORKOUTS = """{ me {
  workouts(first: 50) { edges { node { name
    sections(first: 10) { edges { node { name } } }
    exercises(first: 50) { edges { node { sets exercise { name category } } } } } } }
  workoutSessions(first: 50) { edges { node { startedAt
    sets(first: 100) { edges { node { setNumber reps exercise { name } } } } } } } } }"""

LESSONS = """{ learnTopics(first: 10) { edges { node { name
    lessons(first: 50) { totalCount edges { node { title
      lessonProgress(first: 1) { edges { node { status } } } } } } } } } }"""

TRACKS = """{ me { referenceTracks(first: 50) { edges { node { name
    trackAnalyses(first: 20) { edges { node { status
      frameManifest { frameCount hopMs } } } } } } } } }"""


async def _habits(conn: Any, user: Any, size: int) -> None:
    for i in range(size):
        habit = await make_habit(conn, user, name=f"Habit {i}")
        await make_habit_completions(conn, habit, user, size)


async def _purchases(conn: Any, user: Any, size: int) -> None:
    await make_purchases(conn, user, size * 5)


async def _workouts(conn: Any, user: Any, size: int) -> None:
    await make_workouts(conn, user, size, size)


async def _lessons(conn: Any, user: Any, size: int) -> None:
    await make_lessons(conn, user, size)


async def _tracks(conn: Any, user: Any, size: int) -> None:
    await make_tracks(conn, user, size, size)


Make = Callable[[Any, Any, int], Awaitable[None]]

# (name, query, data builder, expected statements)
CASES: list[tuple[str, str, Make, int]] = [
    # me, habits page, habits count, completions page
    ("habits with completions", HABITS, _habits, 4),
    # me, purchases page, items by id
    ("purchases with items", PURCHASES, _purchases, 3),
    # me, workouts page, sections, workout exercises, sessions page, sets, and one batch for
    # the exercises of both the workout exercises and the sets (same loader, same depth)
    ("workouts with exercises and sets", WORKOUTS, _workouts, 7),
    # topics page, lessons page, lessons count, progress page
    ("learn topics with lessons and progress", LESSONS, _lessons, 4),
    # me, tracks page, analyses page, manifests by analysis
    ("reference tracks with analyses and manifests", TRACKS, _tracks, 4),
]


@pytest.mark.parametrize(("name", "query", "make", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_statement_count_does_not_grow_with_rows(
    execute: Any, db_conn: Any, name: str, query: str, make: Make, expected: int
) -> None:
    small_user = await make_user(db_conn)
    large_user = await make_user(db_conn)
    await make(db_conn, small_user, 2)
    await make(db_conn, large_user, 12)

    small = await execute(query, viewer=small_user)
    large = await execute(query, viewer=large_user)

    assert not small.errors and not large.errors, small.errors or large.errors
    print(f"{name}: {small.statements} statements (small), {large.statements} (large)")
    assert small.statements == large.statements == expected
    # The compiled path: one statement whatever the shape (plus none for sign-in here).
    assert small.compiled_statements == large.compiled_statements == 1
