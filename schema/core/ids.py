"""The one parser of ``ID`` arguments, for mutations and queries alike.

:func:`parse_id` refuses a malformed id with the typed :class:`~db.errors.InvalidInput` naming
the argument. A mutation returns that error in its result union, like any other refusal
(:func:`id_arg`). A query has no result union: a by-id lookup answers the same refusal as a
GraphQL error (:func:`lookup_id`) whose ``message`` is the ``InvalidInput`` message,
``extensions.code`` is ``BAD_USER_INPUT`` and ``extensions.field`` is the argument's
camelCase path, as ``InvalidInput.field`` would be (docs/design.md#ids).
"""

from __future__ import annotations

import uuid
from typing import Any

from graphql import GraphQLError

from db.errors import InvalidInput

#: ``extensions.code`` of a query argument refused by :func:`lookup_id`.
BAD_USER_INPUT = "BAD_USER_INPUT"


def parse_id(value: Any, field: str, *, integer: bool = False) -> uuid.UUID | int:
    """The key of an ``ID`` argument: a UUID, or an integer for BIGINT keys (outbox events).

    Args:
        value: the argument's value as sent.
        field: the argument's camelCase path (``id``, ``input.itemId``).
        integer: the key is an integer, not a UUID.

    Raises:
        InvalidInput: ``value`` is not an id of that kind (``field`` names it).
    """
    try:
        return int(str(value)) if integer else uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(f"`{field}` is not a valid ID.", field=field) from None


def id_arg(value: Any, field: str) -> uuid.UUID:
    """The UUID of an ``ID`` argument of a mutation (:func:`parse_id`).

    Raises:
        InvalidInput: ``value`` is not a UUID, so a malformed id is a typed error like any other
            refusal of the mutation.
    """
    key = parse_id(value, field)
    assert isinstance(key, uuid.UUID)
    return key


def lookup_id(value: Any, field: str, *, integer: bool = False) -> uuid.UUID | int:
    """The key of an ``ID`` argument of a query (:func:`parse_id`).

    Raises:
        GraphQLError: ``value`` is not an id of that kind: the ``InvalidInput`` message, with
            ``extensions`` ``{"code": "BAD_USER_INPUT", "field": field}``.
    """
    try:
        return parse_id(value, field, integer=integer)
    except InvalidInput as error:
        raise GraphQLError(
            error.message, extensions={"code": BAD_USER_INPUT, "field": error.field}
        ) from None


__all__ = ["BAD_USER_INPUT", "id_arg", "lookup_id", "parse_id"]
