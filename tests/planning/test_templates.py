"""Plan template mutations: the viewer's own templates (create, update only the given fields,
delete); built-in and other users' templates are absent; refusals leave the database as it
was; a saved template applies to a plan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.fixtures import Mutate
from tests.support.harness import committed_user
from tests.support.writes import errors, payload_of, unchanged, value

TEMPLATE = "template { id name description category isPublic items useCount userId }"
CREATE = f"""
mutation($input: CreatePlanTemplateInput!) {{
  createPlanTemplate(input: $input) {{
    __typename
    ... on CreatePlanTemplateSuccess {{ {TEMPLATE} }}
    {errors("InvalidInput")}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: UpdatePlanTemplateInput!) {{
  updatePlanTemplate(id: $id, input: $input) {{
    __typename
    ... on UpdatePlanTemplateSuccess {{ {TEMPLATE} }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
DELETE = f"""
mutation($id: ID!) {{
  deletePlanTemplate(id: $id) {{
    __typename
    ... on DeletePlanTemplateSuccess {{ deletedTemplateId }}
    {errors("InvalidInput", "NotFound")}
  }}
}}
"""
APPLY = """
mutation($templateId: ID!, $date: Date!) {
  applyPlanTemplate(templateId: $templateId, date: $date) {
    __typename
    ... on ApplyPlanTemplateSuccess { plan { items } }
    ... on DomainError { code }
  }
}
"""

DAY = datetime.now(UTC).date().isoformat()
ITEMS = [{"title": "Drums", "kind": "FOCUS", "minutes": 50}, {"title": "Walk", "kind": "BREAK"}]


async def test_plan_templates(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    created = await payload_of(
        mutate,
        CREATE,
        {"input": {"name": " Mix day ", "items": ITEMS, "category": "mixing", "isPublic": True}},
        viewer,
    )
    assert created["__typename"] == "CreatePlanTemplateSuccess", created
    template = created["template"]
    assert (template["name"], template["isPublic"], template["userId"]) == (
        "Mix day",
        True,
        str(viewer.user_id),
    )
    assert template["items"] == [
        {"title": "Drums", "kind": "focus", "minutes": 50},
        {"title": "Walk", "kind": "break", "minutes": None},
    ]
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"name": " ", "items": ITEMS}, "input.name"),
        ({"name": "x" * 201, "items": ITEMS}, "input.name"),
        ({"name": "A", "items": ITEMS, "category": "x" * 101}, "input.category"),
        ({"name": "A", "items": ITEMS, "description": "x" * 5001}, "input.description"),
        ({"name": "A", "items": [{"title": ""}]}, "input.items.title"),
        ({"name": "A", "items": [{"title": "A", "minutes": 0}]}, "input.items.minutes"),
        ({"name": "A", "items": [{"title": "A"}] * 51}, "input.items"),
    ]
    for fields, field in refusals:
        refused = await unchanged(engine, mutate, CREATE, {"input": fields}, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields
    updated = await payload_of(
        mutate, UPDATE, {"id": template["id"], "input": {"category": None}}, viewer
    )
    assert (updated["template"]["category"], updated["template"]["name"]) == (None, "Mix day")
    assert updated["template"]["items"] == template["items"]
    for fields, field in (({"name": None}, "input.name"), ({"items": None}, "input.items")):
        refused = await unchanged(
            engine, mutate, UPDATE, {"id": template["id"], "input": fields}, viewer
        )
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), fields
    # Public: another user applies it, but cannot change or delete it; built-ins are nobody's.
    stranger = await committed_user(engine)
    applied = await payload_of(mutate, APPLY, {"templateId": template["id"], "date": DAY}, stranger)
    assert [i["title"] for i in applied["plan"]["items"]] == ["Drums", "Walk"]
    builtin = await value(engine, "SELECT id FROM plan_templates WHERE user_id IS NULL LIMIT 1")
    for who, target in ((stranger, template["id"]), (viewer, str(builtin))):
        hidden = await unchanged(
            engine, mutate, UPDATE, {"id": target, "input": {"name": "Mine"}}, who
        )
        assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "PlanTemplate")
        hidden = await unchanged(engine, mutate, DELETE, {"id": target}, who)
        assert (hidden["__typename"], hidden["resource"]) == ("NotFound", "PlanTemplate")
    deleted = await payload_of(mutate, DELETE, {"id": template["id"]}, viewer)
    assert deleted["deletedTemplateId"] == template["id"]
    kept = "SELECT jsonb_array_length(items) FROM daily_plans WHERE user_id = :u"
    assert await value(engine, kept, u=stranger.user_id) == 2
