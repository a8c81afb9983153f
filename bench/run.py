"""Benchmark the GraphQL API with a fixed mix of frontend-like queries.

Run from the repository root::

    python -m bench.run --quick                 # ~2 s per query, 50 demo users, embedded DB
    python -m bench.run                         # ~10 s per query, 1,000 demo users
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ignition_bench python -m bench.run

Unless ``--url`` is given it starts its own ``ignition serve`` (with
``IGNITION_EXPOSE_SQL_STATS=true``) on a free 127.0.0.1 port, waits for ``/readyz``, loads the
demo data (``ignition seed demo --users N``, idempotent), and signs in one demo user per client
(session tokens created directly in one transaction). Each query then runs for a fixed time
with C concurrent clients (one ``httpx.AsyncClient`` with keep-alive per client, each a different
user), and a table of the figures is printed. This is a benchmark: it asserts nothing about
speed. docs/design.md#running-and-testing and docs/design.md#the-compiled-path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import psutil
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bench.queries import PREPARE, QUERIES, ClientData, Query

IGNITION = [sys.executable, "-m", "gateway.cli"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
#: Seconds to wait for a started server's /readyz (a first start creates the cluster).
READY_TIMEOUT_S = 300.0
#: Seconds one request may take before it counts as an error.
REQUEST_TIMEOUT_S = 30.0
#: Tables whose row counts describe the loaded data set.
COUNTED_TABLES = (
    "users",
    "habits",
    "habit_completions",
    "points_ledger",
    "focus_sessions",
    "user_purchases",
    "workouts",
    "workout_sessions",
    "exercise_sets",
    "reference_tracks",
    "track_analyses",
    "track_annotations",
    "user_lesson_progress",
    "exercises",
)

console = Console(width=None if sys.stdout.isatty() else 150)


class BenchError(RuntimeError):
    """A setup step failed; the message says which (printed, exit code 1)."""


# --------------------------------------------------------------------------- arguments


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    names = ", ".join(q.name for q in QUERIES)
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Benchmark the gateway's GraphQL API with a fixed mix of frontend-like "
        "queries and print requests/s, latency percentiles and SQL statements per request. "
        "Asserts nothing about speed.",
    )
    parser.add_argument(
        "--url",
        help="Benchmark an already running gateway at this base URL (127.0.0.1 only, e.g. "
        "http://127.0.0.1:8000) instead of starting one. Its database must be the one "
        "--database-url / DATABASE_URL / --data-dir names (demo data and tokens are created "
        "there); it reports SQL statement counts only with IGNITION_EXPOSE_SQL_STATS=true.",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="PostgreSQL server to use (default: env DATABASE_URL; unset: the embedded "
        "PostgreSQL in --data-dir).",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".ignition/bench"),
        help="Embedded PostgreSQL data directory when no database URL is given "
        "(default: .ignition/bench).",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=None,
        help="Demo users to load (default 1000; 50 with --quick). Existing ones are kept.",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=20,
        help="Concurrent clients, each signed in as a different demo user (default 20).",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="Seconds each query is measured (default 10; 2 with --quick).",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=None,
        help="Also stop a query after this many requests (all clients together).",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="Seconds each query runs unmeasured first (default 1; 0.3 with --quick).",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=None,
        help="Before each query, wait up to this many seconds for the machine to be quiet "
        "(other processes using under 15%% of the cores); 0 disables it (default 15; 3 with "
        "--quick).",
    )
    parser.add_argument(
        "--queries",
        default=None,
        help=f"Comma-separated subset of the queries to run (default all: {names}).",
    )
    parser.add_argument(
        "--seed", type=int, default=42, help="Random seed of the demo data (default 42)."
    )
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="Do not load demo data (the demo users must exist already).",
    )
    parser.add_argument(
        "--quick", action="store_true", help="~2 s per query and 50 users: a smoke run."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also save the figures here.")
    args = parser.parse_args(argv)

    args.users = args.users if args.users is not None else (50 if args.quick else 1000)
    args.duration = args.duration if args.duration is not None else (2.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (0.3 if args.quick else 1.0)
    if args.wait_quiet is None:
        args.wait_quiet = 3.0 if args.quick else 15.0
    if args.users < 1 or args.clients < 1:
        parser.error("--users and --clients must be at least 1")
    if args.clients > args.users:
        parser.error(f"--clients ({args.clients}) cannot exceed --users ({args.users})")
    if args.duration <= 0 or args.warmup < 0 or args.wait_quiet < 0:
        parser.error("--duration must be positive, --warmup and --wait-quiet not negative")
    if args.requests is not None and args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.url is not None:
        host = urlsplit(args.url).hostname or ""
        if host not in LOCAL_HOSTS:
            parser.error("--url must point at this machine (127.0.0.1, localhost or ::1)")
        args.url = args.url.rstrip("/").removesuffix("/graphql")
    by_name = {q.name: q for q in QUERIES}
    if args.queries:
        chosen = [name.strip() for name in args.queries.split(",") if name.strip()]
        unknown = [name for name in chosen if name not in by_name]
        if unknown:
            parser.error(f"unknown queries {unknown}; choose from: {names}")
        args.selected = [by_name[name] for name in chosen]
    else:
        args.selected = list(QUERIES)
    args.data_dir = args.data_dir.expanduser().resolve()
    return args


# --------------------------------------------------------------------------- server and data


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _child_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    # Set even when empty: an empty DATABASE_URL means "embedded" and beats a .env file.
    env["DATABASE_URL"] = args.database_url or ""
    env["IGNITION_EXPOSE_SQL_STATS"] = "true"
    env["IGNITION_LOG_LEVEL"] = "warning"  # no access log: it would cost the server CPU
    return env


def _data_dir_args(args: argparse.Namespace) -> list[str]:
    return [] if args.database_url else ["--data-dir", str(args.data_dir)]


@dataclass
class Server:
    """The gateway under test: started here (``process``) or given with ``--url``."""

    url: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    started_s: float | None = None


@contextlib.contextmanager
def gateway(args: argparse.Namespace) -> Iterator[Server]:
    """The server to benchmark; a started one is stopped (SIGINT, graceful) on exit."""
    if args.url is not None:
        yield Server(url=args.url)
        return
    port = _free_port()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = args.data_dir / "bench-serve.log"
    command = [*IGNITION, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, *_data_dir_args(args)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_child_env(args),
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        server.started_s = _wait_ready(server)
        yield server
    finally:
        _stop(process)


def _wait_ready(server: Server) -> float:
    assert server.process is not None
    started = time.perf_counter()
    while True:
        if server.process.poll() is not None:
            raise BenchError(
                f"ignition serve exited with code {server.process.returncode}; "
                f"see {server.log_path}:\n{_tail(server.log_path)}"
            )
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - started
        if time.perf_counter() - started > READY_TIMEOUT_S:
            raise BenchError(f"the gateway was not ready after {READY_TIMEOUT_S:g} s")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # graceful: uvicorn drains, the lifespan stops the DB
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _tail(path: Path | None, lines: int = 20) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def seed_demo_data(args: argparse.Namespace) -> float:
    """Run ``ignition seed demo --users N`` (idempotent); return its wall time in seconds."""
    command = [*IGNITION, "seed", "demo", "--users", str(args.users), "--seed", str(args.seed)]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, *_data_dir_args(args)],
        env=_child_env(args),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()[-30:]
        raise BenchError(
            f"ignition seed demo failed (exit {result.returncode}):\n" + "\n".join(output)
        )
    return elapsed


@dataclass
class Database:
    """What the benchmark learned from the database before measuring."""

    tokens: list[str]
    emails: list[str]
    kind: str
    version: str
    rows: dict[str, int]
    token_seconds: float


async def sign_in(args: argparse.Namespace) -> Database:
    """Create one session token per client (users demo-1 .. demo-K) in one transaction, and
    read the server version and the row counts of the data set."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    from db import metadata
    from db.auth.viewer import create_session_token
    from gateway.database import create_engine, display_url
    from gateway.embedded import database_url
    from gateway.settings import Settings

    settings = Settings(database_url=args.database_url, data_dir=args.data_dir)
    emails = [f"demo-{i}@ignition.example" for i in range(1, args.clients + 1)]
    async with database_url(settings) as url:
        engine = create_engine(url, poolclass=NullPool, statement_timeout_ms=0)
        try:
            started = time.perf_counter()
            async with engine.begin() as conn:
                users = metadata.tables["users"]
                found = dict(
                    (
                        await conn.execute(
                            sa.select(users.c.email, users.c.id).where(users.c.email.in_(emails))
                        )
                    ).all()
                )
                missing = [email for email in emails if email not in found]
                if missing:
                    raise BenchError(
                        f"{len(missing)} demo users are missing (e.g. {missing[0]}); "
                        "load them with `ignition seed demo --users N` (or drop --no-seed)"
                    )
                tokens = [
                    await create_session_token(
                        conn, found[email], ttl_seconds=6 * 3600, user_agent="ignition-bench"
                    )
                    for email in emails
                ]
            token_seconds = time.perf_counter() - started
            async with engine.connect() as conn:
                version = (await conn.execute(sa.text("SHOW server_version"))).scalar_one()
                rows = {}
                for name in COUNTED_TABLES:
                    table = metadata.tables[name]
                    count = sa.select(sa.func.count()).select_from(table)
                    rows[name] = (await conn.execute(count)).scalar_one()
        finally:
            await engine.dispose()
    if args.database_url:
        kind = f"external, {display_url(args.database_url)}"
    else:
        kind = f"embedded (pgserver) in {args.data_dir}"
    return Database(tokens, emails, kind, str(version), rows, token_seconds)


