"""The ledger: the one place that moves coins, XP and skill stars (docs/design.md#ledger).

Every change is one ``points_ledger`` row plus the matching update of ``user_wallet``,
``user_progress`` and ``user_skills``, in the caller's transaction. The wallet changes with one
atomic ``UPDATE ... WHERE coins + :change >= 0 RETURNING``, which takes the wallet's row lock
and refuses to go below zero, so concurrent spends on one wallet serialise on that row and
cannot overdraw it. After every commit:

- ``user_wallet.coins = sum(points_ledger.coins)``, ``coins >= 0``,
  ``total_earned - total_spent = coins``; ``total_earned`` is what was awarded (the positive
  changes other than refunds), ``total_spent`` what was spent and not given back (minus the
  negative changes, less the refunds): a refund returns coins spent, it is not income
  (:func:`wallet_totals`; the row's ``event_type`` says it is a refund,
  :data:`REFUND_EVENT_TYPES`);
- ``user_progress.total_xp = sum(points_ledger.xp)``, with ``current_level`` and
  ``xp_to_next_level`` from :mod:`db.gamification.levels`;
- each ``user_skills.current_stars`` = the sum of its ledger stars, ``current_level`` =
  ``min(max_level, stars // stars_per_level)`` of its definition, and
  ``user_progress.total_skill_stars`` = the sum over all skills.

Level-ups and skill level-ups append an ``activity_events`` row and publish ``level.up`` /
``skill.level.up``; a change of coins publishes ``wallet.changed``.

Lock order: a transition locks the rows of its own domain first (the market item, the focus
session, the quest), then posts to the ledger (wallet, then progress, then skills), so two
transitions never wait for each other in opposite orders.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.bounds import INT4_MAX
from db.errors import InsufficientFunds, InvalidInput
from db.events.outbox import Topic, publish
from db.gamification.levels import level_for_xp, xp_remaining

_ledger = metadata.tables["points_ledger"]
_wallet = metadata.tables["user_wallet"]
_progress = metadata.tables["user_progress"]
_skills = metadata.tables["user_skills"]
_skill_defs = metadata.tables["skill_definitions"]


def _big(column: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    """``column`` as ``bigint``: a sum with it is compared before it is stored, so it cannot
    overflow ``integer`` on the way."""
    return sa.cast(column, sa.BigInteger)


# The statements of a posting, built once (docs/design.md#write-statements-built-once): a
# transition binds its values at execution, so a posting pays neither the construction of its
# statements nor their cache keys (memoised on the statement), only the lookup of the compiled
# form in the engine's cache. Every bind parameter has a name of its own, so each gets the type
# of its place in the statement, as an inline literal would.
_arg = sa.bindparam
_WALLET_COLUMNS = (_wallet.c.id, _wallet.c.coins, _wallet.c.total_earned, _wallet.c.total_spent)
_READ_WALLET = sa.select(*_WALLET_COLUMNS).where(_wallet.c.user_id == _arg("owner"))
_READ_COINS = sa.select(_wallet.c.coins).where(_wallet.c.user_id == _arg("owner"))
_MOVE_COINS = (
    sa.update(_wallet)
    .where(
        _wallet.c.user_id == _arg("owner"),
        _big(_wallet.c.coins) + _arg("coins_check") >= 0,
        _big(_wallet.c.total_earned) + _arg("earned_check") <= INT4_MAX,
        _big(_wallet.c.total_spent) + _arg("spent_check") <= INT4_MAX,
    )
    .values(
        coins=_wallet.c.coins + _arg("coins_change"),
        total_earned=_wallet.c.total_earned + _arg("earned_change"),
        total_spent=_wallet.c.total_spent + _arg("spent_change"),
        updated_at=sa.func.now(),
    )
    .returning(*_WALLET_COLUMNS)
)
_READ_PROGRESS = sa.select(_progress.c.total_xp, _progress.c.current_level).where(
    _progress.c.user_id == _arg("owner")
)
# RETURNING shows the new total_xp and the level as it was before this statement.
_MOVE_XP = (
    sa.update(_progress)
    .where(
        _progress.c.user_id == _arg("owner"),
        _big(_progress.c.total_xp) + _arg("xp_low") >= 0,
        _big(_progress.c.total_xp) + _arg("xp_high") <= INT4_MAX,
    )
    .values(total_xp=_progress.c.total_xp + _arg("xp_change"), updated_at=sa.func.now())
    .returning(_progress.c.total_xp, _progress.c.current_level)
)
_SET_LEVEL = (
    sa.update(_progress)
    .where(_progress.c.user_id == _arg("owner"))
    .values(current_level=_arg("level"), xp_to_next_level=_arg("xp_remaining"))
)
_READ_SKILL_DEFINITION = sa.select(_skill_defs.c.max_level, _skill_defs.c.stars_per_level).where(
    _skill_defs.c.key == _arg("skill")
)
_one_skill = (_skills.c.user_id == _arg("owner"), _skills.c.skill_key == _arg("skill"))
_LOCK_SKILL = sa.select(_skills.c.current_level).where(*_one_skill).with_for_update()
# A plain UPDATE for a negative change: an INSERT ... ON CONFLICT would check the negative
# proposed row against the CHECK constraint before it finds the conflict.
_TAKE_STARS = (
    sa.update(_skills)
    .where(*_one_skill, _skills.c.current_stars + _arg("stars_check") >= 0)
    .values(current_stars=_skills.c.current_stars + _arg("stars_change"), updated_at=sa.func.now())
    .returning(_skills.c.current_stars)
)
_ADD_STARS = (
    insert(_skills)
    .values(
        user_id=_arg("new_user_id"),
        skill_key=_arg("new_skill_key"),
        current_stars=_arg("new_stars"),
        current_level=0,
    )
    .on_conflict_do_update(
        index_elements=["user_id", "skill_key"],
        set_={
            "current_stars": _skills.c.current_stars + _arg("stars_change"),
            "updated_at": sa.func.now(),
        },
        where=_big(_skills.c.current_stars) + _arg("stars_check") <= INT4_MAX,
    )
    .returning(_skills.c.current_stars)
)
_SET_SKILL_LEVEL = sa.update(_skills).where(*_one_skill).values(current_level=_arg("level"))
_TOTAL_STARS = (
    sa.update(_progress)
    .where(
        _progress.c.user_id == _arg("owner"),
        _big(_progress.c.total_skill_stars) + _arg("stars_check") <= INT4_MAX,
    )
    .values(total_skill_stars=_progress.c.total_skill_stars + _arg("stars_change"))
)
#: The ledger row; its values are bound at execution (every column, each time).
_INSERT_ENTRY = sa.insert(_ledger).returning(_ledger.c.id, _ledger.c.created_at)


#: The ledger ``event_type`` values of refunds: coins given back for a spend (a market purchase
#: refunded), which lower ``total_spent`` instead of raising ``total_earned``.
REFUND_EVENT_TYPES: frozenset[str] = frozenset({"market.refund"})


def wallet_totals(event_type: str, coins: int) -> tuple[int, int]:
    """``(earned, spent)``: how a ledger row of ``event_type`` moving ``coins`` (either sign)
    changes ``user_wallet.total_earned`` and ``total_spent``, in coins.

    An award adds to ``total_earned``, a spend to ``total_spent``; a refund (an event type of
    :data:`REFUND_EVENT_TYPES`) takes its coins off ``total_spent`` and earns nothing, so the
    coins-earned achievements count awards only. ``earned - spent`` is always ``coins``.
    """
    if event_type in REFUND_EVENT_TYPES:
        return 0, -coins
    return max(coins, 0), max(-coins, 0)


@dataclass(frozen=True)
class Wallet:
    """A wallet after a posting: ``coins`` (the balance), ``total_earned``, ``total_spent``,
    all in coins; ``id`` is the ``user_wallet`` row."""

    id: uuid.UUID
    coins: int
    total_earned: int
    total_spent: int


@dataclass(frozen=True)
class Posting:
    """What :func:`post` did.

    Attributes:
        entry_id: the new ``points_ledger`` row.
        created_at: its timestamp.
        wallet: the wallet after the posting.
        total_xp: the user's XP after the posting.
        level_before: the level before (from ``user_progress``).
        level_after: the level after.
        skill_level_before: the skill's level before (None without stars).
        skill_level_after: the skill's level after (None without stars).
    """

    entry_id: uuid.UUID
    created_at: datetime
    wallet: Wallet
    total_xp: int
    level_before: int
    level_after: int
    skill_level_before: int | None = None
    skill_level_after: int | None = None

    @property
    def leveled_up(self) -> bool:
        return self.level_after > self.level_before


async def post(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    event_type: str,
    coins: int = 0,
    xp: int = 0,
    stars: int = 0,
    skill_key: str | None = None,
    event_id: str | None = None,
    reason: str | None = None,
    idempotency_key: str | None = None,
) -> Posting:
    """Post one ledger entry and update the wallet, progress and skill it touches.

    Args:
        conn: a connection inside the transition's transaction.
        user_id: whose ledger.
        event_type: what caused it (``focus_session``, ``purchase``, ``refund``,
            ``achievement``, ``habit``, ``quest``, ``admin_grant``, ...).
        coins: the change of the balance, in coins (negative for a spend).
        xp: the change of XP (negative only for reversals and admin corrections).
        stars: skill stars (needs ``skill_key``; negative only for reversals).
        skill_key: the ``skill_definitions.key`` the stars go to.
        event_id: the id of the row that caused it (the focus session id, the purchase id).
        reason: a human-readable reason shown in the ledger.
        idempotency_key: the ledger row's natural key, unique per user
            (``focus_session:<id>``): a second posting with the same key violates
            ``uq_points_ledger_user_id_idempotency_key``, so an award cannot be paid twice.

    Returns:
        The :class:`Posting` (the new balance, XP and levels).

    Raises:
        InsufficientFunds: a spend larger than the balance (``needed`` = ``-coins``).
        InvalidInput: XP or stars that would go below zero (``field`` ``xp``/``stars``), a
            total (coins earned or spent, XP, a skill's or all stars) that would go past
            :data:`~db.bounds.INT4_MAX`, the most its ``integer`` column holds (``field``
            ``coins``/``xp``/``stars``; the sums are compared in ``bigint``, so they cannot
            overflow on the way), or stars without a skill.
    """
    if stars and not skill_key:
        raise InvalidInput("Skill stars need a skill.", field="skillKey")
    wallet = await _move_coins(conn, user_id, coins, event_type)
    total_xp, level_before, level_after = await _move_xp(conn, user_id, xp)
    skill_before = skill_after = None
    if stars:
        assert skill_key is not None
        skill_before, skill_after = await _move_stars(conn, user_id, skill_key, stars)
    entry = (
        await conn.execute(
            _INSERT_ENTRY,
            {
                "user_id": user_id,
                "event_type": event_type,
                "event_id": event_id,
                "coins": coins,
                "xp": xp,
                "skill_stars": stars,
                "skill_key": skill_key,
                "reason": reason,
                "idempotency_key": idempotency_key,
            },
        )
    ).one()
    if coins:
        await publish(
            conn,
            Topic.WALLET_CHANGED,
            user_id,
            {
                "ledger_entry_id": str(entry.id),
                "wallet_id": str(wallet.id),
                "coins": coins,
                "balance": wallet.coins,
            },
        )
    if level_after > level_before:
        await record_activity(
            conn,
            user_id,
            "level.up",
            "progress",
            {"level": level_after, "previous_level": level_before, "total_xp": total_xp},
        )
        await publish(
            conn,
            Topic.LEVEL_UP,
            user_id,
            {"level": level_after, "previous_level": level_before, "total_xp": total_xp},
        )
    if skill_after is not None and skill_before is not None and skill_after > skill_before:
        details = {"skill_key": skill_key, "level": skill_after, "previous_level": skill_before}
        await record_activity(conn, user_id, "skill.level.up", "progress", details)
        await publish(conn, Topic.SKILL_LEVEL_UP, user_id, details)
    return Posting(
        entry_id=entry.id,
        created_at=entry.created_at,
        wallet=wallet,
        total_xp=total_xp,
        level_before=level_before,
        level_after=level_after,
        skill_level_before=skill_before,
        skill_level_after=skill_after,
    )


async def _move_coins(
    conn: AsyncConnection, user_id: uuid.UUID, coins: int, event_type: str
) -> Wallet:
    if coins == 0:
        current = (await conn.execute(_READ_WALLET, {"owner": user_id})).one()
        return Wallet(*current)
    earned, spent = wallet_totals(event_type, coins)
    row = (
        await conn.execute(
            _MOVE_COINS,
            {
                "owner": user_id,
                "coins_check": coins,
                "earned_check": earned,
                "spent_check": spent,
                "coins_change": coins,
                "earned_change": earned,
                "spent_change": spent,
            },
        )
    ).one_or_none()
    if row is None:
        available = (await conn.execute(_READ_COINS, {"owner": user_id})).scalar_one()
        if available + coins >= 0:
            raise InvalidInput(_PAST_MAX.format(f"{INT4_MAX:,} coins"), field="coins")
        raise InsufficientFunds(
            f"This needs {-coins} coins; the wallet has {available}.",
            needed=-coins,
            available=int(available),
        )
    return Wallet(*row)


async def _move_xp(conn: AsyncConnection, user_id: uuid.UUID, xp: int) -> tuple[int, int, int]:
    """``(total_xp, level_before, level_after)`` after adding ``xp``."""
    if xp == 0:
        row = (await conn.execute(_READ_PROGRESS, {"owner": user_id})).one()
        return int(row.total_xp), int(row.current_level), int(row.current_level)
    moved = (
        await conn.execute(
            _MOVE_XP, {"owner": user_id, "xp_low": xp, "xp_high": xp, "xp_change": xp}
        )
    ).one_or_none()
    if moved is None:
        if xp > 0:
            raise InvalidInput(_PAST_MAX.format(f"{INT4_MAX:,} XP"), field="xp")
        raise InvalidInput("This would take the total XP below zero.", field="xp")
    total, before = int(moved.total_xp), int(moved.current_level)
    after = level_for_xp(total)
    await conn.execute(
        _SET_LEVEL, {"owner": user_id, "level": after, "xp_remaining": xp_remaining(total)}
    )
    return total, before, after


async def _move_stars(
    conn: AsyncConnection, user_id: uuid.UUID, skill_key: str, stars: int
) -> tuple[int, int]:
    """``(level_before, level_after)`` of the skill after adding ``stars``."""
    definition = (await conn.execute(_READ_SKILL_DEFINITION, {"skill": skill_key})).one_or_none()
    if definition is None:
        raise InvalidInput(f"There is no skill {skill_key!r}.", field="skillKey")
    skill = {"owner": user_id, "skill": skill_key}
    before = (await conn.execute(_LOCK_SKILL, skill)).scalar_one_or_none()
    if before is None and stars < 0:
        raise InvalidInput("This would take the skill's stars below zero.", field="stars")
    change = {"stars_check": stars, "stars_change": stars}
    if stars < 0:
        row = (await conn.execute(_TAKE_STARS, {**skill, **change})).one_or_none()
    else:
        new = {"new_user_id": user_id, "new_skill_key": skill_key, "new_stars": stars}
        row = (await conn.execute(_ADD_STARS, {**new, **change})).one_or_none()
    if (row is None or row.current_stars < 0) and stars > 0:
        raise InvalidInput(_PAST_MAX.format(f"{INT4_MAX:,} stars"), field="stars")
    if row is None or row.current_stars < 0:
        raise InvalidInput("This would take the skill's stars below zero.", field="stars")
    level = skill_level(int(row.current_stars), definition.stars_per_level, definition.max_level)
    await conn.execute(_SET_SKILL_LEVEL, {**skill, "level": level})
    totalled = await conn.execute(_TOTAL_STARS, {"owner": user_id, **change})
    if totalled.rowcount == 0:
        raise InvalidInput(_PAST_MAX.format(f"{INT4_MAX:,} stars in all"), field="stars")
    return int(before or 0), level


#: The refusal of a posting whose total would not fit its ``integer`` column.
_PAST_MAX = "This would take the total past {}, the most it can hold."


def skill_level(stars: int, stars_per_level: int, max_level: int) -> int:
    """A skill's level from its stars: one level per ``stars_per_level`` stars, at most
    ``max_level`` (``skill_definitions``; Ignition specification,
    "Section 4: Gamification Tables")."""
    return min(max_level, stars // stars_per_level)


__all__ = ["REFUND_EVENT_TYPES", "Posting", "Wallet", "post", "skill_level", "wallet_totals"]
