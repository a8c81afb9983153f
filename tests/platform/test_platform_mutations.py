"""The platform's writes: ideas, inbox items and reference-library entries (create, partial
update: pin, archive, tags; delete) and ``submitFeedback``. Each success, each typed error
(every refusal leaves the database as it was), another user's ids."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.errors import InvalidInput
from db.platform.rules import check_metadata, check_url
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user, refused
from tests.support.money import scalar

INVALID = "... on DomainError { code message } ... on InvalidInput { field }"
ERRORS = INVALID + " ... on NotFound { resource }"

#: kind -> (GraphQL name, payload field, selected fields, a valid create input)
KINDS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "idea": ("Idea", "idea", "id title content category tags isPinned", {"title": "Tape delay"}),
    "inbox": (
        "InboxItem",
        "item",
        "id title description tags",
        {"title": "Call the mastering guy"},
    ),
    "reference": (
        "UserReference",
        "reference",
        "id title content url category tags isPinned isArchived",
        {"title": "Gain staging", "url": "https://example.com/gain"},
    ),
}


def ops(kind: str) -> tuple[str, str, str]:
    name, field, selection, _ = KINDS[kind]
    create = f"""mutation ($input: Create{name}Input!) {{ create{name}(input: $input) {{
        __typename ... on Create{name}Success {{ {field} {{ {selection} }} }} {INVALID} }} }}"""
    update = f"""mutation ($id: ID!, $input: Update{name}Input!) {{
        update{name}(id: $id, input: $input) {{
        __typename ... on Update{name}Success {{ {field} {{ {selection} }} }} {ERRORS} }} }}"""
    deleted = {"Idea": "deletedIdeaId", "InboxItem": "deletedItemId"}.get(
        name, "deletedReferenceId"
    )
    delete = f"""mutation ($id: ID!) {{ delete{name}(id: $id) {{
        __typename ... on Delete{name}Success {{ {deleted} }} {ERRORS} }} }}"""
    return create, update, delete


async def create(mutate: Mutate, kind: str, viewer: Any, **extra: Any) -> dict[str, Any]:
    name, field, _, valid = KINDS[kind]
    result = await mutate(ops(kind)[0], {"input": {**valid, **extra}}, viewer=viewer)
    assert result.errors == [], result.errors
    payload = result.data[f"create{name}"]
    assert payload["__typename"] == f"Create{name}Success", payload
    row: dict[str, Any] = payload[field]
    return row


def test_link_and_metadata_rules() -> None:
    check_url(None)
    check_url("https://example.com/x?y=1")
    for bad in ("example.com", "ftp://example.com", "javascript:alert(1)", "https://"):
        with pytest.raises(InvalidInput) as refusal:
            check_url(bad)
        assert refusal.value.field == "input.url"
    assert check_metadata(None) == {}
    assert check_metadata({"page": "/focus", "build": 42, "beta": True, "x": None}) == {
        "page": "/focus",
        "build": 42,
        "beta": True,
        "x": None,
    }
    bad_metadata: list[Any] = [
        [1],
        "x",
        {"k": {"nested": 1}},
        {"k": "x" * 501},
        {str(n): n for n in range(21)},
        {"": 1},
    ]
    for bad in bad_metadata:
        with pytest.raises(InvalidInput) as refusal:
            check_metadata(bad)
        assert refusal.value.field == "input.metadata"


@pytest.mark.parametrize("kind", list(KINDS))
async def test_create_update_delete(mutate: Mutate, engine: AsyncEngine, kind: str) -> None:
    user = await committed_user(engine)
    name, field, _, _ = KINDS[kind]
    _, update, delete = ops(kind)
    row = await create(mutate, kind, user, tags=["mix", " mix", "bus"])
    assert row["tags"] == ["mix", "bus"]
    # Partial: only the given fields change; tags replaced; null clears an optional field.
    changes: dict[str, Any] = {"tags": ["later"]}
    expected = {**row, "tags": ["later"]}
    if "isPinned" in row:
        changes["isPinned"] = True
        expected["isPinned"] = True
    if "isArchived" in row:
        changes["isArchived"] = True
        changes["url"] = None
        expected |= {"isArchived": True, "url": None}
    result = await mutate(update, {"id": row["id"], "input": changes}, viewer=user)
    assert result.data[f"update{name}"][field] == expected
    result = await mutate(delete, {"id": row["id"]}, viewer=user)
    payload = result.data[f"delete{name}"]
    assert payload["__typename"] == f"Delete{name}Success"
    assert [v for k, v in payload.items() if k != "__typename"] == [row["id"]]
    table = {"idea": "ideas", "inbox": "inbox_items", "reference": "user_references"}[kind]
    assert not await scalar(
        engine, f"SELECT count(*) FROM {table} WHERE user_id = :u", u=user.user_id
    )
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM activity_events WHERE user_id = :u AND category = 'platform'",
            u=user.user_id,
        )
        == 3
    )


@pytest.mark.parametrize("kind", list(KINDS))
async def test_refusals_change_nothing(mutate: Mutate, engine: AsyncEngine, kind: str) -> None:
    owner, stranger = await committed_user(engine), await committed_user(engine)
    name, _, _, valid = KINDS[kind]
    create_op, update, delete = ops(kind)
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"title": "  "}, "input.title"),
        ({"title": "x" * 201}, "input.title"),
        ({"tags": ["x" * 51]}, "input.tags"),
        ({"tags": [str(n) for n in range(21)]}, "input.tags"),
        *([({"url": "not a link"}, "input.url")] if kind == "reference" else []),
        *([({"isPinned": None}, "input.isPinned")] if kind != "inbox" else []),
    ]
    for extra, field in refusals:
        error = await refused(engine, mutate, create_op, {"input": {**valid, **extra}}, owner)
        assert (error["__typename"], error["field"]) == ("InvalidInput", field), extra
    row = await create(mutate, kind, owner)
    for variables, viewer, kind_of_error, detail in (
        ({"id": row["id"], "input": {}}, owner, "InvalidInput", "input"),
        ({"id": row["id"], "input": {"title": None}}, owner, "InvalidInput", "input.title"),
        ({"id": row["id"], "input": {"tags": None}}, owner, "InvalidInput", "input.tags"),
        ({"id": "7", "input": {"title": "x"}}, owner, "InvalidInput", "id"),
        ({"id": row["id"], "input": {"title": "theirs"}}, stranger, "NotFound", name),
        ({"id": str(uuid.uuid4()), "input": {"title": "x"}}, owner, "NotFound", name),
    ):
        error = await refused(engine, mutate, update, variables, viewer)
        assert error["__typename"] == kind_of_error, (variables, error)
        assert error.get("field", error.get("resource")) == detail
    error = await refused(engine, mutate, delete, {"id": row["id"]}, stranger)
    assert (error["__typename"], error["resource"]) == ("NotFound", name)


SUBMIT = f"""mutation ($input: SubmitFeedbackInput!) {{ submitFeedback(input: $input) {{
    __typename ... on SubmitFeedbackSuccess {{
      feedback {{ id feedbackType title description status priority metadata userId }} }}
    {INVALID} }} }}"""


async def test_submit_feedback(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    result = await mutate(
        SUBMIT,
        {"input": {"feedbackType": "BUG", "title": " Timer skips ", "metadata": {"page": "/f"}}},
        viewer=user,
    )
    feedback = result.data["submitFeedback"]["feedback"]
    assert feedback == {
        "id": feedback["id"],
        "feedbackType": "BUG",
        "title": "Timer skips",
        "description": None,
        "status": "OPEN",
        "priority": "NORMAL",
        "metadata": {"page": "/f"},
        "userId": str(user.user_id),
    }
    for extra, field in (
        ({"title": ""}, "input.title"),
        ({"description": "x" * 5001}, "input.description"),
        ({"metadata": ["not", "an", "object"]}, "input.metadata"),
        ({"metadata": {"k": "x" * 501}}, "input.metadata"),
    ):
        variables = {"input": {"feedbackType": "OTHER", "title": "t", **extra}}
        error = await refused(engine, mutate, SUBMIT, variables, user)
        assert (error["__typename"], error["field"]) == ("InvalidInput", field), extra
