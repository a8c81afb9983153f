"""The limits checked before validation and execution: document length and
tokens, selections and repeated selections (fragments counted at every spread), depth and
aliases, each refused with a stable ``extensions.code`` and no SQL; string and list arguments
of filters with sensible maximum sizes."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.settings import Settings
from schema.core.cost import (
    ALIAS_LIMIT_EXCEEDED,
    DEPTH_LIMIT_EXCEEDED,
    DOCUMENT_SIZE_LIMIT_EXCEEDED,
    INTROSPECTION_LIMIT_EXCEEDED,
    REPEATED_FIELD_LIMIT_EXCEEDED,
    SELECTION_LIMIT_EXCEEDED,
    TOKEN_LIMIT_EXCEEDED,
    VARIABLES_LIMIT_EXCEEDED,
)
from tests.support.requests import codes, run_request


def _deep(levels: int) -> str:
    """``me { wallet { user { ... id } } }`` nesting ``2 * levels + 2`` fields."""
    return "{ me { " + "wallet { user { " * levels + "id" + " } }" * levels + " } }"


def _fragment_bomb(levels: int, fanout: int) -> str:
    """Each fragment spreads the next ``fanout`` times: ``fanout ** levels`` selections."""
    fields = ["wallet", "progress", "onboardingState", "activeFocusSession"][:fanout]
    definitions = " ".join(
        f"fragment L{i} on User {{ "
        + " ".join(f"{f} {{ user {{ ...L{i + 1} }} }}" for f in fields)
        + " }"
        for i in range(levels)
    )
    return f"{{ me {{ ...L0 }} }} {definitions} fragment L{levels} on User {{ id }}"


REFUSED = [
    ("depth", _deep(7), DEPTH_LIMIT_EXCEEDED, "nests 16 fields deep"),
    (
        "depth through fragments",
        "{ me { ...A } } fragment A on User { wallet { user { ...B } } }"
        " fragment B on User { wallet { user { ...C } } } fragment C on User { "
        + "wallet { user { " * 5
        + "id"
        + " } }" * 5
        + " }",
        DEPTH_LIMIT_EXCEEDED,
        "nests 16 fields deep",
    ),
    (
        "aliases",
        "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(31)) + " }",
        ALIAS_LIMIT_EXCEEDED,
        "uses 31 aliases",
    ),
    (
        "aliases through a fragment spread twice",
        "{ me { ...F } x: me { ...F } } fragment F on User { "
        + " ".join(f"a{i}: id" for i in range(15))
        + " }",
        ALIAS_LIMIT_EXCEEDED,
        "uses 31 aliases",
    ),
    ("tokens", "{ " + "me { id } " * 600 + "}", TOKEN_LIMIT_EXCEEDED, "more than 2,000 tokens"),
    (
        "document length",
        '{ exercises(filter: {search: "' + "a" * 40_000 + '"}) { totalCount } }',
        DOCUMENT_SIZE_LIMIT_EXCEEDED,
        "the limit is 32,768",
    ),
    (
        "selections through a fragment bomb",
        _fragment_bomb(6, 4),
        SELECTION_LIMIT_EXCEEDED,
        "the limit is 1,000",
    ),
    (
        "the same field selected over and over",
        "{" + " me { id }" * 21 + " }",
        REPEATED_FIELD_LIMIT_EXCEEDED,
        "`me` is selected 21 times",
    ),
    (
        "repeats merged from copies of the parent",
        "{" + " me { wallet { coins } wallet { coins } }" * 11 + " }",
        REPEATED_FIELD_LIMIT_EXCEEDED,
        "`wallet` is selected 22 times",
    ),
    (
        "fragment spreads in one selection set",
        "{ me { "
        + " ".join(f"...F{i}" for i in range(21))
        + " } } "
        + " ".join(f"fragment F{i} on User {{ id }}" for i in range(21)),
        REPEATED_FIELD_LIMIT_EXCEEDED,
        "spreads 21 fragments",
    ),
    (
        "__schema twice",
        "{ a: __schema { queryType { name } } b: __schema { queryType { name } } }",
        INTROSPECTION_LIMIT_EXCEEDED,
        "selects `__schema` 2 times",
    ),
    (
        "__schema twice through a fragment",
        "query One { ...S ...S } fragment S on Query { a: __schema { types { name } } }",
        INTROSPECTION_LIMIT_EXCEEDED,
        "The operation `One` selects `__schema` 2 times",
    ),
]


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
async def test_limits_refuse_before_anything_runs(
    schema: strawberry.Schema,
    settings: Settings,
    engine: AsyncEngine,
    query: str,
    code: str,
    message: str,
) -> None:
    result, statements = await run_request(schema, settings, engine, query)
    assert result.data is None
    assert code in codes(result), result.errors
    assert any(message in e.message for e in result.errors or []), result.errors
    assert statements == 0
    assert result.extensions == {"cost": {"requested": None, "limit": 20_000}}


ALLOWED = [
    ("depth at the limit", _deep(6)),
    ("thirty aliases", "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(30)) + " }"),
    ("a field twenty times", "{" + " me { id }" * 20 + " }"),
    ("a small fragment tree", _fragment_bomb(3, 4)),
    (
        "a chain of 150 fragments",
        "{ me { ...C0 } } "
        + " ".join(f"fragment C{i} on User {{ ...C{i + 1} }}" for i in range(150))
        + " fragment C150 on User { id }",
    ),
]


@pytest.mark.parametrize("query", [q for _, q in ALLOWED], ids=[n for n, _ in ALLOWED])
async def test_documents_within_the_limits_run(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine, query: str
) -> None:
    result, _ = await run_request(schema, settings, engine, query)
    assert not result.errors, result.errors


async def test_fragment_cycles_are_validation_errors(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    query = (
        "{ me { ...A } } fragment A on User { wallet { user { ...B } } }"
        " fragment B on User { progress { user { ...A } } }"
    )
    result, statements = await run_request(schema, settings, engine, query)
    assert any("Cannot spread fragment 'A' within itself" in e.message for e in result.errors or [])
    assert statements == 0


# -- string and list arguments -----------------------------------------------------------------


TOO_LONG = [
    (
        "a 1 MB search term",
        "query($s: String) { exercises(filter: {search: $s}) { totalCount } }",
        {"s": "a" * 1_000_000},
        "`filter.search` has 1,000,000 characters; the limit is 100 characters.",
    ),
    (
        "a search term of 101 characters",
        "query($s: String) { infobaseEntries(filter: {search: $s}) { totalCount } }",
        {"s": "a" * 101},
        "`filter.search` has 101 characters; the limit is 100 characters.",
    ),
    (
        "a long muscle",
        "query($m: String) { exercises(filter: {muscle: $m}) { totalCount } }",
        {"m": "m" * 101},
        "`filter.muscle` has 101 characters; the limit is 100 characters.",
    ),
    (
        "too many categories",
        "query($c: [String!]) { exercises(filter: {category: $c}) { totalCount } }",
        {"c": ["strength"] * 101},
        "`filter.category` has 101 values; the limit is 100 values.",
    ),
    (
        "a long category",
        "query($c: [String!]) { exercises(filter: {category: $c}) { totalCount } }",
        {"c": ["c" * 101]},
        "`filter.category` has a value of 101 characters; the limit is 100 characters per value.",
    ),
    (
        "a long cursor",
        "query($a: String) { exercises(after: $a) { totalCount } }",
        {"a": "x" * 2000},
        "`after` is not a cursor of this connection (cursors are at most 1024 characters).",
    ),
]


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [case[1:] for case in TOO_LONG],
    ids=[case[0] for case in TOO_LONG],
)
async def test_long_strings_and_lists_are_refused_before_sql(
    schema: strawberry.Schema,
    settings: Settings,
    engine: AsyncEngine,
    query: str,
    variables: dict[str, Any],
    message: str,
) -> None:
    result, statements = await run_request(schema, settings, engine, query, variables)
    assert [e.message for e in result.errors or []] == [message]
    assert codes(result) == ["BAD_USER_INPUT"]
    assert statements == 0


async def test_search_terms_up_to_the_limit_work(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    query = "query($s: String) { exercises(filter: {search: $s}) { totalCount } }"
    result, _ = await run_request(schema, settings, engine, query, {"s": "press" + " " * 95})
    assert not result.errors, result.errors
    assert result.data["exercises"]["totalCount"] >= 1  # type: ignore[index]


async def test_huge_variables_are_refused_before_graphql_core_coerces_them(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    """A 1 MB body of list items took 350 ms of coercion before any resolver could refuse it."""
    query = "query($f: ExerciseFilter) { exercises(filter: $f) { totalCount } }"
    huge = {"f": {"category": ["ab"] * 200_000}}
    result, statements = await run_request(schema, settings, engine, query, huge)
    assert codes(result) == [VARIABLES_LIMIT_EXCEEDED]
    assert result.errors[0].message == (  # type: ignore[index]
        "The variables hold more than 2,000 values (list items and input fields), the limit."
    )
    assert statements == 0
    # the filter object, its list and 1,997 items: 1,999 values, within the limit
    at_limit = {"f": {"category": ["ab"] * 1997}}
    result, _ = await run_request(schema, settings, engine, query, at_limit)
    assert codes(result) == ["BAD_USER_INPUT"]  # over the filter's own limit of 100 values


async def test_validation_stops_after_twenty_errors(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    query = "{ me { " + " ".join(f"nope{i}" for i in range(50)) + " } }"
    result, _ = await run_request(schema, settings, engine, query)
    messages = [e.message for e in result.errors or []]
    assert len(messages) == 21
    assert messages[-1] == "Too many validation errors, error limit reached. Validation aborted."
