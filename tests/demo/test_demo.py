"""The demo data generator (``seeds.demo.seed_demo``, behind ``ignition seed demo``).

Specification:

- every user-owned table (the 75 tables minus the 16 catalogs) has rows for each demo user;
- the ledger invariants of docs/design.md#ledger hold for each demo user, and the rows that
  carry awards (focus, reading and workout sessions, purchases, achievements) agree with the
  ledger;
- the states the API shows are consistent: one running focus session with its pause state,
  habit streaks that match the completions, quests and purchases in every status;
- running it again creates nothing; the same seed gives the same row counts.

``db_conn`` is a migrated, seeded database inside a transaction rolled back after each test.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import LATER_TABLES, metadata
from db.gamification.levels import level_for_xp, xp_remaining
from db.ownership import owner_of, ownership_paths
from seeds.demo import DemoResult, demo_email, seed_demo

#: Tables of the process that belong to nobody: persisted query documents (keyed by hash,
#: shared by every client).
SHARED = {"persisted_queries"}

#: The reference data: every other table but :data:`SHARED` belongs to a user.
CATALOGS = {
    "skill_definitions",
    "achievement_definitions",
    "universal_quests",
    "market_items",
    "onboarding_flows",
    "onboarding_steps",
    "learn_topics",
    "learn_lessons",
    "learn_drills",
    "listening_prompt_templates",
    "listening_prompt_presets",
    "feature_flags",
    "roles",
    "entitlements",
    "role_entitlements",
    "verification_tokens",
}


def owner_query(name: str) -> sa.Select[uuid.UUID, int]:
    """``SELECT owner, count(*) ... GROUP BY owner`` for a user-owned table."""
    joined, owner = owner_of(name)
    return sa.select(owner, sa.func.count()).select_from(joined).group_by(owner)


async def rows(conn: AsyncConnection, sql: str, **params: Any) -> list[sa.Row[Any]]:
    return list((await conn.execute(sa.text(sql), params)).all())


@pytest.fixture
async def demo(db_conn: AsyncConnection) -> DemoResult:
    return await seed_demo(db_conn, users=2)


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------


def test_user_owned_tables_are_every_table_but_the_catalogs() -> None:
    assert len(metadata.tables) == 75 + len(LATER_TABLES)
    assert set(metadata.tables) >= CATALOGS
    assert set(ownership_paths()) == set(metadata.tables) - CATALOGS - SHARED
    assert len(ownership_paths()) == 59 + len(set(LATER_TABLES) - SHARED)


async def test_every_user_owned_table_has_rows_for_each_demo_user(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    assert demo.created_user_ids == demo.user_ids
    missing = []
    for name in sorted(set(ownership_paths()) - set(LATER_TABLES)):
        counts = {owner: n for owner, n in (await db_conn.execute(owner_query(name))).all()}
        missing += [
            f"{name} (user {n})" for n, uid in enumerate(demo.user_ids, 1) if uid not in counts
        ]
    assert not missing, missing[:10]
    # Idempotency keys come from API calls, which the generator does not make.
    generated = set(ownership_paths()) - set(LATER_TABLES)
    assert set(demo.rows) - set(LATER_TABLES) == generated
    assert all(demo.rows[name] > 0 for name in generated)


async def test_demo_users_are_named_and_signed_in(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    users = await rows(
        db_conn,
        "SELECT id, email, name FROM users WHERE id = ANY(:ids) ORDER BY email",
        ids=demo.user_ids,
    )
    assert [(u.email, u.name) for u in users] == [
        ("demo-1@ignition.example", "Demo Producer 1"),
        ("demo-2@ignition.example", "Demo Producer 2"),
    ]
    assert set(demo.tokens) == {demo_email(1), demo_email(2)}
    sessions = await rows(
        db_conn,
        "SELECT user_id, count(*) FILTER (WHERE expires_at > now()) AS live,"
        " count(*) FILTER (WHERE expires_at <= now()) AS expired"
        " FROM sessions WHERE user_id = ANY(:ids) GROUP BY user_id",
        ids=demo.user_ids,
    )
    assert {(s.live, s.expired) for s in sessions} == {(1, 1)}


# --------------------------------------------------------------------------------------------
# Ledger invariants (docs/design.md#ledger)
# --------------------------------------------------------------------------------------------


async def test_wallet_and_progress_match_the_ledger(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    totals = await rows(
        db_conn,
        """
        SELECT w.user_id, w.coins, w.total_earned, w.total_spent, p.total_xp, p.current_level,
               p.xp_to_next_level, p.total_skill_stars,
               coalesce(sum(l.coins), 0) AS coins_sum,
               coalesce(sum(l.coins) FILTER (
                   WHERE l.coins > 0 AND l.event_type <> 'market.refund'), 0) AS earned_sum,
               coalesce(-sum(l.coins) FILTER (WHERE l.coins < 0), 0)
               - coalesce(sum(l.coins) FILTER (WHERE l.event_type = 'market.refund'), 0)
                   AS spent_sum,
               coalesce(sum(l.xp), 0) AS xp_sum,
               coalesce(sum(l.skill_stars), 0) AS stars_sum,
               count(l.id) AS entries,
               count(DISTINCT l.idempotency_key) AS keys
        FROM user_wallet w
        JOIN user_progress p ON p.user_id = w.user_id
        LEFT JOIN points_ledger l ON l.user_id = w.user_id
        WHERE w.user_id = ANY(:ids)
        GROUP BY w.user_id, w.coins, w.total_earned, w.total_spent, p.total_xp,
                 p.current_level, p.xp_to_next_level, p.total_skill_stars
        """,
        ids=demo.user_ids,
    )
    assert len(totals) == len(demo.user_ids)
    for t in totals:
        assert t.entries > 50
        assert t.keys == t.entries  # a unique idempotency key on every ledger row
        assert t.coins == t.coins_sum >= 0
        assert t.total_earned == t.earned_sum
        assert t.total_spent == t.spent_sum > 0
        assert t.total_earned - t.total_spent == t.coins
        assert t.total_xp == t.xp_sum > 0
        assert t.current_level == level_for_xp(t.total_xp) > 1
        assert t.xp_to_next_level == xp_remaining(t.total_xp)
        assert t.total_skill_stars == t.stars_sum > 0


async def test_skill_stars_match_the_ledger(db_conn: AsyncConnection, demo: DemoResult) -> None:
    skills = await rows(
        db_conn,
        """
        SELECT coalesce(s.user_id, l.user_id) AS user_id, coalesce(s.skill_key, l.skill_key)
               AS skill_key, s.current_stars, s.current_level, d.stars_per_level, d.max_level,
               coalesce(l.stars, 0) AS ledger_stars
        FROM (SELECT * FROM user_skills WHERE user_id = ANY(:ids)) s
        FULL JOIN (SELECT user_id, skill_key, sum(skill_stars) AS stars FROM points_ledger
                   WHERE user_id = ANY(:ids) AND skill_key IS NOT NULL
                   GROUP BY user_id, skill_key) l
          ON l.user_id = s.user_id AND l.skill_key = s.skill_key
        LEFT JOIN skill_definitions d ON d.key = coalesce(s.skill_key, l.skill_key)
        """,
        ids=demo.user_ids,
    )
    # Six skills for each user, no ledger stars outside them.
    assert len(skills) == 6 * len(demo.user_ids)
    for s in skills:
        assert s.current_stars == s.ledger_stars
        assert s.current_level == min(s.max_level, s.current_stars // s.stars_per_level)


async def test_ledger_rows_name_their_event(db_conn: AsyncConnection, demo: DemoResult) -> None:
    bad = await rows(
        db_conn,
        "SELECT * FROM points_ledger WHERE user_id = ANY(:ids) AND (event_type IS NULL"
        " OR event_id IS NULL OR reason IS NULL OR idempotency_key IS NULL)",
        ids=demo.user_ids,
    )
    assert not bad
    kinds = await rows(
        db_conn,
        "SELECT user_id, array_agg(DISTINCT event_type) AS kinds FROM points_ledger"
        " WHERE user_id = ANY(:ids) GROUP BY user_id",
        ids=demo.user_ids,
    )
    expected = {
        "focus.session.completed",
        "habit.completed",
        "quest.claimed",
        "lesson.completed",
        "drill.completed",
        "workout.completed",
        "reading.session.logged",
        "goal.milestone.completed",
        "achievement.unlocked",
        "market.purchase",
        "market.refund",
    }
    for k in kinds:
        assert expected <= set(k.kinds), expected - set(k.kinds)


async def test_awarding_rows_agree_with_their_ledger_rows(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    for table, event_type in (
        ("focus_sessions", "focus.session.completed"),
        ("reading_sessions", "reading.session.logged"),
        ("workout_sessions", "workout.completed"),
    ):
        mismatches = await rows(
            db_conn,
            f"""
            SELECT s.id, s.xp_awarded, s.coins_awarded, l.xp, l.coins
            FROM {table} s
            LEFT JOIN points_ledger l
              ON l.user_id = s.user_id AND l.event_type = :event_type
             AND l.event_id = s.id::text
            WHERE s.user_id = ANY(:ids)
              AND (coalesce(l.xp, 0) <> s.xp_awarded OR coalesce(l.coins, 0) <> s.coins_awarded
                   OR (l.id IS NULL) <> (s.xp_awarded = 0 AND s.coins_awarded = 0))
            """,
            ids=demo.user_ids,
            event_type=event_type,
        )
        assert not mismatches, table
    unawarded = await rows(
        db_conn,
        "SELECT 1 FROM focus_sessions WHERE user_id = ANY(:ids) AND status <> 'completed'"
        " AND (xp_awarded > 0 OR coins_awarded > 0)",
        ids=demo.user_ids,
    )
    assert not unawarded


async def test_achievements_are_paid_once_through_the_ledger(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    unlocks = await rows(
        db_conn,
        """
        SELECT a.user_id, a.achievement_key, d.reward_xp, d.reward_coins,
               (SELECT count(*) FROM points_ledger l WHERE l.user_id = a.user_id
                  AND l.event_type = 'achievement.unlocked' AND l.event_id = a.achievement_key
                  AND l.xp = d.reward_xp AND l.coins = d.reward_coins) AS paid,
               (SELECT count(*) FROM event_outbox o WHERE o.user_id = a.user_id
                  AND o.topic = 'achievement.unlocked'
                  AND o.payload ->> 'achievement_key' = a.achievement_key) AS published
        FROM user_achievements a JOIN achievement_definitions d ON d.key = a.achievement_key
        WHERE a.user_id = ANY(:ids)
        """,
        ids=demo.user_ids,
    )
    assert {u.user_id for u in unlocks} == set(demo.user_ids)
    assert all(u.paid == 1 and u.published == 1 for u in unlocks)
    ledger_unlocks = await rows(
        db_conn,
        "SELECT count(*) FROM points_ledger WHERE user_id = ANY(:ids)"
        " AND event_type = 'achievement.unlocked'",
        ids=demo.user_ids,
    )
    assert ledger_unlocks[0][0] == len(unlocks)


async def test_purchases_spend_and_refunds_return_coins(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    purchases = await rows(
        db_conn,
        """
        SELECT p.user_id, p.id, p.status, p.cost_coins, p.uses_remaining,
               (SELECT array_agg(t.transaction_type || ':' || t.coins_amount ORDER BY
                  t.created_at) FROM market_transactions t WHERE t.purchase_id = p.id) AS moves,
               (SELECT array_agg(l.event_type || ':' || l.coins ORDER BY l.created_at)
                  FROM points_ledger l WHERE l.user_id = p.user_id AND l.event_id = p.id::text)
                  AS ledger
        FROM user_purchases p WHERE p.user_id = ANY(:ids)
        """,
        ids=demo.user_ids,
    )
    statuses: dict[uuid.UUID, set[str]] = defaultdict(set)
    for p in purchases:
        statuses[p.user_id].add(p.status)
        cost = p.cost_coins
        if p.status == "active":
            assert p.moves == [f"purchase:{-cost}"] and p.ledger == [f"market.purchase:{-cost}"]
            assert p.uses_remaining > 0
        elif p.status == "redeemed":
            assert p.moves == [f"purchase:{-cost}", "redeem:0"]
            assert p.ledger == [f"market.purchase:{-cost}"] and p.uses_remaining == 0
        else:
            assert p.moves == [f"purchase:{-cost}", f"refund:{cost}"]
            assert p.ledger == [f"market.purchase:{-cost}", f"market.refund:{cost}"]
    assert all(statuses[uid] == {"active", "redeemed", "refunded"} for uid in demo.user_ids)


async def test_activity_events_mirror_the_ledger(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    unmatched = await rows(
        db_conn,
        """
        SELECT l.event_type, l.created_at FROM points_ledger l
        WHERE l.user_id = ANY(:ids) AND NOT EXISTS (
            SELECT 1 FROM activity_events a WHERE a.user_id = l.user_id
               AND a.created_at = l.created_at)
        """,
        ids=demo.user_ids,
    )
    assert not unmatched


# --------------------------------------------------------------------------------------------
# Consistent states
# --------------------------------------------------------------------------------------------


async def test_one_running_focus_session_with_its_pause_state(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    running = await rows(
        db_conn,
        """
        SELECT f.user_id, f.status, f.paused_at, f.paused_remaining_seconds, p.is_paused,
               p.paused_at AS state_paused_at, p.resumed_at, p.time_remaining_seconds
        FROM focus_sessions f JOIN focus_pause_state p ON p.session_id = f.id
        WHERE f.user_id = ANY(:ids) AND f.status IN ('active', 'paused')
        """,
        ids=demo.user_ids,
    )
    assert sorted(r.user_id for r in running) == sorted(demo.user_ids)
    for r in running:
        if r.status == "paused":
            assert r.is_paused and r.resumed_at is None
            assert (r.state_paused_at, r.time_remaining_seconds) == (
                r.paused_at,
                r.paused_remaining_seconds,
            )
        else:
            assert not r.is_paused and r.paused_at is None and r.resumed_at > r.state_paused_at
    statuses = await rows(
        db_conn,
        "SELECT DISTINCT status FROM focus_sessions WHERE user_id = ANY(:ids)",
        ids=demo.user_ids,
    )
    assert {"completed", "abandoned"} <= {s.status for s in statuses}
    demo1 = await rows(
        db_conn,
        "SELECT status FROM focus_sessions WHERE user_id = :uid AND status IN ('active', 'paused')",
        uid=demo.user_ids[0],
    )
    assert [r.status for r in demo1] == ["paused"]


async def test_habit_streaks_match_their_completions(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    habits = await rows(
        db_conn,
        """
        SELECT h.id, h.frequency, h.custom_days, h.current_streak, h.longest_streak,
               h.last_completed_at, h.created_at::date AS created,
               array_agg(c.completed_date ORDER BY c.completed_date) AS days,
               max(c.completed_at) AS last_at, count(c.id) AS n, count(DISTINCT c.completed_date)
               AS distinct_days
        FROM habits h JOIN habit_completions c ON c.habit_id = h.id
        WHERE h.user_id = ANY(:ids) GROUP BY h.id
        """,
        ids=demo.user_ids,
    )
    today = (await rows(db_conn, "SELECT (now() AT TIME ZONE 'UTC')::date"))[0][0]
    assert len(habits) >= 8
    for h in habits:
        assert h.n == h.distinct_days
        assert h.last_completed_at == h.last_at
        done = set(h.days)
        due = [
            h.created + timedelta(days=d)
            for d in range((today - h.created).days + 1)
            if h.frequency == "daily"
            or (h.created + timedelta(days=d)).isoweekday() % 7 in h.custom_days
        ]
        runs, run = [], 0
        for day in due:
            run = run + 1 if day in done else 0
            runs.append(run)
        assert h.longest_streak == max(runs)
        if due[-1] == today and today not in done:  # today is still open: yesterday's run
            current = runs[-2] if len(runs) > 1 else 0
        else:
            current = runs[-1]
        assert h.current_streak == current


async def test_quests_plans_and_calendar(db_conn: AsyncConnection, demo: DemoResult) -> None:
    for uid in demo.user_ids:
        quest_statuses = await rows(
            db_conn, "SELECT DISTINCT status FROM user_quest_progress WHERE user_id = :u", u=uid
        )
        assert {q.status for q in quest_statuses} == {
            "accepted",
            "completed",
            "claimed",
            "abandoned",
        }
        own = await rows(
            db_conn,
            "SELECT status, source_quest_id, is_repeatable FROM user_quests WHERE user_id = :u",
            u=uid,
        )
        assert len({q.status for q in own}) >= 3
        assert any(q.source_quest_id for q in own) and any(q.is_repeatable for q in own)
        plans = await rows(
            db_conn, "SELECT date FROM daily_plans WHERE user_id = :u ORDER BY date", u=uid
        )
        assert 8 <= len(plans) <= 11 and len({p.date for p in plans}) == len(plans)
        events = await rows(
            db_conn,
            "SELECT workout_id, habit_id, goal_id, recurrence_rule, parent_event_id"
            " FROM calendar_events WHERE user_id = :u",
            u=uid,
        )
        assert any(e.workout_id for e in events) and any(e.habit_id for e in events)
        assert any(e.goal_id for e in events) and any(e.recurrence_rule for e in events)
        assert sum(1 for e in events if e.parent_event_id) >= 2
    custom = await rows(
        db_conn,
        "SELECT user_id FROM exercises WHERE user_id = ANY(:ids) AND is_custom AND NOT is_builtin",
        ids=demo.user_ids,
    )
    assert sorted(c.user_id for c in custom) == sorted(demo.user_ids)


async def test_analysis_frames_are_real_float32_chunks(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    manifests = await rows(
        db_conn,
        """
        SELECT m.id, m.frame_count, m.bytes_per_frame, m.total_chunks,
               count(d.id) AS chunks, sum(d.frame_count) AS frames,
               sum(length(d.frame_data)) AS bytes
        FROM analysis_frame_manifests m
        JOIN track_analyses a ON a.id = m.analysis_id
        JOIN reference_tracks t ON t.id = a.track_id
        JOIN analysis_frame_data d ON d.manifest_id = m.id
        WHERE t.user_id = ANY(:ids) GROUP BY m.id
        """,
        ids=demo.user_ids,
    )
    assert manifests
    for m in manifests:
        assert m.chunks == m.total_chunks >= 2
        assert m.frames == m.frame_count
        assert m.bytes == m.frame_count * m.bytes_per_frame


# --------------------------------------------------------------------------------------------
# Idempotency, determinism, speed
# --------------------------------------------------------------------------------------------


async def test_running_again_creates_nothing(db_conn: AsyncConnection, demo: DemoResult) -> None:
    before = (await rows(db_conn, "SELECT count(*) FROM points_ledger"))[0][0]
    again = await seed_demo(db_conn, users=2)
    assert again.user_ids == demo.user_ids
    assert again.created_user_ids == [] and again.rows == {} and again.tokens == {}
    assert (await rows(db_conn, "SELECT count(*) FROM points_ledger"))[0][0] == before
    more = await seed_demo(db_conn, users=3)
    assert more.user_ids[:2] == demo.user_ids and len(more.created_user_ids) == 1
    assert more.rows["users"] == 1


async def test_the_same_seed_gives_the_same_counts(db_conn: AsyncConnection) -> None:
    counts = []
    for _ in range(2):
        savepoint = await db_conn.begin_nested()
        counts.append((await seed_demo(db_conn, users=2, seed=7)).rows)
        await savepoint.rollback()
    assert counts[0] == counts[1]
    assert sum(counts[0].values()) > 1000


async def test_short_history(db_conn: AsyncConnection) -> None:
    result = await seed_demo(db_conn, users=1, days=1)
    assert result.rows["users"] == 1 and result.rows["points_ledger"] > 0


async def test_time_for_50_users(db_conn: AsyncConnection) -> None:
    """Not a benchmark assertion: prints the time, for the record
    (docs/design.md#running-and-testing)."""
    start = time.perf_counter()
    result = await seed_demo(db_conn, users=50)
    elapsed = time.perf_counter() - start
    total = sum(result.rows.values())
    print(f"\nseed_demo: 50 users, {total} rows in {elapsed:.2f} s ({total / elapsed:.0f} rows/s)")
    assert len(result.created_user_ids) == 50
