"""Staff mutations on accounts and roles (docs/admin.md): approve and deactivate users
(``users:manage``), grant and revoke roles (``roles:manage``). The writes and their audit rows
are in :mod:`db.auth.admin`; these declarations only map arguments and results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from db.auth import admin
from db.bounds import Text
from db.errors import InvalidInput, NotFound
from schema.auth import USERS_MANAGE
from schema.core.mutations import Ids, Tx, id_arg, mutation

#: Grants and revokes roles (``grantRole``, ``revokeRole``). Seeded by ``seeds.auth``.
ROLES_MANAGE = "roles:manage"

#: A role's name as an argument (``roles.name``: ``user``, ``moderator``, ``admin``, ...).
ROLE_NAME = Text(50, 1)

UserId = Annotated[strawberry.ID, strawberry.argument(description="The user acted on (`User.id`).")]
RoleName = Annotated[
    str,
    ROLE_NAME,
    strawberry.argument(description="The role's name (`Role.name`: `moderator`, `admin`, ...)."),
]


@mutation(
    description="For staff (entitlement `users:manage`): approve a user's account "
    "(`User.approved`; approving a deactivated account lets it in again, `User.deactivatedAt` "
    "cleared), or withdraw the approval with `approved: false`; audited.",
    returns={"user": "users?"},
    errors=(NotFound,),
    entitlement=USERS_MANAGE,
    args={"approved": "True (the default) approves, false withdraws the approval."},
    fields={"user": "The user; null when the viewer may not read other users."},
)
async def approve_user(tx: Tx, user_id: UserId, approved: bool = True) -> Ids:
    target = id_arg(user_id, "userId")
    await admin.approve_user(tx.conn, tx.actor, target, approved)
    return {"user": target}


@mutation(
    description="For staff (entitlement `users:manage`): deactivate a user's account: every "
    "session of theirs ends at once, no token of theirs signs in and the sign-in server cannot "
    "issue a new one until the account is approved again (`approveUser`). Their rows stay. "
    "Audited with the reason.",
    returns={"user": "users?", "sessions_ended": int},
    errors=(NotFound,),
    entitlement=USERS_MANAGE,
    args={"reason": "Why the account is deactivated (kept in the audit log)."},
    fields={
        "user": "The deactivated user; null when the viewer may not read other users.",
        "sessions_ended": "How many sessions of the user were ended.",
    },
)
async def deactivate_user(tx: Tx, user_id: UserId, reason: Annotated[str, admin.REASON]) -> Ids:
    target = id_arg(user_id, "userId")
    ended = await admin.deactivate_user(tx.conn, tx.actor, target, reason)
    return {"user": target, "sessions_ended": ended}


@mutation(
    description="For staff (entitlement `roles:manage`): grant a role to a user, until "
    "`expiresAt` or for good. The role's entitlements and those of the roles it inherits "
    "(`Role.parentRoleId`: admin inherits moderator, which inherits user) count from the next "
    "request on and stop at the expiry. Granting a role the user holds sets its expiry anew. "
    "Audited.",
    returns={"user": "users?"},
    errors=(NotFound, InvalidInput),
    entitlement=ROLES_MANAGE,
    args={"expires_at": "When the grant ends (in the future); null or absent: never."},
    fields={"user": "The user; null when the viewer may not read other users."},
)
async def grant_role(
    tx: Tx, user_id: UserId, role: RoleName, expires_at: datetime | None = None
) -> Ids:
    target = id_arg(user_id, "userId")
    await admin.grant_role(tx.conn, tx.actor, target, role, expires_at)
    return {"user": target}


@mutation(
    description="For staff (entitlement `roles:manage`): take a role from a user (every "
    "account keeps `user`); its entitlements stop with the next request. Audited.",
    returns={"user": "users?"},
    errors=(NotFound,),
    entitlement=ROLES_MANAGE,
    fields={"user": "The user; null when the viewer may not read other users."},
)
async def revoke_role(tx: Tx, user_id: UserId, role: RoleName) -> Ids:
    target = id_arg(user_id, "userId")
    await admin.revoke_role(tx.conn, tx.actor, target, role)
    return {"user": target}
