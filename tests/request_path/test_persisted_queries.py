"""Persisted queries in process (``gateway.persisted``): a known hash is answered without
parsing or validating its document again, on the compiled and on the general path; the memory
cache is bounded and falls back to the shared table; ``off`` refuses the extension; manifests
in the formats the client tools write. (Through the real server: tests/e2e.)"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

import schema.core.protection as protection
from gateway.graphql import GatewayGraphQL
from gateway.persisted import load_manifest, sha256_hex
from gateway.settings import Settings
from tests.request_path.conftest import client_for


def hashed(query: str | None, sha: str) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}}
    return body if query is None else {**body, "query": query}


@pytest.mark.parametrize(
    "document",
    [
        "query C { exercises(first: 2) { totalCount } }",  # the compiled path
        "query G { __schema { queryType { name } } }",  # the general path
    ],
)
async def test_a_known_hash_is_neither_parsed_nor_validated_again(
    client: httpx.AsyncClient, document: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = f"# {uuid.uuid4().hex}\n{document}"
    sha = sha256_hex(query)
    calls: list[str] = []
    real_parse, real_validate = protection.parse, protection.validate  # type: ignore[attr-defined]

    def parse(*args: Any, **kwargs: Any) -> Any:
        calls.append("parse")
        return real_parse(*args, **kwargs)

    def validate(*args: Any, **kwargs: Any) -> Any:
        calls.append("validate")
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(protection, "parse", parse)
    monkeypatch.setattr(protection, "validate", validate)
    registered = await client.post("", json=hashed(query, sha))
    assert "errors" not in registered.json(), registered.text
    assert calls == ["parse", "validate"]  # once, at registration
    for _ in range(3):
        hit = await client.post("", json=hashed(None, sha))
        assert hit.json()["data"] == registered.json()["data"]
        by_get = await client.get(
            "", params={"extensions": orjson.dumps(hashed(None, sha)["extensions"]).decode()}
        )
        assert by_get.json()["data"] == registered.json()["data"]
    assert calls == ["parse", "validate"]


async def test_the_memory_cache_is_bounded_and_backed_by_the_table(
    settings: Settings, engine: AsyncEngine
) -> None:
    view = GatewayGraphQL(
        settings.model_copy(update={"persisted_queries_cache_size": 2}), lambda: engine
    )
    persisted = view.persisted
    assert persisted is not None
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=view), base_url="http://gateway/graphql"
    ) as client:
        queries = [f"# {uuid.uuid4().hex}\n{{ __typename }}" for _ in range(3)]
        for query in queries:
            response = await client.post("", json=hashed(query, sha256_hex(query)))
            assert response.json() == {"data": {"__typename": "Query"}, **_cost(response)}
        assert persisted.registered == 3 and len(persisted._memory) == 2
        first = await client.post("", json=hashed(None, sha256_hex(queries[0])))
        assert first.json()["data"] == {"__typename": "Query"}
        assert persisted.loads == 1  # dropped from memory, read from the table
        again = await client.post("", json=hashed(None, sha256_hex(queries[0])))
        assert again.json()["data"] == {"__typename": "Query"}
        assert persisted.hits == 1 and len(persisted._memory) == 2


def _cost(response: httpx.Response) -> dict[str, Any]:
    extensions: dict[str, Any] = response.json()["extensions"]
    return {"extensions": extensions}


async def test_off_refuses_the_extension_as_apollo_server_does(
    settings: Settings, engine: AsyncEngine
) -> None:
    async with client_for(settings, engine, persisted_queries="off") as client:
        response = await client.post(
            "", json=hashed("{ __typename }", sha256_hex("{ __typename }"))
        )
        assert response.status_code == 200
        assert response.json() == {
            "errors": [
                {
                    "message": "PersistedQueryNotSupported",
                    "extensions": {"code": "PERSISTED_QUERY_NOT_SUPPORTED"},
                }
            ]
        }
        plain = await client.post("", json={"query": "{ __typename }"})
        assert plain.json()["data"] == {"__typename": "Query"}


async def test_requests_strawberry_reads_itself_are_resolved_there(
    client: httpx.AsyncClient,
) -> None:
    """A body the gateway does not read before Strawberry (a content type Strawberry takes
    for JSON, ``application/json-seq``) is resolved in the view: a miss, then a hit."""
    query = f"# {uuid.uuid4().hex}\n{{ __typename }}"
    sha = sha256_hex(query)
    headers = {"Content-Type": "application/json-seq"}
    miss = await client.post("", content=orjson.dumps(hashed(None, sha)), headers=headers)
    assert [e["extensions"]["code"] for e in miss.json()["errors"]] == ["PERSISTED_QUERY_NOT_FOUND"]
    await client.post("", content=orjson.dumps(hashed(query, sha)), headers=headers)
    hit = await client.post("", content=orjson.dumps(hashed(None, sha)), headers=headers)
    assert hit.json()["data"] == {"__typename": "Query"}


def test_manifest_formats(tmp_path: Path) -> None:
    """GraphQL Code Generator's and Relay's ``{id: document}``, and Apollo's manifest."""
    plain = tmp_path / "persisted-documents.json"
    plain.write_text(orjson.dumps({"abc": "{ __typename }"}).decode())
    assert load_manifest(plain) == {"abc": "{ __typename }"}
    apollo = tmp_path / "persisted-query-manifest.json"
    apollo.write_bytes(
        orjson.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {
                        "id": "x1",
                        "name": "Root",
                        "type": "query",
                        "body": "query Root { __typename }",
                    }
                ],
            }
        )
    )
    assert load_manifest(apollo) == {"x1": "query Root { __typename }"}
    broken = tmp_path / "broken.json"
    broken.write_text('["{ __typename }"]')
    with pytest.raises(ValueError, match="a manifest is a JSON object"):
        load_manifest(broken)


def test_trusted_mode_needs_a_manifest_and_turns_graphiql_off(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="IGNITION_PERSISTED_QUERIES_MANIFEST"):
        Settings(persisted_queries="trusted")
    manifest = tmp_path / "m.json"
    manifest.write_text("{}")
    trusted = Settings(persisted_queries="trusted", persisted_queries_manifest=manifest)
    assert trusted.graphiql is False
