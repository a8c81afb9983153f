"""Signing a request in: the bearer token of the ``Authorization`` header (HTTP) or of the
websocket's ``connection_init`` payload, checked against ``sessions``.

docs/design.md#auth: ``Authorization: Bearer <token>`` on HTTP, the same token in the
websocket ``connection_init`` payload; revoked by deleting the row. No header at all means
anonymous; a header with an unknown, expired or malformed token is an error
(:class:`Unauthenticated`, ``extensions.code = "UNAUTHENTICATED"``, HTTP 401), so that a client
whose token lapsed is told so instead of silently seeing the signed-out API.

The viewer, its statements and the session tokens are :mod:`db.auth.viewer`'s (the GraphQL
layer and the seeds use them without the process); their names are re-exported here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import (
    DEFAULT_TOKEN_TTL_SECONDS,
    READ_ALL_ROWS,
    Viewer,
    bound_viewer_statement,
    create_session_token,
    hash_token,
    viewer_for_token,
    viewer_from_row,
    viewer_sql,
    viewer_statement,
)
from db.connections import driver_connection
from gateway.sessions import SessionCache


class Unauthenticated(Exception):
    """The request carries credentials that sign nobody in (HTTP 401, ``UNAUTHENTICATED``).

    Attributes:
        reason: what is wrong, safe to show to the client.
    """

    code = "UNAUTHENTICATED"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 256:
        return None
    return token


async def authenticate(
    engine: AsyncEngine, authorization: str | None, sessions: SessionCache | None = None
) -> Viewer | None:
    """The viewer of an ``Authorization`` header value: remembered by ``sessions``
    (:mod:`gateway.sessions`; no statement, no checkout), or checked with one statement on a
    short checkout (the connection is back in the pool before this returns; no transaction
    stays open).

    Args:
        engine: the process engine (its pool lends the connection, see
            :func:`db.connections.driver_connection`).
        authorization: the header value; None or blank means anonymous.
        sessions: the process's verified sessions, or None (always ask the database).

    Returns:
        The viewer, or None when there is no header.

    Raises:
        Unauthenticated: the header is not ``Bearer <token>``, or the token is unknown,
            expired or revoked.
    """
    token = credentials(authorization)
    if token is None:
        return None
    token_hash = hash_token(token)
    if sessions is not None and (known := sessions.get(token_hash)) is not None:
        return known
    async with driver_connection(engine) as driver:
        return await _verify(driver, token_hash, sessions)


async def sign_in(driver: Any, token: str, sessions: SessionCache | None = None) -> Viewer:
    """The viewer of a bearer token: remembered by ``sessions`` (no statement), else the one
    sign-in statement (:func:`viewer_sql`), sent as the driver's SQL on an asyncpg connection
    outside any transaction, so it is one round trip (through SQLAlchemy's connection it would
    be three: ``BEGIN``, the statement, ``ROLLBACK``); asyncpg prepares it once per
    connection. Both read paths sign in here.

    Args:
        driver: an asyncpg connection (:func:`db.connections.driver_connection`).
        token: the bearer token.
        sessions: the process's verified sessions, or None (always ask the database).

    Raises:
        Unauthenticated: the token is unknown, expired or revoked.
    """
    token_hash = hash_token(token)
    if sessions is not None and (known := sessions.get(token_hash)) is not None:
        return known
    return await _verify(driver, token_hash, sessions)


async def _verify(driver: Any, token_hash: str, sessions: SessionCache | None) -> Viewer:
    """Run the sign-in statement for ``token_hash`` and remember the viewer in ``sessions``
    (unless a revocation reached the process meanwhile, :meth:`SessionCache.put`).

    Raises:
        Unauthenticated: the token is unknown, expired or revoked.
    """
    epoch = sessions.epoch if sessions is not None else 0
    row = await driver.fetchrow(viewer_sql(), token_hash)
    if row is None:
        raise unknown_token()
    viewer = viewer_from_row(row)
    if sessions is not None:
        sessions.put(token_hash, viewer, epoch)
    return viewer


def credentials(authorization: str | None) -> str | None:
    """The bearer token of an ``Authorization`` header value; None (anonymous) for a missing
    or blank header.

    Raises:
        Unauthenticated: the header is not ``Bearer <token>``.
    """
    if authorization is None or not authorization.strip():
        return None
    token = bearer_token(authorization)
    if token is None:
        raise Unauthenticated("The Authorization header must be `Bearer <token>`.")
    return token


def unknown_token() -> Unauthenticated:
    """The error of a well-formed token that signs nobody in."""
    return Unauthenticated("The bearer token is unknown, expired or revoked.")


__all__ = [
    "DEFAULT_TOKEN_TTL_SECONDS",
    "READ_ALL_ROWS",
    "Unauthenticated",
    "Viewer",
    "authenticate",
    "bearer_token",
    "bound_viewer_statement",
    "create_session_token",
    "credentials",
    "hash_token",
    "sign_in",
    "unknown_token",
    "viewer_for_token",
    "viewer_from_row",
    "viewer_sql",
    "viewer_statement",
]
