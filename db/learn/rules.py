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

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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


# ---- the shapes staff give lessons' quizzes and drills' configs (db/learn/catalog.py) -------

#: The most questions of a lesson's quiz, and options of one question.
MAX_QUIZ_QUESTIONS = 20
MAX_QUIZ_OPTIONS = 8
#: The length of a quiz question and of one option, in characters.
MAX_QUESTION = 500
MAX_OPTION = 200

#: The interval names a drill's ``intervals`` may hold (semitones 1 to 12, in order).
INTERVALS = ("m2", "M2", "m3", "M3", "P4", "TT", "P5", "m6", "M6", "m7", "M7", "P8")
#: The ``direction`` of each drill type that has one.
DIRECTIONS: dict[str, frozenset[str]] = {
    "interval": frozenset({"ascending", "descending", "harmonic"}),
    "scale": frozenset({"ascending", "descending", "ascending_descending"}),
}
#: A chord drill's ``voicing``.
VOICINGS = frozenset({"close", "open"})
#: A note of a ``root_range``: letter, optional sharp or flat, octave (``C3``, ``F#4``).
NOTE = re.compile(r"[A-G][#b]?-?[0-9]")
#: A rhythm pattern's voice: a 16-step grid, ``x`` a hit, ``.`` a rest.
GRID = re.compile(r"[x.]{16}")
#: A rhythm drill's tempo, in beats per minute, and its bars per question.
TEMPO_BPM = IntRange(20, 300)
BARS = IntRange(1, 16)
#: The most names in one list of a drill config (intervals, qualities, scales, patterns).
MAX_CONFIG_ITEMS = 32
#: The length of one name in a drill config (a quality, a scale, an instrument).
MAX_CONFIG_NAME = 50

#: The keys of each drill type's config: (required, optional).
DRILL_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "interval": (
        frozenset({"intervals", "direction", "questions"}),
        frozenset({"root_range", "instrument"}),
    ),
    "chord": (
        frozenset({"qualities", "questions"}),
        frozenset({"inversions", "voicing", "root_range", "instrument"}),
    ),
    "rhythm": (
        frozenset({"tempo_bpm", "time_signature", "questions"}),
        frozenset({"subdivisions", "patterns", "bars"}),
    ),
    "scale": (
        frozenset({"scales", "direction", "questions"}),
        frozenset({"root_range", "instrument"}),
    ),
}


def _name(value: Any, field: str, maximum: int = MAX_CONFIG_NAME) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= maximum:
        raise InvalidInput(f"Give a text of 1 to {maximum} characters.", field=field)
    return value.strip()


