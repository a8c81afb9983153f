"""The quest rules that need no database: periods and their resets, ``target_config``
filters, progress steps, rewards and repeat streaks (docs/design.md#quests).

Pure functions, called by the transitions (:mod:`db.quests.progress`,
:mod:`db.quests.transitions`) and by the demo generator's replay (``seeds/demo/rewards.py``),
so both follow one rule.

Periods, in the user's timezone (``zone``, UTC by default; the day boundary of
:mod:`db.settings`): a ``daily`` quest's period is the local calendar day, a
``weekly`` quest's the ISO week (Monday 00:00 to the next Monday), a ``monthly`` quest's the
calendar month (the 1st 00:00 to the 1st of the next month), a ``special`` quest has one
period that never ends. Period starts are stored as instants (``last_reset_at``).
Resets are lazy: ``user_quest_progress.last_reset_at`` holds the start of the period the row's
progress belongs to; when the row is next touched in a later period (progress from activity,
a claim, an accept), it starts again from ``accepted`` with progress 0, whatever it was. An
unclaimed completion of an earlier period is forfeited, as the quest's period is over.
``times_completed`` counts every completion across periods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from db.quests.models import (
    QuestDifficulty,
    QuestProgressStatus,
    QuestTargetType,
    QuestType,
    RepeatFrequency,
)
from db.settings import day_bounds, local_date, week_start


def period_start(
    quest_type: str, moment: datetime, zone: str = "UTC", week_starts_on: str = "monday"
) -> datetime | None:
    """The start (an instant, in UTC) of the period of a ``quest_type`` quest that contains
    ``moment``, in the IANA zone ``zone``: local midnight of the day for daily quests, of the
    first day of the week (the user's ``week_starts_on``: ``monday``, ``saturday`` or
    ``sunday``, :func:`db.settings.week_start`) for weekly ones, of the 1st of the month for
    monthly ones; None for a special quest (it never resets)."""
    day = local_date(zone, moment)
    if quest_type == QuestType.DAILY:
        first = day
    elif quest_type == QuestType.WEEKLY:
        first = week_start(day, week_starts_on)
    elif quest_type == QuestType.MONTHLY:
        first = day.replace(day=1)
    else:
        return None
    return day_bounds(zone, first)[0]


def period_end(quest_type: str, start: datetime) -> datetime | None:
    """The end (exclusive) of the period starting at ``start``, a UTC instant (24 hours or 7
    days later; across a DST change the local period is an hour longer or shorter, which this
    estimate ignores); None for a special quest."""
    if quest_type == QuestType.DAILY:
        return start + timedelta(days=1)
    if quest_type == QuestType.WEEKLY:
        return start + timedelta(days=7)
    if quest_type == QuestType.MONTHLY:
        return (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    return None


def needs_reset(
    quest_type: str,
    last_reset_at: datetime | None,
    now: datetime,
    zone: str = "UTC",
    week_starts_on: str = "monday",
) -> bool:
    """Whether a progress row whose period started at ``last_reset_at`` belongs to an earlier
    period than ``now``'s in ``zone`` with weeks starting on ``week_starts_on`` (never for a
    special quest)."""
    start = period_start(quest_type, now, zone, week_starts_on)
    return start is not None and (last_reset_at is None or last_reset_at < start)


def accepts(target_config: Mapping[str, Any] | None, attributes: Mapping[str, Any]) -> bool:
    """Whether an activity with ``attributes`` counts toward a quest with ``target_config``.

    Each key of the config is a filter: ``min_<name>`` needs ``attributes[name] >=`` its value
    (``min_minutes: 25``: a session of at least 25 minutes), any other key needs
    ``attributes[key] ==`` its value (``mode: "focus"``). An empty config accepts everything;
    a filter on an attribute the activity does not have refuses it.
    """
    for key, wanted in (target_config or {}).items():
        if key.startswith("min_"):
            value = attributes.get(key[4:])
            if not isinstance(value, int | float) or value < wanted:
                return False
        elif attributes.get(key) != wanted:
            return False
    return True


#: What the transitions count, by target type: the attributes each one passes to
#: :func:`db.quests.progress.advance_quests` with its activity, and whether each is a number
#: (``NUMBER``: a ``min_<name>`` filter applies) or a text (``TEXT``: an equality filter).
#: :func:`~db.quests.progress.advance_quests` refuses a target type or an attribute missing
#: here, so this table is what the code counts; ``manual`` is absent: nothing advances it.
NUMBER = "number"
TEXT = "text"
COUNTED: dict[str, dict[str, str]] = {
    QuestTargetType.FOCUS_SESSIONS_COMPLETED.value: {"mode": TEXT, "minutes": NUMBER},
    QuestTargetType.FOCUS_MINUTES.value: {"mode": TEXT, "minutes": NUMBER},
    QuestTargetType.HABIT_COMPLETIONS.value: {"frequency": TEXT},
    QuestTargetType.MILESTONES_COMPLETED.value: {"category": TEXT},
    QuestTargetType.PLAN_ITEMS_COMPLETED.value: {"kind": TEXT},
    QuestTargetType.LESSONS_COMPLETED.value: {
        "difficulty": TEXT,
        "skill_key": TEXT,
        "quiz_score": NUMBER,
    },
    QuestTargetType.DRILL_ATTEMPTS.value: {
        "drill_type": TEXT,
        "difficulty": TEXT,
        "score": NUMBER,
        "questions": NUMBER,
    },
    QuestTargetType.WORKOUTS_COMPLETED.value: {"sets": NUMBER, "minutes": NUMBER},
    QuestTargetType.PAGES_READ.value: {"pages": NUMBER, "minutes": NUMBER},
}

#: Most filters in one ``target_config``; longest text a filter compares.
MAX_FILTERS = 10
MAX_FILTER_TEXT = 100


def check_counted(target_type: str, attributes: Mapping[str, Any]) -> None:
    """Refuse an activity :data:`COUNTED` does not describe (a programming error of a
    transition, not a client's).

    Raises:
        ValueError: ``target_type`` is counted by nothing, or an attribute is not declared
            for it or has the wrong kind.
    """
    declared = COUNTED.get(str(target_type))
    if declared is None:
        raise ValueError(f"quest target type {target_type} is not in COUNTED")
    for name, value in attributes.items():
        kind = declared.get(name)
        if kind is None:
            raise ValueError(f"{target_type}: attribute {name} is not in COUNTED")
        if value is not None and (kind == NUMBER) != _is_number(value):
            raise ValueError(f"{target_type}: attribute {name} is not a {kind}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def target_config_problem(target_type: str, config: Any) -> str | None:
    """What is wrong with ``config`` as the ``target_config`` of a quest of ``target_type``
    (a message), or None when :func:`accepts` can apply it to what the transitions count: a
    JSON object of at most :data:`MAX_FILTERS` filters, each ``min_<number attribute>`` with
    a number at least 0, or ``<text attribute>`` with a text of 1 to :data:`MAX_FILTER_TEXT`
    characters, the attributes those of :data:`COUNTED` for the target type."""
    declared = COUNTED.get(str(target_type))
    if declared is None:
        return f"Nothing counts target type {target_type}."
    if not isinstance(config, dict):
        return "Give a JSON object of filters."
    if len(config) > MAX_FILTERS:
        return f"Give at most {MAX_FILTERS} filters."
    for key, value in config.items():
        name = key[4:] if key.startswith("min_") else key
        kind = declared.get(name)
        allowed = ", ".join(f"min_{a}" if k == NUMBER else a for a, k in sorted(declared.items()))
        if kind is None or (kind == NUMBER) != key.startswith("min_"):
            return f"`{key}` filters nothing {target_type} counts; allowed: {allowed}."
        if kind == NUMBER and (not _is_number(value) or value < 0):
            return f"`{key}` takes a number of at least 0."
        if kind == TEXT and not (isinstance(value, str) and 1 <= len(value) <= MAX_FILTER_TEXT):
            return f"`{key}` takes a text of 1 to {MAX_FILTER_TEXT} characters."
    return None


@dataclass(frozen=True)
class ProgressState:
    """A user's state on one universal quest (the columns of ``user_quest_progress`` the
    rules change)."""

    status: str
    progress: int
    last_reset_at: datetime | None
    times_completed: int = 0
    completed_at: datetime | None = None
    claimed_at: datetime | None = None


def current_state(
    state: ProgressState,
    quest_type: str,
    now: datetime,
    zone: str = "UTC",
    week_starts_on: str = "monday",
) -> ProgressState:
    """``state`` as of ``now``: reset to a fresh ``accepted`` row with progress 0 when its
    period (in ``zone``, weeks starting on ``week_starts_on``) is over (an ``abandoned`` row
    stays as it is)."""
    if state.status == QuestProgressStatus.ABANDONED or not needs_reset(
        quest_type, state.last_reset_at, now, zone, week_starts_on
    ):
        return state
    return replace(
        state,
        status=QuestProgressStatus.ACCEPTED.value,
        progress=0,
        last_reset_at=period_start(quest_type, now, zone, week_starts_on),
        completed_at=None,
        claimed_at=None,
    )


def advance(
    state: ProgressState,
    quest_type: str,
    target: int,
    amount: int,
    now: datetime,
    at: datetime | None = None,
    zone: str = "UTC",
    week_starts_on: str = "monday",
) -> ProgressState:
    """``state`` after ``amount`` units of counted activity, at ``now``.

    The row is reset first when its period is over. Activity that belongs to another period
    than ``now``'s in ``zone`` (weeks starting on ``week_starts_on``; ``at``: a habit
    completion dated yesterday) does not count. Only an ``accepted`` row moves; progress stops
    at ``target``, and reaching it completes the quest (``completed_at = now``,
    ``times_completed + 1``). A negative ``amount`` (activity taken
    back) lowers the progress of an ``accepted`` row, never below 0; a completion stays.
    """
    state = current_state(state, quest_type, now, zone, week_starts_on)
    if state.status != QuestProgressStatus.ACCEPTED or amount == 0:
        return state
    if at is not None and period_start(quest_type, at, zone, week_starts_on) != period_start(
        quest_type, now, zone, week_starts_on
    ):
        return state
    progress = max(0, min(target, state.progress + amount))
    if progress < target:
        return replace(state, progress=progress)
    return replace(
        state,
        progress=progress,
        status=QuestProgressStatus.COMPLETED.value,
        completed_at=now,
        times_completed=state.times_completed + 1,
    )


def quest_reward_key(quest_id: object, completion: int) -> str:
    """The ledger key of the reward for the ``completion``-th completion (1, 2, ...) of a
    universal quest: ``quest:<quest id>:<n>``, so each completion pays once."""
    return f"quest:{quest_id}:{completion}"


#: Stars a claimed universal quest gives its ``skill_key``.
QUEST_SKILL_STARS = 1

#: ``(xp, coins)`` of a user's own quest by difficulty: users cannot set their own rewards (a
#: quest would otherwise mint coins), the difficulty they choose sets them.
USER_QUEST_REWARDS: dict[str, tuple[int, int]] = {
    QuestDifficulty.STARTER.value: (10, 5),
    QuestDifficulty.EASY.value: (20, 10),
    QuestDifficulty.MEDIUM.value: (50, 25),
    QuestDifficulty.HARD.value: (100, 50),
}


def user_quest_reward(difficulty: str) -> tuple[int, int]:
    """``(xp, coins)`` paid for completing an own quest of ``difficulty``."""
    return USER_QUEST_REWARDS[QuestDifficulty(difficulty).value]


def repeat_period_start(frequency: str, day: date, week_starts_on: str = "monday") -> date:
    """The first day of the repeat period of a repeatable own quest that contains ``day``:
    the day itself (``daily``), the first day of its week (``weekly``: the user's
    ``week_starts_on``, :func:`db.settings.week_start`), or the 1st of its month
    (``monthly``)."""
    if frequency == RepeatFrequency.DAILY:
        return day
    if frequency == RepeatFrequency.WEEKLY:
        return week_start(day, week_starts_on)
    return day.replace(day=1)


def previous_repeat_period(frequency: str, day: date, week_starts_on: str = "monday") -> date:
    """The first day of the repeat period before the one containing ``day``."""
    start = repeat_period_start(frequency, day, week_starts_on)
    return repeat_period_start(frequency, start - timedelta(days=1), week_starts_on)


def next_repeat_streak(
    frequency: str,
    last_completed: date | None,
    streak: int,
    today: date,
    week_starts_on: str = "monday",
) -> int | None:
    """The streak of a repeatable own quest completed on ``today``: one more when it was last
    completed in the previous repeat period, 1 when earlier (or never); None when it was
    already completed in ``today``'s period (once per period). Weeks start on
    ``week_starts_on``."""
    current = repeat_period_start(frequency, today, week_starts_on)
    if last_completed is not None:
        last = repeat_period_start(frequency, last_completed, week_starts_on)
        if last >= current:
            return None
        if last == previous_repeat_period(frequency, today, week_starts_on):
            return streak + 1
    return 1


def user_quest_ledger_key(quest_id: object, period: date | None) -> str:
    """The ledger key of an own quest's reward: ``user_quest:<id>`` for a one-off quest,
    ``user_quest:<id>:<first day of the repeat period>`` for a repeatable one."""
    return f"user_quest:{quest_id}" if period is None else f"user_quest:{quest_id}:{period}"


__all__ = [
    "COUNTED",
    "MAX_FILTERS",
    "MAX_FILTER_TEXT",
    "NUMBER",
    "QUEST_SKILL_STARS",
    "TEXT",
    "USER_QUEST_REWARDS",
    "ProgressState",
    "accepts",
    "advance",
    "check_counted",
    "current_state",
    "needs_reset",
    "next_repeat_streak",
    "period_end",
    "period_start",
    "previous_repeat_period",
    "quest_reward_key",
    "repeat_period_start",
    "target_config_problem",
    "user_quest_ledger_key",
    "user_quest_reward",
]
