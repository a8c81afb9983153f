"""Idempotent upserts by natural key, the one write primitive of every seed module.

Running a seed twice changes nothing: rows are matched on their natural key (a catalog ``key``,
a ``name``, ``(flow_id, step_order)``, ...) and only updated when a seeded column differs.
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
) -> int:
    """Insert ``rows`` into ``table_name`` or update the rows that share their natural key.

    Args:
        conn: a connection inside the caller's transaction.
        table_name: the table, e.g. ``"market_items"``.
        rows: column-name -> value mappings; all rows must carry the same columns.
        key: the natural-key columns, backed by a unique constraint or unique index.
        where: the predicate of a partial unique index (e.g. ``user_id IS NULL`` for the
            built-in rows of a table that also holds users' own rows).

    Returns:
        The number of rows inserted or changed (0 when the catalog was already up to date).
    """
    if not rows:
        return 0
    tbl = table(table_name)
    stmt = insert(tbl).values(list(rows))
    columns = [c for c in rows[0] if c not in key]
    if columns:
        changed = sa.or_(*[tbl.c[c].is_distinct_from(stmt.excluded[c]) for c in columns])
        stmt = stmt.on_conflict_do_update(
            index_elements=[tbl.c[k] for k in key],
            index_where=where,
            set_={c: stmt.excluded[c] for c in columns},
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