# --------------------------------------------------------------------------- measuring


@dataclass
class Client:
    """One simulated frontend: one demo user, one HTTP connection (keep-alive)."""

    http: httpx.AsyncClient
    data: ClientData
    requests: int = 0


@dataclass
class Sample:
    """What the clients saw for one query during one phase."""

    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    bytes: int = 0
    errors: int = 0
    error_messages: dict[str, int] = field(default_factory=dict)

    def error(self, message: str) -> None:
        self.errors += 1
        self.error_messages[message] = self.error_messages.get(message, 0) + 1


def _body(query: Query, client: Client) -> bytes:
    variables = query.variables(client.data, client.requests)
    client.requests += 1
    return orjson.dumps(
        {"query": query.document, "operationName": query.operation, "variables": variables}
    )


async def _request(client: Client, body: bytes, sample: Sample) -> dict[str, Any] | None:
    """Send one request; record its latency, statements, size or error; return the payload."""
    sample.requests += 1
    started = time.perf_counter()
    try:
        response = await client.http.post("/graphql", content=body)
    except httpx.HTTPError as exc:
        sample.error(f"{type(exc).__name__}: {exc}")
        return None
    sample.latencies.append(time.perf_counter() - started)
    sample.bytes += len(response.content)
    try:
        payload: dict[str, Any] = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        sample.error(f"HTTP {response.status_code}: not JSON")
        return None
    statements = (payload.get("extensions") or {}).get("sqlStatements")
    if isinstance(statements, int):
        sample.statements.append(statements)
    if response.status_code != 200 or payload.get("errors") or payload.get("data") is None:
        errors = payload.get("errors") or [{"message": f"HTTP {response.status_code}"}]
        sample.error("; ".join(str(e.get("message")) for e in errors[:3]))
        return None
    return payload


