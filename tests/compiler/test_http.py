"""The compiled read path behind ``/graphql``: over HTTP, a gateway with compiled reads answers
exactly what one without them (``IGNITION_COMPILED_READS=false``) answers.

Bodies are compared as JSON after key ordering: ``data`` and ``errors`` alike, signed in and
signed out, for the benchmark's screens and for requests the general path rejects (which the
compiled path hands over without signing in twice). The compiled path reports its statements
(one; the sign-in is not a read, as on the general path) and masks unexpected errors
like the general path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from bench.queries import QUERIES, ClientData
from db.auth.viewer import create_session_token
from gateway.graphql import GatewayGraphQL
from schema.compiler import Prepared

HABITS = """{ me { habits(first: 5) { edges { cursor node { name
    completedToday: completions(first: 1) { totalCount } } } } } }"""


class Gateway:
    """One ``/graphql`` endpoint over the demo database, with or without compiled reads.

    Args:
        demo: the demo database fixture.
        compiled: ``IGNITION_COMPILED_READS``.
        changes: other settings to change (default: ``expose_sql_stats`` on).
    """

    def __init__(self, demo: Any, compiled: bool, **changes: Any) -> None:
        update = {"expose_sql_stats": True, **changes, "compiled_reads": compiled}
        settings = demo.settings.model_copy(update=update)
        self.view = GatewayGraphQL(settings, lambda: demo.engine)
        app = Starlette(routes=[Route("/graphql", self.view, methods=["GET", "POST"])])
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        )

    async def post(
        self, query: str, variables: Any = None, token: str | None = None, name: Any = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables, "operationName": name},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        body: dict[str, Any] = orjson.loads(response.content)
        return body

    @property
    def served(self) -> int:
        """Requests the compiled path answered so far (0 without it)."""
        return self.view.compiled.served if self.view.compiled else 0


@pytest.fixture(scope="module")
async def gateways(demo: Any) -> AsyncIterator[tuple[Gateway, Gateway, str]]:
    async with demo.engine.begin() as conn:
        token = await create_session_token(conn, demo.alice)
    compiled, general = Gateway(demo, True), Gateway(demo, False)
    yield compiled, general, token
    await compiled.client.aclose()
    await general.client.aclose()


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Equal ``data``, ``errors`` and ``extensions.cost`` (the statement counts differ)."""
    for key in ("data", "errors"):
        left = orjson.dumps(a.get(key), option=orjson.OPT_SORT_KEYS)
        right = orjson.dumps(b.get(key), option=orjson.OPT_SORT_KEYS)
        assert left == right, (key, left[:1500], right[:1500])
    assert a["extensions"]["cost"] == b["extensions"]["cost"]
    assert list(a["extensions"]) == list(b["extensions"])


async def _ids(demo: Any) -> ClientData:
    async with demo.engine.connect() as conn:
        rows = await conn.exec_driver_sql(
            "SELECT id::text FROM focus_sessions WHERE user_id = $1 LIMIT 3", (demo.alice,)
        )
        return ClientData(email="alice", focus_session_ids=[r[0] for r in rows])


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "signed-out"])
async def test_benchmark_screens_answer_alike_in_one_statement(
    demo: Any, gateways: tuple[Gateway, Gateway, str], signed_in: bool
) -> None:
    compiled, general, token = gateways
    data = await _ids(demo)
    served = compiled.view.compiled.served if compiled.view.compiled else 0
    for query in QUERIES:
        variables = query.variables(data, 0)
        args = (query.document, variables, token if signed_in else None, query.operation)
        fast, slow = await compiled.post(*args), await general.post(*args)
        assert "errors" not in slow, slow
        _same(fast, slow)
        assert fast["extensions"]["sqlStatements"] == 1, query.name
    assert compiled.view.compiled is not None
    assert compiled.view.compiled.served == served + len(QUERIES)


