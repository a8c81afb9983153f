"""Staff writes of the platform (docs/admin.md): switch a feature flag
(``feature_flags:manage``) and triage feedback (``feedback:moderate``; entitlements checked by
the mutation machinery). Each is audited with the fields before and after, in the caller's
transaction, through :mod:`db.auth.staff`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import Actor, audit
from db.auth.staff import locked_row, update_row
from db.fields import clean
from db.platform.rules import FEEDBACK_TRIAGE_FIELDS, FLAG_NAME, resolved_at_change

__all__ = ["set_feature_flag", "update_feedback"]

_flags = metadata.tables["feature_flags"]
_feedback = metadata.tables["feedback"]


async def set_feature_flag(
    conn: AsyncConnection, actor: Actor, name: str, enabled: bool
) -> uuid.UUID:
    """Switch the feature flag ``name`` on or off, creating it (without a description) when
    there is none; audited (``before`` empty for a new flag). Concurrent first switches of
    one name are serialised by the unique ``flag_name``: the loser waits and then updates.

    Args:
        conn: a connection inside the mutation's transaction.
        actor: the staff member.
        name: the flag (:data:`~db.platform.rules.FLAG_NAME`: ``market_refunds``).
        enabled: the new state.

    Returns:
        The flag's id.

    Raises:
        InvalidInput: a malformed ``name``.
    """
    FLAG_NAME.check(name, "name")
    inserted = (
        await conn.execute(
            postgresql.insert(_flags)
            .values(flag_name=name, enabled=enabled)
            .on_conflict_do_nothing(index_elements=["flag_name"])
            .returning(_flags)
        )
    ).first()
    if inserted is not None:
        await audit(
            conn,
            actor,
            action="setFeatureFlag",
            resource_type=_flags.name,
            resource_id=inserted.id,
            after=dict(inserted._mapping),
        )
        return uuid.UUID(str(inserted.id))
    flag_id = (
        await conn.execute(sa.select(_flags.c.id).where(_flags.c.flag_name == name))
    ).scalar_one()
    await update_row(
        conn,
        actor,
        _flags,
        flag_id,
        {"enabled": enabled},
        action="setFeatureFlag",
        resource="FeatureFlag",
    )
    return uuid.UUID(str(flag_id))


async def update_feedback(
    conn: AsyncConnection, actor: Actor, feedback_id: uuid.UUID, changes: Mapping[str, Any]
) -> uuid.UUID:
    """Triage one user's feedback: its ``status``, ``priority`` and ``admin_response``
    (:data:`~db.platform.rules.FEEDBACK_TRIAGE_FIELDS`; a field left out keeps its value).
    ``resolved_at`` is set when the feedback becomes ``resolved`` and cleared when it leaves
    that status (:func:`~db.platform.rules.resolved_at_change`). Audited with the changed
    fields before and after.

    Raises:
        InvalidInput: nothing to change, or a value its rule refuses (``input.<field>``).
        NotFound: no such feedback (``resource`` ``Feedback``).
    """
    values = clean(changes, FEEDBACK_TRIAGE_FIELDS, partial=True)
    row = await locked_row(conn, _feedback, feedback_id, resource="Feedback")
    if "status" in values:
        change = resolved_at_change(row["status"], values["status"])
        if change == "set":
            values["resolved_at"] = sa.func.now()
        elif change == "clear":
            values["resolved_at"] = None
    await update_row(
        conn,
        actor,
        _feedback,
        feedback_id,
        values,
        action="updateFeedback",
        resource="Feedback",
        details={"user_id": row["user_id"]},
    )
    return feedback_id
