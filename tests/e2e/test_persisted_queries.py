"""Persisted queries and HTTP caching through the real server (``gateway.persisted``,
``GatewayGraphQL._cache_headers``): Apollo's automatic persisted queries over ``POST`` and
``GET`` (miss, registration, hit, hash mismatch), shared by two processes through the
database; trusted documents from a manifest; ``Cache-Control``, ``ETag`` and 304."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import websockets
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets import Subprotocol

from gateway.persisted import sha256_hex
from tests.e2e.live import Gateway, User, new_user

pytestmark = pytest.mark.e2e


def unique(document: str) -> str:
    """``document`` with a comment that makes its text (and hash) new to every run."""
    return f"# {uuid.uuid4().hex}\n{document}"


def catalog_query() -> str:
    """A catalog read the compiled path answers, new to the server."""
    return unique("query Exercises { exercises(first: 2) { totalCount edges { node { name } } } }")


def general_query() -> str:
    """A read only the general path answers (introspection), new to the server."""
    return unique("query Root { __schema { queryType { name } } }")


def hashed(query: str | None, sha: str, **extra: Any) -> dict[str, Any]:
    """A request body: the persisted-query extension, with or without its query."""
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}}
    if query is not None:
        body["query"] = query
    return {**body, **extra}


def get_params(sha: str) -> dict[str, str]:
    """The query parameters of a hashed ``GET``, as Apollo Client's ``useGETForHashedQueries``
    sends them (``extensions`` as JSON text; httpx URL-encodes it)."""
    return {"extensions": orjson.dumps(hashed(None, sha)["extensions"]).decode()}


def assert_refused(response: httpx.Response, status: int, message: str, code: str) -> None:
    """The response is exactly Apollo Server's refusal: one error, no ``data``."""
    assert response.status_code == status
    assert response.json() == {"errors": [{"message": message, "extensions": {"code": code}}]}


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


@pytest.fixture(scope="module")
def second_gateway(live_database: str, log_dir: Path) -> Iterator[Gateway]:
    """Another process on the same database (its own memory, the shared table)."""
    process = Gateway(live_database, log_dir).start()
    try:
        yield process
    finally:
        process.stop()


#: The trusted documents of the manifest (GraphQL Code Generator's ``{hash: document}``).
TRUSTED = "query Trusted { exercises(first: 1) { totalCount } }"
TRUSTED_GENERAL = "query TrustedRoot { __typename }"


@pytest.fixture(scope="module")
def trusted_gateway(live_database: str, log_dir: Path) -> Iterator[Gateway]:
    manifest = log_dir / "persisted-documents.json"
    manifest.write_bytes(orjson.dumps({sha256_hex(d): d for d in (TRUSTED, TRUSTED_GENERAL)}))
    process = Gateway(
        live_database,
        log_dir,
        env={
            "IGNITION_PERSISTED_QUERIES": "trusted",
            "IGNITION_PERSISTED_QUERIES_MANIFEST": str(manifest),
        },
    ).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.parametrize("make_query", [catalog_query, general_query])
