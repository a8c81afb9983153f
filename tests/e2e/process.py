"""The real server process for end-to-end tests: ``ignition serve`` on a database URL, with
extra settings from the environment, stopped (and checked to stop cleanly) afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

IGNITION = [sys.executable, "-m", "gateway.cli"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gateway_process(database_url: str, log_path: Path, **settings: str) -> Iterator[str]:
    """Run ``ignition serve`` on ``database_url`` until the block ends; yields its base URL.

    Args:
        database_url: the database (migrated and seeded by the server at startup).
        log_path: where the server's output goes (shown when it fails to start).
        settings: extra environment variables, e.g. ``IGNITION_DB_POOL_SIZE="5"``.
    """
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, **settings}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*IGNITION, "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        try:
            while True:
                assert process.poll() is None, log_path.read_text()
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                assert time.perf_counter() - started < 120, "the gateway did not become ready"
                time.sleep(0.2)
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
