"""The entitlement matrix through the real server (docs/admin.md#who-may-do-what): every
mutation declared with an entitlement (its example call from tests/admin/examples/) sent over
HTTP to one ``ignition serve`` process by a ``user``, a ``moderator``, an ``admin`` and an admin
whose role assignment expired. The expected answer comes from the seeded role entitlements with
inheritance (seeds/data/auth/), not from the server: allowed means no ``FORBIDDEN`` (a success,
whose audit row names the actor's session, the request id, the address and the client, or a
domain error that changed nothing); refused means ``FORBIDDEN`` and nothing changed but one
``denied`` audit row."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import metadata
from schema.core.mutations import FORBIDDEN, declared
from tests.admin.examples import Example, collect
from tests.admin.table import held as seeded
from tests.e2e.live import Gateway, User, new_user
from tests.support.harness import assert_denied, snapshot

pytestmark = pytest.mark.e2e

#: The rows of the matrix: the seeded roles a person may hold, and an expired admin.
MEMBERS = ("user", "moderator", "admin", "expired admin")
USER_AGENT = "ignition-matrix/1"


def held(role: str) -> frozenset[str]:
    """What a matrix row's person holds by the seed data (an expired grant grants nothing:
    the ``user`` role's entitlements only)."""
    return seeded("user" if role == "expired admin" else role)


@dataclass(frozen=True)
class Member:
    """A signed-in person of one matrix row."""

    role: str
    user: User
    session_id: uuid.UUID


async def _member(engine: AsyncEngine, role: str) -> Member:
    user = await new_user(engine, admin=role in ("admin", "expired admin"))
    t = metadata.tables
    async with engine.begin() as conn:
        if role == "moderator":
            moderator = (
                await conn.execute(
                    sa.select(t["roles"].c.id).where(t["roles"].c.name == "moderator")
                )
            ).scalar_one()
            await conn.execute(
                sa.insert(t["user_roles"]).values(user_id=user.id, role_id=moderator)
            )
        if role == "expired admin":
            await conn.execute(
                sa.update(t["user_roles"])
                .where(
                    t["user_roles"].c.user_id == user.id,
                    t["user_roles"].c.role_id.in_(
                        sa.select(t["roles"].c.id).where(t["roles"].c.name == "admin")
                    ),
                )
                .values(
                    granted_at=sa.func.now() - sa.text("interval '1 day'"),
                    expires_at=sa.func.now() - sa.text("interval '1 minute'"),
                )
            )
        session_id = (
            await conn.execute(
                sa.select(t["sessions"].c.id).where(t["sessions"].c.user_id == user.id)
            )
        ).scalar_one()
    return Member(role, user, session_id)


@pytest.fixture(scope="module")
async def members(live_engine: AsyncEngine) -> dict[str, Member]:
    return {role: await _member(live_engine, role) for role in MEMBERS}


@pytest.fixture(scope="module")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


async def send(
    client: httpx.AsyncClient, gateway: Gateway, member: Member, example: Example, variables: Any
) -> tuple[dict[str, Any], str]:
    """POST the example as ``member``; the JSON body and the request id sent."""
    request_id = f"matrix-{uuid.uuid4().hex}"
    response = await client.post(
        gateway.http,
        json={"query": example.document, "variables": variables},
        headers={**member.user.auth, "User-Agent": USER_AGENT, "X-Request-ID": request_id},
    )
    assert response.headers["X-Request-ID"] == request_id
    body: dict[str, Any] = response.json()
    return body, request_id


async def audit_row(engine: AsyncEngine, request_id: str, action: str) -> Any:
    """The one ``audit_log`` row of ``action`` the request ``request_id`` wrote."""
    async with engine.connect() as conn:
        return (
            await conn.execute(
                sa.text(
                    "SELECT user_id, session_id, action, status::text AS status, request_id, "
                    "ip_address, user_agent, resource_type, resource_id, details FROM audit_log "
                    "WHERE request_id = :r AND action = :a"
                ),
                {"r": request_id, "a": action},
            )
        ).one()


