"""A user's clock: their timezone setting and the local date now (the rule of the day
boundary: :mod:`db.platform.settings`)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.platform.settings import REGISTRY, local_date

_settings = metadata.tables["user_settings"]


async def user_timezone(conn: AsyncConnection, user_id: uuid.UUID) -> str:
    """The user's ``timezone`` setting (its registry default, UTC, when unset or not valid);
    one statement."""
    value = (
        await conn.execute(
            sa.select(_settings.c.value).where(
                _settings.c.user_id == user_id, _settings.c.key == "timezone"
            )
        )
    ).scalar_one_or_none()
    setting = REGISTRY["timezone"]
    return str(value) if setting.problem(value) is None else str(setting.default)


async def user_today(
    conn: AsyncConnection, user_id: uuid.UUID, now: datetime | None = None
) -> tuple[str, date]:
    """``(timezone, the date there at now)`` of the user (now: the current time)."""
    zone = await user_timezone(conn, user_id)
    return zone, local_date(zone, now or datetime.now(UTC))


__all__ = ["user_timezone", "user_today"]
