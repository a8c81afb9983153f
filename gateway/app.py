"""The application factory: routes, limits, and the lifespan that owns the database."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from gateway import graphiql, health
from gateway.bootstrap import prepare_database
from gateway.database import create_engine, display_url
from gateway.embedded import database_url
from gateway.events.backends import check_backend, is_redis_url, skip_notify
from gateway.events.hub import EventHub
from gateway.events.websocket import close_sockets_on_exit_signals
from gateway.graphql import error_response, graphql_app
from gateway.maintenance import maintenance_task
from gateway.metrics import Metrics
from gateway.observe import ObservationMiddleware
from gateway.sessions import SessionCache
from gateway.settings import Settings, get_settings
from gateway.tracing import shutdown_tracing

logger = logging.getLogger(__name__)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own HTTP errors (an unknown path, a method a route does not take, a body
    too large) as the GraphQL-shaped JSON errors of ``/graphql``: ``{"errors": [{"message",
    "extensions": {"code": "NOT_FOUND"}}]}`` (README, "Errors")."""
    assert isinstance(exc, HTTPException)
    messages = {
        404: f"There is nothing at {request.url.path}; the API is at /graphql.",
        405: f"{request.method} is not allowed here.",
    }
    message = messages.get(exc.status_code, exc.detail)
    return error_response(exc.status_code, message, headers=exc.headers)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the ASGI application; nothing touches the database until the lifespan starts.

    At startup the lifespan resolves the database (``settings.database_url``, or an embedded
    PostgreSQL in ``settings.data_dir`` that it stops again at shutdown), migrates it to head,
    seeds the catalogs when ``settings.seed_on_start``, and opens the engine. While the app runs,
    ``app.state`` holds ``settings``, ``database_url`` (the resolved URL), ``engine`` and
    ``events`` (the process's :class:`~gateway.events.hub.EventHub`: its listener connection
    and relay, started after the engine and stopped before it). The maintenance task
    (:mod:`gateway.maintenance`: focus expiry, idempotency key pruning) runs meanwhile; it is
    cancelled before the engine closes.

    Routes: ``/healthz`` and ``/readyz`` (see :mod:`gateway.health`), ``/graphql`` (HTTP and
    websocket), ``/metrics`` when ``settings.metrics`` (:mod:`gateway.metrics`; no database
    needed) and, with GraphiQL enabled, its assets under ``/graphiql`` (see
    :mod:`gateway.graphiql`). Every request goes through
    :class:`gateway.observe.ObservationMiddleware` (request id, metrics, access log). Request
    bodies past ``settings.max_body_bytes`` get 413
    (Starlette's own ``max_body_size`` limit: it counts streamed bodies too, not only
    ``Content-Length``).

    Args:
        settings: the configuration; ``get_settings()`` (the environment) when omitted.

    Returns:
        The Starlette application, to be served by uvicorn (or driven by a test client).
    """
    settings = settings if settings is not None else get_settings()
    check_backend(settings.event_backend)
    metrics = Metrics(settings.metrics_max_operations) if settings.metrics else None
    # The process's verified sessions: the requests read them, the relay revokes them.
    sessions = SessionCache(settings.session_cache_s)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = None
        async with database_url(settings) as url:
            logger.info("database: %s", display_url(url))
            await prepare_database(url, seed=settings.seed_on_start)
            pool: dict[str, Any] = {} if metrics is None else {"poolclass": metrics.pool_class()}
            engine = create_engine(settings.model_copy(update={"database_url": url}), **pool)
            if is_redis_url(settings.event_backend):
                skip_notify(engine)
            events = EventHub(settings, engine, sessions)
            try:
                await events.start()
                app.state.database_url = url
                app.state.engine = engine
                app.state.events = events
                # Everything built so far (the schema, the models, the imported modules) lives
                # for the whole process: move it out of the garbage collector's generations,
                # so that full collections only walk request garbage. Measured by bench/: full
                # collections of up to 250 ms set the tail latency before this.
                gc.collect()
                gc.freeze()
                gc.set_threshold(*settings.gc_threshold)
                restore_signals = close_sockets_on_exit_signals()
                try:
                    async with maintenance_task(
                        engine,
                        interval_s=settings.maintenance_interval_s,
                        key_retention_s=settings.idempotency_key_retention_s,
                        session_retention_s=settings.session_retention_s,
                    ):
                        yield
                finally:
                    restore_signals()
            finally:
                app.state.engine = None
                app.state.events = None
                await events.stop()
                await engine.dispose()
                shutdown_tracing()
                if metrics is not None:
                    metrics.process_exited()

    def engine_getter() -> AsyncEngine:
        engine: AsyncEngine | None = getattr(app.state, "engine", None)
        if engine is None:
            raise RuntimeError("the database engine is not open (lifespan not started)")
        return engine

    graphql = graphql_app(settings, engine_getter, sessions)
    routes: list[BaseRoute] = [
        *health.routes,
        Route("/graphql", graphql, name="graphql"),
        WebSocketRoute("/graphql", graphql, name="graphql-ws"),
    ]
    if metrics is not None:
        routes.append(Route("/metrics", metrics.endpoint, methods=["GET", "HEAD"], name="metrics"))
    if settings.graphiql:
        # GraphiQL's page at /graphql loads these as graphiql/<file>: no database, no CDN.
        routes.append(Mount("/graphiql", graphiql.assets_app(), name="graphiql"))
    observation = Middleware(
        ObservationMiddleware,
        metrics=metrics,
        routes=[r.path for r in routes if isinstance(r, Route | WebSocketRoute)],
        mounts=[r.path for r in routes if isinstance(r, Mount)],
    )
    app = Starlette(
        routes=routes,
        middleware=[observation],
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
        exception_handlers={HTTPException: _http_error},
    )
    app.state.metrics = metrics
    return app
