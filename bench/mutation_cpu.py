"""The gateway's CPU per mutation, measured in process: ``--calls`` sequential calls of each
mutation of :mod:`bench.mutations` through the gateway's ASGI app, timed with
:func:`time.process_time` (CPU of this process, so a loaded machine slows it down but barely
changes the figure). Prints figures, asserts nothing.

Run from the repository root (the database must exist; it is migrated, not seeded)::

    createdb -h 127.0.0.1 -U postgres ignition_bench
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ignition_bench python -m bench.mutation_cpu
    python -m bench.mutation_cpu --calls 500 --profile completeHabit

The users, the item and the habits are those of :func:`bench.mutations.prepare` (one user
makes every call); each mutation first runs ``--warmup`` times (statement caches, asyncpg's
type introspection). The figure covers the whole request as the app serves it (sign-in,
transaction, payload) plus the in-process HTTP client (``httpx.ASGITransport``), not the
untimed set-up of each call (the focus session a ``completeFocusSession`` completes).
``--profile NAME`` prints a cProfile of the measured calls of one mutation.

Figures: see bench/README.md ("python -m bench.mutation_cpu").
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import time
from typing import Any

import httpx

from bench import mutations as bench


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation_cpu", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="PostgreSQL database (default: env DATABASE_URL; required).",
    )
    parser.add_argument("--calls", type=int, default=200, help="Measured calls each (200).")
    parser.add_argument("--warmup", type=int, default=20, help="Unmeasured calls first (20).")
    parser.add_argument(
        "--mutations", default=",".join(bench.DOCUMENTS), help="Comma-separated (all three)."
    )
    parser.add_argument("--profile", default=None, help="Print a cProfile of this mutation.")
    return parser.parse_args(argv)


async def measure(args: argparse.Namespace) -> dict[str, float]:
    """Mutation name -> CPU milliseconds per call of this process."""
    from gateway.app import create_app
    from gateway.bootstrap import prepare_database
    from gateway.settings import Settings

    url = args.database_url
    names = args.mutations.split(",")
    await prepare_database(url)
    setup = await bench.prepare(url, 1, args.calls + args.warmup + 1)
    app = create_app(Settings(database_url=url, seed_on_start=False, log_level="warning"))
    account = setup.capture
    figures: dict[str, float] = {}
    async with (
        app.router.lifespan_context(app) as _,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cpu") as client,
        app.state.engine.connect() as sa_conn,
    ):
        helper: Any = (await sa_conn.get_raw_connection()).driver_connection

        async def one(name: str) -> float:
            call = await bench.next_call(name, account, setup, helper)
            started = time.process_time()
            response = await client.post(
                "/graphql",
                json={"query": bench.DOCUMENTS[name], "variables": bench.variables(name, call)},
                headers={"Authorization": f"Bearer {account.token}"},
            )
            spent = time.process_time() - started
            if "Success" not in response.text:
                raise SystemExit(f"{name} failed: {response.text}")
            return spent

        for name in names:
            for _ in range(args.warmup):
                await one(name)
            profile = cProfile.Profile() if args.profile == name else None
            if profile is not None:
                profile.enable()
            total = 0.0
            for _ in range(args.calls):
                total += await one(name)
            if profile is not None:
                profile.disable()
                pstats.Stats(profile).sort_stats("tottime").print_stats(40)
            figures[name] = 1000 * total / args.calls
            print(f"{name:22s} {figures[name]:7.2f} ms CPU/call ({args.calls} calls)", flush=True)
    return figures


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not args.database_url:
        raise SystemExit("Set DATABASE_URL or --database-url (an existing database).")
    asyncio.run(measure(args))


if __name__ == "__main__":
    main()
