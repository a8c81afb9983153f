"""The viewer (the signed-in user of a request, with the entitlements that widen what they
see) and the session tokens that sign one in: opaque random tokens, stored hashed in
``sessions`` with an expiry, revoked by deleting the row.

The process reads the token from the request (``gateway.auth``: the ``Authorization`` header,
the websocket's ``connection_init`` payload); the statements that turn it into a
:class:`Viewer` are here, below every layer that needs them. Tokens are made, revoked and
rotated in :mod:`db.auth.sessions`; the one sign-in statement also records the session's and
the user's activity, at most once a minute (:func:`_viewer_select`).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.rules import ACTIVITY_INTERVAL_SECONDS
from db.auth.sessions import DEFAULT_TOKEN_TTL_SECONDS, hash_token, issue_session

#: The entitlement that lets a viewer read every row of every table, whoever owns it (admin
#: screens, support). Seeded by ``seeds.auth`` and granted to the ``admin`` role only. Reading
#: one admin table (``audit_log:read``, ``users:read``) is a separate, narrower entitlement
#: declared by that table's ``TableSpec.read_entitlement``.
READ_ALL_ROWS = "rows:read_all"


@dataclass(frozen=True)
class Viewer:
    """The authenticated user of a request.

    Attributes:
        user_id: ``users.id``.
        session_id: ``sessions.id`` of the token used.
        entitlements: names of the entitlements held through the user's roles.
        approved: ``users.approved`` (an admin let the account in).
        age_verified: ``users.age_verified`` (the user confirmed the minimum age).
        last_activity_at: ``users.last_activity_at`` as it was before this request signed
            in (the sign-in statement may move it to now), None for a user never seen active.
        session_expires_at: ``sessions.expires_at`` of the token used (a process that
            remembers the viewer, ``gateway.sessions``, forgets it by then at the latest).
    """

    user_id: uuid.UUID
    session_id: uuid.UUID | None = None
    entitlements: frozenset[str] = field(default_factory=frozenset)
    approved: bool = True
    age_verified: bool = True
    last_activity_at: datetime | None = None
    session_expires_at: datetime | None = None

    @property
    def reads_all_rows(self) -> bool:
        """Whether the viewer holds :data:`READ_ALL_ROWS` (sees every row of every table)."""
        return READ_ALL_ROWS in self.entitlements

    def has(self, entitlement: str) -> bool:
        """Whether the viewer holds ``entitlement`` (e.g. ``"audit_log:read"``)."""
        return entitlement in self.entitlements


def viewer_statement(token: str) -> sa.Select[Any]:
    """The statement that authenticates ``token``: one row (user id, session id, entitlement
    names, approved, age verified, previous activity, session expiry) for a known, unexpired
    token of an account that is not deactivated, none otherwise. It also records activity
    (see :func:`_viewer_select`)."""
    return _viewer_select(hash_token(token))


@functools.cache
def bound_viewer_statement() -> sa.Select[Any]:
    """:func:`viewer_statement` built once, with the token's :func:`hash_token` as the bind
    parameter ``token_hash`` (a request then builds no statement to sign in)."""
    return _viewer_select(sa.bindparam("token_hash", type_=sa.String))


@functools.cache
def viewer_sql() -> str:
    """:func:`viewer_statement` as asyncpg SQL text, compiled once; its one parameter ``$1``
    is the token's :func:`hash_token` (the compiled read path prepares it per connection)."""
    from sqlalchemy.dialects.postgresql import asyncpg

    return str(bound_viewer_statement().compile(dialect=asyncpg.dialect()))


def _touch(table: sa.Table, ids: sa.Select[Any], returning: sa.Column[Any]) -> sa.UpdateBase:
    """``UPDATE table SET last_activity_at = now()`` for the rows of ``ids`` whose activity is
    unset or older than :data:`~db.auth.rules.ACTIVITY_INTERVAL_SECONDS`, skipping rows another
    transaction holds locked; returns ``returning``. ``users.updated_at`` does not move:
    activity is not a change of the row."""
    # A literal, not a bind parameter: :func:`viewer_sql` has the token hash as its only one.
    stale = sa.func.now() - sa.literal_column(
        f"interval '{int(ACTIVITY_INTERVAL_SECONDS)} seconds'"
    )
    due = (
        sa.select(table.c.id)
        .where(
            table.c.id.in_(ids),
            sa.or_(table.c.last_activity_at.is_(None), table.c.last_activity_at < stale),
        )
        .with_for_update(skip_locked=True)
    )
    values: dict[str, Any] = {"last_activity_at": sa.func.now()}
    if "updated_at" in table.c:
        values["updated_at"] = table.c.updated_at
    return sa.update(table).where(table.c.id.in_(due)).values(**values).returning(returning)


