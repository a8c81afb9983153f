"""Benchmark live events: many concurrent websocket subscribers, events committed at a steady
rate. Prints figures, asserts nothing.

Run from the repository root::

    python -m bench.subscriptions                          # 500 ... 10,000 subscribers
    python -m bench.subscriptions --steps 100,1000 --rate 20 --duration 5
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ignition_bench python -m bench.subscriptions

It starts ``ignition serve`` (``--workers`` of them on one port; log level warning) on a free
port, against ``--database-url`` / ``DATABASE_URL`` or the embedded PostgreSQL in
``--data-dir`` (default ``.ignition/bench-subscriptions``), and creates ``--users`` users with
session tokens. Then, for each step of ``--steps``:

1. it opens websockets until that many subscribers are connected (graphql-transport-ws,
   signed in through ``connection_init``, each subscribed to ``walletChanged { cursor coins }``
   of user ``i % users``), and measures the server's memory per idle subscriber (resident set
   size of the server processes, before and after, divided by the new subscribers);
2. it commits ``--rate`` events per second for ``--duration`` seconds (one ledger grant per
   transaction, to a random user; the coins amount identifies the event), and records for
   every delivery the time from the commit returning to the message arriving (one clock: the
   committing and the receiving happen in this process);
3. it prints the deliveries, commit-to-client latency p50/p99/max, the server's CPU (percent of
   one core) and this process's CPU during the step.

At the end: the largest number of subscribers held with p99 under ``--p99-target-ms`` (200).

The subscribers are plain ``websockets`` clients with the protocol's few messages written out
(gql's client per socket would cost this process more than the server). The file descriptor
limit is raised to its hard limit; past it, fewer subscribers are reached, and the figures say
so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil
import websockets
from rich.console import Console
from rich.table import Table
from websockets.typing import Subprotocol

IGNITION = [sys.executable, "-m", "gateway.cli"]
SUBSCRIPTION = "subscription { walletChanged { cursor coins } }"
console = Console(width=None if sys.stdout.isatty() else 140)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--steps",
        default="500,1000,2000,5000,10000",
        help="Subscriber counts to measure at, ascending (default %(default)s).",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=20.0,
        help="Events committed per second (default %(default)s).",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=10.0,
        help="Seconds of events per step (default %(default)s).",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=100,
        help="Users the subscribers are spread over (default %(default)s).",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="Gateway worker processes (default %(default)s)."
    )
    parser.add_argument(
        "--p99-target-ms",
        type=float,
        default=200.0,
        help="The latency target of the summary (default %(default)s).",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="PostgreSQL to use (default: DATABASE_URL, else embedded).",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".ignition/bench-subscriptions"),
        help="Embedded PostgreSQL data directory (without a database URL).",
    )
    return parser.parse_args(argv)


def raise_fd_limit() -> int:
    """Raise this process's open-file limit to its hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- the server


