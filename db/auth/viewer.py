"""The viewer (the signed-in user of a request, with the entitlements that widen what they
see) and the session tokens that sign one in: opaque random tokens, stored hashed in
``sessions`` with an expiry, revoked by deleting the row.

The process reads the token from the request (``gateway.auth``: the ``Authorization`` header,
the websocket's ``connection_init`` payload); the statements that turn it into a
:class:`Viewer` and the writes that create one are here, below every layer that needs them.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata

#: The entitlement that lets a viewer read every row of every table, whoever owns it (admin
#: screens, support). Seeded by ``seeds.auth`` and granted to the ``admin`` role only. Reading
#: one admin table (``audit_log:read``, ``users:read``) is a separate, narrower entitlement
#: declared by that table's ``TableSpec.read_entitlement``.
READ_ALL_ROWS = "rows:read_all"
#: Default lifetime of a session token, in seconds (30 days).
DEFAULT_TOKEN_TTL_SECONDS = 30 * 24 * 3600
_TOKEN_BYTES = 32


@dataclass(frozen=True)
class Viewer:
    """The authenticated user of a request.

    Attributes:
        user_id: ``users.id``.
        session_id: ``sessions.id`` of the token used.
        entitlements: names of the entitlements held through the user's roles.
    """

    user_id: uuid.UUID
    session_id: uuid.UUID | None = None
    entitlements: frozenset[str] = field(default_factory=frozenset)

    @property
    def reads_all_rows(self) -> bool:
        """Whether the viewer holds :data:`READ_ALL_ROWS` (sees every row of every table)."""
        return READ_ALL_ROWS in self.entitlements

    def has(self, entitlement: str) -> bool:
        """Whether the viewer holds ``entitlement`` (e.g. ``"audit_log:read"``)."""
        return entitlement in self.entitlements


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a session token (what ``sessions.token`` stores)."""
    return hashlib.sha256(token.encode()).hexdigest()


def viewer_statement(token: str) -> sa.Select[tuple[uuid.UUID, uuid.UUID, list[str] | None]]:
    """The statement that authenticates ``token``: one row (user id, session id, entitlement
    names) for a known, unexpired token, none otherwise."""
    return _viewer_select(hash_token(token))


@functools.cache
def bound_viewer_statement() -> sa.Select[tuple[uuid.UUID, uuid.UUID, list[str] | None]]:
    """:func:`viewer_statement` built once, with the token's :func:`hash_token` as the bind
    parameter ``token_hash`` (a request then builds no statement to sign in)."""
    return _viewer_select(sa.bindparam("token_hash", type_=sa.String))


@functools.cache
def viewer_sql() -> str:
    """:func:`viewer_statement` as asyncpg SQL text, compiled once; its one parameter ``$1``
    is the token's :func:`hash_token` (the compiled read path prepares it per connection)."""
    from sqlalchemy.dialects.postgresql import asyncpg

    return str(bound_viewer_statement().compile(dialect=asyncpg.dialect()))


def _viewer_select(
    token_hash: str | sa.BindParameter[str],
) -> sa.Select[tuple[uuid.UUID, uuid.UUID, list[str] | None]]:
    t = metadata.tables
    sessions, user_roles = t["sessions"], t["user_roles"]
    role_entitlements, entitlements = t["role_entitlements"], t["entitlements"]
    held = (
        sa.select(sa.func.array_agg(sa.distinct(entitlements.c.name)))
        .select_from(user_roles)
        .join(role_entitlements, role_entitlements.c.role_id == user_roles.c.role_id)
        .join(entitlements, entitlements.c.id == role_entitlements.c.entitlement_id)
        .where(user_roles.c.user_id == sessions.c.user_id)
        .where(sa.or_(user_roles.c.expires_at.is_(None), user_roles.c.expires_at > sa.func.now()))
        .scalar_subquery()
    )
    return sa.select(sessions.c.user_id, sessions.c.id, held).where(
        sessions.c.token == token_hash, sessions.c.expires_at > sa.func.now()
    )


async def viewer_for_token(conn: AsyncConnection, token: str | None) -> Viewer | None:
    """The viewer a bearer token signs in, or None for a missing, unknown or expired token.

    One SQL statement (the session, its user and the user's entitlements).
    """
    if not token:
        return None
    result = await conn.execute(bound_viewer_statement(), {"token_hash": hash_token(token)})
    row = result.first()
    return None if row is None else viewer_from_row(row)


def viewer_from_row(row: Any) -> Viewer:
    """The viewer of a row of :func:`viewer_statement`."""
    return Viewer(user_id=row[0], session_id=row[1], entitlements=frozenset(row[2] or ()))


async def create_session_token(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS,
    user_agent: str | None = None,
) -> str:
    """Create a session for ``user_id`` and return its token (shown once, stored hashed).

    Args:
        conn: a connection inside the caller's transaction.
        user_id: the user to sign in.
        ttl_seconds: lifetime of the token in seconds (> 0).

    Raises:
        ValueError: ``ttl_seconds`` is not positive.
    """
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    await conn.execute(
        sa.insert(metadata.tables["sessions"]).values(
            user_id=user_id,
            token=hash_token(token),
            expires_at=datetime.now(UTC) + timedelta(seconds=ttl_seconds),
            user_agent=user_agent,
        )
    )
    return token
