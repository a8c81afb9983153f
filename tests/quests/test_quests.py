"""Quest mutations: universal quests (accept, progress from activity, claim once per
completion, period resets) and the viewer's own quests (create, update only the given fields,
complete with the repeat and streak rules, abandon, expiry); every typed error leaves the
database as it was; another user's quests are absent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer
from db.quests.progress import advance_quests
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user, unchanged

_FIELDS = {
    "InvalidInput": "field",
    "InvalidState": "status",
    "NotFound": "resource",
    "QuestNotCompleted": "progress target",
}


def errors(*types: str) -> str:
    return "... on DomainError { __typename code message }\n" + "\n".join(
        f"... on {t} {{ {_FIELDS[t]} }}" for t in types if t in _FIELDS
    )


ACCEPT = f"""
mutation($questId: ID!) {{
  acceptQuest(questId: $questId) {{
    __typename
    ... on AcceptQuestSuccess {{ questProgress {{ id status progress quest {{ title }} }} }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
CLAIM = f"""
mutation($questId: ID!, $key: String!) {{
  claimQuestReward(questId: $questId, idempotencyKey: $key) {{
    __typename
    ... on ClaimQuestRewardSuccess {{
      questProgress {{ id status claimedAt timesCompleted }}
      wallet {{ coins }}
      unlockedAchievements {{ achievementKey }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState", "QuestNotCompleted")}
  }}
}}
"""
QUEST_FIELDS = """id title category description difficulty xpReward coinReward status isActive
  expiresAt isRepeatable repeatFrequency lastCompletedDate streakCount completedAt"""
CREATE = f"""
mutation($input: CreateQuestInput!) {{
  createQuest(input: $input) {{
    __typename
    ... on CreateQuestSuccess {{ quest {{ {QUEST_FIELDS} }} }}
    {errors("InvalidInput")}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: UpdateQuestInput!) {{
  updateQuest(id: $id, input: $input) {{
    __typename
    ... on UpdateQuestSuccess {{ quest {{ {QUEST_FIELDS} }} }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
COMPLETE = f"""
mutation($id: ID!, $key: String!) {{
  completeQuest(id: $id, idempotencyKey: $key) {{
    __typename
    ... on CompleteQuestSuccess {{
      quest {{ {QUEST_FIELDS} }}
      wallet {{ coins }}
      unlockedAchievements {{ achievementKey }}
    }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""
ABANDON = f"""
mutation($id: ID!) {{
  abandonQuest(id: $id) {{
    __typename
    ... on AbandonQuestSuccess {{ quest {{ status isActive }} }}
    {errors("InvalidInput", "NotFound", "InvalidState")}
  }}
}}
"""


async def _sql(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.begin() as conn:
        result = await conn.execute(sa.text(sql), params)
        return result.scalar_one() if result.returns_rows else None


async def _quest_id(engine: AsyncEngine, title: str) -> str:
    return str(await _sql(engine, "SELECT id FROM universal_quests WHERE title = :t", t=title))


# ---- universal quests ----------------------------------------------------------------------


async def test_accept_a_universal_quest(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    quest = await _quest_id(engine, "Daily focus block")
    result = await mutate(ACCEPT, {"questId": quest}, viewer=viewer)
    progress = result.data["acceptQuest"]["questProgress"]
    assert (progress["status"], progress["progress"], progress["quest"]["title"]) == (
        "ACCEPTED",
        0,
        "Daily focus block",
    )
    again = await unchanged(engine, mutate, ACCEPT, {"questId": quest}, viewer)
    assert (again["__typename"], again["status"]) == ("InvalidState", "accepted")
    missing = await unchanged(engine, mutate, ACCEPT, {"questId": str(uuid.uuid4())}, viewer)
    assert (missing["__typename"], missing["resource"]) == ("NotFound", "UniversalQuest")
    malformed = await unchanged(engine, mutate, ACCEPT, {"questId": "42"}, viewer)
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInput", "questId")
    retired = await _sql(
        engine,
        "INSERT INTO universal_quests (title, is_active) VALUES (:t, false) RETURNING id",
        t=f"Retired {uuid.uuid4().hex}",
    )
    try:
        payload = await unchanged(engine, mutate, ACCEPT, {"questId": str(retired)}, viewer)
        assert (payload["__typename"], payload["status"]) == ("InvalidState", "inactive")
    finally:
        await _sql(engine, "DELETE FROM universal_quests WHERE id = :i", i=retired)
    # an abandoned quest can be accepted again, from 0
    await _sql(
        engine,
        "UPDATE user_quest_progress SET status = 'abandoned', progress = 0 WHERE id = :i",
        i=progress["id"],
    )
    back = await mutate(ACCEPT, {"questId": quest}, viewer=viewer)
    assert back.data["acceptQuest"]["questProgress"]["id"] == progress["id"]
    assert back.data["acceptQuest"]["questProgress"]["status"] == "ACCEPTED"


async def test_claim_once_per_completion(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    quest = await _quest_id(engine, "Daily focus block")  # 20 XP, 10 coins, a focus star
    not_accepted = await unchanged(engine, mutate, CLAIM, {"questId": quest, "key": "c0"}, viewer)
    assert not_accepted["__typename"] == "NotFound"
    await mutate(ACCEPT, {"questId": quest}, viewer=viewer)
    early = await unchanged(engine, mutate, CLAIM, {"questId": quest, "key": "c1"}, viewer)
    assert (early["__typename"], early["progress"], early["target"]) == ("QuestNotCompleted", 0, 1)
    async with engine.begin() as conn:
        moved = await advance_quests(
            conn,
            viewer.user_id,
            target_type="focus_sessions_completed",
            amount=1,
            attributes={"mode": "focus", "minutes": 30},
        )
    assert [m.completed for m in moved] == [True]
    claimed = await mutate(CLAIM, {"questId": quest, "key": "c2"}, viewer=viewer)
    payload = claimed.data["claimQuestReward"]
    assert payload["__typename"] == "ClaimQuestRewardSuccess"
    assert (payload["questProgress"]["status"], payload["questProgress"]["timesCompleted"]) == (
        "CLAIMED",
        1,
    )
    assert payload["wallet"] == {"coins": 10}
    replay = await mutate(CLAIM, {"questId": quest, "key": "c2"}, viewer=viewer)
    assert replay.data == claimed.data
    twice = await unchanged(engine, mutate, CLAIM, {"questId": quest, "key": "c3"}, viewer)
    assert twice["__typename"] == "AlreadyClaimed"
    ledger = await _sql(
        engine,
        "SELECT string_agg(concat_ws(' ', idempotency_key, coins, xp, skill_stars), ',') "
        "FROM points_ledger WHERE user_id = :u",
        u=viewer.user_id,
    )
    assert ledger == f"quest:{quest}:1 10 20 1"
    other = await committed_user(engine)
    absent = await unchanged(engine, mutate, CLAIM, {"questId": quest, "key": "c4"}, other)
    assert absent["__typename"] == "NotFound"


async def test_a_new_period_resets_progress_and_lapses_unclaimed_rewards(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    quest = await _quest_id(engine, "Keep the chain")
    accepted = await mutate(ACCEPT, {"questId": quest}, viewer=viewer)
    progress_id = accepted.data["acceptQuest"]["questProgress"]["id"]
    yesterday = datetime.now(UTC) - timedelta(days=1)
    await _sql(
        engine,
        "UPDATE user_quest_progress SET status = 'completed', progress = 3, times_completed = 1, "
        "completed_at = :y, last_reset_at = date_trunc('day', CAST(:y AS timestamptz)) "
        "WHERE id = :i",
        i=progress_id,
        y=yesterday,
    )
    lapsed = await unchanged(engine, mutate, CLAIM, {"questId": quest, "key": "old"}, viewer)
    assert (lapsed["__typename"], lapsed["progress"], lapsed["target"]) == (
        "QuestNotCompleted",
        0,
        3,
    )
    async with engine.begin() as conn:
        for _ in range(3):
            await advance_quests(conn, viewer.user_id, target_type="habit_completions", amount=1)
    claimed = await mutate(CLAIM, {"questId": quest, "key": "new"}, viewer=viewer)
    assert claimed.data["claimQuestReward"]["questProgress"]["timesCompleted"] == 2
    key = await _sql(
        engine, "SELECT idempotency_key FROM points_ledger WHERE user_id = :u", u=viewer.user_id
    )
    assert key == f"quest:{quest}:2"


async def test_abandoned_universal_quest_cannot_be_claimed(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    quest = await _quest_id(engine, "Move your body")
    accepted = await mutate(ACCEPT, {"questId": quest}, viewer=viewer)
    await _sql(
        engine,
        "UPDATE user_quest_progress SET status = 'abandoned' WHERE id = :i",
        i=accepted.data["acceptQuest"]["questProgress"]["id"],
    )
    payload = await unchanged(engine, mutate, CLAIM, {"questId": quest, "key": "a"}, viewer)
    assert (payload["__typename"], payload["status"]) == ("InvalidState", "abandoned")


# ---- own quests --------------------------------------------------------------------------


async def _create(mutate: Mutate, viewer: Viewer, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"title": "Bounce the EP", "category": "creativity", **fields}}
    result = await mutate(CREATE, variables, viewer=viewer)
    assert result.data["createQuest"]["__typename"] == "CreateQuestSuccess", result
    quest: dict[str, Any] = result.data["createQuest"]["quest"]
    return quest


async def test_create_quest_rewards_follow_the_difficulty(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    quest = await _create(mutate, viewer, difficulty="MEDIUM", description="All five tracks")
    assert (quest["status"], quest["xpReward"], quest["coinReward"]) == ("ACCEPTED", 50, 25)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    for fields, field in (
        ({"title": ""}, "input.title"),
        ({"category": " "}, "input.category"),
        ({"isRepeatable": True}, "input.repeatFrequency"),
        ({"repeatFrequency": "DAILY"}, "input.repeatFrequency"),
        ({"expiresAt": past}, "input.expiresAt"),
    ):
        variables = {"input": {"title": "T", "category": "c", **fields}}
        payload = await unchanged(engine, mutate, CREATE, variables, viewer)
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field), fields


async def test_update_quest_changes_only_the_given_fields(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    quest = await _create(mutate, viewer, description="Five tracks")
    result = await mutate(
        UPDATE,
        {"id": quest["id"], "input": {"difficulty": "HARD", "description": None}},
        viewer=viewer,
    )
    updated = result.data["updateQuest"]["quest"]
    assert (updated["title"], updated["description"], updated["difficulty"]) == (
        "Bounce the EP",
        None,
        "HARD",
    )
    assert (updated["xpReward"], updated["coinReward"]) == (100, 50)
    repeat = await mutate(
        UPDATE,
        {"id": quest["id"], "input": {"isRepeatable": True, "repeatFrequency": "WEEKLY"}},
        viewer=viewer,
    )
    assert repeat.data["updateQuest"]["quest"]["repeatFrequency"] == "WEEKLY"
    once = await mutate(
        UPDATE, {"id": quest["id"], "input": {"isRepeatable": False}}, viewer=viewer
    )
    assert once.data["updateQuest"]["quest"]["repeatFrequency"] is None
    for fields, field in (({}, "input"), ({"title": None}, "input.title")):
        payload = await unchanged(
            engine, mutate, UPDATE, {"id": quest["id"], "input": fields}, viewer
        )
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field)
    other = await committed_user(engine)
    for query, variables in (
        (UPDATE, {"id": quest["id"], "input": {"title": "Mine"}}),
        (COMPLETE, {"id": quest["id"], "key": "x"}),
        (ABANDON, {"id": quest["id"]}),
    ):
        payload = await unchanged(engine, mutate, query, variables, other)
        assert (payload["__typename"], payload["resource"]) == ("NotFound", "UserQuest")


async def test_complete_a_one_off_quest(mutate: Mutate, engine: AsyncEngine) -> None:
    viewer = await committed_user(engine)
    quest = await _create(mutate, viewer, difficulty="EASY")
    done = await mutate(COMPLETE, {"id": quest["id"], "key": "q1"}, viewer=viewer)
    payload = done.data["completeQuest"]
    assert payload["__typename"] == "CompleteQuestSuccess"
    assert (payload["quest"]["status"], payload["quest"]["isActive"]) == ("COMPLETED", False)
    assert payload["wallet"] == {"coins": 10}
    assert (
        await mutate(COMPLETE, {"id": quest["id"], "key": "q1"}, viewer=viewer)
    ).data == done.data
    again = await unchanged(engine, mutate, COMPLETE, {"id": quest["id"], "key": "q2"}, viewer)
    assert (again["__typename"], again["status"]) == ("InvalidState", "completed")
    changed = await unchanged(
        engine, mutate, UPDATE, {"id": quest["id"], "input": {"title": "Later"}}, viewer
    )
    assert (changed["__typename"], changed["status"]) == ("InvalidState", "completed")
    topics = await _sql(
        engine,
        "SELECT string_agg(topic, ',' ORDER BY id) FROM event_outbox WHERE user_id = :u",
        u=viewer.user_id,
    )
    assert topics == "wallet.changed,quest.completed"
    active = await _sql(
        engine,
        "SELECT current_streak FROM user_streaks "
        "WHERE user_id = :u AND streak_type = 'daily_activity'",
        u=viewer.user_id,
    )
    assert active == 1


async def test_repeatable_quest_once_per_period_with_a_streak(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    quest = await _create(mutate, viewer, isRepeatable=True, repeatFrequency="DAILY")
    first = await mutate(COMPLETE, {"id": quest["id"], "key": "d1"}, viewer=viewer)
    done = first.data["completeQuest"]["quest"]
    today = datetime.now(UTC).date()
    assert (done["status"], done["streakCount"], done["lastCompletedDate"]) == (
        "ACCEPTED",
        1,
        today.isoformat(),
    )
    again = await unchanged(engine, mutate, COMPLETE, {"id": quest["id"], "key": "d2"}, viewer)
    assert again["__typename"] == "AlreadyCompleted"
    # a quest last completed yesterday, on a 3-day streak, grows to 4; after a gap, 1
    for back, expected in ((1, 4), (2, 1)):
        other = await _create(mutate, viewer, isRepeatable=True, repeatFrequency="DAILY")
        await _sql(
            engine,
            "UPDATE user_quests SET last_completed_date = :d, streak_count = 3 WHERE id = :i",
            i=other["id"],
            d=today - timedelta(days=back),
        )
        result = await mutate(COMPLETE, {"id": other["id"], "key": f"s{back}"}, viewer=viewer)
        assert result.data["completeQuest"]["quest"]["streakCount"] == expected
    keys = await _sql(
        engine,
        "SELECT count(*) FROM points_ledger WHERE user_id = :u AND idempotency_key = :k",
        u=viewer.user_id,
        k=f"user_quest:{quest['id']}:{today.isoformat()}",
    )
    assert keys == 1


async def test_expired_and_abandoned_quests_cannot_be_completed(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    expiring = await _create(mutate, viewer, expiresAt=soon)
    await _sql(
        engine,
        "UPDATE user_quests SET expires_at = now() - interval '1 minute' WHERE id = :i",
        i=expiring["id"],
    )
    payload = await mutate(COMPLETE, {"id": expiring["id"], "key": "e"}, viewer=viewer)
    assert (
        payload.data["completeQuest"]["__typename"],
        payload.data["completeQuest"]["status"],
    ) == ("InvalidState", "expired")
    # the expiry is bookkeeping, committed although the completion was refused
    status = await _sql(
        engine, "SELECT status || ':' || is_active FROM user_quests WHERE id = :i", i=expiring["id"]
    )
    assert status == "expired:false"
    dropped = await _create(mutate, viewer, title="Clean the sample library")
    result = await mutate(ABANDON, {"id": dropped["id"]}, viewer=viewer)
    assert result.data["abandonQuest"]["quest"] == {"status": "ABANDONED", "isActive": False}
    for query, variables in (
        (ABANDON, {"id": dropped["id"]}),
        (COMPLETE, {"id": dropped["id"], "key": "a"}),
    ):
        refused = await unchanged(engine, mutate, query, variables, viewer)
        assert (refused["__typename"], refused["status"]) == ("InvalidState", "abandoned")


async def test_the_25th_quest_completion_unlocks_an_achievement(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    await _sql(
        engine,
        "INSERT INTO activity_events (user_id, event_type, category) "
        "SELECT :u, 'user_quest.completed', 'quests' FROM generate_series(1, 24)",
        u=viewer.user_id,
    )
    quest = await _create(mutate, viewer)
    done = await mutate(COMPLETE, {"id": quest["id"], "key": "q"}, viewer=viewer)
    assert done.data["completeQuest"]["unlockedAchievements"] == [
        {"achievementKey": "quests_completed_25"}
    ]


async def test_keys_are_checked_and_sign_in_is_required(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    viewer = await committed_user(engine)
    first = await _create(mutate, viewer)
    second = await _create(mutate, viewer, title="Another")
    await mutate(COMPLETE, {"id": first["id"], "key": "same"}, viewer=viewer)
    reused = await unchanged(engine, mutate, COMPLETE, {"id": second["id"], "key": "same"}, viewer)
    assert reused["__typename"] == "IdempotencyKeyReused"
    quest = await _quest_id(engine, "Daily focus block")
    claimed_with_it = await unchanged(
        engine, mutate, CLAIM, {"questId": quest, "key": "same"}, viewer
    )
    assert claimed_with_it["__typename"] == "IdempotencyKeyReused"  # another mutation's key
    too_long = await unchanged(engine, mutate, CLAIM, {"questId": quest, "key": "k" * 256}, viewer)
    assert (too_long["__typename"], too_long["field"]) == ("InvalidInput", "idempotencyKey")
    anonymous = await mutate(ABANDON, {"id": second["id"]})
    assert anonymous.data is None or anonymous.data.get("abandonQuest") is None
    assert anonymous.errors and "Sign in" in anonymous.errors[0]
