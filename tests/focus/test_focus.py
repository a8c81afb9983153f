"""The focus timer: ``startFocusSession``, ``pauseFocusSession``, ``resumeFocusSession``,
``completeFocusSession`` and ``abandonFocusSession`` (Ignition specification, "Focus Lifecycle"),
expiry, and the award for the time actually focused. Time passes by moving a session's timestamps
back."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.focus import rules
from db.focus.transitions import expire_overdue
from tests.support.fixtures import Mutate
from tests.support.harness import committed_user, unchanged
from tests.support.money import execute, scalar

SESSION_FIELDS = """
  id status mode durationSeconds startedAt expiresAt completedAt abandonedAt pausedAt
  pausedRemainingSeconds xpAwarded coinsAwarded focusedSeconds taskTitle
"""
ERRORS = """
    ... on DomainError { code message }
    ... on InvalidState { status }
    ... on InvalidInput { field }
    ... on NotFound { resource }
"""
START = f"""
mutation Start($input: StartFocusSessionInput!) {{
  startFocusSession(input: $input) {{
    __typename
    ... on StartFocusSessionSuccess {{ session {{ {SESSION_FIELDS} }} }}
    ... on DomainError {{ code message }}
    ... on InvalidInput {{ field }}
    ... on FocusSessionAlreadyRunning {{ sessionId }}
  }}
}}
"""


def step(name: str) -> str:
    return f"""
