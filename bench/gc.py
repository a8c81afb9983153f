"""Garbage-collector settings for this workload: the same queries against gateways that
differ only in ``IGNITION_GC_THRESHOLD``, interleaved, on one database.

```sh
DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ignition_bench python -m bench.gc
python -m bench.gc --thresholds "700,10,10;default" --general --rounds 2
python -m bench.gc --help
```

For each round and each setting in turn it runs :mod:`bench.run` (which starts ``ignition
serve`` with the setting in its environment, loads the demo data once, signs in ``--clients``
demo users and measures each of ``--queries`` for ``--duration`` seconds), then prints per
query and setting the median over the rounds of requests per second, p50/p99 latency and the
gateway's CPU per request, and the ratio to the first setting. ``--general`` measures the
general Strawberry + DataLoader path (``IGNITION_COMPILED_READS=false``), where the collector
has most to do; without it, the compiled path. ``700,10,10`` is Python's own setting,
``default`` the gateway's (``IGNITION_GC_THRESHOLD`` unset), and ``0,0,0`` turns automatic
collection off: a reference for what the collector costs, not a setting to run with (memory
grows).

The figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
from rich.console import Console
from rich.table import Table

from bench import run as bench_run

console = Console()

DEFAULT_THRESHOLDS = "700,10,10;10000,10,10;50000,20,20;0,0,0"
DEFAULT_QUERIES = "habits,dashboard,workouts,exercise-search"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.gc",
        description="Compare garbage-collector thresholds of the gateway on the same queries.",
    )
    parser.add_argument(
        "--thresholds",
        default=DEFAULT_THRESHOLDS,
        help="Settings separated by ';': 'default' (the gateway's IGNITION_GC_THRESHOLD) or "
        "three numbers for gc.set_threshold (700,10,10 is Python's own; default: "
        f"{DEFAULT_THRESHOLDS!r}).",
    )
    parser.add_argument(
        "--queries", default=DEFAULT_QUERIES, help=f"bench.run queries ({DEFAULT_QUERIES})."
    )
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved rounds (default 2).")
    parser.add_argument("--duration", type=float, default=8.0, help="Seconds per query (8).")
    parser.add_argument("--clients", type=int, default=20, help="Concurrent clients (20).")
    parser.add_argument(
        "--general",
        action="store_true",
        help="Measure the general path (IGNITION_COMPILED_READS=false).",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="PostgreSQL server (default: env DATABASE_URL; unset: embedded, see bench.run).",
    )
    parser.add_argument("--json", type=Path, default=None, help="Also save the figures here.")
    args = parser.parse_args(argv)
    args.settings = []
    for item in args.thresholds.split(";"):
        item = item.strip()
        if not item:
            continue
        if item == "default":
            args.settings.append(("default", None))
            continue
        numbers = [int(n) for n in item.split(",")]
        if len(numbers) != 3 or any(n < 0 for n in numbers):
            parser.error(f"--thresholds: {item!r} is not three numbers >= 0")
        args.settings.append((item, numbers))
    if not args.settings:
        parser.error("--thresholds names no setting")
    return args


@contextlib.contextmanager
def _environment(values: dict[str, str | None]) -> Iterator[None]:
    """Set (or unset, for None) environment variables for the servers bench.run starts; the
    whole environment is restored afterwards."""
    with mock.patch.dict(os.environ):
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield


def measure(args: argparse.Namespace, numbers: list[int] | None, out: Path) -> dict[str, Any]:
    """One bench.run of the queries with this threshold; returns its JSON figures.

    Raises:
        bench.run.BenchError: the run failed (its output is shown).
    """
    env = {
        "IGNITION_GC_THRESHOLD": None if numbers is None else orjson.dumps(numbers).decode(),
        "IGNITION_COMPILED_READS": "false" if args.general else "true",
    }
    argv = [
        "--queries",
        args.queries,
        "--duration",
        str(args.duration),
        "--clients",
        str(args.clients),
        "--wait-quiet",
        "0",
        "--json",
        str(out),
    ]
    if args.database_url:
        argv += ["--database-url", args.database_url]
    captured = io.StringIO()
    with _environment(env), contextlib.redirect_stdout(captured):
        saved = bench_run.console.file
        bench_run.console.file = captured
        try:
            status = bench_run.main(argv)
        finally:
            bench_run.console.file = saved
    if status != 0:
        console.print(captured.getvalue())
        raise bench_run.BenchError(f"bench.run failed with status {status}")
    figures: dict[str, Any] = orjson.loads(out.read_bytes())
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scratch = Path(".ignition/bench-gc")
    scratch.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in args.settings}
    path = "general" if args.general else "compiled"
    console.print(
        f"{len(args.settings)} settings x {args.rounds} rounds, {path} path, "
        f"queries {args.queries}, {args.duration:g} s each, {args.clients} clients"
    )
    try:
        for round_ in range(args.rounds):
            for name, numbers in args.settings:
                console.print(f"  round {round_ + 1}: threshold {name}...", highlight=False)
                out = scratch / f"{name.replace(',', '_')}-{round_}.json"
                runs[name].append(measure(args, numbers, out))
    except bench_run.BenchError as exc:
        console.print(f"[red]error:[/] {exc}")
        return 1
    report(args, runs)
    if args.json is not None:
        args.json.write_bytes(orjson.dumps(runs, option=orjson.OPT_INDENT_2))
    return 0


def report(args: argparse.Namespace, runs: dict[str, list[dict[str, Any]]]) -> None:
    """The table: per query and setting, medians over the rounds and the ratio to the first."""
    table = Table(title="Garbage-collector thresholds (medians over rounds)")
    for column in ("query", "threshold", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "ratio"):
        table.add_column(column, justify="left" if column in ("query", "threshold") else "right")
    baseline_name = args.settings[0][0]
    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    for query in queries:
        baseline = None
        for name, _ in args.settings:
            figures = [next(f for f in run["queries"] if f["name"] == query) for run in runs[name]]
            rps = statistics.median(f["requests_per_second"] for f in figures)
            p50 = statistics.median(f["latency_ms"]["p50"] for f in figures)
            p99 = statistics.median(f["latency_ms"]["p99"] for f in figures)
            cpus = [f["cpu_ms_per_request"]["gateway"] for f in figures]
            cpu = statistics.median(c for c in cpus if c is not None) if any(cpus) else None
            if name == baseline_name:
                baseline = rps
            ratio = rps / baseline if baseline else float("nan")
            table.add_row(
                query,
                name,
                f"{rps:.1f}",
                f"{p50:.1f}",
                f"{p99:.1f}",
                "-" if cpu is None else f"{cpu:.2f}",
                f"{ratio:.2f}",
            )
        table.add_section()
    console.print(table)
    load = os.getloadavg()
    console.print(f"(load average after the run: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f})")


if __name__ == "__main__":
    sys.exit(main())
