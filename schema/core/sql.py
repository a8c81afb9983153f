"""The SQL behind every generated field: visibility, filters, keyset pages and counts.

Each builder returns one statement for a whole batch of parents, so the statements of a request
depend on the shape of the query, never on the number of rows (docs/design.md#graphql-conventions).

Every value that varies between requests (the parent keys, the viewer, the page size, the
cursor, the filter values) is a named bind parameter, so a statement depends only on the
*shape* of a field (table, relation, direction, which filter fields and cursor are given, the
kind of viewer). :class:`Template` compiles such a statement once per shape; the DataLoaders
(``schema/core/loaders.py``) keep the templates in :data:`TEMPLATES` and run them with new
values, with no SQLAlchemy construction or compilation per request. The compiled read path
(``schema/compiler``) builds its one
statement from the same predicates.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from graphql import GraphQLError
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import asyncpg
from strawberry.types.unset import UNSET

from db import visibility
from db.auth.viewer import Viewer
from db.reader import record_class
from db.visibility import where_visible
from schema.core.tables import Catalog, ColumnField, Relation, TableInfo, camel

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import Dialect

#: The dialect statements are compiled for: asyncpg's, ``$n`` parameters.
DIALECT: Dialect = asyncpg.dialect()


def visible_where(
    catalog: Catalog,
    info: TableInfo,
    viewer: Viewer | None,
    relation: Relation | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The visibility predicates of ``info``'s rows for ``viewer`` as a WHERE list: the rule
    of :func:`db.visibility.where_visible`, over the catalog. ``relation``: the rows are read
    as the children of a visible parent through it (None: on their own)."""
    return where_visible(
        info, viewer, catalog.parent_of, relation.fk_column if relation is not None else None
    )


#: What shapes the visibility predicates of a statement: None when signed out, else the
#: viewer's entitlements that widen visibility (``rows:read_all``, the tables' read
#: entitlements; :func:`widening_entitlements`).
ViewerKind = frozenset[str] | None

#: The bind parameter that carries the viewer's ``users.id`` in a parametric statement.
VIEWER_ID = "viewer_id"


def widening_entitlements(catalog: Catalog) -> frozenset[str]:
    """The entitlements that change what a viewer sees (:func:`db.visibility.visible`)."""
    return visibility.widening_entitlements(catalog)


def viewer_kind(viewer: Viewer | None, widening: frozenset[str]) -> ViewerKind:
    """The part of ``viewer`` that shapes the SQL (:func:`db.visibility.visible`): signed
    out, or signed in with these of the ``widening`` entitlements."""
    return None if viewer is None else viewer.entitlements & widening


def parametric_viewer(kind: ViewerKind) -> Viewer | None:
    """A stand-in viewer of this kind whose ``user_id`` is the :data:`VIEWER_ID` bind
    parameter: :func:`db.visibility.visible` then builds a predicate that serves every
    viewer of the kind."""
    if kind is None:
        return None
    viewer_id = sa.bindparam(VIEWER_ID, None, type_=postgresql.UUID(as_uuid=True))
    return Viewer(user_id=viewer_id, entitlements=kind)  # type: ignore[arg-type]


#: The bind parameter of a batch's parent keys (an array).
KEYS = "keys"
#: The bind parameter of a page's size (rows per parent, one more than asked).
LIMIT = "limit"


def any_of(column: sa.ColumnElement[Any], name: str = KEYS) -> sa.ColumnElement[bool]:
    """``column = ANY(:name)``: one array bind parameter whatever the number of keys, so the
    statement text (and asyncpg's prepared statement) is the same for 5 or 500 parents."""
    return column == sa.any_(sa.bindparam(name, None, type_=postgresql.ARRAY(column.type)))


