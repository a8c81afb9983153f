"""Session tokens: opaque random bearer tokens, returned once and stored only as their SHA-256
hash in ``sessions.token``, with an expiry.

The gateway authenticates a request with one statement over ``sessions``
(``gateway/auth.py``); this module creates, revokes and rotates the rows. A session is live
while its ``expires_at`` lies in the future; revoking it deletes the row (its token then signs
nobody in); rotating it (:func:`rotate_session`) creates a new session linked to the old one by
``rotated_from`` and shortens the old one's life to a grace period, so that requests already
sent with the old token still succeed. Expired rows are deleted by the maintenance task after a
retention period (:func:`prune_expired`).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.errors import InvalidState, NotFound

#: Default lifetime of a session token, in seconds (30 days).
DEFAULT_TOKEN_TTL_SECONDS = 30 * 24 * 3600
#: Random bytes in a token (``secrets.token_urlsafe``: 43 characters).
TOKEN_BYTES = 32

_sessions = metadata.tables["sessions"]


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a session token (what ``sessions.token`` stores)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSession:
    """A new session: its row id, its bearer token (shown once, never stored) and its expiry.

    Attributes:
        id: ``sessions.id``.
        token: the bearer token (``Authorization: Bearer <token>``).
        expires_at: when the token stops signing in (UTC).
    """

    id: uuid.UUID
    token: str
    expires_at: datetime


async def issue_session(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS,
    user_agent: str | None = None,
    ip_address: str | None = None,
    rotated_from: uuid.UUID | None = None,
) -> IssuedSession:
    """Create a session for ``user_id`` in the caller's transaction; its token is returned
    once and stored hashed (:func:`hash_token`).

    Args:
        conn: a connection inside the caller's transaction.
        user_id: the user to sign in.
        ttl_seconds: lifetime of the token in seconds (> 0).
        user_agent: the client that signed in (its User-Agent header), if known.
        ip_address: the address it signed in from, if known.
        rotated_from: the session this one replaces (:func:`rotate_session`).

    Raises:
        ValueError: ``ttl_seconds`` is not positive.
    """
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = (
        await conn.execute(
            sa.insert(_sessions)
            .values(
                user_id=user_id,
                token=hash_token(token),
                expires_at=sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, ttl_seconds),
                user_agent=user_agent,
                ip_address=ip_address,
                rotated_from=rotated_from,
            )
            .returning(_sessions.c.id, _sessions.c.expires_at)
        )
    ).one()
    return IssuedSession(id=row.id, token=token, expires_at=row.expires_at)


async def revoke_session(conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """Revoke one of ``user_id``'s sessions: its row is deleted, so its token signs nobody in
    from the commit on (the next request with it is ``UNAUTHENTICATED``, HTTP 401).

    Raises:
        NotFound: no such session of this user (another user's session is absent).
    """
    deleted = (
        await conn.execute(
            sa.delete(_sessions)
            .where(_sessions.c.id == session_id, _sessions.c.user_id == user_id)
            .returning(_sessions.c.id)
        )
    ).scalar()
    if deleted is None:
        raise NotFound("No such session.", resource="Session")


async def rotate_session(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    *,
    ttl_seconds: int,
    grace_seconds: int,
) -> IssuedSession:
    """Replace a live session by a new one (a fresh token and lifetime), linked by
    ``rotated_from``; the old token keeps signing in for ``grace_seconds`` more (requests
    already in flight), never longer than it would have anyway, then stops.

    The old row is locked first, so two concurrent refreshes of one session give one new
    session and one ``InvalidState``.

    Args:
        conn: a connection inside the caller's transaction.
        user_id: the session's user (the viewer).
        session_id: the session to replace (the viewer's current one).
        ttl_seconds: lifetime of the new token, seconds (> 0).
        grace_seconds: how long the old token still works, seconds (>= 0).

    Raises:
        NotFound: no such live session of this user.
        InvalidState: the session was refreshed already (``status`` ``rotated``): refresh
            with the token that replaced it.
    """
    row = (
        await conn.execute(
            sa.select(_sessions.c.user_agent, _sessions.c.ip_address)
            .where(
                _sessions.c.id == session_id,
                _sessions.c.user_id == user_id,
                _sessions.c.expires_at > sa.func.now(),
            )
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound("No such session.", resource="Session")
    successor = (
        await conn.execute(sa.select(_sessions.c.id).where(_sessions.c.rotated_from == session_id))
    ).first()
    if successor is not None:
        raise InvalidState("This session was refreshed already.", status="rotated")
    issued = await issue_session(
        conn,
        user_id,
        ttl_seconds=ttl_seconds,
        user_agent=row.user_agent,
        ip_address=row.ip_address,
        rotated_from=session_id,
    )
    await conn.execute(
        sa.update(_sessions)
        .where(_sessions.c.id == session_id)
        .values(
            expires_at=sa.func.least(
                _sessions.c.expires_at,
                sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, grace_seconds),
            )
        )
    )
    return issued


async def prune_expired(conn: AsyncConnection, *, older_than_seconds: float) -> int:
    """Delete the sessions that expired more than ``older_than_seconds`` seconds ago (their
    tokens sign nobody in already; a newer session's ``rotated_from`` to one becomes null).

    Returns:
        The number of sessions deleted.
    """
    result = await conn.execute(
        sa.delete(_sessions).where(
            _sessions.c.expires_at
            < sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0, older_than_seconds)
        )
    )
    return int(result.rowcount or 0)
