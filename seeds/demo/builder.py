"""Builds one demo user's month as plain rows, with no database access: :func:`build_user`.

The work is split by area into parts that share one :class:`seeds.demo.state.UserState`
(time model, random stream, rows, queued transitions): :mod:`seeds.demo.profile`,
:mod:`seeds.demo.routine`, :mod:`seeds.demo.practice`, :mod:`seeds.demo.studio` and
:mod:`seeds.demo.rewards`. :func:`seeds.demo.ledger.replay` then turns the transitions into
ledger rows, achievements, purchases, levels and totals.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from seeds.demo.catalog import Catalog
from seeds.demo.ledger import LedgerResult, replay
from seeds.demo.practice import Practice
from seeds.demo.profile import Profile
from seeds.demo.rewards import Rewards
from seeds.demo.routine import Routine
from seeds.demo.state import Row
from seeds.demo.studio import Studio


@dataclass
class UserData:
    """Everything :func:`build_user` made for one user.

    Attributes:
        rows: table name -> rows to insert (ids are set where other rows refer to them).
        user: values for the ``users`` row (``created_at``, ``email_verified``, ...).
        wallet: ``user_wallet`` totals; progress: ``user_progress`` totals.
        onboarding: values for the ``user_onboarding_state`` row.
        signup: when the user signed up.
    """

    rows: dict[str, list[Row]] = field(default_factory=dict)
    user: Row = field(default_factory=dict)
    wallet: dict[str, int] = field(default_factory=dict)
    progress: dict[str, int] = field(default_factory=dict)
    onboarding: Row = field(default_factory=dict)
    signup: datetime | None = None


def build_user(
    index: int,
    user_id: uuid.UUID,
    catalog: Catalog,
    *,
    seed: int,
    now: datetime,
    days: int,
) -> UserData:
    """Build the rows of demo user ``index`` (1-based; 1 is the showcase user).

    Args:
        index: the user's number (``demo-<index>@ignition.example``).
        user_id: the id :func:`db.auth.users.create_user` gave the user.
        catalog: the seeded catalogs.
        seed: the base seed; this user's draws come from ``random.Random(seed + index)``.
        now: the current time (UTC, aware).
        days: the length of the history in days (>= 1).

    Returns:
        The rows and the values of the rows ``create_user`` made (see :class:`UserData`).
    """
    return _Builder(index, user_id, catalog, random.Random(seed + index), now, days).build()


class _Builder(Profile, Routine, Practice, Studio, Rewards):
    """All the parts of one user's month, run in dependency order by :meth:`build`."""

    def build(self) -> UserData:
        """Run the parts (onboarding answers first: they shape the month; quests after the
        activity they count; the market last), replay the ledger, return the rows."""
        self.onboarding_choices()
        self.auth()
        self.custom_exercise()
        self.habits()
        self.goals()
        self.focus()
        self.learn()
        self.books()
        self.fitness()
        self.reference_tracks()
        self.focus_libraries()
        self.calendar()
        self.notes()
        self.onboarding_rows()
        self.quests()
        self.user_quests()
        self.market()
        result = replay(
            self.uid,
            self.cat,
            self.transitions,
            self.intents,
            now=self.now,
            streak_days=self.streak_days,
        )
        return self.finish(result)

    def finish(self, result: LedgerResult) -> UserData:
        """Add the replay's rows and the values for the rows ``create_user`` made."""
        for table, rows in result.rows.items():
            self.add(table, *rows)
        last = result.last_activity_at or self.signup
        user = {
            "created_at": self.signup,
            "email_verified": self.signup + timedelta(minutes=4),
            "tos_accepted": True,
            "tos_accepted_at": self.signup + timedelta(minutes=2),
            "tos_version": "2024-05-01",
            "last_activity_at": max(last, self.now - timedelta(minutes=5)),
        }
        return UserData(
            rows=self.rows,
            user=user,
            wallet=result.wallet,
            progress=result.progress,
            onboarding=self.onboarding,
            signup=self.signup,
        )
