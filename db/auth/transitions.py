"""The writes of sign-in, sessions and the profile: plain async functions on a connection
inside the caller's transaction (the mutation's one transaction).

Sources: Ignition specification, "Auth Flow" (OAuth sign-in creates or updates the account and
the user, creates a session, and a new user gets what the createUser event creates); the
rules are in :mod:`db.auth.rules`, the sessions in :mod:`db.auth.sessions`.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import Actor, audit, record_activity
from db.auth.models import AccountType
from db.auth.rules import Identity
from db.auth.sessions import IssuedSession, issue_session, revoke_session, rotate_session
from db.auth.users import EmailTaken, create_user
from db.errors import AccountNotLinked, InvalidState
from db.events.outbox import publish_revocation

__all__ = [
    "SignedIn",
    "accept_terms",
    "confirm_age",
    "end_session",
    "refresh_session",
    "sign_in_with_account",
    "update_profile",
]

_users = metadata.tables["users"]
_accounts = metadata.tables["accounts"]

#: First keys of the transaction advisory locks that serialise sign-ins of one provider
#: account, and first sign-ins with one email address (the second key is a hash of it).
_ACCOUNT_LOCK = 0x1651_0001
_EMAIL_LOCK = 0x1651_0002


@dataclass(frozen=True)
class SignedIn:
    """The outcome of :func:`sign_in_with_account`.

    Attributes:
        user_id: the signed-in user.
        session: the new session (its token is shown once).
        created: whether this sign-in created the user.
        linked: whether it linked a new provider account to an existing user.
    """

    user_id: uuid.UUID
    session: IssuedSession
    created: bool
    linked: bool


async def _lock(conn: AsyncConnection, space: int, key: str) -> None:
    """Hold a transaction advisory lock on ``(space, hashtext(key))`` until the commit."""
    await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(space, sa.func.hashtext(key))))


async def sign_in_with_account(
    conn: AsyncConnection,
    identity: Identity,
    *,
    actor: Actor,
    ttl_seconds: int,
    require_approval: bool,
    account_type: AccountType = AccountType.OAUTH,
) -> SignedIn:
    """Turn an identity the sign-in server vouches for into a session, creating or linking the
    user on the way, all in the caller's transaction.

    1. The provider account (``accounts`` by ``(provider, provider_account_id)``) is known:
       its user signs in. Their profile is the user's own (``updateProfile``): a sign-in
       only fills a missing picture, and sets ``email_verified`` when the provider now vouches
       for the user's current address.
    2. Unknown account, and a user has this email: the account is linked to that user when
       the provider vouches for the address and the user's address is verified too;
       otherwise :class:`AccountNotLinked`.
    3. Nobody has it: the user is created with everything the createUser event creates
       (:func:`db.auth.users.create_user`: wallet, progress, settings defaults, onboarding
       state, role ``user``), ``email_verified`` from the provider, and, when the gateway
       requires approval, ``approved`` and ``age_verified`` false; then the account.

    Sign-ins of one provider account are serialised by a transaction advisory lock (and first
    sign-ins with one address by another, taken after it, so they cannot deadlock): two
    simultaneous first sign-ins create one user; the second finds the first's account.

    Args:
        conn: a connection inside the mutation's transaction.
        identity: the validated identity (:func:`db.auth.rules.identity`).
        actor: the sign-in server (its service user, session and request), who the audit
            row names as the actor; the row's details name the person signed in.
        ttl_seconds: lifetime of the new session, seconds (> 0).
        require_approval: new users start unapproved and not age-verified.
        account_type: ``accounts.type`` of a new account.

    Raises:
        AccountNotLinked: the address belongs to a user who cannot be linked (above).
        InvalidState: the user was deactivated by staff (``deactivateUser``; status
            ``deactivated``).
    """
    await _lock(conn, _ACCOUNT_LOCK, f"{identity.provider}\x1f{identity.provider_account_id}")
    user_id = (
        await conn.execute(
            sa.update(_accounts)
            .where(
                _accounts.c.provider == identity.provider,
                _accounts.c.provider_account_id == identity.provider_account_id,
            )
            .values(updated_at=sa.func.now())
            .returning(_accounts.c.user_id)
        )
    ).scalar()
    created = linked = False
    if user_id is not None:
        await conn.execute(
            sa.update(_users)
            .where(_users.c.id == user_id)
            .values(
                email_verified=sa.case(
                    (
                        sa.and_(
                            _users.c.email_verified.is_(None),
                            _users.c.email == identity.email,
                            sa.literal(identity.email_verified),
                        ),
                        sa.func.now(),
                    ),
                    else_=_users.c.email_verified,
                ),
                image=sa.func.coalesce(_users.c.image, identity.image),
            )
        )
    else:
        await _lock(conn, _EMAIL_LOCK, identity.email)
        existing = (
            await conn.execute(
                sa.select(_users.c.id, _users.c.email_verified).where(
                    _users.c.email == identity.email
                )
            )
        ).first()
        if existing is not None:
            if not identity.email_verified or existing.email_verified is None:
                raise AccountNotLinked()
            user_id, linked = existing.id, True
        else:
            try:
                new_user = await create_user(
                    conn,
                    email=identity.email,
                    name=identity.name,
                    image=identity.image,
                    email_verified=(
                        (await conn.execute(sa.select(sa.func.now()))).scalar_one()
                        if identity.email_verified
                        else None
                    ),
                    approved=not require_approval,
                    age_verified=not require_approval,
                )
            except EmailTaken:  # created outside sign-in (the CLI) since the check
                raise AccountNotLinked() from None
            user_id, created = new_user.id, True
        await conn.execute(
            sa.insert(_accounts).values(
                user_id=user_id,
                type=account_type,
                provider=identity.provider,
                provider_account_id=identity.provider_account_id,
            )
        )
        if linked:
            await record_activity(
                conn,
                user_id,
                "auth.account.linked",
                "account",
                {"provider": identity.provider},
            )
    if not created:
        deactivated = (
            await conn.execute(sa.select(_users.c.deactivated_at).where(_users.c.id == user_id))
        ).scalar()
        if deactivated is not None:
            raise InvalidState("This account was deactivated by staff.", status="deactivated")
    session = await issue_session(
        conn,
        user_id,
        ttl_seconds=ttl_seconds,
        user_agent=identity.user_agent,
        ip_address=identity.ip_address,
    )
    await audit(
        conn,
        actor,
        action="signInWithAccount",
        resource_type="sessions",
        resource_id=session.id,
        details={
            "user_id": user_id,
            "provider": identity.provider,
            "created": created,
            "linked": linked,
            "ip_address": identity.ip_address,
            "user_agent": identity.user_agent,
        },
    )
    return SignedIn(user_id=user_id, session=session, created=created, linked=linked)


async def end_session(
    conn: AsyncConnection, actor: Actor, session_id: uuid.UUID, *, action: str
) -> None:
    """End one of the actor's own sessions (``signOut``: the current one; ``revokeSession``:
    any of theirs) with :func:`db.auth.sessions.revoke_session`, audited (``action``, the
    mutation's name, on the ``sessions`` row).

    Raises:
        NotFound: no such session of this user (or it was revoked already).
    """
    await revoke_session(conn, actor.user_id, session_id)
    await publish_revocation(conn, session_ids=[session_id], close_after_s=0)
    if actor.session_id == session_id:  # the row is gone: the log keeps its id as resource
        actor = dataclasses.replace(actor, session_id=None)
    await audit(conn, actor, action=action, resource_type="sessions", resource_id=session_id)


async def refresh_session(
    conn: AsyncConnection,
    actor: Actor,
    session_id: uuid.UUID,
    *,
    ttl_seconds: int,
    grace_seconds: int,
) -> IssuedSession:
    """Rotate the viewer's current session (:func:`db.auth.sessions.rotate_session`) and
    audit it.

    Raises:
        NotFound: the session is gone.
        InvalidState: it was refreshed already.
    """
    issued = await rotate_session(
        conn, actor.user_id, session_id, ttl_seconds=ttl_seconds, grace_seconds=grace_seconds
    )
    # The old token's life was shortened to the grace period: processes that remember it
    # read it again, and its websockets close when the grace period ends.
    await publish_revocation(conn, session_ids=[session_id], close_after_s=grace_seconds)
    await audit(
        conn,
        actor,
        action="refreshSession",
        resource_type="sessions",
        resource_id=issued.id,
        details={"rotated_from": session_id, "grace_seconds": grace_seconds},
    )
    return issued


async def accept_terms(conn: AsyncConnection, user_id: uuid.UUID, version: str) -> None:
    """Record that the user accepted the terms of service ``version`` (validated by
    :func:`db.auth.rules.terms_version`): ``tos_accepted``, ``tos_accepted_at`` (now) and
    ``tos_version``; accepting the version already accepted changes nothing."""
    changed = (
        await conn.execute(
            sa.update(_users)
            .where(
                _users.c.id == user_id,
                sa.or_(_users.c.tos_version.is_distinct_from(version), ~_users.c.tos_accepted),
            )
            .values(tos_accepted=True, tos_accepted_at=sa.func.now(), tos_version=version)
            .returning(_users.c.id)
        )
    ).scalar()
    if changed is not None:
        await record_activity(conn, user_id, "auth.terms.accepted", "account", {"version": version})


async def update_profile(
    conn: AsyncConnection, user_id: uuid.UUID, changes: dict[str, str | None]
) -> None:
    """Change the user's ``name`` and/or ``image`` (validated by the caller with
    :func:`db.auth.rules.display_name` and :func:`db.auth.rules.image_url`); an empty
    ``changes`` changes nothing."""
    if changes:
        await conn.execute(sa.update(_users).where(_users.c.id == user_id).values(**changes))
        await record_activity(
            conn, user_id, "auth.profile.updated", "account", {"fields": sorted(changes)}
        )


async def confirm_age(conn: AsyncConnection, user_id: uuid.UUID) -> None:
    """Record that the user confirmed the minimum age (``users.age_verified``)."""
    changed = (
        await conn.execute(
            sa.update(_users)
            .where(_users.c.id == user_id, ~_users.c.age_verified)
            .values(age_verified=True)
            .returning(_users.c.id)
        )
    ).scalar()
    if changed is not None:  # the signed-in state changed: processes read it again
        await publish_revocation(conn, user_id=user_id)
