"""Auth and access tables: users, OAuth accounts, API sessions, verification tokens, WebAuthn
authenticators, role-based access (roles, entitlements and their grants), the security audit log
and the activity feed.

Columns: spec/004 migration 0001; types, defaults and meanings: spec/003 section 1 (auth) and
section 4 (``activity_events``); natural keys and the API's use of these tables: DESIGN.md
sections 2 to 4.

Values chosen here (spec/003 lists none): ``accounts.type`` (the Auth.js account types),
``authenticators.credential_device_type`` (the WebAuthn values). ``users.role`` is spec/003's
user/admin plus the ``moderator`` role of the seed roles (spec/000 Part 7).

Stored as decided here: ``accounts.expires_at`` is a TIMESTAMPTZ (Auth.js keeps epoch seconds),
``authenticators.counter`` a BIGINT (the WebAuthn signature counter is an unsigned 32-bit value),
``authenticators.transports`` a JSONB list of transport names, ``ip_address`` columns plain text.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, PrimaryKeyConstraint, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from db.base import (
    JSON,
    UUIDPK,
    Base,
    CreatedAt,
    UpdatedAt,
    big_int,
    fk,
    non_negative,
    secret,
    user_fk,
)


class BuiltinRole(enum.StrEnum):
    """The coarse role stored on the user row; finer grants go through ``user_roles``."""

    USER = "user"
    MODERATOR = "moderator"
    ADMIN = "admin"


class AccountType(enum.StrEnum):
    """How a linked sign-in account authenticates (the Auth.js adapter account types)."""

    OAUTH = "oauth"
    OIDC = "oidc"
    EMAIL = "email"
    WEBAUTHN = "webauthn"


class CredentialDeviceType(enum.StrEnum):
    """Whether a WebAuthn credential is bound to one device or synced across devices."""

    SINGLE_DEVICE = "singleDevice"
    MULTI_DEVICE = "multiDevice"


class AuditStatus(enum.StrEnum):
    """The outcome of an audited action."""

    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class User(Base):
    __tablename__ = "users"

    id: Mapped[UUIDPK]
    name: Mapped[str]
    email: Mapped[str] = mapped_column(unique=True)
    email_verified: Mapped[datetime | None]
    image: Mapped[str | None]
    role: Mapped[BuiltinRole] = mapped_column(server_default=BuiltinRole.USER.value)
    approved: Mapped[bool] = mapped_column(server_default="true")
    age_verified: Mapped[bool] = mapped_column(server_default="true")
    tos_accepted: Mapped[bool] = mapped_column(server_default="false")
    tos_accepted_at: Mapped[datetime | None]
    tos_version: Mapped[str | None]
    last_activity_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class Account(Base):
    """A sign-in provider account linked to a user (spec/003 section 1, ``accounts``)."""

    __tablename__ = "accounts"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    type: Mapped[AccountType]
    provider: Mapped[str]
    provider_account_id: Mapped[str]
    refresh_token: Mapped[str | None] = secret()
    access_token: Mapped[str | None] = secret()
    expires_at: Mapped[datetime | None]
    token_type: Mapped[str | None]
    scope: Mapped[str | None]
    id_token: Mapped[str | None] = secret()
    session_state: Mapped[str | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (UniqueConstraint("provider", "provider_account_id"),)


class Session(Base):
    """An API session; ``token`` is the SHA-256 hex of the bearer token (DESIGN.md section 4)."""

    __tablename__ = "sessions"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    token: Mapped[str] = secret(unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[CreatedAt]
    last_activity_at: Mapped[datetime | None]
    user_agent: Mapped[str | None]
    ip_address: Mapped[str | None]
    rotated_from: Mapped[uuid.UUID | None] = fk(
        "sessions.id",
        nullable=True,
        ondelete="SET NULL",
        rel="previousSession",
        reverse="rotations",
    )

    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("rotated_from <> id", name="not_rotated_from_itself"),
    )


class VerificationToken(Base):
    """A one-time email verification token (spec/003 section 1); ``token`` is stored hashed."""

    __tablename__ = "verification_tokens"

    identifier: Mapped[str] = mapped_column(primary_key=True)
    token: Mapped[str] = secret(primary_key=True, unique=True)
    expires: Mapped[datetime]
    created_at: Mapped[CreatedAt]


class Authenticator(Base):
    """A WebAuthn (passkey) credential of a user (spec/003 section 1, ``authenticators``)."""

    __tablename__ = "authenticators"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    credential_id: Mapped[str] = mapped_column(unique=True)
    provider_account_id: Mapped[str]
    credential_public_key: Mapped[str] = secret()
    counter: Mapped[int] = big_int(server_default="0")
    credential_device_type: Mapped[CredentialDeviceType]
    credential_backed_up: Mapped[bool] = mapped_column(server_default="false")
    transports: Mapped[JSON | None]
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        *non_negative("counter"),
        CheckConstraint(
            "transports IS NULL OR jsonb_typeof(transports) = 'array'", name="transports_is_array"
        ),
    )


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None]
    parent_role_id: Mapped[uuid.UUID | None] = fk(
        "roles.id", nullable=True, ondelete="SET NULL", rel="parentRole", reverse="childRoles"
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (CheckConstraint("parent_role_id <> id", name="not_own_parent"),)


class Entitlement(Base):
    """A permission: ``action`` on ``resource`` (spec/000 Part 4, "Granular permissions")."""

    __tablename__ = "entitlements"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None]
    resource: Mapped[str]
    action: Mapped[str]
    created_at: Mapped[CreatedAt]

    __table_args__ = (UniqueConstraint("resource", "action"),)


class RoleEntitlement(Base):
    __tablename__ = "role_entitlements"

    role_id: Mapped[uuid.UUID] = fk("roles.id", index=False)
    entitlement_id: Mapped[uuid.UUID] = fk("entitlements.id")
    created_at: Mapped[CreatedAt]

    __table_args__ = (PrimaryKeyConstraint("role_id", "entitlement_id"),)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = user_fk(index=False)
    role_id: Mapped[uuid.UUID] = fk("roles.id")
    granted_by: Mapped[uuid.UUID | None] = fk(
        "users.id", nullable=True, ondelete="SET NULL", rel="grantedByUser", reverse="grantedRoles"
    )
    granted_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime | None]

    __table_args__ = (
        PrimaryKeyConstraint("user_id", "role_id"),
        CheckConstraint("expires_at > granted_at", name="expires_after_granted"),
    )


class AuditLogEntry(Base):
    """An admin or security action (DESIGN.md section 3), kept when its user is deleted."""

    __tablename__ = "audit_log"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID | None] = user_fk(nullable=True, ondelete="SET NULL")
    session_id: Mapped[uuid.UUID | None] = fk("sessions.id", nullable=True, ondelete="SET NULL")
    event_type: Mapped[str]
    resource_type: Mapped[str | None]
    resource_id: Mapped[str | None]
    action: Mapped[str | None]
    status: Mapped[AuditStatus] = mapped_column(server_default=AuditStatus.SUCCESS.value)
    details: Mapped[JSON] = mapped_column(server_default="{}")
    ip_address: Mapped[str | None]
    user_agent: Mapped[str | None]
    request_id: Mapped[str | None]
    created_at: Mapped[CreatedAt]


class ActivityEvent(Base):
    """One entry of a user's activity feed, appended by every transition (DESIGN.md section 3)."""

    __tablename__ = "activity_events"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    event_type: Mapped[str]
    category: Mapped[str | None]
    metadata_: Mapped[JSON] = mapped_column("metadata", server_default="{}")
    xp_earned: Mapped[int] = mapped_column(server_default="0")
    coins_earned: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]

    __table_args__ = (*non_negative("xp_earned", "coins_earned"),)
