"""Every table is readable through its generated type: each column a field of the right
GraphQL type (enums, JSON, base64 bytes, 64-bit integers, dates), each forward relation
resolvable. Generated from the model list, grouped by domain."""

from __future__ import annotations

from typing import Any

import pytest

from db import DOMAINS
from db.auth.viewer import READ_ALL_ROWS, Viewer
from schema.core.tables import TableInfo, build_catalog, camel
from tests.api.demo_db import owned_tables

owned_tables()  # builds the schema, so the catalog knows every spec
CATALOG = build_catalog()
CASES = [
    (domain, CATALOG[name])
    for domain, names in DOMAINS.items()
    for name in names
    if name in CATALOG.tables and CATALOG[name].has_single_id
]


@pytest.mark.parametrize(("domain", "info"), CASES, ids=[f"{d}-{i.name}" for d, i in CASES])
async def test_a_row_reads_with_all_its_fields(demo: Any, domain: str, info: TableInfo) -> None:
    rows = (
        await demo.rows_by_owner(info, demo.alice)
        if info.visibility.value != "public"
        else await _any_rows(demo, info)
    )
    if not rows:
        pytest.skip(f"no {info.name} rows in the demo data")
    fields = " ".join(c.name for c in info.columns)
    forward = " ".join(f"{r.name} {{ __typename }}" for r in info.relations if r.kind == "forward")
    by_id = camel(info.type_name[0].lower() + info.type_name[1:])
    query = f"query($id: ID!) {{ row: {by_id}(id: $id) {{ {fields} {forward} }} }}"
    viewer = Viewer(demo.alice, None, frozenset({READ_ALL_ROWS}))  # admin-only tables too
    result = await demo.execute(query, {"id": str(rows[0].id)}, viewer=viewer)
    assert not result.errors, result.errors
    row = result.data["row"]
    assert row is not None and row["id"] == str(rows[0].id)
    for column in info.columns:
        value = row[column.name]
        if value is not None and column.kind == "bytes":
            import base64

            base64.b64decode(value, validate=True)


async def _any_rows(demo: Any, info: TableInfo) -> list[Any]:
    import sqlalchemy as sa

    async with demo.engine.connect() as conn:
        return list((await conn.execute(sa.select(info.table.c.id).limit(1))).all())
