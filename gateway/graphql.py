"""The GraphQL endpoint: Strawberry's ASGI view with our request context.

Every HTTP request gets a fresh :class:`gateway.context.Context` (a lazily opened read
connection, request-scoped DataLoaders, the viewer of its bearer token). GraphiQL is served to
browsers when enabled; queries may use GET, mutations never do (Strawberry's default).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway import graphiql
from gateway.auth import bearer_token, viewer_from_row, viewer_statement
from gateway.context import Context, Reader
from gateway.settings import Settings


class GatewayGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI GraphQL app with the gateway's context and orjson encoding."""

    def __init__(
        self, settings: Settings, engine_getter: Callable[[], AsyncEngine], **kwargs: Any
    ) -> None:
        from schema import build_schema

        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            **kwargs,
        )
        self.settings = settings
        self.engine_getter = engine_getter

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        """The request context; authenticates ``Authorization: Bearer <token>`` with one
        statement on the request's read connection (an unknown, expired or malformed token
        means "not signed in")."""
        reader = Reader(self.engine_getter())
        token = bearer_token(request.headers.get("authorization"))
        viewer = None
        if token is not None:
            rows = await reader.fetch(viewer_statement(token))
            viewer = viewer_from_row(rows[0]) if rows else None
        return Context(
            settings=self.settings,
            engine=self.engine_getter(),
            reader=reader,
            viewer=viewer,
            request=request,
            response=response,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the gateway's own assets (:mod:`gateway.graphiql`), never a CDN."""
        return graphiql.page_response()

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def graphql_app(settings: Settings, engine_getter: Callable[[], AsyncEngine]) -> ASGIApp:
    """The ASGI app serving GraphQL over HTTP (and websockets) at ``/graphql``.

    Args:
        settings: the process settings (GraphiQL, introspection and query limits).
        engine_getter: returns the process engine; called per request, after startup.

    Returns:
        An ASGI application for HTTP and websocket scopes.
    """
    return GatewayGraphQL(settings, engine_getter)
