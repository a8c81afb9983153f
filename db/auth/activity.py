"""The activity feed and the audit log: what every transition appends
(docs/design.md#activity-and-audit: every transition appends an ``activity_events`` row;
administrative and security actions append an ``audit_log`` row)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.auth.models import AuditStatus

_activity = metadata.tables["activity_events"]
_audit = metadata.tables["audit_log"]
# The inserts of :func:`record_activity` and :func:`record_audit`, built once (their values are
# bound at execution, every column each time), so an append pays no statement construction.
_INSERT_ACTIVITY = sa.insert(_activity).returning(_activity.c.id)
_INSERT_AUDIT = sa.insert(_audit).returning(_audit.c.id)


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
        _INSERT_ACTIVITY,
        {
            "user_id": user_id,
            "event_type": event_type,
            "category": category,
            "metadata": metadata or {},
            "xp_earned": max(xp, 0),
            "coins_earned": max(coins, 0),
        },
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
    conn.info[AUDITS_KEY] = conn.info.get(AUDITS_KEY, 0) + 1
    result = await conn.execute(
        _INSERT_AUDIT,
        {
            "user_id": actor_id,
            "session_id": session_id,
            "event_type": event_type,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "action": action,
            "status": status,
            "details": details or {},
            "request_id": request_id,
            "ip_address": ip_address,
            "user_agent": user_agent,
        },
    )
    return uuid.UUID(str(result.scalar_one()))


#: ``conn.info`` key counting the ``audit_log`` rows a transaction appended: the mutation
#: machinery refuses to commit a staff mutation whose body audited nothing
#: (schema/core/mutations.py).
AUDITS_KEY = "ignition.audits"


@dataclass(frozen=True)
class Actor:
    """Who performs a staff action, as the audit log records it.

    Attributes:
        user_id: the acting user (``users.id``).
        session_id: the session whose token the request carried, when known.
        request_id: the API request's id (the ``X-Request-ID`` the response carries).
        ip_address: the client's address, when known.
        user_agent: the client's ``User-Agent``, when known.
    """

    user_id: uuid.UUID
    session_id: uuid.UUID | None = None
    request_id: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "value") and isinstance(value.value, str):  # an enum member
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """The audit ``details`` of a change: ``{"before": {...}, "after": {...}}`` holding only the
    fields whose value differs (every field of ``after`` for a creation, of ``before`` for a
    removal), as JSON (ids and times as text, enums as their values).

    Args:
        before: the row's columns before the change (None: created).
        after: the row's columns after the change (None: removed).
    """
    before = before or {}
    after = after or {}
    keys = [k for k in dict.fromkeys((*before, *after)) if before.get(k) != after.get(k)]
    return {
        "before": {k: _jsonable(before.get(k)) for k in keys if k in before},
        "after": {k: _jsonable(after.get(k)) for k in keys if k in after},
    }


async def audit(
    conn: AsyncConnection,
    actor: Actor,
    *,
    action: str,
    resource_type: str,
    resource_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    status: AuditStatus = AuditStatus.SUCCESS,
) -> uuid.UUID:
    """Append the ``audit_log`` row of one staff action in the caller's transaction (Saleor's
    habit: every staff change recorded with who, what and the fields before and after).

    Args:
        conn: a connection inside the action's transaction (a refused action: a transaction
            of its own, since the refusal rolls the action back).
        actor: who acted, from which session, request, address and client.
        action: the verb, as the audit log's ``event_type`` and ``action``: the mutation's
            name (``createMarketItem``).
        resource_type: the table acted on (``market_items``), or ``"mutation"`` for a refusal
            before any row was found.
        resource_id: the row's id (text in the log), or the mutation name.
        before: the row's columns before (None: created); only changed fields are kept.
        after: the row's columns after (None: removed).
        details: more JSON (a reason, the target user), merged beside ``before``/``after``.
        status: ``success``, or ``denied`` for a refused attempt.

    Returns:
        The new ``audit_log`` row's id.
    """
    body: dict[str, Any] = {}
    if before is not None or after is not None:
        body.update(changes(before, after))
    body.update(_jsonable(details or {}))
    return await record_audit(
        conn,
        actor_id=actor.user_id,
        session_id=actor.session_id,
        request_id=actor.request_id,
        ip_address=actor.ip_address,
        user_agent=actor.user_agent,
        event_type=action,
        resource_type=resource_type,
        resource_id=str(resource_id),
        action=action,
        details=body,
        status=status,
    )
