"""The user lifecycle transitions.

docs/design.md#new-user: creating a user also creates their wallet, progress, settings
and onboarding state, in the same transaction; Ignition specification, "Auth Flow" step 5.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.models import BuiltinRole

#: The settings every new user starts with (Ignition specification,
#: "Section 2: Personalization Tables", ``user_settings`` defaults).
DEFAULT_SETTINGS: dict[str, Any] = {
    "nudge_intensity": "standard",
    "default_focus_duration": 300,
    "gamification_visible": "always",
    "planner_mode": "collapsed",
    "theme": "system",
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(ValueError):
    """A user could not be created or found; the message says why."""


class EmailTaken(UserError):
    """Another user already has this email address."""


@dataclass(frozen=True)
class CreatedUser:
    """The result of :func:`create_user`."""

    id: uuid.UUID
    email: str
    name: str
    is_admin: bool
    roles: tuple[str, ...] = ()


def normalize_email(email: str) -> str:
    """Trim and lower-case an email address.

    Raises:
        UserError: not an email address.
    """
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise UserError(f"not an email address: {email!r}")
    return email


async def create_user(
    conn: AsyncConnection,
    *,
    email: str,
    name: str,
    admin: bool = False,
    roles: Sequence[str] = (),
    email_verified: datetime | None = None,
    image: str | None = None,
    approved: bool = True,
    age_verified: bool = True,
) -> CreatedUser:
    """Create a user with everything a user owns from the start, in the caller's transaction:
    the one place a user is created (``ignition user create``, the first
    ``signInWithAccount``, the demo data and the tests), so the Ignition specification's
    createUser event ("Auth Flow", step 5) happens the same way everywhere.

    Inserts the ``users`` row, its ``user_wallet`` (0 coins), ``user_progress`` (level 1),
    the default ``user_settings`` (:data:`DEFAULT_SETTINGS`), a ``user_onboarding_state`` on
    the active onboarding flow, the ``user`` role (plus ``admin`` and ``roles`` when asked),
    an ``activity_events`` row and an ``audit_log`` row.

    Args:
        conn: a connection inside the caller's transaction.
        email: the sign-in address (stored trimmed and lower-cased, unique).
        name: the display name (non-empty).
        admin: also grant the ``admin`` role (all entitlements, Ignition specification,
        "Part 7: Seed Data Requirements").
        roles: more seeded role names to grant (e.g. ``auth_server``).
        email_verified: when the address was verified (None: not verified).
        image: a profile picture URL.
        approved: ``users.approved`` (False when the gateway requires approval).
        age_verified: ``users.age_verified`` (False when the gateway requires approval).

    Raises:
        UserError: a malformed email or an empty name; an unknown role; no active onboarding
            flow or no seeded roles (run ``ignition seed`` first).
        EmailTaken: the email is in use.
    """
    t = metadata.tables
    email = normalize_email(email)
    name = name.strip()
    if not name:
        raise UserError("name must not be empty")
    role_names = list(dict.fromkeys(["user", *(["admin"] if admin else []), *roles]))
    role_ids = (
        (await conn.execute(sa.select(t["roles"].c.id).where(t["roles"].c.name.in_(role_names))))
        .scalars()
        .all()
    )
    if len(role_ids) != len(role_names):
        raise UserError(
            f"unknown role among {', '.join(role_names)} (is the catalog seeded? `ignition seed`)"
        )
    flow_id = (
        await conn.execute(
            sa.select(t["onboarding_flows"].c.id)
            .where(t["onboarding_flows"].c.is_active)
            .order_by(t["onboarding_flows"].c.created_at)
            .limit(1)
        )
    ).scalar()
    if flow_id is None:
        raise UserError("no active onboarding flow: run `ignition seed`")

    user_id = (
        await conn.execute(
            insert(t["users"])
            .values(
                email=email,
                name=name,
                role=(BuiltinRole.ADMIN if admin else BuiltinRole.USER).value,
                email_verified=email_verified,
                image=image,
                approved=approved,
                age_verified=age_verified,
            )
            .on_conflict_do_nothing(index_elements=["email"])
            .returning(t["users"].c.id)
        )
    ).scalar()
    if user_id is None:
        raise EmailTaken(f"a user with email {email!r} already exists")

    await conn.execute(sa.insert(t["user_wallet"]).values(user_id=user_id))
    await conn.execute(sa.insert(t["user_progress"]).values(user_id=user_id))
    await conn.execute(
        sa.insert(t["user_settings"]),
        [{"user_id": user_id, "key": k, "value": v} for k, v in DEFAULT_SETTINGS.items()],
    )
    await conn.execute(
        sa.insert(t["user_onboarding_state"]).values(user_id=user_id, flow_id=flow_id)
    )
    await conn.execute(
        sa.insert(t["user_roles"]), [{"user_id": user_id, "role_id": r} for r in role_ids]
    )
    await conn.execute(
        sa.insert(t["activity_events"]).values(
            user_id=user_id, event_type="user.created", category="account"
        )
    )
    await conn.execute(
        sa.insert(t["audit_log"]).values(
            user_id=user_id,
            event_type="user.created",
            resource_type="user",
            resource_id=str(user_id),
            action="create",
            details={"roles": role_names},
        )
    )
    return CreatedUser(id=user_id, email=email, name=name, is_admin=admin, roles=tuple(role_names))


async def user_id_by_email(conn: AsyncConnection, email: str) -> uuid.UUID:
    """The id of the user with this email.

    Raises:
        UserError: no such user.
    """
    users = metadata.tables["users"]
    user_id: uuid.UUID | None = (
        await conn.execute(sa.select(users.c.id).where(users.c.email == normalize_email(email)))
    ).scalar()
    if user_id is None:
        raise UserError(f"no user with email {email!r}")
    return user_id