# -- filters ---------------------------------------------------------------------------------


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class FilterDef:
    """One field of a ``<Type>Filter`` input.

    Attributes:
        name: the Python attribute of the input (its GraphQL name is the camelCase).
        kind: ``"in"`` (list of values), ``"eq"``, ``"range"`` (DateTimeRange/DateRange),
            ``"search"`` or ``"extra"``.
        python_type: the value type (element type for ``"in"``).
        clause: builds the predicate from the table and the bind parameter that carries the
            value (for ``"range"``: a pair of parameters, either None when that bound is not
            given), so that one statement serves every value.
        description: shown in GraphiQL.
        bind: the bind parameter's value for an input value (as :func:`filter_key` gives it).
        param_type: the bind parameter's SQL type.
    """

    name: str
    kind: str
    python_type: Any
    clause: Callable[[sa.Table, Any], sa.ColumnElement[bool]]
    description: str
    bind: Callable[[Any], Any] = _same
    param_type: Any = None


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _values(values: Any) -> list[Any]:
    return [getattr(v, "value", v) for v in values]


def _search_pattern(term: str) -> str:
    return f"%{_escape_like(term.strip())}%"


def filter_defs(info: TableInfo) -> list[FilterDef]:
    """The filter fields of a table: enum columns and ``category`` (any of several values),
    boolean columns (equality), date and timestamp columns (ranges), ``search`` over the
    declared text columns, and the declared extra filters; never a column the table's spec
    computes (``TableSpec.computed``), whose stored value the field may hide."""
    defs: list[FilterDef] = []

    def column_in(cf: ColumnField) -> Callable[[sa.Table, Any], sa.ColumnElement[bool]]:
        return lambda t, param: t.c[cf.column.name] == sa.any_(param)

    def column_eq(cf: ColumnField) -> Callable[[sa.Table, Any], sa.ColumnElement[bool]]:
        return lambda t, param: t.c[cf.column.name] == param

    def column_range(cf: ColumnField) -> Callable[[sa.Table, Any], sa.ColumnElement[bool]]:
        def clause(t: sa.Table, params: tuple[Any, Any]) -> sa.ColumnElement[bool]:
            col = t.c[cf.column.name]
            lower, upper = params
            parts = []
            if lower is not None:
                parts.append(col >= lower)
            if upper is not None:
                parts.append(col < upper)
            return sa.and_(sa.true(), *parts)

        return clause

    for cf in info.columns:
        if cf.column.name in info.spec.computed:
            # The field answers a computed value (a hidden achievement's masked trigger): a
            # filter on the stored column would let a client probe what the field hides.
            continue
        array = postgresql.ARRAY(cf.column.type)
        if cf.kind == "enum":
            defs.append(
                FilterDef(
                    cf.key,
                    "in",
                    cf.enum_class,
                    column_in(cf),
                    f"Rows whose {cf.name} is one of these values."
                    + limits_note("in", cf.enum_class),
                    _values,
                    array,
                )
            )
        elif cf.kind == "str" and cf.column.name == "category":
            defs.append(
                FilterDef(
                    cf.key,
                    "in",
                    str,
                    column_in(cf),
                    "Rows in one of these categories." + limits_note("in", str),
                    _values,
                    array,
                )
            )
        elif cf.kind == "bool":
            defs.append(
                FilterDef(
                    cf.key,
                    "eq",
                    bool,
                    column_eq(cf),
                    f"Rows whose {cf.name} equals this value.",
                    param_type=cf.column.type,
                )
            )
        elif cf.kind in ("datetime", "date") and cf.column.name != "updated_at":
            defs.append(
                FilterDef(
                    cf.key,
                    "range",
                    cf.kind,
                    column_range(cf),
                    f"Rows whose {cf.name} lies in this half-open range.",
                    param_type=cf.column.type,
                )
            )
    if info.spec.search:
        columns = info.spec.search

        def search(t: sa.Table, pattern: Any) -> sa.ColumnElement[bool]:
            return sa.or_(*[t.c[c].ilike(pattern, escape="\\") for c in columns])

        defs.append(
            FilterDef(
                "search",
                "search",
                str,
                search,
                f"Case-insensitive substring of {', '.join(map(camel, columns))}."
                + limits_note("search", str, "search"),
                _search_pattern,
                sa.Text(),
            )
        )
    for extra in info.spec.filters:
        defs.append(
            FilterDef(
                extra.name,
                "extra",
                extra.python_type,
                extra.clause,
                extra.description + limits_note("extra", extra.python_type, extra.name),
                extra.bind,
                extra.param_type,
            )
        )
    return defs


