"""Factories of the market and focus tests: funding a wallet through the ledger, market items
with the stock, price and availability a test needs, and time travel for focus sessions."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import metadata
from db.gamification.ledger import post


async def fund(engine: AsyncEngine, user_id: uuid.UUID, coins: int) -> None:
    """Give ``user_id`` ``coins`` through the ledger (a committed ``admin_grant`` row)."""
    async with engine.begin() as conn:
        await post(conn, user_id, event_type="admin_grant", coins=coins, reason="test funds")


async def make_item(engine: AsyncEngine, **values: Any) -> uuid.UUID:
    """A committed market item (a unique key; 10 coins, consumable, unlimited stock unless
    ``values`` say otherwise; ``stock=N`` sets ``total_stock`` and ``remaining_stock``)."""
    stock = values.pop("stock", None)
    row = {
        "key": f"test_item_{uuid.uuid4().hex[:10]}",
        "name": "Test treat",
        "category": "test",
        "cost_coins": 10,
        "total_stock": stock,
        "remaining_stock": stock,
        **values,
    }
    items = metadata.tables["market_items"]
    async with engine.begin() as conn:
        item_id = (
            await conn.execute(sa.insert(items).values(**row).returning(items.c.id))
        ).scalar_one()
    return uuid.UUID(str(item_id))


async def scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    """One value of a query (committed state)."""
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(sql), params)).scalar_one()


async def execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    """Run one statement and commit (test set-up: time travel)."""
    async with engine.begin() as conn:
        await conn.execute(sa.text(sql), params)
