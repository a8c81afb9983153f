"""Input checks shared by the create/update transitions of the books, goals and planning
domains: text lengths, integer ranges, enum values and required fields, each refused as an
:class:`~db.errors.InvalidInput` naming the input field (``input.title``), before any SQL.

Pure functions on plain values; field names are the client's camelCase paths.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from db.bounds import IntRange, Text
from db.errors import InvalidInput
from db.fields import camel

E = TypeVar("E", bound=enum.StrEnum)


def input_field(column: str, prefix: str = "input") -> str:
    """The client's path of a column's input field: ``input.totalPages``."""
    return f"{prefix}.{camel(column)}"


def text(value: str | None, field: str, bound: Text, *, required: bool = False) -> str | None:
    """A text input, stripped of surrounding blanks, within ``bound`` (the same
    :class:`~db.bounds.Text` the mutation declares).

    Args:
        value: the text sent (None: absent or null).
        field: the client's path (``input.title``).
        bound: its length (and format).
        required: an empty (or blank) text or null is refused.

    Returns:
        The stripped text; None for a null optional one (a blank optional text becomes None).

    Raises:
        InvalidInput: a required text missing or blank, or one ``bound`` refuses.
    """
    if value is None or not value.strip():
        if required:
            raise InvalidInput(f"`{field}` must not be blank.", field=field)
        return None
    value = value.strip()
    bound.check(value, field)
    return value


def whole(value: int | None, field: str, bound: IntRange, *, required: bool = False) -> int | None:
    """An integer input within ``bound`` (the same :class:`~db.bounds.IntRange` the mutation
    declares).

    Raises:
        InvalidInput: null when ``required``, or a value outside the range.
    """
    if value is None:
        if required:
            raise InvalidInput("This field cannot be null.", field=field)
        return None
    bound.check(value, field)
    return value


def choice(value: Any, kind: type[E], field: str, allowed: set[E] | None = None) -> E:
    """An enum input as its member.

    Raises:
        InvalidInput: null, a value that is not one of ``kind``'s, or one outside ``allowed``.
    """
    try:
        member = kind(value)
    except ValueError:
        raise InvalidInput(f"Unknown value {value!r}.", field=field) from None
    if allowed is not None and member not in allowed:
        raise InvalidInput(
            f"Allowed here: {', '.join(sorted(m.value for m in allowed))}.", field=field
        )
    return member


def not_null(values: Mapping[str, Any], columns: tuple[str, ...], prefix: str = "input") -> None:
    """Refuse an explicit null for a column that has to have a value (partial updates).

    Raises:
        InvalidInput: naming the first such field.
    """
    for column in columns:
        if column in values and values[column] is None:
            raise InvalidInput("This field cannot be null.", field=input_field(column, prefix))


__all__ = ["choice", "input_field", "not_null", "text", "whole"]