#: Longest ``search`` term, in characters: a search box, not a document (a 1 MB term
#: cost 3-8 s of ILIKE per request).
MAX_SEARCH_LENGTH = 100
#: Longest other string of a filter (a category, a piece of equipment, a muscle), characters.
MAX_FILTER_STRING_LENGTH = 100
#: Most values of a list filter (``category: [...]``, ``status: [...]``, ``equipment: [...]``).
MAX_FILTER_VALUES = 100


def _string_limit(name: str) -> int:
    return MAX_SEARCH_LENGTH if name == "search" else MAX_FILTER_STRING_LENGTH


def limits_note(kind: str, python_type: Any, name: str = "") -> str:
    """The sentence that documents a filter field's size limits ("" when it has none)."""
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return f" At most {MAX_FILTER_VALUES} values."
    if kind == "in" or getattr(python_type, "__origin__", None) is list:
        return (
            f" At most {MAX_FILTER_VALUES} values of at most {MAX_FILTER_STRING_LENGTH} characters."
        )
    if python_type is str:
        return f" At most {_string_limit(name)} characters."
    return ""


def check_filter(value: Any) -> None:
    """Refuse a filter input whose strings or lists are over the limits, before any SQL.

    Raises:
        GraphQLError: naming the argument (``filter.search``) and the limit, with
            ``extensions.code = "BAD_USER_INPUT"``.
    """
    if value is None:
        return
    for name, v in vars(value).items():
        argument = f"filter.{camel(name)}"
        if isinstance(v, str) and len(v) > _string_limit(name):
            raise _too_long(argument, f"{len(v):,} characters", _string_limit(name), "characters")
        if isinstance(v, list):
            if len(v) > MAX_FILTER_VALUES:
                raise _too_long(argument, f"{len(v):,} values", MAX_FILTER_VALUES, "values")
            for x in v:
                if isinstance(x, str) and len(x) > MAX_FILTER_STRING_LENGTH:
                    raise _too_long(
                        argument,
                        f"a value of {len(x):,} characters",
                        MAX_FILTER_STRING_LENGTH,
                        "characters per value",
                    )


def _too_long(argument: str, got: str, limit: int, unit: str) -> GraphQLError:
    return GraphQLError(
        f"`{argument}` has {got}; the limit is {limit} {unit}.",
        extensions={"code": "BAD_USER_INPUT", "argument": argument, "limit": limit},
    )


def filter_key(value: Any) -> tuple[tuple[str, Any], ...]:
    """A hashable, order-independent form of a filter input (part of a DataLoader's key).

    Raises:
        GraphQLError: a string or list over the limits (:func:`check_filter`).
    """
    if value is None:
        return ()
    check_filter(value)
    items = []
    for name, v in sorted(vars(value).items()):
        if v is None or v is UNSET:
            continue
        if isinstance(v, list):
            v = tuple(getattr(x, "value", x) for x in v)
        elif hasattr(v, "from_"):
            v = ("range", None if v.from_ is UNSET else v.from_, None if v.to is UNSET else v.to)
        items.append((name, v))
    return tuple(items)


#: The shape of a filter (part of a statement's key): the given fields, and for ranges
#: which bounds are given.
FilterShape = tuple[tuple[str, Any], ...]


