"""Finishing a book under concurrency, end to end: ``ignition serve`` as a real subprocess
(the economy concurrency tests' server) and 20 concurrent ``finishBook`` calls on one book,
ten retries of one request and ten requests of their own: the book is paid once, with one
ledger row, one unlock of ``first_book_finished`` and no HTTP 500. Run with ``-s`` for the
figures."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e import test_economy_concurrency as economy
from tests.economy.harness import invariant_violations
from tests.economy.money import scalar

pytestmark = pytest.mark.e2e

#: The gateway process of the economy concurrency tests (module scope: one per module).
server = economy.server

CREATE = """
mutation { createBook(input: {title: "Dune", totalPages: 600}) {
  ... on CreateBookSuccess { book { id } } } }
"""
FINISH = """
mutation Finish($id: ID!, $key: String!) {
  finishBook(id: $id, idempotencyKey: $key) {
    __typename
    ... on FinishBookSuccess { book { id status } wallet { coins } }
    ... on InvalidState { status }
  }
}
"""


async def test_20_concurrent_finishes_pay_once(server: str, engine: AsyncEngine) -> None:
    user_id, token = await economy.signed_in_user(engine)
    created, _ = await economy.post_all(server, [(token, CREATE, {})])
    book = created[0].json()["data"]["createBook"]["book"]["id"]
    calls = [(token, FINISH, {"id": book, "key": "same"})] * 10 + [
        (token, FINISH, {"id": book, "key": f"other-{i}"}) for i in range(10)
    ]
    responses, seconds = await economy.post_all(server, calls)
    kinds, payloads = economy.outcomes(responses, "finishBook")
    economy.report("20 concurrent finishBook", kinds, seconds)
    assert all(r.status_code == 200 for r in responses)
    successes = [p for p in payloads if p["__typename"] == "FinishBookSuccess"]
    refusals = [p for p in payloads if p["__typename"] == "InvalidState"]
    assert len(successes) + len(refusals) == 20
    # One call finished it: a replay of the shared key (all ten shared-key answers are that
    # success) or one of the others (then the shared key's answers are its refusal).
    assert len(successes) in (1, 10)
    assert {p["status"] for p in refusals} == {"completed"}
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM points_ledger WHERE user_id = :u "
            "AND event_type = 'book.completed'",
            u=user_id,
        )
        == 1
    )
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM user_achievements WHERE user_id = :u "
            "AND achievement_key = 'first_book_finished'",
            u=user_id,
        )
        == 1
    )
    async with engine.connect() as conn:
        assert await invariant_violations(conn, [user_id]) == []
