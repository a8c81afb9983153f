"""Mutations: one declaration per mutation, thin resolvers, typed results
(docs/design.md#graphql-conventions).

A domain declares a mutation in ``schema/<domain>/mutations.py`` with :func:`mutation`::

    @mutation(
        description="Buy units of a market item (Ignition specification, "Market Purchase Flow").",
        returns={"purchase": "user_purchases", "wallet": "user_wallet"},
        errors=(NotFound, ItemUnavailable, OutOfStock, InsufficientFunds),
        idempotent=True,
    )
    async def purchase_market_item(tx: Tx, input: PurchaseMarketItemInput) -> Ids:
        purchase = await market.purchase(tx.conn, tx.viewer.user_id, ...)
        return {"purchase": purchase.id, "wallet": purchase.wallet.id}

and this module builds, for each declaration, when the schema is built:

- the success type ``<MutationName>Success`` (``PurchaseMarketItemSuccess``), whose fields are
  the changed rows (generated object types, loaded by id through the request's DataLoaders
  after the commit, so they show the new state) or plain scalars;
- the result union ``<MutationName>Result`` of the success type and the declared error types;
- the bounds of its arguments and input fields (:mod:`schema.core.inputs`: declared with the
  bound objects of :mod:`db.bounds` in the annotation, a default otherwise), stated in their
  descriptions and checked before the body (``InvalidInput`` naming the field);
- the root field, whose resolver only authenticates, checks the bounds, runs the body in one
  READ COMMITTED transaction of its own (:func:`db.connections.write_transaction`: released on
  every path), applies the idempotency key (:mod:`db.events.idempotency`) when ``idempotent``,
  maps a :class:`~db.errors.DomainError` to its GraphQL type, and gives the request a fresh read
  snapshot for the payload.

Every :class:`~db.errors.DomainError` subclass becomes an object type of the same name
implementing ``interface DomainError { code: String! message: String! }``, with the class's
annotated attributes as extra fields (``InsufficientFunds.needed``).
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import types
import typing
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Union

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types.arguments import StrawberryArgumentAnnotation
from strawberry.types.unset import UnsetType

from db.auth.activity import AUDITS_KEY, Actor, audit
from db.auth.models import AuditStatus
from db.auth.rules import AccessStep, missing_step
from db.connections import write_transaction
from db.errors import DomainError, IdempotencyKeyReused, InvalidInput
from db.events.idempotency import run_idempotent, unwrap
from db.events.outbox import take_published, take_revocations
from schema.core.descriptions import client_text, summary
from schema.core.fields import Argument, generated_field
from schema.core.ids import id_arg
from schema.core.inputs import Bound, check, described_argument, plan, stamp_fields
from schema.core.tables import TableInfo, camel

if TYPE_CHECKING:
    from db.auth.viewer import Viewer
    from schema.core.context import Context
    from schema.core.types import TypeFactory

#: What a mutation body returns: payload field (python name) -> row id, row ids or a scalar.
Ids = dict[str, Any]

#: The ``extensions.code`` of a mutation sent without a valid sign-in.
UNAUTHENTICATED = "UNAUTHENTICATED"
#: The ``extensions.code`` of a staff mutation sent by a viewer without its entitlement.
FORBIDDEN = "FORBIDDEN"

#: The description of every ``idempotencyKey`` argument and input field (one text for all; the
#: builder gives it to an ``idempotency_key`` argument that has none; inputs use
#: ``strawberry.field(description=IDEMPOTENCY_KEY)``). Semantics: db/events/idempotency.py.
IDEMPOTENCY_KEY = (
    "A key the client chooses, unique per request and user: a retry with "
    "the same key and the same arguments returns the first outcome (the same result, or the "
    "same error) and changes nothing more; the same key with other arguments is "
    "`IdempotencyKeyReused`."
)

#: An ``idempotencyKey`` argument of a mutation body, described by :data:`IDEMPOTENCY_KEY`.
IdempotencyKey = Annotated[str, strawberry.argument(description=IDEMPOTENCY_KEY)]


@dataclass(frozen=True)
class Tx:
    """What a mutation body gets: the open write transaction and who asks.

    Attributes:
        conn: a connection inside the mutation's own READ COMMITTED transaction; the body
            calls one transition of ``db/<domain>/`` with it and never commits.
        viewer: the signed-in viewer.
        context: the request context (settings, request id for the audit log).
    """

    conn: AsyncConnection
    viewer: Viewer
    context: Context

    @property
    def actor(self) -> Actor:
        """The viewer as the audit log records a staff action (session, request id, address,
        client)."""
        return actor_of(self.viewer, self.context)


def actor_of(viewer: Viewer, ctx: Context) -> Actor:
    """The :class:`~db.auth.activity.Actor` of a request: the viewer, their session, the
    request id, the client's address and ``User-Agent`` (None where the transport has none)."""
    request = ctx.request
    client = getattr(request, "client", None)
    headers = getattr(request, "headers", None)
    return Actor(
        user_id=viewer.user_id,
        session_id=viewer.session_id,
        request_id=ctx.request_id,
        ip_address=getattr(client, "host", None),
        user_agent=headers.get("user-agent") if headers is not None else None,
    )