async def _run_phase(
    query: Query, clients: list[Client], seconds: float, limit: int | None
) -> tuple[Sample, float]:
    """Every client sends ``query`` back to back until ``seconds`` pass (or ``limit``
    requests were sent in all); return the sample and the wall time."""
    sample = Sample()
    remaining = [limit if limit is not None else sys.maxsize]
    deadline = time.perf_counter() + seconds

    async def loop(client: Client) -> None:
        while time.perf_counter() < deadline and remaining[0] > 0:
            remaining[0] -= 1
            await _request(client, _body(query, client), sample)

    started = time.perf_counter()
    await asyncio.gather(*(loop(client) for client in clients))
    return sample, time.perf_counter() - started


async def _prepare(clients: list[Client]) -> list[str]:
    """Check every client's sign-in and collect its per-user inputs; return warnings."""
    warnings: list[str] = []
    for client in clients:
        sample = Sample()
        body = orjson.dumps({"query": PREPARE, "operationName": "BenchPrepare"})
        payload = await _request(client, body, sample)
        if payload is None:
            raise BenchError(f"{client.data.email}: {next(iter(sample.error_messages))}")
        me = payload["data"]["me"]
        if me is None or me["email"] != client.data.email:
            raise BenchError(f"{client.data.email}: the token does not sign in (me = {me})")
        page = me["ledger"]["pageInfo"]
        client.data.ledger_cursor = page["endCursor"]
        client.data.ledger_has_next = page["hasNextPage"]
        ids = [edge["node"]["id"] for edge in me["focusSessions"]["edges"]]
        client.data.focus_session_ids = ids
    without_page_2 = [c for c in clients if not c.data.ledger_has_next]
    if without_page_2:
        warnings.append(
            f"{len(without_page_2)} of {len(clients)} users have no second ledger page "
            "(ledger-page-2 returns an empty page for them)"
        )
    lookup_ids = [i for c in clients for i in c.data.focus_session_ids]
    without_focus = [c for c in clients if not c.data.focus_session_ids]
    if without_focus and lookup_ids:
        warnings.append(
            f"{len(without_focus)} of {len(clients)} users have no focus session; they look up "
            "another user's (answered with null)"
        )
        for client in without_focus:
            client.data.focus_session_ids = lookup_ids[:1]
    elif not lookup_ids:
        for client in clients:
            client.data.focus_session_ids = ["00000000-0000-0000-0000-000000000000"]
        warnings.append("no user has a focus session: focus-session looks up a missing id")
    return warnings


