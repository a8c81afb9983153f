"""Query cost: every operation is estimated before it runs, in GitHub's node
model (a connection multiplies its children by its page size), fragments and variables
included; above ``IGNITION_MAX_QUERY_NODES`` it is refused before any SQL, and every response
reports ``extensions.cost``."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import strawberry
from graphql import build_schema, get_introspection_query, parse
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.relay import PageInfo

from bench.queries import QUERIES
from db.auth.viewer import Viewer
from gateway.settings import Settings
from schema.core.cost import COST_LIMIT_EXCEEDED, estimate_cost
from schema.core.protection import QueryLimits, RequestLimits
from schema.core.strawberry_adapter import graphql_core_schema
from tests.factories import make_user
from tests.support.harness import committed_user, snapshot
from tests.support.requests import codes, run_request

README = Path(__file__).resolve().parents[2] / "README.md"

#: The query: 300 bytes, 2 million objects, 114 s and 5.4 GB before this limit.
COST_BOMB = """{ me { activityEvents(first: 100) { edges { node { user {
  activityEvents(first: 100) { edges { node { user {
    activityEvents(first: 100) { edges { node { id eventType createdAt } } } } } } } } } } } } }"""


class Checkouts:
    """Counts the connections taken from a pool while it is installed."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


@pytest.fixture
def checkouts(engine: AsyncEngine) -> Iterator[Checkouts]:
    counter = Checkouts()
    sa.event.listen(engine.sync_engine, "checkout", counter)
    yield counter
    sa.event.remove(engine.sync_engine, "checkout", counter)


# -- refusal before any SQL ------------------------------------------------------------------


async def test_the_cost_bomb_is_refused_before_any_sql(
    schema: strawberry.Schema,
    settings: Settings,
    engine: AsyncEngine,
    db_conn: Any,
    checkouts: Checkouts,
) -> None:
    user = await make_user(db_conn)
    checkouts.count = 0
    result, statements = await run_request(
        schema, settings, engine, COST_BOMB, viewer=Viewer(user_id=user)
    )
    assert result.data is None
    assert codes(result) == [COST_LIMIT_EXCEEDED]
    error = result.errors[0]  # type: ignore[index]
    assert "1,020,201" in error.message and "20,000" in error.message
    assert error.extensions["cost"] == {"requested": 1_020_201, "limit": 20_000}  # type: ignore[index]
    assert result.extensions == {"cost": {"requested": 1_020_201, "limit": 20_000}}
    assert statements == 0
    assert checkouts.count == 0


async def test_the_limit_is_a_setting(
    settings: Settings, engine: AsyncEngine, db_conn: Any
) -> None:
    from schema import build_schema

    roomy = settings.model_copy(update={"max_query_nodes": 2_000_000})
    schema = build_schema(roomy)
    query = (
        "{ me { activityEvents(first: 100) { edges { node { user {"
        " activityEvents(first: 100) { totalCount } } } } } } }"
    )
    result, _ = await run_request(schema, roomy, engine, query)
    assert not result.errors, result.errors
    assert result.extensions == {"cost": {"requested": 10_201, "limit": 2_000_000}}
    tight = settings.model_copy(update={"max_query_nodes": 10_200})
    result, statements = await run_request(build_schema(tight), tight, engine, query)
    assert codes(result) == [COST_LIMIT_EXCEEDED] and statements == 0


async def test_a_mutation_whose_payload_is_too_costly_does_not_run(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine, checkouts: Checkouts
) -> None:
    admin = await committed_user(engine, admin=True)
    target = await committed_user(engine)
    async with engine.connect() as conn:
        before = await snapshot(conn)
    checkouts.count = 0
    mutation = """mutation($user: ID!) {
      grantPoints(input: {userId: $user, coins: 5, reason: "cost test", idempotencyKey: "k1"}) {
        ... on GrantPointsSuccess { wallet { user { activityEvents(first: 100) { edges { node {
          user { activityEvents(first: 100) { edges { node { user { id } } } } } } } } } } }
      }
    }"""
    result, statements = await run_request(
        schema, settings, engine, mutation, {"user": str(target.user_id)}, viewer=admin
    )
    assert codes(result) == [COST_LIMIT_EXCEEDED]
    # the payload, its wallet and user, 100 events and their users, 100 x 100 events and users
    assert result.extensions == {"cost": {"requested": 20_203, "limit": 20_000}}
    assert statements == 0 and checkouts.count == 0
    async with engine.connect() as conn:
        assert await snapshot(conn) == before


