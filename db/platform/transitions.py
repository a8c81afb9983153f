"""Platform transitions: the viewer's ideas, inbox items and reference-library entries
(create, update: pin, archive, tags and the rest, delete), and submitting feedback. The rules
are :mod:`db.platform.rules`; every field is checked before any SQL.

Only the viewer's rows are found (another user's id is ``NotFound``). Every transition appends
an ``activity_events`` row (category ``platform``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.activity import record_activity
from db.fields import Rule, clean
from db.ownership import delete_owned, update_owned
from db.platform.models import FeedbackStatus
from db.platform.rules import (
    FEEDBACK_FIELDS,
    FEEDBACK_REQUIRED,
    IDEA_FIELDS,
    INBOX_FIELDS,
    REFERENCE_FIELDS,
    TITLE_REQUIRED,
    check_metadata,
    check_url,
)

#: The activity feed's category of these transitions.
CATEGORY = "platform"


def _no_check(values: Mapping[str, Any]) -> None:
    """Rows whose fields need no check beyond their rules."""


def _reference_check(values: Mapping[str, Any]) -> None:
    check_url(values.get("url"))


@dataclass(frozen=True)
class Kind:
    """A kind of row a user keeps (an idea, an inbox item, a reference-library entry).

    Attributes:
        table: its table (``ideas``), owned through ``user_id``.
        fields: the rules of the columns a client sets.
        resource: the GraphQL type for ``NotFound`` (``Idea``).
        what: its name in messages and activity events (``idea``).
        extra: a check of the cleaned values beyond the rules (a link's scheme).
    """

    table: sa.Table
    fields: Mapping[str, Rule]
    resource: str
    what: str
    extra: Callable[[Mapping[str, Any]], None] = _no_check


IDEA = Kind(metadata.tables["ideas"], IDEA_FIELDS, "Idea", "idea")
INBOX_ITEM = Kind(metadata.tables["inbox_items"], INBOX_FIELDS, "InboxItem", "inbox_item")
USER_REFERENCE = Kind(
    metadata.tables["user_references"],
    REFERENCE_FIELDS,
    "UserReference",
    "user_reference",
    _reference_check,
)


async def create_row(
    conn: AsyncConnection, kind: Kind, user_id: uuid.UUID, values: Mapping[str, Any]
) -> uuid.UUID:
    """Create one of the user's rows of ``kind``.

    Args:
        values: columns of ``kind.fields`` (``title`` required; absent ones take their
            database defaults).

    Returns:
        The new row's id.

    Raises:
        InvalidInput: a field its rule refuses (``field`` names it).
    """
    row = clean(values, kind.fields, required=TITLE_REQUIRED)
    kind.extra(row)
    table = kind.table
    row_id = (
        await conn.execute(sa.insert(table).values(user_id=user_id, **row).returning(table.c.id))
    ).scalar_one()
    await record_activity(
        conn,
        user_id,
        f"{kind.what}.created",
        CATEGORY,
        {f"{kind.what}_id": str(row_id), "title": row["title"]},
    )
    return uuid.UUID(str(row_id))


async def update_row(
    conn: AsyncConnection,
    kind: Kind,
    user_id: uuid.UUID,
    row_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> uuid.UUID:
    """Change the given fields of the user's row of ``kind`` (pin, archive, tags, text...;
    a key absent from ``changes`` keeps its value, None clears an optional one).

    Returns:
        The row's id.

    Raises:
        InvalidInput: nothing to change, or a field its rule refuses.
        NotFound: no such row of the user.
    """
    values = clean(changes, kind.fields, partial=True)
    kind.extra(values)
    await update_owned(
        conn, kind.table, row_id, user_id, values, resource=kind.resource, what=kind.what
    )
    await record_activity(
        conn,
        user_id,
        f"{kind.what}.updated",
        CATEGORY,
        {f"{kind.what}_id": str(row_id), "fields": sorted(values)},
    )
    return row_id


async def delete_row(
    conn: AsyncConnection, kind: Kind, user_id: uuid.UUID, row_id: uuid.UUID
) -> uuid.UUID:
    """Delete the user's row of ``kind``.

    Returns:
        The deleted row's id.

    Raises:
        NotFound: no such row of the user.
    """
    row = await delete_owned(
        conn, kind.table, row_id, user_id, resource=kind.resource, what=kind.what
    )
    await record_activity(
        conn,
        user_id,
        f"{kind.what}.deleted",
        CATEGORY,
        {f"{kind.what}_id": str(row_id), "title": row.title},
    )
    return row_id


async def submit_feedback(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    values: Mapping[str, Any],
    context: Any = None,
) -> uuid.UUID:
    """Record a bug report, feature wish, praise or other feedback of the user, ``open`` and of
    ``normal`` priority (triage is the moderators', entitlement ``feedback:moderate``).

    Args:
        values: columns of :data:`~db.platform.rules.FEEDBACK_FIELDS` (``feedback_type`` and
            ``title`` required).
        context: the ``metadata`` JSON object (page, app version, ...; see
            :func:`~db.platform.rules.check_metadata`).

    Returns:
        The new ``feedback`` id.

    Raises:
        InvalidInput: a field its rule refuses, or malformed ``metadata``.
    """
    row = clean(values, FEEDBACK_FIELDS, required=FEEDBACK_REQUIRED)
    details = check_metadata(context)
    table = metadata.tables["feedback"]
    feedback_id = (
        await conn.execute(
            sa.insert(table)
            .values(user_id=user_id, status=FeedbackStatus.OPEN.value, metadata=details, **row)
            .returning(table.c.id)
        )
    ).scalar_one()
    await record_activity(
        conn,
        user_id,
        "feedback.submitted",
        CATEGORY,
        {"feedback_id": str(feedback_id), "feedback_type": row["feedback_type"]},
    )
    return uuid.UUID(str(feedback_id))


__all__ = [
    "CATEGORY",
    "IDEA",
    "INBOX_ITEM",
    "USER_REFERENCE",
    "Kind",
    "create_row",
    "delete_row",
    "submit_feedback",
    "update_row",
]
