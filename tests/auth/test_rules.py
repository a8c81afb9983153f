"""The pure rules of sign-in (db/auth/rules.py), branch by branch."""

from __future__ import annotations

from typing import Any

import pytest

from db.auth import rules
from db.auth.rules import AccessStep, missing_step
from db.errors import InvalidInput

BASE: dict[str, Any] = {
    "provider": " Google ",
    "provider_account_id": " 123 ",
    "email": " Ada@Example.COM ",
    "email_verified": True,
    "name": " Ada ",
    "image": " https://example.com/a.png ",
    "user_agent": " Mozilla ",
    "ip_address": "2001:DB8::1",
}


def test_an_identity_is_trimmed_and_normalized() -> None:
    got = rules.identity(**BASE)
    assert got == rules.Identity(
        provider="google",
        provider_account_id="123",
        email="ada@example.com",
        email_verified=True,
        name="Ada",
        image="https://example.com/a.png",
        user_agent="Mozilla",
        ip_address="2001:db8::1",
    )


def test_blank_optional_fields_are_absent() -> None:
    got = rules.identity(**{**BASE, "name": " ", "image": "", "user_agent": " ", "ip_address": ""})
    assert (got.name, got.image, got.user_agent, got.ip_address) == ("ada", None, None, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"provider": " "}, "input.provider"),
        ({"provider": "x" * 65}, "input.provider"),
        ({"provider": "-google"}, "input.provider"),
        ({"provider_account_id": ""}, "input.providerAccountId"),
        ({"email": "ada@example"}, "input.email"),
        ({"email": "a" * 255}, "input.email"),
        ({"name": "n" * 201}, "input.name"),
        ({"image": "data:image/png;base64,AAAA"}, "input.image"),
        ({"image": "https://" + "x" * 2048}, "input.image"),
        ({"user_agent": "u" * 513}, "input.userAgent"),
        ({"ip_address": "localhost"}, "input.ipAddress"),
    ],
)
def test_malformed_identities_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        rules.identity(**{**BASE, **change})
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("approved", "age_verified", "step"),
    [
        (True, True, None),
        (False, True, AccessStep.APPROVAL_REQUIRED),
        (True, False, AccessStep.AGE_VERIFICATION_REQUIRED),
        (False, False, AccessStep.AGE_VERIFICATION_REQUIRED),
    ],
)
def test_the_missing_step(approved: bool, age_verified: bool, step: AccessStep | None) -> None:
    assert missing_step(approved=approved, age_verified=age_verified) is step


@pytest.mark.parametrize(
    ("version", "required", "ok"),
    [
        ("2026-01", None, True),
        ("2026-01", "2026-01", True),
        ("2026-01", "2026-02", False),
        ("", None, False),
        ("v 1", None, False),
        ("v" * 65, None, False),
    ],
)
def test_terms_versions(version: str, required: str | None, ok: bool) -> None:
    if ok:
        assert rules.terms_version(version, required) == version
    else:
        with pytest.raises(InvalidInput):
            rules.terms_version(version, required)
