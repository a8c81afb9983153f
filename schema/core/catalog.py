"""The staff mutations of a catalog, made from its declaration: one
:class:`db.auth.staff.CatalogTable` gives ``create<Type>``, ``update<Type>`` and
``deactivate<Type>`` (or ``delete<Type>`` for a table without an active column), their input
types and their payloads (docs/admin.md, "Content catalogs" and "The game's catalogs"). Every
staff catalog is declared this way; the game catalogs (market items, universal quests,
achievement and skill definitions) only word their descriptions otherwise
(:data:`GAME_WORDING`) and return the row alone from ``deactivate<Type>``.

The input fields come from the declaration's column rules (:mod:`db.fields`): a ``Text`` is a
``String``, a ``Number`` an ``Int`` (a ``Float`` when not ``integer``), a ``Choice`` the model
enum's GraphQL enum, a ``Flag`` a ``Boolean``, ``Tags`` a ``[String!]``, a ``Ref`` an ``ID``, a
``Shaped`` value ``JSON``; the rule is the field's bound marker too (``schema/core/inputs.py``),
and its description is the column's ``doc=`` text (then the declaration's note of the column,
if any). A create input's ``required`` fields are non-null; its other fields may be left out
(the column's default then). An update input has no field of an ``immutable`` column; every
field may be left out (kept); an explicit null clears a nullable column.

A domain declares its catalogs in ``schema/<domain>/admin.py``::

    catalog_mutations(learn_catalog.TOPICS, entitlement=CATALOG)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from db.auth.staff import CatalogTable, create_entry, retire_entry, update_entry
from db.errors import InvalidState, NotFound
from db.fields import Choice, Flag, Moment, Number, Ref, Rule, Shaped, Tags, Text
from schema.core.mutations import Ids, MutationDef, Tx, given_fields, id_arg, mutation, plain
from schema.core.types import graphql_enum

#: The entitlement of the content catalogs' staff mutations.
CATALOG = "catalog:manage"


def _snake(name: str) -> str:
    """``LearnLesson`` -> ``learn_lesson``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def field_type(rule: Rule) -> Any:
    """The GraphQL type (python annotation, without null) of an input field with ``rule``."""
    if isinstance(rule, Text):
        return str
    if isinstance(rule, Number):
        return int if rule.integer else float
    if isinstance(rule, Choice):
        return graphql_enum(rule.enum)
    if isinstance(rule, Flag):
        return bool
    if isinstance(rule, Tags):
        return list[str]
    if isinstance(rule, Moment):
        return date if rule.day else datetime
    if isinstance(rule, Ref):
        return strawberry.ID
    if isinstance(rule, Shaped):
        return JSON
    raise TypeError(f"no GraphQL type for {rule!r}")


def _values(input: Any) -> dict[str, Any]:
    """The fields a client sent (:func:`given_fields`), input objects within them (a
    template's items) as dicts of their fields, enums as their stored values."""

    def value(v: Any) -> Any:
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {f.name: value(getattr(v, f.name)) for f in dataclasses.fields(v)}
        if isinstance(v, list):
            return [value(x) for x in v]
        return plain(v)

    return {k: value(v) for k, v in given_fields(input).items()}


@dataclass(frozen=True)
class Wording:
    """The descriptions of a catalog's mutations, inputs and arguments: templates filled with
    ``{what}`` (the rows in words), ``{type}`` (what the inputs are named after),
    ``{resource}`` (the GraphQL type name) and ``{active}`` (the active column).

    Attributes:
        create_input, update_input: the input types' descriptions.
        create_default, update_default: the sentence closing the description of an input
            field that may be left out ("" for none).
        create, update, deactivate, delete: the mutations' descriptions (``delete`` for a
            table without an active column).
        row_id: the ``id`` argument's description.
        reports_deleted: whether the retire mutation's payload tells ``deleted`` (the row
            then nullable, and ``InvalidState`` among its errors); else it is the row only.
    """

    create_input: str = "A new row: {what}."
    update_input: str = (
        "The fields of {what} to change; a field left out keeps its value, `null` clears an "
        "optional one."
    )
    create_default: str = "Left out: the default."
    update_default: str = "Left out: kept."
    create: str = "Create {what}, audited."
    update: str = "Change {what}, audited (the changed fields before and after)."
    deactivate: str = (
        "Deactivate {what}, audited: `{active}` becomes false; the row stays, and what users' "
        "rows point at stays intact."
    )
    delete: str = (
        "Delete {what}, audited, when no row refers to it (`InvalidState` `in_use` otherwise: "
        "nothing is deleted)."
    )
    row_id: str = "The row (`{resource}.id`)."
    reports_deleted: bool = True


