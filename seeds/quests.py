"""Universal (system) quests every user can accept.

Sources: spec/000 Part 7 ("universal_quests: daily, weekly, monthly system quests"); spec/003
Seed Data Summary (13 universal quests) and section 7 (``type`` daily/weekly/special, default
rewards 10 XP / 5 coins; ``monthly`` added by migration 0018). Columns: spec/004 migration
0005.

Shape of ``QUESTS`` (natural key ``title``): ``{title, description, type, xp_reward,
coin_reward, target, target_type, target_config, skill_key}``; ``is_active`` is true and
``sort_order`` follows the tuple order. Progress toward ``target`` is counted in units of
``target_type``:

========================== ================================================================
target_type                one unit is ...
========================== ================================================================
focus_sessions_completed   a completed focus session (``target_config.mode``: the
                           ``FocusMode`` that counts, ``focus`` or ``break``;
                           ``target_config.min_minutes``: the shortest session that counts)
focus_minutes              a minute of completed focus time (``target_config.mode`` as above)
habit_completions          a habit check-off
plan_items_completed       an item of the day's plan checked off (``target_config.kind``: the
                           plan item kind that counts, e.g. ``focus``)
milestones_completed       a goal milestone completed (``target_config.category``: the goal's)
lessons_completed          a completed learn lesson
drill_attempts             an answered drill question
workouts_completed         a finished workout session
pages_read                 a page logged in a reading session (``target_config.min_pages``:
                           the shortest sitting that counts, ``min_minutes`` likewise)
========================== ================================================================

``target_type`` and ``type`` are ``QuestTargetType`` / ``QuestType`` values
(``db/quests/models.py``); ``target_config`` keys are optional filters (empty: every unit
counts).

Daily quests reset each day, weekly quests each week (Monday) and monthly quests each calendar
month (the 1st, UTC); special quests never reset
(DESIGN.md section 3, "Quests").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db.quests.models import QuestTargetType, QuestType
from seeds.upsert import upsert

# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------

QUESTS: tuple[dict[str, Any], ...] = (
    # ---- daily ----
    {
        "title": "Daily focus block",
        "description": "Finish one focus session of at least 25 minutes. Phone in another room.",
        "type": "daily",
        "xp_reward": 20,
        "coin_reward": 10,
        "target": 1,
        "target_type": "focus_sessions_completed",
        "target_config": {"mode": "focus", "min_minutes": 25},
        "skill_key": "focus",
    },
    {
        "title": "Two hours in the studio",
        "description": "Log 120 minutes of focused production time today.",
        "type": "daily",
        "xp_reward": 40,
        "coin_reward": 20,
        "target": 120,
        "target_type": "focus_minutes",
        "target_config": {"mode": "focus"},
        "skill_key": "focus",
    },
    {
        "title": "Keep the chain",
        "description": "Check off three of your habits today.",
        "type": "daily",
        "xp_reward": 15,
        "coin_reward": 8,
        "target": 3,
        "target_type": "habit_completions",
        "target_config": {},
        "skill_key": "discipline",
    },
    {
        "title": "Ear gym",
        "description": "Answer 20 ear-training questions: intervals, chords, rhythms or scales.",
        "type": "daily",
        "xp_reward": 15,
        "coin_reward": 8,
        "target": 20,
        "target_type": "drill_attempts",
        "target_config": {},
        "skill_key": "knowledge",
    },
    {
        "title": "Creative hour",
        "description": (
            "Spend 60 focused minutes writing or designing sounds. No mixing, no tutorials."
        ),
        "type": "daily",
        "xp_reward": 25,
        "coin_reward": 12,
        "target": 60,
        "target_type": "focus_minutes",
        "target_config": {"mode": "focus"},
        "skill_key": "creativity",
    },
    {
        "title": "Stick to the plan",
        "description": "Check off three items of today's plan.",
        "type": "daily",
        "xp_reward": 15,
        "coin_reward": 8,
        "target": 3,
        "target_type": "plan_items_completed",
        "target_config": {},
        "skill_key": "discipline",
    },
    {
        "title": "Read 10 pages",
        "description": "Read ten pages of any book on your shelf.",
        "type": "daily",
        "xp_reward": 10,
        "coin_reward": 5,
        "target": 10,
        "target_type": "pages_read",
        "target_config": {},
        "skill_key": "knowledge",
    },
    {
        "title": "Move your body",
        "description": "Finish a workout: a gym session, a run or 20 minutes of mobility work.",
        "type": "daily",
        "xp_reward": 20,
        "coin_reward": 10,
        "target": 1,
        "target_type": "workouts_completed",
        "target_config": {},
        "skill_key": "fitness",
    },
    {
        "title": "Rest your ears",
        "description": "Take three real breaks today: timer in break mode, headphones off.",
        "type": "daily",
        "xp_reward": 10,
        "coin_reward": 5,
        "target": 3,
        "target_type": "focus_sessions_completed",
        "target_config": {"mode": "break", "min_minutes": 5},
        "skill_key": "wellness",
    },
    # ---- weekly ----
    {
        "title": "Ten-hour week",
        "description": "Put 600 minutes of focus time on the clock this week.",
        "type": "weekly",
        "xp_reward": 150,
        "coin_reward": 75,
        "target": 600,
        "target_type": "focus_minutes",
        "target_config": {"mode": "focus"},
        "skill_key": "focus",
    },
    {
        "title": "Three lessons",
        "description": "Complete three lessons from any topic this week.",
        "type": "weekly",
        "xp_reward": 100,
        "coin_reward": 50,
        "target": 3,
        "target_type": "lessons_completed",
        "target_config": {},
        "skill_key": "knowledge",
    },
    {
        "title": "Hundred ear reps",
        "description": "Answer 100 drill questions this week; little and often beats cramming.",
        "type": "weekly",
        "xp_reward": 80,
        "coin_reward": 40,
        "target": 100,
        "target_type": "drill_attempts",
        "target_config": {},
        "skill_key": "knowledge",
    },
    {
        "title": "Three workouts",
        "description": "Train three times this week. Your back will thank you in the studio chair.",
        "type": "weekly",
        "xp_reward": 90,
        "coin_reward": 45,
        "target": 3,
        "target_type": "workouts_completed",
        "target_config": {},
        "skill_key": "fitness",
    },
    {
        "title": "Move a goal forward",
        "description": "Complete two milestones of your goals this week (a finished demo counts).",
        "type": "weekly",
        "xp_reward": 80,
        "coin_reward": 40,
        "target": 2,
        "target_type": "milestones_completed",
        "target_config": {},
        "skill_key": "creativity",
    },
    {
        "title": "Habit week",
        "description": "Reach 15 habit check-offs this week.",
        "type": "weekly",
        "xp_reward": 80,
        "coin_reward": 40,
        "target": 15,
        "target_type": "habit_completions",
        "target_config": {},
        "skill_key": "discipline",
    },
    # ---- monthly ----
    {
        "title": "Focus month",
        "description": "Log 20 hours of completed focus time this month.",
        "type": "monthly",
        "xp_reward": 300,
        "coin_reward": 150,
        "target": 1200,
        "target_type": "focus_minutes",
        "target_config": {"mode": "focus"},
        "skill_key": "discipline",
    },
    {
        "title": "Habit month",
        "description": "Reach 60 habit check-offs this month.",
        "type": "monthly",
        "xp_reward": 300,
        "coin_reward": 150,
        "target": 60,
        "target_type": "habit_completions",
        "target_config": {},
        "skill_key": "discipline",
    },
    # ---- special ----
    {
        "title": "First ten sessions",
        "description": "Complete your first ten focus sessions of 25 minutes or more.",
        "type": "special",
        "xp_reward": 200,
        "coin_reward": 100,
        "target": 10,
        "target_type": "focus_sessions_completed",
        "target_config": {"mode": "focus", "min_minutes": 25},
        "skill_key": "discipline",
    },
    {
        "title": "Producer's bookshelf",
        "description": "Read 200 pages of books about music, creativity or the craft.",
        "type": "special",
        "xp_reward": 200,
        "coin_reward": 100,
        "target": 200,
        "target_type": "pages_read",
        "target_config": {},
        "skill_key": "knowledge",
    },
)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


def quest_rows() -> list[dict[str, Any]]:
    """The ``universal_quests`` rows (all active, ``sort_order`` in tuple order)."""
    return [
        {
            **q,
            "type": QuestType(q["type"]).value,
            "target_type": QuestTargetType(q["target_type"]).value,
            "is_active": q.get("is_active", True),
            "sort_order": (i + 1) * 10,
        }
        for i, q in enumerate(QUESTS)
    ]


async def seed(conn: AsyncConnection) -> int:
    """Upsert the universal quests by title; returns rows changed (0 on a second run)."""
    return await upsert(conn, "universal_quests", quest_rows(), key=["title"])


COUNTS: dict[str, int] = {"universal_quests": len(QUESTS)}
