"""Writes of user settings (the rules: :mod:`db.settings`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.errors import InvalidInput
from db.settings import check_value, check_zone_known

_settings = metadata.tables["user_settings"]


def check_settings(items: Sequence[tuple[str, Any]], path: str = "input.settings") -> None:
    """Refuse a batch of ``(key, value)`` pairs before any SQL: an unknown key, a bad value
    (:func:`db.settings.check_value`) or a key given twice.

    Raises:
        InvalidInput: ``field`` is ``<path>.<key>`` (``input.settings.timezone``).
    """
    seen: set[str] = set()
    for key, value in items:
        field = f"{path}.{key}"
        if key in seen:
            raise InvalidInput(f"The setting {key!r} is given twice.", field=field)
        seen.add(key)
        check_value(key, value, field)


async def write_settings(
    conn: AsyncConnection, user_id: uuid.UUID, items: Sequence[tuple[str, Any]]
) -> list[uuid.UUID]:
    """Store the user's settings (insert or replace, one statement), after checking them all.

    Args:
        conn: a connection inside the caller's transaction.
        user_id: the user.
        items: ``(key, JSON value)`` pairs, keys of the registry, each once.

    Returns:
        The ``user_settings`` ids, in the order given.

    Raises:
        InvalidInput: see :func:`check_settings` (nothing written).
    """
    check_settings(items)
    if not items:
        return []
    for key, value in items:
        if key == "timezone":
            await check_zone_known(conn, str(value), "input.settings.timezone")
    statement = insert(_settings).values(
        [{"user_id": user_id, "key": key, "value": value} for key, value in items]
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[_settings.c.user_id, _settings.c.key],
        set_={"value": statement.excluded.value, "updated_at": sa.func.now()},
    ).returning(_settings.c.key, _settings.c.id)
    ids: dict[str, uuid.UUID] = {key: id_ for key, id_ in (await conn.execute(upsert)).all()}
    return [ids[key] for key, _ in items]