@dataclass
class MutationDef:
    """One declared mutation (see the module docstring)."""

    fn: Callable[..., Awaitable[Ids]]
    name: str
    description: str
    returns: dict[str, Any]
    errors: tuple[type[DomainError], ...]
    idempotent: bool
    entitlement: str | None
    hints: dict[str, Any] = field(default_factory=dict)
    prepare: Callable[[Tx], Awaitable[None]] | None = None
    args: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    bounds: tuple[Bound, ...] = ()
    gated: bool = True
    parameters: Mapping[str, Any] | None = None

    def __call__(self, tx: Tx, **arguments: Any) -> Awaitable[Ids]:
        """Run the body (as the mutation does, inside its transaction)."""
        return self.fn(tx, **arguments)


def mutation(
    *,
    description: str,
    returns: dict[str, Any],
    errors: tuple[type[DomainError], ...] = (),
    idempotent: bool = False,
    entitlement: str | None = None,
    name: str | None = None,
    prepare: Callable[[Tx], Awaitable[None]] | None = None,
    args: dict[str, str] | None = None,
    fields: dict[str, str] | None = None,
    gated: bool = True,
    parameters: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Awaitable[Ids]]], MutationDef]:
    """Declare a mutation: the decorated body becomes a :class:`MutationDef`, which the schema
    takes from the attributes of the domain's ``mutations`` or ``admin`` module
    (:func:`schema.declarations`); nothing is registered at import.

    Args:
        description: shown in GraphiQL; name the rule's source in parentheses
        ("(Ignition specification, "Market Purchase Flow")"): the builder strips such references
        from the client's text. returns: payload field (python name) -> what it holds: a table name
        (the row with the
            returned id; ``"table?"`` when it may be null), ``["table"]`` (the rows with the
            returned ids, in order), or ``int``/``str``/``bool`` or a list of one of them
            (the returned value).
        errors: the domain errors the body may raise (``InvalidInput`` always, and
            ``IdempotencyKeyReused`` for idempotent mutations, are added).
        idempotent: the mutation awards or spends: it takes ``idempotencyKey`` (as an argument
            or as a field of its ``input``) and replays the first outcome.
        entitlement: the entitlement the viewer must hold (a staff mutation). A viewer
            without it gets ``FORBIDDEN`` and the refusal is audited (status ``denied``, in a
            transaction of its own); the body must append an ``audit_log`` row
            (:func:`db.auth.activity.audit`, or the staff row writes of
            :mod:`db.auth.staff`), or the mutation fails rather than commit an unaudited staff
            write.
        name: the GraphQL name; the camelCase of the function name by default.
        prepare: bookkeeping that is due whatever the outcome (expiring the viewer's overdue
            focus sessions: the passage of time, not the request): it runs in the mutation's
            transaction before the body (after the idempotency key is claimed; not on a
            replay), and its writes commit even when the body refuses, because the body then
            runs in a savepoint of its own.
        args: argument (python name) -> its description in GraphiQL, for arguments whose
            annotation carries none (``Annotated[ID, strawberry.argument(description=...)]``
            works too). Without either, an ``idempotency_key`` argument is described by
            :data:`IDEMPOTENCY_KEY` and an input-type argument by its input type's description.
        fields: payload field (python name) -> its description, for scalar fields (required
            there) and for row fields whose generated text (the row's type and the first
            sentence of its model's docstring) needs more, such as when it is null.
        gated: with ``IGNITION_REQUIRE_APPROVAL``, refuse the mutation to a viewer who is not
            approved and age-verified (:func:`db.auth.rules.missing_step`). False only for
            the mutations that lead there (confirming the age, the terms, the profile, the
            sessions).
        parameters: argument (python name) -> its annotation, for a generated body whose own
            parameters are not annotated with the types (``schema/core/catalog.py``: the
            input types are built per catalog); the body's signature gives them otherwise.

    Raises:
        ValueError: ``args`` or ``fields`` names an argument or field the mutation does not
            have. (A name declared twice is refused when the declarations are collected.)
    """

    def decorate(fn: Callable[..., Awaitable[Ids]]) -> MutationDef:
        graphql_name = name or camel(fn.__name__)
        params = set(inspect.signature(fn).parameters) - {"tx"}
        if set(args or {}) - params:
            raise ValueError(f"{graphql_name}: args= names unknown arguments")
        if set(fields or {}) - set(returns):
            raise ValueError(f"{graphql_name}: fields= names unknown payload fields")
        extra: tuple[type[DomainError], ...] = (InvalidInput,)
        if idempotent:
            extra += (IdempotencyKeyReused,)
        return MutationDef(
            fn=fn,
            name=graphql_name,
            description=description,
            returns=returns,
            errors=tuple(dict.fromkeys((*errors, *extra))),
            idempotent=idempotent,
            entitlement=entitlement,
            prepare=prepare,
            args=dict(args or {}),
            fields=dict(fields or {}),
            gated=gated,
            parameters=dict(parameters) if parameters is not None else None,
        )

    return decorate


