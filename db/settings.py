"""The registry of user settings and the user's clock: every key a user may set, its type,
default, allowed values and meaning, in one place, and the user's local date. A shared
module of db: the domains' rules read it.

``user_settings`` stores one ``(user_id, key, value)`` row per setting the user (or sign-up,
:data:`db.auth.users.DEFAULT_SETTINGS`) wrote; a key without a row has its registry default.
Readers go through :func:`effective` (every known key, defaults filled in); writers through
:func:`check_value` (an unknown key or a bad value is ``InvalidInput`` naming the key).

The day boundary: a user's "today" is the calendar date in their ``timezone`` setting at the
moment asked (:func:`local_date`); "this week" starts on their ``week_starts_on`` day
(:func:`week_start`), "this month" on the 1st of the local month. A user who changes timezone
mid-day moves at once: from the change on, every "today" is computed in the new zone, and rows
already written keep the date they were written with (a habit ticked at 23:30 in Berlin stays on
that Berlin date even when the user then moves to New York, where it is still 17:30 of the same
date; flying east may make "today" the next date at once, flying west may show the same date
again, and a completion of that date is then already there). Nothing is rewritten.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.bounds import Text
from db.errors import InvalidInput

#: The longest setting key accepted from a client.
KEY = Text(64, 1)

#: The modules of the Today screen, each with an ``module.<name>.enabled`` and
#: ``module.<name>.weight`` setting, in the order that breaks a tie of weights.
TODAY_MODULES = ("focus", "habits", "planner", "quests", "learn")

#: The weight a module has when the user set none (0 to 100, higher first).
DEFAULT_MODULE_WEIGHTS = {"focus": 90, "habits": 80, "planner": 70, "quests": 60, "learn": 50}

#: ``nudge_intensity`` values, from quietest to loudest.
NUDGE_INTENSITIES = ("off", "gentle", "standard", "strong")

#: The planned duration of a focus session: its range and the default of a user who set none,
#: in seconds (the focus rules, db/focus/rules.py, take them from here).
MIN_DURATION_SECONDS = 60
MAX_DURATION_SECONDS = 4 * 3600
DEFAULT_DURATION_SECONDS = 300
#: The key of a user's default session duration.
DEFAULT_DURATION_SETTING = "default_focus_duration"

#: ``week_starts_on`` values and their Python weekday numbers (Monday = 0).
WEEK_STARTS = {"monday": 0, "saturday": 5, "sunday": 6}


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: object) -> bool:
    """Whether ``name`` is an IANA time zone name this machine's zoneinfo knows (``Europe/
    Berlin``, ``UTC``)."""
    return isinstance(name, str) and name in _zones()


@dataclass(frozen=True)
class Setting:
    """One known setting.

    Attributes:
        key: its ``user_settings.key``.
        kind: ``string``, ``integer`` or ``boolean`` (the JSON type of the value).
        default: the value of a user without a row.
        description: what it means, for people.
        allowed: for a string, the values allowed (empty: any string passing ``valid``).
        minimum, maximum: for an integer, its range (both included).
        valid: for a string without ``allowed``, the predicate a value must pass.
        rule: the rule a value must follow, in words (for ``valid``).
    """

    key: str
    kind: str
    default: Any
    description: str
    allowed: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    valid: Callable[[object], bool] | None = field(default=None, compare=False)
    rule: str = ""

    def problem(self, value: object) -> str | None:
        """What is wrong with ``value`` for this setting (in words), or None when it fits."""
        if self.kind == "boolean":
            return None if isinstance(value, bool) else "must be true or false"
        if self.kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return "must be a whole number"
            assert self.minimum is not None and self.maximum is not None
            if not self.minimum <= value <= self.maximum:
                return f"must be from {self.minimum:,} to {self.maximum:,}"
            return None
        if not isinstance(value, str):
            return "must be a string"
        if self.allowed and value not in self.allowed:
            return "must be one of " + ", ".join(self.allowed)
        if self.valid is not None and not self.valid(value):
            return f"must be {self.rule}"
        return None


def _modules() -> list[Setting]:
    settings: list[Setting] = []
    for name in TODAY_MODULES:
        settings.append(
            Setting(
                f"module.{name}.enabled",
                "boolean",
                True,
                f"Whether Today shows the {name} module and proposes its actions.",
            )
        )
        settings.append(
            Setting(
                f"module.{name}.weight",
                "integer",
                DEFAULT_MODULE_WEIGHTS[name],
                f"Where Today places the {name} module: higher first (0 to 100).",
                minimum=0,
                maximum=100,
            )
        )
    return settings


#: Every known setting, by key.
REGISTRY: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "timezone",
            "string",
            "UTC",
            "The user's IANA time zone (`Europe/Berlin`): 'today', 'this week' and 'this month' "
            "are computed in it.",
            valid=is_time_zone,
            rule="an IANA time zone name such as Europe/Berlin",
        ),
        # startFocusSession without a duration reads this setting through
        # db.focus.rules.default_duration, which answers what effective() does.
        Setting(
            DEFAULT_DURATION_SETTING,
            "integer",
            DEFAULT_DURATION_SECONDS,
            "The planned duration of a focus session started without one, in seconds.",
            minimum=MIN_DURATION_SECONDS,
            maximum=MAX_DURATION_SECONDS,
        ),
        Setting(
            "daily_focus_goal_minutes",
            "integer",
            60,
            "Minutes of focus a day the user aims at (Today shows the day's minutes against it).",
            minimum=0,
            maximum=1440,
        ),
        Setting(
            "nudge_intensity",
            "string",
            "standard",
            "How much Today pushes: `off` proposes only to continue onboarding or a running "
            "focus session.",
            allowed=NUDGE_INTENSITIES,
        ),
        Setting(
            "week_starts_on",
            "string",
            "monday",
            "The first day of the user's week ('this week').",
            allowed=tuple(WEEK_STARTS),
        ),
        Setting(
            "gamification_visible",
            "string",
            "always",
            "How visible levels, coins and streaks are in the app.",
            allowed=("always", "subtle", "hidden"),
        ),
        Setting(
            "planner_mode",
            "string",
            "collapsed",
            "How the planner shows in the app.",
            allowed=("visible", "collapsed", "hidden"),
        ),
        Setting(
            "daw",
            "string",
            "other",
            "The DAW the user works in most (tips and shortcuts follow it).",
            allowed=(
                "ableton_live",
                "fl_studio",
                "logic_pro",
                "bitwig",
                "reaper",
                "cubase",
                "studio_one",
                "pro_tools",
                "other",
            ),
        ),
        Setting(
            "theme",
            "string",
            "system",
            "The app's colour theme.",
            allowed=("system", "light", "dark"),
        ),
        *_modules(),
    )
}


def check_value(key: str, value: object, field: str) -> None:
    """Refuse an unknown key or a value the key's :class:`Setting` does not allow.

    Args:
        key: the setting's key.
        value: the JSON value (str, int, bool, ...).
        field: the camelCase path the refusal names (``input.settings.timezone``).

    Raises:
        InvalidInput: naming ``field``; the message names the key and the rule.
    """
    setting = REGISTRY.get(key)
    if setting is None:
        raise InvalidInput(f"Unknown setting {key!r}.", field=field)
    problem = setting.problem(value)
    if problem is not None:
        raise InvalidInput(f"The setting {key!r} {problem}.", field=field)


def effective(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Every known setting's value for a user: the stored value (``user_settings`` rows, key ->
    JSON value) when it is valid, else the registry default. Keys the registry does not know
    are left out (old or foreign rows).

    Returns:
        key -> value, in registry order.
    """
    values: dict[str, Any] = {}
    for key, setting in REGISTRY.items():
        value = stored.get(key, setting.default)
        values[key] = value if setting.problem(value) is None else setting.default
    return values


