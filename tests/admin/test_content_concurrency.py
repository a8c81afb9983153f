"""The content catalogs' staff writes under concurrency, sent at once through the API (each
call its own request and transaction): a unique value is taken once, concurrent step writes
count each other, concurrent activations leave one onboarding flow active."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.admin.content_calls import create_doc, first_id, inactive_flow, update_doc, valid_input
from tests.support.harness import Mutate, committed_user
from tests.support.writes import value

CALLS = 8


async def test_one_key_is_created_once(mutate: Mutate, engine: AsyncEngine) -> None:
    admin = await committed_user(engine, admin=True)
    values = await valid_input(engine, "LearnTopic")
    results = await asyncio.gather(
        *(mutate(create_doc("LearnTopic"), {"input": values}, viewer=admin) for _ in range(CALLS))
    )
    assert all(r.errors == [] for r in results), [r.errors for r in results]
    kinds = sorted(r.data["createLearnTopic"]["__typename"] for r in results)
    assert kinds == ["CreateLearnTopicSuccess"] + ["InvalidInput"] * (CALLS - 1)
    refusals = {
        r.data["createLearnTopic"]["field"]
        for r in results
        if r.data["createLearnTopic"]["__typename"] == "InvalidInput"
    }
    assert refusals == {"input.key"}
    assert (
        await value(engine, "SELECT count(*) FROM learn_topics WHERE key = :k", k=values["key"])
        == 1
    )


async def test_concurrent_steps_are_all_counted(mutate: Mutate, engine: AsyncEngine) -> None:
    admin = await committed_user(engine, admin=True)
    flow = str(await inactive_flow(engine))
    base = await valid_input(engine, "OnboardingStep")
    results = await asyncio.gather(
        *(
            mutate(
                create_doc("OnboardingStep"),
                {"input": {**base, "flowId": flow, "stepOrder": n + 1, "title": f"Step {n}"}},
                viewer=admin,
            )
            for n in range(CALLS)
        )
    )
    assert all(
        r.data["createOnboardingStep"]["__typename"] == "CreateOnboardingStepSuccess"
        for r in results
    ), [r.data for r in results]
    assert (
        await value(engine, "SELECT total_steps FROM onboarding_flows WHERE id = :f", f=flow)
        == CALLS
    )


async def test_concurrent_activations_leave_one_flow_active(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    admin = await committed_user(engine, admin=True)
    seeded = await first_id(engine, "onboarding_flows", "is_active")
    flows = [str(await inactive_flow(engine)) for _ in range(4)]
    try:
        results = await asyncio.gather(
            *(
                mutate(
                    update_doc("OnboardingFlow"),
                    {"id": flow, "input": {"isActive": True}},
                    viewer=admin,
                )
                for flow in flows
            )
        )
        assert all(
            r.data["updateOnboardingFlow"]["__typename"] == "UpdateOnboardingFlowSuccess"
            for r in results
        ), [r.data for r in results]
        assert await value(engine, "SELECT count(*) FROM onboarding_flows WHERE is_active") == 1
    finally:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE onboarding_flows SET is_active = (id = :a)"), {"a": seeded}
            )
