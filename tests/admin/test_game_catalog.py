"""Staff management of the game's economy catalogs through the API (docs/admin.md): market
items (create, update, restock, deactivate), universal quests, achievement and skill
definitions. Each mutation is allowed to an admin and audited with the fields before and
after; each validated field's bad value is ``InvalidInput`` naming it and changes nothing;
price changes spare past purchases; a quest an admin creates is accepted, advanced by the real
transitions and claimed; deactivating leaves users' progress and unlocks intact."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.activity import Actor
from db.auth.viewer import Viewer
from db.gamification.transitions import Grant, grant_points
from db.quests.models import QuestTargetType
from db.quests.rules import COUNTED, check_counted, target_config_problem
from schema.core.mutations import declared
from tests.admin.examples import game
from tests.admin.game import (
    RESTOCK,
    Created,
    achievement_input,
    create_doc,
    created,
    deactivate_doc,
    item_input,
    quest_input,
    skill_input,
    update_doc,
)
from tests.support.fixtures import Mutate
from tests.support.harness import assert_denied, committed_user, refused, snapshot
from tests.support.money import scalar

__all__ = ["created"]  # the fixture, imported for pytest

#: The modules that declare the game catalog's staff mutations (the shared declaration of
#: every catalog, and the market's restock).
_GAME_MODULES = {"schema.core.catalog", "schema.market.admin"}
#: The game catalogs' rows (the other catalogs declared the same way are the content ones).
_GAME_RESOURCES = ("MarketItem", "UniversalQuest", "AchievementDefinition", "SkillDefinition")
#: Deletes the rows the examples made (their keys and titles say so).
_EXAMPLE_ROWS = (
    "DELETE FROM market_items WHERE key LIKE 'matrix-%' OR key LIKE 'staff-item-%'",
    "DELETE FROM universal_quests WHERE title LIKE 'Matrix quest %' OR title LIKE 'Staff quest %'",
    "DELETE FROM achievement_definitions WHERE key LIKE 'matrix-%' OR key LIKE 'staff-ach-%'",
    "DELETE FROM skill_definitions WHERE key LIKE 'matrix-%' OR key LIKE 'staff-skill-%'",
)

BUY = """
mutation($input: PurchaseMarketItemInput!) {
  purchaseMarketItem(input: $input) {
    __typename
    ... on PurchaseMarketItemSuccess { purchase { id costCoins } }
    ... on DomainError { code }
  }
}
"""
HABIT = """
mutation($input: CreateHabitInput!) {
  createHabit(input: $input) { __typename ... on CreateHabitSuccess { habit { id } } }
}
"""
COMPLETE_HABIT = """
mutation($id: ID!, $key: String!) {
  completeHabit(habitId: $id, idempotencyKey: $key) { __typename }
}
"""
ACCEPT = """
mutation($id: ID!) {
  acceptQuest(questId: $id) {
    __typename
    ... on AcceptQuestSuccess { questProgress { id status progress } }
    ... on DomainError { code }
    ... on InvalidState { status }
  }
}
"""
CLAIM = """
mutation($id: ID!, $key: String!) {
  claimQuestReward(questId: $id, idempotencyKey: $key) {
    __typename
    ... on ClaimQuestRewardSuccess { questProgress { status timesCompleted } wallet { coins } }
  }
}
"""


async def ok(mutate: Mutate, document: str, variables: dict[str, Any], viewer: Viewer) -> Any:
    """Run a mutation that must succeed; returns its success payload."""
    result = await mutate(document, variables, viewer=viewer)
    assert result.errors == [], result.errors
    payload = next(iter(result.data.values()))
    assert payload["__typename"].endswith("Success"), payload
    return payload


def changed(fields: dict[str, Any]) -> dict[str, Any]:
    """An audit row's ``before`` or ``after`` without ``updated_at`` (stamped on every write)."""
    return {k: v for k, v in fields.items() if k != "updated_at"}


async def last_audit(engine: AsyncEngine, actor: Viewer) -> Any:
    async with engine.connect() as conn:
        return (
            await conn.execute(
                sa.text(
                    "SELECT action, resource_type, resource_id, status::text AS status, details "
                    "FROM audit_log WHERE user_id = :u ORDER BY created_at DESC, id DESC LIMIT 1"
                ),
                {"u": actor.user_id},
            )
        ).one()


