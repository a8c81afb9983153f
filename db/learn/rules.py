"""The learn rules that need no database: what a lesson pays and when, how one round of an
ear-training drill changes the user's drill statistics, and the input ranges (Ignition
specification, "Learn Drill Flow"; the lesson and drill columns of the Learn tables).

Pure functions, called by the transitions (:mod:`db.learn.transitions`) and by the demo
generator (``seeds/demo/practice.py``), so both follow one rule.

Lessons: a lesson pays its own ``xp_reward`` XP, ``coin_reward`` coins and
``skill_star_reward`` stars of its ``skill_key`` (column defaults :data:`LESSON_XP`,
:data:`LESSON_COINS`, :data:`LESSON_STARS`; no stars without a skill) on its **first**
completion only, under the ledger key ``lesson.completed:<lesson id>`` (unique per user, so
it cannot be paid twice). A later completion records the quiz score (the best one is kept)
and the attempt, and pays nothing. ``attempts`` counts the user's tries at the lesson
(:func:`lesson_attempts`): opening it (``startLesson``) before it is completed counts one, and
so does a completion that no opening counted (a lesson completed without being opened, or
taken again after its completion).

Drills: one round is ``correct`` right answers out of ``total`` questions in
``duration_seconds``. It pays the drill's ``xp_reward`` XP (column default :data:`DRILL_XP`),
and counts ``total`` units of ``drill_attempts`` (questions answered) for quests and
achievements. The statistics (:func:`drill_round`):

- ``total_attempts`` / ``correct_answers``: questions answered / answered right, over all
  rounds;
- ``best_score``: the best round's score, ``round(100 * correct / total)`` (half up);
- ``average_score``: the accuracy over all questions, ``100 * correct_answers /
  total_attempts``, to one decimal;
- ``current_streak`` / ``best_streak``: consecutive perfect rounds (every question right) up
  to the latest round / the longest such run ever;
- ``total_time_seconds``: the rounds' durations added up;
- ``next_due_at``: spaced repetition from the average: 1 day below 70 %, 3 days below 85 %,
  7 days otherwise, after the latest round.

The counters are ``integer`` columns: a round that would take one past :data:`MAX_COUNTER` is
refused (``InvalidState``, status ``full``) instead of failing in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from db.bounds import IntRange
from db.errors import InvalidInput, InvalidState
from db.learn.models import LessonProgressStatus

#: The lesson reward defaults (the ``learn_lessons`` column defaults): XP, coins, skill stars.
LESSON_XP = 20
LESSON_COINS = 10
LESSON_STARS = 1
#: The XP of one drill round by default (the ``learn_drills.xp_reward`` default).
DRILL_XP = 5

#: A quiz score is a percentage.
MAX_QUIZ_SCORE = 100
#: The most questions one drill round may report.
MAX_ROUND_QUESTIONS = 1000
#: The longest drill round, in seconds (one hour).
MAX_ROUND_SECONDS = 3600
#: The bounds the learn mutations check and state (:mod:`db.bounds`), and the checks below use.
QUIZ_SCORE = IntRange(0, MAX_QUIZ_SCORE)
ROUND_TOTAL = IntRange(1, MAX_ROUND_QUESTIONS)
ROUND_CORRECT = IntRange(0, MAX_ROUND_QUESTIONS)
ROUND_SECONDS = IntRange(0, MAX_ROUND_SECONDS)

#: The largest value of a statistics counter (PostgreSQL ``integer``).
MAX_COUNTER = 2**31 - 1

#: Spaced repetition: (average score below, days until due); otherwise :data:`DUE_DAYS_MASTERED`.
DUE_DAYS: tuple[tuple[float, int], ...] = ((70.0, 1), (85.0, 3))
DUE_DAYS_MASTERED = 7


@dataclass(frozen=True)
class LessonAward:
    """What a lesson completion pays: XP, coins, and stars of ``skill_key`` (None without
    stars)."""

    xp: int
    coins: int
    stars: int
    skill_key: str | None

    @property
    def is_empty(self) -> bool:
        """Whether it pays nothing (no ledger row is posted then)."""
        return not (self.xp or self.coins or self.stars)


def lesson_award(
    *,
    first: bool,
    xp_reward: int,
    coin_reward: int,
    skill_star_reward: int,
    skill_key: str | None,
) -> LessonAward:
    """The reward of completing a lesson with these reward columns: all of them on the first
    completion (``first``), nothing afterwards; stars only when the lesson has a skill."""
    if not first:
        return LessonAward(0, 0, 0, None)
    stars = skill_star_reward if skill_key else 0
    return LessonAward(xp_reward, coin_reward, stars, skill_key if stars else None)


def lesson_ledger_key(lesson_id: object) -> str:
    """The ledger key of a lesson's reward: ``lesson.completed:<lesson id>`` (once per user)."""
    return f"lesson.completed:{lesson_id}"


