"""From onboarding to Today's next action through the real server (``ignition serve`` as a
subprocess, HTTP clients): a new user's ``nextAction`` moves from CONTINUE_ONBOARDING through
the onboarding mutations, then to each branch the API's mutations can reach."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e.live import Gateway, new_user

pytestmark = pytest.mark.e2e

NEXT = "{ me { today { nextAction { kind durationSeconds target { __typename } } } } }"
STEPS = """{ me { onboarding { flow { steps(first: 50) { edges { node {
  id options allowsMultiple } } } } } } }"""


async def _post(
    client: httpx.AsyncClient, url: str, user: Any, query: str, **variables: Any
) -> Any:
    response = await client.post(
        url, json={"query": query, "variables": variables}, headers=user.auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _mutate(
    client: httpx.AsyncClient, url: str, user: Any, query: str, **variables: Any
) -> Any:
    (result,) = (await _post(client, url, user, query, **variables)).values()
    assert result["__typename"].endswith("Success"), result
    return result


async def _next(client: httpx.AsyncClient, url: str, user: Any) -> tuple[str, Any]:
    action = (await _post(client, url, user, NEXT))["me"]["today"]["nextAction"]
    target = action["target"]["__typename"] if action["target"] else None
    return action["kind"], target


async def test_onboarding_then_each_branch(gateway: Gateway, live_engine: AsyncEngine) -> None:
    user = await new_user(live_engine)
    url = gateway.http
    async with httpx.AsyncClient(timeout=30) as client:
        assert await _next(client, url, user) == ("CONTINUE_ONBOARDING", "UserOnboardingState")
        await _mutate(client, url, user, "mutation { startOnboarding { __typename } }")
        data = await _post(client, url, user, STEPS)
        steps = [e["node"] for e in data["me"]["onboarding"]["flow"]["steps"]["edges"]]
        for step in steps:
            options = step["options"] or []
            answer: Any = True
            if options:
                values = [o["value"] for o in options]
                answer = values[:2] if step["allowsMultiple"] else values[0]
            await _mutate(
                client,
                url,
                user,
                "mutation($s: ID!, $r: JSON) { answerOnboardingStep(input: "
                "{stepId: $s, response: $r}) { __typename } }",
                s=step["id"],
                r=answer,
            )
            assert (await _next(client, url, user))[0] == "CONTINUE_ONBOARDING"
        await _mutate(client, url, user, "mutation { completeOnboarding { __typename } }")
        action = (await _post(client, url, user, NEXT))["me"]["today"]["nextAction"]
        assert action == {"kind": "START_FOCUS", "durationSeconds": 25 * 60, "target": None}

        habits = []
        for name in ("Scales", "Ear drill", "Capture an idea"):
            created = await _mutate(
                client,
                url,
                user,
                "mutation($n: String!) { createHabit(input: {name: $n}) { __typename "
                "... on CreateHabitSuccess { habit { id } } } }",
                n=name,
            )
            habits.append(created["habit"]["id"])
        assert await _next(client, url, user) == ("COMPLETE_HABIT", "Habit")

        session = await _mutate(
            client,
            url,
            user,
            "mutation { startFocusSession(input: {mode: FOCUS, durationSeconds: 1500}) "
            "{ __typename ... on StartFocusSessionSuccess { session { id } } } }",
        )
        assert await _next(client, url, user) == ("RESUME_FOCUS", "FocusSession")
        await _mutate(
            client,
            url,
            user,
            "mutation($id: ID!) { abandonFocusSession(id: $id) { __typename } }",
            id=session["session"]["id"],
        )
        assert await _next(client, url, user) == ("COMPLETE_HABIT", "Habit")

        quests = await _post(
            client,
            url,
            user,
            "{ universalQuests(first: 50) { edges { node { id title } } } }",
        )
        quest = next(
            e["node"]["id"]
            for e in quests["universalQuests"]["edges"]
            if e["node"]["title"] == "Keep the chain"
        )
        await _mutate(
            client,
            url,
            user,
            "mutation($q: ID!) { acceptQuest(questId: $q) { __typename } }",
            q=quest,
        )
        for habit in habits:
            await _mutate(
                client,
                url,
                user,
                "mutation($h: ID!, $k: String!) { completeHabit(habitId: $h, "
                "idempotencyKey: $k) { __typename } }",
                h=habit,
                k=uuid.uuid4().hex,
            )
        assert await _next(client, url, user) == ("CLAIM_QUEST_REWARD", "UserQuestProgress")
        await _mutate(
            client,
            url,
            user,
            "mutation($q: ID!, $k: String!) { claimQuestReward(questId: $q, "
            "idempotencyKey: $k) { __typename } }",
            q=quest,
            k=uuid.uuid4().hex,
        )
        assert await _next(client, url, user) == ("START_FOCUS", None)

        lessons = await _post(
            client, url, user, "{ learnLessons(first: 1) { edges { node { id } } } }"
        )
        await _mutate(
            client,
            url,
            user,
            "mutation($l: ID!) { startLesson(lessonId: $l) { __typename } }",
            l=lessons["learnLessons"]["edges"][0]["node"]["id"],
        )
        assert await _next(client, url, user) == ("CONTINUE_LESSON", "UserLessonProgress")

        settings = (
            "mutation($s: [SettingInput!]!) { updateSettings(input: {settings: $s}) "
            "{ __typename } }"
        )
        await _mutate(
            client, url, user, settings, s=[{"key": "module.learn.enabled", "value": False}]
        )
        assert await _next(client, url, user) == ("START_FOCUS", None)
        await _mutate(client, url, user, settings, s=[{"key": "nudge_intensity", "value": "off"}])
        assert await _next(client, url, user) == ("NOTHING", None)
