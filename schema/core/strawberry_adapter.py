"""The one place that reaches past Strawberry's public API (strawberry-graphql 0.341.3).

Everything else in ``schema/`` builds types, fields, arguments and extensions with Strawberry's
public constructors (``strawberry.type`` on classes made by ``types.new_class``,
``strawberry.field(resolver=..., graphql_type=...)``, ``StrawberryArgument``,
``strawberry.Private``: see ``schema/core/fields.py``). A workaround goes here, with the
Strawberry version it was written against and the upstream discussion, so that an upgrade has
one file to check (``tests/api/test_strawberry_adapter.py`` fails when it stops working).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from graphql import ASTValidationRule, GraphQLSchema
from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionContext

if TYPE_CHECKING:
    import strawberry


def sent_operation_name(context: ExecutionContext) -> str | None:
    """The ``operationName`` of the request exactly as the client sent it (None when absent).

    Why a workaround: ``ExecutionContext.operation_name`` (public) answers the name of the
    document's first operation when the request names none, and Strawberry runs that first
    operation: see https://github.com/strawberry-graphql/strawberry/pull/1286 (the property
    and its fallback) and https://github.com/strawberry-graphql/strawberry/pull/3916 ("if no
    operationName is defined, use the first operation in the document"). The GraphQL
    specification's GetOperation instead requires a name when the document holds several
    operations, which :class:`schema.core.errors.Validation` enforces; it needs the name as
    sent, which Strawberry 0.341.3 keeps only in the private ``_provided_operation_name``
    (set in ``ExecutionContext.__post_init__``). No public accessor exists upstream.
    """
    if hasattr(context, "_provided_operation_name"):
        provided: str | None = context._provided_operation_name
        return provided
    return context.operation_name


def graphql_core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema a Strawberry schema executes (the compiled path and the
    request limits validate and plan against it).

    Why a workaround: Strawberry 0.341.3 keeps it in the private ``Schema._schema`` and offers
    no public accessor; upstream points users at ``schema._schema``:
    https://github.com/strawberry-graphql/strawberry/issues/2590.
    """
    core: GraphQLSchema = schema._schema
    return core


def with_strawberry_rules(
    rules: Sequence[type[ASTValidationRule]],
) -> tuple[type[ASTValidationRule], ...]:
    """``rules`` followed by the validation rules Strawberry adds to graphql-core's in
    ``strawberry.schema.schema.validate_document`` (``@oneOf`` inputs, ``Maybe`` nulls), so
    that validating a document here gives Strawberry's answer.

    Why a workaround: Strawberry 0.341.3 has no public list of the rules it adds; they live in
    the internal ``strawberry.schema.validation_rules`` package (no upstream issue asks for
    one; ``tests/api/test_strawberry_adapter.py`` checks the list still matches).
    """
    return (*rules, MaybeNullValidationRule, OneOfInputValidationRule)


def scalar_parser(parse: Callable[[str], object], name: str) -> Callable[[object], object]:
    """``parse`` as a scalar's ``parse_value``: a non-string or a ``ValueError`` becomes the
    same coercion error as Strawberry's own scalars give.

    Why a workaround: Strawberry 0.341.3 builds its scalars' parsers with the internal
    ``strawberry.schema.types.base_scalars.wrap_parser``; reusing it keeps ``DateTime``'s
    error texts those of Strawberry's ``DateTime`` (no upstream issue asks for it public).
    """
    return wrap_parser(parse, name)


__all__ = ["graphql_core_schema", "scalar_parser", "sent_operation_name", "with_strawberry_rules"]
