"""Market catalog: the rewards producers buy with the coins they earn.

Sources: Ignition specification, "Part 7: Seed Data Requirements"
("market_items: initial shop items"); Ignition specification, "Seed Data Summary" (6 items) and
"Section 5: Market Tables"; columns: the union (docs/design.md#conflict-resolutions) of
Ignition specification, "Migration 0007: Market Substrate (Initial)" and
"Migration 0017: Market Extended" (stock: ``is_consumable``, ``uses_per_purchase``, ``total_stock``,
``remaining_stock``; availability: ``rarity``, ``available_from``, ``available_until``).

Data: ``seeds/data/market/items.json`` (validated on import, :mod:`seeds.load`). Shape of
``ITEMS`` (natural key ``key``): ``{key, name, description, category, cost_coins, icon,
rarity, is_consumable, uses_per_purchase, total_stock}`` plus optional ``image_url``,
``available_from``/``available_until`` (None = always). Every item is global, available and
active; ``total_stock`` None means unlimited; ``rarity`` is an ``ItemRarity`` value
(``db/market/models.py``); ``category`` is free text: ``break``, ``treat``, ``gear``,
``utility``, ``experience``.

``remaining_stock`` is live state that purchases decrement, so it is written only when an item is
first inserted (``remaining_stock = total_stock``) and never reset by a later seed run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncConnection

from db.market.models import ItemRarity
from seeds.load import Entry, as_dicts, load_entries
from seeds.upsert import upsert

# --------------------------------------------------------------------------------------------
# Data: seeds/data/market/items.json
# --------------------------------------------------------------------------------------------


class Item(Entry):
    """One market item (natural key ``key``); ``total_stock`` null means unlimited."""

    key: str
    name: str
    description: str
    category: str
    cost_coins: int = Field(ge=0)
    icon: str
    rarity: ItemRarity = Field(strict=False)
    is_consumable: bool
    uses_per_purchase: int | None = Field(ge=1)
    total_stock: int | None = Field(ge=0)
    image_url: str | None = None
    available_from: datetime | None = Field(default=None, strict=False)
    available_until: datetime | None = Field(default=None, strict=False)


ITEMS: tuple[dict[str, Any], ...] = as_dicts(load_entries("market/items.json", Item, key="key"))

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


def item_rows() -> list[dict[str, Any]]:
    """The seeded ``market_items`` columns (without ``remaining_stock``)."""
    return [
        {
            "key": item["key"],
            "name": item["name"],
            "description": item["description"],
            "category": item["category"],
            "cost_coins": item["cost_coins"],
            "icon": item["icon"],
            "image_url": item.get("image_url"),
            "is_global": True,
            "is_available": True,
            "is_active": True,
            "is_consumable": item["is_consumable"],
            "uses_per_purchase": item["uses_per_purchase"],
            "total_stock": item["total_stock"],
            "rarity": ItemRarity(item["rarity"]).value,
            "available_from": item.get("available_from"),
            "available_until": item.get("available_until"),
            "sort_order": (i + 1) * 10,
        }
        for i, item in enumerate(ITEMS)
    ]


async def seed(conn: AsyncConnection) -> int:
    """Insert the missing items, with full stock; existing items (edited by admins, stock
    sold) are left as they are (see :mod:`seeds.upsert`)."""
    rows = [{**row, "remaining_stock": row["total_stock"]} for row in item_rows()]
    return await upsert(conn, "market_items", rows, key=["key"])


COUNTS: dict[str, int] = {"market_items": len(ITEMS)}
