"""What the sign-in tests share: the auth server's account, viewers signed in through the real
sign-in statement, and the sign-in operation."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.users import create_user
from gateway.auth import Viewer, create_session_token, viewer_for_token

SIGN_IN = """
mutation SignIn($input: SignInWithAccountInput!) {
  signInWithAccount(input: $input) {
    __typename
    ... on SignInWithAccountSuccess {
      token expiresAt created
      user { id email name emailVerified approved ageVerified image }
    }
    ... on DomainError { code message }
    ... on InvalidInput { field }
  }
}
"""


def identity(**overrides: Any) -> dict[str, Any]:
    """A ``SignInWithAccountInput`` of a new person (a fresh provider account and address)."""
    suffix = uuid.uuid4().hex[:10]
    return {
        "provider": "google",
        "providerAccountId": f"g-{suffix}",
        "email": f"person-{suffix}@example.com",
        "emailVerified": True,
        "name": f"Person {suffix}",
        "image": "https://example.com/p.png",
        "userAgent": "Mozilla/5.0 (test)",
        "ipAddress": "203.0.113.7",
        **overrides,
    }


async def signed_in(engine: AsyncEngine, token: str) -> Viewer:
    """The viewer a token signs in, through the real sign-in statement (committed)."""
    async with engine.begin() as conn:
        viewer = await viewer_for_token(conn, token)
    assert viewer is not None
    return viewer


async def new_account(engine: AsyncEngine, *roles: str, admin: bool = False) -> tuple[Viewer, str]:
    """A committed user created like ``ignition user create`` (with ``roles``), its token and
    its viewer."""
    suffix = uuid.uuid4().hex[:10]
    async with engine.begin() as conn:
        user = await create_user(
            conn,
            email=f"acct-{suffix}@example.com",
            name=f"Acct {suffix}",
            roles=roles,
            admin=admin,
        )
        token = await create_session_token(conn, user.id)
    return await signed_in(engine, token), token


async def auth_server(engine: AsyncEngine) -> Viewer:
    """A committed account with the seeded ``auth_server`` role, as a viewer."""
    return (await new_account(engine, "auth_server"))[0]


async def scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    """One value of a committed read."""
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(sql), params)).scalar()


__all__ = [
    "SIGN_IN",
    "auth_server",
    "identity",
    "new_account",
    "scalar",
    "signed_in",
]
