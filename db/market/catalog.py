"""Staff management of the market catalog (entitlement ``catalog:manage``, docs/admin.md):
create and change market items, restock them, deactivate them.

The rules (Ignition specification, "Section 5: Market Tables"; docs/design.md#market): a
price is 0 coins or more; a stock is unlimited (null) or a count, and ``remaining_stock``
follows ``total_stock`` (a new item starts with every unit for sale; a change of the total
moves the remaining units by as much, never below the units sold); the availability window
ends after it starts. A price change is a change of the item only: a purchase keeps the
``cost_coins`` it paid. Items are never deleted (purchases refer to them): deactivated.
Every write is audited with the fields before and after (:mod:`db.auth.staff`).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth import staff
from db.auth.activity import Actor
from db.auth.staff import CatalogTable, locked_row, update_row
from db.bounds import IntRange
from db.errors import InvalidInput, InvalidState
from db.fields import Choice, Flag, Moment, Number, Rule, Text
from db.market.models import ItemRarity

_items = metadata.tables["market_items"]

#: The most units an item may have in stock, and the most a restock adds.
MAX_STOCK = 1_000_000
#: The highest price of one unit, in coins.
MAX_PRICE = 1_000_000
#: The bounds of ``restockMarketItem(quantity)``.
RESTOCK = IntRange(1, MAX_STOCK)
#: ``market_items`` columns staff set (``is_global``: staff items are offered to everyone;
#: ``remaining_stock`` follows ``total_stock``; ``restockMarketItem`` adds units).
ITEM_FIELDS: dict[str, Rule] = {
    "key": staff.KEY,
    "name": staff.NAME,
    "description": staff.DESCRIPTION,
    "category": staff.CATEGORY,
    "cost_coins": Number(0, MAX_PRICE),
    "icon": staff.ICON,
    "image_url": Text(500, line=True, pattern=r"https?://\S+", format="an http(s) URL"),
    "rarity": Choice(ItemRarity),
    "is_available": Flag(),
    "is_active": Flag(),
    "is_consumable": Flag(),
    "uses_per_purchase": Number(1, 1000),
    "total_stock": Number(0, MAX_STOCK, nullable=True),
    "available_from": Moment(),
    "available_until": Moment(),
    "sort_order": staff.SORT_ORDER,
}


def _item_check(
    row: dict[str, Any], changed: dict[str, Any], before: dict[str, Any] | None
) -> dict[str, Any]:
    """The rules between an item's columns: the window's order, and the remaining stock that
    follows the total (see the module docstring).

    Raises:
        InvalidInput: ``input.availableUntil`` not after ``availableFrom``;
            ``input.totalStock`` under the units sold.
    """
    start, end = row.get("available_from"), row.get("available_until")
    if start is not None and end is not None and end <= start:
        raise InvalidInput(
            "`availableUntil` must come after `availableFrom`.", field="input.availableUntil"
        )
    total = row.get("total_stock")
    if before is None:
        return {"remaining_stock": total}
    if total == before["total_stock"]:
        return {}
    if total is None or before["total_stock"] is None:
        return {"remaining_stock": total}
    remaining = before["remaining_stock"] + total - before["total_stock"]
    if remaining < 0:
        sold = before["total_stock"] - before["remaining_stock"]
        raise InvalidInput(
            f"{sold} units were sold: the total cannot be lower.", field="input.totalStock"
        )
    return {"remaining_stock": remaining}


ITEMS = CatalogTable(
    table=_items,
    resource="MarketItem",
    rules=ITEM_FIELDS,
    required=("key", "name", "category", "cost_coins"),
    fixed={"is_global": True},
    unique=("key",),
    immutable=("key",),
    check=_item_check,
)


async def restock_item(
    conn: AsyncConnection, actor: Actor, item_id: uuid.UUID, quantity: int, *, action: str
) -> uuid.UUID:
    """Add ``quantity`` units to an item's stock: ``total_stock`` and ``remaining_stock``
    grow by as much, under the item's row lock (purchases decrement ``remaining_stock``
    under the same lock, so none is lost).

    Raises:
        InvalidInput: ``quantity`` out of :data:`RESTOCK`, or a total over :data:`MAX_STOCK`
            (``quantity``).
        NotFound: no such item.
        InvalidState: the item's stock is unlimited (``status`` ``unlimited``).
    """
    RESTOCK.check(quantity, "quantity")
    item = await locked_row(conn, _items, item_id, resource="MarketItem")
    if item["total_stock"] is None:
        raise InvalidState("This item's stock is unlimited.", status="unlimited")
    if item["total_stock"] + quantity > MAX_STOCK:
        raise InvalidInput(f"An item holds at most {MAX_STOCK:,} units.", field="quantity")
    await update_row(
        conn,
        actor,
        _items,
        item_id,
        {
            "total_stock": item["total_stock"] + quantity,
            "remaining_stock": item["remaining_stock"] + quantity,
        },
        action=action,
        resource="MarketItem",
        details={"quantity": quantity},
    )
    return item_id


__all__ = [
    "ITEMS",
    "ITEM_FIELDS",
    "MAX_PRICE",
    "MAX_STOCK",
    "RESTOCK",
    "restock_item",
]
