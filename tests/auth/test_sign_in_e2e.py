"""Sign-in through the real server: ``ignition serve`` as a subprocess on the test database, the
auth server's account and token made with the command line as an operator would, and HTTP
clients (httpx).

A first sign-in creates the user with wallet, progress, settings and onboarding state; the same
account again is the same user (``created: false``); a plain user gets ``FORBIDDEN`` and
nothing changes; ``signOut`` makes the token fail with 401; refresh and revoke; simultaneous
first sign-ins of one account create one user.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.auth.harness import SIGN_IN, identity, new_account, scalar
from tests.e2e.process import IGNITION, gateway_process

pytestmark = pytest.mark.e2e

ME = """{ me { id email wallet { coins } progress { currentLevel } storedSettings { totalCount }
  onboardingState { status } sessions(filter: {active: true}) { totalCount
  edges { node { current userAgent } } } } }"""


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``ignition serve`` on this run's test database: its GraphQL URL."""
    log = tmp_path_factory.mktemp("signin-serve") / "serve.log"
    with gateway_process(
        database_url, log, IGNITION_SEED_ON_START="false", IGNITION_LOG_LEVEL="warning"
    ) as base:
        yield f"{base}/graphql"
    assert "Traceback" not in log.read_text(), log.read_text()


def cli(database_url: str, *args: str) -> str:
    """Run ``ignition <args>`` on the test database; its standard output."""
    done = subprocess.run(
        [*IGNITION, *args],
        env={**os.environ, "DATABASE_URL": database_url, "IGNITION_LOG_LEVEL": "warning"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def auth_token(database_url: str) -> str:
    """The auth server's token, made the documented way (README, "From sign-in to Today")."""
    email = f"auth-{uuid.uuid4().hex[:8]}@example.com"
    cli(
        database_url,
        "user",
        "create",
        "--email",
        email,
        "--name",
        "Auth server",
        "--role",
        "auth_server",
    )
    return cli(database_url, "token", "create", "--email", email).strip().splitlines()[-1]


def post(url: str, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    return httpx.post(
        url,
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def sign_in(url: str, auth_token: str, person: dict[str, Any]) -> dict[str, Any]:
    response = post(url, auth_token, SIGN_IN, {"input": person})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return dict(response.json()["data"]["signInWithAccount"])


def test_a_first_sign_in_creates_the_user_and_the_same_account_returns_them(
    server: str, auth_token: str
) -> None:
    person = identity()
    first = sign_in(server, auth_token, person)
    assert first["__typename"] == "SignInWithAccountSuccess" and first["created"] is True

    me = post(server, first["token"], ME).json()["data"]["me"]
    assert me["id"] == first["user"]["id"] and me["email"] == person["email"]
    assert me["wallet"] == {"coins": 0} and me["progress"] == {"currentLevel": 1}
    assert me["storedSettings"]["totalCount"] > 0 and me["onboardingState"]["status"]
    assert me["sessions"]["edges"] == [
        {"node": {"current": True, "userAgent": person["userAgent"]}}
    ]

    again = sign_in(server, auth_token, person)
    assert again["created"] is False and again["user"]["id"] == first["user"]["id"]
    sessions = post(server, again["token"], ME).json()["data"]["me"]["sessions"]
    assert sessions["totalCount"] == 2
    assert sorted(e["node"]["current"] for e in sessions["edges"]) == [False, True]


async def test_a_plain_user_is_forbidden_and_nothing_changes(
    server: str, engine: AsyncEngine
) -> None:
    _, token = await new_account(engine)
    person = identity()
    count = "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM accounts) * 1000000"
    before = await scalar(engine, count)
    sessions_before = await scalar(engine, "SELECT count(*) FROM sessions")

    async with httpx.AsyncClient() as client:
        response = await client.post(
            server,
            json={"query": SIGN_IN, "variables": {"input": person}},
            headers={"Authorization": f"Bearer {token}"},
        )

    body = response.json()
    assert response.status_code == 200 and body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await scalar(engine, count) == before
    assert await scalar(engine, "SELECT count(*) FROM sessions") == sessions_before
    assert (
        await scalar(engine, "SELECT count(*) FROM users WHERE email = :e", e=person["email"]) == 0
    )


def test_sign_out_makes_the_token_fail_with_401(server: str, auth_token: str) -> None:
    token = sign_in(server, auth_token, identity())["token"]
    out = post(server, token, "mutation { signOut { __typename } }")
    assert out.json()["data"]["signOut"] == {"__typename": "SignOutSuccess"}

    after = post(server, token, "{ me { id } }")
    assert after.status_code == 401
    assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_refresh_then_revoke(server: str, auth_token: str) -> None:
    old = sign_in(server, auth_token, identity())["token"]
    refresh = """mutation { refreshSession { __typename
      ... on RefreshSessionSuccess { token session { id rotatedFrom } } } }"""
    payload = post(server, old, refresh).json()["data"]["refreshSession"]
    assert payload["__typename"] == "RefreshSessionSuccess" and payload["session"]["rotatedFrom"]
    new = payload["token"]
    # Within the grace period both tokens sign in.
    assert post(server, new, "{ me { id } }").status_code == 200
    assert post(server, old, "{ me { id } }").status_code == 200

    revoke = """mutation($id: ID!) { revokeSession(id: $id) { __typename } }"""
    done = post(server, old, revoke, {"id": payload["session"]["id"]})
    assert done.json()["data"]["revokeSession"] == {"__typename": "RevokeSessionSuccess"}
    assert post(server, new, "{ me { id } }").status_code == 401


async def test_simultaneous_first_sign_ins_of_one_account_create_one_user(
    server: str, auth_token: str, engine: AsyncEngine
) -> None:
    person = identity()
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    server,
                    json={"query": SIGN_IN, "variables": {"input": person}},
                    headers={"Authorization": f"Bearer {auth_token}"},
                )
                for _ in range(20)
            )
        )
    assert all(r.status_code == 200 and "errors" not in r.json() for r in responses)
    payloads = [r.json()["data"]["signInWithAccount"] for r in responses]
    assert len({p["user"]["id"] for p in payloads}) == 1
    assert sorted(p["created"] for p in payloads) == [False] * 19 + [True]
    assert (
        await scalar(engine, "SELECT count(*) FROM users WHERE email = :e", e=person["email"]) == 1
    )
    assert len({p["token"] for p in payloads}) == 20
