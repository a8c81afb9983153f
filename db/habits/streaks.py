"""A habit's ``current_streak`` as of today, in SQL (the rule of :func:`db.habits.rules.
habit_streaks`, applied at read time).

The stored ``current_streak`` is recomputed whenever a completion is added or removed, so it is
right as of its last write; a period that ends without its completions breaks it without any
write. What the API reads (both read paths select this expression: ``schema/habits``) is the
stored run while the period before today's is met or today's is met already, else 0:

- ``daily``: a completion yesterday or today;
- ``custom``: a completion on or after the last due weekday before today (a day not due is no
  period);
- ``weekly``: ``target_count`` completions last week or this week (weeks start on the user's
  ``week_starts_on`` day, :func:`db.settings.week_start_sql`).

Another completion of today's open period never changes the stored streak's validity, and no
completion can be dated after today, so these tests see every completion that matters.
"""

from __future__ import annotations

import sqlalchemy as sa

from db import metadata
from db.habits.models import HabitFrequency
from db.settings import local_today_sql, week_start_sql

_completions = metadata.tables["habit_completions"]


def _previous_period_start(habits: sa.FromClause) -> sa.ColumnElement[object]:
    """SQL: the first day of the period before today's (the one that must be met): yesterday
    for a daily habit, the last due weekday before today for a custom one (null when none of
    the last 7 days is due), the first day of last week for a weekly one."""
    today = local_today_sql(habits.c.user_id)
    offsets = sa.func.generate_series(1, 7).table_valued("k").alias("k")
    day = today - offsets.c.k
    last_due = (
        sa.select(sa.func.max(day))
        .select_from(offsets)
        .where(
            habits.c.custom_days.op("@>")(
                sa.func.to_jsonb(sa.cast(sa.extract("dow", day), sa.Integer))
            )
        )
        .correlate_except(offsets)
        .scalar_subquery()
    )
    this_week = week_start_sql(today, habits.c.user_id)
    return sa.case(
        (habits.c.frequency == HabitFrequency.WEEKLY.value, this_week - 7),
        (habits.c.frequency == HabitFrequency.CUSTOM.value, last_due),
        else_=today - 1,
    )


def habit_current_streak_read(habits: sa.FromClause) -> sa.ColumnElement[int]:
    """SQL: the ``current_streak`` of a ``habits`` row (``habits``: the table or an alias) as
    of today (in the user's timezone): the stored run while the period before today's, or
    today's, met its target, else 0 (see the module docstring)."""
    period = (
        sa.select(_previous_period_start(habits).label("start")).correlate(habits).lateral("period")
    )
    start = period.c.start
    need = sa.case(
        (habits.c.frequency == HabitFrequency.WEEKLY.value, habits.c.target_count), else_=1
    )
    # Two periods: [start, start + 7) holds the previous one (for daily and custom habits it
    # reaches past today: one bucket), [start + 7, ...) this week of a weekly habit.
    completions = _completions.alias("streak_completions")
    met = (
        sa.select(
            sa.or_(
                sa.func.count().filter(completions.c.completed_date < start + 7) >= need,
                sa.func.count().filter(completions.c.completed_date >= start + 7) >= need,
            )
        )
        .select_from(period)
        .join(completions, completions.c.habit_id == habits.c.id)
        .where(completions.c.completed_date >= start)
        .scalar_subquery()
    )
    return sa.case((met, habits.c.current_streak), else_=0)


__all__ = ["habit_current_streak_read"]
