"""GraphQL only: one package per domain, merged by :func:`build_schema` (docs/design.md#layers).

The object types, connections, filters, relations and by-id lookups of all 75 tables are
generated from the SQLAlchemy models (``schema/core``); each domain package declares only what
cannot be derived (its root catalog fields, orders, visibility exceptions, hand-written fields).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

import strawberry

if TYPE_CHECKING:
    from schema.core.build import ProcessExtensions
    from schema.core.settings import SchemaSettings

#: The domain packages, each registering its TableSpecs at import.
DOMAINS = (
    "auth",
    "gamification",
    "reference",
    "listening",
    "focus",
    "habits",
    "goals",
    "quests",
    "fitness",
    "planning",
    "market",
    "books",
    "learn",
    "platform",
    "today",
    "events",
)


#: Modules a domain package may have besides its ``__init__`` (which declares its tables):
#: they register their declarations (mutations, staff mutations, subscriptions) at import.
DOMAIN_MODULES = ("mutations", "admin", "subscriptions")


def import_domains() -> list[Any]:
    """Import every domain package of :data:`DOMAINS` (each registers its ``TableSpec``s and
    hand-written fields at import) and its :data:`DOMAIN_MODULES`, and return the packages, in
    that order.

    :func:`schema.core.tables.build_catalog` calls it before deriving anything, so the catalog
    is the same whatever the caller imported first.
    """
    packages = [importlib.import_module(f"schema.{name}") for name in DOMAINS]
    for name in DOMAINS:
        for module in DOMAIN_MODULES:
            if importlib.util.find_spec(f"schema.{name}.{module}") is not None:
                importlib.import_module(f"schema.{name}.{module}")
    return packages


def build_schema(
    settings: SchemaSettings | None = None, process: ProcessExtensions | None = None
) -> strawberry.Schema:
    """The executable schema.

    Args:
        settings: the process settings (protection limits, introspection, production mode);
            the defaults when None.
        process: the extensions of the process that runs the schema (websocket operation
            contexts, metrics, tracing: ``gateway.graphql.build_process_schema``); none when
            None (the committed SDL, tests of the schema alone).

    Returns:
        A ``strawberry.Schema`` with the generated types and every domain's root fields.
    """
    from schema.core.build import build

    return build(import_domains(), settings, process)
