"""Gamification mutations: support staff's ledger corrections."""

from __future__ import annotations

from typing import Annotated

import strawberry

from db.errors import InsufficientFunds, NotFound
from db.gamification.transitions import AMOUNT, REASON, Grant, grant_points
from schema.core.mutations import IDEMPOTENCY_KEY, Ids, Tx, id_arg, mutation


@strawberry.input(description="A correction of a user's coins, XP or skill stars (any sign).")
class GrantPointsInput:
    user_id: strawberry.ID = strawberry.field(description="The user whose wallet changes.")
    coins: Annotated[int, AMOUNT] = strawberry.field(
        default=0, description="Coins to add (negative: remove)."
    )
    xp: Annotated[int, AMOUNT] = strawberry.field(
        default=0, description="XP to add (negative: remove)."
    )
    skill_key: str | None = strawberry.field(
        default=None, description="The skill that receives `stars` (`skillDefinitions.key`)."
    )
    stars: Annotated[int, AMOUNT] = strawberry.field(
        default=0, description="Skill stars to add to `skillKey` (negative: remove)."
    )
    reason: Annotated[str, REASON] = strawberry.field(
        description="Why, shown in the ledger and the audit log."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@mutation(
    description="Correct a user's coins, XP or skill stars through the points ledger "
    "(support staff; entitlement `wallet:adjust`; recorded in the audit log). A negative grant "
    "cannot take a wallet below zero. The level and coins-earned achievements the grant "
    "reaches unlock at once (their rewards paid too).",
    returns={
        "wallet": "user_wallet?",
        "ledger_entry": "points_ledger?",
        "unlocked_achievement_keys": list[str],
    },
    fields={
        "unlocked_achievement_keys": "The keys (`AchievementDefinition.key`) of the "
        "achievements the grant unlocked for the user, in unlock order (empty when none).",
    },
    errors=(NotFound, InsufficientFunds),
    idempotent=True,
    entitlement="wallet:adjust",
    name="grantPoints",
)
async def grant_points_mutation(tx: Tx, input: GrantPointsInput) -> Ids:
    granted = await grant_points(
        tx.conn,
        Grant(
            user_id=id_arg(input.user_id, "input.userId"),
            coins=input.coins,
            xp=input.xp,
            stars=input.stars,
            skill_key=input.skill_key,
            reason=input.reason,
        ),
        actor=tx.actor,
    )
    return {
        "wallet": granted.posting.wallet.id,
        "ledger_entry": granted.posting.entry_id,
        "unlocked_achievement_keys": [u.achievement_key for u in granted.unlocked],
    }
