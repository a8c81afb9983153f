"""The activity feed and the audit log: what every transition appends
(docs/design.md#activity-and-audit: every transition appends an ``activity_events`` row;
administrative and security actions append an ``audit_log`` row)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.models import AuditStatus

_activity = metadata.tables["activity_events"]
_audit = metadata.tables["audit_log"]


async def record_activity(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    event_type: str,
    category: str,
    metadata: dict[str, Any] | None = None,
    *,
    xp: int = 0,
    coins: int = 0,
) -> uuid.UUID:
    """Append one ``activity_events`` row in the caller's transaction.

    Args:
        conn: a connection inside the transition's transaction.
        user_id: whose feed.
        event_type: ``domain.thing.happened`` (``focus.session.completed``).
        category: the feed's grouping (``focus``, ``market``, ``habits``, ...).
        metadata: JSON details (ids as strings).
        xp: XP earned by this event (>= 0; spends and reversals record 0).
        coins: coins earned by this event (>= 0).

    Returns:
        The new row's id.
    """
    result = await conn.execute(
        sa.insert(_activity)
        .values(
            user_id=user_id,
            event_type=event_type,
            category=category,
            metadata=metadata or {},
            xp_earned=max(xp, 0),
            coins_earned=max(coins, 0),
        )
        .returning(_activity.c.id)
    )
    return uuid.UUID(str(result.scalar_one()))


async def record_audit(
    conn: AsyncConnection,
    *,
    actor_id: uuid.UUID | None,
    event_type: str,
    resource_type: str,
    resource_id: str,
    action: str,
    details: dict[str, Any] | None = None,
    session_id: uuid.UUID | None = None,
    request_id: str | None = None,
    status: AuditStatus = AuditStatus.SUCCESS,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> uuid.UUID:
    """Append one ``audit_log`` row (an admin or security action) in the caller's transaction.

    Args:
        conn: a connection inside the action's transaction.
        actor_id: the user who acted (the admin), or None for the system.
        event_type: what happened (``wallet.adjusted``).
        resource_type: the kind of row acted on (``user_wallet``).
        resource_id: its id.
        action: the verb (``grant``).
        details: JSON details (amounts, reason, target user).
        session_id: the actor's session, when known.
        request_id: the request id of the API call, when known.
        status: the outcome.
        ip_address: the address the action came from, when known.
        user_agent: the client it came from, when known.

    Returns:
        The new row's id.
    """
    result = await conn.execute(
        sa.insert(_audit)
        .values(
            user_id=actor_id,
            session_id=session_id,
            event_type=event_type,
            resource_type=resource_type,
            resource_id=resource_id,
            action=action,
            status=status,
            details=details or {},
            request_id=request_id,
            ip_address=ip_address,
            user_agent=user_agent,
        )
        .returning(_audit.c.id)
    )
    return uuid.UUID(str(result.scalar_one()))