async def test_apq_miss_register_hit_over_post(gateway: Gateway, make_query: Any) -> None:
    """An unknown hash answers ``PersistedQueryNotFound`` (200, no data); the query with its
    hash registers it; the hash alone then runs it (on the compiled and the general path)."""
    query = make_query()
    sha = sha256_hex(query)
    async with httpx.AsyncClient(timeout=30) as client:
        miss = await client.post(gateway.http, json=hashed(None, sha))
        assert_refused(miss, 200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        registered = await client.post(gateway.http, json=hashed(query, sha))
        assert registered.status_code == 200 and "errors" not in registered.json()
        hit = await client.post(gateway.http, json=hashed(None, sha))
        assert hit.status_code == 200
        assert hit.json()["data"] == registered.json()["data"]


async def test_apq_over_get(gateway: Gateway) -> None:
    """``GET`` with ``extensions`` as a query parameter: a miss, then (registered by
    ``POST``, as Apollo Client retries) a hit, on both paths; the hit never renders GraphiQL,
    even for a client that accepts ``*/*``."""
    async with httpx.AsyncClient(timeout=30) as client:
        for query in (catalog_query(), general_query()):
            sha = sha256_hex(query)
            headers = {"Accept": "*/*"}
            miss = await client.get(gateway.http, params=get_params(sha), headers=headers)
            assert miss.status_code == 200 and codes(miss) == ["PERSISTED_QUERY_NOT_FOUND"]
            registered = await client.post(gateway.http, json=hashed(query, sha))
            assert "errors" not in registered.json()
            hit = await client.get(gateway.http, params=get_params(sha), headers=headers)
            assert hit.status_code == 200, hit.text
            assert hit.headers["content-type"].startswith("application/json")
            assert hit.json()["data"] == registered.json()["data"]


async def test_hash_mismatch_is_refused_and_not_registered(gateway: Gateway) -> None:
    query = catalog_query()
    wrong = sha256_hex(query + " ")
    async with httpx.AsyncClient(timeout=30) as client:
        mismatch = await client.post(gateway.http, json=hashed(query, wrong))
        assert_refused(
            mismatch, 400, "provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH"
        )
        after = await client.post(gateway.http, json=hashed(None, wrong))
        assert codes(after) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_malformed_persisted_queries_are_bad_requests(gateway: Gateway) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        for extensions in (
            {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}},
            {"persistedQuery": {"version": 1, "sha256Hash": "not a hash"}},
            {"persistedQuery": {"version": 1, "sha256Hash": 7}},
            {"persistedQuery": "yes"},
        ):
            response = await client.post(gateway.http, json={"extensions": extensions})
            assert response.status_code == 400, extensions
            assert codes(response) == ["BAD_REQUEST"]


async def test_an_invalid_document_is_not_registered(gateway: Gateway) -> None:
    """The request runs (and reports its validation error), but the hash stays unknown."""
    query = unique("{ noSuchField }")
    sha = sha256_hex(query)
    async with httpx.AsyncClient(timeout=30) as client:
        invalid = await client.post(gateway.http, json=hashed(query, sha))
        assert codes(invalid) == ["GRAPHQL_VALIDATION_FAILED"]
        after = await client.post(gateway.http, json=hashed(None, sha))
        assert codes(after) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_registrations_are_shared_between_processes(
    gateway: Gateway, second_gateway: Gateway
) -> None:
    """The second process has never seen the hash: it reads it from the shared table."""
    query = catalog_query()
    sha = sha256_hex(query)
    async with httpx.AsyncClient(timeout=30) as client:
        registered = await client.post(gateway.http, json=hashed(query, sha))
        assert "errors" not in registered.json()
        hit = await client.get(second_gateway.http, params=get_params(sha))
        assert hit.status_code == 200, hit.text
        assert hit.json()["data"] == registered.json()["data"]


async def test_trusted_mode_runs_only_manifest_documents(trusted_gateway: Gateway) -> None:
    url = trusted_gateway.http
    async with httpx.AsyncClient(timeout=30) as client:
        for document in (TRUSTED, TRUSTED_GENERAL):
            by_hash = await client.post(url, json=hashed(None, sha256_hex(document)))
            assert by_hash.status_code == 200 and "errors" not in by_hash.json(), by_hash.text
            by_get = await client.get(url, params=get_params(sha256_hex(document)))
            assert by_get.json() == by_hash.json()
            raw = await client.post(url, json={"query": document})
            assert raw.json() == by_hash.json()
        unknown = await client.post(url, json=hashed(None, sha256_hex(catalog_query())))
        assert unknown.status_code == 404 and codes(unknown) == ["PERSISTED_QUERY_NOT_IN_LIST"]
        for body in (
            {"query": catalog_query()},
            hashed(catalog_query(), sha256_hex(TRUSTED)),  # a listed id with another text
        ):
            refused = await client.post(url, json=body)
            assert refused.status_code in (400, 403)
            assert codes(refused)[0] in ("QUERY_NOT_IN_SAFELIST", "PERSISTED_QUERY_HASH_MISMATCH")
        raw_get = await client.get(url, params={"query": "{ __typename }"})
        assert raw_get.status_code == 403 and codes(raw_get) == ["QUERY_NOT_IN_SAFELIST"]
        # No registration in trusted mode: sending a new document with its hash is refused.
        query = catalog_query()
        attempt = await client.post(url, json=hashed(query, sha256_hex(query)))
        assert codes(attempt) == ["PERSISTED_QUERY_NOT_IN_LIST"]
        # GraphiQL is off: its page is not served, whatever the browser accepts.
        page = await client.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 404