async def _validate(query: Query, clients: list[Client]) -> Sample:
    """Run ``query`` once per client; raise :class:`BenchError` on any error."""
    sample = Sample()
    for client in clients:
        await _request(client, _body(query, client), sample)
    if sample.errors:
        messages = "\n".join(f"  {n} x {m}" for m, n in sample.error_messages.items())
        raise BenchError(f"query {query.name!r} ({query.operation}) failed validation:\n{messages}")
    return sample


class CpuMeter:
    """CPU seconds used between two readings by the gateway process, the PostgreSQL processes
    serving the benchmark (the whole embedded cluster, or the backends connected to the
    external server's benchmark database), this benchmark process, and everything else on the
    machine (other work competing for the same cores)."""

    def __init__(self, server_pid: int | None, args: argparse.Namespace) -> None:
        self.server = psutil.Process(server_pid) if server_pid else None
        self.pgdata = None if args.database_url else args.data_dir / "pgdata"
        self.database = None
        if args.database_url:
            from sqlalchemy.engine import make_url

            self.database = make_url(args.database_url).database

    def _ours(self, process: psutil.Process) -> bool:
        """Whether a ``postgres`` process serves the benchmark's database."""
        try:
            if self.pgdata is not None:
                return bool(Path(process.cwd()) == self.pgdata)
            title = " ".join(part for part in process.cmdline() if part)
        except psutil.Error:
            return False
        return f" {self.database} " in f"{title} "

    def read(self) -> dict[str, Any]:
        gateway_s = None
        if self.server is not None:
            with contextlib.suppress(psutil.Error):
                times = self.server.cpu_times()
                gateway_s = times.user + times.system
        postgres: dict[int, float] = {}
        for process in psutil.process_iter(["name", "cpu_times"]):
            times = process.info.get("cpu_times")
            if process.info.get("name") == "postgres" and times is not None and self._ours(process):
                postgres[process.pid] = times.user + times.system
        machine = psutil.cpu_times()
        idle = machine.idle + getattr(machine, "iowait", 0.0)
        return {
            "gateway": gateway_s,
            "postgres": postgres,
            "client": time.process_time(),
            "busy": sum(machine) - idle - getattr(machine, "guest", 0.0),
        }

    @staticmethod
    def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float | None]:
        gateway_s = None
        if before["gateway"] is not None and after["gateway"] is not None:
            gateway_s = after["gateway"] - before["gateway"]
        postgres_s = sum(
            seconds - before["postgres"].get(pid, 0.0) for pid, seconds in after["postgres"].items()
        )
        client_s = after["client"] - before["client"]
        busy_s = after["busy"] - before["busy"]
        return {
            "gateway": gateway_s,
            "postgres": postgres_s,
            "client": client_s,
            "other": max(busy_s - (gateway_s or 0.0) - postgres_s - client_s, 0.0),
        }


