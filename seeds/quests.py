"""Universal (system) quests every user can accept.

Sources: Ignition specification, "Part 7: Seed Data Requirements"
("universal_quests: daily, weekly, monthly system quests"); Ignition specification,
"Seed Data Summary" (13 universal quests) and "Section 7: Quests Tables" (``type``
daily/weekly/special, default rewards 10 XP / 5 coins; ``monthly`` added by this repository's
revision 0018). Columns: Ignition specification, "Migration 0005: Quests Substrate".

Data: ``seeds/data/quests/universal_quests.json`` (validated on import, :mod:`seeds.load`).
Shape of ``QUESTS`` (natural key ``title``): ``{title, description, type, xp_reward,
coin_reward, target, target_type, target_config, skill_key}``; ``is_active`` is true and
``sort_order`` follows the file order. Progress toward ``target`` is counted in units of
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
(docs/design.md#quests).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncConnection

from db.gamification.models import SkillCategory
from db.quests.models import QuestTargetType, QuestType
from seeds.load import Entry, as_dicts, load_entries
from seeds.upsert import upsert

# --------------------------------------------------------------------------------------------
# Data: seeds/data/quests/universal_quests.json
# --------------------------------------------------------------------------------------------


class Quest(Entry):
    """One universal quest (natural key ``title``); ``target`` units of ``target_type``."""

    title: str
    description: str
    type: QuestType = Field(strict=False)
    xp_reward: int = Field(ge=0)
    coin_reward: int = Field(ge=0)
    target: int = Field(gt=0)
    target_type: QuestTargetType = Field(strict=False)
    target_config: dict[str, Any]
    skill_key: SkillCategory = Field(strict=False)
    is_active: bool = True


QUESTS: tuple[dict[str, Any], ...] = as_dicts(
    load_entries("quests/universal_quests.json", Quest, key="title")
)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


def quest_rows() -> list[dict[str, Any]]:
    """The ``universal_quests`` rows (all active, ``sort_order`` in file order)."""
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
