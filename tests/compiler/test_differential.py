"""The compiled read path answers exactly what the general path answers.

Over the demo data (two users with a month of activity in every domain), as each user, as an
admin, as a holder of a table's read entitlement and signed out:

- every table: a row by id with all its columns and every relation (one level deep, each
  connection with ``totalCount``, ``pageInfo`` and edge cursors);
- thousands of generated operations (``generator.py``): nested connections with cursors in
  both directions, filters, aliases, fragments, ``@include``/``@skip``, variables, and the
  arguments the general path rejects.

Equal means byte-identical JSON after key ordering; a request the general path answers with
an error must be one the compiler declines (so the general path answers it on both).
``IGNITION_DIFF_QUERIES`` sets the number of generated operations (default 2,000, a quarter
per viewer; a larger run: ``IGNITION_DIFF_QUERIES=20000 pytest tests/compiler -k generated -s``,
which prints how many were compiled and how many the general path rejected).
"""

from __future__ import annotations

import os
import random
from typing import Any

import pytest

from db.auth.viewer import READ_ALL_ROWS, Viewer
from schema.auth import USERS_READ
from schema.core.tables import TableInfo, build_catalog, camel
from schema.core.types import by_id_name
from tests.compiler.differential import assert_same, compare
from tests.compiler.generator import QueryGenerator, Samples

CATALOG = build_catalog()
QUERIES = int(os.environ.get("IGNITION_DIFF_QUERIES", "2000"))


def _viewers(demo: Any) -> list[Viewer | None]:
    return [
        Viewer(demo.alice),
        Viewer(demo.bob, entitlements=frozenset({USERS_READ})),
        Viewer(demo.bob, entitlements=frozenset({READ_ALL_ROWS})),
        None,
    ]


async def _both(demo: Any, query: str, variables: Any, viewer: Viewer | None) -> Any:
    from gateway.context import Context, Reader

    context = Context(
        settings=demo.settings, engine=demo.engine, reader=Reader(demo.engine), viewer=viewer
    )
    result = await demo.schema.execute(query, variable_values=variables, context_value=context)
    await context.reader.close()
    async with demo.engine.connect() as conn:
        return await compare(demo.compiler, conn, result, query, variables, viewer), result


def _full_selection(info: TableInfo) -> str:
    parts = [cf.name for cf in info.columns]
    for relation in info.relations:
        target = relation.target
        key = camel(target.pk[0].name)
        if relation.kind == "many":
            parts.append(
                f"{relation.name}(first: 3) {{ totalCount pageInfo {{ hasNextPage "
                f"hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ {key} }} }} }}"
            )
        else:
            parts.append(f"{relation.name} {{ {key} __typename }}")
    return " ".join(parts)


TABLES = [info for info in CATALOG if info.has_single_id and info.spec.by_id]


@pytest.mark.parametrize("info", TABLES, ids=[i.name for i in TABLES])
async def test_every_table_and_relation(demo: Any, info: TableInfo) -> None:
    samples = await _samples(demo)
    ids = samples.ids.get(info.name, [])[:3]
    if not ids:
        pytest.skip(f"no {info.name} rows in the demo data")
    query = f"query($id: ID!) {{ row: {by_id_name(info)}(id: $id) {{ {_full_selection(info)} }} }}"
    covered = 0
    for row_id in ids:
        for viewer in _viewers(demo):
            outcome, _ = await _both(demo, query, {"id": row_id}, viewer)
            assert_same(outcome, query, {"id": row_id})
            covered += outcome.covered
    assert covered == len(ids) * len(_viewers(demo)), "every by-id read is compiled"


_SAMPLES: dict[int, Samples] = {}


async def _samples(demo: Any) -> Samples:
    if id(demo) not in _SAMPLES:
        _SAMPLES.clear()
        _SAMPLES[id(demo)] = await Samples.load(demo.engine, CATALOG)
    return _SAMPLES[id(demo)]


VIEWERS = ["alice", "bob-users-read", "bob-read-all-rows", "signed-out"]


@pytest.mark.parametrize("who", range(len(VIEWERS)), ids=VIEWERS)
async def test_generated_queries(demo: Any, who: int) -> None:
    samples = await _samples(demo)
    generator = QueryGenerator(CATALOG, samples, random.Random(who))
    viewer = _viewers(demo)[who]
    runs = QUERIES // len(VIEWERS)
    covered = errors = 0
    for _ in range(runs):
        query, variables = generator.operation()
        outcome, result = await _both(demo, query, variables, viewer)
        assert_same(outcome, query, variables)
        covered += outcome.covered
        errors += bool(result.errors)
    print(f"{runs} generated queries: {covered} compiled, {errors} general-path errors")
    # Not vacuous: most operations are compiled, and some exercise the error paths.
    assert covered > runs * 0.75
    assert errors > runs * 0.02
