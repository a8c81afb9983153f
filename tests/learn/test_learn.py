"""Learn mutations: startLesson, completeLesson (the first completion pays through the ledger,
once; a quest unit; the first_lesson achievement) and recordDrillAttempt (drill statistics,
XP, quest units, the drill_attempts_100 achievement); every typed error leaves the database
as it was; idempotent replays; one user's progress is not another's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer
from db.gamification.ledger import post
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user, unchanged
from tests.support.money import execute, scalar

ERRORS = """
    ... on DomainError { __typename code message }
    ... on InvalidInput { field }
    ... on NotFound { resource }
"""
START = f"""
mutation($lessonId: ID!) {{
  startLesson(lessonId: $lessonId) {{
    __typename
    ... on StartLessonSuccess {{
      progress {{ id status startedAt completedAt quizScore attempts }}
    }}
    {ERRORS}
  }}
}}
"""
COMPLETE = f"""
mutation($input: CompleteLessonInput!) {{
  completeLesson(input: $input) {{
    __typename
    ... on CompleteLessonSuccess {{
      progress {{ id status startedAt completedAt quizScore attempts }}
      wallet {{ coins }}
      userProgress {{ totalXp totalSkillStars }}
      ledgerEntry {{ id xp coins skillStars skillKey eventType }}
      unlockedAchievements {{ achievementKey }}
      firstCompletion
    }}
    {ERRORS}
  }}
}}
"""
DRILL = f"""
mutation($input: RecordDrillAttemptInput!) {{
  recordDrillAttempt(input: $input) {{
    __typename
    ... on RecordDrillAttemptSuccess {{
      stats {{ id totalAttempts correctAnswers bestScore averageScore currentStreak
               bestStreak totalTimeSeconds lastAttemptAt nextDueAt }}
      wallet {{ coins }}
      userProgress {{ totalXp }}
      ledgerEntry {{ xp coins eventType }}
      unlockedAchievements {{ achievementKey }}
      score
    }}
    {ERRORS}
    ... on InvalidState {{ status }}
  }}
}}
"""
ACCEPT = """
mutation($questId: ID!) {
  acceptQuest(questId: $questId) { __typename }
}
"""

#: A seeded lesson: 20 XP, 10 coins, one knowledge star.
LESSON_KEY = "intervals_with_reference_songs"


async def _id(engine: AsyncEngine, table: str, key: str) -> str:
    return str(await scalar(engine, f"SELECT id FROM {table} WHERE key = :k", k=key))


async def _lesson(engine: AsyncEngine) -> str:
    return await _id(engine, "learn_lessons", LESSON_KEY)


async def _drill(engine: AsyncEngine) -> tuple[str, int]:
    """A seeded drill and its XP reward."""
    drill = str(
        await scalar(engine, "SELECT id FROM learn_drills ORDER BY sort_order, key LIMIT 1")
    )
    xp = await scalar(engine, "SELECT xp_reward FROM learn_drills WHERE id = :d", d=drill)
    return drill, int(xp)


def _complete(lesson: str, score: int | None = 80, key: str | None = None) -> dict[str, Any]:
    return {
        "input": {"lessonId": lesson, "quizScore": score, "idempotencyKey": key or uuid.uuid4().hex}
    }


def _round(
    drill: str, correct: int, total: int, seconds: int = 60, key: str | None = None
) -> dict[str, Any]:
    return {
        "input": {
            "drillId": drill,
            "correct": correct,
            "total": total,
            "durationSeconds": seconds,
            "idempotencyKey": key or uuid.uuid4().hex,
        }
    }


async def _accept(mutate: Mutate, engine: AsyncEngine, viewer: Viewer, title: str) -> str:
    quest = str(await scalar(engine, "SELECT id FROM universal_quests WHERE title = :t", t=title))
    result = await mutate(ACCEPT, {"questId": quest}, viewer=viewer)
    assert result.data["acceptQuest"]["__typename"] == "AcceptQuestSuccess", result
    return quest


async def _quest_progress(engine: AsyncEngine, viewer: Viewer, quest: str) -> tuple[str, int]:
    row = await scalar(
        engine,
        "SELECT status || ' ' || progress FROM user_quest_progress "
        "WHERE user_id = :u AND quest_id = :q",
        u=viewer.user_id,
        q=quest,
    )
    status, progress = str(row).split()
    return status, int(progress)


async def _ledger(engine: AsyncEngine, viewer: Viewer, event_type: str) -> list[str]:
    rows = await scalar(
        engine,
        "SELECT coalesce(array_agg(concat_ws(' ', idempotency_key, coins, xp, skill_stars, "
        "skill_key) ORDER BY created_at, id), '{}') FROM points_ledger "
        "WHERE user_id = :u AND event_type = :e",
        u=viewer.user_id,
        e=event_type,
    )
    return list(rows)


# ---- startLesson -------------------------------------------------------------------------


async def test_start_lesson_opens_it_once(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    lesson = await _lesson(engine)
    first = (await mutate(START, {"lessonId": lesson}, viewer=viewer)).data["startLesson"]
    assert first["__typename"] == "StartLessonSuccess"
    progress = first["progress"]
    assert (progress["status"], progress["attempts"], progress["completedAt"]) == (
        "IN_PROGRESS",
        1,
        None,
    )
    assert progress["startedAt"] is not None
    again = (await mutate(START, {"lessonId": lesson}, viewer=viewer)).data["startLesson"]
    # Another try; the first opening's time is kept.
    assert again["progress"] == {**progress, "attempts": 2}
    assert await _ledger(engine, viewer, "lesson.completed") == []
    # The completion ends the try the opening counted.
    done = (await mutate(COMPLETE, _complete(lesson), viewer=viewer)).data["completeLesson"]
    assert done["progress"]["attempts"] == 2
    # Opening a completed lesson again changes nothing; a retake counts at its completion.
    review = (await mutate(START, {"lessonId": lesson}, viewer=viewer)).data["startLesson"]
    assert review["progress"] == done["progress"]
    retake = (await mutate(COMPLETE, _complete(lesson), viewer=viewer)).data["completeLesson"]
    assert (retake["progress"]["status"], retake["progress"]["attempts"]) == ("COMPLETED", 3)


async def test_start_lesson_refusals_change_nothing(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    missing = await unchanged(engine, mutate, START, {"lessonId": str(uuid.uuid4())}, viewer)
    assert (missing["__typename"], missing["code"], missing["resource"]) == (
        "NotFound",
        "NOT_FOUND",
        "LearnLesson",
    )
    malformed = await unchanged(engine, mutate, START, {"lessonId": "lesson-1"}, viewer)
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInput", "lessonId")


# ---- completeLesson ----------------------------------------------------------------------


async def test_the_first_completion_pays_once(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    lesson = await _lesson(engine)
    quest = await _accept(mutate, engine, viewer, "Three lessons")
    await mutate(START, {"lessonId": lesson}, viewer=viewer)
    result = await mutate(COMPLETE, _complete(lesson, 70, "first"), viewer=viewer)
    assert result.errors == []
    done = result.data["completeLesson"]
    assert done["__typename"] == "CompleteLessonSuccess"
    assert done["firstCompletion"] is True
    progress = done["progress"]
    assert (progress["status"], progress["quizScore"], progress["attempts"]) == (
        "COMPLETED",
        70,
        1,
    )
    assert progress["completedAt"] is not None
    assert done["ledgerEntry"] == {
        "id": done["ledgerEntry"]["id"],
        "xp": 20,
        "coins": 10,
        "skillStars": 1,
        "skillKey": "knowledge",
        "eventType": "lesson.completed",
    }
    # The first_lesson achievement unlocks in the same transaction (50 XP, 20 coins).
    assert "first_lesson" in [a["achievementKey"] for a in done["unlockedAchievements"]]
    assert done["wallet"]["coins"] == 10 + 20
    assert done["userProgress"] == {"totalXp": 20 + 50, "totalSkillStars": 1}
    assert await _quest_progress(engine, viewer, quest) == ("accepted", 1)
    assert await _ledger(engine, viewer, "lesson.completed") == [
        f"lesson.completed:{lesson} 10 20 1 knowledge"
    ]
    stars = await scalar(
        engine,
        "SELECT current_stars FROM user_skills WHERE user_id = :u AND skill_key = 'knowledge'",
        u=viewer.user_id,
    )
    assert stars == 1

    # A later completion records the better score and the attempt, and pays nothing.
    later = (await mutate(COMPLETE, _complete(lesson, 95), viewer=viewer)).data["completeLesson"]
    assert later["firstCompletion"] is False
    assert later["ledgerEntry"] is None
    assert later["unlockedAchievements"] == []
    assert (later["progress"]["quizScore"], later["progress"]["attempts"]) == (95, 2)
    assert later["progress"]["completedAt"] == progress["completedAt"]
    assert later["wallet"] == done["wallet"]
    worse = (await mutate(COMPLETE, _complete(lesson, 40), viewer=viewer)).data["completeLesson"]
    assert (worse["progress"]["quizScore"], worse["progress"]["attempts"]) == (95, 3)
    no_quiz = (await mutate(COMPLETE, _complete(lesson, None), viewer=viewer)).data
    assert no_quiz["completeLesson"]["progress"]["attempts"] == 4
    assert no_quiz["completeLesson"]["progress"]["quizScore"] == 95
    assert await _quest_progress(engine, viewer, quest) == ("accepted", 1)
    assert len(await _ledger(engine, viewer, "lesson.completed")) == 1
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM activity_events WHERE user_id = :u "
            "AND event_type = 'lesson.completed'",
            u=viewer.user_id,
        )
        == 4
    )


async def test_completion_replays_and_key_reuse(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    lesson = await _lesson(engine)
    first = await mutate(COMPLETE, _complete(lesson, 90, "k"), viewer=viewer)
    replay = await mutate(COMPLETE, _complete(lesson, 90, "k"), viewer=viewer)
    assert replay.data == first.data
    assert replay.data["completeLesson"]["progress"]["attempts"] == 1
    reused = await unchanged(engine, mutate, COMPLETE, _complete(lesson, 91, "k"), viewer)
    assert (reused["__typename"], reused["code"]) == (
        "IdempotencyKeyReused",
        "IDEMPOTENCY_KEY_REUSED",
    )
    assert len(await _ledger(engine, viewer, "lesson.completed")) == 1


async def test_complete_lesson_refusals_change_nothing(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    lesson = await _lesson(engine)
    for score in (-1, 101):
        bad = await unchanged(engine, mutate, COMPLETE, _complete(lesson, score), viewer)
        assert (bad["__typename"], bad["field"]) == ("InvalidInput", "input.quizScore")
    missing = await unchanged(engine, mutate, COMPLETE, _complete(str(uuid.uuid4())), viewer)
    assert (missing["__typename"], missing["resource"]) == ("NotFound", "LearnLesson")
    malformed = await unchanged(engine, mutate, COMPLETE, _complete("nope"), viewer)
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInput", "input.lessonId")
    assert (
        await scalar(
            engine, "SELECT count(*) FROM user_lesson_progress WHERE user_id = :u", u=viewer.user_id
        )
        == 0
    )


async def test_each_user_completes_for_themselves(mutate: Mutate, engine: AsyncEngine) -> None:
    alice, bob = await committed_user(engine), await committed_user(engine)
    lesson = await _lesson(engine)
    await mutate(COMPLETE, _complete(lesson, 60), viewer=alice)
    # Bob's first completion is his own: it pays him, and Alice's progress does not move.
    bobs = (await mutate(COMPLETE, _complete(lesson, 100), viewer=bob)).data["completeLesson"]
    assert bobs["firstCompletion"] is True
    assert bobs["ledgerEntry"]["xp"] == 20
    alices = (await mutate(START, {"lessonId": lesson}, viewer=alice)).data["startLesson"]
    assert (alices["progress"]["quizScore"], alices["progress"]["attempts"]) == (60, 1)
    assert bobs["progress"]["id"] != alices["progress"]["id"]


async def test_a_lesson_pays_its_own_rewards(mutate: Mutate, engine: AsyncEngine) -> None:
    """The lesson's columns are the reward: no skill means no stars; nothing to pay means no
    ledger row, yet the lesson is completed and counted."""
    viewer = await committed_user(engine)
    topic = await scalar(engine, "SELECT id FROM learn_topics ORDER BY sort_order LIMIT 1")
    suffix = uuid.uuid4().hex[:8]
    rich, free = f"test_rich_{suffix}", f"test_free_{suffix}"
    await execute(
        engine,
        "INSERT INTO learn_lessons (topic_id, key, title, xp_reward, coin_reward, skill_key) "
        "VALUES (:t, :rich, 'Rich', 33, 7, NULL), (:t, :free, 'Free', 0, 0, NULL)",
        t=topic,
        rich=rich,
        free=free,
    )
    try:
        paid = await mutate(
            COMPLETE, _complete(await _id(engine, "learn_lessons", rich)), viewer=viewer
        )
        entry = paid.data["completeLesson"]["ledgerEntry"]
        assert (entry["xp"], entry["coins"], entry["skillStars"], entry["skillKey"]) == (
            33,
            7,
            0,
            None,
        )
        unpaid = await mutate(
            COMPLETE, _complete(await _id(engine, "learn_lessons", free)), viewer=viewer
        )
        done = unpaid.data["completeLesson"]
        assert (done["firstCompletion"], done["ledgerEntry"]) == (True, None)
        assert done["progress"]["status"] == "COMPLETED"
        assert (
            await scalar(
                engine,
                "SELECT count(*) FROM user_lesson_progress WHERE user_id = :u "
                "AND status = 'completed'",
                u=viewer.user_id,
            )
            == 2
        )
    finally:
        await execute(
            engine, "DELETE FROM learn_lessons WHERE key IN (:rich, :free)", rich=rich, free=free
        )


# ---- recordDrillAttempt ------------------------------------------------------------------


async def test_drill_rounds_update_the_stats(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    drill, xp = await _drill(engine)
    before = datetime.now(UTC)
    one = (await mutate(DRILL, _round(drill, 10, 10, 90), viewer=viewer)).data
    stats = one["recordDrillAttempt"]["stats"]
    assert one["recordDrillAttempt"]["score"] == 100
    assert one["recordDrillAttempt"]["ledgerEntry"] == {
        "xp": xp,
        "coins": 0,
        "eventType": "drill.completed",
    }
    assert {k: stats[k] for k in ("totalAttempts", "correctAnswers", "bestScore")} == {
        "totalAttempts": 10,
        "correctAnswers": 10,
        "bestScore": 100,
    }
    assert (stats["averageScore"], stats["currentStreak"], stats["bestStreak"]) == (100.0, 1, 1)
    assert stats["totalTimeSeconds"] == 90
    last = datetime.fromisoformat(stats["lastAttemptAt"])
    assert last >= before - timedelta(seconds=5)
    assert datetime.fromisoformat(stats["nextDueAt"]) - last == timedelta(days=7)
    two = (await mutate(DRILL, _round(drill, 8, 8, 30), viewer=viewer)).data
    assert two["recordDrillAttempt"]["stats"]["currentStreak"] == 2
    three = (await mutate(DRILL, _round(drill, 1, 6, 45), viewer=viewer)).data
    payload = three["recordDrillAttempt"]
    stats = payload["stats"]
    assert payload["score"] == 17
    assert stats["id"] == one["recordDrillAttempt"]["stats"]["id"]
    assert (stats["totalAttempts"], stats["correctAnswers"], stats["bestScore"]) == (24, 19, 100)
    assert stats["averageScore"] == 79.2  # 19 of 24 questions right
    assert (stats["currentStreak"], stats["bestStreak"], stats["totalTimeSeconds"]) == (0, 2, 165)
    due = datetime.fromisoformat(stats["nextDueAt"]) - datetime.fromisoformat(
        stats["lastAttemptAt"]
    )
    assert due == timedelta(days=3)
    assert payload["userProgress"]["totalXp"] == 3 * xp
    assert await _ledger(engine, viewer, "drill.completed") == [
        f"drill.completed:{drill}:{n} 0 {xp} 0" for n in (10, 18, 24)
    ]


async def test_drill_questions_count_for_quests_and_achievements(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    drill, _ = await _drill(engine)
    daily = await _accept(mutate, engine, viewer, "Ear gym")  # 20 questions a day
    weekly = await _accept(mutate, engine, viewer, "Hundred ear reps")  # 100 a week
    first = (await mutate(DRILL, _round(drill, 10, 12), viewer=viewer)).data
    assert first["recordDrillAttempt"]["unlockedAchievements"] == []
    assert await _quest_progress(engine, viewer, daily) == ("accepted", 12)
    second = (await mutate(DRILL, _round(drill, 80, 88), viewer=viewer)).data
    assert await _quest_progress(engine, viewer, daily) == ("completed", 20)
    assert await _quest_progress(engine, viewer, weekly) == ("completed", 100)
    unlocked = [a["achievementKey"] for a in second["recordDrillAttempt"]["unlockedAchievements"]]
    assert "drill_attempts_100" in unlocked
    assert (
        await scalar(
            engine,
            "SELECT coins FROM points_ledger WHERE user_id = :u "
            "AND idempotency_key = 'achievement:drill_attempts_100'",
            u=viewer.user_id,
        )
        == 60
    )


async def test_drill_refusals_change_nothing(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    drill, _ = await _drill(engine)
    await mutate(DRILL, _round(drill, 3, 5), viewer=viewer)
    stats_before = await scalar(
        engine,
        "SELECT row_to_json(s)::text FROM user_drill_stats s WHERE user_id = :u",
        u=viewer.user_id,
    )
    cases = [
        (_round(drill, 6, 5), "input.correct"),
        (_round(drill, -1, 5), "input.correct"),
        (_round(drill, 0, 0), "input.total"),
        (_round(drill, 0, -3), "input.total"),
        (_round(drill, 1, 1001), "input.total"),
        (_round(drill, 1, 2, -1), "input.durationSeconds"),
        (_round(drill, 1, 2, 3601), "input.durationSeconds"),
        (_round("drill-7", 1, 2), "input.drillId"),
    ]
    for variables, field in cases:
        refused = await unchanged(engine, mutate, DRILL, variables, viewer)
        assert (refused["__typename"], refused["field"]) == ("InvalidInput", field), variables
    missing = await unchanged(engine, mutate, DRILL, _round(str(uuid.uuid4()), 1, 2), viewer)
    assert (missing["__typename"], missing["resource"]) == ("NotFound", "LearnDrill")
    # The int4 counters: a round that would overflow one is refused, not a database error.
    for column, variables in (
        ("total_time_seconds", _round(drill, 1, 2, 3600)),
        ("total_attempts", _round(drill, 1, 1000)),
    ):
        await execute(
            engine,
            f"UPDATE user_drill_stats SET {column} = 2147483000 WHERE user_id = :u",
            u=viewer.user_id,
        )
        stats_before = await scalar(
            engine,
            "SELECT row_to_json(s)::text FROM user_drill_stats s WHERE user_id = :u",
            u=viewer.user_id,
        )
        full = await unchanged(engine, mutate, DRILL, variables, viewer)
        assert (full["__typename"], full["status"]) == ("InvalidState", "full")
    assert (
        await scalar(
            engine,
            "SELECT row_to_json(s)::text FROM user_drill_stats s WHERE user_id = :u",
            u=viewer.user_id,
        )
        == stats_before
    )


async def test_drill_replays_and_other_users(mutate: Mutate, engine: AsyncEngine) -> None:
    alice, bob = await committed_user(engine), await committed_user(engine)
    drill, _ = await _drill(engine)
    first = await mutate(DRILL, _round(drill, 4, 5, key="r"), viewer=alice)
    replay = await mutate(DRILL, _round(drill, 4, 5, key="r"), viewer=alice)
    assert replay.data == first.data
    reused = await unchanged(engine, mutate, DRILL, _round(drill, 5, 5, key="r"), alice)
    assert reused["__typename"] == "IdempotencyKeyReused"
    # The same key is Bob's own: his round is his, and Alice's stats do not move.
    bobs = (await mutate(DRILL, _round(drill, 5, 5, key="r"), viewer=bob)).data
    assert bobs["recordDrillAttempt"]["stats"]["totalAttempts"] == 5
    assert (
        bobs["recordDrillAttempt"]["stats"]["id"] != first.data["recordDrillAttempt"]["stats"]["id"]
    )
    assert (
        await scalar(
            engine,
            "SELECT total_attempts FROM user_drill_stats WHERE user_id = :u",
            u=alice.user_id,
        )
        == 5
    )


async def test_a_lesson_that_levels_up_publishes_it(mutate: Mutate, engine: AsyncEngine) -> None:
    """The ledger's level-up events come with the lesson's reward: 90 XP + 20 is level 2, and
    the knowledge star that completes a level is a skill level-up."""
    viewer = await committed_user(engine)
    per_level = int(
        await scalar(
            engine, "SELECT stars_per_level FROM skill_definitions WHERE key = 'knowledge'"
        )
    )
    async with engine.begin() as conn:
        await post(
            conn,
            viewer.user_id,
            event_type="admin_grant",
            xp=90,
            stars=per_level - 1,
            skill_key="knowledge",
            reason="test set-up",
        )
    await mutate(COMPLETE, _complete(await _lesson(engine)), viewer=viewer)
    topics = await scalar(
        engine,
        "SELECT array_agg(topic || ' ' || (payload->>'level') ORDER BY id) FROM event_outbox "
        "WHERE user_id = :u AND topic IN ('level.up', 'skill.level.up')",
        u=viewer.user_id,
    )
    assert topics == ["level.up 2", "skill.level.up 1"]
