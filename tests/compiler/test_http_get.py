"""Queries by ``GET`` on the compiled read path: a gateway with compiled reads answers a ``GET``
exactly what one without them (``IGNITION_COMPILED_READS=false``) answers, and what either
answers for the same operation as a JSON ``POST``.

Compared: the status, the content type and the body, byte for byte after key ordering
(``expose_sql_stats`` off here, so that the statement counts, which differ by design, are not
in the bodies), for the benchmark's screens, requests the general path rejects, and what only
a ``GET`` can get wrong: a mutation (refused), the GraphiQL page, malformed or mistyped
``variables`` and ``extensions``, a parameter given twice. The compiled path's ``served``
counter shows which requests it answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from bench.queries import QUERIES
from db.auth.viewer import create_session_token
from tests.compiler.test_http import HABITS, REFUSED_OR_UNCOVERED, Gateway, _ids


class Pair:
    """The same endpoint with compiled reads (``fast``) and without (``slow``), statement
    counts off, and a session token of the demo's first user."""

    def __init__(self, demo: Any, token: str) -> None:
        self.fast = Gateway(demo, True, expose_sql_stats=False)
        self.slow = Gateway(demo, False, expose_sql_stats=False)
        self.token = token

    async def both(
        self, method: str, *, params: Any = None, json: Any = None, headers: Any = None
    ) -> tuple[httpx.Response, httpx.Response]:
        """The responses of the compiled and the general gateway to the same request."""
        responses = [
            await gateway.client.request(
                method, "/graphql", params=params, json=json, headers=headers
            )
            for gateway in (self.fast, self.slow)
        ]
        return responses[0], responses[1]


@pytest.fixture(scope="module")
async def pair(demo: Any) -> AsyncIterator[Pair]:
    async with demo.engine.begin() as conn:
        token = await create_session_token(conn, demo.alice)
    pair = Pair(demo, token)
    yield pair
    await pair.fast.client.aclose()
    await pair.slow.client.aclose()


def _normalised(response: httpx.Response) -> bytes:
    """The body as JSON with sorted keys (orjson keeps ``7`` and ``7.0`` apart)."""
    return orjson.dumps(orjson.loads(response.content), option=orjson.OPT_SORT_KEYS)


def assert_alike(*responses: httpx.Response) -> None:
    """Same status, content type and body (JSON after key ordering, else the bytes)."""
    first = responses[0]
    for other in responses[1:]:
        assert other.status_code == first.status_code, (first.text[:500], other.text[:500])
        assert other.headers.get("content-type") == first.headers.get("content-type")
        if first.headers.get("content-type", "").startswith("application/"):
            assert _normalised(other) == _normalised(first), (first.text[:1500], other.text[:1500])
        else:
            assert other.content == first.content


def _params(query: str, variables: Any = None, name: str | None = None) -> dict[str, str]:
    """A GET's query parameters (``variables`` as JSON text)."""
    params = {"query": query}
    if variables is not None:
        params["variables"] = orjson.dumps(variables).decode()
    if name is not None:
        params["operationName"] = name
    return params


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "signed-out"])
async def test_benchmark_screens_by_get_answer_as_by_post_and_compiled(
    demo: Any, pair: Pair, signed_in: bool
) -> None:
    data = await _ids(demo)
    headers = {"authorization": f"Bearer {pair.token}"} if signed_in else {}
    served = pair.fast.served
    for query in QUERIES:
        variables = query.variables(data, 0)
        params = _params(query.document, variables, query.operation)
        fast_get, slow_get = await pair.both("GET", params=params, headers=headers)
        body = {"query": query.document, "variables": variables, "operationName": query.operation}
        fast_post, slow_post = await pair.both("POST", json=body, headers=headers)
        assert slow_get.status_code == 200 and "errors" not in slow_get.json(), slow_get.text
        assert_alike(fast_get, slow_get, fast_post, slow_post)
    # Every GET and every POST went through the compiled path.
    assert pair.fast.served == served + 2 * len(QUERIES)


@pytest.mark.parametrize("query", [*REFUSED_OR_UNCOVERED, ""])
async def test_errors_and_uncovered_queries_by_get_answer_alike(pair: Pair, query: str) -> None:
    headers = {"authorization": f"Bearer {pair.token}"}
    served = pair.fast.served
    get = await pair.both("GET", params={"query": query}, headers=headers)
    post = await pair.both("POST", json={"query": query}, headers=headers)
    assert_alike(*get, *post)
    # The compiled path answered none of them itself: errors are the general path's.
    assert pair.fast.served == served


@pytest.mark.parametrize(
    "params",
    [
        # a mutation by GET: refused (the general path's status and message)
        {"query": "mutation { logout }"},
        {"query": 'mutation M { createHabit(input: {name: "x"}) { __typename } }'},
        {"query": "query Q { me { id } } mutation M { logout }", "operationName": "M"},
        # malformed or mistyped variables and extensions
        {"query": HABITS, "variables": "{nope"},
        {"query": HABITS, "variables": ""},
        {"query": HABITS, "variables": "[1]"},
        {"query": HABITS, "variables": "null"},
        {"query": HABITS, "variables": '"text"'},
        {"query": HABITS, "variables": "7"},
        {"query": HABITS, "extensions": "{nope"},
        {"query": HABITS, "extensions": '"text"'},
        {"query": HABITS, "extensions": "[]"},
        {"query": HABITS, "extensions": "null"},
        # variables of the wrong type, an unknown operation name
        {
            "query": "query($n: Int) { me { habits(first: $n) { totalCount } } }",
            "variables": '{"n": "x"}',
        },
        {"query": HABITS, "operationName": "Nope"},
        # no query at all
        {},
        {"operationName": "Nope"},
    ],
)
async def test_requests_only_a_get_can_get_wrong_answer_alike(
    pair: Pair, params: dict[str, str]
) -> None:
    headers = {"authorization": f"Bearer {pair.token}"}
    for accept in ("application/json", "application/graphql-response+json"):
        fast, slow = await pair.both("GET", params=params, headers={**headers, "accept": accept})
        assert_alike(fast, slow)
        assert fast.status_code != 200 or "errors" in fast.json(), fast.text


