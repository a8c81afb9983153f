"""The parts of a GraphQL response that both read paths write, defined once.

The general path writes them through Strawberry extensions (:class:`schema.core.errors.
FinishErrors`, :class:`schema.core.protection.QueryLimits`, :class:`schema.core.build.
SqlStatements`); the compiled read path (``gateway/compiled.py``) writes its response bytes
itself. Both take from here: the masked form of an unexpected error (logged once, with its
traceback, under the id the client sees) and the ``extensions`` members (the cost estimate,
the statement count), so that the two answers cannot drift apart.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

logger = logging.getLogger("ignition.graphql")

#: ``extensions.code`` of a masked unexpected error.
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

_MASKED = "Unexpected error (id {}); it has been logged."


def mask_unexpected(error: BaseException | None, where: str) -> tuple[str, dict[str, Any]]:
    """Log an unexpected error once (level ERROR, with its traceback) under a new id, and
    return what the client gets instead: no exception text or SQL ever reaches it.

    Args:
        error: the exception (None: logged without a traceback).
        where: where it happened, for the log line (a field path, "the compiled read path").

    Returns:
        The message (``Unexpected error (id <id>); it has been logged.``) and the error's
        ``extensions`` (``code`` ``INTERNAL_SERVER_ERROR`` and ``errorId``).
    """
    error_id = uuid.uuid4().hex[:12]
    logger.error("unexpected error %s at %s", error_id, where, exc_info=error)
    return _MASKED.format(error_id), {"code": INTERNAL_SERVER_ERROR, "errorId": error_id}


def cost_extension(requested: int | None, limit: int) -> dict[str, Any]:
    """``extensions.cost``: the operation's estimated cost (None: not estimated) and the
    limit (``schema.core.protection``)."""
    return {"cost": {"requested": requested, "limit": limit}}


def statements_extension(statements: int) -> dict[str, Any]:
    """``extensions.sqlStatements``: the read statements a request ran (the sign-in is not
    one), reported with ``IGNITION_EXPOSE_SQL_STATS`` (the benchmarks read it)."""
    return {"sqlStatements": statements}