def test_every_staff_mutation_has_an_example() -> None:
    staff = {name for name, d in declared().items() if d.entitlement is not None}
    examples = collect()
    assert staff - set(examples) == set(), "staff mutations without an example"
    assert set(examples) - set(declared()) == set(), "examples of unknown mutations"


async def test_the_entitlement_matrix(
    live_engine: AsyncEngine,
    gateway: Gateway,
    members: dict[str, Member],
    client: httpx.AsyncClient,
) -> None:
    examples = collect()
    staff = sorted(name for name, d in declared().items() if d.entitlement is not None)
    outcomes: dict[tuple[str, str], str] = {}
    for name in staff:
        entitlement = declared()[name].entitlement
        for role in MEMBERS:
            member = members[role]
            variables = await examples[name].variables(live_engine)
            async with live_engine.connect() as conn:
                before = await snapshot(conn)
            body, request_id = await send(client, gateway, member, examples[name], variables)
            where = f"{name} as {role}: {body}"
            if entitlement not in held(role):
                codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
                assert codes == [FORBIDDEN], where
                async with live_engine.connect() as conn:
                    await assert_denied(conn, before, member.user.id, name)
                outcomes[name, role] = FORBIDDEN
            else:
                assert "errors" not in body, where
                payload = body["data"][name]
                outcomes[name, role] = payload["__typename"]
                if payload["__typename"] != f"{name[:1].upper()}{name[1:]}Success":
                    async with live_engine.connect() as conn:
                        assert await snapshot(conn) == before, where
                    continue
            row = await audit_row(live_engine, request_id, name)
            assert row.user_id == member.user.id, where
            assert row.status == ("denied" if outcomes[name, role] == FORBIDDEN else "success")
            assert (row.session_id, row.request_id, row.ip_address, row.user_agent) == (
                member.session_id,
                request_id,
                "127.0.0.1",
                USER_AGENT,
            ), where
    # Each cell was decided by the seed data; the admin was allowed everything, the others
    # only what their roles hold.
    assert all(outcomes[name, "admin"] != FORBIDDEN for name in staff)
    assert all(outcomes[name, "expired admin"] == FORBIDDEN for name in staff)
    assert len(outcomes) == len(staff) * len(MEMBERS)


async def test_a_refund_for_another_user_needs_market_refund(
    live_engine: AsyncEngine,
    gateway: Gateway,
    members: dict[str, Member],
    client: httpx.AsyncClient,
) -> None:
    """``refundPurchase`` is every user's (their own purchases); another user's purchase is
    refunded only with ``market:refund``, through the ledger, audited with the reason and the
    purchase before and after; without it the purchase is absent (``NotFound``) and nothing
    changes."""
    example = collect()["refundPurchase"]
    for role in MEMBERS:
        member = members[role]
        variables = await example.variables(live_engine)
        async with live_engine.connect() as conn:
            before = await snapshot(conn)
        body, request_id = await send(client, gateway, member, example, variables)
        typename = body["data"]["refundPurchase"]["__typename"]
        if "market:refund" not in held(role):
            assert typename == "NotFound", body
            async with live_engine.connect() as conn:
                assert await snapshot(conn) == before
            continue
        assert typename == "RefundPurchaseSuccess", body
        row = await audit_row(live_engine, request_id, "refundPurchase")
        assert (row.user_id, row.action, row.resource_type, row.resource_id) == (
            member.user.id,
            "refundPurchase",
            "user_purchases",
            variables["id"],
        )
        assert (row.session_id, row.request_id, row.user_agent) == (
            member.session_id,
            request_id,
            USER_AGENT,
        )
        assert row.details["before"] == {
            "status": "active",
            "refunded_at": None,
            "refund_reason": None,
        }
        assert row.details["after"]["status"] == "refunded"
        assert row.details["reason"] == variables["reason"]
        async with live_engine.connect() as conn:
            refunds = (
                await conn.execute(
                    sa.text(
                        "SELECT count(*) FROM points_ledger WHERE event_type = 'market.refund' "
                        "AND event_id = :p"
                    ),
                    {"p": variables["id"]},
                )
            ).scalar_one()
        assert refunds == 1
