"""Static analysis of a GraphQL document before anything runs: its shape and its cost.

Two analyses, both linear in the size of the document (fragments are expanded through a memo
or under a bound, never blindly, so a "fragment bomb" costs no more than its text):

- :func:`document_shape`, syntactic, before validation: nesting depth, aliases, selections
  (fragments counted at every spread) and the largest group of same-named selections that
  graphql-core's ``OverlappingFieldsCanBeMergedRule`` would compare pair by pair. These bound
  the work of validation itself, which is quadratic in repeated fields (measured in
  ``bench/validate.py``: 990 copies of ``me { id }`` took 0.8-1.4 s to validate).
- :func:`estimate_cost`, on a validated document with the request's variables: the most
  objects the response can hold, GitHub's node count extended with IBM's object weights
  (GitHub, "Rate limits and node limits for the GraphQL API"; IBM, "GraphQL Cost Directives",
  ``@listSize``):

  * a connection contributes its page size ``n`` (``first`` or ``last``; the default page size
    when neither is given, at most the maximum page size) and multiplies everything under its
    ``edges`` by ``n``; the connection, edge and ``pageInfo`` wrappers are free;
  * every other object field contributes 1 (a row looked up or an object built);
  * a list of objects that is not a connection contributes its declared size
    (``strawberry.field(metadata={"list_size": n})``), else the maximum page size, and
    multiplies its children by it;
  * scalars and ``__typename`` are free;
  * introspection is priced like everything else: ``__schema`` and ``__type`` are objects,
    and so is each ``__Type``, ``__Field``, ``__InputValue``, ``__EnumValue`` and
    ``__Directive`` of the response, counted from the schema itself
    (:class:`IntrospectionSizes`): a list under distinct parents (``__schema { types {
    fields { args } } }``) counts at most the schema's total of such items, any other list the
    most one parent has times its parents, and ``ofType`` at most as deep as the schema's
    deepest type wraps (``[X!]!`` wraps three times; under distinct fields, level ``n`` counts
    at most the fields whose type wraps more than ``n`` times). GraphiQL's introspection
    query costs about half the limit; 30 aliased copies of it are refused;
  * ``@skip``/``@include`` are honoured and ``first: $n`` uses the variable's value, or its
    default, as execution would.

Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` expand fragments once per path
without a memo: a document of 40 fragments, each spreading the next through two fields, kept
them busy for minutes (and the depth limiter then raised graphql-core's
``ValidationAbortedError`` out of validation). Depth and aliases are therefore computed here,
in the same memoised pass as the selection count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    type_from_ast,
)

from schema.core.pages import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

#: ``extensions.code`` of each refusal, so that clients and metrics can tell them apart.
DEPTH_LIMIT_EXCEEDED = "DEPTH_LIMIT_EXCEEDED"
ALIAS_LIMIT_EXCEEDED = "ALIAS_LIMIT_EXCEEDED"
TOKEN_LIMIT_EXCEEDED = "TOKEN_LIMIT_EXCEEDED"
DOCUMENT_SIZE_LIMIT_EXCEEDED = "DOCUMENT_SIZE_LIMIT_EXCEEDED"
SELECTION_LIMIT_EXCEEDED = "SELECTION_LIMIT_EXCEEDED"
REPEATED_FIELD_LIMIT_EXCEEDED = "REPEATED_FIELD_LIMIT_EXCEEDED"
COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"
VARIABLES_LIMIT_EXCEEDED = "VARIABLES_LIMIT_EXCEEDED"
INTROSPECTION_LIMIT_EXCEEDED = "INTROSPECTION_LIMIT_EXCEEDED"

#: The "response name" :class:`Shape` reports for too many fragment spreads in one selection set.
FRAGMENT_SPREADS = "..."

#: Size assumed for a list of objects that is neither a connection nor declares its size.
ASSUMED_LIST_SIZE = MAX_PAGE_SIZE


@dataclass(frozen=True)
class Limits:
    """The limits a document must keep (``gateway.settings.Settings`` holds the configured
    values; these defaults are the settings' defaults).

    Attributes:
        max_depth: most fields on one path from the root, fragments included.
        max_aliases: most aliases in one operation, fragments counted at every spread.
        max_selections: most field selections in the whole document (every operation and
            fragment definition, fragments counted again at every spread).
        max_repeats: most selections that share one response name in one merged selection
            set (``{ me { id } me { id } }`` selects ``me`` twice), and most fragment spreads
            in one merged selection set.
        max_nodes: most objects an operation may request (:func:`estimate_cost`).
        max_input_values: most values in a request's variables that graphql-core coerces one
            by one (:func:`count_input_values`).
        max_schema_selections: most ``__schema`` selections in one operation, fragments
            counted at every spread (the standard introspection query has one; a tool needs no
            second copy of the schema in one response).
    """

    max_depth: int = 15
    max_aliases: int = 30
    max_selections: int = 1000
    max_repeats: int = 20
    max_nodes: int = 20_000
    max_input_values: int = 2000
    max_schema_selections: int = 1


def limit_error(message: str, code: str, **details: Any) -> GraphQLError:
    """A refusal with a stable ``extensions.code`` (and the figures in ``extensions``)."""
    return GraphQLError(message, extensions={"code": code, **details})


# -- shape: syntactic, before validation ------------------------------------------------------


@dataclass(frozen=True)
class _Measure:
    selections: int
    depth: int
    aliases: int
    schemas: int  # ``__schema`` selections


@dataclass(frozen=True)
class Shape:
    """What :func:`document_shape` found.

    Attributes:
        selections: field selections in the document, fragments counted at every spread.
        depths: operation name (``""`` when anonymous) -> its depth.
        aliases: operation name -> its aliases, fragments counted at every spread.
        schemas: operation name -> its ``__schema`` selections, fragments counted at every
            spread.
        repeated: ``(response name, count)`` of the first group of same-named selections above
            the repeat limit, or None (only looked for when ``selections`` is within limits).
    """

    selections: int
    depths: Mapping[str, int]
    aliases: Mapping[str, int]
    schemas: Mapping[str, int]
    repeated: tuple[str, int] | None


_NOTHING = _Measure(0, 0, 0, 0)


def _spreads(selection_set: SelectionSetNode) -> list[str]:
    """The fragment names spread anywhere within one definition's selection set."""
    names: list[str] = []
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif selection.selection_set is not None:  # type: ignore[attr-defined]
                stack.append(selection.selection_set)  # type: ignore[attr-defined]
    return names


def _dependency_order(fragments: Mapping[str, FragmentDefinitionNode]) -> list[str]:
    """Fragment names, each after the fragments it spreads (cycles cut), without recursion
    (a chain of thousands of fragments must not exhaust the interpreter's stack)."""
    order: list[str] = []
    seen: set[str] = set()
    for root in fragments:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(_spreads(fragments[root].selection_set)))]
        while stack:
            name, children = stack[-1]
            for child in children:
                if child in fragments and child not in seen:
                    seen.add(child)
                    stack.append((child, iter(_spreads(fragments[child].selection_set))))
                    break
            else:
                stack.pop()
                order.append(name)
    return order