#: The wording of the game catalogs (market items, universal quests, achievement and skill
#: definitions), as their API was first published: the same mechanism, other sentences.
GAME_WORDING = Wording(
    create_input="A new {type}: the fields left out keep their column defaults.",
    update_input="The fields of a {type} to change; a field left out keeps its value.",
    create_default="",
    update_default="",
    create="Create {what}; audited with the new row.",
    update="Change the given fields of {what}; audited with the fields before and after.",
    deactivate="Deactivate {what}: the row stays, so what users' rows refer to (progress, "
    "unlocks, purchases) stays intact; audited.",
    row_id="The {resource} (`{resource}.id`).",
    reports_deleted=False,
)


def _input(
    catalog: CatalogTable,
    types: Mapping[str, Any],
    notes: Mapping[str, str],
    wording: Wording,
    words: Mapping[str, Any],
    *,
    create: bool,
) -> type:
    """The input type ``Create<type>Input`` of a create (``create``: every column of the
    rules) or ``Update<type>Input`` of an update (the columns not
    :attr:`~db.auth.staff.CatalogTable.immutable`) of ``catalog``; ``types``: column -> its
    GraphQL type, for a shaped value more precise than ``JSON``; ``notes``: column -> a
    sentence after its column's ``doc=`` text; ``wording`` and ``words``: the descriptions
    (:class:`Wording`) and what fills them."""
    name = f"{'Create' if create else 'Update'}{words['type']}Input"
    description = (wording.create_input if create else wording.update_input).format(**words)
    left_out = wording.create_default if create else wording.update_default
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__}
    for column, rule in catalog.rules.items():
        if not create and column in catalog.immutable:
            continue
        doc = (catalog.table.c[column].doc or column).strip()
        base = types.get(column) or field_type(rule)
        if create and column in catalog.required:
            annotations[column] = Annotated[base, rule]
            text = " ".join(filter(None, (doc, notes.get(column))))
            namespace[column] = strawberry.field(description=text)
        else:
            annotations[column] = Annotated[base | None, rule]
            text = " ".join(filter(None, (doc, notes.get(column), left_out)))
            namespace[column] = strawberry.field(default=strawberry.UNSET, description=text)
    # Required fields first: a dataclass field without a default cannot follow one with it.
    order = sorted(annotations, key=lambda c: not (create and c in catalog.required))
    namespace["__annotations__"] = {c: annotations[c] for c in order}
    for c in order:  # the class body's order is the fields' order
        namespace[c] = namespace.pop(c)
    return strawberry.input(type(name, (), namespace), description=description)


def _declare(fn: Any, name: str, params: dict[str, Any], **options: Any) -> MutationDef:
    """Declare a generated body as the mutation ``name`` with the arguments ``params``
    (argument -> annotation)."""
    return mutation(name=name, parameters=params, **options)(fn)


