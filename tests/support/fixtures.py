"""Fixtures of the mutation tests of every domain (registered by ``tests/conftest.py``):
``mutate`` runs an operation as a request would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.settings import Settings
from tests.support.harness import Mutate, Outcome, invariant_violations, run

__all__ = ["Mutate", "mutate"]


@pytest.fixture
async def mutate(
    schema: strawberry.Schema, settings: Settings, engine: AsyncEngine
) -> AsyncIterator[Mutate]:
    """Run an operation (``mutate(query, variables, viewer=...)``) in its own request context;
    after the test, the ledger invariants must hold for every viewer it acted as."""
    viewers: set[Any] = set()

    async def call(
        query: str, variables: dict[str, Any] | None = None, *, viewer: Any = None
    ) -> Outcome:
        if viewer is not None:
            viewers.add(viewer.user_id)
        return await run(schema, settings, engine, query, variables, viewer=viewer)

    yield call
    if viewers:
        async with engine.connect() as conn:
            assert await invariant_violations(conn, sorted(viewers)) == []