def local_date(timezone: str, now: datetime) -> date:
    """The calendar date at the aware moment ``now`` in the IANA zone ``timezone`` (UTC when
    the name is unknown: a stale stored value never breaks a read).

    >>> from datetime import UTC
    >>> local_date("Europe/Berlin", datetime(2026, 3, 28, 23, 30, tzinfo=UTC))
    datetime.date(2026, 3, 29)
    """
    zone = zoneinfo.ZoneInfo(timezone if is_time_zone(timezone) else "UTC")
    return now.astimezone(zone).date()


def day_bounds(timezone: str, day: date) -> tuple[datetime, datetime]:
    """The aware instants (UTC) where the local ``day`` begins and the next one begins in the
    IANA zone ``timezone`` (23 or 25 hours apart across a DST change; UTC for an unknown
    name)."""
    zone = zoneinfo.ZoneInfo(timezone if is_time_zone(timezone) else "UTC")
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def week_start(day: date, week_starts_on: str) -> date:
    """The first day of the week containing ``day`` when weeks start on ``week_starts_on``
    (``monday``, ``saturday`` or ``sunday``; Monday for an unknown value)."""
    first = WEEK_STARTS.get(week_starts_on, 0)
    return day - timedelta(days=(day.weekday() - first) % 7)


def month_start(day: date) -> date:
    """The first day of the month containing ``day``."""
    return day.replace(day=1)


# ---- the user's clock ----------------------------------------------------------------------

_settings = metadata.tables["user_settings"]
# The statements of :func:`user_timezone` and :func:`user_calendar`, built once (most
# transitions run one of them).
_READ_TIMEZONE = sa.select(_settings.c.value).where(
    _settings.c.user_id == sa.bindparam("user_id"), _settings.c.key == "timezone"
)
_READ_CALENDAR = sa.select(_settings.c.key, _settings.c.value).where(
    _settings.c.user_id == sa.bindparam("user_id"),
    _settings.c.key.in_(("timezone", "week_starts_on")),
)


