"""Mutation input types generated from the field rules of a table (:mod:`db.fields`), for the
plain create and partial-update mutations of a domain's own rows (ideas, reference tracks...).

One declaration gives the GraphQL type of each field (``Text`` -> ``String``, ``Number`` ->
``Int`` or ``Float``, ``Choice`` -> the column's enum, ``Flag`` -> ``Boolean``, ``Tags`` ->
``[String!]``), its bounds as annotations (:func:`db.fields.bounds`: the mutation machinery of
``schema/core/inputs.py`` states them in the description and checks them first) and its
description (the column's ``doc=`` text); the transition checks the same rules, before any SQL.

Every optional field defaults to unset, so a create leaves an absent column to its database
default and an update changes only the fields sent (:func:`~schema.core.mutations.
given_fields`); an explicit ``null`` clears a nullable column.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Annotated, Any

import strawberry

from db.fields import Choice, Flag, Moment, Number, Ref, Rule, Tags, Text, bounds
from schema.core.descriptions import column_doc
from schema.core.types import graphql_enum


def _python_type(rule: Rule) -> Any:
    """The field's type, bounds included (``Annotated``; a tag list bounds each tag too)."""
    marks = bounds(rule)
    if isinstance(rule, Text):
        return Annotated[str, *marks]
    if isinstance(rule, Number):
        return Annotated[int if rule.integer else float, *marks]
    if isinstance(rule, Choice):
        return graphql_enum(rule.enum)
    if isinstance(rule, Flag):
        return bool
    if isinstance(rule, Moment):
        return date if rule.day else datetime
    if isinstance(rule, Ref):
        return strawberry.ID
    if isinstance(rule, Tags):
        count, each = marks
        return Annotated[list[Annotated[str, each]], count]
    raise TypeError(f"{rule!r}: a shaped value has no generated input type; declare the field")


def rules_input(
    name: str,
    description: str,
    model: type[Any],
    rules: Mapping[str, Rule],
    *,
    required: Collection[str] = (),
    notes: Mapping[str, str] | None = None,
) -> Any:
    """A Strawberry input type ``name`` with one field per rule (python name = column).

    Args:
        name: the GraphQL name (``CreateIdeaInput``).
        description: the input type's description.
        model: the table's model (the field descriptions start with its columns' ``doc=``).
        rules: column -> rule (``db/<domain>/rules.py``).
        required: the columns a client must send (non-null, no default); the others are
            optional and unset by default.
        notes: column -> more text for its description (a default, a cross-field rule).

    Returns:
        The input class (its instances hold ``strawberry.UNSET`` for unsent fields).
    """
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__}
    for column, rule in rules.items():
        text = " ".join(
            part for part in (column_doc(model, column), (notes or {}).get(column)) if part
        )
        py = _python_type(rule)
        if column in required:
            annotations[column] = py
            namespace[column] = strawberry.field(description=text)
        else:
            annotations[column] = py | None
            namespace[column] = strawberry.field(default=strawberry.UNSET, description=text)
    namespace["__annotations__"] = annotations
    return strawberry.input(type(name, (), namespace), description=description)


__all__ = ["rules_input"]
