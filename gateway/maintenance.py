"""Periodic upkeep of the database inside the server process: expiring overdue focus sessions,
pruning old idempotency keys and long-expired sign-in sessions.

One asyncio task per process (:func:`run_maintenance`), started and stopped by the app's
lifespan (:func:`maintenance_task`). Every ``settings.maintenance_interval_s`` seconds it runs
one short transaction of each kind; a failure (the database restarting, a statement timeout) is
logged and retried at the next tick, never fatal. Several processes may run it at once: the
sweep skips rows another transaction holds (``FOR UPDATE SKIP LOCKED``) and pruning is a plain
``DELETE`` by age, so they do not wait for each other and do nothing twice.

Own code rather than a scheduler library: it is one loop around two statements, and it must
live and die with the lifespan's engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.sessions import prune_expired
from db.events.idempotency import prune
from db.focus.transitions import expire_overdue

logger = logging.getLogger(__name__)

#: Sessions expired per transaction; the sweep goes on while a batch comes back full.
SWEEP_BATCH = 500
#: Default of ``session_retention_s``: expired sign-in sessions are kept 30 days.
SESSION_RETENTION_S = 30 * 24 * 3600.0


@dataclass
class SweepResult:
    """What one maintenance pass did: focus sessions expired, idempotency keys deleted,
    expired sign-in sessions deleted."""

    expired_sessions: int = 0
    pruned_keys: int = 0
    pruned_sign_in_sessions: int = 0


async def sweep_once(
    engine: AsyncEngine,
    *,
    key_retention_s: float,
    session_retention_s: float = SESSION_RETENTION_S,
) -> SweepResult:
    """One maintenance pass: expire every overdue focus session (in batches of
    :data:`SWEEP_BATCH`, one transaction each), delete idempotency keys older than
    ``key_retention_s`` seconds and sign-in sessions expired more than
    ``session_retention_s`` seconds ago.

    Returns:
        The :class:`SweepResult`.
    """
    result = SweepResult()
    while True:
        async with engine.begin() as conn:
            expired = await expire_overdue(conn, limit=SWEEP_BATCH)
        result.expired_sessions += len(expired)
        if len(expired) < SWEEP_BATCH:
            break
    async with engine.begin() as conn:
        result.pruned_keys = await prune(conn, older_than_seconds=key_retention_s)
    async with engine.begin() as conn:
        result.pruned_sign_in_sessions = await prune_expired(
            conn, older_than_seconds=session_retention_s
        )
    return result


async def run_maintenance(
    engine: AsyncEngine,
    *,
    interval_s: float,
    key_retention_s: float,
    session_retention_s: float = SESSION_RETENTION_S,
) -> None:
    """Run :func:`sweep_once` every ``interval_s`` seconds until cancelled (the first pass at
    once). Errors of a pass are logged, not raised; cancellation ends the loop (an open
    transaction is rolled back and its connection returned by ``engine.begin()``)."""
    while True:
        try:
            result = await sweep_once(
                engine, key_retention_s=key_retention_s, session_retention_s=session_retention_s
            )
            if result.expired_sessions or result.pruned_keys or result.pruned_sign_in_sessions:
                logger.info(
                    "maintenance: %d focus sessions expired, %d idempotency keys and %d expired "
                    "sign-in sessions pruned",
                    result.expired_sessions,
                    result.pruned_keys,
                    result.pruned_sign_in_sessions,
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("maintenance pass failed; retrying in %.0f s", interval_s)
        await asyncio.sleep(interval_s)


@contextlib.asynccontextmanager
async def maintenance_task(
    engine: AsyncEngine,
    *,
    interval_s: float,
    key_retention_s: float,
    session_retention_s: float = SESSION_RETENTION_S,
) -> AsyncIterator[asyncio.Task[None]]:
    """Run :func:`run_maintenance` in a task for the duration of the ``async with`` block;
    at exit the task is cancelled and awaited, so nothing of it outlives the engine."""
    task = asyncio.create_task(
        run_maintenance(
            engine,
            interval_s=interval_s,
            key_retention_s=key_retention_s,
            session_retention_s=session_retention_s,
        ),
        name="ignition-maintenance",
    )
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


__all__ = [
    "SESSION_RETENTION_S",
    "SWEEP_BATCH",
    "SweepResult",
    "maintenance_task",
    "run_maintenance",
    "sweep_once",
]
