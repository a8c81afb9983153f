"""The learn transitions under concurrency, end to end: ``ignition serve`` as a real
subprocess and many concurrent HTTP clients (the harness of tests/e2e/test_economy_concurrency.py).

- 20 concurrent ``completeLesson`` calls of one user (distinct idempotency keys) pay the
  lesson once: one first completion, one ledger row, every attempt counted.
- 50 concurrent ``recordDrillAttempt`` calls of one user on one drill (distinct keys) add
  every round: ``total_attempts`` is the sum of their ``total``, one ledger row each.

Run with ``-s`` to see the figures (answers by type, wall time).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e.test_economy_concurrency import outcomes, post_all, report, server, signed_in_user
from tests.support.harness import invariant_violations
from tests.support.money import scalar

__all__ = ["server"]

pytestmark = pytest.mark.e2e

COMPLETE = """
mutation($input: CompleteLessonInput!) {
  completeLesson(input: $input) {
    __typename
    ... on CompleteLessonSuccess { firstCompletion ledgerEntry { id } progress { attempts } }
    ... on DomainError { code }
  }
}
"""
DRILL = """
mutation($input: RecordDrillAttemptInput!) {
  recordDrillAttempt(input: $input) {
    __typename
    ... on RecordDrillAttemptSuccess { ledgerEntry { id } stats { totalAttempts } }
    ... on DomainError { code }
  }
}
"""


async def test_20_concurrent_lesson_completions_pay_once(server: str, engine: AsyncEngine) -> None:
    user_id, token = await signed_in_user(engine)
    lesson = str(await scalar(engine, "SELECT id FROM learn_lessons ORDER BY key LIMIT 1"))
    calls = [
        (
            token,
            COMPLETE,
            {"input": {"lessonId": lesson, "quizScore": 50 + i, "idempotencyKey": f"done-{i}"}},
        )
        for i in range(20)
    ]
    responses, seconds = await post_all(server, calls)
    kinds, payloads = outcomes(responses, "completeLesson")
    report("20 concurrent lesson completions", kinds, seconds)
    assert all(r.status_code == 200 for r in responses)
    assert kinds == {"CompleteLessonSuccess": 20}
    assert sum(p["firstCompletion"] for p in payloads) == 1
    assert len({p["ledgerEntry"]["id"] for p in payloads if p["ledgerEntry"]}) == 1
    progress = (
        await scalar(
            engine,
            "SELECT status || ' ' || attempts || ' ' || quiz_score FROM user_lesson_progress "
            "WHERE user_id = :u",
            u=user_id,
        )
    ).split()
    assert progress == ["completed", "20", "69"]
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM points_ledger WHERE user_id = :u "
            "AND event_type = 'lesson.completed'",
            u=user_id,
        )
        == 1
    )
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM user_achievements WHERE user_id = :u "
            "AND achievement_key = 'first_lesson'",
            u=user_id,
        )
        == 1
    )
    async with engine.connect() as conn:
        assert await invariant_violations(conn, [user_id]) == []


async def test_50_concurrent_drill_rounds_add_up(server: str, engine: AsyncEngine) -> None:
    user_id, token = await signed_in_user(engine)
    drill = str(await scalar(engine, "SELECT id FROM learn_drills ORDER BY key LIMIT 1"))
    rounds = [(i % 7, 7 + i % 5) for i in range(50)]  # (correct, total)
    calls = [
        (
            token,
            DRILL,
            {
                "input": {
                    "drillId": drill,
                    "correct": correct,
                    "total": total,
                    "durationSeconds": 30,
                    "idempotencyKey": f"round-{i}",
                }
            },
        )
        for i, (correct, total) in enumerate(rounds)
    ]
    responses, seconds = await post_all(server, calls)
    kinds, payloads = outcomes(responses, "recordDrillAttempt")
    report("50 concurrent drill rounds", kinds, seconds)
    assert all(r.status_code == 200 for r in responses)
    assert kinds == {"RecordDrillAttemptSuccess": 50}
    expected_total = sum(total for _, total in rounds)
    # A payload shows the row as it is after its commit (later rounds may be in it already).
    assert max(p["stats"]["totalAttempts"] for p in payloads) == expected_total
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text(
                    "SELECT total_attempts, correct_answers, total_time_seconds "
                    "FROM user_drill_stats WHERE user_id = :u"
                ),
                {"u": user_id},
            )
        ).one()
        assert tuple(row) == (expected_total, sum(c for c, _ in rounds), 50 * 30)
        ledger_rows = (
            await conn.execute(
                sa.text(
                    "SELECT count(DISTINCT idempotency_key) FROM points_ledger "
                    "WHERE user_id = :u AND event_type = 'drill.completed'"
                ),
                {"u": user_id},
            )
        ).scalar_one()
        assert ledger_rows == 50
        assert await invariant_violations(conn, [user_id]) == []
    print(f"total_attempts = {expected_total} (the sum of the 50 rounds' totals)")