async def test_trusted_mode_on_websockets(trusted_gateway: Gateway) -> None:
    """graphql-transport-ws: a document not in the manifest gets an ``error`` message with
    ``QUERY_NOT_IN_SAFELIST``; a listed one runs."""
    ws_url = trusted_gateway.ws
    async with websockets.connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(orjson.dumps({"type": "connection_init"}).decode())
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        refused = {"query": "{ __typename }"}
        await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": refused}).decode())
        message = orjson.loads(await ws.recv())
        assert message["type"] == "error" and message["id"] == "1"
        assert message["payload"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
        listed = {"query": TRUSTED_GENERAL}
        await ws.send(orjson.dumps({"id": "2", "type": "subscribe", "payload": listed}).decode())
        message = orjson.loads(await ws.recv())
        assert (message["id"], message["type"]) == ("2", "next")
        assert message["payload"]["data"] == {"__typename": "Query"}


async def test_signed_out_catalog_reads_by_get_are_cacheable(gateway: Gateway) -> None:
    """``Cache-Control: public``, an ``ETag`` of the body, ``Vary``; ``If-None-Match`` with
    that tag answers 304 without a body, another tag the full response."""
    params = {"query": "{ exercises(first: 3) { totalCount edges { node { name } } } }"}
    async with httpx.AsyncClient(timeout=30) as client:
        first = await client.get(gateway.http, params=params)
        assert first.status_code == 200 and "errors" not in first.json()
        assert first.headers["cache-control"] == "public, max-age=60"
        assert first.headers["vary"] == "Accept, Authorization"
        etag = first.headers["etag"]
        assert etag == f'"{sha256_hex_bytes(first.content)[:32]}"'
        again = await client.get(gateway.http, params=params, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "public, max-age=60"
        weak = await client.get(
            gateway.http, params=params, headers={"If-None-Match": f'"other", W/{etag}'}
        )
        assert weak.status_code == 304
        other = await client.get(gateway.http, params=params, headers={"If-None-Match": '"x"'})
        assert other.status_code == 200 and other.content == first.content
        # A persisted query by GET is cached alike (a CDN keys it by its short URL).
        query = catalog_query()
        await client.post(gateway.http, json=hashed(query, sha256_hex(query)))
        hashed_get = await client.get(gateway.http, params=get_params(sha256_hex(query)))
        assert hashed_get.headers["cache-control"] == "public, max-age=60"
        assert "etag" in hashed_get.headers


async def test_other_responses_are_private_and_not_stored(
    gateway: Gateway, live_engine: AsyncEngine
) -> None:
    """Signed in, ``POST``, a mutation, a result with errors, a refusal: ``private,
    no-store`` and no ``ETag``."""
    user: User = await new_user(live_engine)
    read = {"query": "{ exercises(first: 3) { totalCount } }"}
    async with httpx.AsyncClient(timeout=30) as client:
        responses = [
            await client.get(gateway.http, params=read, headers=user.auth),
            await client.get(gateway.http, params={"query": "{ me { id } }"}, headers=user.auth),
            await client.post(gateway.http, json=read),
            await client.post(gateway.http, json={"query": "mutation { __typename }"}),
            await client.get(gateway.http, params={"query": "{ noSuchField }"}),
            await client.get(gateway.http, params=get_params("0" * 64)),
            await client.get(gateway.http, params={"query": "mutation { __typename }"}),
        ]
    for response in responses:
        assert response.headers["cache-control"] == "private, no-store", response.text
        assert "etag" not in response.headers


def sha256_hex_bytes(body: bytes) -> str:
    import hashlib

    return hashlib.sha256(body).hexdigest()