# ---- error types ------------------------------------------------------------------------


@strawberry.interface(
    name="DomainError",
    description="An expected refusal of a mutation: a rule of the game said no. `code` is "
    "stable (SCREAMING_SNAKE_CASE of the type name), `message` is for people.",
)
class DomainErrorType:
    code: str = strawberry.field(
        description="The error's stable machine-readable code (e.g. `INSUFFICIENT_FUNDS`)."
    )
    message: str = strawberry.field(description="What went wrong, in words for the user.")


_FIELD_TYPES = {"int": int, "str": str, "bool": bool}
_error_types: dict[type[DomainError], type] = {}


def error_type(cls: type[DomainError]) -> type:
    """The GraphQL object type of a domain error class (built once per class)."""
    if cls not in _error_types:
        annotations: dict[str, Any] = {}
        namespace: dict[str, Any] = {"__module__": __name__}
        hints = {
            attr: hint
            for klass in reversed(cls.__mro__)
            for attr, hint in getattr(klass, "__annotations__", {}).items()
        }
        for attr in cls.field_names():
            annotations[attr] = _FIELD_TYPES[str(hints[attr])]
            namespace[attr] = strawberry.field(description=cls.field_docs[attr])
        namespace["__annotations__"] = annotations
        doc = client_text(inspect.cleandoc(cls.__doc__ or cls.__name__))
        _error_types[cls] = strawberry.type(
            type(cls.__name__, (DomainErrorType,), namespace), description=doc
        )
    return _error_types[cls]


def to_graphql_error(error: DomainError) -> Any:
    """The GraphQL object of a raised domain error."""
    cls = error_type(type(error))
    values = {name: getattr(error, name) for name in error.field_names()}
    return cls(code=error.code, message=error.message, **values)


# ---- success types and root fields --------------------------------------------------------


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _jsonable(value: Any) -> Any:
    """Arguments as JSON for the idempotency fingerprint (inputs as dicts, unset omitted)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not isinstance(getattr(value, f.name), UnsetType)
        }
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if not isinstance(v, UnsetType)}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID | date | datetime):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    return value


def _split_key(kwargs: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """``(key, key field path, the other arguments as JSON)`` of an idempotent call."""
    arguments = _jsonable(kwargs)
    if "idempotency_key" in kwargs:
        arguments.pop("idempotency_key")
        return str(kwargs["idempotency_key"]), "idempotencyKey", arguments
    for arg, value in kwargs.items():
        key = getattr(value, "idempotency_key", None)
        if isinstance(key, str):
            arguments[arg].pop("idempotency_key", None)
            return key, f"{arg}.idempotencyKey", arguments
    raise TypeError("an idempotent mutation needs an idempotency_key argument or input field")


def _stored(value: Any) -> Any:
    """A body's return value as JSON (ids as strings)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    return value