class _Measurer:
    """Selections, depth and aliases of selection sets; each fragment is measured once, in
    dependency order, so that a spread is a memo lookup (unknown fragments and cycles are
    validation errors and add nothing)."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.memo: dict[str, _Measure] = {}
        for name in _dependency_order(fragments):
            self.memo[name] = self.selection_set(fragments[name].selection_set)

    def fragment(self, name: str) -> _Measure:
        return self.memo.get(name, _NOTHING)

    def selection_set(self, selection_set: SelectionSetNode | None) -> _Measure:
        # Recursion only within one definition, whose nesting the parser bounds.
        if selection_set is None:
            return _NOTHING
        selections = depth = aliases = schemas = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                selections += 1 + inner.selections
                depth = max(depth, 1 + inner.depth)
                aliases += inner.aliases + (selection.alias is not None)
                schemas += inner.schemas + (selection.name.value == "__schema")
            else:
                if isinstance(selection, FragmentSpreadNode):
                    inner = self.fragment(selection.name.value)
                else:
                    assert isinstance(selection, InlineFragmentNode)
                    inner = self.selection_set(selection.selection_set)
                selections += inner.selections
                depth = max(depth, inner.depth)
                aliases += inner.aliases
                schemas += inner.schemas
        return _Measure(selections, depth, aliases, schemas)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _largest_repeat(
    roots: Iterable[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    limit: int,
) -> tuple[str, int] | None:
    """The first response name selected more than ``limit`` times in one merged selection set.

    Walks the merged selection tree the way execution collects fields (same response names
    merge, a fragment expands once per selection set, cycles are cut). The walk visits each
    expanded selection once, so its cost is bounded by the selection limit checked before.
    """
    work: list[tuple[list[SelectionSetNode], frozenset[str]]] = [
        ([root], frozenset()) for root in roots
    ]
    while work:
        selection_sets, path = work.pop()
        groups: dict[str, list[FieldNode]] = {}
        expanded: set[str] = set()
        spreads = 0
        # (selection set, written directly in a merged copy rather than in a spread fragment)
        stack = [(selection_set, True) for selection_set in selection_sets]
        while stack:
            selection_set, direct = stack.pop()
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    groups.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    stack.append((selection.selection_set, direct))
                elif isinstance(selection, FragmentSpreadNode):
                    spreads += direct
                    name = selection.name.value
                    definition = fragments.get(name)
                    if definition is not None and name not in expanded and name not in path:
                        expanded.add(name)
                        stack.append((definition.selection_set, False))
        if spreads > limit:
            # graphql-core compares the fragments spread in a selection set pair by pair, for
            # every pair of merged copies: they are bounded like repeated fields. (A spread
            # inside a spread fragment is counted where that fragment is defined.)
            return FRAGMENT_SPREADS, spreads
        inner_path = path | expanded
        for key, nodes in groups.items():
            if len(nodes) > limit:
                return key, len(nodes)
            children = [n.selection_set for n in nodes if n.selection_set is not None]
            if children:
                work.append((children, inner_path))
    return None


def document_shape(document: DocumentNode, limits: Limits) -> Shape:
    """Measure a parsed (not yet validated) document.

    Args:
        document: the parsed document.
        limits: only ``max_selections`` and ``max_repeats`` are used: the search for repeated
            selections is skipped when the document already has too many selections.

    Returns:
        The :class:`Shape`; linear in the size of the document.
    """
    fragments = _fragments(document)
    measurer = _Measurer(fragments)
    selections = 0
    depths: dict[str, int] = {}
    aliases: dict[str, int] = {}
    schemas: dict[str, int] = {}
    roots: list[SelectionSetNode] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            measure = measurer.selection_set(definition.selection_set)
            name = definition.name.value if definition.name else ""
            depths[name] = max(depths.get(name, 0), measure.depth)
            aliases[name] = max(aliases.get(name, 0), measure.aliases)
            schemas[name] = max(schemas.get(name, 0), measure.schemas)
            roots.append(definition.selection_set)
        elif isinstance(definition, FragmentDefinitionNode):
            measure = measurer.fragment(definition.name.value)
            roots.append(definition.selection_set)
        else:
            continue
        selections += measure.selections
    repeated = (
        _largest_repeat(roots, fragments, limits.max_repeats)
        if selections <= limits.max_selections
        else None
    )
    return Shape(selections, depths, aliases, schemas, repeated)


def shape_errors(shape: Shape, limits: Limits) -> list[GraphQLError]:
    """The refusals of a measured document (empty when it keeps every limit)."""
    errors = []
    if shape.selections > limits.max_selections:
        errors.append(
            limit_error(
                f"The document selects {shape.selections:,} fields (fragments counted at "
                f"every spread); the limit is {limits.max_selections:,}.",
                SELECTION_LIMIT_EXCEEDED,
                selections=shape.selections,
                limit=limits.max_selections,
            )
        )
    if shape.repeated is not None:
        name, count = shape.repeated
        if name == FRAGMENT_SPREADS:
            message = (
                f"One selection set spreads {count:,} fragments (copies merged into it "
                f"included); the limit is {limits.max_repeats:,}."
            )
        else:
            message = (
                f"`{name}` is selected {count:,} times in one selection set (copies merged "
                f"into it and fragments included); the limit is {limits.max_repeats:,}. "
                "Select a field once: repeated selections are merged anyway."
            )
        errors.append(
            limit_error(
                message,
                REPEATED_FIELD_LIMIT_EXCEEDED,
                field=name,
                count=count,
                limit=limits.max_repeats,
            )
        )
    for name, depth in shape.depths.items():
        if depth > limits.max_depth:
            errors.append(
                limit_error(
                    f"{_operation(name)} nests {depth} fields deep (fragments included); "
                    f"the limit is {limits.max_depth}.",
                    DEPTH_LIMIT_EXCEEDED,
                    depth=depth,
                    limit=limits.max_depth,
                )
            )
    for name, count in shape.aliases.items():
        if count > limits.max_aliases:
            errors.append(
                limit_error(
                    f"{_operation(name)} uses {count} aliases (fragments counted at every "
                    f"spread); the limit is {limits.max_aliases}.",
                    ALIAS_LIMIT_EXCEEDED,
                    aliases=count,
                    limit=limits.max_aliases,
                )
            )
    for name, count in shape.schemas.items():
        if count > limits.max_schema_selections:
            errors.append(
                limit_error(
                    f"{_operation(name)} selects `__schema` {count} times (fragments counted "
                    f"at every spread); the limit is {limits.max_schema_selections}: "
                    "introspect the schema once.",
                    INTROSPECTION_LIMIT_EXCEEDED,
                    selections=count,
                    limit=limits.max_schema_selections,
                )
            )
    return errors


def _operation(name: str) -> str:
    return f"The operation `{name}`" if name else "The operation"


# -- cost: on a validated document ------------------------------------------------------------


def _value(
    node: ValueNode | None, variables: Mapping[str, Any], defaults: Mapping[str, Any]
) -> Any:
    """The Python value of an Int/Boolean argument literal or variable, or None."""
    if isinstance(node, VariableNode):
        name = node.name.value
        if name in variables:
            return variables[name]
        return _value(defaults.get(name), variables, {})
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, BooleanValueNode):
        return node.value
    return None


class _Estimator:
    """Walks the merged selection tree of one operation, as execution would collect it,
    summing the objects of the module docstring's model."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = _fragments(document)
        self.variables = variables
        self.defaults = {
            d.variable.name.value: d.default_value
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }
        #: Whether the estimate read a variable (else it holds for any variables).
        self.read_variables = False

    def _argument(self, node: FieldNode | Any, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                self.read_variables |= isinstance(argument.value, VariableNode)
                return _value(argument.value, self.variables, self.defaults)
        return None

    def _included(self, node: Any) -> bool:
        for directive in node.directives or ():
            condition = self._argument(directive, "if")
            if not isinstance(condition, bool):
                continue
            if directive.name.value == "skip" and condition:
                return False
            if directive.name.value == "include" and not condition:
                return False
        return True

    def _applies(self, condition: str | None, parent: GraphQLNamedType) -> GraphQLNamedType:
        """The type whose fields a fragment selects, or the parent when it has none."""
        if condition is None:
            return parent
        return self.schema.get_type(condition) or parent

    def collect(
        self, parent: GraphQLNamedType, selection_sets: Iterable[SelectionSetNode]
    ) -> dict[str, tuple[GraphQLNamedType, list[FieldNode]]]:
        """Merge the fields of selection sets by response name, as execution does (for an
        abstract parent, the fields of every fragment: an upper bound)."""
        groups: dict[str, tuple[GraphQLNamedType, list[FieldNode]]] = {}
        expanded: set[str] = set()
        stack = [(parent, s) for s in selection_sets]
        while stack:
            owner, selection_set = stack.pop()
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    groups.setdefault(key, (owner, []))[1].append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    target = self._applies(condition.name.value if condition else None, owner)
                    stack.append((target, selection.selection_set))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    definition = self.fragments.get(name)
                    if definition is not None and name not in expanded:
                        expanded.add(name)
                        target = self._applies(definition.type_condition.name.value, owner)
                        stack.append((target, definition.selection_set))
        return groups

    def page_size(self, node: FieldNode) -> int:
        sizes = [self._argument(node, "first"), self._argument(node, "last")]
        given = [s for s in sizes if isinstance(s, int) and not isinstance(s, bool)]
        if not given:
            return DEFAULT_PAGE_SIZE
        return min(max(0, *given), MAX_PAGE_SIZE)

    def run(self, root: GraphQLObjectType, selection_set: SelectionSetNode) -> int:
        total = 0
        # (parent type, merged selection sets, multiplier, page size if parent is a connection,
        # introspection state if the parent is an introspection type)
        work: list[
            tuple[GraphQLNamedType, list[SelectionSetNode], int, int | None, _Introspected | None]
        ] = [(root, [selection_set], 1, None, None)]
        while work:
            parent, selection_sets, multiplier, page, introspected = work.pop()
            for owner, nodes in self.collect(parent, selection_sets).values():
                name = nodes[0].name.value
                if name == "__typename":
                    continue  # a scalar
                children = [n.selection_set for n in nodes if n.selection_set is not None]
                if name in ("__schema", "__type"):
                    meta = self.schema.get_type("__Schema" if name == "__schema" else "__Type")
                    if meta is not None:
                        total += multiplier
                        work.append((meta, children, multiplier, None, _Introspected(True, 0)))
                    continue
                field = _field(owner, name)
                if field is None:
                    continue
                named = get_named_type(field.type)
                if not is_composite_type(named):
                    continue
                if introspected is not None:
                    priced = self.introspection(owner.name, name, multiplier, introspected)
                    if priced is not None:
                        count, state = priced
                        total += count
                        work.append((named, children, count, None, state))
                    continue
                if _is_connection(named):
                    size = self.page_size(nodes[0])
                    total += multiplier * size
                    work.append((named, children, multiplier, size, None))
                elif page is not None and name in ("edges", "nodes"):
                    work.append((named, children, multiplier * page, None, None))
                elif _is_edge(parent) and name == "node":
                    work.append((named, children, multiplier, None, None))
                elif named.name == "PageInfo":
                    continue
                elif isinstance(get_nullable_type(field.type), GraphQLList):
                    size = _declared_size(field)
                    total += multiplier * size
                    work.append((named, children, multiplier * size, None, None))
                else:
                    total += multiplier
                    work.append((named, children, multiplier, None, None))
        return total

    def introspection(
        self, owner: str, name: str, parents: int, state: _Introspected
    ) -> tuple[int, _Introspected] | None:
        """The objects of an introspection field of ``parents`` objects of type ``owner``,
        and the state of those objects; None when there are none (``ofType`` past the deepest
        wrapping)."""
        sizes = introspection_sizes(self.schema)
        key = (owner, name)
        if key in sizes.lists:
            total, largest = sizes.lists[key]
            count = parents * largest
            if state.distinct:  # each parent once: at most the schema's total
                count = min(count, total)
            return count, _Introspected(state.distinct and key in _OWNED_LISTS, 0)
        if name == "ofType":
            if state.wrapping <= 0:
                return None  # a named type: ofType is null
            count = parents
            if state.chain is not None:  # the types of distinct fields or input values
                count = min(count, sizes.wrapped[state.chain][state.level])
            return count, _Introspected(False, state.wrapping - 1, state.chain, state.level + 1)
        if name == "type":  # of a __Field or __InputValue: wrapped at most `wrapping` times
            chain = owner if state.distinct and owner in sizes.wrapped else None
            return parents, _Introspected(False, sizes.wrapping, chain)
        return parents, _Introspected(False, 0)  # queryType, mutationType, subscriptionType


@dataclass(frozen=True)
class _Introspected:
    """What the estimator knows of a set of introspection objects: whether no object is in
    it twice (the schema's types, their fields, ...: then an owned list under them counts at
    most the schema's total) and how many ``ofType`` levels may still hold a type."""

    distinct: bool
    wrapping: int
    #: For the types of distinct fields (``"__Field"``) or input values (``"__InputValue"``)
    #: and their ``ofType`` chain: which, so that level ``n`` of the chain counts at most the
    #: schema's types wrapped more than ``n`` times.
    chain: str | None = None
    level: int = 0


#: Introspection lists whose items belong to one parent: under distinct parents the items are
#: distinct too (``interfaces`` and ``possibleTypes`` are references: a type appears in many).
_OWNED_LISTS = frozenset(
    {
        ("__Schema", "types"),
        ("__Schema", "directives"),
        ("__Type", "fields"),
        ("__Type", "inputFields"),
        ("__Type", "enumValues"),
        ("__Field", "args"),
        ("__Directive", "args"),
    }
)


@dataclass(frozen=True)
class IntrospectionSizes:
    """The sizes of a schema's introspection, for pricing it (:func:`introspection_sizes`).

    Attributes:
        lists: ``(introspection type, list field)`` -> ``(total, largest)``: the items of
            that list over every object of the type (e.g. every field of every type), and the
            most items one object has.
        wrapping: the most ``NON_NULL``/``LIST`` wrappers around one field's, argument's or
            input field's type (``[X!]!``: 3), i.e. the most ``ofType`` levels that hold a type.
        wrapped: ``"__Field"`` (fields) and ``"__InputValue"`` (arguments, input fields) ->
            how many have a type wrapped at least 1, 2, ... ``wrapping`` times.
    """

    lists: Mapping[tuple[str, str], tuple[int, int]]
    wrapping: int
    wrapped: Mapping[str, tuple[int, ...]]


def _wrappers(type_: Any) -> int:
    count = 0
    while hasattr(type_, "of_type"):
        count += 1
        type_ = type_.of_type
    return count


@lru_cache(maxsize=8)
def introspection_sizes(schema: GraphQLSchema) -> IntrospectionSizes:
    """Count what the introspection of ``schema`` can return (once per schema; cached).

    Returns:
        The :class:`IntrospectionSizes` (introspection types included, as
        ``__schema { types }`` lists them; deprecated fields included: an upper bound).
    """
    types = list(schema.type_map.values())
    per_type: dict[str, list[int]] = {
        "fields": [],
        "inputFields": [],
        "enumValues": [],
        "interfaces": [],
        "possibleTypes": [],
    }
    args: list[int] = []
    wrappers: dict[str, list[int]] = {"__Field": [], "__InputValue": []}
    for type_ in types:
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            per_type["fields"].append(len(type_.fields))
            per_type["interfaces"].append(len(type_.interfaces))
            for field in type_.fields.values():
                args.append(len(field.args))
                wrappers["__Field"].append(_wrappers(field.type))
                for arg in field.args.values():
                    wrappers["__InputValue"].append(_wrappers(arg.type))
        if isinstance(type_, GraphQLInputObjectType):
            per_type["inputFields"].append(len(type_.fields))
            for input_field in type_.fields.values():
                wrappers["__InputValue"].append(_wrappers(input_field.type))
        if isinstance(type_, GraphQLEnumType):
            per_type["enumValues"].append(len(type_.values))
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            per_type["possibleTypes"].append(len(schema.get_possible_types(type_)))
    directive_args = [len(d.args) for d in schema.directives]
    for directive in schema.directives:
        for arg in directive.args.values():
            wrappers["__InputValue"].append(_wrappers(arg.type))
    wrapping = max((n for counts in wrappers.values() for n in counts), default=0)
    wrapped = {
        kind: tuple(sum(1 for n in counts if n > level) for level in range(wrapping))
        for kind, counts in wrappers.items()
    }

    def sizes(counts: list[int]) -> tuple[int, int]:
        return sum(counts), max(counts, default=0)

    lists = {("__Type", name): sizes(counts) for name, counts in per_type.items()}
    lists[("__Schema", "types")] = (len(types), len(types))
    lists[("__Schema", "directives")] = (len(schema.directives), len(schema.directives))
    lists[("__Field", "args")] = sizes(args)
    lists[("__Directive", "args")] = sizes(directive_args)
    return IntrospectionSizes(lists, wrapping, wrapped)


def _field(owner: GraphQLNamedType, name: str) -> GraphQLField | None:
    if isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = owner.fields.get(name)
        return field
    return None


def _is_connection(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and {"edges", "pageInfo"} <= named.fields.keys()


def _is_edge(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and {"node", "cursor"} <= named.fields.keys()


def _declared_size(field: GraphQLField) -> int:
    definition = (field.extensions or {}).get("strawberry-definition")
    metadata = getattr(definition, "metadata", None) or {}
    size = metadata.get("list_size")
    return size if isinstance(size, int) else ASSUMED_LIST_SIZE


def find_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation a request runs: the named one, else the only one (None if ambiguous)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == operation_name), None)


def _root(schema: GraphQLSchema, operation: OperationDefinitionNode) -> GraphQLObjectType | None:
    return {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]


def estimate_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
) -> tuple[int | None, bool]:
    """:func:`estimate_cost` of one operation of a validated document.

    Returns:
        ``(estimate, varies)``: the estimate (None when the schema has no root type for the
        operation) and whether it read a variable (if not, it holds for any variables and may
        be cached with the document).
    """
    root = _root(schema, operation)
    if root is None:
        return None, False
    estimator = _Estimator(schema, document, operation, variables or {})
    return estimator.run(root, operation.selection_set), estimator.read_variables


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int | None:
    """The most objects the operation's response can hold (see the module docstring).

    Args:
        schema: the executable graphql-core schema.
        document: a document that passed validation.
        operation_name: the operation to run (None: the document's only operation).
        variables: the request's raw variable values (JSON); values that are not integers or
            booleans where a page size or a condition is expected count as absent.

    Returns:
        The estimate (queries, mutations and subscriptions alike), or None when the request
        names no runnable operation (execution refuses it without running anything).
    """
    operation = find_operation(document, operation_name)
    if operation is None:
        return None
    return estimate_operation(schema, document, operation, variables)[0]


