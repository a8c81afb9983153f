"""Staff management of the achievement and skill definitions (entitlement
``catalog:manage``, docs/admin.md): create, change and deactivate them.

An achievement's ``trigger_config`` holds exactly the one threshold its ``trigger_type`` reads
(:data:`db.gamification.achievements.THRESHOLD_KEYS`: ``{"count": 10}``, ``{"minutes": 600}``,
...), a whole number of at least 1: a config :func:`~db.gamification.achievements.threshold_of`
would read as 0 (never unlocked) is refused. Keys are set on create only: users' unlocks, skills
and ledger rows refer to them. Definitions are never deleted: a deactivated achievement unlocks
for nobody (unlocks made stay), a deactivated skill is offered to no new quest (stars earned
stay). Every write is audited with the fields before and after (:mod:`db.auth.staff`).
"""

from __future__ import annotations

from typing import Any

from db import metadata
from db.auth import staff
from db.auth.staff import CatalogTable
from db.fields import Choice, Flag, Number, Rule
from db.gamification.achievements import THRESHOLD_KEYS
from db.gamification.models import AchievementTriggerType, SkillCategory

_achievements = metadata.tables["achievement_definitions"]
_skills = metadata.tables["skill_definitions"]

#: The largest threshold, and the largest reward (coins or XP) of one achievement.
MAX_THRESHOLD = 10_000_000
MAX_REWARD = 100_000

#: ``achievement_definitions`` columns staff set.
ACHIEVEMENT_FIELDS: dict[str, Rule] = {
    "key": staff.KEY,
    "name": staff.NAME,
    "description": staff.DESCRIPTION,
    "category": staff.CATEGORY,
    "icon": staff.ICON,
    "trigger_type": Choice(AchievementTriggerType),
    "trigger_config": staff.JSON_OBJECT,
    "reward_coins": Number(0, MAX_REWARD),
    "reward_xp": Number(0, MAX_REWARD),
    "is_hidden": Flag(),
    "is_active": Flag(),
    "sort_order": staff.SORT_ORDER,
}

#: ``skill_definitions`` columns staff set.
SKILL_FIELDS: dict[str, Rule] = {
    "key": staff.KEY,
    "name": staff.NAME,
    "description": staff.DESCRIPTION,
    "category": Choice(SkillCategory),
    "icon": staff.ICON,
    "max_level": Number(1, 1000),
    "stars_per_level": Number(1, 10_000),
    "is_active": Flag(),
    "sort_order": staff.SORT_ORDER,
}


def trigger_config_problem(trigger_type: str, config: Any) -> str | None:
    """What is wrong with ``config`` as the ``trigger_config`` of an achievement of
    ``trigger_type`` (a message), or None: it must be ``{<THRESHOLD_KEYS[trigger_type]>: n}``
    with a whole ``n`` from 1 to :data:`MAX_THRESHOLD`, and nothing else."""
    key = THRESHOLD_KEYS.get(str(trigger_type))
    if key is None:
        return f"Nothing evaluates trigger type {trigger_type}."
    if not isinstance(config, dict) or set(config) != {key}:
        return f'Give {{"{key}": <threshold>}} for {trigger_type}.'
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_THRESHOLD:
        return f"`{key}` takes a whole number from 1 to {MAX_THRESHOLD:,}."
    return None


ACHIEVEMENTS = CatalogTable(
    table=_achievements,
    resource="AchievementDefinition",
    rules=ACHIEVEMENT_FIELDS,
    required=("key", "name", "category", "trigger_type", "trigger_config"),
    unique=("key",),
    immutable=("key",),
    check=staff.config_check("trigger_type", "trigger_config", trigger_config_problem),
)

SKILLS = CatalogTable(
    table=_skills,
    resource="SkillDefinition",
    rules=SKILL_FIELDS,
    required=("key", "name", "category"),
    unique=("key",),
    immutable=("key",),
)


__all__ = [
    "ACHIEVEMENTS",
    "ACHIEVEMENT_FIELDS",
    "MAX_REWARD",
    "MAX_THRESHOLD",
    "SKILLS",
    "SKILL_FIELDS",
    "trigger_config_problem",
]
