"""Bounds of client input: the range of an integer, the length (and format) of a text, the
number of values in a list.

A domain declares the bounds of its inputs once, beside the rule or column they protect
(``db/<domain>/rules.py``: ``SORT_ORDER = IntRange(0, 1_000_000)``); the mutation machinery
(``schema/core/inputs.py``) reads them from the input's annotation, checks every argument and
input field against them before a mutation's body runs (a typed ``InvalidInput`` naming the
field) and states them in the field's description. An input that declares nothing gets the
defaults of this module (:data:`DEFAULT_INT`, :data:`DEFAULT_TEXT`, :data:`DEFAULT_ITEMS`), so
no input is ever unbounded.

Why these defaults: every integer column is an ``integer`` (int4, up to 2,147,483,647); a value
of at most 1,000,000 leaves room for the sums and increments a transition makes (a thousand
such values still add up within int4). A product of inputs, or a count that grows with each
call, needs a declared range of its own, chosen with its arithmetic in view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from db.errors import InvalidInput

#: The range of PostgreSQL's ``integer`` (and of GraphQL's ``Int``).
INT4_MIN = -(2**31)
INT4_MAX = 2**31 - 1


@dataclass(frozen=True)
class IntRange:
    """The values an ``Int`` input may take: ``minimum`` to ``maximum``, both included."""

    minimum: int
    maximum: int

    def __post_init__(self) -> None:
        if not INT4_MIN <= self.minimum <= self.maximum <= INT4_MAX:
            raise ValueError(f"not a range within int4: {self.minimum}..{self.maximum}")

    def describe(self) -> str:
        """The bound as the field's description states it: ``From 0 to 1,000,000.``"""
        return f"From {self.minimum:,} to {self.maximum:,}."

    def problem(self, value: float) -> str | None:
        """What is wrong with ``value`` (``"must be from 0 to 6"``), or None when it fits (a
        ``Float`` input is bounded by an ``IntRange`` too)."""
        if self.minimum <= value <= self.maximum:
            return None
        return f"must be from {self.minimum:,} to {self.maximum:,}"

    def check(self, value: float, field: str) -> None:
        """Refuse ``value`` outside the range.

        Raises:
            InvalidInput: naming ``field`` (a camelCase path such as ``input.sortOrder``).
        """
        refuse(field, self.problem(value))


@dataclass(frozen=True)
class Text:
    """The texts a ``String`` input may take: ``minimum`` to ``maximum`` characters (Unicode
    code points), and, when ``pattern`` is given, matching it entirely (``re.fullmatch``);
    ``format`` says the pattern in words for the description and the error (``"a CSS hex
    color, `#rgb` or `#rrggbb`"``)."""

    maximum: int
    minimum: int = 0
    pattern: str | None = None
    format: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.minimum <= self.maximum:
            raise ValueError(f"not a length range: {self.minimum}..{self.maximum}")
        if (self.pattern is None) != (self.format is None):
            raise ValueError("a pattern needs its format in words, and the other way round")

    def describe(self) -> str:
        """The bound as the field's description states it: ``1 to 200 characters.``,
        ``At most 2,000 characters.``, followed by the format when there is one."""
        if self.minimum:
            text = f"{self.minimum:,} to {self.maximum:,} characters."
        else:
            text = f"At most {self.maximum:,} characters."
        if self.format:
            text += f" {self.format[:1].upper()}{self.format[1:]}."
        return text

    def problem(self, value: str) -> str | None:
        """What is wrong with ``value``, or None when it fits."""
        if not self.minimum <= len(value) <= self.maximum:
            if self.minimum:
                return f"must be {self.minimum:,} to {self.maximum:,} characters long"
            return f"must be at most {self.maximum:,} characters long"
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            return f"must be {self.format}"
        return None

    def check(self, value: str, field: str) -> None:
        """Refuse ``value`` of another length or format.

        Raises:
            InvalidInput: naming ``field``.
        """
        refuse(field, self.problem(value))


@dataclass(frozen=True)
class MaxItems:
    """The most values a list input may hold."""

    maximum: int

    def describe(self) -> str:
        """The bound as the field's description states it: ``At most 7 values``."""
        return f"At most {self.maximum:,} values"

    def problem(self, count: int) -> str | None:
        """What is wrong with a list of ``count`` values, or None when it fits."""
        return None if count <= self.maximum else f"must hold at most {self.maximum:,} values"


def refuse(field: str, problem: str | None) -> None:
    """Raise the typed refusal of ``field`` when there is a ``problem``.

    Raises:
        InvalidInput: ``"`input.sortOrder` must be from 0 to 1,000,000."``, naming ``field``.
    """
    if problem is not None:
        raise InvalidInput(f"`{field}` {problem}.", field=field)


#: The range of an ``Int`` input that declares none.
DEFAULT_INT = IntRange(-1_000_000, 1_000_000)
#: The length of a ``String`` input that declares none.
DEFAULT_TEXT = Text(1_000)
#: The length of a ``JSON`` input that declares none, in characters of its JSON text.
DEFAULT_JSON = Text(10_000)
#: The number of values of a list input that declares none.
DEFAULT_ITEMS = MaxItems(100)
#: The length of an ``ID`` input (a UUID has 36 characters, an integer id fewer): checked, not
#: described (an id is opaque: a client passes back one it was given).
ID_TEXT = Text(100)
#: A CSS hex color: ``#rgb`` or ``#rrggbb``.
HEX_COLOR = Text(
    7,
    4,
    pattern=r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})",
    format="a CSS hex color, `#rgb` or `#rrggbb`",
)

__all__ = [
    "DEFAULT_INT",
    "DEFAULT_ITEMS",
    "DEFAULT_JSON",
    "DEFAULT_TEXT",
    "HEX_COLOR",
    "ID_TEXT",
    "INT4_MAX",
    "INT4_MIN",
    "IntRange",
    "MaxItems",
    "Text",
    "refuse",
]
