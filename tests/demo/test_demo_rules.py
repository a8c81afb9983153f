"""The demo month follows the transitions' own rules (issue 7 point 6): what the real
achievement evaluation would decide from the demo rows is what the demo decided, and the
rewards, streaks and quest states are those of the transitions' rule functions."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.gamification.achievements import (
    THRESHOLD_KEYS,
    AchievementRule,
    evaluate_achievements,
    is_reached,
    trigger_values,
)
from db.gamification.streaks import day_streaks
from db.habits.rules import completion_award, habit_ledger_key
from db.quests.rules import quest_reward_key, user_quest_reward
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