def count_input_values(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
    limit: int,
) -> int:
    """How many values graphql-core will coerce one by one in the request's variables: every
    element of a list and every field of an input object, down to the scalars (a scalar such
    as ``JSON`` counts 1 whatever it holds). Counting stops just past ``limit``.

    A 1 MB body of ``{"c": ["ab", "ab", ...]}`` makes 200,000 values and 350 ms of coercion
    before the first resolver could refuse it; this count is what bounds that work.
    """
    if not variables:
        return 0
    count = 0
    work: list[tuple[Any, Any]] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name in variables:
            work.append((type_from_ast(schema, definition.type), variables[name]))
    while work and count <= limit:
        type_, value = work.pop()
        count += 1
        type_ = get_nullable_type(type_) if type_ is not None else None
        if isinstance(type_, GraphQLList) and isinstance(value, list):
            work.extend((type_.of_type, item) for item in value)
        elif isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
            fields = type_.fields
            work.extend(
                (fields[key].type if key in fields else None, item) for key, item in value.items()
            )
    return count


def input_values_error(limit: int) -> GraphQLError:
    """The refusal of variables that hold more than ``limit`` values."""
    return limit_error(
        f"The variables hold more than {limit:,} values (list items and input fields), the limit.",
        VARIABLES_LIMIT_EXCEEDED,
        limit=limit,
    )


def cost_error(requested: int, limit: int) -> GraphQLError:
    """The refusal of an operation whose estimate is above the limit."""
    return limit_error(
        f"The operation may return up to {requested:,} objects; the limit is {limit:,}. "
        "Ask for smaller pages (`first`/`last`) or fewer nested connections.",
        COST_LIMIT_EXCEEDED,
        cost={"requested": requested, "limit": limit},
    )


__all__ = [
    "ALIAS_LIMIT_EXCEEDED",
    "COST_LIMIT_EXCEEDED",
    "DEPTH_LIMIT_EXCEEDED",
    "DOCUMENT_SIZE_LIMIT_EXCEEDED",
    "INTROSPECTION_LIMIT_EXCEEDED",
    "REPEATED_FIELD_LIMIT_EXCEEDED",
    "SELECTION_LIMIT_EXCEEDED",
    "TOKEN_LIMIT_EXCEEDED",
    "VARIABLES_LIMIT_EXCEEDED",
    "IntrospectionSizes",
    "Limits",
    "Shape",
    "cost_error",
    "count_input_values",
    "document_shape",
    "estimate_cost",
    "estimate_operation",
    "find_operation",
    "input_values_error",
    "introspection_sizes",
    "limit_error",
    "shape_errors",
]
