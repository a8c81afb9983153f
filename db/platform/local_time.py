"""A user's clock: their timezone setting and the local date now (the rule of the day
boundary: :mod:`db.platform.settings`)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import metadata
from db.errors import InvalidInput
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


def local_today_sql(user_id: sa.ColumnElement[Any]) -> sa.ColumnElement[date]:
    """SQL: today's date in the timezone of the user ``user_id`` (a column or bind parameter)
    at the transaction's clock (``now()``); UTC when the user has no ``timezone`` setting.
    The read paths' streak expressions use it, so a streak reads as the user's own calendar
    says. A stored ``timezone`` is one PostgreSQL knows (:func:`check_zone_known`)."""
    setting = _settings.alias("tz_setting")
    zone = (
        sa.select(setting.c.value.op("#>>")(sa.literal_column("'{}'")))
        .where(setting.c.user_id == user_id, setting.c.key == "timezone")
        .correlate_except(setting)
        .scalar_subquery()
    )
    return sa.cast(sa.func.timezone(sa.func.coalesce(zone, "UTC"), sa.func.now()), sa.Date)


async def check_zone_known(conn: AsyncConnection, zone: str, field: str) -> None:
    """Refuse a timezone PostgreSQL does not know (its tz database may lag Python's), so that
    :func:`local_today_sql` never meets an unknown name.

    Raises:
        InvalidInput: naming ``field``.
    """
    known = (
        await conn.execute(
            sa.text("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = :z)"),
            {"z": zone},
        )
    ).scalar_one()
    if not known:
        raise InvalidInput(
            f"The setting 'timezone' must be a time zone the database knows: {zone!r}.",
            field=field,
        )


__all__ = ["check_zone_known", "local_today_sql", "user_timezone", "user_today"]