async def row_of(engine: AsyncEngine, table: str, row_id: str) -> dict[str, Any]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(sa.text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id})
        ).one()
    return dict(row._mapping)


async def fund(engine: AsyncEngine, user: Viewer, coins: int) -> None:
    async with engine.begin() as conn:
        await grant_points(
            conn, Grant(user_id=user.user_id, coins=coins, reason="test"), actor=Actor(user.user_id)
        )


def buy(item_id: str) -> dict[str, Any]:
    return {"input": {"itemId": item_id, "quantity": 1, "idempotencyKey": uuid.uuid4().hex}}


# ---- market items ---------------------------------------------------------------------------


async def test_admin_creates_a_market_item_audited(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    start = datetime(2030, 1, 1, tzinfo=UTC)
    values = item_input(
        totalStock=5,
        rarity="RARE",
        availableFrom=start.isoformat(),
        availableUntil=(start + timedelta(days=7)).isoformat(),
    )
    payload = await ok(mutate, create_doc("MarketItem"), {"input": values}, admin)
    item = payload["marketItem"]
    item_id = created.add(payload)
    assert (item["key"], item["costCoins"], item["totalStock"], item["remainingStock"]) == (
        values["key"],
        30,
        5,
        5,
    )
    assert item["isActive"] is True and item["rarity"] == "RARE"
    audit = await last_audit(engine, admin)
    assert (audit.action, audit.resource_type, audit.resource_id, audit.status) == (
        "createMarketItem",
        "market_items",
        item_id,
        "success",
    )
    assert audit.details["after"]["cost_coins"] == 30
    assert audit.details["after"]["remaining_stock"] == 5
    assert not audit.details.get("before")


_INPUTS = {
    "MarketItem": item_input,
    "UniversalQuest": quest_input,
    "AchievementDefinition": achievement_input,
    "SkillDefinition": skill_input,
}


@pytest.mark.parametrize(
    ("resource", "values", "field"),
    [
        ("MarketItem", {"costCoins": -1}, "input.costCoins"),
        ("MarketItem", {"name": "   "}, "input.name"),
        ("MarketItem", {"key": "Not A Key"}, "input.key"),
        ("MarketItem", {"category": ""}, "input.category"),
        ("MarketItem", {"usesPerPurchase": 0}, "input.usesPerPurchase"),
        ("MarketItem", {"totalStock": -1}, "input.totalStock"),
        ("MarketItem", {"imageUrl": "ftp://example.com/a.png"}, "input.imageUrl"),
        ("MarketItem", {"sortOrder": 10_000_000}, "input.sortOrder"),
        (
            "MarketItem",
            {
                "availableFrom": "2030-01-02T00:00:00+00:00",
                "availableUntil": "2030-01-01T00:00:00Z",
            },
            "input.availableUntil",
        ),
        ("MarketItem", {"isActive": None}, "input.isActive"),
        ("UniversalQuest", {"targetType": "MANUAL"}, "input.targetType"),
        (
            "UniversalQuest",
            {"targetConfig": {"min_pages": 5}},
            "input.targetConfig",
        ),  # habits have no pages
        ("UniversalQuest", {"targetConfig": {"frequency": 3}}, "input.targetConfig"),
        ("UniversalQuest", {"targetConfig": {"min_frequency": 3}}, "input.targetConfig"),
        ("UniversalQuest", {"targetConfig": [1]}, "input.targetConfig"),
        ("UniversalQuest", {"target": 0}, "input.target"),
        ("UniversalQuest", {"xpReward": -1}, "input.xpReward"),
        ("UniversalQuest", {"coinReward": 100_001}, "input.coinReward"),
        ("UniversalQuest", {"title": ""}, "input.title"),
        ("UniversalQuest", {"skillKey": "no-such-skill"}, "input.skillKey"),
        ("AchievementDefinition", {"triggerConfig": {"count": 0}}, "input.triggerConfig"),
        (
            "AchievementDefinition",
            {"triggerConfig": {"minutes": 5}},
            "input.triggerConfig",
        ),  # habits count, not minutes
        (
            "AchievementDefinition",
            {"triggerConfig": {"count": 1, "extra": 2}},
            "input.triggerConfig",
        ),
        ("AchievementDefinition", {"triggerConfig": {"count": "1"}}, "input.triggerConfig"),
        ("AchievementDefinition", {"triggerConfig": {"count": 1.5}}, "input.triggerConfig"),
        (
            "AchievementDefinition",
            {"triggerType": "LEVEL_REACHED"},
            "input.triggerConfig",
        ),  # {"count"} is not a level
        ("AchievementDefinition", {"rewardCoins": -5}, "input.rewardCoins"),
        ("AchievementDefinition", {"key": ""}, "input.key"),
        ("AchievementDefinition", {"category": "   "}, "input.category"),
        ("SkillDefinition", {"maxLevel": 0}, "input.maxLevel"),
        ("SkillDefinition", {"name": ""}, "input.name"),
    ],
)
async def test_bad_fields_are_refused_naming_them(
    mutate: Mutate, engine: AsyncEngine, resource: str, values: dict[str, Any], field: str
) -> None:
    """Each validated field's bad value: ``InvalidInput`` naming it, nothing changed."""
    admin = await committed_user(engine, admin=True)
    variables = {"input": _INPUTS[resource](**values)}
    payload = await refused(engine, mutate, create_doc(resource), variables, admin)
    assert (payload["__typename"], payload["field"]) == ("InvalidInput", field)


async def test_a_taken_key_is_refused(engine: AsyncEngine, mutate: Mutate) -> None:
    admin = await committed_user(engine, admin=True)
    async with engine.connect() as conn:
        key = (await conn.execute(sa.text("SELECT key FROM market_items LIMIT 1"))).scalar_one()
    payload = await refused(
        engine, mutate, create_doc("MarketItem"), {"input": item_input(key=key)}, admin
    )
    assert payload["field"] == "input.key"


async def test_a_price_change_spares_past_purchases(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    await fund(engine, user, 200)
    payload = await ok(mutate, create_doc("MarketItem"), {"input": item_input()}, admin)
    item_id = created.add(payload)
    first = await ok(mutate, BUY, buy(item_id), user)

    repriced = await ok(
        mutate, update_doc("MarketItem"), {"id": item_id, "input": {"costCoins": 55}}, admin
    )
    assert repriced["marketItem"]["costCoins"] == 55
    audit = await last_audit(engine, admin)
    assert audit.action == "updateMarketItem"
    assert audit.details["before"]["cost_coins"] == 30
    assert audit.details["after"]["cost_coins"] == 55
    assert "name" not in audit.details["after"]  # only the changed fields

    second = await ok(mutate, BUY, buy(item_id), user)
    purchase = await row_of(engine, "user_purchases", first["purchase"]["id"])
    assert purchase["cost_coins"] == 30
    assert second["purchase"]["costCoins"] == 55


async def test_bad_updates_change_nothing(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    await fund(engine, user, 200)
    values = item_input(
        totalStock=3, availableFrom="2020-01-01T00:00:00Z", availableUntil="2099-01-01T00:00:00Z"
    )
    item_id = created.add(await ok(mutate, create_doc("MarketItem"), {"input": values}, admin))
    await ok(mutate, BUY, buy(item_id), user)
    await ok(mutate, BUY, buy(item_id), user)
    before = await row_of(engine, "market_items", item_id)
    update = update_doc("MarketItem")
    cases = [
        ({"totalStock": 1}, "input.totalStock"),  # 2 sold
        ({"availableUntil": "2019-01-01T00:00:00Z"}, "input.availableUntil"),
        ({}, "input"),
    ]
    for change, field in cases:
        payload = await refused(engine, mutate, update, {"id": item_id, "input": change}, admin)
        assert payload["field"] == field, change
    missing = await refused(
        engine, mutate, update, {"id": str(uuid.uuid4()), "input": {"name": "X"}}, admin
    )
    assert missing["__typename"] == "NotFound"
    malformed = await refused(engine, mutate, update, {"id": "nope", "input": {"name": "X"}}, admin)
    assert malformed["field"] == "id"
    assert await row_of(engine, "market_items", item_id) == before

    lowered = await ok(mutate, update, {"id": item_id, "input": {"totalStock": 2}}, admin)
    assert (lowered["marketItem"]["totalStock"], lowered["marketItem"]["remainingStock"]) == (2, 0)
    unlimited = await ok(mutate, update, {"id": item_id, "input": {"totalStock": None}}, admin)
    assert unlimited["marketItem"]["remainingStock"] is None


async def test_restock_adds_units_audited(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    values = item_input(totalStock=2)
    item_id = created.add(await ok(mutate, create_doc("MarketItem"), {"input": values}, admin))
    payload = await ok(mutate, RESTOCK, {"id": item_id, "quantity": 3}, admin)
    assert (payload["marketItem"]["totalStock"], payload["marketItem"]["remainingStock"]) == (5, 5)
    audit = await last_audit(engine, admin)
    assert audit.action == "restockMarketItem"
    assert audit.details["quantity"] == 3
    assert (audit.details["before"]["total_stock"], audit.details["after"]["total_stock"]) == (2, 5)

    for quantity in (0, 1_000_001):
        bad = await refused(engine, mutate, RESTOCK, {"id": item_id, "quantity": quantity}, admin)
        assert bad["field"] == "quantity"
    missing = await refused(
        engine, mutate, RESTOCK, {"id": str(uuid.uuid4()), "quantity": 1}, admin
    )
    assert missing["__typename"] == "NotFound"
    unlimited = created.add(
        await ok(mutate, create_doc("MarketItem"), {"input": item_input()}, admin)
    )
    state = await refused(engine, mutate, RESTOCK, {"id": unlimited, "quantity": 1}, admin)
    assert (state["__typename"], state["status"]) == ("InvalidState", "unlimited")


async def test_a_deactivated_item_is_not_sold_and_its_purchases_stay(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    await fund(engine, user, 100)
    item_id = created.add(
        await ok(mutate, create_doc("MarketItem"), {"input": item_input()}, admin)
    )
    bought = await ok(mutate, BUY, buy(item_id), user)
    payload = await ok(mutate, deactivate_doc("MarketItem"), {"id": item_id}, admin)
    assert payload["marketItem"]["isActive"] is False
    assert changed((await last_audit(engine, admin)).details["after"]) == {"is_active": False}
    refusal = await refused(engine, mutate, BUY, buy(item_id), user)
    assert refusal["code"] == "ITEM_UNAVAILABLE"
    purchase = await row_of(engine, "user_purchases", bought["purchase"]["id"])
    assert (purchase["status"], purchase["cost_coins"]) == ("active", 30)


# ---- universal quests -------------------------------------------------------------------------


def test_every_counted_target_type_is_one_the_transitions_pass() -> None:
    """The table staff's checks read is the one :func:`advance_quests` enforces: every type
    but ``manual`` is counted, and an undeclared attribute is a programming error."""
    assert set(COUNTED) == {t.value for t in QuestTargetType} - {QuestTargetType.MANUAL.value}
    with pytest.raises(ValueError):
        check_counted("manual", {})
    with pytest.raises(ValueError):
        check_counted("pages_read", {"mood": "happy"})
    with pytest.raises(ValueError):
        check_counted("pages_read", {"pages": "ten"})
    assert target_config_problem("focus_minutes", {"mode": "focus", "min_minutes": 25}) is None
    assert target_config_problem("focus_minutes", {"min_mode": 1}) is not None
    assert target_config_problem("focus_minutes", {"minutes": 25}) is not None


async def test_a_quest_created_by_an_admin_is_accepted_advanced_and_claimed(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    values = quest_input(targetConfig={"frequency": "daily"}, skillKey="discipline")
    payload = await ok(mutate, create_doc("UniversalQuest"), {"input": values}, admin)
    quest_id = created.add(payload)
    assert payload["universalQuest"]["targetType"] == "HABIT_COMPLETIONS"
    assert (await row_of(engine, "universal_quests", quest_id))["created_by"] == admin.user_id

    accepted = await ok(mutate, ACCEPT, {"id": quest_id}, user)
    assert accepted["questProgress"]["status"] == "ACCEPTED"
    for name in ("Scales", "Ear training"):
        habit = await ok(mutate, HABIT, {"input": {"name": name}}, user)
        await ok(
            mutate, COMPLETE_HABIT, {"id": habit["habit"]["id"], "key": uuid.uuid4().hex}, user
        )
    progress = await row_of(engine, "user_quest_progress", accepted["questProgress"]["id"])
    assert (progress["status"], progress["progress"]) == ("completed", 2)
    claimed = await ok(mutate, CLAIM, {"id": quest_id, "key": uuid.uuid4().hex}, user)
    assert claimed["questProgress"] == {"status": "CLAIMED", "timesCompleted": 1}


async def test_a_quest_update_is_checked_against_the_row_and_audited(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    values = quest_input(targetConfig={"frequency": "daily"})
    quest_id = created.add(await ok(mutate, create_doc("UniversalQuest"), {"input": values}, admin))
    update = update_doc("UniversalQuest")
    # The stored filter does not fit pages: the new target type is refused with it.
    bad = await refused(
        engine, mutate, update, {"id": quest_id, "input": {"targetType": "PAGES_READ"}}, admin
    )
    assert bad["field"] == "input.targetConfig"
    moved = await ok(
        mutate,
        update,
        {"id": quest_id, "input": {"targetType": "PAGES_READ", "targetConfig": {"min_pages": 5}}},
        admin,
    )
    assert moved["universalQuest"]["targetConfig"] == {"min_pages": 5}
    audit = await last_audit(engine, admin)
    assert changed(audit.details["before"]) == {
        "target_type": "habit_completions",
        "target_config": {"frequency": "daily"},
    }
    assert changed(audit.details["after"]) == {
        "target_type": "pages_read",
        "target_config": {"min_pages": 5},
    }


async def test_deactivating_a_quest_leaves_progress_intact(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    values = quest_input(target=1)
    quest_id = created.add(await ok(mutate, create_doc("UniversalQuest"), {"input": values}, admin))
    accepted = await ok(mutate, ACCEPT, {"id": quest_id}, user)
    habit = await ok(mutate, HABIT, {"input": {"name": "Scales"}}, user)
    await ok(mutate, COMPLETE_HABIT, {"id": habit["habit"]["id"], "key": uuid.uuid4().hex}, user)
    before = await row_of(engine, "user_quest_progress", accepted["questProgress"]["id"])

    payload = await ok(mutate, deactivate_doc("UniversalQuest"), {"id": quest_id}, admin)
    assert payload["universalQuest"]["isActive"] is False
    assert await row_of(engine, "user_quest_progress", before["id"]) == before
    # A completion made stays claimable; a new user cannot take the quest on.
    claimed = await ok(mutate, CLAIM, {"id": quest_id, "key": uuid.uuid4().hex}, user)
    assert claimed["questProgress"]["status"] == "CLAIMED"
    other = await committed_user(engine)
    refusal = await refused(engine, mutate, ACCEPT, {"id": quest_id}, other)
    assert refusal["status"] == "inactive"


# ---- achievements and skills ------------------------------------------------------------------


async def test_deactivating_an_achievement_keeps_unlocks_and_stops_new_ones(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    document = create_doc("AchievementDefinition")
    payload = await ok(mutate, document, {"input": achievement_input()}, admin)
    achievement_id = created.add(payload)
    key = payload["achievementDefinition"]["key"]
    assert (await last_audit(engine, admin)).action == "createAchievementDefinition"

    async def complete_a_habit(user: Viewer) -> int:
        habit = await ok(mutate, HABIT, {"input": {"name": "Scales"}}, user)
        await ok(
            mutate, COMPLETE_HABIT, {"id": habit["habit"]["id"], "key": uuid.uuid4().hex}, user
        )
        return int(
            await scalar(
                engine,
                "SELECT count(*) FROM user_achievements "
                "WHERE user_id = :u AND achievement_key = :k",
                u=user.user_id,
                k=key,
            )
        )

    first = await committed_user(engine)
    assert await complete_a_habit(first) == 1
    deactivated = await ok(
        mutate, deactivate_doc("AchievementDefinition"), {"id": achievement_id}, admin
    )
    assert deactivated["achievementDefinition"]["isActive"] is False
    kept = "SELECT count(*) FROM user_achievements WHERE achievement_key = :k"
    assert await scalar(engine, kept, k=key) == 1
    second = await committed_user(engine)
    assert await complete_a_habit(second) == 0

    renamed = await ok(
        mutate,
        update_doc("AchievementDefinition"),
        {"id": achievement_id, "input": {"name": "First tick", "triggerConfig": {"count": 3}}},
        admin,
    )
    assert renamed["achievementDefinition"]["triggerConfig"] == {"count": 3}
    bad = await refused(
        engine,
        mutate,
        update_doc("AchievementDefinition"),
        {"id": achievement_id, "input": {"triggerType": "COINS_EARNED_TOTAL"}},
        admin,
    )
    assert bad["field"] == "input.triggerConfig"


async def test_skills_are_created_updated_and_deactivated(
    created: Created, mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    payload = await ok(mutate, create_doc("SkillDefinition"), {"input": skill_input()}, admin)
    skill_id = created.add(payload)
    key = payload["skillDefinition"]["key"]
    assert payload["skillDefinition"]["maxLevel"] == 10  # the column default
    taken = await refused(
        engine, mutate, create_doc("SkillDefinition"), {"input": skill_input(key=key)}, admin
    )
    assert taken["field"] == "input.key"
    updated = await ok(
        mutate, update_doc("SkillDefinition"), {"id": skill_id, "input": {"maxLevel": 20}}, admin
    )
    assert updated["skillDefinition"]["maxLevel"] == 20
    quest = await ok(
        mutate, create_doc("UniversalQuest"), {"input": quest_input(skillKey=key)}, admin
    )
    created.add(quest)
    await ok(mutate, deactivate_doc("SkillDefinition"), {"id": skill_id}, admin)
    inactive = await refused(
        engine, mutate, create_doc("UniversalQuest"), {"input": quest_input(skillKey=key)}, admin
    )
    assert inactive["field"] == "input.skillKey"


async def test_a_viewer_without_the_entitlement_is_forbidden(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    user = await committed_user(engine)
    result = await mutate(create_doc("MarketItem"), {"input": item_input()}, viewer=user)
    assert result.codes == ["FORBIDDEN"]


async def test_every_game_catalog_example_is_allowed_to_an_admin_and_denied_to_a_user(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    """The examples of tests/admin/examples/game.py cover every ``catalog:manage`` mutation
    declared here and run as they say: success as an admin; ``FORBIDDEN`` for a user, with
    nothing changed but the ``denied`` audit row."""
    ours = {
        name
        for name, d in declared().items()
        if d.entitlement == "catalog:manage"
        and d.fn.__module__ in _GAME_MODULES
        and name.endswith(_GAME_RESOURCES)
    }
    assert ours == set(game.EXAMPLES)
    admin = await committed_user(engine, admin=True)
    user = await committed_user(engine)
    try:
        for name, example in sorted(game.EXAMPLES.items()):
            variables = await example.variables(engine)
            result = await mutate(example.document, variables, viewer=admin)
            assert result.errors == [], (name, result.errors)
            assert result.data[name]["__typename"].endswith("Success"), (name, result.data)
            variables = await example.variables(engine)
            async with engine.connect() as conn:
                before = await snapshot(conn)
            result = await mutate(example.document, variables, viewer=user)
            assert result.codes == ["FORBIDDEN"], name
            async with engine.connect() as conn:
                await assert_denied(conn, before, user.user_id, name)
    finally:
        async with engine.begin() as conn:
            for statement in _EXAMPLE_ROWS:
                await conn.execute(sa.text(statement))


_ROOTS = {
    "MarketItem": ("marketItems", item_input),
    "UniversalQuest": ("universalQuests", quest_input),
    "AchievementDefinition": ("achievementDefinitions", achievement_input),
    "SkillDefinition": ("skillDefinitions", skill_input),
}


@pytest.mark.parametrize("resource", sorted(_ROOTS))
async def test_the_players_roots_list_a_deactivated_row_alike(
    created: Created, mutate: Mutate, engine: AsyncEngine, resource: str
) -> None:
    """The four game catalogs' roots treat a deactivated row alike (docs/admin.md, "The
    game's catalogs"): a player still finds it, inactive (users' rows point at it), and
    ``filter: {isActive: true}`` leaves it out."""
    root, values = _ROOTS[resource]
    admin = await committed_user(engine, admin=True)
    player = await committed_user(engine)
    row_id = created.add(await ok(mutate, create_doc(resource), {"input": values()}, admin))
    await ok(mutate, deactivate_doc(resource), {"id": row_id}, admin)
    listed: dict[bool, set[str]] = {}
    for active in (True, False):
        document = (
            f"query($a: Boolean) {{ {root}(first: 100, filter: {{isActive: $a}}) "
            "{ edges { node { id isActive } } } }"
        )
        result = await mutate(document, {"a": active}, viewer=player)
        assert result.errors == [], result.errors
        nodes = [e["node"] for e in result.data[root]["edges"]]
        assert {n["isActive"] for n in nodes} <= {active}
        listed[active] = {str(n["id"]) for n in nodes}
    assert row_id in listed[False]
    assert row_id not in listed[True]