def _empty_page() -> PageInfo:
    return PageInfo(
        has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
    )


@strawberry.type(name="Item")
class _Item:
    id: int

    @strawberry.field
    def children(self, first: int | None = None) -> _ItemConnection:
        return _ItemConnection(edges=[], page_info=_empty_page())


@strawberry.type(name="ItemEdge")
class _ItemEdge:
    node: _Item
    cursor: str


@strawberry.type(name="ItemConnection")
class _ItemConnection:
    edges: list[_ItemEdge]
    page_info: PageInfo


@strawberry.type(name="Query")
class _Query:
    ok: bool = True


#: The ``first`` of every ``items`` subscription that started.
started: list[int | None] = []


@strawberry.type(name="Subscription")
class _Subscription:
    @strawberry.subscription
    async def items(self, first: int | None = None) -> AsyncGenerator[_ItemConnection, None]:
        started.append(first)
        yield _ItemConnection(edges=[], page_info=_empty_page())


async def test_subscriptions_get_the_same_analysis() -> None:
    """The subscription path of Strawberry validates through the same hooks (the API has no
    subscriptions yet, so a small schema stands in)."""
    started.clear()
    small = strawberry.Schema(
        query=_Query,
        subscription=_Subscription,
        extensions=[lambda: QueryLimits(RequestLimits(max_nodes=1000))],
    )
    refused = await small.subscribe(
        "subscription { items(first: 50) { edges { node { children(first: 50) { "
        "edges { node { id } } } } } } }"
    )
    results = [result async for result in refused]
    assert len(results) == 1 and codes(results[0]) == [COST_LIMIT_EXCEEDED]
    assert results[0].extensions == {"cost": {"requested": 2550, "limit": 1000}}
    assert started == []
    allowed = await small.subscribe("subscription { items(first: 5) { edges { node { id } } } }")
    results = [result async for result in allowed]
    assert [r.errors for r in results] == [None] and started == [5]


# -- the estimate ----------------------------------------------------------------------------


ESTIMATES = [
    ("scalar fields of one object", "{ me { id name } }", None, 1),
    (
        "a connection counts its page",
        "{ me { habits(first: 10) { edges { node { id } } } } }",
        None,
        11,
    ),
    ("default page size 20", "{ me { habits { totalCount } } }", None, 21),
    ("`last` like `first`", "{ exercises(last: 7) { totalCount } }", None, 7),
    ("page size capped at 100", "{ exercises(first: 1000) { totalCount } }", None, 100),
    ("page size 0", "{ exercises(first: 0) { totalCount } }", None, 0),
    (
        "nested connections multiply, objects under them too",
        "{ me { habits(first: 5) { edges { node { id completions(first: 7) {"
        " edges { node { id habit { id } } } } } } } } }",
        None,
        1 + 5 + 5 * 7 + 5 * 7,
    ),
    (
        "pageInfo and cursors are free",
        "{ exercises(first: 3) { pageInfo { hasNextPage endCursor } edges { cursor } } }",
        None,
        3,
    ),
    (
        "named fragments, nested",
        "{ me { ...H } } fragment H on User { habits(first: 4) { edges { node { ...C } } } }"
        " fragment C on Habit { completions(first: 5) { totalCount } }",
        None,
        1 + 4 + 4 * 5,
    ),
    (
        "inline fragments",
        "{ me { ... on User { habits(first: 4) { totalCount } } } }",
        None,
        1 + 4,
    ),
    (
        "aliases are counted apart",
        "{ a: exercises(first: 10) { totalCount } b: exercises(first: 20) { totalCount } }",
        None,
        30,
    ),
    (
        "the same response name merges, as execution merges it",
        "{ exercises(first: 10) { totalCount } exercises(first: 10) { edges { node { id } } } }",
        None,
        10,
    ),
    (
        "a variable's value",
        "query($n: Int) { exercises(first: $n) { totalCount } }",
        {"n": 7},
        7,
    ),
    (
        "a variable's default",
        "query($n: Int = 3) { exercises(first: $n) { totalCount } }",
        {},
        3,
    ),
    (
        "an absent variable means the default page size",
        "query($n: Int) { exercises(first: $n) { totalCount } }",
        {},
        20,
    ),
    (
        "@skip with a variable",
        "query($s: Boolean!) { exercises(first: 10) @skip(if: $s) { totalCount } me { id } }",
        {"s": True},
        1,
    ),
    (
        "@include false",
        "{ exercises(first: 10) @include(if: false) { totalCount } me { id } }",
        None,
        1,
    ),
    ("__typename is free", "{ __typename me { __typename } }", None, 1),
    ("the cost bomb", COST_BOMB, None, 1_020_201),
]


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [case[1:] for case in ESTIMATES],
    ids=[case[0] for case in ESTIMATES],
)
def test_estimate(
    schema: strawberry.Schema, query: str, variables: dict[str, Any] | None, expected: int
) -> None:
    assert estimate_cost(graphql_core_schema(schema), parse(query), None, variables) == expected


