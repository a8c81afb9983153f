"""Focus mutations: the focus timer's lifecycle (Ignition specification, "Focus Lifecycle"). The
rules live in :mod:`db.focus.transitions` and :mod:`db.focus.rules`; these declarations only map
arguments and results."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from db.errors import FocusSessionAlreadyRunning, InvalidState, NotFound
from db.focus import transitions
from db.focus.models import FocusMode, FocusSession
from db.focus.rules import DEFAULT_DURATION_SECONDS, DURATION, TASK_TITLE
from schema.core.descriptions import column_doc
from schema.core.mutations import Ids, Tx, id_arg, mutation
from schema.core.types import graphql_enum

FocusModeEnum: Any = graphql_enum(FocusMode)

SessionId = Annotated[
    strawberry.ID,
    strawberry.argument(description="One of the viewer's focus sessions (`FocusSession.id`)."),
]


async def expire_overdue(tx: Tx) -> None:
    """Before any focus transition: the viewer's session past its ``expiresAt`` becomes
    ``expired`` ("when next touched"), whatever the transition's outcome."""
    await transitions.expire_overdue(tx.conn, tx.viewer.user_id)


@strawberry.input(description="A focus session to start.")
class StartFocusSessionInput:
    mode: FocusModeEnum = strawberry.field(description=column_doc(FocusSession, "mode"))
    duration_seconds: Annotated[int | None, DURATION] = strawberry.field(
        default=None,
        description=f"{column_doc(FocusSession, 'duration_seconds')} Left out or null: the "
        f"viewer's `default_focus_duration` setting, else {DEFAULT_DURATION_SECONDS} seconds.",
    )
    task_id: strawberry.ID | None = strawberry.field(
        default=None, description=column_doc(FocusSession, "task_id")
    )
    task_title: Annotated[str | None, TASK_TITLE] = strawberry.field(
        default=None, description=column_doc(FocusSession, "task_title")
    )


@mutation(
    description='Start a focus session (Ignition specification, "Focus Lifecycle"): one running '
    "(active or "
    "paused) session per user; `expiresAt` is the planned end plus two hours.",
    returns={"session": "focus_sessions"},
    errors=(FocusSessionAlreadyRunning,),
    prepare=expire_overdue,
)
async def start_focus_session(tx: Tx, input: StartFocusSessionInput) -> Ids:
    task_id = id_arg(input.task_id, "input.taskId") if input.task_id is not None else None
    session_id = await transitions.start_session(
        tx.conn,
        tx.viewer.user_id,
        mode=FocusMode(input.mode.value),
        duration_seconds=input.duration_seconds,
        task_id=task_id,
        task_title=input.task_title,
    )
    return {"session": session_id}


@mutation(
    description="Pause the running focus session: its clock stops until it is resumed.",
    returns={"session": "focus_sessions"},
    errors=(NotFound, InvalidState),
    prepare=expire_overdue,
)
async def pause_focus_session(tx: Tx, id: SessionId) -> Ids:
    return {
        "session": await transitions.pause_session(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    }


@mutation(
    description="Resume a paused focus session: its clock runs again, and its expiry moves "
    "later by the time spent paused.",
    returns={"session": "focus_sessions"},
    errors=(NotFound, InvalidState),
    prepare=expire_overdue,
)
async def resume_focus_session(tx: Tx, id: SessionId) -> Ids:
    return {
        "session": await transitions.resume_session(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    }


@mutation(
    description="Complete a running or paused focus session, also before its planned end: "
    "it pays XP, coins and focus-skill stars for the minutes actually focused (pauses "
    "excluded, capped at the planned duration), once. `ledgerEntry` is null when the time "
    "focused earned nothing.",
    returns={
        "session": "focus_sessions",
        "wallet": "user_wallet",
        "progress": "user_progress",
        "ledger_entry": "points_ledger?",
    },
    errors=(NotFound, InvalidState),
    idempotent=True,
    prepare=expire_overdue,
    fields={
        "ledger_entry": "The points ledger row of the award; null when the time focused "
        "earned nothing."
    },
)
async def complete_focus_session(tx: Tx, id: SessionId, idempotency_key: str) -> Ids:
    done = await transitions.complete_session(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    return {
        "session": done.session_id,
        "wallet": done.wallet_id,
        "progress": done.progress_id,
        "ledger_entry": done.posting.entry_id if done.posting else None,
    }


@mutation(
    description="Abandon a running or paused focus session: it ends without an award.",
    returns={"session": "focus_sessions"},
    errors=(NotFound, InvalidState),
    prepare=expire_overdue,
)
async def abandon_focus_session(tx: Tx, id: SessionId) -> Ids:
    return {
        "session": await transitions.abandon_session(tx.conn, tx.viewer.user_id, id_arg(id, "id"))
    }
