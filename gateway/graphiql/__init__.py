"""GraphiQL served entirely by the gateway: the page and its assets, no CDN.

``GET /graphql`` from a browser answers :func:`page_response`; the page loads React, GraphiQL
and the explorer plugin from ``graphiql/<file>`` (relative to the page, so ``/graphiql/...``
here and ``<prefix>/graphiql/...`` behind a proxy that mounts the gateway under a prefix), which
:func:`assets_app` serves from ``gateway/graphiql/static``: pinned production builds shipped in
the package, refreshed from the npm registry by ``python -m gateway.graphiql.refresh``
(``static/manifest.json`` pins the versions and records each file's SHA-384).

Neither the page nor the assets touch the database. The page's Content-Security-Policy allows
scripts, styles and connections to the gateway's own origin only, so a GraphiQL that tried to
reach the internet would fail loudly instead of hanging at "Loading...".
"""

from __future__ import annotations

import functools
import html
import os
from pathlib import Path
from typing import Any

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope

from gateway.graphiql.manifest import MANIFEST, STATIC, integrity, load_manifest

#: Where the page finds its assets, relative to the page's URL (``/graphql``).
ASSETS_PATH = "graphiql"
#: The page's own script (not from npm: it configures GraphiQL for this API).
PAGE_SCRIPT = "ignition-graphiql.js"

#: Scripts, styles and connections to the gateway's origin only (``'self'`` covers its ws://
#: URL too); GraphiQL sets inline styles, and its fonts and icons are data: URLs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Ignition Gateway · GraphiQL</title>
    <link rel="icon" href="data:," />
{styles}
    <style>
      body {{ height: 100%; margin: 0; width: 100%; overflow: hidden; }}
      #graphiql {{ height: 100vh; display: flex; }}
    </style>
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading...</div>
{scripts}
  </body>
</html>
"""


def _url(name: str, digest: str) -> str:
    # The digest in the query gives each version its own cache key, so a browser never pairs a
    # cached old file with the new page's integrity hash.
    version = digest[7:19].replace("+", "-").replace("/", "_")
    return html.escape(f"{ASSETS_PATH}/{name}?v={version}", quote=True)


@functools.cache
def page_html() -> str:
    """The GraphiQL page: a ``<link>``/``<script>`` per manifest asset, with its integrity hash,
    then the page script. Built once per process."""
    manifest = load_manifest(MANIFEST)
    files: list[dict[str, Any]] = manifest["files"]
    own = integrity((STATIC / PAGE_SCRIPT).read_bytes())
    assets = [(entry["name"], entry["sha384"]) for entry in files] + [(PAGE_SCRIPT, own)]
    styles = [
        f'    <link rel="stylesheet" href="{_url(name, sri)}" integrity="{sri}" />'
        for name, sri in assets
        if name.endswith(".css")
    ]
    scripts = [
        f'    <script src="{_url(name, sri)}" integrity="{sri}"></script>'
        for name, sri in assets
        if name.endswith(".js")
    ]
    return _PAGE.format(styles="\n".join(styles), scripts="\n".join(scripts))


def page_response() -> Response:
    """The GraphiQL page as an HTML response with its Content-Security-Policy."""
    return HTMLResponse(
        page_html(),
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


class _Assets(StaticFiles):
    """Starlette's static files, revalidated on every use (``no-cache`` plus the ETag that
    StaticFiles sets), so a browser never keeps a file from an older package version."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def assets_app() -> ASGIApp:
    """The ASGI app serving ``gateway/graphiql/static`` (mounted at ``/graphiql``), gzipped
    for clients that accept it (GraphiQL's 1 MB script travels as about 300 KB)."""
    return GZipMiddleware(_Assets(directory=Path(STATIC)), minimum_size=1024)


__all__ = ["ASSETS_PATH", "CONTENT_SECURITY_POLICY", "assets_app", "page_html", "page_response"]