#: The machine counts as quiet when other processes use less than this share of its cores.
QUIET_SHARE = 0.15


async def _wait_quiet(query: Query, limit_s: float, warnings: list[str]) -> None:
    """Wait (up to ``limit_s``) until the machine is quiet: between queries the gateway and
    its database are idle, so the CPU in use belongs to other processes."""
    started = time.perf_counter()
    while True:
        busy = await asyncio.to_thread(psutil.cpu_percent, 0.5) / 100
        waited = time.perf_counter() - started
        if busy < QUIET_SHARE:
            if waited > 1:
                console.print(f"  (waited {waited:.0f} s for a quiet machine)", style="dim")
            return
        if waited >= limit_s:
            warnings.append(
                f"{query.name}: the machine was still {busy:.0%} busy with other processes "
                f"after waiting {waited:.0f} s; measured anyway"
            )
            return


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (the NumPy default)."""
    if not sorted_values:
        return float("nan")
    position = (len(sorted_values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _figures(
    query: Query, sample: Sample, wall: float, cpu: dict[str, float | None], validation: Sample
) -> dict[str, Any]:
    latencies = sorted(sample.latencies)
    count = sample.requests

    def per_request_ms(seconds: float | None) -> float | None:
        return None if seconds is None or not count else seconds * 1000 / count

    answered = max(len(latencies), 1)
    return {
        "name": query.name,
        "operation": query.operation,
        "description": query.description,
        "requests": count,
        "seconds": wall,
        "requests_per_second": count / wall if wall else 0.0,
        "latency_ms": {
            "p50": _percentile(latencies, 0.50) * 1000,
            "p95": _percentile(latencies, 0.95) * 1000,
            "p99": _percentile(latencies, 0.99) * 1000,
            "max": (latencies[-1] * 1000) if latencies else float("nan"),
        },
        "sql_statements": {
            "min": min(sample.statements) if sample.statements else None,
            "max": max(sample.statements) if sample.statements else None,
            "per_user_at_validation": sorted(set(validation.statements)),
        },
        "errors": sample.errors,
        "error_messages": sample.error_messages,
        "response_bytes_mean": sample.bytes / answered,
        "cpu_seconds": cpu,
        "cpu_ms_per_request": {key: per_request_ms(value) for key, value in cpu.items()},
        # Share of the machine's cores other processes used while this query was measured.
        "other_cpu_share": (cpu["other"] or 0.0) / (wall * (os.cpu_count() or 1)) if wall else 0.0,
    }


async def benchmark(
    args: argparse.Namespace, server: Server, database: Database
) -> tuple[list[dict[str, Any]], list[str]]:
    """Validate, warm up and measure every selected query; return the figures and warnings."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        Client(
            http=httpx.AsyncClient(
                base_url=server.url,
                headers={
                    "authorization": f"Bearer {token}",
                    "content-type": "application/json",
                    "accept": "application/json",
                },
                limits=limits,
                timeout=REQUEST_TIMEOUT_S,
                trust_env=False,  # never a proxy: 127.0.0.1 only
            ),
            data=ClientData(email=email),
        )
        for token, email in zip(database.tokens, database.emails, strict=True)
    ]
    results: list[dict[str, Any]] = []
    try:
        warnings = await _prepare(clients)
        validations = {query.name: await _validate(query, clients) for query in args.selected}
        meter = CpuMeter(server.process.pid if server.process is not None else None, args)
        for query in args.selected:
            if args.wait_quiet:
                await _wait_quiet(query, args.wait_quiet, warnings)
            if args.warmup:
                await _run_phase(query, clients, args.warmup, None)
            before = meter.read()
            sample, wall = await _run_phase(query, clients, args.duration, args.requests)
            cpu = meter.delta(before, meter.read())
            figures = _figures(query, sample, wall, cpu, validations[query.name])
            results.append(figures)
            console.print(
                f"  {query.name:<17} {figures['requests']:>7} requests  "
                f"{figures['requests_per_second']:>8.1f}/s  p50 "
                f"{figures['latency_ms']['p50']:.1f} ms",
                highlight=False,
            )
    finally:
        await asyncio.gather(*(client.http.aclose() for client in clients))
    return results, warnings


