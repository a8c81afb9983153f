"""The request limits, applied before anything runs (docs/design.md#graphql-conventions).

Order of the checks, each bounding the work of the next:

1. the document's length in characters (before the lexer reads a megabyte of string);
2. its tokens (graphql-core's parser stops counting past ``max_tokens``);
3. its shape (:func:`schema.core.cost.document_shape`): selections, repeated selections,
   depth, aliases, all linear in the document; only then
4. graphql-core's validation, whose ``OverlappingFieldsCanBeMergedRule`` is quadratic in
   repeated selections (bounded by 3); only a valid document gets
5. the size of the request's variables (graphql-core coerces them value by value), then
6. its cost (:func:`schema.core.cost.estimate_cost`) with the request's variables, refused
   above ``max_nodes``.

:func:`parse_document`, :func:`validate_document` and :func:`check_cost` are plain functions
so that any execution path (Strawberry's, or a compiled one) applies the same limits; the
:class:`QueryLimits` extension runs them inside Strawberry (it replaces Strawberry's
``ParserCache``, ``MaxTokensLimiter``, ``ValidationCache``, ``QueryDepthLimiter`` and
``MaxAliasesLimiter``: see :mod:`schema.core.cost` for why the last two could not stay).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from graphql import (
    execute as execute,
)
from graphql.error import GraphQLSyntaxError
from graphql.validation import ASTValidationRule, validate
from strawberry.extensions import SchemaExtension

from schema.core.cost import (
    DOCUMENT_SIZE_LIMIT_EXCEEDED,
    TOKEN_LIMIT_EXCEEDED,
    Limits,
    cost_error,
    count_input_values,
    document_shape,
    estimate_cost,
    estimate_operation,
    find_operation,
    input_values_error,
    limit_error,
    shape_errors,
)
from schema.core.response import cost_extension
from schema.core.strawberry_adapter import graphql_core_schema, with_strawberry_rules

#: Distinct documents whose parse and validation results are kept (per process).
CACHE_SIZE = 512
#: Validation stops after this many errors (graphql-core's default is 100): each unknown
#: field costs a search for suggestions, and a client acts on the first few errors anyway.
MAX_VALIDATION_ERRORS = 20


@dataclass(frozen=True)
class RequestLimits(Limits):
    """:class:`schema.core.cost.Limits` plus the limits checked while parsing.

    Attributes:
        max_tokens: most lexical tokens in a document.
        max_length: most characters in a document.
    """

    max_tokens: int = 2000
    max_length: int = 32_768


@lru_cache(maxsize=CACHE_SIZE)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def parse_document(query: str, limits: RequestLimits) -> DocumentNode:
    """Parse a document within the length and token limits (cached per text).

    Raises:
        GraphQLError: over a limit (``extensions.code`` ``DOCUMENT_SIZE_LIMIT_EXCEEDED`` or
            ``TOKEN_LIMIT_EXCEEDED``), or a syntax error.
    """
    if len(query) > limits.max_length:
        raise limit_error(
            f"The document is {len(query):,} characters long; the limit is {limits.max_length:,}.",
            DOCUMENT_SIZE_LIMIT_EXCEEDED,
            length=len(query),
            limit=limits.max_length,
        )
    try:
        return _parse(query, limits.max_tokens)
    except GraphQLSyntaxError as error:
        if "tokens. Parsing aborted." not in error.message:
            raise
        raise limit_error(
            f"The document has more than {limits.max_tokens:,} tokens, the limit.",
            TOKEN_LIMIT_EXCEEDED,
            limit=limits.max_tokens,
        ) from None


@dataclass(frozen=True)
class _Analysis:
    errors: tuple[GraphQLError, ...]
    #: Operation name -> estimate, filled as requests run the operations, for those whose
    #: estimate reads no variable.
    costs: dict[str | None, int] = field(default_factory=dict)


@lru_cache(maxsize=CACHE_SIZE)
def _analyse(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    limits: Limits,
    hide_suggestions: bool,
) -> _Analysis:
    errors = shape_errors(document_shape(document, limits), limits)
    if not errors:
        # Strawberry's own rules (schema.schema.validate_document) plus graphql-core's
        # option to leave every "Did you mean" out (production).
        errors = validate(
            schema,
            document,
            with_strawberry_rules(rules),
            max_errors=MAX_VALIDATION_ERRORS,
            hide_suggestions=hide_suggestions,
        )
    return _Analysis(tuple(errors))


def validate_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    limits: Limits,
    *,
    hide_suggestions: bool = False,
) -> list[GraphQLError]:
    """The shape limits, then graphql-core's validation with ``rules`` (cached per document:
    the parser cache hands out the same document object for the same text).

    Args:
        hide_suggestions: leave "Did you mean ...?" out of every validation error (field,
            argument, input field, enum value and type names alike).

    Returns:
        The errors; empty when the document is valid and within the limits. Validation does
        not run on a document over a shape limit (its cost would be unbounded).
    """
    return list(_analyse(schema, document, rules, limits, hide_suggestions).errors)


def check_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    limits: Limits,
) -> tuple[int | None, GraphQLError | None]:
    """The estimate of the operation a request runs, and its refusal above ``max_nodes``
    (the document must have passed :func:`validate_document`).

    Returns:
        ``(requested, error)``: ``requested`` is None when the request names no runnable
        operation; ``error`` is a ``COST_LIMIT_EXCEEDED`` error or None.
    """
    return _judge(estimate_cost(schema, document, operation_name, variables), limits)


def _judge(requested: int | None, limits: Limits) -> tuple[int | None, GraphQLError | None]:
    if requested is not None and requested > limits.max_nodes:
        return requested, cost_error(requested, limits.max_nodes)
    return requested, None


def check_request(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    limits: Limits,
    *,
    hide_suggestions: bool = False,
) -> tuple[list[GraphQLError], int | None]:
    """:func:`validate_document` then :func:`check_cost`, with one cache lookup: what a
    request needs before it may execute.

    Returns:
        ``(errors, requested)``: the refusals (empty: the operation may run) and the estimate
        (None when the document could not be analysed).
    """
    analysis = _analyse(schema, document, rules, limits, hide_suggestions)
    if analysis.errors:
        return list(analysis.errors), None
    operation = find_operation(document, operation_name)
    if operation is None:
        return [], None  # execution refuses it without running anything
    if count_input_values(schema, operation, variables, limits.max_input_values) > (
        limits.max_input_values
    ):
        return [input_values_error(limits.max_input_values)], None
    key = None if operation.name is None else operation.name.value
    requested: int | None = analysis.costs.get(key)
    if requested is None:
        requested, varies = estimate_operation(schema, document, operation, variables)
        if requested is not None and not varies:
            analysis.costs[key] = requested
    requested, refusal = _judge(requested, limits)
    return ([refusal] if refusal else []), requested


class QueryLimits(SchemaExtension):
    """Parses, checks and validates every operation (queries, mutations, subscriptions)
    before it executes, and reports ``extensions.cost`` = ``{"requested": N, "limit": L}``
    on every result (``requested`` is null when the document could not be analysed: a
    syntax error, a limit of its shape, a validation error).

    Use it as a factory (``lambda: QueryLimits(limits)``): one instance per request. It must
    be the first extension with an ``on_parse`` or ``on_validate`` hook. ``hide_suggestions``
    leaves every "Did you mean" out of validation errors (production).
    """

    def __init__(self, limits: RequestLimits, *, hide_suggestions: bool = False) -> None:
        super().__init__()
        self.limits = limits
        self.hide_suggestions = hide_suggestions
        self.requested: int | None = None

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is None and ctx.query:
            # A refusal raised here reaches the client as a pre-execution error.
            ctx.graphql_document = parse_document(ctx.query, self.limits)
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.pre_execution_errors is None:
            errors, self.requested = check_request(
                graphql_core_schema(ctx.schema),
                document,
                ctx.validation_rules,
                ctx.operation_name,
                ctx.variables,
                self.limits,
                hide_suggestions=self.hide_suggestions,
            )
            # Strawberry skips its own validation when the errors are set (even to []).
            ctx.pre_execution_errors = errors
        yield

    def get_results(self) -> dict[str, Any]:
        return cost_extension(self.requested, self.limits.max_nodes)


#: Root fields an operation answered from :class:`IntrospectionCache` may select.
INTROSPECTION_FIELDS = frozenset({"__schema", "__type", "__typename"})
#: Introspection results kept per process (distinct documents).
INTROSPECTION_CACHE_SIZE = 16
#: The one thread that executes introspection: one at a time, so that the event loop's thread
#: competes for the interpreter with one other thread at most; a request cancelled (its
#: timeout, its client gone) while its introspection waits here never runs it.
_introspection_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="introspection")
_introspection_results: OrderedDict[tuple[GraphQLSchema, str, str | None], Any] = OrderedDict()


class IntrospectionCache(SchemaExtension):
    """Runs introspection off the event loop, and answers the same introspection document
    from a result built once per schema.

    An operation that only introspects (a query whose root selections are all ``__schema``,
    ``__type`` or ``__typename``) touches no database: graphql-core answers it from memory
    without ever awaiting, so on the loop a large one held every other request (six 15 MB
    answers held ``/healthz`` for 52 s, and the request timeout fired only after the work
    ended). It is executed in a worker thread instead, one at a time (graphql-core's
    :func:`graphql.execute` over the same schema, document and variables; Python switches
    threads every 5 ms, so the loop keeps serving), and the request waits for it as for I/O:
    its timeout cancels the wait at once, and a job still queued never runs. The cost limit
    bounds the thread's work (GraphiQL's query costs about 9,100 and takes about 0.15 s of CPU
    once).

    A result without errors of such an operation without variables is kept, keyed by the
    schema, the document's text and the operation name: GraphiQL's introspection query is
    answered from memory after the first time. At most :data:`INTROSPECTION_CACHE_SIZE`
    documents are kept, the least recently used dropped first. (Strawberry's documented way
    to answer from a cache: an extension that sets ``execution_context.result`` in
    ``on_execute``.)
    """

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        operation = self._introspection()
        if operation is not None:
            key = None if operation.variable_definitions else self._key()
            data = None if key is None else _introspection_results.get(key)
            if key is not None and data is not None:
                _introspection_results.move_to_end(key)
                ctx.result = ExecutionResult(data=data)
            else:
                loop = asyncio.get_running_loop()
                ctx.result = await loop.run_in_executor(_introspection_thread, self._execute)
                if key is not None and ctx.result.errors is None and ctx.result.data is not None:
                    _introspection_results[key] = ctx.result.data
                    while len(_introspection_results) > INTROSPECTION_CACHE_SIZE:
                        _introspection_results.popitem(last=False)
        yield

    def _execute(self) -> ExecutionResult:
        ctx = self.execution_context
        assert ctx.graphql_document is not None
        result = execute(
            graphql_core_schema(ctx.schema),
            ctx.graphql_document,
            context_value=ctx.context,
            variable_values=ctx.variables,
            operation_name=ctx.operation_name,
        )
        assert isinstance(result, ExecutionResult)  # introspection never awaits
        return result

    def _introspection(self) -> OperationDefinitionNode | None:
        """The operation to run when it only introspects, else None."""
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is None or ctx.pre_execution_errors:
            return None
        operation = find_operation(document, ctx.operation_name)
        if operation is None or operation.operation != OperationType.QUERY:
            return None
        if not all(
            isinstance(s, FieldNode) and s.name.value in INTROSPECTION_FIELDS
            for s in operation.selection_set.selections
        ):
            return None
        return operation

    def _key(self) -> tuple[GraphQLSchema, str, str | None] | None:
        ctx = self.execution_context
        if ctx.query is None:
            return None
        return graphql_core_schema(ctx.schema), ctx.query, ctx.operation_name


__all__ = [
    "INTROSPECTION_CACHE_SIZE",
    "IntrospectionCache",
    "QueryLimits",
    "RequestLimits",
    "check_cost",
    "check_request",
    "parse_document",
    "validate_document",
]
