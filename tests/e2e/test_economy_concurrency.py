"""The economy under concurrency, end to end: ``ignition serve`` as a real subprocess on the
test database, and many concurrent HTTP clients (httpx) hitting the same wallet, the same stock,
the same idempotency key and the same focus session.

Each test states the outcome that only correct locking gives: exact success counts, a balance
of exactly zero, one ledger row, and no HTTP 500 (every refusal is a typed result). The figures
(answers by type, wall time) are printed; run with ``-s`` to see them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.users import create_user
from db.auth.viewer import create_session_token
from tests.support.harness import invariant_violations
from tests.support.money import execute, fund, make_item, scalar

pytestmark = pytest.mark.e2e

PURCHASE = """
mutation Buy($input: PurchaseMarketItemInput!) {
  purchaseMarketItem(input: $input) {
    __typename
    ... on PurchaseMarketItemSuccess { purchase { id } wallet { coins } }
    ... on DomainError { code }
  }
}
"""
START = """
mutation Start($input: StartFocusSessionInput!) {
  startFocusSession(input: $input) {
    __typename
    ... on StartFocusSessionSuccess { session { id } }
    ... on FocusSessionAlreadyRunning { sessionId }
  }
}
"""
COMPLETE = """
mutation Complete($id: ID!, $key: String!) {
  completeFocusSession(id: $id, idempotencyKey: $key) {
    __typename
    ... on CompleteFocusSessionSuccess { session { id xpAwarded } ledgerEntry { id } }
    ... on InvalidState { status }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``ignition serve`` on this run's test database (already migrated and seeded): its
    GraphQL URL."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("economy-serve") / "serve.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "IGNITION_SEED_ON_START": "false",
        "IGNITION_LOG_LEVEL": "warning",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.perf_counter()
            while True:
                assert process.poll() is None, Path(log_path).read_text()
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.perf_counter() - started < 60, "the gateway did not become ready"
                time.sleep(0.1)
            yield f"{base}/graphql"
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    log_text = Path(log_path).read_text()
    assert "Traceback" not in log_text, log_text


async def signed_in_user(engine: AsyncEngine) -> tuple[uuid.UUID, str]:
    """A committed user and a bearer token for them."""
    suffix = uuid.uuid4().hex[:10]
    async with engine.begin() as conn:
        user = await create_user(conn, email=f"race-{suffix}@example.com", name=f"Race {suffix}")
        token = await create_session_token(conn, user.id)
    return user.id, token


async def post_all(
    url: str, calls: list[tuple[str, str, dict[str, Any]]]
) -> tuple[list[httpx.Response], float]:
    """Send every ``(token, query, variables)`` at once, each on its own connection; the
    responses in order and the wall time in seconds."""
    limits = httpx.Limits(max_connections=len(calls), max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        started = time.perf_counter()
        responses = await asyncio.gather(
            *(
                client.post(
                    url,
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
                for token, query, variables in calls
            )
        )
        return list(responses), time.perf_counter() - started


def outcomes(responses: list[httpx.Response], field: str) -> tuple[Counter[str], list[Any]]:
    """The answers by ``__typename`` (HTTP errors as ``HTTP <status>``) and the payloads."""
    kinds: Counter[str] = Counter()
    payloads = []
    for response in responses:
        body = response.json() if response.status_code == 200 else {}
        if response.status_code != 200 or body.get("errors"):
            kinds[f"HTTP {response.status_code} {body.get('errors')}"] += 1
            continue
        payload = body["data"][field]
        kinds[payload["__typename"]] += 1
        payloads.append(payload)
    return kinds, payloads


def report(name: str, kinds: Counter[str], seconds: float) -> None:
    print(f"\n{name}: {dict(kinds)} in {seconds:.2f} s")


async def test_100_purchases_on_a_wallet_that_affords_10(server: str, engine: AsyncEngine) -> None:
    user_id, token = await signed_in_user(engine)
    await fund(engine, user_id, 100)
    # The first purchase's achievement would pay 10 coins more: it was earned already.
    await execute(
        engine,
        "INSERT INTO user_achievements (user_id, achievement_key) VALUES (:u, 'first_purchase')",
        u=user_id,
    )
    item = await make_item(engine, cost_coins=10)
    calls = [
        (token, PURCHASE, {"input": {"itemId": str(item), "idempotencyKey": f"buy-{i}"}})
        for i in range(100)
    ]
    responses, seconds = await post_all(server, calls)
    kinds, _ = outcomes(responses, "purchaseMarketItem")
    report("100 purchases, wallet affords 10", kinds, seconds)
    assert all(r.status_code == 200 for r in responses)
    assert kinds == {"PurchaseMarketItemSuccess": 10, "InsufficientFunds": 90}
    assert await scalar(engine, "SELECT coins FROM user_wallet WHERE user_id = :u", u=user_id) == 0
    assert (
        await scalar(engine, "SELECT count(*) FROM user_purchases WHERE user_id = :u", u=user_id)
        == 10
    )
    async with engine.connect() as conn:
        assert await invariant_violations(conn, [user_id]) == []


async def test_50_buyers_race_for_the_last_5_units(server: str, engine: AsyncEngine) -> None:
    item = await make_item(engine, cost_coins=3, stock=5)
    buyers = [await signed_in_user(engine) for _ in range(50)]
    for user_id, _ in buyers:
        await fund(engine, user_id, 10)
    calls = [
        (token, PURCHASE, {"input": {"itemId": str(item), "idempotencyKey": "mine"}})
        for _, token in buyers
    ]
    responses, seconds = await post_all(server, calls)
    kinds, _ = outcomes(responses, "purchaseMarketItem")
    report("50 buyers, 5 units", kinds, seconds)
    assert all(r.status_code == 200 for r in responses)
    assert kinds == {"PurchaseMarketItemSuccess": 5, "OutOfStock": 45}
    assert (
        await scalar(engine, "SELECT remaining_stock FROM market_items WHERE id = :i", i=item) == 0
    )
    assert (
        await scalar(engine, "SELECT count(*) FROM user_purchases WHERE item_id = :i", i=item) == 5
    )
    async with engine.connect() as conn:
        assert await invariant_violations(conn, [u for u, _ in buyers]) == []


async def test_50_replays_of_one_key_make_one_purchase(server: str, engine: AsyncEngine) -> None:
    user_id, token = await signed_in_user(engine)
    await fund(engine, user_id, 100)
    item = await make_item(engine, cost_coins=7, stock=20)
    variables = {"input": {"itemId": str(item), "quantity": 2, "idempotencyKey": "once"}}
    responses, seconds = await post_all(server, [(token, PURCHASE, variables)] * 50)
    kinds, payloads = outcomes(responses, "purchaseMarketItem")
    report("50 replays of one key", kinds, seconds)
    assert kinds == {"PurchaseMarketItemSuccess": 50}
    assert len({p["purchase"]["id"] for p in payloads}) == 1
    assert (
        await scalar(engine, "SELECT count(*) FROM user_purchases WHERE user_id = :u", u=user_id)
        == 1
    )
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM points_ledger WHERE user_id = :u "
            "AND event_type = 'market.purchase'",
            u=user_id,
        )
        == 1
    )
    assert (
        await scalar(engine, "SELECT remaining_stock FROM market_items WHERE id = :i", i=item) == 18
    )
    async with engine.connect() as conn:
        assert await invariant_violations(conn, [user_id]) == []


async def test_20_concurrent_completions_award_once(server: str, engine: AsyncEngine) -> None:
    user_id, token = await signed_in_user(engine)
    started, _ = await post_all(
        server, [(token, START, {"input": {"mode": "FOCUS", "durationSeconds": 3000}})]
    )
    session_id = started[0].json()["data"]["startFocusSession"]["session"]["id"]
    await execute(
        engine,
        "UPDATE focus_sessions SET started_at = started_at - interval '30 minutes', "
        "created_at = created_at - interval '30 minutes' WHERE id = :s",
        s=uuid.UUID(session_id),
    )
    # Ten retries of one request (one key) and ten different requests (their own keys).
    calls = [(token, COMPLETE, {"id": session_id, "key": "same"})] * 10 + [
        (token, COMPLETE, {"id": session_id, "key": f"other-{i}"}) for i in range(10)
    ]
    responses, seconds = await post_all(server, calls)
    kinds, payloads = outcomes(responses, "completeFocusSession")
    report("20 concurrent completions", kinds, seconds)
    assert all(r.status_code == 200 for r in responses)
    successes = [p for p in payloads if p["__typename"] == "CompleteFocusSessionSuccess"]
    refusals = [p for p in payloads if p["__typename"] == "InvalidState"]
    assert len(successes) + len(refusals) == 20
    # One call completed it: either a replay of the shared key (all ten shared-key answers are
    # that success) or one of the others (then the shared key's answers are its refusal).
    assert len({p["ledgerEntry"]["id"] for p in successes}) == 1
    assert {p["status"] for p in refusals} == {"completed"}
    assert len(successes) in (1, 10)
    assert (
        await scalar(engine, "SELECT count(*) FROM points_ledger WHERE event_id = :s", s=session_id)
        == 1
    )
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM event_outbox WHERE topic = 'focus.session.completed' "
            "AND payload->>'session_id' = :s",
            s=session_id,
        )
        == 1
    )
    async with engine.connect() as conn:
        assert await invariant_violations(conn, [user_id]) == []


async def test_two_concurrent_starts_give_one_session(server: str, engine: AsyncEngine) -> None:
    user_id, token = await signed_in_user(engine)
    start = (token, START, {"input": {"mode": "FOCUS", "durationSeconds": 1500}})
    responses, seconds = await post_all(server, [start, start])
    kinds, payloads = outcomes(responses, "startFocusSession")
    report("2 concurrent starts", kinds, seconds)
    assert kinds == {"StartFocusSessionSuccess": 1, "FocusSessionAlreadyRunning": 1}
    session = next(p["session"]["id"] for p in payloads if "session" in p)
    refused = next(p for p in payloads if "sessionId" in p)
    assert refused["sessionId"] == session
    async with engine.connect() as conn:
        count = (
            await conn.execute(
                sa.text("SELECT count(*) FROM focus_sessions WHERE user_id = :u"), {"u": user_id}
            )
        ).scalar_one()
    assert count == 1
