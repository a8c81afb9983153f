"""Market catalog: the rewards producers buy with the coins they earn.

Sources: spec/000 Part 7 ("market_items: initial shop items"); spec/003 Seed Data Summary
(6 items) and section 5; columns: the DESIGN.md union of spec/004 migrations 0007 and 0017
(stock: ``is_consumable``, ``uses_per_purchase``, ``total_stock``, ``remaining_stock``;
availability: ``rarity``, ``available_from``, ``available_until``).

Shape of ``ITEMS`` (natural key ``key``): ``{key, name, description, category, cost_coins, icon,
rarity, is_consumable, uses_per_purchase, total_stock}`` plus optional ``image_url``,
``available_from``/``available_until`` (None = always). Every item is global, available and
active; ``total_stock`` None means unlimited; ``rarity`` is an ``ItemRarity`` value
(``db/market/models.py``); ``category`` is free text: ``break``, ``treat``, ``gear``,
``utility``, ``experience``.

``remaining_stock`` is live state that purchases decrement, so it is written only when an item is
first inserted (``remaining_stock = total_stock``) and never reset by a later seed run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db.market.models import ItemRarity
from seeds.upsert import upsert

# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------

ITEMS: tuple[dict[str, Any], ...] = (
    {
        "key": "youtube_break_30",
        "name": "Guilt-free 30-minute YouTube break",
        "description": (
            "Thirty minutes of whatever you like, no productivity guilt attached. Set a timer, "
            "enjoy it, come back fresh."
        ),
        "category": "break",
        "cost_coins": 60,
        "icon": "tv",
        "rarity": "common",
        "is_consumable": True,
        "uses_per_purchase": 1,
        "total_stock": None,
    },
    {
        "key": "gaming_hour",
        "name": "One hour of gaming",
        "description": "A full hour with the controller, earned by the sessions before it.",
        "category": "break",
        "cost_coins": 120,
        "icon": "gamepad-2",
        "rarity": "common",
        "is_consumable": True,
        "uses_per_purchase": 1,
        "total_stock": None,
    },
    {
        "key": "skip_daily_quest",
        "name": "Skip one daily quest",
        "description": (
            "Life happens. Mark one daily quest as skipped without breaking your quest streak."
        ),
        "category": "utility",
        "cost_coins": 80,
        "icon": "skip-forward",
        "rarity": "uncommon",
        "is_consumable": True,
        "uses_per_purchase": 1,
        "total_stock": None,
    },
    {
        "key": "sample_pack_10",
        "name": "Sample pack budget: $10",
        "description": (
            "Permission to spend ten real dollars on a sample pack. Audition before you buy and "
            "pick one you will actually use this week."
        ),
        "category": "gear",
        "cost_coins": 300,
        "icon": "package",
        "rarity": "uncommon",
        "is_consumable": True,
        "uses_per_purchase": 1,
        "total_stock": None,
    },
    {
        "key": "takeaway_night",
        "name": "Order your favourite takeaway",
        "description": "Dinner from your favourite place after a long session. You earned it.",
        "category": "treat",
        "cost_coins": 400,
        "icon": "utensils",
        "rarity": "uncommon",
        "is_consumable": True,
        "uses_per_purchase": 1,
        "total_stock": None,
    },
    {
        "key": "plugin_fund",
        "name": "New plugin fund",
        "description": (
            "Put money toward the synth, compressor or reverb on your wishlist. Rule of thumb: "
            "finish a track with what you have before it arrives."
        ),
        "category": "gear",
        "cost_coins": 1500,
        "icon": "sliders-horizontal",
        "rarity": "rare",
        "is_consumable": True,
        "uses_per_purchase": 1,
        "total_stock": None,
    },
    {
        "key": "studio_day_pass",
        "name": "Pro studio day pass",
        "description": (
            "Book a day in a real studio with proper monitoring to check your mixes. Only a "
            "handful available."
        ),
        "category": "experience",
        "cost_coins": 5000,
        "icon": "building-2",
        "rarity": "epic",
        "is_consumable": True,
        "uses_per_purchase": 1,
        "total_stock": 5,
    },
)

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
