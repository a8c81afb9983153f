"""Running an operation in process the way a request does, with its full result (errors with
their ``extensions``, the response's ``extensions``) and its SQL statement count."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import ExecutionResult

from db.auth.viewer import Viewer
from gateway.context import Context, Reader
from gateway.settings import Settings


async def run_request(
    schema: strawberry.Schema,
    settings: Settings,
    engine: AsyncEngine,
    query: str,
    variables: dict[str, Any] | None = None,
    viewer: Viewer | None = None,
    operation_name: str | None = None,
) -> tuple[ExecutionResult, int]:
    """Execute ``query`` in a fresh context whose reader takes a pooled connection only when
    it runs a statement; returns the result and the number of SQL statements run."""
    reader = Reader(engine)
    context = Context(settings=settings, engine=engine, reader=reader, viewer=viewer)
    try:
        result = await schema.execute(
            query, variable_values=variables, context_value=context, operation_name=operation_name
        )
    finally:
        await reader.close()
    return result, reader.statements


def codes(result: ExecutionResult) -> list[str | None]:
    """The ``extensions.code`` of each error of a result."""
    return [(e.extensions or {}).get("code") for e in result.errors or []]
