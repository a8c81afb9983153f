"""What the live-event end-to-end tests share: gateway processes on a test database, signed-in
users, events produced over HTTP (``grantPoints``) or by concurrent transactions, and
subscribers with real clients (gql over websockets)."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx
import sqlalchemy as sa
import websockets
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportError
from gql.transport.websockets import WebsocketsTransport
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.activity import Actor
from db.auth.users import create_user
from db.auth.viewer import create_session_token
from db.events.relay import Position
from db.gamification.transitions import Grant, grant_points

IGNITION = [sys.executable, "-m", "gateway.cli"]

#: The full event, rows included (each event is read on a fresh snapshot).
WALLET = """subscription ($after: String) {
  walletChanged(after: $after) { cursor occurredAt coins balance
    wallet { id coins } ledgerEntry { id coins reason } }
}"""
#: The event's own fields only: what the high-volume tests select.
WALLET_LIGHT = """subscription ($after: String) {
  walletChanged(after: $after) { cursor coins balance }
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gateway:
    """One ``ignition serve`` process on ``database_url`` (no seeding: the test database is
    seeded), stopped with SIGINT."""

    def __init__(
        self,
        database_url: str,
        log_dir: Path,
        *,
        workers: int = 1,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.log_path = log_dir / f"gateway-{self.port}.log"
        self.workers = workers
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "IGNITION_SEED_ON_START": "false",
            "IGNITION_EVENT_POLL_INTERVAL_S": "0.5",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def start(self) -> Gateway:
        log = self.log_path.open("ab")
        args = [*IGNITION, "serve", "--port", str(self.port)]
        if self.workers > 1:
            args += ["--workers", str(self.workers)]
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        log.close()
        started = time.perf_counter()
        while True:
            assert self.process.poll() is None, self.log_path.read_text()
            try:
                # With --workers, /readyz answers as soon as one worker is up: wait for all,
                # or a test may run (and scrape /metrics) before the others have started.
                if (
                    httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).is_success
                    and self.log_path.read_text().count("Application startup complete")
                    >= self.workers
                ):
                    return self
            except httpx.TransportError:
                pass
            assert time.perf_counter() - started < 60, "the gateway did not become ready"
            time.sleep(0.1)

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    async def astart(self) -> Gateway:
        return await asyncio.to_thread(self.start)

    async def astop(self) -> int | None:
        return await asyncio.to_thread(self.stop)


@dataclass
class User:
    id: uuid.UUID
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def new_user(engine: AsyncEngine, *, admin: bool = False) -> User:
    """A committed user with a session token."""
    suffix = uuid.uuid4().hex[:10]
    async with engine.begin() as conn:
        user = await create_user(
            conn, email=f"live-{suffix}@example.com", name=f"Live {suffix}", admin=admin
        )
        token = await create_session_token(conn, user.id)
    return User(user.id, token)


async def grant_over_http(
    client: httpx.AsyncClient, url: str, admin: User, user: User, coins: int
) -> dict[str, Any]:
    """``grantPoints`` of ``coins`` to ``user`` over HTTP, as ``admin``; the success payload."""
    response = await client.post(
        url,
        json={
            "query": """mutation ($input: GrantPointsInput!) { grantPoints(input: $input) {
                __typename ... on GrantPointsSuccess { wallet { coins } ledgerEntry { id } } } }""",
            "variables": {
                "input": {
                    "userId": str(user.id),
                    "coins": coins,
                    "reason": "live test",
                    "idempotencyKey": uuid.uuid4().hex,
                }
            },
        },
        headers=admin.auth,
    )
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["grantPoints"]
    assert result["__typename"] == "GrantPointsSuccess", result
    return result


async def grant_in_db(
    engine: AsyncEngine, admin: User, user: User, coins: int, *, reason: str = "live test"
) -> None:
    """One committed ledger grant (one ``wallet.changed`` event) in its own transaction."""
    async with engine.begin() as conn:
        await grant_points(
            conn, Grant(user_id=user.id, coins=coins, reason=reason), actor=Actor(admin.id)
        )


async def grant_many(
    engine: AsyncEngine,
    admin: User,
    users: list[User],
    amounts: list[int],
    concurrency: int = 8,
    per_transaction: int = 1,
) -> None:
    """Commit one grant per amount, spread over ``users`` round robin (``amounts[i]`` goes to
    ``users[i % len(users)]``), up to ``per_transaction`` grants per transaction,
    ``concurrency`` transactions at a time (their commits interleave)."""
    # A transaction grants to one user only (two transactions locking two wallets in
    # opposite orders would deadlock); the users' batches take turns.
    per_user = [amounts[index :: len(users)] for index in range(len(users))]
    queue: asyncio.Queue[list[tuple[User, int]]] = asyncio.Queue()
    for start in range(0, max(len(a) for a in per_user), per_transaction):
        for user, mine in zip(users, per_user, strict=True):
            if mine[start : start + per_transaction]:
                queue.put_nowait(
                    [(user, amount) for amount in mine[start : start + per_transaction]]
                )

    async def worker() -> None:
        while not queue.empty():
            batch = queue.get_nowait()
            async with engine.begin() as conn:
                for user, amount in batch:
                    await grant_points(
                        conn,
                        Grant(user_id=user.id, coins=amount, reason="live test"),
                        actor=Actor(admin.id),
                    )

    await asyncio.gather(*(worker() for _ in range(concurrency)))


@dataclass
class Subscriber:
    """A gql client subscribed to ``walletChanged`` over graphql-transport-ws, collecting the
    events it receives (``events``) until cancelled."""

    url: str
    user: User
    after: str | None = None
    subprotocol: str = "graphql-transport-ws"
    document: str = WALLET_LIGHT
    events: list[dict[str, Any]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    def start(self) -> Self:
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        transport = WebsocketsTransport(
            url=self.url,
            init_payload=self.user.auth,
            subprotocols=[self.subprotocol],
            connect_timeout=10,
            ping_interval=None,
        )
        async with Client(transport=transport) as session:
            stream = session.subscribe(
                GraphQLRequest(self.document, variable_values={"after": self.after})
            )
            async for result in stream:
                self.events.append(result["walletChanged"])

    async def wait_for(self, count: int, within_s: float = 30.0) -> list[dict[str, Any]]:
        """The events once at least ``count`` arrived (fails after ``within_s`` seconds)."""
        async with asyncio.timeout(within_s):
            while len(self.events) < count:
                if self.task is not None and self.task.done():
                    self.task.result()  # raises what ended it
                    raise AssertionError(f"stream ended after {len(self.events)} events")
                await asyncio.sleep(0.02)
        return self.events

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task

    @property
    def last_cursor(self) -> str | None:
        return self.events[-1]["cursor"] if self.events else None


@dataclass
class ResumingSubscriber(Subscriber):
    """A subscriber that reconnects when its socket closes (server restart), resuming with
    ``after`` = the cursor of the last event it received, as a real client does."""

    connections: int = 0

    async def _run(self) -> None:
        while True:
            self.after = self.last_cursor or self.after
            self.connections += 1
            # Closed by the server (a restart) or refused (not up yet): retry.
            with contextlib.suppress(OSError, TransportError, websockets.WebSocketException):
                await Subscriber._run(self)
            await asyncio.sleep(0.2)


async def prime(subscribers: list[Subscriber], engine: AsyncEngine, admin: User) -> None:
    """Wait until every subscriber's subscription is live at the server: commit a marker
    event (1 coin; the tests' own events move 2 coins or more) for each subscriber's user
    until each has received one, then forget the markers. Events committed after this reach
    them all (a subscription without ``after`` delivers what commits after it registered)."""
    async with asyncio.timeout(30):
        while True:
            waiting = [s for s in subscribers if not any(_marker(e) for e in s.events)]
            if not waiting:
                break
            for user in {s.user.id: s.user for s in waiting}.values():
                await grant_in_db(engine, admin, user, 1, reason="marker")
            await asyncio.sleep(0.3)
    await asyncio.sleep(0.5)  # markers still in flight arrive now
    for subscriber in subscribers:
        subscriber.events[:] = [e for e in subscriber.events if not _marker(e)]


async def until(condition: Callable[[], Awaitable[bool] | bool], within_s: float = 30) -> None:
    """Wait until ``condition()`` holds (it reads state without a change notification: a
    database row, a counter), checking every 20 ms; fails after ``within_s`` seconds."""
    async with asyncio.timeout(within_s):
        while True:
            value = condition()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return
            await asyncio.sleep(0.02)


def positions(events: list[dict[str, Any]]) -> list[Position]:
    """The positions of received events (their cursors decoded)."""
    return [Position.decode(event["cursor"]) for event in events]


async def kill_listeners(engine: AsyncEngine) -> int:
    """``pg_terminate_backend`` on every relay listener connected to this database."""
    async with engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = 'ignition-listener' "
                        "AND datname = current_database()"
                    )
                )
            ).scalar_one()
        )


async def listener_pids(engine: AsyncEngine) -> set[int]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'ignition-listener' "
                "AND datname = current_database()"
            )
        )
        return {int(pid) for pid in rows.scalars()}


def _marker(event: dict[str, Any]) -> bool:
    return bool(event["coins"] == 1)


async def outbox_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text("SELECT count(*) FROM event_outbox"))).scalar_one())
