"""Staff edits of catalog rows checked field by field: the create / update half of the
catalog mutations (``db/<domain>/catalog.py``), over :mod:`db.auth.staff`'s audited writes.

A domain declares its columns' rules (:mod:`db.fields`), the columns a create requires, and a
check of the whole row (the rules between columns: a window's order, stock within its total);
:func:`create` and :func:`update` check the given fields, apply the row check to the row as it
would be after the edit, refuse a natural key another row holds, then write through
:func:`db.auth.staff.create_row` / :func:`db.auth.staff.update_row` (audited, before/after).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.auth.activity import Actor
from db.auth.staff import create_row, deactivate_row, locked_row, update_row
from db.errors import InvalidInput
from db.fields import Number, Rule, Shaped, Text, clean, path

#: A check of a whole row: ``(row, before)``, the row as it would be stored (column -> value)
#: and, on an update, the row as it is (None on a create). It raises ``InvalidInput`` naming
#: the field at fault, and may return derived columns to write (a stock that follows its total).
RowCheck = Callable[[dict[str, Any], dict[str, Any] | None], dict[str, Any] | None]


def _json_object(value: Any, field: str) -> Any:
    if not isinstance(value, dict):
        raise InvalidInput("Give a JSON object.", field=field)
    return value


#: The rule of a JSON object column (a config whose keys the row check judges).
JSON_OBJECT = Shaped(_json_object)
#: The rules of the columns most catalogs share: a natural key (lowercase words joined by
#: ``_``, ``-`` or ``.``), a display name, a shelf or category, a description, an icon, a
#: position.
KEY = Text(
    100,
    1,
    nullable=False,
    line=True,
    pattern=r"[a-z0-9][a-z0-9_.-]*",
    format="lowercase letters, digits, '_', '-' or '.'",
)
NAME = Text(200, 1, nullable=False, line=True)
CATEGORY = Text(50, 1, nullable=False, line=True)
DESCRIPTION = Text(2000)
ICON = Text(100, line=True)
SORT_ORDER = Number(-100_000, 100_000)


def config_check(
    type_column: str, config_column: str, problem: Callable[[str, Any], str | None]
) -> RowCheck:
    """The row check of a JSON config judged by the row's type column (a quest's
    ``target_config`` by its ``target_type``): ``problem(type, config)`` says what is wrong,
    refused as ``input.<configColumn>``."""

    def check(row: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
        found = problem(row[type_column], row.get(config_column))
        if found is not None:
            raise InvalidInput(found, field=path(config_column, "input"))
        return {}

    return check


@dataclass(frozen=True)
class CatalogTable:
    """How staff edit one catalog table.

    Attributes:
        table: the table.
        resource: its GraphQL type name (``NotFound``).
        rules: column -> rule of every column staff set.
        required: the columns a create must give.
        unique: the natural key columns (unique), refused with ``InvalidInput`` when another
            row holds the value.
        row_check: the rules between columns, given the whole row after the edit.
        immutable: columns set on create only (a natural key users' rows refer to).
        references: column -> the column of another catalog table its value must name (an
            active row, when that table has ``is_active``).
    """

    table: sa.Table
    resource: str
    rules: Mapping[str, Rule]
    required: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()
    row_check: RowCheck | None = None
    immutable: tuple[str, ...] = ()
    references: Mapping[str, sa.Column[Any]] = field(default_factory=dict)


async def _check_unique(
    conn: AsyncConnection, spec: CatalogTable, values: Mapping[str, Any], row_id: Any = None
) -> None:
    for column in spec.unique:
        if column not in values:
            continue
        statement = sa.select(spec.table.c.id).where(spec.table.c[column] == values[column])
        if row_id is not None:
            statement = statement.where(spec.table.c.id != row_id)
        if (await conn.execute(statement.limit(1))).first() is not None:
            raise InvalidInput(
                f"Another {spec.resource} has this {column}.", field=path(column, "input")
            )


async def _check_references(
    conn: AsyncConnection, spec: CatalogTable, values: Mapping[str, Any]
) -> None:
    for column, target in spec.references.items():
        if values.get(column) is None:
            continue
        statement = sa.select(target).where(target == values[column])
        if "is_active" in target.table.c:
            statement = statement.where(target.table.c.is_active)
        if (await conn.execute(statement.limit(1))).first() is None:
            raise InvalidInput(
                f"No active {target.table.name} row has this {target.name}.",
                field=path(column, "input"),
            )


async def _checked(
    conn: AsyncConnection,
    spec: CatalogTable,
    changes: dict[str, Any],
    before: dict[str, Any] | None,
) -> dict[str, Any]:
    """``changes`` plus the row check's derived columns, after the unique, reference and row
    checks."""
    await _check_unique(conn, spec, changes, None if before is None else before["id"])
    await _check_references(conn, spec, changes)
    # A create's row check sees the columns left out as null (their defaults are its to know).
    row = {**(before if before is not None else dict.fromkeys(spec.rules)), **changes}
    derived = spec.row_check(row, before) if spec.row_check is not None else None
    return {**changes, **(derived or {})}


async def create(
    conn: AsyncConnection,
    actor: Actor,
    spec: CatalogTable,
    values: Mapping[str, Any],
    *,
    action: str,
    extra: Mapping[str, Any] | None = None,
) -> Any:
    """Create one catalog row from the fields a client sent, audited.

    Args:
        conn: a connection inside the mutation's transaction.
        actor: the staff member.
        spec: the table's rules.
        values: column -> value as sent (the input's fields).
        action: the mutation's name (audit log).
        extra: columns the caller sets itself (``created_by``), not checked.

    Returns:
        The new row's id.

    Raises:
        InvalidInput: a field its rule refuses, a required field missing, a natural key
            taken, a reference to no active row, or the row check's refusal (``field`` names
            the input field).
    """
    row = await _checked(conn, spec, clean(values, spec.rules, required=spec.required), None)
    return await create_row(conn, actor, spec.table, {**row, **(extra or {})}, action=action)


async def update(
    conn: AsyncConnection,
    actor: Actor,
    spec: CatalogTable,
    row_id: Any,
    values: Mapping[str, Any],
    *,
    action: str,
) -> Any:
    """Change the fields a client sent of one catalog row (locked), audited with the fields
    before and after.

    Returns:
        The row's id.

    Raises:
        NotFound: no such row (``resource``).
        InvalidInput: an empty change, a field its rule refuses (or an immutable one), a
            natural key taken, a reference to no active row, or the row check's refusal of
            the row after the change.
    """
    rules = {k: rule for k, rule in spec.rules.items() if k not in spec.immutable}
    changes = clean(values, rules, partial=True)
    before = await locked_row(conn, spec.table, row_id, resource=spec.resource)
    changes = await _checked(conn, spec, changes, before)
    return await update_row(
        conn, actor, spec.table, row_id, changes, action=action, resource=spec.resource
    )


async def deactivate(
    conn: AsyncConnection, actor: Actor, spec: CatalogTable, row_id: Any, *, action: str
) -> Any:
    """Deactivate one catalog row (``is_active`` false), audited: the row stays, so what
    users' rows refer to (progress, unlocks, purchases) stays intact.

    Returns:
        The row's id.

    Raises:
        NotFound: no such row (``resource``).
    """
    return await deactivate_row(
        conn, actor, spec.table, row_id, action=action, resource=spec.resource
    )


__all__ = [
    "CATEGORY",
    "DESCRIPTION",
    "ICON",
    "JSON_OBJECT",
    "KEY",
    "NAME",
    "SORT_ORDER",
    "CatalogTable",
    "RowCheck",
    "config_check",
    "create",
    "deactivate",
    "update",
]
