"""What the GraphQL layer reads of the process's settings.

The process's settings (``gateway.settings.Settings``, from the environment) have these
attributes among others; the schema asks only for this protocol, so that it builds without the
process (the committed SDL, the tests, the benchmarks).
"""

from __future__ import annotations

from typing import Protocol


class SchemaSettings(Protocol):
    """The settings that shape the schema and its request checks.

    Attributes (read only):
        production: production hardening (no introspection, no field suggestions).
        introspection: allow introspection queries.
        expose_sql_stats: report ``extensions.sqlStatements``.
        max_query_depth, max_aliases, max_tokens, max_query_length, max_selections,
        max_repeated_selections, max_input_values, max_query_nodes: the request limits of
            ``schema.core.protection`` (counts; the length in characters).
        session_ttl_s: lifetime of a session token issued by a mutation, seconds.
        session_refresh_grace_s: seconds an old token still works after ``refreshSession``.
        require_approval: gate mutations on ``users.approved`` and ``age_verified``.
        terms_version: the current terms of service version, or None.
    """

    @property
    def production(self) -> bool: ...
    @property
    def introspection(self) -> bool: ...
    @property
    def expose_sql_stats(self) -> bool: ...
    @property
    def max_query_depth(self) -> int: ...
    @property
    def max_aliases(self) -> int: ...
    @property
    def max_tokens(self) -> int: ...
    @property
    def max_query_length(self) -> int: ...
    @property
    def max_selections(self) -> int: ...
    @property
    def max_repeated_selections(self) -> int: ...
    @property
    def max_input_values(self) -> int: ...
    @property
    def max_query_nodes(self) -> int: ...
    @property
    def session_ttl_s(self) -> int: ...
    @property
    def session_refresh_grace_s(self) -> int: ...
    @property
    def require_approval(self) -> bool: ...
    @property
    def terms_version(self) -> str | None: ...