def test_the_operation_named_in_the_request_is_estimated(schema: strawberry.Schema) -> None:
    document = parse("query Small { me { id } } query Big { exercises(first: 50) { totalCount } }")
    assert estimate_cost(graphql_core_schema(schema), document, "Small") == 1
    assert estimate_cost(graphql_core_schema(schema), document, "Big") == 50
    assert (
        estimate_cost(graphql_core_schema(schema), document, None) is None
    )  # ambiguous: refused anyway


# -- extensions.cost on every response --------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "requested"),
    [
        ("{ me { id } }", 1),  # success (signed out: me is null)
        ("{ roles(first: 1, last: 1) { totalCount } }", 1),  # a field error during execution
        ("{ me { nope } }", None),  # a validation error: not analysed
        ("{ me { id }", None),  # a syntax error
        ("{" + " me { id }" * 25 + " }", None),  # a limit of the document's shape
    ],
    ids=["success", "field error", "validation error", "syntax error", "shape limit"],
)
async def test_every_response_reports_its_cost(
    schema: strawberry.Schema,
    settings: Settings,
    engine: AsyncEngine,
    query: str,
    requested: int | None,
) -> None:
    result, _ = await run_request(schema, settings, engine, query)
    assert result.extensions == {"cost": {"requested": requested, "limit": 20_000}}


# -- the defaults let real queries through -----------------------------------------------------

README_QUERIES = [  # the queries (the README's subscription is checked in test_readme.py)
    block
    for block in re.findall(r"```graphql\n(.*?)```", README.read_text(), re.S)
    if not block.startswith("subscription") and not re.search(r"^mutation\b", block, re.M)
]


@pytest.mark.parametrize(
    "query",
    README_QUERIES + [q.document for q in QUERIES] + [get_introspection_query(True)],
    ids=[f"readme-{i}" for i in range(len(README_QUERIES))]
    + [q.name for q in QUERIES]
    + ["graphiql-introspection"],
)
async def test_readme_bench_and_graphiql_queries_are_within_the_limits(
    schema: strawberry.Schema,
    settings: Settings,
    engine: AsyncEngine,
    db_conn: Any,
    query: str,
) -> None:
    user = await make_user(db_conn)
    variables = {"after": None, "search": "press", "id": "00000000-0000-0000-0000-000000000000"}
    result, _ = await run_request(schema, settings, engine, query, variables, Viewer(user_id=user))
    assert not result.errors, result.errors
    cost = result.extensions["cost"]  # type: ignore[index]
    # Introspection is priced (every type, field and argument an object) and answered from
    # memory after its first run: it needs only to fit the limit, with room for the schema to
    # grow; the screens leave room for six at once.
    share = 0.75 if query == get_introspection_query(True) else 1 / 6
    assert cost["limit"] == 20_000 and 0 <= cost["requested"] <= 20_000 * share