class MutationBuilder:
    """Builds the ``Mutation`` root type from the declarations, against one
    :class:`~schema.core.types.TypeFactory` (the generated object types).

    Args:
        factory: the generated object types.
        declared: GraphQL name -> declaration
            (:attr:`schema.core.declarations.Declarations.mutations`).
    """

    def __init__(self, factory: TypeFactory, declared: Mapping[str, MutationDef]) -> None:
        self.factory = factory
        self.declared = declared

    def build(self) -> type | None:
        """The ``Mutation`` type, or None when nothing is declared."""
        if not self.declared:
            return None
        fields = {name: self._field(d) for name, d in sorted(self.declared.items())}
        return strawberry.type(
            types.new_class("Mutation", (), {}, lambda ns: ns.update(fields)),
            description="Every write: each mutation runs in one transaction of its own and "
            "returns a union of its success type and the domain errors it may meet.",
        )

    def types(self) -> list[type]:
        """Every error type, so the schema lists them even when no union names them."""
        return [error_type(cls) for cls in DomainError.registry.values()]

    def _row_load(self, table: str, many: bool) -> Callable[[Any, Context], Awaitable[Any]]:
        """Loads the row (``many``: the rows) with the body's returned id(s), through the
        request's DataLoaders; None for a null id."""
        info = self.factory.catalog[table]
        column = info.table.c.id
        integer = column.type.python_type is int

        def key(value: Any) -> Any:
            return int(value) if integer else uuid.UUID(str(value))

        async def load(value: Any, ctx: Context) -> Any:
            if value is None:
                return None
            loader = ctx.loaders.row_by(info, column)
            if many:
                return await loader.load_many([key(v) for v in value])
            return await loader.load(key(value))

        return load

    def _payload_field(self, d: MutationDef, attr: str, spec: Any) -> Any:
        """The success type's field ``attr``: a row (or rows) loaded by the returned id(s), or
        the returned scalar."""
        if not isinstance(spec, str | list):
            return generated_field(
                _payload_value(attr), spec, name=camel(attr), description=d.fields.get(attr)
            )
        many = isinstance(spec, list)
        table: str = spec[0] if isinstance(spec, list) else spec
        nullable = table.endswith("?")
        table = table.rstrip("?")
        target: Any = self.factory.types[table]
        returns: Any = list[target] if many else target
        if nullable:
            returns = returns | None
        return generated_field(
            _payload_row(attr, self._row_load(table, many)),
            returns,
            name=camel(attr),
            description=d.fields.get(attr)
            or payload_row_description(d.name, self.factory.catalog[table], many=many),
        )

    def _success_type(self, d: MutationDef) -> type:
        namespace: dict[str, Any] = {
            # The body's returned ids and values (payload field -> value), not a GraphQL field.
            "__annotations__": {"values": strawberry.Private[dict[str, Any]]},
            **{attr: self._payload_field(d, attr, spec) for attr, spec in d.returns.items()},
        }
        return strawberry.type(
            types.new_class(f"{_pascal(d.name)}Success", (), {}, lambda ns: ns.update(namespace)),
            description=f"`{d.name}` succeeded: the rows it changed, as they are now.",
        )

    def _field(self, d: MutationDef) -> Any:
        success = self._success_type(d)
        members = (success, *(error_type(e) for e in d.errors))
        result: Any = Annotated[
            Union[members],  # noqa: UP007
            strawberry.union(
                f"{_pascal(d.name)}Result",
                description=f"The outcome of `{d.name}`: its success type or a domain error.",
            ),
        ]
        params = _parameters(d)
        d.bounds = tuple(plan(name, _argument_name(name, hint), hint) for name, hint, _ in params)
        arguments = []
        for bound, (name, hint, default) in zip(d.bounds, params, strict=True):
            stamp_fields(bound, hint)
            described = described_argument(bound, _described_argument(d, name, hint))
            arguments.append(Argument(name, described, default))

        async def resolve(info: strawberry.Info, **kwargs: Any) -> Any:
            return await execute(d, success, info.context, kwargs)

        description = client_text(d.description)
        if d.entitlement and f"`{d.entitlement}`" not in description:
            # Checked in execute(), not by a permission extension: the refusal is audited. The
            # description names the entitlement once (a hand-written one may name it already).
            description += f" Requires the `{d.entitlement}` entitlement."
        return generated_field(
            resolve,
            result,
            arguments=arguments,
            mutation=True,
            name=d.name,
            description=description,
        )


