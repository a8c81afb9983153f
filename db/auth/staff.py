"""Staff writes of catalog rows: create, change and deactivate one row of a catalog table,
each appending its ``audit_log`` row (the fields before and after) in the caller's transaction.

The domains' staff transitions (``db/<domain>/catalog.py``) validate their input with their own
rules, then write through these three functions, so every catalog edit is recorded the same
way (docs/admin.md). Rows that users' rows refer to are deactivated, never deleted: a user's
progress, unlocks and purchases keep pointing at them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.auth.activity import Actor, audit
from db.errors import NotFound


def _row(row: sa.Row[Any]) -> dict[str, Any]:
    return dict(row._mapping)


async def create_row(
    conn: AsyncConnection,
    actor: Actor,
    table: sa.Table,
    values: dict[str, Any],
    *,
    action: str,
    details: dict[str, Any] | None = None,
) -> Any:
    """Insert one row of ``table`` and audit it (``before`` empty, ``after`` the new row).

    Args:
        conn: a connection inside the mutation's transaction.
        actor: the staff member.
        table: the catalog table.
        values: column -> value (validated by the caller).
        action: the mutation's name, for the audit log.
        details: extra JSON for the audit row.

    Returns:
        The new row's ``id``.
    """
    row = (await conn.execute(sa.insert(table).values(**values).returning(table))).one()
    created = _row(row)
    await audit(
        conn,
        actor,
        action=action,
        resource_type=table.name,
        resource_id=created["id"],
        before=None,
        after=created,
        details=details,
    )
    return created["id"]


async def locked_row(
    conn: AsyncConnection, table: sa.Table, row_id: Any, *, resource: str
) -> dict[str, Any]:
    """The row ``row_id`` of ``table``, locked ``FOR UPDATE`` until the transaction ends.

    Raises:
        NotFound: no such row (``resource`` is its GraphQL type name).
    """
    row = (
        await conn.execute(sa.select(table).where(table.c.id == row_id).with_for_update())
    ).one_or_none()
    if row is None:
        raise NotFound(f"No such {resource}.", resource=resource)
    return _row(row)


async def update_row(
    conn: AsyncConnection,
    actor: Actor,
    table: sa.Table,
    row_id: Any,
    changes: dict[str, Any],
    *,
    action: str,
    resource: str,
    details: dict[str, Any] | None = None,
) -> Any:
    """Change some columns of one row of ``table`` and audit the fields that changed.

    Args:
        conn: a connection inside the mutation's transaction.
        actor: the staff member.
        table: the catalog table.
        row_id: the row's id.
        changes: column -> new value (validated by the caller); empty changes nothing but is
            still audited (the attempt is a staff action).
        action: the mutation's name, for the audit log.
        resource: the GraphQL type name, for ``NotFound``.
        details: extra JSON for the audit row (a reason).

    Returns:
        The row's id.

    Raises:
        NotFound: no such row.
    """
    before = await locked_row(conn, table, row_id, resource=resource)
    after = before
    if changes:
        values = dict(changes)
        if "updated_at" in table.c and "updated_at" not in values:
            values["updated_at"] = sa.func.now()
        row = (
            await conn.execute(
                sa.update(table).where(table.c.id == row_id).values(**values).returning(table)
            )
        ).one()
        after = _row(row)
    await audit(
        conn,
        actor,
        action=action,
        resource_type=table.name,
        resource_id=row_id,
        before=before,
        after=after,
        details=details,
    )
    return row_id


async def deactivate_row(
    conn: AsyncConnection,
    actor: Actor,
    table: sa.Table,
    row_id: Any,
    *,
    action: str,
    resource: str,
    column: str = "is_active",
) -> Any:
    """Set ``column`` (``is_active`` by default) to false on one row, audited: the row stays,
    so what users' rows refer to stays intact, and catalogs stop offering it.

    Raises:
        NotFound: no such row.
    """
    return await update_row(
        conn, actor, table, row_id, {column: False}, action=action, resource=resource
    )
