"""Listening prompts: admin-curated templates for guided critical-listening exercises, and the
presets (what to focus on, A/B comparison, loop, visualization settings) applied with them.

Columns: Ignition specification, "Migration 0010: Listening Prompt Templates". The
Ignition specification does not document these tables, so the defaults and the value sets of
``category``, ``difficulty`` and ``preset_type`` are those of the original PostgreSQL migration 0010
that the Ignition specification inventories. ``name`` is the natural key seeds upsert on.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy.orm import Mapped, mapped_column

from db.base import JSON, UUIDPK, Base, CreatedAt, UpdatedAt, fk


class ListeningPromptCategory(enum.StrEnum):
    """The listening skill a template trains.

    - ``general``: overall impression.
    - ``frequency``: tonal balance and frequency content.
    - ``dynamics``: loudness, compression and transients.
    - ``spatial``: stereo width, depth and reverb.
    - ``arrangement``: parts, structure and energy over time.
    - ``production``: sound choices and processing.
    - ``mixing``: balance and separation of the parts.
    - ``mastering``: the finished master's loudness and tone.
    - ``genre_specific``: conventions of one genre.
    """

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
    """Progressive difficulty of a listening prompt.

    - ``beginner``: obvious differences.
    - ``intermediate``: clear to a trained ear.
    - ``advanced``: subtle differences.
    - ``expert``: differences only a seasoned engineer hears.
    """

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    EXPERT = "expert"


class ListeningPresetType(enum.StrEnum):
    """What a preset configures; ``config`` holds the settings of that kind.

    - ``focus``: a frequency band or element to listen to.
    - ``comparison``: an A/B comparison of two sources.
    - ``loop``: a passage played on repeat.
    - ``visualization``: what the analyser shows.
    """

    FOCUS = "focus"
    COMPARISON = "comparison"
    LOOP = "loop"
    VISUALIZATION = "visualization"


class ListeningPromptTemplate(Base):
    """A guided critical-listening exercise: what to listen for in a track, with hints and the
    observations expected."""

    __tablename__ = "listening_prompt_templates"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(
        unique=True, doc="The exercise's name (unique: the seeds' natural key)."
    )
    description: Mapped[str | None] = mapped_column(doc="What the exercise trains, in a sentence.")
    category: Mapped[ListeningPromptCategory] = mapped_column(
        server_default="general", doc="The listening skill the exercise trains."
    )
    difficulty: Mapped[ListeningDifficulty] = mapped_column(
        server_default="beginner", doc="How demanding the exercise is."
    )
    prompt_text: Mapped[str] = mapped_column(doc="The instruction shown to the listener.")
    hints: Mapped[JSON] = mapped_column(
        server_default="[]", doc="Hints shown on request: a JSON list of strings."
    )
    expected_observations: Mapped[JSON] = mapped_column(
        server_default="[]", doc="What a careful listener should notice: a JSON list of strings."
    )
    tags: Mapped[JSON] = mapped_column(
        server_default="[]", doc="Free tags: a JSON list of strings."
    )
    display_order: Mapped[int] = mapped_column(
        server_default="0", doc="Position in the exercise list (ascending)."
    )
    is_active: Mapped[bool] = mapped_column(
        server_default="true", doc="Whether the exercise is offered."
    )
    created_by: Mapped[uuid.UUID | None] = fk(
        "users.id",
        ondelete="SET NULL",
        nullable=True,
        rel="creator",
        reverse="createdListeningPromptTemplates",
        doc="The admin who created the exercise; null for seeded ones.",
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class ListeningPromptPreset(Base):
    """Player settings applied with a listening exercise (focus band, A/B comparison, loop,
    visualisation); standalone when it has no template."""

    __tablename__ = "listening_prompt_presets"

    id: Mapped[UUIDPK]
    name: Mapped[str] = mapped_column(unique=True, doc="The preset's name.")
    description: Mapped[str | None] = mapped_column(doc="What the preset sets up.")
    template_id: Mapped[uuid.UUID | None] = fk(
        "listening_prompt_templates.id",
        nullable=True,
        doc="The listening exercise the preset belongs to; null for a standalone preset.",
    )
    preset_type: Mapped[ListeningPresetType] = mapped_column(
        server_default="focus", doc="What the preset configures."
    )
    config: Mapped[JSON] = mapped_column(
        server_default="{}",
        doc="The settings of that kind, as JSON (e.g. a frequency band, loop points in seconds).",
    )
    is_active: Mapped[bool] = mapped_column(
        server_default="true", doc="Whether the preset is offered."
    )
    created_by: Mapped[uuid.UUID | None] = fk(
        "users.id",
        ondelete="SET NULL",
        nullable=True,
        rel="creator",
        reverse="createdListeningPromptPresets",
        doc="The admin who created the preset; null for seeded ones.",
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
