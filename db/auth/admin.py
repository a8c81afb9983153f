"""Staff writes on accounts: approve or deactivate a user, grant or revoke a role
(docs/admin.md; entitlements ``users:manage`` and ``roles:manage``, checked by the mutation
machinery). Each appends its ``audit_log`` row (the fields before and after) in the caller's
transaction through :func:`db.auth.activity.audit`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import Actor, audit
from db.auth.staff import locked_row
from db.bounds import Text
from db.errors import InvalidInput, NotFound
from db.events.outbox import publish_revocation

__all__ = [
    "REASON",
    "approve_user",
    "deactivate_user",
    "grant_role",
    "revoke_role",
]

_users = metadata.tables["users"]
_roles = metadata.tables["roles"]
_user_roles = metadata.tables["user_roles"]
_sessions = metadata.tables["sessions"]

#: The reason staff give for deactivating an account (kept in the audit row).
REASON = Text(500, 1)


async def _user(conn: AsyncConnection, user_id: uuid.UUID) -> dict[str, Any]:
    """The ``users`` row, locked until the transaction ends.

    Raises:
        NotFound: no such user (``resource`` ``User``).
    """
    return await locked_row(conn, _users, user_id, resource="User")


async def _set_access(
    conn: AsyncConnection,
    actor: Actor,
    user_id: uuid.UUID,
    values: dict[str, Any],
    *,
    action: str,
    details: dict[str, Any] | None = None,
    close_after_s: float | None = None,
) -> None:
    """Write ``approved`` / ``deactivated_at`` of a locked user, tell every process to sign
    the user's sessions in again (:func:`db.events.outbox.publish_revocation`; their
    websockets closed after ``close_after_s``, None: kept) and audit the change before and
    after (``action`` on the ``users`` row)."""
    before = await _user(conn, user_id)
    row = await conn.execute(
        sa.update(_users)
        .where(_users.c.id == user_id)
        .values(**values)
        .returning(_users.c.approved, _users.c.deactivated_at)
    )
    after = dict(row.one()._mapping)
    # What the user's sessions sign in as changed: every process reads them again.
    await publish_revocation(conn, user_id=user_id, close_after_s=close_after_s)
    await audit(
        conn,
        actor,
        action=action,
        resource_type="users",
        resource_id=user_id,
        before={k: before[k] for k in after},
        after=after,
        details=details,
    )


async def approve_user(
    conn: AsyncConnection, actor: Actor, user_id: uuid.UUID, approved: bool
) -> None:
    """Approve a user's account (``users.approved``), or withdraw the approval. Approving
    also lets a deactivated account in again (``deactivated_at`` cleared; its sessions stay
    ended, the person signs in anew). Audited with ``approved`` and ``deactivated_at``
    before and after (an unchanged row is still audited: the attempt is a staff action).

    Raises:
        NotFound: no such user.
    """
    values: dict[str, Any] = {"approved": approved}
    if approved:
        values["deactivated_at"] = None
    await _set_access(conn, actor, user_id, values, action="approveUser")


async def deactivate_user(
    conn: AsyncConnection, actor: Actor, user_id: uuid.UUID, reason: str
) -> int:
    """Deactivate a user's account: ``deactivated_at`` set to now (kept when it was set
    already), ``approved`` false, and every session deleted, so no token of theirs signs in
    from the commit on and the sign-in server cannot issue a new one
    (:func:`db.auth.viewer.viewer_statement` and :func:`db.auth.transitions.sign_in_with_account`
    skip a deactivated user). Their rows stay. Audited with the reason and the number of
    sessions ended.

    Args:
        conn: a connection inside the mutation's transaction.
        actor: the staff member (a user may not deactivate themselves).
        user_id: the account.
        reason: why, 1 to 500 characters (:data:`REASON`).

    Returns:
        How many sessions were ended.

    Raises:
        InvalidInput: an empty or overlong ``reason``; ``userId`` is the actor's own account
            (staff would lock themselves out).
        NotFound: no such user.
    """
    reason = reason.strip()
    REASON.check(reason, "reason")
    if user_id == actor.user_id:
        raise InvalidInput("Staff cannot deactivate their own account.", field="userId")
    await _user(conn, user_id)  # locked first: NotFound before any write
    ended = len(
        (
            await conn.execute(
                sa.delete(_sessions).where(_sessions.c.user_id == user_id).returning(_sessions.c.id)
            )
        ).all()
    )
    await _set_access(
        conn,
        actor,
        user_id,
        {
            "approved": False,
            "deactivated_at": sa.func.coalesce(_users.c.deactivated_at, sa.func.now()),
        },
        action="deactivateUser",
        details={"reason": reason, "sessions_ended": ended},
        close_after_s=0,
    )
    return ended


async def _role_id(conn: AsyncConnection, role: str) -> uuid.UUID:
    """The id of the role named ``role``.

    Raises:
        NotFound: no such role (``resource`` ``Role``).
    """
    found = (await conn.execute(sa.select(_roles.c.id).where(_roles.c.name == role))).scalar()
    if found is None:
        raise NotFound(f"No role named {role!r}.", resource="Role")
    return uuid.UUID(str(found))


async def grant_role(
    conn: AsyncConnection,
    actor: Actor,
    user_id: uuid.UUID,
    role: str,
    expires_at: datetime | None,
) -> None:
    """Grant ``role`` to a user until ``expires_at`` (None: for good); granting a role the
    user holds already sets its expiry anew (and who granted it). The role's entitlements,
    and those of its ancestors (``parent_role_id``), count from the commit on and until the
    expiry (:func:`db.auth.viewer.viewer_statement`). Audited with the grant before and after.

    Raises:
        InvalidInput: ``expiresAt`` is not in the future.
        NotFound: no such user, or no such role.
    """
    if expires_at is not None:
        now = (await conn.execute(sa.select(sa.func.now()))).scalar_one()
        if expires_at <= now:
            raise InvalidInput("`expiresAt` must lie in the future.", field="expiresAt")
    await _user(conn, user_id)
    role_id = await _role_id(conn, role)
    before = (
        await conn.execute(
            sa.select(_user_roles.c.expires_at, _user_roles.c.granted_by)
            .where(_user_roles.c.user_id == user_id, _user_roles.c.role_id == role_id)
            .with_for_update()
        )
    ).first()
    values = {"expires_at": expires_at, "granted_by": actor.user_id}
    if before is None:
        await conn.execute(
            sa.insert(_user_roles).values(user_id=user_id, role_id=role_id, **values)
        )
    else:
        await conn.execute(
            sa.update(_user_roles)
            .where(_user_roles.c.user_id == user_id, _user_roles.c.role_id == role_id)
            .values(granted_at=sa.func.now(), **values)
        )
    await publish_revocation(conn, user_id=user_id)  # the entitlements changed
    await audit(
        conn,
        actor,
        action="grantRole",
        resource_type="user_roles",
        resource_id=f"{user_id}:{role}",
        before=None if before is None else before._asdict(),
        after={**values, "held": True},
        details={"user_id": user_id, "role": role},
    )


async def revoke_role(conn: AsyncConnection, actor: Actor, user_id: uuid.UUID, role: str) -> None:
    """Take ``role`` from a user (the ``user_roles`` row is deleted); their other roles stay.
    Audited with the grant before.

    Raises:
        InvalidInput: ``role`` is ``user``, which every account holds.
        NotFound: no such user or role, or the user does not hold the role.
    """
    if role == "user":
        raise InvalidInput("Every account holds the `user` role.", field="role")
    await _user(conn, user_id)
    role_id = await _role_id(conn, role)
    removed = (
        await conn.execute(
            sa.delete(_user_roles)
            .where(_user_roles.c.user_id == user_id, _user_roles.c.role_id == role_id)
            .returning(_user_roles.c.expires_at, _user_roles.c.granted_by)
        )
    ).first()
    if removed is None:
        raise NotFound("The user does not hold this role.", resource="UserRole")
    await publish_revocation(conn, user_id=user_id)  # the entitlements changed
    await audit(
        conn,
        actor,
        action="revokeRole",
        resource_type="user_roles",
        resource_id=f"{user_id}:{role}",
        before={**removed._asdict(), "held": True},
        after={"held": False},
        details={"user_id": user_id, "role": role},
    )
