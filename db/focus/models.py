"""Focus tables: focus sessions, the pause state of a session, and focus music libraries with
their tracks.

Columns: spec/004 migrations 0003 and 0020; the pause-state resolution (0016's boolean model plus
0003's ``time_remaining_seconds``, FK ``session_id -> focus_sessions.id``): DESIGN.md section 2;
types, defaults and status values: spec/003 section 6 and "Focus Lifecycle", plus ``expired``
for the expiry transition (DESIGN.md section 3). One active (or paused) session per user is a
partial unique index.

Values chosen here (spec/003 lists none): ``focus_libraries.library_type``. ``focus_sessions
.task_id`` is a free reference to the planner item being worked on (no FK: plan items live in
``daily_plans.items``).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, func, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class FocusMode(enum.StrEnum):
    """What a timer runs: a focus block or a (long) break."""

    FOCUS = "focus"
    BREAK = "break"
    LONG_BREAK = "long_break"


class FocusStatus(enum.StrEnum):
    """The lifecycle of a focus session; ``active`` and ``paused`` are the running states."""

    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    EXPIRED = "expired"


class FocusLibraryType(enum.StrEnum):
    """Where a focus library's tracks come from."""

    CUSTOM = "custom"
    AMBIENT = "ambient"
    REFERENCE = "reference"


class FocusSession(Base):
    __tablename__ = "focus_sessions"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    mode: Mapped[FocusMode] = mapped_column(server_default=FocusMode.FOCUS.value)
    duration_seconds: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(server_default=func.now())
    completed_at: Mapped[datetime | None]
    abandoned_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_remaining_seconds: Mapped[int | None]
    status: Mapped[FocusStatus] = mapped_column(server_default=FocusStatus.ACTIVE.value)
    xp_awarded: Mapped[int] = mapped_column(server_default="0")
    coins_awarded: Mapped[int] = mapped_column(server_default="0")
    task_id: Mapped[uuid.UUID | None]
    task_title: Mapped[str | None]
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        Index(
            "uq_focus_sessions_one_running_per_user",
            "user_id",
            unique=True,
            postgresql_where=text("status IN ('active', 'paused')"),
        ),
        CheckConstraint("duration_seconds > 0", name="duration_positive"),
        CheckConstraint("paused_remaining_seconds >= 0", name="paused_remaining_non_negative"),
        *non_negative("xp_awarded", "coins_awarded"),
        CheckConstraint("completed_at >= started_at", name="completed_after_start"),
        CheckConstraint("abandoned_at >= started_at", name="abandoned_after_start"),
        CheckConstraint("expires_at >= started_at", name="expires_after_start"),
        CheckConstraint(
            "completed_at IS NULL OR abandoned_at IS NULL", name="not_completed_and_abandoned"
        ),
        CheckConstraint(
            "status <> 'completed' OR completed_at IS NOT NULL", name="completed_has_timestamp"
        ),
        CheckConstraint(
            "status <> 'abandoned' OR abandoned_at IS NOT NULL", name="abandoned_has_timestamp"
        ),
        CheckConstraint(
            "status <> 'paused'"
            " OR (paused_at IS NOT NULL AND paused_remaining_seconds IS NOT NULL)",
            name="paused_has_pause_fields",
        ),
    )


class FocusPauseState(Base):
    """The synced pause state of one focus session (DESIGN.md section 2; spec/004 0003 + 0016)."""

    __tablename__ = "focus_pause_state"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    session_id: Mapped[uuid.UUID] = fk("focus_sessions.id", unique=True)
    is_paused: Mapped[bool] = mapped_column(server_default="false")
    paused_at: Mapped[datetime | None]
    resumed_at: Mapped[datetime | None]
    time_remaining_seconds: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        CheckConstraint("time_remaining_seconds >= 0", name="time_remaining_non_negative"),
        CheckConstraint("NOT is_paused OR paused_at IS NOT NULL", name="paused_has_paused_at"),
    )


class FocusLibrary(Base):
    """A user's playlist of music to focus to (spec/004 0020)."""

    __tablename__ = "focus_libraries"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str]
    description: Mapped[str | None]
    library_type: Mapped[FocusLibraryType] = mapped_column(
        server_default=FocusLibraryType.CUSTOM.value
    )
    tracks_count: Mapped[int] = mapped_column(server_default="0")
    is_favorite: Mapped[bool] = mapped_column(server_default="false")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (*non_negative("tracks_count"),)


class FocusLibraryTrack(Base):
    __tablename__ = "focus_library_tracks"

    id: Mapped[UUIDPK]
    library_id: Mapped[uuid.UUID] = fk("focus_libraries.id")
    track_id: Mapped[uuid.UUID | None] = fk(
        "reference_tracks.id", nullable=True, ondelete="SET NULL"
    )
    track_title: Mapped[str]
    track_url: Mapped[str | None]
    duration_seconds: Mapped[int | None]
    added_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (CheckConstraint("duration_seconds >= 0", name="duration_non_negative"),)
