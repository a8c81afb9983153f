"""Learn transitions: start and complete a lesson, record a round of an ear-training drill
(Ignition specification, "Learn Drill Flow"; the rules are :mod:`db.learn.rules`).

- :func:`start_lesson` opens the user's progress row on a lesson (``in_progress``, with
  ``started_at``, one more attempt); a completed lesson stays completed.
- :func:`complete_lesson` records the quiz score (the best is kept) and the attempt, and on
  the first completion only: ``completed``, the lesson's reward through the ledger (event
  ``lesson.completed``, key ``lesson.completed:<lesson id>``), one ``lessons_completed``
  quest unit and the ``lessons_completed`` achievements.
- :func:`record_drill_attempt` upserts ``user_drill_stats`` with
  :func:`~db.learn.rules.drill_round`, pays the drill's XP (event ``drill.completed``, key
  ``drill.completed:<drill id>:<total attempts>``) and counts ``total`` units of
  ``drill_attempts`` for quests and achievements.

Both completions append an activity event (category ``learn``), count the day for the
``daily_activity`` streak and evaluate the achievements in the same transaction. The ledger
publishes the ``wallet.changed``, ``level.up`` and ``skill.level.up`` events.

Lock order (:mod:`db.gamification.ledger`): the user's progress or stats row, then the quest
progress rows, then the ledger, then the streaks. Concurrent completions of one lesson (or
rounds of one drill) by one user wait for each other on that row, so the first completion is
paid exactly once and every round is added.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.errors import NotFound
from db.gamification.achievements import AWARD_TRIGGERS, Unlocked, evaluate_achievements
from db.gamification.ledger import Posting, post
from db.gamification.models import AchievementTriggerType
from db.gamification.streaks import DAILY_ACTIVITY, touch_streak
from db.learn.models import LessonProgressStatus
from db.learn.rules import (
    DrillStats,
    LessonAward,
    check_quiz_score,
    check_round,
    drill_ledger_key,
    drill_round,
    lesson_attempts,
    lesson_award,
    lesson_ledger_key,
    round_score,
)
from db.quests.models import QuestTargetType
from db.quests.progress import advance_quests

_lessons = metadata.tables["learn_lessons"]
_drills = metadata.tables["learn_drills"]
_lesson_progress = metadata.tables["user_lesson_progress"]
_drill_stats = metadata.tables["user_drill_stats"]
_wallets = metadata.tables["user_wallet"]
_progress = metadata.tables["user_progress"]

_STATS_COLUMNS = (
    "total_attempts",
    "correct_answers",
    "best_score",
    "average_score",
    "current_streak",
    "best_streak",
    "total_time_seconds",
    "last_attempt_at",
    "next_due_at",
)


async def _now(conn: AsyncConnection) -> datetime:
    """The transaction's clock (``now()``), as an aware UTC datetime."""
    value: datetime = (await conn.execute(sa.select(sa.func.now()))).scalar_one()
    return value.astimezone(UTC)


async def _catalog_row(
    conn: AsyncConnection, table: sa.Table, row_id: uuid.UUID, resource: str, what: str
) -> Any:
    """A lesson or drill of the catalog.

    Raises:
        NotFound: no such row (``resource`` ``LearnLesson`` / ``LearnDrill``).
    """
    row = (await conn.execute(sa.select(table).where(table.c.id == row_id))).one_or_none()
    if row is None:
        raise NotFound(f"There is no such {what}.", resource=resource)
    return row


async def _locked_row(
    conn: AsyncConnection, table: sa.Table, user_id: uuid.UUID, column: str, row_id: uuid.UUID
) -> Any:
    """The user's row of ``table`` for that lesson or drill, created when missing (with the
    column defaults) and locked ``FOR UPDATE``."""
    key = {"user_id": user_id, column: row_id}
    await conn.execute(
        insert(table).values(**key).on_conflict_do_nothing(index_elements=["user_id", column])
    )
    return (
        await conn.execute(
            sa.select(table)
            .where(table.c.user_id == user_id, table.c[column] == row_id)
            .with_for_update()
        )
    ).one()


