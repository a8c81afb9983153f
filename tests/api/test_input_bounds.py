"""The bounds of mutation inputs (schema/core/inputs.py, db/bounds.py): read from the
annotations, defaults where nothing is declared, stated once in the descriptions, checked with
an ``InvalidInput`` naming the camelCase path. The sweep over the real schema is
tests/api/test_input_sweep.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pytest
import strawberry
from strawberry.scalars import JSON
from strawberry.types.base import StrawberryObjectDefinition, get_object_definition

from db.bounds import (
    DEFAULT_INT,
    DEFAULT_ITEMS,
    DEFAULT_JSON,
    DEFAULT_TEXT,
    HEX_COLOR,
    ID_TEXT,
    IntRange,
    MaxItems,
    Text,
)
from db.errors import InvalidInput
from db.events.idempotency import KEY_TEXT
from schema.core.inputs import Bound, check, described_argument, plan, stamp, stamp_fields, walk
from schema.core.types import BigInt

DAY = IntRange(0, 6)


@strawberry.input(description="Inner.")
class Inner:
    level: Annotated[int, IntRange(1, 3)] = strawberry.field(description="A level.")
    note: str | None = strawberry.field(default=None, description="A note.")


@strawberry.input(description="Outer.")
class Outer:
    title: Annotated[str, Text(10, 1)] = strawberry.field(description="A title.")
    days: Annotated[list[int] | None, DAY, MaxItems(7)] = strawberry.field(
        default=None, description="Days."
    )
    count: int | None = strawberry.field(default=strawberry.UNSET, description="A count.")
    color: Annotated[str | None, HEX_COLOR] = strawberry.field(default=None, description="Color.")
    inner: Inner | None = strawberry.field(default=None, description="Nested.")
    tags: list[str] = strawberry.field(default_factory=list, description="Tags.")
    idempotency_key: str = strawberry.field(default="k", description="Key.")
    when: date | None = None
    target: strawberry.ID | None = None
    data: JSON | None = None
    big: BigInt | None = None
    picks: list[strawberry.ID] | None = None


@strawberry.input(description="Nests itself.")
class Nesting:
    child: Nesting | None = None


def definition(cls: type) -> StrawberryObjectDefinition:
    """The Strawberry definition of an input class."""
    return get_object_definition(cls, strict=True)


def _refused(bound: Bound, value: Any) -> str:
    with pytest.raises(InvalidInput) as refused:
        check(bound, value)
    return refused.value.field


def test_plan_reads_declared_bounds_and_applies_the_defaults() -> None:
    bound = plan("input", "input", Outer)
    found: dict[str, Bound] = {}

    def remember(b: Bound) -> None:
        found.setdefault(b.path, b)

    walk(bound, remember)
    assert found["input.title"].scalar == Text(10, 1)
    assert (found["input.days"].scalar, found["input.days"].items) == (DAY, MaxItems(7))
    assert found["input.count"].scalar == DEFAULT_INT
    assert found["input.inner.level"].scalar == IntRange(1, 3)
    assert found["input.inner.note"].scalar == DEFAULT_TEXT
    assert (found["input.tags"].scalar, found["input.tags"].items) == (DEFAULT_TEXT, DEFAULT_ITEMS)
    assert found["input.idempotencyKey"].scalar == KEY_TEXT
    assert found["input.when"].scalar is None
    assert (found["input.target"].scalar, found["input.target"].described) == (ID_TEXT, False)
    assert (found["input.data"].scalar, found["input.data"].as_json) == (DEFAULT_JSON, True)
    assert found["input.big"].scalar == DEFAULT_INT


def test_check_names_the_field_at_fault() -> None:
    bound = plan("input", "input", Outer)
    ok = Outer(title="Scales", days=[0, 6], inner=Inner(level=2), color="#7c3aed")
    check(bound, ok)
    assert _refused(bound, Outer(title="")) == "input.title"
    assert _refused(bound, Outer(title="x" * 11)) == "input.title"
    assert _refused(bound, Outer(title="a", days=[7])) == "input.days"
    assert _refused(bound, Outer(title="a", days=[0] * 8)) == "input.days"
    assert _refused(bound, Outer(title="a", count=2**31 - 1)) == "input.count"
    assert _refused(bound, Outer(title="a", inner=Inner(level=0))) == "input.inner.level"
    assert _refused(bound, Outer(title="a", inner=Inner(level=1, note="x" * 1001))) == (
        "input.inner.note"
    )
    assert _refused(bound, Outer(title="a", tags=["x"] * 101)) == "input.tags"
    assert _refused(bound, Outer(title="a", color="red")) == "input.color"
    assert _refused(bound, Outer(title="a", idempotency_key="")) == "input.idempotencyKey"
    assert _refused(bound, Outer(title="a", target=strawberry.ID("x" * 101))) == "input.target"
    check(bound, Outer(title="a", data=JSON({"notes": "x" * 9_000})))
    assert _refused(bound, Outer(title="a", data=JSON({"notes": "x" * 10_000}))) == "input.data"
    assert _refused(bound, Outer(title="a", big=BigInt(2**40))) == "input.big"
    with pytest.raises(InvalidInput) as refused:
        check(bound, Outer(title="a", count=-(2**31)))
    assert refused.value.message == "`input.count` must be from -1,000,000 to 1,000,000."


def test_a_bound_that_does_not_fit_its_type_is_refused_when_the_schema_is_built() -> None:
    with pytest.raises(TypeError, match="IntRange on a String"):
        plan("name", "name", Annotated[str, IntRange(0, 1)])
    with pytest.raises(TypeError, match="Text on a number"):
        plan("n", "n", Annotated[int, Text(3)])
    with pytest.raises(TypeError, match="MaxItems on an input that is not a list"):
        plan("n", "n", Annotated[int, MaxItems(3)])
    with pytest.raises(TypeError, match="two IntRange"):
        plan("n", "n", Annotated[int, IntRange(0, 1), IntRange(0, 2)])
    with pytest.raises(TypeError, match="no bound is known"):
        plan("blob", "blob", bytes)
    with pytest.raises(TypeError, match="contains itself"):
        plan("input", "input", Nesting)
    with pytest.raises(ValueError, match="int4"):
        IntRange(0, 2**31)
    with pytest.raises(ValueError, match="format"):
        Text(5, pattern="a+")


def test_descriptions_state_the_bound_once() -> None:
    bound = plan("input", "input", Outer)
    stamp_fields(bound, Outer)
    stamp_fields(bound, Outer)  # every build of the schema stamps again: no second sentence
    fields = {f.python_name: f.description for f in definition(Outer).fields}
    assert fields["title"] == "A title. 1 to 10 characters."
    assert fields["days"] == "Days. At most 7 values, each from 0 to 6."
    assert fields["count"] == "A count. From -1,000,000 to 1,000,000."
    assert fields["color"] == ("Color. 4 to 7 characters. A CSS hex color, `#rgb` or `#rrggbb`.")
    assert fields["target"] is None  # an ID's length is checked, not described
    assert fields["data"] == "At most 10,000 characters of JSON."
    assert fields["picks"] == "At most 100 values."
    inner = {f.python_name: f.description for f in definition(Inner).fields}
    assert inner["level"] == "A level. From 1 to 3."
    assert stamp(plan("n", "n", int), None) == DEFAULT_INT.describe()


def test_an_argument_keeps_its_name_and_gets_the_sentence() -> None:
    hint = Annotated[str, strawberry.argument(description="Why.", name="why"), Text(500, 1)]
    described = described_argument(plan("reason", "why", hint), hint)
    argument = described.__metadata__[0]
    assert (argument.description, argument.name) == ("Why. 1 to 500 characters.", "why")
    assert Text(500, 1) in described.__metadata__