class Server:
    """``ignition serve`` in a subprocess (its children too, with ``--workers``)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.port = free_port()
        args.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = args.data_dir / "bench-subscriptions-serve.log"
        env = {
            **os.environ,
            "IGNITION_LOG_LEVEL": "warning",
            "IGNITION_WS_MAX_SUBSCRIPTIONS": "5",
            "IGNITION_DATA_DIR": str(args.data_dir),
        }
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        command = [*IGNITION, "serve", "--port", str(self.port), "--workers", str(args.workers)]
        with self.log.open("w") as log:
            # The open-file limit raised by raise_fd_limit() is inherited.
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        started = time.perf_counter()
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"the gateway exited; see {self.log}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).is_success:
                    break
            if time.perf_counter() - started > 300:
                raise SystemExit("the gateway did not become ready in 300 s")
            time.sleep(0.2)
        self.psutil = psutil.Process(self.process.pid)

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def processes(self) -> list[psutil.Process]:
        """The server process and its workers."""
        return [self.psutil, *self.psutil.children(recursive=True)]

    def rss(self) -> int:
        """Resident memory of the server processes, bytes."""
        return sum(p.memory_info().rss for p in self.processes() if p.is_running())

    def cpu_seconds(self) -> float:
        total = 0.0
        for process in self.processes():
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()


# --------------------------------------------------------------------------- subscribers


@dataclass
class Recorder:
    """Commit times of the events in flight and the latencies of their deliveries."""

    committed_at: dict[int, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)

    early: dict[int, list[float]] = field(default_factory=dict)

    def received(self, coins: int) -> None:
        now = time.perf_counter()
        sent = self.committed_at.get(coins)
        if sent is None:
            # Delivered before this process saw its commit return (the server's push and
            # the commit's reply race in this event loop): settled by committed().
            self.early.setdefault(coins, []).append(now)
        else:
            self.latencies.append(now - sent)

    def committed(self, coins: int) -> None:
        now = time.perf_counter()
        self.committed_at[coins] = now
        for arrived in self.early.pop(coins, ()):
            self.latencies.append(max(0.0, arrived - now))


class Subscriber:
    """One websocket with one ``walletChanged`` subscription."""

    def __init__(self, url: str, token: str, recorder: Recorder) -> None:
        self.url, self.token, self.recorder = url, token, recorder
        self.task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Connect, sign in, subscribe; then receive in the background."""
        ws = await websockets.connect(
            self.url,
            subprotocols=[Subprotocol("graphql-transport-ws")],
            ping_interval=None,
            open_timeout=60,
            compression=None,
        )
        auth = {"Authorization": f"Bearer {self.token}"}
        await ws.send(orjson.dumps({"type": "connection_init", "payload": auth}).decode())
        while orjson.loads(await ws.recv()).get("type") != "connection_ack":
            pass
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}
        await ws.send(orjson.dumps(subscribe).decode())
        self.task = asyncio.create_task(self._receive(ws))

    async def _receive(self, ws: Any) -> None:
        try:
            async for frame in ws:
                message = orjson.loads(frame)
                kind = message.get("type")
                if kind == "next":
                    self.recorder.received(message["payload"]["data"]["walletChanged"]["coins"])
                elif kind == "ping":
                    await ws.send('{"type":"pong"}')
        except websockets.ConnectionClosed:
            pass
        finally:
            await ws.close()


# --------------------------------------------------------------------------- the run


async def create_users(
    database_url: str, count: int
) -> tuple[Any, list[tuple[uuid.UUID, str]], uuid.UUID]:
    """``count`` users with tokens, and an admin (the grants' actor)."""
    from db.auth.users import create_user
    from db.auth.viewer import create_session_token
    from gateway.database import create_engine

    engine = create_engine(database_url, pool_size=8)
    users: list[tuple[uuid.UUID, str]] = []
    run = uuid.uuid4().hex[:8]
    async with engine.begin() as conn:
        admin = await create_user(conn, email=f"bench-admin-{run}@example.com", name="Bench")
        for index in range(count):
            user = await create_user(
                conn, email=f"bench-{run}-{index}@example.com", name=f"Bench {index}"
            )
            users.append((user.id, await create_session_token(conn, user.id)))
    return engine, users, admin.id


