"""One example call of every staff mutation, for the entitlement matrix
(tests/admin/test_matrix.py): each module of this package defines ``EXAMPLES``, a dict from a
mutation's GraphQL name to an :class:`Example`. The matrix sends every example as each role and
fails when a mutation declared with an entitlement has no example.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class Example:
    """One call of a staff mutation.

    Attributes:
        document: the GraphQL document (one mutation, its arguments as ``$variables``; select
            ``__typename`` of the result at least).
        variables: builds fresh variables for one attempt, given the engine on the test's
            database: it may create and commit the rows the call needs (a user to act on, a
            catalog row to change), and must give each attempt names that do not collide
            with earlier attempts (an allowed attempt changes the database).
    """

    document: str
    variables: Callable[[AsyncEngine], Awaitable[dict[str, Any]]]


def collect() -> dict[str, Example]:
    """Every example of every module of this package, by mutation name.

    Raises:
        ValueError: two modules give an example of the same mutation.
    """
    examples: dict[str, Example] = {}
    for module in pkgutil.iter_modules(__path__):
        found: dict[str, Example] = importlib.import_module(f"{__name__}.{module.name}").EXAMPLES
        for name, example in found.items():
            if name in examples:
                raise ValueError(f"two examples of {name}")
            examples[name] = example
    return examples
