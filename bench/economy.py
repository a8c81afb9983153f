"""Benchmark the money mutations under a random concurrent mix, checking the invariants as it
goes.

Run from the repository root::

    python -m bench.economy                      # 50 users, 60 s, embedded PostgreSQL
    python -m bench.economy --users 50 --duration 60 --url http://127.0.0.1:8000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/ignition

Unless ``--url`` is given it starts its own ``ignition serve`` (as ``bench.run`` does). Setup,
directly in the database: ``--users`` new users (``bench-economy-<run>-<n>``) with a session
token and a starting balance posted through the ledger, one admin (for ``grantPoints``), and
three market items of this run (cheap consumable with unlimited stock, a limited one, a
permanent one).

Then one client per user, all at once, each on its own HTTP connection, runs a random mix for
``--duration`` seconds: ``purchaseMarketItem`` (sometimes replaying its last key),
``redeemPurchase``, ``refundPurchase``, ``startFocusSession`` / ``completeFocusSession`` /
``abandonFocusSession``, ``completeLesson`` / ``recordDrillAttempt`` on the seeded learn
catalog, ``startWorkoutSession`` / ``logExerciseSet`` (one to three sets, with personal
records) / ``finishWorkoutSession`` (sometimes replaying its key), ``createBook`` /
``logReadingSession`` / ``finishBook``, ``setDailyPlan`` / ``completePlanItem`` /
``uncompletePlanItem``, and ``grantPoints`` top-ups by the admin.
Every ``--snapshot-every`` seconds, while the mix runs, the ledger invariants
(``db.gamification.invariants``) and the stock invariant of the limited item
(``remaining_stock = total_stock - units held``) are checked in one REPEATABLE READ snapshot.
It prints mutations per second, latency p50/p90/p99 per mutation and overall, the answers by
type, HTTP errors, and the snapshot results. It asserts nothing about speed; a broken
invariant or an HTTP error makes the exit code 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from bench.run import BenchError, gateway

PURCHASE = """mutation($input: PurchaseMarketItemInput!) { purchaseMarketItem(input: $input) {
  __typename ... on PurchaseMarketItemSuccess { purchase { id } wallet { coins } }
  ... on DomainError { code } } }"""
REDEEM = """mutation($id: ID!) { redeemPurchase(id: $id) {
  __typename ... on RedeemPurchaseSuccess { purchase { status usesRemaining } }
  ... on DomainError { code } } }"""
REFUND = """mutation($id: ID!, $key: String!) {
  refundPurchase(id: $id, reason: "bench", idempotencyKey: $key) {
  __typename ... on RefundPurchaseSuccess { wallet { coins } } ... on DomainError { code } } }"""
START = """mutation($input: StartFocusSessionInput!) { startFocusSession(input: $input) {
  __typename ... on StartFocusSessionSuccess { session { id } }
  ... on FocusSessionAlreadyRunning { sessionId } ... on DomainError { code } } }"""
COMPLETE = """mutation($id: ID!, $key: String!) {
  completeFocusSession(id: $id, idempotencyKey: $key) {
  __typename ... on CompleteFocusSessionSuccess { wallet { coins } }
  ... on DomainError { code } } }"""
ABANDON = """mutation($id: ID!) { abandonFocusSession(id: $id) {
  __typename ... on DomainError { code } } }"""
START_WORKOUT = """mutation { startWorkoutSession(input: {}) {
  __typename ... on StartWorkoutSessionSuccess { session { id } } ... on DomainError { code } } }"""
LOG_SET = """mutation($input: LogExerciseSetInput!) { logExerciseSet(input: $input) {
  __typename ... on LogExerciseSetSuccess { set { id } personalRecords { recordType } }
  ... on DomainError { code } } }"""
FINISH_WORKOUT = """mutation($id: ID!, $key: String!) {
  finishWorkoutSession(id: $id, idempotencyKey: $key) {
  __typename ... on FinishWorkoutSessionSuccess { wallet { coins } }
  ... on DomainError { code } } }"""
GRANT = """mutation($input: GrantPointsInput!) { grantPoints(input: $input) {
  __typename ... on GrantPointsSuccess { wallet { coins } } ... on DomainError { code } } }"""
LESSON = """mutation($input: CompleteLessonInput!) { completeLesson(input: $input) {
  __typename ... on CompleteLessonSuccess { firstCompletion wallet { coins } }
  ... on DomainError { code } } }"""
DRILL = """mutation($input: RecordDrillAttemptInput!) { recordDrillAttempt(input: $input) {
  __typename ... on RecordDrillAttemptSuccess { stats { totalAttempts } }
  ... on DomainError { code } } }"""
BOOK = """mutation($title: String!) { createBook(input: {title: $title, totalPages: 300}) {
  __typename ... on CreateBookSuccess { book { id } } ... on DomainError { code } } }"""
READ = """mutation($input: LogReadingSessionInput!) { logReadingSession(input: $input) {
  __typename ... on LogReadingSessionSuccess { book { currentPage } wallet { coins } }
  ... on DomainError { code } } }"""
FINISH = """mutation($id: ID!, $key: String!) { finishBook(id: $id, idempotencyKey: $key) {
  __typename ... on FinishBookSuccess { wallet { coins } } ... on DomainError { code } } }"""
PLAN = """mutation($input: SetDailyPlanInput!) { setDailyPlan(input: $input) {
  __typename ... on SetDailyPlanSuccess { plan { id } } ... on DomainError { code } } }"""
TICK = """mutation($input: CompletePlanItemInput!) { completePlanItem(input: $input) {
  __typename ... on DomainError { code } } }"""
UNTICK = """mutation($input: PlanItemRefInput!) { uncompletePlanItem(input: $input) {
  __typename ... on DomainError { code } } }"""
#: The items of a bench user's plan of today.
PLAN_ITEMS = 5

#: Operation -> relative weight of the mix.
MIX = {
    "purchase": 40,
    "redeem": 12,
    "refund": 8,
    "focus": 25,
    "workout": 20,
    "grant": 15,
    "learn": 15,
    "reading": 12,
    "plan": 10,
}
STARTING_COINS = 300


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.economy",
        description="Run a random mix of money mutations for N users against the gateway, "
        "checking the ledger invariants at snapshots; print mutations/s and latency.",
    )
    parser.add_argument("--url", help="A running gateway's base URL (else one is started).")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="Its PostgreSQL (default: env DATABASE_URL; unset: the embedded one in --data-dir).",
    )
    parser.add_argument("--data-dir", type=Path, default=Path(".ignition/bench"))
    parser.add_argument("--users", type=int, default=50, help="Concurrent users (default 50).")
    parser.add_argument("--duration", type=float, default=60, help="Seconds (default 60).")
    parser.add_argument(
        "--snapshot-every", type=float, default=10, help="Seconds between invariant checks."
    )
    parser.add_argument("--seed", type=int, default=7, help="Random seed of the mix.")
    return parser.parse_args(argv)


@dataclass
class Setup:
    """The users, tokens and items of this run."""

    user_ids: list[uuid.UUID]
    tokens: list[str]
    admin_token: str
    items: dict[str, uuid.UUID]
    exercise: uuid.UUID
    lessons: list[uuid.UUID] = field(default_factory=list)
    drills: list[uuid.UUID] = field(default_factory=list)


async def prepare(engine: AsyncEngine, users: int) -> Setup:
    """Create the run's users, tokens, funds and items (one transaction)."""
    from db import metadata
    from db.auth.users import create_user
    from db.auth.viewer import create_session_token
    from db.gamification.ledger import post

    run = uuid.uuid4().hex[:8]
    items = metadata.tables["market_items"]
    async with engine.begin() as conn:
        admin = await create_user(
            conn, email=f"bench-economy-{run}-admin@example.com", name="Bench admin", admin=True
        )
        admin_token = await create_session_token(conn, admin.id, ttl_seconds=6 * 3600)
        user_ids, tokens = [], []
        for n in range(users):
            user = await create_user(
                conn, email=f"bench-economy-{run}-{n}@example.com", name=f"Bench {n}"
            )
            user_ids.append(user.id)
            tokens.append(await create_session_token(conn, user.id, ttl_seconds=6 * 3600))
            await post(
                conn, user.id, event_type="admin_grant", coins=STARTING_COINS, reason="bench"
            )
        specs: dict[str, dict[str, Any]] = {
            "cheap": {"cost_coins": 5, "uses_per_purchase": 3},
            "limited": {"cost_coins": 20, "total_stock": 400, "remaining_stock": 400},
            "permanent": {"cost_coins": 40, "is_consumable": False},
        }
        ids = {}
        for name, values in specs.items():
            ids[name] = (
                await conn.execute(
                    sa.insert(items)
                    .values(
                        key=f"bench_{run}_{name}",
                        name=f"Bench {name}",
                        category="bench",
                        **values,
                    )
                    .returning(items.c.id)
                )
            ).scalar_one()
        lessons = list(
            (await conn.execute(sa.select(metadata.tables["learn_lessons"].c.id))).scalars()
        )
        drills = list(
            (await conn.execute(sa.select(metadata.tables["learn_drills"].c.id))).scalars()
        )
        exercise = (
            await conn.execute(
                sa.select(metadata.tables["exercises"].c.id)
                .where(metadata.tables["exercises"].c.user_id.is_(None))
                .order_by(metadata.tables["exercises"].c.name)
                .limit(1)
            )
        ).scalar_one()
    return Setup(user_ids, tokens, admin_token, ids, exercise, lessons, drills)


