"""Sessions in process: signOut, revokeSession, refreshSession, me.sessions, the activity the
sign-in statement records, terms, profile and the approval gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from db import metadata
from db.auth.rules import ACTIVITY_INTERVAL_SECONDS
from db.auth.sessions import hash_token
from gateway.auth import viewer_for_token
from gateway.settings import Settings
from tests.auth.harness import SIGN_IN, auth_server, identity, new_account, scalar
from tests.auth.harness import signed_in as viewer_of
from tests.support.requests import run_request

SIGN_OUT = """mutation { signOut { __typename ... on SignOutSuccess { sessionId }
  ... on DomainError { code } } }"""
REVOKE = """mutation($id: ID!) { revokeSession(id: $id) { __typename
  ... on RevokeSessionSuccess { sessionId } ... on DomainError { code } } }"""
REFRESH = """mutation { refreshSession { __typename
  ... on RefreshSessionSuccess { token expiresAt session { id rotatedFrom current } }
  ... on InvalidState { status } ... on DomainError { code } } }"""
SESSIONS = """{ me { sessions(filter: {active: true}) { totalCount
  edges { node { id createdAt lastActivityAt userAgent current } } } } }"""
CREATE_HABIT = """mutation { createHabit(input: {name: "Scales"}) { __typename } }"""


@pytest.fixture
def call(schema: strawberry.Schema, settings: Settings, engine: AsyncEngine) -> Any:
    async def run(
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        viewer: Any,
        settings_: Settings | None = None,
    ) -> Any:
        return (await run_request(schema, settings_ or settings, engine, query, variables, viewer))[
            0
        ]

    return run


async def still_signs_in(engine: AsyncEngine, token: str) -> bool:
    async with engine.begin() as conn:
        return await viewer_for_token(conn, token) is not None


async def test_sign_out_ends_the_current_session_only(call: Any, engine: AsyncEngine) -> None:
    viewer, token = await new_account(engine)
    other = await _second_token(engine, viewer.user_id)

    out = await call(SIGN_OUT, viewer=viewer)

    assert out.data["signOut"] == {
        "__typename": "SignOutSuccess",
        "sessionId": str(viewer.session_id),
    }
    assert not await still_signs_in(engine, token)
    assert await still_signs_in(engine, other)
    again = await call(SIGN_OUT, viewer=viewer)
    assert again.data["signOut"] == {"__typename": "NotFound", "code": "NOT_FOUND"}


async def _second_token(engine: AsyncEngine, user_id: Any) -> str:
    from gateway.auth import create_session_token

    async with engine.begin() as conn:
        return await create_session_token(conn, user_id, user_agent="phone")


async def test_revoke_session_ends_an_own_session_and_never_another_users(
    call: Any, engine: AsyncEngine
) -> None:
    viewer, token = await new_account(engine)
    phone = await viewer_of(engine, await _second_token(engine, viewer.user_id))
    stranger, stranger_token = await new_account(engine)

    foreign = await call(REVOKE, {"id": str(stranger.session_id)}, viewer=viewer)
    assert foreign.data["revokeSession"] == {"__typename": "NotFound", "code": "NOT_FOUND"}
    assert await still_signs_in(engine, stranger_token)
    bad = await call(REVOKE, {"id": "nope"}, viewer=viewer)
    assert bad.data["revokeSession"]["__typename"] == "InvalidInput"

    done = await call(REVOKE, {"id": str(phone.session_id)}, viewer=viewer)
    assert done.data["revokeSession"]["sessionId"] == str(phone.session_id)
    assert await still_signs_in(engine, token)
    listed = await call(SESSIONS, viewer=viewer)
    assert [e["node"]["id"] for e in listed.data["me"]["sessions"]["edges"]] == [
        str(viewer.session_id)
    ]


async def test_me_sessions_marks_the_current_one_and_never_shows_the_token(
    call: Any, engine: AsyncEngine, schema: strawberry.Schema
) -> None:
    viewer, _ = await new_account(engine)
    await viewer_of(engine, await _second_token(engine, viewer.user_id))
    listed = await call(SESSIONS, viewer=viewer)
    nodes = [e["node"] for e in listed.data["me"]["sessions"]["edges"]]
    assert len(nodes) == 2
    assert [n["current"] for n in nodes if n["id"] == str(viewer.session_id)] == [True]
    phone = next(n for n in nodes if n["id"] != str(viewer.session_id))
    assert phone["current"] is False and phone["userAgent"] == "phone"
    assert all(n["lastActivityAt"] is not None for n in nodes)
    fields = {f.name for f in schema.get_type_by_name("Session").fields}  # type: ignore[union-attr]
    assert not {"token", "tokenHash"} & fields


async def test_refresh_rotates_the_token_and_the_old_one_lapses_after_the_grace(
    call: Any, engine: AsyncEngine, settings: Settings
) -> None:
    viewer, old = await new_account(engine)
    refreshed = await call(REFRESH, viewer=viewer)
    payload = refreshed.data["refreshSession"]
    assert payload["__typename"] == "RefreshSessionSuccess"
    assert payload["session"]["rotatedFrom"] == str(viewer.session_id)
    assert payload["session"]["current"] is False  # the request came with the old token
    new = payload["token"]
    assert await still_signs_in(engine, new) and await still_signs_in(engine, old)
    old_expiry = await scalar(
        engine, "SELECT expires_at FROM sessions WHERE id = :s", s=viewer.session_id
    )
    assert old_expiry <= datetime.now(UTC) + timedelta(seconds=settings.session_refresh_grace_s)
    # Refreshed once: the old session cannot be refreshed again.
    twice = await call(REFRESH, viewer=viewer)
    assert twice.data["refreshSession"] == {
        "__typename": "InvalidState",
        "status": "rotated",
        "code": "INVALID_STATE",
    }
    # Without a grace period the old token stops at once.
    viewer2, old2 = await new_account(engine)
    no_grace = settings.model_copy(update={"session_refresh_grace_s": 0})
    await call(REFRESH, viewer=viewer2, settings_=no_grace)
    assert not await still_signs_in(engine, old2)


async def test_activity_is_written_at_most_once_a_minute_per_session(engine: AsyncEngine) -> None:
    viewer, token = await new_account(engine)
    sessions, users = metadata.tables["sessions"], metadata.tables["users"]

    async def stamps() -> tuple[Any, Any]:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(sessions.c.last_activity_at, users.c.last_activity_at)
                    .join(users, users.c.id == sessions.c.user_id)
                    .where(sessions.c.token == hash_token(token))
                )
            ).one()
            return row[0], row[1]

    first_session, first_user = await stamps()
    assert first_session is not None and first_user is not None
    for _ in range(3):
        await viewer_of(engine, token)
    assert await stamps() == (first_session, first_user)  # no write within the minute

    earlier = datetime.now(UTC) - timedelta(seconds=ACTIVITY_INTERVAL_SECONDS + 5)
    async with engine.begin() as conn:
        await conn.execute(
            sa.update(sessions)
            .where(sessions.c.id == viewer.session_id)
            .values(last_activity_at=earlier)
        )
        await conn.execute(
            sa.update(users).where(users.c.id == viewer.user_id).values(last_activity_at=earlier)
        )
    again = await viewer_of(engine, token)
    # The viewer carries the activity before this request; the rows move to now.
    assert again.last_activity_at == earlier
    session_at, user_at = await stamps()
    assert session_at > earlier and user_at > earlier


async def test_activity_is_not_recorded_while_another_transaction_holds_the_row(
    engine: AsyncEngine,
) -> None:
    viewer, token = await new_account(engine)
    users = metadata.tables["users"]
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    async with engine.begin() as conn:
        for table in ("sessions", "users"):
            key = viewer.session_id if table == "sessions" else viewer.user_id
            await conn.execute(
                sa.text(f"UPDATE {table} SET last_activity_at = :t WHERE id = :k"),
                {"t": earlier, "k": key},
            )
    async with engine.connect() as holder:
        await holder.begin()
        await holder.execute(
            sa.select(users.c.id).where(users.c.id == viewer.user_id).with_for_update()
        )
        # The sign-in neither waits for the lock nor fails; it skips the locked user row.
        signed = await viewer_of(engine, token)
        assert signed.user_id == viewer.user_id
        await holder.rollback()
    assert (
        await scalar(engine, "SELECT last_activity_at FROM users WHERE id = :u", u=viewer.user_id)
        == earlier
    )
    assert (
        await scalar(
            engine, "SELECT last_activity_at FROM sessions WHERE id = :s", s=viewer.session_id
        )
        > earlier
    )


async def test_accept_terms_and_update_profile(
    call: Any, engine: AsyncEngine, settings: Settings
) -> None:
    viewer, _ = await new_account(engine)
    accept = """mutation($v: String!) { acceptTerms(version: $v) { __typename
      ... on AcceptTermsSuccess { user { tosAccepted tosVersion tosAcceptedAt } }
      ... on InvalidInput { field } } }"""
    done = await call(accept, {"v": "2026-01"}, viewer=viewer)
    user = done.data["acceptTerms"]["user"]
    assert user["tosAccepted"] and user["tosVersion"] == "2026-01" and user["tosAcceptedAt"]
    current = settings.model_copy(update={"terms_version": "2026-02"})
    stale = await call(accept, {"v": "2026-01"}, viewer=viewer, settings_=current)
    assert stale.data["acceptTerms"] == {"__typename": "InvalidInput", "field": "version"}
    bad = await call(accept, {"v": "v 1"}, viewer=viewer)
    assert bad.data["acceptTerms"] == {"__typename": "InvalidInput", "field": "version"}

    profile = """mutation($input: UpdateProfileInput!) { updateProfile(input: $input) {
      __typename ... on UpdateProfileSuccess { user { name image } }
      ... on InvalidInput { field } } }"""
    changed = await call(
        profile, {"input": {"name": " Ada ", "image": "https://example.com/a.png"}}, viewer=viewer
    )
    assert changed.data["updateProfile"]["user"] == {
        "name": "Ada",
        "image": "https://example.com/a.png",
    }
    cleared = await call(profile, {"input": {"image": None}}, viewer=viewer)
    assert cleared.data["updateProfile"]["user"] == {"name": "Ada", "image": None}
    for bad_input, field in (
        ({"name": None}, "input.name"),
        ({"name": "  "}, "input.name"),
        ({"name": "n" * 201}, "input.name"),
        ({"image": "ftp://example.com/a.png"}, "input.image"),
    ):
        refused = await call(profile, {"input": bad_input}, viewer=viewer)
        assert refused.data["updateProfile"] == {"__typename": "InvalidInput", "field": field}


async def test_approval_gates_mutations_until_age_and_approval(
    call: Any, engine: AsyncEngine, settings: Settings
) -> None:
    gated = settings.model_copy(update={"require_approval": True})
    server = await auth_server(engine)
    signed = await call(SIGN_IN, {"input": identity()}, viewer=server, settings_=gated)
    payload = signed.data["signInWithAccount"]
    assert payload["user"]["approved"] is False and payload["user"]["ageVerified"] is False
    token = payload["token"]

    async def codes(query: str, variables: dict[str, Any] | None = None) -> list[str]:
        viewer = await viewer_of(engine, token)
        result = await call(query, variables, viewer=viewer, settings_=gated)
        return [e.extensions["code"] for e in result.errors or []]

    assert await codes(CREATE_HABIT) == ["AGE_VERIFICATION_REQUIRED"]
    # The steps that lead there are open.
    assert await codes('mutation { acceptTerms(version: "1") { __typename } }') == []
    assert await codes("mutation { confirmAge { __typename } }") == []
    assert await codes(CREATE_HABIT) == ["APPROVAL_REQUIRED"]
    # Without the setting the flags gate nothing.
    viewer = await viewer_of(engine, token)
    open_ = await call(CREATE_HABIT, viewer=viewer, settings_=settings)
    assert open_.data["createHabit"]["__typename"] == "CreateHabitSuccess"

    approve = """mutation($u: ID!, $a: Boolean!) { approveUser(userId: $u, approved: $a) {
      __typename ... on ApproveUserSuccess { user { approved } } } }"""
    user, _ = await new_account(engine)
    denied = await call(approve, {"u": payload["user"]["id"], "a": True}, viewer=user)
    assert [e.extensions["code"] for e in denied.errors] == ["FORBIDDEN"]
    admin, _ = await new_account(engine, admin=True)
    approved = await call(
        approve, {"u": payload["user"]["id"], "a": True}, viewer=admin, settings_=gated
    )
    assert approved.data["approveUser"]["user"] == {"approved": True}
    assert await codes(CREATE_HABIT) == []


async def test_the_request_sign_in_is_one_prepared_statement_that_records_activity(
    engine: AsyncEngine,
) -> None:
    from gateway.auth import authenticate

    viewer, token = await new_account(engine)
    earlier = datetime.now(UTC) - timedelta(minutes=10)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE sessions SET last_activity_at = :t WHERE id = :s"),
            {"t": earlier, "s": viewer.session_id},
        )
    # The path of every request (the driver's SQL, outside any transaction).
    signed = await authenticate(engine, f"Bearer {token}")
    assert signed is not None and signed.session_id == viewer.session_id
    moved = await scalar(
        engine, "SELECT last_activity_at FROM sessions WHERE id = :s", s=viewer.session_id
    )
    assert moved > earlier


async def test_the_upkeep_deletes_long_expired_sessions_only(engine: AsyncEngine) -> None:
    from gateway.maintenance import sweep_once

    viewer, _ = await new_account(engine)
    recent = await viewer_of(engine, await _second_token(engine, viewer.user_id))
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        for session, expired in ((viewer.session_id, 2 * 3600), (recent.session_id, 10)):
            await conn.execute(
                sa.text("UPDATE sessions SET created_at = :c, expires_at = :e WHERE id = :s"),
                {
                    "c": now - timedelta(days=40),
                    "e": now - timedelta(seconds=expired),
                    "s": session,
                },
            )

    result = await sweep_once(engine, key_retention_s=24 * 3600, session_retention_s=3600)

    assert result.pruned_sign_in_sessions >= 1
    left = await scalar(
        engine,
        "SELECT string_agg(id::text, ',') FROM sessions WHERE user_id = :u",
        u=viewer.user_id,
    )
    assert left == str(recent.session_id)