mutation Step($id: ID!) {{
  {name}(id: $id) {{
    __typename
    ... on {name[0].upper() + name[1:]}Success {{ session {{ {SESSION_FIELDS} }} }}
    {ERRORS}
  }}
}}
"""


PAUSE, RESUME, ABANDON = (
    step("pauseFocusSession"),
    step("resumeFocusSession"),
    step("abandonFocusSession"),
)
COMPLETE = f"""
mutation Complete($id: ID!, $key: String!) {{
  completeFocusSession(id: $id, idempotencyKey: $key) {{
    __typename
    ... on CompleteFocusSessionSuccess {{
      session {{ {SESSION_FIELDS} }}
      wallet {{ coins }}
      progress {{ totalXp totalSkillStars }}
      ledgerEntry {{ eventType eventId coins xp skillStars skillKey }}
    }}
    {ERRORS}
  }}
}}
"""


def start_input(minutes: int = 50, mode: str = "FOCUS", **extra: Any) -> dict[str, Any]:
    return {"input": {"mode": mode, "durationSeconds": minutes * 60, **extra}}


async def start(mutate: Mutate, viewer: Any, minutes: int = 50, mode: str = "FOCUS") -> str:
    result = await mutate(
        START, start_input(minutes, mode, taskTitle="Mix the bridge"), viewer=viewer
    )
    payload = result.data["startFocusSession"]
    assert payload["__typename"] == "StartFocusSessionSuccess", payload
    return str(payload["session"]["id"])


async def travel(engine: AsyncEngine, session_id: str, minutes: float) -> None:
    """Move the session (and its pause state) ``minutes`` into the past."""
    shift = {"s": uuid.UUID(session_id), "d": float(minutes * 60)}
    await execute(
        engine,
        "UPDATE focus_sessions SET started_at = started_at - make_interval(secs => :d), "
        "created_at = created_at - make_interval(secs => :d), "
        "expires_at = expires_at - make_interval(secs => :d), "
        "paused_at = paused_at - make_interval(secs => :d) WHERE id = :s",
        **shift,
    )
    await execute(
        engine,
        "UPDATE focus_pause_state SET paused_at = paused_at - make_interval(secs => :d), "
        "resumed_at = resumed_at - make_interval(secs => :d) WHERE session_id = :s",
        **shift,
    )


async def topics(engine: AsyncEngine, user_id: uuid.UUID) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT topic FROM event_outbox WHERE user_id = :u ORDER BY txid, id"),
            {"u": user_id},
        )
        return [r[0] for r in rows]


async def refused(
    engine: AsyncEngine, mutate: Mutate, query: str, variables: Any, viewer: Any
) -> Any:
    """Run a mutation that must be refused; it must change nothing."""
    payload = await unchanged(engine, mutate, query, variables, viewer)
    assert not payload["__typename"].endswith("Success"), payload
    return payload


async def test_start_opens_one_running_session(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    result = await mutate(START, start_input(25, taskTitle=" Sketch drums "), viewer=user)
    session = result.data["startFocusSession"]["session"]
    assert (session["status"], session["mode"], session["durationSeconds"]) == (
        "ACTIVE",
        "FOCUS",
        1500,
    )
    assert session["taskTitle"] == "Sketch drums"
    async with engine.connect() as conn:
        planned = (
            await conn.execute(
                sa.text("SELECT expires_at - started_at FROM focus_sessions WHERE id = :s"),
                {"s": uuid.UUID(session["id"])},
            )
        ).scalar_one()
    assert planned.total_seconds() == 1500 + rules.EXPIRY_GRACE_SECONDS
    second = await refused(engine, mutate, START, start_input(), user)
    assert second["__typename"] == "FocusSessionAlreadyRunning"
    assert second["sessionId"] == session["id"]
    assert await topics(engine, user.user_id) == ["focus.session.started"]
    assert await scalar(
        engine,
        "SELECT count(*) FROM activity_events WHERE user_id = :u "
        "AND event_type = 'focus.session.started' AND metadata->>'session_id' = :s",
        u=user.user_id,
        s=session["id"],
    )


async def test_start_refuses_bad_input(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    for variables, field in [
        ({"input": {"mode": "FOCUS", "durationSeconds": 59}}, "input.durationSeconds"),
        ({"input": {"mode": "BREAK", "durationSeconds": 4 * 3600 + 1}}, "input.durationSeconds"),
        (start_input(taskTitle="x" * 201), "input.taskTitle"),
        (start_input(taskId="nope"), "input.taskId"),
    ]:
        payload = await refused(engine, mutate, START, variables, user)
        assert (payload["__typename"], payload["field"]) == ("InvalidInput", field)


async def test_pause_and_resume_keep_both_records_in_step(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    user = await committed_user(engine)
    sid = await start(mutate, user, minutes=60)
    await travel(engine, sid, 20)
    paused = (await mutate(PAUSE, {"id": sid}, viewer=user)).data["pauseFocusSession"]["session"]
    assert paused["status"] == "PAUSED"
    assert 2398 <= paused["pausedRemainingSeconds"] <= 2400
    state = await scalar(
        engine,
        "SELECT json_build_object('paused', is_paused, 'left', time_remaining_seconds, "
        "'same', paused_at = (SELECT paused_at FROM focus_sessions WHERE id = :s)) "
        "FROM focus_pause_state WHERE session_id = :s",
        s=uuid.UUID(sid),
    )
    assert state == {"paused": True, "left": paused["pausedRemainingSeconds"], "same": True}
    again = await refused(engine, mutate, PAUSE, {"id": sid}, user)
    assert (again["__typename"], again["status"]) == ("InvalidState", "paused")
    assert again["message"] == "Only an active session can be paused; this one is paused."

    # An hour paused does not count: the clock stood still.
    await travel(engine, sid, 60)
    resumed = (await mutate(RESUME, {"id": sid}, viewer=user)).data["resumeFocusSession"]["session"]
    assert resumed["status"] == "ACTIVE"
    assert resumed["pausedAt"] is None and resumed["pausedRemainingSeconds"] is None
    state = await scalar(
        engine,
        "SELECT json_build_object('paused', is_paused, 'left', time_remaining_seconds, "
        "'resumed', resumed_at IS NOT NULL) FROM focus_pause_state WHERE session_id = :s",
        s=uuid.UUID(sid),
    )
    assert state == {"paused": False, "left": paused["pausedRemainingSeconds"], "resumed": True}
    twice = await refused(engine, mutate, RESUME, {"id": sid}, user)
    assert (twice["__typename"], twice["status"]) == ("InvalidState", "active")

    # Ten more minutes focused: 20 + 10 = 30 minutes, whatever the pause lasted.
    await travel(engine, sid, 10)
    done = await mutate(COMPLETE, {"id": sid, "key": "c"}, viewer=user)
    session = done.data["completeFocusSession"]["session"]
    assert 1800 <= session["focusedSeconds"] <= 1802
    assert (session["xpAwarded"], session["coinsAwarded"]) == (15, 6)
    assert (await topics(engine, user.user_id))[:5] == [
        "focus.session.started",
        "focus.session.paused",
        "focus.session.resumed",
        "wallet.changed",
        "focus.session.completed",
    ]


async def test_complete_early_pays_for_the_time_focused_once(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    user = await committed_user(engine)
    sid = await start(mutate, user, minutes=50)
    await travel(engine, sid, 30)
    result = await mutate(COMPLETE, {"id": sid, "key": "k1"}, viewer=user)
    payload = result.data["completeFocusSession"]
    assert payload["__typename"] == "CompleteFocusSessionSuccess"
    session = payload["session"]
    assert session["status"] == "COMPLETED" and session["completedAt"]
    assert 1800 <= session["focusedSeconds"] <= 1802
    award = rules.focus_award("focus", 30)
    assert (award.xp, award.coins, award.stars) == (15, 6, 1)
    assert (session["xpAwarded"], session["coinsAwarded"]) == (15, 6)
    assert payload["ledgerEntry"] == {
        "eventType": "focus.session.completed",
        "eventId": sid,
        "coins": 6,
        "xp": 15,
        "skillStars": 1,
        "skillKey": "focus",
    }
    # The first completed session also unlocks `first_focus_session` (25 coins, 50 XP).
    assert payload["wallet"] == {"coins": 6 + 25}
    assert payload["progress"] == {"totalXp": 15 + 50, "totalSkillStars": 1}
    unlocked = await scalar(
        engine,
        "SELECT array_agg(achievement_key) FROM user_achievements WHERE user_id = :u",
        u=user.user_id,
    )
    assert unlocked == ["first_focus_session"]
    # The same key replays the completion; another key meets a completed session.
    assert (await mutate(COMPLETE, {"id": sid, "key": "k1"}, viewer=user)).data == result.data
    again = await refused(engine, mutate, COMPLETE, {"id": sid, "key": "k2"}, user)
    assert (again["__typename"], again["status"]) == ("InvalidState", "completed")
    assert (
        await scalar(engine, "SELECT count(*) FROM points_ledger WHERE event_id = :s", s=sid) == 1
    )
    completed = await scalar(
        engine,
        "SELECT payload FROM event_outbox WHERE topic = 'focus.session.completed' AND user_id = :u",
        u=user.user_id,
    )
    assert completed["session_id"] == sid and completed["minutes"] == 30


async def test_the_award_is_capped_at_the_plan_and_breaks_pay_no_coins(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    user = await committed_user(engine)
    sid = await start(mutate, user, minutes=10, mode="BREAK")
    await travel(engine, sid, 45)  # long past the plan, not yet expired
    session = (await mutate(COMPLETE, {"id": sid, "key": "b"}, viewer=user)).data[
        "completeFocusSession"
    ]["session"]
    assert session["focusedSeconds"] == 600
    assert (session["xpAwarded"], session["coinsAwarded"]) == (2, 0)

    # Completed at once: nothing earned, no ledger row.
    quick = await start(mutate, user, minutes=25)
    nothing = (await mutate(COMPLETE, {"id": quick, "key": "q"}, viewer=user)).data[
        "completeFocusSession"
    ]
    assert nothing["ledgerEntry"] is None
    assert nothing["session"]["xpAwarded"] == 0 and nothing["session"]["focusedSeconds"] < 60
    assert (
        await scalar(engine, "SELECT count(*) FROM points_ledger WHERE event_id = :s", s=quick) == 0
    )


async def test_abandon_ends_without_an_award(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    sid = await start(mutate, user)
    await travel(engine, sid, 20)
    await mutate(PAUSE, {"id": sid}, viewer=user)
    session = (await mutate(ABANDON, {"id": sid}, viewer=user)).data["abandonFocusSession"][
        "session"
    ]
    assert session["status"] == "ABANDONED" and session["abandonedAt"]
    assert session["pausedAt"] is None and session["xpAwarded"] == 0
    assert await scalar(
        engine,
        "SELECT NOT is_paused FROM focus_pause_state WHERE session_id = :s",
        s=uuid.UUID(sid),
    )
    assert (
        await scalar(
            engine, "SELECT count(*) FROM points_ledger WHERE user_id = :u", u=user.user_id
        )
        == 0
    )
    for query in (PAUSE, RESUME, ABANDON):
        payload = await refused(engine, mutate, query, {"id": sid}, user)
        assert (payload["__typename"], payload["status"]) == ("InvalidState", "abandoned")
    payload = await refused(engine, mutate, COMPLETE, {"id": sid, "key": "late"}, user)
    assert (payload["__typename"], payload["status"]) == ("InvalidState", "abandoned")
    # A new session may start now.
    await start(mutate, user)


async def test_another_users_session_is_not_found(mutate: Mutate, engine: AsyncEngine) -> None:
    owner = await committed_user(engine)
    stranger = await committed_user(engine)
    sid = await start(mutate, owner)
    for query in (PAUSE, RESUME, ABANDON):
        for target in (sid, str(uuid.uuid4())):
            payload = await refused(engine, mutate, query, {"id": target}, stranger)
            assert (payload["__typename"], payload["resource"]) == ("NotFound", "FocusSession")
    payload = await refused(engine, mutate, COMPLETE, {"id": sid, "key": "steal"}, stranger)
    assert payload["__typename"] == "NotFound"
    payload = await refused(engine, mutate, PAUSE, {"id": "12"}, owner)
    assert (payload["__typename"], payload["field"]) == ("InvalidInput", "id")
    signed_out = await mutate(PAUSE, {"id": sid})
    assert signed_out.data is None and len(signed_out.errors) == 1


async def test_an_overdue_session_expires_when_touched(mutate: Mutate, engine: AsyncEngine) -> None:
    user = await committed_user(engine)
    sid = await start(mutate, user, minutes=30)
    await travel(engine, sid, 30 + rules.EXPIRY_GRACE_SECONDS / 60 + 1)
    result = await mutate(COMPLETE, {"id": sid, "key": "too-late"}, viewer=user)
    payload = result.data["completeFocusSession"]
    assert (payload["__typename"], payload["status"]) == ("InvalidState", "expired")
    # The expiry itself is recorded (the passage of time), the completion is not.
    assert (
        await scalar(engine, "SELECT status FROM focus_sessions WHERE id = :s", s=uuid.UUID(sid))
        == "expired"
    )
    assert (
        await scalar(
            engine, "SELECT count(*) FROM points_ledger WHERE user_id = :u", u=user.user_id
        )
        == 0
    )
    assert (await topics(engine, user.user_id))[-1] == "focus.session.expired"
    # A start expires an overdue session and goes ahead.
    other = await start(mutate, user, minutes=30)
    await travel(engine, other, 30 + rules.EXPIRY_GRACE_SECONDS / 60 + 1)
    await start(mutate, user)
    assert (
        await scalar(engine, "SELECT status FROM focus_sessions WHERE id = :s", s=uuid.UUID(other))
        == "expired"
    )


async def test_the_sweep_expires_everybodys_overdue_sessions(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    users = [await committed_user(engine) for _ in range(3)]
    ids = [await start(mutate, u, minutes=5) for u in users]
    for sid in ids[:2]:
        await travel(engine, sid, 5 + rules.EXPIRY_GRACE_SECONDS / 60 + 1)
    async with engine.begin() as conn:
        expired = await expire_overdue(conn)
    assert {str(e) for e in expired} >= set(ids[:2])
    assert str(ids[2]) not in {str(e) for e in expired}
    for sid, status in zip(ids, ["expired", "expired", "active"], strict=True):
        assert (
            await scalar(
                engine, "SELECT status FROM focus_sessions WHERE id = :s", s=uuid.UUID(sid)
            )
            == status
        )


async def test_a_completion_advances_the_accepted_focus_quests(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    from db.quests.progress import accept_quest

    user = await committed_user(engine)
    async with engine.begin() as conn:
        quests = (
            await conn.execute(
                sa.text(
                    "SELECT id, target_type, target_config FROM universal_quests "
                    "WHERE is_active AND target_type IN ('focus_minutes', "
                    "'focus_sessions_completed')"
                )
            )
        ).all()
        for quest in quests:
            await accept_quest(conn, user.user_id, quest.id)
    sid = await start(mutate, user, minutes=50)
    await travel(engine, sid, 30)
    await mutate(COMPLETE, {"id": sid, "key": "q"}, viewer=user)
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT quest_id, progress FROM user_quest_progress WHERE user_id = :u"),
            {"u": user.user_id},
        )
        progress = {quest_id: units for quest_id, units in rows.all()}
    for quest in quests:
        config = quest.target_config or {}
        counts = config.get("mode", "focus") == "focus" and config.get("min_minutes", 0) <= 30
        expected = (30 if quest.target_type == "focus_minutes" else 1) if counts else 0
        assert progress[quest.id] == expected, (quest.target_type, config)


def test_the_default_duration_rule() -> None:
    assert rules.default_duration(None) == rules.DEFAULT_DURATION_SECONDS == 300
    assert rules.default_duration(1500) == 1500
    assert rules.default_duration(1500.0) == 1500
    for unusable in (True, "1500", 59, rules.MAX_DURATION_SECONDS + 1, 90.5, {"s": 1}):
        assert rules.default_duration(unusable) == 300


async def test_a_session_without_a_duration_uses_the_viewers_setting(
    mutate: Mutate, engine: AsyncEngine
) -> None:
    """``default_focus_duration`` (300 s for a new user), the viewer's own row only."""
    user = await committed_user(engine)
    other = await committed_user(engine)
    await execute(
        engine,
        "UPDATE user_settings SET value = '1500' WHERE user_id = :u "
        "AND key = 'default_focus_duration'",
        u=other.user_id,
    )
    result = await mutate(START, {"input": {"mode": "FOCUS"}}, viewer=user)
    session = result.data["startFocusSession"]["session"]
    assert session["durationSeconds"] == 300
    await mutate(ABANDON, {"id": session["id"]}, viewer=user)
    await execute(
        engine,
        "UPDATE user_settings SET value = '2700' WHERE user_id = :u "
        "AND key = 'default_focus_duration'",
        u=user.user_id,
    )
    result = await mutate(START, {"input": {"mode": "FOCUS", "durationSeconds": None}}, viewer=user)
    session = result.data["startFocusSession"]["session"]
    assert session["durationSeconds"] == 2700
    await mutate(ABANDON, {"id": session["id"]}, viewer=user)
    await execute(
        engine,
        "DELETE FROM user_settings WHERE user_id = :u AND key = 'default_focus_duration'",
        u=user.user_id,
    )
    result = await mutate(START, {"input": {"mode": "BREAK"}}, viewer=user)
    assert result.data["startFocusSession"]["session"]["durationSeconds"] == 300
