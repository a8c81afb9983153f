"""Staff mutations of the achievement and skill definitions (entitlement ``catalog:manage``,
docs/admin.md): ``create``/``update``/``deactivate`` ``AchievementDefinition`` and
``SkillDefinition``, declared from the tables' rules (:mod:`schema.core.game_catalog`; the rules:
:mod:`db.gamification.catalog`)."""

from __future__ import annotations

from db.gamification import catalog
from db.gamification.achievements import THRESHOLD_KEYS
from db.gamification.models import AchievementDefinition, SkillDefinition
from schema.core.game_catalog import declare_catalog_mutations

_THRESHOLDS = ", ".join(
    f'{trigger.upper()} {{"{key}": n}}' for trigger, key in sorted(THRESHOLD_KEYS.items())
)

ACHIEVEMENT_MUTATIONS = declare_catalog_mutations(
    catalog.ACHIEVEMENTS,
    AchievementDefinition,
    payload="achievement_definition",
    what="an achievement definition (docs/design.md#achievements)",
    notes={
        "key": "Set on create only.",
        "trigger_config": f"Exactly the threshold of the trigger type: {_THRESHOLDS} "
        f"(n from 1 to {catalog.MAX_THRESHOLD:,}).",
    },
)

SKILL_MUTATIONS = declare_catalog_mutations(
    catalog.SKILLS,
    SkillDefinition,
    payload="skill_definition",
    what="a skill definition (docs/design.md#achievements)",
    notes={"key": "Set on create only."},
)