# --------------------------------------------------------------------------- report


def _ms(value: float | None) -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _statements(figures: dict[str, Any]) -> str:
    low, high = figures["sql_statements"]["min"], figures["sql_statements"]["max"]
    if low is None:
        return "-"
    return str(low) if low == high else f"{low}-{high} (!)"


def report(results: list[dict[str, Any]], run: dict[str, Any]) -> None:
    table = Table(title="Ignition Gateway: GraphQL query mix", title_justify="left")
    table.add_column("query")
    table.add_column("requests", justify="right")
    table.add_column("req/s", justify="right")
    table.add_column("p50 ms", justify="right")
    table.add_column("p95 ms", justify="right")
    table.add_column("p99 ms", justify="right")
    table.add_column("SQL/req", justify="right")
    table.add_column("errors", justify="right")
    table.add_column("KB/resp", justify="right")
    table.add_column("gateway CPU ms/req", justify="right")
    table.add_column("PG CPU ms/req", justify="right")
    table.add_column("others' CPU", justify="right")
    for figures in results:
        latency, cpu = figures["latency_ms"], figures["cpu_ms_per_request"]
        table.add_row(
            figures["name"],
            str(figures["requests"]),
            f"{figures['requests_per_second']:.1f}",
            _ms(latency["p50"]),
            _ms(latency["p95"]),
            _ms(latency["p99"]),
            _statements(figures),
            str(figures["errors"]) if not figures["errors"] else f"[red]{figures['errors']}[/]",
            f"{figures['response_bytes_mean'] / 1024:.1f}",
            _ms(cpu["gateway"]),
            _ms(cpu["postgres"]),
            f"{figures['other_cpu_share']:.0%}",
        )
    totals = run["totals"]
    table.add_section()
    table.add_row(
        "[bold]total[/]",
        f"[bold]{totals['requests']}[/]",
        f"[bold]{totals['requests_per_second']:.1f}[/]",
        *([""] * 4),
        f"[bold]{totals['errors']}[/]",
        *([""] * 3),
        f"[bold]{totals['other_cpu_share']:.0%}[/]",
    )
    console.print(table)
    console.print(
        "req/s: all clients together; latency: one request as a client sees it (keep-alive); "
        "SQL/req: extensions.sqlStatements min-max over the measured requests (the sign-in "
        "statement included); CPU ms/req: CPU time of the gateway process / of the PostgreSQL "
        "processes serving the benchmark database, per request; others' CPU: share of the "
        "machine's cores used meanwhile by unrelated processes (noise when high).",
        style="dim",
    )
    for figures in results:
        for message, count in list(figures["error_messages"].items())[:3]:
            console.print(f"[red]{figures['name']}: {count} x {escape(message)}[/]")

    settings = Table(title="Settings", title_justify="left", show_header=False)
    settings.add_column("setting")
    settings.add_column("value")
    s = run["settings"]
    settings.add_row("server", f"{s['server_url']} ({s['server']})")
    settings.add_row("PostgreSQL", f"{s['postgres_version']}, {s['postgres']}")
    users = f"{s['users']} requested, {s['rows']['users']} users in the database"
    settings.add_row("demo users", users)
    settings.add_row("clients", f"{s['clients']} concurrent, each a different demo user")
    duration = f"{s['duration_s']:g} s per query after {s['warmup_s']:g} s warm-up"
    if s["requests_limit"]:
        duration += f", at most {s['requests_limit']} requests"
    if s["wait_quiet_s"]:
        duration += f"; waits up to {s['wait_quiet_s']:g} s for a quiet machine first"
    settings.add_row("duration", duration)
    load = ", ".join(f"{value:.2f}" for value in s["load_average_before"])
    settings.add_row("CPUs", f"{s['cpu_count']} ({s['cpu_model']}); load before: {load}")
    settings.add_row("Python", f"{s['python']} (client and gateway on the same machine)")
    setup = run["setup"]
    if setup["seed_seconds"] is not None:
        settings.add_row("demo data load", f"{setup['seed_seconds']:.1f} s (ignition seed demo)")
    if setup["server_ready_seconds"] is not None:
        settings.add_row("server start", f"{setup['server_ready_seconds']:.1f} s to /readyz")
    settings.add_row(
        "rows", ", ".join(f"{name} {count}" for name, count in s["rows"].items() if name != "users")
    )
    settings.add_row("measured", f"{totals['seconds']:.1f} s; whole run {run['elapsed_s']:.1f} s")
    console.print(settings)
    for warning in run["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}")


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


