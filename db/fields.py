"""Declarative checks of the fields a create or a partial update writes: one rule per column
(its length, range, value set, nullability), checked before any SQL so that every CHECK and
enum of a table is a typed ``InvalidInput`` naming the field instead of a database error.

The one mechanism of every domain's create/update fields: a domain's ``rules.py`` declares its
columns' rules (``{"title": Text(200, min=1), "tags": Tags(), "target_date": Moment(day=True)}``)
and its transitions call :func:`clean` (or :func:`check` for one value). Each rule also gives
the :mod:`db.bounds` objects of its input field (:func:`bounds`), which the mutation machinery
states in the field's description and checks first (``schema/core/inputs.py``: a rule may be
given directly as an ``Annotated`` marker, ``Annotated[str, rules.TITLE]``); :func:`clean` then
applies what a bound cannot say (blank after stripping, null, enums, duplicate tags, a value a
domain function shapes).
"""

from __future__ import annotations

import enum
import math
import re
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from db.bounds import IntRange, MaxItems
from db.bounds import Text as TextBound
from db.errors import InvalidInput

#: Control characters refused in single-line text (keys, names, colours).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def camel(name: str) -> str:
    """``snake_case`` -> ``camelCase`` (the GraphQL spelling of a column in an error's
    ``field``)."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class Text:
    """A string of ``min`` to ``max`` characters after stripping the ends (``min`` 1: not
    blank); ``nullable``: None is allowed (and stored as NULL); ``line``: no control
    characters (a name, a key, not a body of text); ``pattern``: the whole text matches it
    (``re.fullmatch``), ``format`` says it in words (both or neither, as in
    :class:`db.bounds.Text`); ``lower``: stored lowercased (a word of a vocabulary)."""

    max: int
    min: int = 0
    nullable: bool = True
    line: bool = False
    pattern: str | None = None
    format: str | None = None
    lower: bool = False

    @classmethod
    def of(cls, bound: TextBound, *, nullable: bool = True, lower: bool = False) -> Text:
        """The rule of a text with ``bound``'s length and format (``Text.of(HEX_COLOR)``)."""
        return cls(
            bound.maximum,
            bound.minimum,
            nullable=nullable,
            pattern=bound.pattern,
            format=bound.format,
            lower=lower,
        )


@dataclass(frozen=True)
class Number:
    """A number from ``low`` to ``high`` (inclusive, whole numbers within int4); ``integer``: a
    whole number (an ``Int`` input), else any number in the range (a ``Float`` input)."""

    low: int
    high: int
    integer: bool = True
    nullable: bool = False

    @classmethod
    def of(cls, bound: IntRange, *, integer: bool = True, nullable: bool = False) -> Number:
        """The rule of a number in ``bound``'s range."""
        return cls(bound.minimum, bound.maximum, integer=integer, nullable=nullable)


@dataclass(frozen=True)
class Choice:
    """One value of ``enum`` (a member or its stored value); ``allowed``: the members a client
    may set here (None: all of them; ``completed`` is often a transition's own)."""

    enum: type[enum.Enum]
    nullable: bool = False
    allowed: Collection[Enum] | None = None


@dataclass(frozen=True)
class Flag:
    """A boolean (never null)."""


@dataclass(frozen=True)
class Tags:
    """A list of at most ``max_items`` distinct tags of 1 to ``max_len`` characters each
    (stripped; duplicates dropped, the first kept); never null."""

    max_items: int = 20
    max_len: int = 50


@dataclass(frozen=True)
class Moment:
    """A calendar day (``day``: a ``date``) or a moment (a ``datetime``; one without a time
    zone is taken as UTC and stored aware)."""

    day: bool = False
    nullable: bool = True


@dataclass(frozen=True)
class Ref:
    """The id of another row (a UUID; whether the viewer may point at that row is the
    transition's to check, with the row)."""

    nullable: bool = True


@dataclass(frozen=True)
class Shaped:
    """A value a domain function checks and normalises (a list of plan items, a JSON object):
    ``shape(value, field)`` returns the stored value or raises ``InvalidInput`` naming
    ``field`` (or a path below it)."""

    shape: Callable[[Any, str], Any]
    nullable: bool = False


Rule = Text | Number | Choice | Flag | Tags | Moment | Ref | Shaped


def bounds(rule: Rule) -> tuple[Any, ...]:
    """The :mod:`db.bounds` objects of an input field with ``rule``: a text's length, a
    number's range, a tag list's count and each tag's length (none for an enum, a flag, a
    date, an id or a shaped value: the machinery's defaults or the input's own markers)."""
    if isinstance(rule, Text):
        return (TextBound(rule.max, rule.min, rule.pattern, rule.format),)
    if isinstance(rule, Number):
        return (IntRange(rule.low, rule.high),)
    if isinstance(rule, Tags):
        return (MaxItems(rule.max_items), TextBound(rule.max_len, 1))
    return ()


def path(key: str, prefix: str = "input") -> str:
    """The client's path of column ``key``'s input field: ``input.totalPages``."""
    return f"{prefix}.{camel(key)}" if prefix else camel(key)


