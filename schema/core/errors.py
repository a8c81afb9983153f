"""Errors a client can act on and logs an operator can read.

:func:`finish_errors` gives each error its final form, in the :class:`FinishErrors` extension
(the last one, so that metrics and logs see the final errors) and again, for what escaped the
extensions, where every result leaves: :meth:`GatewaySchema.execute` and
:meth:`GatewaySchema.stream` (HTTP, websockets and in-process calls alike):

- *Unexpected* errors (the original error is an exception that is not a GraphQL error: a bug,
  a database failure, an exception escaping an extension) are masked as
  ``Unexpected error (id <id>); it has been logged.`` with ``extensions.code =
  "INTERNAL_SERVER_ERROR"``, and logged once, with their traceback and the same id.
- An unexpected error that means the database cannot be reached
  (:func:`db.availability.database_unavailable`) is not a bug: it becomes ``The database is
  unavailable; try again in a few seconds.`` with ``extensions.code = "SERVICE_UNAVAILABLE"``
  (the HTTP view answers 503 with ``Retry-After``), logged as one warning line.
- *Expected* errors keep their message, get a stable ``extensions.code`` when they carry none
  (:data:`ERROR_CODES`), lose every "Did you mean ...?" suggestion in production, and are
  logged as one line per request.

Strawberry's own error logging (``Schema.process_errors``, a traceback per error, even for a
misspelt field) is switched off: the one place that logs is :func:`finish_errors`.

:class:`Validation` adds to validation the spec's rule that a document with several operations
needs an ``operationName`` (Strawberry would run the first), the refusal of U+0000 in strings
(PostgreSQL cannot store it), and codes for validation errors.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    StringValueNode,
    visit,
)
from graphql.error import GraphQLSyntaxError
from graphql.language import Visitor
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult

from db.availability import SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE, database_unavailable
from schema.core.response import INTERNAL_SERVER_ERROR as INTERNAL_SERVER_ERROR
from schema.core.response import mask_unexpected
from schema.core.strawberry_adapter import sent_operation_name

logger = logging.getLogger("ignition.graphql")

#: ``extensions.code`` values of the errors the gateway answers with (stable: clients and
#: metrics key on them).
ERROR_CODES = {
    "GRAPHQL_PARSE_FAILED": "the document is not valid GraphQL syntax (or exceeds the tokens)",
    "GRAPHQL_VALIDATION_FAILED": "the document does not validate against the schema or limits",
    "BAD_REQUEST": "the request cannot be run as sent (several operations, no operationName)",
    "BAD_USER_INPUT": "an argument or variable value is not acceptable",
    "FORBIDDEN": "the viewer may not read this field",
    "AGE_VERIFICATION_REQUIRED": "forbidden until the viewer confirms the minimum age",
    "APPROVAL_REQUIRED": "forbidden until an administrator approves the viewer's account",
    "UNAUTHENTICATED": "the request's token signs nobody in, or the field needs a viewer",
    "INTERNAL_SERVER_ERROR": "a masked unexpected error; the log has its traceback by id",
    "SERVICE_UNAVAILABLE": "the database cannot be reached now; retry after a few seconds",
}

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_REQUEST = "BAD_REQUEST"
BAD_USER_INPUT = "BAD_USER_INPUT"
FORBIDDEN = "FORBIDDEN"

# graphql-core's suggestion texts: " Did you mean 'a', 'b', or 'c'?" and " Did you mean the
# enum value 'A'?". Names never contain '?'.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def _code(error: GraphQLError) -> str | None:
    return (error.extensions or {}).get("code")


def _with_code(error: GraphQLError, code: str) -> None:
    if _code(error) is None:
        error.extensions = {**(error.extensions or {}), "code": code}


def is_unexpected(error: GraphQLError) -> bool:
    """Whether ``error`` comes from an exception that is not a GraphQL error (a bug, a
    database failure): such errors are masked. Permission refusals are expected."""
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, GraphQLError)
        and not isinstance(original, PermissionError)
    )


class FinishedError(GraphQLError):
    """An error in the final form :func:`finish_errors` gave it (what the client sees), so a
    second pass leaves it as it is."""


def _finished(error: GraphQLError) -> FinishedError:
    """``error`` as a :class:`FinishedError` (same message, locations, path, extensions and
    original error)."""
    if isinstance(error, FinishedError):
        return error
    return FinishedError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


def finish_errors(errors: list[GraphQLError], *, production: bool) -> list[GraphQLError]:
    """The errors as the client sees them; logs them (see the module docstring).

    Idempotent: errors finished before (by :class:`FinishErrors`) are left as they are, so
    that :class:`GatewaySchema` only finishes what escaped the extensions.

    Args:
        errors: the result's errors, in order.
        production: hide every "Did you mean" suggestion.

    Returns:
        New list of :class:`FinishedError`: unexpected errors replaced by masked ones, expected
        ones coded (and copied as finished).
    """
    finished: list[GraphQLError] = []
    expected: list[GraphQLError] = []
    for error in errors:
        if isinstance(error, FinishedError):
            finished.append(error)
            continue
        original = error.original_error
        if is_unexpected(error) and original is not None and database_unavailable(original):
            logger.warning(
                "database unavailable at %s: %s",
                ".".join(map(str, error.path or ())) or "(no path)",
                type(error.original_error).__name__,
            )
            unavailable = FinishedError(
                UNAVAILABLE_MESSAGE,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": SERVICE_UNAVAILABLE},
            )
            finished.append(unavailable)
            continue
        if is_unexpected(error):
            message, extensions = mask_unexpected(
                error.original_error, ".".join(map(str, error.path or ())) or "(no path)"
            )
            masked = FinishedError(
                message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=extensions,
            )
            finished.append(masked)
            continue
        if isinstance(error, GraphQLSyntaxError):
            _with_code(error, PARSE_FAILED)
        elif isinstance(error.original_error, PermissionError):
            _with_code(error, FORBIDDEN)
        else:
            # Errors of validation are coded where they arise (Validation, QueryLimits);
            # what remains was raised for a field's arguments or variables' values.
            _with_code(error, BAD_USER_INPUT)
        if production and "Did you mean" in error.message:
            error.message = _SUGGESTION.sub("", error.message)
        expected.append(error)
        finished.append(_finished(error))
    if expected:
        first = expected[0]
        logger.info(
            "%d GraphQL error%s (%s): %s",
            len(expected),
            "" if len(expected) == 1 else "s",
            ", ".join(sorted({str(_code(e)) for e in expected})),
            first.message[:300],
        )
    return finished


class FinishErrors(SchemaExtension):
    """Finishes every result's errors (:func:`finish_errors`) at the end of the operation, so
    that the extensions listed before it (metrics, logs, tracing) see them masked and coded:
    it must be the last extension (its end runs first). Errors that escape the extensions
    are finished by :class:`GatewaySchema`.
    """

    def __init__(self, *, production: bool = False) -> None:
        super().__init__()
        self.production = production

    def _finish(self, result: Any) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = finish_errors(list(errors), production=self.production)

    def on_operation(self) -> Iterator[None]:
        yield
        self._finish(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._finish(result)
        yield


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema whose results leave with their errors finished
    (:func:`finish_errors`): masked, coded, without suggestions in production, logged once.

    Args:
        production: hide suggestions (``IGNITION_PRODUCTION``).
        args, kwargs: as for :class:`strawberry.Schema`.
    """

    def __init__(self, *args: Any, production: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.production = production

    def finish(self, result: ExecutionResult) -> ExecutionResult:
        """Finish ``result``'s errors in place and return it."""
        if result.errors:
            result.errors = finish_errors(list(result.errors), production=self.production)
        return result

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """:meth:`strawberry.Schema.execute`, errors finished."""
        return self.finish(await super().execute(*args, **kwargs))

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """:meth:`strawberry.Schema.stream` (subscriptions), every result's errors finished."""
        return self._finished(await super().stream(*args, **kwargs))

    async def _finished(self, results: AsyncGenerator[Any, None]) -> AsyncIterator[Any]:
        try:
            async for result in results:
                yield self.finish(result) if isinstance(result, ExecutionResult) else result
        finally:
            await results.aclose()

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing here: :func:`finish_errors` logs every error once, with the id the
        client sees."""


def several_operations_without_name(document: DocumentNode, operation_name: str | None) -> bool:
    """Whether the document has more than one operation and the request names none (the
    spec's GetOperation: a request error)."""
    if operation_name is not None:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return len(operations) > 1


def undefined_fragments(document: DocumentNode) -> set[str]:
    """Names of fragments spread in ``document`` but not defined in it."""
    defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    spread: set[str] = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
            spread.add(node.name.value)

    visit(document, Spreads())
    return spread - defined


_NUL_MESSAGE = "Strings cannot contain the NUL character (U+0000)."


class NoNulCharacterRule(ASTValidationRule):
    """String literals must not contain U+0000: PostgreSQL's text and JSONB cannot store it,
    so such a value could only fail later, inside the database."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError(_NUL_MESSAGE, node))


def contains_nul(value: Any) -> bool:
    """Whether a variables value (JSON: dicts, lists, strings, numbers) holds U+0000 in any
    string or key."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


class Validation(SchemaExtension):
    """The request checks around validation (which :class:`schema.core.protection.QueryLimits`
    runs, after this extension's start and before its end):

    - before (an error set here skips validation): a document with several operations needs
      an ``operationName`` (the spec's GetOperation; Strawberry would silently run the
      first), a ``BAD_REQUEST`` error; variables holding U+0000 in a string
      (:func:`contains_nul`) are refused with ``BAD_USER_INPUT`` (literals have
      :class:`NoNulCharacterRule`);
    - after: validation errors without a code get ``GRAPHQL_VALIDATION_FAILED``.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        sent_name = sent_operation_name(context)
        if document is not None and several_operations_without_name(document, sent_name):
            context.pre_execution_errors = [
                GraphQLError(
                    "The document has several operations: say which to run in `operationName`.",
                    extensions={"code": BAD_REQUEST},
                )
            ]
        elif contains_nul(context.variables):
            context.pre_execution_errors = [
                GraphQLError(_NUL_MESSAGE, extensions={"code": BAD_USER_INPUT})
            ]
        yield
        # Strawberry has read the errors by now, but not yet formatted them.
        for error in context.pre_execution_errors or ():
            _with_code(error, VALIDATION_FAILED)
