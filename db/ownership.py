"""Which rows belong to which user, derived once from the foreign keys (docs/design.md#the-schema:
"every user-owned row has ``user_id`` FK to ``users(id)``", children of owned rows cascade).

The GraphQL layer builds its visibility rules on it, the demo data and the tests count and
check rows per owner with it.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.errors import NotFound


@functools.cache
def ownership_paths() -> Mapping[str, tuple[sa.ForeignKey, ...]]:
    """Every user-owned table -> the foreign keys that lead from it to its owner.

    ``users`` and the tables with a ``user_id -> users.id`` column have an empty path (the owner
    is their ``id`` / ``user_id``); a table without one is owned when it references an owned
    table (other than ``users``) through an ``ON DELETE CASCADE`` foreign key, and its path
    continues from there (``goal_milestones`` -> ``goals``). Catalogs are absent.

    When a table has several such foreign keys, the first by column name is taken (all lead
    to the same owner).
    """
    paths: dict[str, tuple[sa.ForeignKey, ...]] = {"users": ()}
    for table in metadata.sorted_tables:
        column = table.c.get("user_id")
        if column is not None and any(
            fk.column.table.name == "users" for fk in column.foreign_keys
        ):
            paths[table.name] = ()
    changed = True
    while changed:
        changed = False
        for table in metadata.sorted_tables:
            if table.name in paths:
                continue
            for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
                parent = fk.column.table.name
                if fk.ondelete == "CASCADE" and parent in paths and parent != "users":
                    paths[table.name] = (fk, *paths[parent])
                    changed = True
                    break
    return paths


def owner_of(table_name: str) -> tuple[sa.FromClause, sa.ColumnElement[uuid.UUID]]:
    """The table joined up its ownership path, and the column holding the owner's user id
    (for ``GROUP BY`` owner counts).

    Raises:
        KeyError: the table is not user-owned.
    """
    table = metadata.tables[table_name]
    joined: sa.FromClause = table
    current = table
    for fk in ownership_paths()[table_name]:
        joined = joined.join(fk.column.table, fk.parent == fk.column)
        current = fk.column.table
    return joined, current.c.id if table_name == "users" else current.c.user_id


def owned_by(table_name: str, user_ids: Collection[uuid.UUID]) -> sa.ColumnElement[bool]:
    """SQL: the row of ``table_name`` belongs to one of ``user_ids`` (nested ``IN`` subqueries
    along the ownership path, usable in any WHERE clause).

    Raises:
        KeyError: the table is not user-owned.
    """
    path = ownership_paths()[table_name]
    table = metadata.tables[table_name]
    if not path:
        return (table.c.id if table_name == "users" else table.c.user_id).in_(list(user_ids))
    fk = path[0]
    return fk.parent.in_(sa.select(fk.column).where(owned_by(fk.column.table.name, user_ids)))


@functools.cache
def _lock_owned_statement(table: sa.Table) -> sa.Select[Any]:
    """``SELECT * FROM table WHERE id = :row_id AND user_id = :owner FOR UPDATE``, built once
    per table (:func:`lock_owned` runs it in many transitions)."""
    return (
        sa.select(table)
        .where(table.c.id == sa.bindparam("row_id"), table.c.user_id == sa.bindparam("owner"))
        .with_for_update()
    )


async def lock_owned(
    conn: AsyncConnection,
    table: sa.Table,
    row_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    resource: str,
    what: str,
) -> Any:
    """The row ``row_id`` of ``table`` owned by ``user_id`` (its ``user_id`` column), locked
    ``FOR UPDATE`` in the caller's transaction.

    Args:
        conn: a connection inside the transition's transaction.
        table: a table with a ``user_id`` owner column (``habits``, ``user_quests``).
        row_id: the row's ``id``.
        user_id: the viewer.
        resource: the GraphQL type name for the error (``Habit``).
        what: the row's name in the message (``habit``: "There is no such habit.").

    Returns:
        The locked row.

    Raises:
        NotFound: no such row, or another user's (absent, not forbidden:
        docs/design.md#graphql-conventions).
    """
    row = (
        await conn.execute(_lock_owned_statement(table), {"row_id": row_id, "owner": user_id})
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no such {what}.", resource=resource)
    return row


async def update_owned(
    conn: AsyncConnection,
    table: sa.Table,
    row_id: uuid.UUID,
    user_id: uuid.UUID,
    values: Mapping[str, Any],
    *,
    resource: str,
    what: str,
) -> Any:
    """Set ``values`` (checked already; ``updated_at`` too when the table has it) on the row
    ``row_id`` of ``table`` owned by ``user_id``, in the caller's transaction.

    Returns:
        The row as it was before, locked (:func:`lock_owned`).

    Raises:
        NotFound: no such row, or another user's.
    """
    row = await lock_owned(conn, table, row_id, user_id, resource=resource, what=what)
    await set_columns(conn, table, row_id, values)
    return row


async def set_columns(
    conn: AsyncConnection, table: sa.Table, row_id: uuid.UUID, values: Mapping[str, Any]
) -> None:
    """Apply a partial update: set ``values`` (checked already, the row locked or found by
    the caller) on the row ``row_id`` of ``table``, and ``updated_at`` to now when the table
    has one; nothing at all when ``values`` is empty (an update that sends no field changes
    nothing, not even ``updated_at``)."""
    if not values:
        return
    changes = dict(values)
    if "updated_at" in table.c:
        changes["updated_at"] = sa.func.now()
    await conn.execute(sa.update(table).where(table.c.id == row_id).values(**changes))


async def delete_owned(
    conn: AsyncConnection,
    table: sa.Table,
    row_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    resource: str,
    what: str,
) -> Any:
    """Delete the row ``row_id`` of ``table`` owned by ``user_id`` (its ``ON DELETE CASCADE``
    children go with it), in the caller's transaction.

    Returns:
        The deleted row.

    Raises:
        NotFound: no such row, or another user's.
    """
    row = await lock_owned(conn, table, row_id, user_id, resource=resource, what=what)
    await conn.execute(sa.delete(table).where(table.c.id == row_id))
    return row
