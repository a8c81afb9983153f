"""Strawberry types generated from the catalog: one object type per table, its connection and
edge, its filter input, and the root fields (catalog connections, by-id lookups).

The classes are created as empty shells first and decorated last, so that relations can point
at each other in both directions (``purchase.item`` and ``item.purchases``); Strawberry
resolves the shells when the schema is built.
"""

from __future__ import annotations

import base64
import enum
import types
from collections.abc import Awaitable
from datetime import UTC, date, datetime
from operator import methodcaller
from typing import Annotated, Any, NewType, Protocol

import dateutil.parser
import strawberry
from strawberry.permission import PermissionExtension
from strawberry.relay import PageInfo
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition
from strawberry.types.unset import UNSET

from db.visibility import Visibility
from schema.core import descriptions as docs
from schema.core import sql
from schema.core.cursor import cursor_of
from schema.core.fields import Argument, generated_field
from schema.core.ids import lookup_id
from schema.core.loaders import ROOT
from schema.core.pages import PageArgs, page_info
from schema.core.permissions import HasEntitlement
from schema.core.spec import RootField, RowField
from schema.core.strawberry_adapter import scalar_parser
from schema.core.tables import Catalog, ColumnField, Relation, TableInfo, camel

BigInt = NewType("BigInt", int)

_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1


def _parse_bigint(value: object) -> int:
    """A BigInt input: an integer (or a string of digits) within PostgreSQL's BIGINT range.

    Raises:
        ValueError: anything else (graphql-core turns it into a clear input error).
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("BigInt must be an integer")
    number = int(value)
    if not _BIGINT_MIN <= number <= _BIGINT_MAX:
        raise ValueError("BigInt must lie between -2^63 and 2^63 - 1")
    return number


def _parse_datetime(text: str) -> datetime:
    """A DateTime input (ISO 8601), always timezone-aware: a value without an offset is UTC.

    Raises:
        ValueError: not ISO 8601, or outside the range of an instant (e.g. year 9999 at
            UTC-14, which is year 10000 in UTC); Strawberry's parser wrapper turns it into a
            clear input error instead of a database failure.
    """
    value: datetime = dateutil.parser.isoparse(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("It lies outside the supported range of instants.") from None
    return value


#: Scalars registered through ``StrawberryConfig.scalar_map``.
SCALAR_MAP: dict[object, ScalarDefinition] = {
    # Strawberry's DateTime, with a parser that refuses what PostgreSQL would refuse later.
    datetime: ScalarDefinition(
        name="DateTime",
        description="Date with time (isoformat)",
        specified_by_url=None,
        serialize=methodcaller("isoformat"),
        parse_value=scalar_parser(_parse_datetime, "DateTime"),
        parse_literal=None,
        origin=datetime,
    ),
    BigInt: strawberry.scalar(
        name="BigInt",
        serialize=int,
        parse_value=_parse_bigint,
        description="A 64-bit integer (byte counts, outbox ids): GraphQL's Int stops at 2^31 - 1.",
    ),
}


@strawberry.input(description="A half-open range of instants: from <= value < to.")
class DateTimeRange:
    from_: datetime | None = strawberry.field(
        name="from", default=UNSET, description="The first instant in the range (inclusive)."
    )
    to: datetime | None = strawberry.field(
        default=UNSET, description="The instant the range ends at (exclusive)."
    )


@strawberry.input(description="A half-open range of days: from <= value < to.")
class DateRange:
    from_: date | None = strawberry.field(
        name="from", default=UNSET, description="The first day in the range (inclusive)."
    )
    to: date | None = strawberry.field(
        default=UNSET, description="The day the range ends before (exclusive)."
    )


_SCALARS: dict[str, Any] = {
    "id": strawberry.ID,
    "str": str,
    "int": int,
    "bigint": BigInt,
    "float": float,
    "bool": bool,
    "datetime": datetime,
    "date": date,
    "json": JSON,
    "bytes": str,
}

_enums: dict[type[enum.Enum], Any] = {}


def graphql_enum(enum_class: type[enum.Enum]) -> Any:
    """The GraphQL enum of a model's StrEnum (named like the class, values upper-cased)."""
    if enum_class not in _enums:
        wrapped = strawberry.enum(enum_class, description=docs.enum_description(enum_class))
        meanings = docs.enum_value_descriptions(enum_class)
        for value in wrapped.__strawberry_definition__.values:  # type: ignore[attr-defined]
            value.description = meanings.get(value.name)
        _enums[enum_class] = wrapped
    return _enums[enum_class]


