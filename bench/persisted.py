"""Persisted queries against raw documents: the same signed-out catalog reads sent as their
text (``POST {"query"}``) and as Apollo's automatic persisted queries (the hash alone, by
``POST`` and by ``GET``), on one gateway.

```sh
DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ignition_bench python -m bench.persisted
python -m bench.persisted --duration 3 --clients 10 --general
python -m bench.persisted --help
```

It starts ``ignition serve`` (:func:`bench.run.gateway`: the database is migrated and the
catalogs seeded at startup), registers each document once, then for each document and each
way of sending it in turn lets ``--clients`` asyncio clients (one keep-alive httpx connection
each) send it back to back for ``--duration`` seconds after a warm-up, and prints requests per
second (the median of ``--rounds`` interleaved rounds), the bytes of a request body (or URL)
and the ratio to the raw ``POST``, and the gateway process's CPU time per request (read
from the operating system; the machine's other load disturbs it far less than the rate).
``--general`` serves everything through the general Strawberry path
(``IGNITION_COMPILED_READS=false``); without it, the compiled path answers these reads.
The figures are printed, never asserted; the load generator shares the machine with the
server.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import orjson
import psutil

from bench import run as bench_run

#: name -> document: a short read (90 characters), and a screen-sized one (about 800).
DOCUMENTS: dict[str, str] = {
    "small": "query Exercises { exercises(first: 10) { totalCount edges { node { id name } } } }",
    "screen": """query CatalogScreen {
  exercises(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name description category equipment isCustom isBuiltin
      level force mechanic sourceId } }
  }
  marketItems(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id key name description category costCoins icon imageUrl isGlobal
      isAvailable isActive isConsumable } }
  }
  learnTopics(first: 20) {
    totalCount
    edges { node { id key name description category icon sortOrder createdAt } }
  }
  again: exercises(first: 5, filter: {search: "press"}) {
    edges { node { ...ExerciseCard } }
  }
}
fragment ExerciseCard on Exercise { id name category equipment level force mechanic }
""",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.persisted",
        description="Requests/s of persisted queries (hash only) against raw documents.",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="Seconds per case (5).")
    parser.add_argument("--warmup", type=float, default=1.0, help="Warm-up seconds (1).")
    parser.add_argument("--clients", type=int, default=10, help="Concurrent clients (10).")
    parser.add_argument("--rounds", type=int, default=3, help="Interleaved rounds (3).")
    parser.add_argument(
        "--general",
        action="store_true",
        help="Serve through the general path (IGNITION_COMPILED_READS=false).",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="PostgreSQL server (default: env DATABASE_URL; unset: embedded, see bench.run).",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(".ignition/bench"), help="Embedded PostgreSQL."
    )
    args = parser.parse_args(argv)
    args.url = None
    return args


Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def _cases(url: str, document: str) -> dict[str, tuple[Send, int]]:
    """Way of sending -> (the request, its size in bytes: body for POST, URL for GET)."""
    sha = hashlib.sha256(document.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    raw = orjson.dumps({"query": document})
    hashed = orjson.dumps({"extensions": extensions})
    params = {"extensions": orjson.dumps(extensions).decode()}
    get_url = str(httpx.URL(url, params=params))
    json_type = {"content-type": "application/json"}
    return {
        "raw POST": (lambda c: c.post(url, content=raw, headers=json_type), len(raw)),
        "persisted POST": (lambda c: c.post(url, content=hashed, headers=json_type), len(hashed)),
        "persisted GET": (lambda c: c.get(url, params=params), len(get_url)),
    }


async def _measure(
    send: Send, clients: int, warmup: float, duration: float, cpu: Callable[[], float]
) -> tuple[float, float]:
    """Requests per second of ``clients`` clients sending back to back (after ``warmup``),
    and the gateway's CPU milliseconds per request (``cpu``: its CPU seconds so far), which
    the machine's other load disturbs far less than the rate."""
    count = 0
    measuring = False

    async def client() -> None:
        nonlocal count
        async with httpx.AsyncClient(timeout=30) as http:
            while True:
                response = await send(http)
                if response.status_code != 200 or b'"errors"' in response.content:
                    raise bench_run.BenchError(f"unexpected answer: {response.text[:300]}")
                if measuring:
                    count += 1

    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    try:
        await asyncio.sleep(warmup)
        measuring = True
        started, cpu_started = time.perf_counter(), cpu()
        await asyncio.sleep(duration)
        measuring = False
        elapsed, cpu_used = time.perf_counter() - started, cpu() - cpu_started
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    return count / elapsed, 1000 * cpu_used / max(count, 1)


async def benchmark(
    args: argparse.Namespace, url: str, cpu: Callable[[], float]
) -> list[dict[str, Any]]:
    """The figures of every document and way of sending: the median over ``--rounds`` rounds,
    the cases interleaved within a round (so that the machine's load drifts over all alike)."""
    async with httpx.AsyncClient(timeout=30) as http:
        for document in DOCUMENTS.values():  # register (and check) every document once
            sha = hashlib.sha256(document.encode()).hexdigest()
            extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
            body = {"query": document, "extensions": extensions}
            answer = (await http.post(url, json=body)).json()
            if "errors" in answer:
                raise bench_run.BenchError(f"registration failed: {answer['errors']}")
    cases = {name: _cases(url, document) for name, document in DOCUMENTS.items()}
    rates: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for name, by_case in cases.items():
            for case, (send, _size) in by_case.items():
                rate, ms = await _measure(send, args.clients, args.warmup, args.duration, cpu)
                rates.setdefault((name, case), []).append(rate)
                cpus.setdefault((name, case), []).append(ms)
    results: list[dict[str, Any]] = []
    for name, by_case in cases.items():
        baseline = statistics.median(rates[(name, "raw POST")])
        for case, (_send, size) in by_case.items():
            rate = statistics.median(rates[(name, case)])
            ms = statistics.median(cpus[(name, case)])
            ratio = rate / baseline
            results.append(
                {
                    "document": name,
                    "case": case,
                    "rps": rate,
                    "cpu_ms": ms,
                    "bytes": size,
                    "ratio": ratio,
                }
            )
            print(
                f"{name:8} {case:16} {rate:9.1f} req/s  {ms:6.2f} ms gateway CPU/request  "
                f"{size:5} B/request  "
                f"x{ratio:.2f} of raw POST",
                flush=True,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    extra = {"IGNITION_COMPILED_READS": "false"} if args.general else {}
    path = "general" if args.general else "compiled"
    print(
        f"path: {path}; {args.clients} clients, {args.duration:g} s per case, "
        f"median of {args.rounds} interleaved rounds, 1 gateway process"
    )
    with (
        mock.patch.dict(os.environ, extra),
        bench_run.gateway(args) as server,
    ):
        assert server.process is not None
        process = psutil.Process(server.process.pid)

        def cpu() -> float:
            times = process.cpu_times()
            return float(times.user + times.system)

        asyncio.run(benchmark(args, f"{server.url}/graphql", cpu))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
