"""The query compiler: one validated query operation -> one SQL statement whose single value
is the response's ``data`` as JSON text (docs/design.md#the-compiled-path).

It walks the selection set with graphql-core's own field collection (fragments, ``@include``,
``@skip``, aliases, merging) and maps every field onto the declarations of ``schema/core``:
columns, relations (both directions), connections (order, keyset cursors, ``limit + 1`` for
``hasNextPage``, ``totalCount`` only when selected), filters, visibility predicates, the
declared :class:`~schema.core.spec.RowField` fields (``me``, ``User.activeFocusSession``),
root connections and by-id lookups. Nothing is restated: the predicates are the ones the
DataLoaders use (``schema.core.sql``), adapted to table aliases.

Whatever it does not know (hand-written resolvers, introspection, mutations, subscriptions)
and every request the general path answers with an error (page size, ``first`` with
``last``, malformed cursors or ids, missing entitlements) raises :class:`NotCovered`: the
general Strawberry path then answers, so errors are always the general path's own.

Caching: the analysis of a document (parse, validation, operation, variables) is cached per
(document text, operation name); plans per (that entry, kind of viewer, values of the
variables that shape the SQL, which connection arguments are null, the shape of the variables
used in filters: which fields are given, not their values). A plan is the SQL text
plus how to fill its bind parameters from the variables and the viewer, so a repeated
request costs two dictionary lookups, a few conversions and one statement.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    get_named_type,
    visit,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.language import Visitor
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import util as sql_util
from strawberry.types.arguments import convert_arguments

from db.auth.viewer import Viewer
from db.errors import InvalidInput
from schema.compiler import json
from schema.core import sql
from schema.core.cursor import InvalidCursor, cursor_of, literal
from schema.core.errors import contains_nul
from schema.core.ids import parse_id
from schema.core.pages import PageArgs, page_info
from schema.core.protection import RequestLimits, check_cost, parse_document, validate_document
from schema.core.spec import RowField
from schema.core.strawberry_adapter import graphql_core_schema
from schema.core.tables import Relation, TableInfo, build_catalog, camel
from schema.core.types import by_id_name

if TYPE_CHECKING:
    import strawberry
    from graphql import ASTValidationRule

    from schema.core.settings import SchemaSettings

#: Connection arguments whose values become bind parameters (everything else that a
#: variable feeds shapes the SQL and is part of the plan's key).
BOUND_ARGUMENTS = frozenset({"first", "last", "after", "before", "id"})


class NotCovered(Exception):
    """The operation, or this request of it, is answered by the general path."""


class Unknown(NotCovered):
    """The operation selects a field the compiler does not know (for every request)."""


@dataclass
class Prepared:
    """A statement ready to run: the SQL text (``$n`` parameters) and its arguments, and the
    operation's cost estimate (``extensions.cost.requested`` of the general path)."""

    sql: str
    args: list[Any]
    cost: int | None = None


@dataclass
class Plan:
    """A compiled operation for one plan key.

    Attributes:
        template: the statement; its one row's one column is the ``data`` JSON text.
        recipes: per request, each returns bind values from the coerced variables; raises
            :class:`NotCovered` for arguments the general path rejects.
        entitlements: entitlements the viewer must hold (root connections of admins).
    """

    template: sql.Template
    recipes: list[Callable[[VariableValues], dict[str, Any]]]
    entitlements: frozenset[str]

    @property
    def sql(self) -> str:
        """The statement's text (``$n`` parameters)."""
        return self.template.sql

    def prepare(self, variables: VariableValues, viewer: Viewer | None) -> Prepared:
        """The statement for these coerced variables and this viewer.

        Raises:
            NotCovered: the viewer lacks an entitlement, or an argument is one the general
                path answers with an error.
        """
        if self.entitlements and (
            viewer is None or not all(viewer.has(e) for e in self.entitlements)
        ):
            raise NotCovered("missing entitlement")
        values: dict[str, Any] = {sql.VIEWER_ID: viewer.user_id if viewer else None}
        for recipe in self.recipes:
            values.update(recipe(variables))
        return Prepared(self.template.sql, self.template.args(values))


