"""Staff catalog mutations declared from a table's rules: for a
:class:`db.auth.catalog.CatalogTable`, the create and update input types and the
``create<Type>`` / ``update<Type>`` / ``deactivate<Type>`` mutations (entitlement
``catalog:manage``, docs/admin.md).

The input fields follow the table's :mod:`db.fields` rules, so nothing is restated: a text
rule gives a ``String`` bounded by the rule, a number an ``Int`` in its range, a choice the
model enum's GraphQL enum, a flag a ``Boolean``, a moment a ``DateTime``, a shaped value
``JSON``; each field's description is its column's ``doc=`` text. In the create input the
table's required columns are required and the other fields may be left out (the column's
default); the update input has every settable field optional (left out: unchanged). The
bodies call :func:`db.auth.catalog.create` / :func:`~db.auth.catalog.update` /
:func:`~db.auth.catalog.deactivate`, which check, write and audit.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from db.auth import catalog
from db.errors import NotFound
from db.fields import Choice, Flag, Moment, Number, Rule, Shaped, Text
from schema.core.descriptions import column_doc
from schema.core.mutations import Ids, MutationDef, Tx, given_fields, id_arg, mutation
from schema.core.types import graphql_enum

#: The entitlement of every catalog mutation.
CATALOG_MANAGE = "catalog:manage"


def field_type(rule: Rule) -> Any:
    """The GraphQL input type of a column with ``rule`` (its bounds as the marker)."""
    if isinstance(rule, Text):
        return Annotated[str, rule]
    if isinstance(rule, Number):
        return Annotated[int, rule]
    if isinstance(rule, Choice):
        return graphql_enum(rule.enum)
    if isinstance(rule, Flag):
        return bool
    if isinstance(rule, Moment):
        return datetime
    if isinstance(rule, Shaped):
        return JSON
    raise TypeError(f"no input type for {rule!r}")


def _optional(hint: Any) -> Any:
    if typing.get_origin(hint) is Annotated:
        base, *metadata = typing.get_args(hint)
        return Annotated[(base | None, *metadata)]
    return hint | None


def _input(name: str, description: str, fields: dict[str, tuple[Any, str, bool]]) -> type:
    """A strawberry input type ``name``: python name -> (type, description, required)."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__}
    for attr, (hint, text, required) in fields.items():
        annotations[attr] = hint if required else _optional(hint)
        namespace[attr] = (
            strawberry.field(description=text)
            if required
            else strawberry.field(default=strawberry.UNSET, description=text)
        )
    # Required fields first: a dataclass field without a default may not follow one with.
    order = sorted(annotations, key=lambda a: not fields[a][2])
    namespace["__annotations__"] = {a: annotations[a] for a in order}
    return strawberry.input(type(name, (), namespace), description=description)


@dataclass(frozen=True)
class CatalogInputs:
    """The input types of one catalog table's create and update mutations."""

    create: type
    update: type


def catalog_inputs(
    spec: catalog.CatalogTable, model: type[Any], type_name: str, notes: dict[str, str]
) -> CatalogInputs:
    """``Create<type_name>Input`` and ``Update<type_name>Input`` of ``spec``'s table.

    Args:
        spec: the table's rules.
        model: its model class (the fields' descriptions are its columns' ``doc=`` texts).
        type_name: the GraphQL type name of a row (``MarketItem``).
        notes: column -> a sentence added to its description (what the checks refuse).
    """

    def text(column: str) -> str:
        note = notes.get(column)
        return f"{column_doc(model, column)} {note}" if note else column_doc(model, column)

    create = {c: (field_type(rule), text(c), c in spec.required) for c, rule in spec.rules.items()}
    update = {
        c: (field_type(rule), text(c), False)
        for c, rule in spec.rules.items()
        if c not in spec.immutable
    }
    return CatalogInputs(
        create=_input(
            f"Create{type_name}Input",
            f"A new {type_name}: the fields left out keep their column defaults.",
            create,
        ),
        update=_input(
            f"Update{type_name}Input",
            f"The fields of a {type_name} to change; a field left out keeps its value.",
            update,
        ),
    )


def declare_catalog_mutations(
    spec: catalog.CatalogTable,
    model: type[Any],
    *,
    payload: str,
    what: str,
    notes: dict[str, str] | None = None,
    extra: typing.Callable[[Tx], dict[str, Any]] | None = None,
) -> tuple[MutationDef, ...]:
    """Declare ``create<T>``, ``update<T>`` and ``deactivate<T>`` for ``spec``'s table
    (``T`` its GraphQL type name, ``spec.resource``), each returning the row as ``payload``.

    Args:
        spec: the table's rules.
        model: its model class.
        payload: the success type's field holding the row (python name: ``market_item``).
        what: the descriptions' words for the rows, with the rule's source (``"a market item
            (Ignition specification, "Section 5: Market Tables")"``).
        notes: column -> a sentence added to its input field's description.
        extra: columns a create sets from the request (``created_by``: the staff member).

    Returns:
        The three declarations: the domain's ``admin`` module keeps them as an attribute,
        where :func:`schema.declarations` finds them.
    """
    inputs = catalog_inputs(spec, model, spec.resource, notes or {})
    table = spec.table.name
    returns = {payload: table}
    row_id = f"The {spec.resource} (`{spec.resource}.id`)."

    async def create(tx: Tx, input: Any) -> Ids:
        values = given_fields(input)
        new_id = await catalog.create(
            tx.conn,
            tx.actor,
            spec,
            values,
            action=f"create{spec.resource}",
            extra=extra(tx) if extra is not None else None,
        )
        return {payload: new_id}

    async def update(tx: Tx, id: strawberry.ID, input: Any) -> Ids:
        await catalog.update(
            tx.conn,
            tx.actor,
            spec,
            id_arg(id, "id"),
            given_fields(input),
            action=f"update{spec.resource}",
        )
        return {payload: id_arg(id, "id")}

    async def deactivate(tx: Tx, id: strawberry.ID) -> Ids:
        await catalog.deactivate(
            tx.conn, tx.actor, spec, id_arg(id, "id"), action=f"deactivate{spec.resource}"
        )
        return {payload: id_arg(id, "id")}

    declarations = (
        (
            "create",
            create,
            f"Create {what}; audited with the new row.",
            (),
            {"input": inputs.create},
        ),
        (
            "update",
            update,
            f"Change the given fields of {what}; audited with the fields before and after.",
            (NotFound,),
            {"id": strawberry.ID, "input": inputs.update},
        ),
        (
            "deactivate",
            deactivate,
            f"Deactivate {what}: the row stays, so what users' rows refer to (progress, "
            "unlocks, purchases) stays intact; audited.",
            (NotFound,),
            {"id": strawberry.ID},
        ),
    )
    return tuple(
        mutation(
            description=description,
            returns=returns,
            errors=errors,
            entitlement=CATALOG_MANAGE,
            name=f"{verb}{spec.resource}",
            args={"id": row_id} if errors else None,
            parameters=parameters,
        )(body)
        for verb, body, description, errors, parameters in declarations
    )


__all__ = [
    "CATALOG_MANAGE",
    "CatalogInputs",
    "catalog_inputs",
    "declare_catalog_mutations",
    "field_type",
]
