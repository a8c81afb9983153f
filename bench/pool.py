"""Measure connection churn: requests/s, p99 latency and PostgreSQL sessions opened, for a few
pool sizes and overflows at a few numbers of concurrent clients.

Run from the repository root against a PostgreSQL server the benchmark may create a database
on (it creates ``ignition_pool_bench``, migrates and seeds it, and keeps it)::

    python -m bench.pool --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python -m bench.pool --pools 10+10,10+0 --clients 50,200 --duration 10

For each pool (``SIZE+OVERFLOW``: ``IGNITION_DB_POOL_SIZE`` and ``IGNITION_DB_MAX_OVERFLOW``)
it starts one ``ignition serve`` process; for each number of clients it warms the server up
(every client sends requests for ``--warmup`` seconds), reads ``pg_stat_database.sessions`` of
the database, runs the clients for ``--duration`` seconds (each client one keep-alive HTTP
connection sending a signed-out compiled read, 20 exercises, back to back) and reads the
counter again. A session is one backend the server forked: a pool that keeps its connections
opens none in steady state. Asserts nothing; the figures are in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import asyncpg
import httpx
import orjson
from sqlalchemy.engine import make_url

from bench.run import _percentile
from gateway.bootstrap import migrate, seed_database

IGNITION = [sys.executable, "-m", "gateway.cli"]
DATABASE = "ignition_pool_bench"
#: Seconds the server's statistics may lag: a backend reports its counters at most once a
#: second (PostgreSQL's ``PGSTAT_MIN_INTERVAL``), so the counter is read after this pause.
STATS_SETTLE_S = 1.5
DOCUMENT = orjson.dumps(
    {"query": "query Exercises { exercises(first: 20) { edges { node { id name level } } } }"}
)


@dataclass
class Result:
    """One pool at one number of clients."""

    pool: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    warmup_sessions: int = 0
    sessions: int = 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pool", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        required=not os.environ.get("DATABASE_URL"),
        help="A URL of the PostgreSQL server (any database; default env DATABASE_URL).",
    )
    parser.add_argument(
        "--pools",
        default="10+10,5+0,10+0,20+0",
        help="Comma-separated SIZE+OVERFLOW pairs (default 10+10,5+0,10+0,20+0).",
    )
    parser.add_argument("--clients", default="50,200", help="Comma-separated client counts.")
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds measured.")
    parser.add_argument("--warmup", type=float, default=3.0, help="Seconds of warm-up.")
    return parser.parse_args(argv)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(database_url: str, size: int, overflow: int) -> Iterator[str]:
    """One ``ignition serve`` with this pool; yields its base URL; stopped with SIGINT."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "IGNITION_SEED_ON_START": "false",
        "IGNITION_LOG_LEVEL": "warning",
        "IGNITION_DB_POOL_SIZE": str(size),
        "IGNITION_DB_MAX_OVERFLOW": str(overflow),
    }
    process = subprocess.Popen(
        [*IGNITION, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"ignition serve exited with {process.returncode}")
            with suppress(httpx.TransportError):
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            if time.perf_counter() - started > 120:
                raise RuntimeError("the gateway was not ready after 120 s")
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def sessions(monitor: asyncpg.Connection) -> int:
    """``pg_stat_database.sessions`` of the bench database, after the counters settled."""
    await asyncio.sleep(STATS_SETTLE_S)
    value = await monitor.fetchval(
        "SELECT sessions FROM pg_stat_database WHERE datname = $1", DATABASE
    )
    return int(value)


async def load(base: str, clients: int, seconds: float, result: Result | None) -> None:
    """``clients`` keep-alive clients send the read back to back for ``seconds``; latencies
    and errors go to ``result`` (none: a warm-up)."""
    deadline = time.perf_counter() + seconds
    headers = {"content-type": "application/json"}

    async def client() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await http.post("/graphql", content=DOCUMENT, headers=headers)
                    ok = response.status_code == 200 and b'"errors"' not in response.content
                except httpx.HTTPError:
                    ok = False
                if result is None:
                    continue
                if ok:
                    result.latencies.append(time.perf_counter() - started)
                else:
                    result.errors += 1

    await asyncio.gather(*(client() for _ in range(clients)))


async def measure(args: argparse.Namespace) -> list[Result]:
    admin = make_url(args.database_url).set(drivername="postgresql")
    monitor = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        exists = await monitor.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
        if not exists:
            await monitor.execute(f'CREATE DATABASE "{DATABASE}"')
        url = admin.set(database=DATABASE).render_as_string(hide_password=False)
        await migrate(url, "head")
        await seed_database(url)
        results: list[Result] = []
        for pool in args.pools.split(","):
            size, overflow = (int(part) for part in pool.split("+"))
            with serve(url, size, overflow) as base:
                for clients in (int(c) for c in args.clients.split(",")):
                    before_warmup = await sessions(monitor)
                    await load(base, clients, args.warmup, None)
                    before = await sessions(monitor)
                    result = Result(pool, clients, args.duration)
                    started = time.perf_counter()
                    await load(base, clients, args.duration, result)
                    result.seconds = time.perf_counter() - started
                    result.warmup_sessions = before - before_warmup
                    result.sessions = await sessions(monitor) - before
                    results.append(result)
                    print(row(result), flush=True)
        return results
    finally:
        await monitor.close()


def row(result: Result) -> str:
    """One line of the table: pool, clients, req/s, p50/p99 in ms, errors, sessions."""
    latencies = sorted(result.latencies)
    p50, p99 = (_percentile(latencies, q) * 1000 for q in (0.5, 0.99))
    return (
        f"| {result.pool:>6} | {result.clients:>7} | {len(latencies) / result.seconds:>6.0f} "
        f"| {p50:>6.0f} | {p99:>6.0f} "
        f"| {result.errors:>6} | {result.warmup_sessions:>14} | {result.sessions:>15} |"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        "| pool   | clients |  req/s | p50 ms | p99 ms | errors | warm-up sessions "
        "| sessions opened |"
    )
    print("|---|---|---|---|---|---|---|---|")
    asyncio.run(measure(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["Result", "main", "measure", "parse_args"]
