"""signInWithAccount in process: what a first sign-in creates, a returning sign-in, linking by
verified address, refusals that change nothing, and simultaneous first sign-ins."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.sessions import hash_token
from db.auth.users import DEFAULT_SETTINGS
from gateway.settings import Settings
from tests.auth.harness import SIGN_IN, auth_server, identity, new_account, scalar
from tests.auth.harness import signed_in as viewer_of
from tests.support.harness import assert_denied, snapshot
from tests.support.requests import run_request


@pytest.fixture
def call(schema: strawberry.Schema, settings: Settings, engine: AsyncEngine) -> Any:
    async def run(query: str, variables: dict[str, Any] | None = None, *, viewer: Any) -> Any:
        return (await run_request(schema, settings, engine, query, variables, viewer))[0]

    return run


async def sign_in(call: Any, server: Any, person: dict[str, Any]) -> dict[str, Any]:
    result = await call(SIGN_IN, {"input": person}, viewer=server)
    assert not result.errors, result.errors
    return dict(result.data["signInWithAccount"])


async def test_a_first_sign_in_creates_the_user_with_everything_they_own(
    call: Any, engine: AsyncEngine
) -> None:
    server = await auth_server(engine)
    person = identity()
    first = await sign_in(call, server, person)

    assert first["__typename"] == "SignInWithAccountSuccess" and first["created"] is True
    user = first["user"]
    assert user["email"] == person["email"] and user["name"] == person["name"]
    assert user["emailVerified"] is not None and user["approved"] and user["ageVerified"]
    uid = user["id"]
    for table in ("user_wallet", "user_progress", "user_onboarding_state"):
        assert await scalar(engine, f"SELECT count(*) FROM {table} WHERE user_id = :u", u=uid) == 1
    settings = await scalar(engine, "SELECT count(*) FROM user_settings WHERE user_id = :u", u=uid)
    assert settings == len(DEFAULT_SETTINGS)
    assert (
        await scalar(
            engine,
            "SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
            "WHERE ur.user_id = :u",
            u=uid,
        )
        == "user"
    )
    account = await scalar(
        engine,
        "SELECT provider || '/' || provider_account_id FROM accounts WHERE user_id = :u",
        u=uid,
    )
    assert account == f"google/{person['providerAccountId']}"
    # The token is stored only as its hash, with the client's details.
    token = first["token"]
    stored = await scalar(
        engine,
        "SELECT count(*) FROM sessions WHERE user_id = :u AND token = :h",
        u=uid,
        h=hash_token(token),
    )
    assert stored == 1
    assert await scalar(engine, "SELECT count(*) FROM sessions WHERE token = :t", t=token) == 0
    assert (
        await scalar(engine, "SELECT ip_address FROM sessions WHERE user_id = :u", u=uid)
        == "203.0.113.7"
    )
    # The token signs the person in.
    viewer = await viewer_of(engine, token)
    me = await call("{ me { id wallet { coins } onboardingState { status } } }", viewer=viewer)
    assert me.data["me"]["id"] == uid and me.data["me"]["wallet"] == {"coins": 0}
    assert me.data["me"]["onboardingState"] is not None


async def test_the_same_account_again_is_the_same_user_with_a_new_session(
    call: Any, engine: AsyncEngine
) -> None:
    server = await auth_server(engine)
    person = identity()
    first = await sign_in(call, server, person)
    # The user renamed themselves; a later sign-in does not overwrite it.
    again = await sign_in(call, server, {**person, "name": "Provider Name", "image": None})

    assert again["created"] is False and again["user"]["id"] == first["user"]["id"]
    assert again["user"]["name"] == person["name"]
    assert again["token"] != first["token"]
    uid = first["user"]["id"]
    assert await scalar(engine, "SELECT count(*) FROM sessions WHERE user_id = :u", u=uid) == 2
    assert await scalar(engine, "SELECT count(*) FROM accounts WHERE user_id = :u", u=uid) == 1
    assert (
        await scalar(engine, "SELECT count(*) FROM users WHERE email = :e", e=person["email"]) == 1
    )


async def test_a_provider_account_links_to_the_user_with_the_same_verified_address(
    call: Any, engine: AsyncEngine
) -> None:
    server = await auth_server(engine)
    person = identity()
    first = await sign_in(call, server, person)
    github = {**person, "provider": "GitHub", "providerAccountId": "gh-1-" + person["email"]}
    linked = await sign_in(call, server, github)

    assert linked["created"] is False and linked["user"]["id"] == first["user"]["id"]
    providers = await scalar(
        engine,
        "SELECT string_agg(provider, ',' ORDER BY provider) FROM accounts WHERE user_id = :u",
        u=first["user"]["id"],
    )
    assert providers == "github,google"


@pytest.mark.parametrize("case", ["unverified sign-in", "unverified user"])
async def test_no_link_without_the_address_verified_on_both_sides(
    call: Any, engine: AsyncEngine, case: str
) -> None:
    server = await auth_server(engine)
    person = identity(emailVerified=case == "unverified user")
    if case == "unverified sign-in":
        await sign_in(call, server, identity(email=person["email"]))
    else:
        # A user whose address nobody verified (as `ignition user create` makes them).
        await sign_in(call, server, {**identity(email=person["email"]), "emailVerified": False})
    async with engine.connect() as conn:
        before = await snapshot(conn)

    refused = await sign_in(call, server, person)

    assert refused["__typename"] == "AccountNotLinked" and refused["code"] == "ACCOUNT_NOT_LINKED"
    async with engine.connect() as conn:
        assert await snapshot(conn) == before


async def test_a_plain_user_may_not_sign_anybody_in(call: Any, engine: AsyncEngine) -> None:
    user, _ = await new_account(engine)
    async with engine.connect() as conn:
        before = await snapshot(conn)
    result = await call(SIGN_IN, {"input": identity()}, viewer=user)
    assert result.data is None
    assert [e.extensions["code"] for e in result.errors] == ["FORBIDDEN"]
    async with engine.connect() as conn:
        await assert_denied(conn, before, user.user_id, "signInWithAccount")


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"email": "not-an-address"}, "input.email"),
        ({"email": "x" * 250 + "@example.com"}, "input.email"),
        ({"provider": ""}, "input.provider"),
        ({"provider": "goo gle"}, "input.provider"),
        ({"providerAccountId": "1" * 256}, "input.providerAccountId"),
        ({"name": "n" * 201}, "input.name"),
        ({"image": "javascript:alert(1)"}, "input.image"),
        ({"userAgent": "u" * 513}, "input.userAgent"),
        ({"ipAddress": "300.1.1.1"}, "input.ipAddress"),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(
    call: Any, engine: AsyncEngine, override: dict[str, Any], field: str
) -> None:
    server = await auth_server(engine)
    async with engine.connect() as conn:
        before = await snapshot(conn)
    refused = await sign_in(call, server, identity(**override))
    assert refused["__typename"] == "InvalidInput" and refused["field"] == field
    async with engine.connect() as conn:
        assert await snapshot(conn) == before


async def test_a_missing_name_is_the_address_local_part(call: Any, engine: AsyncEngine) -> None:
    server = await auth_server(engine)
    person = identity(name=None, image=None, userAgent=None, ipAddress=None)
    done = await sign_in(call, server, person)
    assert done["user"]["name"] == person["email"].split("@")[0]


async def test_simultaneous_first_sign_ins_of_one_account_create_one_user(
    call: Any, engine: AsyncEngine
) -> None:
    server = await auth_server(engine)
    person = identity()
    results = await asyncio.gather(
        *(call(SIGN_IN, {"input": person}, viewer=server) for _ in range(8))
    )
    payloads = [r.data["signInWithAccount"] for r in results if not r.errors]
    assert len(payloads) == 8, [r.errors for r in results]
    assert {p["user"]["id"] for p in payloads} == {payloads[0]["user"]["id"]}
    assert sorted(p["created"] for p in payloads) == [False] * 7 + [True]
    assert (
        await scalar(engine, "SELECT count(*) FROM users WHERE email = :e", e=person["email"]) == 1
    )
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM accounts WHERE provider_account_id = :a",
            a=person["providerAccountId"],
        )
        == 1
    )


async def test_simultaneous_first_sign_ins_with_one_address_create_one_user(
    call: Any, engine: AsyncEngine
) -> None:
    server = await auth_server(engine)
    person = identity()
    providers = [{**person, "provider": f"p{i}", "providerAccountId": f"a{i}"} for i in range(6)]
    results = await asyncio.gather(*(call(SIGN_IN, {"input": p}, viewer=server) for p in providers))
    payloads = [r.data["signInWithAccount"] for r in results]
    assert all(p["__typename"] == "SignInWithAccountSuccess" for p in payloads), payloads
    assert len({p["user"]["id"] for p in payloads}) == 1
    assert sorted(p["created"] for p in payloads) == [False] * 5 + [True]
    accounts = await scalar(
        engine, "SELECT count(*) FROM accounts WHERE user_id = :u", u=payloads[0]["user"]["id"]
    )
    assert accounts == 6