def bind_filter(
    defs: Sequence[FilterDef], key: tuple[tuple[str, Any], ...], prefix: str = "f_"
) -> tuple[FilterShape, dict[str, Any]]:
    """The shape of a filter given as :func:`filter_key` produced it, and the values of the
    bind parameters :func:`filter_clauses` names (``<prefix><field>``, for ranges
    ``<prefix><field>_from`` and ``_to``)."""
    by_name = {d.name: d for d in defs}
    shape: list[tuple[str, Any]] = []
    values: dict[str, Any] = {}
    for name, value in key:
        if by_name[name].kind == "range":
            _, lower, upper = value
            shape.append((name, (lower is not None, upper is not None)))
            if lower is not None:
                values[f"{prefix}{name}_from"] = lower
            if upper is not None:
                values[f"{prefix}{name}_to"] = upper
        else:
            shape.append((name, None))
            values[f"{prefix}{name}"] = by_name[name].bind(value)
    return tuple(shape), values


def filter_clauses(
    info: TableInfo,
    defs: Sequence[FilterDef],
    key: tuple[tuple[str, Any], ...],
    prefix: str = "f_",
) -> list[sa.ColumnElement[bool]]:
    """The predicates of a filter given as :func:`filter_key` produced it, over named bind
    parameters that carry this filter's values (:func:`bind_filter` gives the same values
    for another filter of the same shape)."""
    by_name = {d.name: d for d in defs}
    shape, values = bind_filter(defs, key, prefix)
    clauses = []
    for name, flags in shape:
        d = by_name[name]
        if d.kind == "range":
            params = tuple(
                sa.bindparam(f"{prefix}{name}_{end}", values[f"{prefix}{name}_{end}"], d.param_type)
                if given
                else None
                for end, given in zip(("from", "to"), flags, strict=True)
            )
            clauses.append(d.clause(info.table, params))
        else:
            param = sa.bindparam(f"{prefix}{name}", values[f"{prefix}{name}"], d.param_type)
            clauses.append(d.clause(info.table, param))
    return clauses


# -- keyset pagination -----------------------------------------------------------------------


def keyset(info: TableInfo, values: Sequence[Any], *, after: bool) -> sa.ColumnElement[bool]:
    """Rows strictly after (or before) the position ``values`` in the table's order."""
    clauses = []
    for i, (col, desc) in enumerate(info.order):
        greater = desc != after  # ascending order: rows after a cursor are greater
        cmp = col > values[i] if greater else col < values[i]
        clauses.append(sa.and_(*[info.order[j][0] == values[j] for j in range(i)], cmp))
    return sa.or_(*clauses)


def order_by(info: TableInfo, *, reverse: bool) -> list[sa.ColumnElement[Any]]:
    return [(col.desc() if desc != reverse else col.asc()) for col, desc in info.order]


def page_statement(
    info: TableInfo,
    where: Sequence[sa.ColumnElement[bool]],
    *,
    reverse: bool,
    parent_col: sa.Column[Any] | None = None,
) -> sa.Select[Any]:
    """One page (:data:`LIMIT` rows, in order or reversed for ``last``) of a root connection,
    or of every parent's connection at once (parents in :data:`KEYS`; a window function
    partitions by the parent key)."""
    ordering = order_by(info, reverse=reverse)
    limit = sa.bindparam(LIMIT, None, type_=sa.Integer)
    if parent_col is None:
        return sa.select(*info.select_columns()).where(*where).order_by(*ordering).limit(limit)
    rank = sa.func.row_number().over(partition_by=parent_col, order_by=ordering).label("rank_")
    inner = (
        sa.select(*info.select_columns(), parent_col.label("parent_key_"), rank)
        .where(any_of(parent_col), *where)
        .subquery()
    )
    return (
        sa.select(inner).where(inner.c.rank_ <= limit).order_by(inner.c.parent_key_, inner.c.rank_)
    )


def count_statement(
    info: TableInfo,
    where: Sequence[sa.ColumnElement[bool]],
    *,
    parent_col: sa.Column[Any] | None = None,
) -> sa.Select[Any]:
    """``totalCount`` of a root connection, or of every parent's connection at once (parents
    in :data:`KEYS`)."""
    if parent_col is None:
        return sa.select(sa.func.count().label("row_count")).select_from(info.table).where(*where)
    return (
        sa.select(parent_col.label("parent_key_"), sa.func.count().label("row_count"))
        .where(any_of(parent_col), *where)
        .group_by(parent_col)
    )


