"""Assembles the executable schema: generated types, domain root fields, protection extensions."""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, SchemaExtension
from strawberry.schema.config import StrawberryConfig

from schema.core.errors import FinishErrors, GatewaySchema, NoNulCharacterRule, Validation
from schema.core.mutations import MutationBuilder
from schema.core.protection import IntrospectionCache, QueryLimits, RequestLimits
from schema.core.response import statements_extension
from schema.core.subscriptions import SubscriptionBuilder
from schema.core.tables import build_catalog
from schema.core.types import SCALAR_MAP, TypeFactory

if TYPE_CHECKING:
    from schema.core.declarations import Declarations
    from schema.core.settings import SchemaSettings


@dataclass(frozen=True)
class ProcessExtensions:
    """The schema extensions (classes or factories) that the process running the schema wraps
    every operation in: they belong to the process (websockets, metrics, tracing), so the
    process passes them in (``gateway.graphql.build_process_schema``).

    Attributes:
        outer: the first extensions, in this order (e.g. the websocket operation's own
            context, then the operation observer, which must see the result after every later
            extension changed it).
        traced: after the request checks, before the errors are finished (e.g. tracing).
    """

    outer: Sequence[Any] = ()
    traced: Sequence[Any] = ()


class ReleaseReader(SchemaExtension):
    """Ends the operation's read transaction as soon as it has executed (before the response
    is encoded and sent). The view closes the reader for good in its own ``finally``, which
    also covers requests that never reach execution (``gateway.graphql``)."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            reader = getattr(self.execution_context.context, "reader", None)
            if reader is not None:
                await reader.release()


class SqlStatements(SchemaExtension):
    """Reports the SQL statements a request ran as ``extensions.sqlStatements`` (enabled by
    ``IGNITION_EXPOSE_SQL_STATS``; the benchmarks read it)."""

    def get_results(self) -> dict[str, Any]:
        reader = getattr(self.execution_context.context, "reader", None)
        return {} if reader is None else statements_extension(reader.statements)


def request_limits(settings: SchemaSettings | None) -> RequestLimits:
    """The limits of :mod:`schema.core.protection` from the settings (defaults when None)."""
    if settings is None:
        return RequestLimits()
    return RequestLimits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_selections=settings.max_selections,
        max_repeats=settings.max_repeated_selections,
        max_nodes=settings.max_query_nodes,
        max_input_values=settings.max_input_values,
        max_tokens=settings.max_tokens,
        max_length=settings.max_query_length,
    )


def validation_rules(settings: SchemaSettings | None) -> list[type[ASTValidationRule]]:
    """The rules added to graphql-core's (no introspection in production). The compiled read
    path (``schema/compiler``) validates with the same ones."""
    rules: list[type[ASTValidationRule]] = [NoNulCharacterRule]
    if settings is not None and (settings.production or not settings.introspection):
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def _extensions(settings: SchemaSettings | None, process: ProcessExtensions) -> list[Any]:
    limits = request_limits(settings)
    hide_suggestions = bool(settings and settings.production)
    # Built once, so that the validation cache (keyed by the rules) hits across requests.
    rules = validation_rules(settings)
    # Factories: every request gets fresh extension instances (the parser and validation
    # caches live at module level, shared across requests). QueryLimits parses, checks the
    # depth/alias/token/selection/cost limits and validates (schema/core/protection.py);
    # Validation, around it, adds the request checks and codes of schema/core/errors.py.
    extensions: list[Any] = [
        *process.outer,  # first: every later extension sees the operation's own context
        ReleaseReader,
        lambda: AddValidationRules(rules),
        lambda: Validation(),
        lambda: QueryLimits(limits, hide_suggestions=hide_suggestions),
        IntrospectionCache,  # after the limits: only a document they accepted runs there
    ]
    if settings is not None and settings.expose_sql_stats:
        extensions.append(SqlStatements)
    extensions.extend(process.traced)
    # Last, so that its end runs first: every other extension sees the errors finished.
    extensions.append(lambda: FinishErrors(production=hide_suggestions))
    return extensions


def _query_type(factory: TypeFactory) -> type:
    fields = factory.root_fields()
    return strawberry.type(
        types.new_class("Query", (), {}, lambda ns: ns.update(fields)),
        description="The root of every read: the viewer (`me`), the "
        "catalogs, admin lists and lookups by id.",
    )


def build(
    declared: Declarations,
    settings: SchemaSettings | None,
    process: ProcessExtensions | None = None,
) -> strawberry.Schema:
    """The schema of :func:`schema.build_schema`, from the domains' declarations."""
    factory = TypeFactory(build_catalog())
    query = _query_type(factory)
    mutations = MutationBuilder(factory, declared.mutations)
    subscriptions = SubscriptionBuilder(factory, declared.subscriptions)
    production = bool(settings and settings.production)
    return GatewaySchema(
        production=production,
        query=query,
        mutation=mutations.build(),
        subscription=subscriptions.build(),
        types=[*factory.types.values(), *mutations.types(), *subscriptions.types()],
        extensions=_extensions(settings, process or ProcessExtensions()),
        config=StrawberryConfig(disable_field_suggestions=production, scalar_map=SCALAR_MAP),
    )
