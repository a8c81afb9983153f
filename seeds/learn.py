"""Learn catalog: topics, lessons (markdown + quiz) and ear-training drills.

Sources: Ignition specification, "Part 7: Seed Data Requirements"
("learn_topics: core learning topics"; "learn_lessons: initial lessons per topic";
"learn_drills: initial drills per topic"); Ignition specification, "Seed Data Summary" (6 topics, 7
lessons, 7 drills) and "Section 9: Learn Tables" (difficulty beginner/intermediate/advanced,
drill_type interval/chord/rhythm/scale, defaults). Columns: Ignition specification,
"Migration 0013: Learn Substrate".

Data: ``seeds/data/learn/topics.json``, ``lessons.json`` (each lesson's body in
``lessons/<key>.md``) and ``drills.json``, validated on import (:mod:`seeds.load`). Shapes:

- ``TOPICS`` (natural key ``key``): ``{key, name, description, category, icon}``.
- ``LESSONS`` (natural key ``key``): ``{key, topic (a topic key), title, description,
  content_markdown, duration_minutes, difficulty, quiz (list of {question, options,
  answer_index}), xp_reward, coin_reward, skill_key, skill_star_reward}``; ``quiz`` is stored
  in ``quiz_json``; ``content_markdown`` is the text of the file the entry's ``content_file``
  names.
- ``DRILLS`` (natural key ``key``): ``{key, topic, title, description, drill_type, config,
  difficulty, duration_seconds, xp_reward}``; ``config`` is stored in ``config_json``. Its shape
  per ``drill_type``:

  - ``interval``: ``{intervals: ["m2".."P8"], direction: ascending|descending|harmonic,
    questions, root_range: [low, high], instrument}``
  - ``chord``: ``{qualities: [...], inversions: bool, voicing: close|open, questions,
    root_range, instrument}``
  - ``rhythm``: ``{tempo_bpm, time_signature, questions}`` plus ``subdivisions`` (names) or
    ``patterns`` (16-step grids, ``x`` = hit, ``.`` = rest)
  - ``scale``: ``{scales: [...], direction, questions, root_range, instrument}``

Interval names: m2 M2 m3 M3 P4 TT P5 m6 M6 m7 M7 P8. ``difficulty`` and ``drill_type`` are
``LearnDifficulty`` / ``DrillType`` values (``db/learn/models.py``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator
from sqlalchemy.ext.asyncio import AsyncConnection

from db.gamification.models import SkillCategory
from db.learn.models import DrillType, LearnDifficulty
from seeds.load import Entry, as_dicts, check_references, load_entries, with_markdown
from seeds.upsert import ids_by, upsert

# --------------------------------------------------------------------------------------------
# Data: seeds/data/learn/
# --------------------------------------------------------------------------------------------


class Topic(Entry):
    """One learn topic (natural key ``key``)."""

    key: str
    name: str
    description: str
    category: str
    icon: str


class QuizQuestion(Entry):
    """One multiple-choice question; ``answer_index`` is the position of the right option."""

    question: str
    options: list[str] = Field(min_length=2)
    answer_index: int = Field(ge=0)

    @model_validator(mode="after")
    def _answer_among_options(self) -> QuizQuestion:
        if self.answer_index >= len(self.options):
            raise ValueError(f"answer_index must be below {len(self.options)} (the options)")
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must differ")
        return self


class Lesson(Entry):
    """One lesson (natural key ``key``); its body is the Markdown file ``content_file``
    (relative to ``seeds/data/learn/``)."""

    key: str
    topic: str
    title: str
    description: str
    content_file: str
    duration_minutes: int = Field(gt=0)
    difficulty: LearnDifficulty = Field(strict=False)
    quiz: list[QuizQuestion]
    xp_reward: int = Field(ge=0)
    coin_reward: int = Field(ge=0)
    skill_key: SkillCategory = Field(strict=False)
    skill_star_reward: int = Field(ge=0)


class Drill(Entry):
    """One ear-training drill (natural key ``key``); ``config`` by ``drill_type`` (above)."""

    key: str
    topic: str
    title: str
    description: str
    drill_type: DrillType = Field(strict=False)
    config: dict[str, Any]
    difficulty: LearnDifficulty = Field(strict=False)
    duration_seconds: int = Field(gt=0)
    xp_reward: int = Field(ge=0)


_TOPICS = load_entries("learn/topics.json", Topic, key="key")
_LESSONS = load_entries("learn/lessons.json", Lesson, key="key")
_DRILLS = load_entries("learn/drills.json", Drill, key="key")
for _file, _entries in (("learn/lessons.json", _LESSONS), ("learn/drills.json", _DRILLS)):
    check_references(
        _file, _entries, "topic", {t.key for t in _TOPICS}, key="key", target="learn/topics.json"
    )

TOPICS: tuple[dict[str, Any], ...] = as_dicts(_TOPICS)
#: The lessons, ``content_markdown`` holding the text of each one's Markdown file.
LESSONS: tuple[dict[str, Any], ...] = with_markdown(
    "learn/lessons.json", as_dicts(_LESSONS), key="key", into="content_markdown"
)
DRILLS: tuple[dict[str, Any], ...] = as_dicts(_DRILLS)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


def topic_rows() -> list[dict[str, Any]]:
    """The ``learn_topics`` rows, ``sort_order`` in file order."""
    return [{**t, "sort_order": (i + 1) * 10} for i, t in enumerate(TOPICS)]


def lesson_rows(topic_ids: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``learn_lessons`` rows, topics resolved through ``topic_ids`` (key -> id)."""
    rows = []
    for i, lesson in enumerate(LESSONS):
        row = {k: v for k, v in lesson.items() if k not in ("topic", "quiz")}
        row["topic_id"] = topic_ids[lesson["topic"]]
        row["difficulty"] = LearnDifficulty(lesson["difficulty"]).value
        row["quiz_json"] = lesson["quiz"]
        row["sort_order"] = (i + 1) * 10
        rows.append(row)
    return rows


def drill_rows(topic_ids: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``learn_drills`` rows, topics resolved through ``topic_ids`` (key -> id)."""
    rows = []
    for i, drill in enumerate(DRILLS):
        row = {k: v for k, v in drill.items() if k not in ("topic", "config")}
        row["topic_id"] = topic_ids[drill["topic"]]
        row["drill_type"] = DrillType(drill["drill_type"]).value
        row["difficulty"] = LearnDifficulty(drill["difficulty"]).value
        row["config_json"] = drill["config"]
        row["sort_order"] = (i + 1) * 10
        rows.append(row)
    return rows


async def seed(conn: AsyncConnection) -> int:
    """Upsert topics, then lessons and drills under them; returns rows changed."""
    changed = await upsert(conn, "learn_topics", topic_rows(), key=["key"])
    topic_ids = await ids_by(conn, "learn_topics", "key")
    changed += await upsert(conn, "learn_lessons", lesson_rows(topic_ids), key=["key"])
    changed += await upsert(conn, "learn_drills", drill_rows(topic_ids), key=["key"])
    return changed


COUNTS: dict[str, int] = {
    "learn_topics": len(TOPICS),
    "learn_lessons": len(LESSONS),
    "learn_drills": len(DRILLS),
}
