"""The models and the migrations never drift, and the check would see it if they did.

Specification (docs/design.md#the-schema):

- ``alembic check`` compares server defaults too (``compare_server_default=True``).
- ``migrations.drift.schema_differences`` finds no difference between the migrated database and
  the models: every CHECK constraint (name and definition, as PostgreSQL deparses it), every
  other constraint, default, index and column type.
- It is not blind: a scratch copy of the models with one more enum value, another column
  default or an edited CHECK is reported, naming exactly the changed object; and ``alembic
  check``'s own comparison reports the changed default.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import conv

import db
from db.base import _enum_values
from migrations.drift import Difference, schema_differences


def _copy(metadata: sa.MetaData) -> sa.MetaData:
    """A scratch copy of the models (changing it leaves ``db.metadata`` alone)."""
    copy = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(copy)
    return copy


def _enum_column(metadata: sa.MetaData) -> sa.Column[Any]:
    column: sa.Column[Any] = metadata.tables["habits"].c.frequency
    assert isinstance(column.type, sa.Enum) and column.type.enum_class is not None
    return column


def _with_extra_enum_value(metadata: sa.MetaData) -> sa.MetaData:
    """The models after a developer added a member to an enum class (``HabitFrequency``)."""
    first = _copy(metadata)
    column = _enum_column(first)
    original: Any = column.type
    members = {m.name: str(m.value) for m in original.enum_class}
    extended: Any = enum.StrEnum(  # type: ignore[misc]  # the name is the model's, not a literal
        original.enum_class.__name__, {**members, "HOURLY": "hourly"}
    )
    column.type = sa.Enum(
        extended,
        name=original.name,
        native_enum=False,
        create_constraint=True,
        values_callable=_enum_values,
        validate_strings=True,
        length=original.length,
    )
    return _copy(first)  # the copy regenerates the enum's CHECK from the new type


def _with_other_default(metadata: sa.MetaData) -> sa.MetaData:
    copy = _copy(metadata)
    column = copy.tables["user_wallet"].c.coins
    assert column.server_default is not None
    column.server_default = sa.DefaultClause(sa.text("100"))
    return copy


def _check_named(table: sa.Table, suffix: str) -> sa.CheckConstraint:
    return next(
        c
        for c in table.constraints
        if isinstance(c, sa.CheckConstraint) and str(c.name).endswith(suffix)
    )


def _with_edited_check(metadata: sa.MetaData) -> sa.MetaData:
    copy = _copy(metadata)
    wallet = copy.tables["user_wallet"]
    check = _check_named(wallet, "coins_non_negative")
    wallet.constraints.discard(check)
    wallet.append_constraint(sa.CheckConstraint("coins >= 1", name=conv(str(check.name))))
    return copy


async def test_the_migrated_database_matches_the_models(db_conn: AsyncConnection) -> None:
    differences = await schema_differences(db_conn, db.metadata)
    assert differences == [], "\n".join(map(str, differences))


async def test_every_check_constraint_is_compared(db_conn: AsyncConnection) -> None:
    """The comparison covers the CHECKs the models declare (enums, signs, non-negatives)."""
    declared = {
        str(c.name)
        for table in db.metadata.tables.values()
        for c in table.constraints
        if isinstance(c, sa.CheckConstraint)
    }
    rows = await db_conn.execute(
        sa.text(
            "SELECT conname FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace"
            " WHERE n.nspname = 'public' AND contype = 'c'"
        )
    )
    in_database = {name for (name,) in rows}
    assert len(declared) > 100 and declared == in_database


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_with_extra_enum_value, ("constraint", "habits", "ck_habits_habitfrequency")),
        (_with_other_default, ("default", "user_wallet", "coins")),
        (_with_edited_check, ("constraint", "user_wallet", "ck_user_wallet_coins_non_negative")),
    ],
    ids=["enum value added", "default changed", "check edited"],
)
async def test_a_scratch_model_change_is_caught(
    db_conn: AsyncConnection, change: Any, expected: tuple[str, str, str]
) -> None:
    differences = await schema_differences(db_conn, change(db.metadata))

    assert [(d.kind, d.table, d.name) for d in differences] == [expected]
    (difference,) = differences
    assert isinstance(difference, Difference)
    assert difference.migrated and difference.models and difference.migrated != difference.models


async def test_alembic_check_compares_server_defaults(db_conn: AsyncConnection) -> None:
    def compare(sync: sa.Connection, metadata: sa.MetaData) -> list[Any]:
        context = MigrationContext.configure(
            sync, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))

    assert await db_conn.run_sync(compare, db.metadata) == []
    changed = await db_conn.run_sync(compare, _with_other_default(db.metadata))
    flat = [op for entry in changed for op in (entry if isinstance(entry, list) else [entry])]
    assert [(op[0], op[2], op[3]) for op in flat] == [("modify_default", "user_wallet", "coins")]


def test_migrations_env_compares_server_defaults() -> None:
    from pathlib import Path

    env = (Path(db.__file__).resolve().parents[1] / "migrations" / "env.py").read_text()
    assert "compare_server_default=True" in env and "compare_server_default=False" not in env
