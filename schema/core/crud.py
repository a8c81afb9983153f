"""The players' create, update and delete mutations of a row kind the viewer owns (a book, a
habit, a goal, ...), made from one declaration: :func:`owned_mutations` gives
``create<Kind>(input)``, ``update<Kind>(id, input)`` and ``delete<Kind>(id)``
(docs/design.md#graphql-conventions). The staff catalogs have their own generator
(:mod:`schema.core.catalog`); this one takes the domain's own input types and transitions.

- ``create<Kind>`` calls ``create(conn, user_id, values)`` (or, with a ``parent`` argument,
  ``create(conn, user_id, parent_id, values)``) and answers ``{<payload>: <the new row>}``;
- ``update<Kind>`` calls ``update(conn, user_id, row_id, values)`` with the fields the client
  sent (:func:`~schema.core.mutations.given_fields`) and answers ``{<payload>: <the row>}``;
- ``delete<Kind>`` calls ``delete(conn, user_id, row_id)`` and answers
  ``{deleted_<payload>_id: <the id it had>}``.

A domain keeps the returned triple as an attribute of its ``mutations`` module, where
:func:`schema.declarations` finds them::

    BOOK_MUTATIONS = owned_mutations(
        "book", table="books", row_id=BookId,
        inputs=(CreateBookInput, UpdateBookInput),
        create=transitions.create_book, update=transitions.update_book,
        delete=transitions.delete_book,
        descriptions=("Add a book ...", "Change ...", "Delete ..."),
    )
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from db.errors import DomainError, NotFound
from schema.core.mutations import Ids, MutationDef, Tx, given_fields, id_arg, mutation
from schema.core.tables import camel

#: ``create(conn, user_id, values)``, or with a parent ``create(conn, user_id, parent_id,
#: values)``: the new row's id.
CreateRow = Callable[..., Awaitable[Any]]
#: ``update(conn, user_id, row_id, values)``: the changed row's id.
UpdateRow = Callable[[AsyncConnection, uuid.UUID, uuid.UUID, dict[str, Any]], Awaitable[Any]]
#: ``delete(conn, user_id, row_id)``: the id the deleted row had.
DeleteRow = Callable[[AsyncConnection, uuid.UUID, uuid.UUID], Awaitable[Any]]
#: The domain errors each of create, update and delete may raise.
Errors = tuple[type[DomainError], ...]


def spread(transition: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """A transition that takes its values as keyword arguments
    (``create_habit(conn, user_id, *, name=..., ...)``), called as :data:`CreateRow` or
    :data:`UpdateRow` are: the values dict, last, becomes the keywords."""

    async def call(*args: Any) -> Any:
        *positional, values = args
        return await transition(*positional, **values)

    return call


def converting(**converters: Callable[[Any], Any]) -> Callable[[Any], dict[str, Any]]:
    """A ``values`` of :func:`owned_mutations`: the fields the client sent
    (:func:`~schema.core.mutations.given_fields`), each field named here and not null
    converted by its function (an id parsed, nested inputs made the transition's values), in
    the order given here (the first refusal is the one reported)."""

    def values(input: Any) -> dict[str, Any]:
        sent = given_fields(input)
        for name, convert in converters.items():
            if sent.get(name) is not None:
                sent[name] = convert(sent[name])
        return sent

    return values


def of_kind(
    kind: Any,
    create: Callable[..., Awaitable[Any]],
    update: Callable[..., Awaitable[Any]],
    delete: Callable[..., Awaitable[Any]],
) -> dict[str, Callable[..., Awaitable[Any]]]:
    """The ``create``, ``update`` and ``delete`` arguments of :func:`owned_mutations` for
    transitions shared by several row kinds, which take the kind right after the connection
    (``create_mark(conn, mark, user_id, ...)``), bound to ``kind``."""

    def bound(transition: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def call(conn: AsyncConnection, *args: Any) -> Any:
            return await transition(conn, kind, *args)

        return call

    return {"create": bound(create), "update": bound(update), "delete": bound(delete)}


def owned_mutations(
    kind: str,
    *,
    table: str,
    row_id: Any,
    inputs: tuple[type, type],
    create: CreateRow,
    update: UpdateRow,
    delete: DeleteRow,
    descriptions: tuple[str, str, str],
    cite: bool = True,
    payload: str | None = None,
    noun: str | None = None,
    errors: tuple[Errors, Errors, Errors] = ((), (NotFound,), (NotFound,)),
    values: Callable[[Any], dict[str, Any]] = given_fields,
    parent: tuple[str, Any] | None = None,
) -> tuple[MutationDef, MutationDef, MutationDef]:
    """Declare the create, update and delete mutations of a row kind the viewer owns (see the
    module docstring).

    Args:
        kind: the kind in snake case; the mutations are ``create_<kind>``, ``update_<kind>``,
            ``delete_<kind>`` in camelCase (``"reference_track"``: ``createReferenceTrack``).
        table: the rows' table (the payload loads the row from it).
        row_id: the annotation of the ``id`` argument of update and delete (an
            ``Annotated[strawberry.ID, strawberry.argument(description=...)]``).
        inputs: the create and the update input types (the ``input`` argument).
        create, update, delete: the transitions (``db/<domain>/transitions.py``), called with
            the mutation's connection and the viewer's id (see :data:`CreateRow`,
            :data:`UpdateRow`, :data:`DeleteRow`; :func:`spread` adapts a keyword one).
        descriptions: the create, update and delete mutations' descriptions.
        cite: whether the deleted id's description cites the row's type, the PascalCase of
            ``kind`` (``"The id the deleted book had (`Book.id`)."``).
        payload: the payload field of the created and updated row; ``kind`` by default.
        noun: the row in words in the deleted id's description (``"entry"``); ``payload``
            by default (the deleted id's field is ``deleted_<payload>_id``).
        errors: the domain errors create, update and delete may raise.
        values: the transition's values from an input object, the same for create and update
            (ids parsed, nested inputs converted); :func:`given_fields` by default.
        parent: ``(argument, annotation)`` of the row the created one belongs to (a track's
            annotation: ``("track_id", TrackId)``), passed to ``create`` before the values.

    Returns:
        The create, update and delete declarations.
    """
    payload = payload or kind
    noun = noun or payload
    deleted = f"deleted_{payload}_id"
    type_name = camel(kind)[:1].upper() + camel(kind)[1:]
    cited = f" (`{type_name}.id`)" if cite else ""
    create_input, update_input = inputs
    create_errors, update_errors, delete_errors = errors
    create_doc, update_doc, delete_doc = descriptions

    async def create_body(tx: Tx, **arguments: Any) -> Ids:
        owner: tuple[Any, ...] = ()
        if parent is not None:
            owner = (id_arg(arguments[parent[0]], camel(parent[0])),)
        new = await create(tx.conn, tx.viewer.user_id, *owner, values(arguments["input"]))
        return {payload: new}

    async def update_body(tx: Tx, id: Any, input: Any) -> Ids:
        changed = await update(tx.conn, tx.viewer.user_id, id_arg(id, "id"), values(input))
        return {payload: changed}

    async def delete_body(tx: Tx, id: Any) -> Ids:
        return {deleted: await delete(tx.conn, tx.viewer.user_id, id_arg(id, "id"))}

    created = mutation(
        name=camel(f"create_{kind}"),
        description=create_doc,
        returns={payload: table},
        errors=create_errors,
        parameters={**dict([parent] if parent else []), "input": create_input},
    )(create_body)
    updated = mutation(
        name=camel(f"update_{kind}"),
        description=update_doc,
        returns={payload: table},
        errors=update_errors,
        parameters={"id": row_id, "input": update_input},
    )(update_body)
    removed = mutation(
        name=camel(f"delete_{kind}"),
        description=delete_doc,
        returns={deleted: strawberry.ID},
        errors=delete_errors,
        fields={deleted: f"The id the deleted {noun} had{cited}."},
        parameters={"id": row_id},
    )(delete_body)
    return (created, updated, removed)


__all__ = [
    "CreateRow",
    "DeleteRow",
    "Errors",
    "UpdateRow",
    "converting",
    "of_kind",
    "owned_mutations",
    "spread",
]
