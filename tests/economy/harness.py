"""What the economy tests share: committed users, running mutations as the real schema does
(each in its own transaction), the ledger invariants, and snapshots of every table.

Mutations commit (they open their own transaction on the engine), so these tests cannot use the
rolled-back ``db_conn``: each test makes its own users, which nobody else reads, and the
invariants are checked per user.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import metadata
from db.auth.users import create_user
from gateway.auth import Viewer
from gateway.context import Context, Reader
from gateway.settings import Settings


async def committed_user(engine: AsyncEngine, *, admin: bool = False) -> Viewer:
    """A new committed user (wallet, progress, settings: the real transition), as a viewer
    holding the entitlements of their roles."""
    suffix = uuid.uuid4().hex[:10]
    async with engine.begin() as conn:
        user = await create_user(
            conn, email=f"eco-{suffix}@example.com", name=f"Eco {suffix}", admin=admin
        )
        names = (
            await conn.execute(
                sa.text(
                    "SELECT coalesce(array_agg(DISTINCT e.name), '{}') FROM user_roles ur "
                    "JOIN role_entitlements re ON re.role_id = ur.role_id "
                    "JOIN entitlements e ON e.id = re.entitlement_id WHERE ur.user_id = :u"
                ),
                {"u": user.id},
            )
        ).scalar_one()
    return Viewer(user_id=user.id, entitlements=frozenset(names))


@dataclass
class Outcome:
    """A GraphQL result: ``data`` and the error messages."""

    data: Any
    errors: list[str]


async def run(
    schema: strawberry.Schema,
    settings: Settings,
    engine: AsyncEngine,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    viewer: Viewer | None = None,
) -> Outcome:
    """Execute an operation in process the way a request does: a fresh context whose reader
    opens its own pooled connection, closed afterwards."""
    reader = Reader(engine)
    context = Context(settings=settings, engine=engine, reader=reader, viewer=viewer)
    try:
        result = await schema.execute(query, variable_values=variables, context_value=context)
    finally:
        await reader.close()
    return Outcome(result.data, [e.message for e in result.errors or []])


async def invariant_violations(conn: AsyncConnection, user_ids: list[uuid.UUID]) -> list[str]:
    """The ledger invariants of DESIGN.md section 3 that fail for these users (empty: all hold).

    ``wallet.coins = sum(ledger.coins)``, ``coins >= 0``, ``total_earned - total_spent =
    coins``, ``total_earned`` = the positive ledger coins, ``progress.total_xp =
    sum(ledger.xp)``, the level from the XP curve, each skill's stars = its ledger stars, and
    ``total_skill_stars`` = the sum of the skills' stars.
    """
    from db.gamification.levels import level_for_xp, xp_remaining

    problems: list[str] = []
    rows = (
        await conn.execute(
            sa.text(
                """
                SELECT w.user_id, w.coins, w.total_earned, w.total_spent,
                       p.total_xp, p.current_level, p.xp_to_next_level, p.total_skill_stars,
                       coalesce(l.coins, 0) AS ledger_coins, coalesce(l.earned, 0) AS earned,
                       coalesce(l.xp, 0) AS ledger_xp, coalesce(l.stars, 0) AS ledger_stars,
                       coalesce(s.stars, 0) AS skill_stars
                FROM user_wallet w
                JOIN user_progress p ON p.user_id = w.user_id
                LEFT JOIN (SELECT user_id, sum(coins) AS coins,
                                  sum(greatest(coins, 0)) AS earned, sum(xp) AS xp,
                                  sum(skill_stars) AS stars
                           FROM points_ledger GROUP BY user_id) l ON l.user_id = w.user_id
                LEFT JOIN (SELECT user_id, sum(current_stars) AS stars FROM user_skills
                           GROUP BY user_id) s ON s.user_id = w.user_id
                WHERE w.user_id = ANY(:users)
                """
            ),
            {"users": user_ids},
        )
    ).all()
    for r in rows:
        who = str(r.user_id)[:8]
        checks = {
            "coins = sum(ledger.coins)": r.coins == r.ledger_coins,
            "coins >= 0": r.coins >= 0,
            "total_earned - total_spent = coins": r.total_earned - r.total_spent == r.coins,
            "total_xp = sum(ledger.xp)": r.total_xp == r.ledger_xp,
            "level from the XP curve": r.current_level == level_for_xp(r.total_xp),
            "xp_to_next_level from the XP curve": r.xp_to_next_level == xp_remaining(r.total_xp),
            "skill stars = ledger stars": r.skill_stars == r.ledger_stars,
            "total_skill_stars = sum of skills": r.total_skill_stars == r.skill_stars,
        }
        problems += [f"{who}: {name}" for name, ok in checks.items() if not ok]
    per_skill = (
        await conn.execute(
            sa.text(
                """
                SELECT s.user_id, s.skill_key, s.current_stars, coalesce(sum(l.skill_stars), 0)
                FROM user_skills s LEFT JOIN points_ledger l
                  ON l.user_id = s.user_id AND l.skill_key = s.skill_key
                WHERE s.user_id = ANY(:users)
                GROUP BY s.user_id, s.skill_key, s.current_stars
                HAVING s.current_stars <> coalesce(sum(l.skill_stars), 0)
                """
            ),
            {"users": user_ids},
        )
    ).all()
    problems += [f"{str(r[0])[:8]}: skill {r[1]} stars {r[2]} != ledger {r[3]}" for r in per_skill]
    return problems


async def snapshot(conn: AsyncConnection) -> dict[str, int]:
    """Row counts of every table but ``idempotency_keys`` (what a failed mutation must leave
    unchanged), plus the sums of every wallet."""
    counts: dict[str, int] = {}
    for name in sorted(metadata.tables):
        if name == "idempotency_keys":
            continue
        counts[name] = (await conn.execute(sa.text(f'SELECT count(*) FROM "{name}"'))).scalar_one()
    wallet = (
        await conn.execute(
            sa.text(
                "SELECT coalesce(sum(coins), 0), coalesce(sum(total_spent), 0) FROM user_wallet"
            )
        )
    ).one()
    counts["sum(user_wallet.coins)"] = int(wallet[0])
    counts["sum(user_wallet.total_spent)"] = int(wallet[1])
    return counts
