"""The learn rules as pure functions: the lesson reward, the drill round arithmetic, the
spaced-repetition interval and the input ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from db.errors import InvalidInput, InvalidState
from db.learn.rules import (
    MAX_COUNTER,
    DrillStats,
    LessonAward,
    check_quiz_score,
    check_round,
    drill_round,
    due_after,
    lesson_attempts,
    lesson_award,
    round_score,
)

AT = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)


def test_a_lesson_pays_on_the_first_completion_only() -> None:
    columns: dict[str, Any] = {
        "xp_reward": 20,
        "coin_reward": 10,
        "skill_star_reward": 1,
        "skill_key": "knowledge",
    }
    assert lesson_award(first=True, **columns) == LessonAward(20, 10, 1, "knowledge")
    later = lesson_award(first=False, **columns)
    assert later == LessonAward(0, 0, 0, None) and later.is_empty
    no_skill = lesson_award(first=True, **{**columns, "skill_key": None})
    assert no_skill == LessonAward(20, 10, 0, None)
    no_stars = lesson_award(first=True, **{**columns, "skill_star_reward": 0})
    assert no_stars == LessonAward(20, 10, 0, None)


def test_lesson_attempts_count_tries() -> None:
    # Opened twice, then completed: two tries; a retake of a completed lesson is one more.
    attempts = lesson_attempts(0, "not_started", opening=True)
    attempts = lesson_attempts(attempts, "in_progress", opening=True)
    attempts = lesson_attempts(attempts, "in_progress", opening=False)
    assert attempts == 2
    assert lesson_attempts(attempts, "completed", opening=True) == 2
    assert lesson_attempts(attempts, "completed", opening=False) == 3
    # Completed without being opened: one try.
    assert lesson_attempts(0, "not_started", opening=False) == 1


def test_round_scores_round_half_up() -> None:
    assert [round_score(c, 8) for c in (0, 1, 4, 7, 8)] == [0, 13, 50, 88, 100]
    assert round_score(1, 6) == 17 and round_score(1, 200) == 1  # 0.5 % rounds up


def test_drill_rounds_accumulate() -> None:
    stats = drill_round(DrillStats(), correct=5, total=5, duration_seconds=30, at=AT)
    assert stats == DrillStats(5, 5, 100, 100.0, 1, 1, 30, AT, AT + timedelta(days=7))
    later = AT + timedelta(hours=1)
    stats = drill_round(stats, correct=5, total=5, duration_seconds=20, at=later)
    assert (stats.current_streak, stats.best_streak) == (2, 2)
    stats = drill_round(stats, correct=2, total=10, duration_seconds=40, at=later)
    assert stats.total_attempts == 20 and stats.correct_answers == 12
    assert (stats.best_score, stats.average_score) == (100, 60.0)
    assert (stats.current_streak, stats.best_streak, stats.total_time_seconds) == (0, 2, 90)
    assert stats.next_due_at == later + timedelta(days=1)


def test_counters_stop_at_the_int4_maximum() -> None:
    nearly = DrillStats(total_attempts=MAX_COUNTER - 10, total_time_seconds=MAX_COUNTER - 60)
    assert drill_round(nearly, correct=1, total=10, duration_seconds=60, at=AT).total_attempts == (
        MAX_COUNTER
    )
    for total, seconds in ((11, 0), (1, 61)):
        with pytest.raises(InvalidState) as refused:
            drill_round(nearly, correct=0, total=total, duration_seconds=seconds, at=AT)
        assert refused.value.status == "full"


def test_spaced_repetition_intervals() -> None:
    assert due_after(69.9) == timedelta(days=1)
    assert due_after(70.0) == due_after(84.9) == timedelta(days=3)
    assert due_after(85.0) == due_after(100.0) == timedelta(days=7)


@pytest.mark.parametrize(
    ("correct", "total", "seconds", "field"),
    [
        (6, 5, 10, "input.correct"),
        (-1, 5, 10, "input.correct"),
        (0, 0, 10, "input.total"),
        (0, 1001, 10, "input.total"),
        (1, 1, -1, "input.durationSeconds"),
        (1, 1, 3601, "input.durationSeconds"),
    ],
)
def test_impossible_rounds_are_invalid(correct: int, total: int, seconds: int, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_round(correct, total, seconds)
    assert refused.value.field == field


def test_round_and_score_limits_are_inclusive() -> None:
    check_round(0, 1, 0)
    check_round(1000, 1000, 3600)
    for score in (None, 0, 100):
        check_quiz_score(score)
    for score in (-1, 101):
        with pytest.raises(InvalidInput):
            check_quiz_score(score)