async def test_estimates_are_cached_only_when_no_variable_changes_them(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    """The estimate of a validated document is cached with its validation unless a page size
    or a condition is a variable; the same text with other variables gets its own estimate."""
    by_variable = "query($n: Int) { exercises(first: $n) { totalCount } }"
    for n in (7, 30, 7):
        result, _ = await run_request(schema, settings, engine, by_variable, {"n": n})
        assert result.extensions == {"cost": {"requested": n, "limit": 20_000}}
    two = "query Small { me { id } } query Big { exercises(first: 50) { totalCount } }"
    for name, requested in (("Small", 1), ("Big", 50), ("Small", 1)):
        result, _ = await run_request(schema, settings, engine, two, operation_name=name)
        assert result.extensions == {"cost": {"requested": requested, "limit": 20_000}}


@strawberry.type(name="Track")
class _Track:
    title: str


def _top_tracks() -> list[_Track]:
    return []


@strawberry.type(name="Query")
class _Charts:
    top_tracks: list[_Track] = strawberry.field(resolver=_top_tracks, metadata={"list_size": 12})


_INTROSPECTED = build_schema("""
    "A tag" type Tag { name(upper: Boolean, lang: String): String children: [Tag!]! }
    type Query { tags(first: Int): [Tag!]! tag: Tag }
    enum Colour { RED GREEN BLUE }
""")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # __schema, then its 14 types (Tag, Query, Colour, Boolean, Int, String and the 8
        # introspection types)
        ("{ __schema { types { name } } }", 1 + 14),
        # ... and every field of every type: 44 in all (2 + 2 + 40 of the introspection types)
        ("{ __schema { types { fields { name } } } }", 1 + 14 + 44),
        # one type: the most fields a type has (__Type's 11), and at most the schema's 9 args
        ('{ __type(name: "Tag") { fields { name args { name } } } }', 1 + 11 + 9),
        # a field's type wraps at most 3 times ([Tag!]!): a 4th ofType is null; and the third
        # level counts at most the 7 fields of the schema whose type wraps 3 times
        (
            '{ __type(name: "Tag") { fields { type { ofType { ofType { ofType { ofType '
            "{ name } } } } } } } }",
            1 + 11 + 11 + 11 + 11 + 7,
        ),
        # the most values an enum has (__DirectiveLocation's 21)
        ('{ __type(name: "Colour") { enumValues { name } } }', 1 + 21),
        ("{ __typename }", 0),
    ],
    ids=["types", "fields of every type", "fields and args", "ofType", "enum values", "typename"],
)
def test_introspection_is_priced_like_everything_else(query: str, expected: int) -> None:
    """Each ``__Type``, ``__Field``, ``__InputValue`` and ``__EnumValue`` is an object: a list
    under distinct parents counts at most the schema's total, any other list the largest one
    times its parents."""
    assert estimate_cost(_INTROSPECTED, parse(query)) == expected


def test_lists_that_are_not_connections_count_their_assumed_size() -> None:
    """IBM's ``@listSize(assumedSize)``: a list of objects without page arguments counts the
    largest page (100) unless its field declares ``metadata={"list_size": n}``."""
    sdl = build_schema("""
        type Tag { name: String children: [Tag!]! }
        type Query { tags: [Tag!]! tag: Tag }
    """)
    assert estimate_cost(sdl, parse("{ tags { name } }")) == 100
    assert estimate_cost(sdl, parse("{ tags { children { name } } }")) == 100 + 100 * 100
    assert estimate_cost(sdl, parse("{ tag { children { name } } }")) == 1 + 100
    declared = strawberry.Schema(query=_Charts)
    assert estimate_cost(graphql_core_schema(declared), parse("{ topTracks { title } }")) == 12
