"""Subscribers that stop: clients with nested fields leaving while
events flow leave no "Future exception was never retrieved" / ``ReaderClosedError`` in the
log, and a subscription the client stopped after its events is logged and counted as ``ok``
under its operation name."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e.live import Gateway, Subscriber, User, grant_many, new_user, prime

pytestmark = pytest.mark.e2e

NESTED = """subscription WalletNested($after: String) {
  walletChanged(after: $after) {
    cursor coins balance
    wallet { coins totalEarned user { name progress { totalXp currentLevel } } }
  }
}"""


async def test_stopped_subscribers_leave_a_clean_log(
    live_database: str, live_engine: AsyncEngine, admin: User, log_dir: Path
) -> None:
    gateway = await Gateway(live_database, log_dir).astart()
    try:
        users = [await new_user(live_engine) for _ in range(5)]
        subscribers = [
            Subscriber(gateway.ws, user, document=NESTED).start()
            for user in users
            for _ in range(4)
        ]
        await prime(subscribers, live_engine, admin)
        grants = asyncio.create_task(
            grant_many(live_engine, admin, users, list(range(2, 302)), concurrency=4)
        )
        await asyncio.sleep(0.5)
        for subscriber in subscribers:  # leave while events are being delivered
            await subscriber.stop()
        await grants
        await asyncio.sleep(1)
    finally:
        await gateway.astop()
    log = gateway.log_path.read_text()
    assert "never retrieved" not in log, log[-5000:]
    assert "ReaderClosedError" not in log, log[-5000:]
    assert "Traceback" not in log, log[-5000:]
    lines = [line for line in log.splitlines() if "operation_type=subscription" in line]
    assert len(lines) == len(subscribers), lines
    for line in lines:
        assert "outcome=ok" in line and "operation_name=WalletNested" in line, line