async def _owned_ids(conn: AsyncConnection, user_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """``(user_wallet.id, user_progress.id)`` of the user."""
    row = (
        await conn.execute(
            sa.select(_wallets.c.id, _progress.c.id)
            .join(_progress, _progress.c.user_id == _wallets.c.user_id)
            .where(_wallets.c.user_id == user_id)
        )
    ).one()
    return row[0], row[1]


async def start_lesson(
    conn: AsyncConnection, user_id: uuid.UUID, lesson_id: uuid.UUID
) -> uuid.UUID:
    """Open a lesson: the user's progress row becomes ``in_progress`` with ``started_at`` now
    (kept when it was set already) and counts one more attempt
    (:func:`~db.learn.rules.lesson_attempts`); a completed lesson stays ``completed`` (opening
    it again to review or retake it changes nothing: its completion counts the attempt).

    Returns:
        The ``user_lesson_progress`` row's id.

    Raises:
        NotFound: no such lesson (``resource`` ``LearnLesson``).
    """
    lesson = await _catalog_row(conn, _lessons, lesson_id, "LearnLesson", "lesson")
    row = await _locked_row(conn, _lesson_progress, user_id, "lesson_id", lesson_id)
    if row.status != LessonProgressStatus.COMPLETED:
        await conn.execute(
            sa.update(_lesson_progress)
            .where(_lesson_progress.c.id == row.id)
            .values(
                status=LessonProgressStatus.IN_PROGRESS.value,
                attempts=lesson_attempts(row.attempts, str(row.status), opening=True),
                started_at=sa.func.coalesce(_lesson_progress.c.started_at, sa.func.now()),
            )
        )
        if row.started_at is None:
            await record_activity(
                conn,
                user_id,
                "lesson.started",
                "learn",
                {"lesson_id": str(lesson_id), "lesson_key": lesson.key, "title": lesson.title},
            )
    return uuid.UUID(str(row.id))


@dataclass(frozen=True)
class LessonCompletion:
    """What :func:`complete_lesson` did.

    Attributes:
        progress_id: the ``user_lesson_progress`` row.
        lesson_id: the lesson.
        first: whether this was the first completion (the one that pays).
        award: what it paid (empty after the first completion).
        posting: the ledger posting, None when nothing was paid.
        unlocked: the achievements it unlocked.
        wallet_id: the user's ``user_wallet`` row.
        user_progress_id: the user's ``user_progress`` row.
    """

    progress_id: uuid.UUID
    lesson_id: uuid.UUID
    first: bool
    award: LessonAward
    posting: Posting | None
    unlocked: list[Unlocked]
    wallet_id: uuid.UUID
    user_progress_id: uuid.UUID


async def complete_lesson(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    lesson_id: uuid.UUID,
    quiz_score: int | None = None,
) -> LessonCompletion:
    """Complete a lesson, with the quiz score in percent (None: no quiz taken).

    Every completion keeps the best quiz score and counts its attempt unless an opening
    counted it (:func:`~db.learn.rules.lesson_attempts`).
    The first one also sets ``completed`` and ``completed_at`` (and ``started_at`` when the
    lesson was never started), advances the ``lessons_completed`` quests by one (filters see
    ``difficulty``, ``skill_key`` and ``quiz_score``), pays
    :func:`~db.learn.rules.lesson_award` through the ledger (key
    :func:`~db.learn.rules.lesson_ledger_key`), counts the day for the ``daily_activity``
    streak and evaluates the ``lessons_completed``, ``streak_days``, level and coins
    achievements. A later completion pays nothing.

    Raises:
        InvalidInput: a quiz score outside 0-100 (``field`` ``input.quizScore``), before any
            SQL.
        NotFound: no such lesson (``resource`` ``LearnLesson``).
    """
    check_quiz_score(quiz_score)
    lesson = await _catalog_row(conn, _lessons, lesson_id, "LearnLesson", "lesson")
    row = await _locked_row(conn, _lesson_progress, user_id, "lesson_id", lesson_id)
    first = row.status != LessonProgressStatus.COMPLETED
    now = await _now(conn)
    values: dict[str, Any] = {
        "attempts": lesson_attempts(row.attempts, str(row.status), opening=False)
    }
    if quiz_score is not None:
        values["quiz_score"] = max(quiz_score, row.quiz_score or 0)
    if first:
        values.update(
            status=LessonProgressStatus.COMPLETED.value,
            completed_at=now,
            started_at=row.started_at or now,
        )
    await conn.execute(
        sa.update(_lesson_progress).where(_lesson_progress.c.id == row.id).values(**values)
    )
    award = lesson_award(
        first=first,
        xp_reward=lesson.xp_reward,
        coin_reward=lesson.coin_reward,
        skill_star_reward=lesson.skill_star_reward,
        skill_key=lesson.skill_key,
    )
    posting = None
    unlocked: list[Unlocked] = []
    if first:
        await advance_quests(
            conn,
            user_id,
            target_type=QuestTargetType.LESSONS_COMPLETED,
            amount=1,
            attributes={
                "difficulty": str(lesson.difficulty),
                "skill_key": lesson.skill_key,
                "quiz_score": quiz_score,
            },
            now=now,
        )
        if not award.is_empty:
            posting = await post(
                conn,
                user_id,
                event_type="lesson.completed",
                event_id=str(lesson_id),
                coins=award.coins,
                xp=award.xp,
                stars=award.stars,
                skill_key=award.skill_key,
                reason=f"Lesson: {lesson.title}",
                idempotency_key=lesson_ledger_key(lesson_id),
            )
        await touch_streak(conn, user_id, DAILY_ACTIVITY, now.date())
    await record_activity(
        conn,
        user_id,
        "lesson.completed",
        "learn",
        {
            "lesson_id": str(lesson_id),
            "lesson_key": lesson.key,
            "title": lesson.title,
            "quiz_score": quiz_score,
            "first": first,
        },
        xp=award.xp,
        coins=award.coins,
    )
    if first:
        unlocked = await evaluate_achievements(
            conn,
            user_id,
            [
                AchievementTriggerType.LESSONS_COMPLETED,
                AchievementTriggerType.STREAK_DAYS,
                *(AWARD_TRIGGERS if posting is not None else ()),
            ],
        )
    wallet_id, user_progress_id = await _owned_ids(conn, user_id)
    return LessonCompletion(
        progress_id=uuid.UUID(str(row.id)),
        lesson_id=lesson_id,
        first=first,
        award=award,
        posting=posting,
        unlocked=unlocked,
        wallet_id=wallet_id,
        user_progress_id=user_progress_id,
    )


@dataclass(frozen=True)
class DrillAttempt:
    """What :func:`record_drill_attempt` did.

    Attributes:
        stats_id: the ``user_drill_stats`` row.
        drill_id: the drill.
        stats: the statistics after the round.
        score: the round's score, in percent.
        xp: the XP paid (the drill's ``xp_reward``).
        posting: the ledger posting, None when the drill pays no XP.
        unlocked: the achievements it unlocked.
        wallet_id: the user's ``user_wallet`` row.
        user_progress_id: the user's ``user_progress`` row.
    """

    stats_id: uuid.UUID
    drill_id: uuid.UUID
    stats: DrillStats
    score: int
    xp: int
    posting: Posting | None
    unlocked: list[Unlocked]
    wallet_id: uuid.UUID
    user_progress_id: uuid.UUID


async def record_drill_attempt(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    drill_id: uuid.UUID,
    *,
    correct: int,
    total: int,
    duration_seconds: int,
) -> DrillAttempt:
    """Record one round of a drill: ``correct`` right answers out of ``total`` questions, in
    ``duration_seconds`` seconds.

    Upserts the user's ``user_drill_stats`` row with :func:`~db.learn.rules.drill_round`,
    advances the ``drill_attempts`` quests by ``total`` (filters see ``drill_type``,
    ``difficulty``, ``score`` and ``questions``), pays the drill's ``xp_reward`` XP through
    the ledger (key :func:`~db.learn.rules.drill_ledger_key`; nothing is posted for 0 XP),
    counts the day for the ``daily_activity`` streak and evaluates the ``drill_attempts``,
    ``streak_days``, level and coins achievements.

    Raises:
        InvalidInput: a round :func:`~db.learn.rules.check_round` refuses (``field``
            ``input.total``, ``input.correct`` or ``input.durationSeconds``), before any SQL.
        NotFound: no such drill (``resource`` ``LearnDrill``).
        InvalidState: the statistics are full (``status`` ``full``: a counter would pass
            :data:`~db.learn.rules.MAX_COUNTER`); nothing changes.
    """
    check_round(correct, total, duration_seconds)
    drill = await _catalog_row(conn, _drills, drill_id, "LearnDrill", "drill")
    row = await _locked_row(conn, _drill_stats, user_id, "drill_id", drill_id)
    now = await _now(conn)
    before = DrillStats(**{c: getattr(row, c) for c in _STATS_COLUMNS})
    after = drill_round(
        before, correct=correct, total=total, duration_seconds=duration_seconds, at=now
    )
    await conn.execute(
        sa.update(_drill_stats)
        .where(_drill_stats.c.id == row.id)
        .values(**{c: getattr(after, c) for c in _STATS_COLUMNS})
    )
    score = round_score(correct, total)
    await advance_quests(
        conn,
        user_id,
        target_type=QuestTargetType.DRILL_ATTEMPTS,
        amount=total,
        attributes={
            "drill_type": str(drill.drill_type),
            "difficulty": str(drill.difficulty),
            "score": score,
            "questions": total,
        },
        now=now,
    )
    posting = None
    if drill.xp_reward:
        posting = await post(
            conn,
            user_id,
            event_type="drill.completed",
            event_id=str(drill_id),
            xp=drill.xp_reward,
            reason=f"Drill: {drill.title}",
            idempotency_key=drill_ledger_key(drill_id, after.total_attempts),
        )
    await touch_streak(conn, user_id, DAILY_ACTIVITY, now.date())
    await record_activity(
        conn,
        user_id,
        "drill.completed",
        "learn",
        {
            "drill_id": str(drill_id),
            "drill_key": drill.key,
            "title": drill.title,
            "correct": correct,
            "total": total,
            "score": score,
            "duration_seconds": duration_seconds,
        },
        xp=drill.xp_reward,
    )
    unlocked = await evaluate_achievements(
        conn,
        user_id,
        [
            AchievementTriggerType.DRILL_ATTEMPTS,
            AchievementTriggerType.STREAK_DAYS,
            *(AWARD_TRIGGERS if posting is not None else ()),
        ],
    )
    wallet_id, user_progress_id = await _owned_ids(conn, user_id)
    return DrillAttempt(
        stats_id=uuid.UUID(str(row.id)),
        drill_id=drill_id,
        stats=after,
        score=score,
        xp=drill.xp_reward,
        posting=posting,
        unlocked=unlocked,
        wallet_id=wallet_id,
        user_progress_id=user_progress_id,
    )


__all__ = [
    "DrillAttempt",
    "LessonCompletion",
    "complete_lesson",
    "record_drill_attempt",
    "start_lesson",
]
