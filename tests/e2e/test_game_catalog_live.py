"""Staff catalog edits against real gateway processes (``ignition serve``, two of them on one
database, over HTTP):

- a restocked item is bought by 50 concurrent buyers (spread over both processes) exactly up
  to the new stock, the rest get ``OutOfStock``, and the ledger invariants hold; a restock
  racing the buyers loses no unit;
- an edit made through one process is what the next request to the other process sees: a
  price (read on the compiled path, then paid), a deactivated quest, a new achievement. No
  process keeps catalog rows in memory (the compiled plans cache SQL, the DataLoaders live one
  request), so there is nothing to invalidate; these tests keep it so.

The figures (answers by type, wall time) are printed; run with ``-s`` to see them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e.live import Gateway, User, new_user
from tests.support.harness import invariant_violations
from tests.support.money import execute, fund, scalar

pytestmark = pytest.mark.e2e

CREATE_ITEM = """
mutation($input: CreateMarketItemInput!) {
  createMarketItem(input: $input) {
    __typename ... on CreateMarketItemSuccess { marketItem { id } }
  }
}
"""
UPDATE_ITEM = """
mutation($id: ID!, $input: UpdateMarketItemInput!) {
  updateMarketItem(id: $id, input: $input) { __typename }
}
"""
RESTOCK = """
mutation($id: ID!, $quantity: Int!) {
  restockMarketItem(id: $id, quantity: $quantity) {
    __typename ... on RestockMarketItemSuccess { marketItem { totalStock remainingStock } }
  }
}
"""
PURCHASE = """
mutation($input: PurchaseMarketItemInput!) {
  purchaseMarketItem(input: $input) {
    __typename
    ... on PurchaseMarketItemSuccess { purchase { costCoins } }
    ... on DomainError { code }
  }
}
"""
ITEM = "query($id: ID!) { marketItem(id: $id) { costCoins isActive } }"
CREATE_QUEST = """
mutation($input: CreateUniversalQuestInput!) {
  createUniversalQuest(input: $input) {
    __typename ... on CreateUniversalQuestSuccess { universalQuest { id } }
  }
}
"""
DEACTIVATE_QUEST = "mutation($id: ID!) { deactivateUniversalQuest(id: $id) { __typename } }"
ACCEPT = """
mutation($id: ID!) {
  acceptQuest(questId: $id) { __typename ... on InvalidState { status } }
}
"""
QUEST = "query($id: ID!) { universalQuest(id: $id) { isActive } }"
CREATE_ACHIEVEMENT = """
mutation($input: CreateAchievementDefinitionInput!) {
  createAchievementDefinition(input: $input) { __typename }
}
"""
HABIT = """
mutation($input: CreateHabitInput!) {
  createHabit(input: $input) { __typename ... on CreateHabitSuccess { habit { id } } }
}
"""
COMPLETE_HABIT = """
mutation($id: ID!, $key: String!) {
  completeHabit(habitId: $id, idempotencyKey: $key) {
    __typename ... on CompleteHabitSuccess { unlockedAchievements { achievementKey } }
  }
}
"""


@pytest.fixture(scope="module")
def gateways(live_database: str, log_dir: Path) -> Iterator[tuple[Gateway, Gateway]]:
    """Two gateway processes on the live database."""
    first = Gateway(live_database, log_dir).start()
    try:
        second = Gateway(live_database, log_dir).start()
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


async def call(
    client: httpx.AsyncClient, url: str, user: User, query: str, variables: dict[str, Any]
) -> Any:
    """One request; the data of its one root field (no GraphQL errors allowed)."""
    response = await client.post(
        url, json={"query": query, "variables": variables}, headers=user.auth
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return next(iter(body["data"].values()))


async def buy_concurrently(
    urls: list[str], buyers: list[User], item_id: str, extra: Any = None
) -> tuple[Counter[str], float]:
    """Every buyer buys one unit at once (buyer ``i`` on ``urls[i % len(urls)]``, each on a
    connection of its own), with ``extra`` (a coroutine) sent among them; the answers by
    type and the wall time."""
    limits = httpx.Limits(max_connections=len(buyers) + 1, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        started = time.perf_counter()
        purchases = [
            call(
                client,
                urls[i % len(urls)],
                buyer,
                PURCHASE,
                {"input": {"itemId": item_id, "idempotencyKey": uuid.uuid4().hex}},
            )
            for i, buyer in enumerate(buyers)
        ]
        half = len(purchases) // 2
        answers = await asyncio.gather(
            *purchases[:half], *([extra] if extra is not None else []), *purchases[half:]
        )
        seconds = time.perf_counter() - started
    kinds = Counter(
        a["__typename"] for a in answers if a["__typename"] != "RestockMarketItemSuccess"
    )
    return kinds, seconds


async def funded_buyers(engine: AsyncEngine, count: int) -> list[User]:
    buyers = [await new_user(engine) for _ in range(count)]
    for buyer in buyers:
        await fund(engine, buyer.id, 20)
    return buyers


async def test_a_restocked_item_sells_exactly_its_new_stock_to_50_concurrent_buyers(
    gateways: tuple[Gateway, Gateway], live_engine: AsyncEngine, admin: User
) -> None:
    urls = [g.http for g in gateways]
    async with httpx.AsyncClient(timeout=60) as client:
        created = await call(
            client,
            urls[0],
            admin,
            CREATE_ITEM,
            {
                "input": {
                    "key": f"restocked-{uuid.uuid4().hex[:8]}",
                    "name": "Mastering slot",
                    "category": "studio",
                    "costCoins": 4,
                    "totalStock": 0,
                }
            },
        )
        item_id = created["marketItem"]["id"]
        restocked = await call(client, urls[1], admin, RESTOCK, {"id": item_id, "quantity": 10})
        assert restocked["marketItem"] == {"totalStock": 10, "remainingStock": 10}

    buyers = await funded_buyers(live_engine, 50)
    kinds, seconds = await buy_concurrently(urls, buyers, item_id)
    print(f"\n50 buyers over 2 gateways, 10 units restocked: {dict(kinds)} in {seconds:.2f} s")
    assert kinds == {"PurchaseMarketItemSuccess": 10, "OutOfStock": 40}
    assert (
        await scalar(
            live_engine, "SELECT remaining_stock FROM market_items WHERE id = :i", i=item_id
        )
        == 0
    )
    assert (
        await scalar(
            live_engine, "SELECT count(*) FROM user_purchases WHERE item_id = :i", i=item_id
        )
        == 10
    )
    async with live_engine.connect() as conn:
        assert await invariant_violations(conn, [b.id for b in buyers]) == []

    # A restock racing 50 more buyers: whatever interleaving, no unit is lost or oversold.
    more = await funded_buyers(live_engine, 50)
    async with httpx.AsyncClient(timeout=60) as client:
        racing = call(client, urls[0], admin, RESTOCK, {"id": item_id, "quantity": 5})
        kinds, seconds = await buy_concurrently(urls, more, item_id, racing)
    print(f"50 buyers racing a restock of 5: {dict(kinds)} in {seconds:.2f} s")
    sold = kinds["PurchaseMarketItemSuccess"]
    assert sold + kinds["OutOfStock"] == 50 and sold <= 5
    total, remaining = (
        15,
        await scalar(
            live_engine, "SELECT remaining_stock FROM market_items WHERE id = :i", i=item_id
        ),
    )
    assert (
        await scalar(live_engine, "SELECT total_stock FROM market_items WHERE id = :i", i=item_id)
        == total
    )
    assert (
        await scalar(
            live_engine, "SELECT count(*) FROM user_purchases WHERE item_id = :i", i=item_id
        )
        == total - remaining
        == 10 + sold
    )
    async with live_engine.connect() as conn:
        assert await invariant_violations(conn, [b.id for b in more]) == []


async def test_an_edit_through_one_process_reaches_the_next_request_of_the_other(
    gateways: tuple[Gateway, Gateway], live_engine: AsyncEngine, admin: User
) -> None:
    editor, other = (g.http for g in gateways)
    user = await new_user(live_engine)
    await fund(live_engine, user.id, 200)
    async with httpx.AsyncClient(timeout=60) as client:
        # A market item's price: read on the other process (its compiled plan cached by the
        # repeated read), changed through the editor, read and paid on the other.
        created = await call(
            client,
            editor,
            admin,
            CREATE_ITEM,
            {
                "input": {
                    "key": f"repriced-{uuid.uuid4().hex[:8]}",
                    "name": "Sample pack",
                    "category": "studio",
                    "costCoins": 30,
                }
            },
        )
        item_id = created["marketItem"]["id"]
        for _ in range(3):
            assert (await call(client, other, user, ITEM, {"id": item_id}))["costCoins"] == 30
        await call(client, editor, admin, UPDATE_ITEM, {"id": item_id, "input": {"costCoins": 45}})
        assert (await call(client, other, user, ITEM, {"id": item_id}))["costCoins"] == 45
        paid = await call(
            client,
            other,
            user,
            PURCHASE,
            {"input": {"itemId": item_id, "idempotencyKey": uuid.uuid4().hex}},
        )
        assert paid["purchase"]["costCoins"] == 45
        await call(
            client, editor, admin, UPDATE_ITEM, {"id": item_id, "input": {"isActive": False}}
        )
        refused = await call(
            client,
            other,
            user,
            PURCHASE,
            {"input": {"itemId": item_id, "idempotencyKey": uuid.uuid4().hex}},
        )
        assert refused["code"] == "ITEM_UNAVAILABLE"

        # A quest deactivated through the editor is refused by the other at once.
        quest = await call(
            client,
            editor,
            admin,
            CREATE_QUEST,
            {"input": {"title": f"Live quest {uuid.uuid4().hex[:8]}", "targetType": "PAGES_READ"}},
        )
        quest_id = quest["universalQuest"]["id"]
        assert (await call(client, other, user, QUEST, {"id": quest_id}))["isActive"] is True
        await call(client, editor, admin, DEACTIVATE_QUEST, {"id": quest_id})
        assert (await call(client, other, user, QUEST, {"id": quest_id}))["isActive"] is False
        accept = await call(client, other, user, ACCEPT, {"id": quest_id})
        assert accept == {"__typename": "InvalidState", "status": "inactive"}

        # An achievement created through the editor unlocks on the other's next completion.
        key = f"live-ach-{uuid.uuid4().hex[:8]}"
        await call(
            client,
            editor,
            admin,
            CREATE_ACHIEVEMENT,
            {
                "input": {
                    "key": key,
                    "name": "Live check",
                    "category": "habits",
                    "triggerType": "HABIT_COMPLETIONS",
                    "triggerConfig": {"count": 1},
                }
            },
        )
        try:
            habit = await call(client, other, user, HABIT, {"input": {"name": "Scales"}})
            done = await call(
                client,
                other,
                user,
                COMPLETE_HABIT,
                {"id": habit["habit"]["id"], "key": uuid.uuid4().hex},
            )
            assert key in {u["achievementKey"] for u in done["unlockedAchievements"]}
        finally:
            # Unlocked by nobody else: the live database's later tests complete habits too.
            await execute(
                live_engine,
                "UPDATE achievement_definitions SET is_active = false WHERE key = :k",
                k=key,
            )
    async with live_engine.connect() as conn:
        assert await invariant_violations(conn, [user.id]) == []
