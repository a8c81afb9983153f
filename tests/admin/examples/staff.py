"""Example calls of the account, role, flag, feedback, wallet, refund and sign-in staff
mutations (docs/admin.md), for the entitlement matrix (tests/admin/test_matrix.py). Each
attempt acts on rows of its own, so an allowed attempt succeeds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import metadata
from db.market.transitions import purchase_item
from tests.admin.examples import Example
from tests.e2e.live import new_user
from tests.support.money import fund, make_item


def _hex() -> str:
    return uuid.uuid4().hex[:12]


async def _user_id(engine: AsyncEngine) -> str:
    """A new committed user (with one session), as the ``userId`` of a call."""
    return str((await new_user(engine)).id)


async def _approve(engine: AsyncEngine) -> dict[str, Any]:
    user_id = await _user_id(engine)
    async with engine.begin() as conn:
        await conn.execute(
            sa.update(metadata.tables["users"])
            .where(metadata.tables["users"].c.id == user_id)
            .values(approved=False)
        )
    return {"userId": user_id}


async def _deactivate(engine: AsyncEngine) -> dict[str, Any]:
    return {"userId": await _user_id(engine), "reason": "matrix: abuse report"}


async def _grant_role(engine: AsyncEngine) -> dict[str, Any]:
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    return {"userId": await _user_id(engine), "role": "moderator", "expiresAt": expires}


async def _revoke_role(engine: AsyncEngine) -> dict[str, Any]:
    user_id = await _user_id(engine)
    t = metadata.tables
    async with engine.begin() as conn:
        role = (
            await conn.execute(sa.select(t["roles"].c.id).where(t["roles"].c.name == "moderator"))
        ).scalar_one()
        await conn.execute(sa.insert(t["user_roles"]).values(user_id=user_id, role_id=role))
    return {"userId": user_id, "role": "moderator"}


async def _flag(engine: AsyncEngine) -> dict[str, Any]:
    return {"name": f"matrix_{_hex()}", "enabled": True}


async def _feedback(engine: AsyncEngine) -> dict[str, Any]:
    user_id = await _user_id(engine)
    async with engine.begin() as conn:
        feedback_id = (
            await conn.execute(
                sa.insert(metadata.tables["feedback"])
                .values(user_id=user_id, feedback_type="bug", title="The timer stops")
                .returning(metadata.tables["feedback"].c.id)
            )
        ).scalar_one()
    return {
        "input": {
            "id": str(feedback_id),
            "status": "RESOLVED",
            "priority": "HIGH",
            "adminResponse": "Fixed in the next release.",
        }
    }


async def _grant_points(engine: AsyncEngine) -> dict[str, Any]:
    return {
        "input": {
            "userId": await _user_id(engine),
            "coins": 5,
            "reason": "matrix: goodwill",
            "idempotencyKey": _hex(),
        }
    }


async def _sign_in(engine: AsyncEngine) -> dict[str, Any]:
    suffix = _hex()
    return {
        "input": {
            "provider": "github",
            "providerAccountId": suffix,
            "email": f"matrix-{suffix}@example.com",
            "emailVerified": True,
        }
    }


async def _refund(engine: AsyncEngine) -> dict[str, Any]:
    """Another user's active purchase of a fresh item (funded and bought through the ledger
    and the purchase transition)."""
    buyer = uuid.UUID(await _user_id(engine))
    await fund(engine, buyer, 10)
    item = await make_item(engine)
    async with engine.begin() as conn:
        purchase = await purchase_item(conn, buyer, item)
    return {"id": str(purchase.purchase_id), "reason": "matrix: wrong item", "key": _hex()}


EXAMPLES: dict[str, Example] = {
    "approveUser": Example(
        """mutation ($userId: ID!) { approveUser(userId: $userId) { __typename } }""",
        _approve,
    ),
    "deactivateUser": Example(
        """mutation ($userId: ID!, $reason: String!) {
          deactivateUser(userId: $userId, reason: $reason) { __typename } }""",
        _deactivate,
    ),
    "grantRole": Example(
        """mutation ($userId: ID!, $role: String!, $expiresAt: DateTime) {
          grantRole(userId: $userId, role: $role, expiresAt: $expiresAt) { __typename } }""",
        _grant_role,
    ),
    "revokeRole": Example(
        """mutation ($userId: ID!, $role: String!) {
          revokeRole(userId: $userId, role: $role) { __typename } }""",
        _revoke_role,
    ),
    "setFeatureFlag": Example(
        """mutation ($name: String!, $enabled: Boolean!) {
          setFeatureFlag(name: $name, enabled: $enabled) { __typename } }""",
        _flag,
    ),
    "updateFeedback": Example(
        """mutation ($input: UpdateFeedbackInput!) {
          updateFeedback(input: $input) { __typename } }""",
        _feedback,
    ),
    "grantPoints": Example(
        """mutation ($input: GrantPointsInput!) { grantPoints(input: $input) { __typename } }""",
        _grant_points,
    ),
    "signInWithAccount": Example(
        """mutation ($input: SignInWithAccountInput!) {
          signInWithAccount(input: $input) { __typename } }""",
        _sign_in,
    ),
    "refundPurchase": Example(
        """mutation ($id: ID!, $reason: String!, $key: String!) {
          refundPurchase(id: $id, reason: $reason, idempotencyKey: $key) { __typename } }""",
        _refund,
    ),
}
