"""The rules of the focus timer: what a session may be, when it expires, what it pays.

This module is the one place of these numbers: the transitions (:mod:`db.focus.transitions`) and the
demo generator
(``seeds/demo/routine.py``) both read them from here.

Award rates, for a completed session, from the whole minutes actually focused (time paused
excluded, capped at the planned duration):

- ``focus`` mode: ``minutes // FOCUS_XP_DIVISOR`` XP (one XP per two minutes),
  ``minutes // FOCUS_COINS_DIVISOR`` coins (one coin per five minutes), and one star of the
  ``focus`` skill for a session of at least :data:`FOCUS_STAR_MINUTES` minutes (a full
  pomodoro);
- ``break`` and ``long_break`` modes: ``minutes // BREAK_XP_DIVISOR`` XP, no coins, no stars
  (resting is part of the method, but not a way to earn coins).

A completed session of at least :data:`MIN_COUNTED_MINUTES` whole minute counts: for the
achievements (``focus_sessions_completed``, ``focus_minutes_total``) when it is a ``focus``
session, for the quests (``focus_sessions_completed``, ``focus_minutes``) whatever its mode (a
quest's ``target_config`` filters on ``mode`` and ``min_minutes``). A session completed seconds
after its start pays nothing and counts for nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from db import settings
from db.bounds import IntRange, Text
from db.focus.models import FocusMode

#: XP per focused minute is ``minutes // FOCUS_XP_DIVISOR`` (focus mode).
FOCUS_XP_DIVISOR = 2
#: Coins per focused minute are ``minutes // FOCUS_COINS_DIVISOR`` (focus mode).
FOCUS_COINS_DIVISOR = 5
#: A focus session of at least this many focused minutes earns one star of :data:`FOCUS_SKILL`.
FOCUS_STAR_MINUTES = 25
#: The skill (``skill_definitions.key``) that focus sessions level up.
FOCUS_SKILL = "focus"
#: XP per minute of a break is ``minutes // BREAK_XP_DIVISOR``.
BREAK_XP_DIVISOR = 5

#: A completed session counts for achievements and quests from this many whole minutes.
MIN_COUNTED_MINUTES = 1

#: Shortest and longest planned duration of a session, in seconds (4 hours); the planned
#: duration of a session started without one when the user has no usable
#: ``default_focus_duration`` setting (the ``user_settings`` defaults of Ignition
#: specification, "Section 2: Personalization Tables": 300 s; db/auth/users.py
#: ``DEFAULT_SETTINGS`` gives it to every new user); the setting's key. One place for them:
#: the settings registry (db/settings.py), which states the setting's range.
MIN_DURATION_SECONDS = settings.MIN_DURATION_SECONDS
MAX_DURATION_SECONDS = settings.MAX_DURATION_SECONDS
DEFAULT_DURATION_SECONDS = settings.DEFAULT_DURATION_SECONDS
DEFAULT_DURATION_SETTING = settings.DEFAULT_DURATION_SETTING
#: Longest ``task_title``, in characters.
MAX_TASK_TITLE = 200
#: The bounds the focus mutations check and state (:mod:`db.bounds`).
DURATION = IntRange(MIN_DURATION_SECONDS, MAX_DURATION_SECONDS)
TASK_TITLE = Text(MAX_TASK_TITLE)
#: A running or paused session expires this long after its planned end (the planned end
#: moves later by the time spent paused, see :func:`expires_at`), in seconds: two hours.
EXPIRY_GRACE_SECONDS = 2 * 3600


@dataclass(frozen=True)
class FocusAward:
    """What a completed session pays: ``xp``, ``coins``, and ``stars`` of ``skill_key``."""

    xp: int = 0
    coins: int = 0
    stars: int = 0
    skill_key: str | None = None

    @property
    def is_empty(self) -> bool:
        """Nothing to post to the ledger."""
        return not (self.xp or self.coins or self.stars)


def focus_award(mode: FocusMode | str, minutes: int) -> FocusAward:
    """The award of a completed session of ``mode`` with ``minutes`` whole minutes focused
    (the rates of the module docstring).

    Args:
        mode: the session's mode.
        minutes: whole minutes focused (>= 0), already capped at the planned duration.

    Returns:
        The :class:`FocusAward` (all zero for a session shorter than the divisors).
    """
    minutes = max(0, minutes)
    if FocusMode(mode) is FocusMode.FOCUS:
        star = 1 if minutes >= FOCUS_STAR_MINUTES else 0
        return FocusAward(
            xp=minutes // FOCUS_XP_DIVISOR,
            coins=minutes // FOCUS_COINS_DIVISOR,
            stars=star,
            skill_key=FOCUS_SKILL if star else None,
        )
    return FocusAward(xp=minutes // BREAK_XP_DIVISOR)


def counts_for_progress(mode: FocusMode | str, minutes: int) -> bool:
    """Whether a completed session counts for achievements and quests: a ``focus`` session
    of at least :data:`MIN_COUNTED_MINUTES` whole minutes."""
    return FocusMode(mode) is FocusMode.FOCUS and minutes >= MIN_COUNTED_MINUTES


def default_duration(setting: object) -> int:
    """The planned duration, in seconds, of a session started without ``durationSeconds``:
    the user's ``default_focus_duration`` setting (its JSON value, None when the user has no
    such row) when it is a whole number of seconds within :data:`MIN_DURATION_SECONDS` to
    :data:`MAX_DURATION_SECONDS`, else :data:`DEFAULT_DURATION_SECONDS`."""
    if isinstance(setting, bool) or not isinstance(setting, int | float):
        return DEFAULT_DURATION_SECONDS
    if setting != int(setting) or not MIN_DURATION_SECONDS <= setting <= MAX_DURATION_SECONDS:
        return DEFAULT_DURATION_SECONDS
    return int(setting)


def expires_at(now: datetime, remaining_seconds: int) -> datetime:
    """When a session that has ``remaining_seconds`` of planned time left at ``now`` (and
    runs from ``now``) expires: its planned end plus :data:`EXPIRY_GRACE_SECONDS`."""
    return now + timedelta(seconds=remaining_seconds + EXPIRY_GRACE_SECONDS)


def remaining_seconds(
    *,
    duration_seconds: int,
    started_at: datetime,
    now: datetime,
    paused_remaining_seconds: int | None = None,
    resumed_at: datetime | None = None,
    remaining_at_resume: int | None = None,
) -> int:
    """Seconds of planned time left at ``now`` (>= 0; pauses do not run the clock).

    Args:
        duration_seconds: the planned duration.
        started_at: when the session started.
        now: the moment asked about.
        paused_remaining_seconds: the time left when the session was paused, if it is paused
            now (``focus_sessions.paused_remaining_seconds``): the clock stands still.
        resumed_at: when the session was last resumed (``focus_pause_state.resumed_at``), if
            it was ever paused and runs again.
        remaining_at_resume: the time left at that resume
            (``focus_pause_state.time_remaining_seconds``).
    """
    if paused_remaining_seconds is not None:
        return max(0, paused_remaining_seconds)
    if resumed_at is not None and remaining_at_resume is not None:
        left = remaining_at_resume - (now - resumed_at).total_seconds()
    else:
        left = duration_seconds - (now - started_at).total_seconds()
    return max(0, min(duration_seconds, math.ceil(left)))


__all__ = [
    "BREAK_XP_DIVISOR",
    "DEFAULT_DURATION_SECONDS",
    "DEFAULT_DURATION_SETTING",
    "DURATION",
    "EXPIRY_GRACE_SECONDS",
    "FOCUS_COINS_DIVISOR",
    "FOCUS_SKILL",
    "FOCUS_STAR_MINUTES",
    "FOCUS_XP_DIVISOR",
    "MAX_DURATION_SECONDS",
    "MAX_TASK_TITLE",
    "MIN_COUNTED_MINUTES",
    "MIN_DURATION_SECONDS",
    "TASK_TITLE",
    "FocusAward",
    "counts_for_progress",
    "default_duration",
    "expires_at",
    "focus_award",
    "remaining_seconds",
]
