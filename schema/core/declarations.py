"""Everything the domains declare, collected from the modules listed in :data:`schema.DOMAINS`
(docs/architecture.md#schema).

Nothing registers itself at import: a domain package exposes ``DOMAIN`` (a
:class:`~schema.core.spec.Domain`: its table specs, added fields, root row fields), and its
modules ``mutations``, ``admin`` (staff mutations) and ``subscriptions`` hold the declarations
of :func:`schema.core.mutations.mutation` and :func:`schema.core.subscriptions.subscription` as
module attributes. :func:`collect` reads them from the listed modules only, so the result does
not depend on what was imported before, or in which order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TypeVar

from schema.core.mutations import MutationDef
from schema.core.spec import Domain, RowField, TableSpec, merge_domains
from schema.core.subscriptions import SubscriptionDef


@dataclass(frozen=True)
class Declarations:
    """The collected declarations of every listed domain.

    Attributes:
        specs: table name -> its :class:`TableSpec`, with the fields other domains add to it.
        root_rows: GraphQL name -> a root field returning the viewer's row (``me``).
        mutations: GraphQL name -> its declaration.
        subscriptions: GraphQL name -> its declaration.
    """

    specs: Mapping[str, TableSpec]
    root_rows: Mapping[str, RowField]
    mutations: Mapping[str, MutationDef]
    subscriptions: Mapping[str, SubscriptionDef]


_D = TypeVar("_D", MutationDef, SubscriptionDef)


def _named(modules: Iterable[ModuleType], kind: type[_D]) -> dict[str, _D]:
    """The ``kind`` declarations held by ``modules``' attributes (or in a tuple held by one),
    by name, sorted.

    Raises:
        ValueError: two different declarations of one name.
    """
    found: dict[str, _D] = {}
    for module in modules:
        for held in vars(module).values():
            # A declaration, or a tuple of them (schema/core/catalog.py declares three).
            for value in held if isinstance(held, tuple) else (held,):
                if not isinstance(value, kind):
                    continue
                if found.get(value.name, value) is not value:
                    raise ValueError(f"{kind.__name__} {value.name} declared twice")
                found[value.name] = value
    return dict(sorted(found.items()))


def collect(packages: Iterable[ModuleType], modules: Iterable[ModuleType]) -> Declarations:
    """The declarations of the domain ``packages`` (each with a ``DOMAIN``) and of their
    declaration ``modules`` (``mutations``, ``admin``, ``subscriptions``).

    Raises:
        TypeError: a package has no ``DOMAIN`` of type :class:`~schema.core.spec.Domain`.
        ValueError: anything declared twice (a table, a field, a mutation, a subscription).
    """
    domains: list[Domain] = []
    for package in packages:
        domain = getattr(package, "DOMAIN", None)
        if not isinstance(domain, Domain):
            raise TypeError(f"{package.__name__} declares no DOMAIN = Domain(...)")
        domains.append(domain)
    specs, root_rows = merge_domains(domains)
    modules = list(modules)
    return Declarations(
        specs=specs,
        root_rows=root_rows,
        mutations=_named(modules, MutationDef),
        subscriptions=_named(modules, SubscriptionDef),
    )


__all__ = ["Declarations", "collect"]
