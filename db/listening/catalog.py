"""Staff edits of the critical-listening catalog: prompt templates and presets, declared as
:class:`~db.auth.staff.CatalogTable`s (docs/admin.md, "Content catalogs").

Both tables have ``is_active``: retiring a template or preset sets it false (the row stays;
an update may set it true again), and ``created_by`` records the staff member who created the
row. Names are unique (the seeds' natural key). A preset's ``config`` is a JSON object of at
most :data:`MAX_CONFIG_KEYS` settings whose meaning depends on ``preset_type``; its
``template_id``, when given, must name a template.
"""

from __future__ import annotations

from typing import Any

from db import metadata
from db.auth.staff import DESCRIPTION, NAME, CatalogTable, shape_object
from db.errors import InvalidInput
from db.fields import Choice, Flag, Number, Ref, Shaped, Tags, Text
from db.listening.models import (
    ListeningDifficulty,
    ListeningPresetType,
    ListeningPromptCategory,
)

#: The instruction shown to the listener, in characters.
PROMPT = Text(5000, 1, nullable=False)
#: Hints and expected observations: at most 20 sentences of at most 500 characters each.
SENTENCES = Tags(max_items=20, max_len=500)
DISPLAY_ORDER = Number(0, 1_000_000)
#: The most settings of one preset's ``config``.
MAX_CONFIG_KEYS = 20


def shape_preset_config(value: Any, field: str) -> dict[str, Any]:
    """A preset's ``config``: a JSON object of at most :data:`MAX_CONFIG_KEYS` keys.

    Raises:
        InvalidInput: another value, or more keys (``field``).
    """
    config = shape_object(value, field)
    if len(config) > MAX_CONFIG_KEYS:
        raise InvalidInput(f"Give at most {MAX_CONFIG_KEYS} settings.", field=field)
    return config


TEMPLATES = CatalogTable(
    table=metadata.tables["listening_prompt_templates"],
    resource="ListeningPromptTemplate",
    rules={
        "name": NAME,
        "description": DESCRIPTION,
        "category": Choice(ListeningPromptCategory),
        "difficulty": Choice(ListeningDifficulty),
        "prompt_text": PROMPT,
        "hints": SENTENCES,
        "expected_observations": SENTENCES,
        "tags": Tags(),
        "display_order": DISPLAY_ORDER,
        "is_active": Flag(),
    },
    required=("name", "prompt_text"),
    unique=("name",),
    creator="created_by",
)

PRESETS = CatalogTable(
    table=metadata.tables["listening_prompt_presets"],
    resource="ListeningPromptPreset",
    rules={
        "name": NAME,
        "description": DESCRIPTION,
        "template_id": Ref(),
        "preset_type": Choice(ListeningPresetType),
        "config": Shaped(shape_preset_config),
        "is_active": Flag(),
    },
    required=("name",),
    unique=("name",),
    creator="created_by",
)

__all__ = ["MAX_CONFIG_KEYS", "PRESETS", "TEMPLATES", "shape_preset_config"]
