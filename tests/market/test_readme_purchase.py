"""The README's purchase, run as written: it buys, a replay of its key returns the same
purchase, and without enough coins it answers ``InsufficientFunds``."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.fixtures import Mutate
from tests.support.harness import committed_user
from tests.support.money import fund, make_item

README = Path(__file__).resolve().parents[2] / "README.md"
(PURCHASE,) = [
    block
    for block in re.findall(r"```graphql\n(.*?)```", README.read_text(), re.S)
    if re.search(r"^mutation Buy\b", block, re.M)
]


async def test_the_readme_purchase_runs(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    await fund(engine, user.user_id, 30)
    item = await make_item(engine, cost_coins=25, stock=3, name="Coffee")
    variables = {"input": {"itemId": str(item), "quantity": 1, "idempotencyKey": "coffee-1"}}
    first = await mutate(PURCHASE, variables, viewer=user)
    assert first.errors == []
    bought = first.data["purchaseMarketItem"]
    assert bought["__typename"] == "PurchaseMarketItemSuccess"
    assert bought["purchase"]["item"] == {"name": "Coffee", "remainingStock": 2}
    assert (await mutate(PURCHASE, variables, viewer=user)).data == first.data
    again = {"input": {**variables["input"], "idempotencyKey": "coffee-2"}}
    poor = (await mutate(PURCHASE, again, viewer=user)).data["purchaseMarketItem"]
    # 30 - 25 + the first purchase's achievement (10 coins) = 15 < 25.
    assert poor == {
        "__typename": "InsufficientFunds",
        "needed": 25,
        "available": 15,
        "code": "INSUFFICIENT_FUNDS",
        "message": "This needs 25 coins; the wallet has 15.",
    }
