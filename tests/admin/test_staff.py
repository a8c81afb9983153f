"""The account, role, flag and feedback staff mutations and the audit-log read, in process
(each mutation in its own committed transaction; viewers signed in by their tokens, so their
entitlements are what the sign-in statement computes: roles, inheritance, expiry)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import metadata
from db.auth.viewer import Viewer, viewer_for_token
from db.platform.models import FeedbackStatus
from db.platform.rules import resolved_at_change
from tests.auth.harness import new_account, signed_in
from tests.support.harness import Mutate, snapshot, unchanged

t = metadata.tables


async def viewer(engine: AsyncEngine, token: str) -> Viewer | None:
    """The viewer ``token`` signs in now, or None (the real sign-in statement)."""
    async with engine.begin() as conn:
        return await viewer_for_token(conn, token)


async def audit_rows(engine: AsyncEngine, action: str, resource_id: object) -> list[Any]:
    async with engine.connect() as conn:
        return list(
            (
                await conn.execute(
                    sa.select(t["audit_log"])
                    .where(
                        t["audit_log"].c.action == action,
                        t["audit_log"].c.resource_id == str(resource_id),
                    )
                    .order_by(t["audit_log"].c.created_at)
                )
            ).all()
        )


def without_time(fields: dict[str, Any]) -> dict[str, Any]:
    """An audit row's fields but ``updated_at`` (the row's own clock moves with any change)."""
    return {k: v for k, v in fields.items() if k != "updated_at"}


SIGN_IN = """mutation ($input: SignInWithAccountInput!) { signInWithAccount(input: $input) {
  __typename ... on SignInWithAccountSuccess { token user { id } }
  ... on InvalidState { status } } }"""
DEACTIVATE = """mutation ($u: ID!, $r: String!) { deactivateUser(userId: $u, reason: $r) {
  __typename ... on DeactivateUserSuccess { sessionsEnded user { id deactivatedAt approved } }
  ... on InvalidInput { field } } }"""
APPROVE = """mutation ($u: ID!) { approveUser(userId: $u) {
  __typename ... on ApproveUserSuccess { user { approved deactivatedAt } } } }"""
GRANT = """mutation ($u: ID!, $r: String!, $e: DateTime) {
  grantRole(userId: $u, role: $r, expiresAt: $e) { __typename
    ... on InvalidInput { field } ... on NotFound { resource } } }"""
REVOKE = """mutation ($u: ID!, $r: String!) { revokeRole(userId: $u, role: $r) { __typename
  ... on InvalidInput { field } ... on NotFound { resource } } }"""


async def test_a_deactivated_user_is_signed_out_everywhere_until_approved_again(
    engine: AsyncEngine, mutate: Mutate
) -> None:
    server = (await new_account(engine, "auth_server"))[0]
    admin = (await new_account(engine, admin=True))[0]
    identity = {
        "provider": "github",
        "providerAccountId": uuid.uuid4().hex,
        "email": f"person-{uuid.uuid4().hex[:8]}@example.com",
        "emailVerified": True,
    }
    first = (await mutate(SIGN_IN, {"input": identity}, viewer=server)).data["signInWithAccount"]
    second = (await mutate(SIGN_IN, {"input": identity}, viewer=server)).data["signInWithAccount"]
    person = first["user"]["id"]
    assert await viewer(engine, first["token"]) is not None

    own = await mutate(DEACTIVATE, {"u": str(admin.user_id), "r": "oops"}, viewer=admin)
    assert own.data["deactivateUser"] == {"__typename": "InvalidInput", "field": "userId"}
    done = (await mutate(DEACTIVATE, {"u": person, "r": "spam"}, viewer=admin)).data
    payload = done["deactivateUser"]
    assert payload["sessionsEnded"] == 2
    assert payload["user"]["approved"] is False and payload["user"]["deactivatedAt"] is not None
    assert await viewer(engine, first["token"]) is None
    assert await viewer(engine, second["token"]) is None
    again = await unchanged(engine, mutate, SIGN_IN, {"input": identity}, server)
    assert again == {"__typename": "InvalidState", "status": "deactivated"}
    [row] = await audit_rows(engine, "deactivateUser", person)
    assert row.user_id == admin.user_id
    assert row.details["reason"] == "spam" and row.details["sessions_ended"] == 2
    assert row.details["before"] == {"approved": True, "deactivated_at": None}

    approved = (await mutate(APPROVE, {"u": person}, viewer=admin)).data["approveUser"]
    assert approved["user"] == {"approved": True, "deactivatedAt": None}
    back = (await mutate(SIGN_IN, {"input": identity}, viewer=server)).data["signInWithAccount"]
    assert back["__typename"] == "SignInWithAccountSuccess"
    assert await viewer(engine, back["token"]) is not None


async def test_a_granted_role_counts_with_its_ancestors_until_it_expires_or_is_revoked(
    engine: AsyncEngine, mutate: Mutate
) -> None:
    admin = (await new_account(engine, admin=True))[0]
    member, token = await new_account(engine)
    target = str(member.user_id)
    assert member.entitlements == frozenset()

    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    bad = await unchanged(engine, mutate, GRANT, {"u": target, "r": "moderator", "e": past}, admin)
    assert bad == {"__typename": "InvalidInput", "field": "expiresAt"}
    unknown = await unchanged(engine, mutate, GRANT, {"u": target, "r": "wizard"}, admin)
    assert unknown == {"__typename": "NotFound", "resource": "Role"}

    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    granted = await mutate(GRANT, {"u": target, "r": "moderator", "e": soon}, viewer=admin)
    assert granted.data["grantRole"]["__typename"] == "GrantRoleSuccess"
    moderator = await signed_in(engine, token)
    assert {"feedback:read", "feedback:moderate", "audit_log:read"} <= moderator.entitlements
    assert "market:refund" not in moderator.entitlements
    assert "wallet:adjust" not in moderator.entitlements
    listed = await mutate("{ allFeedback { totalCount } }", viewer=moderator)
    assert listed.errors == []

    # Expiry: the grant stops counting at expires_at (time travelled in the database).
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE user_roles SET granted_at = now() - interval '2 days', "
                "expires_at = now() - interval '1 second' WHERE user_id = :u "
                "AND role_id = (SELECT id FROM roles WHERE name = 'moderator')"
            ),
            {"u": member.user_id},
        )
    expired = await signed_in(engine, token)
    assert expired.entitlements == frozenset()
    assert (await mutate("{ allFeedback { totalCount } }", viewer=expired)).errors != []

    # Inheritance: a role without entitlements of its own whose parent is moderator.
    child = f"helper_{uuid.uuid4().hex[:8]}"
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO roles (name, description, parent_role_id) "
                "SELECT :n, 'test role', id FROM roles WHERE name = 'moderator'"
            ),
            {"n": child},
        )
    try:
        await mutate(GRANT, {"u": target, "r": child}, viewer=admin)
        heir = await signed_in(engine, token)
        assert {"feedback:read", "feedback:moderate", "catalog:manage"} <= heir.entitlements
        revoked = await mutate(REVOKE, {"u": target, "r": child}, viewer=admin)
        assert revoked.data["revokeRole"]["__typename"] == "RevokeRoleSuccess"
        assert (await signed_in(engine, token)).entitlements == frozenset()
        again = await unchanged(engine, mutate, REVOKE, {"u": target, "r": child}, admin)
        assert again == {"__typename": "NotFound", "resource": "UserRole"}
    finally:  # the test database is shared: the seeded roles only, for the seed tests
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "DELETE FROM user_roles WHERE role_id = (SELECT id FROM roles WHERE name = :n)"
                ),
                {"n": child},
            )
            await conn.execute(sa.text("DELETE FROM roles WHERE name = :n"), {"n": child})
    base = await unchanged(engine, mutate, REVOKE, {"u": target, "r": "user"}, admin)
    assert base == {"__typename": "InvalidInput", "field": "role"}
    [grant] = await audit_rows(engine, "grantRole", f"{target}:moderator")
    assert grant.details["role"] == "moderator" and grant.details["before"] == {}
    assert grant.details["after"]["granted_by"] == str(admin.user_id)


UPDATE_FEEDBACK = """mutation ($input: UpdateFeedbackInput!) { updateFeedback(input: $input) {
  __typename ... on UpdateFeedbackSuccess { feedback { status priority adminResponse resolvedAt } }
  ... on InvalidInput { field } ... on NotFound { resource } } }"""


async def test_feedback_is_read_and_triaged_by_staff(engine: AsyncEngine, mutate: Mutate) -> None:
    moderator = (await new_account(engine, "moderator"))[0]
    author = (await new_account(engine))[0]
    sent = await mutate(
        """mutation { submitFeedback(input: {feedbackType: BUG, title: "Timer stops"}) {
          ... on SubmitFeedbackSuccess { feedback { id } } } }""",
        viewer=author,
    )
    feedback_id = sent.data["submitFeedback"]["feedback"]["id"]
    read = await mutate(
        """query ($id: String!) {
          allFeedback(filter: {search: $id}) { edges { node { id userId } } } }""",
        {"id": "Timer stops"},
        viewer=moderator,
    )
    assert {"id": feedback_id, "userId": str(author.user_id)} in [
        e["node"] for e in read.data["allFeedback"]["edges"]
    ]
    assert (await mutate("{ allFeedback { totalCount } }", viewer=author)).errors != []

    empty = await unchanged(
        engine, mutate, UPDATE_FEEDBACK, {"input": {"id": feedback_id}}, moderator
    )
    assert empty == {"__typename": "InvalidInput", "field": "input"}
    long = {"id": feedback_id, "adminResponse": "x" * 5001}
    too_long = await unchanged(engine, mutate, UPDATE_FEEDBACK, {"input": long}, moderator)
    assert too_long == {"__typename": "InvalidInput", "field": "input.adminResponse"}
    missing = {"id": str(uuid.uuid4()), "status": "CLOSED"}
    absent = await unchanged(engine, mutate, UPDATE_FEEDBACK, {"input": missing}, moderator)
    assert absent == {"__typename": "NotFound", "resource": "Feedback"}

    resolve = {
        "id": feedback_id,
        "status": "RESOLVED",
        "priority": "HIGH",
        "adminResponse": "Fixed.",
    }
    done = (await mutate(UPDATE_FEEDBACK, {"input": resolve}, viewer=moderator)).data
    triaged = done["updateFeedback"]["feedback"]
    assert (triaged["status"], triaged["priority"], triaged["adminResponse"]) == (
        "RESOLVED",
        "HIGH",
        "Fixed.",
    )
    assert triaged["resolvedAt"] is not None
    reopen = {"id": feedback_id, "status": "IN_PROGRESS"}
    reopened = (await mutate(UPDATE_FEEDBACK, {"input": reopen}, viewer=moderator)).data
    assert reopened["updateFeedback"]["feedback"]["resolvedAt"] is None
    first, second = await audit_rows(engine, "updateFeedback", feedback_id)
    assert first.user_id == moderator.user_id
    assert without_time(first.details["before"]) == {
        "status": "open",
        "priority": "normal",
        "admin_response": None,
        "resolved_at": None,
    }
    assert first.details["after"]["status"] == "resolved"
    assert second.details["before"]["status"] == "resolved"
    assert second.details["after"]["resolved_at"] is None


def test_resolved_at_follows_the_resolved_status() -> None:
    S = FeedbackStatus
    assert resolved_at_change(S.OPEN, S.RESOLVED) == "set"
    assert resolved_at_change(S.RESOLVED, S.RESOLVED) is None
    assert resolved_at_change(S.RESOLVED, S.CLOSED) == "clear"
    assert resolved_at_change(S.OPEN, S.IN_PROGRESS) is None


FLAG = """mutation ($n: String!, $e: Boolean!) { setFeatureFlag(name: $n, enabled: $e) {
  __typename ... on SetFeatureFlagSuccess { flag { id flagName enabled } }
  ... on InvalidInput { field } } }"""


async def test_a_feature_flag_is_created_and_switched(engine: AsyncEngine, mutate: Mutate) -> None:
    admin = (await new_account(engine, admin=True))[0]
    name = f"flag_{uuid.uuid4().hex[:8]}"
    bad = await unchanged(engine, mutate, FLAG, {"n": "Not A Name", "e": True}, admin)
    assert bad == {"__typename": "InvalidInput", "field": "name"}
    created = (await mutate(FLAG, {"n": name, "e": True}, viewer=admin)).data["setFeatureFlag"]
    assert created["flag"]["enabled"] is True
    off = (await mutate(FLAG, {"n": name, "e": False}, viewer=admin)).data["setFeatureFlag"]
    assert off["flag"] == {**created["flag"], "enabled": False}
    first, second = await audit_rows(engine, "setFeatureFlag", created["flag"]["id"])
    assert first.details["before"] == {} and first.details["after"]["flag_name"] == name
    assert without_time(second.details["before"]) == {"enabled": True}
    assert without_time(second.details["after"]) == {"enabled": False}


AUDIT = """query ($f: AuditLogEntryFilter) { auditLog(filter: $f) {
  edges { node { userId action resourceType resourceId status requestId } } } }"""


async def test_the_audit_log_is_filtered_by_actor_resource_and_time(
    engine: AsyncEngine, mutate: Mutate
) -> None:
    admin = (await new_account(engine, admin=True))[0]
    reader = (await new_account(engine, "moderator"))[0]
    user = (await new_account(engine))[0]
    name = f"flag_{uuid.uuid4().hex[:8]}"
    flag = (await mutate(FLAG, {"n": name, "e": True}, viewer=admin)).data["setFeatureFlag"]
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    wanted = {
        "actorId": str(admin.user_id),
        "resourceType": "feature_flags",
        "resourceId": flag["flag"]["id"],
        "createdAt": {"from": since},
    }
    found = await mutate(AUDIT, {"f": wanted}, viewer=reader)
    assert found.errors == []
    [node] = [e["node"] for e in found.data["auditLog"]["edges"]]
    assert (node["userId"], node["action"], node["status"]) == (
        str(admin.user_id),
        "setFeatureFlag",
        "SUCCESS",
    )
    other = await mutate(AUDIT, {"f": {**wanted, "actorId": str(user.user_id)}}, viewer=reader)
    assert other.data["auditLog"]["edges"] == []
    not_an_id = await mutate(AUDIT, {"f": {"actorId": "nobody"}}, viewer=reader)
    assert not_an_id.errors == [] and not_an_id.data["auditLog"]["edges"] == []
    async with engine.connect() as conn:
        before = await snapshot(conn)
    assert (await mutate(AUDIT, {"f": wanted}, viewer=user)).errors != []
    async with engine.connect() as conn:
        assert await snapshot(conn) == before


async def test_concurrent_first_switches_and_grants_make_one_row_each(
    engine: AsyncEngine, mutate: Mutate
) -> None:
    """Ten simultaneous ``setFeatureFlag`` of a new name create one flag (the unique name
    serialises them; the others switch it), ten simultaneous ``grantRole`` of one role to one
    user make one grant (the user's row is locked first); every attempt succeeds and is
    audited."""
    admin = (await new_account(engine, admin=True))[0]
    member, _ = await new_account(engine)
    name = f"flag_{uuid.uuid4().hex[:8]}"
    flags = await asyncio.gather(
        *(mutate(FLAG, {"n": name, "e": n % 2 == 0}, viewer=admin) for n in range(10))
    )
    assert {r.data["setFeatureFlag"]["__typename"] for r in flags} == {"SetFeatureFlagSuccess"}
    grants = await asyncio.gather(
        *(
            mutate(GRANT, {"u": str(member.user_id), "r": "moderator"}, viewer=admin)
            for _ in range(10)
        )
    )
    assert {r.data["grantRole"]["__typename"] for r in grants} == {"GrantRoleSuccess"}
    async with engine.connect() as conn:
        counts = (
            await conn.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM feature_flags WHERE flag_name = :n), "
                    "(SELECT count(*) FROM user_roles WHERE user_id = :u), "
                    "(SELECT count(*) FROM audit_log WHERE user_id = :a AND action IN "
                    "('setFeatureFlag', 'grantRole'))"
                ),
                {"n": name, "u": member.user_id, "a": admin.user_id},
            )
        ).one()
    assert tuple(counts) == (1, 2, 20)  # the user role and moderator
