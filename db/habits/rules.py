"""The habit rules that need no database: periods, which dates a completion may have, the
reward, and the streak arithmetic (docs/design.md#habits).

Pure functions, called by the transitions (:mod:`db.habits.transitions`) and by the demo
generator (``seeds/demo/routine.py``), so both follow one rule.

Periods: a ``daily`` habit's period is the day; a ``custom`` habit is due on the weekdays of
``custom_days`` (0 = Sunday ... 6 = Saturday) and each due day is a period; a ``weekly``
habit's period is the user's week (seven days from their ``week_starts_on`` day, Monday
unless set), in which it is done ``target_count`` times.
Completions are per day (``habit_completions (habit_id, completed_date)`` is unique): at most
one per period for daily and custom habits, at most ``target_count`` (on different days) per
week for weekly ones.

Streaks: ``current_streak`` is the number of consecutive periods, up to today's, in which the
habit met its target; today's (this week's) period still open does not break it.
``longest_streak`` is the longest such run. Both are recomputed from the completions whenever
one is added or removed, so backdating and undoing keep them right.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from db.bounds import HEX_COLOR, IntRange, MaxItems
from db.errors import InvalidInput
from db.fields import Choice, Flag, Number, Rule, Shaped, Text
from db.habits.models import HabitFrequency
from db.settings import week_start

#: XP and coins paid for each habit completion.
HABIT_XP = 5
HABIT_COINS = 2
#: Every n-th completion of a habit also pays one star of :data:`HABIT_SKILL`.
HABIT_STAR_EVERY = 5
#: The skill that habits train (Ignition specification, "Part 7: Seed Data Requirements":
#: "Discipline: habits kept, streaks held").
HABIT_SKILL = "discipline"
#: How far back a completion may be dated, in days (today minus this is the earliest date).
MAX_BACKDATE_DAYS = 7
#: The most completions a weekly habit may ask for.
MAX_WEEKLY_TARGET = 7

# The rules of a habit's fields (:mod:`db.fields`: the mutations state and check their bounds
# before they run, db/habits/transitions.py checks them for every caller).
#: Longest habit name, in characters.
MAX_NAME = 200
#: Longest description, in characters.
MAX_DESCRIPTION = 2000
#: A habit's name: 1 to :data:`MAX_NAME` characters (after trimming the spaces around it).
NAME = Text(MAX_NAME, min=1, nullable=False)
#: A habit's description.
DESCRIPTION = Text(MAX_DESCRIPTION)
#: An icon name (``music``): a short identifier, not a picture.
ICON = Text(50)
#: The color a habit is shown in.
COLOR = Text.of(HEX_COLOR)
#: Completions per period (1 for daily and custom habits; see :func:`check_settings`).
TARGET_COUNT = Number(1, MAX_WEEKLY_TARGET)
#: A weekday number of ``custom_days``: 0 = Sunday ... 6 = Saturday.
WEEKDAY = IntRange(0, 6)
#: ``custom_days`` holds each weekday at most once.
WEEKDAYS = MaxItems(7)
#: A habit's position in its user's list. Within this range, the "after the others" of
#: :func:`next_sort_order` never overflows int4.
SORT_ORDER = Number(-1_000_000, 1_000_000)


def weekdays(days: Sequence[int], field: str) -> list[int]:
    """``custom_days`` as stored: the weekday numbers (:data:`WEEKDAY`), sorted.

    Raises:
        InvalidInput: more than :data:`WEEKDAYS` values, or one outside 0..6 (``field``).
    """
    if len(days) > WEEKDAYS.maximum:
        raise InvalidInput(f"At most {WEEKDAYS.maximum} weekdays.", field=field)
    for day in days:
        WEEKDAY.check(day, field)
    return sorted(int(d) for d in days)


#: ``habits`` columns a client sets (createHabit and updateHabit).
HABIT_FIELDS: dict[str, Rule] = {
    "name": NAME,
    "description": DESCRIPTION,
    "frequency": Choice(HabitFrequency),
    "target_count": TARGET_COUNT,
    "custom_days": Shaped(weekdays),
    "icon": ICON,
    "color": COLOR,
    "is_active": Flag(),
    "sort_order": SORT_ORDER,
}


@dataclass(frozen=True)
class HabitAward:
    """What one completion pays: XP, coins and stars of ``skill_key`` (None without stars)."""

    xp: int
    coins: int
    stars: int
    skill_key: str | None


def completion_award(nth: int) -> HabitAward:
    """The reward of a habit's ``nth`` completion (1-based: the count of its completions
    including this one): :data:`HABIT_XP` XP, :data:`HABIT_COINS` coins, and one
    :data:`HABIT_SKILL` star on every :data:`HABIT_STAR_EVERY`-th."""
    star = 1 if nth > 0 and nth % HABIT_STAR_EVERY == 0 else 0
    return HabitAward(HABIT_XP, HABIT_COINS, star, HABIT_SKILL if star else None)


def habit_ledger_key(completion_id: object) -> str:
    """The ledger key of a completion's reward: ``habit.completed:<completion id>`` (a new
    completion of the same day after an undo is a new row, so a new key)."""
    return f"habit.completed:{completion_id}"


def habit_reversal_key(completion_id: object) -> str:
    """The ledger key of the posting that takes an undone completion's reward back."""
    return f"habit.uncompleted:{completion_id}"


