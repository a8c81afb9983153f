"""The bounds of a mutation's inputs: read from the annotations, stated in the descriptions,
checked before the body runs.

A mutation's argument or input field declares its bound by an annotation (the bound objects of
:mod:`db.bounds`, defined once beside the rule they protect)::

    @strawberry.input(description="A new habit.")
    class CreateHabitInput:
        sort_order: Annotated[int | None, SORT_ORDER] = strawberry.field(default=None, ...)
        custom_days: Annotated[list[int], WEEKDAY, MaxItems(7)] = strawberry.field(...)

    async def refund_purchase(tx: Tx, id: strawberry.ID, reason: Annotated[str, REASON]): ...

A column's rule of :mod:`db.fields` is a marker too (``Annotated[str, rules.TITLE]``): it stands
for its bounds (:func:`db.fields.bounds`), so the input states and checks what the transition's
:func:`db.fields.clean` checks again.

An ``Int`` (or ``Float``) that declares no :class:`~db.bounds.IntRange` gets
:data:`~db.bounds.DEFAULT_INT`, a ``String`` without a :class:`~db.bounds.Text` gets
:data:`~db.bounds.DEFAULT_TEXT` (an ``idempotency_key`` gets
:data:`~db.events.idempotency.KEY_TEXT`), a list without :class:`~db.bounds.MaxItems` gets
:data:`~db.bounds.DEFAULT_ITEMS`, an ``ID`` gets :data:`~db.bounds.ID_TEXT`, a ``JSON`` input
:data:`~db.bounds.DEFAULT_JSON` (the length of its JSON text), a ``BigInt`` what an ``Int`` gets;
input objects are walked field by field, nested ones included; an enum, ``Boolean``, ``Date`` or
``DateTime`` has no bound, and any other type makes the build fail (so nothing is silently
unbounded). The bound is appended to the description of the
argument or input field (``From 0 to 1,000,000.``), and :func:`check` refuses a value outside it
with a typed ``InvalidInput`` naming the field by its camelCase path (``input.sortOrder``)
before the mutation opens its transaction: a refused mutation has run no SQL, so it changed
nothing, and a bound is checked before any lookup of a row (an out-of-range value for a row that
does not exist is ``InvalidInput``, not ``NotFound``).
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Union

import strawberry
from strawberry.scalars import JSON
from strawberry.types.arguments import StrawberryArgumentAnnotation
from strawberry.types.unset import UnsetType

from db.bounds import (
    DEFAULT_INT,
    DEFAULT_ITEMS,
    DEFAULT_JSON,
    DEFAULT_TEXT,
    ID_TEXT,
    IntRange,
    MaxItems,
    Text,
    refuse,
)
from db.events.idempotency import KEY_TEXT
from db.fields import Rule as FieldRule
from db.fields import bounds as field_bounds
from schema.core.tables import camel

#: The python name of the idempotency key (argument or input field), bounded by ``KEY_TEXT``.
IDEMPOTENCY_KEY_NAME = "idempotency_key"


@dataclass(frozen=True)
class Bound:
    """How one argument or input field is checked.

    Attributes:
        name: its python name (the attribute of the input object, the keyword argument).
        path: its camelCase path, as ``InvalidInput.field`` names it (``input.sortOrder``).
        scalar: the bound of the value (each value of a list); None for other types.
        items: the bound of the list's length; None when it is not a list.
        fields: the bounds of an input object's fields; empty for other types.
        described: whether the bound is stated in the description (not for ``ID``).
        as_json: the value is a ``JSON`` input: ``scalar`` bounds the length of its JSON text.
    """

    name: str
    path: str
    scalar: IntRange | Text | None = None
    items: MaxItems | None = None
    fields: tuple[Bound, ...] = ()
    described: bool = True
    as_json: bool = False

    def describe(self) -> str | None:
        """The sentence the description states (``At most 7 values, each from 0 to 6.``), or
        None (an input object, an enum, a date, an ``ID``: a list of them states its count)."""
        if not self.described or self.scalar is None:
            return None if self.items is None else f"{self.items.describe()}."
        scalar = self.scalar.describe()
        if self.as_json:
            scalar = scalar.replace(" characters.", " characters of JSON.", 1)
        if self.items is None:
            return scalar
        return f"{self.items.describe()}, each {scalar[:1].lower()}{scalar[1:]}"


def _strip(hint: Any) -> tuple[Any, list[Any]]:
    """``(type, markers)``: the type without ``Annotated`` and ``None``, and the bound markers
    found on the way."""
    markers: list[Any] = []
    while True:
        origin = typing.get_origin(hint)
        if origin is Annotated:
            hint, *metadata = typing.get_args(hint)
            for marker in metadata:
                if isinstance(marker, IntRange | Text | MaxItems):
                    markers.append(marker)
                elif isinstance(marker, FieldRule):  # a column's rule: its bounds
                    markers.extend(field_bounds(marker))
        elif origin in (Union, types.UnionType):
            rest = [a for a in typing.get_args(hint) if a is not type(None)]
            if len(rest) != 1:
                return hint, markers
            hint = rest[0]
        else:
            return hint, markers


def _declared(markers: list[Any], kind: type) -> Any:
    found = [m for m in markers if isinstance(m, kind)]
    if len(found) > 1:
        raise TypeError(f"two {kind.__name__} bounds on one input")
    return found[0] if found else None


def plan(name: str, path: str, hint: Any, _within: tuple[type, ...] = ()) -> Bound:
    """The bound of an argument or input field of type ``hint`` (see the module docstring).

    Raises:
        TypeError: a marker that does not fit the type (an ``IntRange`` on a ``String``), two
            markers of one kind, a type without a known bound, or an input type that contains
            itself (its values could nest without end).
    """
    base, markers = _strip(hint)
    items: MaxItems | None = None
    if typing.get_origin(base) is list:
        items = _declared(markers, MaxItems) or DEFAULT_ITEMS
        base, inner = _strip(typing.get_args(base)[0])
        markers += inner
    elif _declared(markers, MaxItems) is not None:
        raise TypeError(f"{path}: MaxItems on an input that is not a list")
    int_range = _declared(markers, IntRange)
    text = _declared(markers, Text)
    if base is strawberry.ID:
        if int_range is not None:
            raise TypeError(f"{path}: IntRange on an ID")
        return Bound(name, path, text or ID_TEXT, items, described=text is not None)
    if base is JSON:
        if int_range is not None:
            raise TypeError(f"{path}: IntRange on a JSON input")
        return Bound(name, path, text or DEFAULT_JSON, items, as_json=True)
    if getattr(base, "__supertype__", None) is int:  # BigInt
        base = int
    if base is int or base is float:
        if text is not None:
            raise TypeError(f"{path}: Text on a number")
        return Bound(name, path, int_range or DEFAULT_INT, items)
    if base is str:
        if int_range is not None:
            raise TypeError(f"{path}: IntRange on a String")
        fallback = KEY_TEXT if name == IDEMPOTENCY_KEY_NAME else DEFAULT_TEXT
        return Bound(name, path, text or fallback, items)
    if int_range is not None or text is not None:
        raise TypeError(f"{path}: a bound on an input that is neither Int, String nor ID")
    definition = getattr(base, "__strawberry_definition__", None)
    if definition is not None and getattr(definition, "is_input", False):
        if base in _within:
            raise TypeError(f"{path}: the input type {base.__name__} contains itself")
        hints = typing.get_type_hints(base, include_extras=True)
        fields = tuple(
            plan(
                f.python_name,
                f"{path}.{f.graphql_name or camel(f.python_name)}",
                hints[f.python_name],
                (*_within, base),
            )
            for f in definition.fields
        )
        return Bound(name, path, None, items, fields)
    if isinstance(base, type) and issubclass(base, enum.Enum | bool | date | datetime):
        return Bound(name, path, None, items)
    raise TypeError(f"{path}: no bound is known for inputs of type {base!r}")


def stamp(bound: Bound, description: str | None) -> str | None:
    """``description`` with the bound's sentence appended (once: stamping again, as every
    build of the schema does, changes nothing)."""
    sentence = bound.describe()
    if sentence is None or (description and sentence in description):
        return description
    return f"{description} {sentence}" if description else sentence


def stamp_fields(bound: Bound, hint: Any) -> None:
    """State the bounds of an input object's fields (nested ones included) in their
    descriptions: the input types are built once, so their fields are stamped in place."""
    base, _ = _strip(hint)
    if typing.get_origin(base) is list:
        base, _ = _strip(typing.get_args(base)[0])
    definition = getattr(base, "__strawberry_definition__", None)
    if definition is None or not getattr(definition, "is_input", False):
        return
    hints = typing.get_type_hints(base, include_extras=True)
    by_name = {f.python_name: f for f in definition.fields}
    for child in bound.fields:
        field = by_name[child.name]
        field.description = stamp(child, field.description)
        stamp_fields(child, hints[child.name])


def described_argument(bound: Bound, hint: Any) -> Any:
    """An argument's annotation with its bound stated in its description (the description it
    carries in ``strawberry.argument``, with the sentence appended)."""
    sentence = bound.describe()
    if sentence is None:
        return hint
    base, metadata = hint, []
    if typing.get_origin(hint) is Annotated:
        base, *metadata = typing.get_args(hint)
    argument = next((m for m in metadata if isinstance(m, StrawberryArgumentAnnotation)), None)
    rest = [m for m in metadata if m is not argument]
    replaced = StrawberryArgumentAnnotation(
        description=stamp(bound, argument.description if argument else None),
        name=argument.name if argument else None,
        deprecation_reason=argument.deprecation_reason if argument else None,
        directives=argument.directives if argument else (),
        metadata=argument.metadata if argument else None,
        graphql_type=argument.graphql_type if argument else None,
    )
    return Annotated[(base, replaced, *rest)]


def check(bound: Bound, value: Any) -> None:
    """Refuse a value outside its bound: an argument's value, or an input object's, whose
    fields are checked in declaration order (a missing or null value passes: GraphQL has
    checked that it may be missing).

    Raises:
        InvalidInput: naming the field at fault (``input.customDays``).
    """
    if value is None or isinstance(value, UnsetType):
        return
    values = [value]
    if bound.items is not None:
        refuse(bound.path, bound.items.problem(len(value)))
        values = list(value)
    for one in values:
        if bound.scalar is not None and one is not None:
            text = json.dumps(one, ensure_ascii=False, default=str) if bound.as_json else one
            refuse(bound.path, _problem(bound.scalar, text))
        for child in bound.fields:
            check(child, getattr(one, child.name, None))


def _problem(scalar: IntRange | Text, value: Any) -> str | None:
    if isinstance(scalar, IntRange):
        return scalar.problem(value)
    return scalar.problem(str(value))


def walk(bound: Bound, visit: Callable[[Bound], None]) -> None:
    """Call ``visit`` on ``bound`` and on every bound below it (tests list them)."""
    visit(bound)
    for child in bound.fields:
        walk(child, visit)


__all__ = [
    "IDEMPOTENCY_KEY_NAME",
    "Bound",
    "check",
    "described_argument",
    "plan",
    "stamp",
    "stamp_fields",
    "walk",
]