def _names(value: Any, field: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    """A non-empty list of distinct names (among ``allowed`` when given)."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_CONFIG_ITEMS:
        raise InvalidInput(f"Give a list of 1 to {MAX_CONFIG_ITEMS} names.", field=field)
    names = [_name(v, f"{field}[{i}]") for i, v in enumerate(value)]
    for i, name in enumerate(names):
        if allowed is not None and name not in allowed:
            raise InvalidInput(f"One of: {', '.join(allowed)}.", field=f"{field}[{i}]")
        if name in names[:i]:
            raise InvalidInput("A name appears twice.", field=f"{field}[{i}]")
    return names


def _whole(value: Any, field: str, bound: IntRange) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("Give a whole number.", field=field)
    bound.check(value, field)
    return value


def shape_quiz(value: Any, field: str) -> list[dict[str, Any]]:
    """A lesson's quiz as staff give it and ``quiz_json`` stores it: a list of at most
    :data:`MAX_QUIZ_QUESTIONS` questions ``{question, options, answer_index}``: ``question`` a
    text, ``options`` 2 to :data:`MAX_QUIZ_OPTIONS` distinct texts, ``answer_index`` the
    position (from 0) of the one correct option (the seeds' shape, ``seeds/learn.py``).

    Returns:
        The quiz, texts stripped.

    Raises:
        InvalidInput: naming the part at fault (``input.quizJson[1].answerIndex``: a list of
            positions, since a question has exactly one correct answer).
    """
    if not isinstance(value, list) or len(value) > MAX_QUIZ_QUESTIONS:
        raise InvalidInput(f"Give a list of at most {MAX_QUIZ_QUESTIONS} questions.", field=field)
    quiz: list[dict[str, Any]] = []
    for n, item in enumerate(value):
        at = f"{field}[{n}]"
        if not isinstance(item, dict) or set(item) != {"question", "options", "answer_index"}:
            raise InvalidInput(
                "A question is an object with `question`, `options` and `answer_index`.", field=at
            )
        question = _name(item["question"], f"{at}.question", MAX_QUESTION)
        options = item["options"]
        if not isinstance(options, list) or not 2 <= len(options) <= MAX_QUIZ_OPTIONS:
            raise InvalidInput(f"Give 2 to {MAX_QUIZ_OPTIONS} options.", field=f"{at}.options")
        texts = [_name(o, f"{at}.options[{i}]", MAX_OPTION) for i, o in enumerate(options)]
        if len(set(texts)) != len(texts):
            raise InvalidInput("Two options are the same.", field=f"{at}.options")
        answer = item["answer_index"]
        if isinstance(answer, list):
            raise InvalidInput(
                "A question has exactly one correct answer: give one position.",
                field=f"{at}.answerIndex",
            )
        _whole(answer, f"{at}.answerIndex", IntRange(0, len(texts) - 1))
        quiz.append({"question": question, "options": texts, "answer_index": answer})
    return quiz


def shape_config(value: Any, field: str) -> dict[str, Any]:
    """A drill's ``config_json``: a JSON object (its keys are checked against the drill type
    by :func:`check_drill_config`).

    Raises:
        InvalidInput: not an object.
    """
    if not isinstance(value, dict):
        raise InvalidInput("Give a JSON object.", field=field)
    return value


def check_drill_config(drill_type: str, config: Any, field: str) -> None:
    """Refuse a drill config that does not fit its ``drill_type`` (the shapes the seeded drills
    have, ``seeds/learn.py``; ``questions`` is the round's length, bounded as a round is,
    :data:`ROUND_TOTAL`):

    - every type: ``questions``; ``root_range`` ``[low, high]`` two notes (``C3``);
      ``instrument`` a name;
    - ``interval``: ``intervals`` names of :data:`INTERVALS`, ``direction`` of
      :data:`DIRECTIONS`;
    - ``chord``: ``qualities`` names, ``inversions`` a boolean, ``voicing`` of
      :data:`VOICINGS`;
    - ``rhythm``: ``tempo_bpm`` (:data:`TEMPO_BPM`), ``time_signature`` (``4/4``), ``bars``
      (:data:`BARS`), and exactly one of ``subdivisions`` (names) and ``patterns`` (objects
      with a ``name`` and 16-step grids of ``x`` and ``.`` per voice);
    - ``scale``: ``scales`` names, ``direction`` of :data:`DIRECTIONS`.

    Raises:
        InvalidInput: naming the key at fault (``input.configJson.intervals[2]``), an unknown
            key or a missing one.
    """
    config = shape_config(config, field)
    required, optional = DRILL_KEYS[drill_type]
    for key in sorted(set(config) - required - optional):
        raise InvalidInput(f"A {drill_type} drill has no `{key}`.", field=f"{field}.{key}")
    for key in sorted(required - set(config)):
        raise InvalidInput(f"A {drill_type} drill needs `{key}`.", field=f"{field}.{key}")
    _whole(config["questions"], f"{field}.questions", ROUND_TOTAL)
    if "instrument" in config:
        _name(config["instrument"], f"{field}.instrument")
    if "root_range" in config:
        notes = config["root_range"]
        if (
            not isinstance(notes, list)
            or len(notes) != 2
            or not all(isinstance(n, str) and NOTE.fullmatch(n) for n in notes)
        ):
            raise InvalidInput("Give two notes, low and high (`C3`).", field=f"{field}.rootRange")
    if drill_type in DIRECTIONS and config["direction"] not in DIRECTIONS[drill_type]:
        allowed = ", ".join(sorted(DIRECTIONS[drill_type]))
        raise InvalidInput(f"One of: {allowed}.", field=f"{field}.direction")
    if drill_type == "interval":
        _names(config["intervals"], f"{field}.intervals", INTERVALS)
    elif drill_type == "chord":
        _names(config["qualities"], f"{field}.qualities")
        if not isinstance(config.get("inversions", False), bool):
            raise InvalidInput("Give true or false.", field=f"{field}.inversions")
        if config.get("voicing", "close") not in VOICINGS:
            raise InvalidInput("One of: close, open.", field=f"{field}.voicing")
    elif drill_type == "scale":
        _names(config["scales"], f"{field}.scales")
    else:
        _check_rhythm(config, field)


def _check_rhythm(config: dict[str, Any], field: str) -> None:
    _whole(config["tempo_bpm"], f"{field}.tempoBpm", TEMPO_BPM)
    signature = config["time_signature"]
    if (
        not isinstance(signature, str)
        or re.fullmatch(r"[1-9][0-9]?/(1|2|4|8|16)", signature) is None
    ):
        raise InvalidInput("Give a time signature (`4/4`).", field=f"{field}.timeSignature")
    if "bars" in config:
        _whole(config["bars"], f"{field}.bars", BARS)
    if ("subdivisions" in config) == ("patterns" in config):
        raise InvalidInput(
            "Give exactly one of `subdivisions` and `patterns`.", field=f"{field}.subdivisions"
        )
    if "subdivisions" in config:
        _names(config["subdivisions"], f"{field}.subdivisions")
        return
    patterns = config["patterns"]
    if not isinstance(patterns, list) or not 1 <= len(patterns) <= MAX_CONFIG_ITEMS:
        raise InvalidInput(f"Give 1 to {MAX_CONFIG_ITEMS} patterns.", field=f"{field}.patterns")
    for i, pattern in enumerate(patterns):
        at = f"{field}.patterns[{i}]"
        if not isinstance(pattern, dict) or "name" not in pattern or len(pattern) < 2:
            raise InvalidInput("A pattern has a `name` and one grid per voice.", field=at)
        _name(pattern["name"], f"{at}.name")
        for voice, grid in pattern.items():
            if voice != "name" and not (isinstance(grid, str) and GRID.fullmatch(grid)):
                raise InvalidInput(
                    "A voice is a 16-step grid of `x` (hit) and `.` (rest).", field=f"{at}.{voice}"
                )


__all__ = [
    "BARS",
    "DIRECTIONS",
    "DRILL_KEYS",
    "DRILL_XP",
    "DUE_DAYS",
    "DUE_DAYS_MASTERED",
    "INTERVALS",
    "LESSON_COINS",
    "LESSON_STARS",
    "LESSON_XP",
    "MAX_COUNTER",
    "MAX_QUIZ_OPTIONS",
    "MAX_QUIZ_QUESTIONS",
    "MAX_QUIZ_SCORE",
    "MAX_ROUND_QUESTIONS",
    "MAX_ROUND_SECONDS",
    "QUIZ_SCORE",
    "ROUND_CORRECT",
    "ROUND_SECONDS",
    "ROUND_TOTAL",
    "TEMPO_BPM",
    "VOICINGS",
    "DrillStats",
    "LessonAward",
    "check_drill_config",
    "check_quiz_score",
    "check_round",
    "drill_ledger_key",
    "drill_round",
    "due_after",
    "lesson_attempts",
    "lesson_award",
    "lesson_ledger_key",
    "round_score",
    "shape_config",
    "shape_quiz",
]
