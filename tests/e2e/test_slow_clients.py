"""Slow and silent clients, through the real server: while 1,000 sockets
hold a connection without completing a request's head (half send nothing, half a request line
and one header), a normal client is answered at once; and every one of those sockets is
closed (408) once ``IGNITION_HTTP_HEADER_TIMEOUT_S`` has passed. A head larger than
``IGNITION_HTTP_MAX_HEADER_BYTES`` is refused at once (431)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.live import Gateway

pytestmark = pytest.mark.e2e

SLOW_SOCKETS = 1000
HEADER_TIMEOUT_S = 4.0


async def _slow_socket(
    port: int, silent: bool
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    if not silent:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: slow\r\n")  # no blank line: never ends
        await writer.drain()
    return reader, writer


async def _closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """What the server sent before closing (its 408), read until EOF."""
    return await reader.read()


async def test_a_normal_client_is_answered_beside_a_thousand_slow_sockets(
    live_database: str, log_dir: Path
) -> None:
    gateway = await Gateway(
        live_database, log_dir, env={"IGNITION_HTTP_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S)}
    ).astart()
    sockets: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        started = time.perf_counter()
        for batch in range(0, SLOW_SOCKETS, 100):
            sockets += await asyncio.gather(
                *(_slow_socket(gateway.port, n % 2 == 0) for n in range(batch, batch + 100))
            )
        opened = time.perf_counter() - started
        base = f"http://127.0.0.1:{gateway.port}"
        async with httpx.AsyncClient(timeout=10) as client:
            waits = []
            for _ in range(5):
                asked = time.perf_counter()
                health = await client.get(f"{base}/healthz")
                answer = await client.post(gateway.http, json={"query": "{ __typename }"})
                waits.append(time.perf_counter() - asked)
                assert health.status_code == 200
                assert answer.json()["data"] == {"__typename": "Query"}
        assert max(waits) < 1.0, waits
        # A head past IGNITION_HTTP_MAX_HEADER_BYTES (64 KB) is refused at once (431).
        big_reader, big_writer = await asyncio.open_connection("127.0.0.1", gateway.port)
        big_writer.write(b"GET /healthz HTTP/1.1\r\nX-Filler: " + b"a" * 100_000)
        async with asyncio.timeout(HEADER_TIMEOUT_S / 2):
            refused = await big_reader.read()
        assert refused.startswith(b"HTTP/1.1 431 "), refused[:100]
        big_writer.transport.abort()
        # Every slow socket is closed by the server once its head's deadline has passed.
        async with asyncio.timeout(HEADER_TIMEOUT_S + 10):
            answers = await asyncio.gather(*(_closed_by_server(r) for r, _ in sockets))
        closed = time.perf_counter() - started
        assert all(a.startswith(b"HTTP/1.1 408 Request Timeout") for a in answers), answers[:3]
        print(
            f"{SLOW_SOCKETS} slow sockets opened in {opened:.2f} s; normal client answered in "
            f"{max(waits) * 1000:.0f} ms at worst; all slow sockets closed (408) "
            f"{closed:.1f} s after the first opened (deadline {HEADER_TIMEOUT_S:g} s)"
        )
    finally:
        for _, writer in sockets:
            writer.transport.abort()
        await gateway.astop()
