"""The Strawberry workarounds of schema/core/strawberry_adapter.py still work with the installed
Strawberry: an upgrade that removes what they rely on fails here, not in production."""

from __future__ import annotations

import inspect

import pytest
from graphql import GraphQLError, GraphQLSchema, parse
from strawberry.types import ExecutionContext

from schema import build_schema
from schema.core.strawberry_adapter import (
    graphql_core_schema,
    scalar_parser,
    sent_operation_name,
    with_strawberry_rules,
)


def _context(operation_name: str | None) -> ExecutionContext:
    context = ExecutionContext(
        query="query A { __typename } query B { __typename }",
        schema=build_schema(),
        allowed_operations=frozenset(),
        provided_operation_name=operation_name,
    )
    context.graphql_document = parse(context.query or "")
    return context


def test_the_operation_name_as_sent_is_told_from_the_inferred_one() -> None:
    unnamed = _context(None)
    assert unnamed.operation_name == "A"  # Strawberry's public property infers the first one
    assert sent_operation_name(unnamed) is None
    assert sent_operation_name(_context("A")) == "A"
    assert sent_operation_name(_context("B")) == "B"


def test_the_graphql_core_schema_is_the_one_strawberry_executes() -> None:
    built = build_schema()
    core = graphql_core_schema(built)
    assert isinstance(core, GraphQLSchema)
    assert core.query_type is not None and core.query_type.name == "Query"


def test_validating_here_applies_strawberry_s_own_rules() -> None:
    from strawberry.schema import schema as strawberry_schema

    added = with_strawberry_rules(())
    assert added and all(rule.__name__ in inspect.getsource(strawberry_schema) for rule in added)


def test_scalar_parsers_refuse_like_strawberry_s() -> None:
    parse = scalar_parser(int, "Probe")
    assert parse("12") == 12
    for bad in ("twelve", 12):
        with pytest.raises(GraphQLError):
            parse(bad)
