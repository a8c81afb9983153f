"""The request limits through the real server: the introspection bomb is
refused at once, and the most expensive documents the limits accept leave the event loop free
(``/healthz`` answers within a second while four of them run)."""

from __future__ import annotations

import asyncio
import time

import httpx
import orjson
import pytest
from graphql import parse

from gateway.settings import Settings
from schema import build_schema
from schema.core.cost import INTROSPECTION_LIMIT_EXCEEDED, estimate_cost
from schema.core.strawberry_adapter import graphql_core_schema
from tests.e2e.live import Gateway

pytestmark = pytest.mark.e2e

#: One copy of the bomb: every type with its fields, their arguments and types.
BOMB_COPY = (
    "__schema { types { name kind description fields { name description args { name "
    "description type { name kind ofType { name } } } type { name kind ofType { name kind "
    "ofType { name } } } } } }"
)

#: Introspection of one type, as deep as the schema lets it be: the costliest objects per
#: selection that need no data (the worst case of a small test database).
HEAVY_COPY = (
    '__type(name: "Query") { name description fields(includeDeprecated: true) { name '
    "description isDeprecated deprecationReason args { name description defaultValue type { "
    "name kind ofType { name kind ofType { name kind ofType { name kind } } } } } type { name "
    "kind ofType { name kind ofType { name kind ofType { name kind } } } } } }"
)


def heaviest_accepted(tag: str) -> str:
    """The most copies of :data:`HEAVY_COPY` whose estimate stays within the cost and alias
    limits (the tag makes the text, hence the introspection cache's key, unique)."""
    schema = graphql_core_schema(build_schema())
    settings = Settings()
    copies: list[str] = []
    while len(copies) < settings.max_aliases:
        candidate = [*copies, f"{tag}{len(copies)}: {HEAVY_COPY}"]
        document = "{ " + " ".join(candidate) + " }"
        cost = estimate_cost(schema, parse(document))
        assert cost is not None
        if cost > settings.max_query_nodes:
            break
        copies = candidate
    return "{ " + " ".join(copies) + " }"


async def test_the_introspection_bomb_is_refused_cheaply(gateway: Gateway) -> None:
    """30 aliased ``__schema`` in one anonymous 6 KB POST were answered with
    14.3 MB after 10-15 s of CPU; now a refusal of a few hundred bytes, before validation."""
    bomb = "{ " + " ".join(f"a{i}: {BOMB_COPY}" for i in range(30)) + " }"
    body = orjson.dumps({"query": bomb})
    assert 5_000 < len(body) < 6_500
    async with httpx.AsyncClient(timeout=30) as client:
        started = time.perf_counter()
        response = await client.post(
            gateway.http, content=body, headers={"content-type": "application/json"}
        )
        elapsed = time.perf_counter() - started
    answer = response.json()
    assert [e["extensions"]["code"] for e in answer["errors"]] == [INTROSPECTION_LIMIT_EXCEEDED]
    assert "data" not in answer
    assert len(response.content) < 1_000
    assert elapsed < 1.0, elapsed
    print(f"bomb: {len(body)} bytes in, {len(response.content)} bytes out, {elapsed:.3f} s")


async def test_healthz_answers_while_the_costliest_accepted_documents_run(
    gateway: Gateway,
) -> None:
    """Four of the most expensive documents the limits accept, at once (each distinct, so none
    is answered from the introspection cache), while ``/healthz`` is asked every 50 ms."""
    documents = [heaviest_accepted(f"r{n}_") for n in range(4)]
    base = gateway.http.removesuffix("/graphql")
    done = asyncio.Event()
    waits: list[float] = []

    async def probe(client: httpx.AsyncClient) -> None:
        while not done.is_set():
            started = time.perf_counter()
            assert (await client.get(f"{base}/healthz")).status_code == 200
            waits.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)

    async with httpx.AsyncClient(timeout=60) as client:
        prober = asyncio.create_task(probe(client))
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        responses = await asyncio.gather(
            *(client.post(gateway.http, json={"query": document}) for document in documents)
        )
        elapsed = time.perf_counter() - started
        done.set()
        await prober
    for response in responses:
        answer = response.json()
        assert "errors" not in answer, answer.get("errors")
        assert 15_000 < answer["extensions"]["cost"]["requested"] <= 20_000
    print(
        f"4 documents of {len(documents[0])} characters, "
        f"{sum(len(r.content) for r in responses):,} bytes out in {elapsed:.2f} s; "
        f"/healthz asked {len(waits)} times, slowest {max(waits):.3f} s"
    )
    assert len(waits) >= 2
    assert max(waits) < 1.0
