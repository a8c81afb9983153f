"""The gateway's configuration: one pydantic-settings class read from the environment.

Every setting is read from ``IGNITION_<NAME>`` (``IGNITION_PORT=9000``), except the database URL,
which is the conventional ``DATABASE_URL``. A ``.env`` file in the current directory is read too;
real environment variables win over it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.connections import DATABASE_URL_SCHEMES

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]


class Settings(BaseSettings):
    """Configuration of one gateway process.

    Build it with :func:`get_settings` (cached, from the environment) or directly with keyword
    arguments in tests (``Settings(database_url=..., seed_on_start=False)``).
    """

    model_config = SettingsConfigDict(
        env_prefix="IGNITION_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_by_name=True,
        validate_by_alias=True,
    )

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL", repr=False)
    """``DATABASE_URL``: the PostgreSQL server to use, as
    ``postgresql://user:password@host:port/dbname`` (``postgres://`` and
    ``postgresql+asyncpg://`` are accepted too). Unset: an embedded PostgreSQL is started in
    ``data_dir``."""

    data_dir: Path = Path(".ignition")
    """``IGNITION_DATA_DIR``: directory of the embedded PostgreSQL (its cluster lives in
    ``data_dir/pgdata``). Relative paths are resolved against the current directory."""

    host: str = "127.0.0.1"
    """``IGNITION_HOST``: interface the HTTP server binds to."""

    port: int = Field(default=8000, ge=0, le=65535)
    """``IGNITION_PORT``: TCP port the HTTP server listens on."""

    log_level: LogLevel = "info"
    """``IGNITION_LOG_LEVEL``: uvicorn log level (critical, error, warning, info, debug, trace)."""

    db_pool_size: int = Field(default=10, ge=1)
    """``IGNITION_DB_POOL_SIZE``: connections kept open in the pool, per process (each process
    of ``--workers N`` has its own). Chosen from ``bench/pool.py`` (bench/README.md): 5, 10
    and 20 did not differ in throughput on two cores, and 10 is the steady connection count
    of the earlier default."""

    db_max_overflow: int = Field(default=0, ge=0)
    """``IGNITION_DB_MAX_OVERFLOW``: extra connections opened past the pool size under load.
    0 (the default): the pool keeps every connection it opens, and requests beyond the pool
    size wait for one (up to ``db_pool_timeout_s``). An overflow connection is closed when it
    comes back to a full pool, so under steady load it is reopened again and again: each a
    new PostgreSQL backend (a fork, authentication, a cold catalog cache, statements prepared
    again). Measured by ``bench/pool.py`` (bench/README.md)."""

    statement_timeout_ms: int = Field(default=5000, ge=0)
    """``IGNITION_STATEMENT_TIMEOUT_MS``: PostgreSQL ``statement_timeout`` of every pooled
    connection, in milliseconds (0 disables it). Migrations and seeds are not limited."""

    idle_in_transaction_timeout_ms: int = Field(default=10000, ge=0)
    """``IGNITION_IDLE_IN_TRANSACTION_TIMEOUT_MS``: PostgreSQL
    ``idle_in_transaction_session_timeout`` of every pooled connection, in milliseconds (0
    disables it): the server ends a session whose transaction stays idle that long, a backstop
    should a transaction ever be left open."""

    db_pool_timeout_s: float = Field(default=10.0, gt=0)
    """``IGNITION_DB_POOL_TIMEOUT_S``: seconds a request waits for a pooled connection before
    it fails."""

    request_timeout_s: float = Field(default=15.0, gt=0)
    """``IGNITION_REQUEST_TIMEOUT_S``: wall-clock limit of one HTTP request, in seconds (from
    the first byte of its body to its response). Past it the work is cancelled, its connection
    returned, and the client gets HTTP 504 with ``extensions.code = "REQUEST_TIMEOUT"``."""

    http_header_timeout_s: float = Field(default=10.0, gt=0)
    """``IGNITION_HTTP_HEADER_TIMEOUT_S``: seconds a client has to send a request's line and
    headers, from its connection or from the first byte of a later request on it; past it
    the server answers 408 and closes the connection (``gateway.connections``: a slow or
    silent client cannot hold a socket)."""

    http_max_header_bytes: int = Field(default=64 * 1024, ge=1024)
    """``IGNITION_HTTP_MAX_HEADER_BYTES``: most bytes of a request's line and headers; past it
    the server answers 431 and closes the connection."""

    http_keep_alive_s: int = Field(default=5, ge=1)
    """``IGNITION_HTTP_KEEP_ALIVE_S``: seconds an idle kept-alive connection stays open
    between two requests (uvicorn's ``timeout_keep_alive``)."""

    http_max_connections: int = Field(default=2048, ge=1)
    """``IGNITION_HTTP_MAX_CONNECTIONS``: most connections (HTTP and websockets) served at
    once per process; a request arriving past it gets 503 (uvicorn's ``limit_concurrency``).
    Keep it below the process's file-descriptor limit (``ulimit -n``) minus the pool."""

    http_backlog: int = Field(default=2048, ge=1)
    """``IGNITION_HTTP_BACKLOG``: connections the kernel queues before the server accepts
    them (uvicorn's ``backlog``)."""

    max_body_bytes: int = Field(default=1024 * 1024, ge=0)
    """``IGNITION_MAX_BODY_BYTES``: largest accepted HTTP request body, in bytes (413 past it);
    also the largest websocket message."""

    graphiql: bool = True
    """``IGNITION_GRAPHIQL``: serve the GraphiQL IDE on ``GET /graphql`` (forced off in
    production)."""

    introspection: bool = True
    """``IGNITION_INTROSPECTION``: allow introspection queries (forced off in production)."""

    production: bool = False
    """``IGNITION_PRODUCTION``: production hardening: no GraphiQL, no introspection, no
    "did you mean" field suggestions in validation errors."""

    max_query_depth: int = Field(default=15, ge=1)
    """``IGNITION_MAX_QUERY_DEPTH``: deepest selection nesting of an operation, fragments
    included."""

    max_aliases: int = Field(default=30, ge=0)
    """``IGNITION_MAX_ALIASES``: most aliases in one operation, fragments included."""

    max_tokens: int = Field(default=2000, ge=1)
    """``IGNITION_MAX_TOKENS``: most lexical tokens in one GraphQL document."""

    max_query_length: int = Field(default=32_768, ge=1)
    """``IGNITION_MAX_QUERY_LENGTH``: most characters in one GraphQL document (checked before
    parsing)."""

    max_selections: int = Field(default=1000, ge=1)
    """``IGNITION_MAX_SELECTIONS``: most field selections in one document, fragments counted
    at every spread (bounds the work of validation)."""

    max_repeated_selections: int = Field(default=20, ge=1)
    """``IGNITION_MAX_REPEATED_SELECTIONS``: most selections sharing one response name, and
    most fragment spreads, in one merged selection set (``{ me { id } me { id } }`` selects
    ``me`` twice); graphql-core's validation compares them pair by pair."""

    max_input_values: int = Field(default=2000, ge=1)
    """``IGNITION_MAX_INPUT_VALUES``: most values in one request's variables (list items and
    input fields, down to the scalars), checked before graphql-core coerces them one by one."""

    max_query_nodes: int = Field(default=20_000, ge=1)
    """``IGNITION_MAX_QUERY_NODES``: most objects an operation may request: each connection
    counts its page size (``first``/``last``, default 20) times its parents, each other
    object 1 (schema/core/cost.py). Checked before any SQL runs."""

    persisted_queries: Literal["off", "apq", "trusted"] = "apq"
    """``IGNITION_PERSISTED_QUERIES``: ``apq`` (the default): Apollo's automatic persisted
    queries (a client may send ``extensions.persistedQuery.sha256Hash`` instead of a document
    it registered before; documents are shared by all processes through the database);
    ``trusted``: only the documents of ``persisted_queries_manifest`` run (GraphiQL is forced
    off: its documents are not in the manifest); ``off``: a persisted query is refused with
    ``PERSISTED_QUERY_NOT_SUPPORTED`` (``gateway.persisted``)."""

    persisted_queries_manifest: Path | None = None
    """``IGNITION_PERSISTED_QUERIES_MANIFEST``: the trusted documents' manifest, a JSON file
    (GraphQL Code Generator's or Relay's ``{id: document}``, or Apollo's persisted query
    manifest); required by ``IGNITION_PERSISTED_QUERIES=trusted``, read at startup."""

    persisted_queries_cache_size: int = Field(default=1000, ge=1)
    """``IGNITION_PERSISTED_QUERIES_CACHE_SIZE``: persisted documents each process keeps in
    memory (least recently used dropped first; the database keeps them all)."""

    cache_max_age_s: int = Field(default=60, ge=0)
    """``IGNITION_CACHE_MAX_AGE_S``: ``max-age`` of the ``Cache-Control: public`` header of a
    signed-out ``GET`` query answered without errors (the catalogs), in seconds; such a
    response also carries an ``ETag`` and answers ``If-None-Match`` with 304. Every other
    ``/graphql`` response is ``private, no-store``."""

    seed_on_start: bool = True
    """``IGNITION_SEED_ON_START``: upsert the reference catalogs when the server starts (after
    migrating)."""

    expose_sql_stats: bool = False
    """``IGNITION_EXPOSE_SQL_STATS``: add ``extensions.sqlStatements`` (the SQL statements the
    request ran) to every GraphQL response; for benchmarks and debugging."""

    workers: int = Field(default=1, ge=1)
    """``IGNITION_WORKERS``: worker processes serving one port (``ignition serve --workers``);
    each has its own pool and its own event listener."""

    event_backend: str = "postgres"
    """``IGNITION_EVENT_BACKEND``: how the relays of the gateway processes are woken when an
    event commits: ``postgres`` (``LISTEN``/``NOTIFY``, the default; no other service needed) or
    a Redis URL (``redis://host:6379/0``: writers publish the wake-up to Redis after commit and
    the ``NOTIFY`` at commit is skipped). Either way the outbox is the source of truth: the
    relay reads it, and polls it every ``event_poll_interval_s`` too."""

    event_poll_interval_s: float = Field(default=1.0, gt=0)
    """``IGNITION_EVENT_POLL_INTERVAL_S``: seconds between two reads of the outbox when no
    wake-up came (a lost notification delays an event by at most this much)."""

    event_retention_s: int = Field(default=7 * 24 * 3600, ge=60)
    """``IGNITION_EVENT_RETENTION_S``: seconds an outbox row is kept; older rows are pruned
    (a subscriber resuming from an older cursor gets ``CURSOR_EXPIRED``)."""

    event_buffer: int = Field(default=1000, ge=1)
    """``IGNITION_EVENT_BUFFER``: events buffered per subscriber; a subscriber that falls
    further behind catches up from the outbox instead (nothing is dropped)."""

    ws_connection_init_timeout_s: float = Field(default=10.0, gt=0)
    """``IGNITION_WS_CONNECTION_INIT_TIMEOUT_S``: seconds a websocket may take to send
    ``connection_init`` before it is closed (4408)."""

    ws_max_subscriptions: int = Field(default=20, ge=1)
    """``IGNITION_WS_MAX_SUBSCRIPTIONS``: operations running at once on one websocket."""

    ws_keepalive_s: float = Field(default=15.0, gt=0)
    """``IGNITION_WS_KEEPALIVE_S``: seconds between server pings on an idle websocket
    (graphql-transport-ws ``ping``, legacy graphql-ws ``ka``, and websocket ping frames)."""
    log_format: Literal["text", "json"] = "text"
    """``IGNITION_LOG_FORMAT``: ``text`` lines, or ``json`` (one JSON object per line); every
    line of a request carries its request id (``gateway.logs``)."""

    metrics: bool = True
    """``IGNITION_METRICS``: serve Prometheus metrics on ``GET /metrics`` (``gateway.metrics``;
    set ``PROMETHEUS_MULTIPROC_DIR`` when several worker processes serve one port)."""

    metrics_max_operations: int = Field(default=100, ge=0)
    """``IGNITION_METRICS_MAX_OPERATIONS``: most distinct operation names used as metric labels
    per process; further names count as ``other``."""

    otel: bool = False
    """``IGNITION_OTEL``: trace GraphQL operations with OpenTelemetry (needs the ``otel`` extra;
    exporter from the standard ``OTEL_*`` variables, see ``gateway.tracing``)."""

    idempotency_key_retention_s: float = Field(default=24 * 3600, gt=0)
    """``IGNITION_IDEMPOTENCY_KEY_RETENTION_S``: how long an idempotency key and its outcome are
    kept, in seconds (24 hours); a retry after that is a new request (a purchase's own key
    still finds the purchase). Pruned by the maintenance task."""

    maintenance_interval_s: float = Field(default=60, gt=0)
    """``IGNITION_MAINTENANCE_INTERVAL_S``: seconds between two passes of the server's
    maintenance task (expiring overdue focus sessions, pruning idempotency keys)."""

    compiled_reads: bool = True
    """``IGNITION_COMPILED_READS``: answer query operations over the generated types with
    one SQL statement that builds the JSON (``schema/compiler``); ``false`` serves every
    request through the general Strawberry + DataLoader path (for comparison, and as an
    escape hatch)."""

    session_ttl_s: int = Field(default=30 * 24 * 3600, ge=60, le=366 * 24 * 3600)
    """``IGNITION_SESSION_TTL_S``: lifetime of a session token issued by ``signInWithAccount``
    or ``refreshSession``, in seconds (30 days)."""

    session_refresh_grace_s: int = Field(default=60, ge=0, le=3600)
    """``IGNITION_SESSION_REFRESH_GRACE_S``: after ``refreshSession``, the old token still
    signs in for this many seconds (requests already in flight with it), then stops."""

    session_cache_s: float = Field(default=5.0, ge=0, le=60)
    """``IGNITION_SESSION_CACHE_S``: a verified session is remembered by the process this many
    seconds (never past its expiry), so that a signed-in client's next requests skip the
    sign-in statement; revoking a session, rotating it or changing its user's roles, approval
    or age verification reaches every process through the event relay (docs/sessions.md).
    ``0`` checks every request against the database."""

    session_retention_s: float = Field(default=30 * 24 * 3600, gt=0)
    """``IGNITION_SESSION_RETENTION_S``: expired sign-in sessions are deleted by the maintenance
    task this many seconds after they expired (30 days), so ``me.sessions`` does not grow
    without end."""

    require_approval: bool = False
    """``IGNITION_REQUIRE_APPROVAL``: users created by a sign-in start unapproved and not
    age-verified, and mutations of a user who is not both are refused (``extensions.code``
    ``AGE_VERIFICATION_REQUIRED`` or ``APPROVAL_REQUIRED``), except the ones that lead there
    (``confirmAge``, ``acceptTerms``, ``updateProfile``, the session mutations)."""

    terms_version: str | None = Field(default=None, max_length=64)
    """``IGNITION_TERMS_VERSION``: the current version of the terms of service;
    ``acceptTerms`` accepts only this version when set (any well-formed version when unset)."""

    gc_threshold: tuple[int, int, int] = (50_000, 20, 20)
    """``IGNITION_GC_THRESHOLD``: the garbage collector's thresholds for the serving process
    (:func:`gc.set_threshold`, as a JSON list; Python's defaults are ``[700, 10, 10]``), set
    after startup has moved the long-lived objects out of the
    collector (:func:`gc.freeze`). ``bench/gc.py`` measured the default against Python's
    ``700, 10, 10`` on the general path (bench/README.md): 1.01-1.16x the requests per second
    on four screens, the most on the largest responses; collections of young objects are
    rarer, and full collections (which walk every live subscription) far rarer."""

    @field_validator("gc_threshold")
    @classmethod
    def _check_gc_threshold(cls, value: tuple[int, int, int]) -> tuple[int, int, int]:
        if any(n < 0 for n in value):
            raise ValueError(
                "IGNITION_GC_THRESHOLD takes three numbers >= 0 (0 turns a collection off)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _check_scheme(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in DATABASE_URL_SCHEMES:
            accepted = ", ".join(f"{s}://" for s in DATABASE_URL_SCHEMES)
            raise ValueError(f"DATABASE_URL must start with one of {accepted}")
        return value

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _production_hardening(self) -> Self:
        if self.production:
            self.graphiql = False
            self.introspection = False
        if self.persisted_queries == "trusted":
            self.graphiql = False  # GraphiQL's documents are not trusted ones
            if self.persisted_queries_manifest is None:
                raise ValueError(
                    "IGNITION_PERSISTED_QUERIES=trusted needs IGNITION_PERSISTED_QUERIES_MANIFEST"
                )
        return self

    @property
    def field_suggestions(self) -> bool:
        """Whether validation errors may suggest field names ("Did you mean ...?")."""
        return not self.production

    @property
    def pgdata(self) -> Path:
        """The embedded PostgreSQL cluster directory, ``data_dir/pgdata``."""
        return self.data_dir / "pgdata"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process settings, read from the environment once and cached.

    Returns:
        The shared :class:`Settings`. Tests that change the environment call
        ``get_settings.cache_clear()``; code that needs a variant uses ``model_copy(update=...)``.

    Raises:
        pydantic.ValidationError: when a variable has an invalid value.
    """
    return Settings()
