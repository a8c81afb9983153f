"""The state shared by the parts of a demo user's month, and the time model.

Time model: ``now`` is the moment of the run; day ``k`` is the calendar day ``k`` days before
today (UTC), day 0 is today. History days hold the past activity; today holds a few habit
check-offs, one finished focus session and the session that is running (or paused) right now.
Nothing is dated after ``now``, except calendar events and due dates that are meant to lie in
the future. A few days off (never in the last week) have no activity at all.

Awards (XP, coins, skill stars) are computed by the rule functions of the transitions that
pay them (``db/habits/rules.py``, ``db/quests/rules.py``, ``db/focus/rules.py``,
``db/fitness/rules.py``, ``db/books/rules.py``, ...), so the demo month is what the API would
have recorded; lessons and drills pay their catalog rewards. Each award becomes a
ledger row through :func:`seeds.demo.ledger.replay`, which also decides achievements (by
:func:`db.gamification.achievements.newly_reached`), streaks (:mod:`db.gamification.streaks`),
purchases and levels (:mod:`db.gamification.levels`), so the ledger invariants hold whatever
the random draws were.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from seeds.demo.catalog import Catalog
from seeds.demo.ledger import PurchaseIntent, Transition

Row = dict[str, Any]

#: Weekday numbers of ``habits.custom_days`` (0 = Sunday) for a Mon/Wed/Fri habit.
MON_WED_FRI = [1, 3, 5]


@dataclass(frozen=True)
class Persona:
    """How much a demo producer does: the share of days with focus sessions, the sessions of
    such a day (one is drawn from the tuple), and the share of days with a workout."""

    name: str
    active_days: float
    sessions_per_day: tuple[int, ...]
    workout_days: float


PERSONAS = (
    Persona("casual", 0.55, (1, 1, 2, 2, 3), 0.15),
    Persona("regular", 0.8, (1, 2, 2, 3, 3), 0.22),
    Persona("grinder", 0.92, (2, 3, 3, 4), 0.3),
)


def new_id() -> uuid.UUID:
    """A fresh row id (random, not drawn from the user's seeded stream)."""
    return uuid.uuid4()


class UserState:
    """One demo user's generator state: the random stream, the time helpers, the rows built
    so far and the transitions queued for the ledger replay. The parts
    (:mod:`seeds.demo.profile`, ``routine``, ``practice``, ``studio``, ``rewards``) extend it
    and leave what later parts need in the attributes declared below."""

    # Set by the parts (in the order of ``seeds.demo.builder._Builder.build``).
    answers: dict[uuid.UUID, Any]
    settings: dict[str, Any]
    interests: list[tuple[str, str]]
    genres: list[str]
    focus_minutes: int
    onboarding_done: bool
    onboarding: Row
    custom_exercise_id: uuid.UUID
    habit_ids: list[tuple[uuid.UUID, str]]
    habit_hours: dict[uuid.UUID, float]
    first_habit_at: datetime
    goal_ids: list[tuple[uuid.UUID, str, date]]
    first_focus: tuple[uuid.UUID, datetime] | None
    workout_ids: list[tuple[uuid.UUID, str]]
    tracks: list[tuple[uuid.UUID, str, float]]
    sorted_units: dict[str, list[tuple[datetime, int, str, int]]]

    def __init__(
        self,
        index: int,
        user_id: uuid.UUID,
        catalog: Catalog,
        rng: random.Random,
        now: datetime,
        days: int,
    ) -> None:
        self.i = index
        self.uid = user_id
        self.cat = catalog
        self.rng = rng
        self.now = now
        self.days = max(1, days)
        self.today = now.date()
        self.showcase = index == 1
        self._midnight = datetime.combine(self.today, time(), tzinfo=UTC)
        self._starts = [self._midnight - timedelta(days=k) for k in range(self.days + 5)]
        self._latest = now - timedelta(seconds=30)
        self.rows: dict[str, list[Row]] = {}
        self.transitions: list[Transition] = []
        #: quest target_type -> (time, amount, focus mode, focus minutes) of what was done.
        self.units: dict[str, list[tuple[datetime, int, str, int]]] = {}
        self.intents: list[PurchaseIntent] = []
        self.streak_days: dict[str, set[date]] = {"focus": set(), "habits": set()}
        self.persona = PERSONAS[1] if self.showcase else rng.choice(PERSONAS)
        #: Habit reliability factor of this user (1 = as reliable as the habit suggests).
        self.drive = 1.0 if self.showcase else rng.uniform(0.85, 1.05)
        self.signup = self.at(self.days + rng.randint(1, 3), rng.uniform(9, 20))
        # Days off: nothing happens on them (never in the last week, so current streaks run).
        history = range(8, self.days)
        self.off = set(
            rng.sample(history, k=min(len(history), rng.randint(1, 2 if self.showcase else 5)))
        )

    # ---------------------------------------------------------------- helpers

    def day_start(self, k: int) -> datetime:
        """Midnight (UTC) starting day ``k``."""
        if 0 <= k < len(self._starts):
            return self._starts[k]
        return self._midnight - timedelta(days=k)

    def at(self, k: int, hour: float) -> datetime:
        """Day ``k`` at ``hour`` (fractional), never after ``now``."""
        moment = self.day_start(k) + timedelta(seconds=round(hour * 3600))
        return moment if moment < self._latest else self._latest

    def day(self, lo: int, hi: int) -> int:
        """A random history day between ``lo`` and ``hi`` days ago, clipped to the history."""
        lo, hi = max(1, min(lo, self.days)), max(1, min(hi, self.days))
        k = self.rng.randint(min(lo, hi), max(lo, hi))
        for _ in range(3):
            if k not in self.off:
                break
            k = self.rng.randint(min(lo, hi), max(lo, hi))
        return k

    def unit(
        self, kind: str, at: datetime, amount: int = 1, mode: str = "", minutes: int = 0
    ) -> None:
        """Record ``amount`` units of quest ``target_type`` ``kind`` done at ``at``."""
        self.units.setdefault(kind, []).append((at, amount, mode, minutes))

    def add(self, table: str, *rows: Row) -> None:
        """Append rows to ``table``."""
        self.rows.setdefault(table, []).extend(rows)

    def record(self, tr: Transition) -> None:
        """Queue a transition for the ledger replay (an award when it carries a key)."""
        self.transitions.append(tr)
