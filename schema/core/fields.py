"""Generated fields on Strawberry's public constructors: a resolver written as a plain closure
(its parameters are real: ``root``, ``info``, or ``**kwargs`` for generated arguments), the
field's GraphQL type given as ``graphql_type``, and generated arguments as
:class:`~strawberry.types.arguments.StrawberryArgument` objects. Nothing rewrites a function's
``__annotations__`` or ``__signature__``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from inspect import Parameter
from typing import Any

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField


@dataclass(frozen=True)
class Argument:
    """A generated argument of a field.

    Attributes:
        name: the python name (the keyword the resolver gets; the GraphQL name is its
            camelCase, or the ``name`` of a ``strawberry.argument`` in the annotation).
        annotation: its type, optionally ``Annotated`` with ``strawberry.argument(...)``
            (description, name).
        default: its default, ``inspect.Parameter.empty`` when it is required.
    """

    name: str
    annotation: Any
    default: Any = Parameter.empty


def generated_field(
    resolver: Callable[..., Any],
    returns: Any,
    *,
    arguments: Sequence[Argument] | None = None,
    mutation: bool = False,
    subscription: bool = False,
    **options: Any,
) -> StrawberryField:
    """A Strawberry field of a generated resolver.

    Args:
        resolver: the closure; Strawberry passes ``root`` and an ``info: strawberry.Info``
            parameter by their names and annotation, and the ``arguments`` as keywords (the
            resolver takes them as ``**kwargs``).
        returns: the field's GraphQL type (a Strawberry type, a scalar, ``X | None``,
            ``list[X]``, an annotated union).
        arguments: the generated arguments, in order (the resolver takes them as
            ``**kwargs``); None when the resolver's own parameters are the arguments.
        mutation, subscription: a root ``Mutation`` / ``Subscription`` field.
        options: ``name``, ``description``, ``extensions``, as for ``strawberry.field``.

    Returns:
        The field, to put in a type's namespace.
    """
    make = (
        strawberry.mutation
        if mutation
        else strawberry.subscription
        if subscription
        else strawberry.field
    )
    field: StrawberryField = make(resolver=resolver, graphql_type=returns, **options)
    if arguments is not None:
        field.arguments = [
            StrawberryArgument(
                python_name=a.name,
                graphql_name=None,
                type_annotation=StrawberryAnnotation(a.annotation),
                is_subscription=subscription,
                default=a.default,
            )
            for a in arguments
        ]
    return field


__all__ = ["Argument", "generated_field"]
