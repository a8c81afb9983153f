"""Liveness and readiness endpoints for process supervisors and load balancers.

``/healthz`` answers 200 as long as the process serves requests. ``/readyz`` answers 200 only
when a pooled connection can be had within :data:`READY_TIMEOUT_S`, the database answers on it
and its schema is at the migrations' head; 503 with a reason otherwise (so a load balancer
drains, and an orchestrator restarts, an instance that lost its database, whose pool is
exhausted or wedged, or that runs new code on an unmigrated schema).
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.bootstrap import database_is_at_head
from gateway.database import short_connection

#: Seconds /readyz waits for the database before answering 503.
READY_TIMEOUT_S = 2.0


class ORJSONResponse(JSONResponse):
    """A JSON response serialized with orjson."""

    def render(self, content: Any) -> bytes:
        """Serialize ``content`` to JSON bytes."""
        return orjson.dumps(content)


async def healthz(request: Request) -> Response:
    """Liveness: 200 ``{"status": "ok"}`` while the process lives; never touches the database."""
    return ORJSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: 200 ``{"status": "ready"}`` when ``select 1`` works and the schema is at head.

    Otherwise 503 ``{"status": "unavailable", "reason": ...}``; the reason names the failure
    (not started, database unreachable or slow, schema not at head) without internal details.
    """
    engine: AsyncEngine | None = getattr(request.app.state, "engine", None)
    if engine is None:
        return _unavailable("starting")
    try:
        async with asyncio.timeout(READY_TIMEOUT_S), short_connection(engine) as conn:
            await conn.execute(text("select 1"))
            at_head = await database_is_at_head(conn)
    except TimeoutError:
        return _unavailable(f"no database connection answered within {READY_TIMEOUT_S:g}s")
    except (SQLAlchemyError, OSError) as exc:
        return _unavailable(f"database unreachable ({type(exc).__name__})")
    if not at_head:
        return _unavailable("database schema is not at the latest migration")
    return ORJSONResponse({"status": "ready"})


def _unavailable(reason: str) -> Response:
    return ORJSONResponse({"status": "unavailable", "reason": reason}, status_code=503)


#: The routes of this module, for :func:`gateway.app.create_app`.
routes = [
    Route("/healthz", healthz, methods=["GET", "HEAD"]),
    Route("/readyz", readyz, methods=["GET", "HEAD"]),
]
