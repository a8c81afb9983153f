"""Idempotency keys for mutations that award or spend (docs/design.md#idempotency; Stripe's
semantics, brandur's "Implementing Stripe-like Idempotency Keys in Postgres").

:func:`run_idempotent` runs one transition under a key, inside the mutation's transaction:

1. ``INSERT ... ON CONFLICT DO NOTHING`` claims ``(user_id, key)``. A concurrent call with the
   same key blocks on the unique index until the first call's transaction ends: then it sees
   the committed row (READ COMMITTED: a new statement, a new snapshot) and replays its outcome;
   if the first call rolled back, it claims the key itself. So replays racing the first call
   wait for it and return its outcome, never an "in progress" error.
2. The transition runs inside a SAVEPOINT. A :class:`~db.errors.DomainError` rolls the work
   back to it, and the error itself becomes the recorded outcome: the replay raises the same
   error, and the database keeps nothing of the failed call but the key's record.
3. The outcome (the JSON the transition returned, or the error) is stored with the key and
   commits with the work.

A replay with the same key but other arguments (or another mutation) raises
:class:`~db.errors.IdempotencyKeyReused`. Keys are pruned after a retention period
(:func:`prune`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.bounds import Text
from db.errors import DomainError, IdempotencyKeyReused, InvalidInput

#: Longest idempotency key, in characters (docs/design.md#idempotency).
MAX_KEY_LENGTH = 255
#: The bound of every ``idempotencyKey`` input (the mutation machinery checks and states it).
KEY_TEXT = Text(MAX_KEY_LENGTH, 1)

_keys = metadata.tables["idempotency_keys"]

# The statements of :func:`run_idempotent`, built once: a call binds its values at execution.
_CLAIM = (
    insert(_keys).on_conflict_do_nothing(index_elements=["user_id", "key"]).returning(_keys.c.id)
)
_RECORDED = sa.select(_keys.c.operation, _keys.c.fingerprint, _keys.c.outcome).where(
    _keys.c.user_id == sa.bindparam("owner"), _keys.c.key == sa.bindparam("given_key")
)
_STORE = sa.update(_keys).where(_keys.c.id == sa.bindparam("claimed_id"))

Outcome = dict[str, Any]


def fingerprint(operation: str, arguments: dict[str, Any]) -> str:
    """SHA-256 hex digest of the mutation name and its arguments (keys sorted, the key itself
    excluded by the caller), what decides "the same request"."""
    body = orjson.dumps(
        {"operation": operation, "arguments": arguments},
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        default=str,
    )
    return hashlib.sha256(body).hexdigest()


def check_key(key: str, field: str = "idempotencyKey") -> None:
    """Refuse a key that is empty, only whitespace (a client that sends "   " for every
    request has no key at all, and would get its first outcome back forever) or longer than
    :data:`MAX_KEY_LENGTH` characters.

    Raises:
        InvalidInput: naming ``field``.
    """
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidInput(f"`{field}` must be 1 to {MAX_KEY_LENGTH} characters long.", field=field)
    if not key.strip():
        raise InvalidInput(f"`{field}` must not be only whitespace.", field=field)


async def run_idempotent(
    conn: AsyncConnection,
    *,
    user_id: uuid.UUID,
    key: str,
    operation: str,
    arguments: dict[str, Any],
    work: Callable[[], Awaitable[Outcome]],
    key_field: str = "idempotencyKey",
    prepare: Callable[[], Awaitable[None]] | None = None,
) -> Outcome:
    """Run ``work`` once per ``(user_id, key)``, in the caller's transaction.

    Args:
        conn: a connection inside the mutation's (READ COMMITTED) transaction.
        user_id: the viewer; keys are per user.
        key: the client's idempotency key (1-255 characters).
        operation: the mutation's name (``purchaseMarketItem``).
        arguments: the mutation's arguments without the key, JSON-serialisable.
        work: the transition; returns a JSON-serialisable outcome (ids of what it changed).
        key_field: the argument path of the key, for :class:`InvalidInput`.
        prepare: runs once the key is claimed (not on a replay), outside the savepoint of
            ``work``: its writes commit whatever the outcome of ``work``.

    Returns:
        The outcome of the first call with this key (now, or replayed): ``{"ok": <what work
        returned>}`` or a domain error's :meth:`~db.errors.DomainError.to_outcome`. Errors are
        returned, not raised, so that the caller commits the key's record with them; raise
        them after the commit with :func:`unwrap`.

    Raises:
        IdempotencyKeyReused: the key was used with other arguments or another mutation
            (nothing was written: roll back).
        InvalidInput: the key is empty or too long.
    """
    check_key(key, key_field)
    print_ = fingerprint(operation, arguments)
    claimed = (
        await conn.execute(
            _CLAIM,
            {"user_id": user_id, "key": key, "operation": operation, "fingerprint": print_},
        )
    ).scalar_one_or_none()
    if claimed is None:
        row = (await conn.execute(_RECORDED, {"owner": user_id, "given_key": key})).one()
        if row.operation != operation or row.fingerprint != print_:
            raise IdempotencyKeyReused(key=key)
        result: Outcome = row.outcome
        return result
    if prepare is not None:
        await prepare()
    try:
        async with conn.begin_nested():
            outcome: Outcome = {"ok": await work()}
    except DomainError as error:
        outcome = error.to_outcome()
    await conn.execute(_STORE, {"claimed_id": claimed, "outcome": outcome})
    return outcome


def unwrap(outcome: Outcome) -> Any:
    """The value of an outcome of :func:`run_idempotent`.

    Raises:
        DomainError: the outcome is an error.
    """
    if "error" in outcome:
        raise DomainError.from_outcome(outcome)
    return outcome["ok"]


async def prune(conn: AsyncConnection, *, older_than_seconds: float) -> int:
    """Delete the keys created more than ``older_than_seconds`` seconds ago.

    Returns:
        The number of keys deleted.
    """
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    result = await conn.execute(sa.delete(_keys).where(_keys.c.created_at < cutoff))
    return int(result.rowcount or 0)
