"""create_user with extra roles: what ``ignition user create --role`` does."""

from __future__ import annotations

from typing import Any

import pytest

from db.auth.users import UserError, create_user
from gateway.auth import create_session_token, viewer_for_token


async def test_the_auth_server_role_grants_issuing_sessions_and_reading_users(
    db_conn: Any,
) -> None:
    server = await create_user(
        db_conn, email="auth@example.com", name="Auth server", roles=("auth_server",)
    )
    assert server.roles == ("user", "auth_server") and not server.is_admin
    viewer = await viewer_for_token(db_conn, await create_session_token(db_conn, server.id))
    assert viewer is not None
    assert viewer.entitlements == {"sessions:issue", "users:read"}


async def test_an_unknown_role_creates_nobody(db_conn: Any) -> None:
    with pytest.raises(UserError, match="unknown role"):
        await create_user(db_conn, email="x@example.com", name="X", roles=("wizard",))
