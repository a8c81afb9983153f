"""Focus: sessions of the focus timer, their pause state, music libraries."""

from __future__ import annotations

from typing import Any

import strawberry

from schema.core.spec import TableSpec, add_field, register


def _active_focus_session(factory: Any) -> Any:
    """``User.activeFocusSession``: the active or paused session (at most one per user,
    enforced by a partial unique index)."""
    sessions = factory.catalog["focus_sessions"]
    table = sessions.table
    session_type: Any = factory.types["focus_sessions"]

    async def resolve(root: Any, info: strawberry.Info) -> Any:
        loader = info.context.loaders.row_by(
            sessions,
            table.c.user_id,
            where=[table.c.status.in_(("active", "paused"))],
            scope="Active",
        )
        return await loader.load(root.id)

    resolve.__annotations__ = {"info": strawberry.Info, "return": session_type | None}
    return strawberry.field(
        resolver=resolve,
        name="activeFocusSession",
        description="The running or paused focus session, if any.",
    )


register(
    TableSpec("focus_sessions", order=("-started_at",)),
    TableSpec("focus_library_tracks", order=("-added_at",)),
)
add_field("users", "active_focus_session", _active_focus_session)
