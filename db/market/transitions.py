"""The market's transitions: buy, redeem, refund (Ignition specification, "Market Purchase Flow";
docs/design.md#market).

- :func:`purchase_item`: the item must be active, available now (``is_available`` and inside
  its ``available_from``/``available_until`` window) and offered to the viewer (``is_global``,
  or the viewer's own reward), with ``quantity`` units in stock; the wallet must pay
  ``quantity * cost_coins``. It writes the ``user_purchases`` row, a negative ledger row, a
  ``market_transactions`` row (``purchase``, the negative amount) and decrements the stock with
  one atomic ``UPDATE ... WHERE remaining_stock >= :quantity RETURNING`` (an item with
  unlimited stock, ``remaining_stock`` null, is not touched, so its buyers do not queue on it).
  Then the ``purchases_made`` achievements are evaluated.
- :func:`redeem_purchase`: consumes one use of an active consumable purchase; the last use
  makes it ``redeemed``.
- :func:`refund_purchase`: an active purchase none of whose uses was consumed goes back: the
  coins through the ledger, the units back into stock, the purchase ``refunded``; the
  achievements of the coins earned are evaluated (a refund is a positive ledger row).

Lock order (that of :mod:`db.gamification.ledger`): the purchase row, then the item row, then
the wallet. The rules here refuse with :class:`~db.errors.DomainError` subclasses; whatever a
refused call wrote is rolled back by the caller (the mutation runs it in a savepoint).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import Actor, audit, record_activity
from db.bounds import IntRange, Text
from db.errors import InvalidState, ItemUnavailable, NotFound, OutOfStock
from db.gamification.achievements import evaluate_achievements
from db.gamification.ledger import Wallet, post
from db.gamification.models import AchievementTriggerType
from db.market import rules
from db.market.models import MarketTransactionType, PurchaseStatus

_items = metadata.tables["market_items"]
_purchases = metadata.tables["user_purchases"]
_transactions = metadata.tables["market_transactions"]
_wallets = metadata.tables["user_wallet"]

#: Most units of one item in one purchase.
MAX_QUANTITY = 99
#: Longest refund reason, in characters.
MAX_REASON = 500
#: The bounds the market mutations check and state (:mod:`db.bounds`).
QUANTITY = IntRange(1, MAX_QUANTITY)
REASON = Text(MAX_REASON, 1)

# The statements of a purchase, built once: a call binds its values at execution.
_KEYED_PURCHASE = sa.select(_purchases.c.id).where(
    _purchases.c.user_id == sa.bindparam("owner"),
    _purchases.c.idempotency_key == sa.bindparam("given_key"),
)
_READ_ITEM = sa.select(_items, sa.func.clock_timestamp().label("now")).where(
    _items.c.id == sa.bindparam("target_item")
)
_TAKE_STOCK = (
    sa.update(_items)
    .where(
        _items.c.id == sa.bindparam("target_item"),
        _items.c.remaining_stock >= sa.bindparam("units_check"),
    )
    .values(remaining_stock=_items.c.remaining_stock - sa.bindparam("units_taken"))
    .returning(_items.c.remaining_stock)
)
_INSERT_PURCHASE = insert(_purchases).returning(_purchases.c.id)
_INSERT_TRANSACTION = sa.insert(_transactions)


@dataclass(frozen=True)
class PurchaseResult:
    """What a purchase or refund did: the purchase, the wallet after it (``None`` for a
    redeem, which moves no coins) and whether this call created the purchase (False when a
    purchase with the same ``idempotency_key`` existed already and was returned as it is)."""

    purchase_id: uuid.UUID
    wallet: Wallet | None
    created: bool = True


async def purchase_item(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    item_id: uuid.UUID,
    quantity: int = 1,
    *,
    idempotency_key: str | None = None,
) -> PurchaseResult:
    """Buy ``quantity`` units of a market item (Ignition specification, "Market Purchase Flow").

    Args:
        conn: a connection inside the caller's transaction.
        user_id: the buyer.
        item_id: ``market_items.id``.
        quantity: units, 1 to :data:`MAX_QUANTITY`.
        idempotency_key: the client's key, stored in ``user_purchases.idempotency_key`` (unique
            per user): a purchase with this key that exists already is returned unchanged,
            even after the key's ``idempotency_keys`` record was pruned.

    Returns:
        The :class:`PurchaseResult` (the purchase, the wallet after paying).

    Raises:
        InvalidInput: a quantity out of range (``input.quantity``).
        NotFound: no such item (``resource`` ``MarketItem``).
        ItemUnavailable: the item is inactive, not available now, or not offered to the viewer.
        OutOfStock: fewer than ``quantity`` units left (``remaining``).
        InsufficientFunds: the wallet holds less than the total cost (``needed`` = the total,
            ``available`` = the balance).
    """
    QUANTITY.check(quantity, "input.quantity")
    if idempotency_key is not None:
        existing = (
            await conn.execute(_KEYED_PURCHASE, {"owner": user_id, "given_key": idempotency_key})
        ).scalar_one_or_none()
        if existing is not None:
            return PurchaseResult(existing, await _wallet(conn, user_id), created=False)
    item = (await conn.execute(_READ_ITEM, {"target_item": item_id})).one_or_none()
    if item is None:
        raise NotFound("There is no such market item.", resource="MarketItem")
    _check_offered(item, user_id)
    if item.remaining_stock is not None:
        # The item's row lock, taken before the wallet's (the ledger's lock order); READ
        # COMMITTED re-checks the condition on the latest row after waiting for the lock, so
        # concurrent buyers never take more units than there are.
        left = (
            await conn.execute(
                _TAKE_STOCK,
                {"target_item": item_id, "units_check": quantity, "units_taken": quantity},
            )
        ).scalar_one_or_none()
        if left is None:
            remaining = (
                await conn.execute(
                    sa.select(_items.c.remaining_stock).where(_items.c.id == item_id)
                )
            ).scalar_one()
            raise OutOfStock(
                f"Only {remaining} left." if remaining else "Sold out.", remaining=int(remaining)
            )
    total = rules.purchase_cost(int(item.cost_coins), quantity)
    uses = rules.uses_for(item.is_consumable, int(item.uses_per_purchase), quantity)
    purchase_id = (
        await conn.execute(
            _INSERT_PURCHASE,
            {
                "user_id": user_id,
                "item_id": item_id,
                "cost_coins": total,
                "quantity": quantity,
                "purchased_at": item.now,
                "uses_remaining": uses,
                "status": PurchaseStatus.ACTIVE.value,
                "idempotency_key": idempotency_key,
            },
        )
    ).scalar_one()
    what = item.name if quantity == 1 else f"{quantity} x {item.name}"
    posting = await post(
        conn,
        user_id,
        event_type="market.purchase",
        coins=-total,
        event_id=str(purchase_id),
        reason=f"Bought {what}",
        idempotency_key=rules.purchase_ledger_key(purchase_id),
    )
    await _transaction(
        conn,
        user_id,
        MarketTransactionType.PURCHASE,
        -total,
        f"Bought {what}",
        purchase_id,
        item_id,
    )
    await record_activity(
        conn,
        user_id,
        "market.purchased",
        "market",
        {
            "purchase_id": str(purchase_id),
            "item_id": str(item_id),
            "item_key": item.key,
            "quantity": quantity,
            "coins_spent": total,
        },
    )
    await evaluate_achievements(conn, user_id, [AchievementTriggerType.PURCHASES_MADE])
    return PurchaseResult(purchase_id, posting.wallet)


def _check_offered(item: Any, user_id: uuid.UUID) -> None:
    """Refuse an item that is not on sale to ``user_id`` now
    (:func:`db.market.rules.unavailable_reason`)."""
    reason = rules.unavailable_reason(
        user_id=user_id,
        now=item.now,
        is_active=item.is_active,
        is_available=item.is_available,
        is_global=item.is_global,
        created_by_user_id=item.created_by_user_id,
        available_from=item.available_from,
        available_until=item.available_until,
    )
    if reason is not None:
        raise ItemUnavailable(reason)


async def _wallet(conn: AsyncConnection, user_id: uuid.UUID) -> Wallet:
    row = (
        await conn.execute(
            sa.select(
                _wallets.c.id, _wallets.c.coins, _wallets.c.total_earned, _wallets.c.total_spent
            ).where(_wallets.c.user_id == user_id)
        )
    ).one()
    return Wallet(*row)


async def _transaction(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    kind: MarketTransactionType,
    coins: int,
    reason: str,
    purchase_id: uuid.UUID,
    item_id: uuid.UUID,
) -> None:
    """The ``market_transactions`` row (``coins``: the signed change of the wallet)."""
    await conn.execute(
        _INSERT_TRANSACTION,
        {
            "user_id": user_id,
            "transaction_type": kind.value,
            "coins_amount": coins,
            "reason": reason,
            "purchase_id": purchase_id,
            "item_id": item_id,
        },
    )


async def _lock_purchase(
    conn: AsyncConnection, user_id: uuid.UUID | None, purchase_id: uuid.UUID
) -> Any:
    """The purchase of ``user_id`` (of anyone when None) joined with its item, the purchase
    row locked, plus ``now``.

    Raises:
        NotFound: no such purchase, or another user's.
    """
    owner = sa.true() if user_id is None else _purchases.c.user_id == user_id
    row = (
        await conn.execute(
            sa.select(
                _purchases,
                _items.c.key.label("item_key"),
                _items.c.name.label("item_name"),
                _items.c.is_consumable,
                sa.func.clock_timestamp().label("now"),
            )
            .join(_items, _items.c.id == _purchases.c.item_id)
            .where(_purchases.c.id == purchase_id, owner)
            .with_for_update(of=_purchases)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("There is no such purchase.", resource="UserPurchase")
    return row


async def redeem_purchase(
    conn: AsyncConnection, user_id: uuid.UUID, purchase_id: uuid.UUID
) -> PurchaseResult:
    """Use one use of a consumable purchase; the last use makes it ``redeemed``.

    Sets ``redeemed_at`` (the latest use), writes a ``redeem`` market transaction (0 coins)
    and an activity row.

    Returns:
        The :class:`PurchaseResult` (``wallet`` None: no coins move).

    Raises:
        NotFound: no such purchase of the viewer.
        InvalidState: the purchase is redeemed or refunded already, or a permanent item with
            no uses to consume (``status`` is its status).
    """
    row = await _lock_purchase(conn, user_id, purchase_id)
    if row.status != PurchaseStatus.ACTIVE:
        raise InvalidState(f"This purchase is {row.status} already.", status=str(row.status))
    if row.uses_remaining is None:
        raise InvalidState(
            "A permanent item is kept, not used up: there is nothing to redeem.",
            status=str(row.status),
        )
    left = int(row.uses_remaining) - 1
    status = PurchaseStatus.REDEEMED if left == 0 else PurchaseStatus.ACTIVE
    await conn.execute(
        sa.update(_purchases)
        .where(_purchases.c.id == purchase_id)
        .values(uses_remaining=left, status=status.value, redeemed_at=row.now)
    )
    await _transaction(
        conn,
        user_id,
        MarketTransactionType.REDEEM,
        0,
        f"Used {row.item_name}",
        purchase_id,
        row.item_id,
    )
    await record_activity(
        conn,
        user_id,
        "market.redeemed",
        "market",
        {
            "purchase_id": str(purchase_id),
            "item_key": row.item_key,
            "uses_remaining": left,
        },
    )
    return PurchaseResult(purchase_id, None)


async def refund_purchase(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    purchase_id: uuid.UUID,
    reason: str,
    *,
    any_user: bool = False,
    actor: Actor | None = None,
) -> PurchaseResult:
    """Refund an active purchase none of whose uses was consumed: the coins go back to the
    buyer through the ledger (a ``market.refund`` row: spent coins given back, not income,
    :func:`db.gamification.ledger.wallet_totals`), the units back into stock (never above
    ``total_stock``), the purchase becomes ``refunded`` with the reason.

    Args:
        conn: a connection inside the caller's transaction.
        user_id: who asks: the buyer, or staff refunding another user's purchase.
        purchase_id: ``user_purchases.id``.
        reason: why, 1 to :data:`MAX_REASON` characters (shown in the history).
        any_user: the asker holds the ``market:refund`` entitlement and may refund anyone's
            purchase (checked by the caller); such a refund for another user is recorded in
            the audit log (``refundPurchase`` on the ``user_purchases`` row: its status,
            refund time and reason before and after; the buyer, the coins and the reason).
            Without it only the asker's own purchases are found.
        actor: the asker as the audit log records them (session, request, address, client);
            ``Actor(user_id)`` when None.

    Returns:
        The :class:`PurchaseResult` (the buyer's wallet after the refund).

    Raises:
        InvalidInput: an empty or overlong reason (``reason``).
        NotFound: no such purchase of the asker (of anyone, with ``any_user``).
        InvalidState: the purchase is redeemed or refunded, or one of its uses was consumed.
    """
    reason = reason.strip()
    REASON.check(reason, "reason")
    row = await _lock_purchase(conn, None if any_user else user_id, purchase_id)
    actor_id, user_id = user_id, row.user_id
    if row.status != PurchaseStatus.ACTIVE:
        raise InvalidState(f"This purchase is {row.status} already.", status=str(row.status))
    if row.redeemed_at is not None:
        raise InvalidState(
            "A purchase that was partly used cannot be refunded.", status=str(row.status)
        )
    await conn.execute(
        sa.update(_items)
        .where(_items.c.id == row.item_id, _items.c.remaining_stock.is_not(None))
        .values(
            remaining_stock=sa.func.least(
                _items.c.total_stock, _items.c.remaining_stock + row.quantity
            )
        )
    )
    await conn.execute(
        sa.update(_purchases)
        .where(_purchases.c.id == purchase_id)
        .values(status=PurchaseStatus.REFUNDED.value, refunded_at=row.now, refund_reason=reason)
    )
    coins = int(row.cost_coins)
    posting = await post(
        conn,
        user_id,
        event_type="market.refund",
        coins=coins,
        event_id=str(purchase_id),
        reason=f"Refund: {row.item_name}",
        idempotency_key=rules.refund_ledger_key(purchase_id),
    )
    await _transaction(
        conn,
        user_id,
        MarketTransactionType.REFUND,
        coins,
        reason,
        purchase_id,
        row.item_id,
    )
    await record_activity(
        conn,
        user_id,
        "market.refunded",
        "market",
        {
            "purchase_id": str(purchase_id),
            "item_key": row.item_key,
            "coins_returned": coins,
            "reason": reason,
        },
        coins=coins,
    )
    if actor_id != user_id:
        await audit(
            conn,
            actor or Actor(actor_id),
            action="refundPurchase",
            resource_type="user_purchases",
            resource_id=purchase_id,
            before={"status": row.status, "refunded_at": None, "refund_reason": None},
            after={
                "status": PurchaseStatus.REFUNDED,
                "refunded_at": row.now,
                "refund_reason": reason,
            },
            details={"user_id": user_id, "coins_returned": coins, "reason": reason},
        )  # A refund gives spent coins back: no XP, nothing earned, so no achievement can unlock.
    return PurchaseResult(purchase_id, posting.wallet)


__all__ = [
    "MAX_QUANTITY",
    "MAX_REASON",
    "QUANTITY",
    "REASON",
    "PurchaseResult",
    "purchase_item",
    "redeem_purchase",
    "refund_purchase",
]
