"""The rules of a connection page, defined once for both read paths.

What the arguments of a connection mean (:class:`PageArgs`) and what ``pageInfo`` says of a
page (:func:`page_info`): the general path applies them to Python rows
(``schema/core/types.py``), the compiled path to SQL expressions (``schema/compiler``), both
through these functions, whose results are whatever the caller gives them (Python values or
SQL expressions): the rule is the selection, not the arithmetic
(docs/design.md#graphql-conventions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import GraphQLError

#: Largest page a connection serves (docs/design.md#graphql-conventions; issue: maximum page size
#: 100).
MAX_PAGE_SIZE = 100
#: Page size when neither ``first`` nor ``last`` is given.
DEFAULT_PAGE_SIZE = 20
#: Longest ``after``/``before`` accepted; a cursor of this API is well under 200 characters.
MAX_CURSOR_LENGTH = 1024


@dataclass(frozen=True)
class PageArgs:
    """Validated Relay connection arguments (``first``/``after`` or ``last``/``before``) plus
    the filter, in a hashable form that keys the page loaders."""

    limit: int
    reverse: bool
    cursor: str | None
    filter: tuple[tuple[str, Any], ...]

    @classmethod
    def parse(
        cls,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
        filter_key: tuple[tuple[str, Any], ...],
    ) -> PageArgs:
        """Check the arguments of a connection field.

        Raises:
            GraphQLError: both ``first`` and ``last``, ``after`` with ``last``, ``before`` with
                ``first``, a page size outside 0..100, or a cursor longer than
                ``MAX_CURSOR_LENGTH``.
        """
        if first is not None and last is not None:
            raise GraphQLError("Pass either `first` or `last`, not both.")
        if last is not None and after is not None:
            raise GraphQLError("`after` goes with `first`; use `before` with `last`.")
        if first is not None and before is not None:
            raise GraphQLError("`before` goes with `last`; use `after` with `first`.")
        for name, cursor in (("after", after), ("before", before)):
            if cursor is not None and len(cursor) > MAX_CURSOR_LENGTH:
                raise GraphQLError(
                    f"`{name}` is not a cursor of this connection (cursors are at most "
                    f"{MAX_CURSOR_LENGTH} characters).",
                    extensions={"code": "BAD_USER_INPUT", "argument": name},
                )
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                raise GraphQLError(
                    f"`{name}` must be between 0 and {MAX_PAGE_SIZE} (got {value}); "
                    "page through larger results with cursors."
                )
        if last is not None or before is not None:
            return cls(last if last is not None else DEFAULT_PAGE_SIZE, True, before, filter_key)
        return cls(first if first is not None else DEFAULT_PAGE_SIZE, False, after, filter_key)


T = TypeVar("T")


def page_info(
    *, has_more: T, cursor_given: T, reverse: bool, first_read: Any, last_read: Any
) -> dict[str, Any]:
    """``pageInfo`` of a page, by GraphQL field name.

    A page reads ``limit + 1`` rows in the connection's order (backwards for ``last``): more
    rows than the limit (``has_more``) means a next page going forward, a previous one going
    backward; a cursor (``cursor_given``) means a page on the other side. The edges are shown
    in the connection's order, so a backward page's first edge is the last row read.

    Args:
        has_more: whether more than ``limit`` rows were read (a bool, or an SQL expression).
        cursor_given: whether ``after``/``before`` was given (same kind as ``has_more``).
        reverse: the page was read backwards (``last``/``before``).
        first_read, last_read: the cursors of the first and last rows of the page as read
            (within the limit; None when the page is empty), or their SQL expressions.

    Returns:
        ``hasNextPage``, ``hasPreviousPage``, ``startCursor``, ``endCursor``.
    """
    return {
        "hasNextPage": cursor_given if reverse else has_more,
        "hasPreviousPage": has_more if reverse else cursor_given,
        "startCursor": last_read if reverse else first_read,
        "endCursor": first_read if reverse else last_read,
    }
