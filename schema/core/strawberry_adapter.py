"""The one place that reaches past Strawberry's public API (strawberry-graphql 0.341.3).

Everything else in ``schema/`` builds types, fields, arguments and extensions with Strawberry's
public constructors (``strawberry.type`` on classes made by ``types.new_class``,
``strawberry.field(resolver=..., graphql_type=...)``, ``StrawberryArgument``,
``strawberry.Private``: see ``schema/core/fields.py``). A workaround goes here, with the
Strawberry version it was written against and the upstream discussion, so that an upgrade has
one file to check (``tests/api/test_strawberry_adapter.py`` fails when it stops working).
"""

from __future__ import annotations

from strawberry.types import ExecutionContext


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


__all__ = ["sent_operation_name"]
