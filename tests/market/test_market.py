"""The market: ``purchaseMarketItem``, ``redeemPurchase`` and ``refundPurchase``
(Ignition specification, "Market Purchase Flow"): each success path, every typed error, and a
refused call leaves the database as it was."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.fixtures import Mutate
from tests.support.harness import committed_user, unchanged
from tests.support.money import fund, make_item, scalar

PURCHASE = """
mutation Buy($input: PurchaseMarketItemInput!) {
  purchaseMarketItem(input: $input) {
    __typename
    ... on PurchaseMarketItemSuccess {
      purchase { id status costCoins quantity usesRemaining item { id remainingStock } }
      wallet { coins totalSpent }
    }
    ... on DomainError { code message }
    ... on InsufficientFunds { needed available }
    ... on OutOfStock { remaining }
    ... on InvalidInput { field }
    ... on NotFound { resource }
  }
}
"""

REDEEM = """
mutation Redeem($id: ID!) {
  redeemPurchase(id: $id) {
    __typename
    ... on RedeemPurchaseSuccess { purchase { status usesRemaining redeemedAt } }
    ... on DomainError { code message }
    ... on InvalidState { status }
    ... on InvalidInput { field }
  }
}
"""

REFUND = """
mutation Refund($id: ID!, $reason: String!, $key: String!) {
  refundPurchase(id: $id, reason: $reason, idempotencyKey: $key) {
    __typename
    ... on RefundPurchaseSuccess {
      purchase { status refundReason refundedAt item { remainingStock } }
      wallet { coins totalEarned totalSpent }
    }
    ... on DomainError { code message }
    ... on InvalidState { status }
    ... on InvalidInput { field }
  }
}
"""


def buy(item_id: uuid.UUID | str, quantity: int = 1, key: str | None = None) -> dict[str, Any]:
    return {
        "input": {
            "itemId": str(item_id),
            "quantity": quantity,
            "idempotencyKey": key or uuid.uuid4().hex,
        }
    }


async def test_a_purchase_pays_records_and_takes_stock(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 100)
    item = await make_item(engine, cost_coins=15, stock=10, uses_per_purchase=2)
    result = await mutate(PURCHASE, buy(item, 3), viewer=user)
    assert result.errors == []
    payload = result.data["purchaseMarketItem"]
    assert payload["__typename"] == "PurchaseMarketItemSuccess"
    # 100 - 45, plus the reward of the first purchase's achievement (10 coins).
    assert payload["wallet"] == {"coins": 65, "totalSpent": 45}
    assert await scalar(
        engine,
        "SELECT count(*) FROM user_achievements WHERE user_id = :u "
        "AND achievement_key = 'first_purchase'",
        u=user.user_id,
    )
    purchase = payload["purchase"]
    assert purchase["status"] == "ACTIVE"
    assert (purchase["costCoins"], purchase["quantity"], purchase["usesRemaining"]) == (45, 3, 6)
    assert purchase["item"]["remainingStock"] == 7
    pid = purchase["id"]
    ledger = await scalar(
        engine,
        "SELECT json_build_object('coins', coins, 'type', event_type, 'event', event_id) "
        "FROM points_ledger WHERE user_id = :u AND event_id = :p",
        u=user.user_id,
        p=pid,
    )
    assert ledger == {"coins": -45, "type": "market.purchase", "event": pid}
    assert (
        await scalar(
            engine,
            "SELECT coins_amount FROM market_transactions "
            "WHERE purchase_id = :p AND transaction_type = 'purchase'",
            p=uuid.UUID(pid),
        )
        == -45
    )
    assert await scalar(
        engine,
        "SELECT count(*) FROM activity_events WHERE user_id = :u AND event_type = "
        "'market.purchased' AND metadata->>'purchase_id' = :p",
        u=user.user_id,
        p=pid,
    )
    assert (
        await scalar(
            engine,
            "SELECT payload->>'balance' FROM event_outbox "
            "WHERE user_id = :u AND topic = 'wallet.changed' "
            "AND payload->>'ledger_entry_id' = (SELECT id::text FROM points_ledger "
            "WHERE event_id = :p)",
            u=user.user_id,
            p=pid,
        )
        == "55"
    )


async def test_insufficient_funds_names_the_total_and_the_balance(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 40)
    item = await make_item(engine, cost_coins=15, stock=5)
    refused = await unchanged(engine, mutate, PURCHASE, buy(item, 3), user)
    assert refused == {
        "__typename": "InsufficientFunds",
        "code": "INSUFFICIENT_FUNDS",
        "message": "This needs 45 coins; the wallet has 40.",
        "needed": 45,
        "available": 40,
    }
    assert (
        await scalar(engine, "SELECT remaining_stock FROM market_items WHERE id = :i", i=item) == 5
    )


async def test_out_of_stock_names_what_is_left(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 100)
    item = await make_item(engine, cost_coins=1, stock=2)
    refused = await unchanged(engine, mutate, PURCHASE, buy(item, 3), user)
    assert refused["__typename"] == "OutOfStock"
    assert (refused["code"], refused["remaining"]) == ("OUT_OF_STOCK", 2)
    assert (await mutate(PURCHASE, buy(item, 2), viewer=user)).data["purchaseMarketItem"][
        "purchase"
    ]["item"]["remainingStock"] == 0
    sold_out = await unchanged(engine, mutate, PURCHASE, buy(item), user)
    assert (sold_out["remaining"], sold_out["message"]) == (0, "Sold out.")


async def test_items_not_on_sale_are_unavailable(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    other = await committed_user(engine)
    await fund(engine, user.user_id, 100)
    now = datetime.now(UTC)
    items = [
        await make_item(engine, is_active=False),
        await make_item(engine, is_available=False),
        await make_item(engine, available_from=now + timedelta(days=1)),
        await make_item(engine, available_until=now - timedelta(seconds=1)),
        await make_item(engine, is_global=False, created_by_user_id=other.user_id),
    ]
    for item in items:
        refused = await unchanged(engine, mutate, PURCHASE, buy(item), user)
        assert refused["__typename"] == "ItemUnavailable", item
        assert refused["code"] == "ITEM_UNAVAILABLE"
    # A user's own reward (not global) is offered to them.
    own = await make_item(engine, is_global=False, created_by_user_id=user.user_id)
    bought = await mutate(PURCHASE, buy(own), viewer=user)
    assert bought.data["purchaseMarketItem"]["__typename"] == "PurchaseMarketItemSuccess"


async def test_bad_arguments_and_missing_items(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 100)
    item = await make_item(engine)
    for variables, field in [
        (buy(item, 0), "input.quantity"),
        (buy(item, 100), "input.quantity"),
        (buy("not-an-id"), "input.itemId"),
        (buy(item, key="k" * 256), "input.idempotencyKey"),
    ]:
        refused = await unchanged(engine, mutate, PURCHASE, variables, user)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field)
    missing = await unchanged(engine, mutate, PURCHASE, buy(uuid.uuid4()), user)
    assert (missing["__typename"], missing["resource"]) == ("NotFound", "MarketItem")
    signed_out = await mutate(PURCHASE, buy(item))
    assert signed_out.data is None
    assert signed_out.errors == ["Sign in first: send `Authorization: Bearer <token>`."]


async def test_a_key_replays_its_purchase_and_refuses_other_arguments(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 100)
    item = await make_item(engine, cost_coins=30, stock=9)
    first = await mutate(PURCHASE, buy(item, 1, "same"), viewer=user)
    again = await mutate(PURCHASE, buy(item, 1, "same"), viewer=user)
    assert again.data == first.data
    other = await unchanged(engine, mutate, PURCHASE, buy(item, 2, "same"), user)
    assert (other["__typename"], other["code"]) == (
        "IdempotencyKeyReused",
        "IDEMPOTENCY_KEY_REUSED",
    )
    # 100 - 30, plus the first purchase's reward (10 coins).
    assert (
        await scalar(engine, "SELECT coins FROM user_wallet WHERE user_id = :u", u=user.user_id)
        == 80
    )
    # A refusal is replayed as well, even once the wallet could pay.
    poor = await mutate(PURCHASE, buy(item, 3, "poor"), viewer=user)
    assert poor.data["purchaseMarketItem"]["__typename"] == "InsufficientFunds"
    await fund(engine, user.user_id, 100)
    replay = await mutate(PURCHASE, buy(item, 3, "poor"), viewer=user)
    assert replay.data == poor.data


async def test_redeem_uses_up_a_consumable(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 100)
    item = await make_item(engine, uses_per_purchase=2)
    pid = (await mutate(PURCHASE, buy(item), viewer=user)).data["purchaseMarketItem"]["purchase"][
        "id"
    ]
    first = (await mutate(REDEEM, {"id": pid}, viewer=user)).data["redeemPurchase"]
    assert first["purchase"]["status"] == "ACTIVE"
    assert first["purchase"]["usesRemaining"] == 1
    last = (await mutate(REDEEM, {"id": pid}, viewer=user)).data["redeemPurchase"]
    assert last["purchase"]["status"] == "REDEEMED"
    assert last["purchase"]["usesRemaining"] == 0 and last["purchase"]["redeemedAt"]
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM market_transactions WHERE purchase_id = :p "
            "AND transaction_type = 'redeem' AND coins_amount = 0",
            p=uuid.UUID(pid),
        )
        == 2
    )
    done = await unchanged(engine, mutate, REDEEM, {"id": pid}, user)
    assert (done["__typename"], done["status"]) == ("InvalidState", "redeemed")


async def test_permanent_items_are_not_redeemed(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 100)
    item = await make_item(engine, is_consumable=False)
    purchase = (await mutate(PURCHASE, buy(item), viewer=user)).data["purchaseMarketItem"][
        "purchase"
    ]
    assert purchase["usesRemaining"] is None
    refused = await unchanged(engine, mutate, REDEEM, {"id": purchase["id"]}, user)
    assert (refused["__typename"], refused["status"]) == ("InvalidState", "active")


async def test_refund_returns_coins_and_stock_once(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 100)
    item = await make_item(engine, cost_coins=20, stock=4)
    pid = (await mutate(PURCHASE, buy(item, 2), viewer=user)).data["purchaseMarketItem"][
        "purchase"
    ]["id"]
    refund = {"id": pid, "reason": "Bought by mistake", "key": "r1"}
    result = (await mutate(REFUND, refund, viewer=user)).data["refundPurchase"]
    assert result["__typename"] == "RefundPurchaseSuccess"
    assert result["purchase"]["status"] == "REFUNDED"
    assert result["purchase"]["refundReason"] == "Bought by mistake"
    assert result["purchase"]["item"]["remainingStock"] == 4
    # Funds 100 and the first purchase's reward 10 are earned; the refund 40 gives back the
    # 40 spent: it is not income.
    assert result["wallet"] == {"coins": 110, "totalEarned": 110, "totalSpent": 0}
    # The same key replays; a new key meets the refunded purchase.
    assert (await mutate(REFUND, refund, viewer=user)).data["refundPurchase"] == result
    again = await unchanged(engine, mutate, REFUND, {**refund, "key": "r2"}, user)
    assert (again["__typename"], again["status"]) == ("InvalidState", "refunded")
    assert (
        await scalar(
            engine,
            "SELECT sum(coins_amount) FROM market_transactions WHERE purchase_id = :p",
            p=uuid.UUID(pid),
        )
        == 0
    )


async def test_a_used_purchase_is_not_refunded(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 100)
    item = await make_item(engine, uses_per_purchase=3)
    pid = (await mutate(PURCHASE, buy(item), viewer=user)).data["purchaseMarketItem"]["purchase"][
        "id"
    ]
    await mutate(REDEEM, {"id": pid}, viewer=user)
    refused = await unchanged(
        engine, mutate, REFUND, {"id": pid, "reason": "meh", "key": "r"}, user
    )
    assert (refused["__typename"], refused["status"]) == ("InvalidState", "active")
    blank = await unchanged(engine, mutate, REFUND, {"id": pid, "reason": " ", "key": "b"}, user)
    assert (blank["__typename"], blank["field"]) == ("InvalidInput", "reason")


async def test_another_users_purchase_is_not_found(mutate: Mutate, engine: AsyncEngine) -> None:
    owner = await committed_user(engine)
    stranger = await committed_user(engine)
    await fund(engine, owner.user_id, 50)
    item = await make_item(engine)
    pid = (await mutate(PURCHASE, buy(item), viewer=owner)).data["purchaseMarketItem"]["purchase"][
        "id"
    ]
    for query, variables in [
        (REDEEM, {"id": pid}),
        (REFUND, {"id": pid, "reason": "mine now", "key": "x"}),
        (REDEEM, {"id": str(uuid.uuid4())}),
    ]:
        refused = await unchanged(engine, mutate, query, variables, stranger)
        assert refused["__typename"] == "NotFound"
        assert refused["code"] == "NOT_FOUND"
    malformed = await unchanged(engine, mutate, REDEEM, {"id": "42"}, stranger)
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInput", "id")


async def test_a_refund_is_not_income(mutate: Mutate, engine: AsyncEngine) -> None:
    """coins_earned_1000 counts awards only: 910 coins earned, 100 spent and refunded (the old
    rule counted the refund as earned: 1,010, and unlocked it)."""
    user = await committed_user(engine)
    await fund(engine, user.user_id, 900)
    item = await make_item(engine, cost_coins=100)
    pid = (await mutate(PURCHASE, buy(item), viewer=user)).data["purchaseMarketItem"]["purchase"][
        "id"
    ]
    result = await mutate(REFUND, {"id": pid, "reason": "changed my mind", "key": "k"}, viewer=user)
    wallet = result.data["refundPurchase"]["wallet"]
    assert wallet == {"coins": 910, "totalEarned": 910, "totalSpent": 0}
    assert not await scalar(
        engine,
        "SELECT count(*) FROM user_achievements WHERE user_id = :u "
        "AND achievement_key = 'coins_earned_1000'",
        u=user.user_id,
    )
    assert (
        await scalar(
            engine,
            "SELECT event_type FROM points_ledger WHERE user_id = :u AND coins = 100",
            u=user.user_id,
        )
        == "market.refund"
    )


async def test_staff_refund_another_users_purchase(mutate: Mutate, engine: AsyncEngine) -> None:
    """With ``market:refund`` a viewer refunds anyone's purchase: the buyer's wallet is
    credited and the audit log records the staff member; without it the purchase is absent
    (the test above)."""
    owner = await committed_user(engine)
    admin = await committed_user(engine, admin=True)
    assert admin.has("market:refund") and not owner.has("market:refund")
    await fund(engine, owner.user_id, 50)
    item = await make_item(engine, cost_coins=30)
    pid = (await mutate(PURCHASE, buy(item), viewer=owner)).data["purchaseMarketItem"]["purchase"][
        "id"
    ]
    result = await mutate(
        REFUND, {"id": pid, "reason": "support ticket 7", "key": "s"}, viewer=admin
    )
    payload = result.data["refundPurchase"]
    assert payload["__typename"] == "RefundPurchaseSuccess"
    assert payload["purchase"]["status"] == "REFUNDED"
    assert payload["wallet"] == {"coins": 60, "totalEarned": 60, "totalSpent": 0}
    assert (
        await scalar(
            engine,
            "SELECT coins FROM user_wallet WHERE user_id = :u",
            u=admin.user_id,
        )
        == 0
    )
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM audit_log WHERE user_id = :a AND event_type = 'refundPurchase' "
            "AND resource_id = :p",
            a=admin.user_id,
            p=pid,
        )
        == 1
    )
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM activity_events WHERE user_id = :u "
            "AND event_type = 'market.refunded'",
            u=owner.user_id,
        )
        == 1
    )


async def test_a_refund_for_another_user_by_staff_without_read_access(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    """A role holding ``market:refund`` but not ``rows:read_all``: the refund is made, and the
    buyer's rows, which that viewer may not read, come back null (no error)."""
    owner = await committed_user(engine)
    clerk = await committed_user(engine)
    clerk = type(clerk)(user_id=clerk.user_id, entitlements=frozenset({"market:refund"}))
    await fund(engine, owner.user_id, 50)
    item = await make_item(engine, cost_coins=30)
    pid = (await mutate(PURCHASE, buy(item), viewer=owner)).data["purchaseMarketItem"]["purchase"][
        "id"
    ]
    result = await mutate(REFUND, {"id": pid, "reason": "ticket 9", "key": "c"}, viewer=clerk)
    assert result.errors == []
    payload = result.data["refundPurchase"]
    assert payload == {"__typename": "RefundPurchaseSuccess", "purchase": None, "wallet": None}
    assert (
        await scalar(engine, "SELECT status FROM user_purchases WHERE id = :p", p=uuid.UUID(pid))
        == "refunded"
    )
