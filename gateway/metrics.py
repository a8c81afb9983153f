"""Prometheus metrics of one gateway process, served on ``GET /metrics`` (text format 0.0.4).

Built on prometheus-client. Every :func:`gateway.app.create_app` gets its own
:class:`Metrics` (its own ``CollectorRegistry``), so several apps in one process (tests) do not
collide. What is measured:

- ``ignition_graphql_requests_total{operation_name, operation_type, outcome}``: GraphQL
  operations (an HTTP request or a websocket operation), ``outcome`` ``ok`` (no error),
  ``error`` (any error) or ``refused`` (stopped by a limit before execution: an error whose
  ``extensions.code`` ends in ``_LIMIT_EXCEEDED``).
- ``ignition_graphql_request_duration_seconds`` (histogram, same labels but ``outcome``):
  wall-clock time of the operation, parse to result, in seconds.
- ``ignition_graphql_sql_statements`` (histogram per operation name and type): SQL statements
  one operation ran (the request :class:`db.reader.Reader`'s ``statements``).
- ``ignition_graphql_refused_total{limit}``: refusals by limit (``cost``, ``depth``,
  ``alias``, ``token``, ... from the error code; ``body_size`` for HTTP 413).
- ``ignition_http_requests_total{method, route, status}``,
  ``ignition_http_request_duration_seconds{method, route}``, ``ignition_http_requests_in_progress``
  and ``ignition_websocket_connections``: every HTTP request and websocket, ``route`` being the
  route's path (``/graphql``) or ``unmatched``.
- ``ignition_db_pool_size``, ``_max_overflow``, ``_connections`` (open), ``_checked_out`` (in
  use), ``_overflow`` (open past the pool size), ``_waiting`` and the histogram
  ``ignition_db_pool_checkout_seconds``: see :class:`MeteredPool`.

Operation names are labels only while their number stays bounded
(:class:`OperationNames`): anonymous operations are ``anonymous``, documents that do not parse
``unknown``, and names past ``IGNITION_METRICS_MAX_OPERATIONS`` ``other``.

Several worker processes: when ``PROMETHEUS_MULTIPROC_DIR`` is set in the environment before
the process starts, prometheus-client keeps every value in files of that directory and
``/metrics`` answers with the sum over all processes (``MultiProcessCollector``); gauges use
``livesum`` (live processes only; a worker marks itself dead at shutdown). The directory must
exist, be shared by the workers and be emptied before the server starts (prometheus-client's
rule). Without it, each process answers for itself. ``/metrics`` never touches the database.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry, PoolProxiedConnection
from starlette.requests import Request
from starlette.responses import Response

#: Operation outcomes (the ``outcome`` label).
OK, ERROR, REFUSED = "ok", "error", "refused"
#: ``extensions.code`` suffix of a refusal by a limit (``COST_LIMIT_EXCEEDED``, ...).
LIMIT_CODE_SUFFIX = "_LIMIT_EXCEEDED"
#: Refusals that are not ``*_LIMIT_EXCEEDED`` codes: HTTP error code -> ``limit`` label.
OTHER_REFUSALS = {"PAYLOAD_TOO_LARGE": "body_size"}

#: Label values that are not operation names.
ANONYMOUS, UNKNOWN, OTHER = "anonymous", "unknown", "other"
#: A GraphQL name (spec, "Names") of at most 100 characters: what may become a label.
OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")

#: Latency buckets, seconds: 5 ms to 30 s (the request timeout's range).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Statements per operation: the counts the statement-count tests see, and beyond.
STATEMENT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)
#: Pool checkout waits, seconds.
CHECKOUT_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0)


def refusal_limit(codes: Iterable[str]) -> str | None:
    """The limit that refused an operation, from its errors' ``extensions.code`` values
    (``"COST_LIMIT_EXCEEDED"`` -> ``"cost"``, ``"PAYLOAD_TOO_LARGE"`` -> ``"body_size"``), or
    None when no error is a refusal."""
    for code in codes:
        if code.endswith(LIMIT_CODE_SUFFIX):
            return code.removesuffix(LIMIT_CODE_SUFFIX).lower() or "unknown"
        if code in OTHER_REFUSALS:
            return OTHER_REFUSALS[code]
    return None


class OperationNames:
    """Bounds the ``operation_name`` label: the first ``limit`` distinct names of operations
    that succeeded become labels; later names, and names of failed operations never seen
    succeeding, count as ``other``. (A client can still fill the slots with many distinct
    successful names; the bound keeps Prometheus safe, the ``other`` series shows it.)"""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._admitted: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None, *, parsed: bool, succeeded: bool) -> str:
        """The label for an operation called ``name`` (None: anonymous).

        Args:
            name: the operation's name in the document.
            parsed: whether the document parsed (else the name is ``unknown``).
            succeeded: whether the operation ran without errors (only then is a new name
                admitted).
        """
        if not parsed:
            return UNKNOWN
        if name is None:
            return ANONYMOUS
        if name in self._admitted:
            return name
        if not succeeded or not OPERATION_NAME.fullmatch(name):
            return OTHER
        with self._lock:
            if name in self._admitted or len(self._admitted) < self.limit:
                self._admitted.add(name)
                return name
        return OTHER


def multiprocess_dir() -> str | None:
    """``PROMETHEUS_MULTIPROC_DIR`` when set (prometheus-client's multiprocess mode)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


@contextlib.contextmanager
def multiprocess_directory() -> Iterator[str]:
    """For a parent process about to start worker processes (``serve --workers N``): make
    sure the workers share a fresh ``PROMETHEUS_MULTIPROC_DIR``.

    When the variable is set, its directory is created if missing and emptied of the files of
    earlier runs (prometheus-client's rule: stale files would be summed in); otherwise a
    temporary directory is created, exported in the environment (the workers inherit it) and
    removed afterwards. Must run before the workers import prometheus-client.

    Yields:
        The directory.
    """
    configured = multiprocess_dir()
    if configured is not None:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        yield str(path)
        return
    with tempfile.TemporaryDirectory(prefix="ignition-metrics-") as directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        try:
            yield directory
        finally:
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)


