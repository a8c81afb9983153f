"""Who sees which rows is decided once, whatever was imported first, and by named entitlements.

Specification (docs/design.md#graphql-conventions):

- ``build_catalog()`` gives the same answer whatever the process imported before it: called
  first thing, it used to see none of the domains' ``TableSpec`` overrides and made
  ``verification_tokens`` public and ``audit_log`` owner-only. Checked in fresh interpreters,
  importing in different orders.
- ``rows:read_all`` (granted to the ``admin`` role only) is the entitlement that shows every row
  of every table; ``users:read`` no longer does.
- An admin table's rows and its root field are guarded by the same entitlement:
  ``audit_log:read`` shows the ``auditLog`` field *and* its rows (a moderator's view), and
  every root field that requires an entitlement requires its table's ``read_entitlement``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from db import metadata
from db.auth.viewer import READ_ALL_ROWS, Viewer
from schema.core.tables import build_catalog
from tests.factories import make_habit, make_user

ROOT = Path(__file__).resolve().parents[2]

#: Python snippets run before ``build_catalog()`` in a fresh interpreter.
IMPORT_ORDERS = {
    "catalog first": "",
    "schema built first": "import schema; schema.build_schema()",
    "app first": "import gateway.app",
    "loaders first": "import schema.core.loaders",
    "one domain first": "import schema.market",
    "seeds first": "import seeds",
}

_DUMP = textwrap.dedent(
    """
    import json
    from schema.core.tables import build_catalog
    catalog = build_catalog()
    print(json.dumps({
        info.name: {
            "visibility": info.visibility.value,
            "owner_fk": None if info.owner_fk is None else info.owner_fk.name,
            "order": [[c.name, desc] for c, desc in info.order],
            "relations": sorted(r.name for r in info.relations),
            "roots": [r.name for r in info.spec.roots],
            "read_entitlement": info.spec.read_entitlement,
        }
        for info in catalog
    }, sort_keys=True))
    """
)


def _catalog_after(prelude: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-c", prelude + "\n" + _DUMP],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_the_catalog_does_not_depend_on_import_order() -> None:
    catalogs = {name: _catalog_after(prelude) for name, prelude in IMPORT_ORDERS.items()}
    reference = catalogs["schema built first"]
    for name, catalog in catalogs.items():
        assert catalog == reference, f"build_catalog() differs when {name}"
    assert reference["verification_tokens"]["visibility"] == "admin"
    assert reference["audit_log"]["visibility"] == "admin"
    assert reference["audit_log"]["roots"] == ["auditLog"]
    assert reference["users"]["roots"] == ["users"]


def test_root_fields_require_their_tables_read_entitlement() -> None:
    guarded = [
        (info.name, root.entitlement)
        for info in build_catalog()
        for root in info.spec.roots
        if root.entitlement is not None
    ]
    assert ("audit_log", "audit_log:read") in guarded and ("users", "users:read") in guarded
    for table, entitlement in guarded:
        assert build_catalog()[table].spec.read_entitlement == entitlement


async def test_only_rows_read_all_shows_another_users_rows(execute: Any, db_conn: Any) -> None:
    alice = await make_user(db_conn)
    bob = await make_user(db_conn)
    habit = await make_habit(db_conn, alice, name="Alice's habit")
    query = "query($id: ID!) { habit(id: $id) { name } }"
    variables = {"id": str(habit)}

    users_reader = Viewer(bob, None, frozenset({"users:read", "audit_log:read"}))
    reads_all = Viewer(bob, None, frozenset({READ_ALL_ROWS}))

    assert (await execute(query, variables, viewer=users_reader)).data == {"habit": None}
    assert (await execute(query, variables, viewer=reads_all)).data == {
        "habit": {"name": "Alice's habit"}
    }


async def test_audit_log_read_shows_the_field_and_its_rows(execute: Any, db_conn: Any) -> None:
    await make_user(db_conn)  # creating a user writes an audit_log row
    total = (
        await db_conn.execute(sa.select(sa.func.count()).select_from(metadata.tables["audit_log"]))
    ).scalar_one()
    viewer = Viewer(await make_user(db_conn), None, frozenset({"audit_log:read"}))
    query = "{ auditLog(first: 1) { totalCount } }"

    result = await execute(query, viewer=viewer)

    assert not result.errors
    assert result.data == {"auditLog": {"totalCount": total + 1}}


async def test_the_seeded_moderator_reads_the_audit_log_but_not_every_row(
    execute: Any, db_conn: Any
) -> None:
    from db.auth.viewer import create_session_token, viewer_for_token

    alice = await make_user(db_conn)
    habit = await make_habit(db_conn, alice)
    moderator = await make_user(db_conn)
    t = metadata.tables
    role = (
        await db_conn.execute(sa.select(t["roles"].c.id).where(t["roles"].c.name == "moderator"))
    ).scalar_one()
    await db_conn.execute(sa.insert(t["user_roles"]).values(user_id=moderator, role_id=role))
    viewer = await viewer_for_token(db_conn, await create_session_token(db_conn, moderator))
    assert viewer is not None and not viewer.reads_all_rows

    result = await execute(
        "query($id: ID!) { habit(id: $id) { id } auditLog(first: 1) { totalCount } }",
        {"id": str(habit)},
        viewer=viewer,
    )

    assert not result.errors
    assert result.data["habit"] is None
    assert result.data["auditLog"]["totalCount"] >= 2
