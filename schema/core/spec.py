"""The one declaration per table from which the GraphQL layer is generated.

Everything that can be derived from the SQLAlchemy model is derived (fields, enums, relations in
both directions, ownership, default order); a :class:`TableSpec` only states the exceptions.
Each ``schema/<domain>/__init__.py`` declares the specs of its tables in its ``DOMAIN``
(:class:`Domain`), and :func:`schema.declarations` collects them from the packages listed in
:data:`schema.DOMAINS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from db.visibility import Visibility as Visibility  # declared with a TableSpec


@dataclass(frozen=True)
class ExtraFilter:
    """A filter argument that is not derived from a column type.

    Attributes:
        name: the GraphQL input field (camelCase is applied), e.g. ``"muscle"``.
        python_type: the argument's Python type (``str``, ``list[str]``).
        clause: builds the SQL predicate from the table and the bind parameter that carries
            the value (statements are compiled once per shape and serve every value).
        description: shown in GraphiQL.
        param_type: the bind parameter's SQL type (e.g. ``ARRAY(Text)``).
        bind: the bind parameter's value for an argument value (default: the value itself).
    """

    name: str
    python_type: Any
    clause: Callable[[sa.Table, Any], sa.ColumnElement[bool]]
    description: str
    param_type: Any
    bind: Callable[[Any], Any] = lambda value: value


@dataclass(frozen=True)
class RootField:
    """A root ``Query`` connection over a table (catalogs, admin lists).

    Attributes:
        name: the GraphQL field name (``"marketItems"``).
        description: shown in GraphiQL.
        entitlement: when set, only viewers holding it may query the field (e.g.
            ``"audit_log:read"``); others get a permission error. It must be the table's
            ``TableSpec.read_entitlement`` (checked when the catalog is built).
    """

    name: str
    description: str
    entitlement: str | None = None


@dataclass(frozen=True)
class RowField:
    """A declared field returning at most one visible row of ``table``: the row whose
    ``column`` equals the parent row's ``source`` column, or, on the root type (``source``
    None), the viewer's user id (null when signed out).

    Both paths read the declaration: the Strawberry field resolves it through the request's
    ``<Scope><Type>By<Column>Loader``, the SQL compiler (``schema/compiler``) as a correlated
    subquery with the same visibility predicate and ``where``.

    Attributes:
        table: the table of the returned row (``"focus_sessions"``).
        column: the column matched against the key (unique among rows matching ``where``).
        description: shown in GraphiQL.
        source: the parent's column holding the key (``"id"``); None for a root field keyed by
            the viewer.
        where: an extra predicate of the row (``status IN ('active', 'paused')``).
        scope: the loader name prefix that tells this loader from the plain by-column one.
    """

    table: str
    column: str
    description: str
    source: str | None = None
    where: Callable[[sa.Table], sa.ColumnElement[bool]] | None = None
    scope: str = ""

    def __call__(self, factory: Any) -> Any:
        """The Strawberry field (``factory`` is the ``TypeFactory``), for ``extra_fields``."""
        return factory.row_field(self)


@dataclass(frozen=True)
class TableSpec:
    """The API declaration of one table; every attribute is an override of a derived default.
    (Descriptions are not declared here: they come from the models, see
    ``schema/core/descriptions.py``.)

    Attributes:
        table: the table name (``"focus_sessions"``).
        visibility: who sees rows; derived from the columns when None (``user_id`` -> OWNER,
            no owner but a cascading FK to an owned table -> VIA_PARENT, else PUBLIC).
        public_when: with OWNER visibility, the predicate of rows everybody may see.
        order: the connection order as column names, ``"-col"`` for descending; the primary
            key is appended as the tie-breaker. Derived when None (``sort_order``-like column
            ascending, then ``created_at``; or newest first for logs).
        search: text columns searched by the ``search`` filter (case-insensitive substring).
        filters: extra filter arguments.
        roots: root connections over this table.
        reverse_names: FK column of this table -> name of the reverse field on the
            referenced type (``{"user_id": "ledger"}`` makes ``User.ledger``).
        forward_names: FK column -> name of the forward field.
        extra_fields: python name -> a builder taking the ``TypeFactory`` and returning a
            strawberry field added to the generated type (hand-written fields that cannot be
            derived, e.g. ``User.activeFocusSession``).
        by_id: generate a root lookup ``<type>(id: ID!)``.
        computed: column name -> the SQL expression both read paths answer for that column
            instead of its stored value, built over the row's table or alias (the general
            path's row SELECT and the compiled statement alike, so they agree), for a stored
            value that time makes stale (``current_streak`` after a missed period). Filters,
            orders and cursors keep the stored column.
        masked: computed columns that answer null for some viewers although the column is
            not null (a hidden achievement's ``trigger_type``): their fields are nullable.
        read_entitlement: holders of this entitlement see every row of this table, whatever
            its visibility (``audit_log`` -> ``"audit_log:read"``); a root field over the table
            that requires an entitlement must require this one, so the field and its rows are
            checked alike. Holders of ``rows:read_all`` (:data:`db.auth.viewer.READ_ALL_ROWS`)
            see every row of every table anyway.
    """

    table: str
    visibility: Visibility | None = None
    public_when: Callable[[sa.Table], sa.ColumnElement[bool]] | None = None
    order: tuple[str, ...] | None = None
    search: tuple[str, ...] = ()
    filters: tuple[ExtraFilter, ...] = ()
    roots: tuple[RootField, ...] = ()
    reverse_names: dict[str, str] = field(default_factory=dict)
    forward_names: dict[str, str] = field(default_factory=dict)
    extra_fields: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    by_id: bool = True
    read_entitlement: str | None = None
    computed: dict[str, Callable[[sa.FromClause], sa.ColumnElement[Any]]] = field(
        default_factory=dict
    )
    masked: tuple[str, ...] = ()


@dataclass(frozen=True)
class AddedField:
    """A hand-written field a domain adds to a generated type, its own or another domain's
    (the focus domain adds ``User.activeFocusSession``).

    Attributes:
        table: the table whose type gets the field (``"users"``).
        name: the python name (the GraphQL name is its camelCase).
        build: takes the ``TypeFactory`` and returns the Strawberry field; a :class:`RowField`
            is such a builder, and both read paths answer it from the declaration.
    """

    table: str
    name: str
    build: Callable[[Any], Any]


@dataclass(frozen=True)
class Domain:
    """What one ``schema/<domain>`` package declares for the generated part of the schema: the
    package's ``DOMAIN``, read by :func:`schema.declarations` for every package listed in
    :data:`schema.DOMAINS` (nothing registers at import).

    Attributes:
        tables: the :class:`TableSpec` overrides of the domain's tables.
        fields: hand-written fields added to generated types.
        root_rows: GraphQL name -> a root field returning the viewer's row of a table
            (``me``); its :class:`RowField` has no ``source``.
    """

    tables: tuple[TableSpec, ...] = ()
    fields: tuple[AddedField, ...] = ()
    root_rows: Mapping[str, RowField] = field(default_factory=dict)


def merge_domains(domains: Iterable[Domain]) -> tuple[dict[str, TableSpec], dict[str, RowField]]:
    """The table specs (with the fields other domains add to them) and the root row fields of
    ``domains``.

    Returns:
        ``(table name -> TableSpec, GraphQL name -> RowField)``; a table without a declared
        spec has none here (:func:`spec_for` gives the all-defaults spec).

    Raises:
        ValueError: a table, an added field or a root row field is declared twice, or a root
            row field has a ``source``.
    """
    specs: dict[str, TableSpec] = {}
    added: dict[str, dict[str, Callable[[Any], Any]]] = {}
    rows: dict[str, RowField] = {}
    for domain in domains:
        for spec in domain.tables:
            if spec.table in specs:
                raise ValueError(f"table {spec.table!r} is declared twice")
            specs[spec.table] = spec
        for extra in domain.fields:
            if extra.name in added.setdefault(extra.table, {}):
                raise ValueError(f"field {extra.table}.{extra.name} is declared twice")
            added[extra.table][extra.name] = extra.build
        for name, row in domain.root_rows.items():
            if name in rows or row.source is not None:
                raise ValueError(
                    f"root row field {name!r}: declared twice or keyed by a parent column"
                )
            rows[name] = row
    for table, builders in added.items():
        spec = spec_for(table, specs)
        specs[table] = replace(spec, extra_fields={**spec.extra_fields, **builders})
    return specs, rows


def spec_for(table: str, specs: Mapping[str, TableSpec]) -> TableSpec:
    """The declared spec of ``table`` in ``specs``, or the all-defaults spec."""
    return specs.get(table) or TableSpec(table=table)
