"""Auth and access tables: users, OAuth accounts, API sessions, verification tokens, WebAuthn
authenticators, role-based access (roles, entitlements and their grants), the security audit log
and the activity feed.

Columns: Ignition specification, "Migration 0001: Auth Substrate"; types, defaults and meanings:
Ignition specification, "Section 1: Auth Tables" (auth) and section 4 (``activity_events``); natural
keys and the API's use of these tables: docs/design.md#the-schema, docs/design.md#domain-rules and
docs/design.md#graphql-conventions.

Values chosen here (the Ignition specification lists none): ``accounts.type`` (the Auth.js account
types), ``authenticators.credential_device_type`` (the WebAuthn values). ``users.role`` is the
Ignition specification's user/admin plus the ``moderator`` role of the seed roles
(Ignition specification, "Part 7: Seed Data Requirements").

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
    """The coarse role stored on the user row; finer grants go through ``user_roles``.

    - ``user``: an ordinary user.
    - ``moderator``: may triage feedback and moderate shared content.
    - ``admin``: may manage the catalogs, users and roles.
    """

    USER = "user"
    MODERATOR = "moderator"
    ADMIN = "admin"


class AccountType(enum.StrEnum):
    """How a linked sign-in account authenticates (the Auth.js adapter account types).

    - ``oauth``: an OAuth 2 provider (e.g. GitHub).
    - ``oidc``: an OpenID Connect provider (e.g. Google).
    - ``email``: a magic link sent by email.
    - ``webauthn``: a passkey.
    """

    OAUTH = "oauth"
    OIDC = "oidc"
    EMAIL = "email"
    WEBAUTHN = "webauthn"


class CredentialDeviceType(enum.StrEnum):
    """Whether a WebAuthn credential is bound to one device or synced across devices.

    - ``singleDevice``: bound to one authenticator (e.g. a security key).
    - ``multiDevice``: synced across the user's devices (a synced passkey).
    """

    SINGLE_DEVICE = "singleDevice"
    MULTI_DEVICE = "multiDevice"


class AuditStatus(enum.StrEnum):
    """The outcome of an audited action.

    - ``success``: the action was done.
    - ``failure``: the action was attempted and failed.
    - ``denied``: the actor lacked the permission.
    """

    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class User(Base):
    """A person using Ignition. Everything the viewer owns hangs under `me`."""

    __tablename__ = "users"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(doc="The user's display name.")
    email: Mapped[str] = mapped_column(
        unique=True, doc="The user's email address (unique, stored in lower case)."
    )
    email_verified: Mapped[datetime | None] = mapped_column(
        doc="When the user verified their email address; null if not yet."
    )
    image: Mapped[str | None] = mapped_column(doc="URL of the user's profile picture.")
    role: Mapped[BuiltinRole] = mapped_column(
        server_default=BuiltinRole.USER.value,
        doc="The coarse role stored on the user; finer grants come through `roles`.",
    )
    approved: Mapped[bool] = mapped_column(
        server_default="true", doc="Whether the account is approved to use Ignition."
    )
    age_verified: Mapped[bool] = mapped_column(
        server_default="true", doc="Whether the user confirmed the minimum age."
    )
    tos_accepted: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the user accepted the terms of service."
    )
    tos_accepted_at: Mapped[datetime | None] = mapped_column(
        doc="When the user accepted the terms of service."
    )
    tos_version: Mapped[str | None] = mapped_column(
        doc="The version of the terms of service the user accepted."
    )
    last_activity_at: Mapped[datetime | None] = mapped_column(
        doc="When the user was last active (used to greet a returning user)."
    )
    deactivated_at: Mapped[datetime | None] = mapped_column(
        doc="When staff deactivated the account (its sessions ended, no new ones); null for "
        "an active account."
    )
    created_at: Mapped[CreatedAt] = mapped_column(doc="When the user signed up.")
    updated_at: Mapped[UpdatedAt]


class Account(Base):
    """A sign-in provider account linked to a user (its OAuth tokens are never exposed)."""

    __tablename__ = "accounts"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    type: Mapped[AccountType] = mapped_column(doc="How the account authenticates.")
    provider: Mapped[str] = mapped_column(
        doc="The sign-in provider (e.g. `google`, `github`, `email`)."
    )
    provider_account_id: Mapped[str] = mapped_column(doc="The user's id at the provider.")
    refresh_token: Mapped[str | None] = secret()
    access_token: Mapped[str | None] = secret()
    expires_at: Mapped[datetime | None] = mapped_column(
        doc="When the provider's access token expires."
    )
    token_type: Mapped[str | None] = mapped_column(
        doc="The kind of the provider's token (e.g. `bearer`)."
    )
    scope: Mapped[str | None] = mapped_column(
        doc="The permissions granted by the provider, space-separated."
    )
    id_token: Mapped[str | None] = secret()
    session_state: Mapped[str | None] = mapped_column(
        doc="The provider's session state, if it reports one."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (UniqueConstraint("provider", "provider_account_id"),)


class Session(Base):
    """A signed-in session of a user (its bearer token is never exposed; it is stored hashed)."""

    __tablename__ = "sessions"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    token: Mapped[str] = secret(unique=True)
    expires_at: Mapped[datetime] = mapped_column(
        doc="When the session ends; its token is refused from then on."
    )
    created_at: Mapped[CreatedAt]
    last_activity_at: Mapped[datetime | None] = mapped_column(doc="When the session was last used.")
    user_agent: Mapped[str | None] = mapped_column(
        doc="The browser or client that signed in (its User-Agent header)."
    )
    ip_address: Mapped[str | None] = mapped_column(doc="The IP address the session signed in from.")
    rotated_from: Mapped[uuid.UUID | None] = fk(
        "sessions.id",
        nullable=True,
        ondelete="SET NULL",
        rel="previousSession",
        reverse="rotations",
        doc="The session this one replaced when its token was rotated.",
    )

    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("rotated_from <> id", name="not_rotated_from_itself"),
    )


class VerificationToken(Base):
    """A one-time email verification token (stored hashed; admin only)."""

    __tablename__ = "verification_tokens"

    identifier: Mapped[str] = mapped_column(
        primary_key=True, doc="Whom the token verifies (an email address)."
    )
    token: Mapped[str] = secret(primary_key=True, unique=True)
    expires: Mapped[datetime] = mapped_column(doc="When the token expires.")
    created_at: Mapped[CreatedAt]


class Authenticator(Base):
    """A WebAuthn (passkey) credential of a user (its public key is never exposed)."""

    __tablename__ = "authenticators"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    credential_id: Mapped[str] = mapped_column(
        unique=True, doc="The credential's id, as the authenticator reports it (unique)."
    )
    provider_account_id: Mapped[str] = mapped_column(
        doc="The account id the credential signs in as."
    )
    credential_public_key: Mapped[str] = secret()
    counter: Mapped[int] = big_int(
        server_default="0",
        doc=(
            "The authenticator's signature counter (it only grows; a lower value "
            "means a cloned key)."
        ),
    )
    credential_device_type: Mapped[CredentialDeviceType] = mapped_column(
        doc="Whether the credential is bound to one device or synced across devices."
    )
    credential_backed_up: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the credential is backed up (synced passkey)."
    )
    transports: Mapped[JSON | None] = mapped_column(
        doc=('How the browser reaches the authenticator: a JSON list (e.g. `["usb", "internal"]`).')
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        *non_negative("counter"),
        CheckConstraint(
            "transports IS NULL OR jsonb_typeof(transports) = 'array'", name="transports_is_array"
        ),
    )


class Role(Base):
    """A role that grants entitlements to the users who hold it (e.g. `admin`, `moderator`),
    possibly inheriting a parent role's."""

    __tablename__ = "roles"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(unique=True, doc="The role's name (unique).")
    description: Mapped[str | None] = mapped_column(doc="What the role is for.")
    parent_role_id: Mapped[uuid.UUID | None] = fk(
        "roles.id",
        nullable=True,
        ondelete="SET NULL",
        rel="parentRole",
        reverse="childRoles",
        doc="The role this one inherits entitlements from, if any.",
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (CheckConstraint("parent_role_id <> id", name="not_own_parent"),)


class Entitlement(Base):
    """A permission: `action` on `resource`, granted to users through roles (e.g.
    `rows:read_all`)."""

    __tablename__ = "entitlements"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(
        unique=True, doc="The entitlement's name (unique), `resource:action`."
    )
    description: Mapped[str | None] = mapped_column(doc="What the entitlement allows.")
    resource: Mapped[str] = mapped_column(
        doc="What the entitlement is about (e.g. `users`, `audit_log`, `feature_flags`)."
    )
    action: Mapped[str] = mapped_column(
        doc="What it allows on the resource (e.g. `read`, `manage`)."
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (UniqueConstraint("resource", "action"),)


class RoleEntitlement(Base):
    """One entitlement granted by one role."""

    __tablename__ = "role_entitlements"

    role_id: Mapped[uuid.UUID] = fk(
        "roles.id", index=False, doc="The role that grants the entitlement."
    )
    entitlement_id: Mapped[uuid.UUID] = fk("entitlements.id", doc="The entitlement granted.")
    created_at: Mapped[CreatedAt]

    __table_args__ = (PrimaryKeyConstraint("role_id", "entitlement_id"),)


class UserRole(Base):
    """One role held by one user, possibly until an expiry."""

    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = user_fk(
        index=False, doc="The user who holds the role (deleting the user deletes the grant)."
    )
    role_id: Mapped[uuid.UUID] = fk("roles.id", doc="The role held.")
    granted_by: Mapped[uuid.UUID | None] = fk(
        "users.id",
        nullable=True,
        ondelete="SET NULL",
        rel="grantedByUser",
        reverse="grantedRoles",
        doc="The admin who granted the role; null when seeded or the admin was deleted.",
    )
    granted_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When the role was granted."
    )
    expires_at: Mapped[datetime | None] = mapped_column(doc="When the grant ends; null for never.")

    __table_args__ = (
        PrimaryKeyConstraint("user_id", "role_id"),
        CheckConstraint("expires_at > granted_at", name="expires_after_granted"),
    )


class AuditLogEntry(Base):
    """A security or admin action (admin only), kept when its user is deleted."""

    __tablename__ = "audit_log"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID | None] = user_fk(
        nullable=True,
        ondelete="SET NULL",
        doc="The user who acted; null for system actions or when the user was deleted.",
    )
    session_id: Mapped[uuid.UUID | None] = fk(
        "sessions.id",
        nullable=True,
        ondelete="SET NULL",
        doc="The session the action came from, if any.",
    )
    event_type: Mapped[str] = mapped_column(
        doc="What happened (e.g. `sign_in`, `role_granted`, `catalog_changed`)."
    )
    resource_type: Mapped[str | None] = mapped_column(
        doc="The kind of thing acted on (e.g. `user`, `market_item`)."
    )
    resource_id: Mapped[str | None] = mapped_column(doc="The id of the thing acted on, as text.")
    action: Mapped[str | None] = mapped_column(
        doc="The operation done (e.g. `create`, `update`, `delete`)."
    )
    status: Mapped[AuditStatus] = mapped_column(
        server_default=AuditStatus.SUCCESS.value, doc="The outcome of the action."
    )
    details: Mapped[JSON] = mapped_column(
        server_default="{}", doc="What changed or why it was refused, as JSON."
    )
    ip_address: Mapped[str | None] = mapped_column(doc="The IP address the action came from.")
    user_agent: Mapped[str | None] = mapped_column(
        doc="The client the action came from (its User-Agent header)."
    )
    request_id: Mapped[str | None] = mapped_column(
        doc="The id of the request that did it (matches the logs)."
    )
    created_at: Mapped[CreatedAt]


class ActivityEvent(Base):
    """One entry of a user's activity feed, appended by every transition (a completed focus
    session, a purchase, a level-up, ...)."""

    __tablename__ = "activity_events"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    event_type: Mapped[str] = mapped_column(
        doc="What happened (e.g. `focus.session.completed`, `market.item.purchased`)."
    )
    category: Mapped[str | None] = mapped_column(
        doc="The area it happened in (e.g. `focus`, `market`, `learn`)."
    )
    metadata_: Mapped[JSON] = mapped_column(
        "metadata",
        server_default="{}",
        doc="The details of the event, as JSON (ids of the rows concerned, amounts).",
    )
    xp_earned: Mapped[int] = mapped_column(server_default="0", doc="XP the event earned the user.")
    coins_earned: Mapped[int] = mapped_column(
        server_default="0", doc="Coins the event earned the user (negative for spending)."
    )
    created_at: Mapped[CreatedAt]

    __table_args__ = (*non_negative("xp_earned", "coins_earned"),)