def rows_statement(
    info: TableInfo,
    column: sa.Column[Any],
    where: Sequence[sa.ColumnElement[bool]],
) -> sa.Select[Any]:
    """The rows whose ``column`` is one of :data:`KEYS` (by-id and by-key loads)."""
    return sa.select(*info.select_columns(), column.label("lookup_key_")).where(
        any_of(column), *where
    )


# -- statements compiled once ----------------------------------------------------------------


@dataclass(eq=False)
class Template:
    """A SELECT compiled once: its SQL text (``$n`` parameters), how to fill its parameters
    per execution, and how to turn its rows into records.

    Attributes:
        sql: the statement's text for :data:`DIALECT`.
        slots: per ``$n``: ``(True, name, processor)``, filled from the values given per
            execution, or ``(False, value, None)``, a constant of the statement.
        labels: the result's column labels (the record's attribute names).
        types: the result's column types.
    """

    sql: str
    slots: tuple[tuple[bool, Any, Callable[[Any], Any] | None], ...]
    labels: tuple[str, ...]
    types: tuple[sa.types.TypeEngine[Any], ...]
    #: Result processors per column (SQLAlchemy's, e.g. strings to Python enums), known from
    #: the first result's column types; None until then.
    processors: list[Callable[[Any], Any] | None] | None = field(default=None, repr=False)

    @classmethod
    def compile(cls, statement: sa.Select[Any], runtime: Collection[str]) -> Template:
        """Compile ``statement`` once.

        Args:
            statement: the SELECT; its bind parameters named in ``runtime`` get their values
                per execution, every other one keeps the value it was built with.
            runtime: names of the bind parameters filled per execution.
        """
        compiled = statement.compile(dialect=DIALECT, compile_kwargs={"render_postcompile": True})
        processors: dict[str, Any] = dict(compiled._bind_processors)
        slots: list[tuple[bool, Any, Callable[[Any], Any] | None]] = []
        for name in compiled.positiontup or ():
            processor = processors.get(name)
            if name in runtime:
                slots.append((True, name, processor))
            else:
                value = compiled.params[name]
                slots.append((False, processor(value) if processor else value, None))
        columns = statement.selected_columns
        return cls(
            compiled.string, tuple(slots), tuple(columns.keys()), tuple(c.type for c in columns)
        )

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional arguments of one execution.

        Raises:
            KeyError: a runtime parameter has no value in ``values``.
        """
        out = []
        for bound, item, processor in self.slots:
            if not bound:
                out.append(item)
                continue
            value = values[item]
            out.append(processor(value) if processor is not None and value is not None else value)
        return out

    def records(self, rows: Sequence[Sequence[Any]], description: Sequence[Any]) -> list[Any]:
        """The rows as named tuples with the statement's labels, each value processed as
        SQLAlchemy would (``description`` is the DB-API cursor description: type codes)."""
        processors = self.processors
        if processors is None:
            processors = self.processors = [
                type_._cached_result_processor(DIALECT, desc[1])
                for type_, desc in zip(self.types, description, strict=True)
            ]
        record = record_class(self.labels)
        if not any(processors):
            return [record._make(row) for row in rows]
        return [
            record._make(
                [p(v) if p is not None else v for p, v in zip(processors, row, strict=True)]
            )
            for row in rows
        ]


#: Loader templates by statement shape (see :func:`template`). The shapes are finite (tables,
#: relations, directions, filter fields, cursor or not, kinds of viewer), so the cache is too.
TEMPLATES: dict[Hashable, Template] = {}


def template(
    key: Hashable, build: Callable[[], sa.Select[Any]], runtime: Collection[str]
) -> Template:
    """The template of shape ``key``, built and compiled on first use.

    Args:
        key: everything that shapes the statement (never a value that varies per request).
        build: builds the statement; called once per key.
        runtime: the names of the bind parameters filled per execution.
    """
    found = TEMPLATES.get(key)
    if found is None:
        found = TEMPLATES[key] = Template.compile(build(), runtime)
    return found