@dataclass
class Stats:
    """Latencies (seconds) per mutation, answers by type, HTTP/GraphQL errors."""

    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answers: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


class Player:
    """One user's client: its HTTP connection and what it knows of its own state."""

    def __init__(
        self, url: str, token: str, user_id: uuid.UUID, setup: Setup, rng: random.Random
    ) -> None:
        self.client = httpx.AsyncClient(
            base_url=url, timeout=30, limits=httpx.Limits(max_connections=1)
        )
        self.token = token
        self.user_id = user_id
        self.setup = setup
        self.rng = rng
        self.active: list[str] = []  # purchases with uses left
        self.unused: list[str] = []  # purchases never used (refundable)
        self.session: str | None = None
        self.workout: str | None = None  # the running workout session
        self.workout_sets = 0  # sets still to log in it
        self.last_finish: dict[str, Any] | None = None
        self.last_purchase: dict[str, Any] | None = None
        self.seen: set[str] = set()  # purchases known already (a replay returns an old one)
        self.book: str | None = None  # the book being read
        self.page = 0
        self.ticked: set[str] | None = None  # today's plan items done (None: no plan yet)

    async def call(
        self, stats: Stats, name: str, query: str, variables: dict[str, Any], token: str = ""
    ) -> dict[str, Any] | None:
        started = time.perf_counter()
        try:
            response = await self.client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token or self.token}"},
            )
        except httpx.HTTPError as error:
            stats.errors[f"{name}: {type(error).__name__}"] += 1
            return None
        stats.latency[name].append(time.perf_counter() - started)
        body = response.json() if response.status_code == 200 else {}
        if response.status_code != 200 or body.get("errors"):
            stats.errors[f"{name}: HTTP {response.status_code} {body.get('errors')}"] += 1
            return None
        payload: dict[str, Any] = next(iter(body["data"].values()))
        stats.answers[f"{name}: {payload['__typename']}"] += 1
        return payload

    async def step(self, stats: Stats) -> None:
        kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == "redeem" and self.active:
            pid = self.rng.choice(self.active)
            done = await self.call(stats, "redeemPurchase", REDEEM, {"id": pid})
            if pid in self.unused:
                self.unused.remove(pid)
            if done and (done.get("purchase") or {}).get("status") != "ACTIVE":
                self.active.remove(pid)
        elif kind == "refund" and self.unused:
            pid = self.unused.pop(self.rng.randrange(len(self.unused)))
            if pid in self.active:
                self.active.remove(pid)
            await self.call(stats, "refundPurchase", REFUND, {"id": pid, "key": uuid.uuid4().hex})
        elif kind == "focus":
            await self.focus(stats)
        elif kind == "learn" and self.setup.lessons and self.setup.drills:
            await self.learn(stats)
        elif kind == "reading":
            await self.reading(stats)
        elif kind == "plan":
            await self.plan(stats)
        elif kind == "workout":
            await self.train(stats)
        elif kind == "grant":
            grant = {
                "input": {
                    "userId": str(self.user_id),
                    "coins": self.rng.choice((20, 50, 100)),
                    "reason": "bench top-up",
                    "idempotencyKey": uuid.uuid4().hex,
                }
            }
            await self.call(stats, "grantPoints", GRANT, grant, token=self.setup.admin_token)
        else:
            await self.purchase(stats)

    async def purchase(self, stats: Stats) -> None:
        if self.last_purchase is not None and self.rng.random() < 0.1:
            variables = self.last_purchase  # a client retrying: the same key
        else:
            name = self.rng.choice(("cheap", "cheap", "limited", "permanent"))
            variables = {
                "input": {
                    "itemId": str(self.setup.items[name]),
                    "quantity": self.rng.choice((1, 1, 1, 2)),
                    "idempotencyKey": uuid.uuid4().hex,
                }
            }
        self.last_purchase = variables
        done = await self.call(stats, "purchaseMarketItem", PURCHASE, variables)
        if done and done["__typename"] == "PurchaseMarketItemSuccess":
            pid = done["purchase"]["id"]
            if pid not in self.seen:
                self.seen.add(pid)
                self.unused.append(pid)
                if variables["input"]["itemId"] != str(self.setup.items["permanent"]):
                    self.active.append(pid)

    async def focus(self, stats: Stats) -> None:
        if self.session is None:
            start = {"input": {"mode": "FOCUS", "durationSeconds": 1500}}
            done = await self.call(stats, "startFocusSession", START, start)
            if done:
                self.session = (done.get("session") or {}).get("id") or done.get("sessionId")
            return
        if self.rng.random() < 0.8:
            variables = {"id": self.session, "key": uuid.uuid4().hex}
            await self.call(stats, "completeFocusSession", COMPLETE, variables)
        else:
            await self.call(stats, "abandonFocusSession", ABANDON, {"id": self.session})
        self.session = None

    async def learn(self, stats: Stats) -> None:
        """A lesson completion (the first one of a lesson pays) or, more often, a drill
        round of 10 questions."""
        key = uuid.uuid4().hex
        if self.rng.random() < 0.3:
            lesson = {
                "lessonId": str(self.rng.choice(self.setup.lessons)),
                "quizScore": self.rng.randint(40, 100),
                "idempotencyKey": key,
            }
            await self.call(stats, "completeLesson", LESSON, {"input": lesson})
            return
        correct = self.rng.randint(5, 10)
        round_ = {
            "drillId": str(self.rng.choice(self.setup.drills)),
            "correct": correct,
            "total": 10,
            "durationSeconds": self.rng.randint(30, 120),
            "idempotencyKey": key,
        }
        await self.call(stats, "recordDrillAttempt", DRILL, {"input": round_})

    async def reading(self, stats: Stats) -> None:
        """A sitting of 5-40 pages of the current book (a new one when none); a finished
        reading (the last page or, sometimes, earlier) finishes the book."""
        if self.book is None:
            done = await self.call(stats, "createBook", BOOK, {"title": "Bench book"})
            self.book = ((done or {}).get("book") or {}).get("id")
            self.page = 0
            return
        pages = min(self.rng.randint(5, 40), 300 - self.page)
        if pages == 0 or self.rng.random() < 0.05:
            variables = {"id": self.book, "key": uuid.uuid4().hex}
            await self.call(stats, "finishBook", FINISH, variables)
            self.book = None
            return
        session = {"bookId": self.book, "pagesRead": pages, "idempotencyKey": uuid.uuid4().hex}
        done = await self.call(stats, "logReadingSession", READ, {"input": session})
        if done and done["__typename"] == "LogReadingSessionSuccess":
            self.page = done["book"]["currentPage"]

    async def plan(self, stats: Stats) -> None:
        """Today's plan of :data:`PLAN_ITEMS` items (set once), then ticking an open item or,
        sometimes, unticking a done one."""
        today = time.strftime("%Y-%m-%d", time.gmtime())
        if self.ticked is None:
            items = [{"id": f"b{n}", "title": f"Block {n}"} for n in range(PLAN_ITEMS)]
            plan = {"input": {"date": today, "items": items}}
            if await self.call(stats, "setDailyPlan", PLAN, plan):
                self.ticked = set()
            return
        open_items = [f"b{n}" for n in range(PLAN_ITEMS) if f"b{n}" not in self.ticked]
        if open_items and (not self.ticked or self.rng.random() < 0.8):
            item = self.rng.choice(open_items)
            tick = {"date": today, "itemId": item, "idempotencyKey": uuid.uuid4().hex}
            await self.call(stats, "completePlanItem", TICK, {"input": tick})
            self.ticked.add(item)
        else:
            item = self.rng.choice(sorted(self.ticked))
            await self.call(
                stats, "uncompletePlanItem", UNTICK, {"input": {"date": today, "itemId": item}}
            )
            self.ticked.discard(item)

    async def train(self, stats: Stats) -> None:
        """One step of a workout: start a free session, log one of its one to three sets
        (heavier each time: personal records), or finish it (a retry replays the last key)."""
        if self.last_finish is not None and self.rng.random() < 0.1:
            await self.call(stats, "finishWorkoutSession", FINISH_WORKOUT, self.last_finish)
            self.last_finish = None
            return
        if self.workout is None:
            done = await self.call(stats, "startWorkoutSession", START_WORKOUT, {})
            if done and done["__typename"] == "StartWorkoutSessionSuccess":
                self.workout = done["session"]["id"]
                self.workout_sets = self.rng.randint(1, 3)
            return
        if self.workout_sets > 0:
            logged = {
                "sessionId": self.workout,
                "exerciseId": str(self.setup.exercise),
                "reps": self.rng.randint(3, 12),
                "weight": self.rng.choice((40.0, 60.0, 80.0, 100.0)),
            }
            await self.call(stats, "logExerciseSet", LOG_SET, {"input": logged})
            self.workout_sets -= 1
            return
        self.last_finish = {"id": self.workout, "key": uuid.uuid4().hex}
        await self.call(stats, "finishWorkoutSession", FINISH_WORKOUT, self.last_finish)
        self.workout = None


