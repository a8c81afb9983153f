"""Another user's rows are absent, not forbidden, on every path
(docs/design.md#graphql-conventions). Generated from the model list: for every user-owned table, a
row of Alice's is
looked up by id, reached from the public catalogs through every relation into the table, and listed
under ``me``, as Bob, as a signed-out client, and as Alice herself."""

from __future__ import annotations

from typing import Any

import pytest

from db.visibility import Visibility
from schema.core.tables import TableInfo, build_catalog, camel
from tests.api.demo_db import owned_tables

OWNED = owned_tables()


def _by_id_field(info: TableInfo) -> str:
    return camel(info.type_name[0].lower() + info.type_name[1:])


@pytest.mark.parametrize("info", OWNED, ids=[i.name for i in OWNED])
async def test_rows_of_another_user_are_absent(demo: Any, info: TableInfo) -> None:
    alice_rows = await demo.rows_by_owner(info, demo.alice)
    bob_rows = await demo.rows_by_owner(info, demo.bob)
    assert alice_rows and bob_rows, f"the demo data has no {info.name} rows for both users"
    catalog = build_catalog()

    # 1. lookup by id
    if info.has_single_id:
        query = f"query($id: ID!) {{ node: {_by_id_field(info)}(id: $id) {{ id }} }}"
        for row in alice_rows:
            variables = {"id": str(row.id)}
            mine = await demo.execute(query, variables, viewer=demo.alice)
            assert not mine.errors and mine.data["node"] == {"id": str(row.id)}
            for outsider in (demo.bob, None):
                theirs = await demo.execute(query, variables, viewer=outsider)
                assert not theirs.errors and theirs.data["node"] is None, (info.name, outsider)

    # 2. through every relation from a public parent into this table
    for relation in info.relations:
        if relation.kind == "forward" or relation.child is not info:
            continue
        parent = relation.parent
        if parent.visibility is not Visibility.PUBLIC or not parent.has_single_id:
            continue
        fk_key = info.key_of[relation.fk_column.name]
        pk = info.pk[0].name
        selection = (
            f"{relation.name}(first: 100) {{ edges {{ node {{ {camel(pk)} }} }} }}"
            if relation.kind == "many"
            else f"{relation.name} {{ {camel(pk)} }}"
        )
        query = f"query($id: ID!) {{ parent: {_by_id_field(parent)}(id: $id) {{ {selection} }} }}"
        for row in alice_rows:
            parent_id = getattr(row, fk_key, None)
            if parent_id is None:
                continue
            for outsider in (demo.bob, None):
                result = await demo.execute(query, {"id": str(parent_id)}, viewer=outsider)
                assert not result.errors, result.errors
                found = result.data["parent"][relation.name]
                nodes = (
                    [e["node"] for e in found["edges"]]
                    if relation.kind == "many"
                    else [found]
                    if found
                    else []
                )
                leaked = {str(getattr(r, pk)) for r in alice_rows} & {n[camel(pk)] for n in nodes}
                assert not leaked, f"{parent.type_name}.{relation.name} shows Alice's {info.name}"

    # 3. under me: Bob's connection of this table holds only Bob's rows
    users = catalog["users"]
    for relation in users.relations:
        if relation.child is not info or relation.kind != "many" or not info.has_single_id:
            continue
        query = f"{{ me {{ {relation.name}(first: 100) {{ edges {{ node {{ id }} }} }} }} }}"
        result = await demo.execute(query, viewer=demo.bob)
        ids = {e["node"]["id"] for e in result.data["me"][relation.name]["edges"]}
        assert ids and not ids & {str(r.id) for r in alice_rows}, (info.name, relation.name)


def test_the_sweep_covers_every_user_owned_table() -> None:
    names = {info.name for info in OWNED}
    assert len(names) >= 50
    assert {
        "users",
        "points_ledger",
        "habit_completions",
        "goal_milestones",
        "analysis_frame_data",
        "program_workouts",
        "exercise_sets",
    } <= names
