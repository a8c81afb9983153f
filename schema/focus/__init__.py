"""Focus: sessions of the focus timer, their pause state, music libraries."""

from __future__ import annotations

from schema.core.spec import AddedField, Domain, RowField, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec("focus_sessions", order=("-started_at",)),
        TableSpec("focus_library_tracks", order=("-added_at",)),
    ),
    fields=(
        # ``User.activeFocusSession``: the active or paused session (at most one per user,
        # enforced by a partial unique index).
        AddedField(
            "users",
            "active_focus_session",
            RowField(
                "focus_sessions",
                "user_id",
                "The running or paused focus session, if any.",
                source="id",
                where=lambda t: t.c.status.in_(("active", "paused")),
                scope="Active",
            ),
        ),
    ),
)
