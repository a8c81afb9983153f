"""Gamification catalog: the six skills and the achievement definitions.

Sources: spec/000 Part 7 ("skill_definitions: Focus, Discipline, Knowledge, Fitness,
Creativity, Wellness"; "achievement_definitions: first focus, 7-day streak, level milestones");
spec/003 Seed Data Summary (6 skills, 7 achievements; this catalog has more achievements).
Columns: spec/004 migration 0002, enums from ``db/gamification/models.py``.

Shapes:

- ``SKILLS``: ``{key, name, description, icon, max_level, stars_per_level, sort_order}``;
  ``category`` is the key itself (a ``SkillCategory`` value).
- ``ACHIEVEMENTS``: ``{key, name, description, category, icon, trigger_type, trigger_config,
  reward_coins, reward_xp, is_hidden, sort_order}``. ``trigger_type`` is an
  ``AchievementTriggerType`` value; ``trigger_config`` holds one threshold whose name depends on
  the trigger type (``THRESHOLD_KEYS`` of ``db/gamification/achievements.py``, where the rule
  lives): the achievement unlocks when the user's running value of the trigger reaches it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db.gamification.achievements import THRESHOLD_KEYS
from db.gamification.models import AchievementTriggerType as T
from db.gamification.models import SkillCategory
from seeds.upsert import upsert

# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------

SKILLS: tuple[dict[str, Any], ...] = (
    {
        "key": SkillCategory.FOCUS.value,
        "name": "Focus",
        "description": (
            "Deep, uninterrupted studio time. Grows with completed focus sessions and the "
            "minutes you spend in them."
        ),
        "icon": "target",
        "sort_order": 1,
    },
    {
        "key": SkillCategory.DISCIPLINE.value,
        "name": "Discipline",
        "description": (
            "Showing up when motivation is low: habits kept, streaks held, daily quests done."
        ),
        "icon": "shield-check",
        "sort_order": 2,
    },
    {
        "key": SkillCategory.KNOWLEDGE.value,
        "name": "Knowledge",
        "description": (
            "Theory, mixing and ear training: lessons finished, drills practised, books read."
        ),
        "icon": "book-open",
        "sort_order": 3,
    },
    {
        "key": SkillCategory.FITNESS.value,
        "name": "Fitness",
        "description": (
            "The body that carries the long sessions: workouts logged and personal records set."
        ),
        "icon": "dumbbell",
        "sort_order": 4,
    },
    {
        "key": SkillCategory.CREATIVITY.value,
        "name": "Creativity",
        "description": (
            "Ideas captured, sounds designed, arrangements sketched: the raw material of tracks."
        ),
        "icon": "sparkles",
        "sort_order": 5,
    },
    {
        "key": SkillCategory.WELLNESS.value,
        "name": "Wellness",
        "description": (
            "Rested ears and a rested mind: real breaks, sensible listening levels, sleep "
            "and time away from the screen."
        ),
        "icon": "leaf",
        "sort_order": 6,
    },
)

ACHIEVEMENTS: tuple[dict[str, Any], ...] = (
    {
        "key": "first_focus_session",
        "name": "Ignition",
        "description": "Complete your first focus session.",
        "category": "focus",
        "icon": "flame",
        "trigger_type": T.FOCUS_SESSIONS_COMPLETED.value,
        "trigger_config": {"count": 1},
        "reward_coins": 25,
        "reward_xp": 50,
    },
    {
        "key": "focus_sessions_10",
        "name": "In the Zone",
        "description": "Complete 10 focus sessions.",
        "category": "focus",
        "icon": "headphones",
        "trigger_type": T.FOCUS_SESSIONS_COMPLETED.value,
        "trigger_config": {"count": 10},
        "reward_coins": 50,
        "reward_xp": 100,
    },
    {
        "key": "focus_minutes_600",
        "name": "Ten Hours Deep",
        "description": "Spend 10 hours (600 minutes) in completed focus sessions.",
        "category": "focus",
        "icon": "hourglass",
        "trigger_type": T.FOCUS_MINUTES_TOTAL.value,
        "trigger_config": {"minutes": 600},
        "reward_coins": 100,
        "reward_xp": 200,
    },
    {
        "key": "focus_sessions_100",
        "name": "Centurion",
        "description": "Complete 100 focus sessions. Most tracks are finished by people like you.",
        "category": "focus",
        "icon": "trophy",
        "trigger_type": T.FOCUS_SESSIONS_COMPLETED.value,
        "trigger_config": {"count": 100},
        "reward_coins": 300,
        "reward_xp": 600,
        "is_hidden": True,
    },
    {
        "key": "streak_7_days",
        "name": "Week on Fire",
        "description": "Be active seven days in a row.",
        "category": "discipline",
        "icon": "calendar-check",
        "trigger_type": T.STREAK_DAYS.value,
        "trigger_config": {"days": 7},
        "reward_coins": 70,
        "reward_xp": 150,
    },
    {
        "key": "streak_30_days",
        "name": "Unbroken Month",
        "description": "Be active thirty days in a row.",
        "category": "discipline",
        "icon": "calendar-heart",
        "trigger_type": T.STREAK_DAYS.value,
        "trigger_config": {"days": 30},
        "reward_coins": 300,
        "reward_xp": 500,
    },
    {
        "key": "habit_completions_50",
        "name": "Creature of Habit",
        "description": "Check off 50 habit completions.",
        "category": "discipline",
        "icon": "repeat",
        "trigger_type": T.HABIT_COMPLETIONS.value,
        "trigger_config": {"count": 50},
        "reward_coins": 80,
        "reward_xp": 150,
    },
    {
        "key": "quests_completed_25",
        "name": "Quest Log Full",
        "description": "Complete 25 quests.",
        "category": "discipline",
        "icon": "scroll",
        "trigger_type": T.QUESTS_COMPLETED.value,
        "trigger_config": {"count": 25},
        "reward_coins": 120,
        "reward_xp": 250,
    },
    {
        "key": "level_5",
        "name": "Getting Warm",
        "description": "Reach level 5.",
        "category": "progression",
        "icon": "trending-up",
        "trigger_type": T.LEVEL_REACHED.value,
        "trigger_config": {"level": 5},
        "reward_coins": 100,
        "reward_xp": 0,
    },
    {
        "key": "level_10",
        "name": "Studio Regular",
        "description": "Reach level 10.",
        "category": "progression",
        "icon": "award",
        "trigger_type": T.LEVEL_REACHED.value,
        "trigger_config": {"level": 10},
        "reward_coins": 250,
        "reward_xp": 0,
    },
    {
        "key": "first_purchase",
        "name": "Treat Yourself",
        "description": "Spend coins in the market for the first time.",
        "category": "market",
        "icon": "shopping-bag",
        "trigger_type": T.PURCHASES_MADE.value,
        "trigger_config": {"count": 1},
        "reward_coins": 10,
        "reward_xp": 25,
    },
    {
        "key": "coins_earned_1000",
        "name": "Coin Collector",
        "description": "Earn 1,000 coins in total.",
        "category": "market",
        "icon": "coins",
        "trigger_type": T.COINS_EARNED_TOTAL.value,
        "trigger_config": {"coins": 1000},
        "reward_coins": 0,
        "reward_xp": 200,
        "is_hidden": True,
    },
    {
        "key": "first_lesson",
        "name": "Student of Sound",
        "description": "Complete your first lesson.",
        "category": "learning",
        "icon": "graduation-cap",
        "trigger_type": T.LESSONS_COMPLETED.value,
        "trigger_config": {"count": 1},
        "reward_coins": 20,
        "reward_xp": 50,
    },
    {
        "key": "drill_attempts_100",
        "name": "Golden Ears",
        "description": "Answer 100 ear-training drill questions.",
        "category": "learning",
        "icon": "ear",
        "trigger_type": T.DRILL_ATTEMPTS.value,
        "trigger_config": {"count": 100},
        "reward_coins": 60,
        "reward_xp": 150,
    },
    {
        "key": "first_workout",
        "name": "Body Check",
        "description": "Log your first workout.",
        "category": "fitness",
        "icon": "activity",
        "trigger_type": T.WORKOUTS_COMPLETED.value,
        "trigger_config": {"count": 1},
        "reward_coins": 20,
        "reward_xp": 50,
    },
    {
        "key": "first_book_finished",
        "name": "Cover to Cover",
        "description": "Finish your first book.",
        "category": "reading",
        "icon": "book-check",
        "trigger_type": T.BOOKS_COMPLETED.value,
        "trigger_config": {"count": 1},
        "reward_coins": 50,
        "reward_xp": 100,
    },
)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


def skill_rows() -> list[dict[str, Any]]:
    """The ``skill_definitions`` rows (category = key, 10 levels of 10 stars)."""
    return [
        {
            "key": s["key"],
            "name": s["name"],
            "description": s["description"],
            "category": s["key"],
            "icon": s["icon"],
            "max_level": s.get("max_level", 10),
            "stars_per_level": s.get("stars_per_level", 10),
            "sort_order": s["sort_order"],
        }
        for s in SKILLS
    ]


def achievement_rows() -> list[dict[str, Any]]:
    """The ``achievement_definitions`` rows, ``sort_order`` following the tuple order."""
    return [
        {
            "key": a["key"],
            "name": a["name"],
            "description": a["description"],
            "category": a["category"],
            "icon": a["icon"],
            "trigger_type": a["trigger_type"],
            "trigger_config": a["trigger_config"],
            "reward_coins": a["reward_coins"],
            "reward_xp": a["reward_xp"],
            "is_hidden": a.get("is_hidden", False),
            "sort_order": (i + 1) * 10,
        }
        for i, a in enumerate(ACHIEVEMENTS)
    ]


async def seed(conn: AsyncConnection) -> int:
    """Upsert the skills and achievements; returns rows changed (0 on a second run)."""
    changed = await upsert(conn, "skill_definitions", skill_rows(), key=["key"])
    changed += await upsert(conn, "achievement_definitions", achievement_rows(), key=["key"])
    return changed


__all__ = ["ACHIEVEMENTS", "COUNTS", "SKILLS", "THRESHOLD_KEYS", "seed"]

COUNTS: dict[str, int] = {
    "skill_definitions": len(SKILLS),
    "achievement_definitions": len(ACHIEVEMENTS),
}
