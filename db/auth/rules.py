"""The rules of sign-in, sessions and the profile, as pure functions (no SQL).

Sources: Ignition specification, "Auth Flow" (the sign-in server authenticates with OAuth; the
gateway records the account, the user and the session) and the ``users`` table (``approved``,
``age_verified``, ``tos_*``); the limits below are this repository's (docs/decisions.md).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from db.bounds import Text
from db.errors import InvalidInput

#: ``sessions.last_activity_at`` and ``users.last_activity_at`` move at most this often, in
#: seconds: the sign-in statement rewrites them only when older (``gateway/auth.py``).
ACTIVITY_INTERVAL_SECONDS = 60

MAX_NAME = 200

#: The bounds of the inputs, declared once: the mutations state and check them on the raw
#: values (``schema/core/inputs.py``), the rules below on the trimmed ones.
PROVIDER = Text(
    64,
    1,
    pattern=r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    format="letters, digits, `_`, `.` and `-`, starting with a letter or a digit",
)
PROVIDER_ACCOUNT_ID = Text(255, 1)
EMAIL = Text(254, 3)
NAME = Text(MAX_NAME, 1)
IMAGE_URL = Text(2048)
USER_AGENT = Text(512)
IP_ADDRESS = Text(45)
TERMS_VERSION = Text(
    64,
    1,
    pattern=r"[A-Za-z0-9][A-Za-z0-9._-]*",
    format="letters, digits, `.`, `_` and `-`, starting with a letter or a digit",
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccessStep(StrEnum):
    """A step a signed-in user must take before mutations are allowed, when the gateway
    requires approval (``IGNITION_REQUIRE_APPROVAL``); the value is the ``extensions.code`` of
    the refusal.

    - ``AGE_VERIFICATION_REQUIRED``: the user has not confirmed the minimum age
      (``confirmAge``).
    - ``APPROVAL_REQUIRED``: an administrator has not approved the account yet.
    """

    AGE_VERIFICATION_REQUIRED = "AGE_VERIFICATION_REQUIRED"
    APPROVAL_REQUIRED = "APPROVAL_REQUIRED"


def missing_step(*, approved: bool, age_verified: bool) -> AccessStep | None:
    """The first step a user still has to take before mutations are allowed (age first: the
    user can take it at once; approval waits for an administrator), or None when none."""
    if not age_verified:
        return AccessStep.AGE_VERIFICATION_REQUIRED
    if not approved:
        return AccessStep.APPROVAL_REQUIRED
    return None


@dataclass(frozen=True)
class Identity:
    """A person as the sign-in server vouches for them, validated (:func:`identity`).

    Attributes:
        provider: the provider's id, lower case (``google``, ``github``).
        provider_account_id: the person's id at the provider.
        email: trimmed, lower case.
        email_verified: the provider vouches that the person controls ``email``.
        name: the display name (never empty: the email's local part when the provider gives
            none).
        image: an http(s) URL of a picture, or None.
        user_agent: the browser that signed in, or None.
        ip_address: the address it signed in from (normalized), or None.
    """

    provider: str
    provider_account_id: str
    email: str
    email_verified: bool
    name: str
    image: str | None
    user_agent: str | None
    ip_address: str | None


def _bounded(value: str, field: str, bound: Text) -> str:
    """``value`` trimmed, checked against ``bound`` (a blank value against its minimum)."""
    value = value.strip()
    bound.check(value, field)
    return value


def image_url(value: str | None, field: str) -> str | None:
    """A profile picture URL: None, or an absolute http(s) URL within :data:`IMAGE_URL`
    (blank means None).

    Raises:
        InvalidInput: too long, or not an http(s) URL.
    """
    if value is None or not value.strip():
        return None
    value = _bounded(value, field, IMAGE_URL)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(f"`{field}` must be an http(s) URL.", field=field)
    return value


def display_name(value: str, field: str) -> str:
    """A display name: trimmed, within :data:`NAME` (1 to 200 characters).

    Raises:
        InvalidInput: empty or too long.
    """
    return _bounded(value, field, NAME)


def identity(
    *,
    provider: str,
    provider_account_id: str,
    email: str,
    email_verified: bool,
    name: str | None,
    image: str | None,
    user_agent: str | None,
    ip_address: str | None,
) -> Identity:
    """Validate what the sign-in server sends (``signInWithAccount``'s input; field names in
    errors are ``input.<field>``).

    Raises:
        InvalidInput: a field is empty, too long or malformed (the bounds above; email not an
            address, image not an http(s) URL, IP address not IPv4/IPv6).
    """
    provider = _bounded(provider, "input.provider", PROVIDER).lower()
    account = _bounded(provider_account_id, "input.providerAccountId", PROVIDER_ACCOUNT_ID)
    email = _bounded(email, "input.email", EMAIL).lower()
    if not _EMAIL.match(email):
        raise InvalidInput("`input.email` is not an email address.", field="input.email")
    if name is None or not name.strip():
        name = email.split("@", 1)[0][:MAX_NAME]
    address: str | None = None
    if ip_address is not None and ip_address.strip():
        raw = _bounded(ip_address, "input.ipAddress", IP_ADDRESS)
        try:
            address = str(ipaddress.ip_address(raw))
        except ValueError:
            raise InvalidInput(
                "`input.ipAddress` is not an IPv4 or IPv6 address.", field="input.ipAddress"
            ) from None
    agent = None
    if user_agent is not None and user_agent.strip():
        agent = _bounded(user_agent, "input.userAgent", USER_AGENT)
    return Identity(
        provider=provider,
        provider_account_id=account,
        email=email,
        email_verified=email_verified,
        name=display_name(name, "input.name"),
        image=image_url(image, "input.image"),
        user_agent=agent,
        ip_address=address,
    )


def terms_version(value: str, required: str | None) -> str:
    """The version of the terms a user accepts: within :data:`TERMS_VERSION`, and the
    gateway's current version when one is configured (``IGNITION_TERMS_VERSION``).

    Raises:
        InvalidInput: malformed, or not the current version (field ``version``).
    """
    value = _bounded(value, "version", TERMS_VERSION)
    if required is not None and value != required:
        raise InvalidInput(
            f"`version` must be the current terms version, {required}.", field="version"
        )
    return value
