"""The demo month follows the transitions' own rules: what the real
achievement evaluation would decide from the demo rows is what the demo decided, and the
rewards, streaks and quest states are those of the transitions' rule functions (books, goals,
plans and calendar recurrences too)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.books.rules import finish_reward, session_ledger_key, session_reward
from db.fields import Rule, clean
from db.gamification.achievements import (
    THRESHOLD_KEYS,
    AchievementRule,
    evaluate_achievements,
    is_reached,
    trigger_values,
)
from db.gamification.streaks import day_streaks
from db.goals.rules import goal_reward, milestone_reward, progress
from db.habits.rules import completion_award, habit_ledger_key
from db.planning.rules import clean_items, normalise_rule
from db.platform.rules import (
    FEEDBACK_FIELDS,
    FEEDBACK_REQUIRED,
    IDEA_FIELDS,
    INBOX_FIELDS,
    REFERENCE_FIELDS,
    TITLE_REQUIRED,
    check_metadata,
    check_url,
)
from db.quests.rules import quest_reward_key, user_quest_reward
from db.reference.rules import (
    ANNOTATION_FIELDS,
    ANNOTATION_REQUIRED,
    REGION_FIELDS,
    REGION_REQUIRED,
    TRACK_FIELDS,
    TRACK_REQUIRED,
    check_mime_type,
    check_span,
    duration_ms,
)
from seeds.demo import DemoResult, seed_demo


@pytest.fixture
async def demo(db_conn: AsyncConnection) -> DemoResult:
    return await seed_demo(db_conn, users=3)


async def test_unlocks_are_what_the_real_evaluation_decides(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    rules = [
        AchievementRule.from_row(r)
        for r in (await db_conn.execute(sa.text("SELECT * FROM achievement_definitions"))).all()
    ]
    for uid in demo.user_ids:
        values = await trigger_values(db_conn, uid, THRESHOLD_KEYS)
        unlocked = set(
            (
                await db_conn.execute(
                    sa.text("SELECT achievement_key FROM user_achievements WHERE user_id = :u"),
                    {"u": uid},
                )
            ).scalars()
        )
        reached = {r.key for r in rules if is_reached(r, values[r.trigger_type])}
        assert unlocked == reached, (values, unlocked ^ reached)
        # and the transition itself finds nothing left to unlock
        assert await evaluate_achievements(db_conn, uid, THRESHOLD_KEYS) == []


async def test_habit_rewards_and_streaks_are_the_transitions(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    rows = (
        await db_conn.execute(
            sa.text(
                """
                SELECT c.id, c.habit_id, c.user_id, c.completed_date,
                       l.coins, l.xp, l.skill_stars, l.skill_key, l.idempotency_key
                FROM habit_completions c
                JOIN points_ledger l ON l.user_id = c.user_id AND l.event_id = c.id::text
                WHERE c.user_id = ANY(:ids)
                ORDER BY c.habit_id, c.completed_date
                """
            ),
            {"ids": demo.user_ids},
        )
    ).all()
    assert rows
    nth: dict[object, int] = defaultdict(int)
    days: dict[object, set[date]] = defaultdict(set)
    for r in rows:
        nth[r.habit_id] += 1
        award = completion_award(nth[r.habit_id])
        assert (r.coins, r.xp, r.skill_stars, r.skill_key) == (
            award.coins,
            award.xp,
            award.stars,
            award.skill_key,
        )
        assert r.idempotency_key == habit_ledger_key(r.id)
        days[r.user_id].add(r.completed_date)
    today = datetime.now(UTC).date()
    for uid in demo.user_ids:
        stored = (
            await db_conn.execute(
                sa.text(
                    "SELECT current_streak, longest_streak, last_activity_date FROM user_streaks "
                    "WHERE user_id = :u AND streak_type = 'habits'"
                ),
                {"u": uid},
            )
        ).one()
        assert tuple(stored) == tuple(vars(day_streaks(days[uid], today)).values())


async def test_quest_rewards_are_the_transitions(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    claims = (
        await db_conn.execute(
            sa.text(
                """
                SELECT p.quest_id, p.times_completed, q.xp_reward, q.coin_reward,
                       array_agg(l.idempotency_key ORDER BY l.created_at) AS keys,
                       sum(l.xp) AS xp, sum(l.coins) AS coins
                FROM user_quest_progress p
                JOIN universal_quests q ON q.id = p.quest_id
                JOIN points_ledger l ON l.user_id = p.user_id AND l.event_id = p.quest_id::text
                WHERE p.user_id = ANY(:ids) AND p.status = 'claimed'
                GROUP BY p.id, q.id
                """
            ),
            {"ids": demo.user_ids},
        )
    ).all()
    assert claims
    for c in claims:
        n = len(c.keys)
        assert c.keys == [quest_reward_key(c.quest_id, i + 1) for i in range(n)]
        assert (c.xp, c.coins) == (n * c.xp_reward, n * c.coin_reward)
    own = (
        await db_conn.execute(
            sa.text(
                "SELECT difficulty, xp_reward, coin_reward FROM user_quests "
                "WHERE user_id = ANY(:ids) AND NOT is_universal"
            ),
            {"ids": demo.user_ids},
        )
    ).all()
    assert own and all((q.xp_reward, q.coin_reward) == user_quest_reward(q.difficulty) for q in own)


async def _all(db_conn: AsyncConnection, sql: str, ids: Sequence[object]) -> list[sa.Row[object]]:
    return list((await db_conn.execute(sa.text(sql), {"ids": ids})).all())


async def test_books_goals_and_plans_are_the_transitions(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    ids = list(demo.user_ids)
    sessions = await _all(
        db_conn,
        "SELECT s.pages_read, s.xp_awarded, s.coins_awarded, l.idempotency_key, s.id "
        "FROM reading_sessions s JOIN points_ledger l ON l.event_id = s.id::text "
        "WHERE s.user_id = ANY(:ids)",
        ids,
    )
    assert sessions
    for s in sessions:
        reward = session_reward(s.pages_read)
        assert (s.xp_awarded, s.coins_awarded) == (reward.xp, reward.coins)
        assert s.idempotency_key == session_ledger_key(s.id)
    paid = {
        "book.completed": finish_reward(),
        "goal.milestone.completed": milestone_reward(),
        "goal.completed": goal_reward(),
    }
    rows = await _all(
        db_conn,
        "SELECT event_type, xp, coins, skill_stars, skill_key FROM points_ledger "
        "WHERE user_id = ANY(:ids) AND event_type IN "
        "('book.completed', 'goal.milestone.completed', 'goal.completed')",
        ids,
    )
    assert {r.event_type for r in rows} >= {"book.completed", "goal.milestone.completed"}
    for r in rows:
        want = paid[r.event_type]
        assert (r.xp, r.coins, r.skill_stars) == (want.xp, want.coins, want.stars)
        assert r.skill_key == (want.skill_key if want.stars else None)
    goals = await _all(
        db_conn,
        "SELECT g.status, g.progress, count(m.id) FILTER (WHERE m.is_completed) AS done, "
        "count(m.id) AS total FROM goals g LEFT JOIN goal_milestones m ON m.goal_id = g.id "
        "WHERE g.user_id = ANY(:ids) GROUP BY g.id",
        ids,
    )
    for g in goals:
        assert g.progress == (100 if g.status == "completed" else progress(g.done, g.total))
    plans = await _all(db_conn, "SELECT items FROM daily_plans WHERE user_id = ANY(:ids)", ids)
    for p in plans:
        items = clean_items(p.items)
        assert [i["done"] for i in items] == [bool(i.get("done")) for i in p.items]
    events = await _all(
        db_conn,
        "SELECT recurrence_rule, start_time FROM calendar_events "
        "WHERE user_id = ANY(:ids) AND recurrence_rule IS NOT NULL",
        ids,
    )
    assert events
    for e in events:
        assert normalise_rule(e.recurrence_rule, e.start_time) == e.recurrence_rule


async def test_reference_audio_and_platform_rows_pass_the_transitions_rules(
    db_conn: AsyncConnection, demo: DemoResult
) -> None:
    """Every demo reference track, annotation and region, idea, inbox item, reference-library
    entry and piece of feedback is what the create mutations would store: the transitions'
    field rules keep its values as they are, and the spans lie inside their tracks."""
    ids = list(demo.user_ids)

    async def rows(table: str) -> list[sa.Row[Any]]:
        statement = sa.text(f'SELECT * FROM "{table}" WHERE user_id = ANY(:ids)')
        found = list((await db_conn.execute(statement, {"ids": ids})).all())
        assert found, table
        return found

    def kept(row: sa.Row[Any], fields: Mapping[str, Rule], required: tuple[str, ...]) -> None:
        values = {key: getattr(row, key) for key in fields}
        assert clean(values, fields, required=required) == values

    lengths: dict[object, int | None] = {}
    for track in await rows("reference_tracks"):
        kept(track, TRACK_FIELDS, TRACK_REQUIRED)
        check_mime_type(track.mime_type)
        lengths[track.id] = duration_ms(track.duration_seconds)
    marks = (
        ("track_annotations", ANNOTATION_FIELDS, ANNOTATION_REQUIRED, False),
        ("track_regions", REGION_FIELDS, REGION_REQUIRED, True),
    )
    for table, fields, required, region in marks:
        for mark in await rows(table):
            kept(mark, fields, required)
            check_span(
                mark.start_time_ms, mark.end_time_ms, lengths[mark.track_id], end_required=region
            )
    for table, fields in (
        ("ideas", IDEA_FIELDS),
        ("inbox_items", INBOX_FIELDS),
        ("user_references", REFERENCE_FIELDS),
    ):
        for row in await rows(table):
            kept(row, fields, TITLE_REQUIRED)
            if table == "user_references":
                check_url(row.url)
    for feedback in await rows("feedback"):
        kept(feedback, FEEDBACK_FIELDS, FEEDBACK_REQUIRED)
        assert check_metadata(feedback.metadata) == feedback.metadata
