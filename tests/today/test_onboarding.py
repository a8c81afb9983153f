"""Onboarding (Ignition specification, "Onboarding Flow"): start, answer each step of the
seeded flow (settings and interests written), complete; skip and resume; refusals that change
nothing; setInterests; and Today's next action along the way."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.errors import InvalidInput
from db.platform.onboarding import (
    Step,
    check_response,
    interest_choices,
    next_step,
    setting_writes,
)
from tests.support.harness import committed_user

ONBOARDING = """{ me { onboarding { status currentStep { id title }
  flow { steps(first: 50) { edges { node { id title stepOrder required options allowsMultiple
  } } } } } today { nextAction { kind durationSeconds } } } }"""
START = "mutation { startOnboarding { __typename ... on InvalidState { status } } }"
SKIP = "mutation { skipOnboarding { __typename ... on InvalidState { status } } }"
RESUME = "mutation { resumeOnboarding { __typename ... on InvalidState { status } } }"
COMPLETE = """mutation { completeOnboarding { __typename
  ... on OnboardingIncomplete { stepId } ... on InvalidState { status } } }"""
ANSWER = """mutation($s: ID!, $r: JSON) { answerOnboardingStep(input: {stepId: $s, response: $r})
  { __typename ... on AnswerOnboardingStepSuccess { onboarding { status currentStep { id } } }
    ... on InvalidInput { field message } ... on NotFound { resource }
    ... on InvalidState { status } } }"""
INTERESTS = """mutation($k: [String!]!) { setInterests(keys: $k) { __typename
  ... on SetInterestsSuccess { interests { interestKey interestLabel } }
  ... on InvalidInput { field } } }"""


async def _read(mutate: Any, viewer: Any) -> dict[str, Any]:
    out = await mutate(ONBOARDING, viewer=viewer)
    assert not out.errors, out.errors
    return dict(out.data["me"])


async def _call(mutate: Any, viewer: Any, query: str, variables: Any = None) -> dict[str, Any]:
    out = await mutate(query, variables, viewer=viewer)
    assert not out.errors, out.errors
    (result,) = out.data.values()
    return dict(result)


async def _snapshot(engine: AsyncEngine, user_id: Any) -> list[Any]:
    async with engine.connect() as conn:
        rows = []
        for table in (
            "user_onboarding_state",
            "user_onboarding_responses",
            "user_interests",
            "user_settings",
        ):
            result = await conn.execute(
                sa.text(f"SELECT * FROM {table} WHERE user_id = :u ORDER BY id"), {"u": user_id}
            )
            rows.append([tuple(r) for r in result])
        return rows


def _answer_for(step: dict[str, Any]) -> Any:
    """A valid answer to a seeded step."""
    options = step["options"] or []
    if not options:
        return True
    if step["allowsMultiple"]:
        return [options[0]["value"], options[1]["value"]]
    return options[-1]["value"] if isinstance(options[-1]["value"], int) else options[0]["value"]


async def test_from_start_to_completion_drives_next_action(
    mutate: Any, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    me = await _read(mutate, viewer)
    assert me["onboarding"]["status"] == "NOT_STARTED"
    assert me["today"]["nextAction"]["kind"] == "CONTINUE_ONBOARDING"
    steps = [e["node"] for e in me["onboarding"]["flow"]["steps"]["edges"]]
    assert len(steps) >= 5

    # Answering before starting is refused, and changes nothing.
    before = await _snapshot(engine, viewer.user_id)
    refused = await _call(mutate, viewer, ANSWER, {"s": steps[0]["id"], "r": True})
    assert refused == {"__typename": "InvalidState", "status": "not_started"}
    assert await _snapshot(engine, viewer.user_id) == before

    assert (await _call(mutate, viewer, START))["__typename"] == "StartOnboardingSuccess"
    me = await _read(mutate, viewer)
    assert me["onboarding"]["status"] == "IN_PROGRESS"
    assert me["onboarding"]["currentStep"]["id"] == steps[0]["id"]
    incomplete = await _call(mutate, viewer, COMPLETE)
    assert incomplete == {"__typename": "OnboardingIncomplete", "stepId": steps[0]["id"]}

    for index, step in enumerate(steps):
        result = await _call(mutate, viewer, ANSWER, {"s": step["id"], "r": _answer_for(step)})
        assert result["__typename"] == "AnswerOnboardingStepSuccess", (step, result)
        following = steps[index + 1]["id"] if index + 1 < len(steps) else None
        assert (result["onboarding"]["currentStep"] or {}).get("id") == following
        me = await _read(mutate, viewer)
        assert me["today"]["nextAction"]["kind"] == "CONTINUE_ONBOARDING"

    assert (await _call(mutate, viewer, COMPLETE))["__typename"] == "CompleteOnboardingSuccess"
    me = await _read(mutate, viewer)
    assert me["onboarding"]["status"] == "COMPLETED"
    # The focus-length step (90 minutes) became the default duration Today proposes.
    assert me["today"]["nextAction"] == {"kind": "START_FOCUS", "durationSeconds": 90 * 60}
    async with engine.connect() as conn:
        interests = (
            await conn.execute(
                sa.text("SELECT interest_key FROM user_interests WHERE user_id = :u"),
                {"u": viewer.user_id},
            )
        ).scalars()
        settings: dict[str, Any] = dict(
            (
                await conn.execute(
                    sa.text("SELECT key, value FROM user_settings WHERE user_id = :u"),
                    {"u": viewer.user_id},
                )
            ).all()
        )
    assert {"genre:house", "genre:techno", "goal:finish_tracks", "goal:better_mixes"} <= set(
        interests
    )
    assert settings["daw"] == "ableton_live"
    assert settings["default_focus_duration"] == 5400
    # Completed: no going back.
    assert await _call(mutate, viewer, SKIP) == {
        "__typename": "InvalidState",
        "status": "completed",
    }
    assert await _call(mutate, viewer, START) == {
        "__typename": "InvalidState",
        "status": "completed",
    }


async def test_answer_refusals_change_nothing(mutate: Any, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    await _call(mutate, viewer, START)
    steps = [
        e["node"] for e in (await _read(mutate, viewer))["onboarding"]["flow"]["steps"]["edges"]
    ]
    daw = next(s for s in steps if s["title"].startswith("Which DAW"))
    goals = next(s for s in steps if s["title"].startswith("What do you want"))
    welcome = steps[0]
    before = await _snapshot(engine, viewer.user_id)
    cases = [
        ({"s": daw["id"], "r": "garageband"}, "InvalidInput"),
        ({"s": daw["id"], "r": ["reaper"]}, "InvalidInput"),
        ({"s": daw["id"], "r": None}, "InvalidInput"),
        ({"s": goals["id"], "r": [o["value"] for o in goals["options"][:4]]}, "InvalidInput"),
        ({"s": goals["id"], "r": ["goal:routine", "goal:routine"]}, "InvalidInput"),
        ({"s": welcome["id"], "r": None}, "InvalidInput"),
        ({"s": str(uuid.uuid4()), "r": True}, "NotFound"),
        ({"s": "not-an-id", "r": True}, "InvalidInput"),
    ]
    for variables, typename in cases:
        result = await _call(mutate, viewer, ANSWER, variables)
        assert result["__typename"] == typename, (variables, result)
        assert await _snapshot(engine, viewer.user_id) == before


async def test_skip_and_resume(mutate: Any, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    assert await _call(mutate, viewer, RESUME) == {
        "__typename": "InvalidState",
        "status": "not_started",
    }
    await _call(mutate, viewer, START)
    steps = [
        e["node"] for e in (await _read(mutate, viewer))["onboarding"]["flow"]["steps"]["edges"]
    ]
    await _call(mutate, viewer, ANSWER, {"s": steps[0]["id"], "r": True})
    assert (await _call(mutate, viewer, SKIP))["__typename"] == "SkipOnboardingSuccess"
    me = await _read(mutate, viewer)
    assert me["onboarding"]["status"] == "SKIPPED"
    assert me["today"]["nextAction"]["kind"] == "START_FOCUS"  # skipped counts as done
    assert await _call(mutate, viewer, SKIP) == {"__typename": "InvalidState", "status": "skipped"}
    assert (await _call(mutate, viewer, RESUME))["__typename"] == "ResumeOnboardingSuccess"
    me = await _read(mutate, viewer)
    assert me["onboarding"]["status"] == "IN_PROGRESS"
    assert me["onboarding"]["currentStep"]["id"] == steps[1]["id"]  # first unanswered
    assert me["today"]["nextAction"]["kind"] == "CONTINUE_ONBOARDING"


async def test_set_interests(mutate: Any, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    result = await _call(mutate, viewer, INTERESTS, {"k": ["genre:techno", "goal:ear_training"]})
    assert result["interests"] == [
        {"interestKey": "genre:techno", "interestLabel": "Techno"},
        {"interestKey": "goal:ear_training", "interestLabel": "Train my ears"},
    ]
    result = await _call(mutate, viewer, INTERESTS, {"k": ["genre:house"]})
    assert [i["interestKey"] for i in result["interests"]] == ["genre:house"]
    before = await _snapshot(engine, viewer.user_id)
    for keys in (["genre:house", "nope"], ["genre:house", "genre:house"]):
        result = await _call(mutate, viewer, INTERESTS, {"k": keys})
        assert result == {"__typename": "InvalidInput", "field": "keys"}
        assert await _snapshot(engine, viewer.user_id) == before
    result = await _call(mutate, viewer, INTERESTS, {"k": []})
    assert result["interests"] == []


SINGLE = Step(
    uuid.UUID(int=1),
    1,
    "choice",
    "DAW",
    options=({"value": "a", "label": "A"}, {"value": 25, "label": "25"}),
    required=True,
    action_type="save_setting",
    action_config={"key": "focus_duration_minutes"},
)
MULTI = Step(
    uuid.UUID(int=2),
    2,
    "preference",
    "Genres",
    options=({"value": "g:a", "label": "A"}, {"value": "g:b", "label": "B"}),
    allows_multiple=True,
    action_type="save_interests",
    action_config={"max_choices": 1},
)


@pytest.mark.parametrize(
    ("step", "response"),
    [
        (SINGLE, "z"),
        (SINGLE, ["a"]),
        (SINGLE, None),
        (SINGLE, True),
        (MULTI, ["g:a", "g:b"]),
        (MULTI, ["g:c"]),
        (MULTI, "g:z"),
    ],
)
def test_check_response_refuses(step: Step, response: Any) -> None:
    with pytest.raises(InvalidInput):
        check_response(step, response)


def test_rules() -> None:
    assert check_response(SINGLE, 25) == 25
    assert check_response(MULTI, "g:a") == ["g:a"]
    assert check_response(MULTI, None) == []
    assert setting_writes(SINGLE, 25) == [("default_focus_duration", 1500)]
    assert interest_choices(MULTI, ["g:b"]) == [("g:b", "B")]
    assert interest_choices(SINGLE, 25) is None
    assert next_step([MULTI, SINGLE], SINGLE.id) == MULTI
    assert next_step([MULTI, SINGLE], MULTI.id) is None
