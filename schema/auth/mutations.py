"""Sign-in, sessions and the profile. The rules live in :mod:`db.auth.rules`, the writes in
:mod:`db.auth.transitions` and :mod:`db.auth.sessions`; these declarations only map arguments
and results (Ignition specification, "Auth Flow")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from db.auth import rules, transitions
from db.auth.models import AccountType
from db.errors import AccountNotLinked, InvalidInput, InvalidState, NotFound
from schema.core.mutations import Ids, Tx, given_fields, id_arg, mutation
from schema.core.types import graphql_enum

AccountTypeEnum: Any = graphql_enum(AccountType)

#: The entitlement of ``signInWithAccount`` (role ``auth_server``, seeded by ``seeds.auth``).
SESSIONS_ISSUE = "sessions:issue"


@strawberry.input(
    description="A person as the app's sign-in server vouches for them after an OAuth sign-in."
)
class SignInWithAccountInput:
    provider: Annotated[str, rules.PROVIDER] = strawberry.field(
        description="The sign-in provider (e.g. `google`, `github`), stored in lower case."
    )
    provider_account_id: Annotated[str, rules.PROVIDER_ACCOUNT_ID] = strawberry.field(
        description="The person's id at the provider."
    )
    email: Annotated[str, rules.EMAIL] = strawberry.field(
        description="The person's email address (stored in lower case)."
    )
    email_verified: bool = strawberry.field(
        description="Whether the provider vouches that the person controls `email` (sets "
        "`User.emailVerified` on a new user; needed to link an existing user with this "
        "address)."
    )
    name: Annotated[str | None, rules.NAME] = strawberry.field(
        default=None,
        description="The display name for a new user (the address's local part when left out).",
    )
    image: Annotated[str | None, rules.IMAGE_URL] = strawberry.field(
        default=None, description="An http(s) URL of the person's picture."
    )
    user_agent: Annotated[str | None, rules.USER_AGENT] = strawberry.field(
        default=None,
        description="The person's browser (its User-Agent), shown in `me.sessions`.",
    )
    ip_address: Annotated[str | None, rules.IP_ADDRESS] = strawberry.field(
        default=None, description="The IPv4 or IPv6 address the person signed in from."
    )
    account_type: AccountTypeEnum = strawberry.field(
        default=AccountType.OAUTH,
        description="How the provider authenticates, for a new account (OAUTH by default).",
    )


@mutation(
    description="For the app's sign-in server (entitlement `sessions:issue`): sign a person "
    "in after an OAuth sign-in. The provider account is looked up; an unknown one is linked to "
    "the user with the same address when both the provider and the user verified it, or a "
    "new user is created with their wallet, progress, settings and onboarding state, all in "
    "this mutation's transaction. Returns a session token for the person, once: it is stored "
    "only as a hash.",
    returns={"token": str, "expires_at": datetime, "user": "users", "created": bool},
    errors=(AccountNotLinked, InvalidState),
    entitlement=SESSIONS_ISSUE,
    gated=False,
    fields={
        "token": "The person's bearer token (`Authorization: Bearer <token>`): shown this "
        "once, stored only as a hash.",
        "expires_at": "When the token stops signing in.",
        "created": "Whether this sign-in created the user (their first sign-in).",
    },
)
async def sign_in_with_account(tx: Tx, input: SignInWithAccountInput) -> Ids:
    identity = rules.identity(
        provider=input.provider,
        provider_account_id=input.provider_account_id,
        email=input.email,
        email_verified=input.email_verified,
        name=input.name,
        image=input.image,
        user_agent=input.user_agent,
        ip_address=input.ip_address,
    )
    settings = tx.context.settings
    signed_in = await transitions.sign_in_with_account(
        tx.conn,
        identity,
        actor=tx.actor,
        ttl_seconds=settings.session_ttl_s,
        require_approval=settings.require_approval,
        account_type=AccountType(input.account_type.value),
    )
    return {
        "token": signed_in.session.token,
        "expires_at": signed_in.session.expires_at,
        "user": signed_in.user_id,
        "created": signed_in.created,
    }


def _current_session(tx: Tx) -> Any:
    if tx.viewer.session_id is None:
        raise NotFound("This request carries no session.", resource="Session")
    return tx.viewer.session_id


@mutation(
    description="Sign out: end the session of the request's token; the next request with it "
    "is refused (`UNAUTHENTICATED`, HTTP 401).",
    returns={"session_id": strawberry.ID},
    errors=(NotFound,),
    gated=False,
    fields={"session_id": "The id the ended session had (`Session.id`)."},
)
async def sign_out(tx: Tx) -> Ids:
    session_id = _current_session(tx)
    await transitions.end_session(tx.conn, tx.actor, session_id, action="signOut")
    return {"session_id": session_id}


@mutation(
    description="End one of the viewer's sessions (see `me.sessions`), e.g. on a lost device; "
    "its token is refused from then on.",
    returns={"session_id": strawberry.ID},
    errors=(NotFound,),
    gated=False,
    fields={"session_id": "The id the ended session had (`Session.id`)."},
)
async def revoke_session(
    tx: Tx,
    id: Annotated[strawberry.ID, strawberry.argument(description="One of the viewer's sessions.")],
) -> Ids:
    session_id = id_arg(id, "id")
    await transitions.end_session(tx.conn, tx.actor, session_id, action="revokeSession")
    return {"session_id": session_id}


@mutation(
    description="Replace the request's token by a new one with a full lifetime "
    "(`IGNITION_SESSION_TTL_S`). The new session's `rotatedFrom` is the old one; the old token "
    "keeps working for `IGNITION_SESSION_REFRESH_GRACE_S` seconds (requests in flight), then "
    "stops. A session is refreshed once: refreshing it again is `InvalidState` (`rotated`).",
    returns={"token": str, "expires_at": datetime, "session": "sessions"},
    errors=(NotFound, InvalidState),
    gated=False,
    fields={
        "token": "The new bearer token: shown this once, stored only as a hash.",
        "expires_at": "When the new token stops signing in.",
    },
)
async def refresh_session(tx: Tx) -> Ids:
    settings = tx.context.settings
    issued = await transitions.refresh_session(
        tx.conn,
        tx.actor,
        _current_session(tx),
        ttl_seconds=settings.session_ttl_s,
        grace_seconds=settings.session_refresh_grace_s,
    )
    return {"token": issued.token, "expires_at": issued.expires_at, "session": issued.id}


@mutation(
    description="Accept the terms of service in this version (`User.tosAccepted`, "
    "`tosAcceptedAt`, `tosVersion`); when the gateway names a current version "
    "(`IGNITION_TERMS_VERSION`) only that one.",
    returns={"user": "users"},
    gated=False,
)
async def accept_terms(
    tx: Tx,
    version: Annotated[
        str,
        rules.TERMS_VERSION,
        strawberry.argument(description="The version of the terms accepted."),
    ],
) -> Ids:
    accepted = rules.terms_version(version, tx.context.settings.terms_version)
    await transitions.accept_terms(tx.conn, tx.viewer.user_id, accepted)
    return {"user": tx.viewer.user_id}


@strawberry.input(description="The profile fields to change; a field left out keeps its value.")
class UpdateProfileInput:
    name: Annotated[str | None, rules.NAME] = strawberry.field(
        default=strawberry.UNSET, description="A new display name (not null)."
    )
    image: Annotated[str | None, rules.IMAGE_URL] = strawberry.field(
        default=strawberry.UNSET, description="An http(s) URL of a picture; null clears it."
    )


@mutation(
    description="Change the viewer's display name and picture (a later sign-in does not "
    "overwrite them).",
    returns={"user": "users"},
    gated=False,
)
async def update_profile(tx: Tx, input: UpdateProfileInput) -> Ids:
    given = given_fields(input)
    changes: dict[str, str | None] = {}
    if "name" in given:
        if given["name"] is None:
            raise InvalidInput("`input.name` must not be null.", field="input.name")
        changes["name"] = rules.display_name(given["name"], "input.name")
    if "image" in given:
        changes["image"] = rules.image_url(given["image"], "input.image")
    await transitions.update_profile(tx.conn, tx.viewer.user_id, changes)
    return {"user": tx.viewer.user_id}


@mutation(
    description="Confirm that the viewer has the minimum age (`User.ageVerified`); needed "
    "before other mutations when the gateway requires approval.",
    returns={"user": "users"},
    gated=False,
)
async def confirm_age(tx: Tx) -> Ids:
    await transitions.confirm_age(tx.conn, tx.viewer.user_id)
    return {"user": tx.viewer.user_id}
