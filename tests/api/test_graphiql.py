"""GraphiQL's page and assets come from the package (gateway/graphiql), with no CDN and no
database: the shipped files are the pinned npm builds the manifest describes, every asset URL is
relative to the page (so a path prefix works), and the asset route answers while the database
is absent. The browser test (tests/e2e/test_graphiql_browser.py) runs it all in chromium."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway import graphiql
from gateway.app import create_app
from gateway.graphiql.manifest import STATIC, integrity, load_manifest
from gateway.graphiql.refresh import strip_source_map
from gateway.settings import Settings

#: A database that does not exist: the app is used without its lifespan, so the engine is never
#: opened and any database access would fail the request.
NO_DATABASE = "postgresql://nobody@127.0.0.1:1/absent"


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


@pytest.fixture(scope="module")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(Settings(database_url=NO_DATABASE)):
        yield c


def _asset_urls(page: str) -> list[tuple[str, str]]:
    """(URL, integrity) of every <script src> and <link href> of the page."""
    return re.findall(r'(?:src|href)="([^"]+)" integrity="([^"]+)"', page)


def test_the_page_loads_every_asset_relative_to_itself() -> None:
    page = graphiql.page_html()
    urls = _asset_urls(page)
    names = {url.split("?")[0].removeprefix("graphiql/") for url, _ in urls}
    shipped = {entry["name"] for entry in load_manifest()["files"]}
    assert names == {n for n in shipped if n.endswith((".js", ".css"))} | {graphiql.PAGE_SCRIPT}
    assert all(url.startswith("graphiql/") for url, _ in urls)
    assert not re.search(r"(https?:)?//", page), "the page names another origin"
    response = graphiql.page_response()
    assert "script-src 'self';" in response.headers["content-security-policy"]


def test_shipped_assets_match_the_manifest() -> None:
    manifest = load_manifest()
    assert set(manifest["packages"]) == {e["package"] for e in manifest["files"]}
    for entry in manifest["files"]:
        data = (STATIC / entry["name"]).read_bytes()
        assert len(data) == entry["bytes"], entry["name"]
        assert integrity(data) == entry["sha384"], entry["name"]
        assert b"sourceMappingURL" not in data[-300:], entry["name"]
    # Production builds only: the whole GraphiQL is about 1.6 MB on disk.
    assert sum(e["bytes"] for e in manifest["files"]) < 2_000_000


def test_source_map_comments_are_stripped() -> None:
    assert strip_source_map(b"a();\n//# sourceMappingURL=a.js.map") == b"a();\n"
    assert strip_source_map(b"p{}\n/*# sourceMappingURL=s.css.map */\n") == b"p{}\n"
    assert strip_source_map(b"a();\n") == b"a();\n"


async def test_assets_are_served_without_a_database(client: httpx.AsyncClient) -> None:
    for url, sri in _asset_urls(graphiql.page_html()):
        response = await client.get(f"/{url}", headers={"accept-encoding": "identity"})
        assert response.status_code == 200, url
        assert integrity(response.content) == sri, url
        assert response.headers["cache-control"] == "no-cache"
        again = await client.get(f"/{url}", headers={"if-none-match": response.headers["etag"]})
        assert again.status_code == 304


async def test_large_assets_travel_gzipped(client: httpx.AsyncClient) -> None:
    shipped = (STATIC / "graphiql.min.js").read_bytes()
    headers = {"accept-encoding": "gzip"}
    async with client.stream("GET", "/graphiql/graphiql.min.js", headers=headers) as response:
        assert response.headers["content-encoding"] == "gzip"
        wire = b"".join([chunk async for chunk in response.aiter_raw()])
    assert gzip.decompress(wire) == shipped
    assert len(wire) < len(shipped) / 2


async def test_no_assets_without_graphiql() -> None:
    async for client in _client(Settings(database_url=NO_DATABASE, production=True)):
        assert (await client.get("/graphiql/graphiql.min.js")).status_code == 404
