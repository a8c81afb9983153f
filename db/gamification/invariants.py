"""The ledger invariants of docs/design.md#ledger as one check: what the economy tests assert
after every test and what ``bench/economy.py`` checks at its snapshots while mutations run.

Run it in one snapshot (a REPEATABLE READ transaction, or a connection that sees no concurrent
commits) so that its statements agree with each other.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.gamification.ledger import REFUND_EVENT_TYPES
from db.gamification.levels import level_for_xp, xp_remaining


async def invariant_violations(conn: AsyncConnection, user_ids: list[uuid.UUID]) -> list[str]:
    """The ledger invariants of docs/design.md#ledger that fail for these users (empty: all
    hold).

    ``wallet.coins = sum(ledger.coins)``, ``coins >= 0``, ``total_earned - total_spent =
    coins``, ``total_earned`` = the positive ledger coins of awards (refunds excluded: a refund
    gives spent coins back, it is not income), ``total_spent`` = minus the negative ledger
    coins less the refunded ones (the rule of :func:`db.gamification.ledger.wallet_totals`),
    ``progress.total_xp = sum(ledger.xp)``, the level from the XP curve, each skill's stars =
    its ledger stars, and ``total_skill_stars`` = the sum of the skills' stars.
    """
    problems: list[str] = []
    rows = (
        await conn.execute(
            sa.text(
                """
                SELECT w.user_id, w.coins, w.total_earned, w.total_spent,
                       p.total_xp, p.current_level, p.xp_to_next_level, p.total_skill_stars,
                       coalesce(l.coins, 0) AS ledger_coins, coalesce(l.earned, 0) AS earned,
                       coalesce(l.spent, 0) AS spent,
                       coalesce(l.xp, 0) AS ledger_xp, coalesce(l.stars, 0) AS ledger_stars,
                       coalesce(s.stars, 0) AS skill_stars
                FROM user_wallet w
                JOIN user_progress p ON p.user_id = w.user_id
                LEFT JOIN (SELECT user_id, sum(coins) AS coins,
                                  sum(greatest(coins, 0)) FILTER (
                                      WHERE event_type <> ALL(:refunds)) AS earned,
                                  sum(greatest(-coins, 0)) FILTER (
                                      WHERE event_type <> ALL(:refunds))
                                  - coalesce(sum(coins) FILTER (
                                      WHERE event_type = ANY(:refunds)), 0) AS spent,
                                  sum(xp) AS xp, sum(skill_stars) AS stars
                           FROM points_ledger GROUP BY user_id) l ON l.user_id = w.user_id
                LEFT JOIN (SELECT user_id, sum(current_stars) AS stars FROM user_skills
                           GROUP BY user_id) s ON s.user_id = w.user_id
                WHERE w.user_id = ANY(:users)
                """
            ),
            {"users": user_ids, "refunds": sorted(REFUND_EVENT_TYPES)},
        )
    ).all()
    for r in rows:
        who = str(r.user_id)[:8]
        checks = {
            "coins = sum(ledger.coins)": r.coins == r.ledger_coins,
            "coins >= 0": r.coins >= 0,
            "total_earned - total_spent = coins": r.total_earned - r.total_spent == r.coins,
            "total_earned = awarded ledger coins": r.total_earned == r.earned,
            "total_spent = spent ledger coins less refunds": r.total_spent == r.spent,
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


__all__ = ["invariant_violations"]
