"""Fixtures of the HTTP tests: the real GraphQL view (``gateway.graphql``) driven in process
through httpx's ASGI transport, with a committed user and a sign-in token.

The view authenticates and reads through the pool (its own connections), so these tests see
only committed rows; the user they create is deleted afterwards (its rows cascade).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import metadata
from db.auth.viewer import create_session_token
from gateway.graphql import GatewayGraphQL
from gateway.settings import Settings
from tests.factories import make_user


@dataclass
class SignedIn:
    """A committed user and a token that signs it in."""

    user_id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
async def signed_in(engine: AsyncEngine) -> AsyncIterator[SignedIn]:
    async with engine.begin() as conn:
        user = await make_user(conn)
        token = await create_session_token(conn, user)
    yield SignedIn(user, token)
    async with engine.begin() as conn:
        users = metadata.tables["users"]
        await conn.execute(sa.delete(users).where(users.c.id == user))


@pytest.fixture(scope="session")
def gateway_view(settings: Settings, engine: AsyncEngine) -> GatewayGraphQL:
    """The GraphQL view with the test settings, reading through the test engine."""
    return GatewayGraphQL(settings, lambda: engine)


@pytest.fixture
async def client(gateway_view: GatewayGraphQL) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the view at ``http://gateway/graphql`` (no network)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway_view), base_url="http://gateway/graphql"
    ) as http:
        yield http


def client_for(settings: Settings, engine: AsyncEngine, **overrides: object) -> httpx.AsyncClient:
    """A client of a view built with other settings (``production=True``, a short timeout)."""
    changed = Settings.model_validate({**settings.model_dump(), **overrides})
    view = GatewayGraphQL(changed, lambda: engine)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=view), base_url="http://gateway/graphql"
    )
