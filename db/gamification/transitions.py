"""Support staff's corrections of a user's coins, XP and skill stars
(``grantPoints``, under the ``wallet:adjust`` entitlement; the admin role's
"wallet corrections", Ignition specification, "Part 7: Seed Data Requirements").

A grant is an award like any other: the level and coins-earned achievements it reaches unlock
in its transaction (:func:`~db.gamification.achievements.evaluate_achievements`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import Actor, audit, record_activity
from db.auth.models import User
from db.bounds import IntRange, Text
from db.errors import InvalidInput, NotFound
from db.gamification.achievements import AWARD_TRIGGERS, Unlocked, evaluate_achievements
from db.gamification.ledger import Posting, post

#: Largest amount one grant may move, in coins or XP (either sign): a typo guard.
MAX_GRANT = 1_000_000
#: Longest reason, in characters.
MAX_REASON = 500
#: The bounds ``grantPoints`` checks and states (:mod:`db.bounds`): each amount, the reason.
AMOUNT = IntRange(-MAX_GRANT, MAX_GRANT)
REASON = Text(MAX_REASON, 1)


@dataclass(frozen=True)
class Grant:
    """A grant to post: the target user, the amounts (coins, XP, stars of ``skill_key``; any
    sign) and the reason shown in the ledger and the audit log."""

    user_id: uuid.UUID
    coins: int = 0
    xp: int = 0
    stars: int = 0
    skill_key: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Granted:
    """What :func:`grant_points` did: the ledger ``posting`` (the target's new balance) and
    the achievements the grant ``unlocked`` (their rewards paid through the ledger too)."""

    posting: Posting
    unlocked: list[Unlocked]


async def grant_points(
    conn: AsyncConnection,
    grant: Grant,
    *,
    actor: Actor,
) -> Granted:
    """Post an admin correction through the ledger, with an audit record, and unlock the
    level and coins-earned achievements it reaches (a negative grant unlocks nothing; what
    was unlocked stays).

    Args:
        conn: a connection inside the mutation's transaction.
        grant: what to post and to whom.
        actor: the admin (entitlement ``wallet:adjust``, checked by the caller), as the
            audit log records them (:func:`db.auth.activity.audit`: ``grantPoints`` on the
            target's ``user_wallet``).

    Returns:
        :class:`Granted`: the ledger posting (the target's new balance) and the unlocks.

    Raises:
        NotFound: no such user (``resource`` ``User``).
        InvalidInput: nothing to grant, an amount past :data:`MAX_GRANT`, an empty or overlong
            reason, an unknown skill or stars of a deactivated one.
        InsufficientFunds: a negative grant larger than the balance (wallets never go below
            zero).
    """
    REASON.check(grant.reason.strip(), "input.reason")
    if not (grant.coins or grant.xp or grant.stars):
        raise InvalidInput("Grant some coins, XP or stars.", field="input")
    for name in ("coins", "xp", "stars"):
        AMOUNT.check(getattr(grant, name), f"input.{name}")
    users = User.__table__
    exists = (
        await conn.execute(sa.select(users.c.id).where(users.c.id == grant.user_id))
    ).scalar_one_or_none()
    if exists is None:
        raise NotFound("There is no such user.", resource="User")
    if grant.stars and grant.skill_key is not None:
        skills = metadata.tables["skill_definitions"]
        active = (
            await conn.execute(sa.select(skills.c.is_active).where(skills.c.key == grant.skill_key))
        ).scalar_one_or_none()
        if active is False:
            # Staff retired the skill (docs/admin.md): stars already earned stay, new ones
            # are not granted. An unknown key is the ledger's refusal.
            raise InvalidInput("That skill is no longer active.", field="skillKey")
    posting = await post(
        conn,
        grant.user_id,
        event_type="admin_grant",
        coins=grant.coins,
        xp=grant.xp,
        stars=grant.stars,
        skill_key=grant.skill_key,
        reason=grant.reason.strip(),
    )
    details = {
        "user_id": str(grant.user_id),
        "coins": grant.coins,
        "xp": grant.xp,
        "stars": grant.stars,
        "skill_key": grant.skill_key,
        "reason": grant.reason.strip(),
        "ledger_entry_id": str(posting.entry_id),
    }
    await audit(
        conn,
        actor,
        action="grantPoints",
        resource_type="user_wallet",
        resource_id=posting.wallet.id,
        details=details,
    )
    await record_activity(
        conn,
        grant.user_id,
        "wallet.adjusted",
        "wallet",
        details,
        xp=grant.xp,
        coins=grant.coins,
    )
    unlocked = await evaluate_achievements(conn, grant.user_id, AWARD_TRIGGERS)
    return Granted(posting, unlocked)
