"""Staff edits of the learn catalog: topics, lessons and ear-training drills, declared as
:class:`~db.auth.staff.CatalogTable`s (created, changed and retired through
:mod:`db.auth.staff`, audited; docs/admin.md, "Content catalogs").

The learn tables have no active column: a topic, lesson or drill is deleted only while no row
refers to it (a lesson of the topic, a user's progress or drill statistics); otherwise
``deleteLearnLesson`` is ``InvalidState`` ``in_use`` and users' progress stays as it was.
A lesson's quiz is checked by :func:`db.learn.rules.shape_quiz`, a drill's config against its
type by :func:`db.learn.rules.check_drill_config`.
"""

from __future__ import annotations

from typing import Any

from db import metadata
from db.auth.staff import CATEGORY, DESCRIPTION, ICON, NAME, CatalogTable
from db.fields import Choice, Number, Ref, Rule, Shaped, Text
from db.learn.models import DrillType, LearnDifficulty
from db.learn.rules import MAX_ROUND_SECONDS, check_drill_config, shape_config, shape_quiz

#: A catalog row's stable key: lowercase letters, digits and ``_`` (the seeds' natural key).
KEY = Text(
    100, 1, nullable=False, pattern=r"[a-z0-9_]+", format="lowercase letters, digits and `_`"
)
SORT_ORDER = Number(0, 1_000_000)
#: A lesson's Markdown body, in characters.
CONTENT = Text(100_000)
#: What a lesson or a drill round may pay: XP and coins, and skill stars.
REWARD = Number(0, 10_000)
STARS = Number(0, 100)
DURATION_MINUTES = Number(0, 1440)
DURATION_SECONDS = Number(0, MAX_ROUND_SECONDS)
DIFFICULTY = Choice(LearnDifficulty)


#: The columns a lesson and a drill share: its topic, key, title and description.
_ITEM: dict[str, Rule] = {
    "topic_id": Ref(nullable=False),
    "key": KEY,
    "title": NAME,
    "description": DESCRIPTION,
}


def _drill_config(
    row: dict[str, Any], changed: dict[str, Any], before: dict[str, Any] | None
) -> None:
    """A drill's config fits its type (checked when either changes)."""
    if "drill_type" in changed or "config_json" in changed:
        check_drill_config(str(row["drill_type"]), row["config_json"], "input.configJson")


TOPICS = CatalogTable(
    table=metadata.tables["learn_topics"],
    resource="LearnTopic",
    rules={
        "key": KEY,
        "name": NAME,
        "description": DESCRIPTION,
        "category": CATEGORY,
        "icon": ICON,
        "sort_order": SORT_ORDER,
    },
    required=("key", "name", "category"),
    unique=("key",),
    active=None,
)

LESSONS = CatalogTable(
    table=metadata.tables["learn_lessons"],
    resource="LearnLesson",
    rules={
        **_ITEM,
        "content_markdown": CONTENT,
        "duration_minutes": DURATION_MINUTES,
        "difficulty": DIFFICULTY,
        "quiz_json": Shaped(shape_quiz, nullable=True),
        "xp_reward": REWARD,
        "coin_reward": REWARD,
        "skill_key": Text(50, 1, line=True),
        "skill_star_reward": STARS,
        "audio_r2_key": Text(500, line=True),
        "sort_order": SORT_ORDER,
    },
    required=("topic_id", "key", "title"),
    unique=("key",),
    active=None,
)

DRILLS = CatalogTable(
    table=metadata.tables["learn_drills"],
    resource="LearnDrill",
    rules={
        **_ITEM,
        "drill_type": Choice(DrillType),
        "config_json": Shaped(shape_config),
        "difficulty": DIFFICULTY,
        "duration_seconds": DURATION_SECONDS,
        "xp_reward": REWARD,
        "sort_order": SORT_ORDER,
    },
    required=("topic_id", "key", "title", "drill_type", "config_json"),
    unique=("key",),
    active=None,
    check=_drill_config,
)

__all__ = ["DRILLS", "KEY", "LESSONS", "TOPICS"]
