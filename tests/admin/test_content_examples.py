"""The content catalogs' matrix examples (tests/admin/examples/content.py) cover every
generated mutation and succeed as an admin, in process (the matrix sends them as each role
through the real server)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.core.catalog import CATALOG
from schema.core.mutations import declared
from tests.admin.examples import game
from tests.admin.examples.content import EXAMPLES
from tests.support.harness import Mutate, committed_user
from tests.support.writes import payload_of


def test_every_content_mutation_has_an_example() -> None:
    """Every mutation :func:`schema.core.catalog.catalog_mutations` declares has an example:
    here, or among the game catalogs' (tests/admin/test_game_catalog.py runs those)."""
    generated = {n for n, d in declared().items() if d.fn.__module__ == "schema.core.catalog"}
    content = generated - set(game.EXAMPLES)
    assert content == set(EXAMPLES)
    assert {declared()[n].entitlement for n in content} == {CATALOG}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
async def test_example_succeeds_as_admin(mutate: Mutate, engine: AsyncEngine, name: str) -> None:
    admin = await committed_user(engine, admin=True)
    example = EXAMPLES[name]
    payload = await payload_of(mutate, example.document, await example.variables(engine), admin)
    assert payload["__typename"].endswith("Success"), payload