STOCK_CHECK = """
SELECT i.total_stock - i.remaining_stock
       - coalesce((SELECT sum(p.quantity) FROM user_purchases p
                   WHERE p.item_id = i.id AND p.status <> 'refunded'), 0)
FROM market_items i WHERE i.id = :item
"""


async def check(engine: AsyncEngine, setup: Setup) -> list[str]:
    """The invariants, in one REPEATABLE READ snapshot taken while the mix runs."""
    from db.gamification.invariants import invariant_violations

    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            problems = await invariant_violations(conn, setup.user_ids)
            drift = (
                await conn.execute(sa.text(STOCK_CHECK), {"item": setup.items["limited"]})
            ).scalar_one()
            if drift != 0:
                problems.append(f"limited item: stock off by {drift}")
    return problems


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of the server process so far (None: not started here)."""
    if pid is None:
        return None
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def measure(
    args: argparse.Namespace, base_url: str, engine: AsyncEngine, server_pid: int | None
) -> int:
    setup = await prepare(engine, args.users)
    rng = random.Random(args.seed)
    players = [
        Player(base_url, token, user_id, setup, random.Random(rng.random()))
        for user_id, token in zip(setup.user_ids, setup.tokens, strict=True)
    ]
    stats = Stats()
    deadline = time.perf_counter() + args.duration
    snapshots: list[tuple[float, int, list[str]]] = []

    async def play(player: Player) -> None:
        while time.perf_counter() < deadline:
            await player.step(stats)

    async def watch(started: float) -> None:
        while time.perf_counter() + args.snapshot_every < deadline:
            await asyncio.sleep(args.snapshot_every)
            done = sum(len(v) for v in stats.latency.values())
            snapshots.append((time.perf_counter() - started, done, await check(engine, setup)))

    cpu_before = _cpu_seconds(server_pid)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    try:
        await asyncio.gather(*(play(p) for p in players), watch(started))
    finally:
        for player in players:
            await player.client.aclose()
    elapsed = time.perf_counter() - started
    cpu_after = _cpu_seconds(server_pid)
    load_after = os.getloadavg()[0]
    final = await check(engine, setup)
    snapshots.append((elapsed, sum(len(v) for v in stats.latency.values()), final))

    everything = [x for values in stats.latency.values() for x in values]
    print(f"\n{args.users} users, {elapsed:.1f} s, {len(everything)} mutations answered")
    print(f"throughput: {len(everything) / elapsed:.0f} mutations/s")
    if cpu_before is not None and cpu_after is not None and everything:
        print(
            f"server process CPU: {(cpu_after - cpu_before) / len(everything) * 1000:.1f} ms "
            f"per mutation ({(cpu_after - cpu_before) / elapsed * 100:.0f} % of one core)"
        )
    print(
        f"machine: {os.cpu_count()} cores, load average {load_before:.1f} before, "
        f"{load_after:.1f} after (other processes compete for the CPU)"
    )
    print(f"{'mutation':<24}{'count':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}")
    for name, values in [*sorted(stats.latency.items()), ("all", everything)]:
        print(
            f"{name:<24}{len(values):>8}{percentile(values, 0.5) * 1000:>9.1f}"
            f"{percentile(values, 0.9) * 1000:>9.1f}{percentile(values, 0.99) * 1000:>9.1f}"
        )
    print("answers:")
    for answer, count in sorted(stats.answers.items()):
        print(f"  {answer:<56}{count:>7}")
    print(f"errors: {sum(stats.errors.values())}")
    for error, count in stats.errors.most_common(10):
        print(f"  {count} x {error[:200]}")
    broken = 0
    for at, done, problems in snapshots:
        state = "ok" if not problems else f"BROKEN: {problems[:5]}"
        broken += bool(problems)
        print(f"snapshot at {at:5.1f} s after {done:6d} mutations: invariants {state}")
    return 1 if broken or stats.errors else 0


async def amain(args: argparse.Namespace) -> int:
    from gateway.database import create_engine
    from gateway.embedded import database_url
    from gateway.settings import Settings

    ns = argparse.Namespace(url=args.url, database_url=args.database_url, data_dir=args.data_dir)
    settings = Settings(database_url=args.database_url, data_dir=args.data_dir)
    with gateway(ns) as server:
        async with database_url(settings) as url:
            engine = create_engine(url, poolclass=NullPool, statement_timeout_ms=0)
            try:
                pid = server.process.pid if server.process is not None else None
                return await measure(args, server.url, engine, pid)
            finally:
                await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(amain(args))
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