def catalog_mutations(
    catalog: CatalogTable,
    *,
    what: str,
    name: str | None = None,
    types: Mapping[str, Any] | None = None,
    notes: Mapping[str, str] | None = None,
    wording: Wording = Wording(),
    entitlement: str = CATALOG,
) -> tuple[MutationDef, MutationDef, MutationDef]:
    """Declare the three staff mutations of ``catalog`` (see the module docstring): keep the
    returned create, update and retire declarations as an attribute of the domain's ``admin``
    module, where :func:`schema.declarations` finds them.

    Args:
        catalog: the declaration (``db/<domain>/catalog.py``).
        what: the rows in words, for the descriptions (``"a lesson of the learn catalog"``).
        name: what the mutations and inputs are named after (``BuiltinExercise``:
            ``createBuiltinExercise``), when the type name is taken by the players' own
            mutations; the type name by default.
        types: column -> its GraphQL type (with its bound markers), for a shaped value that is
            a list or an input object rather than ``JSON`` (``list[str]``); input objects
            reach the rules as dicts of their fields.
        notes: column -> a sentence added to its input fields' descriptions (what the checks
            refuse: ``"Set on create only."``).
        wording: the descriptions' sentences (:class:`Wording`).
        entitlement: the entitlement they require.

    Raises:
        ValueError: a wording whose retire payload cannot say ``deleted`` for a table without
            an active column.
    """
    if catalog.active is None and not wording.reports_deleted:
        raise ValueError(f"{catalog.resource}: a deleted row needs a payload that says so")
    types = types or {}
    type_name = name or catalog.resource
    table = catalog.table.name
    payload = _snake(catalog.resource)
    words = {
        "what": what,
        "type": type_name,
        "resource": catalog.resource,
        "active": catalog.active,
    }
    create_input = _input(catalog, types, notes or {}, wording, words, create=True)
    update_input = _input(catalog, types, notes or {}, wording, words, create=False)
    row_id = Annotated[
        strawberry.ID, strawberry.argument(description=wording.row_id.format(**words))
    ]

    async def create(tx: Tx, input: Any) -> Ids:
        action = f"create{type_name}"
        new = await create_entry(tx.conn, tx.actor, catalog, _values(input), action=action)
        return {payload: new}

    async def update(tx: Tx, id: Any, input: Any) -> Ids:
        action = f"update{type_name}"
        key = id_arg(id, "id")
        await update_entry(tx.conn, tx.actor, catalog, key, _values(input), action=action)
        return {payload: key}

    # The work after a write may refuse it (no onboarding flow left active).
    knock_on: tuple[type[InvalidState], ...] = (InvalidState,) if catalog.after else ()
    retire_name = f"deactivate{type_name}" if catalog.active else f"delete{type_name}"

    async def retire(tx: Tx, id: Any) -> Ids:
        key = id_arg(id, "id")
        deleted = await retire_entry(tx.conn, tx.actor, catalog, key, action=retire_name)
        if not wording.reports_deleted:
            return {payload: key}
        return {payload: None if deleted else key, "deleted": deleted}

    created = _declare(
        create,
        f"create{type_name}",
        {"input": create_input},
        description=wording.create.format(**words),
        returns={payload: table},
        errors=knock_on,
        entitlement=entitlement,
    )
    updated = _declare(
        update,
        f"update{type_name}",
        {"id": row_id, "input": update_input},
        description=wording.update.format(**words),
        returns={payload: table},
        errors=(NotFound, *knock_on),
        entitlement=entitlement,
    )
    retired = (wording.deactivate if catalog.active else wording.delete).format(**words)
    if not wording.reports_deleted:
        deactivated = _declare(
            retire,
            retire_name,
            {"id": row_id},
            description=retired,
            returns={payload: table},
            errors=(NotFound, *knock_on),
            entitlement=entitlement,
        )
        return (created, updated, deactivated)
    retired_row = _declare(
        retire,
        retire_name,
        {"id": row_id},
        description=retired,
        returns={payload: f"{table}?", "deleted": bool},
        errors=(NotFound, InvalidState),
        entitlement=entitlement,
        fields={
            payload: f"The {catalog.resource} as it is now; null when it was deleted.",
            "deleted": "Whether the row was deleted (else it was deactivated).",
        },
    )
    return (created, updated, retired_row)


__all__ = ["CATALOG", "GAME_WORDING", "Wording", "catalog_mutations", "field_type"]