@dataclass
class Document:
    """The per-document analysis (cached per text and operation name).

    Attributes:
        node: the parsed document.
        operation: the selected query operation.
        fragments: the document's fragments, as graphql-core's field collection wants them.
        bound_variables: variables used only as values of :data:`BOUND_ARGUMENTS`.
        filter_variables: variables used only inside ``filter`` arguments: their values
            become bind parameters, only their shape (:func:`_shape`) selects the plan.
        plans: compiled plans by plan key (or the reason a key is not covered).
    """

    node: DocumentNode
    operation_name: str | None
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDetails]
    bound_variables: frozenset[str]
    filter_variables: frozenset[str]
    plans: dict[Hashable, Plan | NotCovered] = field(default_factory=dict)
    #: Cost estimates (``schema.core.protection.check_cost``) by the request's variables.
    costs: dict[Hashable, tuple[int | None, GraphQLError | None]] = field(default_factory=dict)
    #: Set when a plan of this document met a field the compiler does not know (every plan
    #: of it would): later requests skip signing in on the compiled path.
    not_covered: NotCovered | None = None


class _LRU(OrderedDict[Hashable, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or(self, key: Hashable, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > self.size:
            self.popitem(last=False)
        return value


def _hashable(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    scalar: Hashable = value
    return scalar


class Compiler:
    """Compiles and caches query operations of one schema.

    Args:
        schema: the Strawberry schema (its graphql-core schema, scalar registry and config).
        rules: the validation rules the general path adds to graphql-core's (introspection);
            a document failing any of them is not covered.
        limits: the general path's request limits (``schema.core.protection``): a document
            over one, or an operation over the cost limit, is not covered.
        cache_size: documents (and plans per document) kept.
    """

    def __init__(
        self,
        schema: strawberry.Schema,
        rules: Sequence[type[ASTValidationRule]] = (),
        limits: RequestLimits | None = None,
        *,
        cache_size: int = 512,
    ) -> None:
        from graphql import specified_rules

        self.schema = schema
        self.gql = graphql_core_schema(schema)
        # The general path validates with Strawberry's default rules (graphql-core's
        # specified rules) plus the added ones: the same tuple shares its validation cache.
        self.rules = (*specified_rules, *rules)
        self.limits = limits or RequestLimits()
        self.catalog = build_catalog()
        self.by_type = {info.type_name: info for info in self.catalog}
        self.by_connection = {f"{info.type_name}Connection": info for info in self.catalog}
        self.by_edge = {f"{info.type_name}Edge": info for info in self.catalog}
        self.roots: dict[str, Any] = dict(self.catalog.root_rows)
        for info in self.catalog:
            for root in info.spec.roots:
                self.roots[root.name] = (info, root)
            if info.has_single_id and info.spec.by_id:
                self.roots[by_id_name(info)] = info
        self.filter_defs = {info.name: sql.filter_defs(info) for info in self.catalog}
        #: Entitlements that change what a viewer sees (see :func:`sql.viewer_kind`).
        self.widening = sql.widening_entitlements(self.catalog)
        self._documents = _LRU(cache_size)
        self._plan_cache_size = cache_size

    @classmethod
    def for_settings(cls, schema: strawberry.Schema, settings: SchemaSettings | None) -> Compiler:
        """A compiler that applies the general path's limits and rules of ``settings``
        (``schema.core.build``: depth, aliases, tokens, length, selections, cost,
        introspection)."""
        from schema.core.build import request_limits, validation_rules

        return cls(schema, validation_rules(settings), request_limits(settings))

    # -- entry point --------------------------------------------------------------------

    def prepare(
        self,
        query: str,
        operation_name: str | None,
        raw_variables: dict[str, Any] | None,
        viewer: Viewer | None,
    ) -> Prepared:
        """The one statement answering this request.

        Args:
            query: the document text.
            operation_name: the operation to run (None: the document's only one).
            raw_variables: the request's variables, as sent (JSON values).
            viewer: the signed-in user, or None.

        Returns:
            The statement and its arguments; its one value is the ``data`` JSON text.

        Raises:
            NotCovered: the general path answers this request.
        """
        document = self.document(query, operation_name)
        if document is None:
            raise NotCovered("document")
        return self.prepare_document(document, raw_variables, viewer)

    def document(self, query: str, operation_name: str | None) -> Document | None:
        """The cached analysis of a document's operation, or None when the operation is not
        a valid query (the general path reports why) or not covered. Needs no database."""
        document = self._documents.get_or(
            (query, operation_name), lambda: self._analyse(query, operation_name)
        )
        return document if isinstance(document, Document) else None

    def prepare_document(
        self, document: Document, raw_variables: dict[str, Any] | None, viewer: Viewer | None
    ) -> Prepared:
        """:meth:`prepare` for a document already analysed by :meth:`document`.

        Raises:
            NotCovered: the general path answers this request.
        """
        if document.not_covered is not None:
            raise document.not_covered
        if contains_nul(raw_variables):
            raise NotCovered("U+0000 in a variable")  # the general path's BAD_USER_INPUT
        # The estimate depends on the document and the variables only (page sizes,
        # conditions): kept per document for the last few sets of variables.
        cost_key = _hashable(raw_variables or {})
        estimate = document.costs.get(cost_key)
        if estimate is None:
            estimate = check_cost(
                self.gql, document.node, document.operation_name, raw_variables, self.limits
            )
            if len(document.costs) >= 64:
                document.costs.clear()
            document.costs[cost_key] = estimate
        requested, refusal = estimate
        if refusal is not None:
            raise NotCovered("cost limit")
        coerced = get_variable_values(
            self.gql, document.operation.variable_definitions or (), raw_variables or {}
        )
        if isinstance(coerced, list):
            raise NotCovered("invalid variables")
        variables = coerced.coerced
        runtime = document.bound_variables | document.filter_variables
        structural = tuple(
            sorted(
                (name, _hashable(value)) for name, value in variables.items() if name not in runtime
            )
        )
        nulls = tuple(sorted(n for n in document.bound_variables if variables.get(n) is None))
        shapes = tuple(sorted((n, _shape(variables.get(n))) for n in document.filter_variables))
        kind = sql.viewer_kind(viewer, self.widening)
        key = (kind, structural, nulls, shapes)
        plan = document.plans.get(key)
        if plan is None:
            try:
                plan = _Builder(self, document, coerced, kind).build()
            except Unknown as exc:
                document.not_covered = plan = exc
            except NotCovered as exc:
                plan = exc
            if len(document.plans) >= self._plan_cache_size:
                document.plans.clear()
            document.plans[key] = plan
        if isinstance(plan, NotCovered):
            raise plan
        prepared = plan.prepare(coerced, viewer)
        prepared.cost = requested
        return prepared

    def _analyse(self, query: str, operation_name: str | None) -> Document | NotCovered:
        # The general path's own checks (schema.core.protection), in its order: a document
        # they refuse is left to it, and it reports the errors.
        try:
            document = parse_document(query, self.limits)
        except GraphQLError:
            return NotCovered("syntax or size")
        if validate_document(self.gql, document, self.rules, self.limits):
            return NotCovered("invalid")
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None:
            operation = operations[0] if len(operations) == 1 else None
        else:
            operation = next(
                (o for o in operations if o.name and o.name.value == operation_name), None
            )
        if operation is None or operation.operation is not OperationType.QUERY:
            return NotCovered("not a query")
        from graphql import FragmentDefinitionNode

        fragments = {
            d.name.value: FragmentDetails(d)
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        bound, filtering = _bound_variables(document)
        return Document(document, operation_name, operation, fragments, bound, filtering)


def _bound_variables(document: DocumentNode) -> tuple[frozenset[str], frozenset[str]]:
    """Variables used only as the whole value of a :data:`BOUND_ARGUMENTS` argument, and
    variables used only inside ``filter`` arguments."""
    bound: set[str] = set()
    filtering: set[str] = set()
    other: set[str] = set()

    class Uses(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
            if isinstance(node.value, VariableNode) and node.name.value in BOUND_ARGUMENTS:
                bound.add(node.value.name.value)
                return Visitor.SKIP
            if node.name.value == "filter":
                filtering.update(_variables_in(node))
                return Visitor.SKIP
            return None

        def enter_variable(self, node: VariableNode, key: Any, parent: Any, *_: Any) -> Any:
            if not (hasattr(parent, "variable") and parent.variable is node):
                other.add(node.name.value)

    visit(document, Uses())
    return frozenset(bound - other - filtering), frozenset(filtering - other - bound)


def _variables_in(node: Any) -> set[str]:
    """The names of the variables used in an AST subtree."""
    names: set[str] = set()

    class Collect(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> Any:
            names.add(variable.name.value)

    visit(node, Collect())
    return names


def _shape(value: Any) -> Hashable:
    """What of a filter variable's value shapes the SQL: which input fields are given (not
    null), recursively; not the values, nor the length of a list (one array parameter)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return tuple(sorted((k, _shape(v)) for k, v in value.items()))
    if isinstance(value, list):
        return "list"
    return "value"


# -- building one plan ----------------------------------------------------------------------


class _Source:
    """Where an argument's value comes from: a constant of the document or a variable."""

    def __init__(self, node: FieldNode, name: str, constant: Any) -> None:
        arg = next((a for a in node.arguments or () if a.name.value == name), None)
        self.variable = (
            arg.value.name.value
            if arg is not None and isinstance(arg.value, VariableNode)
            else None
        )
        self.constant = constant

    def __call__(self, variables: VariableValues) -> Any:
        return variables.coerced.get(self.variable) if self.variable else self.constant


class _Builder:
    def __init__(
        self, compiler: Compiler, document: Document, variables: Any, kind: sql.ViewerKind
    ) -> None:
        self.c = compiler
        self.gql = compiler.gql
        self.document = document
        self.variables = variables
        self.kind = kind
        self.viewer = sql.parametric_viewer(kind)
        self.viewer_id: sa.ColumnElement[Any] = (
            sa.bindparam(sql.VIEWER_ID, None, type_=postgresql.UUID(as_uuid=True))
            if self.viewer is None
            else self.viewer.user_id  # type: ignore[assignment]
        )
        self.recipes: list[Callable[[VariableValues], dict[str, Any]]] = []
        self.entitlements: set[str] = set()
        self.runtime = {sql.VIEWER_ID}
        self.counter = 0

    def name(self, prefix: str) -> str:
        """A fresh bind parameter name filled per request (``rt_l3``: a page limit)."""
        self.counter += 1
        name = f"rt_{prefix}{self.counter}"
        self.runtime.add(name)
        return name

    # -- driver ---------------------------------------------------------------------------

    def build(self) -> Plan:
        query_type = self.gql.query_type
        assert query_type is not None
        grouped = collect_fields(
            self.gql,
            self.document.fragments,
            self.variables,
            query_type,
            self.document.operation,
        ).grouped_field_set
        pairs = [(key, self.root_field(details)) for key, details in grouped.items()]
        statement = sa.select(sa.cast(json.json_object(pairs), sa.Text))
        template = sql.Template.compile(statement, self.runtime)
        return Plan(template, self.recipes, frozenset(self.entitlements))

    def subfields(
        self, type_: GraphQLObjectType, details: list[FieldDetails]
    ) -> dict[str, list[FieldDetails]]:
        return collect_subfields(
            self.gql,
            self.document.fragments,
            self.variables,
            self.document.operation,
            type_,
            details,
        ).grouped_field_set

    def arguments(
        self,
        parent: GraphQLObjectType,
        details: list[FieldDetails],
        variables: VariableValues | None = None,
    ) -> dict[str, Any]:
        """The field's arguments converted as Strawberry converts them for its resolver
        (with the variables of the plan's build, or of a request)."""
        first = details[0]
        field_def = parent.fields[first.node.name.value]
        raw = get_argument_values(
            field_def,
            first.node,
            self.variables if variables is None else variables,
            first.fragment_variable_values,
        )
        definition = field_def.extensions.get("strawberry-definition")
        if definition is None:
            return raw
        return convert_arguments(
            raw,
            definition.arguments,
            scalar_registry=self.c.schema.schema_converter.scalar_registry,
            config=self.c.schema.config,
        )

    # -- root fields ----------------------------------------------------------------------

    def root_field(self, details: list[FieldDetails]) -> sa.ColumnElement[Any]:
        query_type = self.gql.query_type
        assert query_type is not None
        name = details[0].node.name.value
        if name == "__typename":
            return literal(query_type.name)
        root = self.c.roots.get(name)
        if root is None:
            raise Unknown(f"root field {name}")
        field_def = query_type.fields[name]
        if isinstance(root, RowField):
            if self.viewer is None:
                return sa.null()
            target = self.c.catalog[root.table]
            return self.row(
                target, target.table.c[root.column], self.viewer_id, field_def, details, root
            )
        if isinstance(root, tuple):
            info, declared = root
            if declared.entitlement:
                self.entitlements.add(declared.entitlement)
            return self.connection(info, None, None, query_type, field_def, details)
        info = root
        id_source = _Source(details[0].node, "id", self.arguments(query_type, details).get("id"))
        integer = info.table.c.id.type.python_type is int
        key = self.name("i")

        def parse_key(variables: VariableValues) -> dict[str, Any]:
            try:
                return {key: parse_id(id_source(variables), "id", integer=integer)}
            except InvalidInput as exc:
                raise NotCovered("invalid id") from exc

        self.recipes.append(parse_key)
        bind = sa.bindparam(key, None, type_=info.table.c.id.type)
        return self.row(info, info.table.c.id, bind, field_def, details, None)

    # -- objects --------------------------------------------------------------------------

    def object(
        self, info: TableInfo, alias: sa.FromClause, details: list[FieldDetails]
    ) -> sa.ColumnElement[Any]:
        """The JSON object of the selected fields of one row of ``info`` (as ``alias``)."""
        type_ = self.gql.get_type(info.type_name)
        assert isinstance(type_, GraphQLObjectType)
        columns = {cf.name: cf for cf in info.columns}
        relations = {r.name: r for r in info.relations}
        extras = {camel(k): v for k, v in info.spec.extra_fields.items()}
        pairs: list[tuple[str, sa.ColumnElement[Any]]] = []
        for key, sub in self.subfields(type_, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                pairs.append((key, literal(info.type_name)))
            elif name in columns:
                cf = columns[name]
                pairs.append((key, json.value(cf, info.read_column(alias, cf.column.name))))
            elif name in relations:
                pairs.append((key, self.relation(relations[name], alias, type_, sub)))
            elif isinstance(rf := extras.get(name), RowField):
                assert rf.source is not None
                target = self.c.catalog[rf.table]
                pairs.append(
                    (
                        key,
                        self.row(
                            target,
                            target.table.c[rf.column],
                            alias.c[rf.source],
                            type_.fields[name],
                            sub,
                            rf,
                        ),
                    )
                )
            else:
                raise Unknown(f"field {info.type_name}.{name}")
        return json.json_object(pairs)

    def relation(
        self,
        relation: Relation,
        alias: sa.FromClause,
        parent_type: GraphQLObjectType,
        details: list[FieldDetails],
    ) -> sa.ColumnElement[Any]:
        field_def = parent_type.fields[relation.name]
        if relation.kind == "many":
            parent_key = alias.c[relation.parent_column.name]
            return self.connection(
                relation.child, relation, parent_key, parent_type, field_def, details
            )
        if relation.kind == "forward":
            return self.row(
                relation.parent,
                relation.parent_column,
                alias.c[relation.fk_column.name],
                field_def,
                details,
                None,
            )
        return self.row(
            relation.child,
            relation.fk_column,
            alias.c[relation.parent_column.name],
            field_def,
            details,
            None,
        )

    def visibility(
        self, info: TableInfo, relation: Relation | None = None
    ) -> list[sa.ColumnElement[bool]]:
        """The loaders' visibility predicates (:func:`schema.core.sql.visible_where`)."""
        return sql.visible_where(self.c.catalog, info, self.viewer, relation)

    def row(
        self,
        info: TableInfo,
        column: sa.Column[Any],
        key: sa.ColumnElement[Any],
        field_def: GraphQLField,
        details: list[FieldDetails],
        declared: RowField | None,
    ) -> sa.ColumnElement[Any]:
        """The visible row of ``info`` whose ``column`` equals ``key`` (the by-column
        loader's rule, plus a :class:`RowField`'s ``where``), as JSON or null."""
        alias = info.table.alias()
        adapt = sql_util.ClauseAdapter(alias).traverse
        where = self.visibility(info)
        if declared is not None and declared.where is not None:
            where.append(declared.where(info.table))
        _object_type(field_def)
        statement = (
            sa.select(self.object(info, alias, details))
            .select_from(alias)
            .where(alias.c[column.name] == key, *[adapt(w) for w in where])
            .limit(1)
        )
        return statement.scalar_subquery()

    # -- connections ----------------------------------------------------------------------

    def connection(
        self,
        info: TableInfo,
        relation: Relation | None,
        parent_key: sa.ColumnElement[Any] | None,
        parent_type: GraphQLObjectType,
        field_def: GraphQLField,
        details: list[FieldDetails],
    ) -> sa.ColumnElement[Any]:
        """A Relay connection of ``info`` (under a parent through ``relation``, or a root
        connection), with the general path's page rules (:class:`PageArgs`)."""
        args = self.arguments(parent_type, details)
        node = details[0].node
        sources = {
            name: _Source(node, name, args.get(name))
            for name in ("first", "after", "last", "before")
        }
        try:
            fkey = sql.filter_key(args.get("filter"))
        except GraphQLError as exc:  # over the limits: the general path's BAD_USER_INPUT
            raise NotCovered("filter") from exc
        # The shape of the SQL depends on which arguments are given (part of the plan key),
        # not on their values, which are checked per request.
        given = {n: _given(s(self.variables)) is not None for n, s in sources.items()}
        try:
            shape = PageArgs.parse(
                0 if given["first"] else None,
                "" if given["after"] else None,
                0 if given["last"] else None,
                "" if given["before"] else None,
                fkey,
            )
        except GraphQLError as exc:
            raise NotCovered("connection arguments") from exc
        limit_key = self.name("l")
        limit = sa.bindparam(limit_key, None, type_=sa.Integer)
        codec = cursor_of(info)
        cursor_keys = [self.name("k") for _ in info.order] if shape.cursor is not None else []

        def page_values(variables: VariableValues) -> dict[str, Any]:
            values = {name: _given(src(variables)) for name, src in sources.items()}
            try:
                page = PageArgs.parse(
                    values["first"], values["after"], values["last"], values["before"], ()
                )
            except GraphQLError as exc:
                raise NotCovered("connection arguments") from exc
            out: dict[str, Any] = {limit_key: page.limit}
            if cursor_keys:
                assert page.cursor is not None
                try:
                    decoded = codec.decode(page.cursor)
                except InvalidCursor as exc:
                    raise NotCovered("cursor") from exc
                out.update(zip(cursor_keys, decoded, strict=True))
            return out

        self.recipes.append(page_values)

        alias = info.table.alias()
        adapt = sql_util.ClauseAdapter(alias).traverse
        where = self.visibility(info, relation) + self.filter(info, parent_type, details, fkey)
        linked = [alias.c[relation.fk_column.name] == parent_key] if relation is not None else []
        # The parent's alias sits two SELECTs out (the page is a LATERAL subquery of the
        # connection's own SELECT): correlate explicitly.
        outer = [parent_key.table] if parent_key is not None else []
        conn_type = _object_type(field_def)
        grouped = self.subfields(conn_type, details)

        pairs: list[tuple[str, sa.ColumnElement[Any]]] = []
        page_columns: list[sa.ColumnElement[Any]] = []
        page_needed = False
        cursor_needed = False
        edge_columns: dict[str, str] = {}
        for key, sub in grouped.items():
            name = sub[0].node.name.value
            if name == "edges":
                page_needed = True
                edge_columns[key] = f"e{len(edge_columns)}"
            elif name == "pageInfo":
                page_needed = True
                info_type = _object_type(conn_type.fields["pageInfo"])
                for inner in self.subfields(info_type, sub).values():
                    if inner[0].node.name.value in ("startCursor", "endCursor"):
                        cursor_needed = True
            elif name not in ("__typename", "totalCount"):
                raise Unknown(f"connection field {name}")
        if (cursor_needed or edge_columns or shape.cursor is not None) and not codec.supported:
            raise Unknown("cursor of an unsupported order column")

        page = None
        if page_needed:
            ordering = [adapt(o) for o in sql.order_by(info, reverse=shape.reverse)]
            rank = sa.func.row_number().over(order_by=ordering)
            page_where = [adapt(w) for w in where] + linked
            if shape.cursor is not None:
                bound = codec.params(cursor_keys)
                page_where.append(adapt(sql.keyset(info, bound, after=not shape.reverse)))
            cursor = codec.sql([alias.c[col.name] for col, _ in info.order])
            page_columns.append(rank.label("rn"))
            if cursor_needed:
                page_columns.append(cursor.label("cursor"))
            edge_type = _object_type(conn_type.fields["edges"])
            for key, column in edge_columns.items():
                edge_pairs: list[tuple[str, sa.ColumnElement[Any]]] = []
                for edge_key, edge_sub in self.subfields(edge_type, grouped[key]).items():
                    edge_name = edge_sub[0].node.name.value
                    if edge_name == "__typename":
                        edge_pairs.append((edge_key, literal(edge_type.name)))
                    elif edge_name == "cursor":
                        edge_pairs.append((edge_key, cursor))
                    else:
                        edge_pairs.append((edge_key, self.object(info, alias, edge_sub)))
                # Only the rows of the page are rendered, not the extra row.
                page_columns.append(
                    sa.case((rank <= limit, json.json_object(edge_pairs))).label(column)
                )
            page = (
                sa.select(*page_columns)
                .select_from(alias)
                .where(*page_where)
                .correlate(*outer)
                .order_by(*ordering)
                .limit(limit + 1)
                .lateral(self.name("p"))
            )

        count = None
        for key, sub in grouped.items():
            name = sub[0].node.name.value
            if name == "__typename":
                pairs.append((key, literal(conn_type.name)))
            elif name == "totalCount":
                if count is None:
                    # The loaders' statement (one root's count), over an alias of its own,
                    # linked to the parent row.
                    counted = info.table.alias()
                    statement = sql_util.ClauseAdapter(counted).traverse(
                        sql.count_statement(info, where)
                    )
                    if relation is not None:
                        statement = statement.where(
                            counted.c[relation.fk_column.name] == parent_key
                        )
                    count = statement.correlate(*outer).scalar_subquery()
                pairs.append((key, count))
            elif name == "edges":
                assert page is not None
                direction = page.c.rn.desc() if shape.reverse else page.c.rn.asc()
                agg = sa.func.json_agg(
                    postgresql.aggregate_order_by(page.c[edge_columns[key]], direction)
                ).filter(page.c.rn <= limit)
                pairs.append((key, sa.func.coalesce(agg, sa.literal_column("'[]'::json"))))
            else:  # pageInfo
                assert page is not None
                pairs.append((key, self.page_info(conn_type, sub, page, limit, shape)))

        if page is None:
            return json.json_object(pairs)
        # GROUP BY (): one row even when nothing but constants is selected from the page.
        return (
            sa.select(json.json_object(pairs))
            .select_from(page)
            .group_by(sa.text("()"))
            .scalar_subquery()
        )

    def filter(
        self,
        info: TableInfo,
        parent_type: GraphQLObjectType,
        details: list[FieldDetails],
        fkey: tuple[tuple[str, Any], ...],
    ) -> list[sa.ColumnElement[bool]]:
        """The predicates of a connection's ``filter``, under parameter names of its own.

        Values written in the document are constants of the plan; values that come from
        variables are filled per request (the plan serves every value of the same shape:
        a search box does not compile a plan per term).
        """
        defs = self.c.filter_defs[info.name]
        self.counter += 1
        prefix = f"f{self.counter}_"
        clauses = sql.filter_clauses(info, defs, fkey, prefix)
        node = next((a for a in details[0].node.arguments or () if a.name.value == "filter"), None)
        if node is None or not _variables_in(node) & self.document.filter_variables:
            return clauses
        shape, values = sql.bind_filter(defs, fkey, prefix)
        self.runtime.update(values)

        def filter_values(variables: VariableValues) -> dict[str, Any]:
            given = self.arguments(parent_type, details, variables).get("filter")
            try:
                key = sql.filter_key(given)
            except GraphQLError as exc:  # over the limits: the general path's error
                raise NotCovered("filter") from exc
            got, values = sql.bind_filter(defs, key, prefix)
            if got != shape:  # the plan key holds the shape: never expected
                raise NotCovered("filter shape")
            return values

        self.recipes.append(filter_values)
        return clauses

    def page_info(
        self,
        conn_type: GraphQLObjectType,
        details: list[FieldDetails],
        page: sa.FromClause,
        limit: sa.ColumnElement[Any],
        shape: PageArgs,
    ) -> sa.ColumnElement[Any]:
        """``pageInfo`` by the general path's rule (:func:`schema.core.pages.page_info`),
        over the page's rows (``rn``: their rank as read)."""
        info_type = _object_type(conn_type.fields["pageInfo"])
        in_page = page.c.rn <= limit

        def read(first: bool) -> sa.ColumnElement[Any]:
            direction = page.c.rn.asc() if first else page.c.rn.desc()
            cursors = sa.func.array_agg(
                postgresql.aggregate_order_by(page.c.cursor, direction)
            ).filter(in_page)
            return sa.type_coerce(cursors, postgresql.ARRAY(sa.Text))[1]

        fields = page_info(
            has_more=sa.func.count() > limit,
            cursor_given=sa.true() if shape.cursor is not None else sa.false(),
            reverse=shape.reverse,
            # The page has a cursor column only when a cursor is selected.
            first_read=read(True) if "cursor" in page.c else None,
            last_read=read(False) if "cursor" in page.c else None,
        )
        pairs: list[tuple[str, sa.ColumnElement[Any]]] = []
        for key, sub in self.subfields(info_type, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                pairs.append((key, literal(info_type.name)))
            elif name in fields:
                pairs.append((key, fields[name]))
            else:
                raise Unknown(f"pageInfo field {name}")
        return json.json_object(pairs)


def _given(value: Any) -> Any:
    from strawberry.types.unset import UNSET

    return None if value is UNSET else value


def _object_type(field_def: GraphQLField) -> GraphQLObjectType:
    named = get_named_type(field_def.type)
    if not isinstance(named, GraphQLObjectType):
        raise Unknown("abstract type")
    return named


def iter_plans(compiler: Compiler) -> Iterable[tuple[Hashable, Plan | NotCovered]]:
    """Every cached plan (tests and the benchmark report the share of covered operations)."""
    for document in compiler._documents.values():
        if isinstance(document, Document):
            yield from document.plans.items()
