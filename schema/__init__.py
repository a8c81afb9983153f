"""GraphQL only: one package per domain, merged by :func:`build_schema` (docs/design.md#layers).

The object types, connections, filters, relations and by-id lookups of all 75 tables are
generated from the SQLAlchemy models (``schema/core``); each domain package declares only what
cannot be derived (its root catalog fields, orders, visibility exceptions, hand-written fields).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

import strawberry

if TYPE_CHECKING:
    from schema.core.build import ProcessExtensions
    from schema.core.declarations import Declarations
    from schema.core.settings import SchemaSettings

#: The one list of domain packages. Each exposes ``DOMAIN`` (a :class:`schema.core.spec.Domain`)
#: and may have the modules of :data:`DOMAIN_MODULES`; :func:`declarations` reads them all.
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


#: Modules a domain package may have besides its ``__init__`` (which declares its tables): they
#: hold its declarations (mutations, staff mutations, subscriptions) as module attributes.
DOMAIN_MODULES = ("mutations", "admin", "subscriptions")

_declarations: Declarations | None = None


def declarations() -> Declarations:
    """The declarations of every package of :data:`DOMAINS` and of its
    :data:`DOMAIN_MODULES`, collected once per process
    (:func:`schema.core.declarations.collect`).

    The catalog, the schema and the compiled path all read this one answer, so it is the same
    whatever the caller imported first.
    """
    global _declarations
    if _declarations is None:
        from schema.core.declarations import collect

        packages = [importlib.import_module(f"schema.{name}") for name in DOMAINS]
        modules = [
            importlib.import_module(f"schema.{name}.{module}")
            for name in DOMAINS
            for module in DOMAIN_MODULES
            if importlib.util.find_spec(f"schema.{name}.{module}") is not None
        ]
        _declarations = collect(packages, modules)
    return _declarations


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

    return build(declarations(), settings, process)