class Metrics:
    """The metrics of one application; see the module docstring for the series.

    Args:
        max_operation_names: the bound of the ``operation_name`` label.
    """

    def __init__(self, max_operation_names: int = 100) -> None:
        # No ``*_created`` series (a timestamp per label set): they double the exposition for
        # nothing Prometheus uses. Process-wide, as prometheus-client has it.
        disable_created_metrics()
        self.registry = CollectorRegistry(auto_describe=True)
        self.multiprocess = multiprocess_dir() is not None
        if not self.multiprocess:  # per-process collectors make no sense summed over workers
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)
        self.operation_names = OperationNames(max_operation_names)
        r = self.registry
        operation = ("operation_name", "operation_type")
        self.requests = Counter(
            "ignition_graphql_requests",
            "GraphQL operations by name, type and outcome (ok, error, refused).",
            (*operation, "outcome"),
            registry=r,
        )
        self.duration = Histogram(
            "ignition_graphql_request_duration_seconds",
            "Wall-clock time of a GraphQL operation, parsing to result, in seconds.",
            (*operation, "outcome"),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.statements = Histogram(
            "ignition_graphql_sql_statements",
            "SQL statements one GraphQL operation ran.",
            operation,
            buckets=STATEMENT_BUCKETS,
            registry=r,
        )
        self.refused = Counter(
            "ignition_graphql_refused",
            "Requests refused by a limit before execution, by limit.",
            ("limit",),
            registry=r,
        )
        self.http_requests = Counter(
            "ignition_http_requests",
            "HTTP requests by method, route and status code.",
            ("method", "route", "status"),
            registry=r,
        )
        self.http_duration = Histogram(
            "ignition_http_request_duration_seconds",
            "Wall-clock time of an HTTP request, first byte in to last byte out, in seconds.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.http_in_progress = Gauge(
            "ignition_http_requests_in_progress",
            "HTTP requests being served.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.websockets = Gauge(
            "ignition_websocket_connections",
            "Open websocket connections.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.pool_size = self._pool_gauge("size", "Connections the pool keeps (pool_size).")
        self.pool_max_overflow = self._pool_gauge(
            "max_overflow", "Connections the pool may open past its size (max_overflow)."
        )
        self.pool_connections = self._pool_gauge(
            "connections", "Open pooled connections, in use or idle."
        )
        self.pool_checked_out = self._pool_gauge("checked_out", "Pooled connections in use.")
        self.pool_overflow = self._pool_gauge(
            "overflow", "Open connections past the pool size (0 to max_overflow)."
        )
        self.pool_waiting = self._pool_gauge(
            "waiting",
            "Checkouts in progress: waiting for a free connection, opening or pinging one.",
        )
        self.pool_checkout = Histogram(
            "ignition_db_pool_checkout_seconds",
            "Time to check a connection out of the pool (waiting, connecting, liveness check).",
            buckets=CHECKOUT_BUCKETS,
            registry=r,
        )

    def _pool_gauge(self, name: str, documentation: str) -> Gauge:
        return Gauge(
            f"ignition_db_pool_{name}",
            documentation,
            registry=self.registry,
            multiprocess_mode="livesum",
        )

    # ----------------------------------------------------------------------------- recording

    def observe_operation(
        self,
        *,
        name: str | None,
        operation_type: str,
        parsed: bool,
        error_codes: list[str],
        failed: bool,
        duration_s: float,
        statements: int,
    ) -> tuple[str, str | None]:
        """Count one GraphQL operation.

        Args:
            name: the operation's name (None: anonymous).
            operation_type: ``query``, ``mutation``, ``subscription`` or ``unknown``.
            parsed: whether the document parsed.
            error_codes: the ``extensions.code`` of its errors (empty strings left out).
            failed: whether the result had any error.
            duration_s: seconds from start to result.
            statements: SQL statements it ran.

        Returns:
            ``(outcome, limit)``: ``ok``/``error``/``refused`` and the refusing limit or None.
        """
        limit = refusal_limit(error_codes)
        outcome = REFUSED if limit else ERROR if failed else OK
        label = self.operation_names.label(name, parsed=parsed, succeeded=outcome == OK)
        self.requests.labels(label, operation_type, outcome).inc()
        self.duration.labels(label, operation_type, outcome).observe(duration_s)
        self.statements.labels(label, operation_type).observe(statements)
        if limit:
            self.refused.labels(limit).inc()
        return outcome, limit

    def observe_http(self, method: str, route: str, status: int, duration_s: float) -> None:
        """Count one HTTP request (``status`` 0: the client left before a response)."""
        method = method if method in _METHODS else "other"
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_duration.labels(method, route).observe(duration_s)
        if status == 413:
            self.refused.labels(OTHER_REFUSALS["PAYLOAD_TOO_LARGE"]).inc()

    def pool_class(self) -> type[MeteredPool]:
        """A :class:`MeteredPool` subclass reporting into these metrics, for
        ``create_engine(..., poolclass=...)``."""
        return type("MeteredPool", (MeteredPool,), {"metrics": self})

    # ----------------------------------------------------------------------------- serving

    def exposition(self) -> bytes:
        """The current values in the Prometheus text format (all workers' in multiprocess
        mode)."""
        directory = multiprocess_dir()
        if directory is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)

    def process_exited(self) -> None:
        """Drop this process's live gauges from the multiprocess files (called at shutdown)."""
        if self.multiprocess:
            prometheus_multiprocess.mark_process_dead(os.getpid())

    async def endpoint(self, request: Request) -> Response:
        """``GET /metrics``: the exposition; never touches the database."""
        return Response(self.exposition(), media_type=CONTENT_TYPE_LATEST)


_METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


class MeteredPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio queue pool, reporting its state into :class:`Metrics`.

    ``size()``, ``checkedout()`` and ``overflow()`` are the pool's own figures, published
    after every checkout and check-in. *Waiting* has no figure in SQLAlchemy (the queue's
    waiters are private), so it is measured here: the number of :meth:`connect` calls in
    progress, which covers a request waiting for a free connection (pool exhausted), one
    opening a new connection, and the liveness check; the time each took goes to
    ``ignition_db_pool_checkout_seconds``. Under normal load it is 0 or briefly 1; a
    sustained value means requests queue for connections.
    """

    metrics: Metrics

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.publish()

    def connect(self) -> PoolProxiedConnection:
        """Check a connection out, counting the caller as waiting until it has one."""
        metrics = self.metrics
        metrics.pool_waiting.inc()
        started = time.perf_counter()
        try:
            return super().connect()
        finally:
            metrics.pool_waiting.dec()
            metrics.pool_checkout.observe(time.perf_counter() - started)
            self.publish()

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        try:
            super()._do_return_conn(record)
        finally:
            self.publish()

    def dispose(self) -> None:
        super().dispose()
        self.publish()

    def publish(self) -> None:
        """Set the pool gauges from the pool's current figures."""
        metrics = self.metrics
        size = self.size()
        overflow = self.overflow()
        metrics.pool_size.set(size)
        metrics.pool_max_overflow.set(self._max_overflow)
        metrics.pool_checked_out.set(self.checkedout())
        # QueuePool counts overflow from -size: connections opened = size + overflow().
        metrics.pool_connections.set(max(0, size + overflow))
        metrics.pool_overflow.set(max(0, overflow))
