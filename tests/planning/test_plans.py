"""Daily plan mutations: setDailyPlan (validated items, ``done`` only through ticking, notes
kept when left out), completePlanItem (one ``plan_items_completed`` unit, idempotent),
uncompletePlanItem (the unit taken back) and applyPlanTemplate; every typed error leaves the
database as it was; another user's plans and templates are absent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.errors import InvalidInput
from db.planning.rules import MAX_ITEMS, check_done, clean_items, template_items
from gateway.auth import Viewer
from tests.factories import committed_quest
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user
from tests.support.writes import errors, payload_of, row, unchanged, value

PLAN = "plan { id date notes items }"
SET = f"""
mutation($input: SetDailyPlanInput!) {{
  setDailyPlan(input: $input) {{
    __typename
    ... on SetDailyPlanSuccess {{ {PLAN} }}
    {errors("InvalidInput")}
  }}
}}
"""
TICK = f"""
mutation($input: CompletePlanItemInput!) {{
  completePlanItem(input: $input) {{
    __typename
    ... on CompletePlanItemSuccess {{ {PLAN} }}
    {errors("InvalidInput", "NotFound", "InvalidState", "IdempotencyKeyReused")}
  }}
}}
"""
UNTICK = f"""
mutation($input: PlanItemRefInput!) {{
  uncompletePlanItem(input: $input) {{
    __typename
    ... on UncompletePlanItemSuccess {{ {PLAN} }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
APPLY = f"""
mutation($templateId: ID!, $date: Date!) {{
  applyPlanTemplate(templateId: $templateId, date: $date) {{
    __typename
    ... on ApplyPlanTemplateSuccess {{ {PLAN} template {{ id useCount }} }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
ACCEPT = "mutation($id: ID!) { acceptQuest(questId: $id) { __typename } }"

TODAY = datetime.now(UTC).date()
DAY = TODAY.isoformat()


def _items(*titles: str, **extra: Any) -> list[dict[str, Any]]:
    return [{"id": f"i{n}", "title": t, **extra} for n, t in enumerate(titles)]


async def _set(mutate: Mutate, viewer: Viewer, **fields: Any) -> dict[str, Any]:
    payload = await payload_of(mutate, SET, {"input": {"date": DAY, **fields}}, viewer)
    assert payload["__typename"] == "SetDailyPlanSuccess", payload
    plan: dict[str, Any] = payload["plan"]
    return plan


def _tick(item: str, key: str | None = None, day: str = DAY) -> dict[str, Any]:
    return {"input": {"date": day, "itemId": item, "idempotencyKey": key or uuid.uuid4().hex}}


async def _units(engine: AsyncEngine, viewer: Viewer, quest: Any) -> tuple[int, str]:
    found = await row(
        engine,
        "SELECT progress, status FROM user_quest_progress WHERE user_id = :u AND quest_id = :q",
        u=viewer.user_id,
        q=quest,
    )
    return int(found.progress), str(found.status)


def test_items_are_checked_and_done_only_by_ticking() -> None:
    items = clean_items([{"title": " Mix "}, {"id": "x", "title": "Run", "kind": "workout"}])
    assert items[0]["title"] == "Mix" and items[0]["kind"] == "task" and items[0]["id"]
    assert items[1] == {
        "id": "x",
        "title": "Run",
        "kind": "workout",
        "refId": None,
        "minutes": None,
        "done": False,
    }
    check_done(items, {"x": False})
    with pytest.raises(InvalidInput) as caught:
        check_done([{**items[1], "done": True}], {"x": False})
    assert caught.value.field == "input.items.done"
    converted = template_items([{"title": "Walk", "minutes": 15, "kind": "break"}, {"x": 1}])
    assert [(i["title"], i["minutes"], i["kind"], i["done"]) for i in converted] == [
        ("Walk", 15, "break", False)
    ]


async def test_set_daily_plan_and_its_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    plan = await _set(
        mutate,
        viewer,
        items=[{"id": "a", "title": "Drums", "kind": "FOCUS", "minutes": 50, "refId": "s1"}],
        notes="Early start",
    )
    assert plan["items"] == [
        {"id": "a", "title": "Drums", "kind": "focus", "refId": "s1", "minutes": 50, "done": False}
    ]
    # Left out: the notes stay; the items are replaced.
    again = await _set(mutate, viewer, items=_items("Bass", "Chords"))
    assert again["id"] == plan["id"] and again["notes"] == "Early start"
    assert [i["title"] for i in again["items"]] == ["Bass", "Chords"]
    cleared = await _set(mutate, viewer, notes=None)
    assert cleared["notes"] is None and len(cleared["items"]) == 2
    far = (TODAY + timedelta(days=400)).isoformat()
    for fields, field in (
        ({"date": far}, "input.date"),
        ({"items": None}, "input.items"),
        ({"items": _items(*["x"] * (MAX_ITEMS + 1))}, "input.items"),
        ({"items": [{"title": " "}]}, "input.items.title"),
        ({"items": [{"title": "x" * 201}]}, "input.items.title"),
        ({"items": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]}, "input.items.id"),
        ({"items": [{"id": "x" * 65, "title": "A"}]}, "input.items.id"),
        ({"items": [{"title": "A", "minutes": 0}]}, "input.items.minutes"),
        ({"items": [{"title": "A", "refId": "x" * 101}]}, "input.items.refId"),
        ({"items": [{"title": "A", "done": True}]}, "input.items.done"),
        ({"notes": "x" * 5001}, "input.notes"),
    ):
        variables = {"input": {"date": DAY, **fields}}
        refused = await unchanged(engine, mutate, SET, variables, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields


async def test_ticking_counts_once_and_unticking_takes_back(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    quest = await value(
        engine,
        "SELECT id FROM universal_quests WHERE target_type = 'plan_items_completed' LIMIT 1",
    )
    target = await value(engine, "SELECT target FROM universal_quests WHERE id = :q", q=quest)
    await payload_of(mutate, ACCEPT, {"id": str(quest)}, viewer)
    await _set(mutate, viewer, items=_items("Drums", "Bass", "Chords", "Walk"))
    ticked = await payload_of(mutate, TICK, _tick("i0", "t0"), viewer)
    assert ticked["__typename"] == "CompletePlanItemSuccess", ticked
    assert ticked["plan"]["items"][0]["done"] is True
    assert await _units(engine, viewer, quest) == (1, "accepted")
    assert await unchanged(engine, mutate, TICK, _tick("i0", "t0"), viewer) == ticked
    twice = await unchanged(engine, mutate, TICK, _tick("i0"), viewer)
    assert (twice["__typename"], twice["status"]) == ("InvalidState", "done")
    # setDailyPlan keeps a done item done and refuses to flip it.
    kept = [{"id": "i0", "title": "Drums", "done": True}, {"id": "i1", "title": "Bass"}]
    plan = await _set(mutate, viewer, items=kept)
    assert [i["done"] for i in plan["items"]] == [True, False]
    flipped = [{"id": "i0", "title": "Drums"}]
    refused = await unchanged(
        engine, mutate, SET, {"input": {"date": DAY, "items": flipped}}, viewer
    )
    assert refused["field"] == "input.items.done"
    # Unticking takes the unit back; so does removing a done item.
    await payload_of(mutate, UNTICK, {"input": {"date": DAY, "itemId": "i0"}}, viewer)
    assert await _units(engine, viewer, quest) == (0, "accepted")
    open_again = await unchanged(
        engine, mutate, UNTICK, {"input": {"date": DAY, "itemId": "i0"}}, viewer
    )
    assert (open_again["__typename"], open_again["status"]) == ("InvalidState", "open")
    await payload_of(mutate, TICK, _tick("i1"), viewer)
    assert await _units(engine, viewer, quest) == (1, "accepted")
    await _set(mutate, viewer, items=[{"id": "i0", "title": "Drums"}])
    assert await _units(engine, viewer, quest) == (0, "accepted")
    # The quest completes at its target.
    await _set(mutate, viewer, items=_items(*[f"Block {n}" for n in range(target)]))
    for n in range(target):
        await payload_of(mutate, TICK, _tick(f"i{n}"), viewer)
    assert await _units(engine, viewer, quest) == (target, "completed")


async def test_tick_refusals(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    await _set(mutate, viewer, items=_items("Drums"))
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    old = (TODAY - timedelta(days=8)).isoformat()
    for variables, field in (
        (_tick("i0", day=tomorrow), "input.date"),
        (_tick("i0", day=old), "input.date"),
        (_tick("x" * 65), "input.itemId"),
    ):
        refused = await unchanged(engine, mutate, TICK, variables, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field)
    missing = await unchanged(engine, mutate, TICK, _tick("nope"), viewer)
    assert (missing["__typename"], missing["resource"]) == ("NotFound", "PlanItem")
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    no_plan = await unchanged(engine, mutate, TICK, _tick("i0", day=yesterday), viewer)
    assert (no_plan["__typename"], no_plan["resource"]) == ("NotFound", "DailyPlan")
    stranger = await committed_user(engine)
    hidden = await unchanged(engine, mutate, TICK, _tick("i0"), stranger)
    assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "DailyPlan")
    hidden = await unchanged(
        engine, mutate, UNTICK, {"input": {"date": DAY, "itemId": "i0"}}, stranger
    )
    assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "DailyPlan")


async def test_apply_plan_template(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    template = await row(
        engine,
        "SELECT id, jsonb_array_length(items) AS n, use_count FROM plan_templates "
        "WHERE user_id IS NULL ORDER BY name LIMIT 1",
    )
    await _set(mutate, viewer, items=_items("Coffee"))
    applied = await payload_of(mutate, APPLY, {"templateId": str(template.id), "date": DAY}, viewer)
    assert applied["__typename"] == "ApplyPlanTemplateSuccess", applied
    items = applied["plan"]["items"]
    assert len(items) == 1 + template.n and items[0]["title"] == "Coffee"
    assert not any(i["done"] for i in items) and len({i["id"] for i in items}) == len(items)
    assert applied["template"]["useCount"] == template.use_count + 1
    # Another user's private template is absent; a full plan is refused.
    stranger = await committed_user(engine)
    async with engine.begin() as conn:
        private = (
            await conn.execute(
                text(
                    "INSERT INTO plan_templates (user_id, name, items) "
                    "VALUES (:u, 'Mine', '[{\"title\": \"x\"}]') RETURNING id"
                ),
                {"u": stranger.user_id},
            )
        ).scalar_one()
    hidden = await unchanged(
        engine, mutate, APPLY, {"templateId": str(private), "date": DAY}, viewer
    )
    assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "PlanTemplate")
    own = await payload_of(mutate, APPLY, {"templateId": str(private), "date": DAY}, stranger)
    assert [i["title"] for i in own["plan"]["items"]] == ["x"]
    await _set(mutate, viewer, items=_items(*["x"] * MAX_ITEMS))
    full = await unchanged(
        engine, mutate, APPLY, {"templateId": str(template.id), "date": DAY}, viewer
    )
    assert (full["__typename"], full["field"]) == ("InvalidInput", "templateId")
    far = (TODAY - timedelta(days=400)).isoformat()
    too_far = await unchanged(
        engine, mutate, APPLY, {"templateId": str(template.id), "date": far}, viewer
    )
    assert (too_far["__typename"], too_far["field"]) == ("InvalidInput", "date")


async def test_quest_filters_see_the_item_kind(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    async with committed_quest(
        engine,
        title=f"Two focus blocks {uuid.uuid4().hex[:6]}",
        type="daily",
        target=2,
        target_type="plan_items_completed",
        target_config={"kind": "focus"},
    ) as quest:
        await payload_of(mutate, ACCEPT, {"id": str(quest)}, viewer)
        items = [
            {"id": "f1", "title": "Drums", "kind": "FOCUS"},
            {"id": "t1", "title": "Email", "kind": "ADMIN"},
            {"id": "f2", "title": "Bass", "kind": "FOCUS"},
        ]
        await _set(mutate, viewer, items=items)
        await payload_of(mutate, TICK, _tick("t1"), viewer)
        assert await _units(engine, viewer, quest) == (0, "accepted")
        await payload_of(mutate, TICK, _tick("f1"), viewer)
        await payload_of(mutate, TICK, _tick("f2"), viewer)
        assert await _units(engine, viewer, quest) == (2, "completed")
