"""What the GraphQL layer derives from the SQLAlchemy metadata: one :class:`TableInfo` per table.

This module knows nothing of Strawberry; it turns tables and their :class:`TableSpec` into
fields, relations (both directions of every foreign key), ownership and connection order, and
checks the result (name collisions and nullable order columns fail the build, not a request).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from db import Base, metadata
from db.ownership import ownership_paths
from db.visibility import Visibility, grants_visibility
from schema.core.spec import RowField, TableSpec, spec_for

#: Columns that give a table its natural display order, ascending
#: (docs/design.md#graphql-conventions).
ORDER_COLUMNS = (
    "sort_order",
    "display_order",
    "step_order",
    "order_index",
    "week_number",
    "set_number",
    "chunk_index",
    "start_time_ms",
    "time_ms",
)
#: For tables without ``created_at``: the timestamp that makes "newest first".
LOG_TIMESTAMPS = (
    "earned_at",
    "achieved_at",
    "purchased_at",
    "started_at",
    "added_at",
    "granted_at",
    "expires",
)


def camel(name: str) -> str:
    """``"focus_sessions"`` -> ``"focusSessions"``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def pascal(name: str) -> str:
    """``"user_id"`` -> ``"UserId"``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def snake(name: str) -> str:
    """``"MarketItem"`` -> ``"market_item"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


ColumnKind = Literal[
    "id", "str", "int", "bigint", "float", "bool", "datetime", "date", "json", "bytes", "enum"
]


@dataclass(frozen=True)
class ColumnField:
    """A column exposed as a field.

    Attributes:
        column: the Core column.
        key: the attribute name in loaded rows (the model attribute, e.g. ``metadata_``).
        name: the GraphQL field name (camelCase of the column name).
        kind: the scalar family, which picks the GraphQL type.
        enum_class: the Python enum of an enum-like column.
        masked: the field answers null for some viewers although the column is not null
            (``TableSpec.masked``), so it is a nullable field.
    """

    column: sa.Column[Any]
    key: str
    name: str
    kind: ColumnKind
    enum_class: type[enum.Enum] | None = None
    masked: bool = False

    @property
    def nullable(self) -> bool:
        """Whether the field is nullable: the column is, or it is masked."""
        return bool(self.column.nullable) or self.masked


@dataclass(eq=False)
class Relation:
    """One direction of a foreign key.

    ``kind`` is ``"forward"`` (child -> referenced row), ``"one"`` (referenced row -> its only
    child, the FK column being unique) or ``"many"`` (referenced row -> a connection of
    children). ``owner`` is the table whose type carries the field.
    """

    name: str
    kind: Literal["forward", "one", "many"]
    owner: TableInfo
    child: TableInfo
    fk_column: sa.Column[Any]
    parent: TableInfo
    parent_column: sa.Column[Any]

    @property
    def target(self) -> TableInfo:
        """The table of the rows the field returns."""
        return self.parent if self.kind == "forward" else self.child

    @property
    def grants_visibility(self) -> bool:
        """Whether this FK is the link that makes the child's rows visible (its owner: the
        ownership path's first FK, or ``user_id`` of an owned table): a child reached from a
        visible parent through it is visible, with no predicate of its own
        (:func:`db.visibility.grants_visibility`)."""
        return grants_visibility(self.child, self.fk_column)


