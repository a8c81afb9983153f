"""Staff management of the universal quest catalog (entitlement ``catalog:manage``,
docs/admin.md): create, change and deactivate universal quests.

A quest's ``target_type`` must be one the transitions count (:data:`db.quests.rules.COUNTED`:
``manual`` is counted by nothing and refused), and its ``target_config`` may filter only the
attributes those transitions pass (:func:`db.quests.rules.target_config_problem`). A quest is
never deleted: deactivating it stops offering and advancing it, and users' progress rows stay
as they are. Every write is audited with the fields before and after (:mod:`db.auth.staff`).
"""

from __future__ import annotations

from typing import Any

from db import metadata
from db.auth import staff
from db.auth.staff import CatalogTable
from db.fields import Choice, Flag, Number, Rule, Text
from db.quests.models import QuestTargetType, QuestType
from db.quests.rules import COUNTED, target_config_problem

_quests = metadata.tables["universal_quests"]
_skills = metadata.tables["skill_definitions"]

#: The largest reward of one claim (XP or coins).
MAX_REWARD = 100_000


def _target_problem(target_type: str, config: Any) -> str | None:
    """:func:`target_config_problem`, an absent config being ``{}`` (the column default)."""
    return target_config_problem(target_type, config or {})


#: ``universal_quests`` columns staff set (``target_config`` is checked against the row's
#: ``target_type`` by the row check).
QUEST_FIELDS: dict[str, Rule] = {
    "title": staff.NAME,
    "description": staff.DESCRIPTION,
    "type": Choice(QuestType),
    "xp_reward": Number(0, MAX_REWARD),
    "coin_reward": Number(0, MAX_REWARD),
    "target": Number(1, 1_000_000),
    "target_type": Choice(QuestTargetType, allowed=[QuestTargetType(t) for t in sorted(COUNTED)]),
    "target_config": staff.JSON_OBJECT,
    "skill_key": Text(100, 1, line=True),
    "is_active": Flag(),
    "sort_order": staff.SORT_ORDER,
}


QUESTS = CatalogTable(
    table=_quests,
    resource="UniversalQuest",
    rules=QUEST_FIELDS,
    required=("title", "target_type"),
    unique=("title",),
    creator="created_by",
    references={"skill_key": _skills.c.key},
    check=staff.config_check("target_type", "target_config", _target_problem),
)


__all__ = ["MAX_REWARD", "QUESTS", "QUEST_FIELDS"]