# --------------------------------------------------------------------------- main


def _uvloop_factory() -> Any:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _run_async(coroutine: Any) -> Any:
    with asyncio.Runner(loop_factory=_uvloop_factory()) as runner:
        return runner.run(coroutine)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_started = time.perf_counter()
    load_before = list(os.getloadavg())
    where = "DATABASE_URL" if args.database_url else f"embedded PostgreSQL in {args.data_dir}"
    try:
        with gateway(args) as server:
            how = "started by the benchmark" if server.process else "given with --url"
            console.print(f"Gateway at {server.url} ({how}); database: {where}")
            seed_seconds = None
            if not args.no_seed:
                console.print(f"Loading demo data: {args.users} users (existing ones are kept)...")
                seed_seconds = seed_demo_data(args)
                console.print(f"  done in {seed_seconds:.1f} s")
            database = _run_async(sign_in(args))
            console.print(
                f"Signed in {args.clients} demo users; measuring {len(args.selected)} queries "
                f"for {args.duration:g} s each ({args.warmup:g} s warm-up):"
            )
            results, warnings = _run_async(benchmark(args, server, database))
    except BenchError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}")
        return 1
    except KeyboardInterrupt:
        console.print("[red]interrupted[/]")
        return 130

    total_requests = sum(f["requests"] for f in results)
    total_seconds = sum(f["seconds"] for f in results)
    run = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "settings": {
            "server_url": server.url,
            "server": "started by the benchmark" if server.process else "external (--url)",
            "postgres": database.kind,
            "postgres_version": database.version,
            "users": args.users,
            "clients": args.clients,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "requests_limit": args.requests,
            "wait_quiet_s": args.wait_quiet,
            "cpu_count": os.cpu_count(),
            "cpu_model": _cpu_model(),
            "load_average_before": load_before,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "rows": database.rows,
        },
        "setup": {
            "server_ready_seconds": server.started_s,
            "seed_seconds": seed_seconds,
            "token_seconds": database.token_seconds,
        },
        "queries": results,
        "totals": {
            "requests": total_requests,
            "seconds": total_seconds,
            "requests_per_second": total_requests / total_seconds if total_seconds else 0.0,
            "errors": sum(f["errors"] for f in results),
            "other_cpu_share": sum(f["cpu_seconds"]["other"] or 0.0 for f in results)
            / (total_seconds * (os.cpu_count() or 1))
            if total_seconds
            else 0.0,
        },
        "warnings": warnings,
        "elapsed_s": time.perf_counter() - run_started,
    }
    report(results, run)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(orjson.dumps(run, option=orjson.OPT_INDENT_2) + b"\n")
        console.print(f"Figures saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
