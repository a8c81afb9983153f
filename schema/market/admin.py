"""Staff mutations of the market catalog (entitlement ``catalog:manage``, docs/admin.md):
``createMarketItem``, ``updateMarketItem``, ``deactivateMarketItem`` (declared from the table's
rules, :mod:`schema.core.catalog`) and ``restockMarketItem``. The rules live in
:mod:`db.market.catalog`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from db.errors import InvalidState, NotFound
from db.market import catalog
from schema.core.catalog import CATALOG, GAME_WORDING, catalog_mutations
from schema.core.mutations import Ids, Tx, id_arg, mutation

_WHAT = 'a market item (Ignition specification, "Section 5: Market Tables")'

MUTATIONS = catalog_mutations(
    catalog.ITEMS,
    wording=GAME_WORDING,
    what=f"{_WHAT}, offered to every user",
    notes={
        "key": "Set on create only.",
        "cost_coins": "A change applies to later purchases: purchases keep the price paid.",
        "total_stock": "`remainingStock` follows: a new item has every unit for sale, a new "
        "total moves the remaining units by as much (never under the units sold).",
        "available_until": "After `availableFrom`.",
    },
)


@mutation(
    description=f"Add units to the stock of {_WHAT}: `totalStock` and `remainingStock` grow "
    "by `quantity` (an item with unlimited stock is `InvalidState`); audited.",
    returns={"market_item": "market_items"},
    errors=(NotFound, InvalidState),
    entitlement=CATALOG,
    args={"id": "The market item (`MarketItem.id`).", "quantity": "Units to add."},
)
async def restock_market_item(
    tx: Tx, id: strawberry.ID, quantity: Annotated[int, catalog.RESTOCK]
) -> Ids:
    item = id_arg(id, "id")
    await catalog.restock_item(tx.conn, tx.actor, item, quantity, action="restockMarketItem")
    return {"market_item": item}
