"""Fuzzing: documents generated from the schema by hypothesis-graphql, sent
through the real view signed out and signed in; no answer may be HTTP 500 or show internals,
and none may even hold a masked internal error (each one is a bug).

The documents are generated once per run, deterministically (fixed seeds), each selecting one
root field (any of them, evenly), 85 % valid and 15 % with one schema violation.
``bench/fuzz.py`` runs many more, and larger ones drawn from the whole schema.
"""

from __future__ import annotations

import httpx
import pytest
from hypothesis_graphql import Mode

from bench.fuzz import generate, send_all
from schema.core.strawberry_adapter import graphql_core_schema
from tests.request_path.conftest import SignedIn

VALID = 850
INVALID = 150


@pytest.fixture(scope="module")
def documents(gateway_view: object) -> list[str]:
    schema = graphql_core_schema(gateway_view.schema)  # type: ignore[attr-defined]
    drawn = generate(schema, VALID, mode=Mode.POSITIVE, seed=1, whole_schema=False)
    drawn += generate(schema, INVALID, mode=Mode.NEGATIVE, seed=2, whole_schema=False)
    assert len(drawn) >= 1000
    return drawn


@pytest.mark.parametrize("signed", [False, True], ids=["signed-out", "signed-in"])
async def test_generated_queries_never_fail_inside(
    client: httpx.AsyncClient, signed_in: SignedIn, documents: list[str], signed: bool
) -> None:
    report = await send_all(client, documents, signed_in.headers if signed else None)
    print(report.summary())
    assert report.queries == len(documents) >= 1000
    assert report.clean, report.summary()
