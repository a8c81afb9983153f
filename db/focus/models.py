"""Focus tables: focus sessions, the pause state of a session, and focus music libraries with
their tracks.

Columns: Ignition specification, "Migration 0003: Focus Substrate" and
"Migration 0020: Focus Music Libraries"; the pause-state resolution (0016's boolean model plus
0003's ``time_remaining_seconds``, FK ``session_id -> focus_sessions.id``):
docs/design.md#the-schema; types, defaults and status values: Ignition specification,
"Section 6: Focus Tables" and "Focus Lifecycle", plus ``expired`` for the expiry transition
(docs/design.md#focus). One active (or paused) session per user is a partial unique index.

Values chosen here (the Ignition specification lists none): ``focus_libraries.library_type``.
``focus_sessions .task_id`` is a free reference to the planner item being worked on (no FK: plan
items live in ``daily_plans.items``).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, func, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import UUIDPK, Base, CreatedAt, UpdatedAt, fk, non_negative, user_fk


class FocusMode(enum.StrEnum):
    """What a timer runs: a focus block or a (long) break.

    - ``focus``: a block of focused work.
    - ``break``: a short break between focus blocks.
    - ``long_break``: a longer break after several focus blocks.
    """

    FOCUS = "focus"
    BREAK = "break"
    LONG_BREAK = "long_break"


class FocusStatus(enum.StrEnum):
    """The lifecycle of a focus session; ``active`` and ``paused`` are the running states.

    - ``active``: the timer runs.
    - ``paused``: the timer is paused and can be resumed.
    - ``completed``: finished; XP and coins were awarded.
    - ``abandoned``: given up; nothing was awarded.
    - ``expired``: never completed before its expiry; nothing was awarded.
    """

    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    EXPIRED = "expired"


class FocusLibraryType(enum.StrEnum):
    """Where a focus library's tracks come from.

    - ``custom``: tracks the user picked.
    - ``ambient``: ambient soundscapes.
    - ``reference``: the user's uploaded reference tracks.
    """

    CUSTOM = "custom"
    AMBIENT = "ambient"
    REFERENCE = "reference"


class FocusSession(Base):
    """One timed focus block or break of a user.

    A session starts `ACTIVE`, may be paused and resumed, and ends `COMPLETED` (which awards XP
    and coins from its duration, once), `ABANDONED` (no award) or `EXPIRED`. A user has at most
    one running (active or paused) session."""

    __tablename__ = "focus_sessions"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    mode: Mapped[FocusMode] = mapped_column(
        server_default=FocusMode.FOCUS.value,
        doc="What the timer runs: a focus block or a (long) break.",
    )
    duration_seconds: Mapped[int] = mapped_column(
        doc="The planned length of the session, in seconds."
    )
    started_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When the session started."
    )
    completed_at: Mapped[datetime | None] = mapped_column(
        doc="When the session was completed; null unless completed."
    )
    abandoned_at: Mapped[datetime | None] = mapped_column(
        doc="When the session was given up; null unless abandoned."
    )
    expires_at: Mapped[datetime | None] = mapped_column(
        doc=(
            "When a running session expires if nobody completes it (its start plus "
            "its planned duration and a grace period)."
        )
    )
    paused_at: Mapped[datetime | None] = mapped_column(
        doc="When the session was last paused; null while it runs."
    )
    paused_remaining_seconds: Mapped[int | None] = mapped_column(
        doc="Seconds left on the timer when it was paused; null while it runs."
    )
    status: Mapped[FocusStatus] = mapped_column(
        server_default=FocusStatus.ACTIVE.value, doc="Where the session is in its lifecycle."
    )
    xp_awarded: Mapped[int] = mapped_column(
        server_default="0",
        doc="XP the session earned on completion (0 until then, and for abandoned sessions).",
    )
    coins_awarded: Mapped[int] = mapped_column(
        server_default="0",
        doc="Coins the session earned on completion (0 until then, and for abandoned sessions).",
    )
    focused_seconds: Mapped[int | None] = mapped_column(
        doc=(
            "Seconds actually focused, pauses excluded and capped at `durationSeconds`; set "
            "when the session completes (it may complete before its planned end), null before."
        )
    )
    task_id: Mapped[uuid.UUID | None] = mapped_column(
        doc=(
            "The planner item worked on during the session (an item id of a daily "
            "plan's `items`; not a link to a row)."
        )
    )
    task_title: Mapped[str | None] = mapped_column(
        doc="The title of the task worked on, as shown on the timer."
    )
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
        CheckConstraint(
            "focused_seconds BETWEEN 0 AND duration_seconds", name="focused_within_duration"
        ),
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
    """The synced pause state of one focus session, so every device of the user shows the same
    timer."""

    __tablename__ = "focus_pause_state"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    session_id: Mapped[uuid.UUID] = fk(
        "focus_sessions.id", unique=True, doc="The focus session this pause state belongs to."
    )
    is_paused: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the session is paused right now."
    )
    paused_at: Mapped[datetime | None] = mapped_column(doc="When the session was last paused.")
    resumed_at: Mapped[datetime | None] = mapped_column(doc="When the session was last resumed.")
    time_remaining_seconds: Mapped[int] = mapped_column(
        server_default="0", doc="Seconds left on the timer at the last pause."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (
        CheckConstraint("time_remaining_seconds >= 0", name="time_remaining_non_negative"),
        CheckConstraint("NOT is_paused OR paused_at IS NOT NULL", name="paused_has_paused_at"),
    )


class FocusLibrary(Base):
    """A user's playlist of music to focus to."""

    __tablename__ = "focus_libraries"

    id: Mapped[UUIDPK]
    user_id: Mapped[uuid.UUID] = user_fk()
    name: Mapped[str] = mapped_column(doc="The library's name.")
    description: Mapped[str | None] = mapped_column(
        doc="What the library is for, in the user's words."
    )
    library_type: Mapped[FocusLibraryType] = mapped_column(
        server_default=FocusLibraryType.CUSTOM.value, doc="Where the library's tracks come from."
    )
    tracks_count: Mapped[int] = mapped_column(
        server_default="0", doc="The number of tracks in the library."
    )
    is_favorite: Mapped[bool] = mapped_column(
        server_default="false", doc="Whether the user marked the library as a favourite."
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    __table_args__ = (*non_negative("tracks_count"),)


class FocusLibraryTrack(Base):
    """One track of a focus library: an uploaded reference track or an external URL."""

    __tablename__ = "focus_library_tracks"

    id: Mapped[UUIDPK]
    library_id: Mapped[uuid.UUID] = fk(
        "focus_libraries.id", doc="The focus library the track belongs to."
    )
    track_id: Mapped[uuid.UUID | None] = fk(
        "reference_tracks.id",
        nullable=True,
        ondelete="SET NULL",
        doc="The uploaded reference track played, if the track is one (null for external URLs).",
    )
    track_title: Mapped[str] = mapped_column(doc="The title shown for the track.")
    track_url: Mapped[str | None] = mapped_column(
        doc="Where to play the track from when it is not an uploaded reference track."
    )
    duration_seconds: Mapped[int | None] = mapped_column(doc="The track's length, in seconds.")
    added_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), doc="When the track was added to the library."
    )

    __table_args__ = (CheckConstraint("duration_seconds >= 0", name="duration_non_negative"),)
