"""``grantPoints``: the admin correction, and through it the mutation machinery every economy
mutation shares (typed results, one transaction, idempotency keys, the ledger invariants)."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.bounds import INT4_MAX
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user, invariant_violations, snapshot

GRANT = """
mutation Grant($input: GrantPointsInput!) {
  grantPoints(input: $input) {
    __typename
    ... on GrantPointsSuccess {
      wallet { coins totalEarned totalSpent }
      ledgerEntry { id coins xp reason }
    }
    ... on DomainError { code message }
    ... on InsufficientFunds { needed available }
    ... on InvalidInput { field }
    ... on NotFound { resource }
  }
}
"""


def grant(user_id: uuid.UUID | str, key: str | None = None, **values: object) -> dict[str, object]:
    return {
        "input": {
            "userId": str(user_id),
            "reason": "support ticket 42",
            "idempotencyKey": uuid.uuid4().hex if key is None else key,
            **values,
        }
    }


async def test_admin_grants_coins_and_xp_through_the_ledger(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    result = await mutate(GRANT, grant(user.user_id, coins=120, xp=250), viewer=admin)
    assert result.errors == []
    payload = result.data["grantPoints"]
    assert payload["__typename"] == "GrantPointsSuccess"
    assert payload["wallet"] == {"coins": 120, "totalEarned": 120, "totalSpent": 0}
    assert payload["ledgerEntry"]["coins"] == 120
    async with engine.connect() as conn:
        assert await invariant_violations(conn, [user.user_id]) == []
        level = (
            await conn.execute(
                sa.text("SELECT current_level FROM user_progress WHERE user_id = :u"),
                {"u": user.user_id},
            )
        ).scalar_one()
        assert level == 2  # 250 XP: level 2 starts at 100, level 3 at 300
        audit = (
            await conn.execute(
                sa.text(
                    "SELECT count(*) FROM audit_log WHERE user_id = :a AND action = 'grantPoints'"
                ),
                {"a": admin.user_id},
            )
        ).scalar_one()
        assert audit == 1
        topics = (
            (
                await conn.execute(
                    sa.text("SELECT topic FROM event_outbox WHERE user_id = :u ORDER BY txid, id"),
                    {"u": user.user_id},
                )
            )
            .scalars()
            .all()
        )
        assert topics == ["wallet.changed", "level.up"]


async def test_a_negative_grant_cannot_overdraw(mutate: Mutate, engine: AsyncEngine) -> None:
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    await mutate(GRANT, grant(user.user_id, coins=30), viewer=admin)
    async with engine.connect() as conn:
        before = await snapshot(conn)
    result = await mutate(GRANT, grant(user.user_id, coins=-31), viewer=admin)
    assert result.data["grantPoints"] == {
        "__typename": "InsufficientFunds",
        "code": "INSUFFICIENT_FUNDS",
        "message": "This needs 31 coins; the wallet has 30.",
        "needed": 31,
        "available": 30,
    }
    async with engine.connect() as conn:
        assert await snapshot(conn) == before
        assert await invariant_violations(conn, [user.user_id]) == []


async def test_without_the_entitlement_or_signed_out(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    refused = await mutate(GRANT, grant(user.user_id, coins=5), viewer=user)
    assert refused.data is None
    assert refused.errors == ["`grantPoints` requires the `wallet:adjust` entitlement."]
    anonymous = await mutate(GRANT, grant(user.user_id, coins=5))
    # Signed out, the answer is "sign in" (UNAUTHENTICATED), not "forbidden".
    assert anonymous.data is None
    assert anonymous.errors == ["Sign in first: send `Authorization: Bearer <token>`."]


async def test_bad_input_names_the_field(mutate: Mutate, engine: AsyncEngine) -> None:
    admin = await committed_user(engine, admin=True)
    cases = [
        (grant(admin.user_id, coins=1, reason=""), "input.reason"),
        (grant(admin.user_id), "input"),
        (grant(admin.user_id, coins=10**7), "input.coins"),
        (grant(admin.user_id, key="", coins=1), "input.idempotencyKey"),
        (grant(admin.user_id, key="k" * 256, coins=1), "input.idempotencyKey"),
        (grant(admin.user_id, key="   ", coins=1), "input.idempotencyKey"),
        (grant(admin.user_id, key="\t\n", coins=1), "input.idempotencyKey"),
        (grant(admin.user_id, stars=3), "skillKey"),
        (grant(admin.user_id, stars=3, skillKey="juggling"), "skillKey"),
        (grant("not-a-user-id", coins=1), "input.userId"),
    ]
    for variables, field in cases:
        result = await mutate(GRANT, variables, viewer=admin)
        assert result.data["grantPoints"]["__typename"] == "InvalidInput", variables
        assert result.data["grantPoints"]["field"] == field
    missing = await mutate(GRANT, grant(uuid.uuid4(), coins=1), viewer=admin)
    assert missing.data["grantPoints"]["__typename"] == "NotFound"


async def test_no_stars_of_a_deactivated_skill(mutate: Mutate, engine: AsyncEngine) -> None:
    """A skill staff deactivated takes no new stars from a grant; the refusal changes nothing."""
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    key = f"retired-{uuid.uuid4().hex[:8]}"
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO skill_definitions (key, name, category, is_active) "
                "VALUES (:k, 'Retired', 'creativity', false)"
            ),
            {"k": key},
        )
    try:
        async with engine.connect() as conn:
            before = await snapshot(conn)
        refused = await mutate(GRANT, grant(user.user_id, stars=1, skillKey=key), viewer=admin)
        assert refused.data["grantPoints"]["__typename"] == "InvalidInput"
        assert refused.data["grantPoints"]["field"] == "skillKey"
        async with engine.connect() as conn:
            assert await snapshot(conn) == before
    finally:
        async with engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM skill_definitions WHERE key = :k"), {"k": key})


async def test_totals_at_the_integer_limit_refuse_instead_of_overflowing(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    """Each grant is bounded, but totals grow with every call: a total that would pass what
    its ``integer`` column holds is a typed refusal, not an internal error."""
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    first = await mutate(GRANT, grant(user.user_id, stars=1, skillKey="discipline"), viewer=admin)
    assert first.data["grantPoints"]["__typename"] == "GrantPointsSuccess"
    top = INT4_MAX - 10
    async with engine.begin() as conn:
        for sql in (
            "UPDATE user_wallet SET coins = :t, total_earned = :t, total_spent = 0",
            "UPDATE user_progress SET total_xp = :t, total_skill_stars = :t",
            "UPDATE user_skills SET current_stars = :t",
        ):
            await conn.execute(sa.text(f"{sql} WHERE user_id = :u"), {"t": top, "u": user.user_id})
        # A grant evaluates the level and coins-earned achievements: unlocked beforehand, their
        # rewards are not at stake here, only the grant's own totals.
        await conn.execute(
            sa.text(
                "INSERT INTO user_achievements (user_id, achievement_key) SELECT :u, key "
                "FROM achievement_definitions "
                "WHERE trigger_type IN ('level_reached', 'coins_earned_total')"
            ),
            {"u": user.user_id},
        )
    for values, field in (
        ({"coins": 11}, "coins"),
        ({"xp": 11}, "xp"),
        ({"stars": 11, "skillKey": "discipline"}, "stars"),
        ({"stars": 11, "skillKey": "focus"}, "stars"),  # this skill is new; all stars are not
    ):
        async with engine.connect() as conn:
            before = await snapshot(conn)
        result = await mutate(GRANT, grant(user.user_id, **values), viewer=admin)
        assert result.errors == []
        payload = result.data["grantPoints"]
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), values
        assert "2,147,483,647" in payload["message"]
        async with engine.connect() as conn:
            assert await snapshot(conn) == before
    exact = await mutate(GRANT, grant(user.user_id, coins=10, xp=10), viewer=admin)
    assert exact.data["grantPoints"]["wallet"]["coins"] == INT4_MAX


async def test_idempotency_key_replays_the_first_outcome(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    first = await mutate(GRANT, grant(user.user_id, "k1", coins=40), viewer=admin)
    again = await mutate(GRANT, grant(user.user_id, "k1", coins=40), viewer=admin)
    assert again.data == first.data
    # The same key with other arguments is refused, and changes nothing.
    other = await mutate(GRANT, grant(user.user_id, "k1", coins=41), viewer=admin)
    assert other.data["grantPoints"]["__typename"] == "IdempotencyKeyReused"
    # A typed error is replayed too: the wallet has 40, the key keeps its refusal even after
    # the wallet could pay.
    refused = await mutate(GRANT, grant(user.user_id, "k2", coins=-100), viewer=admin)
    assert refused.data["grantPoints"]["__typename"] == "InsufficientFunds"
    await mutate(GRANT, grant(user.user_id, "k3", coins=100), viewer=admin)
    replayed = await mutate(GRANT, grant(user.user_id, "k2", coins=-100), viewer=admin)
    assert replayed.data == refused.data
    async with engine.connect() as conn:
        coins = (
            await conn.execute(
                sa.text("SELECT coins FROM user_wallet WHERE user_id = :u"), {"u": user.user_id}
            )
        ).scalar_one()
        assert coins == 140
        assert await invariant_violations(conn, [user.user_id]) == []


async def test_concurrent_replays_wait_for_the_first_call(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    variables = grant(user.user_id, "race", coins=7)
    results = await asyncio.gather(*(mutate(GRANT, variables, viewer=admin) for _ in range(12)))
    assert {r.data["grantPoints"]["__typename"] for r in results} == {"GrantPointsSuccess"}
    assert len({r.data["grantPoints"]["ledgerEntry"]["id"] for r in results}) == 1
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.text("SELECT count(*) FROM points_ledger WHERE user_id = :u"),
                {"u": user.user_id},
            )
        ).scalar_one()
        assert rows == 1


async def test_a_grant_that_crosses_a_level_unlocks_its_achievement(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    """1,000 XP is level 5: ``level_5`` unlocks in the grant's own transaction (100 coins)."""
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    query = GRANT.replace(
        "ledgerEntry { id coins xp reason }",
        "ledgerEntry { id coins xp reason } unlockedAchievementKeys",
    )
    result = await mutate(query, grant(user.user_id, xp=1000), viewer=admin)
    assert result.errors == []
    payload = result.data["grantPoints"]
    assert payload["unlockedAchievementKeys"] == ["level_5"]
    assert payload["wallet"] == {"coins": 100, "totalEarned": 100, "totalSpent": 0}
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.text(
                    "SELECT event_type, coins, xp FROM points_ledger WHERE user_id = :u "
                    "ORDER BY created_at, id"
                ),
                {"u": user.user_id},
            )
        ).all()
    assert sorted(map(tuple, rows)) == [("achievement.unlocked", 100, 0), ("admin_grant", 0, 1000)]
    again = await mutate(query, grant(user.user_id, xp=10), viewer=admin)
    assert again.data["grantPoints"]["unlockedAchievementKeys"] == []
    # Support staff holding only wallet:adjust read the keys too (not the user's rows).
    clerk = type(admin)(user_id=admin.user_id, entitlements=frozenset({"wallet:adjust"}))
    other = await committed_user(engine)
    result = await mutate(query, grant(other.user_id, xp=1000), viewer=clerk)
    assert result.errors == []
    assert result.data["grantPoints"]["unlockedAchievementKeys"] == ["level_5"]
    assert result.data["grantPoints"]["wallet"] is None