def _parameters(d: MutationDef) -> list[tuple[str, Any, Any]]:
    """``(name, annotation, default)`` of each argument of ``d`` (its body's parameters but
    ``tx``, or its declared ``parameters``)."""
    if d.parameters is not None:
        return [(name, hint, inspect.Parameter.empty) for name, hint in d.parameters.items()]
    hints = typing.get_type_hints(d.fn, include_extras=True)
    return [
        (p.name, hints[p.name], p.default)
        for p in inspect.signature(d.fn).parameters.values()
        if p.name != "tx"
    ]


def _payload_row(attr: str, load: Callable[[Any, Context], Awaitable[Any]]) -> Callable[..., Any]:
    """The resolver of a success type's row field ``attr``."""

    def resolve(root: Any, info: strawberry.Info) -> Awaitable[Any]:
        return load(root.values.get(attr), info.context)

    return resolve


def _payload_value(attr: str) -> Callable[..., Any]:
    """The resolver of a success type's scalar field ``attr``."""

    def resolve(root: Any) -> Any:
        return root.values.get(attr)

    return resolve


def _argument_name(name: str, hint: Any) -> str:
    """The GraphQL name of an argument: the ``name`` of its ``strawberry.argument``, else the
    camelCase of its python name."""
    if typing.get_origin(hint) is Annotated:
        for m in typing.get_args(hint)[1:]:
            if isinstance(m, StrawberryArgumentAnnotation) and m.name:
                return m.name
    return camel(name)


def _described_argument(d: MutationDef, name: str, hint: Any) -> Any:
    """An argument's annotation, with its description added when it carries none: from
    ``args=``, else :data:`IDEMPOTENCY_KEY` for ``idempotency_key``, else the description of
    its input type; unchanged when none of these applies (tests/api/test_descriptions.py
    then names it)."""
    base = hint
    if typing.get_origin(hint) is Annotated:
        base, *metadata = typing.get_args(hint)
        if any(isinstance(m, StrawberryArgumentAnnotation) and m.description for m in metadata):
            return hint
    description = d.args.get(name)
    if description is None and name == "idempotency_key":
        description = IDEMPOTENCY_KEY
    if description is None:
        definition = getattr(base, "__strawberry_definition__", None)
        if definition is not None and definition.is_input:
            description = definition.description
    if description is None:
        return hint
    return Annotated[hint, strawberry.argument(description=description)]


def payload_row_description(mutation_name: str, info: TableInfo, *, many: bool) -> str:
    """The generated description of a success type's row field: the row's type and what such
    a row is (the first sentence of its model's docstring, schema/core/descriptions.py)."""
    if many:
        return (
            f"Every {info.type_name} that `{mutation_name}` created, in order (empty when "
            f"none): {summary(info)}."
        )
    return f"The {info.type_name} as it is after `{mutation_name}`: {summary(info)}."


