"""The Strawberry workarounds of schema/core/strawberry_adapter.py still work with the installed
Strawberry: an upgrade that removes what they rely on fails here, not in production."""

from __future__ import annotations

from graphql import parse
from strawberry.types import ExecutionContext

from schema import build_schema
from schema.core.strawberry_adapter import sent_operation_name


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