async def commit_events(
    engine: Any,
    users: list[tuple[uuid.UUID, str]],
    admin: uuid.UUID,
    recorder: Recorder,
    rate: float,
    duration: float,
    first_amount: int,
) -> list[uuid.UUID]:
    """Commit ``rate`` grants per second for ``duration`` seconds; returns their users."""
    from db.auth.activity import Actor
    from db.gamification.transitions import Grant, grant_points

    interval = 1.0 / rate
    count = int(rate * duration)
    chosen: list[uuid.UUID] = []
    start = time.perf_counter()
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
        user_id = random.choice(users)[0]
        amount = first_amount + n
        async with engine.begin() as conn:
            await grant_points(
                conn, Grant(user_id=user_id, coins=amount, reason="bench"), actor=Actor(admin)
            )
        recorder.committed(amount)
        chosen.append(user_id)
    return chosen


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace) -> None:
    fd_limit = raise_fd_limit()
    steps = [int(s) for s in args.steps.split(",")]
    console.print(
        f"open-file limit {fd_limit}; steps {steps}; {args.rate:g} events/s for "
        f"{args.duration:g} s per step; {args.users} users; {args.workers} worker(s)"
    )
    server = Server(args)
    engine = None
    subscribers: list[Subscriber] = []
    table = Table(title="walletChanged subscribers: commit-to-client latency")
    for column in (
        "subscribers",
        "server MB/idle sub (KB)",
        "events",
        "deliveries",
        "p50 ms",
        "p99 ms",
        "max ms",
        "server CPU %",
        "bench CPU %",
    ):
        table.add_column(column, justify="right")
    held = 0
    try:
        engine, users, admin = await create_users(args.database_url, args.users)
        recorder = Recorder()
        me = psutil.Process()
        amount = 2  # the coins of each event are its id (a grant moves at most 1,000,000)
        for target in steps:
            rss_before = server.rss()
            connect_started = time.perf_counter()
            pending = [
                Subscriber(server.ws, users[i % len(users)][1], recorder)
                for i in range(len(subscribers), target)
            ]
            for start in range(0, len(pending), 200):  # 200 handshakes at a time
                batch = pending[start : start + 200]
                results = await asyncio.gather(
                    *(s.connect() for s in batch), return_exceptions=True
                )
                for subscriber, result in zip(batch, results, strict=True):
                    if isinstance(result, BaseException):
                        console.print(f"[yellow]connect failed:[/] {result!r}")
                        break
                    subscribers.append(subscriber)
                else:
                    continue
                break
            connected = len(subscribers)
            connect_s = time.perf_counter() - connect_started
            await asyncio.sleep(2)  # subscriptions registered, memory settled
            per_idle_kb = (server.rss() - rss_before) / max(1, len(pending)) / 1024
            recorder.latencies.clear()
            recorder.committed_at.clear()
            cpu_server, cpu_me = server.cpu_seconds(), sum(me.cpu_times()[:2])
            started = time.perf_counter()
            targets = await commit_events(
                engine, users, admin, recorder, args.rate, args.duration, amount
            )
            events = len(targets)
            await asyncio.sleep(2)  # the last deliveries
            wall = time.perf_counter() - started
            amount += events
            server_cpu = 100 * (server.cpu_seconds() - cpu_server) / wall
            bench_cpu = 100 * (sum(me.cpu_times()[:2]) - cpu_me) / wall
            lat = [x * 1000 for x in recorder.latencies]
            per_user = Counter(users[i % len(users)][0] for i in range(connected))
            expected = sum(per_user[user_id] for user_id in targets)
            p99 = percentile(lat, 0.99)
            table.add_row(
                f"{connected:,} ({connect_s:.0f} s)",
                f"{server.rss() / 2**20:,.0f} / {per_idle_kb:,.0f}",
                str(events),
                f"{len(lat):,} of {expected:,}",
                f"{percentile(lat, 0.5):.1f}",
                f"{p99:.1f}",
                f"{max(lat, default=float('nan')):.1f}",
                f"{server_cpu:.0f}",
                f"{bench_cpu:.0f}",
            )
            console.print(
                f"{connected:,} subscribers: p50 {percentile(lat, 0.5):.1f} ms, "
                f"p99 {p99:.1f} ms, {len(lat):,} deliveries"
            )
            if p99 < args.p99_target_ms and connected > held:
                held = connected
            if connected < target:
                console.print(f"[yellow]stopped at {connected:,} subscribers (limit reached)[/]")
                break
    finally:
        for subscriber in subscribers:
            if subscriber.task is not None:
                subscriber.task.cancel()
        await asyncio.gather(*(s.task for s in subscribers if s.task), return_exceptions=True)
        if engine is not None:
            await engine.dispose()
        server.stop()
    console.print(table)
    console.print(
        f"Largest number of subscribers held with p99 under "
        f"{args.p99_target_ms:g} ms: [bold]{held:,}[/]"
    )
    console.print(
        f"machine: {os.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB; server log {server.log}"
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    embedded = None
    if not args.database_url:  # the bench owns the embedded server; the gateway joins it
        from gateway.embedded import EmbeddedPostgres

        embedded = EmbeddedPostgres(args.data_dir.resolve())
        args.database_url = embedded.start()
        from gateway.bootstrap import prepare_database

        asyncio.run(prepare_database(args.database_url))
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(run(args))
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main()
