"""Listening-prompt catalog: guided critical-listening exercises for reference tracks and mixes.

Sources: Ignition specification, "Part 7: Seed Data Requirements"
("listening_prompt_templates: core listening prompts"); columns: Ignition specification,
"Migration 0010: Listening Prompt Templates".

Data: ``seeds/data/listening/templates.json`` and ``presets.json`` (validated on import,
:mod:`seeds.load`). Shapes:

- ``TEMPLATES`` (natural key ``name``): ``{name, description, category, difficulty,
  prompt_text, hints (list of str), expected_observations (list of str), tags (list of str)}``;
  ``display_order`` follows the file order, all active, ``created_by`` NULL (built-in).
- ``PRESETS`` (natural key ``name``): ``{name, description, template (a template name),
  preset_type, config}``. ``category``, ``difficulty`` and ``preset_type`` are the
  ``ListeningPromptCategory`` / ``ListeningDifficulty`` / ``ListeningPresetType`` values of
  ``db/listening/models.py``. ``config`` by ``preset_type``:

  - ``focus``: ``{band_hz: [low, high], start_at, loop_seconds}`` (play only that band)
  - ``comparison``: ``{compare_with: "reference_track" | "mono", level_match,
    switch_every_seconds}``
  - ``loop``: ``{loop_seconds, start_at: "intro" | "drop" | "chorus" | seconds, band_hz?}``
  - ``visualization``: ``{view: "loudness_curve" | "spectrum" | "stereo_field",
    mark_sections, window_seconds}``
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncConnection

from db.listening.models import (
    ListeningDifficulty,
    ListeningPresetType,
    ListeningPromptCategory,
)
from seeds.load import Entry, as_dicts, check_references, load_entries
from seeds.upsert import ids_by, upsert

# --------------------------------------------------------------------------------------------
# Data: seeds/data/listening/
# --------------------------------------------------------------------------------------------


class Template(Entry):
    """One listening-prompt template (natural key ``name``)."""

    name: str
    description: str
    category: ListeningPromptCategory = Field(strict=False)
    difficulty: ListeningDifficulty = Field(strict=False)
    prompt_text: str
    hints: list[str]
    expected_observations: list[str]
    tags: list[str]


class Preset(Entry):
    """One listening-prompt preset (natural key ``name``); ``template`` is a template name."""

    name: str
    description: str
    template: str
    preset_type: ListeningPresetType = Field(strict=False)
    config: dict[str, Any]


_TEMPLATES = load_entries("listening/templates.json", Template, key="name")
_PRESETS = load_entries("listening/presets.json", Preset, key="name")
check_references(
    "listening/presets.json",
    _PRESETS,
    "template",
    {t.name for t in _TEMPLATES},
    key="name",
    target="listening/templates.json",
)
TEMPLATES: tuple[dict[str, Any], ...] = as_dicts(_TEMPLATES)
PRESETS: tuple[dict[str, Any], ...] = as_dicts(_PRESETS)

# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


def template_rows() -> list[dict[str, Any]]:
    """The ``listening_prompt_templates`` rows (active, built in, ordered as listed)."""
    return [
        {
            **t,
            "category": ListeningPromptCategory(t["category"]).value,
            "difficulty": ListeningDifficulty(t["difficulty"]).value,
            "display_order": (i + 1) * 10,
            "is_active": True,
            "created_by": None,
        }
        for i, t in enumerate(TEMPLATES)
    ]


def preset_rows(template_ids: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``listening_prompt_presets`` rows, templates resolved by name."""
    return [
        {
            "name": p["name"],
            "description": p["description"],
            "template_id": template_ids[p["template"]],
            "preset_type": ListeningPresetType(p["preset_type"]).value,
            "config": p["config"],
            "is_active": True,
            "created_by": None,
        }
        for p in PRESETS
    ]


async def seed(conn: AsyncConnection) -> int:
    """Upsert the templates, then the presets that point at them; returns rows changed."""
    changed = await upsert(conn, "listening_prompt_templates", template_rows(), key=["name"])
    template_ids = await ids_by(conn, "listening_prompt_templates", "name")
    changed += await upsert(
        conn, "listening_prompt_presets", preset_rows(template_ids), key=["name"]
    )
    return changed


COUNTS: dict[str, int] = {
    "listening_prompt_templates": len(TEMPLATES),
    "listening_prompt_presets": len(PRESETS),
}
