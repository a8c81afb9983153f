"""Gamification catalog: the six skills and the achievement definitions.

Sources: Ignition specification, "Part 7: Seed Data Requirements" ("skill_definitions: Focus,
Discipline, Knowledge, Fitness, Creativity, Wellness"; "achievement_definitions: first focus, 7-day
streak, level milestones"); Ignition specification, "Seed Data Summary" (6 skills, 7 achievements;
this catalog has more achievements). Columns: Ignition specification,
"Migration 0002: Gamification Substrate", enums from ``db/gamification/models.py``.

Data: ``seeds/data/gamification/skills.json`` and ``achievements.json`` (validated on import,
:mod:`seeds.load`). Shapes:

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

from pydantic import Field, model_validator
from sqlalchemy.ext.asyncio import AsyncConnection

from db.gamification.achievements import THRESHOLD_KEYS, threshold_of
from db.gamification.models import AchievementTriggerType, SkillCategory
from seeds.load import Entry, as_dicts, load_entries
from seeds.upsert import upsert

# --------------------------------------------------------------------------------------------
# Data: seeds/data/gamification/
# --------------------------------------------------------------------------------------------


class Skill(Entry):
    """One skill: ``key`` is a ``SkillCategory`` value (also its ``category``)."""

    key: SkillCategory = Field(strict=False)
    name: str
    description: str
    icon: str
    sort_order: int
    max_level: int = Field(default=10, gt=0)
    stars_per_level: int = Field(default=10, gt=0)


class Achievement(Entry):
    """One achievement definition; ``trigger_config`` names the threshold of its trigger type
    (``THRESHOLD_KEYS``), a positive integer."""

    key: str
    name: str
    description: str
    category: str
    icon: str
    trigger_type: AchievementTriggerType = Field(strict=False)
    trigger_config: dict[str, Any]
    reward_coins: int = Field(ge=0)
    reward_xp: int = Field(ge=0)
    is_hidden: bool = False

    @model_validator(mode="after")
    def _threshold_named(self) -> Achievement:
        if threshold_of(self.trigger_type.value, self.trigger_config) <= 0:
            name = THRESHOLD_KEYS[self.trigger_type.value]
            raise ValueError(f"trigger_config must hold {name!r}, a positive integer")
        return self


SKILLS: tuple[dict[str, Any], ...] = as_dicts(
    load_entries("gamification/skills.json", Skill, key="key")
)
ACHIEVEMENTS: tuple[dict[str, Any], ...] = as_dicts(
    load_entries("gamification/achievements.json", Achievement, key="key")
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
    """The ``achievement_definitions`` rows, ``sort_order`` following the file order."""
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
