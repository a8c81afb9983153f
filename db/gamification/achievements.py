"""Achievements: which definitions a user has reached, and the unlock transition
(docs/design.md#achievements).

A definition (``achievement_definitions``) names a ``trigger_type`` (an
:class:`~db.gamification.models.AchievementTriggerType`) and a ``trigger_config`` holding one
threshold, under the key :data:`THRESHOLD_KEYS` gives for the trigger type (``{"count": 10}``,
``{"minutes": 600}``, ``{"days": 7}``, ``{"level": 5}``, ``{"coins": 1000}``). The achievement
is reached when the user's running value of the trigger is at least the threshold.

The rule is pure (:func:`threshold_of`, :func:`newly_reached`), so the demo generator's
in-memory replay (``seeds/demo/ledger.py``) decides unlocks with the same functions. The
transition :func:`evaluate_achievements` computes the user's values in SQL
(:data:`TRIGGER_VALUES`, one statement), unlocks what is reached, pays the rewards through the
ledger and repeats for ``level_reached`` / ``coins_earned_total`` while a reward moves them.

The running value of each trigger type (what :data:`TRIGGER_VALUES` counts):

=========================== ===============================================================
trigger_type                value
=========================== ===============================================================
focus_sessions_completed    completed focus sessions in ``focus`` mode of at least one whole
                            minute focused (breaks do not count)
focus_minutes_total         whole minutes focused in those sessions (``focused_seconds // 60``
                            each: pauses excluded, early completions count what was focused)
streak_days                 the longest streak of any of the user's ``user_streaks`` rows
level_reached               ``user_progress.current_level``
purchases_made              market purchases ever made (refunded ones too: the coins were
                            spent)
habit_completions           ``habit_completions`` rows
quests_completed            quest completions: activity events ``quest.completed`` (a
                            universal quest reaching its target, once per period) and
                            ``user_quest.completed`` (an own quest completed)
lessons_completed           ``user_lesson_progress`` rows with status ``completed``
drill_attempts              drill questions answered (sum of ``user_drill_stats.total_attempts``)
workouts_completed          ``workout_sessions`` with a ``completed_at``
books_completed             ``books`` with status ``completed``
coins_earned_total          ``user_wallet.total_earned``: coins awarded (a refund gives spent
                            coins back and is not counted: ``ledger.wallet_totals``)
=========================== ===============================================================

Concurrency: :func:`evaluate_achievements` first locks the user's wallet row (the row the ledger
locks first, so the lock order of docs/design.md#ledger holds) and only then counts; two
transitions of one user that cross a threshold together are serialised there, the second one
counts with the first one's rows committed, and ``user_achievements (user_id,
achievement_key)`` plus the ledger key ``achievement:<key>`` make the unlock and its reward
happen once.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.events.outbox import Topic, publish
from db.gamification.ledger import post
from db.gamification.models import AchievementTriggerType as T

#: trigger_type -> the ``trigger_config`` key that holds the threshold.
THRESHOLD_KEYS: dict[str, str] = {
    T.FOCUS_SESSIONS_COMPLETED.value: "count",
    T.FOCUS_MINUTES_TOTAL.value: "minutes",
    T.STREAK_DAYS.value: "days",
    T.LEVEL_REACHED.value: "level",
    T.PURCHASES_MADE.value: "count",
    T.HABIT_COMPLETIONS.value: "count",
    T.QUESTS_COMPLETED.value: "count",
    T.LESSONS_COMPLETED.value: "count",
    T.DRILL_ATTEMPTS.value: "count",
    T.WORKOUTS_COMPLETED.value: "count",
    T.BOOKS_COMPLETED.value: "count",
    T.COINS_EARNED_TOTAL.value: "coins",
}

#: The triggers an award can move (XP -> level, coins -> coins earned): a transition that pays
#: something evaluates these too, and so does an unlock whose reward pays.
AWARD_TRIGGERS: tuple[T, ...] = (T.LEVEL_REACHED, T.COINS_EARNED_TOTAL)

#: The ``activity_events.event_type`` values that count as a quest completion.
QUEST_COMPLETION_EVENTS: tuple[str, ...] = ("quest.completed", "user_quest.completed")

#: trigger_type -> a scalar SQL expression of the user's running value (``:user_id`` bound).
TRIGGER_VALUES: dict[str, str] = {
    # The time actually focused (a session may complete early; rows from before revision
    # 0017 have no focused_seconds and were completed at their planned end); a session counts
    # from one whole minute (db.focus.rules.counts_for_progress).
    T.FOCUS_SESSIONS_COMPLETED.value: (
        "SELECT count(*) FROM focus_sessions "
        "WHERE user_id = :user_id AND status = 'completed' AND mode = 'focus' "
        "AND coalesce(focused_seconds, duration_seconds) >= 60"
    ),
    T.FOCUS_MINUTES_TOTAL.value: (
        "SELECT coalesce(sum(coalesce(focused_seconds, duration_seconds) / 60), 0) "
        "FROM focus_sessions "
        "WHERE user_id = :user_id AND status = 'completed' AND mode = 'focus'"
    ),
    T.STREAK_DAYS.value: (
        "SELECT coalesce(max(longest_streak), 0) FROM user_streaks WHERE user_id = :user_id"
    ),
    T.LEVEL_REACHED.value: "SELECT current_level FROM user_progress WHERE user_id = :user_id",
    T.PURCHASES_MADE.value: "SELECT count(*) FROM user_purchases WHERE user_id = :user_id",
    T.HABIT_COMPLETIONS.value: "SELECT count(*) FROM habit_completions WHERE user_id = :user_id",
    T.QUESTS_COMPLETED.value: (
        "SELECT count(*) FROM activity_events WHERE user_id = :user_id "
        "AND event_type IN ('quest.completed', 'user_quest.completed')"
    ),
    T.LESSONS_COMPLETED.value: (
        "SELECT count(*) FROM user_lesson_progress "
        "WHERE user_id = :user_id AND status = 'completed'"
    ),
    T.DRILL_ATTEMPTS.value: (
        "SELECT coalesce(sum(total_attempts), 0) FROM user_drill_stats WHERE user_id = :user_id"
    ),
    T.WORKOUTS_COMPLETED.value: (
        "SELECT count(*) FROM workout_sessions "
        "WHERE user_id = :user_id AND completed_at IS NOT NULL"
    ),
    T.BOOKS_COMPLETED.value: (
        "SELECT count(*) FROM books WHERE user_id = :user_id AND status = 'completed'"
    ),
    T.COINS_EARNED_TOTAL.value: "SELECT total_earned FROM user_wallet WHERE user_id = :user_id",
}

_definitions = metadata.tables["achievement_definitions"]
_unlocks = metadata.tables["user_achievements"]
_wallet = metadata.tables["user_wallet"]

# The statements of an evaluation, built once (a call binds its values at execution).
_LOCK_WALLET = (
    sa.select(_wallet.c.id).where(_wallet.c.user_id == sa.bindparam("user_id")).with_for_update()
)
_OPEN_RULES = (
    sa.select(_definitions)
    .where(
        _definitions.c.trigger_type.in_(sa.bindparam("triggers", expanding=True)),
        _definitions.c.is_active,
        ~sa.exists().where(
            _unlocks.c.user_id == sa.bindparam("user_id"),
            _unlocks.c.achievement_key == _definitions.c.key,
        ),
    )
    .order_by(_definitions.c.sort_order, _definitions.c.key)
)
_UNLOCK = (
    insert(_unlocks)
    .on_conflict_do_nothing(index_elements=["user_id", "achievement_key"])
    .returning(_unlocks.c.id)
)


@functools.lru_cache(maxsize=len(TRIGGER_VALUES) * 4)
def _trigger_values_query(wanted: tuple[str, ...]) -> sa.TextClause:
    """The statement of :func:`trigger_values` for the sorted trigger types ``wanted`` (one per
    set of types, built once: a :class:`~sqlalchemy.sql.expression.TextClause` parses its
    text for bind parameters when it is made)."""
    columns = ", ".join(f'coalesce(({TRIGGER_VALUES[t]}), 0) AS "{t}"' for t in wanted)
    return sa.text(f"SELECT {columns}")


@dataclass(frozen=True)
class AchievementRule:
    """An achievement definition as the rule sees it.

    Attributes:
        key: ``achievement_definitions.key``.
        name: its display name (the ledger reason says it).
        trigger_type: an :class:`~db.gamification.models.AchievementTriggerType` value.
        threshold: the value of the trigger that unlocks it (0: never unlocks).
        reward_coins: coins paid on unlock.
        reward_xp: XP paid on unlock.
    """

    key: str
    name: str
    trigger_type: str
    threshold: int
    reward_coins: int = 0
    reward_xp: int = 0

    @classmethod
    def from_row(cls, row: Any) -> AchievementRule:
        """The rule of an ``achievement_definitions`` row (any object with its columns)."""
        return cls(
            key=row.key,
            name=row.name,
            trigger_type=str(row.trigger_type),
            threshold=threshold_of(str(row.trigger_type), row.trigger_config),
            reward_coins=int(row.reward_coins),
            reward_xp=int(row.reward_xp),
        )


@dataclass(frozen=True)
class Unlocked:
    """One unlock :func:`evaluate_achievements` made: the ``user_achievements`` row, the key,
    and the reward paid (coins, XP)."""

    user_achievement_id: uuid.UUID
    achievement_key: str
    reward_coins: int
    reward_xp: int


def threshold_of(trigger_type: str, trigger_config: Mapping[str, Any] | None) -> int:
    """The threshold in ``trigger_config`` for ``trigger_type`` (see :data:`THRESHOLD_KEYS`);
    0 (never reached) when the key is missing, not a positive integer, or the trigger type is
    unknown."""
    key = THRESHOLD_KEYS.get(trigger_type)
    value = (trigger_config or {}).get(key) if key else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(0, int(value))


def is_reached(rule: AchievementRule, value: int) -> bool:
    """Whether a user whose running value of ``rule.trigger_type`` is ``value`` has reached
    ``rule`` (a threshold of 0 is never reached)."""
    return rule.threshold > 0 and value >= rule.threshold


def newly_reached(
    rules: Iterable[AchievementRule], values: Mapping[str, int], unlocked: Collection[str]
) -> list[AchievementRule]:
    """The rules reached by ``values`` (trigger type -> running value; a missing type is 0)
    and not in ``unlocked``, in the order given (the catalog's ``sort_order``).

    The demo replay calls this after every transition of every user, so the predicate of
    :func:`is_reached` is inlined here, cheapest test first.
    """
    return [
        r
        for r in rules
        if 0 < r.threshold <= values.get(r.trigger_type, 0) and r.key not in unlocked
    ]


def achievement_ledger_key(achievement_key: str) -> str:
    """The ledger idempotency key of an achievement's reward: ``achievement:<key>``."""
    return f"achievement:{achievement_key}"


async def trigger_values(
    conn: AsyncConnection, user_id: uuid.UUID, triggers: Iterable[str]
) -> dict[str, int]:
    """The user's running value of each trigger type in ``triggers``, in one statement.

    Returns:
        trigger type -> value (0 when the user has no row to count).
    """
    wanted = sorted({str(t) for t in triggers} & TRIGGER_VALUES.keys())
    if not wanted:
        return {}
    row = (await conn.execute(_trigger_values_query(tuple(wanted)), {"user_id": user_id})).one()
    return {t: int(getattr(row, t)) for t in wanted}


async def evaluate_achievements(
    conn: AsyncConnection, user_id: uuid.UUID, triggers: Iterable[T | str]
) -> list[Unlocked]:
    """Unlock the achievements of ``triggers`` that the user has reached, in the caller's
    transaction; call it after the transition's own writes (and ledger postings).

    Each unlock inserts ``user_achievements`` once (``ON CONFLICT (user_id, achievement_key) DO
    NOTHING``), pays ``reward_coins`` / ``reward_xp`` through :func:`~db.gamification.ledger.
    post` (event type ``achievement.unlocked``, ledger key ``achievement:<key>``), appends an
    ``achievement.unlocked`` activity event and publishes ``achievement.unlocked`` (payload
    ``user_achievement_id``, ``achievement_key``). While a reward pays XP or coins, the
    ``level_reached`` and ``coins_earned_total`` definitions are evaluated again, until nothing
    more unlocks.

    Args:
        conn: a connection inside the transition's transaction.
        user_id: whose achievements.
        triggers: the trigger types the transition touched.

    Returns:
        The unlocks, in unlock order (empty when nothing new was reached).
    """
    pending = {str(t) for t in triggers}
    unlocked: list[Unlocked] = []
    if not pending:
        return unlocked
    # Serialise one user's evaluations (see the module docstring): the ledger's first lock.
    await conn.execute(_LOCK_WALLET, {"user_id": user_id})
    while pending:
        rules = await _open_rules(conn, user_id, pending)
        if not rules:
            break
        values = await trigger_values(conn, user_id, {r.trigger_type for r in rules})
        pending = set()
        for rule in newly_reached(rules, values, ()):
            unlock = await _unlock(conn, user_id, rule)
            if unlock is None:
                continue
            unlocked.append(unlock)
            if unlock.reward_coins or unlock.reward_xp:
                pending.update(str(t) for t in AWARD_TRIGGERS)
    return unlocked


async def _open_rules(
    conn: AsyncConnection, user_id: uuid.UUID, triggers: set[str]
) -> list[AchievementRule]:
    """The active definitions of ``triggers`` the user has not unlocked, in catalog order (a
    deactivated achievement unlocks for nobody; the unlocks made stay)."""
    rows = (
        await conn.execute(_OPEN_RULES, {"user_id": user_id, "triggers": sorted(triggers)})
    ).all()
    return [AchievementRule.from_row(r) for r in rows]


async def _unlock(
    conn: AsyncConnection, user_id: uuid.UUID, rule: AchievementRule
) -> Unlocked | None:
    row_id = (
        await conn.execute(_UNLOCK, {"user_id": user_id, "achievement_key": rule.key})
    ).scalar_one_or_none()
    if row_id is None:
        return None
    if rule.reward_coins or rule.reward_xp:
        await post(
            conn,
            user_id,
            event_type="achievement.unlocked",
            event_id=rule.key,
            coins=rule.reward_coins,
            xp=rule.reward_xp,
            reason=f"Achievement unlocked: {rule.name}",
            idempotency_key=achievement_ledger_key(rule.key),
        )
    await record_activity(
        conn,
        user_id,
        "achievement.unlocked",
        "achievement",
        {"user_achievement_id": str(row_id), "achievement_key": rule.key, "name": rule.name},
        xp=rule.reward_xp,
        coins=rule.reward_coins,
    )
    await publish(
        conn,
        Topic.ACHIEVEMENT_UNLOCKED,
        user_id,
        {"user_achievement_id": str(row_id), "achievement_key": rule.key},
    )
    return Unlocked(row_id, rule.key, rule.reward_coins, rule.reward_xp)


__all__ = [
    "AWARD_TRIGGERS",
    "QUEST_COMPLETION_EVENTS",
    "THRESHOLD_KEYS",
    "TRIGGER_VALUES",
    "AchievementRule",
    "Unlocked",
    "achievement_ledger_key",
    "evaluate_achievements",
    "is_reached",
    "newly_reached",
    "threshold_of",
    "trigger_values",
]
