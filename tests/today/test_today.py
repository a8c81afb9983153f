"""``me.today`` against the database: the state in the user's timezone, each ``nextAction``
branch reached (by mutations where the API has them), ``markAchievementsSeen``, and the
number of statements, which does not grow with the rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from db.settings import local_date
from db.today.state import STATEMENTS
from gateway.settings import Settings
from tests.support.harness import committed_user
from tests.support.requests import run_request

TODAY = """{ me { today {
  localDate daysSinceLastActivity onboardingStatus focusMinutesToday dailyFocusGoalMinutes
  defaultFocusDuration currentStreak
  focusSession { id } lessonInProgress { id title }
  habitsDueToday { id name done completions target }
  openPlanItems { planId index title }
  claimableQuests { id title } questsInProgress { id title progress target }
  unseenAchievements { id key name }
  modules { name weight }
  nextAction { kind title reason durationSeconds planItemIndex target {
    __typename
    ... on Habit { id } ... on FocusSession { id } ... on UserQuestProgress { id }
    ... on UserOnboardingState { id } ... on DailyPlan { id } ... on UserLessonProgress { id }
  } } } } }"""

SET = """mutation($s: [SettingInput!]!) { updateSettings(input: {settings: $s}) { __typename } }"""


async def _today(mutate: Any, viewer: Any) -> dict[str, Any]:
    out = await mutate(TODAY, viewer=viewer)
    assert not out.errors, out.errors
    return dict(out.data["me"]["today"])


async def _sql(engine: AsyncEngine, text: str, **params: Any) -> Any:
    async with engine.begin() as conn:
        result = await conn.execute(sa.text(text), params)
        return result.all() if result.returns_rows else []


async def _ok(mutate: Any, viewer: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    out = await mutate(query, variables, viewer=viewer)
    assert not out.errors, out.errors
    (result,) = out.data.values()
    assert result["__typename"].endswith("Success"), result
    return dict(result)


async def _finish_onboarding(mutate: Any, viewer: Any) -> None:
    out = await mutate("mutation { skipOnboarding { __typename } }", viewer=viewer)
    assert out.data["skipOnboarding"]["__typename"] == "SkipOnboardingSuccess", out


CREATE_HABIT = """mutation($n: String!) { createHabit(input: {name: $n}) {
  __typename ... on CreateHabitSuccess { habit { id } } } }"""
COMPLETE_HABIT = """mutation($h: ID!, $k: String!) {
  completeHabit(habitId: $h, idempotencyKey: $k) { __typename } }"""
START_FOCUS = """mutation { startFocusSession(input: {mode: FOCUS, durationSeconds: 1500}) {
  __typename ... on StartFocusSessionSuccess { session { id } } } }"""


async def _habit(mutate: Any, viewer: Any, name: str) -> str:
    result = await _ok(mutate, viewer, CREATE_HABIT, {"n": name})
    return str(result["habit"]["id"])


async def test_a_new_user_continues_onboarding(mutate: Any, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    today = await _today(mutate, viewer)
    assert today["onboardingStatus"] == "NOT_STARTED"
    assert today["daysSinceLastActivity"] is None  # never active: new, not back
    assert today["localDate"] == datetime.now(UTC).date().isoformat()
    assert [m["name"] for m in today["modules"]] == [
        "focus",
        "habits",
        "planner",
        "quests",
        "learn",
    ]
    action = today["nextAction"]
    assert action["kind"] == "CONTINUE_ONBOARDING"
    assert action["target"]["__typename"] == "UserOnboardingState"


async def test_each_branch(mutate: Any, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    await _finish_onboarding(mutate, viewer)

    today = await _today(mutate, viewer)
    assert today["nextAction"]["kind"] == "START_FOCUS"
    assert today["nextAction"]["durationSeconds"] == 300
    assert today["nextAction"]["target"] is None

    # COMPLETE_HABIT: by sort order.
    first = await _habit(mutate, viewer, "Scales")
    second = await _habit(mutate, viewer, "Ear training")
    today = await _today(mutate, viewer)
    assert today["nextAction"]["kind"] == "COMPLETE_HABIT"
    assert today["nextAction"]["target"] == {"__typename": "Habit", "id": first}
    assert [(h["id"], h["done"]) for h in today["habitsDueToday"]] == [
        (first, False),
        (second, False),
    ]

    # RESUME_FOCUS beats habits, running or paused.
    session = (await _ok(mutate, viewer, START_FOCUS, {}))["session"]["id"]
    today = await _today(mutate, viewer)
    assert today["nextAction"]["kind"] == "RESUME_FOCUS"
    assert today["nextAction"]["target"] == {"__typename": "FocusSession", "id": session}
    assert today["focusSession"]["id"] == session
    await _ok(
        mutate,
        viewer,
        "mutation($id: ID!) { pauseFocusSession(id: $id) { __typename } }",
        {"id": session},
    )
    assert (await _today(mutate, viewer))["nextAction"]["kind"] == "RESUME_FOCUS"
    await _ok(
        mutate,
        viewer,
        "mutation($id: ID!) { abandonFocusSession(id: $id) { __typename } }",
        {"id": session},
    )

    # CLAIM_QUEST_REWARD: "Keep the chain" takes three habit completions.
    quest = (await _sql(engine, "SELECT id FROM universal_quests WHERE title = 'Keep the chain'"))[
        0
    ][0]
    accepted = await _ok(
        mutate,
        viewer,
        "mutation($q: ID!) { acceptQuest(questId: $q) { __typename "
        "... on AcceptQuestSuccess { questProgress { id } } } }",
        {"q": str(quest)},
    )
    progress_id = accepted["questProgress"]["id"]
    today = await _today(mutate, viewer)
    assert [q["id"] for q in today["questsInProgress"]] == [progress_id]
    third = await _habit(mutate, viewer, "Listening")
    for habit in (first, second):
        await _ok(mutate, viewer, COMPLETE_HABIT, {"h": habit, "k": uuid.uuid4().hex})
    today = await _today(mutate, viewer)
    assert today["nextAction"]["target"] == {"__typename": "Habit", "id": third}
    await _ok(mutate, viewer, COMPLETE_HABIT, {"h": third, "k": uuid.uuid4().hex})
    today = await _today(mutate, viewer)
    assert today["nextAction"]["kind"] == "CLAIM_QUEST_REWARD"
    assert today["nextAction"]["target"] == {"__typename": "UserQuestProgress", "id": progress_id}
    assert all(h["done"] for h in today["habitsDueToday"])
    assert today["currentStreak"] == 1
    await _ok(
        mutate,
        viewer,
        "mutation($q: ID!, $k: String!) { claimQuestReward(questId: $q, idempotencyKey: $k) "
        "{ __typename } }",
        {"q": str(quest), "k": uuid.uuid4().hex},
    )
    assert (await _today(mutate, viewer))["nextAction"]["kind"] == "START_FOCUS"

    # COMPLETE_PLAN_ITEM: today's plan with one item done, one open.
    day = (await _today(mutate, viewer))["localDate"]
    planned = await _ok(
        mutate,
        viewer,
        "mutation($i: SetDailyPlanInput!) { setDailyPlan(input: $i) { __typename "
        "... on SetDailyPlanSuccess { plan { id } } } }",
        {
            "i": {
                "date": day,
                "items": [
                    {"id": "a", "title": "Bounce the mix"},
                    {"id": "b", "title": "Mix the intro"},
                ],
            }
        },
    )
    plan = planned["plan"]["id"]
    await _ok(
        mutate,
        viewer,
        "mutation($i: CompletePlanItemInput!) { completePlanItem(input: $i) { __typename } }",
        {"i": {"date": day, "itemId": "a", "idempotencyKey": uuid.uuid4().hex}},
    )
    today = await _today(mutate, viewer)
    assert today["nextAction"]["kind"] == "COMPLETE_PLAN_ITEM"
    assert today["nextAction"]["title"] == "Mix the intro"
    assert today["nextAction"]["planItemIndex"] == 1
    assert today["nextAction"]["target"] == {"__typename": "DailyPlan", "id": str(plan)}

    # CONTINUE_LESSON once the planner module is disabled.
    lesson = (await _sql(engine, "SELECT id FROM learn_lessons ORDER BY sort_order LIMIT 1"))[0][0]
    started = await _ok(
        mutate,
        viewer,
        "mutation($l: ID!) { startLesson(lessonId: $l) { __typename "
        "... on StartLessonSuccess { progress { id } } } }",
        {"l": str(lesson)},
    )
    await _ok(mutate, viewer, SET, {"s": [{"key": "module.planner.enabled", "value": False}]})
    today = await _today(mutate, viewer)
    assert "planner" not in [m["name"] for m in today["modules"]]
    assert today["nextAction"]["kind"] == "CONTINUE_LESSON"
    assert today["nextAction"]["target"] == {
        "__typename": "UserLessonProgress",
        "id": started["progress"]["id"],
    }

    # WELCOME_BACK: 3 days away. Time cannot pass through the API: Today reads the database's
    # now(), the sign-in statement records last_activity_at = now(), and no transition takes a
    # clock. Moving the recorded activity four days back is the honest simulation of those
    # four days passing.
    await _sql(
        engine,
        "UPDATE users SET last_activity_at = now() - interval '4 days' WHERE id = :u",
        u=viewer.user_id,
    )
    today = await _today(mutate, viewer)
    assert today["daysSinceLastActivity"] in (4, 5)  # local days, whatever the hour
    assert today["nextAction"]["kind"] == "WELCOME_BACK"
    assert today["nextAction"]["durationSeconds"] == 300

    # nudge_intensity off: nothing but onboarding and a running session.
    await _ok(mutate, viewer, SET, {"s": [{"key": "nudge_intensity", "value": "off"}]})
    assert (await _today(mutate, viewer))["nextAction"]["kind"] == "NOTHING"
    await _ok(mutate, viewer, START_FOCUS, {})
    assert (await _today(mutate, viewer))["nextAction"]["kind"] == "RESUME_FOCUS"


async def test_local_date_follows_the_timezone(mutate: Any, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    # At any moment one of these two zones is on another date than UTC.
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12", "Europe/Berlin"):
        await _ok(mutate, viewer, SET, {"s": [{"key": "timezone", "value": zone}]})
        before = datetime.now(UTC)
        day = (await _today(mutate, viewer))["localDate"]
        after = datetime.now(UTC)
        assert day in {local_date(zone, before).isoformat(), local_date(zone, after).isoformat()}


async def test_unseen_achievements(mutate: Any, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    other = await committed_user(engine)
    keys = [r[0] for r in await _sql(engine, "SELECT key FROM achievement_definitions LIMIT 2")]
    mine = [
        (
            await _sql(
                engine,
                "INSERT INTO user_achievements (user_id, achievement_key, notified) "
                "VALUES (:u, :k, false) RETURNING id",
                u=viewer.user_id,
                k=key,
            )
        )[0][0]
        for key in keys
    ]
    theirs = (
        await _sql(
            engine,
            "INSERT INTO user_achievements (user_id, achievement_key, notified) "
            "VALUES (:u, :k, false) RETURNING id",
            u=other.user_id,
            k=keys[0],
        )
    )[0][0]
    today = await _today(mutate, viewer)
    assert {a["id"] for a in today["unseenAchievements"]} == {str(i) for i in mine}

    seen = (
        "mutation($ids: [ID!]!) { markAchievementsSeen(ids: $ids) { __typename "
        "... on NotFound { resource } ... on InvalidInput { field } } }"
    )
    out = await mutate(seen, {"ids": [str(mine[0]), str(theirs)]}, viewer=viewer)
    assert out.data["markAchievementsSeen"] == {
        "__typename": "NotFound",
        "resource": "UserAchievement",
    }
    assert len((await _today(mutate, viewer))["unseenAchievements"]) == 2  # nothing changed
    out = await mutate(seen, {"ids": ["nope"]}, viewer=viewer)
    assert out.data["markAchievementsSeen"] == {"__typename": "InvalidInput", "field": "ids"}

    out = await mutate(seen, {"ids": [str(mine[0])]}, viewer=viewer)
    assert out.data["markAchievementsSeen"]["__typename"] == "MarkAchievementsSeenSuccess"
    today = await _today(mutate, viewer)
    assert [a["id"] for a in today["unseenAchievements"]] == [str(mine[1])]
    # Again: harmless.
    out = await mutate(seen, {"ids": [str(mine[0]), str(mine[0])]}, viewer=viewer)
    assert out.data["markAchievementsSeen"]["__typename"] == "MarkAchievementsSeenSuccess"
    # The other user's unlock is untouched.
    assert (await _sql(engine, "SELECT notified FROM user_achievements WHERE id = :i", i=theirs))[
        0
    ][0] is False


async def _count(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine, viewer: Any
) -> int:
    result, statements = await run_request(schema, settings, engine, TODAY, viewer=viewer)
    assert not result.errors, result.errors
    return statements


async def test_statement_count_does_not_grow_with_rows(
    mutate: Any, schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> None:
    small, large = await committed_user(engine), await committed_user(engine)
    keys = [r[0] for r in await _sql(engine, "SELECT key FROM achievement_definitions")]
    for viewer, size in ((small, 1), (large, 20)):
        for i in range(size):
            await _habit(mutate, viewer, f"Habit {i}")
        for key in keys[:size]:
            await _sql(
                engine,
                "INSERT INTO user_achievements (user_id, achievement_key) VALUES (:u, :k)",
                u=viewer.user_id,
                k=key,
            )
        await _finish_onboarding(mutate, viewer)
    counts = [await _count(schema, settings, engine, v) for v in (small, large)]
    print(f"me.today: {counts[0]} statements (1 row each), {counts[1]} (20 rows each)")
    # me, the state's statements, and the next action's target (a habit) by id.
    assert counts == [1 + STATEMENTS + 1] * 2