@dataclass(eq=False)
class TableInfo:
    """Everything the generator needs about one table."""

    table: sa.Table
    model: type[Any]
    spec: TableSpec
    columns: list[ColumnField] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    owner_fk: sa.Column[Any] | None = None
    order: list[tuple[sa.Column[Any], bool]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def type_name(self) -> str:
        """The GraphQL type name: the model class name (``PointsLedgerEntry``)."""
        return self.model.__name__

    @cached_property
    def pk(self) -> list[sa.Column[Any]]:
        return list(self.table.primary_key.columns)

    @cached_property
    def key_of(self) -> dict[str, str]:
        """Column name -> row attribute (model attribute key)."""
        mapper = sa.inspect(self.model)
        return {col.name: mapper.get_property_by_column(col).key for col in self.table.columns}

    def read_column(self, source: sa.FromClause, name: str) -> sa.ColumnElement[Any]:
        """What the API reads for column ``name`` of a row of ``source`` (the table or an
        alias of it): the spec's computed expression (``TableSpec.computed``), else the
        stored column."""
        build = self.spec.computed.get(name)
        return build(source) if build is not None else source.c[name]

    def select_columns(self) -> list[sa.ColumnElement[Any]]:
        """The columns of a row read for the API (computed ones as their expression, see
        :meth:`read_column`), labelled by their attribute keys."""
        return [
            self.read_column(self.table, col.name).label(self.key_of[col.name])
            for col in self.table.columns
            if not col.info.get("secret")
        ]

    @property
    def read_entitlement(self) -> str | None:
        """Holders of it see every row (:class:`db.visibility.Guarded`)."""
        return self.spec.read_entitlement

    @property
    def public_when(self) -> Callable[[sa.Table], sa.ColumnElement[bool]] | None:
        """With OWNER visibility, the rows everybody sees (:class:`db.visibility.Guarded`)."""
        return self.spec.public_when

    @property
    def has_single_id(self) -> bool:
        return [c.name for c in self.pk] == ["id"]


def _kind(column: sa.Column[Any]) -> tuple[ColumnKind, type[enum.Enum] | None]:
    typ = column.type
    if column.primary_key and column.name == "id":
        # docs/design.md#types-and-relations: ``id: ID!`` (UUIDs, and the outbox's BIGINT)
        return "id", None
    if isinstance(typ, sa.Enum) and typ.enum_class is not None:
        return "enum", typ.enum_class
    if isinstance(typ, sa.Uuid | postgresql.UUID):
        return "id", None
    if isinstance(typ, postgresql.JSONB | sa.JSON):
        return "json", None
    if isinstance(typ, sa.LargeBinary):
        return "bytes", None
    if isinstance(typ, sa.BigInteger):
        return "bigint", None
    python_type = typ.python_type
    kinds: dict[type, ColumnKind] = {
        bool: "bool",
        int: "int",
        float: "float",
        datetime: "datetime",
        date: "date",
        str: "str",
    }
    for py, kind in kinds.items():
        if issubclass(python_type, py):
            return kind, None
    return "float", None  # Numeric/Decimal


def _is_unique_alone(column: sa.Column[Any]) -> bool:
    table = column.table
    if column.unique or [c.name for c in table.primary_key.columns] == [column.name]:
        return True
    for index in table.indexes:
        if (
            index.unique
            and [c.name for c in index.columns] == [column.name]
            and index.dialect_options["postgresql"].get("where") is None
        ):
            return True
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint) and [c.name for c in constraint.columns] == [
            column.name
        ]:
            return True
    return False


def _reverse_default(child: TableInfo, parent: TableInfo) -> str:
    """The child table's name without a leading ``user_`` and without the leading words it
    shares with the parent's singular name: ``habit_completions`` under ``habits`` ->
    ``completions``, ``learn_lessons`` under ``learn_topics`` -> ``lessons``."""
    words = child.name.removeprefix("user_").split("_")
    parent_words = snake(parent.type_name).split("_")
    shared = 0
    while shared < min(len(words) - 1, len(parent_words)) and words[shared] == parent_words[shared]:
        shared += 1
    return camel("_".join(words[shared:]))


def _forward_default(column: sa.Column[Any]) -> str:
    name = column.name
    for suffix in ("_id", "_key"):
        if name.endswith(suffix):
            return camel(name[: -len(suffix)])
    raise ValueError(
        f"{column.table.name}.{column.name}: an FK column without an _id/_key suffix needs "
        "info rel=... (see db/base.py)"
    )