async def execute(d: MutationDef, success: type, ctx: Context, kwargs: dict[str, Any]) -> Any:
    """Run one mutation: authenticate, check the bounds of the inputs (before any SQL), one
    transaction, idempotency, map the outcome.

    Returns:
        The success object (its rows read after the commit) or the domain error's object.

    Raises:
        GraphQLError: not signed in (``extensions.code = "UNAUTHENTICATED"``); with
            ``IGNITION_REQUIRE_APPROVAL``, a gated mutation of a viewer who is not approved
            or not age-verified (``extensions.code`` names the missing step,
            :class:`db.auth.rules.AccessStep`).
    """
    viewer = ctx.viewer
    if viewer is None:
        raise GraphQLError(
            "Sign in first: send `Authorization: Bearer <token>`.",
            extensions={"code": UNAUTHENTICATED},
        )
    if d.entitlement is not None and not viewer.has(d.entitlement):
        await _deny(d, viewer, ctx)
    if d.gated and ctx.settings.require_approval:
        step = missing_step(approved=viewer.approved, age_verified=viewer.age_verified)
        if step is not None:
            raise GraphQLError(_STEP_MESSAGES[step], extensions={"code": step.value})
    try:
        # Every bound before any SQL (schema/core/inputs.py): a refusal has changed nothing,
        # and an out-of-range value is refused before a lookup can answer NotFound.
        for bound in d.bounds:
            check(bound, kwargs.get(bound.name))
    except DomainError as error:
        return to_graphql_error(error)
    # Give the request's read connection back before taking a write connection: a request
    # never holds two pooled connections, so concurrent mutations cannot starve the pool
    # (each holding a read connection while waiting for a write one). The payload is read
    # after the commit through a new snapshot anyway.
    await ctx.refresh_reads()
    try:
        async with write_transaction(ctx.engine) as conn:
            tx = Tx(conn=conn, viewer=viewer, context=ctx)

            async def work() -> Any:
                audits = conn.info.get(AUDITS_KEY, 0)
                values = await d.fn(tx, **kwargs)
                if d.entitlement is not None and conn.info.get(AUDITS_KEY, 0) == audits:
                    raise RuntimeError(f"staff mutation {d.name} wrote no audit_log row")
                return {k: _stored(v) for k, v in values.items()}

            prepare = d.prepare

            async def prepared() -> None:
                assert prepare is not None
                await prepare(tx)

            if d.idempotent:
                key, key_field, arguments = _split_key(kwargs)
                outcome = await run_idempotent(
                    conn,
                    user_id=viewer.user_id,
                    key=key,
                    operation=d.name,
                    arguments=arguments,
                    work=work,
                    key_field=key_field,
                    prepare=prepared if prepare is not None else None,
                )
            elif prepare is not None:
                await prepare(tx)
                try:
                    async with conn.begin_nested():
                        outcome = {"ok": await work()}
                except DomainError as error:
                    outcome = error.to_outcome()
            else:
                outcome = {"ok": await work()}
            published = take_published(conn)
            revoked = take_revocations(conn)
        values = unwrap(outcome)
    except DomainError as error:
        return to_graphql_error(error)
    if revoked and ctx.sessions is not None:
        ctx.sessions.forget(revoked)  # this process at once; the others through the relay
    if published and ctx.events is not None:
        await ctx.events.committed()  # wake the relays (the Redis backend; gateway.events)
    await ctx.refresh_reads()
    return success(values=values)


async def _deny(d: MutationDef, viewer: Viewer, ctx: Context) -> None:
    """Refuse a staff mutation to a viewer without its entitlement: append the ``denied``
    ``audit_log`` row in a transaction of its own (nothing else is written), then answer
    ``FORBIDDEN``.

    Raises:
        GraphQLError: always (``extensions.code = "FORBIDDEN"``).
    """
    await ctx.refresh_reads()
    async with write_transaction(ctx.engine) as conn:
        await audit(
            conn,
            actor_of(viewer, ctx),
            action=d.name,
            resource_type="mutation",
            resource_id=d.name,
            details={"entitlement": d.entitlement},
            status=AuditStatus.DENIED,
        )
    raise GraphQLError(
        f"`{d.name}` requires the `{d.entitlement}` entitlement.",
        extensions={"code": FORBIDDEN},
    )


_STEP_MESSAGES = {
    AccessStep.AGE_VERIFICATION_REQUIRED: "Confirm the minimum age first (`confirmAge`).",
    AccessStep.APPROVAL_REQUIRED: "Your account awaits an administrator's approval.",
}


def plain(value: Any) -> Any:
    """An argument as a transition takes it: a GraphQL enum member as its stored value."""
    return value.value if isinstance(value, enum.Enum) else value


def given_fields(input: Any) -> dict[str, Any]:
    """The fields a client sent in a partial-update input (``updateHabit``): absent fields are
    left out, an explicit null is kept, enums become their stored values."""
    return {
        f.name: plain(getattr(input, f.name))
        for f in dataclasses.fields(input)
        if not isinstance(getattr(input, f.name), UnsetType)
    }


def declared() -> dict[str, MutationDef]:
    """The declared mutations by GraphQL name (tests and docs list them):
    :attr:`schema.core.declarations.Declarations.mutations`."""
    from schema import declarations  # the domains import this module: import late

    return dict(declarations().mutations)


__all__ = [
    "FORBIDDEN",
    "IDEMPOTENCY_KEY",
    "UNAUTHENTICATED",
    "DomainErrorType",
    "IdempotencyKey",
    "Ids",
    "MutationBuilder",
    "MutationDef",
    "Tx",
    "actor_of",
    "declared",
    "error_type",
    "given_fields",
    "id_arg",
    "mutation",
    "payload_row_description",
    "plain",
    "to_graphql_error",
]