def next_sort_order(highest: int | None) -> int:
    """The ``sort_order`` of a new habit placed after the user's others: one more than the
    ``highest`` they have (None: no habit yet, 0), at most :data:`SORT_ORDER`'s maximum (a
    stored value past it, from before the bound, gives the maximum: the new habit then shares
    the last place instead of overflowing)."""
    if highest is None:
        return 0
    return max(SORT_ORDER.low, min(highest + 1, SORT_ORDER.high))


def weekday_number(day: date) -> int:
    """The ``custom_days`` number of ``day``'s weekday: 0 = Sunday ... 6 = Saturday."""
    return day.isoweekday() % 7


def is_due(frequency: str, custom_days: Sequence[int], day: date) -> bool:
    """Whether a habit can be done on ``day``: every day, except for a ``custom`` habit,
    which is due on its ``custom_days`` only."""
    return frequency != HabitFrequency.CUSTOM or weekday_number(day) in custom_days


def period_key(frequency: str, day: date, week_starts_on: str = "monday") -> date:
    """The first day of the period containing ``day``: the first day of its week for a weekly
    habit (the user's ``week_starts_on``, :func:`db.settings.week_start`), the day itself
    otherwise."""
    if frequency == HabitFrequency.WEEKLY:
        return week_start(day, week_starts_on)
    return day


def check_settings(frequency: str, target_count: int, custom_days: Sequence[int]) -> None:
    """Refuse an inconsistent habit: daily and custom habits are done once per period
    (``target_count`` 1), weekly ones 1 to :data:`MAX_WEEKLY_TARGET` times; a custom habit
    needs ``custom_days``, distinct numbers 0-6, and only a custom habit has them.

    Raises:
        InvalidInput: naming ``input.targetCount`` or ``input.customDays``.
    """
    if frequency == HabitFrequency.WEEKLY:
        if not 1 <= target_count <= MAX_WEEKLY_TARGET:
            raise InvalidInput(
                f"A weekly habit is done 1 to {MAX_WEEKLY_TARGET} times a week.",
                field="input.targetCount",
            )
    elif target_count != 1:
        raise InvalidInput(
            "A daily or custom habit is done once per day: `targetCount` must be 1.",
            field="input.targetCount",
        )
    days = list(custom_days)
    if frequency == HabitFrequency.CUSTOM:
        if not days or len(set(days)) != len(days) or any(not 0 <= d <= 6 for d in days):
            raise InvalidInput(
                "A custom habit needs `customDays`: distinct weekday numbers, 0 = Sunday to "
                "6 = Saturday.",
                field="input.customDays",
            )
    elif days:
        raise InvalidInput("Only a custom habit has `customDays`.", field="input.customDays")


