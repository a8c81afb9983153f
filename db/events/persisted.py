"""The shared store of automatic persisted queries (docs/design.md#persisted-queries).

A gateway process keeps the documents it resolved in memory (``gateway.persisted``); this table
is what makes a hash registered through one process known to every other: a process that does
not know a hash reads it here before answering ``PersistedQueryNotFound``.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata

_queries = metadata.tables["persisted_queries"]


async def fetch(conn: AsyncConnection, sha256: str) -> str | None:
    """The document registered under ``sha256`` (64 lowercase hex digits), or None."""
    document: str | None = await conn.scalar(
        sa.select(_queries.c.document).where(_queries.c.sha256 == sha256)
    )
    return document


async def store(conn: AsyncConnection, sha256: str, document: str) -> None:
    """Register ``document`` under ``sha256`` (the caller checked that it is the SHA-256 of the
    text); a hash registered already keeps its row (the same text, by construction)."""
    await conn.execute(
        insert(_queries)
        .values(sha256=sha256, document=document)
        .on_conflict_do_nothing(index_elements=[_queries.c.sha256])
    )
