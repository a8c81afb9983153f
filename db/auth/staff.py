"""Staff writes of catalog rows: create, change and deactivate one row of a catalog table,
each appending its ``audit_log`` row (the fields before and after) in the caller's transaction.

The domains' staff transitions (``db/<domain>/catalog.py``) validate their input with their own
rules, then write through these three functions, so every catalog edit is recorded the same
way (docs/admin.md). Rows that users' rows refer to are deactivated, never deleted: a user's
progress, unlocks and purchases keep pointing at them.

A catalog whose staff writes are the plain create / update / retire triple is declared once as
a :class:`CatalogTable` (the table, the rules of its columns, how a row is retired) and written
through :func:`create_entry`, :func:`update_entry` and :func:`retire_entry`; the schema makes
the three mutations of a declaration (``schema/core/catalog.py``). Every staff catalog (the
content ones and the game's: market items, universal quests, achievement and skill
definitions) is declared so; the column rules most of them share are here too (:data:`KEY`,
:data:`NAME`, ...).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.auth.activity import Actor, audit
from db.errors import InvalidInput, InvalidState, NotFound
from db.fields import Number, Rule, Shaped, Text, clean, path


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


#: A whole-row check of a catalog declaration: ``(row, changed, before)``, the row as it will
#: be (the stored row with the cleaned changes over it; on a create the changes, the columns
#: left out being None), the changed columns, and the row as it is (None on a create). It
#: raises ``InvalidInput`` naming the input field at fault (``input.configJson``), and may
#: return derived columns to write with the changes (a remaining stock that follows its total).
RowCheck = Callable[
    [dict[str, Any], dict[str, Any], dict[str, Any] | None], Mapping[str, Any] | None
]
#: Work after a write, in the same transaction: ``(conn, actor, row)`` with the row as written
#: (keeping a flow's step count, one active flow at a time).
AfterWrite = Callable[[AsyncConnection, Actor, dict[str, Any]], Awaitable[None]]


def shape_object(value: Any, field: str) -> dict[str, Any]:
    """A JSON object (a config whose keys a row check judges).

    Raises:
        InvalidInput: another JSON value (``field``).
    """
    if not isinstance(value, dict):
        raise InvalidInput("Give a JSON object.", field=field)
    return value


#: The rule of a JSON object column (an onboarding step's ``action_config``, a quest's
#: ``target_config``).
JSON_OBJECT = Shaped(shape_object)
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

    def check(row: dict[str, Any], changed: dict[str, Any], before: dict[str, Any] | None) -> None:
        found = problem(row[type_column], row.get(config_column))
        if found is not None:
            raise InvalidInput(found, field=path(config_column))

    return check


@dataclass(frozen=True)
class CatalogTable:
    """One catalog table that staff edit row by row (docs/admin.md, "Content catalogs").

    Attributes:
        table: the table.
        resource: its GraphQL type name (``LearnLesson``): the mutations' names and
            ``NotFound.resource``.
        rules: column -> its :mod:`db.fields` rule: the columns staff may set (the rest keep
            their server defaults or are the transitions' own).
        required: the columns a create must give.
        scope: column -> value of every staff-edited row (``{"user_id": None}``: the built-in
            rows, not users' own): a row outside it is ``NotFound``; also the set a
            ``unique`` column is unique in.
        fixed: column -> value set on every created row (``{"is_builtin": True}``).
        unique: columns (or tuples of columns) no two rows of the scope share: refused as
            ``InvalidInput`` naming the (last) column, checked before the write, and a
            concurrent write that wins the race is refused the same way (the unique index).
        creator: the column that records the staff member who created the row
            (``created_by``), or None.
        immutable: columns set on create only (a natural key users' rows refer to): an update
            leaves them out (its input has no such field).
        references: column -> the column of another table its value must name, an active row
            when that table has ``is_active`` (a quest's ``skill_key``: an active skill's
            ``key``); a foreign key column is checked without this (any row).
        active: the boolean column retiring sets false; None: the table has none, and a row is
            deleted when no row of any table refers to it (``InvalidState`` ``in_use``
            otherwise).
        check: a whole-row check (:data:`RowCheck`), after the column rules; the derived
            columns it returns are written too.
        after: work after each create, update or retire (:data:`AfterWrite`).
    """

    table: sa.Table
    resource: str
    rules: Mapping[str, Rule]
    required: tuple[str, ...] = ()
    scope: Mapping[str, Any] = field(default_factory=dict)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    unique: tuple[str | tuple[str, ...], ...] = ()
    creator: str | None = None
    immutable: tuple[str, ...] = ()
    references: Mapping[str, sa.Column[Any]] = field(default_factory=dict)
    active: str | None = "is_active"
    check: RowCheck | None = None
    after: AfterWrite | None = None

    def in_scope(self) -> list[sa.ColumnElement[bool]]:
        """The predicates of the staff-edited rows (:attr:`scope`)."""
        return [
            self.table.c[k].is_(None) if v is None else self.table.c[k] == v
            for k, v in self.scope.items()
        ]


def referrers(table: sa.Table) -> list[sa.Column[Any]]:
    """Every column of every table of the metadata that is a foreign key to ``table.id``."""
    found: list[sa.Column[Any]] = []
    for other in table.metadata.tables.values():
        for fk in other.foreign_keys:
            if fk.column is table.c.id:
                found.append(fk.parent)
    return sorted(found, key=lambda c: (c.table.name, c.name))


def _taken(catalog: CatalogTable, column: str) -> InvalidInput:
    return InvalidInput(f"Another {catalog.resource} already has this value.", field=path(column))


async def _refuse_taken(
    conn: AsyncConnection,
    catalog: CatalogTable,
    row: Mapping[str, Any],
    changed: Mapping[str, Any],
    row_id: Any,
) -> None:
    """Refuse values of :attr:`CatalogTable.unique` columns that another row of the scope has
    (``row`` the row as it will be, ``changed`` its changed columns: only those are checked)."""
    t = catalog.table
    for unique in catalog.unique:
        columns = (unique,) if isinstance(unique, str) else unique
        if not set(columns) & set(changed):
            continue
        query = sa.select(t.c.id).where(*(t.c[c] == row[c] for c in columns), *catalog.in_scope())
        if row_id is not None:
            query = query.where(t.c.id != row_id)
        if (await conn.execute(query.limit(1))).first() is not None:
            raise _taken(catalog, columns[-1])


async def _unique_write(
    catalog: CatalogTable, conn: AsyncConnection, write: Callable[[], Awaitable[Any]]
) -> Any:
    """Run ``write`` in a savepoint: a unique violation (a concurrent write of the same value
    between the check and the write) is the typed refusal of the first unique column."""
    try:
        async with conn.begin_nested():
            return await write()
    except sa.exc.IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) != "23505" or not catalog.unique:
            raise
        first = catalog.unique[0]
        raise _taken(catalog, first if isinstance(first, str) else first[-1]) from None


async def _refuse_dangling(
    conn: AsyncConnection, catalog: CatalogTable, values: Mapping[str, Any]
) -> None:
    """Refuse a value of a foreign-key column that names no row (``topic_id`` of no topic),
    or of a :attr:`CatalogTable.references` column that names no active row."""
    for column, value in values.items():
        if value is None:
            continue
        for fk in catalog.table.c[column].foreign_keys:
            target = fk.column
            found = sa.select(target).where(target == value).limit(1)
            if (await conn.execute(found)).first() is None:
                raise InvalidInput(f"No such {target.table.name} row.", field=path(column))
        named = catalog.references.get(column)
        if named is None:
            continue
        found = sa.select(named).where(named == value)
        if "is_active" in named.table.c:
            found = found.where(named.table.c.is_active)
        if (await conn.execute(found.limit(1))).first() is None:
            raise InvalidInput(
                f"No active {named.table.name} row has this {named.name}.", field=path(column)
            )


def _checked(
    catalog: CatalogTable,
    cleaned: dict[str, Any],
    before: dict[str, Any] | None,
) -> dict[str, Any]:
    """The cleaned changes and the derived columns of the catalog's whole-row check (given
    the row as it will be; a create's columns left out are None)."""
    if catalog.check is None:
        return cleaned
    row = {**(before if before is not None else dict.fromkeys(catalog.rules)), **cleaned}
    derived = catalog.check(row, cleaned, before)
    return {**cleaned, **(derived or {})}


async def _scoped_row(conn: AsyncConnection, catalog: CatalogTable, row_id: Any) -> dict[str, Any]:
    """The row ``row_id`` of the catalog, locked; NotFound outside the scope."""
    row = await locked_row(conn, catalog.table, row_id, resource=catalog.resource)
    if any(row[k] != v for k, v in catalog.scope.items()):
        raise NotFound(f"No such {catalog.resource}.", resource=catalog.resource)
    return row


async def create_entry(
    conn: AsyncConnection,
    actor: Actor,
    catalog: CatalogTable,
    values: Mapping[str, Any],
    *,
    action: str,
) -> Any:
    """Create one row of a catalog, audited (:func:`create_row`).

    Args:
        values: column -> value as the client sent it (unset fields left out): checked by the
            catalog's rules (``required`` ones present), its unique columns and its check.
        action: the mutation's name.

    Returns:
        The new row's id.

    Raises:
        InvalidInput: a value its rule refuses, a required one missing, a unique value taken,
            a foreign key or a reference naming no (active) row, a whole-row check failed
            (``field`` names the input field).
    """
    cleaned = clean(values, catalog.rules, required=catalog.required)
    changes = _checked(catalog, cleaned, None)
    await _refuse_dangling(conn, catalog, cleaned)
    await _refuse_taken(conn, catalog, cleaned, cleaned, None)
    values = {**catalog.scope, **catalog.fixed, **changes}
    if catalog.creator is not None:
        values[catalog.creator] = actor.user_id
    row_id = await _unique_write(
        catalog, conn, lambda: create_row(conn, actor, catalog.table, values, action=action)
    )
    if catalog.after is not None:
        await catalog.after(conn, actor, await locked_row(conn, catalog.table, row_id, resource=""))
    return row_id


async def update_entry(
    conn: AsyncConnection,
    actor: Actor,
    catalog: CatalogTable,
    row_id: Any,
    values: Mapping[str, Any],
    *,
    action: str,
) -> Any:
    """Change some columns of one row of a catalog, audited (:func:`update_row`).

    Args:
        values: the fields the client sent (at least one; no :attr:`CatalogTable.immutable`
            one), checked as :func:`create_entry` checks them; the whole-row check sees the
            stored row with the changes over it, and the stored row.

    Returns:
        The row's id.

    Raises:
        InvalidInput: as :func:`create_entry`, or no field given (``field`` ``input``).
        NotFound: no such row in the catalog's scope.
    """
    rules = {k: rule for k, rule in catalog.rules.items() if k not in catalog.immutable}
    cleaned = clean(values, rules, partial=True)
    before = await _scoped_row(conn, catalog, row_id)
    changes = _checked(catalog, cleaned, before)
    await _refuse_dangling(conn, catalog, cleaned)
    await _refuse_taken(conn, catalog, {**before, **cleaned}, cleaned, row_id)
    await _unique_write(
        catalog,
        conn,
        lambda: update_row(
            conn, actor, catalog.table, row_id, changes, action=action, resource=catalog.resource
        ),
    )
    if catalog.after is not None:
        await catalog.after(conn, actor, await _scoped_row(conn, catalog, row_id))
    return row_id


async def retire_entry(
    conn: AsyncConnection, actor: Actor, catalog: CatalogTable, row_id: Any, *, action: str
) -> bool:
    """Retire one row of a catalog, audited: set its :attr:`CatalogTable.active` column false
    (the row stays, and whatever refers to it), or, for a table without one, delete it when no
    row of any table refers to it.

    Returns:
        True when the row was deleted, False when it was deactivated.

    Raises:
        NotFound: no such row in the catalog's scope.
        InvalidState: a table without an active column, and rows refer to this one (``status``
            ``in_use``): nothing is deleted.
    """
    row = await _scoped_row(conn, catalog, row_id)
    if catalog.active is not None:
        await deactivate_row(
            conn,
            actor,
            catalog.table,
            row_id,
            action=action,
            resource=catalog.resource,
            column=catalog.active,
        )
        if catalog.after is not None:
            await catalog.after(conn, actor, await _scoped_row(conn, catalog, row_id))
        return False
    for column in referrers(catalog.table):
        used = sa.select(column).where(column == row_id).limit(1)
        if (await conn.execute(used)).first() is not None:
            raise InvalidState(
                f"This {catalog.resource} is in use ({column.table.name}); it cannot be deleted.",
                status="in_use",
            )
    await conn.execute(sa.delete(catalog.table).where(catalog.table.c.id == row_id))
    await audit(
        conn,
        actor,
        action=action,
        resource_type=catalog.table.name,
        resource_id=row_id,
        before=row,
        after=None,
    )
    if catalog.after is not None:
        await catalog.after(conn, actor, row)
    return True