def check(key: str, rule: Rule, value: Any, prefix: str = "input") -> Any:
    """``value`` of field ``key`` checked against ``rule``, normalised (text stripped, enums
    as their stored value, tags deduplicated): :func:`check_field` at ``<prefix>.<camelCase
    key>``.

    Raises:
        InvalidInput: ``field`` ``<prefix>.<camelCase key>``, saying what the rule wants.
    """
    return check_field(rule, value, path(key, prefix))


def check_field(rule: Rule, value: Any, field: str) -> Any:
    """``value`` checked against ``rule`` and normalised, refused as ``field`` (a client's
    path: ``input.sections[0].name``).

    Raises:
        InvalidInput: naming ``field``, saying what the rule wants.
    """
    if value is None:
        if isinstance(rule, Text | Number | Choice | Moment | Ref | Shaped) and rule.nullable:
            return None
        raise InvalidInput("This field cannot be null.", field=field)
    if isinstance(rule, Text):
        if not isinstance(value, str):
            raise InvalidInput("Give a text.", field=field)
        text = value.strip()
        if not text and rule.min:
            raise InvalidInput("This field must not be blank.", field=field)
        if not rule.min <= len(text) <= rule.max:
            raise InvalidInput(f"Give {rule.min} to {rule.max} characters.", field=field)
        if rule.line and _CONTROL.search(text):
            raise InvalidInput("Control characters are not allowed here.", field=field)
        if rule.pattern is not None and text and re.fullmatch(rule.pattern, text) is None:
            raise InvalidInput(f"Give {rule.format}.", field=field)
        if rule.lower:
            text = text.lower()
        return text if text or not rule.nullable else None
    if isinstance(rule, Number):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput("Give a number.", field=field)
        if not math.isfinite(value):
            raise InvalidInput("Give a finite number.", field=field)
        if rule.integer and value != int(value):
            raise InvalidInput("Give a whole number.", field=field)
        if not rule.low <= value <= rule.high:
            raise InvalidInput(f"Give a number from {rule.low:,} to {rule.high:,}.", field=field)
        return int(value) if rule.integer else float(value)
    if isinstance(rule, Choice):
        try:
            member = rule.enum(getattr(value, "value", value))
        except ValueError:
            allowed = ", ".join(str(m.value) for m in rule.enum)
            raise InvalidInput(f"One of: {allowed}.", field=field) from None
        if rule.allowed is not None and member not in rule.allowed:
            allowed = ", ".join(sorted(str(m.value) for m in rule.allowed))
            raise InvalidInput(f"Allowed here: {allowed}.", field=field)
        return member.value
    if isinstance(rule, Moment):
        if rule.day:
            if not isinstance(value, date) or isinstance(value, datetime):
                raise InvalidInput("Give a date.", field=field)
            return value
        if not isinstance(value, datetime):
            raise InvalidInput("Give a date and time.", field=field)
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(rule, Ref):
        try:
            return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        except ValueError:
            raise InvalidInput("Not an id.", field=field) from None
    if isinstance(rule, Shaped):
        return rule.shape(value, field)
    if isinstance(rule, Flag):
        if not isinstance(value, bool):
            raise InvalidInput("Give true or false.", field=field)
        return value
    if not isinstance(value, list | tuple) or len(value) > rule.max_items:
        raise InvalidInput(f"Give at most {rule.max_items} tags.", field=field)
    tags: list[str] = []
    for tag in value:
        text = tag.strip() if isinstance(tag, str) else ""
        if not 1 <= len(text) <= rule.max_len or _CONTROL.search(text):
            raise InvalidInput(f"A tag has 1 to {rule.max_len} characters.", field=field)
        if text not in tags:
            tags.append(text)
    return tags


def clean(
    values: Mapping[str, Any],
    rules: Mapping[str, Rule],
    *,
    prefix: str = "input",
    partial: bool = False,
    required: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The fields of a create (every key of ``values``, ``required`` ones present) or of a
    partial update (``partial``: only the keys sent, at least one) checked by their ``rules``.

    Returns:
        The normalised values (see :func:`check`), in the order of ``values``.

    Raises:
        InvalidInput: a key without a rule (``field`` ``prefix``), a required key missing, an
            empty update, or a value its rule refuses (``field`` names it).
    """
    for key in required:
        if key not in values:
            raise InvalidInput("This field is required.", field=path(key, prefix))
    unknown = set(values) - set(rules)
    if unknown:
        raise InvalidInput(
            f"Cannot set {', '.join(sorted(camel(k) for k in unknown))}.", field=prefix
        )
    if partial and not values:
        raise InvalidInput("Give at least one field to change.", field=prefix)
    return {key: check(key, rules[key], value, prefix) for key, value in values.items()}


__all__ = [
    "Choice",
    "Flag",
    "Moment",
    "Number",
    "Ref",
    "Rule",
    "Shaped",
    "Tags",
    "Text",
    "bounds",
    "camel",
    "check",
    "check_field",
    "clean",
    "path",
]
