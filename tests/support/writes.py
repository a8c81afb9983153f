"""What the tests of the domain mutations (books, goals, planning) share: the selections of the
error members of a result union, running a mutation that must leave the database as it was
(:func:`tests.support.harness.unchanged`), and reading one committed value."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.auth.viewer import Viewer
from tests.support.harness import Mutate, unchanged

#: The extra fields of the error types the tests select.
ERROR_FIELDS = {
    "InvalidInput": "field",
    "InvalidState": "status",
    "NotFound": "resource",
    "InsufficientFunds": "needed available",
    "IdempotencyKeyReused": "key",
}


def errors(*types: str) -> str:
    """The selections of a result union's error members (``DomainError`` plus the extra
    fields of ``types``)."""
    return "... on DomainError { __typename code message }\n" + "\n".join(
        f"... on {t} {{ {ERROR_FIELDS[t]} }}" for t in types
    )


async def payload_of(
    mutate: Mutate, query: str, variables: dict[str, Any], viewer: Viewer
) -> dict[str, Any]:
    """The result union of a one-field operation (no GraphQL errors allowed)."""
    result = await mutate(query, variables, viewer=viewer)
    assert result.errors == [], result.errors
    payload: dict[str, Any] = next(iter(result.data.values()))
    return payload


async def row(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    """One committed row of a query (None when there is none)."""
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(sql), params)).one_or_none()


async def value(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    """One committed value of a query."""
    async with engine.connect() as conn:
        return (await conn.execute(sa.text(sql), params)).scalar_one()


__all__ = ["ERROR_FIELDS", "errors", "payload_of", "row", "unchanged", "value"]
