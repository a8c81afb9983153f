"""Books, goals and plans under concurrency, end to end: ``ignition serve`` as a real
subprocess (the economy concurrency tests' server) and 20 concurrent calls on one row, each
with a key of its own (and, for ``finishBook``, ten retries of one request): a book is paid
once, with one ledger row and one unlock of ``first_book_finished``; a milestone is paid
once; a plan item counts one quest unit; no HTTP 500. Run with ``-s`` for the figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e import test_economy_concurrency as economy
from tests.support.harness import invariant_violations
from tests.support.money import scalar

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


GOAL = """
mutation { createGoal(input: {title: "EP"}) { ... on CreateGoalSuccess { goal { id } } } }
"""
MILESTONE = """
mutation($goal: ID!) { addGoalMilestone(goalId: $goal, input: {title: "Mixdown"}) {
  ... on AddGoalMilestoneSuccess { milestone { id } } } }
"""
COMPLETE_MILESTONE = """
mutation($id: ID!, $key: String!) {
  completeGoalMilestone(id: $id, idempotencyKey: $key) {
    __typename
    ... on CompleteGoalMilestoneSuccess { milestone { id } goal { progress } }
    ... on InvalidState { status }
  }
}
"""
PLAN = """
mutation($date: Date!) { setDailyPlan(input: {date: $date, items: [{id: "a", title: "Drums"}]}) {
  ... on SetDailyPlanSuccess { plan { id } } } }
"""
TICK = """
mutation($date: Date!, $key: String!) {
  completePlanItem(input: {date: $date, itemId: "a", idempotencyKey: $key}) {
    __typename
    ... on InvalidState { status }
  }
}
"""


async def test_20_concurrent_milestone_completions_pay_once(
    server: str, engine: AsyncEngine
) -> None:
    user_id, token = await economy.signed_in_user(engine)
    created, _ = await economy.post_all(server, [(token, GOAL, {})])
    goal = created[0].json()["data"]["createGoal"]["goal"]["id"]
    added, _ = await economy.post_all(server, [(token, MILESTONE, {"goal": goal})])
    milestone = added[0].json()["data"]["addGoalMilestone"]["milestone"]["id"]
    calls = [(token, COMPLETE_MILESTONE, {"id": milestone, "key": f"k-{i}"}) for i in range(20)]
    responses, seconds = await economy.post_all(server, calls)
    kinds, _ = economy.outcomes(responses, "completeGoalMilestone")
    economy.report("20 concurrent completeGoalMilestone", kinds, seconds)
    assert kinds == {"CompleteGoalMilestoneSuccess": 1, "InvalidState": 19}
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM points_ledger WHERE user_id = :u "
            "AND event_type = 'goal.milestone.completed'",
            u=user_id,
        )
        == 1
    )
    async with engine.connect() as conn:
        assert await invariant_violations(conn, [user_id]) == []


async def test_20_concurrent_ticks_count_one_unit(server: str, engine: AsyncEngine) -> None:
    user_id, token = await economy.signed_in_user(engine)
    quest = await scalar(
        engine,
        "SELECT id FROM universal_quests WHERE target_type = 'plan_items_completed' LIMIT 1",
    )
    accept = "mutation($id: ID!) { acceptQuest(questId: $id) { __typename } }"
    day = datetime.now(UTC).date().isoformat()
    await economy.post_all(server, [(token, accept, {"id": str(quest)})])
    await economy.post_all(server, [(token, PLAN, {"date": day})])
    calls = [(token, TICK, {"date": day, "key": f"k-{i}"}) for i in range(20)]
    responses, seconds = await economy.post_all(server, calls)
    kinds, _ = economy.outcomes(responses, "completePlanItem")
    economy.report("20 concurrent completePlanItem", kinds, seconds)
    assert kinds == {"CompletePlanItemSuccess": 1, "InvalidState": 19}
    assert (
        await scalar(
            engine,
            "SELECT progress FROM user_quest_progress WHERE user_id = :u AND quest_id = :q",
            u=user_id,
            q=quest,
        )
        == 1
    )
