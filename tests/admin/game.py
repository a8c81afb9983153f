"""What the tests of the game's staff catalog mutations share: the documents of the market
item, universal quest, achievement and skill mutations, and a ``created`` registry that deletes
the catalog rows a test made (and the user rows pointing at them) when it ends, since the
catalogs are shared by the run's tests (the seed tests count them)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

_ERRORS = {
    "InvalidInput": "field",
    "NotFound": "resource",
    "InvalidState": "status",
}


def _document(
    mutation: str, arguments: str, call: str, payload: str, fields: str, *errors: str
) -> str:
    error_fields = " ".join(f"... on {e} {{ {_ERRORS[e]} }}" for e in ("InvalidInput", *errors))
    return f"""
mutation({arguments}) {{
  {mutation}({call}) {{
    __typename
    ... on {mutation[:1].upper()}{mutation[1:]}Success {{ {payload} {{ {fields} }} }}
    ... on DomainError {{ code message }}
    {error_fields}
  }}
}}
"""


#: The fields each test reads of a row, by GraphQL type.
FIELDS = {
    "MarketItem": "id key name costCoins totalStock remainingStock isActive availableFrom "
    "availableUntil rarity",
    "UniversalQuest": "id title targetType targetConfig target isActive skillKey",
    "AchievementDefinition": "id key name triggerType triggerConfig isActive",
    "SkillDefinition": "id key name category maxLevel isActive",
}
_PAYLOADS = {
    "MarketItem": "marketItem",
    "UniversalQuest": "universalQuest",
    "AchievementDefinition": "achievementDefinition",
    "SkillDefinition": "skillDefinition",
}


def create_doc(resource: str) -> str:
    """``create<resource>(input: $input)``."""
    return _document(
        f"create{resource}",
        f"$input: Create{resource}Input!",
        "input: $input",
        _PAYLOADS[resource],
        FIELDS[resource],
    )


def update_doc(resource: str) -> str:
    """``update<resource>(id: $id, input: $input)``."""
    return _document(
        f"update{resource}",
        f"$id: ID!, $input: Update{resource}Input!",
        "id: $id, input: $input",
        _PAYLOADS[resource],
        FIELDS[resource],
        "NotFound",
    )


def deactivate_doc(resource: str) -> str:
    """``deactivate<resource>(id: $id)``."""
    return _document(
        f"deactivate{resource}",
        "$id: ID!",
        "id: $id",
        _PAYLOADS[resource],
        FIELDS[resource],
        "NotFound",
    )


RESTOCK = _document(
    "restockMarketItem",
    "$id: ID!, $quantity: Int!",
    "id: $id, quantity: $quantity",
    "marketItem",
    FIELDS["MarketItem"],
    "NotFound",
    "InvalidState",
)


def suffix() -> str:
    """A fresh suffix for keys and titles."""
    return uuid.uuid4().hex[:10]


def item_input(**values: Any) -> dict[str, Any]:
    """A valid ``CreateMarketItemInput``, with ``values`` over it."""
    return {
        "key": f"staff-item-{suffix()}",
        "name": "Studio hour",
        "category": "rewards",
        "costCoins": 30,
        **values,
    }


def quest_input(**values: Any) -> dict[str, Any]:
    """A valid ``CreateUniversalQuestInput`` (two habit completions a day, no reward)."""
    return {
        "title": f"Staff quest {suffix()}",
        "targetType": "HABIT_COMPLETIONS",
        "target": 2,
        "xpReward": 15,
        "coinReward": 7,
        **values,
    }


def achievement_input(**values: Any) -> dict[str, Any]:
    """A valid ``CreateAchievementDefinitionInput`` (one habit completion, no reward)."""
    return {
        "key": f"staff-ach-{suffix()}",
        "name": "First check",
        "category": "habits",
        "triggerType": "HABIT_COMPLETIONS",
        "triggerConfig": {"count": 1},
        **values,
    }


def skill_input(**values: Any) -> dict[str, Any]:
    """A valid ``CreateSkillDefinitionInput``."""
    return {"key": f"staff-skill-{suffix()}", "name": "Mixing", "category": "CREATIVITY", **values}


#: Table -> the statements that delete what refers to one of its rows (``:id``).
_DEPENDENTS = {
    "market_items": (
        "DELETE FROM market_transactions WHERE item_id = :id",
        "DELETE FROM user_purchases WHERE item_id = :id",
    ),
    "universal_quests": ("DELETE FROM user_quest_progress WHERE quest_id = :id",),
    "achievement_definitions": (
        "DELETE FROM user_achievements WHERE achievement_key = "
        "(SELECT key FROM achievement_definitions WHERE id = :id)",
    ),
    "skill_definitions": (
        "UPDATE universal_quests SET skill_key = NULL WHERE skill_key = "
        "(SELECT key FROM skill_definitions WHERE id = :id)",
    ),
}
_TABLES = {
    "MarketItem": "market_items",
    "UniversalQuest": "universal_quests",
    "AchievementDefinition": "achievement_definitions",
    "SkillDefinition": "skill_definitions",
}


class Created:
    """The catalog rows a test created through the API, deleted when it ends."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str]] = []

    def add(self, payload: dict[str, Any]) -> str:
        """Remember the row of a create's success payload; returns its id."""
        resource = next(r for r, p in _PAYLOADS.items() if p in payload)
        row_id = str(payload[_PAYLOADS[resource]]["id"])
        self.rows.append((_TABLES[resource], row_id))
        return row_id

    async def delete(self, engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            for table, row_id in reversed(self.rows):
                for statement in _DEPENDENTS[table]:
                    await conn.execute(sa.text(statement), {"id": row_id})
                await conn.execute(sa.text(f"DELETE FROM {table} WHERE id = :id"), {"id": row_id})


@pytest.fixture
async def created(engine: AsyncEngine) -> AsyncIterator[Created]:
    """The :class:`Created` registry of a test (request it before ``mutate``, so that the
    ledger invariants are checked before the rows go)."""
    registry = Created()
    yield registry
    await registry.delete(engine)


__all__ = [
    "FIELDS",
    "RESTOCK",
    "Created",
    "achievement_input",
    "create_doc",
    "created",
    "deactivate_doc",
    "item_input",
    "quest_input",
    "skill_input",
    "suffix",
    "update_doc",
]