async def user_timezone(conn: AsyncConnection, user_id: uuid.UUID) -> str:
    """The user's ``timezone`` setting (its registry default, UTC, when unset or not valid);
    one statement."""
    value = (await conn.execute(_READ_TIMEZONE, {"user_id": user_id})).scalar_one_or_none()
    setting = REGISTRY["timezone"]
    return str(value) if setting.problem(value) is None else str(setting.default)


async def user_calendar(conn: AsyncConnection, user_id: uuid.UUID) -> tuple[str, str]:
    """``(timezone, week_starts_on)`` of the user, their registry defaults (``UTC``,
    ``monday``) when unset or not valid; one statement. Every weekly period (quest resets,
    weekly habits, repeatable own quests, Today's week) starts on the user's
    ``week_starts_on`` day at local midnight in their ``timezone`` (:func:`week_start`)."""
    rows = (await conn.execute(_READ_CALENDAR, {"user_id": user_id})).all()
    stored = {str(row.key): row.value for row in rows}
    zone, week = (
        str(value if REGISTRY[key].problem(value) is None else REGISTRY[key].default)
        for key, value in (
            ("timezone", stored.get("timezone")),
            ("week_starts_on", stored.get("week_starts_on")),
        )
    )
    return zone, week


class UserDay(NamedTuple):
    """A user's calendar at a moment: their ``timezone``, the local date there, and the day
    their weeks start on (``week_starts_on``)."""

    zone: str
    today: date
    week_starts_on: str


async def user_day(
    conn: AsyncConnection, user_id: uuid.UUID, now: datetime | None = None
) -> UserDay:
    """The user's :class:`UserDay` at ``now`` (the current time by default); one statement."""
    zone, week = await user_calendar(conn, user_id)
    return UserDay(zone, local_date(zone, now or datetime.now(UTC)), week)


async def user_today(
    conn: AsyncConnection, user_id: uuid.UUID, now: datetime | None = None
) -> tuple[str, date]:
    """``(timezone, the date there at now)`` of the user (now: the current time)."""
    zone = await user_timezone(conn, user_id)
    return zone, local_date(zone, now or datetime.now(UTC))


def local_today_sql(user_id: sa.ColumnElement[Any]) -> sa.ColumnElement[date]:
    """SQL: today's date in the timezone of the user ``user_id`` (a column or bind parameter)
    at the transaction's clock (``now()``); UTC when the user has no ``timezone`` setting.
    The read paths' streak expressions use it, so a streak reads as the user's own calendar
    says. A stored ``timezone`` is one PostgreSQL knows (:func:`check_zone_known`)."""
    setting = _settings.alias("tz_setting")
    zone = (
        sa.select(setting.c.value.op("#>>")(sa.literal_column("'{}'")))
        .where(setting.c.user_id == user_id, setting.c.key == "timezone")
        .correlate_except(setting)
        .scalar_subquery()
    )
    return sa.cast(sa.func.timezone(sa.func.coalesce(zone, "UTC"), sa.func.now()), sa.Date)


def week_start_sql(
    day: sa.ColumnElement[date], user_id: sa.ColumnElement[Any]
) -> sa.ColumnElement[date]:
    """SQL: the first day of the week containing the date ``day`` for the user ``user_id`` (a
    column or bind parameter), their ``week_starts_on`` setting (Monday when unset): the SQL
    twin of :func:`week_start`."""
    setting = _settings.alias("week_setting")
    stored = (
        sa.select(setting.c.value.op("#>>")(sa.literal_column("'{}'")))
        .where(setting.c.user_id == user_id, setting.c.key == "week_starts_on")
        .correlate_except(setting)
        .scalar_subquery()
    )
    first = sa.case(
        *((stored == name, number) for name, number in WEEK_STARTS.items() if number),
        else_=0,
    )
    # Python's weekday() is ISO day of week - 1 (Monday = 0).
    weekday = sa.cast(sa.extract("isodow", day), sa.Integer) - 1
    return day - (weekday - first + 7) % 7


async def check_zone_known(conn: AsyncConnection, zone: str, field: str) -> None:
    """Refuse a timezone PostgreSQL does not know (its tz database may lag Python's), so that
    :func:`local_today_sql` never meets an unknown name.

    Raises:
        InvalidInput: naming ``field``.
    """
    known = (
        await conn.execute(
            sa.text("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = :z)"),
            {"z": zone},
        )
    ).scalar_one()
    if not known:
        raise InvalidInput(
            f"The setting 'timezone' must be a time zone the database knows: {zone!r}.",
            field=field,
        )


__all__ = [
    "DEFAULT_MODULE_WEIGHTS",
    "KEY",
    "NUDGE_INTENSITIES",
    "REGISTRY",
    "TODAY_MODULES",
    "WEEK_STARTS",
    "Setting",
    "UserDay",
    "check_value",
    "check_zone_known",
    "day_bounds",
    "effective",
    "is_time_zone",
    "local_date",
    "local_today_sql",
    "month_start",
    "user_calendar",
    "user_day",
    "user_timezone",
    "user_today",
    "week_start",
    "week_start_sql",
]
