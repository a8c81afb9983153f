"""Listening prompts: admin-curated templates for guided critical-listening exercises, and the
presets (what to focus on, A/B comparison, loop, visualization settings) applied with them.

Columns: spec/004 migration 0010. spec/003 does not document these tables, so the defaults and
the value sets of ``category``, ``difficulty`` and ``preset_type`` are those of the original
PostgreSQL migration 0010 that spec/004 inventories. ``name`` is the natural key seeds upsert on.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk


class ListeningPromptCategory(enum.StrEnum):
    """The listening skill a template trains."""

    GENERAL = "general"
    FREQUENCY = "frequency"
    DYNAMICS = "dynamics"
    SPATIAL = "spatial"
    ARRANGEMENT = "arrangement"
    PRODUCTION = "production"
    MIXING = "mixing"
    MASTERING = "mastering"
    GENRE_SPECIFIC = "genre_specific"


class ListeningDifficulty(enum.StrEnum):
    """Progressive difficulty of a listening prompt."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    EXPERT = "expert"


class ListeningPresetType(enum.StrEnum):
    """What a preset configures; ``config`` holds the settings of that kind."""

    FOCUS = "focus"
    COMPARISON = "comparison"
    LOOP = "loop"
    VISUALIZATION = "visualization"


class ListeningPromptTemplate(Base):
    __tablename__ = "listening_prompt_templates"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None]
    category: Mapped[ListeningPromptCategory] = mapped_column(server_default="general")
    difficulty: Mapped[ListeningDifficulty] = mapped_column(server_default="beginner")
    prompt_text: Mapped[str]
    hints: Mapped[JSON] = mapped_column(server_default="[]")
    expected_observations: Mapped[JSON] = mapped_column(server_default="[]")
    tags: Mapped[JSON] = mapped_column(server_default="[]")
    display_order: Mapped[int] = mapped_column(server_default="0")
    is_active: Mapped[bool] = mapped_column(server_default="true")
    created_by: Mapped[uuid.UUID | None] = fk(
        "users.id",
        ondelete="SET NULL",
        nullable=True,
        rel="creator",
        reverse="createdListeningPromptTemplates",
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class ListeningPromptPreset(Base):
    """Preset settings applied with a listening prompt; standalone when ``template_id`` is NULL
    (spec/004 migration 0010)."""

    __tablename__ = "listening_prompt_presets"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None]
    template_id: Mapped[uuid.UUID | None] = fk("listening_prompt_templates.id", nullable=True)
    preset_type: Mapped[ListeningPresetType] = mapped_column(server_default="focus")
    config: Mapped[JSON] = mapped_column(server_default="{}")
    is_active: Mapped[bool] = mapped_column(server_default="true")
    created_by: Mapped[uuid.UUID | None] = fk(
        "users.id",
        ondelete="SET NULL",
        nullable=True,
        rel="creator",
        reverse="createdListeningPromptPresets",
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