class Catalog:
    """All :class:`TableInfo` objects of the schema, built once per :func:`build_catalog`.

    Args:
        specs: table name -> its declared :class:`TableSpec` (all defaults when absent).
        root_rows: GraphQL name -> a root field returning the viewer's row (``me``).
    """

    def __init__(
        self, specs: Mapping[str, TableSpec], root_rows: Mapping[str, RowField] | None = None
    ) -> None:
        models = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}
        self.root_rows: dict[str, RowField] = dict(root_rows or {})
        self.tables: dict[str, TableInfo] = {
            name: TableInfo(table=table, model=models[name], spec=spec_for(name, specs))
            for name, table in metadata.tables.items()
            # Internal tables (``idempotency_keys``) say ``info={"graphql": False}``.
            if table.info.get("graphql", True)
        }
        for info in self.tables.values():
            self._columns(info)
        for info in self.tables.values():
            self._visibility(info)
            self._order(info)
        for info in self.tables.values():
            self._relations(info)
        for info in self.tables.values():
            self._check_names(info)
            self._check_entitlements(info)

    def __getitem__(self, name: str) -> TableInfo:
        return self.tables[name]

    def __iter__(self) -> Any:
        return iter(self.tables.values())

    def parent_of(self, column: sa.Column[Any]) -> TableInfo:
        """The table of ``column`` (the column a foreign key references)."""
        return self.tables[column.table.name]

    def _columns(self, info: TableInfo) -> None:
        for column in info.table.columns:
            if column.info.get("secret"):
                continue
            kind, enum_class = _kind(column)
            info.columns.append(
                ColumnField(
                    column=column,
                    key=info.key_of[column.name],
                    name=camel(column.name),
                    kind=kind,
                    enum_class=enum_class,
                    masked=column.name in info.spec.masked,
                )
            )

    def _visibility(self, info: TableInfo) -> None:
        """Who may see the rows of ``info``: the spec's override, else what the ownership of
        the rows says (``db.ownership``): the viewer's own ``users`` row, rows of a
        ``user_id``, rows under an owned parent, or a public catalog."""
        path = ownership_paths().get(info.name)
        info.owner_fk = path[0].parent if path else None
        if info.spec.visibility is not None:
            info.visibility = info.spec.visibility
        elif info.name == "users":
            info.visibility = Visibility.SELF
        elif path is None:
            info.visibility = Visibility.PUBLIC
        else:
            info.visibility = Visibility.VIA_PARENT if path else Visibility.OWNER

    def _order(self, info: TableInfo) -> None:
        cols = info.table.c
        names: list[str]
        if info.spec.order is not None:
            names = list(info.spec.order)
        else:
            order_col = next((c for c in ORDER_COLUMNS if c in cols), None)
            if order_col is not None:
                names = [order_col] + (["created_at"] if "created_at" in cols else [])
            elif "created_at" in cols:
                names = ["-created_at"]
            else:
                log = next((c for c in LOG_TIMESTAMPS if c in cols and not cols[c].nullable), None)
                names = [f"-{log}"] if log else []
        order = [(cols[n.lstrip("-")], n.startswith("-")) for n in names]
        descending = order[0][1] if order else False
        order += [(c, descending) for c in info.pk if all(c is not o for o, _ in order)]
        for column, _ in order:
            if column.nullable:
                raise ValueError(f"{info.name}: order column {column.name} must be NOT NULL")
        info.order = order

    def _relations(self, child: TableInfo) -> None:
        for column in child.table.columns:
            for fk in column.foreign_keys:
                parent = self.tables[fk.column.table.name]
                forward = (
                    child.spec.forward_names.get(column.name)
                    or column.info.get("rel")
                    or _forward_default(column)
                )
                reverse = (
                    child.spec.reverse_names.get(column.name)
                    or column.info.get("reverse")
                    or _reverse_default(child, parent)
                )
                kind: Literal["one", "many"] = "one" if _is_unique_alone(column) else "many"
                child.relations.append(
                    Relation(forward, "forward", child, child, column, parent, fk.column)
                )
                parent.relations.append(
                    Relation(reverse, kind, parent, child, column, parent, fk.column)
                )

    @staticmethod
    def _check_entitlements(info: TableInfo) -> None:
        """A root field and the rows it lists are guarded by the same entitlement."""
        for root in info.spec.roots:
            if root.entitlement is not None and root.entitlement != info.spec.read_entitlement:
                raise ValueError(
                    f"{info.name}: root field {root.name} requires {root.entitlement!r} but "
                    f"the table's rows are readable with {info.spec.read_entitlement!r}; "
                    "declare TableSpec.read_entitlement to match"
                )

    def _check_names(self, info: TableInfo) -> None:
        unknown = set(info.spec.computed) - set(info.table.c.keys())
        if unknown:
            raise ValueError(f"{info.name}: TableSpec.computed names no column {sorted(unknown)}")
        seen: dict[str, str] = {}
        for name, what in (
            [(c.name, f"column {c.column.name}") for c in info.columns]
            + [(r.name, f"relation via {r.child.name}.{r.fk_column.name}") for r in info.relations]
            + [(camel(n), "extra field") for n in info.spec.extra_fields]
        ):
            if name in seen:
                raise ValueError(
                    f"{info.type_name}.{name}: {what} collides with {seen[name]}; "
                    "name one of them (info rel=/reverse= or a TableSpec)"
                )
            seen[name] = what


_catalog: Catalog | None = None


def build_catalog() -> Catalog:
    """The catalog of all tables, built once per process from the domains' declarations
    (:func:`schema.declarations`: the packages listed in :data:`schema.DOMAINS`), so the
    answer does not depend on what the caller imported before.
    """
    global _catalog
    if _catalog is None:
        from schema import declarations  # the domains import this module: import late

        declared = declarations()
        _catalog = Catalog(declared.specs, declared.root_rows)
    return _catalog