def by_id_name(info: TableInfo) -> str:
    """The root by-id lookup of a table: the type name with a lower-case initial
    (``marketItem``)."""
    return camel(info.type_name[0].lower() + info.type_name[1:])


class CountLoad(Protocol):
    """A connection's ``totalCount``: the count loader's call, made only when selected."""

    def __call__(self) -> Awaitable[int]: ...


class TypeFactory:
    """Builds every generated Strawberry type from a :class:`Catalog`.

    Attributes:
        types: table name -> object type.
        connections: table name -> ``<Type>Connection``.
        filters: table name -> ``<Type>Filter`` input (tables with filterable columns only).
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.types: dict[str, type] = {}
        self.edges: dict[str, type] = {}
        self.connections: dict[str, type] = {}
        self.filters: dict[str, type] = {}
        self.filter_defs: dict[str, list[sql.FilterDef]] = {}
        self._build()

    # -- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        for info in self.catalog:
            self.types[info.name] = types.new_class(info.type_name)
            self.filter_defs[info.name] = defs = sql.filter_defs(info)
            if defs:
                self.filters[info.name] = self._filter_input(info, defs)
        for info in self.catalog:
            self._edge_and_connection(info)
        for info in self.catalog:
            self._object_type(info)

    def _filter_input(self, info: TableInfo, defs: list[sql.FilterDef]) -> type:
        namespace: dict[str, Any] = {}
        for d in defs:
            kind: Any
            if d.kind == "in":
                element = (
                    graphql_enum(d.python_type)
                    if isinstance(d.python_type, type) and issubclass(d.python_type, enum.Enum)
                    else d.python_type
                )
                kind = list[element] | None  # type: ignore[valid-type]
            elif d.kind == "range":
                kind = (DateTimeRange if d.python_type == "datetime" else DateRange) | None
            else:
                kind = d.python_type | None
            namespace[d.name] = strawberry.field(
                graphql_type=kind, default=UNSET, name=camel(d.name), description=d.description
            )
        return strawberry.input(
            types.new_class(f"{info.type_name}Filter", (), {}, lambda ns: ns.update(namespace)),
            description=docs.filter_description(info),
        )

    def _edge_and_connection(self, info: TableInfo) -> None:
        node = self.types[info.name]
        codec = cursor_of(info)

        def cursor(root: Any) -> str:
            return codec.encode(root.node)

        edge: dict[str, Any] = {
            "node": strawberry.field(graphql_type=node, description=docs.node_description(info)),
            # Computed only when selected: most pages never ask for edge cursors.
            "cursor": strawberry.field(resolver=cursor, description=docs.CURSOR),
        }
        self.edges[info.name] = strawberry.type(
            types.new_class(f"{info.type_name}Edge", (), {}, lambda ns: ns.update(edge)),
            description=docs.edge_description(info),
        )

        def total_count(root: Any) -> Any:
            return root.count()

        conn: dict[str, Any] = {
            "edges": strawberry.field(
                graphql_type=list[self.edges[info.name]],  # type: ignore[name-defined]
                description=docs.EDGES,
            ),
            "page_info": strawberry.field(graphql_type=PageInfo, description=docs.PAGE_INFO),
            "total_count": strawberry.field(
                resolver=total_count, graphql_type=int, description=docs.TOTAL_COUNT
            ),
            # The count's loader call, made only when `totalCount` is selected.
            "__annotations__": {"count": strawberry.Private[CountLoad]},
        }
        self.connections[info.name] = strawberry.type(
            types.new_class(f"{info.type_name}Connection", (), {}, lambda ns: ns.update(conn)),
            description=docs.connection_description(info),
        )

    def _object_type(self, info: TableInfo) -> None:
        """Give the table's shell class its fields (columns under their python keys, relations
        and added fields under their names: the catalog checked that the GraphQL names are
        unique), then decorate it."""
        # Resolved columns (bytes as base64) after the stored ones: the SDL's field order.
        columns = sorted(info.columns, key=lambda cf: cf.kind == "bytes")
        fields: dict[str, Any] = {cf.key: self._column_field(cf) for cf in columns}
        for relation in info.relations:
            fields[relation.name] = self._relation_field(relation)
        for name, build in info.spec.extra_fields.items():
            fields[name] = (
                self.row_field(build, parent=info, name=camel(name))
                if isinstance(build, RowField)
                else build(self)
            )
        expected = len(info.columns) + len(info.relations) + len(info.spec.extra_fields)
        if len(fields) != expected:
            raise ValueError(f"{info.type_name}: two fields share a python name")
        cls = self.types[info.name]
        for name, field in fields.items():
            setattr(cls, name, field)
        strawberry.type(cls, description=docs.type_description(info))

    def _column_field(self, cf: ColumnField) -> Any:
        py: Any = graphql_enum(cf.enum_class) if cf.enum_class else _SCALARS[cf.kind]
        if cf.nullable:
            py = py | None
        description = docs.column_description(cf)
        if cf.kind == "bytes":
            key = cf.key

            def as_base64(root: Any) -> str | None:
                value = getattr(root, key)
                return None if value is None else base64.b64encode(value).decode()

            return generated_field(as_base64, py, name=cf.name, description=description)
        return strawberry.field(graphql_type=py, name=cf.name, description=description)

    # -- relations ------------------------------------------------------------------------

    def _forward_nullable(self, relation: Relation) -> bool:
        parent = relation.parent
        if relation.fk_column.nullable:
            return True
        if parent.visibility is Visibility.PUBLIC:
            return False
        # The link that makes the child visible leads to a visible parent.
        return not relation.grants_visibility

    def _relation_field(self, relation: Relation) -> Any:
        if relation.kind == "many":
            return self.connection_field(
                relation.child,
                relation,
                relation.name,
                docs.relation_description(relation),
            )
        if relation.kind == "forward":
            target, column = relation.parent, relation.parent_column
            source_key = relation.child.key_of[relation.fk_column.name]
            nullable = self._forward_nullable(relation)
        else:
            target, column = relation.child, relation.fk_column
            source_key = relation.parent.key_of[relation.parent_column.name]
            nullable = True
        target_type: Any = self.types[target.name]

        async def resolve(root: Any, info: strawberry.Info) -> Any:
            key = getattr(root, source_key)
            if key is None:
                return None
            return await info.context.loaders.row_by(target, column).load(key)

        return generated_field(
            resolve,
            target_type | None if nullable else target_type,
            name=relation.name,
            description=docs.relation_description(relation),
        )

    def connection_field(
        self,
        info: TableInfo,
        relation: Relation | None,
        name: str,
        description: str,
        *,
        extensions: list[Any] | None = None,
    ) -> Any:
        """A connection field over ``info``: nested under a parent through ``relation``, or a
        root connection when ``relation`` is None."""
        defs = self.filter_defs[info.name]
        codec = cursor_of(info)
        conn_cls = self.connections[info.name]
        edge_cls = self.edges[info.name]
        parent_key = relation.parent.key_of[relation.parent_column.name] if relation else None

        async def resolve(
            root: Any,
            info_: strawberry.Info,
            first: int | None = UNSET,
            after: str | None = UNSET,
            last: int | None = UNSET,
            before: str | None = UNSET,
            filter: Any = UNSET,
        ) -> Any:
            def given(value: Any) -> Any:
                return None if value is UNSET else value

            fkey = sql.filter_key(given(filter))
            args = PageArgs.parse(given(first), given(after), given(last), given(before), fkey)
            loaders = info_.context.loaders
            key = ROOT if parent_key is None else getattr(root, parent_key)
            rows = await loaders.page(info, relation, args, defs).load(key)
            has_more = len(rows) > args.limit
            rows = rows[: args.limit]
            flags = page_info(
                has_more=has_more,
                cursor_given=args.cursor is not None,
                reverse=args.reverse,
                first_read=codec.encode(rows[0]) if rows else None,
                last_read=codec.encode(rows[-1]) if rows else None,
            )
            if args.reverse:
                rows = rows[::-1]
            edges = [edge_cls(node=row) for row in rows]
            connection = conn_cls(
                edges=edges,
                page_info=PageInfo(
                    has_next_page=flags["hasNextPage"],
                    has_previous_page=flags["hasPreviousPage"],
                    start_cursor=flags["startCursor"],
                    end_cursor=flags["endCursor"],
                ),
                count=lambda: loaders.count(info, relation, fkey, defs).load(key),
            )
            return connection

        arguments = [
            Argument("first", Annotated[int | None, strawberry.argument(description=docs.FIRST)]),
            Argument("after", Annotated[str | None, strawberry.argument(description=docs.AFTER)]),
            Argument("last", Annotated[int | None, strawberry.argument(description=docs.LAST)]),
            Argument("before", Annotated[str | None, strawberry.argument(description=docs.BEFORE)]),
        ]
        if info.name in self.filters:
            filter_type: Any = self.filters[info.name] | None
            arguments.append(
                Argument(
                    "filter", Annotated[filter_type, strawberry.argument(description=docs.FILTER)]
                )
            )
        return generated_field(
            resolve,
            conn_cls,
            arguments=arguments,
            name=name,
            description=description,
            extensions=extensions or [],
        )

    def row_field(
        self, field: RowField, *, parent: TableInfo | None = None, name: str | None = None
    ) -> Any:
        """The Strawberry field of a :class:`RowField`: on ``parent``'s type, keyed by its
        ``field.source`` column, or a root field keyed by the viewer (null when signed out).

        Raises:
            ValueError: a parent-keyed field without a parent, or a root field with one.
        """
        if (field.source is None) != (parent is None):
            raise ValueError(f"{field}: `source` goes with a parent type, and only with one")
        target = self.catalog[field.table]
        column = target.table.c[field.column]
        where = [field.where(target.table)] if field.where is not None else []
        source_key = parent.key_of[field.source] if parent and field.source else None
        target_type: Any = self.types[target.name]

        async def resolve(root: Any, info: strawberry.Info) -> Any:
            if source_key is None:
                viewer = info.context.viewer
                key = None if viewer is None else viewer.user_id
            else:
                key = getattr(root, source_key)
            if key is None:
                return None
            loader = info.context.loaders.row_by(target, column, where=where, scope=field.scope)
            return await loader.load(key)

        return generated_field(
            resolve,
            target_type | None,
            name=name,
            description=field.description,
        )

    # -- root fields ------------------------------------------------------------------------

    def root_fields(self) -> dict[str, Any]:
        """The declared root row fields (``me``), the root connections declared by the specs,
        and a by-id lookup per table."""
        fields: dict[str, Any] = {
            name: self.row_field(rf) for name, rf in self.catalog.root_rows.items()
        }
        for info in self.catalog:
            for root in info.spec.roots:
                fields[root.name] = self._root_connection(info, root)
            if info.has_single_id and info.spec.by_id:
                name = by_id_name(info)
                if name in fields:
                    raise ValueError(f"root field {name} declared twice")
                fields[name] = self._by_id(info, name)
        return fields

    def _root_connection(self, info: TableInfo, root: RootField) -> Any:
        extensions = []
        if root.entitlement:
            extensions.append(PermissionExtension(permissions=[HasEntitlement(root.entitlement)]))
        return self.connection_field(info, None, root.name, root.description, extensions=extensions)

    def _by_id(self, info: TableInfo, name: str) -> Any:
        target_type = self.types[info.name]
        column = info.table.c.id
        integer = column.type.python_type is int

        async def resolve(info_: strawberry.Info, id: strawberry.ID) -> Any:
            key = lookup_id(id, "id", integer=integer)
            return await info_.context.loaders.row_by(info, column).load(key)

        described = strawberry.argument(description=f"The id of the {info.type_name}.")
        return generated_field(
            resolve,
            target_type | None,
            arguments=[Argument("id", Annotated[strawberry.ID, described])],
            name=name,
            description=f"The {info.type_name} with this id, or null when it does not exist "
            "or is not visible to the viewer.",
        )
