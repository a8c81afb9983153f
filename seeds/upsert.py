"""Idempotent seeding by natural key, the one write primitive of every seed module.

Rows are matched on their natural key (a catalog ``key``, a ``name``, ``(flow_id,
step_order)``, ...). What a seed owns (docs/decisions.md, "Seeds"):

- the existence of its rows: a row whose natural key is missing is inserted with every seeded
  column (also a seeded row that was deleted: retire a catalog row by deactivating it);
- the columns the caller lists in ``update=``: brought back to the seeded value on every run.
  Only code-defined catalogs list any (the entitlements the API checks);
- nothing else: every other column of an existing row belongs to the admins who edit the
  catalog and is never overwritten, so reseeding at startup keeps their edits. A seed
  correction that must reach existing databases ships as a data migration (run once).

Running a seed twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata


def table(name: str) -> sa.Table:
    """The Core table ``name`` of the canonical schema (raises KeyError for unknown names)."""
    return metadata.tables[name]


async def upsert(
    conn: AsyncConnection,
    table_name: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    where: sa.ColumnElement[bool] | None = None,
    update: Sequence[str] = (),
) -> int:
    """Insert the ``rows`` whose natural key is missing; on existing rows, set only ``update``.

    Args:
        conn: a connection inside the caller's transaction.
        table_name: the table, e.g. ``"market_items"``.
        rows: column-name -> value mappings; all rows must carry the same columns.
        key: the natural-key columns, backed by a unique constraint or unique index.
        where: the predicate of a partial unique index (e.g. ``user_id IS NULL`` for the
            built-in rows of a table that also holds users' own rows).
        update: the columns the seed owns on existing rows (reset to the seeded value when
            they differ); empty (the default) leaves existing rows untouched.

    Returns:
        The number of rows inserted or changed (0 when nothing was missing or out of date).

    Raises:
        ValueError: ``update`` names a key column or a column the rows do not carry.
    """
    if not rows:
        return 0
    unknown = [c for c in update if c in key or c not in rows[0]]
    if unknown:
        raise ValueError(f"{table_name}: cannot update {unknown} (key or not seeded)")
    tbl = table(table_name)
    stmt = insert(tbl).values(list(rows))
    if update:
        changed = sa.or_(*[tbl.c[c].is_distinct_from(stmt.excluded[c]) for c in update])
        stmt = stmt.on_conflict_do_update(
            index_elements=[tbl.c[k] for k in key],
            index_where=where,
            set_={c: stmt.excluded[c] for c in update},
            where=changed,
        )
    else:
        stmt = stmt.on_conflict_do_nothing(
            index_elements=[tbl.c[k] for k in key], index_where=where
        )
    result = await conn.execute(stmt)
    return int(result.rowcount or 0)


async def ids_by(conn: AsyncConnection, table_name: str, column: str) -> dict[Any, Any]:
    """Map ``column`` -> ``id`` for every row of ``table_name`` (to resolve seeded parents,
    e.g. learn topic keys to topic ids)."""
    tbl = table(table_name)
    result = await conn.execute(sa.select(tbl.c[column], tbl.c.id))
    return {row[0]: row[1] for row in result}