def lesson_attempts(attempts: int, status: str, *, opening: bool) -> int:
    """The lesson's ``attempts`` after an opening (``opening``) or a completion, from its
    ``attempts`` and ``status`` (a ``LessonProgressStatus`` value) before it: an opening of a
    lesson not completed yet starts a try (+1); a completion ends the try an opening started
    (``in_progress``: +0) or is a try of its own (+1)."""
    if opening:
        return attempts if status == LessonProgressStatus.COMPLETED else attempts + 1
    return attempts if status == LessonProgressStatus.IN_PROGRESS else attempts + 1


def drill_ledger_key(drill_id: object, total_attempts: int) -> str:
    """The ledger key of a drill round's XP: ``drill.completed:<drill id>:<n>``, ``n`` the
    user's ``total_attempts`` on the drill after the round (it grows by at least one question
    each round, so each round of a user has its own key)."""
    return f"drill.completed:{drill_id}:{total_attempts}"


def check_quiz_score(score: int | None) -> None:
    """Refuse a quiz score outside 0-100 (None: no quiz taken).

    Raises:
        InvalidInput: ``field`` ``input.quizScore``.
    """
    if score is not None:
        QUIZ_SCORE.check(score, "input.quizScore")


def check_round(correct: int, total: int, duration_seconds: int) -> None:
    """Refuse a drill round that cannot be: ``total`` outside 1-:data:`MAX_ROUND_QUESTIONS`,
    ``correct`` negative or above ``total``, ``duration_seconds`` outside
    0-:data:`MAX_ROUND_SECONDS`.

    Raises:
        InvalidInput: naming ``input.total``, ``input.correct`` or ``input.durationSeconds``.
    """
    ROUND_TOTAL.check(total, "input.total")
    if not 0 <= correct <= total:
        raise InvalidInput(
            "`correct` is between 0 and `total` (the questions of the round).",
            field="input.correct",
        )
    ROUND_SECONDS.check(duration_seconds, "input.durationSeconds")


def round_score(correct: int, total: int) -> int:
    """A round's score in percent, rounded half up: ``round(100 * correct / total)``."""
    return (200 * correct + total) // (2 * total)


def due_after(average_score: float) -> timedelta:
    """How long after a round the drill is due again, from the average score (see the module
    docstring)."""
    for below, days in DUE_DAYS:
        if average_score < below:
            return timedelta(days=days)
    return timedelta(days=DUE_DAYS_MASTERED)


@dataclass(frozen=True)
class DrillStats:
    """A user's statistics on one drill (the ``user_drill_stats`` columns the rule writes);
    the zero value is the state before the first round."""

    total_attempts: int = 0
    correct_answers: int = 0
    best_score: int | None = None
    average_score: float | None = None
    current_streak: int = 0
    best_streak: int = 0
    total_time_seconds: int = 0
    last_attempt_at: datetime | None = None
    next_due_at: datetime | None = None


def drill_round(
    stats: DrillStats, *, correct: int, total: int, duration_seconds: int, at: datetime
) -> DrillStats:
    """The statistics after one round of ``correct`` out of ``total`` questions, played in
    ``duration_seconds`` and finished at ``at`` (see the module docstring; the round is
    assumed valid: :func:`check_round`).

    Raises:
        InvalidState: a counter would pass :data:`MAX_COUNTER` (``status`` ``full``).
    """
    score = round_score(correct, total)
    attempts = stats.total_attempts + total
    if max(attempts, stats.total_time_seconds + duration_seconds) > MAX_COUNTER:
        raise InvalidState("This drill's statistics cannot count any more rounds.", status="full")
    right = stats.correct_answers + correct
    average = round(100 * right / attempts, 1)
    streak = stats.current_streak + 1 if correct == total else 0
    return DrillStats(
        total_attempts=attempts,
        correct_answers=right,
        best_score=score if stats.best_score is None else max(stats.best_score, score),
        average_score=average,
        current_streak=streak,
        best_streak=max(stats.best_streak, streak),
        total_time_seconds=stats.total_time_seconds + duration_seconds,
        last_attempt_at=at,
        next_due_at=at + due_after(average),
    )


__all__ = [
    "DRILL_XP",
    "DUE_DAYS",
    "DUE_DAYS_MASTERED",
    "LESSON_COINS",
    "LESSON_STARS",
    "LESSON_XP",
    "MAX_COUNTER",
    "MAX_QUIZ_SCORE",
    "MAX_ROUND_QUESTIONS",
    "MAX_ROUND_SECONDS",
    "QUIZ_SCORE",
    "ROUND_CORRECT",
    "ROUND_SECONDS",
    "ROUND_TOTAL",
    "DrillStats",
    "LessonAward",
    "check_quiz_score",
    "check_round",
    "drill_ledger_key",
    "drill_round",
    "due_after",
    "lesson_attempts",
    "lesson_award",
    "lesson_ledger_key",
    "round_score",
]
