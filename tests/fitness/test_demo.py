"""The demo month's workouts follow the fitness rules (db/fitness/rules.py) that
logExerciseSet and finishWorkoutSession apply: each finished session was paid
``workout_award(working sets)`` under its ledger key, and each personal record is the best
measure of the user's working sets, keeping the best before it as ``previous_value``."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.fitness.rules import set_measures, workout_award, workout_ledger_key
from seeds.demo import seed_demo


async def test_demo_workouts_follow_the_rules(db_conn: AsyncConnection) -> None:
    demo = await seed_demo(db_conn, users=3)
    checked_sessions = checked_records = 0
    for uid in demo.user_ids:
        sessions = (
            await db_conn.execute(
                sa.text(
                    "SELECT s.id, s.xp_awarded, s.coins_awarded, l.xp, l.coins, l.skill_stars, "
                    "(SELECT count(*) FROM exercise_sets e WHERE e.session_id = s.id "
                    "AND NOT e.is_warmup) AS working "
                    "FROM workout_sessions s LEFT JOIN points_ledger l ON l.user_id = s.user_id "
                    "AND l.idempotency_key = 'workout.completed:' || s.id "
                    "WHERE s.user_id = :u AND s.completed_at IS NOT NULL"
                ),
                {"u": uid},
            )
        ).all()
        for s in sessions:
            award = workout_award(s.working)
            assert (s.xp_awarded, s.coins_awarded) == (award.xp, award.coins)
            assert (s.xp, s.coins, s.skill_stars) == (award.xp, award.coins, award.stars)
            assert workout_ledger_key(s.id) == f"workout.completed:{s.id}"
            checked_sessions += 1
        sets = (
            await db_conn.execute(
                sa.text(
                    "SELECT e.exercise_id, e.reps, e.weight, e.duration, e.is_warmup "
                    "FROM exercise_sets e JOIN workout_sessions s ON s.id = e.session_id "
                    "WHERE s.user_id = :u ORDER BY e.completed_at, e.id"
                ),
                {"u": uid},
            )
        ).all()
        history: dict[tuple[object, str], list[float]] = defaultdict(list)
        for row in sets:
            for m in set_measures(row.reps, row.weight, row.duration, row.is_warmup):
                values = history[(row.exercise_id, m.record_type.value)]
                if not values or m.value > values[-1]:
                    values.append(m.value)
        records = (
            await db_conn.execute(
                sa.text(
                    "SELECT exercise_id, record_type, value, previous_value "
                    "FROM personal_records WHERE user_id = :u"
                ),
                {"u": uid},
            )
        ).all()
        assert {(r.exercise_id, r.record_type) for r in records} == set(history)
        for r in records:
            values = history[(r.exercise_id, r.record_type)]
            assert r.value == values[-1]
            assert r.previous_value == (values[-2] if len(values) > 1 else None)
            checked_records += 1
    assert checked_sessions > 0 and checked_records > 0
