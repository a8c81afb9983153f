"""End to end: ``ignition serve`` as a real subprocess on a fresh data directory (the embedded
PostgreSQL), the CLI creating a user and a token, and a real GraphQL client over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

pytestmark = pytest.mark.e2e

IGNITION = [sys.executable, "-m", "gateway.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # the embedded default
    return env


def _cli(data_dir: Path, *args: str) -> str:
    result = subprocess.run(
        [*IGNITION, *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A running gateway on a fresh data directory: (base URL, data directory)."""
    data_dir = tmp_path_factory.mktemp("serve") / "data"
    port = _free_port()
    log = (data_dir.parent / "serve.log").open("w")
    process = subprocess.Popen(
        [*IGNITION, "serve", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env(),
    )
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    try:
        while True:
            assert process.poll() is None, (data_dir.parent / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.perf_counter() - started < 120, "the gateway did not become ready"
            time.sleep(0.2)
        print(f"cold start to /readyz: {time.perf_counter() - started:.1f} s")
        yield base, data_dir
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            log.close()
    assert process.returncode in (0, -signal.SIGINT, 130)
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "PostgreSQL left running"


def test_health_endpoints(server: tuple[str, Path]) -> None:
    base, _ = server
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{base}/readyz").status_code == 200


def test_graphiql_is_served_to_browsers(server: tuple[str, Path]) -> None:
    base, _ = server
    page = httpx.get(f"{base}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_seeded_catalogs_over_http_with_a_graphql_client(server: tuple[str, Path]) -> None:
    base, _ = server
    async with Client(transport=HTTPXAsyncTransport(url=f"{base}/graphql")) as session:
        result = await session.execute(
            gql("""{
            skillDefinitions { totalCount edges { node { key } } }
            marketItems(first: 3) { totalCount edges { node { key costCoins } } }
            exercises(first: 5, filter: {search: "press"}) { totalCount edges { node { name } } }
            learnTopics { edges { node { key lessons { totalCount } drills { totalCount } } } }
            me { id }
        }""")
        )
    assert result["skillDefinitions"]["totalCount"] == 6
    assert result["marketItems"]["totalCount"] >= 6
    assert result["exercises"]["totalCount"] >= 1
    assert len(result["learnTopics"]["edges"]) == 6
    assert result["me"] is None  # signed out


async def test_cli_user_and_token_sign_in_over_http(server: tuple[str, Path]) -> None:
    base, data_dir = server
    _cli(data_dir, "user", "create", "--email", "Ada@Example.com", "--name", "Ada")
    token = _cli(data_dir, "token", "create", "--email", "ada@example.com").strip().splitlines()[-1]
    transport = HTTPXAsyncTransport(
        url=f"{base}/graphql", headers={"Authorization": f"Bearer {token}"}
    )
    async with Client(transport=transport) as session:
        me = (
            await session.execute(
                gql("""{ me { email name
            wallet { coins } progress { currentLevel } onboardingState { status }
            storedSettings { totalCount } } }""")
            )
        )["me"]
    assert me["email"] == "ada@example.com"
    assert me["wallet"] == {"coins": 0}
    assert me["progress"] == {"currentLevel": 1}
    assert me["onboardingState"] == {"status": "NOT_STARTED"}
    assert me["storedSettings"]["totalCount"] >= 5

    async with httpx.AsyncClient() as client:
        bad = await client.post(
            f"{base}/graphql",
            json={"query": "{ me { id } }"},
            headers={"Authorization": "Bearer nope"},
        )
    assert bad.status_code == 401
    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bad_arguments_are_graphql_errors(server: tuple[str, Path]) -> None:
    base, _ = server
    async with Client(transport=HTTPXAsyncTransport(url=f"{base}/graphql")) as session:
        with pytest.raises(TransportQueryError, match="between 0 and 100"):
            await session.execute(gql("{ exercises(first: 1000) { totalCount } }"))


def test_invalid_queries_are_graphql_errors_not_error_pages(server: tuple[str, Path]) -> None:
    base, _ = server
    response = httpx.post(f"{base}/graphql", json={"query": "{ nope }"})
    assert response.status_code == 200 and "Cannot query field 'nope'" in response.text


def test_oversized_bodies_are_refused(server: tuple[str, Path]) -> None:
    base, _ = server
    response = httpx.post(
        f"{base}/graphql",
        content=b"x" * (2 * 1024 * 1024),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_the_cost_bomb_is_refused_over_http(server: tuple[str, Path]) -> None:
    """A 300-byte signed-in query that asked for a million objects (114 s, 5.4 GB)
    is refused with its estimate before any SQL; every answer reports its cost."""
    base, data_dir = server
    _cli(data_dir, "user", "create", "--email", "bomb@example.com", "--name", "Bomb")
    token = _cli(data_dir, "token", "create", "--email", "bomb@example.com").strip().splitlines()
    headers = {"Authorization": f"Bearer {token[-1]}"}
    bomb = """{ me { activityEvents(first: 100) { edges { node { user {
      activityEvents(first: 100) { edges { node { user {
        activityEvents(first: 100) { edges { node { id eventType } } } } } } } } } } } } }"""
    response = httpx.post(f"{base}/graphql", json={"query": bomb}, headers=headers, timeout=30)
    body = response.json()
    assert "data" not in body  # refused before execution: a request error (GraphQL spec)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["COST_LIMIT_EXCEEDED"]
    assert body["extensions"]["cost"] == {"requested": 1_020_201, "limit": 20_000}
    ordinary = httpx.post(
        f"{base}/graphql", json={"query": "{ me { email } }"}, headers=headers, timeout=30
    ).json()
    assert ordinary["data"] == {"me": {"email": "bomb@example.com"}}
    assert ordinary["extensions"]["cost"] == {"requested": 1, "limit": 20_000}