def _viewer_select(token_hash: str | sa.BindParameter[str]) -> sa.Select[Any]:
    """The sign-in statement. Besides reading the session, its user's flags and entitlements,
    it records activity in the same statement (no extra round trip, no write per request):
    ``sessions.last_activity_at`` is set to now when it is older than
    :data:`~db.auth.rules.ACTIVITY_INTERVAL_SECONDS` (60 s) or unset, and then
    ``users.last_activity_at`` likewise. Both updates skip a row another transaction holds
    locked (``FOR UPDATE SKIP LOCKED``: a request never waits for one; the next request after
    the lock is gone records it), so at most one write per session and minute. The returned
    ``last_activity_at`` is the user's value before this statement (one snapshot)."""
    t = metadata.tables
    sessions, users, user_roles = t["sessions"], t["users"], t["user_roles"]
    role_entitlements, entitlements = t["role_entitlements"], t["entitlements"]
    live = (
        sa.select(sessions.c.id, sessions.c.user_id, sessions.c.expires_at)
        .where(sessions.c.token == token_hash, sessions.c.expires_at > sa.func.now())
        .cte("live")
    )
    touched = _touch(sessions, sa.select(live.c.id), sessions.c.user_id).cte("touched")
    touched_user = _touch(users, sa.select(touched.c.user_id), users.c.id).cte("touched_user")
    lineage = role_lineage()
    held = (
        sa.select(sa.func.array_agg(sa.distinct(entitlements.c.name)))
        .select_from(user_roles)
        .join(lineage, lineage.c.role_id == user_roles.c.role_id)
        .join(role_entitlements, role_entitlements.c.role_id == lineage.c.ancestor_id)
        .join(entitlements, entitlements.c.id == role_entitlements.c.entitlement_id)
        .where(user_roles.c.user_id == live.c.user_id)
        .where(sa.or_(user_roles.c.expires_at.is_(None), user_roles.c.expires_at > sa.func.now()))
        .scalar_subquery()
    )
    return (
        sa.select(
            live.c.user_id,
            live.c.id,
            held,
            users.c.approved,
            users.c.age_verified,
            users.c.last_activity_at,
            live.c.expires_at,
        )
        .select_from(live.join(users, users.c.id == live.c.user_id))
        .where(users.c.deactivated_at.is_(None))
        .add_cte(touched, touched_user, lineage)
    )


def role_lineage() -> sa.CTE:
    """The recursive CTE ``role_lineage(role_id, ancestor_id)``: every role with itself and
    each role up its ``parent_role_id`` chain, so a role inherits its ancestors' entitlements
    (``admin`` -> ``moderator`` -> ``user``, seeds/data/auth/roles.json). ``UNION`` (not
    ``UNION ALL``) ends the recursion even on a cycle of parents."""
    roles = metadata.tables["roles"]
    anchor = sa.select(roles.c.id.label("role_id"), roles.c.id.label("ancestor_id")).cte(
        "role_lineage", recursive=True
    )
    parent = roles.alias("parent_role")
    step = (
        sa.select(anchor.c.role_id, parent.c.parent_role_id)
        .select_from(anchor.join(parent, parent.c.id == anchor.c.ancestor_id))
        .where(parent.c.parent_role_id.is_not(None))
    )
    return anchor.union(step)


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
    return Viewer(
        user_id=row[0],
        session_id=row[1],
        entitlements=frozenset(row[2] or ()),
        approved=bool(row[3]),
        age_verified=bool(row[4]),
        last_activity_at=row[5],
        session_expires_at=row[6],
    )


async def create_session_token(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    *,
    ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS,
    user_agent: str | None = None,
) -> str:
    """Create a session for ``user_id`` and return its token (shown once, stored hashed):
    :func:`db.auth.sessions.issue_session`, for the CLI and the tests.

    Args:
        conn: a connection inside the caller's transaction.
        user_id: the user to sign in.
        ttl_seconds: lifetime of the token in seconds (> 0).
        user_agent: the client, if known.

    Raises:
        ValueError: ``ttl_seconds`` is not positive.
    """
    issued = await issue_session(conn, user_id, ttl_seconds=ttl_seconds, user_agent=user_agent)
    return issued.token


__all__ = [
    "DEFAULT_TOKEN_TTL_SECONDS",
    "READ_ALL_ROWS",
    "Viewer",
    "bound_viewer_statement",
    "create_session_token",
    "hash_token",
    "role_lineage",
    "viewer_for_token",
    "viewer_from_row",
    "viewer_sql",
    "viewer_statement",
]
