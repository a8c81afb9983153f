"""The field rules of :mod:`db.fields` that the books, goals and planning domains brought to
the one mechanism: enums restricted to the values a client may set, dates and moments, ids,
values a domain function shapes, and a blank text refused as blank. Pure: no database."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Any

import pytest

from db.books.models import BookStatus
from db.books.rules import BOOK_FIELDS
from db.bounds import HEX_COLOR, IntRange
from db.bounds import Text as TextBound
from db.errors import InvalidInput
from db.fields import Choice, Moment, Number, Ref, Shaped, Text, check, check_field, clean
from db.planning.rules import clean_items
from schema.core.inputs import plan


def _refusal(call: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        call()
    return refused.value


def test_choice_allowed_subset() -> None:
    rule = Choice(BookStatus, allowed={BookStatus.READING, BookStatus.PAUSED})
    assert check("status", rule, BookStatus.PAUSED) == "paused"
    assert check("status", rule, "reading") == "reading"
    error = _refusal(lambda: check("status", rule, "completed"))
    assert (error.field, error.message) == ("input.status", "Allowed here: paused, reading.")
    assert _refusal(lambda: check("status", rule, "nope")).message.startswith("One of: ")


def test_moments_and_days() -> None:
    naive = datetime(2026, 3, 1, 9, 30)
    assert check("start_time", Moment(), naive) == naive.replace(tzinfo=UTC)
    aware = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert check("start_time", Moment(), aware) is aware
    assert check("target_date", Moment(day=True), date(2026, 3, 1)) == date(2026, 3, 1)
    assert _refusal(lambda: check("target_date", Moment(day=True), naive)).field == (
        "input.targetDate"
    )
    assert _refusal(lambda: check("start_time", Moment(), date(2026, 3, 1))).message == (
        "Give a date and time."
    )
    assert check("end_time", Moment(), None) is None
    assert _refusal(lambda: check("start_time", Moment(nullable=False), None)).field == (
        "input.startTime"
    )


def test_refs() -> None:
    row_id = uuid.uuid4()
    assert check("goal_id", Ref(), row_id) == row_id
    assert check("goal_id", Ref(), str(row_id)) == row_id
    assert check("goal_id", Ref(), None) is None
    assert _refusal(lambda: check("goal_id", Ref(), "not-an-id")).field == "input.goalId"


def test_shaped_values_get_the_field_path() -> None:
    seen: list[str] = []

    def shape(value: Any, field: str) -> Any:
        seen.append(field)
        return sorted(value)

    assert clean({"items": [2, 1]}, {"items": Shaped(shape)}, prefix="x") == {"items": [1, 2]}
    assert seen == ["x.items"]
    assert _refusal(lambda: check("items", Shaped(shape), None)).message == (
        "This field cannot be null."
    )


def test_blank_text() -> None:
    error = _refusal(lambda: check("title", Text(200, min=1, nullable=False), "   "))
    assert (error.field, error.message) == ("input.title", "This field must not be blank.")
    assert check("author", Text(200), "  ") is None


def test_book_fields() -> None:
    cover = uuid.uuid4()
    assert clean({"title": " Dune ", "cover_blob_id": cover, "author": ""}, BOOK_FIELDS) == {
        "title": "Dune",
        "cover_blob_id": cover,
        "author": None,
    }
    assert _refusal(lambda: clean({"title": "x", "id": 1}, BOOK_FIELDS)).field == "input"
    assert _refusal(lambda: clean({}, BOOK_FIELDS, required=("title",))).field == "input.title"


def test_plan_items_name_the_item() -> None:
    error = _refusal(lambda: clean_items([{"title": "a"}, {"title": "b", "minutes": 0}]))
    assert error.field == "input.items.minutes"
    assert error.message.startswith("Item 2: ")
    items = clean_items([{"id": "  ", "title": " a ", "kind": "focus"}])
    assert items[0]["title"] == "a" and items[0]["kind"] == "focus" and items[0]["id"].strip()


def test_a_rule_is_a_bound_marker() -> None:
    """``Annotated[str, rule]`` states and checks the rule's bounds (the input machinery)."""
    bound = plan("title", "input.title", Annotated[str, Text(300, min=1)])
    assert bound.describe() == "1 to 300 characters."


def test_rules_of_bounds_and_paths() -> None:
    """``Text.of``/``Number.of`` take a bound's limits (and pattern); ``lower`` stores a
    vocabulary word lowercased; ``check_field`` refuses at any client path."""
    color = Text.of(HEX_COLOR)
    assert check("color", color, "#7C3AED") == "#7C3AED"
    assert _refusal(lambda: check("color", color, "red")).field == "input.color"
    assert check("category", Text.of(TextBound(50, 1), lower=True), " Strength ") == "strength"
    weeks = Number.of(IntRange(1, 52))
    assert check_field(weeks, 4, "input.durationWeeks") == 4
    error = _refusal(lambda: check_field(weeks, 53, "input.weeks[0].weekNumber"))
    assert error.field == "input.weeks[0].weekNumber"
    floats = Number.of(IntRange(0, 10), integer=False)
    assert _refusal(lambda: check_field(floats, math.nan, "input.weight")).field == "input.weight"
