"""What the mutation tests of every domain share: committed users, running mutations as the
real schema does (each in its own transaction), the ledger invariants, and snapshots of every
table.

Mutations commit (they open their own transaction on the engine), so these tests cannot use the
rolled-back ``db_conn``: each test makes its own users, which nobody else reads, and the
invariants are checked per user.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import metadata
from db.auth.users import create_user
from db.auth.viewer import Viewer
from db.gamification.invariants import invariant_violations
from gateway.settings import Settings
from tests.support.requests import run_request


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
    """A GraphQL result: ``data``, the error messages and their ``extensions.code``s."""

    data: Any
    errors: list[str]
    codes: list[Any] = field(default_factory=list)


async def run(
    schema: strawberry.Schema,
    settings: Settings,
    engine: AsyncEngine,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    viewer: Viewer | None = None,
) -> Outcome:
    """Execute an operation in process the way a request does
    (:func:`tests.support.requests.run_request`: a fresh context whose reader opens its own
    pooled connection, closed afterwards)."""
    result, _ = await run_request(schema, settings, engine, query, variables, viewer)
    errors = result.errors or []
    return Outcome(
        result.data,
        [e.message for e in errors],
        [(e.extensions or {}).get("code") for e in errors],
    )


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


async def assert_denied(
    conn: AsyncConnection, before: dict[str, int], actor_id: uuid.UUID, action: str
) -> None:
    """A staff mutation was refused: the database is as ``before`` (a :func:`snapshot`) but
    for one new ``audit_log`` row, status ``denied``, of ``actor_id`` and ``action``."""
    assert await snapshot(conn) == {**before, "audit_log": before["audit_log"] + 1}
    row = (
        await conn.execute(
            sa.text(
                "SELECT user_id, action, status::text FROM audit_log "
                "ORDER BY created_at DESC, id DESC LIMIT 1"
            )
        )
    ).one()
    assert (row.user_id, row.action, row.status) == (actor_id, action, "denied")


#: The ``mutate`` fixture (``tests/support/fixtures.py``): ``mutate(query, variables,
#: viewer=...)`` runs an operation in its own request context.
Mutate = Callable[..., Awaitable[Outcome]]


async def unchanged(
    engine: AsyncEngine,
    mutate: Mutate,
    query: str,
    variables: dict[str, Any] | None,
    viewer: Viewer | None,
) -> dict[str, Any]:
    """Run a mutation that must be refused: it answers without a GraphQL error, and every
    table is the same afterwards (:func:`snapshot`; the idempotency key's record aside).

    Returns:
        The mutation's payload (the typed error, e.g. ``{"__typename": "NotFound", ...}``).
    """
    async with engine.connect() as conn:
        before = await snapshot(conn)
    result = await mutate(query, variables, viewer=viewer)
    assert result.errors == [], result.errors
    payload: dict[str, Any] = next(iter(result.data.values()))
    async with engine.connect() as conn:
        assert await snapshot(conn) == before, payload
    return payload


async def refused(
    engine: AsyncEngine,
    mutate: Mutate,
    query: str,
    variables: dict[str, Any] | None,
    viewer: Viewer,
) -> dict[str, Any]:
    """Run a mutation that must be refused with a domain error (:func:`unchanged`, and the
    payload carries its ``code``); returns the payload (the error object)."""
    payload = await unchanged(engine, mutate, query, variables, viewer)
    assert "code" in payload, payload
    return payload


__all__ = [
    "Mutate",
    "Outcome",
    "committed_user",
    "invariant_violations",
    "refused",
    "run",
    "snapshot",
    "unchanged",
]