def check_completion_date(
    day: date, today: date, *, frequency: str, custom_days: Sequence[int], created: date
) -> None:
    """Refuse a completion date in the future, more than :data:`MAX_BACKDATE_DAYS` days ago,
    before the habit existed, or on a day a custom habit is not due.

    Raises:
        InvalidInput: ``field`` ``date``.
    """
    if day > today:
        raise InvalidInput("A habit cannot be completed in the future.", field="date")
    if (today - day).days > MAX_BACKDATE_DAYS:
        raise InvalidInput(
            f"A completion can be dated at most {MAX_BACKDATE_DAYS} days back.", field="date"
        )
    if day < created:
        raise InvalidInput("The habit did not exist on that day.", field="date")
    if not is_due(frequency, custom_days, day):
        raise InvalidInput("The habit is not due on that weekday.", field="date")


def period_is_full(
    frequency: str,
    target_count: int,
    completed: Iterable[date],
    day: date,
    week_starts_on: str = "monday",
) -> bool:
    """Whether the period of ``day`` already has all the completions it takes
    (``completed``: the habit's completion dates; weeks start on ``week_starts_on``)."""
    start = period_key(frequency, day, week_starts_on)
    done = sum(1 for d in completed if period_key(frequency, d, week_starts_on) == start)
    return done >= (target_count if frequency == HabitFrequency.WEEKLY else 1)


def habit_streaks(
    frequency: str,
    target_count: int,
    custom_days: Sequence[int],
    completed: Iterable[date],
    today: date,
    week_starts_on: str = "monday",
) -> tuple[int, int]:
    """``(current_streak, longest_streak)`` of a habit with these completion dates, as of
    ``today``, weeks starting on ``week_starts_on`` (see the module docstring)."""
    dates = sorted(set(completed))
    if not dates:
        return 0, 0
    weekly = frequency == HabitFrequency.WEEKLY
    per_period = Counter(period_key(frequency, d, week_starts_on) for d in dates)
    need = target_count if weekly else 1
    step = timedelta(days=7 if weekly else 1)
    periods: list[bool] = []
    day = period_key(frequency, dates[0], week_starts_on)
    last = period_key(frequency, today, week_starts_on)
    while day <= last:
        if weekly or is_due(frequency, custom_days, day):
            periods.append(per_period[day] >= need)
        day += step
    longest = run = 0
    for met in periods:
        run = run + 1 if met else 0
        longest = max(longest, run)
    # Today's period, still open, does not break the streak.
    open_today = is_due(frequency, custom_days, today) or weekly
    flags = periods[:-1] if open_today and periods and not periods[-1] else periods
    current = 0
    for met in reversed(flags):
        if not met:
            break
        current += 1
    return current, longest


__all__ = [
    "COLOR",
    "DESCRIPTION",
    "HABIT_COINS",
    "HABIT_FIELDS",
    "HABIT_SKILL",
    "HABIT_STAR_EVERY",
    "HABIT_XP",
    "ICON",
    "MAX_BACKDATE_DAYS",
    "MAX_DESCRIPTION",
    "MAX_NAME",
    "MAX_WEEKLY_TARGET",
    "NAME",
    "SORT_ORDER",
    "TARGET_COUNT",
    "WEEKDAY",
    "WEEKDAYS",
    "HabitAward",
    "check_completion_date",
    "check_settings",
    "completion_award",
    "habit_ledger_key",
    "habit_reversal_key",
    "habit_streaks",
    "is_due",
    "next_sort_order",
    "period_is_full",
    "period_key",
    "weekday_number",
    "weekdays",
]
