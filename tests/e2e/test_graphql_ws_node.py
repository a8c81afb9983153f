"""The npm ``graphql-ws`` client (what browsers and Node apps use) against the real server:
signed in through ``connectionParams``, it receives the wallet events another client produces
over HTTP; a bad token is refused with 4403. Skipped when node/npm are missing or the package
cannot be installed (it is installed once into a cache directory)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e.live import Gateway, User, grant_over_http, new_user, prime, until

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).parent / "node" / "subscribe.js"
PACKAGES = ("graphql-ws@5.16.2", "ws@8.18.0", "graphql@16.9.0")


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """A directory with the pinned packages installed (cached across runs)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the graphql-ws client test")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    prefix = cache / "ignition-tests" / "-".join(p.replace("@", "") for p in PACKAGES)
    if not (prefix / "node_modules" / "graphql-ws").is_dir():
        prefix.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", *PACKAGES],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"npm could not install {PACKAGES}: {result.stderr[-300:]}")
    return prefix / "node_modules"


class NodeSubscriber:
    """``node subscribe.js`` as a subprocess; its printed messages collected."""

    def __init__(self, node_modules: Path, url: str, user: User | None, token: str) -> None:
        self.node_modules, self.url, self.user, self.token = node_modules, url, user, token
        self.messages: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.process: asyncio.subprocess.Process | None = None
        self.reader: asyncio.Task[None] | None = None

    async def start(self) -> NodeSubscriber:
        self.process = await asyncio.create_subprocess_exec(
            "node",
            str(SCRIPT),
            self.url,
            self.token,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "NODE_PATH": str(self.node_modules)},
        )
        self.reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            message = orjson.loads(line)
            self.messages.append(message)
            if "event" in message:
                self.events.append(message["event"])

    async def wait_for(self, predicate: Any, within_s: float = 30) -> None:
        await until(lambda: predicate(self), within_s)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self.reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader


async def test_the_graphql_ws_npm_client_receives_the_viewers_events(
    node_modules: Path, gateway: Gateway, live_engine: AsyncEngine, admin: User
) -> None:
    user, other = await new_user(live_engine), await new_user(live_engine)
    subscriber = await NodeSubscriber(node_modules, gateway.ws, user, user.token).start()
    try:
        await prime([subscriber], live_engine, admin)  # type: ignore[list-item]
        async with httpx.AsyncClient(timeout=10) as client:
            for coins in (2, 3, 4):
                await grant_over_http(client, gateway.http, admin, user, coins)
            await grant_over_http(client, gateway.http, admin, other, 5)
        await subscriber.wait_for(lambda s: len(s.events) >= 3)
        await asyncio.sleep(0.3)
    finally:
        await subscriber.stop()
    assert [e["coins"] for e in subscriber.events] == [2, 3, 4]
    assert subscriber.events[-1]["wallet"]["coins"] >= subscriber.events[-1]["balance"]
    assert len({e["cursor"] for e in subscriber.events}) == 3


async def test_the_graphql_ws_npm_client_is_refused_with_4403_for_a_bad_token(
    node_modules: Path, gateway: Gateway
) -> None:
    subscriber = await NodeSubscriber(node_modules, gateway.ws, None, "not-a-token").start()
    try:
        await subscriber.wait_for(lambda s: any("closed" in m for m in s.messages))
    finally:
        await subscriber.stop()
    assert {"closed": 4403} in subscriber.messages
    assert subscriber.events == []
