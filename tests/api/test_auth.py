"""Sign-in tokens and permissions: opaque tokens stored hashed with an expiry; a bad token means
"not signed in"; admin fields need an entitlement held through roles; another user's rows are
absent, not forbidden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from db import metadata
from gateway.auth import (
    READ_ALL_ROWS,
    Viewer,
    bearer_token,
    create_session_token,
    hash_token,
    viewer_for_token,
)
from tests.factories import make_habit, make_user


async def test_a_token_signs_in_and_is_stored_hashed(db_conn: Any) -> None:
    user = await make_user(db_conn)
    token = await create_session_token(db_conn, user, ttl_seconds=60)
    viewer = await viewer_for_token(db_conn, token)
    assert viewer is not None and viewer.user_id == user and not viewer.reads_all_rows
    stored = set((await db_conn.execute(sa.select(metadata.tables["sessions"].c.token))).scalars())
    assert token not in stored and hash_token(token) in stored


async def test_expired_unknown_and_revoked_tokens_mean_signed_out(db_conn: Any) -> None:
    user = await make_user(db_conn)
    token = await create_session_token(db_conn, user, ttl_seconds=60)
    sessions = metadata.tables["sessions"]
    await db_conn.execute(
        sa.update(sessions)
        .where(sessions.c.token == hash_token(token))
        .values(
            created_at=datetime.now(UTC) - timedelta(days=2),
            expires_at=datetime.now(UTC) - timedelta(seconds=1),
        )
    )
    assert await viewer_for_token(db_conn, token) is None
    assert await viewer_for_token(db_conn, "no-such-token") is None
    revoked = await create_session_token(db_conn, user)
    await db_conn.execute(sa.delete(sessions).where(sessions.c.token == hash_token(revoked)))
    assert await viewer_for_token(db_conn, revoked) is None


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("", None),
        (None, None),
        ("Bearer " + "x" * 300, None),
    ],
)
def test_bearer_header_parsing(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


async def test_token_lifetime_must_be_positive(db_conn: Any) -> None:
    user = await make_user(db_conn)
    with pytest.raises(ValueError, match="ttl_seconds"):
        await create_session_token(db_conn, user, ttl_seconds=0)


async def test_admin_entitlements_come_from_roles(db_conn: Any) -> None:
    admin = await make_user(db_conn, admin=True)
    token = await create_session_token(db_conn, admin)
    viewer = await viewer_for_token(db_conn, token)
    assert viewer is not None and viewer.reads_all_rows
    assert {"rows:read_all", "users:read", "audit_log:read", "feature_flags:manage"} <= (
        viewer.entitlements
    )


async def test_admin_fields_need_the_entitlement(execute: Any, db_conn: Any) -> None:
    user = await make_user(db_conn)
    admin = await make_user(db_conn, admin=True)
    admin_viewer = await viewer_for_token(db_conn, await create_session_token(db_conn, admin))
    query = "{ users(first: 5) { totalCount } auditLog(first: 5) { totalCount } }"

    signed_out = await execute(query)
    as_user = await execute(query, viewer=user)
    as_admin = await execute(query, viewer=admin_viewer)

    assert as_user.data is None
    assert any("requires the `users:read` entitlement" in e for e in as_user.errors)
    # Signed out, the answer is "sign in first" (UNAUTHENTICATED), not "forbidden".
    assert signed_out.data is None
    assert signed_out.errors
    assert set(signed_out.errors) == {"Sign in first: send `Authorization: Bearer <token>`."}
    assert not as_admin.errors
    assert as_admin.data["users"]["totalCount"] >= 2
    assert as_admin.data["auditLog"]["totalCount"] >= 2


async def test_me_is_null_when_signed_out(execute: Any) -> None:
    result = await execute("{ me { id } }")
    assert result.data == {"me": None} and not result.errors


async def test_another_users_rows_are_absent_on_every_path(execute: Any, db_conn: Any) -> None:
    alice = await make_user(db_conn)
    bob = await make_user(db_conn)
    habit = await make_habit(db_conn, alice, name="Alice's habit")
    item = (await db_conn.execute(sa.select(metadata.tables["market_items"].c.id))).scalar()
    await db_conn.execute(
        sa.insert(metadata.tables["user_purchases"]).values(
            user_id=alice, item_id=item, cost_coins=5
        )
    )
    query = """query($habit: ID!, $user: ID!, $item: ID!) {
        habit(id: $habit) { name }
        user(id: $user) { email }
        marketItem(id: $item) { purchases { totalCount edges { node { id } } } }
        me { habits { totalCount } } }"""
    variables = {"habit": str(habit), "user": str(alice), "item": str(item)}

    as_alice = await execute(query, variables, viewer=alice)
    as_bob = await execute(query, variables, viewer=bob)
    as_nobody = await execute(query, variables)
    as_admin = await execute(query, variables, viewer=Viewer(bob, None, frozenset({READ_ALL_ROWS})))

    assert as_alice.data["habit"] == {"name": "Alice's habit"}
    assert as_alice.data["marketItem"]["purchases"]["totalCount"] == 1
    for outsider in (as_bob, as_nobody):
        assert not outsider.errors
        assert outsider.data["habit"] is None and outsider.data["user"] is None
        assert outsider.data["marketItem"]["purchases"] == {"totalCount": 0, "edges": []}
    assert as_bob.data["me"]["habits"]["totalCount"] == 0
    assert as_admin.data["habit"] == {"name": "Alice's habit"}
    assert as_admin.data["marketItem"]["purchases"]["totalCount"] >= 1


async def test_malformed_ids_are_clear_errors(execute: Any) -> None:
    result = await execute('{ habit(id: "not-a-uuid") { name } }')
    assert result.errors == ["`id` is not a valid ID."]


async def test_a_malformed_id_is_the_typed_refusal_in_a_query_and_a_mutation(
    schema: Any, settings: Any, engine: Any, db_conn: Any, execute: Any
) -> None:
    from db.auth.viewer import Viewer
    from db.reader import Reader
    from schema.core.context import Context

    user = await make_user(db_conn)
    context = Context(
        settings=settings, engine=engine, reader=Reader.over(db_conn), viewer=Viewer(user_id=user)
    )
    query = await schema.execute('{ habit(id: "nope") { name } }', context_value=context)
    assert query.data == {"habit": None}
    assert [(e.message, e.extensions) for e in query.errors or []] == [
        ("`id` is not a valid ID.", {"code": "BAD_USER_INPUT", "field": "id"})
    ]
    outcome = await execute(
        'mutation { deleteHabit(id: "nope") { __typename ... on InvalidInput { field message } } }',
        viewer=user,
    )
    assert outcome.data == {
        "deleteHabit": {
            "__typename": "InvalidInput",
            "field": "id",
            "message": "`id` is not a valid ID.",
        }
    }
