"""Staff mutations of the achievement and skill definitions (entitlement ``catalog:manage``,
docs/admin.md): ``create``/``update``/``deactivate`` ``AchievementDefinition`` and
``SkillDefinition``, declared from the tables' rules (:mod:`schema.core.catalog`; the rules:
:mod:`db.gamification.catalog`)."""

from __future__ import annotations

from db.gamification import catalog
from db.gamification.achievements import THRESHOLD_KEYS
from schema.core.catalog import GAME_WORDING, catalog_mutations

_THRESHOLDS = ", ".join(
    f'{trigger.upper()} {{"{key}": n}}' for trigger, key in sorted(THRESHOLD_KEYS.items())
)

ACHIEVEMENT_MUTATIONS = catalog_mutations(
    catalog.ACHIEVEMENTS,
    wording=GAME_WORDING,
    what="an achievement definition (docs/design.md#achievements)",
    notes={
        "key": "Set on create only.",
        "trigger_config": f"Exactly the threshold of the trigger type: {_THRESHOLDS} "
        f"(n from 1 to {catalog.MAX_THRESHOLD:,}).",
    },
)

SKILL_MUTATIONS = catalog_mutations(
    catalog.SKILLS,
    wording=GAME_WORDING,
    what="a skill definition (docs/design.md#achievements)",
    notes={"key": "Set on create only."},
)