async def test_variables_and_extensions_by_get_answer_alike(pair: Pair) -> None:
    query = "query Page($first: Int) { me { ledger(first: $first) { edges { node { id } } } } }"
    headers = {"authorization": f"Bearer {pair.token}"}
    served = pair.fast.served
    for params in (
        _params(query, {"first": 3}, "Page"),
        {**_params(query, {"first": 3}), "extensions": "{}"},
    ):
        fast, slow = await pair.both("GET", params=params, headers=headers)
        assert_alike(fast, slow)
        assert len(fast.json()["data"]["me"]["ledger"]["edges"]) == 3
    assert pair.fast.served == served + 2


async def test_a_parameter_given_twice_counts_with_its_last_value(pair: Pair) -> None:
    params = [("query", "{ me { nosuchfield } }"), ("query", HABITS)]
    headers = {"authorization": f"Bearer {pair.token}"}
    served = pair.fast.served
    fast, slow = await pair.both("GET", params=params, headers=headers)
    assert_alike(fast, slow)
    assert fast.json()["data"]["me"] is not None
    assert pair.fast.served == served + 1


@pytest.mark.parametrize("accept", ["text/html", "*/*", "text/html,application/json;q=0.9"])
async def test_a_get_without_query_still_serves_graphiql(pair: Pair, accept: str) -> None:
    fast, slow = await pair.both("GET", headers={"accept": accept})
    assert fast.status_code == 200 and fast.headers["content-type"].startswith("text/html")
    assert_alike(fast, slow)


async def test_a_get_with_a_query_and_an_html_accept_is_answered_not_graphiql(pair: Pair) -> None:
    served = pair.fast.served
    fast, slow = await pair.both("GET", params={"query": HABITS}, headers={"accept": "text/html"})
    assert_alike(fast, slow)
    assert fast.headers["content-type"].startswith("application/json")
    assert pair.fast.served == served + 1


async def test_bad_credentials_by_get_are_refused_alike(pair: Pair) -> None:
    headers = {"authorization": "Bearer not-a-token"}
    fast, slow = await pair.both("GET", params={"query": HABITS}, headers=headers)
    assert fast.status_code == 401
    assert_alike(fast, slow)
    assert fast.headers["www-authenticate"] == slow.headers["www-authenticate"]
    # The token is checked before the variables are read, on both paths.
    params = {"query": HABITS, "variables": "{nope"}
    fast, slow = await pair.both("GET", params=params, headers=headers)
    assert fast.status_code == 401
    assert_alike(fast, slow)


@pytest.mark.parametrize("extensions", ["text", 1, [], None, {}])
async def test_post_extensions_that_are_not_objects_are_refused_alike(
    pair: Pair, extensions: Any
) -> None:
    body = {"query": HABITS, "extensions": extensions}
    headers = {"authorization": f"Bearer {pair.token}"}
    fast, slow = await pair.both("POST", json=body, headers=headers)
    assert_alike(fast, slow)
    assert (fast.status_code == 200) == (extensions is None or extensions == {})


@pytest.mark.parametrize(
    "query",
    [
        "{ me { id } }",
        "{ skillDefinitions(first: 3) { totalCount edges { node { key name } } } }",
        "{ marketItems(first: 2) { pageInfo { hasNextPage } edges { cursor node { key } } } }",
    ],
    ids=["null", "a connection", "cursors"],
)
async def test_both_paths_spell_json_alike(pair: Pair, query: str) -> None:
    """One spelling of JSON on the wire: the compiled path's body is the general path's byte
    for byte (PostgreSQL wrote ``{"me" : null}``; orjson writes ``{"me":null}``)."""
    served = pair.fast.served
    fast, slow = await pair.both("POST", json={"query": query})
    assert pair.fast.served == served + 1  # answered by the compiled path
    assert fast.content == slow.content
    assert b'" : ' not in fast.content and b"\n" not in fast.content


async def test_a_mutation_by_get_is_refused_by_the_general_path(pair: Pair) -> None:
    """GraphQL over HTTP ("GET"): a mutation sent by GET is refused with 405 and
    ``Allow: POST`` before anything runs (Strawberry alone answers 400); the compiled path
    never sees it."""
    served = pair.fast.served
    fast, slow = await pair.both("GET", params={"query": "mutation { logout }"})
    assert_alike(fast, slow)
    assert fast.status_code == 405 and fast.headers["allow"] == "POST"
    (error,) = fast.json()["errors"]
    assert error == {
        "message": "A mutation cannot be sent by GET: send it by POST.",
        "extensions": {"code": "METHOD_NOT_ALLOWED"},
    }
    assert pair.fast.served == served
