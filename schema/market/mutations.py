"""Market mutations: buy, use and refund (Ignition specification, "Market Purchase Flow"). The rules
live in :mod:`db.market.transitions`; these declarations only map arguments and results."""

from __future__ import annotations

from typing import Annotated

import strawberry

from db.errors import (
    InsufficientFunds,
    InvalidState,
    ItemUnavailable,
    NotFound,
    OutOfStock,
)
from db.market import transitions
from db.market.models import UserPurchase
from schema.core.descriptions import column_doc
from schema.core.mutations import IDEMPOTENCY_KEY, Ids, Tx, id_arg, mutation


@strawberry.input(description="Units of a market item to buy.")
class PurchaseMarketItemInput:
    item_id: strawberry.ID = strawberry.field(description="The market item (`MarketItem.id`).")
    quantity: Annotated[int, transitions.QUANTITY] = strawberry.field(
        default=1, description="Units to buy."
    )
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@mutation(
    description="Buy units of a market item with coins "
    '(Ignition specification, "Market Purchase Flow"): the '
    "item must be active, on sale now, offered to the viewer and in stock; the wallet pays "
    "`quantity` x `costCoins` (else `InsufficientFunds` with the total and the balance).",
    returns={"purchase": "user_purchases", "wallet": "user_wallet"},
    errors=(NotFound, ItemUnavailable, OutOfStock, InsufficientFunds),
    idempotent=True,
)
async def purchase_market_item(tx: Tx, input: PurchaseMarketItemInput) -> Ids:
    result = await transitions.purchase_item(
        tx.conn,
        tx.viewer.user_id,
        id_arg(input.item_id, "input.itemId"),
        input.quantity,
        idempotency_key=input.idempotency_key,
    )
    assert result.wallet is not None
    return {"purchase": result.purchase_id, "wallet": result.wallet.id}


@mutation(
    description="Use one use of a consumable purchase; the last use makes it `REDEEMED`.",
    returns={"purchase": "user_purchases"},
    errors=(NotFound, InvalidState),
    args={"id": "One of the viewer's purchases (`UserPurchase.id`)."},
)
async def redeem_purchase(tx: Tx, id: strawberry.ID) -> Ids:
    result = await transitions.redeem_purchase(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    return {"purchase": result.purchase_id}


@mutation(
    description="Refund a purchase none of whose uses was consumed: the coins go back to "
    "the buyer's wallet through the ledger (spent coins given back: they lower `totalSpent` and "
    "are not earned) and the units back into stock. A viewer refunds their own purchases; "
    "refunding another user's purchase needs the `market:refund` entitlement (without it "
    "that purchase is NotFound).",
    returns={"purchase": "user_purchases?", "wallet": "user_wallet?"},
    fields={
        "purchase": "The refunded purchase, as it is now; null when it is another user's and "
        "the viewer may not read other users' rows.",
        "wallet": "The buyer's wallet after the refund; null when it is another user's and "
        "the viewer may not read other users' rows.",
    },
    errors=(NotFound, InvalidState),
    idempotent=True,
    args={
        "id": "One of the viewer's purchases (`UserPurchase.id`); any user's with the "
        "`market:refund` entitlement.",
        "reason": column_doc(UserPurchase, "refund_reason"),
    },
)
async def refund_purchase(
    tx: Tx,
    id: strawberry.ID,
    reason: Annotated[str, transitions.REASON],
    idempotency_key: str,
) -> Ids:
    result = await transitions.refund_purchase(
        tx.conn,
        tx.viewer.user_id,
        id_arg(id, "id"),
        reason,
        any_user=tx.viewer.has("market:refund"),
        actor=tx.actor,
    )
    assert result.wallet is not None
    return {"purchase": result.purchase_id, "wallet": result.wallet.id}