#: Requests the general path answers with an error, or that the compiler does not cover.
REFUSED_OR_UNCOVERED = [
    "{ me { habits(first: 101) { totalCount } } }",
    "{ me { habits(first: 1, last: 1) { totalCount } } }",
    '{ me { habits(after: "bm9wZQ==") { totalCount } } }',
    '{ focusSession(id: "nope") { id } }',
    "{ users(first: 1) { totalCount } }",
    "{ me { name nosuchfield } }",
    "{ __schema { queryType { name } } }",
    "query A { me { id } } query B { me { name } }",
    "{ me { ",
    # over the cost limit: 100 x 100 x 100 nodes
    """{ me { habits(first: 100) { edges { node { completions(first: 100) { edges { node {
            habit { completions(first: 100) { edges { node { id } } } } } } } } } } } }""",
]


@pytest.mark.parametrize("query", REFUSED_OR_UNCOVERED)
async def test_errors_and_uncovered_requests_answer_alike(
    gateways: tuple[Gateway, Gateway, str], query: str
) -> None:
    compiled, general, token = gateways
    fast, slow = await compiled.post(query, token=token), await general.post(query, token=token)
    _same(fast, slow)
    assert fast.get("errors") or "__schema" in query or "query B" in query
    # Handed over after signing in (or before it): the token is checked once either way.
    assert fast["extensions"]["sqlStatements"] == slow["extensions"]["sqlStatements"]


async def test_variables_and_operation_names_answer_alike(
    gateways: tuple[Gateway, Gateway, str],
) -> None:
    compiled, general, token = gateways
    query = """
      query Page($first: Int, $after: String) {
        me { ledger(first: $first, after: $after) { pageInfo { endCursor hasNextPage }
             edges { node { id coins xp } } } }
      }
      query Other { me { id } }
    """
    after = None
    for _ in range(3):
        variables = {"first": 7, "after": after}
        fast = await compiled.post(query, variables, token, "Page")
        slow = await general.post(query, variables, token, "Page")
        _same(fast, slow)
        after = fast["data"]["me"]["ledger"]["pageInfo"]["endCursor"]
    odd: list[dict[str, Any]] = [{"first": "seven"}, {"first": 500}, {}]
    for variables in odd:
        _same(
            await compiled.post(query, variables, token, "Page"),
            await general.post(query, variables, token, "Page"),
        )


@pytest.mark.parametrize("authorization", ["Bearer not-a-token", "Basic abc", "Bearer"])
async def test_bad_credentials_are_refused_alike(
    gateways: tuple[Gateway, Gateway, str], authorization: str
) -> None:
    compiled, general, _ = gateways
    responses = [
        await gateway.client.post(
            "/graphql", json={"query": HABITS}, headers={"authorization": authorization}
        )
        for gateway in (compiled, general)
    ]
    assert [r.status_code for r in responses] == [401, 401]
    assert responses[0].content == responses[1].content
    assert responses[0].headers["www-authenticate"] == responses[1].headers["www-authenticate"]


async def test_unexpected_errors_are_masked(
    gateways: tuple[Gateway, Gateway, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled, _, token = gateways
    assert compiled.view.compiled is not None
    broken = compiled.view.compiled.compiler

    def failing(*args: Any, **kwargs: Any) -> Prepared:
        return Prepared("SELECT 1 / 0 AS secret_column", [])

    monkeypatch.setattr(broken, "prepare_document", failing)
    body = await compiled.post(HABITS, token=token)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"].startswith("Unexpected error (id ")
    # The general path's masked form (schema/core/response.py): the code and the logged id.
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "errorId": error["message"].removeprefix("Unexpected error (id ")[:12],
    }
    assert set(body["extensions"]) >= {"cost"}
    assert "secret_column" not in orjson.dumps(body).decode()
    # The connection went back to the pool in a usable state.
    monkeypatch.undo()
    assert (await compiled.post(HABITS, token=token))["data"]["me"] is not None


async def test_the_switch_serves_everything_through_the_general_path(
    gateways: tuple[Gateway, Gateway, str],
) -> None:
    _, general, token = gateways
    assert general.view.compiled is None
    body = await general.post(HABITS, token=token)
    assert body["data"]["me"] is not None and body["extensions"]["sqlStatements"] > 2
