"""Example calls of the game catalog's staff mutations (market items, universal quests,
achievement and skill definitions; entitlement ``catalog:manage``) for the entitlement matrix.

The rows an example needs (the item to restock, the quest to change) are inserted inactive, so
they sell, advance and unlock nothing while the matrix runs; the rows an allowed create makes
are inactive too (``isActive: false``) for the same reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db import metadata
from tests.admin.examples import Example
from tests.admin.game import achievement_input, item_input, quest_input, skill_input

#: GraphQL type -> (table, a create input of it, the columns of a row to insert for the
#: update and deactivate examples).
_RESOURCES: dict[str, tuple[str, Callable[..., dict[str, Any]], Callable[[], dict[str, Any]]]] = {
    "MarketItem": (
        "market_items",
        item_input,
        lambda: {
            "key": f"matrix-{uuid.uuid4().hex[:10]}",
            "name": "Matrix item",
            "category": "rewards",
            "cost_coins": 1,
            "total_stock": 1,
            "remaining_stock": 1,
        },
    ),
    "UniversalQuest": (
        "universal_quests",
        quest_input,
        lambda: {"title": f"Matrix quest {uuid.uuid4().hex[:10]}", "target_type": "pages_read"},
    ),
    "AchievementDefinition": (
        "achievement_definitions",
        achievement_input,
        lambda: {
            "key": f"matrix-{uuid.uuid4().hex[:10]}",
            "name": "Matrix achievement",
            "category": "matrix",
            "trigger_type": "habit_completions",
            "trigger_config": {"count": 1},
        },
    ),
    "SkillDefinition": (
        "skill_definitions",
        skill_input,
        lambda: {
            "key": f"matrix-{uuid.uuid4().hex[:10]}",
            "name": "Matrix skill",
            "category": "creativity",
        },
    ),
}


def _inserted(
    table: str, columns: Callable[[], dict[str, Any]]
) -> Callable[[AsyncEngine], Awaitable[str]]:
    async def insert(engine: AsyncEngine) -> str:
        target = metadata.tables[table]
        async with engine.begin() as conn:
            row_id = (
                await conn.execute(
                    sa.insert(target).values(**columns(), is_active=False).returning(target.c.id)
                )
            ).scalar_one()
        return str(row_id)

    return insert


def _examples() -> dict[str, Example]:
    examples: dict[str, Example] = {}
    for resource, (table, create_input, columns) in _RESOURCES.items():
        insert = _inserted(table, columns)

        async def create(_: AsyncEngine, make: Any = create_input) -> dict[str, Any]:
            return {"input": make(isActive=False)}

        async def update(engine: AsyncEngine, insert: Any = insert) -> dict[str, Any]:
            return {"id": await insert(engine), "input": {"sortOrder": 7}}

        async def deactivate(engine: AsyncEngine, insert: Any = insert) -> dict[str, Any]:
            return {"id": await insert(engine)}

        examples[f"create{resource}"] = Example(
            f"mutation($input: Create{resource}Input!) "
            f"{{ create{resource}(input: $input) {{ __typename }} }}",
            create,
        )
        examples[f"update{resource}"] = Example(
            f"mutation($id: ID!, $input: Update{resource}Input!) "
            f"{{ update{resource}(id: $id, input: $input) {{ __typename }} }}",
            update,
        )
        examples[f"deactivate{resource}"] = Example(
            f"mutation($id: ID!) {{ deactivate{resource}(id: $id) {{ __typename }} }}",
            deactivate,
        )
    restock_item = _inserted("market_items", _RESOURCES["MarketItem"][2])

    async def restock(engine: AsyncEngine) -> dict[str, Any]:
        return {"id": await restock_item(engine), "quantity": 5}

    examples["restockMarketItem"] = Example(
        "mutation($id: ID!, $quantity: Int!) "
        "{ restockMarketItem(id: $id, quantity: $quantity) { __typename } }",
        restock,
    )
    return examples


EXAMPLES: dict[str, Example] = _examples()
